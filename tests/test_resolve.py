"""Behaviour of graph/lexicon.py, recognize.py, jurisdiction.py and resolve.py: jurisdictions, agency recognition
and one entity per agency per jurisdiction.

Fixtures (tests/fixtures/resolve_*.txt) are short texts written in the style of documents from several provinces.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from policykg.graph.jurisdiction import find_jurisdiction
from policykg.graph.lexicon import Lexicon, load_lexicon, to_key
from policykg.graph.model import Jurisdiction
from policykg.graph.recognize import AgencyRecognizer
from policykg.graph.resolve import UNKNOWN_JURISDICTION, Resolver

FIXTURES = Path(__file__).parent / "fixtures"
DATA = Path(__file__).parent.parent / "graph" / "data"


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return load_lexicon()


@pytest.fixture(scope="module")
def rec(lex: Lexicon) -> AgencyRecognizer:
    return AgencyRecognizer(lex)


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def mentions(rec: AgencyRecognizer, text: str) -> list[str]:
    return [text[a:b] for a, b in rec.find(text)]


def place(lex: Lexicon, code: str) -> Jurisdiction:
    return lex.jurisdiction(code)


# --- regions.csv ------------------------------------------------------------------------------------------------


def test_regions_cover_every_province_and_prefecture_with_country_row() -> None:
    with (DATA / "regions.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["code", "name", "short", "level", "parent"]
    levels = [r["level"] for r in rows]
    assert levels.count("national") == 1
    assert levels.count("provincial") == 34
    assert levels.count("municipal") >= 330
    assert levels.count("county") >= 2800
    by_code = {r["code"]: r for r in rows}
    assert by_code["100000"]["name"] == "中华人民共和国"
    assert all(r["parent"] in by_code for r in rows if r["level"] != "national")


def test_short_names_drop_level_words_and_ethnic_names(lex: Lexicon) -> None:
    assert lex.regions["520000"].short == "贵州"
    assert lex.regions["450000"].short == "广西"
    assert lex.regions["360200"].short == "景德镇"
    assert lex.regions["522600"].short == "黔东南州"
    assert "黔东南" in lex.region_forms(lex.regions["522600"])


def test_load_lexicon_reads_a_given_data_dir(tmp_path: Path) -> None:
    for name in ("regions.csv", "agencies.toml", "jurisdiction.toml"):
        shutil.copy(DATA / name, tmp_path / name)
    with (tmp_path / "agencies.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[[unit]]\nname = "养老服务指导中心"\nforms = ["养老服务指导中心"]\nsuffix = "none"\n')
        handle.write('kind = "department"\n')
    custom = load_lexicon(tmp_path)
    agency = Resolver(custom).resolve("县养老服务指导中心", custom.jurisdiction("330521"))
    assert agency.name == "德清县养老服务指导中心" and agency.resolved


# --- find_jurisdiction ------------------------------------------------------------------------------------------


def test_jurisdiction_from_provincial_title(lex: Lexicon) -> None:
    assert find_jurisdiction(fixture_text("resolve_sichuan_provincial.txt"), lex) == place(lex, "510000")


def test_jurisdiction_of_autonomous_region_and_prefecture_short_names(lex: Lexicon) -> None:
    assert find_jurisdiction(fixture_text("resolve_guangxi_region.txt"), lex) == place(lex, "450000")
    found = find_jurisdiction(fixture_text("resolve_qiandongnan_prefecture.txt"), lex)
    assert found is not None and (found.code, found.level) == ("522600", "municipal")


def test_jurisdiction_of_county_document(lex: Lexicon) -> None:
    found = find_jurisdiction(fixture_text("resolve_deqing_county.txt"), lex)
    assert found is not None and (found.code, found.level) == ("330521", "county")


def test_jurisdiction_level_word_picks_city_named_later_inside_province(lex: Lexicon) -> None:
    # 浙江省 comes first, but 结合我市实际 asks for a city of 浙江 named later in the text.
    found = find_jurisdiction(fixture_text("resolve_city_opening.txt"), lex)
    assert found == place(lex, "330100")


def test_jurisdiction_national_from_issuers(lex: Lexicon) -> None:
    assert find_jurisdiction(fixture_text("resolve_national_joint.txt"), lex) == lex.country
    text = "新华社北京5月21日电 中共中央办公厅、国务院办公厅印发了《关于推进基本养老服务体系建设的意见》"
    assert find_jurisdiction(text, lex) == lex.country


def test_jurisdiction_not_national_when_a_province_cites_the_centre(lex: Lexicon) -> None:
    text = "关于推进养老服务的实施意见\n为贯彻落实中共中央办公厅、国务院办公厅印发的《意见》精神，结合我省实际，河南省…"
    assert find_jurisdiction(text, lex) == place(lex, "410000")


def test_jurisdiction_chain_of_places_is_most_specific(lex: Lexicon) -> None:
    assert find_jurisdiction("北京市朝阳区人民政府关于印发养老助餐实施方案的通知", lex) == place(lex, "110105")
    assert find_jurisdiction("江西省景德镇市民政局关于…", lex) == place(lex, "360200")


def test_jurisdiction_from_document_number_when_no_place_is_named(lex: Lexicon) -> None:
    assert find_jurisdiction("关于加强养老服务的通知\n黔府办发〔2023〕21号\n各有关单位：", lex) == place(lex, "520000")
    assert find_jurisdiction("关于加强养老服务的通知", lex) is None


def test_jurisdiction_of_short_fragments_such_as_issuer_names(lex: Lexicon) -> None:
    """Metadata asks about issuers, titles and clauses one at a time."""
    assert find_jurisdiction("中共中央办公厅", lex) == lex.country
    assert find_jurisdiction("中华人民共和国", lex) == lex.country
    assert find_jurisdiction("中办国办印发《关于推进基本养老服务体系建设意见》", lex) == lex.country
    assert find_jurisdiction("贵州省人民政府办公厅", lex) == place(lex, "520000")
    # a national organ followed by a place is that place's office, not the centre
    assert find_jurisdiction("人民银行贵州省分行关于做好养老金融服务的通知", lex) == place(lex, "520000")
    # the country's name inside a cited title is no signal
    assert find_jurisdiction("为贯彻《中华人民共和国老年人权益保障法》", lex) is None
    assert find_jurisdiction("结合我市实际", lex) is None


# --- AgencyRecognizer -------------------------------------------------------------------------------------------


def test_find_agents_and_partners_in_running_text(rec: AgencyRecognizer) -> None:
    assert mentions(rec, "民政部要会同国家发展改革委等部门,建立健全评价机制") == ["民政部", "国家发展改革委"]
    assert mentions(rec, "由市民政局会同相关部门适时提出修订意见") == ["市民政局", "相关部门"]
    assert mentions(rec, "公安机关要妥善做好走失老年人寻人工作") == ["公安机关"]


def test_find_unit_lists_with_abbreviations_regulators_and_collectives(rec: AgencyRecognizer) -> None:
    text = "(责任单位:省医保局、省民政厅、金融监管总局四川监管局、团省委,各市(州)、县(市、区、特区)人民政府)"
    assert mentions(rec, text) == [
        "省医保局",
        "省民政厅",
        "金融监管总局四川监管局",
        "团省委",
        "各市(州)、县(市、区、特区)人民政府",
    ]
    assert mentions(rec, "市市场监管局、市委组织部、州中级人民法院") == ["市市场监管局", "市委组织部", "州中级人民法院"]


def test_find_prefers_the_longest_name(rec: AgencyRecognizer) -> None:
    assert mentions(rec, "各级民政部门和省政府各部门") == ["各级民政部门", "省政府各部门"]
    assert mentions(rec, "湖州市生态环境局德清分局") == ["湖州市生态环境局德清分局"]


def test_find_spans_index_the_given_text(rec: AgencyRecognizer) -> None:
    text = "（责任单位：省民政厅、省统计局）"  # full-width brackets and colon: offsets must still fit
    assert mentions(rec, text) == ["省民政厅", "省统计局"]


def test_is_agency_splits_lists_and_merges_bracketed_places(rec: AgencyRecognizer) -> None:
    assert rec.is_agency("省民政厅")
    assert rec.is_agency("省人力资源社会保障厅")
    assert rec.is_agency("有关部门")
    assert not rec.is_agency("各市(州)")  # a fragment that only makes sense merged with the next one
    assert rec.is_agency("各市(州)、县(市、区、特区)人民政府")
    assert not rec.is_agency("省民政厅会同有关部门")
    assert not rec.is_agency("加强组织领导")


def test_bracketed_place_lists_are_collectives_without_each(rec: AgencyRecognizer) -> None:
    assert rec.is_agency("县(市、区、特区)人民政府")
    assert rec.is_agency("市(州)民政部门")


def test_level_word_inside_an_ordinary_word_is_no_place(rec: AgencyRecognizer) -> None:
    assert mentions(rec, "社区党委要发挥作用,城市公安局负责") == ["公安局"]
    assert mentions(rec, "推动社区居委会参与") == []


# --- Resolver ---------------------------------------------------------------------------------------------------


def test_provincial_abbreviations_get_full_names(lex: Lexicon) -> None:
    resolver, sc = Resolver(lex), place(lex, "510000")
    expected = {
        "省卫健委": "四川省卫生健康委员会",
        "省人社厅": "四川省人力资源和社会保障厅",
        "省住房城乡建设厅": "四川省住房和城乡建设厅",
        "省发展改革委": "四川省发展和改革委员会",
        "省国资委": "四川省人民政府国有资产监督管理委员会",
        "省退役军人厅": "四川省退役军人事务厅",
        "省市场监管局": "四川省市场监督管理局",
        "省政府": "四川省人民政府",
        "省委组织部": "中共四川省委组织部",
        "团省委": "共青团四川省委员会",
    }
    for written, name in expected.items():
        agency = resolver.resolve(written, sc)
        assert (agency.name, agency.jurisdiction.code, agency.resolved) == (name, "510000", True), written
        assert agency.key == f"510000/{name}"


def test_municipal_abbreviations_get_full_names(lex: Lexicon) -> None:
    resolver, city = Resolver(lex), place(lex, "360200")
    expected = {
        "市卫健委": ("景德镇市卫生健康委员会", "department"),
        "市教体局": ("景德镇市教育体育局", "department"),
        "市自然资源规划局": ("景德镇市自然资源和规划局", "department"),
        "市政数局": ("景德镇市政务服务数据管理局", "department"),
        "市文旅局": ("景德镇市文化广电旅游局", "department"),
        "市交通局": ("景德镇市交通运输局", "department"),
        "市工信局": ("景德镇市工业和信息化局", "department"),
        "市中级法院": ("景德镇市中级人民法院", "court"),
        "市委老干部局": ("中共景德镇市委老干部局", "party"),
        "市文明办": ("景德镇市精神文明建设办公室", "party"),
        "市残联": ("景德镇市残疾人联合会", "mass-organisation"),
        "市消防救援支队": ("景德镇市消防救援支队", "department"),
    }
    for written, (name, kind) in expected.items():
        agency = resolver.resolve(written, city)
        assert (agency.name, agency.kind) == (name, kind), written


def test_party_and_government_offices_with_the_same_abbreviation_differ(lex: Lexicon) -> None:
    resolver, city = Resolver(lex), place(lex, "360200")
    party = resolver.resolve("市委金融办", city)
    government = resolver.resolve("市金融办", city)
    assert party.name == "中共景德镇市委金融委员会办公室" and party.kind == "party"
    assert government.name == "景德镇市人民政府金融工作办公室" and government.kind == "department"


def test_autonomous_prefecture_and_region_names(lex: Lexicon) -> None:
    resolver = Resolver(lex)
    qdn, gx = place(lex, "522600"), place(lex, "450000")
    assert resolver.resolve("州民政局", qdn).name == "黔东南苗族侗族自治州民政局"
    assert resolver.resolve("州委组织部", qdn).name == "中共黔东南州委组织部"
    assert resolver.resolve("自治区民政厅", gx).name == "广西壮族自治区民政厅"


def test_level_markers_are_relative_to_the_document(lex: Lexicon) -> None:
    resolver, county = Resolver(lex), place(lex, "330521")
    assert resolver.resolve("县民政局", county).key == "330521/德清县民政局"
    assert resolver.resolve("市民政局", county).key == "330500/湖州市民政局"  # the county's city
    assert resolver.resolve("省民政厅", county).key == "330000/浙江省民政厅"
    # a 厅 written without a place in a city document is the province's
    assert resolver.resolve("民政厅", place(lex, "360200")).key == "360000/江西省民政厅"


def test_named_place_wins_over_document_place(lex: Lexicon) -> None:
    agency = Resolver(lex).resolve("广东省民政厅", place(lex, "420000"))
    assert agency.key == "440000/广东省民政厅"


def test_branch_office_belongs_to_the_lower_place(lex: Lexicon) -> None:
    agency = Resolver(lex).resolve("湖州市生态环境局德清分局", place(lex, "330521"))
    assert agency.key == "330521/湖州市生态环境局德清分局" and agency.kind == "department"


def test_national_organs_in_any_document(lex: Lexicon) -> None:
    resolver = Resolver(lex)
    for doc in (place(lex, "360200"), place(lex, "520000"), lex.country, None):
        agency = resolver.resolve("民政部", doc)
        assert agency.key == "100000/中华人民共和国民政部" and agency.jurisdiction == lex.country
    assert resolver.resolve("国家发改委", None).name == "国家发展和改革委员会"
    assert resolver.resolve("国家医保局", None).name == "国家医疗保障局"
    assert resolver.resolve("中国残联", None).kind == "mass-organisation"
    assert resolver.resolve("全国老龄办", None).name == "全国老龄工作委员会办公室"


def test_regulator_offices_take_the_place_they_name(lex: Lexicon) -> None:
    resolver = Resolver(lex)
    gz = resolver.resolve("金融监管总局贵州监管局", place(lex, "520000"))
    assert (gz.name, gz.jurisdiction.code, gz.kind) == ("国家金融监督管理总局贵州监管局", "520000", "regulator")
    # the same pattern for another province, even in a document of a third place
    sc = resolver.resolve("金融监管总局四川监管局", place(lex, "360200"))
    assert (sc.name, sc.jurisdiction.code) == ("国家金融监督管理总局四川监管局", "510000")
    gx = resolver.resolve("广西金融监管局", place(lex, "450000"))
    assert gx.name == "国家金融监督管理总局广西监管局"
    pboc = resolver.resolve("人民银行四川省分行", place(lex, "510000"))
    assert (pboc.name, pboc.kind) == ("中国人民银行四川省分行", "regulator")


def test_collective_agents_stay_collective_in_document_jurisdiction(lex: Lexicon) -> None:
    resolver, gz = Resolver(lex), place(lex, "520000")
    merged = resolver.resolve("各市〔州〕、县〔市、区、特区〕人民政府", gz)
    assert (merged.kind, merged.name, merged.jurisdiction.code) == (
        "collective",
        "各市（州）、县（市、区、特区）人民政府",
        "520000",
    )
    # the same collective written with other brackets is the same entity
    assert resolver.resolve("各市(州)、县(市、区、特区)人民政府", gz) is merged
    for written in ("有关部门", "省直有关部门", "各地区各有关部门", "民政部门", "县级以上民政部门", "各级政府"):
        agency = resolver.resolve(written, gz)
        assert agency.kind == "collective" and agency.resolved, written
    # a local unit named in a national document stands for all of them
    assert resolver.resolve("民政厅", lex.country).kind == "collective"


def test_coordination_bodies_are_one_body_of_their_place(lex: Lexicon, rec: AgencyRecognizer) -> None:
    text = "抓好落实。省养老服务工作联席会议要发挥统筹协调作用。各市成立领导小组。"
    assert mentions(rec, text) == ["省养老服务工作联席会议"]
    resolver = Resolver(lex)
    body = resolver.resolve("省养老服务工作联席会议", place(lex, "510000"))
    assert (body.key, body.resolved) == ("510000/四川省养老服务工作联席会议", True)
    national = resolver.resolve("养老服务部际联席会议", place(lex, "510000"))
    assert national.jurisdiction == lex.country


def test_unrecognised_forms_are_kept_and_flagged(lex: Lexicon) -> None:
    resolver, county = Resolver(lex), place(lex, "330521")
    # shaped like a unit (place + name + 中心) but in no data file: place expanded, flagged
    shaped = resolver.resolve("县养老服务指导中心", county)
    assert (shaped.kind, shaped.resolved, shaped.name) == ("unknown", False, "德清县养老服务指导中心")
    assert shaped.jurisdiction.code == "330521"
    # not even shaped like one: kept as written
    odd = resolver.resolve("张三同志", county)
    assert (odd.kind, odd.resolved, odd.key) == ("unknown", False, "330521/张三同志")
    assert {shaped.key, odd.key} <= {a.key for a in resolver.agencies()}


def test_unit_shaped_fragments_count_as_agencies_in_lists(rec: AgencyRecognizer) -> None:
    assert rec.is_agency("省大数据中心")
    assert rec.is_agency("省经济和信息化厅")
    assert not rec.is_agency("县级供养服务中心")
    assert mentions(rec, "建设省大数据中心") == []  # running text only finds names the data knows


def test_relative_forms_without_document_jurisdiction_are_unresolved(lex: Lexicon) -> None:
    agency = Resolver(lex).resolve("省民政厅", None)
    assert not agency.resolved and agency.jurisdiction == UNKNOWN_JURISDICTION
    named = Resolver(lex).resolve("贵州省民政厅", None)
    assert named.resolved and named.key == "520000/贵州省民政厅"


def test_traditional_characters_match_on_the_key_form(lex: Lexicon) -> None:
    resolver, gz = Resolver(lex), place(lex, "520000")
    agency = resolver.resolve("省衛生健康委", gz, key="省卫生健康委")
    assert agency.key == "520000/贵州省卫生健康委员会"
    assert "省衛生健康委" in agency.aliases  # the written form is kept as an alias
    # without a key the written form is converted here
    assert resolver.resolve("省民政廳", gz).key == "520000/贵州省民政厅"


def test_traditional_fixture_end_to_end(lex: Lexicon, rec: AgencyRecognizer) -> None:
    text = fixture_text("resolve_traditional.txt")
    key = to_key(text, simplify=True)
    assert len(key) == len(text)
    doc = find_jurisdiction(key, lex)
    assert doc == place(lex, "520000")
    resolver = Resolver(lex)
    names = [resolver.resolve(text[a:b], doc, key=key[a:b]).name for a, b in rec.find(key)]
    assert names == ["贵州省人民政府办公厅", "贵州省卫生健康委员会", "贵州省民政厅", "各有关部门"]


def test_one_entity_per_agency_across_written_forms(lex: Lexicon) -> None:
    resolver, gz = Resolver(lex), place(lex, "520000")
    forms = ["省卫生健康委", "省卫健委", "贵州省卫生健康委员会", "贵州卫生健康委", "省衛生健康委"]
    agencies = {id(resolver.resolve(f, gz)) for f in forms}
    assert len(agencies) == 1
    (agency,) = resolver.agencies()
    assert agency.aliases == set(forms)


def test_same_written_form_in_two_jurisdictions_is_two_agencies(lex: Lexicon) -> None:
    resolver = Resolver(lex)
    gz = resolver.resolve("省民政厅", place(lex, "520000"))
    sc = resolver.resolve("省民政厅", place(lex, "510000"))
    assert gz is not sc and {gz.key, sc.key} == {"520000/贵州省民政厅", "510000/四川省民政厅"}


def test_agencies_are_sorted_by_key(lex: Lexicon) -> None:
    resolver = Resolver(lex)
    for written in ("省民政厅", "民政部", "有关部门", "省财政厅"):
        resolver.resolve(written, place(lex, "520000"))
    keys = [a.key for a in resolver.agencies()]
    assert keys == sorted(keys) and len(keys) == 4


def test_every_mention_in_fixtures_resolves(lex: Lexicon, rec: AgencyRecognizer) -> None:
    """Everything the recogniser finds in the fixture documents is resolved by the same knowledge."""
    for path in sorted(FIXTURES.glob("resolve_*.txt")):
        text = path.read_text(encoding="utf-8")
        key = to_key(text, simplify=True)
        doc = find_jurisdiction(key, lex)
        resolver = Resolver(lex)
        for a, b in rec.find(key):
            agency = resolver.resolve(text[a:b], doc, key=key[a:b])
            assert agency.resolved, (path.name, text[a:b])
