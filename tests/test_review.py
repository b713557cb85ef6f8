"""Review pages and the index: every extracted row highlighted once in the
article text, nothing from the article ever parsed as markup, no network.

The tests without a browser parse the pages; those with one load them in
headless Chromium (skipped where it is not installed)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.reading import read_article
from pipeline.run import run
from pipeline.tables import TABLES
from pipeline.workbook import read_csv

from .conftest import RAW

PAYLOAD = ("<script>document.body.setAttribute('data-pwned','1')</script>"
           "<img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">")


class Page(HTMLParser):
    """What the tests need from a page: marks, the body text, scripts, attributes."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.first: dict[str, int] = {t: 0 for t in TABLES}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.body_text: list[str] = []
        self.rows: dict[str, int] = {}
        self._depth = 0  # inside .article-body
        self._table = ""
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        self.tags.append((tag, a))
        if self._depth:
            self._depth += 1
        elif tag == "div" and a.get("class") == "article-body":
            self._depth = 1
        if tag == "mark" and "data-first" in a:
            self.first[a["data-t"]] += 1
        if tag == "table":
            self._table = a.get("data-table") or ""
            self.rows[self._table] = 0
        if tag == "tr" and "data-i" in a and self._table:
            self.rows[self._table] += 1

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if self._depth:
            self._depth -= 1

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._depth:
            self.body_text.append(data)


def _page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def _csv_rows(folder: Path) -> dict[str, int]:
    return {t: len(read_csv(folder / f"{t}.csv")[1]) for t in TABLES}


def test_every_article_has_a_review_page_with_each_row_highlighted_once(extracted_raw):
    _, summaries = read_csv(extracted_raw / "articles.csv")
    assert len(summaries) == len(list(RAW.glob("*.txt")))
    for s in summaries:
        aid = s["article_id"]
        page = _page(extracted_raw / aid / "review.html")
        rows = _csv_rows(extracted_raw / aid)
        assert page.first == rows, aid
        assert {t: page.rows.get(t, 0) for t in TABLES} == rows, aid
        # the page holds the article body character for character (offsets are honest)
        article, _ = read_article(RAW / s["source_file"])
        assert "".join(page.body_text) == article.body, aid


def test_index_links_every_article_with_its_counts(extracted_raw):
    text = (extracted_raw / "index.html").read_text(encoding="utf-8")
    _, summaries = read_csv(extracted_raw / "articles.csv")
    for s in summaries:
        assert f'href="{s["article_id"]}/review.html"' in text
    page = Page(text)
    assert page.rows["articles"] == len(summaries)
    total = sum(int(s["numbers"]) for s in summaries)
    assert f'<td class="n">{total}</td>' in text


def test_pages_are_self_contained(extracted_raw):
    for path in [extracted_raw / "index.html", *extracted_raw.glob("*/review.html")]:
        text = path.read_text(encoding="utf-8")
        page = Page(text)
        assert not [t for t, a in page.tags if t in ("link", "iframe", "object", "embed", "img")], path
        assert not [a for t, a in page.tags if "src" in a], path
        assert "@import" not in text and "url(" not in text
        csp = [a.get("content") or "" for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"]
        assert csp and csp[0].startswith("default-src 'none'")  # nothing from the network
        assert "'unsafe-inline'" not in csp[0]  # only our own script, by its hash
        assert sum(t == "script" for t, _ in page.tags) == 1


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An article whose title, text and file name try to inject markup, and two
    files that cannot be read."""
    raw = tmp_path_factory.mktemp("raw")
    name = 'x"><u>id'
    (raw / f"{name}.txt").write_text(
        "---\ntitle: " + PAYLOAD + "\ndate: 2022-12-21\nregion: 鹤山市\n---\n"
        "今年以来,规模以上工业增加值159.26亿元,同比增长4.4%。" + PAYLOAD + "工业投资129亿元。\n"
        "=1+1 与 </div></mark>&amp; 都是文字。\n", encoding="utf-8")
    (raw / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (raw / "empty.txt").write_bytes(b"")
    out = tmp_path_factory.mktemp("out")
    run([raw], out)
    return out


def test_article_text_is_never_markup(hostile):
    page_path = next(hostile.glob("*/review.html"))
    text = page_path.read_text(encoding="utf-8")
    page = Page(text)
    assert sum(t == "script" for t, _ in page.tags) == 1
    assert not [t for t, _ in page.tags if t in ("img", "u")]
    assert "&lt;script&gt;document.body" in text
    assert "&lt;/div&gt;&lt;/mark&gt;&amp;amp;" in text
    assert page.first["numbers"] == 2 and page.first["percentages"] == 1
    index = (hostile / "index.html").read_text(encoding="utf-8")
    assert not [t for t, _ in Page(index).tags if t in ("img", "u")]
    assert 'href="x%22%3E%3Cu%3Eid/review.html"' in index


def test_failed_articles_are_in_the_index_with_their_reason(hostile):
    text = (hostile / "index.html").read_text(encoding="utf-8")
    for aid, reason in (("picture", "binary file (a PNG image)"), ("empty", "empty file")):
        row = re.search(rf"<tr class=\"error\"[^>]*><td>{aid}</td>.*?</tr>", text)
        assert row, aid
        assert reason in row.group(0)
        assert f'href="{aid}/review.html"' not in text
    assert "1 ok, 2 failed" in text


# --- in a browser -------------------------------------------------------------------------

def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def browse(url: str, tmp_path: Path, *extra: str) -> str:
    """Standard output of headless Chromium on ``url`` (with ``--dump-dom``: the DOM
    after the page's script ran)."""
    exe = chromium()
    if exe is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium); .ci/run installs it")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", *extra, url]
    env = dict(os.environ, HOME=str(tmp_path))
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _body_attrs(dom: str) -> dict[str, str]:
    m = re.search(r"<body([^>]*)>", dom)
    assert m, dom[:500]
    return dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(1)))


@pytest.mark.parametrize("article_id", sorted(p.stem for p in RAW.glob("*.txt")))
def test_review_page_in_chromium(extracted_raw, tmp_path, article_id):
    page = extracted_raw / article_id / "review.html"
    dom = browse(page.as_uri() + "#selftest", tmp_path, "--dump-dom")
    attrs = _body_attrs(dom)
    assert attrs.get("data-ready") == "1", "the page's script did not run to its end"
    assert attrs.get("data-selftest") == "ok", attrs.get("data-selftest")
    rows = _csv_rows(extracted_raw / article_id)
    assert {t: int(attrs[f"data-marks-{t}"]) for t in TABLES} == rows
    assert {t: int(attrs[f"data-rows-{t}"]) for t in TABLES} == rows


def test_review_page_screenshot(extracted_raw, tmp_path):
    shot = tmp_path / "review.png"
    page = extracted_raw / "heshan_2022_plenary" / "review.html"
    browse(page.as_uri() + "#tip=percentages-4", tmp_path, f"--screenshot={shot}", "--window-size=1100,1400")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000


def test_index_in_chromium(extracted_raw, tmp_path):
    dom = browse((extracted_raw / "index.html").as_uri() + "#selftest", tmp_path, "--dump-dom")
    attrs = _body_attrs(dom)
    assert attrs.get("data-ready") == "1" and attrs.get("data-selftest") == "ok"
    assert dom.count("/review.html\"") == len(list(RAW.glob("*.txt")))


def test_injected_markup_does_not_run_in_chromium(hostile, tmp_path):
    for page in [hostile / "index.html", *hostile.glob("*/review.html")]:
        dom = browse(page.as_uri(), tmp_path, "--dump-dom")
        attrs = _body_attrs(dom)
        assert attrs.get("data-ready") == "1"
        assert "data-pwned" not in attrs
        assert "<img" not in dom
