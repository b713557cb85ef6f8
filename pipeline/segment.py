"""Paragraphs and sentences, as character offsets into the body.

A paragraph is a non-empty line. Sentences end at 。！？；!?; (closing quotes
and brackets stay with the sentence) and at line ends. Lines are classed as
``heading`` (short, no sentence punctuation), ``caption`` (``… 摄`` photo
credits), ``byline`` (``文温磊 朱强 宋世安``) or ``text``.

A run longer than ``MAX_SENTENCE`` characters with no sentence end (a page
pasted without punctuation, a table flattened into one line) is cut at its
last comma, enumeration comma or colon before the limit, else at a space,
else at the limit itself (never inside a number): a sentence is the
``context`` of every figure in it, and every later stage looks back within
the sentence, so bounded sentences keep the whole pipeline linear in the
length of the article. Real sentences stay whole (the longest in raw/ and
the corpus is 407 characters).
"""
from __future__ import annotations

import re

from .model import Article, Paragraph, Sentence

SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」』)）]*")
CAPTION = re.compile(r"(?:^|(?<=[。！？\s]))([\u4e00-\u9fa5]{2,4}(?:[ 　]+[\u4e00-\u9fa5]{2,4})*)[ 　]+摄[ 　]*$")
CAPTION_WINDOW = 120  # characters at the end of a line where a photo credit can start
BYLINE = re.compile(r"^(?:文|文/|记者|通讯员|文字|撰文)[：:/ ]?[\u4e00-\u9fa5]{2,4}(?:[ 　、]+[\u4e00-\u9fa5]{2,4})*$")
HEADING_MAX = 40
MAX_SENTENCE = 500
MIN_PIECE = 100         # a cut leaves at least this much before it
CLAUSE_BREAKS = "，,、：:"
# Characters a figure is written with: a hard cut never falls between two of them.
FIGURE_CHARS = frozenset("0123456789０１２３４５６７８９.．,，%％‰零〇一二两三四五六七八九十百千万亿点")


def segment(article: Article) -> Article:
    """Fill ``article.paragraphs`` and ``article.sentences`` in place and return it.

    >>> from pipeline.model import Article
    >>> a = segment(Article("x", "", "标题\\n\\n增长4.4%。下降1%！\\n图为现场。 张三 摄", "utf-8"))
    >>> [(s.paragraph, a.body[s.start:s.end], s.kind) for s in a.sentences]
    [(1, '标题', 'heading'), (2, '增长4.4%。', 'text'), (2, '下降1%！', 'text'), (3, '图为现场。', 'text'), (3, '张三 摄', 'caption')]
    """
    body = article.body
    paragraphs: list[Paragraph] = []
    sentences: list[Sentence] = []
    pos = 0
    for line in body.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        trail = len(line.rstrip())
        p_index = len(paragraphs) + 1
        paragraphs.append(Paragraph(p_index, start + lead, start + trail))
        _split_line(body, start + lead, start + trail, p_index, sentences)
    if not sentences:
        sentences.append(Sentence(1, 1, 0, len(body), "text"))
    article.paragraphs = paragraphs
    article.sentences = sentences
    return article


def _caption_start(line: str) -> int | None:
    """Where a ``… 摄`` photo credit starts in ``line``, or None."""
    if not line.rstrip(" 　").endswith("摄"):
        return None
    m = CAPTION.search(line, max(0, len(line) - CAPTION_WINDOW))
    return m.start(1) if m else None


def _split_line(body: str, start: int, end: int, p_index: int, out: list[Sentence]) -> None:
    line = body[start:end]
    if len(line) <= 60 and BYLINE.match(line):
        out.append(Sentence(len(out) + 1, p_index, start, end, "byline"))
        return
    caption_at = None
    at = _caption_start(line)
    if at is not None:
        caption_at = start + at
    text_end = caption_at if caption_at is not None else end
    has_end_punct = SENTENCE_END.search(line) is not None
    kind = "heading" if (not has_end_punct and len(line) <= HEADING_MAX and caption_at is None) else "text"
    s = start
    for m2 in SENTENCE_END.finditer(body, start, text_end):
        e = m2.end()
        if body[s:e].strip():
            _add(body, s, e, p_index, kind, out)
        s = e
    if s < text_end and body[s:text_end].strip():
        _add(body, s, text_end, p_index, kind, out)
    if caption_at is not None:
        out.append(Sentence(len(out) + 1, p_index, caption_at, end, "caption"))


def _add(body: str, s: int, e: int, p_index: int, kind: str, out: list[Sentence]) -> None:
    """Append the sentence ``body[s:e]``, cut into pieces of at most ``MAX_SENTENCE``."""
    while e - s > MAX_SENTENCE:
        cut = _cut_point(body, s, s + MAX_SENTENCE)
        out.append(Sentence(len(out) + 1, p_index, s, cut, kind))
        s = cut
        while s < e and body[s] in " 　\t":
            s += 1
    if s < e:
        out.append(Sentence(len(out) + 1, p_index, s, e, kind))


def _cut_point(body: str, s: int, limit: int) -> int:
    """Where to end a piece of the over-long run starting at ``s``: after the
    last clause break before ``limit``, else after a space, else at ``limit``
    moved back out of any figure.

    >>> _cut_point("甲" * 300 + "，" + "乙" * 300, 0, 500)
    301
    >>> _cut_point("增长" * 245 + "1234567890123", 0, 500)
    490
    >>> _cut_point("甲" * 300 + "，" + "乙" * 190 + "1,234,567", 0, 500)
    301
    """
    lo = s + MIN_PIECE
    for breaks in (CLAUSE_BREAKS, " 　\t"):
        for i in range(limit - 1, lo - 1, -1):
            if body[i] in breaks and not (body[i - 1].isdigit() and body[i + 1:i + 2].isdigit()):
                return i + 1
    cut = limit
    while cut > lo and body[cut - 1] in FIGURE_CHARS and body[cut] in FIGURE_CHARS:
        cut -= 1
    return cut if cut > lo else limit
