"""Orchestration: files in, one folder of CSVs per article, then ``all/`` and
``articles.csv``, then what an analyst opens: ``extraction.xlsx``,
``<id>/review.html`` and ``index.html``. One bad article never stops the batch
or removes output.

Incremental runs (``run(..., incremental=True)``, the command line's default)
keep ``.manifest.json`` in the output folder: per article the hash of its file,
of the pipeline's code and data, the ``--date`` given, its ``articles.csv`` row
and the hashes of the files written for it. An article whose file, code and
options are unchanged and whose outputs are intact is not processed again.
Collections, the workbook and the index are rebuilt only when their inputs
changed (their input hash is in the manifest too), and no file is rewritten with
the bytes it already holds. Heavy libraries (spaCy, pandas, openpyxl) are
imported only when something has to be built.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .errors import ArticleError
from .model import Article, Row
from .tables import ARTICLE_COLUMNS, TABLES
from . import write

log = logging.getLogger(__name__)
EXTRACTION_TABLES = list(TABLES)
MANIFEST = ".manifest.json"
MANIFEST_VERSION = 1
PROGRESS_ABOVE = 3  # articles; fewer get no progress bar
PACKAGE = Path(__file__).resolve().parent


@dataclass
class ArticleResult:
    """What extraction produced for one input file.

    skipped (bool): unchanged since the last incremental run; its files were
        kept, ``article`` and ``tables`` are not loaded, ``summary`` holds its
        ``articles.csv`` row.
    """

    article_id: str
    source_file: str
    status: str = "ok"
    error: str = ""
    article: Article | None = None
    tables: dict[str, list[Row]] = field(default_factory=dict)
    skipped: bool = False
    summary: dict[str, Any] | None = None

    def summary_row(self) -> dict[str, Any]:
        if self.summary is not None:
            return dict(self.summary)
        a = self.article
        row: dict[str, Any] = {
            "article_id": self.article_id, "source_file": self.source_file,
            "status": self.status, "error": self.error,
        }
        if a is not None:
            row.update({
                "title": a.title, "date": a.date.isoformat() if a.date else "",
                "date_source": a.date_source, "encoding": a.encoding, "chars": len(a.body),
                "paragraphs": len(a.paragraphs), "sentences": len(a.sentences),
            })
        for t in EXTRACTION_TABLES:
            row[t] = len(self.tables[t]) if t in self.tables else None
        return row


def extract_article(path: Path, default_date: dt.date | None = None) -> ArticleResult:
    """Read, segment and extract one article; errors become a result with a reason."""
    from .reading import read_article
    from .segment import segment
    from .extract.figures import find_figures
    from .context import attach_context, infer_title
    from .extract.rankings import find_rankings

    result = ArticleResult(path.stem, path.name)
    try:
        article, warnings = read_article(path, default_date)
        segment(article)
        infer_title(article)
        result.article = article
        figures = find_figures(article)
        rankings = find_rankings(article)
        tables = attach_context(article, figures, rankings)
        tables["projects"], tables["entities"] = _ner_tables(article)
        result.tables = tables
        if warnings:
            result.error = "warning: " + "; ".join(warnings)
    except ArticleError as err:
        result.status, result.error = "error", str(err)
    except (OSError, UnicodeError) as err:
        result.status, result.error = "error", f"cannot read: {err}"
    except RecursionError:
        result.status, result.error = "error", "article too deeply nested to process"
    return result


def _ner_tables(article: Article) -> tuple[list[Row], list[Row]]:
    try:
        from .extract.projects import extract_projects
        from .extract.entities import extract_entities
    except ImportError:  # the NER stage is optional until it lands
        return [], []
    projects = extract_projects(article)
    return projects, extract_entities(article, projects)


def write_collections(article_ids: list[str], summaries: list[dict[str, Any]], out_dir: Path,
                      manifest: "Manifest | None" = None) -> None:
    """``all/<table>.csv`` from the per-article files, and ``articles.csv``."""
    for table, columns in TABLES.items():
        paths = [out_dir / a / f"{table}.csv" for a in article_ids]
        write.write_atomic(out_dir / "all" / f"{table}.csv", write.concat_csv(paths, columns))
    key = _json_hash(summaries)
    if manifest is None or not manifest.output_fresh("articles.csv", key):
        write.write_table(out_dir / "articles.csv", summaries, ARTICLE_COLUMNS)
        if manifest is not None:
            manifest.record_output("articles.csv", key)


def collect_inputs(inputs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in inputs:
        if p.is_dir():
            files.extend(sorted(x for x in p.iterdir() if x.is_file() and not x.name.startswith(".")))
        else:
            files.append(p)
    seen: set[str] = set()
    unique = []
    for f in files:
        if f.stem not in seen:
            seen.add(f.stem)
            unique.append(f)
    return unique


# --- hashes and the manifest -----------------------------------------------------------

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str | None:
    try:
        return _sha(path.read_bytes())
    except OSError:
        return None


def _json_hash(value: Any) -> str:
    return _sha(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def code_version() -> str:
    """A hash of the pipeline's code and data (every file of the package) and of
    ``pyproject.toml`` (the pinned dependencies): output is a function of these."""
    h = hashlib.sha256()
    files = [p for p in PACKAGE.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
             and p.suffix not in (".pyc", ".pyo")]
    pyproject = PACKAGE.parent / "pyproject.toml"
    if pyproject.is_file():
        files.append(pyproject)
    for p in sorted(files):
        try:
            data = p.read_bytes()
        except OSError:
            continue
        h.update(p.relative_to(PACKAGE.parent).as_posix().encode() + b"\0" + _sha(data).encode())
    return h.hexdigest()


class Manifest:
    """``extracted/.manifest.json``: what each output was built from."""

    def __init__(self, out_dir: Path, data: dict[str, Any] | None = None) -> None:
        self.out_dir = out_dir
        data = data if data and data.get("version") == MANIFEST_VERSION else {}
        self.articles: dict[str, dict[str, Any]] = data.get("articles", {})
        self.outputs: dict[str, dict[str, str]] = data.get("outputs", {})

    @classmethod
    def load(cls, out_dir: Path) -> "Manifest":
        try:
            data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        return cls(out_dir, data if isinstance(data, dict) else None)

    def save(self) -> None:
        data = {"version": MANIFEST_VERSION, "articles": self.articles, "outputs": self.outputs}
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1) + "\n"
        write.write_atomic(self.out_dir / MANIFEST, text.encode("utf-8"))

    def reusable(self, path: Path, source_sha: str | None, code: str, options: dict[str, Any]) -> dict[str, Any] | None:
        """The entry of ``path`` when nothing it depends on changed, else None."""
        entry = self.articles.get(path.stem)
        if (entry is None or source_sha is None or entry.get("sha256") != source_sha
                or entry.get("code") != code or entry.get("options") != options
                or (entry.get("summary") or {}).get("source_file") != path.name):
            return None
        folder = self.out_dir / path.stem
        for name, sha in entry.get("files", {}).items():
            if _file_sha(folder / name) != sha:
                return None
        return entry

    def record_article(self, path: Path, source_sha: str | None, code: str, options: dict[str, Any],
                       summary: dict[str, Any], files: dict[str, bytes]) -> None:
        self.articles[path.stem] = {
            "source": path.as_posix(), "sha256": source_sha, "code": code, "options": options,
            "summary": summary, "files": {name: _sha(data) for name, data in sorted(files.items())},
        }

    def output_fresh(self, name: str, key: str) -> bool:
        entry = self.outputs.get(name)
        return bool(entry and entry.get("key") == key and _file_sha(self.out_dir / name) == entry.get("sha256"))

    def record_output(self, name: str, key: str) -> None:
        sha = _file_sha(self.out_dir / name)
        if sha is not None:
            self.outputs[name] = {"key": key, "sha256": sha}

    def source_of(self, article_id: str) -> Path | None:
        source = self.articles.get(article_id, {}).get("source")
        return Path(source) if source else None


# --- one article, in this process or a worker ------------------------------------------

@dataclass
class Processed:
    """An article's result and the files to write into ``<out>/<article_id>/``."""

    result: ArticleResult
    files: dict[str, bytes]


def summary_text(summary: dict[str, Any]) -> dict[str, str]:
    """An ``articles.csv`` row as the CSV has it (text)."""
    return {c: write.format_cell(c, summary.get(c)) for c in ARTICLE_COLUMNS}


def article_links(xlsx: bool) -> list[tuple[str, str]]:
    links = [(f"{t}.csv", f"{t}.csv") for t in TABLES]
    if xlsx:
        links.append(("extraction.xlsx", "extraction.xlsx"))
    links.append(("workbook (all articles)", "../extraction.xlsx"))
    return links


def process_article(path: Path, default_date: dt.date | None = None, review: bool = True,
                    xlsx: bool = False) -> Processed:
    """Extract one article and build its files (CSVs, review page, workbook)."""
    if not path.exists():
        return Processed(ArticleResult(path.stem, path.name, "error", "file not found"), {})
    try:
        res = extract_article(path, default_date)
    except Exception as err:  # a bug in a stage: this article fails, the batch goes on
        log.error("%s: internal error", path.name, exc_info=True)
        reason = f"internal error: {type(err).__name__}: {err}".splitlines()[0]
        return Processed(ArticleResult(path.stem, path.name, "error", reason), {})
    files: dict[str, bytes] = {}
    if res.status != "ok":
        return Processed(res, files)
    for table, columns in TABLES.items():
        files[f"{table}.csv"] = write.to_csv_bytes(res.tables.get(table, []), columns)
    if review or xlsx:
        from .workbook import read_csv
        tables = {t: read_csv(files[f"{t}.csv"]) for t in TABLES}
        summary = summary_text(res.summary_row())
        if review:
            from .review import render_review
            a = res.article
            files["review.html"] = render_review(summary, tables, a.body if a else None,
                                                 a.meta if a else None, article_links(xlsx))
        if xlsx:
            from .workbook import article_workbook
            files["extraction.xlsx"] = article_workbook(
                {t: files[f"{t}.csv"] for t in TABLES}, summary)
    return Processed(res, files)


# What the stages build lazily on first use and takes long to build: done once
# before worker processes fork, so each starts with it in memory.
WARM_UP = [("ner", "get_nlp", ()), ("pos", "noun_head", ("工业企业实现",))]


def _warm_up() -> None:
    """Import the extraction stages and build their lazy resources (``WARM_UP``)
    in this process, before workers fork from it."""
    import importlib

    for name in ("reading", "segment", "extract.figures", "extract.rankings", "context",
                 "review", "workbook"):
        importlib.import_module(f"{__package__}.{name}")
    write.to_csv_bytes([], ["warm-up"])  # imports pandas
    for module, function, args in WARM_UP:
        try:
            getattr(importlib.import_module(f"{__package__}.{module}"), function)(*args)
        except Exception as err:  # only a speed-up: never a reason to fail the run
            log.debug("warm-up %s.%s: %s", module, function, err)


def _process_all(paths: list[Path], default_date: dt.date | None, review: bool, xlsx: bool,
                 workers: int, bar: Any) -> Iterator[Processed]:
    """``process_article`` over ``paths``, in their order, in ``workers`` processes."""
    if workers <= 1 or len(paths) <= 1:
        for p in paths:
            done = process_article(p, default_date, review, xlsx)
            bar.update()
            yield done
        return
    from concurrent.futures import ProcessPoolExecutor

    _warm_up()
    pool = ProcessPoolExecutor(max_workers=min(workers, len(paths)))
    try:
        futures = [pool.submit(process_article, p, default_date, review, xlsx) for p in paths]
        for f in futures:
            f.add_done_callback(lambda _: bar.update())
        for f in futures:  # results in input order, whatever order they finish in
            yield f.result()
    finally:  # on an error or an interrupt, drop the articles not started yet
        pool.shutdown(wait=True, cancel_futures=True)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, progress: bool | None) -> Any:
    if progress is None:
        progress = total > PROGRESS_ABOVE and sys.stderr.isatty()
    if not progress or total == 0:
        return _NoBar()
    import shutil
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes fork from this one
    size = shutil.get_terminal_size((100, 24))  # a size tqdm cannot read (0) takes the fallback
    return tqdm(total=total, file=sys.stderr, unit="article", desc="extract", leave=False,
                ncols=min(size.columns, 120), nrows=size.lines)


# --- the run ---------------------------------------------------------------------------

def run(inputs: list[Path], out_dir: Path, default_date: dt.date | None = None, *,
        workers: int = 1, incremental: bool = False, progress: bool | None = None,
        reports: bool = True, xlsx_per_article: bool = False) -> list[ArticleResult]:
    """Extract every article of ``inputs`` into ``out_dir``; returns one result per
    file with its ``articles.csv`` row (``summary``), not its rows: those are on disk.

    workers: processes extracting in parallel (output is the same as with 1).
    incremental: skip articles unchanged since the last run (see the module doc).
    progress: a progress bar on standard error; None shows one for more than a
        few articles when standard error is a terminal.
    reports: also write ``extraction.xlsx``, ``<id>/review.html`` and ``index.html``.
    xlsx_per_article: also write ``<id>/extraction.xlsx``.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    files = collect_inputs(inputs)
    manifest = Manifest.load(out_dir)
    code = code_version()
    options = {"date": default_date.isoformat() if default_date else "",
               "review": reports, "xlsx": xlsx_per_article}
    results: list[ArticleResult | None] = [None] * len(files)
    hashes = [_file_sha(p) for p in files]
    todo: list[int] = []
    for i, path in enumerate(files):
        entry = manifest.reusable(path, hashes[i], code, options) if incremental else None
        if entry is None:
            todo.append(i)
            continue
        s = entry["summary"]
        results[i] = ArticleResult(path.stem, path.name, s.get("status", "ok"), s.get("error", ""),
                                   skipped=True, summary=s)

    bar = _progress_bar(len(todo), progress)
    redirect = None
    if not isinstance(bar, _NoBar):
        from tqdm.contrib.logging import logging_redirect_tqdm
        redirect = logging_redirect_tqdm()
        redirect.__enter__()
    try:
        processed = _process_all([files[i] for i in todo], default_date, reports,
                                 xlsx_per_article, workers, bar)
        for i, done in zip(todo, processed):
            res, path = done.result, files[i]
            if res.status == "ok":
                for name, data in done.files.items():
                    write.write_atomic(out_dir / res.article_id / name, data)
            else:
                log.warning("%s: %s", res.source_file, res.error)
            if res.status == "ok" and res.error:
                log.warning("%s: %s", res.source_file, res.error)   # read with a caveat: say so
            if path.exists():
                manifest.record_article(path, hashes[i], code, options, res.summary_row(), done.files)
            # keep the articles.csv row only: a batch streams, it never holds every article's rows
            results[i] = ArticleResult(res.article_id, res.source_file, res.status, res.error,
                                       summary=res.summary_row())
            del done, res
    finally:
        bar.close()
        if redirect is not None:
            redirect.__exit__(None, None, None)

    final = [r for r in results if r is not None]
    ok_ids = [r.article_id for r in final if r.status == "ok"]
    summaries = [r.summary_row() for r in final]
    write_collections(ok_ids, summaries, out_dir, manifest)
    if reports:
        write_reports(out_dir, summaries, ok_ids, manifest, code)
    manifest.save()
    log.info("%s", summary_line(final, time.perf_counter() - started))
    return final


def write_reports(out_dir: Path, summaries: list[dict[str, Any]], ok_ids: list[str],
                  manifest: Manifest, code: str) -> None:
    """``extraction.xlsx`` from ``all/`` and ``articles.csv``, and ``index.html``;
    each only when its inputs changed."""
    from .workbook import inputs_key, workbook_inputs

    key = _sha((code + inputs_key(workbook_inputs(out_dir))).encode())
    if not manifest.output_fresh("extraction.xlsx", key):
        from .workbook import workbook_from_dir
        write.write_atomic(out_dir / "extraction.xlsx", workbook_from_dir(out_dir))
        manifest.record_output("extraction.xlsx", key)
    texts = [summary_text(s) for s in summaries]
    reviews = sorted(a for a in ok_ids if (out_dir / a / "review.html").exists())
    key = _json_hash([code, texts, reviews])
    if not manifest.output_fresh("index.html", key):
        from .review import render_index
        links = [("extraction.xlsx", "extraction.xlsx"), ("articles.csv", "articles.csv")]
        links += [(f"all/{t}.csv", f"all/{t}.csv") for t in TABLES]
        write.write_atomic(out_dir / "index.html", render_index(texts, set(reviews), links))
        manifest.record_output("index.html", key)


def summary_line(results: list[ArticleResult], seconds: float) -> str:
    """``11 articles: 11 ok, 0 failed (9 unchanged) · rows: numbers 1104, … · 1.3 s``."""
    ok = sum(r.status == "ok" for r in results)
    skipped = sum(r.skipped for r in results)
    rows = {t: 0 for t in EXTRACTION_TABLES}
    for r in results:
        s = r.summary_row()
        for t in EXTRACTION_TABLES:
            rows[t] += int(s.get(t) or 0)
    unchanged = f" ({skipped} unchanged, not extracted again)" if skipped else ""
    return (f"{len(results)} articles: {ok} ok, {len(results) - ok} failed{unchanged} · rows: "
            + ", ".join(f"{t} {n}" for t, n in rows.items()) + f" · {seconds:.1f} s")


def rebuild_reports(out_dir: Path, xlsx_per_article: bool = False) -> int:
    """Rebuild the workbook(s), review pages and index from the CSVs in ``out_dir``
    (no extraction). The article text comes from the file the manifest names.
    Returns the number of review pages written."""
    from .reading import read_article
    from .review import render_review
    from .workbook import article_workbook, read_csv

    out_dir = Path(out_dir)
    manifest = Manifest.load(out_dir)
    _, summaries = read_csv(out_dir / "articles.csv")
    ok_ids = [s["article_id"] for s in summaries if s.get("status") == "ok"
              and (out_dir / s["article_id"]).is_dir()]
    pages = 0
    for aid in ok_ids:
        summary = next(s for s in summaries if s["article_id"] == aid)
        csv_bytes = {t: (out_dir / aid / f"{t}.csv").read_bytes() for t in TABLES
                     if (out_dir / aid / f"{t}.csv").exists()}
        body = meta = None
        source = manifest.source_of(aid)
        if source is not None and source.exists():
            try:
                article, _ = read_article(source)
                body, meta = article.body, article.meta
            except (ArticleError, OSError, UnicodeError):
                pass
        tables = {t: read_csv(b) for t, b in csv_bytes.items()}
        built = {"review.html": render_review(summary, tables, body, meta, article_links(xlsx_per_article))}
        if xlsx_per_article:
            built["extraction.xlsx"] = article_workbook(csv_bytes, summary)
        entry = manifest.articles.get(aid)
        for name, data in built.items():
            write.write_atomic(out_dir / aid / name, data)
            if entry is not None and name in entry.get("files", {}):
                entry["files"][name] = _sha(data)  # so the next run still finds the article intact
        pages += 1
    typed = [{c: s.get(c, "") for c in ARTICLE_COLUMNS} for s in summaries]
    manifest.outputs.pop("extraction.xlsx", None)
    manifest.outputs.pop("index.html", None)
    write_reports(out_dir, typed, ok_ids, manifest, code_version())
    manifest.save()
    return pages
