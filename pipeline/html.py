"""An HTML page saved as .txt: keep its visible text, one block per line."""
from __future__ import annotations

from html.parser import HTMLParser

BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "title", "section", "article"}
SKIP = {"script", "style", "head", "noscript", "template"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag in SKIP:
            self.skip += 1
        elif tag in BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in SKIP and self.skip:
            self.skip -= 1
        elif tag in BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if not self.skip:
            self.parts.append(data)


def html_to_text(page: str) -> str:
    """Visible text of ``page``, blank-line separated blocks.

    >>> html_to_text("<html><head><title>x</title></head><body><p>增长4.4%</p><script>1</script></body></html>")
    '增长4.4%'
    """
    p = _Text()
    p.feed(page)
    p.close()
    lines = [" ".join(line.split()) for line in "".join(p.parts).split("\n")]
    return "\n\n".join(line for line in lines if line)
