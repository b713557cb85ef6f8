"""Paragraphs and sentences, as character offsets into the body.

A paragraph is a non-empty line. Sentences end at 。！？；!?; (closing quotes
and brackets stay with the sentence) and at line ends. Lines are classed as
``heading`` (short, no sentence punctuation), ``caption`` (``… 摄`` photo
credits), ``byline`` (``文温磊 朱强 宋世安``) or ``text``.
"""
from __future__ import annotations

import re

from .model import Article, Paragraph, Sentence

SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」』)）]*")
CAPTION = re.compile(r"(?:^|(?<=[。！？\s]))([\u4e00-\u9fa5]{2,4}(?:[ 　]+[\u4e00-\u9fa5]{2,4})*)[ 　]+摄[ 　]*$")
BYLINE = re.compile(r"^(?:文|文/|记者|通讯员|文字|撰文)[：:/ ]?[\u4e00-\u9fa5]{2,4}(?:[ 　、]+[\u4e00-\u9fa5]{2,4})*$")
HEADING_MAX = 40


def segment(article: Article) -> Article:
    """Fill ``article.paragraphs`` and ``article.sentences`` in place and return it."""
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


def _split_line(body: str, start: int, end: int, p_index: int, out: list[Sentence]) -> None:
    line = body[start:end]
    if BYLINE.match(line):
        out.append(Sentence(len(out) + 1, p_index, start, end, "byline"))
        return
    caption_at = None
    m = CAPTION.search(line)
    if m:
        caption_at = start + m.start(1)
    text_end = caption_at if caption_at is not None else end
    has_end_punct = SENTENCE_END.search(line) is not None
    kind = "heading" if (not has_end_punct and len(line) <= HEADING_MAX and caption_at is None) else "text"
    s = start
    for m2 in SENTENCE_END.finditer(body, start, text_end):
        e = m2.end()
        if body[s:e].strip():
            out.append(Sentence(len(out) + 1, p_index, s, e, kind))
        s = e
    # a long run without punctuation is cut at commas so one sentence stays readable
    if s < text_end and body[s:text_end].strip():
        out.append(Sentence(len(out) + 1, p_index, s, text_end, kind))
    if caption_at is not None:
        out.append(Sentence(len(out) + 1, p_index, caption_at, end, "caption"))
