"""Benchmarks of the pipeline (``make bench``): never part of the tests.

Prints, with plain ``time.perf_counter``:

1. cold start: ``python -m pipeline extract raw/heshan_2022_plenary.txt`` (a
   fresh output folder each time) against the import floor
   ``python -c "import spacy, jieba, pandas; jieba.initialize()"``, medians,
   and their ratio (target ≤ 1.5);
2. throughput, characters per second, per stage (reading, segmentation,
   figures, rankings, context, NER, writing) over the 11 articles of raw/
   repeated to about 5 MB (target ≥ 100,000 for the whole pipeline), and of
   the command line on the same batch;
3. peak memory (``ru_maxrss`` of the child, from ``os.wait4``) of command-line
   runs on batches of growing size, and what that makes for 100 MB;
4. ``--workers 2`` against one worker (target ≥ 1.7×);
5. scaling: time at n, 2n and 4n characters for the hostile inputs of
   ``tests/test_bad_inputs.py`` (4n/n near 4 is linear, near 16 quadratic);
6. one 20 MB article, stage by stage.

Usage: ``python bench/bench.py [--mb 5] [--repeat 5] [--only cold,stages,memory,workers,scaling,big]
[--memory-mb 5,20] [--big-mb 20] [--profile]``. ``--profile`` prints a pyinstrument profile of the
in-process pipeline over the batch.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
SEED = RAW / "heshan_2022_plenary.txt"
PY = sys.executable
FLOOR = "import spacy, jieba, pandas; jieba.initialize()"
sys.path.insert(0, str(ROOT))


def run_child(cmd: list[str], cwd: Path = ROOT) -> tuple[float, int, int]:
    """(seconds, exit code, peak RSS in KiB) of one child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t, proc.returncode, usage.ru_maxrss


def make_batch(folder: Path, megabytes: float) -> tuple[Path, int]:
    """raw/ copied (article ids suffixed) until the batch holds ``megabytes`` MB;
    (folder, characters of the article bodies)."""
    from pipeline.reading import read_article

    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(RAW.glob("*.txt"))
    size, chars, i = 0, 0, 0
    while size < megabytes * 2**20:
        src = sources[i % len(sources)]
        dst = folder / f"{src.stem}__{i // len(sources):03d}.txt"
        shutil.copy(src, dst)
        size += dst.stat().st_size
        chars += len(read_article(dst)[0].body)
        i += 1
    return folder, chars


def fmt_rate(chars: int, seconds: float) -> str:
    return f"{chars / seconds:>12,.0f} chars/s" if seconds > 0 else "            -"


# --------------------------------------------------------------------------


def bench_cold(repeat: int) -> None:
    print(f"\n## Cold start (median of {repeat})")
    floors, starts = [], []
    with tempfile.TemporaryDirectory() as tmp:
        run_child([PY, "-m", "pipeline", "extract", str(SEED), "--out", f"{tmp}/warm", "-q"])  # disk cache
        for i in range(repeat):
            floors.append(run_child([PY, "-c", FLOOR])[0])
            seconds, code, _ = run_child([PY, "-m", "pipeline", "extract", str(SEED), "--out", f"{tmp}/o{i}", "-q"])
            assert code == 0, "extract failed"
            starts.append(seconds)
    floor, start = statistics.median(floors), statistics.median(starts)
    print(f"import floor  python -c '{FLOOR}'   {floor:6.2f} s")
    print(f"cold start    python -m pipeline extract {SEED.relative_to(ROOT)}   {start:6.2f} s")
    print(f"ratio         {start / floor:6.2f}   (target ≤ 1.5)")


def stage_times(files: list[Path], out: Path) -> tuple[dict[str, float], int]:
    """Seconds per stage over ``files``, in this process, and total characters."""
    from pipeline import write
    from pipeline.context import attach_context, infer_title
    from pipeline.extract.figures import find_figures
    from pipeline.extract.rankings import find_rankings
    from pipeline.reading import read_article
    from pipeline.segment import segment
    from pipeline.tables import TABLES

    try:
        from pipeline.extract.entities import extract_entities
        from pipeline.extract.projects import extract_projects
    except ImportError:
        extract_projects = extract_entities = None  # type: ignore[assignment]

    # warm every stage once (lazy loads: word lists, regexes, the spaCy pipeline)
    from pipeline import extract_text
    extract_text("规模以上工业增加值159.26亿元，同比增长4.4%，增速在江门市排名第三。", ner=extract_projects is not None)

    times = dict.fromkeys(["reading", "segmentation", "figures", "rankings", "context", "NER", "writing"], 0.0)
    chars = 0
    clock = time.perf_counter
    for path in files:
        t0 = clock()
        article, _ = read_article(path)
        t1 = clock()
        segment(article)
        t2 = clock()
        figures = find_figures(article)
        t3 = clock()
        rankings = find_rankings(article)
        t4 = clock()
        infer_title(article)
        tables = attach_context(article, figures, rankings)
        t5 = clock()
        if extract_projects is not None:
            tables["projects"] = extract_projects(article)
            tables["entities"] = extract_entities(article, tables["projects"])
        t6 = clock()
        for table, columns in TABLES.items():
            write.write_atomic(out / article.article_id / f"{table}.csv",
                               write.to_csv_bytes(tables.get(table, []), columns))
        t7 = clock()
        for name, a, b in (("reading", t0, t1), ("segmentation", t1, t2), ("figures", t2, t3),
                           ("rankings", t3, t4), ("context", t4, t5), ("NER", t5, t6), ("writing", t6, t7)):
            times[name] += b - a
        chars += len(article.body)
    return times, chars


def bench_stages(mb: float, profile: bool) -> None:
    print(f"\n## Throughput per stage, raw/ repeated to {mb:g} MB (one process)")
    with tempfile.TemporaryDirectory() as tmp:
        batch, chars = make_batch(Path(tmp) / "batch", mb)
        files = sorted(batch.glob("*.txt"))
        size = sum(p.stat().st_size for p in files)
        print(f"batch: {len(files)} articles, {size / 2**20:.1f} MB, {chars:,} characters")
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        times, counted = stage_times(files, Path(tmp) / "out")
        if profile:
            profiler.stop()
        assert counted == chars
        for name, seconds in times.items():
            print(f"{name:<14}{seconds:8.2f} s {fmt_rate(chars, seconds)}")
        total = sum(times.values())
        print(f"{'all stages':<14}{total:8.2f} s {fmt_rate(chars, total)}   (target ≥ 100,000)")
        for label, extra in (("CLI --no-reports", ["--no-reports"]), ("CLI (default)", [])):
            seconds, code, rss = run_child([PY, "-m", "pipeline", "extract", str(batch), "--out",
                                            f"{tmp}/cli{len(extra)}", "-q", *extra])
            assert code == 0, label
            print(f"{label:<17}{seconds:5.2f} s {fmt_rate(chars, seconds)}  (start-up, collections and "
                  f"reports included; peak RSS {rss / 1024:.0f} MB)")
        if profile:
            print(profiler.output_text(unicode=True, color=False, show_all=False))


def bench_memory(sizes: list[float]) -> None:
    print("\n## Peak memory of a command-line run (ru_maxrss of the child)")
    points = []
    for mb in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            batch, chars = make_batch(Path(tmp) / "batch", mb)
            for label, extra in (("--no-reports", ["--no-reports"]), ("default", [])):
                seconds, code, rss = run_child([PY, "-m", "pipeline", "extract", str(batch), "--out",
                                                f"{tmp}/out{len(extra)}", "-q", *extra])
                assert code == 0
                print(f"{mb:6g} MB batch {label:<13} peak {rss / 1024:7.0f} MB   ({seconds:.1f} s)")
                points.append((label, mb, rss / 1024))
    for label in ("--no-reports", "default"):
        pts = [(mb, r) for lab, mb, r in points if lab == label]
        if len(pts) >= 2:
            (m1, r1), (m2, r2) = pts[0], pts[-1]
            slope = (r2 - r1) / (m2 - m1)
            print(f"{label:<13} grows {slope:5.1f} MB per MB of input: about {r2 + slope * (100 - m2):,.0f} MB "
                  f"for a 100 MB batch (target < 1,024)")


def bench_workers(mb: float) -> None:
    print(f"\n## --workers 2 against one worker, raw/ repeated to {mb:g} MB, --no-reports")
    usage = subprocess.run([PY, "-m", "pipeline", "extract", "--help"], cwd=ROOT, capture_output=True, text=True)
    if "--workers" not in usage.stdout:
        print("no --workers flag in this version")
        return
    with tempfile.TemporaryDirectory() as tmp:
        batch, chars = make_batch(Path(tmp) / "batch", mb)
        one, code1, _ = run_child([PY, "-m", "pipeline", "extract", str(batch), "--out", f"{tmp}/w1", "-q",
                                   "--no-reports", "--workers", "1"])
        two, code2, _ = run_child([PY, "-m", "pipeline", "extract", str(batch), "--out", f"{tmp}/w2", "-q",
                                   "--no-reports", "--workers", "2"])
        assert code1 == code2 == 0
    print(f"CPUs: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    print(f"1 worker   {one:6.2f} s {fmt_rate(chars, one)}")
    print(f"2 workers  {two:6.2f} s {fmt_rate(chars, two)}")
    print(f"speed-up   {one / two:6.2f}×   (target ≥ 1.7)")


def bench_scaling() -> None:
    from pipeline import extract_text
    from pipeline.reading import clean_text
    from pipeline.html import html_to_text
    from pipeline.segment import segment
    from pipeline.model import Article

    print("\n## Scaling of hostile inputs: seconds at n, 2n, 4n characters (extract_text, no NER)")
    seed = SEED.read_text(encoding="utf-8").split("---\n", 2)[2]
    flat = "".join(c for c in seed if c not in "。！？；;!?\n")
    cases = {
        "line without punctuation": (lambda n: (flat * (n // len(flat) + 1))[:n], 50_000),
        "digits in a row, then yi yuan": (lambda n: "1" * n + "亿元", 50_000),
        "photo-credit-like names": (lambda n: "张三 " * (n // 3), 50_000),
        "figures in one sentence": (lambda n: "工业投资129亿元，同比增长13.6%，" * (n // 19), 20_000),
        "opening brackets": (lambda n: "（" * n + "增长4.4%", 50_000),
        "control characters": (lambda n: ("增长\x00\x1b4.4%\x7f。" * (n // 9)), 50_000),
        "yi yi yi (was quadratic)": (lambda n: "亿" * n, 5_000),
        "yi (one) yi yi (was quadratic)": (lambda n: "一" * n, 5_000),
    }
    extract_text(flat[:2000])  # warm: word lists, regexes, the segmenter's dictionary
    for name, (make, n) in cases.items():
        row = []
        for k in (1, 2, 4):
            text = make(n * k)
            t = time.perf_counter()
            extract_text(text)
            row.append(time.perf_counter() - t)
        print(f"{name:<28} n={n:>7,}  {row[0]:7.3f} {row[1]:7.3f} {row[2]:7.3f} s   4n/n = {row[2] / max(row[0], 1e-9):5.1f}")
    for name, make, n in (("html_to_text: <a<a<a", lambda n: "<html><body>" + "<a" * (n // 2), 200_000),
                          ("segment: photo-credit names", lambda n: "张三 " * (n // 3), 200_000)):
        row = []
        for k in (1, 2, 4):
            text = make(n * k)
            t = time.perf_counter()
            if name.startswith("HTML"):
                html_to_text(text)
            else:
                segment(Article("x", "", clean_text(text), "str"))
            row.append(time.perf_counter() - t)
        print(f"{name:<28} n={n:>7,}  {row[0]:7.3f} {row[1]:7.3f} {row[2]:7.3f} s   4n/n = {row[2] / max(row[0], 1e-9):5.1f}")


def bench_big(mb: float) -> None:
    """One article of ``mb`` MB (the seed's body repeated), stage by stage."""
    print(f"\n## One {mb:g} MB article (the seed's body repeated), stage by stage, in one process")
    with tempfile.TemporaryDirectory() as tmp:
        body = SEED.read_text(encoding="utf-8").split("---\n", 2)[2].encode("utf-8")
        path = Path(tmp) / "huge.txt"
        path.write_bytes(b"---\ndate: 2022-12-21\n---\n" + body * int(mb * 2**20 // len(body) + 1))
        files = [path]
        try:
            times, chars = stage_times(files, Path(tmp) / "out")
        except Exception as err:  # noqa: BLE001 - a benchmark reports what stops it
            print(f"stopped: {type(err).__name__}: {str(err)[:160]}")
            from pipeline.context import attach_context, infer_title
            from pipeline.extract.figures import find_figures
            from pipeline.extract.rankings import find_rankings
            from pipeline.reading import read_article
            from pipeline.segment import segment

            clock = time.perf_counter
            t0 = clock(); article, _ = read_article(path); t1 = clock()
            segment(article); t2 = clock()
            figures = find_figures(article); t3 = clock()
            rankings = find_rankings(article); t4 = clock()
            infer_title(article)
            attach_context(article, figures, rankings); t5 = clock()
            times = {"reading": t1 - t0, "segmentation": t2 - t1, "figures": t3 - t2, "rankings": t4 - t3,
                     "context": t5 - t4}
            chars = len(article.body)
        print(f"{chars:,} characters")
        for name, seconds in times.items():
            print(f"{name:<14}{seconds:8.2f} s {fmt_rate(chars, seconds)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=5.0, help="batch size for throughput (default 5)")
    parser.add_argument("--repeat", type=int, default=5, help="cold-start repetitions (default 5)")
    parser.add_argument("--memory-mb", default="5,20", help="batch sizes for peak memory (default 5,20)")
    parser.add_argument("--only", default="cold,stages,memory,workers,scaling,big", help="sections to run")
    parser.add_argument("--big-mb", type=float, default=20.0, help="size of the one big article (default 20)")
    parser.add_argument("--profile", action="store_true", help="pyinstrument profile of the stages")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    if "cold" in only:
        bench_cold(args.repeat)
    if "stages" in only:
        bench_stages(args.mb, args.profile)
    if "memory" in only:
        bench_memory([float(x) for x in args.memory_mb.split(",")])
    if "workers" in only:
        bench_workers(args.mb)
    if "scaling" in only:
        bench_scaling()
    if "big" in only:
        bench_big(args.big_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
