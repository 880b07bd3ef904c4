"""Cross-document answers from the graph: task_links, gaps and diff, on the corpus build and on a build of the
links fixtures (a national text, a province's plan and its full draft, two cities' plans)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from policykg.build import run_build
from policykg.cli import cli
from policykg.coordinate import CoordinateError
from policykg.crossdoc import diff, diff_html, diff_json, find_document, gaps
from policykg.graph.store import EmbeddedStore
from policykg.query import load_queries, run_named


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("links-build") / "out"
    report = run_build(FIXTURES / "links", out)
    assert not report.errors, report.errors
    return out


@pytest.fixture(scope="module")
def fixture_store(fixture_build: Path) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(fixture_build / "store")
    yield opened
    opened.close()


def test_task_links_query_names_both_tasks_with_a_score(store: EmbeddedStore) -> None:
    rows = run_named(store, load_queries()["task_links"]).records()
    row = next(r for r in rows if r["source_file"].startswith("001") and r["task_number"] == "6"
               and r["relation"] == "implements")
    assert row["other_source_file"].startswith("004") and row["other_task_number"] == "二"
    assert row["other_task_title"] == "建立精准服务主动响应机制" and 0 < float(row["score"]) <= 1


def test_national_items_lists_the_tasks_that_carry_each_out_with_their_lead(store: EmbeddedStore) -> None:
    rows = run_named(store, load_queries()["national_items"], {"title": "关于推进基本养老服务体系建设意见"}).records()
    item_two = [r for r in rows if r["item_number"] == "二"]
    assert {"探访关爱" in r["task_title"] and r["lead"] == "贵州省民政厅" for r in item_two} >= {True}
    assert len({r["source_file"] for r in item_two}) >= 2  # the province and the city both carry it out


def test_gaps_command_answers_in_chinese_with_quotes(built: Path) -> None:
    result = CliRunner().invoke(cli, ["gaps", "黔府办发〔2023〕21号", "--out", str(built), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and set(rows[0]) == {"文件", "上级条目", "未承接举措", "最接近的本文件表述", "相似度", "来源文件"}
    assert all(r["来源文件"].startswith("001") and r["上级条目"].startswith("（") for r in rows)
    assert any("跨部门数据共享" in r["未承接举措"] for r in rows)


def test_gaps_of_an_unknown_document_says_what_to_type(built: Path) -> None:
    result = CliRunner().invoke(cli, ["gaps", "没有这个文件", "--out", str(built)])
    assert result.exit_code == 1 and "文号" in result.output


def test_report_draft_diff_shows_moves_and_rewrites_and_claims_no_addition(store: EmbeddedStore) -> None:
    result, _, _ = diff(store, "公开征求意见", "黔府办发〔2023〕21号")
    by_final = {c.final.path: c for c in result.changes if c.final is not None}
    assert by_final["2.3"].kind == "renamed"  # 政策保障机制 → 政策支撑体系
    assert by_final["2.3.10"].kind == "moved" and by_final["2.4.15"].kind == "moved"
    assert by_final["2.4.14"].kind == "renamed"
    assert any(d.draft.startswith("整合资源扩大") and "拓展" in d.final for d in by_final["2.4.14"].details)
    assert result.draft_is_report and result.count("added") == 0 and result.count("not-in-report") > 0


def test_full_draft_diff_finds_added_dropped_and_changed_units_targets_wording(fixture_store: EmbeddedStore) -> None:
    result, _, _ = diff(fixture_store, "征求意见稿", "云政办发〔2031〕12号")
    kinds = {(c.kind, c.draft.title if c.draft else "", c.final.title if c.final else "") for c in result.changes}
    assert ("dropped", "建立助餐信息平台", "") in kinds
    assert ("added", "", "培训助餐服务人员") in kinds
    details = {c.final.title: c.details for c in result.changes if c.final is not None and c.draft is not None}
    assert any(d.what == "wording" and "支持" in d.draft and "鼓励" in d.final for d in details["发展助老餐桌"])
    assert any(d.what == "units" and "城乡建设厅" in d.final for d in details["建设老年食堂"])
    assert any(d.what == "targets" and "1次" in d.draft and "2次" in d.final for d in details["开展食品安全检查"])
    assert any(d.what == "wording" and "特困" in d.final for d in details["发放就餐补贴"])
    assert not result.draft_is_report


def test_diff_json_and_html_carry_the_same_changes(store: EmbeddedStore) -> None:
    result, draft, final = diff(store, "公开征求意见", "黔府办发〔2023〕21号")
    data = json.loads(diff_json(result, draft, final))
    assert [c["change"] for c in data["changes"]] == [c.kind for c in result.changes]
    page = diff_html(result, draft, final)
    assert page.count("<tr class=") == len(result.changes) and "<script" not in page
    assert "报道未提及" in page and "调整位置" in page  # labels from the diffchange code list


def test_diff_of_one_document_with_itself_is_refused(built: Path) -> None:
    result = CliRunner().invoke(cli, ["diff", "黔府办发〔2023〕21号", "黔府办发〔2023〕21号", "--out", str(built)])
    assert result.exit_code == 1 and "同一个文件" in result.output


def test_gaps_sheet_lists_every_document_gap(store: EmbeddedStore) -> None:
    everything = gaps(store, None)
    assert {r["来源文件"][:3] for r in everything.rows} >= {"001", "003"}


def test_a_draft_named_loosely_is_the_one_the_final_text_revises(store: EmbeddedStore) -> None:
    # two drafts in the corpus match 征求意见稿 (the Guizhou one in a report, Jingdezhen's own); the final revises one
    _, draft, _ = diff(store, "征求意见稿", "黔府办发〔2023〕21号")
    assert draft.source_file.startswith("000_")
    with pytest.raises(CoordinateError, match="对应多个文件"):
        find_document(store, "征求意见稿")
