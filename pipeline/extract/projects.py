"""The projects table (SPEC §2 projects.csv): one row per named project.

The NER stage (``pipeline.ner``) finds the mentions; this module groups the
mentions that name the same project (中欧(江门)中小企业国际合作区, 中欧合作区 and
国家级中欧合作区 are one; 隆基光伏 and 隆基绿能 are short forms of 隆基绿能科技股份有限公司),
takes the longest name as the canonical one and the others as aliases, and reads
the investment and the status that the text ties to the project.

Imports no spaCy itself: ``ner`` is the only module that does.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from .. import ner
from ..model import Article, Row
from ..numerals import parse_number

MULTIPLIERS = {"万亿": 10**12, "亿": 10**8, "万": 10**4, "千": 10**3}
QUOTES = "“”\"'‘’「」『』《》 \t\u3000"
CLAUSE_END = set("，,；;。！？!?\n")


def fold(name: str) -> str:
    """The name as compared: width folded (（ → (), quotes and spaces removed.

    >>> fold("“江门号”中欧国际货运班列")
    '江门号中欧国际货运班列'
    >>> fold("中欧（江门）中小企业国际合作区")
    '中欧(江门)中小企业国际合作区'
    """
    text = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in text if ch not in QUOTES)


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


@functools.lru_cache(maxsize=None)
def _company_endings() -> tuple[str, ...]:
    return tuple(sorted(ner.read_list("ner_company_suffixes.txt"), key=len, reverse=True))


def same_project(short: str, long: str) -> bool:
    """Do two folded names (``len(short) <= len(long)``) name one project?

    - one is the other's prefix or suffix, three characters at least
      (隆基绿能 / 隆基绿能科技股份有限公司, 第三水厂 / 鹤山第三水厂);
    - the shorter is an abbreviation: same first character and head, its
      characters in order in the longer (中欧合作区 / 中欧(江门)中小企业国际合作区);
    - the longer is a company and the shorter a brand form of it, same first
      two characters (隆基光伏 / 隆基绿能科技股份有限公司).

    >>> same_project("中欧合作区", "中欧(江门)中小企业国际合作区")
    True
    >>> same_project("中老国际货运班列", "江门号中欧国际货运班列")
    False
    """
    if short == long:
        return True
    if len(short) >= 3 and (long.startswith(short) or long.endswith(short)):
        return True
    if (len(short) >= 4 and short[0] == long[0] and short[-2:] == long[-2:]
            and _is_subsequence(short, long)):
        return True
    return (len(short) <= 6 and short[:2] == long[:2] and long.endswith(_company_endings())
            and not short.endswith(_company_endings()))


@dataclass
class _Group:
    mentions: list[ner.ProjectMention] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def group_mentions(mentions: list[ner.ProjectMention]) -> list[_Group]:
    """Mentions grouped by project, longest names first."""
    by_key: dict[str, list[ner.ProjectMention]] = {}
    for m in mentions:
        by_key.setdefault(fold(m.name), []).append(m)
    groups: list[_Group] = []
    for key in sorted(by_key, key=lambda k: (-len(k), by_key[k][0].start)):
        target = next((g for g in groups if any(same_project(key, k) for k in g.keys)), None)
        if target is None:
            target = _Group()
            groups.append(target)
        target.keys.append(key)
        target.mentions.extend(by_key[key])
    for g in groups:
        g.mentions.sort(key=lambda m: m.start)
    return groups


def _clause(body: str, start: int, end: int) -> tuple[int, int]:
    lo = start
    while lo > 0 and body[lo - 1] not in CLAUSE_END:
        lo -= 1
    hi = end
    while hi < len(body) and body[hi] not in CLAUSE_END:
        hi += 1
    return lo, hi


@functools.lru_cache(maxsize=None)
def _status_words() -> tuple[re.Pattern[str], dict[str, str], dict[str, int]]:
    table = {r["word"]: r["status"] for r in ner.read_table("ner_project_status.tsv")}
    order = {s: i for i, s in enumerate(ner.regex_config()["status_order"])}
    return re.compile(ner._alternation(table)), table, order


def read_investment(body: str, lo: int, hi: int) -> tuple[str, Decimal | None]:
    """The first investment amount in ``body[lo:hi]``: (``45亿元``, 4500000000).

    >>> read_investment("成功引进隆基绿能科技股份有限公司协议投资45亿元", 0, 26)
    ('45亿元', Decimal('4500000000'))
    """
    m = ner.pattern("investment").search(body, lo, hi)
    if not m:
        return "", None
    try:
        value = parse_number(m.group("number")) * MULTIPLIERS.get(m.group("mult") or "", 1)
    except ValueError:
        return "", None
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return m.group("amount"), value


def read_status(body: str, lo: int, hi: int) -> str:
    """The most advanced stage a clause states; aims (早日投产, 将全线铺通) are not stages."""
    rx, table, order = _status_words()
    future = ner.pattern("future_marker")
    best = ""
    for m in rx.finditer(body, lo, hi):
        if future.search(body, max(lo, m.start() - 6), m.start()):
            continue
        status = table[m.group()]
        if not best or order.get(status, 0) > order.get(best, 0):
            best = status
    return best


def extract_projects(article: Article) -> list[Row]:
    """Rows of projects.csv for ``article``, sorted by first mention."""
    body = article.body
    mentions = list(ner.analyse(article).projects)
    groups = group_mentions(mentions)
    clause_of = {m.start: _clause(body, m.start, m.end) for m in mentions}
    # how many projects each clause names: an amount is tied only to a lone one
    owners: dict[tuple[int, int], set[int]] = {}
    for gi, g in enumerate(groups):
        for m in g.mentions:
            owners.setdefault(clause_of[m.start], set()).add(gi)
    rows = []
    for gi, g in enumerate(groups):
        first = g.mentions[0]
        names = list(dict.fromkeys(m.name for m in g.mentions))
        canonical = max(names, key=lambda n: (len(fold(n)), -names.index(n)))
        categories = [m.category for m in g.mentions if m.name == canonical] or [first.category]
        category = "enterprise" if any(m.source == "company" for m in g.mentions) else categories[0]
        invest_text, invest_value, status = "", None, ""
        order = _status_words()[2]
        for m in g.mentions:
            lo, hi = clause_of[m.start]
            if not invest_text and owners[(lo, hi)] == {gi}:
                invest_text, invest_value = read_investment(body, lo, hi)
            s = read_status(body, lo, hi)
            if s and (not status or order.get(s, 0) > order.get(status, 0)):
                status = s
        row = article.provenance(first.start, first.end)
        row.update({
            "name": canonical,
            "aliases": "|".join(n for n in names if n != canonical),
            "category": category,
            "mentions": len({m.start for m in g.mentions}),
            "investment_text": invest_text,
            "investment_value": invest_value,
            "status": status,
            "context": article.context_of(first.start),
        })
        rows.append(row)
    rows.sort(key=lambda r: (r["start"], r["end"]))
    return rows
