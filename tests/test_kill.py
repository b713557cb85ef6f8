"""Nothing lost: a run killed at any instant (SIGKILL: no clean-up, no
``finally``) leaves every CSV either absent, the old complete file or the new
complete file; the next run finishes the job; a failing article never removes
the output of another, and a failing rerun of an article keeps its output.

Runs are killed at random instants. So that the kills land in extraction and
writing rather than in Python's start-up, the runs are forked from a small
server process that has imported the pipeline once (``python -m pipeline
extract`` as a function call in a fresh child, ``main(argv)``); a few more kills
hit plain ``python -m pipeline extract`` subprocesses from the start.
"""
from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import RAW, ROOT, copy_raw

pytestmark = pytest.mark.slow

LANES = 2               # fork servers killing runs side by side
KILLS_PER_LANE = 25     # forked runs killed per lane (some more finish before their kill)
CLI_KILLS = 4           # whole `python -m pipeline extract` processes killed
SEED = int(os.environ.get("KILL_SEED", "20221221"))

SERVER = textwrap.dedent("""
    import json, os, sys
    sys.path.insert(0, os.getcwd())
    from pipeline.__main__ import main
    from pipeline import extract_text
    import pipeline.run as run
    run._warm_up()
    extract_text("规模以上工业增加值159.26亿元,同比增长4.4%。", ner=True)
    for name in ("pipeline.workbook", "pipeline.review", "xlsxwriter", "pandas"):
        __import__(name)
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        if "argv" in cmd:
            pid = os.fork()
            if pid == 0:
                fd = os.open(os.devnull, os.O_RDWR)
                for n in (0, 1, 2):
                    os.dup2(fd, n)
                code = 70
                try:
                    code = main(cmd["argv"])
                except SystemExit as e:
                    code = e.code if isinstance(e.code, int) else 1
                finally:
                    os._exit(code)
            print(json.dumps({"pid": pid}), flush=True)
        elif "wait" in cmd:
            _, status = os.waitpid(cmd["wait"], 0)
            print(json.dumps({"status": status}), flush=True)
""")


def snapshot(folder: Path) -> Path:
    """A copy of the package to run: references and killed runs must be made by
    the same code, even while someone edits the working tree."""
    code = folder / "code"
    shutil.copytree(ROOT / "pipeline", code / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", code)
    return code


class Server:
    """A process that has imported the pipeline and forks one run per request."""

    def __init__(self, code: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER], cwd=code, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self._read()

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("fork server died")
        return json.loads(line)

    def _ask(self, cmd: dict) -> dict:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def start(self, argv: list[str]) -> int:
        return self._ask({"argv": argv})["pid"]

    def wait(self, pid: int) -> int:
        """The child's wait status (killed: signal number in the low bits)."""
        return self._ask({"wait": pid})["status"]

    def run(self, argv: list[str]) -> float:
        """Run to completion; seconds taken."""
        t = time.perf_counter()
        status = self.wait(self.start(argv))
        assert os.waitstatus_to_exitcode(status) == 0, status
        return time.perf_counter() - t

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


# --------------------------------------------------------------------------
# inputs: an old and a new version of every article


def make_inputs(folder: Path) -> tuple[Path, Path]:
    """raw/ as ``old/`` and, with one more sentence per article, ``new/``."""
    old, new = folder / "old", folder / "new"
    old.mkdir()
    new.mkdir()
    for p in sorted(RAW.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        (old / p.name).write_text(text, encoding="utf-8")
        (new / p.name).write_text(text + "\n全年新增市场主体1.2万户，同比增长9.9%，增速排名全省第三。\n",
                                  encoding="utf-8")
    return old, new


def files(folder: Path) -> dict[str, bytes]:
    """Every visible file under ``folder`` (hidden: the manifest, temporary files)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)}


def temporaries(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob(".*.tmp"))


def parse_csv(data: bytes) -> list[list[str]]:
    with io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def check_state(work: Path, old: dict[str, bytes], new: dict[str, bytes], where: str) -> None:
    """Every CSV is the old complete file or the new one; nothing old is lost."""
    now = files(work)
    for name, data in now.items():
        if name.endswith(".csv"):
            rows = parse_csv(data)  # parses, whole
            assert rows and rows[0], (where, name)
        # CSVs, and the workbook and pages too: whole files only
        assert data in (old.get(name), new.get(name)), f"{where}: {name} is neither the old nor the new file"
    lost = [n for n in old if n.endswith(".csv") and n not in now]
    assert not lost, f"{where}: lost {lost}"


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory):
    """Inputs and the complete outputs of the old and the new version."""
    folder = tmp_path_factory.mktemp("kill")
    code = snapshot(folder)
    old_in, new_in = make_inputs(folder)
    server = Server(code)
    try:
        server.run(["extract", str(old_in), "--out", str(folder / "ref_old"), "-q"])
        seconds = server.run(["extract", str(new_in), "--out", str(folder / "ref_new"), "-q"])
    finally:
        server.close()
    old, new = files(folder / "ref_old"), files(folder / "ref_new")
    changed = [n for n in new if n.endswith(".csv") and old.get(n) != new[n]]
    assert len(changed) > 20  # the new version changes most CSVs
    return folder, code, old_in, new_in, old, new, seconds


def _lane(lane: int, folder: Path, code: Path, old_in: Path, new_in: Path, old: dict, new: dict, seconds: float) -> int:
    rng = random.Random(SEED + lane)
    work = folder / f"work{lane}"
    shutil.copytree(folder / "ref_old", work)
    server = Server(code)
    kills = 0
    try:
        source = new_in
        attempts = 0
        while kills < KILLS_PER_LANE and attempts < 2 * KILLS_PER_LANE:
            attempts += 1
            # mostly the other version than last time, so that there is always something to write
            if rng.random() < 0.8:
                source = old_in if source == new_in else new_in
            force = ["--force"] if rng.random() < 0.2 else []
            pid = server.start(["extract", str(source), "--out", str(work), "-q", *force])
            time.sleep(rng.uniform(0.0, seconds * 1.1))
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            status = server.wait(pid)
            kills += os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
            check_state(work, old, new, f"lane {lane}, run {attempts} ({kills} killed)")
        # the next complete run finishes the job and leaves no temporary file
        server.run(["extract", str(new_in), "--out", str(work), "-q"])
    finally:
        server.close()
    assert files(work) == new
    assert temporaries(work) == []
    return kills


def test_runs_killed_at_random_instants_lose_nothing(references):
    folder, code, old_in, new_in, old, new, seconds = references
    with ThreadPoolExecutor(LANES) as pool:
        kills = sum(pool.map(lambda lane: _lane(lane, folder, code, old_in, new_in, old, new, seconds),
                             range(LANES)))
    assert kills >= LANES * KILLS_PER_LANE >= 50 - CLI_KILLS, kills


def test_command_line_runs_killed_lose_nothing(references):
    folder, code, old_in, new_in, old, new, seconds = references
    rng = random.Random(SEED)
    work = folder / "work_cli"
    shutil.copytree(folder / "ref_old", work)
    for i in range(CLI_KILLS):
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "extract", str(new_in), "--out", str(work), "-q"],
                                cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.8, 0.8 + seconds))  # after start-up (about a second)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        check_state(work, old, new, f"cli kill {i}")
    result = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(new_in), "--out", str(work), "-q"],
                            cwd=code, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert files(work) == new
    assert temporaries(work) == []


# --------------------------------------------------------------------------
# failures


def _extract(raw: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", "extract", str(raw), "--out", str(out), "-q"],
                          cwd=ROOT, capture_output=True, text=True)


SMALL = ["2015_daqing_rural_economy", "2017_daqing_q1_economy", "heshan_2022_plenary"]


def _small_raw(folder: Path) -> Path:
    return copy_raw(folder, SMALL)


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return {r["article_id"]: r for r in csv.DictReader(f)}


def test_a_failing_article_never_removes_the_output_of_another(tmp_path):
    raw, out = _small_raw(tmp_path), tmp_path / "out"
    assert _extract(raw, out).returncode == 0
    before = files(out)
    (raw / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    result = _extract(raw, out)
    assert result.returncode == 0
    after = files(out)
    for name in SMALL:
        for t in ("numbers", "percentages", "rankings", "projects", "entities"):
            key = f"{name}/{t}.csv"
            assert after[key] == before[key]
        assert _rows(out / "articles.csv")[name]["status"] == "ok"
    assert _rows(out / "articles.csv")["broken"]["status"] == "error"
    assert before["all/numbers.csv"] == after["all/numbers.csv"]


def test_a_failing_rerun_of_an_article_keeps_its_previous_output(tmp_path):
    raw, out = _small_raw(tmp_path), tmp_path / "out"
    assert _extract(raw, out).returncode == 0
    before = files(out)
    (raw / "heshan_2022_plenary.txt").write_bytes(b"")  # the article, emptied by mistake
    result = _extract(raw, out)
    assert result.returncode == 0
    assert "heshan_2022_plenary.txt: empty file" in result.stderr
    after = files(out)
    kept = {k: v for k, v in before.items() if k.startswith("heshan_2022_plenary/")}
    assert kept and all(after.get(k) == v for k, v in kept.items())
    row = _rows(out / "articles.csv")["heshan_2022_plenary"]
    assert (row["status"], row["error"]) == ("error", "empty file")


def test_temporary_files_of_a_killed_run_are_removed_by_the_next(tmp_path):
    from pipeline import write

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folder = tmp_path / "out" / "article"
    folder.mkdir(parents=True)
    stale = folder / f".numbers.csv.{dead.pid}.abcd1234.tmp"        # a run killed while writing
    alive = folder / f".numbers.csv.{os.getppid()}.abcd1234.tmp"    # a run still writing
    other = folder / ".notes.tmp"                                    # not ours
    for p in (stale, alive, other):
        p.write_bytes(b"partial")
    assert write.write_atomic(tmp_path / "out" / "articles.csv", b"article_id\n")
    assert not stale.exists()
    assert alive.exists() and other.exists()
    assert (tmp_path / "out" / "articles.csv").read_bytes() == b"article_id\n"
    assert oct((tmp_path / "out" / "articles.csv").stat().st_mode & 0o777) == oct(0o666 & ~write._UMASK)
