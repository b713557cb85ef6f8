"""The CSVs and the workbook as LibreOffice Calc reads them: numbers are numbers,
a cell holding ``=1+1`` is the text ``=1+1`` (never a formula), Chinese has a
CJK font. Converts to CSV (to read back what Calc understood) and to PDF and PNG
(to look at). Skipped where LibreOffice is not installed."""
from __future__ import annotations

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import write
from pipeline.tables import ARTICLE_COLUMNS, TABLES
from pipeline.workbook import workbook_from_dir

ROWS = [
    {"article_id": "t", "paragraph": 1, "sentence": 1, "start": 0, "end": 4, "text": "=1+1",
     "value": Decimal("-3.5"), "multiplier": 10000, "unit": "元", "value_normalized": Decimal("-35000"),
     "quantity_type": "money", "metric": "规模以上工业增加值", "region": "鹤山市", "period": "2022",
     "target": False, "context": "=1+1 是文字,规模以上工业增加值下降3.5万元。"},
    {"article_id": "t", "paragraph": 1, "sentence": 2, "start": 30, "end": 39, "text": "159.26亿元",
     "value": Decimal("159.26"), "multiplier": 100000000, "unit": "元",
     "value_normalized": Decimal("15926000000"), "quantity_type": "money", "metric": "规模以上工业增加值",
     "region": "鹤山市", "period": "2022-01/2022-10", "target": False, "context": "规模以上工业增加值159.26亿元。"},
]
# Calc's CSV filter tokens: comma, double quote, UTF-8, from line 1; on export, token 7
# quotes every text cell and token 8 leaves numbers bare (so a text cell and a number
# can be told apart), token 9 false writes values rather than their display, the last
# one picks the sheet (from 1).
CSV_OUT = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,false,false,false,{sheet}"
CSV_IN = "Text - txt - csv (StarCalc):44,34,76,1"


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice is not installed (Debian: apt-get install libreoffice-calc); .ci/run installs it")
    return exe


def convert(src: Path, to: str, out: Path, tmp_path: Path, infilter: str | None = None) -> None:
    cmd = [soffice(), f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
           "--norestore", "--convert-to", to, "--outdir", str(out)]
    if infilter:
        cmd.insert(3, f"--infilter={infilter}")
    done = subprocess.run(cmd + [str(src)], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, HOME=str(tmp_path)))
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "extracted"
    for table, columns in TABLES.items():
        write.write_table(folder / "t" / f"{table}.csv", ROWS if table == "numbers" else [], columns)
        write.write_atomic(folder / "all" / f"{table}.csv",
                           write.concat_csv([folder / "t" / f"{table}.csv"], columns))
    write.write_table(folder / "articles.csv", [{"article_id": "t", "title": "鹤山市委全会", "status": "ok",
                                                 "numbers": 2}], ARTICLE_COLUMNS)
    (folder / "extraction.xlsx").write_bytes(workbook_from_dir(folder))
    return folder


def _only(folder: Path, pattern: str) -> Path:
    """The one file Calc wrote (with a sheet number it names it ``<name>-<sheet>.csv``)."""
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, found
    return found[0]


def _quoted_cells(path: Path) -> list[list[tuple[str, bool]]]:
    """Cells of a CSV written with every text cell quoted: (value, was quoted).
    (One line per row: these test rows hold no line breaks.)"""
    rows = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        fields, cur, in_quotes = [], "", False
        for ch in line:
            if ch == '"':
                in_quotes = not in_quotes
            if ch == "," and not in_quotes:
                fields.append(cur)
                cur = ""
            else:
                cur += ch
        fields.append(cur)
        rows.append([(f[1:-1].replace('""', '"'), True) if f.startswith('"') else (f, False) for f in fields])
    return rows


def test_workbook_in_calc_numbers_are_numbers_and_formulas_are_text(out, tmp_path):
    conv = tmp_path / "conv"
    convert(out / "extraction.xlsx", CSV_OUT.format(sheet=1), conv, tmp_path)  # sheet 1: numbers
    rows = _quoted_cells(_only(conv, "*.csv"))
    header = [v for v, _ in rows[0]]
    assert header == TABLES["numbers"]
    first = dict(zip(header, rows[1]))
    assert first["text"] == ("=1+1", True)  # text, not the formula's result 2
    assert first["context"][0].startswith("=1+1") and first["context"][1]
    assert first["value"] == ("-3.5", False)  # a negative number stays a number
    assert first["value_normalized"] == ("-35000", False)
    assert first["metric"] == ("规模以上工业增加值", True)
    second = dict(zip(header, rows[2]))
    assert second["value_normalized"] == ("15926000000", False)
    assert second["value"] == ("159.26", False)


def test_csv_in_calc_guarded_text_is_not_a_formula(out, tmp_path):
    conv = tmp_path / "conv"
    convert(out / "t" / "numbers.csv", CSV_OUT.format(sheet=1), conv, tmp_path, infilter=CSV_IN)
    rows = _quoted_cells(_only(conv, "*.csv"))
    first = dict(zip([v for v, _ in rows[0]], rows[1]))
    assert first["text"][1] and "=1+1" in first["text"][0]  # shown as text (with the guard's apostrophe)
    assert first["text"][0] != "2"
    assert first["value"] == ("-3.5", False)
    assert first["unit"] == ("元", True)


def test_pdf_and_png_with_a_cjk_font(out, tmp_path):
    if not shutil.which("pdftoppm") or not shutil.which("pdffonts"):
        pytest.skip("poppler-utils is not installed (apt-get install poppler-utils); .ci/run installs it")
    conv = tmp_path / "conv"
    convert(out / "extraction.xlsx", "pdf", conv, tmp_path)
    pdf = conv / "extraction.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    if not any(k in fonts for k in ("CJK", "WenQuanYi", "Droid", "Source Han", "Noto Sans SC")):
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk); Chinese would show as boxes:\n" + fonts)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(conv / "page")],
                   check=True, timeout=120)
    pngs = list(conv.glob("page*.png"))
    assert pngs and pngs[0].read_bytes().startswith(b"\x89PNG")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "=1+1" in text and "规模以上工业增加值" in text
