"""Property tests over generated and mutated articles (hypothesis).

Real sentences from raw/ are mutated (characters, digits, 万/亿/%, punctuation
inserted, deleted or replaced; control characters, surrogates, full-width
forms thrown in) and joined into articles. Whatever the text:

- extraction never raises (``pipeline.extract_text``);
- every row holds ``text == body[start:end]``, inside one sentence;
- values are finite ``Decimal``;
- the CSVs parse back (``csv`` module, utf-8-sig) to the same rows, and a
  guarded text cell is the text with one quote before it;
- bytes in any supported encoding decode to the same text; any bytes at all
  give an ``Article`` or an ``ArticleError``, nothing else;
- sentences are ordered, disjoint, bounded, and hold every non-blank character.
"""
from __future__ import annotations

import csv
import functools
import io
import os
import re
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pipeline import extract_text
from pipeline.errors import ArticleError
from pipeline.model import Article
from pipeline.reading import clean_text, decode, read_article
from pipeline.segment import MAX_SENTENCE, segment
from pipeline.tables import TABLES
from pipeline.write import FORMULA_START, format_cell, to_csv_bytes

from .conftest import RAW

# PROPERTY_EXAMPLES=5000 for a deeper search than the suite's default
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DIGITS = "0123456789０１２３４５６７８９"
NUMERALS = "零〇一二两三四五六七八九十百千万亿点"
FIGURE_BITS = ["万", "亿", "万亿", "千", "%", "％", "个百分点", "倍", "成", "分之", "百分之", "元", "家", "个",
               "第", "排名第", "位居", "首位", "同比增长", "下降", "今年1-10月", "上半年", "“十四五”", "以上", "近", "超"]
PUNCT = "，。、；：！？,.;:!?（）()“”‘’《》—-－−+=@/ \u3000\t\n"
ODD = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\r", "\r\n", "\ufeff", "\u200b", "\u2028", "\ufffd", "\ud800",
       "\udfff", "\U0001f600", "<p>", "</p>", "&amp;", "---\n", "\\", "'", '"']


@functools.lru_cache(maxsize=1)
def sentences() -> list[str]:
    out = []
    for path in sorted(RAW.glob("*.txt")):
        body = path.read_text(encoding="utf-8").split("---\n", 2)[-1]
        out += [s for s in re.split(r"(?<=[。；！？])|\n", body) if 4 <= len(s.strip()) <= 300]
    return out


# a figure-like snippet: a cue, a numeral (well-formed or not), a unit or cue
snippets = st.tuples(st.sampled_from(FIGURE_BITS + [""]), st.text(DIGITS + NUMERALS + ".,．，-", min_size=1, max_size=10),
                     st.sampled_from(FIGURE_BITS + [""])).map("".join)

# a ranking phrase with an ordinal, well-formed or not
ranks = st.tuples(st.sampled_from(["排名第", "排第", "居第", "位列第", "排在全省第", "位居全国前", "在江门市排名第"]),
                  st.text("一二两三四五六七八九十百0123456789", min_size=1, max_size=4),
                  st.sampled_from(["", "位", "名", "。", "，"])).map("".join)

pieces = st.one_of(
    snippets,
    ranks,
    st.sampled_from(DIGITS).map(str),
    st.text(DIGITS, min_size=1, max_size=12),
    st.sampled_from(NUMERALS),
    st.text(NUMERALS, min_size=1, max_size=8),
    st.sampled_from(FIGURE_BITS),
    st.sampled_from(PUNCT),
    st.sampled_from(ODD),
    st.characters(codec="utf-8"),
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A real sentence with up to eight insertions, deletions or replacements."""
    text = draw(st.sampled_from(sentences()))
    for _ in range(draw(st.integers(0, 8))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        if op == "delete" and text:
            j = draw(st.integers(i, min(len(text), i + 6)))
            text = text[:i] + text[j:]
        else:
            piece = draw(pieces)
            text = text[:i] + piece + text[i + (op == "replace"):]
    return text


@st.composite
def articles(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(mutated(), mutated(), st.text(max_size=40)), min_size=1, max_size=6))
    seps = draw(st.lists(st.sampled_from(["", "\n", "\n\n", "。", "，", " "]), min_size=len(parts), max_size=len(parts)))
    return "".join(p + s for p, s in zip(parts, seps))


def extract(text: str, ner: bool = False) -> dict:
    return extract_text(text, ner=ner)


def check_rows(body: str, tables: dict) -> None:
    article = segment(Article("t", "", body, "str"))
    for table, rows in tables.items():
        for r in rows:
            start, end = r["start"], r["end"]
            assert 0 <= start < end <= len(body), (table, r)
            assert r["text"] == body[start:end], (table, r)
            s = article.sentence_at(start)
            assert r["context"] == body[s.start:s.end]
            for key in ("value", "value_normalized", "rank", "investment_value"):
                v = r.get(key)
                if v is not None and v != "":
                    assert isinstance(v, Decimal) and v.is_finite(), (table, key, v)
            if table == "numbers":
                assert isinstance(r["multiplier"], (int, Decimal)) and r["multiplier"] >= 1


def check_csv_roundtrip(tables: dict) -> None:
    for table, rows in tables.items():
        columns = TABLES[table]
        data = to_csv_bytes(rows, columns)
        assert data.startswith(b"\xef\xbb\xbf")
        with io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="") as f:
            back = list(csv.reader(f))
        assert back[0] == columns
        assert back[1:] == [[format_cell(c, r.get(c)) for c in columns] for r in rows]
        for r, b in zip(rows, back[1:]):
            text = b[columns.index("text")]
            if r["text"].startswith(FORMULA_START):
                assert text == "'" + r["text"]
            else:
                assert text == r["text"]


@SETTINGS
@given(articles())
def test_extraction_never_raises_and_rows_point_at_their_text(text):
    tables = extract(text)
    body = clean_text(text)
    check_rows(body, tables)
    check_csv_roundtrip(tables)


@settings(max_examples=max(EXAMPLES // 5, 10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles())
def test_the_ner_stage_never_raises_either(text):
    tables = extract(text, ner=True)
    check_rows(clean_text(text), tables)
    check_csv_roundtrip(tables)


@SETTINGS
@given(st.text(min_size=0, max_size=300))
def test_any_text_at_all(text):
    tables = extract(text)
    check_rows(clean_text(text), tables)


@SETTINGS
@given(mutated(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom", "gb18030"]))
def test_every_supported_encoding_decodes_to_the_same_text(text, encoding):
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff]", "", text)
    assume(text.strip())
    if encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    try:
        decoded, _, warnings = decode(data)
    except ArticleError:
        # GB18030 bytes of text that is mostly rare characters are refused, not guessed
        assert encoding == "gb18030"
        return
    assert decoded == text
    assert warnings == []


@SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes_give_an_article_or_a_reason(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "x.txt"
    path.write_bytes(data)
    try:
        article, warnings = read_article(path)
    except ArticleError as err:
        reason = str(err)
        assert reason and "\n" not in reason
        return
    assert article.body.strip()
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", article.body)
    assert all(isinstance(w, str) and "\n" not in w for w in warnings)


@SETTINGS
@given(articles(), st.integers(1, 4))
def test_sentences_are_ordered_bounded_and_cover_the_text(text, repeat):
    body = clean_text(text * repeat)
    article = segment(Article("t", "", body, "str"))
    last_end = 0
    for i, s in enumerate(article.sentences, start=1):
        assert s.index == i
        assert last_end <= s.start < s.end <= len(body) or (len(article.sentences) == 1 and s.start == s.end == 0)
        assert s.end - s.start <= MAX_SENTENCE
        last_end = s.end
    covered = bytearray(len(body))
    for s in article.sentences:
        covered[s.start:s.end] = b"\x01" * (s.end - s.start)
    assert all(covered[i] or body[i].isspace() for i in range(len(body)))


@SETTINGS
@given(st.lists(st.text(max_size=30), min_size=1, max_size=8))
def test_any_cell_text_survives_the_csv_and_never_starts_a_formula(cells):
    columns = ["article_id", "text", "metric", "context", "value"]
    rows = [dict(zip(columns, [c, c, c, c, c])) for c in cells]
    data = to_csv_bytes(rows, columns)
    back = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert back[0] == columns
    assert len(back) == len(cells) + 1
    for c, b in zip(cells, back[1:]):
        for column, cell in zip(columns, b):
            if column == "value" and re.fullmatch(r"-?\d+(?:\.\d+)?", c):
                assert cell == c  # a number stays a number
                continue
            assert not cell.startswith(FORMULA_START)
            assert cell.replace("\r", " ") == cell
            expected = c.replace("\r", " ")
            assert cell in (expected, "'" + expected)


def test_the_mutation_pool_is_real_text():
    assert len(sentences()) > 500
    assert any("159.26亿元" in s for s in sentences())

