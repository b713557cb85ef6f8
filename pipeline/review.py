"""Review pages: ``<id>/review.html`` (the article with every extracted span
highlighted, the tables beneath) and ``index.html`` (every article, its counts
and status).

Pages are self-contained: CSS and script are inlined from ``templates/``, and a
Content-Security-Policy allows nothing else (no network, and only our own
script, by hash). Every piece of article or table text goes through
``html.escape``; the script builds its tooltips with ``textContent``.

Pages are built from CSV text (``workbook.read_csv``), so they can be rebuilt
from ``extracted/`` without extracting again.
"""
from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

from .tables import NUMERIC, TABLES
from .workbook import unguard

TEMPLATES = Path(__file__).with_name("templates")
TAGS = {"numbers": "NUM", "percentages": "PCT", "rankings": "RANK", "projects": "PROJ"}
HIDDEN = {"article_id", "context"}  # the page shows the article; no need to repeat them
WRAP = {"metric", "name", "aliases", "error", "title"}
TIP_SKIP = {"article_id", "paragraph", "sentence", "start", "end", "text", "context"}

Table = tuple[list[str], list[dict[str, str]]]
N_CLS, WRAP_CLS = ' class="n"', ' class="wrap"'


def _swatch(table: str) -> str:
    return f'<span class="t-{table}"><span class="swatch"></span></span>'


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _page(title: str, body_class: str, content: str) -> bytes:
    css, js = _asset("review.css"), _asset("review.js")
    csp = (f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    page = (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{esc(csp)}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        f"<title>{esc(title)}</title>\n<style>{css}</style>\n</head>\n"
        f"<body class=\"{body_class}\">\n{content}\n"
        "<div id=\"tip\" role=\"tooltip\" hidden></div>\n"
        f"<script>{js}</script>\n</body>\n</html>\n")
    return page.encode("utf-8")


# --- the article text with its spans --------------------------------------------------

@dataclass
class Span:
    start: int
    end: int
    table: str
    row: int  # 1-based, as in the table below
    label: str
    title: str
    dup: bool = False  # an entity that is a row of projects too: one label is enough


@dataclass
class _Piece:
    span: Span
    first: bool
    last: bool = False


def spans_of(tables: dict[str, Table], body: str) -> tuple[list[Span], dict[str, int]]:
    """One span per row whose offsets hold its ``text``; and per table the
    number of rows that could not be placed (offsets out of range or text differs)."""
    spans: list[Span] = []
    unplaced: dict[str, int] = {}
    for table in TABLES:
        _, rows = tables.get(table, ([], []))
        for i, row in enumerate(rows, start=1):
            try:
                start, end = int(row.get("start", "")), int(row.get("end", ""))
            except ValueError:
                start = end = -1
            text = unguard(row.get("text", ""))
            if not (0 <= start < end <= len(body)) or body[start:end] != text:
                unplaced[table] = unplaced.get(table, 0) + 1
                continue
            label = row.get("label") or TAGS.get(table, table.upper())
            spans.append(Span(start, end, table, i, label, _title(table, i, row)))
    projects = {(s.start, s.end) for s in spans if s.table == "projects"}
    for s in spans:
        s.dup = s.table == "entities" and (s.start, s.end) in projects
    return spans, unplaced


def _title(table: str, i: int, row: dict[str, str]) -> str:
    lines = [f"{table} #{i}"]
    lines += [f"{k}: {unguard(v)}" for k, v in row.items() if v and k not in TIP_SKIP]
    return "\n".join(lines)


def mark_body(body: str, spans: Iterable[Span]) -> str:
    """``body`` as escaped HTML with a ``<mark>`` per span.

    Spans may nest or cross; a span that crosses the end of another is closed
    and reopened there, so the markup stays well formed. The first piece of each
    span has ``data-first`` (one per row), the last has class ``last`` (its label).

    >>> mark_body("a<b>c", [Span(1, 4, "numbers", 1, "NUM", "t")])
    'a<mark class="t-numbers last" data-t="numbers" data-r="1" data-label="NUM" data-first title="t">&lt;b&gt;</mark>c'
    """
    order = {t: i for i, t in enumerate(TABLES)}
    starts: dict[int, list[Span]] = {}
    points = {0, len(body)}
    for s in spans:
        starts.setdefault(s.start, []).append(s)
        points.update((s.start, s.end))
    tokens: list[tuple[str, Any]] = []
    stack: list[_Piece] = []
    pos = 0
    for p in sorted(points):
        if p > pos:
            tokens.append(("text", body[pos:p]))
            pos = p
        if any(piece.span.end == p for piece in stack):
            reopen = []
            while any(piece.span.end == p for piece in stack):
                piece = stack.pop()
                tokens.append(("close", piece))
                if piece.span.end == p:
                    piece.last = True
                else:
                    reopen.append(piece.span)
            for span in reversed(reopen):
                piece = _Piece(span, first=False)
                tokens.append(("open", piece))
                stack.append(piece)
        for span in sorted(starts.get(p, []), key=lambda s: (-s.end, -order[s.table], s.row)):
            piece = _Piece(span, first=True)
            tokens.append(("open", piece))
            stack.append(piece)
    out = []
    for n, (kind, item) in enumerate(tokens):
        if kind == "text":
            out.append(_text_html(item, at_start=n == 0))
        elif kind == "close":
            out.append("</mark>")
        else:
            s = item.span
            cls = f"t-{s.table}" + (" last" if item.last else "") + (" dup" if s.dup else "")
            attrs = (f'class="{cls}" data-t="{s.table}" data-r="{s.row}" data-label="{esc(s.label)}"')
            if item.first:
                attrs += f' data-first title="{esc(s.title)}"'
            out.append(f"<mark {attrs}>")
    return "".join(out)


_GAP = re.compile(r"\n\s*\n")
_LEAD = re.compile(r"\s+")


def _text_html(text: str, at_start: bool = False) -> str:
    """Escaped text; runs of blank lines show as one (the rest stays in the page,
    hidden, so the page still holds the body character for character)."""
    out, pos = [], 0
    if at_start and (m := _LEAD.match(text)):
        out.append(f'<span class="gap">{esc(m.group())}</span>')
        pos = m.end()
    for m in _GAP.finditer(text, pos):
        gap = m.group()
        out.append(esc(text[pos:m.start()]))
        out.append("\n" + (f'<span class="gap">{esc(gap[1:-1])}</span>' if len(gap) > 2 else "") + "\n")
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


# --- pages -----------------------------------------------------------------------------

def _status(summary: dict[str, str]) -> str:
    status, error = summary.get("status", ""), summary.get("error", "")
    if status == "ok" and error:
        return '<span class="status warn" title="' + esc(error) + '">ok, with a warning</span>'
    return f'<span class="status {"ok" if status == "ok" else "error"}">{esc(status or "?")}</span>'


def _data_table(name: str, columns: list[str], rows: list[dict[str, str]], row_ids: bool = True) -> str:
    shown = [c for c in columns if c not in HIDDEN]
    head = "".join(f'<th data-col="{esc(c)}"{N_CLS if c in NUMERIC else ""} scope="col">{esc(c)}</th>'
                   for c in shown)
    body = []
    for i, row in enumerate(rows, start=1):
        cells = "".join(
            f'<td{N_CLS if c in NUMERIC else (WRAP_CLS if c in WRAP else "")}>'
            f'{esc(unguard(row.get(c, "")))}</td>' for c in shown)
        ident = f' id="{name}-{i}" data-r="{i}"' if row_ids else ""
        body.append(f"<tr{ident} data-i=\"{i}\">{cells}</tr>")
    return (f'<div class="scroll"><table class="data" data-table="{esc(name)}">'
            f"<thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(body) + "\n</tbody></table></div>")


def render_review(summary: dict[str, str], tables: dict[str, Table], body: str | None,
                  meta: dict[str, str] | None = None, links: Iterable[tuple[str, str]] = ()) -> bytes:
    """The review page of one article.

    summary: its ``articles.csv`` row (text). tables: per table (columns, rows) as
    read from its CSVs. body: ``Article.body`` (None when the article file is gone:
    the page then has the tables only). links: (label, relative href) for the nav.
    """
    meta = meta or {}
    article_id = summary.get("article_id", "")
    title = summary.get("title") or meta.get("title") or article_id
    counts = {t: len(tables.get(t, ([], []))[1]) for t in TABLES}
    spans, unplaced = spans_of(tables, body) if body is not None else ([], {})
    nav = ['<a href="../index.html">← all articles</a>']
    nav += [f'<a href="{esc(href)}">{esc(label)}</a>' for label, href in links]
    facts = [("article", article_id), ("date", summary.get("date", "")),
             ("", f'({summary.get("date_source", "")})' if summary.get("date") else ""),
             ("source", meta.get("source", "")), ("region", meta.get("region", "")),
             ("chars", summary.get("chars", "")), ("paragraphs", summary.get("paragraphs", "")),
             ("sentences", summary.get("sentences", "")), ("encoding", summary.get("encoding", ""))]
    meta_html = " ".join((f"{esc(k)} <b>{esc(v)}</b>" if k else esc(v)) for k, v in facts if v)
    parts = [
        '<header class="page">', f'<nav>{"".join(nav)}</nav>', f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{meta_html} {_status(summary)}</p>', "</header>",
    ]
    if summary.get("error"):
        cls = "notice" if summary.get("status") == "ok" else "notice error"
        parts.append(f'<p class="{cls}">{esc(summary["error"])}</p>')
    if body is None:
        parts.append('<p class="notice">The article file was not found: the tables are shown without its text.</p>')
    if unplaced:
        what = ", ".join(f"{t} {n}" for t, n in unplaced.items())
        parts.append(f'<p class="notice">Rows whose offsets do not hold their text in the article '
                     f'as read now (was it edited since?), not highlighted: {esc(what)}.</p>')
    chips = "".join(
        f'<label class="chip t-{t}"><input type="checkbox" checked data-toggle="{t}">'
        f'{t} <b>{counts[t]}</b></label>' for t in TABLES)
    parts.append(f'<div class="legend">{chips}'
                 '<label class="opt"><input type="checkbox" checked data-labels> labels</label>'
                 '<span class="hint">hover: values · click: its row · click a row: its text · '
                 'click a header: sort</span></div>')
    parts.append("<main>")
    if body is not None:
        parts.append(f'<div class="article-body">{mark_body(body, spans)}</div>')
    for t in TABLES:
        columns, rows = tables.get(t, (TABLES[t], []))
        parts.append(f'<section class="table t-{t}"><h2 id="{t}">{t}<span class="count">{counts[t]}</span></h2>')
        parts.append(_data_table(t, columns or TABLES[t], rows) if rows
                     else '<p class="empty">none found</p>')
        parts.append("</section>")
    parts.append("</main>")
    return _page(f"{title} · review", "review labels", "\n".join(parts))


def render_index(summaries: list[dict[str, str]], reviews: set[str],
                 links: Iterable[tuple[str, str]] = ()) -> bytes:
    """``index.html``: a row per ``articles.csv`` row (failed ones with their
    reason), linking the review pages in ``reviews`` (article ids)."""
    ok = sum(s.get("status") == "ok" for s in summaries)
    totals = {t: sum(int(s.get(t) or 0) for s in summaries) for t in TABLES}
    head_cols = ["article_id", "title", "date", "status", *TABLES, "chars", "note"]
    head = "".join(f'<th data-col="{c}"{N_CLS if c in NUMERIC else ""} scope="col">'
                   f'{_swatch(c) if c in TABLES else ""}{c}</th>'
                   for c in head_cols)
    rows = []
    for i, s in enumerate(summaries, start=1):
        aid = s.get("article_id", "")
        name = (f'<a href="{esc(quote(aid, safe=""))}/review.html">{esc(aid)}</a>' if aid in reviews
                else esc(aid))
        cells = [name, esc(s.get("title", "")), esc(s.get("date", "")), _status(s)]
        cells += [esc(s.get(t, "")) for t in TABLES]
        cells += [esc(s.get("chars", "")), esc(s.get("error", ""))]
        tds = "".join(
            f'<td{N_CLS if c in NUMERIC else (WRAP_CLS if c == "note" else "")}>{v}</td>'
            for c, v in zip(head_cols, cells))
        cls = ' class="error"' if s.get("status") != "ok" else ""
        rows.append(f'<tr{cls} data-i="{i}">{tds}</tr>')
    foot = ('<tfoot><tr><td>total</td><td></td><td></td>'
            f'<td>{ok} ok, {len(summaries) - ok} failed</td>'
            + "".join(f'<td class="n">{totals[t]}</td>' for t in TABLES)
            + "<td></td><td></td></tr></tfoot>")
    nav = "".join(f'<a href="{esc(href)}">{esc(label)}</a>' for label, href in links)
    summary = (f"<b>{len(summaries)}</b> articles, <b>{ok}</b> ok, <b>{len(summaries) - ok}</b> failed · rows: "
               + ", ".join(f"{t} <b>{totals[t]}</b>" for t in TABLES))
    parts = [
        '<header class="page">', f"<nav><span>extracted/</span>{nav}</nav>",
        "<h1>Extracted articles</h1>", f'<p class="meta">{summary}</p>', "</header>", "<main>",
        '<h2>Articles</h2><div class="scroll"><table class="data" data-table="articles">'
        f"<thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(rows) + f"\n</tbody>{foot}</table></div>",
        "</main>",
    ]
    return _page("Extracted articles", "index", "\n".join(parts))
