"""Chinese government news to spreadsheets of figures.

Public API: ``extract_text`` (a string in, rows per table out), ``extract_article``
(one file), ``run`` (files and folders to CSVs). The command line is
``python -m pipeline extract``.
"""
from __future__ import annotations

import datetime as dt

from .model import Article, Row

__all__ = ["extract_text", "extract_article", "run"]


def extract_text(text: str, date: dt.date | None = None, article_id: str = "text",
                 meta: dict[str, str] | None = None, ner: bool = False) -> dict[str, list[Row]]:
    """Extract every table from ``text`` (taken as an article body).

    >>> rows = extract_text("规模以上工业增加值159.26亿元,同比增长4.4%。")
    >>> [(r["text"], str(r["value_normalized"])) for r in rows["numbers"]]
    [('159.26亿元', '15926000000.00')]
    >>> [(r["text"], r["metric"], r["kind"], r["direction"]) for r in rows["percentages"]]
    [('4.4%', '规模以上工业增加值', 'change', 'up')]
    """
    from .context import attach_context, infer_title
    from .extract.figures import find_figures
    from .extract.rankings import find_rankings
    from .reading import clean_text
    from .segment import segment

    article = Article(article_id=article_id, source_file="", body=clean_text(text), encoding="str",
                      meta=dict(meta or {}), date=date, date_source="cli" if date else "none")
    segment(article)
    infer_title(article)
    tables = attach_context(article, find_figures(article), find_rankings(article))
    if ner:
        from .run import _ner_tables
        tables["projects"], tables["entities"] = _ner_tables(article)
    return tables


def extract_article(path, default_date=None):  # type: ignore[no-untyped-def]
    """Extract one file; see ``pipeline.run.extract_article``."""
    from .run import extract_article as _extract
    return _extract(path, default_date)


def run(inputs, out_dir, default_date=None):  # type: ignore[no-untyped-def]
    """Extract files and folders into ``out_dir``; see ``pipeline.run.run``."""
    from .run import run as _run
    return _run(inputs, out_dir, default_date)
