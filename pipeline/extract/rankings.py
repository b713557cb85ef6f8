"""Find rankings: a place in an ordering (SPEC §2 rankings.csv).

``排名第三``, ``排第八``, ``居全国第4位``, ``位居全省前三`` (rank 3), ``首位``,
``为江门市最高``, ``分别居全国第5、第6位`` (two rows). Not rankings: 率先,
首个, 第一批. Metric, period and target are attached by ``context.py``.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal

from .. import lexicon
from ..model import Article, Row
from ..numerals import parse_number

NUM = r"[0-9０-９]{1,3}|[一二两三四五六七八九十百]{1,3}"
# A scope: Chinese characters that are not themselves rank verbs or particles.
PLACE = r"(?:(?![排位居列在于为是的和及与中皆均都])[\u4e00-\u9fa5]){1,12}?"
PLACE2 = r"(?:(?![排位居列在于为是的和及与中皆均都])[\u4e00-\u9fa5]){2,8}?"


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, list[str]]:
    return lexicon.load_yaml("rank_words.yaml")


@functools.lru_cache(maxsize=1)
def rank_regex() -> re.Pattern[str]:
    t = _table()
    verbs = lexicon.alternation(t["verbs"])
    first = lexicon.alternation(t["first"])
    sup = lexicon.alternation(t["superlatives"])
    scopes = lexicon.alternation(t["scope_words"])
    not_after = lexicon.alternation(t["not_after_ordinal"])
    lists = lexicon.alternation(t["list_verbs"])
    ordinal = rf"第(?:{NUM})(?:位|名)?(?!{not_after})"
    pattern = rf"""
      (?P<verb>{verbs})(?:在|于|为)?(?P<scope>(?:{scopes})|{PLACE})?
      (?:
          (?P<ords>{ordinal}(?:[、和及与,，]{ordinal})*)(?![0-9０-９])
        | 前(?P<top>{NUM})(?:位|名|强)?
        | (?P<first>{first}|首(?![个次批家届]))
      )
    | (?P<verb2>{lists})(?P<scope5>{scopes}|{PLACE2})?(?P<strong>{NUM}|[0-9０-９]{{2,4}})强(?=[县市区镇企]|[,，。；、])
    | (?P<scope2>{scopes}|{PLACE2}[市省县区])(?P<first2>首位|第一(?!{not_after}))(?![\u4e00-\u9fa5]{{0,3}}的)
    | (?:为|是|居)(?P<scope3>{scopes}|{PLACE2})(?P<sup>{sup}|首位)(?=[,，。；;、)）]|$)
    | (?<=[\u4e00-\u9fa5])(?P<scope4>全国|全省)(?P<sup2>最低|最高)(?=[,，。；;、])
    """
    return re.compile(pattern, re.VERBOSE)


ORD_RE = re.compile(rf"第({NUM})")


def _scope_size(scope: str) -> int | None:
    """江门三区四县 gives 7: counts of 区/县/市 named in the scope."""
    total = 0
    for m in re.finditer(r"([一二两三四五六七八九十]+|[0-9]+)个?(区|县|市|镇|街)", scope):
        try:
            total += int(parse_number(m.group(1)))
        except ValueError:
            return None
    return total or None


def find_rankings(article: Article) -> list[Row]:
    body = article.body
    rows: list[Row] = []
    for m in rank_regex().finditer(body):
        try:
            rows.extend(_rows_of(m, body))
        except ValueError:
            continue  # 排名第一十百: a malformed numeral is no rank
    return rows


def _rows_of(m: re.Match[str], body: str) -> list[Row]:
    rows: list[Row] = []
    g = m.groupdict()
    before = body[max(0, m.start() - 12):m.start()]
    target = any(w in before for w in _table()["aim_before"])
    if g["verb"] is not None:
        scope = (g["scope"] or "").strip()
        if g["ords"]:
            ords = list(ORD_RE.finditer(body, m.start("ords"), m.end("ords")))
            for i, om in enumerate(ords):
                rank = int(parse_number(om.group(1)))
                # the first ordinal's span starts at the verb; later ones are their own
                start = m.start() if i == 0 else om.start()
                end = om.end() if i < len(ords) - 1 else m.end()
                rows.append(_row(start, end, rank, scope, target, body))
            return rows
        if g["top"]:
            rank = int(parse_number(g["top"]))
        else:
            rank = 1
        rows.append(_row(m.start(), m.end(), rank, scope, target, body))
    elif g["verb2"] is not None:
        # 上榜全国百强县: membership of a top-N list is rank N (SPEC §2); 争创… is an aim
        rank = int(parse_number(g["strong"]))
        aim = g["verb2"] in _table()["aim_verbs"]
        scope = (g["scope5"] or "").strip()
        kind = ""
        head = re.match(lexicon.alternation(_table()["scope_words"]), scope)
        if head and head.end() < len(scope):
            scope, kind = scope[:head.end()], scope[head.end():]   # 全国|工业百强县
        row = _row(m.start(), m.end(), rank, scope, target or aim, body)
        row["metric_hint"] = kind + g["strong"] + "强" + body[m.end():m.end() + 1]
        rows.append(row)
    elif g["scope2"] is not None:
        rows.append(_row(m.start(), m.end(), 1, g["scope2"], target, body))
    elif g["scope3"] is not None:
        rows.append(_row(m.start(), m.end(), 1, g["scope3"], target, body, sup=g["sup"]))
    elif g["scope4"] is not None:
        rows.append(_row(m.start(), m.end(), 1, g["scope4"], target, body, sup=g["sup2"]))
    return rows


def _row(start: int, end: int, rank: int, scope: str, target: bool, body: str, sup: str = "") -> Row:
    scope_size = None
    # 在广东省48个县级市中排第八: scope and size stated before the verb
    lead = body[max(0, start - 30):start]
    m = re.search(r"在([\u4e00-\u9fa5]{0,8}?)([0-9０-９]+|[一二两三四五六七八九十]+)个([\u4e00-\u9fa5]{1,8}?)中[,，]?$", lead)
    if m and not scope:
        scope = m.group(1) + m.group(3)
        try:
            scope_size = int(parse_number(m.group(2)))
        except ValueError:
            scope_size = None
    elif not scope and (m3 := re.search(r"从([\u4e00-\u9fa5]{2,6}?)第[0-9０-９一二三四五六七八九十]+位(?:、第[0-9０-９]+位)*$", lead)):
        scope = m3.group(1)  # 从全国第12位跃升至第5位
    elif not scope:
        m2 = re.search(r"在([\u4e00-\u9fa5]{2,10}?)(?:中|内|范围内)?[,，]?$", lead)
        if m2:
            scope = m2.group(1)
    if scope and scope_size is None:
        scope_size = _scope_size(scope)
    return {"table": "rankings", "start": start, "end": end, "rank": Decimal(rank),
            "scope": scope, "scope_size": scope_size, "target": target, "superlative": sup}
