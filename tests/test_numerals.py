"""Numeral parsing, table-driven from tests/cases/numerals.yaml."""
from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.numerals import format_decimal, parse_number

from .conftest import load_cases

CASES = load_cases("numerals.yaml")


@pytest.mark.parametrize("case", CASES, ids=[c["text"] for c in CASES])
def test_parse_number(case):
    assert parse_number(case["text"]) == Decimal(case["value"])


@pytest.mark.parametrize("bad", ["", "百分", "abc", "1.2.3"])
def test_parse_number_rejects(bad):
    with pytest.raises(ValueError):
        parse_number(bad)


def test_no_float_noise():
    assert format_decimal(Decimal("141.92") * 10**8) == "14192000000"
    assert format_decimal(Decimal("4676.62") * 10**4) == "46766200"
