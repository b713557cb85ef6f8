"""Formula guard (SPEC §2): an article crafted so that cells start with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return. In the CSVs every such text
cell is written with a leading quote (a spreadsheet shows it as text and never
runs it); in ``extraction.xlsx`` it is a string cell with the quote prefix and
no formula. Numbers stay numbers: offsets, values and counts are never quoted,
and a negative number in a numeric column is written as a number.
"""
from __future__ import annotations

import csv
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.tables import ARTICLE_COLUMNS, NUMERIC, TABLES
from pipeline.write import FORMULA_START, format_cell, to_csv_bytes

from .conftest import ROOT

ARTICLE_ID = "=1+1 报告"
ARTICLE = (
    "---\n"
    'title: =HYPERLINK("http://example.com","点击")\n'
    "date: 2022-12-21\n"
    "region: @鹤山市\n"
    "source: +86 10 1234\n"
    "---\n"
    "=SUM(A1:A9)规模以上工业增加值159.26亿元，同比增长4.4%。\n"
    "+工业投资129亿元，同比增长13.6%。\n"
    "-技改投资30.01亿元，同比下降2.5%。\n"
    "@全社会固定资产投资增长5.6%，增速在江门市排名第一。\n"
    "增长1%。\t=1+1工业产值687.20亿元，增长2.3%。\n"
    "全市地区生产总值同比-3.5%，净利润为-2.5亿元。\n"
    "增长2%。\r+2工业产值7亿元。\r\n"
    "-cmd|' /C calc' A0 工业投资12亿元。\n"
)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("formula")
    raw = folder / "raw"
    raw.mkdir()
    (raw / f"{ARTICLE_ID}.txt").write_bytes(ARTICLE.encode("utf-8"))
    result = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(raw), "--out", str(folder / "out"), "-q"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return folder / "out"


def all_csvs(out: Path) -> list[Path]:
    return sorted(out.rglob("*.csv"))


def test_no_text_cell_starts_a_formula(out):
    checked = 0
    for path in all_csvs(out):
        for row in read(path):
            for column, cell in row.items():
                if column in NUMERIC:
                    assert cell == "" or NUMBER.fullmatch(cell), (path.name, column, cell)
                else:
                    assert not cell.startswith(FORMULA_START), (path.name, column, cell)
                    assert "\r" not in cell
                checked += 1
    assert checked > 200


def test_the_crafted_cells_are_quoted(out):
    folder = out / ARTICLE_ID
    numbers = read(folder / "numbers.csv")
    percentages = read(folder / "percentages.csv")
    contexts = {r["context"] for r in numbers + percentages}
    for start in ("'=SUM(A1:A9)", "'+工业投资", "'-技改投资", "'@全社会固定资产投资", "'\t=1+1工业产值", "'+2工业产值",
                  "'-cmd|' /C calc' A0"):
        assert any(c.startswith(start) for c in contexts), start
    assert {r["article_id"] for r in numbers} == {"'" + ARTICLE_ID}
    assert {r["region"] for r in numbers} == {"'@鹤山市"}
    minus = [r for r in percentages if r["text"] == "'-3.5%"]
    assert minus and minus[0]["value"] == "3.5"  # the text is quoted, the value is a number
    (summary,) = read(out / "articles.csv")
    assert summary["title"] == "'=HYPERLINK(\"http://example.com\",\"点击\")"
    assert summary["source_file"] == f"'{ARTICLE_ID}.txt"
    assert all(NUMBER.fullmatch(summary[c]) for c in ("chars", "paragraphs", "sentences", "numbers"))


def test_offsets_still_point_at_the_text_under_the_quote(out):
    from pipeline.reading import read_article

    article, _ = read_article(out.parent / "raw" / f"{ARTICLE_ID}.txt")
    for table in TABLES:
        for r in read(out / ARTICLE_ID / f"{table}.csv"):
            text = r["text"][1:] if r["text"].startswith("'") and r["text"][1:2] in "=+-@\t" else r["text"]
            assert article.body[int(r["start"]):int(r["end"])] == text


def test_the_collections_are_guarded_too(out):
    for table in TABLES:
        for r in read(out / "all" / f"{table}.csv"):
            assert r["article_id"] == "'" + ARTICLE_ID


def test_negative_numbers_stay_numbers():
    columns = ["article_id", "start", "end", "text", "value", "value_normalized", "metric"]
    rows = [{"article_id": "a", "start": 3, "end": 8, "text": "-2.5亿元", "value": Decimal("-2.5"),
             "value_normalized": Decimal("-2.5") * 10**8, "metric": "-净利润"},
            {"article_id": "a", "start": 9, "end": 12, "text": "-3", "value": Decimal("-3.50"),
             "value_normalized": -3, "metric": "+"}]
    data = to_csv_bytes(rows, columns)
    back = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    assert [(r["value"], r["value_normalized"]) for r in back] == [("-2.5", "-250000000"), ("-3.50", "-3")]
    assert [(r["text"], r["metric"]) for r in back] == [("'-2.5亿元", "'-净利润"), ("'-3", "'+")]
    # text in a numeric column that is not a number is guarded like any text
    assert format_cell("value", "=1+1") == "'=1+1"
    assert format_cell("chars", "-12") == "-12"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_guarded(start):
    text = format_cell("context", start + "1+1")
    assert not text.startswith(FORMULA_START) and "\r" not in text
    # quoted, or (a carriage return) made a space
    assert text in ("'" + start + "1+1", " 1+1")
    assert ARTICLE_COLUMNS  # articles.csv goes through the same format_cell


# --------------------------------------------------------------------------
# the workbook, when the pipeline writes one


def test_the_workbook_holds_no_formula_and_quotes_the_crafted_cells(out):
    xlsx = out / "extraction.xlsx"
    if not xlsx.exists():
        pytest.skip("no extraction.xlsx in this version of the pipeline")
    with zipfile.ZipFile(xlsx) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", z.read(name)), name  # no formula anywhere
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(xlsx)
    seen = set()
    for ws in wb.worksheets:
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            for column, cell in zip(header, row):
                if cell.value is None:
                    continue
                assert cell.data_type != "f", (ws.title, column, cell.value)
                if column in NUMERIC:
                    assert cell.data_type == "n", (ws.title, column, cell.value)
                elif isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, column, cell.value)
                    seen.add(cell.value[:1])
    assert seen >= {"=", "+", "-", "@", "\t"}


def test_negative_numbers_are_numbers_in_the_workbook(tmp_path):
    workbook = pytest.importorskip("pipeline.workbook")
    openpyxl = pytest.importorskip("openpyxl")
    columns = ["article_id", "start", "text", "value", "value_normalized"]
    csv_rows = [{"article_id": "a", "start": "3", "text": "'-2.5亿元", "value": "-2.5", "value_normalized": "-250000000"}]
    xlsx = tmp_path / "t.xlsx"
    xlsx.write_bytes(workbook.build_workbook([("numbers", columns, csv_rows)]))
    ws = openpyxl.load_workbook(xlsx)["numbers"]
    cells = {h.value: c for h, c in zip(ws[1], ws[2])}
    assert (cells["value"].value, cells["value"].data_type) == (-2.5, "n")
    assert cells["value_normalized"].value == -250000000
    assert (cells["text"].value, cells["text"].data_type, cells["text"].quotePrefix) == ("-2.5亿元", "s", True)
