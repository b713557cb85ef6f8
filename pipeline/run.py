"""Orchestration: files in, one folder of CSVs per article, then ``all/`` and
``articles.csv``. One bad article never stops the batch or removes output."""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ArticleError
from .model import Article, Row
from .tables import ARTICLE_COLUMNS, TABLES
from . import write

log = logging.getLogger(__name__)
EXTRACTION_TABLES = list(TABLES)


@dataclass
class ArticleResult:
    """What extraction produced for one input file."""

    article_id: str
    source_file: str
    status: str = "ok"
    error: str = ""
    article: Article | None = None
    tables: dict[str, list[Row]] = field(default_factory=dict)

    def summary_row(self) -> dict[str, Any]:
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


def write_article(result: ArticleResult, out_dir: Path) -> None:
    folder = out_dir / result.article_id
    for table, columns in TABLES.items():
        write.write_table(folder / f"{table}.csv", result.tables.get(table, []), columns)


def write_collections(article_ids: list[str], summaries: list[dict[str, Any]], out_dir: Path) -> None:
    """``all/<table>.csv`` from the per-article files, and ``articles.csv``."""
    for table, columns in TABLES.items():
        paths = [out_dir / a / f"{table}.csv" for a in article_ids]
        write.write_atomic(out_dir / "all" / f"{table}.csv", write.concat_csv(paths, columns))
    write.write_table(out_dir / "articles.csv", summaries, ARTICLE_COLUMNS)


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


def run(inputs: list[Path], out_dir: Path, default_date: dt.date | None = None) -> list[ArticleResult]:
    """Extract every article of ``inputs`` into ``out_dir``; returns the results."""
    started = time.perf_counter()
    files = collect_inputs(inputs)
    results = []
    for path in files:
        if not path.exists():
            res = ArticleResult(path.stem, path.name, "error", "file not found")
        else:
            res = extract_article(path, default_date)
        if res.status == "ok":
            write_article(res, out_dir)
        else:
            log.warning("%s: %s", res.source_file, res.error)
        results.append(res)
    ok_ids = [r.article_id for r in results if r.status == "ok"]
    write_collections(ok_ids, [r.summary_row() for r in results], out_dir)
    log.info("%d articles (%d failed) in %.1f s", len(results),
             sum(r.status != "ok" for r in results), time.perf_counter() - started)
    return results
