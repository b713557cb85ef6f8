"""The data files the extractors read: they load, have no duplicates, and hold
what the code relies on (STYLE: patterns and word lists are data, each tested)."""
from __future__ import annotations

import re

import pytest

from pipeline import lexicon
from pipeline.extract.figures import figure_regex
from pipeline.extract.rankings import rank_regex
from pipeline.pos import boundary_words

QUANTITY_TYPES = {"money", "area", "length", "mass", "volume", "energy", "count", "other"}


def test_units_yaml():
    table = lexicon.load_yaml("units.yaml")
    assert set(table) - {"arabic_only"} <= QUANTITY_TYPES
    seen = {}
    for qtype, surfaces in table.items():
        if qtype == "arabic_only":
            continue
        for s in surfaces or []:
            assert s not in seen, f"{s} is both {seen[s]} and {qtype}"
            seen[s] = qtype
    assert set(table["arabic_only"]) <= set(seen), "arabic_only names units that do not exist"
    assert lexicon.units()["公顷"] == "area" and lexicon.units()["元"] == "money"


@pytest.mark.parametrize("name", ["figure_words.yaml", "context_words.yaml", "rank_words.yaml"])
def test_word_lists(name):
    table = lexicon.load_yaml(name)
    assert table, name
    for key, words in table.items():
        assert isinstance(words, list) and words, f"{name}:{key} is empty"
        dupes = {w for w in words if words.count(w) > 1}
        assert not dupes, f"{name}:{key} repeats {dupes}"
        assert all(isinstance(w, str) and w.strip() == w and w for w in words), f"{name}:{key}"


def test_word_list_keys_used_by_code():
    for key in ["qualifiers_before", "qualifiers_inside", "qualifiers_after", "name_followers",
                "not_figures", "not_after", "metric_trailing", "metric_leading", "generic_metrics",
                "money_hints", "continuations", "right_not_noun",
                "change_cues", "share_cues", "rate_cues", "down_cues", "target_cues",
                "target_not_before", "region_words"]:
        assert lexicon.words(key), key


def test_down_cues_are_change_cues():
    change = set(lexicon.words("change_cues"))
    assert set(lexicon.words("down_cues")) - change <= {"负向拉动"}


def test_regexes_compile_and_match():
    assert figure_regex().search("增长4.4%").group(0) == "4.4%"
    assert rank_regex().search("增速在江门市排名第三").group(0) == "排名第三"


def test_pos_boundaries_file():
    path = lexicon.DATA / "pos_boundaries.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#"), "provenance header"
    words = [w for w in lines if not w.startswith("#")]
    assert words == sorted(set(words)), "sorted, no duplicates"
    assert {"实现", "被", "的", "达到"} <= boundary_words()
    assert not ({"企业", "项目", "特约"} & boundary_words())
    assert all(re.fullmatch(r"\S+", w) for w in words)
