"""Period mentions, table-driven from tests/cases/periods.yaml (SPEC §3)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import yaml

from pipeline.periods import PeriodMention, find_periods, resolve

TESTS = Path(__file__).resolve().parent
# loaded here rather than through conftest so the module imports with or
# without a tests/__init__.py
CASES = yaml.safe_load((TESTS / "cases" / "periods.yaml").read_text(encoding="utf-8"))


def _as_dict(m: PeriodMention, keys) -> dict:
    return {k: getattr(m, k) for k in keys}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_find_periods(case):
    text, ref = case["text"], case["date"]
    found = find_periods(text, ref)
    for m in found:
        assert text[m.start:m.end] == m.text
    expected = case["mentions"]
    got = [_as_dict(m, e.keys()) for m, e in zip(found, expected)]
    assert got == expected
    assert len(found) == len(expected), [m.text for m in found]


def test_case_data_is_consistent():
    """The YAML offsets themselves point at the mention text."""
    assert len(CASES) >= 40
    for case in CASES:
        for e in case["mentions"]:
            assert case["text"][e["start"]:e["end"]] == e["text"], case["id"]


def test_mentions_are_ordered_and_disjoint():
    text = "今年以来，截至11月底，1-10月，“十四五”时期，到2025年底，去年同期，12月20日"
    found = find_periods(text, dt.date(2022, 12, 21))
    assert len(found) == 7
    for a, b in zip(found, found[1:]):
        assert a.end <= b.start


def test_mention_is_frozen():
    m = find_periods("今年", dt.date(2022, 12, 21))[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.period = "2021"  # type: ignore[misc]


def test_datetime_ref_is_a_date():
    ref = dt.datetime(2022, 12, 21, 9, 30)
    assert [(m.period, m.future) for m in find_periods("今年 明年", ref)] == [("2022", False), ("2023", True)]


@pytest.mark.parametrize(
    "text, ref, expected",
    [
        ("今年1-10月", dt.date(2022, 12, 21), "2022-01/2022-10"),
        ("截至11月底", dt.date(2022, 12, 21), "2022-01/2022-11"),
        ("自2015年以来", dt.date(2022, 12, 21), "2015/2022"),
        ("“十四五”时期", None, "2021/2025"),
        ("上半年", None, None),
        ("同期", dt.date(2022, 12, 21), None),
        ("", dt.date(2022, 12, 21), None),
        ("2021年和2022年", None, "2021/2022"),
        ("2021年和2022年1-6月", None, "2021-01/2022-06"),
    ],
)
def test_resolve(text, ref, expected):
    assert resolve(text, ref) == expected


def test_seed_article_periods():
    """Every period the seed article's gold rows use is found in it."""
    seed = TESTS.parent / "raw" / "heshan_2022_plenary.txt"   # the project's own copy
    text = seed.read_text(encoding="utf-8-sig")
    periods = {m.period for m in find_periods(text, dt.date(2022, 12, 21))}
    assert {"2022", "2022-01/2022-10", "2022-01/2022-11", "2015/2022", "2021", "2025"} <= periods
