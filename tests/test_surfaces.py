"""What the three users meet (issue 11): units in document order, one per cell line, in every table."""

from __future__ import annotations

import csv
from pathlib import Path

from policykg import coordinate
from policykg.graph.store import EmbeddedStore
from policykg.query import load_queries, run_named

# 003 task 4 as the text lists its units: 市民政局（牵头）、市委组织部、市文明办、市卫健委、市红十字会、市残联
JDZ_TASK4_CO = ["中共景德镇市委组织部", "景德镇市精神文明建设办公室", "景德镇市卫生健康委员会", "景德镇市红十字会",
                "景德镇市残疾人联合会"]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_tasks_csv_lists_co_units_in_document_order(built: Path) -> None:
    row = next(r for r in _csv(built / "tasks.csv") if r["source_file"].startswith("003_") and r["task_number"] == "4")
    assert row["lead"] == "景德镇市民政局"
    assert row["co"].split("|") == JDZ_TASK4_CO


def test_tasks_csv_separator_splits_a_name_holding_the_enumeration_comma(built: Path) -> None:
    row = next(r for r in _csv(built / "tasks.csv") if r["source_file"].startswith("001_") and r["task_number"] == "6")
    assert row["co"].split("|") == ["各市（州）、县（市、区、特区）人民政府", "有关部门"]


def test_long_format_has_one_row_per_unit_with_its_position(built: Path) -> None:
    rows = [r for r in _csv(built / "responsibilities.csv")
            if r["source_file"].startswith("003_") and r["task_number"] == "4"]
    assert [(r["role"], r["agency"]) for r in rows] == [("lead", "景德镇市民政局"), *(("co", n) for n in JDZ_TASK4_CO)]
    assert [r["position"] for r in rows] == ["1", "2", "3", "4", "5", "6"]


def test_who_leads_query_and_command_keep_document_order(built: Path) -> None:
    store = EmbeddedStore(built / "store")
    try:
        table = run_named(store, load_queries()["who_leads"], {"task": "探访关爱"})
        row = next(r for r in table.records() if r["source_file"].startswith("003_"))
        assert (row["co"] or "").split("|") == JDZ_TASK4_CO
        answer = coordinate.who_leads(store, "探访关爱")
        found = next(r for r in answer.rows if r["来源文件"].startswith("003_"))
        assert found["配合单位"].split(coordinate.UNIT_SEPARATOR) == JDZ_TASK4_CO
        shown = next(r for r in answer.view_rows if r["来源文件"].startswith("003_"))
        assert shown["配合单位"].split("\n") == JDZ_TASK4_CO  # one unit per line in the terminal table
    finally:
        store.close()
