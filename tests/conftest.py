"""Shared fixtures: paths, YAML case loading."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
RAW = ROOT / "raw"


def load_cases(name: str) -> list[dict]:
    with open(TESTS / "cases" / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


@pytest.fixture(scope="session")
def extracted_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every article of raw/ extracted once per session."""
    from pipeline.run import run

    out = tmp_path_factory.mktemp("extracted")
    run([RAW], out)
    return out


def copy_raw(folder: Path, names: list[str]) -> Path:
    """``folder/raw`` holding copies of the named articles of raw/."""
    import shutil

    raw = folder / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(RAW / f"{name}.txt", raw)
    return raw
