"""Pinned CSVs of every article in raw/: any change in what users see (rows,
values, columns, BOM, formatting) shows as a diff to read before
``--force-regen`` (see README)."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.tables import TABLES

RAW = Path(__file__).resolve().parent.parent / "raw"
ARTICLES = sorted(p.stem for p in RAW.glob("*.txt"))


@pytest.mark.parametrize("table", list(TABLES))
@pytest.mark.parametrize("article_id", ARTICLES)
def test_pinned_csv(extracted_raw, file_regression, article_id, table):
    data = (extracted_raw / article_id / f"{table}.csv").read_bytes()
    file_regression.check(data, binary=True, extension=".csv",
                          basename=f"{article_id}__{table}")
