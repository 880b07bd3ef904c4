"""Every dump is the same graph (issue 11, item 3): kg.trig, kg.ttl and kg.jsonld parse back to exactly the quads of
kg.nq (up to blank-node labels), and every evidence quote equals its text span in each of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Namespace
from rdflib.compare import isomorphic

OA = Namespace("http://www.w3.org/ns/oa#")
DCT = Namespace("http://purl.org/dc/terms/")
FORMATS = {"kg.nq": "nquads", "kg.trig": "trig", "kg.jsonld": "json-ld"}


def _dataset(path: Path, fmt: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(path, format=fmt)
    return dataset


def _graphs(dataset: Dataset) -> dict[str, Graph]:
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


@pytest.fixture(scope="module")
def reference(built: Path) -> dict[str, Graph]:
    return _graphs(_dataset(built / "kg.nq", "nquads"))


@pytest.mark.parametrize("name", ["kg.trig", "kg.jsonld"])
def test_named_graph_dump_has_exactly_the_quads_of_nquads(built: Path, reference: dict[str, Graph], name: str) -> None:
    graphs = _graphs(_dataset(built / name, FORMATS[name]))
    assert sorted(graphs) == sorted(reference)
    for iri, graph in reference.items():
        assert len(graphs[iri]) == len(graph), iri
        assert isomorphic(graphs[iri], graph), iri


def test_turtle_dump_is_the_union_of_the_quads(built: Path, reference: dict[str, Graph]) -> None:
    union = Graph()
    for graph in reference.values():
        for triple in graph:
            union.add(triple)
    turtle = Graph().parse(built / "kg.ttl", format="turtle")
    assert len(turtle) == len(union)
    assert isomorphic(turtle, union)


def _quotes(graph: Graph) -> list[tuple[str, int, int, str]]:
    found = []
    for evidence, source in graph.subject_objects(OA.hasSource):
        file_name = str(graph.value(source, DCT.identifier))
        selectors = list(graph.objects(evidence, OA.hasSelector))
        exact = next(graph.value(s, OA.exact) for s in selectors if graph.value(s, OA.exact) is not None)
        position = next(s for s in selectors if graph.value(s, OA.start) is not None)
        found.append((file_name, int(graph.value(position, OA.start)), int(graph.value(position, OA.end)), str(exact)))
    return found


@pytest.mark.parametrize("name", ["kg.nq", "kg.trig", "kg.ttl", "kg.jsonld"])
def test_every_evidence_quote_equals_its_text_span(built: Path, name: str) -> None:
    if name == "kg.ttl":
        graph = Graph().parse(built / name, format="turtle")
    else:
        graph = Graph()
        for triple in _dataset(built / name, FORMATS[name]).quads((None, None, None, None)):
            graph.add(triple[:3])
    texts = {p.name: p.read_text("utf-8") for p in (built / "text").iterdir()}
    quotes = _quotes(graph)
    assert len(quotes) > 300
    multi_line = [q for q in quotes if "\n" in q[3]]
    assert multi_line  # the quotes a pretty-printer would indent are there and checked
    wrong = [(f, s, e) for f, s, e, exact in quotes if texts[f][s:e] != exact]
    assert wrong == []


def test_jsonld_nodes_are_what_rdflibs_jsonld_writer_gives(built: Path) -> None:
    """`jsonld_nodes` runs rdflib's converter over a dict index instead of a Graph and skips the writer's text: the
    nodes must be those the writer gives under the published context, for every graph of the build (the ontology's
    blank nodes and RDF lists included)."""
    import json

    from rdflib import URIRef

    from policykg.dumps import _sorted_node, jsonld_context, jsonld_nodes
    from policykg.quadset import QuadSet

    graphs = QuadSet.from_nquads((built / "kg.nq").read_bytes()).graphs
    for iri, triples in graphs.items():
        graph = Graph(identifier=URIRef(iri))
        for triple in triples:
            graph.add(triple)
        written = json.loads(graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True))
        body = written.get("@graph", [{k: v for k, v in written.items() if k != "@context"}])
        expected = sorted((_sorted_node(n) for n in body), key=lambda n: str(n.get("@id", "")))
        assert jsonld_nodes(str(iri), triples) == expected, iri
    assert any("ontology" in str(iri) for iri in graphs) and len(graphs) > 3
