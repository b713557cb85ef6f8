"""CSV writing: UTF-8 with BOM, stable columns, formula guard, atomic replace.

Values are formatted here, once (``Decimal`` to text without float noise).
A file whose bytes would not change is not rewritten, so reruns keep file
times and a ``git diff extracted/`` shows only real changes.

Atomic: a file is written to a hidden temporary file in its own folder
(``.<name>.<pid>.<random>.tmp``), flushed to disk, then renamed over the
target, so a reader (or a run killed at any instant) sees the old complete
file or the new complete file, never a part. Temporary files left by a killed
run are removed by the next write into the same folder (only those whose
process is gone).
"""
from __future__ import annotations

import io
import os
import re
import tempfile
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any, Iterable, Iterator

from .numerals import format_decimal
from .tables import AS_WRITTEN, NUMERIC

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = b"\xef\xbb\xbf"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_TEMP = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[a-z0-9_]{8}\.tmp")  # mkstemp: 8 random characters
_swept: set[Path] = set()
_sync = getattr(os, "fdatasync", os.fsync)  # the data on disk before the rename
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def guard_formula(text: str) -> str:
    """Neutralise a text cell a spreadsheet would run as a formula (SPEC §2):
    a leading quote, which spreadsheets read as "this cell is text".

    >>> guard_formula("=1+1")
    "'=1+1"
    >>> guard_formula("-4.4%"), guard_formula("@SUM(A1)"), guard_formula("\\t=1")
    ("'-4.4%", "'@SUM(A1)", "'\\t=1")
    >>> guard_formula("增长4.4%")
    '增长4.4%'
    """
    if text and text.startswith(FORMULA_START):
        return "'" + text
    return text


def format_cell(column: str, value: Any) -> str:
    """One field as CSV text. Numbers in ``NUMERIC`` columns stay numbers
    (``-4.4`` is written as is); any other text is guarded.

    >>> format_cell("value", Decimal("-4.4")), format_cell("start", -3), format_cell("value", "-4.4")
    ('-4.4', '-3', '-4.4')
    >>> format_cell("value", "=1+1"), format_cell("context", "+86 10"), format_cell("metric", "a\\rb")
    ("'=1+1", "'+86 10", 'a b')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _decimal_text(value, column in AS_WRITTEN)
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\r", " ")
    if column in NUMERIC and _NUMBER.fullmatch(text):
        return text
    return guard_formula(text)


def _decimal_text(value: Decimal, as_written: bool) -> str:
    """``format_decimal`` exactly, whatever the number of digits (the default
    context holds 28: ``1`` ten thousand times, times 亿, has more).

    >>> _decimal_text(Decimal("1" * 40 + "0" * 8), False) == "1" * 40 + "0" * 8
    True
    """
    if not value.is_finite():
        return ""
    sign, digits, exponent = value.as_tuple()
    needed = len(digits) + abs(int(exponent)) + 2
    if needed <= 28:
        return format_decimal(value, as_written=as_written)
    with localcontext() as ctx:
        ctx.prec = needed
        return format_decimal(value, as_written=as_written)


def to_csv_bytes(rows: Iterable[dict[str, Any]], columns: list[str]) -> bytes:
    """Rows to CSV bytes: BOM, header, ``\\n`` line ends, every field formatted.

    >>> to_csv_bytes([{"a": "=1", "b": Decimal("2.50")}], ["a", "b"])
    b"\\xef\\xbb\\xbfa,b\\n'=1,2.5\\n"
    """
    import pandas as pd   # the table writer users know; cells are formatted text already

    frame = pd.DataFrame([[format_cell(c, row.get(c)) for c in columns] for row in rows],
                         columns=columns, dtype=object)
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8-sig")


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _sweep(folder: Path) -> None:
    """Remove temporary files of processes that are gone (a killed run) from
    ``folder`` and its subfolders (the article folders of an output folder),
    once per folder and process."""
    if folder in _swept:
        return
    _swept.add(folder)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    _remove_stale(folder, [e.name for e in entries])
    for e in entries:
        if e.is_dir(follow_symlinks=False) and not e.name.startswith(".") and Path(e.path) not in _swept:
            _swept.add(Path(e.path))
            try:
                _remove_stale(Path(e.path), os.listdir(e.path))
            except OSError:
                pass


def _remove_stale(folder: Path, names: list[str]) -> None:
    for name in names:
        if not (name.startswith(".") and name.endswith(".tmp")):
            continue
        m = _TEMP.fullmatch(name)
        if m is None:
            continue
        pid = int(m.group("pid"))
        if pid == os.getpid() or _alive(pid):
            continue
        try:
            os.unlink(folder / name)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def write_atomic(path: Path, data: bytes | Iterable[bytes]) -> bool:
    """Replace ``path`` with ``data`` atomically; False when it already held them.

    ``data`` may be bytes or an iterable of byte chunks, written as they come
    and never held whole (``iter_concat_csv``); the old file is compared on
    the way, so an unchanged file is left alone either way.

    >>> import tempfile; d = Path(tempfile.mkdtemp())
    >>> write_atomic(d / "a.csv", b"x,y\\n"), write_atomic(d / "a.csv", [b"x,", b"y\\n"])
    (True, False)
    >>> write_atomic(d / "a.csv", iter([b"x,", b"z\\n"])), (d / "a.csv").read_bytes()
    (True, b'x,z\\n')
    >>> import shutil; shutil.rmtree(d)
    """
    path = Path(path)
    if path.parent.is_dir():
        _sweep(path.parent)
    if isinstance(data, (bytes, bytearray, memoryview)):
        if _same_bytes(path, bytes(data)):
            return False
        chunks: Iterable[bytes] = (bytes(data),)
    else:
        chunks = data
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        old = open(path, "rb")
    except OSError:
        old = None
    same = old is not None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
                if same:
                    same = old.read(len(chunk)) == chunk
            if same:
                same = old.read(1) == b""
            if not same:
                f.flush()
                _sync(f.fileno())
        if same:
            os.unlink(tmp)
            return False
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    finally:
        if old is not None:
            old.close()
    return True


def write_table(path: Path, rows: Iterable[dict[str, Any]], columns: list[str]) -> bool:
    return write_atomic(path, to_csv_bytes(rows, columns))


def iter_concat_csv(paths: Iterable[Path], columns: list[str]) -> Iterator[bytes]:
    """The chunks of ``concat_csv``, one file at a time (for ``write_atomic``)."""
    header = ",".join(columns).encode("utf-8")
    yield BOM + header + b"\n"
    for p in paths:
        try:
            data = Path(p).read_bytes()
        except OSError:
            continue
        if data.startswith(BOM):
            data = data[3:]
        first_nl = data.find(b"\n")
        if first_nl == -1 or data[:first_nl] != header:
            continue  # written by another version of the pipeline: skip, don't mix columns
        yield data[first_nl + 1:]


def concat_csv(paths: Iterable[Path], columns: list[str]) -> bytes:
    """Concatenate per-article CSVs (already formatted) under one header."""
    return b"".join(iter_concat_csv(paths, columns))
