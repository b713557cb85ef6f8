"""The CSVs as one Excel workbook: a sheet per table, numbers as numbers.

Built from the CSV files, never from extraction results, so a workbook can be
rebuilt from ``extracted/`` alone (``python -m pipeline report``). The bytes are
a function of the CSV bytes: zip entry times and the document's created and
modified dates are fixed, so equal inputs give an equal file.

XlsxWriter is imported only when a workbook is built; reading CSVs back
(``read_csv``, ``cell_value``) is plain Python, shared with ``review.py``.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any, Iterable

from .tables import ARTICLE_COLUMNS, NUMERIC, TABLES

SHEETS = [*TABLES, "articles"]
GUARD = ("=", "+", "-", "@", "\t", "\r")  # NOTE: keep in sync with write.FORMULA_START
BOOLEAN = {"target"}
# Thousands separators where the magnitude matters; offsets and counts stay plain.
GROUPED = {"value_normalized", "investment_value", "multiplier"}
MAX_WIDTH = {"context": 90, "text": 28, "error": 60, "title": 40, "aliases": 30}
FIXED_TIME = "2000-01-01T00:00:00Z"
FIXED_DATE = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_NUMBER = re.compile(r"-?\d+(?:\.(\d+))?")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
EXCEL_CELL_LIMIT = 32767


def read_csv(path: Path | str | bytes) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows) of one of our CSVs; ``path`` may be the bytes themselves.

    >>> read_csv(b"\\xef\\xbb\\xbfa,b\\n1,'=x\\n")
    (['a', 'b'], [{'a': '1', 'b': "'=x"}])
    """
    data = path if isinstance(path, bytes) else Path(path).read_bytes()
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    return header, [dict(zip(header, rec)) for rec in reader]


def unguard(text: str) -> str:
    """The text as the article wrote it: undo ``write.guard_formula``.

    >>> unguard("'=1+1"), unguard("'-3"), unguard("'abc"), unguard("增长")
    ('=1+1', '-3', "'abc", '增长')
    """
    if len(text) > 1 and text[0] == "'" and text[1] in GUARD:
        return text[1:]
    return text


def cell_value(column: str, text: str) -> Any:
    """A CSV field as the value a spreadsheet cell should hold.

    >>> cell_value("value_normalized", "15926000000"), cell_value("value", "-3.5")
    (15926000000, -3.5)
    >>> cell_value("target", "true"), cell_value("metric", "'=1+1"), cell_value("rank", "")
    (True, '=1+1', None)
    """
    if text == "":
        return None
    if column in NUMERIC:
        m = _NUMBER.fullmatch(text)
        if m and len(text) <= 30:
            return float(text) if m.group(1) is not None else int(text)
        return text  # no spreadsheet number holds 10,000 digits: keep the text exact
    if column in BOOLEAN and text in ("true", "false"):
        return text == "true"
    return unguard(text)


def number_format(column: str, text: str) -> str:
    """Show a number with the decimals the CSV has (``7.0`` stays ``7.0``)."""
    m = _NUMBER.fullmatch(text)
    decimals = len(m.group(1)) if m and m.group(1) else 0
    base = "#,##0" if column in GROUPED else "0"
    return base + ("." + "0" * decimals if decimals else "")


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def column_widths(columns: list[str], rows: list[dict[str, str]]) -> list[float]:
    widths = []
    for col in columns:
        seen = sorted(display_width(unguard(r.get(col, ""))) for r in rows)
        # the 95th percentile: one long outlier should not widen the column
        body = seen[int(len(seen) * 0.95)] if seen else 0
        width = max(display_width(col) + 3, body + 2)  # + room for the filter button
        widths.append(float(min(width, MAX_WIDTH.get(col, 40))))
    return widths


def inputs_key(paths: Iterable[Path]) -> str:
    """A hash of the bytes of ``paths`` (missing files count as empty)."""
    h = hashlib.sha256()
    for p in paths:
        try:
            data = p.read_bytes()
        except OSError:
            data = b""
        h.update(str(p.name).encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def build_workbook(sheets: list[tuple[str, list[str], list[dict[str, str]]]]) -> bytes:
    """An .xlsx (bytes) with one sheet per ``(name, columns, rows)``.

    Rows hold CSV text; ``NUMERIC`` columns become numbers, ``target`` a boolean,
    and text cells that look like formulas stay text (string cells with a quote
    prefix, so editing one in a spreadsheet keeps it text).
    """
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
        "strings_to_urls": False})
    wb.set_properties({"created": FIXED_DATE, "title": "Extracted figures"})
    header = wb.add_format({"bold": True, "bg_color": "#DDE4EE", "bottom": 1,
                            "bottom_color": "#7F8FA6", "align": "center"})
    quoted = wb.add_format({"quote_prefix": True})
    formats: dict[str, Any] = {}
    for name, columns, rows in sheets:
        ws = wb.add_worksheet(name)
        ws.freeze_panes(1, 0)
        ws.set_landscape()  # printing (and PDF): A4 across, the header on every page
        ws.set_paper(9)
        ws.repeat_rows(0)
        ws.print_across()
        ws.autofilter(0, 0, len(rows), max(len(columns) - 1, 0))
        for i, width in enumerate(column_widths(columns, rows)):
            ws.set_column(i, i, width)
        ws.write_row(0, 0, columns, header)
        for r, row in enumerate(rows, start=1):
            for c, col in enumerate(columns):
                text = row.get(col, "")
                value = cell_value(col, text)
                if value is None:
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                elif isinstance(value, (int, float)):
                    fmt = number_format(col, text)
                    if fmt not in formats:
                        formats[fmt] = wb.add_format({"num_format": fmt})
                    ws.write_number(r, c, value, formats[fmt])
                else:
                    value = _ILLEGAL.sub(" ", value)[:EXCEL_CELL_LIMIT]
                    ws.write_string(r, c, value, quoted if value.startswith(GUARD) else None)
    wb.close()
    return _reproducible(buf.getvalue())


def _reproducible(xlsx: bytes) -> bytes:
    """Fix what openpyxl stamps with the current time: zip entry times and the
    document's created/modified dates."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              rb"\g<1>" + FIXED_TIME.encode() + rb"\g<3>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return out.getvalue()


def workbook_inputs(out_dir: Path) -> list[Path]:
    """The files ``extraction.xlsx`` is built from."""
    return [out_dir / "all" / f"{t}.csv" for t in TABLES] + [out_dir / "articles.csv"]


def workbook_from_dir(out_dir: Path) -> bytes:
    """``extracted/extraction.xlsx`` from ``all/*.csv`` and ``articles.csv``."""
    sheets = []
    for name, path in zip(SHEETS, workbook_inputs(out_dir)):
        columns = TABLES.get(name, ARTICLE_COLUMNS)
        header, rows = read_csv(path) if path.exists() else (columns, [])
        sheets.append((name, header or columns, rows))
    return build_workbook(sheets)


def article_workbook(tables: dict[str, bytes], summary: dict[str, str]) -> bytes:
    """``extracted/<id>/extraction.xlsx``: the article's CSVs (bytes per table)
    and its ``articles.csv`` row (as text)."""
    sheets = []
    for name, columns in TABLES.items():
        header, rows = read_csv(tables[name]) if name in tables else (columns, [])
        sheets.append((name, header or columns, rows))
    sheets.append(("articles", ARTICLE_COLUMNS, [summary]))
    return build_workbook(sheets)
