"""The NER stage's data files (pipeline/data/gazetteer_*, ner_*): each loads,
says where it came from, and lists stay sorted and duplicate-free so that
diffs stay small (STYLE §9.3)."""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import yaml

from pipeline import ner

DATA = Path(ner.__file__).parent / "data"
OWNED = sorted(p for p in DATA.iterdir() if p.name.startswith(("gazetteer_", "ner_")))
LISTS = [p for p in OWNED if p.suffix == ".txt"]
TABLES = [p for p in OWNED if p.suffix == ".tsv"]
CATEGORIES = {"infrastructure", "park", "enterprise", "public", "platform", "other"}


def test_the_files_are_there():
    names = {p.name for p in OWNED}
    assert {"gazetteer_divisions.tsv", "ner_patterns.jsonl", "ner_regex.yaml", "ner_project_heads.tsv",
            "ner_surnames.txt"} <= names
    assert (DATA / "make_divisions.py").exists()


@pytest.mark.parametrize("path", OWNED, ids=lambda p: p.name)
def test_header_says_where_it_came_from(path):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        header = json.loads(text.splitlines()[0])["comment"]
    else:
        header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
        assert text.startswith("#")
    assert re.search(r"Source|Generated", header), path.name


@pytest.mark.parametrize("path", LISTS, ids=lambda p: p.name)
def test_list_is_sorted_and_unique(path):
    items = list(ner.read_list(path.name))
    assert items, path.name
    assert items == sorted(items), f"{path.name} is not sorted"
    assert len(items) == len(set(items)), f"{path.name} has duplicates"
    assert all(not re.search(r"\s", w) for w in items)


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.name)
def test_table_is_well_formed(path):
    rows = ner.read_table(path.name)
    assert rows
    width = len(rows[0])
    assert all(len(r) == width and all(v != "" or k == "short" for k, v in r.items()) for r in rows)
    keys = [tuple(r.values())[0] for r in rows]
    assert keys == sorted(keys) and len(keys) == len(set(keys))


def test_divisions():
    rows = ner.read_table("gazetteer_divisions.tsv")
    assert {r["level"] for r in rows} == {"province", "prefecture", "county"}
    assert sum(r["level"] == "province" for r in rows) == 34
    by_name = {r["name"]: r for r in rows}
    assert by_name["鹤山市"]["short"] == "鹤山" and by_name["鹤山市"]["level"] == "county"
    assert by_name["江门市"]["short"] == "江门"
    assert by_name["广西壮族自治区"]["short"] == "广西"
    assert by_name["海拉尔区"]["short"] == ""  # 区 is not stripped (cpca's rule)


def test_division_stoplist_names_divisions():
    rows = ner.read_table("gazetteer_divisions.tsv")
    known = {r["name"] for r in rows} | {r["short"] for r in rows}
    assert set(ner.read_list("gazetteer_divisions_stoplist.txt")) <= known


def test_make_divisions_reproduces_the_table():
    """Generated data equals committed data. Needs cpca's data, which the runtime
    does not: cpca installed, or CPCA_WHEEL naming its wheel (pip download cpca==0.5.5)."""
    wheel = os.environ.get("CPCA_WHEEL")
    if not wheel:
        pytest.importorskip("cpca")
    sys.path.insert(0, str(DATA))
    try:
        import make_divisions
    finally:
        sys.path.remove(str(DATA))
    out = io.StringIO()
    with redirect_stdout(out):
        make_divisions.main(["make_divisions.py"] + ([wheel] if wheel else []))
    assert out.getvalue() == (DATA / "gazetteer_divisions.tsv").read_text(encoding="utf-8")


def test_regex_fragments_compile_resolve_and_are_used():
    config = yaml.safe_load((DATA / "ner_regex.yaml").read_text(encoding="utf-8"))
    for list_file in config["lists"].values():
        assert (DATA / list_file).exists()
    fragments = ner.fragments()  # raises on an unknown or circular reference
    for name in fragments:
        re.compile(fragments[name])
    code = "".join((Path(ner.__file__).parent / f).read_text(encoding="utf-8")
                   for f in ("ner.py", "extract/projects.py"))
    raw = {**config["fragments"], **config["lists"]}
    referenced = {m for v in config["fragments"].values() for m in re.findall(r"\{([a-z_]+)\}", v)}
    for name in raw:
        assert name in referenced or f'"{name}"' in code, f"fragment {name} is never used"


def test_status_table_uses_the_status_order():
    order = ner.regex_config()["status_order"]
    assert {r["status"] for r in ner.read_table("ner_project_status.tsv")} <= set(order)


def test_project_heads():
    rows = ner.read_table("ner_project_heads.tsv")
    assert {r["category"] for r in rows} <= CATEGORIES
    assert {r["strength"] for r in rows} == {"strong", "weak"}
    spec_heads = "项目 基地 产业园 工业园 园区 合作区 工业城 物流中心 高铁 铁路 高速公路 高速 机场 示范带 水厂 班列 平台 新校区 水利枢纽 工程 水电站 特高压"
    assert set(spec_heads.split()) <= {r["head"] for r in rows}


def test_token_patterns_load_into_the_matcher():
    records = [json.loads(line) for line in (DATA / "ner_patterns.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    assert "comment" in records[0]
    assert {r["label"] for r in records[1:]} <= set(ner.LABELS)
    assert ner.read_patterns()  # CHARS macros expanded
    nlp = ner.get_nlp()  # the Matcher validates every pattern
    assert "token_patterns" in nlp.pipe_names


def test_gazetteer_builds():
    patterns = ner.gazetteer_patterns()
    labels = {p["label"] for p in patterns}
    assert labels <= set(ner.LABELS) | {ner.BLOCK}
    texts = {p["pattern"] for p in patterns}
    assert {"鹤山", "江门市", "长江", "国务院", "中国"} <= texts
    assert not {"城区", "合作", "江山"} & texts  # stoplisted


def test_person_stoplist_holds_the_issue_examples():
    assert {"幸福感", "沃土"} <= set(ner.read_list("ner_person_stoplist.txt"))


def test_ner_is_the_only_module_importing_spacy():
    pipeline_dir = Path(ner.__file__).parent
    for path in pipeline_dir.rglob("*.py"):
        if path.name != "ner.py":
            assert not re.search(r"^\s*(import spacy|from spacy)", path.read_text(encoding="utf-8"), re.M), path


def test_import_does_not_build_the_pipeline():
    code = "import pipeline.ner as n; assert n.get_nlp.cache_info().currsize == 0"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(ner.__file__).parent.parent)
