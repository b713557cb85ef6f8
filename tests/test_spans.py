"""Every row of every table points at its own text: ``text == body[start:end]``
(SPEC §1), over every article in raw/, read back from the CSVs users open."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline.reading import read_article
from pipeline.tables import TABLES

RAW = Path(__file__).resolve().parent.parent / "raw"
ARTICLES = sorted(p.stem for p in RAW.glob("*.txt"))


@pytest.mark.parametrize("article_id", ARTICLES)
def test_offsets_hold_text(extracted_raw, article_id):
    article, _ = read_article(RAW / f"{article_id}.txt")
    body = article.body
    checked = 0
    for table in TABLES:
        with open(extracted_raw / article_id / f"{table}.csv", encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                text = row["text"]
                if text.startswith("'") and body[int(row["start"]):int(row["end"])] != text:
                    text = text[1:]  # formula guard
                assert body[int(row["start"]):int(row["end"])] == text, (table, row)
                checked += 1
    assert checked > 0


def test_articles_csv_lists_every_file(extracted_raw):
    with open(extracted_raw / "articles.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["article_id"] for r in rows) == ARTICLES
    assert all(r["status"] == "ok" for r in rows)
