"""Command line: ``python -m pipeline extract [INPUT ...] [--out DIR] [--date YYYY-MM-DD]
[--workers N] [--force] [--xlsx-per-article]`` and ``python -m pipeline report [DIR]``."""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from pathlib import Path


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _workers(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("--workers must be 0 (one per CPU) or more")
    return n or (os.cpu_count() or 1)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Turn Chinese government news articles into CSV tables of figures.")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser(
        "extract", help="extract figures from articles into CSVs",
        description="Extract every article (files, or folders of .txt files) into one folder "
                    "of CSVs per article, plus all/ (every article) and articles.csv (one row "
                    "per input file, failures included with a one-line reason), the workbook "
                    "extraction.xlsx, a review page per article (<id>/review.html) and index.html. "
                    "Articles unchanged since the last run (same file, code and options) are not "
                    "extracted again; see --force.")
    ex.add_argument("inputs", nargs="*", type=Path, default=[Path("raw")], metavar="INPUT",
                    help="article files or folders (default: raw/)")
    ex.add_argument("--out", type=Path, default=Path("extracted"), metavar="DIR",
                    help="output folder (default: extracted/)")
    ex.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                    help="date for articles without a date in their front matter")
    ex.add_argument("--workers", type=_workers, default=1, metavar="N",
                    help="extract in N processes (0: one per CPU; default 1); the output is the same")
    ex.add_argument("--force", action="store_true",
                    help="extract every article again, even those unchanged since the last run")
    ex.add_argument("--xlsx-per-article", action="store_true",
                    help="also write extracted/<id>/extraction.xlsx for each article")
    ex.add_argument("--no-reports", dest="reports", action="store_false",
                    help="CSVs only: no workbook, review pages or index")
    ex.add_argument("-q", "--quiet", action="store_true",
                    help="only errors on standard error (no progress bar, no summary)")
    rep = sub.add_parser(
        "report", help="rebuild the workbook, review pages and index from existing CSVs",
        description="Rebuild extraction.xlsx, <id>/review.html and index.html from the CSVs "
                    "of an output folder, without extracting again.")
    rep.add_argument("out", nargs="?", type=Path, default=Path("extracted"), metavar="DIR",
                     help="output folder of an earlier extract (default: extracted/)")
    rep.add_argument("--xlsx-per-article", action="store_true",
                     help="also write <id>/extraction.xlsx for each article")
    rep.add_argument("-q", "--quiet", action="store_true", help="only errors on standard error")
    return parser


def _writable(folder: Path) -> str | None:
    """Why ``folder`` cannot receive output, or None. Leaves it untouched when it
    exists already (a rerun must not change anything)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        return err.strerror or str(err)
    if not folder.is_dir():
        return "not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return "permission denied"
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(message)s", stream=sys.stderr)
    if args.command == "report":
        from .run import rebuild_reports

        if not (args.out / "articles.csv").exists():
            print(f"error: {args.out} holds no articles.csv: run extract first", file=sys.stderr)
            return 2
        try:
            pages = rebuild_reports(args.out, args.xlsx_per_article)
        except OSError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        logging.getLogger(__name__).info("%d review pages, extraction.xlsx and index.html in %s",
                                          pages, args.out)
        return 0

    from .run import run

    missing = [p for p in args.inputs if not p.exists()]
    if missing and len(missing) == len(args.inputs):
        print(f"error: no such input: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    problem = _writable(args.out)
    if problem:
        print(f"error: cannot write to output folder {args.out}: {problem}", file=sys.stderr)
        return 2
    try:
        run(args.inputs, args.out, args.date, workers=args.workers, incremental=not args.force,
            progress=False if args.quiet else None, reports=args.reports,
            xlsx_per_article=args.xlsx_per_article)
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
