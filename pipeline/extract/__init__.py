"""Extractors: each finds spans in ``Article.body`` and returns rows (dicts)."""
