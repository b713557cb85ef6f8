"""Word lists and unit tables from ``pipeline/data``, loaded once into frozen maps."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"


@functools.lru_cache(maxsize=None)
def load_yaml(name: str) -> Any:
    with open(DATA / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


@functools.lru_cache(maxsize=None)
def units() -> dict[str, str]:
    """unit surface -> quantity_type."""
    table = load_yaml("units.yaml")
    out: dict[str, str] = {}
    for qtype, surfaces in table.items():
        if qtype == "arabic_only":
            continue
        for s in surfaces or []:
            out[s] = qtype
    return out


@functools.lru_cache(maxsize=None)
def arabic_only_units() -> frozenset[str]:
    return frozenset(load_yaml("units.yaml")["arabic_only"])


@functools.lru_cache(maxsize=None)
def words(key: str) -> tuple[str, ...]:
    """A word list from figure_words.yaml or context_words.yaml, longest first."""
    for name in ("figure_words.yaml", "context_words.yaml"):
        table = load_yaml(name)
        if key in table:
            return tuple(sorted(table[key], key=lambda w: (-len(w), w)))
    raise KeyError(key)


def alternation(items: tuple[str, ...] | list[str] | frozenset[str]) -> str:
    """A regex alternation, longest first so the longest surface wins."""
    import re
    return "|".join(re.escape(w) for w in sorted(items, key=lambda w: (-len(w), w)))
