"""Bytes to ``Article``: encoding detection, front matter, newline normalisation.

Imports no NLP. Offsets of every later stage index into ``Article.body``:
the decoded text with BOM and front matter removed and universal newlines
(SPEC §1), so the scorer (which reads files the same way) finds our spans.

Everything here is linear in the size of the file: one decode, one regex pass
for characters that need cleaning, and front matter read from the first lines.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .errors import BinaryInput, DecodeError, EmptyArticle, TooLarge
from .model import Article

BINARY_SIGNATURES = {
    b"\x89PNG": "a PNG image", b"PK\x03\x04": "a zip archive", b"PK\x05\x06": "an empty zip archive",
    b"%PDF": "a PDF document", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive", b"\x7fELF": "an executable", b"MZ": "a Windows executable",
    b"BM": None,  # only with a plausible header, see _binary_kind
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an old Office document (.doc/.xls)",
    b"{\\rtf": "an RTF document", b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"Rar!\x1a\x07": "a RAR archive", b"BZh": None, b"\xfd7zXZ\x00": "an xz archive",
    b"RIFF": "a RIFF media file", b"ID3": "an MP3 file", b"OggS": "an Ogg media file",
    b"\x00\x00\x00\x18ftyp": "an MP4 video", b"\x00\x00\x00\x20ftyp": "an MP4 video",
    b"SQLite format 3\x00": "an SQLite database",
}
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
# One article, not a corpus: beyond this a file is refused with a reason (split it).
MAX_BYTES = 64 * 1024 * 1024
DATE_RE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?")
FULL_CN_DATE = re.compile(r"([12]\d{3})年(\d{1,2})月(\d{1,2})日")
TAG_RE = re.compile(r"<[^>\n]{0,500}>")
HTML_RE = re.compile(r"(?i)<(?:!doctype\s+html|html|body|div|p|br|head|meta|table|span|article)\b")
FRONT_OPEN = re.compile(r"---[ \t]*\n")
FRONT_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
FRONT_KEY = re.compile(r"\s*([A-Za-z_][\w-]{0,40})\s*[:：]\s*(.*)")
FRONT_MAX_LINES = 60

# C0/C1 controls but tab and newline, DEL, lone surrogates and the
# noncharacters U+FFFE/U+FFFF: characters no spreadsheet cell can hold.
_BAD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# In GB18030 text: what plain text is made of (a decoded byte soup is mostly not).
_NOT_PLAIN = re.compile(
    r"[^\t\n\r\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u2100-\u218f\u2460-\u24ff\u2500-\u257f"
    r"\u25a0-\u26ff\u3000-\u303f\u3200-\u33ff\u4e00-\u9fff\uff00-\uffef\u0391-\u03c9\u0401-\u0451]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# The most frequent characters of Chinese text, and of government reports.
COMMON_HAN = frozenset(
    "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其"
    "里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没"
    "公从知现工动全新高长部开政机关产业制度建设展济社市区县省项目企加强推实施重点服务提规模以增亿万元百"
    "合作")
# A UTF-8-encoded lone surrogate (ED A0..BF xx): written by buggy exporters.
_ENCODED_SURROGATE = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")


def _binary_kind(raw: bytes) -> str | None:
    for sig, what in BINARY_SIGNATURES.items():
        if raw.startswith(sig):
            if what is None:
                if sig == b"BM" and len(raw) > 14 and raw[6:10] == b"\0\0\0\0":
                    return "a BMP image"
                if sig == b"BZh" and raw[3:4].isdigit() and raw[4:10] == b"1AY&SY":
                    return "a bzip2 archive"
                continue
            return what
    return None


def decode(raw: bytes) -> tuple[str, str, list[str]]:
    """Detect the encoding of ``raw`` and decode it: (text, encoding name, warnings).

    UTF-8 (BOM optional), UTF-16 with a BOM, else GB18030 (a superset of GBK).
    Binary files and text that decodes as none of them raise ``DecodeError``
    (``BinaryInput``) with the reason; nothing is guessed. Two damages are
    repaired, with a warning: a UTF-8 file cut inside its last character
    (the incomplete bytes are dropped), and lone surrogates (kept as U+FFFD).

    >>> decode("增长4.4%".encode("gbk"))[:2]
    ('增长4.4%', 'gb18030')
    >>> decode("增长".encode("utf-8")[:-1])
    ('增', 'utf-8', ['the file ends inside a character (truncated?): its last 2 bytes were dropped'])
    """
    what = _binary_kind(raw)
    if what:
        raise BinaryInput(f"binary file ({what}), not a text article")
    if raw.startswith(UTF32_BOMS):
        raise DecodeError("UTF-32 text is not supported: save it as UTF-8")
    if raw.startswith(b"\xef\xbb\xbf"):
        return _utf8(raw[3:], "utf-8-sig")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _utf16(raw)
    nuls = raw.count(b"\x00")
    if nuls:
        if _utf16_without_bom(raw):
            raise DecodeError("looks like UTF-16 without a byte-order mark: "
                              "save it as UTF-8 (or UTF-16 with a BOM)")
        if nuls * 4 > len(raw):
            raise BinaryInput("binary file (mostly NUL bytes), not a text article")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        utf8_error = err
    else:
        _check_controls(text)
        return text, "utf-8", []
    cut_utf8 = utf8_error.end >= len(raw) - 3 and not raw[:utf8_error.start].isascii()
    if cut_utf8 or _ENCODED_SURROGATE.search(raw):
        try:
            return _utf8(raw, "utf-8")
        except DecodeError:
            pass
    warnings: list[str] = []
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as err:
        if not (err.end == len(raw) and err.reason == "incomplete multibyte sequence"):
            raise DecodeError(
                f"cannot decode: not UTF-8 (byte {utf8_error.start}: {utf8_error.reason}), "
                "not GB18030/GBK, and no UTF-16 BOM") from None
        text = raw[:err.start].decode("gb18030")
        tail = len(raw) - err.start
        warnings.append(f"the file ends inside a character (truncated?): its last "
                        f"{tail} byte{'s' if tail > 1 else ''} were dropped")
    if not _plausible_text(text):
        raise DecodeError(
            f"cannot decode: not UTF-8 (byte {utf8_error.start}: {utf8_error.reason}), and read "
            "as GB18030/GBK it is not plausible text; no UTF-16 BOM")
    if not _reads_as_chinese(text):
        raise DecodeError(
            f"cannot decode: not UTF-8 (byte {utf8_error.start}: {utf8_error.reason}), and read as "
            "GB18030/GBK it is gibberish (Big5, Shift-JIS or EUC-KR?): save it as UTF-8")
    _check_controls(text)
    return text, "gb18030", warnings


def _utf16_without_bom(raw: bytes) -> bool:
    """Text in UTF-16 (either byte order) with its BOM missing: NUL bytes in
    a plain-text file, and the bytes read as UTF-16 make plausible text."""
    if len(raw) % 2:
        return False
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if _plausible_text(text) and "\x00" not in text:
            return True
    return False


def _utf8(raw: bytes, name: str) -> tuple[str, str, list[str]]:
    """Strict UTF-8 but for lone surrogates and a cut last character."""
    warnings: list[str] = []
    try:
        text = raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as err:
        tail = len(raw) - err.start
        if err.reason == "unexpected end of data" and err.end == len(raw) and tail < 4:
            text = raw[:err.start].decode("utf-8", "surrogatepass")  # raises if more is wrong
            warnings.append(f"the file ends inside a character (truncated?): its last "
                            f"{tail} byte{'s' if tail > 1 else ''} were dropped")
        else:
            raise DecodeError(f"cannot decode as UTF-8: byte {err.start}: {err.reason}") from None
    if _ENCODED_SURROGATE.search(raw):
        warnings.append("lone surrogate characters (invalid Unicode) replaced by U+FFFD")
    _check_controls(text)
    return text, name, warnings


def _utf16(raw: bytes) -> tuple[str, str, list[str]]:
    warnings: list[str] = []
    if len(raw) % 2:
        raw = raw[:-1]
        warnings.append("UTF-16 file has an odd number of bytes (truncated?): the last byte was dropped")
    codec = "utf-16-le" if raw.startswith(b"\xff\xfe") else "utf-16-be"
    try:
        text = raw[2:].decode(codec, "surrogatepass")
    except UnicodeDecodeError as err:  # pragma: no cover - surrogatepass decodes every even-length input
        raise DecodeError(f"cannot decode as UTF-16 (BOM present): byte {err.start}: {err.reason}") from None
    if _SURROGATE.search(text):
        warnings.append("lone surrogate characters (invalid Unicode) replaced by U+FFFD")
    _check_controls(text)
    return text, "utf-16", warnings


def _check_controls(text: str) -> None:
    """A text made mostly of control characters is a binary file that happened
    to decode (a few stray controls are cleaned by ``clean_text`` instead)."""
    if not text:
        return
    sample = text[:65536]
    controls = len(re.findall(r"[\x00-\x08\x0e-\x1f\x7f]", sample))
    if controls * 10 > len(sample):
        raise BinaryInput("binary file (control characters), not a text article")


def _plausible_text(text: str) -> bool:
    """GB18030 decodes most byte soups; accept only text that reads like text:
    mostly common CJK, ASCII and punctuation, few rare or private-use characters."""
    if not text:
        return True
    odd = len(_NOT_PLAIN.findall(text))
    return odd * 10 < len(text)


def _reads_as_chinese(text: str) -> bool:
    """Bytes in another double-byte encoding (Big5, Shift-JIS, EUC-KR) decode
    as GB18030 to valid but random characters: in real Chinese text the most
    common characters make 40-57% of the Han characters (raw/), in such
    mojibake 0-3%.

    >>> _reads_as_chinese("规模以上工业增加值同比增长，全市经济社会发展稳中有进" * 10)
    True
    >>> _reads_as_chinese("鍍咁擔嶐擔宍怺擖嶳崱岪堦抜婜幮夛崅検揥揑楬宎榓曽岦" * 10)
    False
    """
    han = _HAN.findall(text[:200_000])
    if len(han) < 100:
        return True  # too short to tell
    common = sum(1 for c in han if c in COMMON_HAN)
    return common * 10 >= len(han)


def split_front_matter(text: str) -> tuple[dict[str, str], str, list[str]]:
    """(meta, body, warnings). Front matter is ``key: value`` lines between
    ``---`` lines at the very top (trailing spaces allowed; ``...`` may close it).

    An unclosed block is left in the body (the scorer does the same), but its
    leading ``key: value`` lines still give the metadata, with a warning.

    >>> split_front_matter("---\\ntitle: 标题\\ndate: 2022-12-21\\n---\\n正文")
    ({'title': '标题', 'date': '2022-12-21'}, '正文', [])
    >>> split_front_matter("---\\ntitle: 标题\\n正文")[0:2]
    ({'title': '标题'}, '---\\ntitle: 标题\\n正文')
    """
    m = FRONT_OPEN.match(text)
    if not m:
        return {}, text, []
    close = FRONT_CLOSE.search(text, m.end())
    if close is not None and text.count("\n", m.end(), close.start()) > FRONT_MAX_LINES:
        close = None
    warnings: list[str] = []
    if close is None:
        block = text[m.end():]
        lines = block.split("\n", FRONT_MAX_LINES)[:FRONT_MAX_LINES]
        meta: dict[str, str] = {}
        for line in lines:
            km = FRONT_KEY.fullmatch(line)
            if not km:
                break
            meta[km.group(1).lower()] = _unquote(km.group(2))
        warnings.append("front matter starts with --- but is never closed: read as body"
                        + (f" (its fields {', '.join(meta)} are used)" if meta else ""))
        return meta, text, warnings
    meta = {}
    bad = []
    for n, line in enumerate(text[m.end():close.start()].split("\n"), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        km = FRONT_KEY.fullmatch(line)
        if km:
            meta[km.group(1).lower()] = _unquote(km.group(2))
        else:
            bad.append(n)
    if bad and not meta:
        return {}, text, []  # a rule between lines of text, not front matter
    if bad:
        warnings.append("front matter line" + ("s " if len(bad) > 1 else " ")
                        + ", ".join(map(str, bad[:5])) + " not understood (want key: value); ignored")
    end = close.end()
    body = text[end + 1:] if text.startswith("\n", end) else text[end:]
    return meta, body, warnings


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value.strip()


def clean_text(text: str) -> str:
    """Universal newlines and removal of characters no spreadsheet can hold:
    other C0/C1 controls become spaces, lone surrogates and noncharacters
    U+FFFD, one for one, so run it before any offset is taken.

    >>> clean_text("a\\r\\nb\\x00c\\ud800d\\x1b")
    'a\\nb c\\ufffdd '
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    if _BAD.search(text) is None:
        return text
    return _BAD.sub(_replacement, text)


def _replacement(m: re.Match[str]) -> str:
    return " " if m.group(0) < "\ud800" else "\ufffd"


def parse_date(value: str) -> dt.date | None:
    """A front matter date: ``2022-12-21``, ``2022/12/21``, ``2022年12月21日``, or a
    year alone (January 1st). None when not understood; ``ValueError`` when it
    names a day that does not exist (``2022-02-30``)."""
    value = (value or "").strip()
    m = DATE_RE.fullmatch(value)
    if not m:
        m2 = re.fullmatch(r"(\d{4})年?", value)
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


def looks_like_html(body: str) -> bool:
    """An HTML page saved as .txt: a tag near the top and one of the usual elements."""
    head = body[:5000].lstrip()
    return bool(TAG_RE.search(head[:2000]) and HTML_RE.search(head))


def read_article(path: Path, default_date: dt.date | None = None) -> tuple[Article, list[str]]:
    """Read one file into an ``Article`` (not yet segmented) and its warnings.

    Raises ``ArticleError`` with a one-line reason when the file cannot be used.
    """
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise TooLarge(f"file is {size / 2**20:.0f} MB, more than the {MAX_BYTES // 2**20} MB "
                       "an article may have: split it")
    raw = path.read_bytes()
    if not raw.strip():
        raise EmptyArticle("empty file" if not raw else "file holds only whitespace")
    text, encoding, warnings = decode(raw)
    del raw
    controls = len(_CONTROL.findall(text)) if _CONTROL.search(text) else 0
    if controls:
        warnings.append(f"{controls} control character{'s' if controls > 1 else ''} "
                        "replaced by spaces")
    text = clean_text(text)
    if not text.strip():
        raise EmptyArticle("file holds only whitespace" if text else "empty file (only a byte-order mark)")
    meta, body, fm_warnings = split_front_matter(text)
    warnings += fm_warnings
    if looks_like_html(body):
        from .html import html_title, html_to_text
        if not meta.get("title"):
            title = html_title(body)
            if title:
                meta["title"] = title
        body = clean_text(html_to_text(body))
        if not body.strip():
            raise EmptyArticle("HTML page with no visible text")
        warnings.append("HTML page: extracted from its visible text (offsets are into that text)")
    if not body.strip():
        raise EmptyArticle("article has front matter but no body")
    date, date_source = None, "none"
    if meta.get("date"):
        try:
            date = parse_date(meta["date"])
        except ValueError as err:
            date = None
            warnings.append(f"front matter date {meta['date']!r} is not a valid date ({err}); ignored")
        else:
            if date is None:
                warnings.append(f"front matter date {meta['date']!r} not understood (want YYYY-MM-DD); ignored")
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
