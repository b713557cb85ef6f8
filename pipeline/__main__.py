"""Command line: ``python -m pipeline extract [INPUT ...] [--out DIR] [--date YYYY-MM-DD]``."""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Turn Chinese government news articles into CSV tables of figures.")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser(
        "extract", help="extract figures from articles into CSVs",
        description="Extract every article (files, or folders of .txt files) into one folder "
                    "of CSVs per article, plus all/ (every article) and articles.csv (one row "
                    "per input file, failures included with a one-line reason).")
    ex.add_argument("inputs", nargs="*", type=Path, default=[Path("raw")], metavar="INPUT",
                    help="article files or folders (default: raw/)")
    ex.add_argument("--out", type=Path, default=Path("extracted"), metavar="DIR",
                    help="output folder (default: extracted/)")
    ex.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                    help="date for articles without a date in their front matter")
    ex.add_argument("-q", "--quiet", action="store_true", help="only errors on standard error")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(message)s", stream=sys.stderr)
    from .run import run

    missing = [p for p in args.inputs if not p.exists()]
    if missing and len(missing) == len(args.inputs):
        print(f"error: no such input: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        probe = args.out / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        print(f"error: cannot write to output folder {args.out}: {err.strerror or err}", file=sys.stderr)
        return 2
    try:
        run(args.inputs, args.out, args.date)
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
