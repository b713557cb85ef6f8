"""An HTML page saved as .txt: keep its visible text, one block per line.

A single left-to-right scan (no ``html.parser``: it is quadratic on some broken
pages, e.g. thousands of unclosed ``<a``): text between tags is kept, block
tags end a line, ``<script>``, ``<style>``, ``<head>`` … are skipped to their
closing tag, comments to ``-->``. Every search starts where the last one ended
and every tag pattern is bounded, so the time is linear in the page.
"""
from __future__ import annotations

import html
import re

BLOCK = {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "title",
         "section", "article", "header", "footer", "table", "ul", "ol", "dd", "dt", "blockquote",
         "pre", "hr", "figcaption", "caption"}
SKIP = {"script", "style", "head", "noscript", "template", "svg", "iframe", "object"}
TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,30})(?=[\s/>])[^<>]{0,4000}>")
DECL = re.compile(r"<[!?][^<>]{0,4000}>")
_CLOSERS: dict[str, re.Pattern[str]] = {}


def _closer(name: str) -> re.Pattern[str]:
    if name not in _CLOSERS:
        _CLOSERS[name] = re.compile(rf"</{name}\s{{0,20}}>", re.I)
    return _CLOSERS[name]


def _scan(page: str) -> tuple[list[str], str]:
    """(text parts with ``\\n`` for block boundaries, title)."""
    parts: list[str] = []
    title = ""
    pos, n = 0, len(page)
    while pos < n:
        i = page.find("<", pos)
        if i < 0:
            parts.append(page[pos:])
            break
        parts.append(page[pos:i])
        if page.startswith("<!--", i):
            j = page.find("-->", i + 4)
            pos = n if j < 0 else j + 3
            continue
        m = TAG.match(page, i)
        if m is None:
            d = DECL.match(page, i)
            if d is not None:
                pos = d.end()
            else:
                parts.append("<")
                pos = i + 1
            continue
        closing, name = m.group(1), m.group(2).lower()
        pos = m.end()
        if not closing and name == "title" and not m.group(0).endswith("/>"):
            c = _closer("title").search(page, pos)
            end = n if c is None else c.start()
            if not title:
                title = " ".join(html.unescape(TAG.sub(" ", page[pos:end])).split())
            parts.append("\n")
            pos = n if c is None else c.end()
        elif not closing and name in SKIP and not m.group(0).endswith("/>"):
            if name == "head":
                # the title lives in the head: look for it before skipping
                c = _closer("head").search(page, pos)
                head_end = n if c is None else c.start()
                t = re.search(r"(?is)<title\b[^<>]{0,4000}>([^<]{0,2000})", page[pos:head_end])
                if t and not title:
                    title = " ".join(html.unescape(t.group(1)).split())
                pos = n if c is None else c.end()
            else:
                c = _closer(name).search(page, pos)
                pos = n if c is None else c.end()
            parts.append("\n")
        elif name in BLOCK:
            parts.append("\n")
    return parts, title


def html_to_text(page: str) -> str:
    """Visible text of ``page``, blank-line separated blocks.

    >>> html_to_text("<html><head><title>x</title></head><body><p>增长4.4%</p><script>1</script></body></html>")
    '增长4.4%'
    >>> html_to_text("<p>规模&amp;效益 <b>4.4</b>%<br>第二行</p><a<a<a")
    '规模&效益 4.4%\\n\\n第二行\\n\\n<a<a<a'
    """
    parts, _ = _scan(page)
    text = html.unescape("".join(parts))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n\n".join(line for line in lines if line)


def html_title(page: str) -> str:
    """The page's ``<title>``, or empty.

    >>> html_title("<html><head><meta charset=utf-8><title>鹤山 &amp; 江门</title></head></html>")
    '鹤山 & 江门'
    """
    return _scan(page)[1]
