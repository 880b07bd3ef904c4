"""Competency questions: the named queries `queries/cq_*.rq` answer what coordinators and researchers ask, and
each answer below was read off the bundled corpus (001 贵州 provincial plan, 003 景德镇 municipal draft, 004 national
opinion, 000/002 newspaper pages)."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import CORPUS

from policykg.graph.store import EmbeddedStore, write_store
from policykg.query import load_queries, run_named

GOVERNMENTS = "各市（州）、县（市、区、特区）人民政府"
BASE = "https://w3id.org/policykg/id/"
GUIZHOU_PLAN = f"{BASE}doc/520000/黔府办发〔2023〕21号"
NATIONAL_TITLE = "关于推进基本养老服务体系建设意见"
GUIZHOU_TITLE = "贵州省推进基本养老服务体系建设实施方案"
JDZ_TITLE = "关于推进基本养老服务体系建设的实施意见"
GUIZHOU_DRAFT_NEWS = "《贵州省推进基本养老服务体系建设的实施方案（征求意见稿）》公开征求意见"

# one sample binding per parameterised question, used to check every header against its result
SAMPLE_PARAMS: dict[str, dict[str, str | int]] = {
    "cq_targets_due_by": {"year": 2025},
    "cq_shared_departments": {"first": "贵州省", "second": "景德镇市"},
    "cq_lineage": {"title": ""},
    "cq_targets_by_indicator": {"indicator": "探访率"},
    "cq_duties_by_agency": {"agency": "民政部"},
    "cq_task_evidence": {"task": f"{GUIZHOU_PLAN}/part/2.2.6"},
    "cq_department_across_levels": {"department": "民政"},
}


def ask(store, name: str, **params: str | int) -> list[dict[str, str | None]]:
    return run_named(store, load_queries()[name], params).records()


def corpus_text(prefix: str) -> str:
    return next(CORPUS.glob(f"{prefix}_*.txt")).read_text("utf-8")


def of_file(rows: list[dict[str, str | None]], prefix: str, column: str = "source_file") -> list[dict[str, str | None]]:
    return [r for r in rows if (r[column] or "").startswith(f"{prefix}_")]


# --- the questions are well formed ---------------------------------------------------------------------------------


def test_there_are_at_least_15_competency_questions_in_english_and_chinese() -> None:
    questions = {name: q for name, q in load_queries().items() if name.startswith("cq_")}
    assert len(questions) >= 15
    for name, q in questions.items():
        assert q.question.endswith("?") and q.question_zh.endswith("？"), name
        assert re.search(r"[\u4e00-\u9fff]", q.question_zh), name
        assert q.columns, name
        assert set(q.params) == set(SAMPLE_PARAMS.get(name, {})), name


def test_every_competency_query_returns_exactly_the_columns_its_header_lists(store) -> None:
    for name, q in load_queries().items():
        if name.startswith("cq_"):
            assert run_named(store, q, SAMPLE_PARAMS.get(name, {})).columns == q.columns, name


def test_numeric_parameters_given_as_text_on_the_command_line_answer_the_same(store) -> None:
    assert ask(store, "cq_targets_due_by", year="2025") == ask(store, "cq_targets_due_by", year=2025)


# --- who leads --------------------------------------------------------------------------------------------------


def test_the_civil_affairs_department_leads_most_tasks_of_the_provincial_and_municipal_plans(store) -> None:
    rows = ask(store, "cq_lead_counts")
    guizhou = [(r["agency"], int(r["lead_tasks"])) for r in of_file(rows, "001")]
    assert guizhou[0] == ("贵州省民政厅", 16)
    assert sorted(guizhou[1:]) == [("贵州省医疗保障局", 1), ("贵州省卫生健康委员会", 1), ("贵州省财政厅", 1)]
    assert {r["tasks_in_document"] for r in of_file(rows, "001")} == {"19"}
    # the corpus agrees: 16 of the 19 unit lists of 001 begin with 省民政厅, 14 of the 17 of 003 with 市民政局
    assert len(re.findall(r"\(责任单位：省民政厅", corpus_text("001"))) == 16
    assert len(re.findall(r"（责任单位：市民政局", corpus_text("003"))) == 14
    jingdezhen = [(r["agency"], int(r["lead_tasks"])) for r in of_file(rows, "003")]
    assert jingdezhen == [("景德镇市民政局", 14), ("景德镇市住房和城乡建设局", 2), ("景德镇市发展和改革委员会", 1)]
    assert [(r["agency"], r["lead_tasks"]) for r in of_file(rows, "004")] == [("中华人民共和国民政部", "1")]


def test_lead_units_are_guessed_from_list_order_except_where_the_text_says_so(store) -> None:
    rows = ask(store, "cq_lead_basis")
    guizhou = {r["basis"]: (int(r["leads"]), set(r["tasks"].split()), r["guessed"]) for r in of_file(rows, "001")}
    assert guizhou == {
        "list-order": (16, {str(n) for n in range(1, 20)} - {"2", "6", "17"}, "true"),
        "sole-unit": (2, {"2", "17"}, "false"),  # (责任单位：省民政厅) alone
        "explicit": (1, {"6"}, "false"),  # (责任单位：省民政厅会同有关部门)
    }
    assert [(r["basis"], r["leads"]) for r in of_file(rows, "003")] == [("list-order", "17")]
    assert [(r["basis"], r["tasks"]) for r in of_file(rows, "004")] == [("explicit", "一")]  # 由民政部会同相关部门


def test_the_municipal_governments_are_inherited_from_the_rule_stated_once_in_task_1(store) -> None:
    rows = ask(store, "cq_inherited_units")
    assert [(r["source_file"][:3], r["agency"], r["role"], r["tasks"], r["first_task"], r["last_task"])
            for r in rows] == [("001", GOVERNMENTS, "co", "18", "2", "19")]
    assert rows[0]["rule_quote"] == "以下任务责任单位均包含各市〔州〕、县〔市、区、特区〕人民政府，不再列出"
    assert rows[0]["rule_quote"] in corpus_text("001")


def test_only_news_reports_and_four_tasks_of_the_national_opinion_name_no_unit(store) -> None:
    rows = ask(store, "cq_tasks_without_units")
    policy = [(r["source_file"][:3], r["task_number"]) for r in rows if r["kind"] == "policy document"]
    assert policy == [("004", "二"), ("004", "三"), ("004", "四"), ("004", "五")]
    assert not of_file(rows, "001") and not of_file(rows, "003")
    by_title: dict[str, int] = {}
    for r in rows:
        by_title[r["document_title"]] = by_title.get(r["document_title"], 0) + 1
    assert by_title["广东省民政厅、贵州省民政厅深化粤黔民政领域东西部协作"] == 8
    assert by_title["湖北省出台推进基本养老服务体系建设实施方案"] == 5
    assert by_title[GUIZHOU_DRAFT_NEWS] == 4  # 一 names 省民政厅会同有关部门


def test_the_finance_bureau_is_the_most_frequent_named_co_operating_unit_of_jingdezhen(store) -> None:
    rows = ask(store, "cq_top_co_units")
    assert (rows[0]["agency"], rows[0]["co_tasks"], rows[0]["kind"]) == (GOVERNMENTS, "19", "collective")
    assert (rows[1]["agency"], rows[1]["co_tasks"], rows[1]["lead_tasks"]) == ("景德镇市财政局", "9", "0")
    counts = {r["agency"]: (int(r["co_tasks"]), int(r["lead_tasks"])) for r in rows}
    assert counts["景德镇市卫生健康委员会"] == (7, 0) and counts["景德镇市发展和改革委员会"] == (7, 1)
    guizhou = [r for r in rows if r["jurisdiction"] == "贵州省" and r["kind"] != "collective"]
    assert (guizhou[0]["agency"], guizhou[0]["co_tasks"]) == ("贵州省残疾人联合会", "5")  # tasks 4, 5, 7, 8, 18
    assert counts["贵州省民政厅"] == (3, 17)  # co on 7, 9, 19; leads 16 in 001 and 1 in the draft's report


def test_tasks_of_the_draft_report_and_the_final_plan_share_lead_and_co_operating_unit(store) -> None:
    rows = ask(store, "cq_shared_lead_co")
    assert [(r["lead"], r["co"], r["first_source"][:3], r["first_task_number"], r["second_source"][:3],
             r["second_task_number"]) for r in rows] == [
        ("贵州省民政厅", "有关部门", "000", "一", "001", "2"),
        ("贵州省民政厅", "有关部门", "000", "一", "001", "6"),
    ]


# --- comparing levels ----------------------------------------------------------------------------------------------


def test_thirteen_kinds_of_department_hold_tasks_in_both_the_guizhou_and_the_jingdezhen_plan(store) -> None:
    rows = ask(store, "cq_shared_departments", first="贵州省", second="景德镇市")
    found = {(r["department"], r["first_agency"], r["second_agency"]) for r in rows}
    assert found == {
        ("民政", "贵州省民政厅", "景德镇市民政局"),
        ("发展和改革委员会", "贵州省发展和改革委员会", "景德镇市发展和改革委员会"),
        ("财政", "贵州省财政厅", "景德镇市财政局"),
        ("卫生健康委员会", "贵州省卫生健康委员会", "景德镇市卫生健康委员会"),
        ("住房和城乡建设", "贵州省住房和城乡建设厅", "景德镇市住房和城乡建设局"),
        ("残疾人联合会", "贵州省残疾人联合会", "景德镇市残疾人联合会"),
        ("人力资源和社会保障", "贵州省人力资源和社会保障厅", "景德镇市人力资源和社会保障局"),
        ("自然资源", "贵州省自然资源厅", "景德镇市自然资源和规划局"),
        ("退役军人事务", "贵州省退役军人事务厅", "景德镇市退役军人事务局"),
        ("人民政府国有资产监督管理委员会", "贵州省人民政府国有资产监督管理委员会",
         "景德镇市人民政府国有资产监督管理委员会"),
        ("医疗保障", "贵州省医疗保障局", "景德镇市医疗保障局"),
        ("教育", "贵州省教育厅", "景德镇市教育体育局"),
        ("体育", "贵州省体育局", "景德镇市教育体育局"),
    }
    top = rows[0]
    assert (top["department"], top["first_tasks"], top["first_leads"], top["second_tasks"], top["second_leads"]) == (
        "民政", "19", "16", "17", "14")
    housing = next(r for r in rows if r["department"] == "住房和城乡建设")
    assert (housing["first_tasks"], housing["first_leads"], housing["second_tasks"], housing["second_leads"]) == (
        "3", "0", "6", "2")  # 省住房城乡建设厅 co on 11, 15, 18; 市住建局 leads 6 and 7
    assert not any("人民政府" in r["first_agency"] and r["department"] == "民政" for r in rows)


def test_civil_affairs_acts_at_national_provincial_and_municipal_level(store) -> None:
    rows = ask(store, "cq_department_across_levels", department="民政")
    found = [(r["level"], r["agency"], r["lead_tasks"], r["co_tasks"], r["duties"], r["issued_documents"])
             for r in rows]
    assert found == [
        ("national", "中华人民共和国民政部", "1", "0", "2", "0"),
        ("provincial", "山西省民政厅", "0", "0", "0", "1"),
        ("provincial", "广东省民政厅", "0", "0", "0", "1"),
        ("provincial", "贵州省民政厅", "17", "3", "2", "2"),
        ("municipal", "景德镇市民政局", "14", "3", "1", "0"),
    ]


def test_documents_by_level_with_their_issuers_and_task_counts(store) -> None:
    rows = ask(store, "cq_documents_by_level")
    assert rows[0]["level"] == "national" and rows[-1]["level"] == "municipal"
    by_title = {r["document_title"]: r for r in rows}
    national = by_title[NATIONAL_TITLE]
    assert (national["level"], national["jurisdiction"], national["tasks"], national["document_type"]) == (
        "national", "中华人民共和国", "5", "yijian")
    assert set(national["issued_by"].split("、")) == {"中共中央办公厅", "国务院办公厅"}
    guizhou = by_title[GUIZHOU_TITLE]
    assert (guizhou["document_number"], guizhou["date"], guizhou["issued_by"], guizhou["status"]) == (
        "黔府办发〔2023〕21号", "2023-11-27", "贵州省人民政府办公厅", "final")
    assert (guizhou["tasks"], guizhou["responsibilities"], guizhou["targets"]) == ("19", "70", "8")
    jingdezhen = by_title[JDZ_TITLE]
    assert (jingdezhen["level"], jingdezhen["jurisdiction"], jingdezhen["status"]) == ("municipal", "景德镇市", "draft")
    # task 8's 城市15分钟“养老服务圈” is a name, not a quantity: 8 targets
    assert (jingdezhen["tasks"], jingdezhen["responsibilities"], jingdezhen["targets"]) == ("17", "93", "8")
    # a plan known only from a news report takes the level of its jurisdiction
    hubei = by_title["关于推进基本养老服务体系建设的实施方案"]
    assert (hubei["level"], hubei["jurisdiction"], hubei["source_file"], hubei["tasks"]) == (
        "provincial", "湖北省", None, "0")


# --- document links ------------------------------------------------------------------------------------------------


def test_the_guizhou_plan_implements_the_national_opinion_and_jingdezhen_a_jiangxi_notice(store) -> None:
    rows = ask(store, "cq_lineage", title=GUIZHOU_TITLE)
    linked = [(r["level"], r["applies_to"], r["applies_level"], r["applies_jurisdiction"], r["direct"])
              for r in rows if r["in_graph"] == "true"]
    assert linked == [("provincial", NATIONAL_TITLE, "national", "中华人民共和国", "true")]
    everything = ask(store, "cq_lineage", title="")
    jingdezhen = {r["applies_to"] for r in of_file(everything, "003")}
    assert "中共江西省委办公厅、江西省人民政府办公厅印发〈关于推进基本养老服务体系建设的意见〉的通知" in jingdezhen
    assert {r["in_graph"] for r in of_file(everything, "003")} == {"false"}  # the Jiangxi notice is not in the corpus


def test_the_guizhou_draft_became_qianfubanfa_2023_21(store) -> None:
    rows = ask(store, "cq_drafts")
    guizhou = next(r for r in rows if r["draft_jurisdiction"] == "贵州省")
    assert (guizhou["draft_title"], guizhou["final_title"], guizhou["final_number"], guizhou["final_date"]) == (
        "贵州省推进基本养老服务体系建设的实施方案", GUIZHOU_TITLE, "黔府办发〔2023〕21号", "2023-11-27")
    assert guizhou["draft_source"] is None and guizhou["final_source"].startswith("001_")
    assert guizhou["reported_by"] == GUIZHOU_DRAFT_NEWS
    jingdezhen = next(r for r in rows if r["draft_jurisdiction"] == "景德镇市")
    assert jingdezhen["draft_source"].startswith("003_") and jingdezhen["final"] is None
    assert "（再次征求意见稿）" in corpus_text("003").splitlines()[1]


def test_news_reports_and_the_documents_they_report_on(store) -> None:
    rows = ask(store, "cq_news_reports")
    reported = {r["report_title"]: (r["source_file"][:3], r["reported_title"], r["reported_status"]) for r in rows}
    assert reported == {
        GUIZHOU_DRAFT_NEWS: ("000", "贵州省推进基本养老服务体系建设的实施方案", "draft"),
        "山西省民政厅等六部门联合发布意见进一步推进孤弃儿童回归家庭":
            ("000", "关于鼓励国内家庭收养病残孤弃儿童的实施意见（试行）", "final"),
        "江西省印发行动方案推进养老服务提质升级培育志愿服务组织和慈善公益力量":
            ("000", "江西省推进养老服务提质升级三年行动方案（2023-2025年）", "final"),
        "湖北省出台推进基本养老服务体系建设实施方案": ("002", "关于推进基本养老服务体系建设的实施方案", "final"),
        "广东省民政厅、贵州省民政厅深化粤黔民政领域东西部协作": ("002", "关于加强东西部协作工作的实施方案", "final"),
        "山东省民政厅党组专题研究巩固拓展脱贫攻坚成果同乡村振兴有效衔接工作": ("002", None, None),
        "江西省实施“百社解千难·点亮计划”引领社会组织积极参与乡村振兴": ("002", None, None),
    }
    shanxi = next(r for r in rows if r["report_title"].startswith("山西省"))
    # 山西省民政厅、省教育厅、省公安厅、省财政厅、省医疗保障局、省残疾人联合会等六部门
    assert set(shanxi["issued_by"].split("、")) == {
        "山西省民政厅", "山西省教育厅", "山西省公安厅", "山西省财政厅", "山西省医疗保障局", "山西省残疾人联合会"}
    yuegian = next(r for r in rows if r["report_title"].startswith("广东省"))
    assert set(yuegian["issued_by"].split("、")) == {"广东省民政厅", "贵州省民政厅"}


# --- targets and deadlines -----------------------------------------------------------------------------------------


def test_targets_due_by_2025_with_their_lead_units(store) -> None:
    rows = ask(store, "cq_targets_due_by", year=2025)
    assert len(rows) == 18 and {r["deadline_year"] for r in rows} == {"2025"}
    tasks = {(r["source_file"][:3], r["document_title"], r["task_number"]) for r in rows}
    assert len(tasks) == 14
    leads = {(r["source_file"][:3], r["task_number"], r["lead"]) for r in rows
             if r["source_file"][:3] in ("001", "003")}
    assert leads == {("001", "6", "贵州省民政厅"), ("001", "12", "贵州省民政厅"), ("001", "14", "贵州省民政厅"),
                     ("003", "7", "景德镇市住房和城乡建设局"), ("003", "8", "景德镇市民政局"),
                     ("003", "12", "景德镇市民政局"), ("003", "13", "景德镇市民政局"),
                     ("003", "15", "景德镇市民政局"), ("003", "16", "景德镇市民政局")}
    visit = next(r for r in rows if r["source_file"].startswith("001_") and r["task_number"] == "6")
    assert (visit["comparator"], visit["value"], visit["unit"], visit["deadline_text"]) == (
        "eq", "100", "%", "2025年前")
    renovation = next(r for r in rows if r["source_file"].startswith("003_") and r["task_number"] == "7")
    assert (renovation["value"], renovation["unit"], renovation["deadline_text"]) == ("2500", "户", "“十四五”期间")
    assert next(r for r in rows if r["source_file"].startswith("004_"))["lead"] is None  # (四) names no unit


def test_no_target_falls_due_by_2024(store) -> None:
    # 001 task 10 is due 2024年底前, but as a task: its target (人均用地不少于0.1平方米) has no deadline
    assert ask(store, "cq_targets_due_by", year=2024) == []


def test_the_county_care_institution_target_runs_from_the_national_opinion_down_to_jingdezhen(store) -> None:
    rows = ask(store, "cq_targets_by_indicator", indicator="特困人员")
    found = {(r["source_file"][:3], r["level"], r["jurisdiction"], r["task_number"], r["comparator"], r["value"],
              r["unit"], r["deadline_year"], r["lead"]) for r in rows}
    assert found == {
        ("004", "national", "中华人民共和国", "四", "ge", "1", "所", "2025", None),
        ("001", "provincial", "贵州省", "14", "ge", "1", "所", "2025", "贵州省民政厅"),
        ("000", "provincial", "贵州省", "四", "ge", "1", "所", "2025", None),
        ("003", "municipal", "景德镇市", "8", "ge", "1", "所", "2025", "景德镇市民政局"),
    }
    visits = ask(store, "cq_targets_by_indicator", indicator="探访率")
    assert {(r["jurisdiction"], r["value"], r["unit"], r["deadline_year"]) for r in visits} == {
        ("贵州省", "100", "%", "2025"), ("江西省", "100", "%", "2025")}
    beds = ask(store, "cq_targets_by_indicator", indicator="床位")
    assert [(r["task_number"], r["indicator"], r["value"], r["unit"]) for r in beds] == [
        ("12", "家庭养老床位", "300", "张"), ("13", "护理型床位占比", "60", "%")]


def test_deadlines_fall_in_2025_except_one_task_due_by_the_end_of_2024(store) -> None:
    rows = ask(store, "cq_deadlines_by_year")
    assert [(r["year"], r["tasks"], r["targets"], r["documents"]) for r in rows] == [
        ("2024", "1", "0", "1"), ("2025", "16", "18", "5")]
    assert rows[0]["deadline_texts"] == "2024年底前"
    assert "市、县两级专项规划要在2024年底前完成编制" in corpus_text("001")


# --- duties, agencies, evidence -------------------------------------------------------------------------------------


def test_the_ministry_of_civil_affairs_has_two_duties_in_the_running_text(store) -> None:
    rows = [r for r in ask(store, "cq_duties_by_agency", agency="民政部") if r["agency"] == "中华人民共和国民政部"]
    assert [(r["source_file"][:3], r["duty"], r["partners"]) for r in rows] == [
        ("004", "适时提出修订意见，按程序报批后以部门名义印发实施", "相关部门"),
        ("004", "建立健全评价机制，把基本养老服务体系建设情况纳入积极应对人口老龄化综合绩效评估",
         "国家发展和改革委员会"),
    ]
    assert rows[1]["quote"] in corpus_text("004")
    provincial = ask(store, "cq_duties_by_agency", agency="省民政厅")
    assert {(r["source_file"][:3], r["partners"]) for r in provincial} == {("000", "有关部门"), ("001", "有关部门")}


def test_every_agency_name_is_recognised_and_vague_units_are_the_collectives(store) -> None:
    rows = ask(store, "cq_unresolved_agencies")
    assert {r["status"] for r in rows} == {"collective"}  # no name of the corpus is unrecognised or of unknown kind
    guizhou = {r["name"]: (r["uses"], r["documents"]) for r in rows if r["jurisdiction"] == "贵州省"}
    assert set(guizhou) == {GOVERNMENTS, "有关部门", "各地各有关部门", "省级各有关部门", "各级政府", "各级民政部门",
                            "市、县两级人民政府"}
    assert guizhou[GOVERNMENTS] == ("21", GUIZHOU_TITLE)  # 19 tasks of 001 and two duties in 三、保障措施
    # 会同有关部门: tasks 2 and 6 and a duty of 001, task 一 and a duty of the draft's report
    assert guizhou["有关部门"][0] == "5"
    governments = next(r for r in rows if r["name"] == GOVERNMENTS)
    assert "各市〔州〕、县〔市、区、特区〕人民政府" in governments["written_forms"].split(" | ")
    national = [r["name"] for r in rows if r["jurisdiction"] == "中华人民共和国"]
    assert len(national) == 8 and "中央各有关部门和单位" in national


def test_an_unresolved_agency_is_listed_with_its_written_forms_and_documents(tmp_path: Path) -> None:
    pkg = "https://w3id.org/policykg/ontology#"
    skos = "http://www.w3.org/2004/02/skos/core#"
    doc, task, agency = f"<{BASE}doc/x>", f"<{BASE}doc/x/part/1>", f"<{BASE}agency/a>"
    resp = f"<{BASE}doc/x/part/1/resp/a>"
    lines = [
        f'{doc} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{pkg}PolicyDocument> .',
        f'{doc} <http://purl.org/dc/terms/title> "某某方案" .',
        f"{doc} <{pkg}source> <{BASE}source/x> .",
        f"{task} <http://data.europa.eu/eli/ontology#is_part_of> {doc} .",
        f"{task} <{pkg}hasResponsibility> {resp} .",
        f"{resp} <{pkg}agent> {agency} .",
        f"{agency} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{pkg}Agency> .",
        f'{agency} <{skos}prefLabel> "某某中心"@zh .',
        f'{agency} <{skos}altLabel> "该中心"@zh .',
        f'{agency} <{pkg}resolved> "false"^^<http://www.w3.org/2001/XMLSchema#boolean> .',
    ]
    write_store(tmp_path / "store", ("\n".join(lines) + "\n").encode())
    small = EmbeddedStore(tmp_path / "store")
    try:
        rows = ask(small, "cq_unresolved_agencies")
    finally:
        small.close()
    assert [(r["name"], r["status"], r["written_forms"], r["documents"], r["uses"]) for r in rows] == [
        ("某某中心", "unresolved", "该中心", "某某方案", "1")]


def test_the_evidence_of_a_task_gives_file_offsets_and_quote_of_each_fact(built: Path, store) -> None:
    rows = ask(store, "cq_task_evidence", task=f"{GUIZHOU_PLAN}/part/2.2.6")
    assert [r["fact_type"] for r in rows] == ["task", "responsibility", "responsibility", "responsibility", "target"]
    task = rows[0]
    assert task["source_file"] == "001_7554c59a77879f53.txt"
    assert task["quote"].startswith("6.建立特殊困难老年人探访关爱机制。")
    assert task["quote"].endswith("(责任单位：省民政厅会同有关部门)")
    raw = corpus_text("001")
    normalized = (built / "text" / task["source_file"]).read_text("utf-8")
    for r in rows:
        assert normalized[int(r["start"]) : int(r["end"])] == r["quote"]
        assert raw[int(r["raw_start"]) : int(r["raw_end"])] == r["quote"]  # 001 needs no reflowing
    units = {r["fact"].rsplit("/", 1)[1]: r["quote"] for r in rows if r["fact_type"] == "responsibility"}
    assert units["贵州省民政厅"] == units["有关部门"] == "(责任单位：省民政厅会同有关部门)"
    assert units[GOVERNMENTS].startswith("以下任务责任单位均包含")  # inherited: the rule in task 1
    assert rows[-1]["quote"] == "2025年前实现特殊困难老年人月探访率达到100%"
