"""Bytes to ``Article``: encoding detection, front matter, newline normalisation.

Imports no NLP. Offsets of every later stage index into ``Article.body``:
the decoded text with BOM and front matter removed and universal newlines
(SPEC §1), so the scorer (which reads files the same way) finds our spans.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from .errors import BinaryInput, DecodeError, EmptyArticle
from .model import Article

BINARY_SIGNATURES = {
    b"\x89PNG": "a PNG image", b"PK\x03\x04": "a zip archive", b"%PDF": "a PDF document",
    b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
}
DATE_RE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?")
FULL_CN_DATE = re.compile(r"([12]\d{3})年(\d{1,2})月(\d{1,2})日")
TAG_RE = re.compile(r"<[^>\n]{0,500}>")


def decode(raw: bytes) -> tuple[str, str]:
    """Detect the encoding of ``raw`` and decode it: (text, encoding name).

    UTF-8 (BOM optional), UTF-16 with a BOM, else GB18030 (a superset of GBK).
    Binary files and text that decodes as none of them raise ``DecodeError``.
    """
    for sig, what in BINARY_SIGNATURES.items():
        if raw.startswith(sig):
            raise BinaryInput(f"binary file ({what}), not a text article")
    if raw.startswith(b"\xef\xbb\xbf"):
        return _strict(raw[3:], "utf-8", "utf-8-sig")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(raw, "utf-16", "utf-16")
    if b"\x00" in raw:
        raise BinaryInput("binary file (contains NUL bytes), not a text article")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = err
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise DecodeError(
            f"cannot decode: not UTF-8 (byte {utf8_error.start}: {utf8_error.reason}), "
            "not GB18030/GBK, and no UTF-16 BOM") from None
    if not _plausible_chinese(text):
        raise DecodeError("cannot decode: bytes are not valid UTF-8, and read as GB18030 "
                          "they are not plausible text")
    return text, "gb18030"


def _strict(raw: bytes, codec: str, name: str) -> tuple[str, str]:
    try:
        return raw.decode(codec), name
    except UnicodeDecodeError as err:
        raise DecodeError(f"cannot decode as {name} (BOM present): byte {err.start}: {err.reason}") from None


def _plausible_chinese(text: str) -> bool:
    """GB18030 decodes most byte soups; accept only text that reads like text:
    mostly common CJK, ASCII and punctuation, few private-use or rare characters."""
    if not text:
        return True
    good = 0
    for ch in text:
        o = ord(ch)
        if ch.isascii() and (ch.isprintable() or ch in "\n\r\t"):
            good += 1
        elif 0x4E00 <= o <= 0x9FA5 or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F:
            good += 1
    return good / len(text) > 0.9


def split_front_matter(text: str) -> tuple[dict[str, str], str, str | None]:
    """(meta, body, warning). Front matter is ``---`` lines at the very top.

    An unclosed block is left in the body (the scorer does the same) with a warning.
    """
    if not text.startswith("---\n"):
        return {}, text, None
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            return {}, text, "front matter starts with --- but is never closed; read as body"
    meta: dict[str, str] = {}
    for line in text[4:end].split("\n"):
        if ":" in line:
            key, _, value = line.partition(":")
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[end + 5:], None


def clean_text(text: str) -> str:
    """Universal newlines and removal of characters no spreadsheet can hold
    (lone surrogates, NULs, other C0 controls). Same length per character
    except CR/LF folding, so run it before any offset is taken."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    return "".join(
        " " if (unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t") else c
        for c in text
    ) if _needs_cleaning(text) else text


_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _needs_cleaning(text: str) -> bool:
    return _BAD.search(text) is not None


def parse_date(value: str) -> dt.date | None:
    m = DATE_RE.fullmatch(value.strip()) if value else None
    if not m:
        m2 = re.fullmatch(r"(\d{4})", value.strip()) if value else None
        if m2:
            return dt.date(int(m2.group(1)), 1, 1)
        return None
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def infer_date(body: str) -> dt.date | None:
    """The date an article states near its top (``——2019年3月4日在…会议上``)."""
    head = body[:600]
    for m in FULL_CN_DATE.finditer(head):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


def read_article(path: Path, default_date: dt.date | None = None) -> tuple[Article, list[str]]:
    """Read one file into an ``Article`` (not yet segmented) and its warnings.

    Raises ``ArticleError`` with a one-line reason when the file cannot be used.
    """
    raw = path.read_bytes()
    if not raw.strip():
        raise EmptyArticle("empty file" if not raw else "file holds only whitespace")
    text, encoding = decode(raw)
    text = clean_text(text)
    meta, body, warning = split_front_matter(text)
    warnings = [warning] if warning else []
    if TAG_RE.search(body[:2000]) and re.search(r"(?i)<(html|body|div|p|br|head)\b", body[:5000]):
        from .html import html_to_text
        body = html_to_text(body)
        warnings.append("HTML page: extracted from its visible text")
    if not body.strip():
        raise EmptyArticle("article has front matter but no body")
    date, date_source = None, "none"
    if meta.get("date"):
        try:
            date = parse_date(meta["date"])
        except ValueError:
            date = None
            warnings.append(f"front matter date {meta['date']!r} is not a valid date; ignored")
        else:
            if date is None:
                warnings.append(f"front matter date {meta['date']!r} not understood; ignored")
        if date:
            date_source = "front_matter"
    if date is None and default_date is not None:
        date, date_source = default_date, "cli"
    if date is None:
        date = infer_date(body)
        if date:
            date_source = "inferred"
    article = Article(
        article_id=path.stem, source_file=path.name, body=body, encoding=encoding,
        meta=meta, date=date, date_source=date_source,
    )
    return article, warnings
