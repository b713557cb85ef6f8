"""The entities table (SPEC §2 entities.csv): one row per distinct (text, label).

Labels follow spaCy's OntoNotes set (PERSON, ORG, GPE, LOC, FAC, EVENT, LAW,
WORK_OF_ART) and PROJECT, whose rows mirror the projects table. The mentions
come from the NER stage (``pipeline.ner``); this module counts them and gives
each row the provenance of its first mention.

Imports no spaCy itself: ``ner`` is the only module that does.
"""
from __future__ import annotations

from .. import ner
from ..model import Article, Row


def extract_entities(article: Article, projects: list[Row] | None = None) -> list[Row]:
    """Rows of entities.csv for ``article``, sorted by first mention.

    ``projects`` are the rows of ``extract_projects(article)``; they are
    computed here when not given.
    """
    if projects is None:
        from .projects import extract_projects
        projects = extract_projects(article)
    first: dict[tuple[str, str], ner.Mention] = {}
    count: dict[tuple[str, str], int] = {}
    for m in ner.analyse(article).entities:
        key = (m.text, m.label)
        if key not in first:
            first[key] = m
        count[key] = count.get(key, 0) + 1
    rows: list[Row] = []
    for key, m in first.items():
        row = article.provenance(m.start, m.end)
        row.update({"label": m.label, "mentions": count[key], "context": article.context_of(m.start)})
        rows.append(row)
    for p in projects:
        row = {k: p[k] for k in ("article_id", "paragraph", "sentence", "start", "end", "text")}
        row.update({"label": "PROJECT", "mentions": p["mentions"], "context": p["context"]})
        rows.append(row)
    rows.sort(key=lambda r: (r["start"], r["end"], r["label"]))
    return rows
