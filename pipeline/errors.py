"""Article-level errors: each carries a one-line reason for articles.csv."""
from __future__ import annotations


class ArticleError(ValueError):
    """An article that cannot be processed; ``str(err)`` is the one-line reason."""

    code = "E000"

    def __init__(self, reason: str):
        super().__init__(" ".join(reason.split()))


class DecodeError(ArticleError):
    code = "E_DECODE"


class EmptyArticle(ArticleError):
    code = "E_EMPTY"


class BinaryInput(ArticleError):
    code = "E_BINARY"
