"""Targets and deadlines: the examples of the corpus, a made-up plan from another policy area, and a news report
whose numbers are achievements, not targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.graph.deadlines import extract_deadlines
from policykg.graph.model import Deadline, Span, Target
from policykg.graph.target_rules import unit_kind
from policykg.graph.targets import extract_targets

FIXTURES = Path(__file__).parent / "fixtures"
_FOLD = str.maketrans({"（": "(", "）": ")", "〔": "(", "〕": ")", "【": "(", "】": ")", "：": ":", "；": ";",
                       "，": ",", "！": "!", "？": "?"})


def _key(text: str) -> str:
    """A stand-in for normalize's match view: fold brackets and punctuation (the texts are simplified already)."""
    key = text.translate(_FOLD)
    assert len(key) == len(text)
    return key


def targets(text: str) -> list[Target]:
    return extract_targets(text, _key(text), Span(0, len(text)))


def deadlines(text: str) -> list[Deadline]:
    return extract_deadlines(text, _key(text), Span(0, len(text)))


def one(text: str) -> Target:
    found = targets(text)
    assert len(found) == 1, found
    return found[0]


# --- the examples of the brief ---------------------------------------------------------------------------------


def test_two_targets_in_one_sentence() -> None:
    text = "到2025年，乡镇标准化区域养老服务中心建有率不低于60%，建成100个设施配套完善、管理规范的农村互助养老示范点。"
    first, second = targets(text)
    assert (first.comparator, first.value, first.unit) == ("ge", 60.0, "%")
    assert first.indicator == "乡镇标准化区域养老服务中心建有率"
    assert first.deadline is not None and first.deadline.year == 2025 and first.deadline.text == "到2025年"
    assert (second.comparator, second.value, second.unit) == ("eq", 100.0, "个")
    assert second.indicator == "农村互助养老示范点"
    assert second.deadline is not None and second.deadline.year == 2025
    assert text[second.span.start : second.span.end] == "建成100个设施配套完善、管理规范的农村互助养老示范点"


def test_at_least_with_scope() -> None:
    t = one("到2025年底，全市护理型床位占比达到60%以上。")
    assert (t.comparator, t.value, t.unit, t.scope) == ("ge", 60.0, "%", "全市")
    assert t.indicator == "护理型床位占比"
    assert t.deadline is not None and t.deadline.year == 2025


def test_planning_period_deadline() -> None:
    text = "实施特殊困难老年人家庭适老化改造工程，“十四五”期间全市改造不少于2500户。"
    t = one(text)
    assert (t.comparator, t.value, t.unit, t.scope) == ("ge", 2500.0, "户", "全市")
    assert t.deadline is not None and t.deadline.text == "“十四五”期间"
    assert (t.deadline.start_year, t.deadline.end_year) == (2021, 2025)
    assert t.indicator == "特殊困难老年人家庭适老化改造"


def test_standard_without_deadline() -> None:
    t = one("严格按照人均用地不少于0.1平方米的标准，分区分级规划设置社区养老服务设施。")
    assert (t.comparator, t.value, t.unit, t.indicator) == ("ge", 0.1, "平方米", "人均用地")
    assert t.deadline is None


def test_share_of_funds() -> None:
    t = one("各级政府用于社会福利事业的彩票公益金中，支持发展养老服务的资金占比不低于55%。")
    assert (t.comparator, t.value, t.unit) == ("ge", 55.0, "%")
    assert t.indicator == "支持发展养老服务的资金占比"


def test_every_county_at_least_one() -> None:
    text = "确保到2025年，每个县（市、区、特区）至少有1所以失能特困人员专业照护为主的县级特困人员供养服务机构。"
    t = one(text)
    assert (t.comparator, t.value, t.unit) == ("ge", 1.0, "所")
    assert t.scope == "每个县（市、区、特区）"
    assert t.indicator.endswith("县级特困人员供养服务机构")
    assert t.deadline is not None and t.deadline.year == 2025


def test_reached_rate_is_eq() -> None:
    t = one("2025年前实现特殊困难老年人月探访率达到100%。")
    assert (t.comparator, t.value, t.unit) == ("eq", 100.0, "%")
    assert t.indicator.endswith("月探访率")
    assert t.deadline is not None and t.deadline.text == "2025年前" and t.deadline.year == 2025


def test_ocr_spacing() -> None:
    t = one("到 2025 年年底，月探访率达100%。")
    assert (t.comparator, t.value, t.unit, t.indicator) == ("eq", 100.0, "%", "月探访率")
    assert t.deadline is not None and t.deadline.text == "到 2025 年年底" and t.deadline.year == 2025


def test_ocr_space_before_count() -> None:
    t = one("着力培育养老服务龙头企业，到 2025年底，打造 30家以上规模化、品牌化、连锁化养老服务企业或机构。")
    assert (t.comparator, t.value, t.unit) == ("ge", 30.0, "家")
    assert t.indicator == "规模化、品牌化、连锁化养老服务企业或机构"
    assert t.deadline is not None and t.deadline.year == 2025


def test_multiplier_and_two_clauses() -> None:
    text = "到 2025年年底，为老服务志愿组织（队伍）达 8000支以上，志愿者达 60万人以上。"
    first, second = targets(text)
    assert (first.comparator, first.value, first.unit) == ("ge", 8000.0, "支")
    assert first.indicator == "为老服务志愿组织（队伍）"
    assert (second.comparator, second.value, second.unit, second.indicator) == ("ge", 600000.0, "人", "志愿者")
    assert first.deadline is not None and second.deadline is not None
    assert first.deadline.span == second.deadline.span


def test_disposal_construction() -> None:
    t = one("省本级和地方各级社会福利事业彩票公益金要将55%以上用于养老服务。")
    assert (t.comparator, t.value, t.unit) == ("ge", 55.0, "%")
    assert "用于养老服务" in t.indicator


def test_coverage_of_villages() -> None:
    t = one("农村互助养老服务设施覆盖85%以上行政村。")
    assert (t.comparator, t.value, t.unit) == ("ge", 85.0, "%")
    assert t.indicator == "农村互助养老服务设施覆盖行政村"


def test_ascii_period_ends_sentence() -> None:
    found = targets("到2025年底，全市养老院长和养老护理员培训上岗率达到100%.完善人才激励政策，落实补贴政策。")
    assert len(found) == 1
    t = found[0]
    assert (t.comparator, t.value, t.unit, t.scope) == ("eq", 100.0, "%", "全市")
    assert t.indicator == "养老院长和养老护理员培训上岗率"


def test_share_of_population() -> None:
    text = ("到2025年底，全市80%以上的乡镇（街道）敬老院等级评定达到一级或二级，"
            "80%以上的市、县（市、区）福利院达到二级或三级。")
    first, second = targets(text)
    assert (first.comparator, first.value, first.scope) == ("ge", 80.0, "全市")
    assert first.indicator.startswith("乡镇（街道）敬老院")
    assert second.scope == "全市"  # 全市 governs the whole sentence
    assert second.indicator.startswith("市、县（市、区）福利院")


def test_building_target_without_deadline() -> None:
    t = one("在全省打造100个居家上门服务示范点，带动形成居家上门服务供给生态。")
    assert (t.comparator, t.value, t.unit, t.scope, t.indicator) == ("eq", 100.0, "个", "全省", "居家上门服务示范点")


def test_noun_before_number() -> None:
    t = one("依托专业养老服务机构，到2025年底，为经济困难的失能、部分失能老年人建设家庭养老床位300张以上。")
    assert (t.comparator, t.value, t.unit, t.indicator) == ("ge", 300.0, "张", "家庭养老床位")


def test_per_basis_takes_the_noun_after() -> None:
    t = one("确保按照每百户不少于20平方米建筑面积配齐养老服务设施。")
    assert (t.comparator, t.value, t.unit, t.indicator) == ("ge", 20.0, "平方米", "每百户建筑面积")


def test_chinese_numeral_with_comparator() -> None:
    t = one("到2025年，每个县至少有一所以失能特困人员专业照护为主的县级特困人员供养服务机构。")
    assert (t.comparator, t.value, t.unit, t.scope) == ("ge", 1.0, "所", "每个县")


def test_spans_are_absolute() -> None:
    text = "前言。到2025年，全市护理型床位占比达到60%以上。"
    start = text.index("到")
    found = extract_targets(text, _key(text), Span(start, len(text)))
    assert len(found) == 1
    t = found[0]
    assert text[t.span.start : t.span.end] == "全市护理型床位占比达到60%以上"
    assert t.deadline is not None and text[t.deadline.span.start : t.deadline.span.end] == "到2025年"


# --- deadlines -------------------------------------------------------------------------------------------------


def test_deadline_without_target() -> None:
    text = "其中市、县两级专项规划要在2024年底前完成编制。"
    assert targets(text) == []
    (d,) = deadlines(text)
    assert (d.text, d.year, d.month) == ("2024年底前", 2024, None)
    assert text[d.span.start : d.span.end] == d.text


def test_month_only_deadline() -> None:
    (d,) = deadlines("各地要在6月底完成摸底排查。")
    assert (d.text, d.year, d.month) == ("6月底", None, 6)


def test_year_month_deadline() -> None:
    (d,) = deadlines("2022年10月底前，完成全部改造任务。")
    assert (d.text, d.year, d.month) == ("2022年10月底前", 2022, 10)


@pytest.mark.parametrize(
    "text",
    [
        "新华社北京5月21日电",
        "自 2023 年 7 月 1日起试行，有效期 3年。",
        "省政府办公厅2023年11月27日印发。",
        "截至2022年底，全省已建成养老机构1200家。",
        "按照山东民政事业高质量发展 2023年行动计划安排。",
        "附件：贵州省基本养老服务清单(2023年版)",
        "获得2020年度重庆电大系统专项科研项目立项。",
        "江西省推进养老服务提质升级三年行动方案（2023-2025年）",
        "“十四五”养老服务体系规划",
    ],
)
def test_dates_that_are_not_deadlines(text: str) -> None:
    assert deadlines(text) == []


def test_period_end() -> None:
    (d,) = deadlines("“十四五”末，全省每万名居民拥有全科医生数不少于3.5名。")
    assert (d.year, d.start_year, d.end_year) == (2025, None, None)


# --- numbers that are not targets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "《行动方案》明确了五个方面、17项具体内容。",
        "《方案》提出 5 项重点任务，共 17 条具体措施。",
        "近三年共引进5名优秀硕士研究生充实教师队伍。",
        "2022 年，江西省共计 3100多家社会组织助力乡村振兴，累计投入物资超过 10 亿元，受益群众 266 万人。",
        "在县委、县政府大力支持下，先后投入经费3000万元用于学校基础设施建设。",
        "目前已建设微学习资源20课时。",
        "对60岁以上老年人给予补贴。",
        "与垫江县物流园区等10个单位共建校外实训基地。",
        "省人民政府办公厅关于印发实施方案的通知（黔府办发〔2023〕21号）",
        "共包含 14 项物质帮助、7 项照护服务、4 项关爱服务等三大类 25 个服务项目。",
        "落实职业培训补贴、一次性入职奖补等政策。",
        "老城区和已建成居住区要结合城镇老旧小区改造补齐养老服务设施。",
    ],
)
def test_not_targets(text: str) -> None:
    assert targets(text) == []


# --- fixtures --------------------------------------------------------------------------------------------------


def _fixture(name: str) -> tuple[str, list[Span]]:
    text = (FIXTURES / name).read_text("utf-8")
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append(Span(pos, pos + len(line)))
        pos += len(line) + 1
    return text, spans


def test_fixture_plan_of_another_policy_area() -> None:
    text, spans = _fixture("targets_plan.txt")
    key = _key(text)
    got = [(t.indicator, t.comparator, t.value, t.unit, t.scope, t.deadline.text if t.deadline else "")
           for span in spans for t in extract_targets(text, key, span)]
    assert got == [
        ("县域内就诊率", "approx", 90.0, "%", "全省", "到2025年"),
        ("标准化卫生院", "ge", 1.0, "个", "每个乡镇（街道）", "到2025年"),
        ("村卫生室覆盖行政村", "ge", 95.0, "%", "全省", "到2025年"),  # 全省 governs the sentence
        ("二级以上医院平均住院日", "le", 8.0, "天", "", "到2027年"),
        ("每千人口拥有3岁以下婴幼儿托位数", "eq", 4.5, "个", "", "到2025年底"),
        ("普惠性托位", "ge", 20000.0, "个", "", "到2025年底"),
        ("每万名居民拥有全科医生数", "ge", 3.5, "名", "全省", "“十四五”末"),
        ("基层卫生人员", "ge", 5000.0, "人次", "", ""),
        ("公立医院医疗费用增长幅度", "le", 10.0, "%", "全市", ""),
        ("药品耗材采购成本降低", "approx", 15.0, "%", "全市", ""),
    ]
    dls = [(d.text, d.year, d.month) for span in spans for d in extract_deadlines(text, key, span)]
    assert ("2024年6月底前", 2024, 6) in dls
    assert ("2023年10月底前", 2023, 10) in dls
    assert ("9月底前", None, 9) in dls


def test_fixture_news_report_has_no_targets() -> None:
    text, spans = _fixture("targets_news.txt")
    key = _key(text)
    assert [t for span in spans for t in extract_targets(text, key, span)] == []
    assert [d for span in spans for d in extract_deadlines(text, key, span)] == []


def test_unit_kind_from_data() -> None:
    assert unit_kind("%") == "PERCENT"
    assert unit_kind("个") == "NUM"
    assert unit_kind("平方米") == "M2"
    assert unit_kind("光年") == ""


# --- general rules beyond the corpus ---------------------------------------------------------------------------


def test_leading_verb_and_raised_share() -> None:
    first, second = targets("到2025年，全省新增养老床位3万张，养老机构护理型床位占比提高到55%以上。")
    assert (first.comparator, first.value, first.unit, first.indicator, first.scope) == (
        "eq", 30000.0, "张", "养老床位", "全省")
    assert (second.comparator, second.value, second.indicator) == ("ge", 55.0, "养老机构护理型床位占比")


def test_elided_indicator_is_inherited() -> None:
    first, second = targets("到2025年，城市社区养老服务设施覆盖率达到90%，农村达到60%。")
    assert (first.value, second.value) == (90.0, 60.0)
    assert second.indicator == first.indicator
    assert second.scope == "农村"


def test_change_verbs_keep_the_verb() -> None:
    first, second = targets("“十四五”期间，全省地区生产总值年均增长6%左右，单位GDP能耗降低13.5%。")
    assert (first.comparator, first.value, first.indicator) == ("approx", 6.0, "地区生产总值年均增长")
    assert (second.comparator, second.value, second.indicator) == ("eq", 13.5, "单位GDP能耗降低")
    assert first.deadline is not None and first.deadline.end_year == 2025


def test_clause_ending_in_number_under_deadline() -> None:
    t = one("到2025年，全省养老床位总数30万张。")
    assert (t.comparator, t.value, t.unit, t.indicator) == ("eq", 300000.0, "张", "养老床位总数")


def test_thousands_separator() -> None:
    found = targets("到2025年，参保率稳定在95%，累计完成投资1,200亿元。")
    assert [(t.value, t.unit) for t in found] == [(95.0, "%"), (1.2e11, "元")]


def test_ratio_only_comparator() -> None:
    assert one("符合条件的家庭养老床位覆盖率为100%。").comparator == "eq"


def test_people_a_task_serves_are_counted() -> None:
    """"为N名…提供…" states how many the task reaches (the eval conventions count 为全区1050万户农户提供…)."""
    assert [(t.value, t.unit) for t in targets("每年为100名困难老人提供免费体检。")] == [(100.0, "名")]


def test_subsidy_standards_and_budgets_are_not_targets() -> None:
    assert targets("对招用高校毕业生的企业给予一次性扩岗补助，每人1500元。") == []
    assert targets("按1500元/人标准发放求职创业补贴。") == []


@pytest.mark.parametrize(
    "text",
    [
        "到2025年，在10个县开展试点。",
        "2023年，全省已建成养老机构500家以上，养老床位达到20万张。",
        "对65周岁及以上老年人免费接种。",
        "对新建养老机构给予每张床位1万元的一次性建设补贴。",
    ],
)
def test_more_non_targets(text: str) -> None:
    assert targets(text) == []


def test_more_deadlines() -> None:
    (d,) = deadlines("二〇二五年底前完成全部改造任务。")
    assert (d.text, d.year) == ("二〇二五年底前", 2025)
    (d,) = deadlines("各地要在2024年6月30日前报送名单。")
    assert (d.text, d.year, d.month) == ("2024年6月30日前", 2024, 6)
    (d,) = deadlines("力争在“十四五”末实现全覆盖。")
    assert (d.text, d.year) == ("“十四五”末", 2025)
    (d,) = deadlines("2024年上半年完成摸底。")
    assert (d.year, d.month) == (2024, 6)


def test_end_of_a_time_range_is_not_a_deadline() -> None:
    assert deadlines("征求意见时间从即日起至 2023年 6月22日 24时止。") == []
    (d,) = deadlines("试点期限至2025年底。")
    assert (d.text, d.year) == ("至2025年底", 2025)


def test_other_policy_areas() -> None:
    found = targets("到2025年，全省细颗粒物(PM2.5)平均浓度下降到30微克/立方米以下，森林覆盖率达到62%以上。")
    assert [(t.comparator, t.value, t.unit, t.indicator) for t in found] == [
        ("le", 30.0, "微克/立方米", "细颗粒物(PM2.5)平均浓度"), ("ge", 62.0, "%", "森林覆盖率")]
    found = targets("“十四五”期间，城镇新增就业50万人以上，高标准农田达到1000万亩。")
    assert [(t.comparator, t.value, t.unit, t.indicator) for t in found] == [
        ("ge", 500000.0, "人", "城镇新增就业"), ("eq", 1e7, "亩", "高标准农田")]
    t = one("养老服务从业人员总量超过500万人。")
    assert (t.comparator, t.value) == ("gt", 5e6)


# --- compound building verbs, count units, time bounds, verb gaps, yearly quantities, deadlines, names -----------


def test_compound_building_verb_heads_the_phrase() -> None:
    t = one("全县新改建乡村道路80公里，同步完善安保设施。")
    assert (t.comparator, t.value, t.unit, t.indicator, t.scope) == ("eq", 80.0, "公里", "乡村道路", "全县")
    t = one("改扩建公办幼儿园12所。")
    assert (t.value, t.unit, t.indicator) == (12.0, "所", "公办幼儿园")


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("每年举办文艺演出不少于20场次。", "场次"),
        ("入户走访困难家庭不少于300户次。", "户次"),
        ("开展企业安全检查1200家次以上。", "家次"),
        ("组织食品抽检不少于40批次。", "批次"),
        ("到2026年，发放惠民消费券100万人次。", "人次"),
    ],
)
def test_longest_count_unit(text: str, unit: str) -> None:
    assert one(text).unit == unit


def test_bare_nei_after_a_time_quantity_is_an_upper_bound() -> None:
    t = one("接到报警后，救援队伍在15分钟内到达现场。")
    assert (t.comparator, t.value, t.unit) == ("le", 15.0, "分钟")
    assert t.indicator == "救援队伍到达现场"
    t = one("群众投诉10个工作日内办结。")
    assert (t.comparator, t.value, t.unit) == ("le", 10.0, "个工作日")
    assert targets("在3个县内开展试点。") == []  # 内 after a place is not a bound


def test_verb_between_strong_comparator_and_number() -> None:
    t = one("每季度至少召开1次联席会议。")
    assert (t.comparator, t.value, t.unit, t.indicator) == ("ge", 1.0, "次", "联席会议")
    t = one("每所学校每学期不少于举行2次应急疏散演练。")
    assert (t.comparator, t.value, t.unit) == ("ge", 2.0, "次")


def test_yearly_quantity_with_weak_scope_before_the_verb() -> None:
    t = one("全年农村新增转移就业5万人。")
    assert (t.comparator, t.value, t.unit, t.indicator) == ("eq", 50000.0, "人", "转移就业")
    assert t.deadline is None


def test_deadline_opening_the_next_clause_governs_only_what_follows() -> None:
    first, second = targets("每年资助困难学生不少于500名，到2026年，学生资助覆盖率达到100%。")
    assert (first.value, first.deadline) == (500.0, None)
    assert second.deadline is not None and second.deadline.year == 2026
    t = one("新建停车泊位500个2024年底前完成。")  # a trailing deadline in the target's own clause still governs it
    assert t.deadline is not None and t.deadline.year == 2024


def test_measure_inside_a_quoted_name_is_not_a_target() -> None:
    assert targets("到2025年，建设城区10分钟“体育健身圈”。") == []
    assert targets("到2025年，打造“5分钟便民生活圈”。") == []
    t = one("到2025年，培育30个“一村一品”示范村。")  # a count of named things is a target
    assert (t.value, t.unit, t.indicator) == (30.0, "个", "“一村一品”示范村")
