"""The SPEC §2 tables as data: table name to ordered columns.

Only this module and ``write.py`` know column order; extractors return dicts.
"""
from __future__ import annotations

PROVENANCE = ["article_id", "paragraph", "sentence", "start", "end", "text"]

TABLES: dict[str, list[str]] = {
    "numbers": PROVENANCE + [
        "value", "multiplier", "unit", "value_normalized", "quantity_type", "qualifier",
        "metric", "region", "period", "period_text", "target", "context"],
    "percentages": PROVENANCE + [
        "value", "kind", "direction", "baseline", "metric", "region", "period",
        "period_text", "target", "context"],
    "rankings": PROVENANCE + [
        "rank", "scope", "scope_size", "metric", "region", "period", "period_text",
        "target", "context"],
    "projects": PROVENANCE + [
        "name", "aliases", "category", "mentions", "investment_text", "investment_value",
        "status", "context"],
    "entities": PROVENANCE + ["label", "mentions", "context"],
}

ARTICLE_COLUMNS = [
    "article_id", "source_file", "title", "date", "date_source", "encoding", "chars",
    "paragraphs", "sentences", "numbers", "percentages", "rankings", "projects",
    "entities", "status", "error"]

# Columns written as numbers (no formula guard, Decimal formatting).
NUMERIC = {"paragraph", "sentence", "start", "end", "value", "multiplier", "value_normalized",
           "rank", "scope_size", "mentions", "investment_value", "chars", "paragraphs",
           "sentences", "numbers", "percentages", "rankings", "projects", "entities"}
# Values kept as written (``7.0``, ``687.20``); others are reduced (``14192000000``).
AS_WRITTEN = {"value"}
