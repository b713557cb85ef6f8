"""Records that flow between stages: the decoded article and its segmentation.

Rows of the output tables are plain dicts keyed by the SPEC column names
(see ``tables.py``); values stay ``Decimal`` until ``write.py`` formats them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence (or heading/caption/byline line) of the body.

    index (int): 1-based index within the article.
    paragraph (int): 1-based index of the non-empty paragraph holding it.
    start, end (int): character offsets into the body.
    kind (str): ``text``, ``heading``, ``caption`` or ``byline``.
    """

    index: int
    paragraph: int
    start: int
    end: int
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class Paragraph:
    index: int
    start: int
    end: int


@dataclass(slots=True)
class Article:
    """A decoded article: its body and what is known about it.

    body (str): the text after BOM and front matter, newlines normalised;
        every output offset indexes into it.
    meta (dict): front matter fields (title, date, source, region, ...).
    date (datetime.date | None): the article date used to resolve relative periods.
    date_source (str): ``front_matter``, ``cli``, ``inferred`` or ``none``.
    """

    article_id: str
    source_file: str
    body: str
    encoding: str
    meta: dict[str, str] = field(default_factory=dict)
    date: dt.date | None = None
    date_source: str = "none"
    paragraphs: list[Paragraph] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.meta.get("title", "")

    def sentence_at(self, offset: int) -> Sentence:
        """The sentence holding ``offset`` (binary search over sentence starts)."""
        lo, hi = 0, len(self.sentences) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.sentences[mid].start <= offset:
                lo = mid
            else:
                hi = mid - 1
        return self.sentences[lo]

    def provenance(self, start: int, end: int) -> Row:
        """The provenance columns shared by every table (SPEC §2)."""
        s = self.sentence_at(start)
        return {
            "article_id": self.article_id,
            "paragraph": s.paragraph,
            "sentence": s.index,
            "start": start,
            "end": end,
            "text": self.body[start:end],
        }

    def context_of(self, start: int) -> str:
        s = self.sentence_at(start)
        return self.body[s.start:s.end]
