"""Article-level errors: each carries a one-line reason for articles.csv."""
from __future__ import annotations


class ArticleError(ValueError):
    """An article that cannot be processed; ``str(err)`` is the one-line reason.

    >>> str(ArticleError("cannot decode:\\n byte 3"))
    'cannot decode: byte 3'
    """

    code = "E000"

    def __init__(self, reason: str):
        super().__init__(" ".join(reason.split()))


class DecodeError(ArticleError):
    code = "E_DECODE"


class EmptyArticle(ArticleError):
    code = "E_EMPTY"


class BinaryInput(ArticleError):
    code = "E_BINARY"


class TooLarge(ArticleError):
    code = "E_TOO_LARGE"
