"""Batch runs: several processes give the same bytes as one; reruns extract only
new or changed articles and rewrite nothing else; progress and summary on stderr."""
from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.__main__ import main
from pipeline.run import MANIFEST, run
from pipeline.tables import TABLES
from pipeline.workbook import read_csv

from .conftest import RAW, ROOT, copy_raw

run_module = importlib.import_module("pipeline.run")  # the module, not pipeline.run()

SMALL = ["2015_daqing_rural_economy", "2017_daqing_q1_economy", "heshan_2022_plenary", "2016_daqing_h1_economy"]


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*")}


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    return copy_raw(tmp_path, SMALL)


def test_two_workers_write_the_same_bytes_as_one(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    run([RAW], one, workers=1)
    results = run([RAW], two, workers=2)
    assert [r.article_id for r in results] == sorted(p.stem for p in RAW.glob("*.txt"))
    a, b = _tree(one), _tree(two)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    assert len(a) == len(results) * (len(TABLES) + 1) + len(TABLES) + 4  # + all/, articles, xlsx, index, manifest


def test_failures_in_a_worker_are_rows_not_crashes(raw, tmp_path):
    (raw / "broken.txt").write_bytes(b"\xff\xfe\x00")
    results = run([raw], tmp_path / "out", workers=2)
    bad = [r for r in results if r.article_id == "broken"]
    assert bad and bad[0].status == "error" and bad[0].error
    _, rows = read_csv(tmp_path / "out" / "articles.csv")
    assert [r["status"] for r in rows].count("ok") == len(SMALL)


def test_unchanged_articles_are_not_extracted_again_and_nothing_is_rewritten(raw, tmp_path):
    out = tmp_path / "out"
    first = run([raw], out, incremental=True)
    assert not any(r.skipped for r in first)
    before = _mtimes(out)
    again = run([raw], out, incremental=True)
    assert all(r.skipped for r in again)
    assert [r.summary_row() for r in again] == [r.summary_row() for r in first]
    assert _mtimes(out) == before


def test_a_changed_or_new_article_is_extracted_again_and_only_it(raw, tmp_path):
    out = tmp_path / "out"
    run([raw], out, incremental=True)
    before = _mtimes(out)
    changed = raw / "heshan_2022_plenary.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n全年新增企业88家。\n", encoding="utf-8")
    shutil.copy(RAW / "1995_national_gov_report.txt", raw)
    results = {r.article_id: r for r in run([raw], out, incremental=True)}
    assert {a for a, r in results.items() if not r.skipped} == {"heshan_2022_plenary", "1995_national_gov_report"}
    after = _mtimes(out)
    for name in ("2015_daqing_rural_economy/numbers.csv", "2017_daqing_q1_economy/review.html"):
        assert after[name] == before[name]
    assert after["heshan_2022_plenary/numbers.csv"] != before["heshan_2022_plenary/numbers.csv"]
    numbers = (out / "all" / "numbers.csv").read_text(encoding="utf-8-sig")
    assert "88家" in numbers and "1995_national_gov_report" in numbers
    _, rows = read_csv(out / "articles.csv")
    assert len(rows) == len(SMALL) + 1
    assert after["extraction.xlsx"] != before["extraction.xlsx"]
    assert after["index.html"] != before["index.html"]


def test_an_edited_output_is_rebuilt(raw, tmp_path):
    out = tmp_path / "out"
    run([raw], out, incremental=True)
    target = out / "heshan_2022_plenary" / "numbers.csv"
    good = target.read_bytes()
    target.write_bytes(b"edited by hand")
    results = {r.article_id: r for r in run([raw], out, incremental=True)}
    assert not results["heshan_2022_plenary"].skipped
    assert target.read_bytes() == good


def test_changed_code_extracts_again_but_equal_bytes_are_not_rewritten(raw, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run([raw], out, incremental=True)
    before = _mtimes(out)
    monkeypatch.setattr(run_module, "code_version", lambda: "another version")
    results = run([raw], out, incremental=True)
    assert not any(r.skipped for r in results)
    after = _mtimes(out)
    assert {k: v for k, v in after.items() if k != MANIFEST} == {k: v for k, v in before.items() if k != MANIFEST}
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert {e["code"] for e in manifest["articles"].values()} == {"another version"}


def test_a_different_date_option_extracts_again(raw, tmp_path):
    import datetime as dt

    out = tmp_path / "out"
    run([raw], out, incremental=True)
    results = run([raw], out, dt.date(2020, 1, 1), incremental=True)
    assert not any(r.skipped for r in results)


def test_noop_rerun_is_fast_and_imports_nothing_heavy(raw, tmp_path):
    out = tmp_path / "out"
    assert main(["extract", str(raw), "--out", str(out), "-q"]) == 0
    before = _mtimes(out)
    code = (
        "import sys, time\n"
        "from pipeline.__main__ import main\n"
        "t = time.perf_counter()\n"
        f"rc = main(['extract', {str(raw)!r}, '--out', {str(out)!r}])\n"
        "print(rc, round(time.perf_counter() - t, 3))\n"
        "print(' '.join(m for m in ('spacy', 'pandas', 'jieba', 'xlsxwriter', 'openpyxl', 'tqdm') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    status, heavy = (done.stdout.splitlines() + [""])[:2]
    rc, seconds = status.split()
    assert rc == "0" and heavy == ""
    assert float(seconds) < 2.0
    assert f"{len(SMALL)} unchanged" in done.stderr
    assert _mtimes(out) == before


def test_force_extracts_everything(raw, tmp_path):
    out = tmp_path / "out"
    main(["extract", str(raw), "--out", str(out), "-q"])
    assert main(["extract", str(raw), "--out", str(out), "--force", "-q"]) == 0


def test_summary_line_and_no_progress_bar_when_stderr_is_not_a_terminal(raw, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(raw), "--out", str(out), "--workers", "2"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "article/s" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert re.fullmatch(
        rf"{len(SMALL)} articles: {len(SMALL)} ok, 0 failed · rows: numbers \d+, percentages \d+, "
        r"rankings \d+, projects \d+, entities \d+ · \d+\.\d s", lines[-1]), lines[-1]
    quiet = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(raw), "--out", str(out), "-q"],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert quiet.stderr == ""


def test_progress_bar_when_asked(raw, tmp_path, capsys):
    run([raw], tmp_path / "out", progress=True)
    err = capsys.readouterr().err
    # tqdm redraws at most every 0.1 s, so the frames in between may be skipped
    assert f"0/{len(SMALL)}" in err and "article" in err


def test_workers_option_on_the_command_line(raw, tmp_path):
    assert main(["extract", str(raw), "--out", str(tmp_path / "a"), "--workers", "2", "-q"]) == 0
    assert main(["extract", str(raw), "--out", str(tmp_path / "b"), "--workers", "1", "-q"]) == 0
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
