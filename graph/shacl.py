"""SHACL: closed-world checks of emitted graphs with the SHACL Core shapes of `ontology/shapes.ttl`.

Every violation carries the source quote of the fact it concerns, so a reader can see the text that went wrong. The
build's engine is pyshacl-turbo (Rust, pyshacl's API; it reads a source job's pyoxigraph store directly), and pyshacl
is the reference it is held to by the tests (`_validate(…, engine="pyshacl")`). No inference: the ontology is added
as data (subclass axioms for sh:class, code lists for the coded values).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from itertools import chain

import pyoxigraph as ox
import pyshacl
import pyshacl_turbo
from rdflib import DCTERMS, RDF, RDFS, SH, SKOS, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from policykg.graph.validate import ELI, OA, PKG, _union, ontology_graph, shapes_graph
from policykg.graph_cache import GraphCache
from policykg.quadset import QuadSet, rdflib_term

_MAX_DEPTH = 12  # outline levels followed up eli:is_part_of to find a part's document
_TEXT_ONLY = {RDFS.label, RDFS.comment, SKOS.definition, SKOS.prefLabel, SKOS.altLabel, SKOS.scopeNote}
_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Violation:
    """One SHACL result, with the source text of the fact it is about when there is one."""

    focus: Node
    path: Node | None
    message: str
    severity: str  # "Violation", "Warning" or "Info"
    quote: str | None = None  # oa:exact of the focus node's evidence
    source_file: str | None = None  # file name (dcterms:identifier) of the source the focus node was read from
    shape: Node | None = None  # the node shape (pkgsh:…Shape) whose constraint failed

    def __str__(self) -> str:
        where = f" {self.path}" if isinstance(self.path, URIRef) else ""
        quote = f" — “{self.quote}”" if self.quote else ""
        return f"{self.severity}: <{self.focus}>{where}: {self.message}{quote}"


def validate_shacl(data: Graph | Dataset | QuadSet) -> list[Violation]:
    """Run the shapes over the union of `data`, the ontology (for rdfs:subClassOf) and the code lists.

    The code lists are added as data rather than as pyshacl's `ont_graph`, because pyshacl copies only RDFS/OWL axioms
    from an ontology graph and the shapes check coded values by their `skos:inScheme`. A build's QuadSet is checked
    one named graph at a time (`validate_graphs`), which keeps each run small and cacheable.
    """
    if isinstance(data, QuadSet):
        return validate_graphs(data)
    return _validate(_union(data), ontology_graph(), _checking_graphs()[1])


def _validate(graph: Graph, ontology: Graph, shapes: Graph, engine: str = "pyshacl-turbo") -> list[Violation]:
    """The shapes over `graph` and `ontology` with pyshacl-turbo (the build's engine, ≈5× pyshacl's speed on a source
    graph) or pyshacl itself (the reference: tests/test_validate.py checks that both report the same results)."""
    graph += ontology
    if engine == "pyshacl":
        _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", inplace=True)
    else:
        _, report, _ = _compiled(shapes).validate(graph)
    # Top-level results only: those of sh:node checks come again nested under sh:detail.
    violations = [_violation(report, result, graph, shapes) for result in report.objects(None, SH.result)]
    return sorted(violations, key=_order)


def validate_graphs(data: QuadSet, cache: GraphCache | None = None, jobs: int = 1,
                    context: Iterable[tuple[Node, Node, Node]] = ()) -> list[Violation]:
    """SHACL per named graph (sources, derived), each with what it refers to in the other graphs.

    A source graph refers to agencies and places described once in `graph/agencies`, and derived evidence to source
    files: the descriptions of the nodes a graph points at (followed from node to node, e.g. agency → place →
    province) are added to it, so every sh:class check sees the types it needs. With a `cache`, a graph whose
    content (with that context) was checked before is not checked again; the others run on `jobs` processes.
    `context` describes further nodes the graphs point at without being checked (source files of other graphs).
    """
    skip = {iri for iri in data.graphs if str(iri).endswith(("/graph/ontology", "/graph/agencies"))}
    described: dict[Node, list[tuple[Node, Node, Node]]] = defaultdict(list)
    for triple in context:
        described[triple[0]].append(triple)
    for iri in data.graphs:
        files = {s for s, p, o in data.graphs[iri] if p == RDF.type and o == PKG.SourceFile}
        for s, p, o in data.graphs[iri]:
            if iri in skip or s in files:
                described[s].append((s, p, o))
    found: set[Violation] = set()
    todo: list[tuple[str | None, frozenset[tuple[Node, Node, Node]]]] = []
    parts = [part for iri in sorted(data.graphs, key=str) if iri not in skip and data.graphs[iri]
             for part in document_parts(iri, data.graphs[iri])]
    for part in parts:
        triples = _with_context(part, described)
        key = cache.key(triples) if cache is not None else None
        if key is not None and cache is not None and (known := cache.get(key)) is not None:
            found.update(known)
        else:
            todo.append((key, triples))
    if jobs > 1 and len(todo) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_check, [t for _, t in todo]))  # one at a time: sizes differ
    else:
        results = [_check(t) for _, t in todo]
    for (key, _), result in zip(todo, results, strict=True):
        if cache is not None and key is not None:
            cache.put(key, result)
        found.update(result)
    return sorted(found, key=_order)


_DOCUMENT = re.compile(r"/doc/[^/]+/[^/]+")


def document_parts(iri: Node, triples: list[tuple[Node, Node, Node]]) -> list[list[tuple[Node, Node, Node]]]:
    """A source graph whole; the derived graph cut by the document its subjects belong to (task links and gaps grow
    with the square of similar documents: 44% of the triples at 10 generated documents, one pyshacl run of minutes
    and gigabytes at 100). No shape looks from one document's links into another's."""
    if not str(iri).endswith("/graph/derived"):
        return [triples]
    by_document: dict[str, list[tuple[Node, Node, Node]]] = defaultdict(list)
    for triple in triples:
        found = _DOCUMENT.search(str(triple[0]))
        by_document[found.group() if found else ""].append(triple)
    return [by_document[key] for key in sorted(by_document)]


def _with_context(graph: Iterable[tuple[Node, Node, Node]],
                  described: dict[Node, list[tuple[Node, Node, Node]]]) -> frozenset[tuple[Node, Node, Node]]:
    triples = set(graph)
    todo = [o for _, _, o in triples if not isinstance(o, Literal)]
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in described.get(node, ()):
            triples.add(triple)
            if not isinstance(triple[2], Literal):
                todo.append(triple[2])
    return frozenset(triples)


@cache
def _checking_graphs() -> tuple[Graph, Graph]:
    """The ontology without its labels and definitions (sh:class and sh:in need the axioms and code lists only)
    and the shapes, parsed once per process."""
    ontology = Graph()
    for triple in ontology_graph():
        if triple[1] not in _TEXT_ONLY:
            ontology.add(triple)
    return ontology, shapes_graph()


@cache
def _compiled(shapes: Graph) -> pyshacl_turbo.CompiledShapes:
    return pyshacl_turbo.compile_shapes(shapes)


@cache
def _checking_ontology_nt() -> bytes:
    return _checking_graphs()[0].serialize(format="nt", encoding="utf-8")


def validate_store(store: ox.Store) -> list[Violation]:
    """The shapes over the union of a pyoxigraph store's graphs and the ontology, read by pyshacl-turbo from the
    store (a source job's graph, the descriptions it points at and its share of graph/derived: ≈15 ms, against
    ≈0.2 s to copy them into rdflib first). Violations are quoted from an rdflib copy made only when there are some."""
    ontology = ox.NamedNode("urn:policykg:checking-ontology")
    store.bulk_load(_checking_ontology_nt(), format=ox.RdfFormat.N_TRIPLES, to_graph=ontology)
    try:
        shapes = _checking_graphs()[1]
        _, report, _ = _compiled(shapes).validate(store)
        results = list(report.objects(None, SH.result))
        if not results:
            return []
        data = Graph()
        for quad in store:
            data.add((rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object)))
        return sorted((_violation(report, result, data, shapes) for result in results), key=_order)
    finally:
        store.remove_graph(ontology)


def _check(triples: frozenset[tuple[Node, Node, Node]]) -> list[Violation]:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return _validate(graph, *_checking_graphs())


def _order(violation: Violation) -> tuple[str, str, str]:
    path = violation.path if isinstance(violation.path, URIRef) else ""  # blank-node paths have no stable name
    return str(violation.focus), str(path), violation.message


def _violation(report: Graph, result: Node, data: Graph, shapes: Graph) -> Violation:
    focus = report.value(result, SH.focusNode)
    shape = report.value(result, SH.sourceShape)
    messages = sorted(report.objects(result, SH.resultMessage), key=lambda m: (getattr(m, "language", None) != "en", m))
    quote, source_file = _source_text(data, focus)
    return Violation(
        focus=focus,
        path=report.value(result, SH.resultPath),
        message=str(messages[0]) if messages else "",
        severity=_SEVERITIES.get(report.value(result, SH.resultSeverity), "Violation"),
        quote=quote,
        source_file=source_file,
        shape=shapes.value(predicate=SH.property, object=shape) or shape,
    )


def _source_text(data: Graph, node: Node) -> tuple[str | None, str | None]:
    """oa:exact and source file name for a focus node, so that a reader can find the text that went wrong.

    From the node's own evidence (the node may itself be evidence or a selector); failing that, from the one node
    that points at it (a quantity's target, a selector's evidence); the file also from the document it is part of.
    """
    quote, source = _own_source_text(data, node)
    referrers = set(data.subjects(None, node)) - {node}
    if len(referrers) == 1:
        referred_quote, referred_source = _own_source_text(data, referrers.pop())
        quote, source = quote or referred_quote, source or referred_source
    parent = node
    for _ in range(_MAX_DEPTH):
        if source is not None:
            break
        parent = data.value(parent, ELI.is_part_of)
        if parent is None:
            break
        source = _own_source_text(data, parent)[1]
    return quote, source


def _own_source_text(data: Graph, node: Node) -> tuple[str | None, str | None]:
    quote = source = None
    if (node, RDF.type, PKG.SourceFile) in data:
        source = node
    for resource in chain([node], sorted(data.objects(node, PKG.evidence))):
        for selector in chain([resource], sorted(data.objects(resource, OA.hasSelector))):
            quote = quote or _str(data.value(selector, OA.exact))
        source = source or data.value(resource, OA.hasSource) or data.value(resource, PKG.source)
    return quote, _str(data.value(source, DCTERMS.identifier)) if source is not None else None


def _str(value: Node | None) -> str | None:
    return None if value is None else str(value)
