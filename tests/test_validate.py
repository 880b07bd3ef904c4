"""Behaviour of graph/shacl.py and graph/validate.py: SHACL shapes, derived shortcuts and HermiT reasoning.

tests/fixtures/shapes_valid.trig is a small valid dataset written by hand after docs/design.md; each
tests/fixtures/broken_*.ttl adds a few triples on top of it that break one thing, named in its first line.
"""

from __future__ import annotations

import time
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pytest
from rdflib import RDF, SH, Dataset, Graph, Namespace, URIRef

from policykg.graph.shacl import Violation, _checking_graphs, _validate, validate_shacl, validate_store
from policykg.graph.validate import _union, derive_shortcuts, ontology_graph, reason, shapes_graph
from policykg.rdfterms import ox_term

FIXTURES = Path(__file__).parent / "fixtures"
ID = "https://w3id.org/policykg/id/"
PKG = Namespace("https://w3id.org/policykg/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
DOC = f"{ID}doc/520000/黔府办发〔2023〕21号"
TASK = f"{DOC}/part/2.3.9"
LEAD = URIRef(f"{ID}agency/520000/贵州省财政厅")
CO = URIRef(f"{ID}agency/520000/贵州省民政厅")

# fixture → the one (focus node, result path) it must produce; None for a path that is not a single property
SHACL_BREAKS: dict[str, tuple[str, URIRef | None]] = {
    "broken_task_not_part_of.ttl": (f"{DOC}/part/2.3.10", None),
    "broken_task_without_evidence.ttl": (f"{DOC}/part/2.3.10", PKG.evidence),
    "broken_responsibility_without_agent.ttl": (f"{TASK}/resp/贵州省统计局", PKG.agent),
    "broken_responsibility_two_roles.ttl": (f"{TASK}/resp/贵州省民政厅", PKG.role),
    "broken_responsibility_role_outside_scheme.ttl": (f"{TASK}/resp/贵州省人民政府办公厅", PKG.role),
    "broken_responsibility_without_basis.ttl": (f"{TASK}/resp/贵州省人民政府办公厅", PKG.basis),
    "broken_responsibility_without_task.ttl": (f"{DOC}/part/2.3.8/resp/贵州省民政厅", None),
    "broken_target_without_quantity.ttl": (f"{TASK}/target/2", None),
    "broken_quantity_without_unit.ttl": (f"{TASK}/target/2/quantity", QUDT.unit),
    "broken_quantity_double_value.ttl": (f"{TASK}/target/2/quantity", QUDT.numericValue),
    "broken_agency_two_jurisdictions.ttl": (f"{ID}agency/520000/贵州省民政厅", PKG.jurisdiction),
    "broken_agency_without_preflabel.ttl": (f"{ID}agency/520000/贵州省统计局", SKOS.prefLabel),
    "broken_collective_two_preflabels.ttl": (f"{ID}agency/520000/有关部门", SKOS.prefLabel),
    "broken_evidence_start_after_end.ttl": (f"{DOC}/part/2.3.10/evidence/position", OA.start),
    "broken_evidence_without_quote.ttl": (f"{DOC}/part/2.3.10/evidence", OA.hasSelector),
    "broken_evidence_without_source.ttl": (f"{DOC}/part/2.3.10/evidence", OA.hasSource),
    "broken_quote_without_exact.ttl": (f"{DOC}/part/2.3.10/evidence/quote", OA.exact),
    "broken_document_without_title.ttl": (f"{ID}doc/520000/黔府办发〔2023〕22号", DCTERMS.title),
    "broken_document_without_source.ttl": (f"{ID}doc/520000/t-0123456789ab", None),
    "broken_jurisdiction_bad_code.ttl": (f"{ID}place/52", SKOS.notation),
    "broken_sourcefile_bad_digest.ttl": (f"{ID}source/002_4bde61a2490bcd72", PKG.sha256),
    "broken_duty_without_agent.ttl": (f"{DOC}/duty/2", PKG.agent),
}
# fixture → words the inconsistency explanation must contain
OWL_BREAKS: dict[str, tuple[str, ...]] = {
    "broken_owl_task_is_agency.ttl": (TASK, "pkg:Agency", "pkg:Task", "asserted"),
    "broken_owl_section_has_responsibility.ttl": (
        f"{DOC}/part/2.3>", "pkg:Section", "pkg:Task", "pkg:hasResponsibility"
    ),
}


def valid() -> Dataset:
    dataset = Dataset()
    dataset.parse(FIXTURES / "shapes_valid.trig", format="trig")
    return dataset


def valid_plus(name: str) -> Dataset:
    dataset = valid()
    dataset.parse(FIXTURES / name, format="turtle")
    return dataset


def test_every_broken_fixture_is_checked_and_says_what_it_breaks() -> None:
    names = {p.name for p in FIXTURES.glob("broken_*")}
    assert names == set(SHACL_BREAKS) | set(OWL_BREAKS)
    for name in names:
        assert (FIXTURES / name).read_text("utf-8").startswith("# Breaks: "), name


def test_valid_dataset_conforms_to_the_shapes() -> None:
    assert validate_shacl(valid()) == []


def test_a_document_known_only_from_a_news_report_needs_no_source_file() -> None:
    dataset = valid()
    dataset.parse(FIXTURES / "shapes_reported_document.ttl", format="turtle")
    assert validate_shacl(dataset) == []


def test_a_plain_graph_is_accepted_as_well_as_a_dataset() -> None:
    graph = Graph()
    for s, p, o, _ in valid().quads((None, None, None, None)):
        graph.add((s, p, o))
    assert validate_shacl(graph) == []


@pytest.fixture(scope="module")
def broken_results() -> dict[str, list[Violation]]:
    return {name: validate_shacl(valid_plus(name)) for name in SHACL_BREAKS}


@pytest.mark.parametrize(("name", "expected"), sorted(SHACL_BREAKS.items()))
def test_each_shape_fails_on_its_own_broken_fixture(
    broken_results: dict[str, list[Violation]], name: str, expected: tuple[str, URIRef | None]
) -> None:
    violations = broken_results[name]
    found = {(str(v.focus), v.path if isinstance(v.path, URIRef) else None) for v in violations}
    assert found == {expected}
    assert all(v.severity == "Violation" and v.message for v in violations)


@pytest.mark.parametrize("name", [*sorted(SHACL_BREAKS), "shapes_reported_document.ttl"])
def test_the_build_engine_reports_what_pyshacl_reports(name: str) -> None:
    """pyshacl-turbo reading a pyoxigraph store, as every source job runs it, gives pyshacl's results, quotes
    included (pyshacl is the reference the build's engine is held to)."""
    dataset = valid_plus(name)
    reference = _validate(_union(dataset), ontology_graph(), _checking_graphs()[1], engine="pyshacl")
    store = ox.Store()
    store.extend(ox.Quad(ox_term(s), ox_term(p), ox_term(o), ox_term(g))
                 for s, p, o, g in dataset.quads((None, None, None, None)))
    held = len(store)
    assert validate_store(store) == reference
    assert len(store) == held  # the ontology it was checked with is gone again
    assert reference or name == "shapes_reported_document.ttl"


def test_every_targeted_shape_has_a_broken_fixture(broken_results: dict[str, list[Violation]]) -> None:
    shapes = shapes_graph()
    targeted = {s for p in (SH.targetClass, SH.targetObjectsOf) for s in shapes.subjects(p, None)}
    hit = {v.shape for violations in broken_results.values() for v in violations}
    assert targeted - hit == set()


def test_violation_quotes_the_evidence_and_names_the_source_file() -> None:
    (violation,) = validate_shacl(valid_plus("broken_responsibility_without_basis.ttl"))
    assert violation.quote == "(责任单位：省财政厅、省民政厅)"
    assert violation.source_file == "001_7554c59a77879f53.txt"
    assert "pkg:basis" in violation.message
    assert "(责任单位：省财政厅、省民政厅)" in str(violation)


def test_violation_on_a_quantity_quotes_its_target() -> None:
    (violation,) = validate_shacl(valid_plus("broken_quantity_without_unit.ttl"))
    assert violation.quote == "支持发展养老服务的资金占比不低于55%"


def test_shortcuts_give_lead_and_co_units_of_each_task() -> None:
    derived = derive_shortcuts(valid())
    task = URIRef(TASK)
    assert set(derived.objects(task, PKG.leadUnit)) == {LEAD}
    assert set(derived.objects(task, PKG.coUnit)) == {CO}
    assert set(derived.objects(task, PKG.responsibleUnit)) == {LEAD, CO}
    assert len(derived) == 4


def test_reasoner_finds_the_valid_dataset_consistent_and_infers_lead_and_co_agencies() -> None:
    result = reason(valid())
    assert result.consistent and result.errors == []
    inferred = set(result.inferred)
    assert (LEAD, RDF.type, PKG.LeadAgency) in inferred
    assert (CO, RDF.type, PKG.CoOperatingAgency) in inferred
    assert (CO, RDF.type, PKG.LeadAgency) not in inferred
    assert (URIRef(TASK), RDF.type, PKG.TaskWithTarget) in inferred
    assert (URIRef(f"{TASK}/resp/贵州省财政厅"), RDF.type, PKG.LeadResponsibility) in inferred


def test_reasoner_returns_only_new_pkg_memberships() -> None:
    result = reason(valid())
    assert {p for _, p, _ in result.inferred} == {RDF.type}
    assert all(str(o).startswith(str(PKG)) for o in result.inferred.objects())
    assert (URIRef(TASK), RDF.type, PKG.Task) not in result.inferred


@pytest.mark.parametrize(("name", "words"), sorted(OWL_BREAKS.items()))
def test_reasoner_reports_inconsistency_naming_individual_and_classes(name: str, words: tuple[str, ...]) -> None:
    result = reason(valid_plus(name))
    assert not result.consistent
    assert len(result.inferred) == 0
    assert all(word in result.explanation for word in words), result.errors


def test_reasoner_leaves_owlready2_default_world_untouched() -> None:
    before = len(owlready2.default_world.ontologies)
    reason(valid())
    assert len(owlready2.default_world.ontologies) == before
    assert owlready2.default_world.search_one(iri=f"{PKG}LeadAgency") is None


def synthetic(copies: int) -> Dataset:
    """The valid fixture repeated under `copies` document numbers: about 150 triples each, agencies shared."""
    text = (FIXTURES / "shapes_valid.trig").read_text("utf-8")
    dataset = Dataset()
    for n in range(copies):
        dataset.parse(data=text.replace("〔2023〕21号", f"〔2023〕{n}号"), format="trig")
    return dataset


@pytest.mark.slow
def test_shacl_and_reasoning_stay_fast_on_twenty_thousand_triples() -> None:
    dataset = synthetic(135)
    assert 19_000 < len(list(dataset.quads((None, None, None, None)))) < 22_000
    started = time.perf_counter()
    assert validate_shacl(dataset) == []
    assert time.perf_counter() - started < 30
    result = reason(dataset)
    assert result.consistent
    assert len(result.inferred) == 135 * 3 + 2  # per copy: task with target, lead and co responsibility; 2 agencies
    assert result.seconds < 60
