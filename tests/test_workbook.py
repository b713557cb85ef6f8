"""extraction.xlsx: a sheet per table, numbers as numbers, text as text, rebuilt
only when its CSVs change, byte-identical when rebuilt from the same CSVs."""
from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import write
from pipeline.__main__ import main
from pipeline.run import run
from pipeline.tables import ARTICLE_COLUMNS, NUMERIC, TABLES
from pipeline.workbook import SHEETS, read_csv, unguard, workbook_from_dir

from .conftest import RAW, copy_raw

openpyxl = pytest.importorskip("openpyxl")

GUARDED = [
    {"article_id": "t", "paragraph": 1, "sentence": 1, "start": 0, "end": 4, "text": "=1+1",
     "value": Decimal("-3.5"), "multiplier": 10000, "unit": "元", "value_normalized": Decimal("-35000"),
     "quantity_type": "money", "metric": "+86 热线", "region": "@鹤山", "period": "2022",
     "target": False, "context": "-下降 规模以上工业增加值"},
    {"article_id": "t", "paragraph": 1, "sentence": 2, "start": 9, "end": 18, "text": "159.26亿元",
     "value": Decimal("159.26"), "multiplier": 100000000, "unit": "元",
     "value_normalized": Decimal("15926000000"), "quantity_type": "money", "metric": "规模以上工业增加值",
     "target": True, "context": "规模以上工业增加值159.26亿元"},
]


def _guarded_dir(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    for table, columns in TABLES.items():
        rows = GUARDED if table == "numbers" else []
        write.write_table(out / "t" / f"{table}.csv", rows, columns)
        write.write_atomic(out / "all" / f"{table}.csv", write.concat_csv([out / "t" / f"{table}.csv"], columns))
    write.write_table(out / "articles.csv", [{"article_id": "t", "status": "ok", "numbers": 2}], ARTICLE_COLUMNS)
    return out


def test_one_sheet_per_table_with_the_csv_columns_and_rows(extracted_raw):
    wb = openpyxl.load_workbook(extracted_raw / "extraction.xlsx")
    assert wb.sheetnames == SHEETS
    for name in SHEETS:
        csv_path = extracted_raw / ("articles.csv" if name == "articles" else f"all/{name}.csv")
        header, rows = read_csv(csv_path)
        ws = wb[name]
        assert [c.value for c in ws[1]] == header == (ARTICLE_COLUMNS if name == "articles" else TABLES[name])
        assert ws.max_row == len(rows) + 1, name
        assert ws.freeze_panes == "A2"
        last = openpyxl.utils.get_column_letter(len(header))
        assert ws.auto_filter.ref == f"A1:{last}{len(rows) + 1}"
        widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, len(header) + 1)]
        assert all(4 <= w <= 91 for w in widths), widths


def test_numbers_are_numbers_and_text_is_the_csv_text(extracted_raw):
    wb = openpyxl.load_workbook(extracted_raw / "extraction.xlsx")
    checked = 0
    for name in SHEETS:
        csv_path = extracted_raw / ("articles.csv" if name == "articles" else f"all/{name}.csv")
        header, rows = read_csv(csv_path)
        for row, cells in zip(rows, wb[name].iter_rows(min_row=2)):
            for col, cell in zip(header, cells):
                text = row[col]
                if text == "":
                    assert cell.value is None
                elif col in NUMERIC:
                    assert cell.data_type == "n" and not isinstance(cell.value, bool), (name, col, text)
                    assert Decimal(str(cell.value)) == Decimal(text), (name, col, text, cell.value)
                    checked += 1
                elif col == "target":
                    assert cell.value is (text == "true")
                else:
                    assert cell.data_type == "s" and cell.value == unguard(text), (name, col, text)
    assert checked > 1000


def test_chinese_is_stored_as_written(extracted_raw):
    ws = openpyxl.load_workbook(extracted_raw / "extraction.xlsx")["numbers"]
    texts = {c.value for c in ws["F"][1:]}
    assert "159.26亿元" in texts


def test_formula_like_text_stays_text_and_negative_numbers_stay_numbers(tmp_path):
    out = _guarded_dir(tmp_path)
    csv = (out / "all" / "numbers.csv").read_text(encoding="utf-8-sig")
    assert ",'=1+1," in csv and ",-3.5," in csv  # the CSV guard, and a bare number
    (out / "extraction.xlsx").write_bytes(workbook_from_dir(out))
    ws = openpyxl.load_workbook(out / "extraction.xlsx")["numbers"]
    cells = {c.value: c for c in ws[1]}
    row = {h: ws.cell(2, i + 1) for i, h in enumerate(cells)}
    assert row["text"].value == "=1+1" and row["text"].data_type == "s" and row["text"].quotePrefix
    assert row["metric"].value == "+86 热线" and row["metric"].quotePrefix
    assert row["region"].value == "@鹤山" and row["context"].value == "-下降 规模以上工业增加值"
    assert row["value"].value == -3.5 and row["value"].data_type == "n"
    assert row["value_normalized"].value == -35000
    assert row["target"].value is False
    with zipfile.ZipFile(out / "extraction.xlsx") as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(re.search(rb"<f[ >]", z.read(n)) for n in sheets), "no formula in any sheet"


def test_numbers_keep_their_written_decimals(tmp_path):
    out = _guarded_dir(tmp_path)
    (out / "extraction.xlsx").write_bytes(workbook_from_dir(out))
    ws = openpyxl.load_workbook(out / "extraction.xlsx")["numbers"]
    header = [c.value for c in ws[1]]
    value = ws.cell(3, header.index("value") + 1)
    normalized = ws.cell(3, header.index("value_normalized") + 1)
    assert value.value == 159.26 and value.number_format == "0.00"
    assert normalized.number_format == "#,##0"


def test_same_csvs_give_the_same_bytes(tmp_path):
    out = _guarded_dir(tmp_path)
    assert workbook_from_dir(out) == workbook_from_dir(out)


def test_not_rewritten_when_its_csvs_did_not_change(tmp_path):
    raw = copy_raw(tmp_path, ["heshan_2022_plenary"])
    out = tmp_path / "out"
    run([raw], out)
    first = (out / "extraction.xlsx").stat().st_mtime_ns
    run([raw], out)  # not incremental: everything extracted again, same bytes
    assert (out / "extraction.xlsx").stat().st_mtime_ns == first


def test_rebuilt_from_the_csvs_alone(tmp_path):
    raw = copy_raw(tmp_path, ["heshan_2022_plenary"])
    out = tmp_path / "out"
    run([raw], out)
    before = (out / "extraction.xlsx").read_bytes()
    (out / "extraction.xlsx").unlink()
    (out / "heshan_2022_plenary" / "review.html").unlink()
    assert main(["report", str(out), "-q"]) == 0
    assert (out / "extraction.xlsx").read_bytes() == before
    assert (out / "heshan_2022_plenary" / "review.html").exists()


def test_workbook_per_article_on_request(tmp_path):
    out = tmp_path / "out"
    assert main(["extract", str(RAW / "heshan_2022_plenary.txt"), "--out", str(out), "--xlsx-per-article", "-q"]) == 0
    wb = openpyxl.load_workbook(out / "heshan_2022_plenary" / "extraction.xlsx")
    assert wb.sheetnames == SHEETS
    _, rows = read_csv(out / "heshan_2022_plenary" / "numbers.csv")
    assert wb["numbers"].max_row == len(rows) + 1
    articles = list(wb["articles"].iter_rows(min_row=2, values_only=True))
    assert len(articles) == 1 and articles[0][0] == "heshan_2022_plenary"
