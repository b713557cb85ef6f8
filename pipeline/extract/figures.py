"""Find numbers and percentages in the body: the "extractor" half (SPEC §2).

One left-to-right scan with a single compiled regex, so a span is claimed
once: ``7.0个百分点`` is a percentage, never also a number; ``1-10月`` and
``2015年`` have no unit and are never numbers. Values come from
``numerals.py``; context (metric, period, …) is attached later by
``context.py``.
"""
from __future__ import annotations

import functools
import re
from decimal import Context, Decimal

from .. import lexicon
from ..model import Article, Row
from ..numerals import fold_width, multiplier_of, parse_chinese, parse_number

# Thousands separators: ``,`` between any digits, ``，`` only between full-width
# digits (after ASCII digits ``，`` is a clause comma).
ARABIC = (r"(?:[0-9０-９]{1,3}(?:[,，][0-9０-９]{3})+(?=[.．][0-9０-９])"   # 82，225.00: a decimal part follows
          r"|[0-9０-９]{1,3}(?:,[0-9０-９]{3})+(?![0-9０-９])|[０-９]{1,3}(?:，[０-９]{3})+(?![０-９])"
          r"|[0-9０-９]+)(?:[.．][0-9０-９]+)?")
# Figures never start inside a run of digits or numeral characters: without these
# guards the regex retries every position of a long run (亿亿亿…, 1111…) and the
# scan takes time in the square of the run's length.
A0 = r"(?<![0-9０-９.．])"
C0 = r"(?<![零〇一二两三四五六七八九十百千万亿])"
# 千 after 十/百 starts a unit (一百千瓦), it does not continue the numeral.
CN = r"(?:[零〇一二两三四五六七八九十百万亿]|(?<![十百])千)+(?:点[零〇一二三四五六七八九]+)?"
CN_DIGITS = "零〇一二两三四五六七八九"
# A dash after one of these is a minus sign (净利润为-2.5亿元), not a range (3-5家).
SIGN_AFTER = "为是达至到：:，,（(、 负亏损"
EXACT = Context(prec=1_000_000)   # value × multiplier is never rounded
CHENG_NOT_AFTER = "为立功本果效交熟员片型绩就都长套品像年才家分败全批规倍"


@functools.lru_cache(maxsize=1)
def figure_regex() -> re.Pattern[str]:
    units = lexicon.units()
    unit_alt = lexicon.alternation(list(units))
    inside = lexicon.alternation(lexicon.words("qualifiers_inside"))
    pattern = rf"""
      (?P<sign>[-－−]|(?:(?<![\u4e00-\u9fff])|(?<=[为是至到长]))负)?      # 负 as a sign, not in 减负
      (?:
        {C0}百分之(?P<pct_neg>负)?(?P<pct_cn>{ARABIC}|{CN})(?!(?<=百)分)        # 百分之十一点八
      | {C0}{A0}(?P<frac_den>{CN}|{ARABIC})分之(?P<frac_num>{CN}|{ARABIC})        # 三分之一, 千分之五
      | {C0}{A0}(?P<pts>{ARABIC}|{CN})(?P<pts_in>{inside})?个?百分点                # 7.0个百分点
      | {A0}(?P<pct>{ARABIC})(?P<pct_in>{inside})?\s?(?P<pct_sign>[%％‰])         # 4.4%, 5.2‰
      | {C0}{A0}(?P<bei>{ARABIC}|{CN})(?P<bei_in>{inside})?倍(?!数)                 # 1.4倍
      | {C0}{A0}(?P<cheng>{ARABIC}|[一二两三四五六七八九十](?:点[零〇一二三四五六七八九])?)成(?P<cheng_half>半)?(?![{CHENG_NOT_AFTER}])   # 两成, 三成半
      | (?P<cur>[$￥¥])(?P<cur_num>{ARABIC})(?P<cur_mult>万亿|亿|万)?(?![0-9０-９])   # $20, ￥300
      | {A0}(?P<num>{ARABIC})(?P<num_in>{inside})?(?P<mult>千万亿|万亿|千亿|百亿|亿|千万|百万|万|千(?![米克瓦伏]))?
          (?P<num_in2>{inside})?
          (?P<unit>(?:{unit_alt})(?:/(?:万|亿)?(?:{unit_alt}))?)?             # 159.26亿元, 600元/头
      | (?P<idx_pre>指数|CPI|PPI)(?:为|是|达到|达)?(?P<idx>{ARABIC})(?![0-9０-９.．%％])  # 价格指数为100.7
      | {C0}(?P<cnum>{CN})(?P<cnum_in>{inside})(?P<cmult>万亿|亿|万)
          (?P<cunit2>(?:{unit_alt})(?:/(?:万|亿)?(?:{unit_alt}))?)           # 一千多万元
      | {C0}(?P<cnum2>{CN})(?P<cnum_in2>{inside})?
          (?P<cunit>(?:{unit_alt})(?:/(?:万|亿)?(?:{unit_alt}))?)             # 两家, 一千二百万元
      )
    """
    return re.compile(pattern, re.VERBOSE)


def _dec(text: str) -> Decimal:
    return parse_number(text)


def _split_cn_multiplier(cn: str) -> tuple[str, str]:
    """一千二百万 -> (一千二百, 万); 三万六 stays whole."""
    for suffix in ("万亿", "亿", "万"):
        if cn.endswith(suffix) and len(cn) > len(suffix):
            head = cn[: -len(suffix)]
            if head and head[-1] not in "万亿":
                return head, suffix
    return cn, ""


def _lone_or_vague(cn: str) -> bool:
    """一 alone (一个, 一家: vague), or unit characters alone (千家, 万户)."""
    if cn == "一" or all(c in "零〇" for c in cn):
        return True  # 一个, 一家 are vague; 零部件 is a word
    if cn == "十":
        return False
    return not any(c in CN_DIGITS for c in cn)


def _in_quotes(body: str, start: int, end: int) -> bool:
    """Inside a short quoted name such as “四个一套” or “一号工程”."""
    left = body.rfind("“", max(0, start - 8), start)
    if left == -1 or "”" in body[left:start]:
        return False
    right = body.find("”", end, end + 8)
    return right != -1


class _Guard:
    """Left/right context that rules a candidate out (SPEC §2 "Not numbers")."""

    def __init__(self) -> None:
        self.name_followers = lexicon.words("name_followers")
        self.not_figures = lexicon.words("not_figures")
        self.arabic_only = lexicon.arabic_only_units()
        self.not_after = lexicon.words("not_after")
        nf = lexicon.alternation(self.not_figures)
        self.not_figures_re = re.compile(rf"(?:https?://|www\.)[!-~]+|{nf}")  # %28 in a URL is no percentage

    def blocked_spans(self, body: str) -> list[tuple[int, int]]:
        return [m.span() for m in self.not_figures_re.finditer(body)]


@functools.lru_cache(maxsize=1)
def _guard() -> _Guard:
    return _Guard()


def find_figures(article: Article) -> list[Row]:
    """Candidate figures with their values; rows carry ``table`` =
    ``numbers`` or ``percentages`` and offsets into the body."""
    body = article.body
    guard = _guard()
    blocked = guard.blocked_spans(body)
    bi = 0
    units = lexicon.units()
    rows: list[Row] = []
    for m in figure_regex().finditer(body):
        start, end = m.span()
        if start == end:
            continue
        while bi < len(blocked) and blocked[bi][1] <= start:
            bi += 1
        if bi < len(blocked) and blocked[bi][0] < end:
            continue
        prev = body[start - 1] if start else ""
        dash_sign = bool(m.group("sign")) and m.group("sign") != "负" and start > 0 and body[start - 1] in SIGN_AFTER
        if m.group("sign") and m.group("sign") != "负" and not (m.group("pct") or m.group("pts") or m.group("pct_cn")) \
                and not dash_sign:
            start += 1  # a dash before a count is a range or a list marker, not a sign
        if prev == "第" or (prev and prev.isascii() and prev.isalnum() and body[start].isascii()):
            continue
        before = body[max(0, start - 2):start]
        if before.endswith(guard.not_after) :
            continue  # 十三届三次, 连续五次, 每10万人
        row = _to_row(m, body, start, end, units, guard)
        if row is not None:
            rows.extend(_shared_unit_heads(body, row, rows))
            rows.append(row)
    return rows


SHARED_HEAD = re.compile(rf"(?:({ARABIC})[、和])+$")
ONE_HEAD = re.compile(rf"({ARABIC})[、和]")


def _shared_unit_heads(body: str, row: Row, found: list[Row]) -> list[Row]:
    """``提高0.9、5.9个百分点``: bare numbers listed before a figure share its unit."""
    start = row["start"]
    m = SHARED_HEAD.search(body, max(0, start - 40), start)
    if not m or (found and found[-1]["end"] > m.start()):
        return []
    if m.start() > 0 and (body[m.start() - 1].isdigit() or body[m.start() - 1] in ".．:："):
        return []
    heads = []
    for h in ONE_HEAD.finditer(body, m.start(), start):
        value = _dec(h.group(1))
        head = dict(row, start=h.start(1), end=h.end(1), value=value)
        if row["table"] == "numbers":
            if row.get("quantity_type") == "" or row["unit"] == "":
                return []  # without a unit a bare number list is a ratio, not a figure
            head["value_normalized"] = value * row["multiplier"]
        heads.append(head)
    return heads


def _to_row(m: re.Match[str], body: str, start: int, end: int, units: dict[str, str], guard: _Guard) -> Row | None:
    g = m.groupdict()
    negative = bool(g["sign"]) or bool(g["pct_neg"])
    sign = -1 if g["sign"] == "负" or (g["sign"] and start < m.start("sign") + 1 and start == m.start()) else 1
    try:
        if g["pct_cn"] is not None:
            return _pct(start, end, _dec(g["pct_cn"]), negative)
        if g["frac_den"] is not None:
            den, num = _dec(g["frac_den"]), _dec(g["frac_num"])
            if den == 0 or num > den:
                return None
            exact = num / den * 100
            # a terminating value stays exact (百万分之五); a repeating one is rounded (三分之一 33.33)
            value = (exact if exact == exact.quantize(Decimal("0.000001")) else exact.quantize(Decimal("0.01"))).normalize()
            return _pct(start, end, value, negative, kind="share")
        if g["pts"] is not None:
            return _pct(start, end, _dec(g["pts"]), negative, kind="points", qualifier=g["pts_in"] or "")
        if g["pct"] is not None:
            value = _dec(g["pct"]) / (10 if g["pct_sign"] == "‰" else 1)   # 5.2‰ is 0.52%, as 千分之五 is 0.5
            return _pct(start, end, value, negative, qualifier=g["pct_in"] or "")
        if g["bei"] is not None:
            if g["bei"] in ("一",) and body[end:end + 1] != "" and body[max(0, start - 1):start] not in "了长增加":
                pass
            return _pct(start, end, _dec(g["bei"]), negative, kind="change", unit="倍")
        if g["cheng"] is not None:
            if body[start:end + 2].startswith("一成不"):
                return None
            return _pct(start, end, _dec(g["cheng"]) * 10 + (5 if g["cheng_half"] else 0), negative, kind="share", unit="成")
        if g["cur"] is not None:
            symbol = {"$": "美元", "￥": "元", "¥": "元"}[g["cur"]]
            return _num(start, end, _dec(g["cur_num"]), g["cur_mult"] or "", symbol, units, "", arabic=True)
        if g["idx"] is not None:
            # an index level has no unit: 城市居民消费价格指数为100.7
            return _num(m.start("idx"), end, _dec(g["idx"]), "", "", units, "", arabic=True,
                        quantity_type="other")
        if g["num"] is not None:
            if not g["unit"] and (not g["mult"] or g["mult"] == "千"):
                return None  # a bare number, or 220千(伏): no quantity without a unit
            if any(body.startswith(w, end) for w in guard.name_followers):
                return None
            unit = g["unit"] or ""
            if unit and _bad_follow(body, end, unit):
                return None
            value = _dec(g["num"]) if sign > 0 else _dec(g["num"]).copy_negate()
            return _num(start, end, value, g["mult"] or "", unit, units,
                        g["num_in"] or g["num_in2"] or "", arabic=True)
        if g["cnum"] is not None or g["cnum2"] is not None:
            if g["cnum"] is not None:   # 一千多万元: qualifier between numeral and multiplier
                cn, unit, inside, cmult = g["cnum"], g["cunit2"], g["cnum_in"], g["cmult"]
            else:
                cn, unit, inside, cmult = g["cnum2"], g["cunit"], g["cnum_in2"] or "", ""
            base_unit = unit.split("/")[0]
            if cn in ("万", "亿", "万亿") and base_unit in units and units[base_unit] == "money" \
                    and body[max(0, start - 2):start].endswith(("超", "突破", "过", "逾", "近")) \
                    and not ("\u4e00" <= body[end:end + 1] <= "\u9fa5"):
                # 突破万亿元: one 万亿 (超亿元项目 names a class: SPEC §3, not taken)
                return _num(start, end, Decimal(1), cn, unit, units, "", arabic=False)
            if cn == "一" and units.get(base_unit, "count") not in ("count", "other"):
                pass  # 一美元, 近一吨: a physical or money unit makes 一 a figure
            elif _lone_or_vague(cn):
                return None
            elif base_unit in guard.arabic_only and not any(c in "十百千" for c in cn):
                return None  # 三方, 两口: words; 一百对, 五十对 are counts
            if _bad_follow(body, end, unit) or _in_quotes(body, start, end):
                return None
            if any(body.startswith(w, end) for w in guard.name_followers):
                return None
            if (base_unit == "元" and len(cn) == 1 and not cmult) or (base_unit == "人" and "\u4e00" <= body[end:end + 1] <= "\u9fa5"):
                return None  # 三元乳业, 三人篮球: names (a lone digit before 元 or a noun)
            head, mult = (cn, cmult) if cmult else _split_cn_multiplier(cn)
            value = parse_chinese(head) if sign > 0 else parse_chinese(head).copy_negate()
            return _num(start, end, value, mult, unit, units, inside, arabic=False)
    except (ValueError, ArithmeticError):
        return None
    return None


def _bad_follow(body: str, end: int, unit: str) -> bool:
    """``12个月`` is a duration; ``3个百分比``-like tails are not counts."""
    nxt = body[end:end + 1]
    if unit.endswith("个") and nxt in ("月", "季", "工", "小"):
        return True
    if unit in ("米", "克") and nxt in ("兰",):
        return True
    return False


def _pct(start: int, end: int, value: Decimal, negative: bool, kind: str = "",
         qualifier: str = "", unit: str = "%") -> Row:
    return {"table": "percentages", "start": start, "end": end, "value": value,
            "kind": kind, "negative": negative, "qualifier": qualifier, "pct_unit": unit}


def _num(start: int, end: int, value: Decimal, mult: str, unit: str, units: dict[str, str],
         inside: str, arabic: bool, quantity_type: str = "") -> Row:
    multiplier = multiplier_of(mult)
    normalized = EXACT.multiply(value, multiplier)
    base = unit.split("/")[0]
    qtype = units.get(base, "other") if "/" not in unit else ("money" if base in ("元",) else "other")
    if base in ("吨标准煤", "吨标煤", "标准煤") and "/" in unit:
        qtype = "other"
    if not unit:
        qtype = quantity_type  # else decided from the metric in context.py
    return {"table": "numbers", "start": start, "end": end, "value": value,
            "multiplier": multiplier, "unit": unit, "value_normalized": normalized,
            "quantity_type": qtype, "qualifier": inside}
