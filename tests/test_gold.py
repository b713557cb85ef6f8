"""Score raw/ against the gold answers with the shared scorer (SPEC §4) and
hold the bars the issues set."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).parent
GOLD = HERE / "gold"

# table -> (minimum F1, {attribute: minimum agreement})
BARS = {
    "numbers": (0.97, {"metric": 0.90, "unit": 0.95, "period": 0.85}),
    "percentages": (0.98, {"metric": 0.90, "kind": 0.90, "direction": 0.90, "period": 0.85}),
    "rankings": (0.90, {"scope": 0.85}),
}


def _scorer():
    spec = importlib.util.spec_from_file_location("score", HERE / "tools" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def summary(extracted_raw, raw_dir):
    score = _scorer()
    from collections import Counter, defaultdict

    articles = sorted(p.name for p in GOLD.iterdir() if p.is_dir())
    errors = defaultdict(lambda: defaultdict(list))
    per_article = {a: score.score_article(a, extracted_raw, GOLD, raw_dir, errors) for a in articles}
    out = {}
    for table in score.TABLES:
        total = Counter()
        attrs = defaultdict(lambda: [0, 0])
        for res in per_article.values():
            for k in ("tp", "fp", "fn"):
                total[k] += res[table].get(k, 0)
            for attr in score.ATTRIBUTES.get(table, ()):
                attrs[attr][0] += res[table][attr][0]
                attrs[attr][1] += res[table][attr][1]
        _, _, f1 = score.prf(total["tp"], total["fp"], total["fn"])
        out[table] = {"f1": f1, **{a: ok / n for a, (ok, n) in attrs.items() if n}}
    return out


@pytest.mark.parametrize("table", list(BARS))
def test_gold_bars(summary, table):
    min_f1, attrs = BARS[table]
    got = summary[table]
    assert got["f1"] >= min_f1, f"{table} F1 {got['f1']:.3f} < {min_f1}"
    for attr, bar in attrs.items():
        assert got.get(attr, 0) >= bar, f"{table} {attr} agreement {got.get(attr, 0):.3f} < {bar}"


def test_gold_files_are_valid(raw_dir):
    """Every gold row names a span that exists in its article (check_gold.py)."""
    import subprocess
    import sys

    for d in sorted(p for p in GOLD.iterdir() if p.is_dir()):
        res = subprocess.run([sys.executable, str(HERE / "tools" / "check_gold.py"),
                              str(raw_dir / f"{d.name}.txt"), str(d)], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr
