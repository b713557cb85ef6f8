"""The entities table (SPEC §2 entities.csv) on the seed article and on lines
of the kinds the issue names: credits, bylines, speaker lines, bodies,
sessions and documents."""
from __future__ import annotations

import pytest

from pipeline.extract.entities import extract_entities
from pipeline.extract.projects import extract_projects
from pipeline.model import Article
from pipeline.reading import read_article
from pipeline.segment import segment
from pipeline.tables import TABLES

from .conftest import RAW


def article_of(text: str) -> Article:
    return segment(Article(article_id="case", source_file="case.txt", body=text, encoding="utf-8"))


def by_label(rows: list[dict]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r["label"], set()).add(r["text"])
    return out


@pytest.fixture(scope="module")
def seed():
    article, _ = read_article(RAW / "heshan_2022_plenary.txt")
    segment(article)
    projects = extract_projects(article)
    return article, projects, extract_entities(article, projects)


def test_seed_persons(seed):
    """Photo credits and the byline give PERSON; jieba's nr words do not."""
    _, _, rows = seed
    persons = by_label(rows)["PERSON"]
    assert {"谭成伟", "何建英", "温磊", "朱强", "宋世安"} <= persons
    texts = {r["text"] for r in rows}
    for wrong in ("幸福感", "沃土", "文温磊", "获得感"):
        assert wrong not in texts


def test_seed_other_labels(seed):
    _, _, rows = seed
    labels = by_label(rows)
    assert {"鹤山市委", "江门市委", "市政府", "隆基绿能科技股份有限公司"} <= labels["ORG"]
    assert {"鹤山", "江门市", "广东省"} <= labels["GPE"]
    assert {"十三届三次全会", "党的二十大"} <= labels["EVENT"]
    assert {"《鹤山市招商引资奖励办法》", "《深化中欧合作若干政策》"} <= labels["LAW"]
    assert "江门北站" in labels["FAC"]
    assert "中欧(江门)中小企业国际合作区" in labels["PROJECT"]


def test_seed_rows(seed):
    article, projects, rows = seed
    keys = [(r["text"], r["label"]) for r in rows if r["label"] != "PROJECT"]
    assert len(keys) == len(set(keys)), "one row per distinct (text, label)"
    for r in rows:
        assert set(r) == set(TABLES["entities"])
        assert article.body[r["start"]:r["end"]] == r["text"]
        assert r["context"] == article.context_of(r["start"])
        assert r["mentions"] >= 1
    assert [r["start"] for r in rows] == sorted(r["start"] for r in rows)
    温磊 = next(r for r in rows if r["text"] == "温磊")
    assert 温磊["mentions"] == 3
    assert 温磊["start"] == article.body.index("文温磊") + 1  # first mention: the byline


def test_project_rows_mirror_the_projects_table(seed):
    _, projects, rows = seed
    mirrored = [(r["start"], r["text"], r["mentions"]) for r in rows if r["label"] == "PROJECT"]
    assert mirrored == [(p["start"], p["text"], p["mentions"]) for p in projects]


def test_projects_computed_when_not_given(seed):
    article, _, rows = seed
    assert extract_entities(article) == rows


LINES = [
    # (id, text, expected (text, label) pairs, texts that must not be entities)
    ("speaker-premier", "1995年政府工作报告\n\n国务院总理李鹏\n\n各位代表：",
     {("李鹏", "PERSON"), ("国务院", "ORG")}, set()),
    ("speaker-district-head", "政 府 工 作 报 告\n\n海拉尔区人民政府区长　　张天喜\n\n各位代表：",
     {("张天喜", "PERSON"), ("海拉尔区人民政府", "ORG")}, set()),
    ("speaker-in-running-text", "省长赵刚作政府工作报告。",
     {("赵刚", "PERSON")}, {"赵刚作"}),
    ("leader-before-title", "更加紧密地团结在以习近平同志为核心的党中央周围，坚持邓小平同志建设有中国特色社会主义的理论。",
     {("习近平", "PERSON"), ("邓小平", "PERSON"), ("党中央", "ORG")}, {"中国"}),
    ("not-a-name-before-同志", "向离退休老同志，向全体同志表示感谢。", set(), {"全体", "退休老"}),
    ("office-before-title", "要坚持“菜篮子”市长负责制，“米袋子”省长负责制。", set(), {"负责制"}),
    ("photo-credit", "鹤山城市面貌。谭成伟 摄", {("谭成伟", "PERSON")}, set()),
    ("byline", "文温磊 朱强 宋世安", {("温磊", "PERSON"), ("朱强", "PERSON"), ("宋世安", "PERSON")}, {"文温磊"}),
    ("sessions", "——1995年3月5日在第八届全国人民代表大会第三次会议上。全面贯彻党的十四大和十四届三中、四中全会精神。",
     {("第八届全国人民代表大会第三次会议", "EVENT"), ("党的十四大", "EVENT"), ("十四届三中、四中全会", "EVENT")}, set()),
    ("documents", "要认真落实《计划生育工作纲要》，审议《安徽省国民经济和社会发展第十五个五年规划纲要（草案）》，阅读《柳青》。",
     {("《计划生育工作纲要》", "LAW"), ("《安徽省国民经济和社会发展第十五个五年规划纲要（草案）》", "LAW"),
      ("《柳青》", "WORK_OF_ART")}, set()),
    ("county-short-form-next-to-full-name", "2016年2月19日在海拉尔区第十四届人民代表大会上。支持海拉尔建设和发展。",
     {("海拉尔区", "GPE"), ("海拉尔", "GPE")}, set()),
    ("short-forms-that-are-words", "加大安全生产监管力度，撑起“半壁江山”，促进合作交流，实现长治久安。",
     set(), {"大安", "江山", "合作", "长治"}),
    ("companies", "海螺集团与皖维集团启动重组，境内上市公司增加，企业集团壮大。",
     {("海螺集团", "ORG"), ("皖维集团", "ORG")}, {"境内上市公司", "上市公司", "企业集团"}),
    ("places-and-features", "长江经济带和粤港澳大湾区，江门北站，中国特色社会主义。",
     {("长江经济带", "LOC"), ("粤港澳大湾区", "LOC"), ("江门北站", "FAC")}, {"中国"}),
]


@pytest.mark.parametrize("text,expected,absent", [pytest.param(*c[1:], id=c[0]) for c in LINES])
def test_lines(text, expected, absent):
    rows = extract_entities(article_of(text))
    found = {(r["text"], r["label"]) for r in rows}
    assert expected <= found
    texts = {r["text"] for r in rows}
    assert not (absent & texts)
    for r in rows:
        assert text[r["start"]:r["end"]] == r["text"]


def test_no_person_without_context():
    """jieba tags 幸福感 and 沃土 nr; here a PERSON needs a title, credit or byline."""
    rows = extract_entities(article_of("人民群众的获得感、幸福感、安全感不断增强，让鹤山成为企业发展的沃土。"))
    assert "PERSON" not in {r["label"] for r in rows}
