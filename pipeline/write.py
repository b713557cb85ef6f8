"""CSV writing: UTF-8 with BOM, stable columns, formula guard, atomic replace.

Values are formatted here, once (``Decimal`` to text without float noise).
A file whose bytes would not change is not rewritten, so reruns keep file
times and a ``git diff extracted/`` shows only real changes.
"""
from __future__ import annotations

import io
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from .numerals import format_decimal
from .tables import AS_WRITTEN, NUMERIC

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(text: str) -> str:
    """Neutralise a text cell a spreadsheet would run as a formula (SPEC §2).

    >>> guard_formula("=1+1")
    "'=1+1"
    >>> guard_formula("增长4.4%")
    '增长4.4%'
    """
    if text and text.startswith(FORMULA_START):
        return "'" + text
    return text


def format_cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_decimal(value, as_written=column in AS_WRITTEN)
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\r", " ")
    if column in NUMERIC:
        return text
    return guard_formula(text)


def to_csv_bytes(rows: Iterable[dict[str, Any]], columns: list[str]) -> bytes:
    """Rows to CSV bytes: BOM, header, ``\\n`` line ends, every field formatted."""
    import pandas as pd

    frame = pd.DataFrame([[format_cell(c, row.get(c)) for c in columns] for row in rows],
                         columns=columns, dtype=object)
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8-sig")


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` atomically; False when it already held them."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return True


def write_table(path: Path, rows: Iterable[dict[str, Any]], columns: list[str]) -> bool:
    return write_atomic(path, to_csv_bytes(rows, columns))


def concat_csv(paths: Iterable[Path], columns: list[str]) -> bytes:
    """Concatenate per-article CSVs (already formatted) under one header."""
    out = io.BytesIO()
    header = ",".join(columns).encode("utf-8")
    out.write(b"\xef\xbb\xbf" + header + b"\n")
    for p in paths:
        try:
            data = p.read_bytes()
        except OSError:
            continue
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        first_nl = data.find(b"\n")
        if first_nl == -1 or data[:first_nl] != header:
            continue  # written by another version of the pipeline: skip, don't mix columns
        out.write(data[first_nl + 1:])
    return out.getvalue()
