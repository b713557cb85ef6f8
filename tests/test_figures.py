"""Figures from sentences, table-driven from tests/cases/figures.yaml."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pipeline import extract_text

from .conftest import load_cases

CASES = load_cases("figures.yaml")
TABLES = ("numbers", "percentages", "rankings")


def _norm(value):
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, bool):
        return value
    return value


def _matches(row: dict, expected: dict) -> bool:
    for key, want in expected.items():
        got = row.get(key)
        if key in ("value", "value_normalized", "rank", "multiplier", "scope_size"):
            if got is None or Decimal(str(got)) != Decimal(str(want)):
                return False
        elif (got or "") != (want or ""):
            return False
    return True


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_figures(case):
    date = dt.date.fromisoformat(case.get("date", "2022-12-21"))
    tables = extract_text(case["text"], date=date)
    for table in TABLES:
        if table not in case:
            continue
        rows = tables[table]
        expected = case[table]
        if expected == []:
            assert [r["text"] for r in rows] == [], f"{table}: nothing expected"
            continue
        for want in expected:
            hits = [r for r in rows if _matches(r, want)]
            assert hits, f"{table}: no row matches {want}; got {[{k: r.get(k) for k in want} for r in rows]}"
