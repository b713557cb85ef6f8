# Chinese government news -> spreadsheets of figures.
# `make extract` and `make test` create the environment when it is missing.
.DELETE_ON_ERROR:
.PHONY: help extract test bench clean

PYTHON  ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed

## Show the targets
help:
	@grep -B1 -E '^[a-z]+:' Makefile | grep -E '^## ' | sed 's/## /  /'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

WORKERS ?= 1
## Extract every article in raw/ into extracted/ (new or changed ones; WORKERS=4: 4 processes)
extract: $(STAMP)
	$(PY) -m pipeline extract raw --out extracted --workers $(WORKERS)

## Run the tests (after setting up the environment)
test: $(STAMP)
	$(PY) -m pytest -q

## Remove generated output (never raw/)
clean:
	rm -rf extracted

## Benchmarks: cold start, chars/s per stage, peak memory, --workers 2, scaling (see BENCHMARKS.md)
bench: $(STAMP)
	$(PY) bench/bench.py
