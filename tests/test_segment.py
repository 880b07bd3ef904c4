"""segment(): one article per clean policy (appended articles dropped), page articles with their headlines."""

from __future__ import annotations

import hashlib
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import laid_out

from policykg.graph.model import Article, Note, SourceText
from policykg.graph.normalize import normalize
from policykg.graph.segment import segment
from policykg.graph.vocabulary import bigrams, cosine, coverage, short_names

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).parent.parent / "corpus"


def fixture(name: str) -> dict[str, Any]:
    return tomllib.loads((FIXTURES / name).read_text(encoding="utf-8"))


def from_text(raw: str, name: str = "fixture.txt") -> SourceText:
    return laid_out(normalize(name, raw, hashlib.sha256(raw.encode("utf-8")).hexdigest()))


def from_corpus(prefix: str) -> SourceText:
    path = next(CORPUS.glob(f"{prefix}_*.txt"))
    data = path.read_bytes()
    return laid_out(normalize(path.name, data.decode("utf-8"), hashlib.sha256(data).hexdigest()))


def texts(source: SourceText, article: Article) -> list[str]:
    return [source.quote(span) for span in article.paragraphs]


def assert_page_conserved(source: SourceText, articles: list[Article], warnings: list[Note]) -> None:
    """Every non-whitespace raw character is in exactly one article (paragraph, title, byline) or a leftover."""
    used = Counter()
    for article in articles:
        spans = [*article.paragraphs, *([article.title_span] if article.title_span else [])]
        for span in spans:
            used.update(range(span.start, span.end))
    bylines = Counter(a.byline for a in articles if a.byline)
    for block in (b.page for b in source.blocks if b.page is not None):
        covered = [used[i] for i in range(block.span.start, block.span.end)]
        text = source.quote(block.span)
        if block.kind == "byline" and bylines[text] > 0 and not any(covered):
            bylines[text] -= 1
            used.update(range(block.span.start, block.span.end))
        elif not any(covered):
            assert any(repr(text)[:10] in w.message for w in warnings), f"unreported leftover {text!r}"
            used.update(range(block.span.start, block.span.end))
    assert all(count == 1 for count in used.values()), "a paragraph is in two articles"
    assert sum(bylines.values()) == 0
    raw_chars = Counter(c for c in source.raw if not c.isspace())
    seen = Counter(source.raw[source.raw_offsets[i]] for i in used if not source.text[i].isspace())
    assert seen == raw_chars


# --- helpers ------------------------------------------------------------------------------------------------------


def test_bigram_cosine_separates_topics() -> None:
    """Character-bigram cosine is high for texts on one topic and low across topics."""
    same = cosine(bigrams("推进养老服务体系建设"), bigrams("加快养老服务体系建设步伐"))
    other = cosine(bigrams("推进养老服务体系建设"), bigrams("学校举办校园读书节"))
    assert same > 0.5 > other


def test_coverage_of_short_line() -> None:
    """coverage() is the share of a line's bigrams found in a text."""
    assert coverage("养老服务", "推进养老服务") == 1.0
    assert coverage("读书节", "推进养老服务") == 0.0


def test_short_names_found() -> None:
    """（以下简称《方案》） defines the short name 《方案》."""
    assert short_names("印发《某某实施方案》（以下简称《方案》）。") == {"《方案》"}


# --- clean documents -----------------------------------------------------------------------------------------------


def test_wrapped_plan_title_is_joined_and_preferred() -> None:
    """segment_wrapped_title: the plan's split title wins over the covering notice's title; no span (two lines)."""
    data = fixture("segment_wrapped_title.toml")
    source = from_text(data["text"])
    articles, warnings = segment(source)
    assert len(articles) == 1 and warnings == []
    assert articles[0].title == data["title"]
    assert articles[0].title_span is None


def test_clean_document_is_one_article_of_all_lines() -> None:
    """A clean document gives one article whose paragraphs are its non-empty lines without indentation."""
    source = from_text("关于推进养老服务的实施意见\n\n　　一、总体要求\n\n　　坚持以人民为中心。\n")
    articles, warnings = segment(source)
    assert warnings == []
    assert texts(source, articles[0]) == ["关于推进养老服务的实施意见", "一、总体要求", "坚持以人民为中心。"]
    assert articles[0].title == "关于推进养老服务的实施意见"
    assert source.quote(articles[0].title_span) == articles[0].title


def test_appended_article_and_trailing_headline_dropped() -> None:
    """segment_appended: the unrelated appended article and the bodiless trailing headline go, with warnings."""
    data = fixture("segment_appended.toml")
    source = from_text(data["text"])
    articles, warnings = segment(source)
    assert len(articles) == 1
    assert articles[0].title == data["title"]
    assert texts(source, articles[0])[-1] == data["last_paragraph"]
    for title in data["warnings"]:
        assert any(title in w.message for w in warnings), title


def test_policy_sections_are_not_split_off() -> None:
    """segment_appended without its appendix: a policy's own sections are never taken for another article."""
    text = fixture("segment_appended.toml")["text"]
    policy = text[: text.index("春风化雨")]
    articles, warnings = segment(from_text(policy))
    assert warnings == []
    assert len(articles[0].paragraphs) == 8


# --- pages --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["page_two_articles.toml", "page_headline_top.toml", "page_gapped_headline.toml"])
def test_page_fixture_articles(name: str) -> None:
    """Page fixtures: titles, paragraph counts and bylines as listed in the fixture; nothing lost."""
    data = fixture(name)
    source = from_text(data["text"])
    assert source.is_page
    articles, warnings = segment(source)
    assert [a.title for a in articles] == data["titles"]
    assert [len(a.paragraphs) for a in articles] == data["paragraphs"]
    if "bylines" in data:
        assert [a.byline for a in articles] == data["bylines"]
    for article in articles:
        assert article.title_span is not None and source.quote(article.title_span) == article.title
    assert_page_conserved(source, articles, warnings)


def test_headline_after_body_takes_that_body() -> None:
    """page_two_articles: each headline follows its body; a source mark split over two lines ends a body."""
    source = from_text(fixture("page_two_articles.toml")["text"])
    articles, _ = segment(source)
    assert texts(source, articles[1])[-1].endswith("（据某市慈善总会）")
    assert texts(source, articles[0])[0].startswith("近日，某省民政厅")


def test_displaced_lead_box_goes_first() -> None:
    """page_headline_top: the wide lead box defining 《行动方案》 opens the article whose body uses it."""
    data = fixture("page_headline_top.toml")
    source = from_text(data["text"])
    articles, warnings = segment(source)
    assert texts(source, articles[0])[0] == data["first_paragraph"]
    assert any("'”'" in w.message for w in warnings)


# --- corpus -------------------------------------------------------------------------------------------------------

PAGE_TITLES = {
    "000": [
        "《贵州省推进基本养老服务体系建设的实施方案（征求意见稿）》公开征求意见",
        "山西省民政厅等六部门联合发布意见进一步推进孤弃儿童回归家庭",
        "江西省印发行动方案推进养老服务提质升级培育志愿服务组织和慈善公益力量",
    ],
    "002": [
        "湖北省出台推进基本养老服务体系建设实施方案",
        "广东省民政厅、贵州省民政厅深化粤黔民政领域东西部协作",
        "山东省民政厅党组专题研究巩固拓展脱贫攻坚成果同乡村振兴有效衔接工作",
        "江西省实施“百社解千难·点亮计划”引领社会组织积极参与乡村振兴",
    ],
}


@pytest.mark.parametrize("prefix", sorted(PAGE_TITLES))
def test_corpus_page_titles_and_conservation(prefix: str) -> None:
    """Corpus pages: the articles and their headlines in reading order; every character accounted for."""
    source = from_corpus(prefix)
    articles, warnings = segment(source)
    assert [a.title for a in articles] == PAGE_TITLES[prefix]
    assert [a.index for a in articles] == list(range(len(articles)))
    assert_page_conserved(source, articles, warnings)


def test_corpus_000_paragraphs_where_they_belong() -> None:
    """000: Jiangxi's displaced lead opens its article; each body stays with its headline; bylines attached."""
    source = from_corpus("000")
    guizhou, shanxi, jiangxi = segment(source)[0]
    assert texts(source, jiangxi)[0].startswith("近日，江西省人民政府办公厅印发《江西省推进养老服务提质升级")
    assert not any("《实施意见》" in t or "《实施方案》" in t for t in texts(source, jiangxi))
    assert not any("《行动方案》" in t for t in texts(source, guizhou) + texts(source, shanxi))
    assert texts(source, guizhou)[0].startswith("为认真贯彻落实中共中央办公厅")
    assert texts(source, shanxi)[0].startswith("家庭是孩子健康成长的最好环境")
    assert [len(a.paragraphs) for a in (guizhou, shanxi, jiangxi)] == [9, 9, 8]
    assert guizhou.byline == jiangxi.byline == "■ 本报记者 皮磊"


def test_corpus_002_lead_boxes_attached() -> None:
    """002: the Hubei lead (以下简称《方案》) opens the Hubei article; the Guangdong lead opens the 粤黔 article."""
    source = from_corpus("002")
    hubei, guangdong, shandong, jiangxi = segment(source)[0]
    assert "湖北省人民政府办公厅印发" in texts(source, hubei)[0]
    assert texts(source, hubei)[-1] == "（据湖北省民政厅）"
    assert texts(source, guangdong)[0].startswith("广东省民政厅、 贵州省民政厅贯彻落实")
    assert texts(source, guangdong)[-1].endswith("（据广东省民政厅）")
    assert texts(source, shandong)[0].startswith("日前，山东省民政厅召开党组会议")
    assert [len(a.paragraphs) for a in (hubei, guangdong, shandong, jiangxi)] == [6, 9, 4, 4]


def test_corpus_001_plan_title() -> None:
    """001: the plan's title (split over two lines) is chosen over the covering notice's."""
    articles, warnings = segment(from_corpus("001"))
    assert [a.title for a in articles] == ["贵州省推进基本养老服务体系建设实施方案"]
    assert warnings == []


def test_corpus_003_single_article() -> None:
    """003: a clean draft opinion is one article titled by its first line."""
    source = from_corpus("003")
    articles, warnings = segment(source)
    assert [a.title for a in articles] == ["关于推进基本养老服务体系建设的实施意见"]
    assert warnings == []


def test_corpus_004_appended_article_dropped() -> None:
    """004: the appended 重庆电大垫江分校 article and the dangling headline are dropped, with warnings."""
    source = from_corpus("004")
    articles, warnings = segment(source)
    assert len(articles) == 1
    article = articles[0]
    assert article.title == "关于推进基本养老服务体系建设意见"
    assert article.title_span is not None and source.quote(article.title_span) == article.title
    assert texts(source, article)[-1].startswith("(三)营造良好社会氛围")
    assert not any("垫江" in t for t in texts(source, article))
    assert any("特色促发展 服务新垫江" in w.message for w in warnings)
    assert any("作风建设永远在路上" in w.message for w in warnings)


def test_page_broken_paragraph_is_rejoined() -> None:
    """A long paragraph cut mid-word by a page break (…或者出 / 资建设…) is one paragraph spanning the gap."""
    first = "各地新建城区要按标准配套建设养老服务设施，老城区要通过补建等方式完善设施。" * 2 + "政府投入资源或者出"
    rest = "资建设的养老服务设施要优先用于基本养老服务。"
    source = from_text(f"关于推进养老服务的意见\n\n{first}\n\n{rest}\n\n二、重点工作\n")
    paragraphs = texts(source, segment(source)[0][0])
    assert paragraphs[1] == f"{first}\n\n{rest}"
    assert paragraphs[2] == "二、重点工作"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_corpus_paragraph_quotes_map_to_raw(prefix: str) -> None:
    """Quotes of article paragraphs map back to raw offsets holding the same characters."""
    source = from_corpus(prefix)
    for article in segment(source)[0]:
        for span in article.paragraphs:
            raw_start, raw_end = source.raw_span(span)
            written = "".join(c for c in source.raw[raw_start:raw_end] if not c.isspace())
            assert written == "".join(c for c in source.quote(span) if not c.isspace())


def test_bare_numbered_items_of_a_news_page_are_neither_title_nor_appended_articles() -> None:
    """"1建设…" / "2新增…": a list run into its numbers (a news page's 民生实事), not ten headlines."""
    body = "本报讯 今年全市将办好一批民生实事，市政府日前召开会议作出部署，要求各部门细化措施、压实责任、按期完成。"
    items = [
        ("1建设城乡社区嵌入式养老服务站点",
         "在各县区新建社区嵌入式服务站点四十个，配齐助餐、助浴、康复设备，方便老人就近获得服务。"),
        ("2改造老旧小区供水管网", "更新老化供水管道一百二十公里，解决高层住户水压不足问题，年底前全部完成管网切换。"),
        ("3开展青少年视力筛查", "对中小学在校学生免费开展视力筛查两次，建立视力健康档案，对近视学生开展跟踪干预。"),
    ]
    text = body + "\n" + "".join(f"{head}\n{para}\n" for head, para in items)
    source = from_text(text)
    articles, warnings = segment(source)
    assert len(articles) == 1 and warnings == []
    assert articles[0].title == ""
    assert [head for head, _ in items] == [t for t in texts(source, articles[0]) if t[0].isdigit()]
