"""Period expressions in Chinese text, resolved to ISO 8601 against the article date.

SPEC §3 "Periods". Pure functions over a string and a date: no tokenizer, no
other pipeline stage. Word lists live in ``data/periods.yaml``; this module keeps
the regex skeleton (how years, months, quarters, plans and durations are
written) and what each match means.

One compiled regex is scanned once over the text (``finditer``: leftmost,
non-overlapping; every optional part is greedy, so ``今年1-10月`` wins over
``今年``). Every quantifier is bounded, so the scan is linear in the text.
Full-width digits are folded to ASCII first, one character for one, so the
offsets stay those of the given text.

ISO forms: ``2022`` (a year), ``2015/2022`` (years), ``2022-06`` (a month),
``2022-01/2022-10`` (months), ``2022-12-20`` (a day: callers usually skip these),
``2022-01-01/2022-12-20`` (days, ``截至12月20日``).

Year rules (the article date ``ref``; never today's date):

- a phrase with no year (``1-11月``, ``截至11月底``, ``全年``, ``年底``) is in the
  article year, except in a January-March article when it ends after the
  article month: then it is last year's (a report reviewing the year just
  ended). ``到``/``至`` before it or ``前`` after it (a deadline) and ``年内``
  keep the article year;
- look-backs (``过去五年``, ``五年来``, ``近三年``, ``连续三年``, ``一年来``) end
  with the year before a January-March article, else with the article year;
  ``今后五年``/``未来五年`` start with the article year in January-March, else
  the year after;
- ``以来``/``至今``/``自…`` run to the article date: ``2015/2022``;
- five-year plan n covers 1950+5n+1 .. +4 (``十四五`` 2021/2025); 一五 and 二五 are listed.

Without ``ref`` a relative phrase keeps its mention with ``period=None``.
PyYAML (for ``data/periods.yaml``) is the only import outside the standard library.

Baselines are not the figure's period, but they are still found: ``比2021年``
gives the mention ``2021年`` and ``去年同期`` the mention ``去年``; the caller sees
the ``比`` before or the ``同期`` after and skips them. ``同期`` and ``同比`` alone
are never mentions.

>>> import datetime as dt
>>> d = dt.date(2022, 12, 21)
>>> [(m.text, m.period) for m in find_periods("今年1-10月，同比增长4.4%；截至11月底，突破5万家", d)]
[('今年1-10月', '2022-01/2022-10'), ('截至11月底', '2022-01/2022-11')]
>>> resolve("“十四五”时期", d), resolve("去年", None)
('2021/2025', None)
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["PeriodMention", "find_periods", "resolve"]

_DATA = Path(__file__).parent / "data" / "periods.yaml"


@dataclass(frozen=True, slots=True)
class PeriodMention:
    """One period phrase found in a text.

    start, end (int): offsets into the text given, ``text[start:end] == self.text``.
    text (str): the phrase as written: ``今年1-10月``, ``截至11月底``, ``“十四五”时期``.
    period (str | None): ISO 8601 (``2022``, ``2021/2025``, ``2022-06``,
        ``2022-01/2022-10``, ``2022-12-20``); None when it depends on an
        article date that is unknown.
    future (bool): the period lies after the article date (a point in time
        after it, or a span that starts after it or mostly after it:
        ``到2025年底``, ``明年``, ``今年`` in a March report); False without a date.
    point (bool): a point in time, for a stock or balance (``6月末``,
        ``2021年底``, ``目前``, a day); a cumulative span (``截至11月底``) is not.
    """

    start: int
    end: int
    text: str
    period: str | None
    future: bool
    point: bool


# --------------------------------------------------------------------------
# vocabulary


@functools.lru_cache(maxsize=None)
def _vocab() -> dict[str, Any]:
    with open(_DATA, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _alt(words) -> str:
    """Alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


_V = _vocab()
_FOLD = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_DIGIT: dict[str, int] = {k: int(v) for k, v in _V["chinese_digits"].items()}
_REL_YEARS: dict[str, int] = {k: int(v) for k, v in _V["relative_years"].items()}
_YEAR_PARTS: dict[str, str] = dict(_V["year_parts"])
_STD_PARTS: dict[str, str] = dict(_V["standalone_year_parts"])
_MONTH_SPANS: dict[str, tuple[int, int]] = {k: (int(a), int(b)) for k, (a, b) in _V["month_spans"].items()}
_MONTH_PARTS: dict[str, str] = dict(_V["month_parts"])
_PRE = _V["prefixes"]
_SUF = _V["suffixes"]
_PLANS = _V["plans"]
_PLAN_PARTS: dict[str, str] = dict(_PLANS["parts"])
_CUMULATIVE = frozenset(_PRE["cumulative"])
_TARGET = frozenset(_PRE["target"])
_SINCE_PRE = frozenset(_PRE["since"])
_SINCE_SUF = frozenset(_SUF["since"])
_SHORT_SINCE_AFTER = tuple(_SUF["short_since_after"])
_DEADLINE_AFTER = tuple(_SUF["deadline_after"])
_PAST_BEFORE = frozenset(_V["durations"]["past_before"])
_FUTURE_BEFORE = frozenset(_V["durations"]["future_before"])

# --------------------------------------------------------------------------
# regex skeleton

_CN = "零〇○Ｏ一二三四五六七八九"          # digits of a year written in Chinese
_NUMERAL = _CN + "十百千万两几多"            # characters a numeral is made of
_SEP = "(?:" + _alt(_V["range_separators"]) + r"|——)"

_YEAR_DIG = r"(?<!\d)(?:1[5-9]|20)\d\d"
_YEAR_CN = rf"(?<![{_NUMERAL}])[一二][{_CN}]{{3}}"
_REL = "|".join(
    (f"(?<![{re.escape(_V['relative_year_not_after'][w])}])" if w in _V["relative_year_not_after"] else "")
    + re.escape(w)
    for w in sorted(_REL_YEARS, key=lambda w: (-len(w), w))
)
_YEARTOK = rf"(?:{_YEAR_DIG}年|{_YEAR_CN}年|{_REL})"


def _parts_alt(parts: dict[str, str]) -> str:
    out = []
    for w in sorted(parts, key=lambda w: (-len(w), w)):
        bad = _V["year_part_not_before"].get(w)
        out.append(re.escape(w) + (f"(?![{re.escape(bad)}])" if bad else ""))
    return "|".join(out)


_YPART = _parts_alt(_YEAR_PARTS)
_YSTD = rf"(?<![{_NUMERAL}\d年每])(?:{_parts_alt(_STD_PARTS)})"

_M_DIG = r"(?<![\d.])(?:1[0-2]|0?[1-9])(?!\d)"
_M_CN = r"(?:十[一二]?|[一二三四五六七八九])"
_M_CN_FREE = rf"(?<![{_NUMERAL}第统唯单同])" + _M_CN   # a Chinese month with no year before it
_D_DIG = r"(?:3[01]|[12]\d|0?[1-9])(?!\d)"
_D_CN = r"(?:三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
_N_MONTHS = r"(?:1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九两])"
_MPART = _alt(_MONTH_PARTS)
_SPANS = _alt(_MONTH_SPANS)
_QUARTER = r"(?<![\d.])第?[一二三四1-4]季度"


def _sub(month: str, day: str, cn_month: str | None) -> str:
    """Sub-year phrases with the given month/day tokens; ``cn_month`` (a
    Chinese month with no year before it) only where a suffix makes it a month."""
    alts = [
        rf"{month}月?份?{_SEP}{month}月份?",
        rf"前{_N_MONTHS}个?月份?",
        rf"(?:{_SPANS})(?:末|底)?",
        rf"{_QUARTER}(?:末|底)?",
        rf"{month}月{day}[日号]",
        rf"{month}月份?(?:{_MPART})?",
    ]
    if cn_month:
        alts += [
            rf"{cn_month}月?份?{_SEP}{_M_CN}月份?",
            rf"{cn_month}月{_D_CN}[日号]",
            rf"{cn_month}月(?:份(?:{_MPART})?|{_MPART})",
        ]
    return "(?:" + "|".join(alts) + ")"


_SUB_AFTER_YEAR = _sub(f"(?:{_M_DIG}|{_M_CN})", f"(?:{_D_DIG}|{_D_CN})", None)
_SUB_FREE = _sub(_M_DIG, _D_DIG, _M_CN_FREE)

_OQ = re.escape(_PLANS["open_quotes"])
_CQ = re.escape(_PLANS["close_quotes"])
_PLAN = (
    rf"(?:[{_OQ}](?:十[一二三四五六七八九]五|[一二三四五六七八九十]五)[{_CQ}]"
    rf"|(?<![{_NUMERAL}第])十[一二三四五六七八九]五(?![{_NUMERAL}亿年届次个点%.\d])"
    rf"|(?<![{_NUMERAL}第])[六七八九十]五(?={_alt(_PLANS['unquoted_single_before'])})"
    r"|第(?:十[一二三四五六七八九]?|[一二三四五六七八九])个五年(?:规划|计划)?)"
)
_PLAN_PART = _alt([p for w in _PLAN_PARTS for p in (w + "期", w)])

_N_YEARS = r"(?:\d{1,2}|[一二三四五六七八九十两]{1,3})"
_DUR = (
    rf"(?:(?:{_alt(_PAST_BEFORE)}){_N_YEARS}个?年来?"
    rf"|(?<![{_NUMERAL}\d]){_N_YEARS}年(?:来|(?=以来))"
    rf"|(?:{_alt(_FUTURE_BEFORE)}){_N_YEARS}个?年)"
)

_MASTER = re.compile(
    rf"(?P<pre>{_alt(_CUMULATIVE | _TARGET | _SINCE_PRE)})?"
    r"(?:"
    rf"(?P<yr>{_YEAR_DIG}年?{_SEP}{_YEAR_DIG}年度?)"
    rf"|(?P<cal>{_YEARTOK}(?:{_SUB_AFTER_YEAR}|{_YPART})?|{_SUB_FREE}|{_YSTD})"
    rf"|(?P<plan>{_PLAN})(?P<ppart>{_PLAN_PART})?"
    rf"|(?P<dur>{_DUR})"
    rf"|(?P<now>(?<![{re.escape(_V['now_not_after'])}])(?:{_alt(_V['now_words'])}))"
    r")"
    rf"(?P<suf>{_alt(_SINCE_SUF | frozenset(_SUF['span']))}|来)?"
    r"(?P<dl>前)?"
)

# Parsers for the pieces the master regex found (fullmatch on short strings).
_ANY_M = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_ANY_D = r"(?:3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
_CAL = re.compile(
    rf"(?:(?P<ydig>\d{{4}})年|(?P<ycn>[一二][{_CN}]{{3}})年|(?P<rel>{_alt(_REL_YEARS)}))?"
    r"(?:"
    rf"(?P<m1>{_ANY_M})月?份?{_SEP}(?P<m2>{_ANY_M})月份?"
    rf"|前(?P<nm>{_N_MONTHS})个?月份?"
    rf"|(?P<span>{_SPANS})(?P<spart>末|底)?"
    rf"|第?(?P<q>[一二三四1-4])季度(?P<qpart>末|底)?"
    rf"|(?P<dm>{_ANY_M})月(?P<dd>{_ANY_D})[日号]"
    rf"|(?P<mm>{_ANY_M})月份?(?P<mpart>{_MPART})?"
    rf"|(?P<ypart>{_alt(set(_YEAR_PARTS) | set(_STD_PARTS))})"
    r")?"
)
_YR = re.compile(rf"(?P<y1>\d{{4}})年?{_SEP}(?P<y2>\d{{4}})年度?")
_PLAN_NAME = re.compile(r"第(?P<nth>[一二三四五六七八九十]+)个五年|十?[一二三四五六七八九十]五")
_DUR_N = re.compile(rf"(?P<pre>{_alt(_PAST_BEFORE | _FUTURE_BEFORE)})?(?P<n>{_N_YEARS})")


# --------------------------------------------------------------------------
# numbers and intervals


def _cn_int(s: str) -> int:
    """1-2 digit numbers: ``10``, ``十二``, ``二十三``, ``两``, ``三十``.

    >>> [_cn_int(x) for x in ("7", "十", "十二", "二十", "三十一", "两")]
    [7, 10, 12, 20, 31, 2]
    """
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)
    if len(s) == 1:
        return _CN_DIGIT[s]
    raise ValueError(s)


def _cn_year(s: str) -> int:
    return int("".join(str(_CN_DIGIT[c]) for c in s))


@dataclass(frozen=True, slots=True)
class _Span:
    """A resolved interval: first and last day, and the unit it is written in."""

    start: dt.date
    end: dt.date
    unit: str  # Y, M or D

    def iso(self) -> str:
        def one(d: dt.date) -> str:
            return {"Y": f"{d.year:04d}", "M": f"{d.year:04d}-{d.month:02d}", "D": d.isoformat()}[self.unit]

        a, b = one(self.start), one(self.end)
        return a if a == b else f"{a}/{b}"


def _last_day(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _years(y1: int, y2: int) -> _Span:
    return _Span(dt.date(y1, 1, 1), dt.date(y2, 12, 31), "Y")


def _months(y: int, m1: int, m2: int) -> _Span:
    return _Span(dt.date(y, m1, 1), _last_day(y, m2), "M")


def _since(start: _Span, ref: dt.date) -> _Span:
    """From ``start`` to the article date, in the unit ``start`` is written in."""
    if start.start > ref:
        return start
    end = {"Y": dt.date(ref.year, 12, 31), "M": _last_day(ref.year, ref.month), "D": ref}[start.unit]
    return _Span(start.start, max(end, start.end), start.unit)


def _past_base(ref: dt.date) -> int:
    """The last year a look back covers: the year before for a January-March
    report (a government work report reviews the year just ended)."""
    return ref.year - 1 if ref.month <= 3 else ref.year


# --------------------------------------------------------------------------
# interpretation


@dataclass(slots=True)
class _Reading:
    span: _Span | None      # None: needs an article date that is unknown
    point: bool = False
    point_at: dt.date | None = None
    to_date: bool = False   # runs up to the article date (以来, 截至目前): never future


class _NeedsRef(Exception):
    """The phrase is relative and no article date is known."""


class _Invalid(Exception):
    """Not a period after all (13月, 10-3月, 2025年至2021年)."""


def _need(ref: dt.date | None) -> dt.date:
    if ref is None:
        raise _NeedsRef
    return ref


def _read_cal(text: str, pre: str, suf: str, deadline: bool, ref: dt.date | None) -> _Reading:
    p = _CAL.fullmatch(text)
    if p is None:  # pragma: no cover - the master regex only hands over what _CAL parses
        raise _Invalid(text)
    g = p.groupdict()
    # the month span (or point) inside one year
    m_from = m_to = None
    part = None          # begin / mid / end for points
    day = None
    if g["m1"]:
        m_from, m_to = _cn_int(g["m1"]), _cn_int(g["m2"])
    elif g["nm"]:
        m_from, m_to = 1, _cn_int(g["nm"])
    elif g["span"]:
        m_from, m_to = _MONTH_SPANS[g["span"]]
        if g["spart"]:
            m_from, part = m_to, "end"
    elif g["q"]:
        q = _cn_int(g["q"])
        m_from, m_to = 3 * q - 2, 3 * q
        if g["qpart"]:
            m_from, part = m_to, "end"
    elif g["dm"]:
        m_from = m_to = _cn_int(g["dm"])
        day = _cn_int(g["dd"])
        part = "day"
    elif g["mm"]:
        m_from = m_to = _cn_int(g["mm"])
        if g["mpart"]:
            part = _MONTH_PARTS[g["mpart"]]
    ypart = _YEAR_PARTS.get(g["ypart"] or "") or _STD_PARTS.get(g["ypart"] or "")
    if m_from is not None and not (1 <= m_from <= m_to <= 12):
        raise _Invalid(text)

    # the year
    has_year = bool(g["ydig"] or g["ycn"] or g["rel"])
    if g["ydig"]:
        year = int(g["ydig"])
    elif g["ycn"]:
        year = _cn_year(g["ycn"])
    else:
        ref = _need(ref)
        year = ref.year + _REL_YEARS[g["rel"]] if g["rel"] else ref.year
        if not has_year and ref.month <= 3 and pre not in _TARGET and not deadline and g["ypart"] != "年内":
            # a month-only phrase later in the year than a January-March
            # article is last year's (1-11月 in a February report)
            last = m_to if m_to is not None else (1 if ypart == "begin" else 12)
            if last > ref.month:
                year -= 1

    # the span
    if day is not None:
        if day > calendar.monthrange(year, m_from)[1]:
            raise _Invalid(text)
        d = dt.date(year, m_from, day)
        span = _Span(d, d, "D")
    elif m_from is not None:
        span = _months(year, m_from, m_to)
    else:
        span = _years(year, year)

    r = _Reading(span)
    if part or ypart in ("begin", "end"):
        r.point = True
        which = part or ypart
        if which == "begin":
            r.point_at = span.start
        elif which == "mid":
            r.point_at = span.start + (span.end - span.start) / 2
        else:
            r.point_at = span.end

    if pre in _CUMULATIVE:
        if day is not None:
            r.span = _Span(dt.date(year, 1, 1), span.end, "D")
            r.point = False
        elif m_from is not None:
            r.span = _months(year, 1, m_to)
            r.point = False
        # 截至2021年底: a stock at the year end stays a point
    if pre in _SINCE_PRE and day is not None and suf not in _SINCE_SUF:
        pass  # 自1月1日起: a day, left for the caller to skip
    elif pre in _SINCE_PRE or suf in _SINCE_SUF or suf == "来":
        ref = _need(ref)
        if r.span.start <= ref:
            r.span = _since(r.span, ref)
            r.to_date = True
            r.point = False
    return r


def _plan_years(name: str) -> tuple[int, int]:
    fixed = _PLANS["fixed"]
    if name in fixed:
        a, b = fixed[name]
        return int(a), int(b)
    n = _cn_int(name[:-1])
    first = 1950 + 5 * n + 1
    return first, first + 4


def _read(m: re.Match, end: int, ref: dt.date | None) -> _Reading:
    pre = m.group("pre") or ""
    suf = m.group("suf") if m.group("suf") and m.end("suf") <= end else ""
    deadline = bool(m.group("dl")) and m.end("dl") <= end
    if m.group("cal"):
        return _read_cal(m.group("cal"), pre, suf, deadline, ref)
    if m.group("yr"):
        p = _YR.fullmatch(m.group("yr"))
        y1, y2 = int(p["y1"]), int(p["y2"])
        if y1 >= y2:
            raise _Invalid(m.group("yr"))
        return _Reading(_years(y1, y2))
    if m.group("plan"):
        name = _PLAN_NAME.search(m.group("plan"))
        first, last = _plan_years(name["nth"] + "五" if name["nth"] else name.group(0))  # 第十四个五年 = 十四五
        ppart = _PLAN_PARTS.get((m.group("ppart") or "")[:1])
        if ppart == "end":
            return _Reading(_years(last, last), point=True, point_at=dt.date(last, 12, 31))
        if ppart == "begin":
            return _Reading(_years(first, first))
        if suf in _SINCE_SUF:
            ref = _need(ref)
            if ref.year >= first:
                return _Reading(_years(first, ref.year), to_date=True)
        return _Reading(_years(first, last))
    if m.group("dur"):
        ref = _need(ref)
        p = _DUR_N.match(m.group("dur"))
        n = _cn_int(p["n"])
        if not 1 <= n <= 50:
            raise _Invalid(m.group("dur"))
        if p["pre"] in _FUTURE_BEFORE:
            first = ref.year if ref.month <= 3 else ref.year + 1
            return _Reading(_years(first, first + n - 1))
        last = _past_base(ref)
        return _Reading(_years(last - n + 1, last))
    if m.group("now"):
        ref = _need(ref)
        if pre in _CUMULATIVE:
            return _Reading(_years(ref.year, ref.year), to_date=True)
        return _Reading(_months(ref.year, ref.month, ref.month), point=True, point_at=ref)
    raise _Invalid(m.group(0))  # pragma: no cover


def _is_future(r: _Reading, ref: dt.date | None) -> bool:
    if ref is None or r.span is None or r.to_date:
        return False
    if r.point:
        return (r.point_at or r.span.end) > ref
    mid = r.span.start + (r.span.end - r.span.start) / 2
    return r.span.start > ref or mid > ref


def _end(m: re.Match, norm: str) -> int:
    """Where the mention ends: 来 and 前 are kept only where they belong."""
    end = m.end()
    if m.group("dl"):
        before = norm[m.start():m.start("dl")]
        if not before.endswith(_DEADLINE_AFTER):
            end = m.start("dl")
    if m.group("suf") == "来":
        core = norm[max(m.start(), m.start("suf") - 3):m.start("suf")]
        if not core.endswith(_SHORT_SINCE_AFTER):
            end = m.start("suf")
    return end


def _scan(text: str, ref: dt.date | None) -> list[tuple[PeriodMention, _Span | None]]:
    if isinstance(ref, dt.datetime):
        ref = ref.date()
    norm = text.translate(_FOLD)
    out: list[tuple[PeriodMention, _Span | None]] = []
    for m in _MASTER.finditer(norm):
        end = _end(m, norm)
        try:
            r = _read(m, end, ref)
        except _NeedsRef:
            r = _Reading(None)
            # the point flag does not depend on the date
            try:
                r.point = _read(m, end, dt.date(2000, 6, 15)).point
            except (_Invalid, ValueError, KeyError):
                continue
        except (_Invalid, ValueError, KeyError):
            continue
        start = m.start()
        mention = PeriodMention(
            start=start,
            end=end,
            text=text[start:end],
            period=r.span.iso() if r.span else None,
            future=_is_future(r, ref),
            point=r.point,
        )
        out.append((mention, r.span))
    return out


# --------------------------------------------------------------------------
# public API


def find_periods(text: str, ref: dt.date | None) -> list[PeriodMention]:
    """All period mentions in text, left to right, non-overlapping, longest match wins.

    ``ref`` is the article date; relative phrases (今年, 上半年, 五年来) get
    ``period=None`` without it. Today's date is never read.

    >>> import datetime as dt
    >>> ms = find_periods("力争到2025年底，规模以上工业企业突破800家", dt.date(2022, 12, 21))
    >>> [(m.start, m.end, m.text, m.period, m.future, m.point) for m in ms]
    [(2, 9, '到2025年底', '2025', True, True)]
    >>> [m.period for m in find_periods("一九九四年和１９９５年上半年", None)]
    ['1994', '1995-01/1995-06']
    >>> find_periods("十三届三次全会、二十大，同比增长", dt.date(2022, 12, 21))
    []
    """
    return [m for m, _ in _scan(text, ref)]


def resolve(period_text: str, ref: dt.date | None) -> str | None:
    """Resolve one period phrase: the span from the first to the last period it names.

    >>> import datetime as dt
    >>> d = dt.date(2022, 12, 21)
    >>> resolve("今年1-10月", d), resolve("截至目前", d), resolve("6月末", d)
    ('2022-01/2022-10', '2022', '2022-06')
    >>> resolve("2021年和2022年1-6月", d)
    '2021-01/2022-06'
    >>> resolve("同比", d) is None
    True
    """
    spans = [s for _, s in _scan(period_text, ref) if s is not None]
    if not spans:
        return None
    if len(spans) == 1:
        return spans[0].iso()
    unit = min((s.unit for s in spans), key="DMY".index)
    return _Span(min(s.start for s in spans), max(s.end for s in spans), unit).iso()
