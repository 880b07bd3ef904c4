"""Issue 12: agencies and places described once, SPARQL rules equal HermiT, per-graph SHACL (bundled corpus)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import CORPUS, shared_pipeline
from rdflib import RDF, URIRef

from policykg.build import assemble, read_corpus
from policykg.graph.emit import DEFAULT_BASE, PKG
from policykg.graph.read import list_sources
from policykg.graph.rules import apply_rules
from policykg.graph.shacl import validate_graphs, validate_shacl
from policykg.graph.store import EmbeddedStore
from policykg.graph.validate import reason
from policykg.quadset import QuadSet

DERIVED = f"{DEFAULT_BASE}graph/derived"


@pytest.fixture(scope="module")
def quadset() -> QuadSet:
    pipeline = shared_pipeline()
    return assemble(read_corpus(list_sources(CORPUS), pipeline), pipeline, DEFAULT_BASE)


def test_no_triple_sits_in_two_graphs(built: Path) -> None:
    store = ox.Store()
    store.bulk_load(path=str(built / "kg.nq"), format=ox.RdfFormat.N_QUADS)
    counts = Counter(q.triple for q in store)
    twice = [str(t) for t, n in counts.items() if n > 1]
    assert twice == []
    graphs = {g.value for g in store.named_graphs()}
    assert f"{DEFAULT_BASE}graph/agencies" in graphs


def test_agencies_and_places_are_described_in_the_agencies_graph_only(quadset: QuadSet) -> None:
    agencies = URIRef(f"{DEFAULT_BASE}graph/agencies")
    for iri, triples in quadset.graphs.items():
        typed = {o for _, p, o in triples if p == RDF.type}
        if iri == agencies:
            assert {PKG.Agency, PKG.Jurisdiction} <= typed
        else:
            assert not typed & {PKG.Agency, PKG.CollectiveAgent, PKG.Jurisdiction}, iri


CO_UNITS = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
SELECT ?role ?agency ?label ?place WHERE {
  ?doc pkg:source/dcterms:identifier ?file ; eli:has_part+ ?task .
  FILTER(STRSTARTS(?file, "003_"))
  ?task a pkg:Task ; eli:number "4" ; pkg:hasResponsibility ?r .
  ?r pkg:role ?role ; pkg:agent ?agency .
  ?agency skos:prefLabel ?label ; pkg:jurisdiction/skos:prefLabel ?place .
}"""


def test_plain_select_over_co_units_returns_each_fact_once(store: EmbeddedStore) -> None:
    """Issue 11's duplicates: 003 task 4 names 6 units (市民政局 leads, 5 co-operate); a SELECT without DISTINCT,
    joining through the agencies' labels and places, gave each unit once per graph that described it."""
    rows = store.select(CO_UNITS).rows
    assert len(rows) == len(set(rows)) == 6
    assert sorted(row[0].rsplit("/", 1)[1] for row in rows) == ["co"] * 5 + ["lead"]


def test_sparql_rules_give_what_hermit_gave(quadset: QuadSet) -> None:
    store = quadset.memory_store()

    def derived_types() -> set[tuple[str, str]]:
        return {(q.subject.value, q.object.value) for q in store.quads_for_pattern(
            None, ox.NamedNode(str(RDF.type)), None, ox.NamedNode(DERIVED))}

    before = derived_types()  # the task links' own nodes
    apply_rules(store, DERIVED)
    ruled = derived_types() - before
    hermit = reason(quadset)
    assert hermit.consistent
    inferred = {(str(s), str(o)) for s, _, o in hermit.inferred}
    assert inferred
    assert ruled == inferred
    kinds = {o for _, o in ruled}
    assert {str(PKG.LeadAgency), str(PKG.CoOperatingAgency), str(PKG.LeadResponsibility),
            str(PKG.TaskWithTarget)} <= kinds


def test_shortcut_rule_matches_the_construct_it_replaces(quadset: QuadSet) -> None:
    from policykg.graph.validate import derive_shortcuts

    store = quadset.memory_store()
    apply_rules(store, DERIVED)
    ruled = {(q.subject.value, q.predicate.value, q.object.value) for q in store.quads_for_pattern(
        None, None, None, ox.NamedNode(DERIVED)) if q.predicate.value != str(RDF.type)}
    construct = {(str(s), str(p), str(o)) for s, p, o in derive_shortcuts(quadset)}
    assert construct <= ruled
    assert {t for t in ruled if t[1] in {str(PKG.leadUnit), str(PKG.coUnit), str(PKG.responsibleUnit)}} == construct


def test_shacl_per_graph_finds_what_the_union_run_finds(quadset: QuadSet, tmp_path: Path) -> None:
    from policykg.graph_cache import GraphCache

    union = validate_shacl(quadset.graph_union())
    cache = GraphCache(tmp_path / "shacl")
    assert validate_graphs(quadset, cache) == union
    assert cache.misses > 0 and cache.hits == 0
    assert validate_graphs(quadset, cache) == union
    assert cache.hits == cache.misses


def test_reason_full_gives_the_graph_the_rules_give(built: Path, tmp_path: Path) -> None:
    """HermiT over the data (`--reason full`) adds nothing the SPARQL rules did not already derive."""
    from policykg.build import run_build

    report = run_build(CORPUS, tmp_path / "out", reasoning_mode="full", views=False, cache_dir=tmp_path / "cache")
    assert not report.errors
    assert report.stages["reasoning"] > 0
    assert (tmp_path / "out" / "kg.nq").read_bytes() == (built / "kg.nq").read_bytes()


def test_the_build_holds_the_reference_graphs_and_what_the_rules_draw(built: Path, quadset: QuadSet) -> None:
    """Per-source jobs (emitted, ruled over and written in workers) give the quads of the one-process reference:
    `assemble`'s graphs plus the SPARQL rules run over all of them at once."""
    store = quadset.memory_store()
    apply_rules(store, DERIVED)
    expected = set(ox.serialize(list(store), format=ox.RdfFormat.N_QUADS).split(b"\n")) - {b""}
    assert set((built / "kg.nq").read_bytes().split(b"\n")) - {b""} == expected


def test_tables_put_together_per_source_equal_the_queries_on_the_store(built: Path) -> None:
    from policykg.query import load_queries, run_named, to_csv

    store = EmbeddedStore(built / "store")
    try:
        for name, file in (("fengong", "tasks.csv"), ("responsibilities", "responsibilities.csv")):
            assert to_csv(run_named(store, load_queries()[name])).encode("utf-8-sig") == (built / file).read_bytes()
    finally:
        store.close()


def test_jsonld_dump_is_what_json_dumps_writes_for_it(built: Path) -> None:
    """kg.jsonld is put together from per-graph pieces; its text is still json.dumps(indent=1, sort_keys=True)."""
    import json

    text = (built / "kg.jsonld").read_text("utf-8")
    assert json.dumps(json.loads(text), ensure_ascii=False, indent=1, sort_keys=True) + "\n" == text


def test_hermit_conclusions_already_in_graph_derived_are_not_added_twice(tmp_path: Path) -> None:
    """graph/derived is read a MiB at a time: a known line across a chunk's end is still known."""
    from rdflib import RDF, URIRef

    from policykg.dumps import GraphDump, SharedGraph, Spool
    from policykg.graphs import BuiltGraphs, add_inferred

    base, pkg = "https://w3id.org/policykg/id/", "https://w3id.org/policykg/ontology#"
    derived = f"{base}graph/derived"
    lines = [f'<{base}t/{n:07d}> <{RDF.type}> <{pkg}LeadAgency> <{derived}> .'.encode() for n in range(30_000)]
    shares = Spool(tmp_path, "derived")
    shares.add(GraphDump(derived, b"\n".join(lines) + b"\n", b"", b"", ""))
    shares.close()
    assert shares.paths["nquads"].stat().st_size > 2 << 20  # three chunks
    boundary = len(b"\n".join(lines)[: 1 << 20].split(b"\n")) - 1  # the line cut by the first chunk's end
    built = BuiltGraphs([SharedGraph(derived, shares, [])], {})
    add_inferred(built, [], base)
    assert built.pieces[0].rest == []
    known = [(URIRef(f"{base}t/{n:07d}"), RDF.type, URIRef(f"{pkg}LeadAgency")) for n in (0, boundary, 29_999)]
    add_inferred(built, known, base)
    assert built.pieces[0].rest == []
    fresh = (URIRef(f"{base}t/new"), RDF.type, URIRef(f"{pkg}LeadAgency"))
    add_inferred(built, [*known, fresh], base)
    added = [d.nquads for d in built.pieces[0].rest]
    assert added == [f"<{base}t/new> <{RDF.type}> <{pkg}LeadAgency> <{derived}> .\n".encode()]
