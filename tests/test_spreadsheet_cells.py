"""No cell of a written table can run as a formula (issue 13, item 1): out/tasks.csv, the export's CSV and XLSX, and
`--format csv`, for a document whose title, task titles and unit names start with = + - @."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.build import run_build
from policykg.cells import FORMULA_START, neutralize
from policykg.cli import cli

HOSTILE = (
    '=HYPERLINK("http://127.0.0.1:9/","点击")&"实施方案"\n'
    '一、=HYPERLINK("http://127.0.0.1:9/","x")加强工作。（责任单位：-2+3局、@SUM(1)委、省民政厅）\n'
    "二、+完善制度。到2025年达到90%。（牵头单位：省民政厅；配合单位：=1+1办）\n"
    "三、\t@健全机制。（责任单位：\r省民政厅）\n"
)


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cells")
    (root / "corpus").mkdir()
    (root / "corpus" / "hostile.txt").write_text(HOSTILE, "utf-8")
    report = run_build(root / "corpus", root / "out")
    assert not report.errors, report.errors
    result = CliRunner().invoke(cli, ["export", "fengong", "--xlsx", str(root / "f.xlsx"), "--csv",
                                      str(root / "f.csv"), "--out", str(root / "out")])
    assert result.exit_code == 0, result.output
    return root


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_no_formula_start(values: list[str]) -> None:
    assert values
    risky = [v for v in values if v.startswith(FORMULA_START)]
    assert risky == [], risky


def test_neutralize_prefixes_every_formula_start() -> None:
    for start in FORMULA_START:
        assert neutralize(f"{start}1+1") == f"'{start}1+1"
    assert neutralize("省民政厅") == "省民政厅" and neutralize(7) == 7 and neutralize("a=b") == "a=b"


def test_tasks_csv_has_no_formula_cell(tables: Path) -> None:
    values = cells((tables / "out" / "tasks.csv").read_text("utf-8-sig"))
    assert_no_formula_start(values)
    assert any(v.startswith("'=HYPERLINK(") for v in values)  # kept as text, readable


def test_export_csv_has_no_formula_cell(tables: Path) -> None:
    values = cells((tables / "f.csv").read_text("utf-8-sig"))
    assert_no_formula_start(values)
    assert any("=HYPERLINK(" in v for v in values)  # the 文件 column holds the title, as 《…》


def test_export_xlsx_has_no_formula(tables: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(tables / "f.xlsx")
    texts = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert_no_formula_start(texts)
    with zipfile.ZipFile(tables / "f.xlsx") as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name


def test_query_csv_output_has_no_formula_cell(tables: Path) -> None:
    result = CliRunner().invoke(cli, ["query", "tasks", "--format", "csv", "--out", str(tables / "out")])
    assert result.exit_code == 0, result.output
    assert_no_formula_start(cells(result.output))
