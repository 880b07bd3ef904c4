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


def test_workbook_has_one_sheet_per_document(files: tuple[Path, Path], documents: int) -> None:
    from openpyxl import load_workbook

    book = load_workbook(files[0])
    assert book.sheetnames[-1] == "未承接事项"  # the gaps of the documents that apply a higher one
    header = [c.value for c in book["未承接事项"][1]]
    assert header == ["文件", "上级条目", "未承接举措", "最接近的本文件表述", "相似度", "来源文件"]
    assert len(book.sheetnames) == documents + 1
    for ws in book.worksheets[:-1]:
        assert [c.value for c in ws[1]] == export.FENGONG_COLUMNS
        assert all(c.font.b for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws.max_row >= 2


def test_workbook_holds_the_rows_of_001(files: tuple[Path, Path]) -> None:
    from openpyxl import load_workbook

    book = load_workbook(files[0])
    ws = book[next(n for n in book.sheetnames if n.startswith("001"))]
    rows = [dict(zip(export.FENGONG_COLUMNS, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [r["序号"] for r in rows] == list(range(1, 20))
    assert all(r["文件"] == "贵州省推进基本养老服务体系建设实施方案（黔府办发〔2023〕21号）" for r in rows)
    task6 = next(r for r in rows if "探访关爱" in r["任务"])
    assert task6["任务"] == "6.建立特殊困难老年人探访关爱机制"
    assert task6["牵头单位"] == "贵州省民政厅"
    assert "有关部门" in task6["配合单位"].split("\n")
    assert "月探访率" in task6["目标指标"] and task6["完成时限"] == "2025年前"
    assert "月探访率" in task6["原文出处"] and "001_7554c59a77879f53.txt" in task6["原文出处"]
    task12 = next(r for r in rows if r["任务"].startswith("12."))
    assert "60%" in task12["目标指标"] and "100个" in task12["目标指标"]
    assert ws.cell(2, 3).alignment.wrap_text
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert widths["A"] < widths["C"] < widths["H"]  # 序号 narrow, 原文出处 widest


def test_csv_has_the_same_rows_with_bom(files: tuple[Path, Path]) -> None:
    from openpyxl import load_workbook

    xlsx, table_csv = files
    assert table_csv.read_bytes().startswith(b"\xef\xbb\xbf")
    with table_csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == export.FENGONG_COLUMNS
    book = load_workbook(xlsx)
    in_book = [["" if v is None else str(v) for v in r] for ws in book.worksheets[:-1]  # the last sheet holds the gaps
               for r in ws.iter_rows(min_row=2, values_only=True)]
    assert rows[1:] == in_book
    assert not [p for p in xlsx.parent.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_sheet_names_are_valid_and_unique() -> None:
    title = "关于[印发]某某:方案*?/的\\通知" + "很长" * 20
    sheets = [export.Sheet(f"d{i}", title, "", "007_x.txt") for i in range(3)]
    sheets.append(export.Sheet("d9", "'引号'", "", "008_y.txt"))
    names = export.sheet_names(sheets)
    assert len(set(n.casefold() for n in names)) == len(names)
    for name in names:
        assert 0 < len(name) <= 31
        assert not any(c in name for c in "[]:*?/\\")
        assert not name.startswith("'") and not name.endswith("'")
    assert names[0].startswith("007 关于")


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
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.stderr
