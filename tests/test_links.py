"""Task links across documents: implements, same subject, revises; gaps; against links verified by reading.

The fixtures (tests/fixtures/links/) are a short national 意见, a province's plan and its draft, and two cities'
plans, written for these tests. The bundled corpus is scored against tests/gold/links.json (verified by reading the
five texts; how is said in that file).
"""

from __future__ import annotations

import json
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES

from policykg.build import Pipeline, read_corpus
from policykg.graph.gaps import find_gaps, measures
from policykg.graph.links import Linker, load_link_rules, subject
from policykg.graph.model import Document, Span
from policykg.graph.normalize import make_key
from policykg.graph.read import list_sources

LINKS = FIXTURES / "links"
GOLD = Path(__file__).parent / "gold" / "links.json"
RULES = tomllib.loads(resources.files("policykg.graph.data").joinpath("links.toml").read_text("utf-8"))


@cache
def documents(folder: Path) -> tuple[Document, ...]:
    return tuple(read_corpus(list_sources(folder), Pipeline.load()).documents)


@cache
def linker(folder: Path) -> Linker:
    return Linker(documents(folder), load_link_rules())


def named(folder: Path) -> set[tuple[str, str, str, str, str]]:
    """Every link as (relation, source file prefix, task number, target file prefix, task number)."""
    files = {}
    for doc in documents(folder):
        for task in doc.tasks:
            files[id(task.node)] = doc.source.file_name.removesuffix(".txt")
    return {(link.relation, files[id(link.source[1])], link.source[1].number, files[id(link.target[1])],
             link.target[1].number) for link in linker(folder).links()}


def test_fixture_links_are_the_ones_a_reader_sees() -> None:
    found = named(LINKS)
    implements = {(a, n, b, m) for r, a, n, b, m in found if r == "implements"}
    assert implements == {
        ("province", "1", "national", "一"), ("province", "2", "national", "一"), ("province", "3", "national", "二"),
        ("province", "4", "national", "三"),
        ("city", "1", "national", "一"), ("city", "2", "national", "二"), ("city", "3", "national", "三"),
        ("city", "1", "province", "1"), ("city", "2", "province", "3"), ("city", "3", "province", "4"),
        ("city2", "一", "national", "一"), ("city2", "二", "national", "二"),
    }
    same = {(a, n, b, m) for r, a, n, b, m in found if r == "same-subject"}
    assert same == {("city", "1", "city2", "一"), ("city", "2", "city2", "二"),
                    ("city2", "一", "province", "1"), ("city2", "二", "province", "3")}
    revises = {(a, n, b, m) for r, a, n, b, m in found if r == "revises"}
    assert revises == {("province", n, "province_draft", n) for n in "1234"}  # the draft's task 5 was dropped


def test_a_draft_whose_final_is_present_links_only_by_revises() -> None:
    assert not [link for link in named(LINKS) if "province_draft" in link and link[0] != "revises"]


def test_every_link_has_evidence_on_both_sides_inside_its_tasks() -> None:
    docs = {d.key: d for d in documents(LINKS)}
    for link in linker(LINKS).links():
        for (key, node), span in ((link.source, link.source_span), (link.target, link.target_span)):
            assert any(p.start <= span.start < span.end <= p.end for p in node.paragraphs), link
            assert docs[key].source.quote(span).strip()
        assert 0 < link.score <= 1 and link.method.endswith("tfidf-char-2-3")


def test_corpus_links_meet_the_verified_list() -> None:
    """Precision ≥ 0.9 and recall ≥ 0.8 per relation; 'acceptable' links are true but not required."""
    gold = json.loads(GOLD.read_text("utf-8"))
    found = named(CORPUS)
    for relation in ("implements", "same-subject", "revises"):
        want = {tuple(x) for x in gold[relation]["links"]}
        fine = want | {tuple(x) for x in gold[relation]["acceptable"]}
        got = {(a[:3], n, b[:3], m) for r, a, n, b, m in found if r == relation}
        if relation == "same-subject":  # stored once per pair, in either direction
            fine |= {(b, m, a, n) for a, n, b, m in fine}
            got_both = got | {(b, m, a, n) for a, n, b, m in got}
            recall = len([w for w in want if w in got_both]) / len(want)
        else:
            recall = len(want & got) / len(want)
        precision = len([g for g in got if g in fine]) / len(got)
        assert precision >= 0.9 and recall >= 0.8, (relation, precision, recall)


def test_guizhou_task_6_carries_out_national_item_2_and_shares_jingdezhen_task_4() -> None:
    found = named(CORPUS)
    found = {(r, a[:3], n, b[:3], m) for r, a, n, b, m in found}
    assert ("implements", "001", "6", "004", "二") in found
    assert ("same-subject", "001", "6", "003", "4") in found or ("same-subject", "003", "4", "001", "6") in found
    assert ("revises", "001", "6", "000", "二") in found


def test_province_leaves_the_price_mechanism_of_the_national_text_untaken() -> None:
    docs = {d.source.file_name: d for d in documents(LINKS)}
    gaps = [g for g in find_gaps(linker(LINKS)) if g.lower == docs["province.txt"].key]
    quotes = [docs["national.txt"].source.quote(g.measure) for g in gaps]
    assert "探索建立助餐服务价格形成机制" in quotes
    assert not any("就餐补贴" in q for q in quotes)  # taken up by task 3
    assert all(g.nearest is not None and 0 <= g.score < load_link_rules().gap_max for g in gaps)


def test_corpus_has_gaps_for_guizhou_and_jingdezhen() -> None:
    by_key = {d.key: d for d in documents(CORPUS)}
    lower = {by_key[g.lower].source.file_name[:3] for g in find_gaps(linker(CORPUS))}
    assert {"001", "003"} <= lower


@pytest.mark.parametrize("example", RULES["gaps"]["measure_examples"], ids=lambda e: e["text"][:10])
def test_measure_example(example: dict[str, object]) -> None:
    text = str(example["text"])
    key = make_key(text)
    assert [text[s.start : s.end] for s in measures(key, [Span(0, len(key))], load_link_rules())] == example["measures"]


@pytest.mark.parametrize("example", RULES["documents"]["type_examples"], ids=lambda e: e["title"][:10])
def test_subject_example(example: dict[str, str]) -> None:
    assert subject(example["title"], load_link_rules(), ("贵州省", "贵州")) == example["subject"]
