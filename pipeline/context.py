"""Context for every figure and ranking: metric, period, region, baseline,
kind, direction, target (SPEC §2, §3).

Works on character offsets and word lists (``data/context_words.yaml``):
official prose states a subject, then one or more figures joined by commas
(``工业投资129亿元,同比增长13.6%``), so each figure's metric is the noun phrase
of its clause, or the subject it inherits from the clause before.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from . import lexicon
from .model import Article, Row
from .periods import PeriodMention, find_periods
from .pos import ends_with_verb, is_word, noun_head

BOUNDARY = "，,；;：:。！？!?\n（("
BASELINE_RE = re.compile(
    r"(?:同比|环比|两年平均|三年平均|年均)"
    r"|(?<!占)(?:比|较|与)(?:[^，,；;。：:、比较提增降减回收扩缩高低多少持加放涨分均]{1,10}?)(?:相比|同期)?(?=(?:比重|占比|增速|增幅|降幅|价格)?(?:分别|均|都|也|又|再)?"
    r"(?:增长|下降|上涨|涨|翻|提高|降低|增加|减少|回落|上升|上涨|下滑|收窄|扩大|缩小|回升|持平|加快|放缓|多|少|高|低|增|降|减|净增|提升))")
REGION_RE = re.compile(r"([\u4e00-\u9fa5]{2,8}?(?:自治区|特别行政区|省|市|县|区|自治州|州|盟|旗))")
REGION_NOT = ("全", "我", "本", "各", "该", "此", "两", "城", "地", "辖", "市", "县", "区", "省", "新", "老", "园")


# A noun phrase right after a figure, up to a clause boundary or a verb of movement.
RIGHT_NOUN_RE = re.compile(r"(?:[（(][\u4e00-\u9fa5]{1,2}[)）])?(?:的)?([\u4e00-\u9fa5“](?:[\u4e00-\u9fa5“”\"（）()A-Za-z]){1,23}?)(?=[，,；;。：:、！？]|同比|增长|下降|排名|排在|排第|位列|位居|居全|占|$)")


@functools.lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Names and short forms of China's administrative divisions (data/gazetteer_divisions.tsv)."""
    names: set[str] = set()
    with open(lexicon.DATA / "gazetteer_divisions.tsv", encoding="utf-8") as f:
        for line in f:
            if line.startswith(("#", "adcode")):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                names.add(parts[1])
            if len(parts) >= 4 and len(parts[3]) >= 2:
                names.add(parts[3])
    return frozenset(names)


@functools.lru_cache(maxsize=1)
def _w() -> dict[str, tuple[str, ...]]:
    keys = ["metric_trailing", "metric_leading", "generic_metrics", "change_cues", "share_cues",
            "rate_cues", "down_cues", "target_cues", "target_not_before", "region_words",
            "money_hints", "continuations", "right_not_noun"]
    return {k: lexicon.words(k) for k in keys}


def infer_title(article: Article) -> None:
    """Title and region from the text when front matter lacks them."""
    if not article.meta.get("title"):
        first = article.sentences[0] if article.sentences else None
        if first is not None and first.kind == "heading":
            article.meta["title"] = " ".join(article.body[first.start:first.end].split())
    if not article.meta.get("region"):
        region = _region_from(article.meta.get("title", "")) or _region_from(article.body[:3000], common=True)
        if region:
            article.meta["region"] = region


def _region_from(text: str, common: bool = False) -> str:
    found = [m.group(1) for m in REGION_RE.finditer(text) if not m.group(1).startswith(REGION_NOT)]
    found = [f for f in found if not re.search(r"[的了和与及在为是对从把被将向]", f)]
    if not found:
        return ""
    if common:
        counts: dict[str, int] = {}
        for f in found:
            counts[f] = counts.get(f, 0) + 1
        best = max(counts.items(), key=lambda kv: kv[1])
        return best[0] if best[1] >= 2 else ""
    return found[0]


@dataclass
class _SentenceState:
    index: int = -1
    subject: str = ""          # last non-generic metric in the sentence
    last_metric: str = ""
    last_row: Row | None = None
    spread: list[str] = field(default_factory=list)   # 分别: metrics still to hand out
    rows: list[Row] = field(default_factory=list)
    right_end: int = -1        # end of the noun after the last figure, when it named that figure
    baseline: str = ""


@dataclass
class _ParagraphState:
    index: int = -1
    period: PeriodMention | None = None
    subject: str = ""


class _Periods:
    """Period mentions of an article and the scopes they hold for (SPEC §3)."""

    def __init__(self, article: Article):
        self.article = article
        body = article.body
        raw = find_periods(body, article.date)
        self.mentions = [m for m in raw if m.period and not _is_day(m.period) and not _is_baseline(body, m)]
        self.starts = [m.start for m in self.mentions]
        self.clause_bound = {
            i for i, m in enumerate(self.mentions)
            if m.text.startswith("连续")
            or (body[max(0, m.start - 1):m.start] in ("由", "从") and body[m.end:m.end + 1] == "的")}
        self.dominant = self._dominant()
        self.title_period = self._title_period() or self.dominant
        self.heading_periods = self._heading_periods()

    def _dominant(self) -> PeriodMention | None:
        """The reporting period of a statistics article: the part-year period
        (``上半年``, ``一季度``) stated most often, at least twice."""
        counts: dict[str, list[PeriodMention]] = {}
        for m in self.mentions:
            p = m.period or ""
            if re.fullmatch(r"(\d{4})-01/\1-\d{2}", p):
                counts.setdefault(p, []).append(m)
        if not counts:
            return None
        best = max(counts.values(), key=len)
        year = (best[0].period or "")[:4]
        whole_year = sum(1 for m in self.mentions if m.period == year)
        # a plenary or work report says 今年 more often than 1-10月: no reporting period
        return best[0] if len(best) >= 2 and len(best) > whole_year else None

    def _title_period(self) -> PeriodMention | None:
        title = self.article.meta.get("title", "")
        found = [m for m in find_periods(title, self.article.date) if m.period and not _is_day(m.period)]
        if found:
            return found[-1]
        first = self.article.sentences[0] if self.article.sentences else None
        if first and first.kind == "heading":
            ms = [m for m in self.mentions if first.start <= m.start < first.end]
            if ms:
                return ms[-1]
        return None

    def _heading_periods(self) -> list[tuple[int, PeriodMention]]:
        out = []
        for s in self.article.sentences:
            if s.kind != "heading" or s.index == 1:
                continue
            ms = [m for m in self.mentions if s.start <= m.start < s.end]
            if ms:
                out.append((s.start, ms[-1]))
        return out

    def default(self) -> str:
        d = self.article.date
        return str(d.year) if d else ""

    def at(self, pos: int, paragraph_start: int) -> PeriodMention | None:
        """The period holding at ``pos``: the latest mention in the paragraph
        before it, else the section heading's, else the title's."""
        import bisect
        i = bisect.bisect_right(self.starts, pos) - 1
        body = self.article.body
        while i >= 0 and (self.mentions[i].end > pos or _closed_bracket(body, self.mentions[i].end, pos)
                          or (i in self.clause_bound
                              and re.search(r"[，,；;。]", body[self.mentions[i].end:pos]))
                          or (i in self.clause_bound and re.search(r"[到至]", body[self.mentions[i].end:pos])
                              and body[self.mentions[i].start - 1:self.mentions[i].start] in ("由", "从"))):
            i -= 1  # 连续三年, 由2010年的1264元: these hold for their own clause only
        if i >= 0 and self.mentions[i].start >= paragraph_start:
            m = self.mentions[i]
            scoped = self.section(pos) or self.dominant
            if scoped and _vague_year(m.text) and scoped.period and scoped.period.startswith(m.period or "?"):
                return scoped
            return m
        return self.section(pos)

    def section(self, pos: int) -> PeriodMention | None:
        best = None
        for start, m in self.heading_periods:
            if start <= pos:
                best = m
            else:
                break
        return best or self.title_period


def _closed_bracket(body: str, a: int, b: int) -> bool:
    """A bracket closes between ``a`` and ``b``: a period stated inside
    ``（同期为下降9.8%、一季度为增长3.5%）`` holds only inside it."""
    seg = body[a:b]
    depth = 0
    for ch in seg:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            if depth == 0:
                return True
            depth -= 1
    return False


def shift_year(period: str, years: int) -> str:
    """``2016-01/2016-06`` one year back is ``2015-01/2015-06``.

    >>> shift_year("2016-01/2016-06", -1)
    '2015-01/2015-06'
    """
    return re.sub(r"\d{4}", lambda m: str(int(m.group(0)) + years), period)


def _vague_year(text: str) -> bool:
    return text.strip("“”") in ("今年", "今年以来", "年初以来", "本年", "当年", "目前", "截至目前")


def _is_day(period: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", period))


def _is_baseline(body: str, m: PeriodMention) -> bool:
    """``比2021年``, ``较上年``, ``同期``: a comparison, not the figure's period."""
    before = body[max(0, m.start - 1):m.start]
    after = body[m.end:m.end + 2]
    if before in ("是", "为") and after.startswith("的"):
        return True  # 是2010年的2.6倍
    if re.search(r"(?:持续|延续|坚持|保持|一直|直)$", body[max(0, m.start - 3):m.start]):
        return True  # 预计行情可持续到年底: the end of a duration
    if "之年" in body[m.end:m.end + 8]:
        return True  # 2025年是“十四五”收官之年: describes the year, sets no period
    return before in ("比", "较", "与", "从", "于") or after.startswith("同期") or after.startswith("相比")


def _strip(text: str, leading: tuple[str, ...], trailing: tuple[str, ...]) -> str:
    changed = True
    while changed and text:
        changed = False
        for w in leading:
            if text.startswith(w) and len(text) > len(w):
                text = text[len(w):]
                changed = True
                break
        for w in trailing:
            if text.endswith(w):
                text = text[: -len(w)]
                changed = True
                break
        t2 = text.strip(" 　、，,\"'：:").lstrip(")）」』")
        if t2.startswith("“") and "”" not in t2:
            t2 = t2[1:]
        if t2.endswith("”") and "“" not in t2:
            t2 = t2[:-1]
        if t2 != text:
            text, changed = t2, True
    return text


class ContextAttacher:
    def __init__(self, article: Article):
        self.a = article
        self.body = article.body
        self.w = _w()
        self.periods = _Periods(article)
        region = article.meta.get("region", "")
        self.region = region
        names = {region}
        if region and region[-1] in "市县区省州旗盟" and len(region) > 2:
            names.add(region[:-1])
        self.region_names = tuple(sorted((n for n in names if n), key=len, reverse=True))
        self.leading = tuple(sorted(set(self.w["metric_leading"]) | set(self.w["region_words"]) | set(self.region_names),
                                    key=lambda x: (-len(x), x)))
        self.places = place_names()
        self.trailing = self.w["metric_trailing"] + ("排名", "排位", "名次", "位次", "皆", "均", "排")

    # -- clauses -----------------------------------------------------------
    def clause_start(self, sent_start: int, pos: int, floor: int) -> int:
        i = pos - 1
        while i >= max(sent_start, floor):
            if self.body[i] in BOUNDARY:
                return i + 1
            i -= 1
        return max(sent_start, floor)

    def clean_metric(self, raw: str, lo: int) -> str:
        # baselines and periods are columns of their own (baselines first:
        # 比上年 holds the period word 上年)
        text = BASELINE_RE.sub("", raw)
        text = re.sub(r"\d{4}年?(?:和|、|至|-|—)(?=\d{4})", "", text)   # 2015和2016年同期
        for m in sorted(find_periods(text, self.a.date), key=lambda m: -m.start):
            text = text[:m.start] + text[m.end:]
        # 在…中 / 在…方面 name the frame of a ranking or comparison, not the metric
        text = re.sub(r"^在[^，,；;]{1,20}?(?:中|内|方面|上)(?=[\u4e00-\u9fa5“]|$)", "", text)
        text = re.sub(r"在[\u4e00-\u9fa5]{2,10}$", "", text) if text.endswith(("市", "省", "县", "区", "国")) else text
        contribution = re.search(r"(?:负向|正向)?(?:拉动|带动)[\u4e00-\u9fa5A-Za-z]{0,12}?增长$", text)
        text = _strip(text, self.leading, self.trailing)
        text = self.strip_place(text)
        if text in self.w["region_words"] or text in self.region_names:
            text = ""   # 全市100%村(居)…: the region is its own column
        if "等" in text[1:-1] and "、" in text[:text.rindex("等")]:
            text = text[text.rindex("等") + 1:]   # 完成前进南路、大鹏路等城市道路: the class after 等 (not 高等级)
        if contribution and not text.endswith("增长"):
            text = text + "增长" if text.endswith(contribution.group(0)[:-2]) else text
        text = re.sub(r"^(?:的|是|为|有|在|对|于)+", "", text)
        if len(text) > 30:
            cut = max(text.rfind("，"), text.rfind(","), text.rfind("的", 0, len(text) - 4))
            text = text[cut + 1:] if cut >= 0 and len(text) - cut > 3 else text[-30:]
        return text

    def strip_place(self, text: str) -> str:
        """鹤山规模以上工业增加值 -> 规模以上工业增加值: the region is a column of its own."""
        for n in range(min(len(text) - 2, 9), 1, -1):
            head = text[:n]
            if head in self.places:
                rest = text[n:].lstrip("全市县区省的")
                return _strip(rest, self.leading, self.trailing) if len(rest) >= 2 else text
        return text

    # -- main --------------------------------------------------------------
    def attach(self, figures: list[Row], rankings: list[Row]) -> dict[str, list[Row]]:
        items = sorted(figures + rankings, key=lambda r: (r["start"], r["end"]))
        out: dict[str, list[Row]] = {"numbers": [], "percentages": [], "rankings": []}
        sst = _SentenceState()
        pst = _ParagraphState()
        prev_end = 0
        for item in items:
            start, end = item["start"], item["end"]
            sent = self.a.sentence_at(start)
            if sent.paragraph != pst.index:
                pst = _ParagraphState(index=sent.paragraph)
            if sent.index != sst.index:
                sst = _SentenceState(index=sent.index)
                prev_end = sent.start
            # a ranking's clause ignores figures inside it (在广东省48个县级市中排第八)
            cstart = self.clause_start(sent.start, start, 0 if item["table"] == "rankings" else prev_end)
            raw_left = self.body[cstart:start]
            if start > sent.start and self.body[start - 1] in "(（" and cstart == start:
                # “四上”企业净增数量(54家): the figure's metric stands before the bracket
                cstart = self.clause_start(sent.start, start - 1, prev_end)
                raw_left = self.body[cstart:start - 1]
            wide_left = self.body[sent.start:start]
            self._pos = start
            metric = self.metric(item, raw_left, cstart, sst, pst)
            row = dict(self.a.provenance(start, end))
            table = item["table"]
            period = self.periods.at(start, self.a.paragraphs[sent.paragraph - 1].start)
            period_iso = period.period if period else self.periods.default()
            period_text = period.text if period else ""
            if re.search(r"(?:^|[（(、，,])同期(?:为|是)?[^，,；;。]{0,4}$", raw_left):
                base = self.periods.section(start) or self.periods.dominant
                base_iso = base.period if base and base.period else period_iso
                if base_iso:
                    period_iso, period_text = shift_year(base_iso, -1), "同期"
            region = self.region if table == "rankings" else self.region_for(raw_left, wide_left)
            target = self.is_target(wide_left, period, item)
            if table == "numbers":
                row.update({k: item[k] for k in ("value", "multiplier", "unit", "value_normalized", "quantity_type")})
                row["qualifier"] = self.qualifier(start, end, item.get("qualifier", ""))
                if not row["quantity_type"]:
                    row["quantity_type"] = "money" if any(h in metric for h in self.w["money_hints"]) else "count"
            elif table == "percentages":
                prev = sst.last_row if sst.last_row is not None and "kind" in sst.last_row else None
                kind, direction = self.kind_direction(item, raw_left, end, metric, prev)
                row.update({"value": item["value"], "kind": kind, "direction": direction,
                            "baseline": self.baseline(raw_left, wide_left, sst)})
            else:
                row.update({"rank": item["rank"], "scope": item["scope"], "scope_size": item["scope_size"]})
                if item.get("superlative") in ("最低", "最少") and "最低" not in metric:
                    metric = (metric + item["superlative"]) if metric else item["superlative"]
                target = target or item.get("target", False)
            row.update({"metric": metric, "region": region, "period": period_iso or "",
                        "period_text": period_text, "target": bool(target),
                        "context": self.body[sent.start:sent.end]})
            out[table].append(row)
            sst.last_row = row
            sst.rows.append(row)
            if metric:
                sst.last_metric = metric
            prev_end = end
        return out

    def frame_metric(self, sst: _SentenceState) -> str:
        """在省对市县级政府履行教育职责考核中,…排第八: the frame names what is ranked."""
        sent = self.a.sentence_at(self._pos)
        left = self.body[sent.start:self._pos]
        for m in re.finditer(r"在([^，,；;。]{2,30}?)(?:中|方面)", left):
            inner = m.group(1)
            if re.search(r"[0-9０-９一二三四五六七八九十]+个", inner):
                continue  # 在广东省48个县级市中: the scope, not the metric
            return self.clean_metric(inner, m.start(1))
        return ""

    def previous_clause_metric(self, cstart: int) -> str:
        """确保物价上涨幅度比去年有明显回落，力争控制在百分之十五: the subject is
        the noun phrase that opens the clause before."""
        sent = self.a.sentence_at(max(cstart - 1, 0))
        if cstart - 1 <= sent.start:
            return ""
        prev_start = self.clause_start(sent.start, cstart - 1, 0)
        text = self.clean_metric(self.body[prev_start:cstart - 1], prev_start)
        text = re.sub(r"(?:小幅|大幅|稳步|持续)?(?:下降|增长|上涨|回落|回升)$", "", text)
        m = re.match(r"(.{2,}?)(?:比|较|有|要|将|在|的|由|从|是|小幅|大幅|稳步|持续)", text)
        return m.group(1) if m else (text if len(text) <= 30 else "")

    def right_noun(self, end: int) -> str:
        """The noun phrase a figure stands before: 47家|工业企业实现“小升规”."""
        m = RIGHT_NOUN_RE.match(self.body, end)
        if not m:
            return ""
        text = m.group(1)
        if text.startswith(self.w["right_not_noun"]):
            return ""
        self._right_end = m.end(1)
        return _strip(text, (), self.trailing)

    def metric(self, item: Row, raw_left: str, cstart: int, sst: _SentenceState, pst: _ParagraphState) -> str:
        """What the figure measures (SPEC §3), from its clause or the subject it inherits."""
        g = self.w["generic_metrics"]
        if sst.right_end > cstart:
            # 31.2公里农村公路、1.2万亩农田…: the noun after the last figure is its own
            cstart = min(sst.right_end, item["start"])
            raw_left = self.body[cstart:item["start"]]
        metric = self.clean_metric(raw_left, cstart)
        # 分别, or a list of metrics before a list of figures (国内游客人次、总花费增长5.6％、7.5％)
        spread_here = "分别" in raw_left or ("、" in metric and self.body[item["end"]:item["end"] + 1] == "、")
        floor = sst.rows[-1]["end"] if sst.rows else 0
        if not metric and cstart > 0 and self.body[cstart - 1] in "(（":
            # 发酵酒（增长87%）: the metric stands before the bracket
            outer = self.clause_start(self.a.sentence_at(cstart).start, cstart - 1, floor)
            metric = self.clean_metric(self.body[outer:cstart - 1], outer)
        metric = re.sub(r"[（(][A-Za-z]{2,6}[)）]$", "", metric)   # 地区生产总值（GDP）
        subject = sst.subject or pst.subject
        # a clause that names its own subject makes it the subject of what follows
        if metric and metric not in g and not metric.startswith(self.w["continuations"]):
            # 工业投资占投资总额比重: the subject is what stands before 占
            sst.subject = pst.subject = metric.split("占")[0] if "占" in metric[1:] else metric
        if item["table"] == "numbers" and item.get("quantity_type") == "count":
            right = self.right_noun(item["end"])
            if len(right) > 4:
                right = noun_head(right)   # 47家工业企业实现“小升规”: the count is of 工业企业
            if len(right) >= 2:
                if not metric:
                    sst.subject = pst.subject = right
                sst.right_end = self._right_end
                return right
        if item["table"] == "numbers" and metric:
            # 重点实施31.2公里农村公路: the clause before is a verb; the noun follows the
            # figure. The cheap look right comes first: most figures end their clause,
            # and then jieba need not cut the metric at all.
            right = self.right_noun(item["end"])
            if len(right) >= 2 and ends_with_verb(metric):
                sst.right_end = self._right_end
                return noun_head(right) if len(right) > 4 else right
        if not metric and _last_end(raw_left, self.w["change_cues"] + self.w["share_cues"]) < 0:
            # 6000平方米老旧小区改造: a clause that opens with the figure names it after
            right = self.right_noun(item["end"])
            if len(right) >= 2:
                sst.right_end = self._right_end
                return right
        if spread_here:
            parts = [p for p in re.split(r"、" if "、" in metric else r"[和及与]", metric) if p]
            if len(parts) > 1:
                parts = [complete_elided(p, parts[-1]) for p in parts[:-1]] + parts[-1:]
                sst.spread = parts[1:]
                return parts[0]
            if not metric:
                # 增值税12.8亿元、城镇土地使用税9.5亿元…，同比分别增长210.8%、19.8%…
                run = []
                for r in reversed(sst.rows):   # the list of figures just before 分别
                    if "kind" in r or "rank" in r:
                        break
                    run.insert(0, r)
                earlier = [r["metric"] for r in run if r.get("metric")]
                listed = list(dict.fromkeys(earlier))
                if len(listed) >= 2:
                    sst.spread = listed[1:]
                    return listed[0]
        elif not metric and sst.spread and raw_left.strip() in ("、", "和", "及", ""):
            return sst.spread.pop(0)
        if item["table"] == "rankings":
            inside = [r for r in sst.rows if cstart <= r["start"] and r["end"] <= item["start"]
                      and not re.fullmatch(r"[\u4e00-\u9fa5]{0,10}中[,，]?", self.body[r["end"]:item["start"]])]
            if inside:
                # 城市空气质量优良天数比率98.9%、居全国第1位: the rank is the figure's;
                # 工业机器人产量增长35.3%、出口量居全国第2位: unless a new noun follows it
                fig = inside[-1]
                after = self.clean_metric(self.body[fig["end"]:item["start"]], fig["end"])
                after = re.sub(r"^从?[^，,；;]{0,8}?第[0-9０-９一二三四五六七八九十]+位(?:、第[0-9０-９]+位)*$", "", after)
                if len(after) >= 2:
                    metric = after
                elif fig.get("kind") == "change" and "从" not in self.body[fig["end"]:item["start"]]:
                    # 增长4.4%,增速在江门市排名第三; but 增长4.9倍、从全国第13位升至第5位 ranks the count
                    metric = fig["metric"].removesuffix("增速") + "增速"
                else:
                    metric = fig.get("metric") or metric
            metric = re.sub(r"从[^，,；;]{0,8}?第[0-9０-９一二三四五六七八九十]+位(?:、第[0-9０-９]+位)*$", "", metric)
        if item["table"] == "rankings" and not metric and item.get("metric_hint"):
            return item["metric_hint"]   # 上榜全国百强县: what the list ranks
        if item["table"] == "rankings" and not metric:
            metric = self.frame_metric(sst)
        if item["table"] == "rankings" and (not metric or metric in g):
            prev = sst.last_row
            if prev is not None and prev.get("kind") == "change":
                base = prev["metric"].removesuffix("增速")
                return base + "增速"
            if prev is not None and prev.get("metric"):
                return prev["metric"] if not metric else prev["metric"] + metric
        if not metric:
            metric = sst.last_metric or ("" if item["table"] == "rankings" else subject)
        if not metric:
            metric = self.previous_clause_metric(cstart)
        elif metric in g or metric.startswith(self.w["continuations"]):
            if not subject and metric in g:
                subject = self.previous_clause_metric(cstart)   # 城市居民消费价格小幅下降，总指数为99.5
            if subject and not metric.startswith(subject) and not subject.endswith(metric):
                metric = subject + metric
            elif subject and subject.endswith(metric):
                metric = subject
        return metric

    def kind_direction(self, item: Row, raw_left: str, end: int, metric: str,
                       prev: Row | None) -> tuple[str, str]:
        kind = item["kind"]
        after = self.body[end:end + 4]
        cues = self.w
        last_change = _last_end(raw_left, cues["change_cues"])
        last_share = _last_end(raw_left, cues["share_cues"])
        last_rate = _last_end(raw_left, cues["rate_cues"])
        listed = prev is not None and prev.get("kind") and raw_left.strip() in ("、", "和", "及", "与", "")
        if not kind:
            if after.startswith(("的增长", "的正增长", "的增幅", "的增速", "的负增长", "的下降", "的降幅")):
                kind = "change"
            elif listed and max(last_change, last_share, last_rate) < 0:
                return prev["kind"], prev["direction"]
            elif re.search(r"(?:提高|上升|下降|回落|增加|降低|提升|升|降)(?:到|至)$", raw_left):
                # 占比提高到72.2%: the figure is the new level of what the metric names
                kind = ("share" if any(c in metric for c in cues["share_cues"]) else
                        "rate" if any(c in metric for c in cues["rate_cues"]) else "change")
            else:
                # the cue that ends nearest the figure wins; on a tie (贡献率) the share
                best = max((last_change, 1, "change"), (last_share, 2, "share"), (last_rate, 0, "rate"))
                kind = best[2] if best[0] >= 0 else ""
                if not kind and item.get("negative") and re.search(r"(?:同比|环比|比上年|较上年)[^，,；;。]{0,3}$", raw_left):
                    kind = "change"   # 同比-3.5%: a signed change
                if not kind:
                    kind = "change" if any(w in metric for w in ("增长", "幅度", "增速", "涨幅", "增幅", "速度")) else "share"
        direction = ""
        if kind in ("change", "points"):
            down = _last_end(raw_left, cues["down_cues"])
            if after.startswith(("的负增长", "的下降", "的降幅")):
                down = len(raw_left) + 1
            up = _last_end(raw_left, tuple(c for c in cues["change_cues"] if c not in cues["down_cues"]))
            level = re.search(r"(?:回落|下降|降|提高|上升|升)(?:到|至)$", raw_left)
            if item.get("negative"):
                direction = "down"
            elif level and kind == "change":
                direction = "up"  # 由…回落到百分之二十七点八: still a growth of 27.8%
            elif down >= 0 and (down >= up or "降幅" in raw_left):
                direction = "down"
            else:
                direction = "up"
            if kind == "points" and down < 0 and up < 0 and re.search(r"低于", raw_left):
                direction = "down"
        return kind, direction

    def baseline(self, raw_left: str, wide_left: str, sst: _SentenceState) -> str:
        found = list(BASELINE_RE.finditer(raw_left))
        if found:
            b = found[-1].group(0)
            sst.baseline = b
            return b
        if raw_left.strip() in ("、", "和", "及", "与") and sst.baseline:
            return sst.baseline  # 同比分别增长210.8%、29.5%
        return ""

    def region_for(self, raw_left: str, wide_left: str) -> str:
        for w in ("全国", "全球"):
            if w in raw_left:
                return w
        if "全省" in raw_left and not self.region.endswith(("省", "自治区")):
            return "全省"   # a city's report quoting its province; in a province's own report 全省 is itself
        return self.region

    def qualifier(self, start: int, end: int, inside: str) -> str:
        before = self.body[max(0, start - 3):start]
        after = self.body[end:end + 2]
        for w in lexicon.words("qualifiers_before"):
            if before.endswith(w):
                return w
        for w in lexicon.words("qualifiers_after"):
            if after.startswith(w):
                return w
        return inside

    def is_target(self, wide_left: str, period: PeriodMention | None, item: Row) -> bool:
        d = self.a.date
        if period is not None and period.future:
            return True
        if period is not None and d is not None and period.period and d.month <= 3 and period.period == str(d.year):
            return True
        # a plan word holds for its own clause, and for short framing clauses just
        # before it (力争到2025年底，…突破800家), not for an earlier clause with a
        # verb phrase of its own (争取…落户鹤山并完成概念规划编制,成功引进…45亿元)
        cuts = [i for i, ch in enumerate(wide_left) if ch in "，,；;：:"]
        start = cuts[-1] + 1 if cuts else 0
        for k in range(len(cuts) - 1, max(len(cuts) - 3, -1), -1):
            lo = cuts[k - 1] + 1 if k > 0 else 0
            if cuts[k] - lo > 12:
                break
            start = lo
        window = wide_left[start:]
        for w in self.w["target_cues"]:
            i = window.rfind(w)
            if i < 0:
                continue
            if window[max(0, i - 1):i] in ("稳", "超", "好", "强", "合", "不"):
                continue  # 稳预期, 超预期: not a plan
            tail = window[i + len(w):]
            if any(tail.startswith(x) for x in self.w["target_not_before"]):
                continue
            if w == "预计" and period is not None and not period.future:
                continue
            if w in ("将", "要") and i > 0 and window[i - 1] in "即必将需主重只":
                continue
            return True
        return False


def complete_elided(part: str, last: str) -> str:
    """第一、第三产业增加值 lists 第一产业增加值: a short item takes the shared tail
    of the last item when it stands for that item's first word.

    >>> complete_elided("第一", "第三产业增加值"), complete_elided("城镇", "农村居民人均可支配收入")
    ('第一产业增加值', '城镇居民人均可支配收入')
    >>> complete_elided("蔬菜", "小浆果设施产量占比")
    '蔬菜'
    """
    if len(part) > 3 or len(last) <= len(part) + 1:
        return part
    if part[0] == last[0] or (is_word(part) and is_word(last[:len(part)])):
        return part + last[len(part):]
    return part


def _last_end(text: str, words: tuple[str, ...]) -> int:
    """End offset of the last occurrence of any of ``words`` in ``text``, or -1."""
    best = -1
    for w in words:
        i = text.rfind(w)
        if i >= 0 and i + len(w) > best:
            best = i + len(w)
    return best


def attach_context(article: Article, figures: list[Row], rankings: list[Row]) -> dict[str, list[Row]]:
    """Rows for numbers, percentages and rankings with every SPEC column."""
    return ContextAttacher(article).attach(figures, rankings)
