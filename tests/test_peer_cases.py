"""Peer projects' test cases (Recognizers-Text, cn2an, JioNLP, chinese2digits).

The cases and their loader are copies in ``tests/peer_cases/`` (see its
README for provenance and licenses); only the cases ``cases.py`` marks
``news_relevant`` run here. How a peer case is checked against our output:

- percent -> ``percentages`` rows (value = the number before %, unsigned with
  the sign inside the span; 成 and 个百分点 rows count, 倍 rows do not);
- currency -> ``numbers`` rows with quantity_type money, dimension -> rows
  with a physical quantity_type; value_normalized and unit (peer unit names
  mapped to ours with ``UNITS``) are compared;
- number, whole string (cn2an, most of Recognizers-Text NumberModel) ->
  ``pipeline.numerals.parse_number`` after splitting a trailing 万/亿
  multiplier and the 多/余 qualifier off (conversion, not extraction);
- number in a sentence -> ``numbers`` rows (a fraction -> ``percentages``
  rows, value × 100, since SPEC §2 puts fractions there);
- ordinal -> ``pipeline.numerals.parse_ordinal``, and no ``numbers`` row may
  overlap the ordinal (SPEC §2: ordinals are not numbers);
- a negative case (nothing expected) -> no row of that kind.

Spans are checked where the case gives one. A number case's span is the
numeral alone, ours also holds the measure word, so there the row must start
at the same offset and its text must begin with the expected text.

Cases that fail by design or by a known gap are listed with their reason in
``tests/peer_cases/expected_failures.yaml`` and run as strict xfails.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

from pipeline import extract_text, lexicon
from pipeline.numerals import multiplier_of, parse_number, parse_ordinal, split_multiplier

from .peer_cases import cases as peer

DATA = Path(__file__).resolve().parent / "peer_cases"
CASES = list(peer.iter_cases(root=str(DATA), relevant_only=True))
BY_ID = {c["id"]: c for c in CASES}
MIN_PASS_SHARE = 0.95

# Peer unit name -> the unit surfaces we write for it (SPEC §2: unit as written).
UNITS: dict[str, set[str]] = {
    # Recognizers-Text (English names)
    "Chinese yuan": {"元", "元人民币", "人民币"},
    "United States dollar": {"美元", "美圆"},
    "Dollar": {"$", "美元"},
    "Euro": {"欧元"},
    "Hong Kong dollar": {"港元", "港币"},
    "Japanese yen": {"日元"},
    "New Taiwan dollar": {"台币", "新台币"},
    "Swiss franc": {"瑞士法郎"},
    "Nigerian naira": {"奈拉"},
    "Bitcoin": {"比特币"},
    "Mu": {"亩"},
    "Kilogram": {"公斤", "千克", "kg"},
    "Gram": {"克"},
    "Microgram": {"微克"},
    "Ton": {"吨"},
    "Centimeter": {"厘米", "公分", "cm"},
    "Meter": {"米", "m"},
    "Kilometer": {"公里", "千米", "km"},
    "Kilowatt": {"千瓦"},
    # JioNLP (Chinese names)
    "元": {"元", "元人民币", "人民币"},
    "美元": {"美元"},
    "港元": {"港元", "港币"},
    "日元": {"日元", "日币"},
    "欧元": {"欧元"},
    "卢布": {"卢布"},
    "泰铢": {"泰铢"},
    "新台币": {"台币", "新台币"},
}
PHYSICAL = {"area", "length", "mass", "volume", "energy"}
REL_TOL = 1e-9
JIONLP_ABS_TOL = 0.011  # JioNLP parser values are rounded to 0.01


def load_expected_failures() -> dict[str, str]:
    """case id -> reason, from the grouped YAML."""
    with open(DATA / "expected_failures.yaml", encoding="utf-8") as f:
        groups = yaml.safe_load(f)
    out: dict[str, str] = {}
    for name, group in groups.items():
        for case_id in group["cases"]:
            assert case_id not in out, f"{case_id} listed twice"
            out[case_id] = f"{name}: {group['reason']}"
    return out


XFAIL = load_expected_failures()


# ---- how a case is checked --------------------------------------------------

def mode(case: dict) -> str:
    """convert, ordinal or extract."""
    if case["kind"] == "ordinal":
        return "ordinal"
    exp = case["expected"]
    if case["kind"] == "number" and len(exp) == 1 and "fraction" not in case["tags"]:
        if "whole_string" in case["tags"] or _bare(exp[0]["text"]) == _bare(case["input"]):
            return "convert"  # the input is the numeral (四百多: RT leaves 多 out of the span)
    return "extract"


def _bare(text: str) -> str:
    for q in lexicon.words("qualifiers_inside"):
        text = text.replace(q, "")
    return text


def convert(text: str) -> Decimal:
    """A whole numeral string to its value, the way the extractor reads a span:
    qualifier 多/余 left out, trailing multiplier split off Arabic digits."""
    head, word = split_multiplier(_bare(text))
    return parse_number(head) * multiplier_of(word)


def close(got: Decimal | float, want: float, abs_tol: float = 0.0) -> bool:
    return math.isclose(float(got), want, rel_tol=REL_TOL, abs_tol=abs_tol)


def rows_of_kind(case: dict, tables: dict[str, list[dict]]) -> list[dict]:
    """Our rows that stand for the case's kind, each marked with its table."""
    kind = case["kind"]
    numbers = [dict(r, table="numbers") for r in tables["numbers"]]
    percentages = [dict(r, table="percentages") for r in tables["percentages"]]
    if kind == "percent":
        return [r for r in percentages if not r["text"].endswith("倍")]
    if kind == "currency":
        return [r for r in numbers if r["quantity_type"] == "money"]
    if kind == "dimension":
        return [r for r in numbers if r["quantity_type"] in PHYSICAL]
    if "fraction" in case["tags"]:
        numbers += [r for r in percentages if "分之" in r["text"]]
    return numbers


def row_matches(case: dict, exp: dict, row: dict) -> bool:
    """Span (where given), value and unit of one expected item against one row."""
    kind = case["kind"]
    if exp["start"] is not None:
        if kind == "number":
            if row["start"] != exp["start"] or not row["text"].startswith(exp["text"]):
                return False
        elif (row["start"], row["end"]) != (exp["start"], exp["end"]):
            return False
    want = exp["value"]
    if want is None:
        return True
    if row["table"] == "percentages":
        if "百分点" in exp["text"] and row["kind"] != "points":
            return False  # 个百分点 is a percentage row of kind points
        pct = want * 100 if kind == "number" else want
        got = row["value"]
        ok = close(got, abs(pct))
        if not ok and "分之" in row["text"]:
            # SPEC §2 may round a fraction to 0.01 (三分之一 gives 33.33); a
            # value that rounds to nothing is lost, not matched
            rounded = Decimal(repr(abs(pct))).quantize(Decimal("0.01"), ROUND_HALF_UP)
            ok = rounded != 0 and got == rounded
        if not ok:
            return False
        if pct < 0 and row["kind"] in ("change", "points") and row["direction"] != "down":
            return False
        return True
    abs_tol = JIONLP_ABS_TOL if case["id"].startswith("jionlp/") else 0.0
    if not close(row["value_normalized"], want, abs_tol):
        return False
    if kind in ("currency", "dimension") and exp["unit"] is not None:
        if row["unit"].split("/")[0] not in UNITS[exp["unit"]]:
            return False
    return True


def check(case: dict) -> list[str]:
    """Problems found; empty when the case passes."""
    problems: list[str] = []
    how = mode(case)
    if how == "convert":
        exp = case["expected"][0]
        try:
            got = convert(exp["text"])
        except ValueError as e:
            return [f"conversion failed: {e}"]
        if not close(got, exp["value"]):
            problems.append(f"{exp['text']}: got {got}, expected {exp['value']}")
        return problems
    tables = extract_text(case["input"])
    if how == "ordinal":
        for exp in case["expected"]:
            try:
                got = parse_ordinal(exp["text"])
            except ValueError as e:
                problems.append(f"{exp['text']}: {e}")
                continue
            if got != exp["value"]:
                problems.append(f"{exp['text']}: got {got}, expected {exp['value']}")
            for r in tables["numbers"]:
                if r["start"] < exp["end"] and exp["start"] < r["end"]:
                    problems.append(f"ordinal {exp['text']} extracted as number {r['text']}")
        return problems
    rows = rows_of_kind(case, tables)
    used: set[int] = set()
    for exp in case["expected"]:
        hit = next((i for i, r in enumerate(rows) if i not in used and row_matches(case, exp, r)), None)
        if hit is None:
            problems.append(f"missed {exp['text']} [{exp['start']}:{exp['end']}] = {exp['value']} {exp['unit'] or ''}"
                            f"; rows: {_show(rows)}")
        else:
            used.add(hit)
    extra = [r for i, r in enumerate(rows) if i not in used]
    if extra and (not case["expected"] or case["expected"][0]["start"] is not None):
        problems.append(f"extra {case['kind']} rows: {_show(extra)}")
    return problems


def _show(rows: list[dict]) -> str:
    return ", ".join(f"{r['text']}[{r['start']}:{r['end']}]={r.get('value_normalized', r['value'])}"
                     f"{r.get('unit', '')}" for r in rows) or "none"


# ---- tests ------------------------------------------------------------------

def _param(case: dict):
    marks = ()
    if case["id"] in XFAIL:
        marks = pytest.mark.xfail(strict=True, reason=XFAIL[case["id"]])
    return pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_peer_case(case):
    problems = check(case)
    assert not problems, f"{case['input']!r}: " + "; ".join(problems)


def test_expected_failures_are_known_relevant_cases():
    unknown = sorted(set(XFAIL) - set(BY_ID))
    assert not unknown, f"expected_failures.yaml names cases that are not relevant peer cases: {unknown}"


def test_pass_share():
    share = 1 - len(XFAIL) / len(CASES)
    assert share >= MIN_PASS_SHARE, f"only {share:.1%} of {len(CASES)} relevant peer cases pass"


def summary() -> str:
    """Counts per kind and per expected-failure group (``python -m tests.test_peer_cases``)."""
    lines = [f"{'kind':<10} {'relevant':>8} {'pass':>5} {'xfail':>6}"]
    for kind in peer.KINDS:
        ids = [c["id"] for c in CASES if c["kind"] == kind]
        xf = sum(i in XFAIL for i in ids)
        lines.append(f"{kind:<10} {len(ids):>8} {len(ids) - xf:>5} {xf:>6}")
    lines.append(f"{'total':<10} {len(CASES):>8} {len(CASES) - len(XFAIL):>5} {len(XFAIL):>6}"
                 f"   pass share {1 - len(XFAIL) / len(CASES):.1%}")
    groups: dict[str, int] = {}
    for reason in XFAIL.values():
        groups[reason] = groups.get(reason, 0) + 1
    lines += ["", "expected failures:"] + [f"{n:>4}  {r}" for r, n in groups.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary())
