"""Named entities and project mentions, on a blank spaCy ``zh`` pipeline.

The only module that imports spaCy. There is no pretrained model: every
component is a rule configured from the data files in ``pipeline/data``
(``gazetteer_*`` and ``ner_*``), and the pipeline is built once per process,
lazily, by :func:`get_nlp`.

Tokens are single characters (``pipeline.char_tokenizer.v1``, what spaCy's
``char`` segmenter makes of a text, built directly), not jieba words:

- jieba cannot produce a token holding a bracket (STYLE §8), and the names we
  need hold brackets and quotes (``中欧(江门)中小企业国际合作区``,
  ``“江门号”中欧国际货运班列``); on characters every match aligns, so
  ``doc.char_span(..., alignment_mode="expand")`` never moves a boundary;
- a gazetteer phrase on characters matches wherever the name is written,
  whatever the segmenter would have made of ``鹤山市委`` or ``江门北站``;
- it is over ten times faster than the jieba segmenter and needs no
  dictionary load (jieba's costs ~0.6 s at first use). Matching stays cheap:
  one PhraseMatcher for every gazetteer, token patterns only in windows that
  start on a place, one compiled regex per rule.

Components, in order (``nlp.pipe_names``):

``gazetteer``         spaCy's ``span_ruler``: phrase patterns for GPE (divisions of
                      China from cpca, countries), LOC, ORG, PERSON, EVENT; writes
                      ``doc.ents`` so that later token patterns can use ENT_TYPE.
``place_short_forms`` adds 海拉尔 where the article names 海拉尔区 (county short forms
                      are matched only next to their full name, as cpca advises).
``token_patterns``    spaCy ``Matcher`` over ENT_TYPE + characters
                      (``ner_patterns.jsonl``): 江门市委, 海拉尔区人民政府, 江门北站.
``char_rules``        compiled regexes over the text: EVENT, LAW /
                      WORK_OF_ART (《》), PERSON next to a title, companies.
``credits``           PERSON from photo credits and bylines (``doc._.line_kinds``).
``projects``          project names (SPEC §2): a head word plus its modifiers back to
                      the verb or punctuation that bounds them, the items of project
                      lists, and companies that invest; into ``doc.spans["projects"]``.
``resolve``           ``doc.ents`` = the longest non-overlapping union of the above.

Offsets reported by :func:`analyse` are those of our own matches (kept in
``doc.user_data``), so ``body[start:end] == text`` always holds.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .model import Article

DATA = Path(__file__).parent / "data"
LABELS = ("PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "LAW", "WORK_OF_ART")
BLOCK = "BLOCK"  # gazetteer phrases that win over a shorter name inside them, then vanish
OFFSETS = "ner_offsets"  # doc.user_data key: (label, token start, token end) -> (start, end)
TEXT = "ner_text"  # doc.user_data key: the text, as given to the tokenizer
PLACES = "ner_places"  # doc.user_data key: character positions inside GPE names
GAZETTEER_KEY = "ner_gazetteer"  # doc.spans key of the gazetteer's matches
HAN = re.compile(r"[\u4e00-\u9fff]")
OPENERS = {")": "(（", "）": "(（", "”": "“", "」": "「", "’": "‘", "』": "『"}
SENTENCE_STOPS = set("，,；;。！？!?\n、：:")
MEASURE_CHARS = set("年月日元个家座所条项次批趟列")
NUMERAL_CHARS = set("0123456789０１２３４５６７８９一二两三四五六七八九十百千万几多数")
ORDINAL = re.compile(r"第[一二三四五六七八九十0-9０-９]+|[一二三四五六七八九十0-9０-９]+(?:期|号线)")
COMPANY_BAD_NEXT = set("化制债式型群")
COUNTED = set("大个万千百亿项条座所家批类种名级")
LATIN_OR_DIGIT = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ0-9０-９]")
CLASS_SUFFIXES = set("性类型式级")
DIRECTIONS = set("东西南北")
HONOURS = ("”称号", "”荣誉", "”复审", "”创建", "”评选")
TRAILING_NOTE = re.compile(r"[（(](?:草案|试行|修订|修订稿|征求意见稿|送审稿)[)）]$")
INVESTS = re.compile(r"(?:协议投资|计划总投资|计划投资|总投资|投资)[约超达近逾]?[0-9０-９一二两三四五六七八九十]")


# --------------------------------------------------------------------------
# Data files
# --------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def read_list(name: str) -> tuple[str, ...]:
    """A one-item-per-line list from ``pipeline/data``, without its ``#`` header."""
    with open(DATA / name, encoding="utf-8") as f:
        return tuple(line.strip() for line in f if line.strip() and not line.startswith("#"))


@functools.lru_cache(maxsize=None)
def read_table(name: str) -> tuple[dict[str, str], ...]:
    """A tab-separated table with a header row after its ``#`` comment lines."""
    lines = [line.rstrip("\n") for line in open(DATA / name, encoding="utf-8")
             if line.strip() and not line.startswith("#")]
    header = lines[0].split("\t")
    return tuple(dict(zip(header, line.split("\t"))) for line in lines[1:])


@functools.lru_cache(maxsize=None)
def read_patterns(name: str = "ner_patterns.jsonl") -> tuple[dict[str, Any], ...]:
    """Token patterns (spaCy syntax) with the ``CHARS`` macro expanded; the
    leading ``{"comment": ...}`` record is the file's header."""
    out: list[dict[str, Any]] = []
    with open(DATA / name, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            if "comment" in record:
                continue
            for pattern in _expand_chars(record["pattern"]):
                out.append({"label": record["label"], "id": record.get("id", ""), "pattern": pattern})
    return tuple(out)


def _expand_chars(pattern: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """``{"CHARS": "日报"}`` -> ``[{"ORTH": "日"}, {"ORTH": "报"}]``; ``IN``/``IN_FILE``
    alternatives multiply the pattern (the tokenizer makes one token per character)."""
    variants: list[list[dict[str, Any]]] = [[]]
    for token in pattern:
        if "CHARS" not in token:
            variants = [v + [token] for v in variants]
            continue
        spec = token["CHARS"]
        if isinstance(spec, str):
            words = [spec]
        elif "IN_FILE" in spec:
            words = list(read_list(spec["IN_FILE"]))
        else:
            words = list(spec["IN"])
        variants = [v + [{"ORTH": ch} for ch in word] for v in variants for word in words]
    return variants


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@functools.lru_cache(maxsize=None)
def regex_config() -> dict[str, Any]:
    import yaml  # only where the config is read; pyyaml is a pipeline dependency
    with open(DATA / "ner_regex.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


@functools.lru_cache(maxsize=None)
def fragments() -> dict[str, str]:
    """Every fragment of ``ner_regex.yaml`` with its ``{references}`` expanded."""
    config = regex_config()
    raw: dict[str, str] = {k: f"(?:{_alternation(read_list(v))})" for k, v in config["lists"].items()}
    raw.update(config["fragments"])
    ref = re.compile(r"\{([a-z_]+)\}")
    done: dict[str, str] = {}

    def expand(name: str, stack: tuple[str, ...] = ()) -> str:
        if name in done:
            return done[name]
        if name in stack:
            raise ValueError(f"ner_regex.yaml: fragment {name!r} refers to itself")
        if name not in raw:
            raise KeyError(f"ner_regex.yaml: unknown fragment {name!r}")
        value = ref.sub(lambda m: expand(m.group(1), stack + (name,)), raw[name])
        done[name] = value
        return value

    for key in raw:
        expand(key)
    return done


@functools.lru_cache(maxsize=None)
def pattern(name: str) -> re.Pattern[str]:
    return re.compile(fragments()[name], re.M)


# --------------------------------------------------------------------------
# Lexicons
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class WordSet:
    """A word set with the lengths present, for suffix/prefix probes at a position."""

    words: frozenset[str]
    lengths: tuple[int, ...]

    @classmethod
    def of(cls, words: Iterable[str]) -> WordSet:
        ws = frozenset(words)
        return cls(ws, tuple(sorted({len(w) for w in ws}, reverse=True)))

    def ends_at(self, text: str, pos: int) -> str | None:
        """The longest word ending at ``pos``."""
        for n in self.lengths:
            if n <= pos and text[pos - n:pos] in self.words:
                return text[pos - n:pos]
        return None

    def starts_at(self, text: str, pos: int) -> str | None:
        """The longest word starting at ``pos``."""
        for n in self.lengths:
            w = text[pos:pos + n]
            if len(w) == n and w in self.words:
                return w
        return None


@dataclass(frozen=True)
class ProjectLexicon:
    heads: dict[str, tuple[str, str]]  # head -> (category, strength)
    head_re: re.Pattern[str]
    left_stops: WordSet
    right_bounds: WordSet
    generic: WordSet
    words: WordSet  # heads and generic words: a stop word inside one does not stop a name
    programme: WordSet  # campaign words: a head right after one names a programme
    leading_amount: re.Pattern[str]  # shapes that are no name (ner_regex.yaml: name_*)
    count: re.Pattern[str]
    quoted_slogan: re.Pattern[str]
    class_word: re.Pattern[str]
    programme_slogan: re.Pattern[str]
    conjunction: re.Pattern[str]
    national: re.Pattern[str]
    trim: tuple[str, ...]  # words trimmed from a name's left edge, longest first
    company_end: re.Pattern[str]
    list_before: re.Pattern[str]
    list_after: re.Pattern[str]


@functools.lru_cache(maxsize=None)
def project_lexicon() -> ProjectLexicon:
    heads = {r["head"]: (r["category"], r["strength"]) for r in read_table("ner_project_heads.tsv")}
    generic = read_list("ner_generic_modifiers.txt")
    return ProjectLexicon(
        heads=heads,
        head_re=re.compile(_alternation(heads)),
        left_stops=WordSet.of(read_list("ner_project_left_stops.txt")),
        right_bounds=WordSet.of(read_list("ner_project_right_bounds.txt")),
        generic=WordSet.of(generic),
        words=WordSet.of([w for w in list(heads) + list(generic) if len(w) > 1]),
        programme=WordSet.of(read_list("ner_project_programme_words.txt")),
        leading_amount=pattern("name_leading_amount"),
        count=pattern("name_count"),
        quoted_slogan=pattern("name_quoted_slogan"),
        class_word=pattern("name_class_word"),
        programme_slogan=pattern("programme_slogan"),
        conjunction=pattern("list_conjunction"),
        national=pattern("national_name"),
        trim=tuple(sorted(read_list("ner_project_trim.txt"), key=lambda w: (-len(w), w))),
        company_end=pattern("company_end"),
        list_before=pattern("list_before"),
        list_after=pattern("list_after"),
    )


@functools.lru_cache(maxsize=None)
def divisions() -> tuple[dict[str, str], ...]:
    return read_table("gazetteer_divisions.tsv")


@functools.lru_cache(maxsize=None)
def county_short_forms() -> dict[str, str]:
    """Full county name -> the short form used next to it (海拉尔区 -> 海拉尔)."""
    stop = set(read_list("gazetteer_divisions_stoplist.txt"))
    names = {d["name"] for d in divisions()}
    out = {}
    for d in divisions():
        if d["level"] != "county" or d["name"] in stop:
            continue
        short = re.sub(r"(新区|区|县|旗)$", "", d["name"])
        if len(short) >= 2 and short != d["name"] and short not in stop and short not in names:
            out[d["name"]] = short
    return out


def gazetteer_patterns() -> list[dict[str, Any]]:
    """Phrase patterns for the ``gazetteer`` span ruler, from the gazetteer files."""
    stop = set(read_list("gazetteer_divisions_stoplist.txt"))
    pats: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()

    def add(label: str, text: str, pid: str = "") -> None:
        if text and (label, text) not in seen:
            seen.add((label, text))
            pats.append({"label": label, "pattern": text, "id": pid or label})

    for d in divisions():
        # two-character county names (城区, 郊区, 和县) are everyday words on characters
        if d["name"] not in stop and (d["level"] != "county" or len(d["name"]) > 2):
            add("GPE", d["name"], d["adcode"])
        if d["short"] and d["short"] not in stop:
            add("GPE", d["short"], d["adcode"])
    for label, name in (("GPE", "gazetteer_countries.txt"), ("LOC", "gazetteer_locations.txt"),
                        ("ORG", "gazetteer_orgs.txt"), ("PERSON", "gazetteer_persons.txt"),
                        ("EVENT", "gazetteer_events.txt"), (BLOCK, "gazetteer_blockers.txt")):
        for text in read_list(name):
            add(label, text)
    return pats


# --------------------------------------------------------------------------
# Character helpers shared by the rules
# --------------------------------------------------------------------------

def _name_char(ch: str) -> bool:
    return ("\u4e00" <= ch <= "\u9fff") or ch.isascii() and ch.isalnum() or ch in "·-０１２３４５６７８９"


def _opener(text: str, close: int, lo: int) -> int | None:
    """Index of the bracket or quote that opens the one closing at ``close``
    (groups may nest: “引大（大通河）入秦（秦王川）”)."""
    wanted = OPENERS[text[close]]
    i = close - 1
    while i >= lo:
        ch = text[i]
        if ch in wanted:
            return i
        if ch in OPENERS:
            inner = _opener(text, i, lo)
            if inner is None:
                return None
            i = inner - 1
            continue
        if ch in SENTENCE_STOPS:
            return None
        i -= 1
    return None


def _stop_before(text: str, pos: int, stops: WordSet, words: WordSet | None = None) -> bool:
    """Does the text before ``pos`` end a name: a stop word (unless it is part of
    a longer word running across ``pos``: 保障|性, 开发|区), or 5个 / 2025年?"""
    stop = stops.ends_at(text, pos)
    if stop:
        return words is None or not _word_across(text, pos, words, pos - len(stop))
    return pos >= 2 and text[pos - 1] in MEASURE_CHARS and text[pos - 2] in NUMERAL_CHARS


def _word_across(text: str, pos: int, words: WordSet, first: int | None = None) -> bool:
    """Does a word of ``words`` run across ``pos``, starting at or before ``first``
    (a word holding the stop word before ``pos``: 保障|性, 开发|区, not 加大|项目, 加强|基础)?"""
    first = pos - 1 if first is None else first
    for n in words.lengths:
        for s in range(max(0, pos - n + 1), first + 1):
            if text[s:s + n] in words.words:
                return True
    return False


def left_edge(text: str, end: int, stops: WordSet, limit: int = 28, words: WordSet | None = None,
              places: set[int] | frozenset[int] = frozenset()) -> int:
    """Start of the name that ends at ``end``: leftwards over name characters and
    whole bracket or quote groups, until punctuation or a stop word. A stop word
    inside a place name does not stop it (成都|铁路, 呼和浩特), nor does 至 or a
    single dash after a place (西宁至成都铁路, 巴林—奈曼—阜新500千伏输变电工程)."""
    p, lo = end, max(0, end - limit)
    while p > lo:
        if p - 1 in places and p - 2 in places:
            p -= 1  # inside a place name
            continue
        if p >= 2 and (text[p - 1] == "至" and p - 2 in places or text[p - 1] == "—" and HAN.match(
                text[p - 2]) and HAN.match(text[p:p + 1] or " ")):
            p -= 1  # between two places
            continue
        if _stop_before(text, p, stops, words) or p < end and text.endswith("项目", 0, p):
            break  # (单体项目|巴林—奈曼—阜新500千伏输变电工程)
        ch = text[p - 1]
        if ch in OPENERS:
            q = _opener(text, p - 1, lo)
            if q is None:
                break
            p = q
            continue
        if ch in ".．×" and p >= 2 and text[p - 2].isdigit() and p < len(text) and text[p].isdigit():
            p -= 1  # 31.2公里, 2×35万千瓦
            continue
        if ch == " " and p >= 2 and text[p - 2] in "第0123456789" and p < len(text) and (
                text[p].isdigit() or text[p] == "代"):
            p -= 1  # 京东方第 8.6 代柔性显示生产线
            continue
        if ch == "/" and p >= 2 and HAN.match(text[p - 2]) and p < len(text) and text[p] in "年日时":
            p -= 1  # 150亿方/年
            continue
        if not _name_char(ch):
            break
        p -= 1
    return p


def _right_bounded(text: str, end: int, bounds: WordSet) -> bool:
    """Does a name end at ``end``: punctuation, a line end or a bounding word next?"""
    if end >= len(text):
        return True
    if not _name_char(text[end]):
        return True
    return bounds.starts_at(text, end) is not None


def _trim_left(text: str, start: int, end: int, lex: ProjectLexicon, keep: int) -> int:
    """Skip words of ner_project_trim.txt (首趟, 国家级, 一批) at the left edge,
    keeping at least ``keep`` characters."""
    moved = True
    while moved:
        moved = False
        for w in lex.trim:
            if text.startswith(w, start) and end - start - len(w) >= keep:
                start += len(w)
                moved = True
                break
    return start


@dataclass(frozen=True, slots=True)
class NameParts:
    """What the modifiers of a name are made of (see :func:`name_parts`)."""

    specific: int  # characters that are neither generic words, places, counts, ordinals nor punctuation
    place: bool  # a place (GPE) other than the country
    figure: bool  # digits or Latin letters past the start: 8英寸, 12吉瓦时, T5, V8, 2×35万千瓦
    ordinal: bool  # 第三, 二期, 1号线
    leading_amount: bool  # starts with an amount of what is built: 11公里污水管网
    count: bool  # holds a count or numbered slogan: 两处, 三大, “六个一”, “六横六纵”


def name_parts(text: str, start: int, end: int, lex: ProjectLexicon, places: set[int],
               word_end: int | None = None) -> NameParts:
    """The parts of ``text[start:end]``. A one-character generic word (省, 大, 新) is
    generic only in first place: 省|硅能源产业基地, but 兰新|复线. A generic word may
    run on to ``word_end`` (the end of the head): 自来水|厂."""
    word_end = end if word_end is None else word_end
    n, has_place, has_ordinal, i = 0, False, False, start
    amount = lex.leading_amount.match(text, start, end)
    figure_from = amount.end() if amount else start
    while i < end:
        if i in places:
            has_place = True
            i += 1
            continue
        m = ORDINAL.match(text, i, end)
        if m:
            has_ordinal = True
            i = m.end()
            continue
        if text[i] in NUMERAL_CHARS and i + 1 < end and text[i + 1] in COUNTED:
            i += 2  # counts and grades (四大, 5万, 三级) are no name; 京九 is
            continue
        if not _name_char(text[i]) or text[i].isdigit():
            i += 1  # punctuation
            continue
        w = lex.generic.starts_at(text, i)
        if w and i + len(w) <= word_end and (len(w) > 1 or i == start):
            i += len(w)
            continue
        if i + 2 < end and text[i + 2] in CLASS_SUFFIXES and HAN.match(text[i + 1]):
            i += 3  # 颠覆性, 产业类: a class, not a name
            continue
        n += 1
        i += 1
    return NameParts(
        specific=n, place=has_place, ordinal=has_ordinal,
        figure=LATIN_OR_DIGIT.search(text, figure_from, end) is not None,
        leading_amount=amount is not None,
        count=any(m.start() not in places for m in lex.count.finditer(text, start, end))  # not 五大连池
        or lex.quoted_slogan.search(text, start, end) is not None)


def specific_chars(text: str, start: int, end: int, lex: ProjectLexicon,
                   places: set[int]) -> tuple[int, bool]:
    """(number of specific characters, holds a place) in ``text[start:end]``."""
    parts = name_parts(text, start, end, lex, places)
    return parts.specific, parts.place


def _is_programme(text: str, start: int, head_start: int, head: str, parts: NameParts,
                  lex: ProjectLexicon) -> bool:
    """Does the head follow a campaign word (医疗卫生强基|工程, 金融改革|试验区) or a
    slogan (人才兴皖|工程), so that the phrase names a programme? A figure in the name
    (150亿方/年天然气产能倍增工程) makes it a project's name all the same."""
    if parts.figure:
        return False
    if lex.heads.get(head, ("", ""))[1] == "weak" and lex.programme.ends_at(text, head_start) is not None:
        return True  # (a strong head is a facility: 古劳水乡乡村振兴示范带)
    return head == "工程" and lex.programme_slogan.search(text, start, head_start) is not None


def _not_a_name(parts: NameParts) -> bool:
    """Shapes that are never a name: a count inside (两处, 三大工程), or an amount in
    first place without a place to name it (11公里污水管网, 10万亩马铃薯种薯基地)."""
    return parts.count or (parts.leading_amount and not parts.place)


def _is_named(text: str, start: int, head_start: int, head_end: int, strength: str,
              lex: ProjectLexicon, places: set[int]) -> bool:
    """Is ``text[start:head_start]`` + head a name rather than a generic phrase?"""
    mod = text[start:head_start]
    if not mod:
        return False
    if mod[-1] == "”" and strength != "strong":
        return False  # “一把手”工程, “菜篮子”工程: a programme, not a project (SPEC §2)
    parts = name_parts(text, start, head_start, lex, places, word_end=head_end)
    if _not_a_name(parts) or _is_programme(text, start, head_start, text[head_start:head_end], parts, lex):
        return False
    if lex.class_word.search(mod):
        return False  # 水风光重大能源项目: a class of projects
    n = parts.specific
    proper = parts.place or parts.figure
    if parts.place and (parts.figure or sum(i not in places for i in range(start, head_start)) >= 2):
        return True  # 阜新500千伏输变电工程, 汉中航空关键零部件基地
    if strength == "strong":
        return n >= 2 or proper or parts.ordinal
    return n >= 3 or (n >= 2 and (proper or parts.ordinal or "“" in mod or len(mod) >= 5))


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention: ``text == body[start:end]``."""

    start: int
    end: int
    label: str
    text: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class ProjectMention:
    """One mention of a project; ``name`` is what the mention calls it (for
    ``中老、中欧国际货运班列`` the first mention is ``中老`` named 中老国际货运班列)."""

    start: int
    end: int
    text: str
    name: str
    category: str
    source: str


@dataclass(frozen=True, slots=True)
class Analysis:
    entities: tuple[Mention, ...]
    projects: tuple[ProjectMention, ...]


# --------------------------------------------------------------------------
# Tokenizer and components
# --------------------------------------------------------------------------

class CharTokenizer:
    """One token per character, whitespace included: what spaCy's ``char``
    segmenter makes of a text, built straight into a ``Doc`` (six times faster
    than the segmenter's word/space alignment, which a one-character split
    does not need). Every character offset is a token boundary."""

    def __init__(self, vocab: Any):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words = list(text)
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        doc.user_data[TEXT] = text  # Doc.text rebuilds the string token by token
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)


@spacy.registry.tokenizers("pipeline.char_tokenizer.v1")
def create_char_tokenizer(segmenter: str = "char") -> Any:
    if segmenter != "char":
        raise ValueError(f"pipeline.char_tokenizer.v1 splits characters; segmenter {segmenter!r} is not one")

    def make(nlp: Language) -> CharTokenizer:
        return CharTokenizer(nlp.vocab)

    return make


def doc_text(doc: Doc) -> str:
    """The doc's text without rebuilding it from its tokens."""
    text = doc.user_data.get(TEXT)
    return text if text is not None else doc.text  # noqa: doc made elsewhere


def _offsets(doc: Doc) -> dict[tuple[str, int, int], tuple[int, int]]:
    return doc.user_data.setdefault(OFFSETS, {})


def make_span(doc: Doc, start: int, end: int, label: str, kb_id: str = "", span_id: str = "") -> Span | None:
    """A span for our own character match; the match's offsets are kept so that
    what we report is the match, not the token-expanded span."""
    span = doc.char_span(start, end, label=label, kb_id=kb_id, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    if span_id:
        span.id_ = span_id
    _offsets(doc)[(label, span.start, span.end)] = (start, end)
    return span


def span_offsets(doc: Doc, span: Span) -> tuple[int, int]:
    return _offsets(doc).get((span.label_, span.start, span.end), (span.start_char, span.end_char))


class PlaceShortForms:
    """Add the short form of a county named in full (海拉尔区 -> 海拉尔) as GPE."""

    def __init__(self, short_forms: dict[str, str]):
        self.short_forms = short_forms

    def __call__(self, doc: Doc) -> Doc:
        found = doc.spans.get(GAZETTEER_KEY, [])
        shorts = {self.short_forms[s.text] for s in found if s.label_ == "GPE" and s.text in self.short_forms}
        if not shorts:
            return doc
        taken = {i for s in found for i in range(s.start_char, s.end_char)}
        new = []
        for m in re.finditer(_alternation(shorts), doc_text(doc)):
            if taken.isdisjoint(range(m.start(), m.end())):
                span = make_span(doc, m.start(), m.end(), "GPE")
                if span is not None:
                    new.append(span)
        if new:
            doc.ents = filter_spans(list(doc.ents) + new)
            doc.spans[GAZETTEER_KEY] = list(found) + new
        return doc


class TokenPatterns:
    """spaCy ``Matcher`` patterns from ``ner_patterns.jsonl`` -> ``doc.spans[key]``."""

    def __init__(self, nlp: Language, patterns_file: str, spans_key: str):
        self.matcher = Matcher(nlp.vocab)
        self.spans_key = spans_key
        by_label: dict[str, list[list[dict[str, Any]]]] = {}
        for p in read_patterns(patterns_file):
            by_label.setdefault(p["label"], []).append(p["pattern"])
        for label, pats in by_label.items():
            self.matcher.add(label, pats, greedy="LONGEST")
            for pat in pats:
                if pat[0].get("ENT_TYPE") != "GPE":
                    raise ValueError(f"{patterns_file}: every pattern must start on a GPE token: {pat}")
        # a window reaches over the longest place plus the longest fixed tail
        self.reach = 2 * max(len(p) for ps in by_label.values() for p in ps) + 12

    def __call__(self, doc: Doc) -> Doc:
        # every pattern starts on a GPE: match only in windows that start at one
        starts = sorted({s.start for s in doc.spans.get(GAZETTEER_KEY, []) if s.label_ == "GPE"})
        windows: list[list[int]] = []
        for start in starts:
            end = min(len(doc), start + self.reach)
            if windows and start <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], end)
            else:
                windows.append([start, end])
        spans: list[Span] = []
        for start, end in windows:
            spans.extend(self.matcher(doc[start:end], as_spans=True))
        doc.spans[self.spans_key] = filter_spans(spans)
        return doc


class CharRules:
    """Regexes over ``doc.text`` (ner_regex.yaml): EVENT, LAW / WORK_OF_ART,
    PERSON next to a title, companies (ORG) -> ``doc.spans[key]``."""

    def __init__(self, spans_key: str):
        self.spans_key = spans_key
        self.event = pattern("event")
        self.title_name = pattern("title_name")
        self.person_after = pattern("person_after_title")
        self.person_before = pattern("person_before_title")
        self.law_heads = tuple(sorted(read_list("ner_law_heads.txt"), key=len, reverse=True))
        self.not_person = frozenset(read_list("ner_person_stoplist.txt"))
        self.lex = project_lexicon()

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        found: list[Span | None] = []
        for m in self.event.finditer(text):
            found.append(make_span(doc, m.start(), m.end(), "EVENT"))
        for m in self.title_name.finditer(text):
            inner = TRAILING_NOTE.sub("", m.group()[1:-1])  # 纲要（草案） -> 纲要
            label = "LAW" if inner.endswith(self.law_heads) else "WORK_OF_ART"
            found.append(make_span(doc, m.start(), m.end(), label))
        for rx in (self.person_after, self.person_before):
            for m in rx.finditer(text):
                if m.group("name") not in self.not_person:
                    found.append(make_span(doc, m.start("name"), m.end("name"), "PERSON"))
        for start, end in find_companies(text, self.lex, places_of(doc)):
            found.append(make_span(doc, start, end, "ORG", kb_id="company"))
        doc.spans[self.spans_key] = [s for s in found if s is not None]
        return doc


class Credits:
    """PERSON from photo credits (``谭成伟 摄``) and bylines (``文温磊 朱强 宋世安``),
    on the lines ``segment.py`` classed as caption / byline (``doc._.line_kinds``)."""

    def __init__(self, spans_key: str):
        self.spans_key = spans_key
        self.prefix = pattern("byline_prefix")
        self.suffix = pattern("credit_suffix")
        self.separator = pattern("name_separator")
        self.not_person = frozenset(read_list("ner_person_stoplist.txt"))

    def __call__(self, doc: Doc) -> Doc:
        found: list[Span] = []
        for start, end, kind in doc._.line_kinds or ():
            line = doc_text(doc)[start:end]
            if kind == "caption":
                m = self.suffix.search(line)
                if not m:
                    continue
                lo, hi = 0, m.start()
            elif kind == "byline":
                m = self.prefix.match(line)
                lo, hi = (m.end() if m else 0), len(line)
            else:
                continue
            pos = lo
            for part in self.separator.split(line[lo:hi]):
                s = line.find(part, pos) if part else -1
                if s < 0:
                    continue
                pos = s + len(part)
                if 2 <= len(part) <= 4 and all(HAN.match(c) for c in part) and part not in self.not_person:
                    span = make_span(doc, start + s, start + s + len(part), "PERSON")
                    if span is not None:
                        found.append(span)
        doc.spans[self.spans_key] = found
        return doc


def places_of(doc: Doc) -> set[int]:
    """Character positions covered by GPE matches (gazetteer and short forms),
    computed once per doc. A LOC (长江, 三峡) is not counted as a place here but
    as specific characters: 长江三峡工程 is a name."""
    places = doc.user_data.get(PLACES)
    if places is None:
        national = project_lexicon().national
        places = {i for s in doc.spans.get(GAZETTEER_KEY, []) if s.label_ == "GPE" and not national.fullmatch(s.text)
                  for i in range(s.start_char, s.end_char)}
        doc.user_data[PLACES] = places
    return places


def find_companies(text: str, lex: ProjectLexicon, places: set[int]) -> list[tuple[int, int]]:
    """Company names: a company ending (有限公司, 集团) and a name before it holding
    two specific characters (so 上市公司, 企业集团 stay generic)."""
    out = []
    for m in lex.company_end.finditer(text):
        end = m.end()
        if len(m.group()) <= 2 and end < len(text) and text[end] in COMPANY_BAD_NEXT:
            continue
        start = left_edge(text, m.start(), lex.left_stops, words=lex.words, places=places)
        start = _trim_left(text, start, m.start(), lex, keep=2)
        n, _ = specific_chars(text, start, m.start(), lex, places)
        if n >= 2:
            out.append((start, end))
    return out


@dataclass
class _Candidate:
    start: int
    end: int
    name: str
    category: str
    source: str


def find_projects(text: str, lex: ProjectLexicon, places: set[int],
                  companies: list[tuple[int, int]]) -> list[ProjectMention]:
    """Project mentions in ``text`` (SPEC §2 projects.csv), by four rules:

    - a head (ner_project_heads.tsv) bounded on its right by punctuation or a
      bounding word, with its modifiers leftwards up to the stop word or
      punctuation that bounds them, when those modifiers make it a name
      (a proper part: a place, a figure, an ordinal, words of its own; not a
      programme, an amount of what is built or a class: :func:`_is_named`);
      an elided coordinate takes the shared tail (中老、中欧国际货运班列);
    - the items of a project list (A、B、C等一批重大项目, A和B等重大交通项目;
      项目4个，即A、B), each a name by the same tests;
    - a company that is brought in or invests (引进X有限公司, X协议投资45亿元);
    - a name cut by a stop word inside it is extended over another mention of
      the same name found by the rules above (为|中为先进封装项目).
    """
    stops = lex.left_stops
    # lists and companies first: their names are delimited without stop words
    listed: list[_Candidate] = []
    for m in lex.list_before.finditer(text):
        item_end = m.start()
        for _ in range(30):
            k = item_end - 1
            while k >= 0 and item_end - k <= 30 and text[k] not in SENTENCE_STOPS:
                k -= 1
            if k >= 0 and text[k] == "、" and k < item_end - 1:
                _add_items(text, k + 1, item_end, lex, places, listed)
                item_end = k
                continue
            q = _trim_left(text, left_edge(text, item_end, stops, words=lex.words, places=places),
                           item_end, lex, keep=2)
            _add_items(text, q, item_end, lex, places, listed)
            break
    for m in lex.list_after.finditer(text):
        pos = m.end()
        for _ in range(30):
            e = pos
            while e < len(text) and e - pos <= 30 and text[e] not in SENTENCE_STOPS:
                e += 1
            _add_item(text, pos, e, lex, places, listed)
            if e < len(text) and text[e] == "、":
                pos = e + 1
            else:
                break
    cands: list[_Candidate] = list(listed)
    for start, end in companies:
        before = text[max(0, start - 2):start]
        after = text[end:end + 8]
        if before in ("引进", "引入", "签约", "落户") or INVESTS.match(after):
            cands.append(_Candidate(start, end, text[start:end], "enterprise", "company"))
    # occurrences of those names, to extend a name cut by a stop word inside it
    known = sorted({c.name for c in cands}, key=len, reverse=True)
    known_at: list[tuple[int, int]] = []
    for name in known:
        pos = text.find(name)
        while pos != -1:
            known_at.append((pos, pos + len(name)))
            pos = text.find(name, pos + 1)
    for m in lex.head_re.finditer(text):
        hs, he = m.span()
        category, strength = lex.heads[m.group()]
        end = he
        # a section of a line: 合新高铁安徽段
        if he in places:
            j = he
            while j in places:
                j += 1
            if j < len(text) and text[j] == "段":
                end = j + 1
        if not _right_bounded(text, end, lex.right_bounds) or text.startswith(HONOURS, end):
            continue  # (a title in quotes followed by 称号 is an honour, not a project)
        start = left_edge(text, hs, stops, words=lex.words, places=places)
        for q, qe in known_at:  # 为|中为先进封装项目 -> 中为先进封装项目
            if q < start < qe <= hs:
                start = q
        start = _trim_left(text, start, hs, lex, keep=1)
        if not _is_named(text, start, hs, he, strength, lex, places):
            continue
        if strength == "weak" and start > 0 and text[start - 1] == "“" and text.startswith("”", end):
            continue  # “交流联系通道”, “一号工程”: a coined term in quotes, not a project
        name = text[start:end]
        cands.append(_Candidate(start, end, name, category, "head"))
        # elided coordinate: 中老、中欧国际货运班列 -> 中老国际货运班列
        if start > 0 and text[start - 1] == "、":
            q = left_edge(text, start - 1, stops)
            item = text[q:start - 1]
            stop = stops.ends_at(text, q)
            bounded = q == 0 or not _name_char(text[q - 1]) or (stop is not None and len(stop) > 1)
            # the items must be parallel: 中老|中欧 share their first character, 东|西 are directions
            parallel = (len(item) == 2 and item[0] == name[0]) or (
                len(item) == 1 and item in DIRECTIONS and name[0] in DIRECTIONS)
            if (bounded and parallel and len(name) > len(item) + 2 and lex.head_re.search(item) is None
                    and all(HAN.match(c) for c in item)):
                cands.append(_Candidate(q, start - 1, item + name[len(item):], category, "ellipsis"))
    # one candidate per span; a candidate inside a longer one is part of it
    by_span: dict[tuple[int, int], _Candidate] = {}
    for c in cands:
        by_span.setdefault((c.start, c.end), c)
    kept = sorted(by_span.values(), key=lambda c: (c.start, -(c.end - c.start)))
    out: list[ProjectMention] = []
    last_end = -1
    for c in kept:
        if c.end <= last_end:
            continue  # nested in the previous (longer) one
        if c.start < last_end:
            continue  # overlapping: the earlier, longer one wins
        out.append(ProjectMention(c.start, c.end, text[c.start:c.end], c.name, c.category, c.source))
        last_end = c.end
    return out


def _add_items(text: str, start: int, end: int, lex: ProjectLexicon, places: set[int],
               out: list[_Candidate]) -> None:
    """The items between two list separators: two when a conjunction joins them
    (渝昆高铁和成渝高速扩容) when the first ends with a head, so not 保障和改善民生, 呼和浩特."""
    for m in lex.conjunction.finditer(text, start + 2, end - 2):
        if m.start() not in places and text.endswith(tuple(lex.heads), start, m.start()):
            _add_item(text, start, m.start(), lex, places, out)
            start = m.end()
    _add_item(text, start, end, lex, places, out)


def _add_item(text: str, start: int, end: int, lex: ProjectLexicon, places: set[int],
              out: list[_Candidate]) -> None:
    """One item of a project list, unless it is a generic word or a class led by its
    sector (汽车座椅), a bare place, an amount of what is built (10万亩马铃薯种薯基地), a
    programme (中华文明探源工程), or a verb phrase or adjective (全局性、保障和改善民生等重大项目)."""
    item = text[start:end]
    if not 2 <= len(item) <= 30 or not any(_name_char(c) for c in item):
        return
    if "的" in item or item.endswith("性"):
        return
    verb = next((i for i in range(len(item) - 1) for n in lex.left_stops.lengths if n > 1
                 and item[i:i + n] in lex.left_stops.words and not _word_across(text, start + i + n, lex.words)),
                None)
    if verb is not None and lex.head_re.search(item, 0, verb) is None:
        return  # a verb phrase, unless it acts on a name before it (广巴铁路|扩能改造)
    if ORDINAL.fullmatch(item):
        return  # 第三、第四棚改配套幼儿园: an elided ordinal
    head = next((h for h in sorted(lex.heads, key=len, reverse=True) if item.endswith(h)), None)
    parts = name_parts(text, start, end, lex, places)
    named_by_place = parts.place and sum(i not in places for i in range(start, end)) >= 2  # 临沂|商城
    # a class leads with its sector (汽车座椅, 城区防洪), a name with its own word (吉利汽车零部件)
    needed = 3 if lex.generic.starts_at(text, start) else 2
    if _not_a_name(parts) or parts.specific < needed and not (
            parts.figure or named_by_place or parts.ordinal and parts.specific >= 1):  # 大唐风电二期
        return
    if len(item) <= 3 and item[-1] in "县区市旗镇乡村":
        return  # a place: 勉县
    if head and (lex.heads[head][1] == "weak" and item[:-len(head)].endswith("”")
                 or _is_programme(text, start, end - len(head), head, parts, lex)):
        return  # “城市双修”工程, 中华文明探源工程: a programme
    category = lex.heads[head][0] if head else "enterprise"
    out.append(_Candidate(start, end, item, category, "list"))


class Projects:
    """Project mentions (``find_projects``) -> ``doc.spans[key]``, label PROJECT,
    ``kb_id`` the category, ``id`` the name."""

    def __init__(self, spans_key: str, companies_key: str):
        self.spans_key = spans_key
        self.companies_key = companies_key
        self.lex = project_lexicon()

    def __call__(self, doc: Doc) -> Doc:
        companies = [span_offsets(doc, s) for s in doc.spans.get(self.companies_key, [])
                     if s.label_ == "ORG" and s.kb_id_ == "company"]
        found = []
        for p in find_projects(doc_text(doc), self.lex, places_of(doc), companies):
            span = make_span(doc, p.start, p.end, "PROJECT", kb_id=p.category, span_id=p.name)
            if span is not None:
                found.append(span)
                doc.user_data.setdefault("ner_project_sources", {})[(span.start, span.end)] = p.source
        doc.spans[self.spans_key] = found
        return doc


class Resolve:
    """``doc.ents`` = longest non-overlapping union of the gazetteer entities and
    the span groups named in ``keys``; BLOCK phrases are dropped at the end."""

    def __init__(self, keys: list[str]):
        self.keys = keys

    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.ents)
        for key in self.keys:
            spans.extend(doc.spans.get(key, []))
        doc.ents = [s for s in filter_spans(spans) if s.label_ != BLOCK]
        return doc


@Language.factory("ner_place_short_forms", assigns=["doc.ents"])
def make_place_short_forms(nlp: Language, name: str) -> PlaceShortForms:
    return PlaceShortForms(county_short_forms())


@Language.factory("ner_token_patterns", assigns=["doc.spans"],
                  default_config={"patterns_file": "ner_patterns.jsonl", "spans_key": "ner_matcher"})
def make_token_patterns(nlp: Language, name: str, patterns_file: str, spans_key: str) -> TokenPatterns:
    return TokenPatterns(nlp, patterns_file, spans_key)


@Language.factory("ner_char_rules", assigns=["doc.spans"], default_config={"spans_key": "ner_rules"})
def make_char_rules(nlp: Language, name: str, spans_key: str) -> CharRules:
    return CharRules(spans_key)


@Language.factory("ner_credits", assigns=["doc.spans"], default_config={"spans_key": "ner_credits"})
def make_credits(nlp: Language, name: str, spans_key: str) -> Credits:
    return Credits(spans_key)


@Language.factory("ner_projects", assigns=["doc.spans"],
                  default_config={"spans_key": "projects", "companies_key": "ner_rules"})
def make_projects(nlp: Language, name: str, spans_key: str, companies_key: str) -> Projects:
    return Projects(spans_key, companies_key)


@Language.factory("ner_resolve", assigns=["doc.ents"],
                  default_config={"keys": ["ner_matcher", "ner_rules", "ner_credits"]})
def make_resolve(nlp: Language, name: str, keys: list[str]) -> Resolve:
    return Resolve(keys)


# --------------------------------------------------------------------------
# The pipeline and its use
# --------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The NER pipeline, built once per process on first use."""
    if not Doc.has_extension("line_kinds"):
        Doc.set_extension("line_kinds", default=None)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "pipeline.char_tokenizer.v1",
                                                          "segmenter": "char"}}})
    ruler = nlp.add_pipe("span_ruler", name="gazetteer",
                         config={"spans_key": GAZETTEER_KEY, "annotate_ents": True, "validate": False})
    ruler.add_patterns(gazetteer_patterns())
    nlp.add_pipe("ner_place_short_forms", name="place_short_forms")
    nlp.add_pipe("ner_token_patterns", name="token_patterns")
    nlp.add_pipe("ner_char_rules", name="char_rules")
    nlp.add_pipe("ner_credits", name="credits")
    nlp.add_pipe("ner_projects", name="projects")
    nlp.add_pipe("ner_resolve", name="resolve")
    return nlp


def run(text: str, line_kinds: list[tuple[int, int, str]] | None = None) -> Doc:
    """Run the pipeline over ``text``; ``line_kinds`` are (start, end, kind) of
    caption and byline lines, for the ``credits`` component."""
    nlp = get_nlp()
    doc = nlp.make_doc(text)
    doc._.line_kinds = line_kinds
    return nlp(doc)


def analyse_text(text: str, line_kinds: list[tuple[int, int, str]] | None = None) -> Analysis:
    doc = run(text, line_kinds)
    entities = []
    for e in doc.ents:
        start, end = span_offsets(doc, e)
        entities.append(Mention(start, end, e.label_, text[start:end]))
    sources = doc.user_data.get("ner_project_sources", {})
    projects = []
    for s in doc.spans.get("projects", []):
        start, end = span_offsets(doc, s)
        projects.append(ProjectMention(start, end, text[start:end], s.id_, s.kb_id_,
                                       sources.get((s.start, s.end), "")))
    return Analysis(tuple(entities), tuple(projects))


_CACHE: dict[tuple[str, str], Analysis] = {}
# A Doc holds one token per character; past this an article is analysed a run of
# whole paragraphs at a time (spaCy refuses texts over nlp.max_length, 1,000,000,
# and memory grows with the token count).
CHUNK_CHARS = 200_000


def _analyse_in_chunks(article: Article, kinds: list[tuple[int, int, str]]) -> Analysis:
    """Analyse a very long article paragraph run by paragraph run; offsets stay the body's."""
    body = article.body
    bounds: list[tuple[int, int]] = []
    start = 0
    for p in article.paragraphs:
        if p.end - start > CHUNK_CHARS and p.start > start:
            bounds.append((start, p.start))
            start = p.start
    bounds.append((start, len(body)))
    entities: list[Mention] = []
    projects: list[ProjectMention] = []
    for lo, hi in bounds:
        for piece_lo in range(lo, hi, CHUNK_CHARS):   # a single huge paragraph: cut it
            piece_hi = min(hi, piece_lo + CHUNK_CHARS)
            local = [(a - piece_lo, b - piece_lo, k) for a, b, k in kinds if piece_lo <= a and b <= piece_hi]
            part = analyse_text(body[piece_lo:piece_hi], local)
            entities += [Mention(m.start + piece_lo, m.end + piece_lo, m.label, m.text, m.source)
                         for m in part.entities]
            projects += [ProjectMention(m.start + piece_lo, m.end + piece_lo, m.text, m.name, m.category,
                                        m.source) for m in part.projects]
    return Analysis(tuple(entities), tuple(projects))


def analyse(article: Article) -> Analysis:
    """Entities and project mentions of ``article`` (cached: the projects and
    entities tables both ask for the same article)."""
    key = (article.article_id, article.body)
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    kinds = [(s.start, s.end, s.kind) for s in article.sentences if s.kind in ("caption", "byline")]
    if len(article.body) <= CHUNK_CHARS:
        result = analyse_text(article.body, kinds)
    else:
        result = _analyse_in_chunks(article, kinds)
    if len(_CACHE) >= 4:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = result
    return result
