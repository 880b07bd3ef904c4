"""Every rule in the data files carries examples; this runs each one through the stage that reads the rule.

A new notation, label, header or noise pattern is a data line with its example beside it, and this test is what
keeps the line honest: the example must give what the rule promises.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from typing import Any

import pytest
from conftest import shared_pipeline

from policykg.document import outline_and_extract, source_articles
from policykg.graph.model import Span
from policykg.graph.normalize import make_key, normalize
from policykg.graph.tables import classify_header, load_table_rules
from policykg.graph.target_rules import default_rules
from policykg.graph.targets import row_targets
from policykg.graph.units import UnitReader, load_unit_grammar


def data(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("policykg.graph.data").joinpath(name).read_text("utf-8"))


NOTATIONS, UNITS, TABLES, LAYOUT = data("notations.toml"), data("units.toml"), data("tables.toml"), data("layout.toml")


def notation_examples() -> list[tuple[str, str, list[str]]]:
    found = [(f"{group}:{rule['name']}", ex["text"], ex["expect"])
             for group in ("labels", "role_words") for rule in NOTATIONS[group] for ex in rule["examples"]]
    found += [("declarations", ex["text"], ex["expect"]) for ex in NOTATIONS["declarations"]["examples"]]
    for key in ("bracket_role_examples", "with_examples"):
        found += [(key, ex["text"], ex["expect"]) for ex in NOTATIONS["clauses"][key]]
    return found


def units_named(text: str) -> list[str]:
    """The units a task's text names, as "unit=role": the text as a document through the real stages."""
    _, articles, _ = source_articles("rule.txt", text, "0" * 64, shared_pipeline())
    _, found = outline_and_extract(articles[0], shared_pipeline())
    return [f"{r.mention.written}={r.role}" for task in found.tasks for r in task.responsibilities]


@pytest.mark.parametrize(("rule", "text", "expect"), notation_examples())
def test_notation_example(rule: str, text: str, expect: list[str]) -> None:
    assert units_named(text) == expect, rule


@pytest.mark.parametrize("example", NOTATIONS["declarations"]["inherit_examples"], ids=lambda e: e["text"][:12])
def test_inherit_rule_example(example: dict[str, str]) -> None:
    key = make_key(example["text"])
    pattern = next(p for p in shared_pipeline().notations.rules.inherit_rules if p.search(key))
    match = pattern.search(key)
    assert match is not None and example["text"][match.start("units") : match.end("units")] == example["units"]


@pytest.mark.parametrize("example", NOTATIONS["declarations"]["heading_owner_examples"], ids=lambda e: e["text"][:12])
def test_heading_owner_example(example: dict[str, Any]) -> None:
    key = make_key(example["text"])
    units = shared_pipeline().notations.heading_owners(key, Span(0, len(key)))
    assert [example["text"][u.start : u.end] for u in units] == example["units"]


@pytest.fixture(scope="module")
def reader() -> UnitReader:
    return UnitReader(load_unit_grammar())


def split(reader: UnitReader, text: str) -> list[str]:
    key = make_key(text)
    return [text[s.start : s.end] for s in reader.split(key, Span(0, len(key)))]


@pytest.mark.parametrize("name", UNITS["suffixes"]["examples"] + UNITS["collectives"]["examples"])
def test_unit_name_example(reader: UnitReader, name: str) -> None:
    assert reader.looks_like_unit(make_key(name)), name


@pytest.mark.parametrize("name", UNITS["suffixes"]["internal_examples"])
def test_internal_section_example(reader: UnitReader, name: str) -> None:
    assert reader.is_internal(name) and not reader.looks_like_unit(name)


@pytest.mark.parametrize("name", UNITS["people"]["examples"] + UNITS["lists"]["person_title_examples"])
def test_people_are_no_units(reader: UnitReader, name: str) -> None:
    assert not reader.looks_like_unit(make_key(name))


@pytest.mark.parametrize("name", UNITS["people"]["examples"])
def test_person_example(reader: UnitReader, name: str) -> None:
    assert reader.is_person(name)


@pytest.mark.parametrize("name", UNITS["people"]["not_examples"])
def test_person_not_example(reader: UnitReader, name: str) -> None:
    assert not reader.is_person(name)


@pytest.mark.parametrize("term", UNITS["places"]["examples"])
def test_place_term_example(reader: UnitReader, term: str) -> None:
    assert reader.is_place_term(make_key(term))


@pytest.mark.parametrize("term", UNITS["places"]["not_examples"])
def test_place_term_not_example(reader: UnitReader, term: str) -> None:
    assert not reader.is_place_term(make_key(term))


@pytest.mark.parametrize(("written", "units"), UNITS["lists"]["etc_examples"] + UNITS["lists"]["person_examples"]
                         + UNITS["lists"]["bare_level_examples"]
                         + UNITS["places"]["shared_zone_examples"])
def test_unit_list_example(reader: UnitReader, written: str, units: str) -> None:
    assert split(reader, written) == units.split("|")


HEADERS = [(rule["field"], cell) for rule in TABLES["header"] for cell in rule["examples"]]


@pytest.mark.parametrize(("field", "cell"), HEADERS)
def test_header_example(field: str, cell: str) -> None:
    assert classify_header(make_key(cell), load_table_rules()) == field


@pytest.mark.parametrize("cell", [c for rule in TABLES["header"] for c in rule.get("not_examples", [])])
def test_header_not_example_is_no_task_column(cell: str) -> None:
    assert classify_header(make_key(cell), load_table_rules()) != "title"


NOISE = [(rule["name"], line, True) for rule in LAYOUT["noise"] for line in rule["examples"]]
NOISE += [(rule["name"], line, False) for rule in LAYOUT["noise"] for line in rule.get("not_examples", [])]


@pytest.mark.parametrize(("rule", "line", "is_noise"), NOISE)
def test_noise_example(rule: str, line: str, is_noise: bool) -> None:
    pattern = next(re.compile(r["pattern"]) for r in LAYOUT["noise"] if r["name"] == rule)
    assert bool(pattern.search(make_key(line).strip())) == is_noise


@pytest.mark.parametrize(("raw", "clean"), LAYOUT["cleanup"]["examples"])
def test_cleanup_example(raw: str, clean: str) -> None:
    assert normalize("x.txt", raw, "0" * 64).text == clean


@pytest.mark.parametrize("text", LAYOUT["cleanup"]["not_examples"])
def test_cleanup_not_example(text: str) -> None:
    assert normalize("x.txt", text, "0" * 64).text == text


@pytest.mark.parametrize(("cell", "comparator", "value"), data("targets.toml")["cells"]["examples"])
def test_target_cell_example(cell: str, comparator: str, value: str) -> None:
    """A value alone under a year column is the row's target, due in that year; the baseline column is not."""
    text = f"序号 | 指标名称 | 2020年 | 2025年 | 责任部门 |\n1 | 基本养老保险参保率 | 1% | {cell} | 市医保局 |\n"
    source, articles, _ = source_articles("table.txt", text, "0" * 64, shared_pipeline())
    _, found = outline_and_extract(articles[0], shared_pipeline())
    (target,) = row_targets(source, found.tasks[0].node, default_rules())
    assert (target.comparator, target.value, target.deadline.year if target.deadline else None) == (
        comparator, float(value), 2025)


@pytest.mark.parametrize("example", LAYOUT["patterns"]["bare_item_examples"])
def test_bare_item_number_examples(example: dict[str, object]) -> None:
    found = re.match(LAYOUT["patterns"]["bare_item_number"], str(example["line"]))
    assert (int(found.group(1)) if found else "") == example["number"]
