"""The 任务分工表 export: one sheet per document, readable in Excel, written atomically; the same rows as CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS

from policykg import export
from policykg.build import run_build
from policykg.cli import cli
from policykg.graph.store import EmbeddedStore
from policykg.query import load_queries, run_named


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "out"
    report = run_build(CORPUS, out)
    assert not report.errors, report.errors
    return out


@pytest.fixture(scope="module")
def documents(built: Path) -> int:
    store = EmbeddedStore(built / "store")
    try:
        return len({r[0] for r in run_named(store, load_queries()["documents"]).rows})
    finally:
        store.close()


@pytest.fixture(scope="module")
def files(built: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tables")
    xlsx, table_csv = folder / "任务分工表.xlsx", folder / "任务分工表.csv"
    result = CliRunner().invoke(cli, ["export", "fengong", "--xlsx", str(xlsx), "--csv", str(table_csv),
                                      "--out", str(built)])
    assert result.exit_code == 0, result.output
    return xlsx, table_csv


def _plan_rows(ws) -> list[dict[str, object]]:
    """Task rows of a plan's sheet (below the title block and header, section rows left out)."""
    from policykg.workbook import PLAN_COLUMNS

    rows = [dict(zip(PLAN_COLUMNS, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)]
    return [r for r in rows if r["任务"] is not None]


def test_workbook_has_summary_plans_reports_and_gaps(files: tuple[Path, Path]) -> None:
    from openpyxl import load_workbook

    from policykg.workbook import PLAN_COLUMNS

    book = load_workbook(files[0])
    assert book.sheetnames == ["汇总", "黔府办发〔2023〕21号",
                               "景德镇市推进基本养老服务体系建设的实施意见（征求意见稿）",
                               "推进基本养老服务体系建设意见", "新闻报道", "未承接事项"]
    header = [c.value for c in book["未承接事项"][3]]
    assert header == ["文件", "上级条目", "未承接举措", "最接近的本文件表述", "相似度", "来源文件"]
    for name in book.sheetnames[1:4]:
        ws = book[name]
        assert [c.value for c in ws[3]] == PLAN_COLUMNS
        assert all(c.font.b for c in ws[3])
        assert ws.freeze_panes == "A4"
        assert "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
    assert all(len(n) <= 31 for n in book.sheetnames)


def test_plan_sheet_has_a_title_block_and_section_rows(files: tuple[Path, Path]) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(files[0])["黔府办发〔2023〕21号"]
    assert ws["A1"].value == "《贵州省推进基本养老服务体系建设实施方案》（黔府办发〔2023〕21号）"
    assert ws["A2"].value.startswith("文号：黔府办发〔2023〕21号") and "印发：贵州省人民政府办公厅" in ws["A2"].value
    assert "日期：2023-11-27" in ws["A2"].value
    cells = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
    sections = [c for c in cells if isinstance(c, str) and c.startswith(("二、", "(一)", "(二)"))]
    assert sections[:3] == ["二、重点任务", "(一)完善基本养老服务清单管理机制", "(二)完善精准服务主动响应机制"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A4:G4" in merged and "A5:G5" in merged


def test_news_reports_share_one_sheet_with_merged_document_cells(files: tuple[Path, Path]) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(files[0])["新闻报道"]
    merged = [r for r in ws.merged_cells.ranges if r.min_col == 2 and r.max_col == 2]
    assert merged and all(r.max_row > r.min_row for r in merged)
    assert not any(ws.cell(r, 3).value == export.NO_TASKS and ws.cell(r, 2).value is None
                   for r in range(4, ws.max_row + 1))


def test_summary_counts_each_agencys_tasks_and_targets_by_year(files: tuple[Path, Path]) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(files[0])["汇总"]
    header = [c.value for c in ws[3]]
    assert header[:3] == ["单位", "牵头任务", "配合任务"] and "2025年到期目标" in header
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["贵州省卫生健康委员会"]["牵头任务"] == "1" and rows["贵州省卫生健康委员会"]["配合任务"] == "2"


def test_workbook_holds_the_rows_of_001(files: tuple[Path, Path]) -> None:
    from openpyxl import load_workbook

    book = load_workbook(files[0])
    ws = book["黔府办发〔2023〕21号"]
    rows = _plan_rows(ws)
    assert [r["序号"] for r in rows] == list(range(1, 20))
    task6 = next(r for r in rows if "探访关爱" in r["任务"])
    assert task6["任务"] == "6.建立特殊困难老年人探访关爱机制"
    assert task6["牵头单位"] == "贵州省民政厅"
    assert "有关部门" in task6["配合单位"].split("\n")
    assert "月探访率" in task6["目标指标"] and task6["完成时限"] == "2025年前"
    assert "月探访率" in task6["原文出处"] and "001_7554c59a77879f53.txt" in task6["原文出处"]
    task12 = next(r for r in rows if r["任务"].startswith("12."))
    assert "60%" in task12["目标指标"] and "100个" in task12["目标指标"]
    assert ws.cell(6, 2).alignment.wrap_text
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert widths["A"] < widths["B"] < widths["G"]  # 序号 narrow, 原文出处 widest


def test_workbook_lists_units_in_document_order(files: tuple[Path, Path]) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(files[0])["景德镇市推进基本养老服务体系建设的实施意见（征求意见稿）"]
    task4 = next(r for r in _plan_rows(ws) if str(r["任务"]).startswith("4."))
    assert task4["牵头单位"] == "景德镇市民政局"
    assert task4["配合单位"].split("\n") == ["中共景德镇市委组织部", "景德镇市精神文明建设办公室",
                                          "景德镇市卫生健康委员会", "景德镇市红十字会", "景德镇市残疾人联合会"]


def test_csv_has_the_rows_of_every_document_with_bom(files: tuple[Path, Path]) -> None:
    xlsx, table_csv = files
    assert table_csv.read_bytes().startswith(b"\xef\xbb\xbf")
    with table_csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == export.FENGONG_COLUMNS
    plan = [r for r in rows if r["文件"] == "《贵州省推进基本养老服务体系建设实施方案》（黔府办发〔2023〕21号）"]
    assert [r["序号"] for r in plan] == [str(n) for n in range(1, 20)]
    assert not [p for p in xlsx.parent.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_export_agency_lists_what_the_department_leads_and_supports(built: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "卫健委.xlsx"
    result = CliRunner().invoke(cli, ["export", "agency", "省卫生健康委", "--xlsx", str(path), "--out", str(built)])
    assert result.exit_code == 0, result.output
    book = load_workbook(path)
    assert book.sheetnames == ["贵州省卫生健康委员会"]
    ws = book.active
    assert ws["A1"].value.startswith("贵州省卫生健康委员会任务清单")
    header = [c.value for c in ws[3]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)]
    assert [(r["序号"], r["角色"]) for r in rows] == [("4", "配合"), ("5", "配合"), ("19", "牵头")]
    assert rows[1]["完成时限"] == "2025年前" and "老年人" in rows[2]["原文出处"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A4:A6" in merged and "B4:B6" not in merged  # the 文件 cell spans its three tasks


def test_export_doc_keeps_one_document(built: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "one.xlsx"
    result = CliRunner().invoke(cli, ["export", "fengong", "--doc", "黔府办发〔2023〕21号", "--xlsx", str(path),
                                      "--out", str(built)])
    assert result.exit_code == 0, result.output
    assert load_workbook(path).sheetnames[:2] == ["汇总", "黔府办发〔2023〕21号"]
    assert "新闻报道" not in load_workbook(path).sheetnames


def test_sheet_names_are_valid_and_unique() -> None:
    title = "关于[印发]某某:方案*?/的\\通知" + "很长" * 20
    sheets = [export.Sheet(f"d{i}", title, "", "007_x.txt") for i in range(3)]
    sheets.append(export.Sheet("d9", "'引号'", "", "008_y.txt"))
    sheets.append(export.Sheet("d10", "关于推进基本养老服务体系建设的实施意见", "", "003_x.txt", status="draft",
                               place="景德镇市"))
    names = export.sheet_names(sheets)
    assert len(set(n.casefold() for n in names)) == len(names)
    for name in names:
        assert 0 < len(name) <= 31
        assert not any(c in name for c in "[]:*?/\\")
        assert not name.startswith("'") and not name.endswith("'")
    assert names[0].startswith("_印发_某某_方案")  # 关于 dropped, forbidden characters replaced
    assert names[-1] == "景德镇市推进基本养老服务体系建设的实施意见（征求意见稿）"  # whole, not cut mid-title


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "table.csv"
    target.write_text("old", encoding="utf-8")

    def broken(temp: Path) -> None:
        temp.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError):
        export._atomic_write(target, broken)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_export_says_what_to_do(built: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    nothing = runner.invoke(cli, ["export", "fengong", "--out", str(built)])
    assert nothing.exit_code == 2 and "--xlsx FILE" in nothing.stderr
    nowhere = runner.invoke(cli, ["export", "fengong", "--xlsx", str(tmp_path / "no" / "t.xlsx"), "--out", str(built)])
    assert nowhere.exit_code == 2 and "不存在" in nowhere.stderr
