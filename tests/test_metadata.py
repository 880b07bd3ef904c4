"""Behaviour of graph/metadata.py (with titles.py, citations.py, places.py, reports.py): title, 文号, issuers, date,
level, status, type, citations, reports, linking.

Fixtures (tests/fixtures/meta_*.txt) are short texts written in the style of documents from several provinces;
the corpus checks run the real read → normalize → segment stages first.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import laid_out

from policykg.graph.lexicon import Lexicon, load_lexicon
from policykg.graph.metadata import describe, match_title, same_document
from policykg.graph.metarules import doc_types, load_rules
from policykg.graph.model import Article, DocumentMeta, Jurisdiction, SourceText, Span
from policykg.graph.normalize import make_key as key_view
from policykg.graph.normalize import normalize
from policykg.graph.read import read_source
from policykg.graph.recognize import AgencyRecognizer
from policykg.graph.segment import segment
from policykg.graph.titles import (
    doc_type_of,
    make_key,
    normalize_doc_number,
    normalize_title,
    parse_date,
    squeeze,
    title_digest,
)

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).parent.parent / "corpus"


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return load_lexicon()


def fixture_article(name: str) -> Article:
    """A fixture through the real normalize and segment stages (clean documents)."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    source = laid_out(normalize(name, text, hashlib.sha256(text.encode("utf-8")).hexdigest()))
    articles, _ = segment(source)
    assert len(articles) == 1
    return articles[0]


def plain_article(text: str, *, title: str = "", is_page: bool = False, name: str = "plain.txt") -> Article:
    """An article built by hand: one paragraph per non-empty line, the title only if given (no segmenter)."""
    source = SourceText(
        file_name=name,
        raw=text,
        text=text,
        key=key_view(text),
        raw_offsets=[*range(len(text)), len(text)],
        sha256="0" * 64,
        text_sha256="0" * 64,
        is_page=is_page,
    )
    paragraphs: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            paragraphs.append(Span(pos, pos + len(line)))
        pos += len(line) + 1
    title_span = None
    if title and is_page:  # a page's headline is outside the paragraphs, as the page segmenter gives it
        start = text.index(title)
        title_span = Span(start, start + len(title))
        paragraphs = [p for p in paragraphs if p.start != start]
    return Article(source=source, paragraphs=paragraphs, title=title, title_span=title_span)


def corpus_articles(prefix: str) -> list[Article]:
    path = next(CORPUS.glob(f"{prefix}_*.txt"))
    raw = read_source(path)
    articles, _ = segment(laid_out(normalize(raw.file_name, raw.raw, raw.sha256)))
    return articles


def cited(meta: DocumentMeta) -> dict[str, str]:
    return {c.title: c.relation for c in meta.cited}


def info(meta: DocumentMeta, title: str):
    return next(c for c in meta.citations if c.cited.title == title)


# ---------------------------------------------------------------------------------------------------------------
# fixtures in the style of real documents


def test_notice_wrapping_a_plan_describes_the_plan_with_the_notice_number_signer_and_date(lex: Lexicon) -> None:
    meta = describe(fixture_article("meta_notice_plan_hunan.txt"), lex)
    assert meta.title == "湖南省推进养老服务高质量发展三年行动方案（2024—2026年）"
    assert meta.wrapper_title.startswith("湖南省人民政府办公厅关于印发《")
    assert meta.doc_number == "湘政办发〔2024〕7号"
    assert meta.issuers == ["湖南省人民政府办公厅"]
    assert meta.date == "2024-03-08"
    assert (meta.level, meta.jurisdiction and meta.jurisdiction.code) == ("provincial", "430000")
    assert (meta.status, meta.doc_type) == ("final", "行动方案")
    assert meta.key == "430000/湘政办发〔2024〕7号"


def test_title_found_from_the_covering_notice_line_without_a_segmenter(lex: Lexicon) -> None:
    text = (FIXTURES / "meta_notice_plan_hunan.txt").read_text(encoding="utf-8")
    meta = describe(plain_article(text), lex)
    assert meta.title == "湖南省推进养老服务高质量发展三年行动方案（2024—2026年）"
    assert meta.doc_number == "湘政办发〔2024〕7号"
    assert meta.title_span is not None and text[meta.title_span.start : meta.title_span.end] == meta.title


def test_implementation_phrase_makes_applies_with_the_cited_number_and_issuer(lex: Lexicon) -> None:
    meta = describe(fixture_article("meta_notice_plan_hunan.txt"), lex)
    title = "国务院办公厅关于发展银发经济增进老年人福祉的意见"
    assert cited(meta)[title] == "applies"
    detail = info(meta, title)
    assert detail.doc_number == "国办发〔2024〕1号"
    assert detail.issuers == ["国务院办公厅"]
    assert detail.jurisdiction is not None and detail.jurisdiction.code == "100000"


def test_conjunction_carries_applies_and_a_plain_mention_cites(lex: Lexicon) -> None:
    relations = cited(describe(fixture_article("meta_notice_plan_hunan.txt"), lex))
    assert relations["湖南省养老服务条例"] == "applies"  # 依据《A》
    assert relations["湖南省基本养老服务清单"] == "applies"  # …和《B》
    assert relations["养老机构服务质量基本规范"] == "cites"  # 参考《C》 is not an implementation phrase


def test_short_name_and_the_document_itself_are_not_citations(lex: Lexicon) -> None:
    meta = describe(fixture_article("meta_notice_plan_hunan.txt"), lex)
    titles = {normalize_title(c.title) for c in meta.cited}
    assert "清单" not in titles  # （以下简称《清单》） and later 《清单》
    assert normalize_title(meta.title) not in titles  # 现将《本方案》印发给你们


def test_draft_for_comment_is_draft_and_adjacent_titles_share_applies(lex: Lexicon) -> None:
    meta = describe(fixture_article("meta_draft_zhejiang.txt"), lex)
    assert meta.title == "浙江省居家养老服务管理办法"
    assert (meta.status, meta.status_note) == ("draft", "征求意见稿")
    assert meta.doc_type == "办法"  # 管理 is a modifier, not a type
    assert (meta.level, meta.jurisdiction and meta.jurisdiction.code) == ("provincial", "330000")
    assert cited(meta) == {"中华人民共和国老年人权益保障法": "applies", "浙江省社会养老服务促进条例": "applies"}
    assert meta.key == f"330000/t-{title_digest(meta.title, '征求意见稿')}"


def test_joint_issue_lists_every_signer_in_order_and_trial_text_stays_final(lex: Lexicon) -> None:
    meta = describe(fixture_article("meta_joint_shanxi.txt"), lex)
    assert meta.issuers == [
        "山西省民政厅", "山西省教育厅", "山西省公安厅", "山西省财政厅", "山西省医疗保障局", "山西省残疾人联合会",
    ]
    assert meta.date == "2023-06-05"
    assert meta.doc_number == "晋民发〔2023〕21号"
    assert meta.title == "关于鼓励国内家庭收养病残孤弃儿童的实施意见（试行）"
    assert (meta.status, meta.doc_type) == ("final", "实施意见")  # （试行） is in force; the type is read past it
    assert meta.jurisdiction is not None and meta.jurisdiction.code == "140000"


def test_header_of_issuing_bodies_is_not_taken_for_the_title(lex: Lexicon) -> None:
    text = (FIXTURES / "meta_joint_shanxi.txt").read_text(encoding="utf-8")
    meta = describe(plain_article(text), lex)
    assert meta.title == "关于鼓励国内家庭收养病残孤弃儿童的实施意见（试行）"
    assert len(meta.issuers) == 6


def test_nested_citation_gives_outer_and_inner_titles_with_their_issuers(lex: Lexicon) -> None:
    meta = describe(fixture_article("meta_nested_chengdu.txt"), lex)
    outer = "中共四川省委办公厅 四川省人民政府办公厅印发〈关于推进基本养老服务体系建设的实施方案〉的通知"
    inner = "关于推进基本养老服务体系建设的实施方案"
    assert cited(meta)[outer] == "applies" and cited(meta)[inner] == "applies"
    assert info(meta, outer).doc_number == "川委厅〔2023〕12号"
    # 印发: the inner text is the issuers' own, so it is a Sichuan document, not a national one
    assert info(meta, inner).issuers == ["中共四川省委办公厅", "四川省人民政府办公厅"]
    assert info(meta, inner).jurisdiction is not None and info(meta, inner).jurisdiction.code == "510000"
    assert info(meta, inner).outer == outer
    # 转发: the inner text is the forwarded body's
    assert info(meta, "关于加快发展养老服务业的意见").issuers == ["民政部"]
    text = meta.citations[0].cited
    assert fixture_article("meta_nested_chengdu.txt").source.text[text.span.start : text.span.end] == outer


def test_nested_citation_spans_quote_the_inner_title(lex: Lexicon) -> None:
    article = fixture_article("meta_nested_chengdu.txt")
    meta = describe(article, lex)
    for c in meta.cited:
        assert squeeze(article.source.text[c.span.start : c.span.end]) == c.title


def test_city_document_with_issuer_in_its_title_keeps_the_title_as_written(lex: Lexicon) -> None:
    meta = describe(fixture_article("meta_nested_chengdu.txt"), lex)
    assert meta.title == "成都市人民政府办公厅关于推进基本养老服务体系建设的实施意见"
    assert meta.issuers == ["成都市人民政府办公厅"]
    assert (meta.level, meta.jurisdiction and meta.jurisdiction.code) == ("municipal", "510100")
    assert meta.doc_number == "成办发〔2023〕30号" and meta.date == "2023-09-12"


def test_county_document_and_square_bracket_number_is_normalised(lex: Lexicon) -> None:
    meta = describe(fixture_article("meta_county_xiuwen.txt"), lex)
    assert meta.title == "修文县推进基本养老服务体系建设实施方案"
    assert (meta.level, meta.jurisdiction and meta.jurisdiction.code) == ("county", "520123")
    assert meta.issuers == ["修文县人民政府办公室"]
    assert meta.doc_number == "修府办发〔2024〕3号"
    assert info(meta, "贵州省推进基本养老服务体系建设实施方案").doc_number == "黔府办发〔2023〕21号"


def test_comment_notice_describes_the_draft_and_takes_the_publication_date(lex: Lexicon) -> None:
    meta = describe(fixture_article("meta_comment_notice_fuzhou.txt"), lex)
    assert meta.title == "福州市养老机构管理办法"
    assert (meta.status, meta.doc_type) == ("draft", "办法")
    assert meta.date == "2024-05-06"
    assert (meta.level, meta.jurisdiction and meta.jurisdiction.code) == ("municipal", "350100")


def test_news_release_headline_gives_the_document_with_issuers_from_the_body(lex: Lexicon) -> None:
    meta = describe(fixture_article("meta_release_national.txt"), lex)
    assert meta.title == "关于发展银发经济增进老年人福祉的意见"
    assert meta.issuers == ["国务院办公厅"]  # not the headline's 国办
    assert (meta.level, meta.jurisdiction and meta.jurisdiction.code) == ("national", "100000")
    assert meta.date is None  # 1月15日 has no year
    assert (meta.status, meta.doc_type) == ("final", "意见")
    assert cited(meta) == {"“十四五”国家老龄事业发展和养老服务体系规划": "applies"}  # 《意见》 is a short name


def test_page_article_is_a_report_on_the_document_it_names(lex: Lexicon) -> None:
    body = (FIXTURES / "meta_page_report_fujian.txt").read_text(encoding="utf-8")
    headline = "福建拟立法保障基本养老服务"
    meta = describe(plain_article(f"{headline}\n{body}", title=headline, is_page=True), lex)
    assert (meta.title, meta.status, meta.doc_type) == (headline, "report", "report")
    assert meta.issuers == [] and meta.date is None
    reported = meta.reported
    assert reported is not None
    assert reported.title == "福建省养老服务条例"
    assert (reported.status, reported.status_note) == ("draft", "草案征求意见稿")
    assert reported.issuers == ["福建省民政厅"]
    assert (reported.doc_type, reported.jurisdiction and reported.jurisdiction.code) == ("条例", "350000")
    assert meta.jurisdiction == reported.jurisdiction
    assert cited(meta) == {"国家基本养老服务清单": "applies", "福建省养老服务设施专项规划": "cites"}
    assert info(meta, "福建省养老服务设施专项规划").issuers == []  # 面向社会发布 names no issuer


def test_report_is_about_the_document_it_gives_a_short_name_to(lex: Lexicon) -> None:
    headline = "安徽出台养老服务新举措"
    text = (
        f"{headline}\n"
        "日前，安徽省民政厅制定公布《安徽省基本养老服务清单》。\n"
        "同时，安徽省人民政府办公厅印发《安徽省养老服务提质行动方案》（以下简称《方案》），明确重点任务。\n"
        "《方案》提出，到2025年养老服务体系更加健全。\n"
    )
    meta = describe(plain_article(text, title=headline, is_page=True), lex)
    assert meta.reported is not None and meta.reported.title == "安徽省养老服务提质行动方案"
    assert meta.reported.issuers == ["安徽省人民政府办公厅"]
    assert cited(meta) == {"安徽省基本养老服务清单": "cites"}


def test_title_given_inside_book_marks_is_taken_without_them(lex: Lexicon) -> None:
    meta = describe(plain_article("《江苏省养老服务条例》\n第一条 为了发展养老服务，制定本条例。\n"), lex)
    assert (meta.title, meta.doc_type) == ("江苏省养老服务条例", "条例")
    assert meta.jurisdiction is not None and meta.jurisdiction.code == "320000"


def test_agency_recognizer_when_given_vets_issuers_read_by_the_suffix_rule(lex: Lexicon) -> None:
    meta = describe(fixture_article("meta_joint_shanxi.txt"), lex, agencies=AgencyRecognizer(lex))
    assert len(meta.issuers) == 6

    class Nothing:
        def is_agency(self, fragment: str) -> bool:
            return False

    meta = describe(fixture_article("meta_release_national.txt"), lex, agencies=Nothing())
    assert meta.issuers == []  # names the recognizer refuses are dropped, not guessed


# ---------------------------------------------------------------------------------------------------------------
# jurisdiction without the lexicon's help


def fake_finder(places: dict[str, Jurisdiction]):
    """A stand-in for jurisdiction.find_jurisdiction: the earliest listed name in the text."""

    def find(text: str, lexicon: object) -> Jurisdiction | None:
        hits = [(text.find(name), -len(name), j) for name, j in places.items() if name in text]
        return min(hits, key=lambda h: (h[0], h[1]))[2] if hits else None

    return find


JIANGXI = Jurisdiction("360000", "江西省", "江西", "provincial")
JINGDEZHEN = Jurisdiction("360200", "景德镇市", "景德镇", "municipal")


def test_self_reference_level_picks_the_place_of_that_level_named_in_the_text() -> None:
    text = (
        "关于推进养老服务的实施意见\n"
        "按照《江西省养老服务条例》精神，结合我市实际，提出如下意见。\n"
        "对照《江西省基本养老服务清单》，制定景德镇市基本养老服务清单。\n"
    )
    meta = describe(plain_article(text), None, finder=fake_finder({"江西": JIANGXI, "景德镇": JINGDEZHEN}))
    assert (meta.level, meta.jurisdiction) == ("municipal", JINGDEZHEN)


def test_without_a_place_the_level_comes_from_the_issuer_prefix() -> None:
    text = "省民政厅关于做好养老服务工作的通知\n各市民政局：\n现就有关事项通知如下。\n"
    meta = describe(plain_article(text), None, finder=lambda text, lexicon: None)
    assert meta.issuers == ["省民政厅"]
    assert (meta.level, meta.jurisdiction, meta.doc_type) == ("provincial", None, "通知")
    assert meta.key.startswith("unknown/t-")


def test_central_issuers_are_national_even_when_the_finder_knows_no_place() -> None:
    text = "民政部关于加快发展养老服务的意见\n为贯彻落实党中央决策部署，现提出如下意见。\n"
    meta = describe(plain_article(text), None, finder=lambda text, lexicon: None)
    assert meta.issuers == ["民政部"]
    assert meta.jurisdiction is not None and (meta.jurisdiction.code, meta.level) == ("100000", "national")


# ---------------------------------------------------------------------------------------------------------------
# small rules


def test_dates_in_arabic_and_chinese_numerals_and_impossible_dates() -> None:
    assert parse_date("2023年11月27日") == "2023-11-27"
    assert parse_date("2023 年 7\n月 1日") == "2023-07-01"
    assert parse_date("二〇二三年十一月二十七日") == "2023-11-27"
    assert parse_date("二○二四年三月八日") == "2024-03-08"
    assert parse_date("2023年2月30日") is None
    assert parse_date("5月21日") is None


def test_doc_number_brackets_are_normalised_to_tortoise_shell() -> None:
    for written in ("黔府办发[2023]21号", "黔府办发（2023）21号", "黔府办发〔2023〕21号", "黔府办发 〔2023〕 21号"):
        assert normalize_doc_number(written) == "黔府办发〔2023〕21号"


def test_doc_type_is_the_longest_type_word_ending_the_title() -> None:
    rules = load_rules()
    assert doc_type_of("贵州省推进基本养老服务体系建设实施方案", rules) == "实施方案"
    assert doc_type_of("江西省推进养老服务提质升级三年行动方案（2023-2025年）", rules) == "行动方案"
    assert doc_type_of("关于推进基本养老服务体系建设意见", rules) == "意见"
    assert doc_type_of("关于开展调研的安排", rules) == ""
    assert "report" in doc_types() and "实施意见" in doc_types()


def test_key_uses_the_number_else_a_digest_that_tells_a_draft_from_its_final_text() -> None:
    guizhou = Jurisdiction("520000", "贵州省", "贵州", "provincial")
    assert make_key(guizhou, "黔府办发[2023]21号", "x") == "520000/黔府办发〔2023〕21号"
    final = make_key(guizhou, "", "贵州省推进基本养老服务体系建设实施方案")
    draft = make_key(guizhou, "", "贵州省推进基本养老服务体系建设实施方案", "征求意见稿")
    assert final.startswith("520000/t-") and len(final) == len("520000/t-") + 12 and final != draft
    assert make_key(None, "", "贵州省推进 基本养老") == make_key(None, "", "贵州省推进基本养老")


def test_normalised_titles_ignore_marks_brackets_de_spaces_and_status() -> None:
    assert normalize_title("《贵州省推进基本养老服务体系建设的实施方案（征求意见稿）》") == normalize_title(
        "贵州省推进基本养老服务体系建设实施方案"
    )
    assert normalize_title("关于推进基本养老服务体系建设的意见") == normalize_title("关于推进基本养老服务体系建设意见")
    assert normalize_title("某方案（2023-2025年）") == normalize_title("某方案(2023-2025年)")
    assert normalize_title("某方案（2023-2025年）") != normalize_title("某方案")


def meta(title: str, jurisdiction: Jurisdiction | None, status: str = "final", number: str = "") -> DocumentMeta:
    return DocumentMeta(title=title, key="k", jurisdiction=jurisdiction, status=status, doc_number=number)  # type: ignore[arg-type]


def test_match_title_prefers_the_hinted_place_and_the_final_text() -> None:
    national = Jurisdiction("100000", "中华人民共和国", "全国", "national")
    docs = [
        meta("关于推进基本养老服务体系建设意见", national),
        meta("《关于推进基本养老服务体系建设的意见》", JIANGXI, status="report"),
    ]
    assert match_title("关于推进基本养老服务体系建设的意见", docs) is docs[0]
    assert match_title("关于推进基本养老服务体系建设的意见", docs, hint=national) is docs[0]
    assert match_title("关于推进基本养老服务体系建设的意见", docs, hint=JIANGXI) is None  # a province's own 意见
    draft = meta("某省实施方案", JIANGXI, status="draft")
    final = meta("某省实施方案", JIANGXI)
    assert match_title("某省实施方案（征求意见稿）", [draft, final]) is final


def test_same_document_by_number_or_by_title_in_a_compatible_place() -> None:
    assert same_document(meta("甲", JIANGXI, number="赣办发〔2023〕10号"), meta("乙", None, number="赣办发[2023]10号"))
    numbered = meta("甲", JIANGXI, number="赣办发〔2023〕10号")
    assert not same_document(numbered, meta("甲", JIANGXI, number="赣办发〔2023〕11号"))
    assert same_document(meta("某实施方案（征求意见稿）", JIANGXI, "draft"), meta("某实施方案", JIANGXI))
    assert not same_document(meta("某实施方案", JIANGXI), meta("某实施方案", JINGDEZHEN))


# ---------------------------------------------------------------------------------------------------------------
# the corpus


@pytest.fixture(scope="module")
def corpus(lex: Lexicon) -> dict[str, list[DocumentMeta]]:
    return {p: [describe(a, lex) for a in corpus_articles(p)] for p in ("000", "001", "002", "003", "004")}


def test_corpus_guizhou_final_plan(corpus: dict[str, list[DocumentMeta]]) -> None:
    (m,) = corpus["001"]
    assert m.title == "贵州省推进基本养老服务体系建设实施方案"
    assert m.doc_number == "黔府办发〔2023〕21号"
    assert m.issuers == ["贵州省人民政府办公厅"]
    assert m.date == "2023-11-27"
    assert (m.level, m.jurisdiction and m.jurisdiction.code, m.status, m.doc_type) == (
        "provincial", "520000", "final", "实施方案",
    )
    assert cited(m)["关于推进基本养老服务体系建设的意见"] == "applies"
    assert m.key == "520000/黔府办发〔2023〕21号"


def test_corpus_jingdezhen_draft_opinion(corpus: dict[str, list[DocumentMeta]]) -> None:
    (m,) = corpus["003"]
    assert m.title == "关于推进基本养老服务体系建设的实施意见"
    assert (m.status, m.status_note) == ("draft", "再次征求意见稿")
    assert (m.level, m.jurisdiction and m.jurisdiction.code, m.doc_type) == ("municipal", "360200", "实施意见")
    outer = "中共江西省委办公厅、江西省人民政府办公厅印发〈关于推进基本养老服务体系建设的意见〉的通知"
    assert cited(m)[outer] == "applies" and info(m, outer).doc_number == "赣办发〔2023〕10号"
    assert cited(m)["关于推进基本养老服务体系建设的意见"] == "applies"


def test_corpus_national_opinion_from_a_news_release(corpus: dict[str, list[DocumentMeta]]) -> None:
    (m,) = corpus["004"]
    assert m.title == "关于推进基本养老服务体系建设意见"
    assert m.issuers == ["中共中央办公厅", "国务院办公厅"]
    assert (m.level, m.jurisdiction and m.jurisdiction.code, m.doc_type, m.date) == ("national", "100000", "意见", None)


def test_corpus_page_articles_are_reports_on_the_documents_they_name(corpus: dict[str, list[DocumentMeta]]) -> None:
    guizhou = corpus["000"][0]
    assert (guizhou.status, guizhou.doc_type) == ("report", "report")
    assert guizhou.reported is not None
    assert (guizhou.reported.title, guizhou.reported.status) == ("贵州省推进基本养老服务体系建设的实施方案", "draft")
    assert guizhou.reported.issuers == ["贵州省民政厅"]
    hubei = corpus["002"][0]
    assert hubei.reported is not None
    assert (hubei.reported.title, hubei.reported.status) == ("关于推进基本养老服务体系建设的实施方案", "final")
    assert hubei.reported.issuers == ["湖北省人民政府办公厅"]
    shanxi = corpus["000"][1]
    assert shanxi.reported is not None and len(shanxi.reported.issuers) == 6


def test_corpus_links_draft_to_final_and_citation_to_cited_text(corpus: dict[str, list[DocumentMeta]]) -> None:
    documents = [m for metas in corpus.values() for m in metas]
    draft = corpus["000"][0].reported
    assert draft is not None and match_title(draft.title, documents, hint=draft.jurisdiction) is corpus["001"][0]
    assert same_document(draft, corpus["001"][0])
    national = info(corpus["001"][0], "关于推进基本养老服务体系建设的意见")
    assert match_title(national.cited.title, documents, hint=national.jurisdiction) is corpus["004"][0]
    jiangxi = info(corpus["003"][0], "关于推进基本养老服务体系建设的意见")
    assert match_title(jiangxi.cited.title, documents) is corpus["004"][0]  # by title alone
    assert match_title(jiangxi.cited.title, documents, hint=jiangxi.jurisdiction) is None  # 赣办发: Jiangxi's own
    assert match_title(corpus["002"][0].reported.title, documents) is None  # Hubei's plan is not Guizhou's


def test_corpus_spans_quote_what_they_claim(corpus: dict[str, list[DocumentMeta]]) -> None:
    for prefix, metas in corpus.items():
        text = corpus_articles(prefix)[0].source.text
        for m in metas:
            for c in m.cited:
                assert squeeze(text[c.span.start : c.span.end]) == c.title
            if "doc_number" in m.evidence:
                span = m.evidence["doc_number"]
                assert normalize_doc_number(text[span.start : span.end]) == m.doc_number
