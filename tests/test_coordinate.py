"""Coordinators' questions on the bundled corpus: who leads, what an agency owns, which targets fall due."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg import coordinate, forms
from policykg.cli import cli
from policykg.graph.lexicon import Lexicon, load_lexicon
from policykg.graph.store import EmbeddedStore
from policykg.query import QueryError, load_queries, run_named

HOSTILE = '"} . DROP ALL #'
GUIZHOU_PLAN = "《贵州省推进基本养老服务体系建设实施方案》（黔府办发〔2023〕21号）"  # place in the title, 文号
MY_QUERIES = ["agency_lookup", "agency_roles", "task_search", "task_units", "targets_due", "agency_targets",
              "documents", "task_details", "task_titles"]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def count_quads(store: EmbeddedStore) -> int:
    return int(store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0] or 0)


def of_001(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["来源文件"].startswith("001_")]


# -- forms of what the user typed -------------------------------------------------------------------------------


def test_abbreviations_expand_both_ways(lexicon: Lexicon) -> None:
    short = forms.agency_forms("卫健委", lexicon)
    assert {"卫健委", "卫生健康委", "卫生健康委员会"} <= set(short)
    assert "卫健委" in forms.agency_forms("卫生健康委员会", lexicon)
    assert "贵州省卫生健康委员会" in forms.agency_forms("贵州卫健委", lexicon)


def test_traditional_input_is_simplified(lexicon: Lexicon) -> None:
    assert forms.simplify("探訪關愛") == "探访关爱"
    assert "卫生健康委员会" in forms.agency_forms("衛生健康委員會", lexicon)
    assert {"县(市、区)", "县（市、区）"} <= set(forms.text_forms("縣（市、區）"))


def test_quote_excerpt_keeps_heading_and_asked_sentences() -> None:
    quote = "1.总标题。" + "无关的话。" * 40 + "这里讲探访关爱。" + "别的话。" * 20 + "(责任单位：省民政厅)"
    short = coordinate.quote_excerpt(quote, ["探访关爱"])
    assert short.startswith("1.总标题。…")
    assert "这里讲探访关爱。" in short and short.endswith("(责任单位：省民政厅)")
    assert len(short) < len(quote)


# -- the named queries ------------------------------------------------------------------------------------------


def test_my_queries_declare_their_columns(store: EmbeddedStore) -> None:
    queries = load_queries()
    samples = {"agency_lookup": {"name": "民政"}, "agency_roles": {"agency": "https://w3id.org/policykg/id/x"},
               "task_search": {"text": "养老"}, "task_units": {"task": ""}, "targets_due": {"due": 0},
               "agency_targets": {"due": 0, "agency": "https://w3id.org/policykg/id/x"}}
    for name in MY_QUERIES:
        query = queries[name]
        assert query.question and query.question_zh, name
        table = run_named(store, query, samples.get(name, {}))
        assert table.columns == query.columns, name


def test_empty_is_refused_where_the_header_gives_it_no_meaning(store: EmbeddedStore) -> None:
    queries = load_queries()
    with pytest.raises(QueryError, match="needs a value for --param task"):
        run_named(store, queries["who_leads"], {"task": ""})
    assert run_named(store, queries["task_units"], {"task": ""}).rows  # "empty for every task"


def test_agency_targets_are_the_targets_of_the_agency_tasks(store: EmbeddedStore) -> None:
    """agency_targets finds an agency's tasks by a pattern (fast); the same rows as every target filtered here."""
    queries = load_queries()
    every = run_named(store, queries["targets_due"], {"due": 0})
    units = run_named(store, queries["task_units"], {"task": ""}).records()
    agencies = sorted({u["agency"] for u in units if u["agency"]})
    tasks_of = {a: {u["task"] for u in units if u["agency"] == a} for a in agencies}
    assert every.rows and agencies
    checked = 0
    for agency in agencies:
        mine = run_named(store, queries["agency_targets"], {"due": 0, "agency": agency})
        expected = [row for row in every.rows if row[every.columns.index("task")] in tasks_of[agency]]
        assert mine.rows == expected, agency
        checked += bool(expected)
    assert checked >= 3


# -- who-leads --------------------------------------------------------------------------------------------------


def test_who_leads_names_the_lead_with_the_quote(store: EmbeddedStore) -> None:
    answer = coordinate.who_leads(store, "探访关爱")
    rows = of_001(answer.rows)
    assert [r["序号"] for r in rows] == ["6"]
    assert rows[0]["文件"] == GUIZHOU_PLAN
    assert rows[0]["牵头单位"] == "贵州省民政厅"
    assert "有关部门" in rows[0]["配合单位"].split(coordinate.UNIT_SEPARATOR)
    assert "月探访率" in rows[0]["原文"]
    jingdezhen = [r for r in answer.rows if r["来源文件"].startswith("003_")]
    assert [r["牵头单位"] for r in jingdezhen] == ["景德镇市民政局"]


def test_who_leads_accepts_traditional_characters(store: EmbeddedStore) -> None:
    assert coordinate.who_leads(store, "探訪關愛").rows == coordinate.who_leads(store, "探访关爱").rows


def test_who_leads_in_text_adds_tasks_mentioning_it(store: EmbeddedStore) -> None:
    titles = coordinate.who_leads(store, "探访关爱")
    assert titles.notes  # it says more tasks mention the words in their text
    everywhere = coordinate.who_leads(store, "探访关爱", in_text=True)
    assert len(everywhere.rows) > len(titles.rows)
    assert all("探访关爱" in r["原文"] or "探访关爱" in r["任务"] for r in everywhere.rows)


def test_who_leads_needs_every_word(store: EmbeddedStore) -> None:
    rows = coordinate.who_leads(store, "特殊困难  探访").rows
    assert rows and all("特殊困难" in r["任务"] and "探访" in r["任务"] for r in rows)


def test_who_leads_without_match_suggests_close_titles(store: EmbeddedStore) -> None:
    answer = coordinate.who_leads(store, "探访关怀")
    assert not answer.rows
    assert "建立特殊困难老年人探访关爱机制" in answer.suggestions


def test_who_leads_rejects_empty_text(store: EmbeddedStore) -> None:
    with pytest.raises(coordinate.CoordinateError):
        coordinate.who_leads(store, "   ")


# -- agency -----------------------------------------------------------------------------------------------------


def test_agency_lists_lead_and_co_tasks(store: EmbeddedStore) -> None:
    answer = coordinate.agency_tasks(store, "省卫生健康委")
    assert [a.name for a in answer.agencies] == ["贵州省卫生健康委员会"]
    assert answer.agencies[0].jurisdiction == "贵州省"
    roles = {(r["序号"], r["角色"]) for r in of_001(answer.rows)}
    assert roles == {("4", "配合"), ("5", "配合"), ("19", "牵头")}
    assert all("省卫生健康委" in r["原文"] for r in answer.rows)


def test_agency_abbreviation_finds_every_place(store: EmbeddedStore) -> None:
    names = {a.name for a in coordinate.agency_tasks(store, "卫健委").agencies}
    assert {"景德镇市卫生健康委员会", "贵州省卫生健康委员会"} <= names


def test_agency_partial_name_shows_the_place(store: EmbeddedStore, lexicon: Lexicon) -> None:
    matched = coordinate.find_agencies(store, "民政厅", lexicon)
    assert ("贵州省民政厅", "贵州省") in {(m.name, m.jurisdiction) for m in matched}
    assert all("民政厅" in m.name for m in matched)
    # 民政 is a word: it does not match inside 人民政府
    wider = {m.name for m in coordinate.find_agencies(store, "民政", lexicon)}
    assert {"贵州省民政厅", "景德镇市民政局"} <= wider
    assert not any("人民政府" in name for name in wider)


def test_agency_traditional_name(store: EmbeddedStore) -> None:
    names = {a.name for a in coordinate.agency_tasks(store, "省衛生健康委").agencies}
    assert names == {"贵州省卫生健康委员会"}


def test_agency_without_match_suggests_close_names(store: EmbeddedStore) -> None:
    answer = coordinate.agency_tasks(store, "统计厅")
    assert not answer.agencies and not answer.rows
    assert any(s.startswith("贵州省统计局") for s in answer.suggestions)


# -- targets ----------------------------------------------------------------------------------------------------


def test_targets_due_lists_values_and_leads(store: EmbeddedStore) -> None:
    rows = coordinate.targets(store, due=2025).rows
    task12 = {r["目标值"]: r for r in of_001(rows) if r["序号"] == "12"}
    assert set(task12) == {"≥60%", "100个"}
    assert all(r["牵头单位"] == "贵州省民政厅" for r in task12.values())
    assert "60%" in task12["≥60%"]["原文"]
    assert not any("55%" in r["原文"] for r in rows)  # no deadline, so not due by 2025


def test_targets_due_before_any_deadline_is_empty(store: EmbeddedStore) -> None:
    assert coordinate.targets(store, due=2020).rows == []


def test_targets_of_one_agency(store: EmbeddedStore) -> None:
    rows = coordinate.targets(store, due=2025, agency="省民政厅").rows
    assert {r["序号"] for r in rows} >= {"6", "12"}
    assert all(r["来源文件"].startswith("001_") for r in rows)


# -- hostile input ----------------------------------------------------------------------------------------------


def test_hostile_input_is_data(store: EmbeddedStore) -> None:
    before = count_quads(store)
    assert coordinate.who_leads(store, HOSTILE).rows == []
    assert coordinate.agency_tasks(store, HOSTILE).rows == []
    assert coordinate.targets(store, due=2025, agency=HOSTILE).rows == []
    assert count_quads(store) == before


def test_hostile_input_on_the_command_line(built: Path) -> None:
    runner = CliRunner()
    for args in (["who-leads", HOSTILE], ["agency", HOSTILE], ["targets", "--agency", HOSTILE]):
        result = runner.invoke(cli, [*args, "--out", str(built)])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
    store = EmbeddedStore(built / "store")
    try:
        assert count_quads(store) > 0
        assert coordinate.who_leads(store, "探访关爱").rows
    finally:
        store.close()


# -- the commands -----------------------------------------------------------------------------------------------


def test_who_leads_command_table_and_json(built: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(cli, ["who-leads", "探訪關愛", "--out", str(built)])
    assert table.exit_code == 0, table.output
    assert "牵头单位" in table.stdout and "贵州省民政" in table.stdout  # the table may wrap names
    data = json.loads(runner.invoke(cli, ["who-leads", "探访关爱", "--format", "json", "--out", str(built)]).stdout)
    assert any(r["牵头单位"] == "贵州省民政厅" and "月探访率" in r["原文"] for r in data)


def test_agency_command_csv(built: Path) -> None:
    result = CliRunner().invoke(cli, ["agency", "省卫生健康委", "--format", "csv", "--out", str(built)])
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0].split(",")
    assert header[:3] == ["单位", "地区", "文件"] and "原文" in header


def test_commands_explain_a_miss(built: Path) -> None:
    runner = CliRunner()
    miss = runner.invoke(cli, ["agency", "统计厅", "--out", str(built)])
    assert miss.exit_code == 1
    assert "贵州省统计局" in miss.stderr and "您是不是要找" in miss.stderr
    miss = runner.invoke(cli, ["who-leads", "探访关怀", "--out", str(built)])
    assert miss.exit_code == 1 and "探访关爱" in miss.stderr
    missing_store = runner.invoke(cli, ["who-leads", "探访关爱", "--out", str(built.parent / "nowhere")])
    assert missing_store.exit_code != 0 and "policykg build" in missing_store.stderr


def test_targets_command(built: Path) -> None:
    result = CliRunner().invoke(cli, ["targets", "--due", "2025", "--format", "csv", "--out", str(built)])
    assert result.exit_code == 0, result.output
    assert "乡镇标准化区域养老服务中心建有率不低于60%" in result.stdout


@pytest.mark.parametrize("command", [["who-leads"], ["agency"], ["targets"], ["export"], ["export", "fengong"]])
def test_every_command_has_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example: policykg " in result.stdout
