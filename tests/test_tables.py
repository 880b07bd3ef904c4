"""Tables are tables: every flattening of a task table gives rows with their units, roles, people left out.

Each fixture is a small made-up table in one flattening (tests/fixtures/tables/*.txt); the expected rows are
(number, title, [(unit, role)], [target values]).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import FIXTURES, shared_pipeline

from policykg.document import outline_and_extract, source_articles
from policykg.graph.normalize import normalize
from policykg.graph.targets import extract_targets, row_targets

TABLES = FIXTURES / "tables"


def rows(name: str) -> tuple[list[str], list[tuple[str, str, list[tuple[str, str]], list[float]]]]:
    """(flattenings of the tables found, each task as number, title, units with roles, target values)."""
    text = (TABLES / name).read_text("utf-8")
    source, articles, _ = source_articles(name, text, hashlib.sha256(text.encode()).hexdigest(), shared_pipeline())
    found = []
    for article in articles:
        _, extraction = outline_and_extract(article, shared_pipeline())
        for task in extraction.tasks:
            values = [t.value for p in task.node.paragraphs for t in extract_targets(source.text, source.key, p)]
            values += [t.value for t in row_targets(source, task.node)]
            found.append((task.node.number, task.title, [(r.mention.written, r.role) for r in task.responsibilities],
                          values))
    return [t.flattening for a in articles for t in a.tables], found


def test_pipe_rows_with_a_merged_lead_cell_take_the_unit_above() -> None:
    """Row 2 leaves its 牵头单位 cell blank (a merged cell): its progress text shifts left and is not a unit."""
    flattenings, found = rows("pipe_merged_lead.txt")
    assert flattenings == ["pipe"]
    assert found == [
        ("1", "新增普惠托位300个", [("县卫生健康局", "lead")], [300.0]),
        ("2", "为全县65岁以上老人开展免费体检2万人次", [("县卫生健康局", "lead")], [20000.0]),
        ("3", "培训家庭照护者500人", [("县民政局", "lead")], [500.0]),
    ]


def test_category_column_and_units_written_with_their_heads_names() -> None:
    """大类 groups the rows (a merged cell: later rows start at 序号); 牵头单位及主要负责人 gives units, not people."""
    flattenings, found = rows("pipe_category_unit_head.txt")
    assert flattenings == ["pipe"]
    assert [(number, units) for number, _, units, _ in found] == [
        ("1", [("县民政局", "lead")]), ("2", [("县残联", "lead")]), ("3", [("县交通运输局", "lead")]),
    ]
    assert [values for *_, values in found][1:] == [[200.0], [60.0]]


def test_sub_rows_of_a_merged_number_and_unit_cell_are_tasks_of_that_unit() -> None:
    """│ │ │2.新植行道树…│: the 序号 and 责任单位 cells span three sub-rows, each numbered in its task cell."""
    flattenings, found = rows("box_merged_subrows.txt")
    assert flattenings == ["pipe"]
    assert [(number, units) for number, _, units, _ in found] == [
        ("1", [("东湖区", "lead")]), ("2", [("东湖区", "lead")]), ("3", [("东湖区", "lead")]),
        ("2", [("西山区", "lead")]),
    ]
    assert [values for *_, values in found] == [[8.0], [3000.0, 20000.0], [12.0], [4.0]]


def test_a_column_of_sections_or_units_names_the_units_only() -> None:
    """责任股室 / (单位) is one header over two lines; sections (公共服务股) are no units, 文化馆 and 图书馆 are; a row
    naming only its own section does not take the unit of the row above."""
    flattenings, found = rows("cells_sections_or_units.txt")
    assert flattenings == ["cell-per-line"]
    assert [(number, units) for number, _, units, _ in found] == [
        ("1", [("文化馆", "lead")]), ("2", [("图书馆", "lead")]), ("3", []), ("4", []),
    ]


def test_one_cell_per_line_with_several_units_one_per_line() -> None:
    flattenings, found = rows("cells_per_line.txt")
    assert flattenings == ["cell-per-line"]
    assert found == [
        ("1", "改造农贸市场3个", [("县商务局", "lead"), ("县市场监管局", "co")], [3.0]),
        ("2", "新建城市公园2座", [("县住建局", "lead")], [2.0]),
    ]


def test_a_table_flattened_one_cell_per_line_is_not_a_newspaper_page() -> None:
    """Fifteen short lines with blank lines between them look like page columns by count, not by width."""
    text = (TABLES / "cells_per_line.txt").read_text("utf-8")
    assert not normalize("cells.txt", text, "0" * 64).is_page


def test_space_separated_header_with_labels_broken_by_spaces_and_people_left_out() -> None:
    """牵头  领导 is one column of people; a unit cell continues on the next line."""
    flattenings, found = rows("spaced_header.txt")
    assert flattenings == ["spaced"]
    assert found == [
        ("12", "建成区域医疗中心1个,新增床位200张",
         [("县卫健委", "lead"), ("县发改委", "co"), ("县财政局", "co")], [1.0, 200.0]),
        ("13", "推进城乡供水一体化", [("县水利局", "lead"), ("各乡镇", "co")], []),
    ]


def test_indicator_table_targets_the_latest_year_column_only() -> None:
    _, found = rows("indicators.txt")
    assert found == [
        ("1", "护理型床位占比", [("市民政局", "lead")], [65.0]),
        ("2", "每千名老年人拥有养老床位数", [("市民政局", "lead")], [35.0]),
    ]


@pytest.mark.parametrize(("name", "expected"), [
    ("run_on_items.txt", [  # items of a page flattened onto one line; persons (牵头领导, 项目责任人) left out
        ("1", [("市民政局", "lead"), ("市财政局", "co"), ("各区政府", "co")]),
        ("2", [("市城管局", "lead"), ("市公安局", "co")]),
    ]),
    ("lines_lead_then_list.txt", [  # 牵头单位 and 责任单位 on lines of their own: the stated lead leads
        ("1", [("区发改局", "lead"), ("区统计局", "co"), ("各街道", "co")]),
        ("2", [("区人社局", "lead"), ("各街道", "co")]),
    ]),
    ("huitong_phrases.txt", [  # 由A牵头,会同B… / 由A会同B、C研究…
        ("1", [("省民政厅", "lead"), ("省财政厅", "co")]),
        ("2", [("省住房城乡建设厅", "lead"), ("省财政厅", "co"), ("省乡村振兴局", "co")]),
    ]),
    ("ocr_trailing_unit.txt", [  # an OCR'd table: the 牵头单位 column is the unit after each item's text
        ("一", [("省人力资 源社会保障厅", "lead")]),
        ("二", [("省人力资源社会保障厅", "lead")]),
    ]),
])
def test_units_of_items_written_in_running_text(name: str, expected: list[tuple[str, list[tuple[str, str]]]]) -> None:
    _, found = rows(name)
    assert [(number, units) for number, _, units, _ in found] == expected


def test_every_table_fixture_is_tested() -> None:
    tested = {"pipe_merged_lead.txt", "cells_per_line.txt", "spaced_header.txt", "indicators.txt",
              "run_on_items.txt", "lines_lead_then_list.txt", "huitong_phrases.txt", "ocr_trailing_unit.txt",
              "box_drawn.txt", "pipe_category_unit_head.txt",
              "box_merged_subrows.txt", "cells_sections_or_units.txt"}
    assert {p.name for p in Path(TABLES).glob("*.txt")} == tested


def test_box_drawn_rows_wrapped_over_lines_are_joined_cell_by_cell() -> None:
    """A drawn row holds the next piece of every cell on each line; the header wraps too (序 / 号)."""
    flattenings, found = rows("box_drawn.txt")
    assert flattenings == ["pipe"]
    assert found == [
        ("1", "改造城镇老旧小区40个", [("市住房城乡建设局", "lead")], [40.0]),
        ("2", "新开通公交线路5条", [("市交通运输局", "lead")], [5.0]),
    ]


def test_box_drawn_text_keeps_raw_offsets_of_every_character() -> None:
    text = (TABLES / "box_drawn.txt").read_text("utf-8")
    source = normalize("box.txt", text, "0" * 64)
    assert "│1│市住房城乡建设局│改造城镇老旧小区40个。│" in source.text
    assert all(source.raw[source.raw_offsets[i]] == ch for i, ch in enumerate(source.text) if ch != "\n")
