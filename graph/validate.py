"""Check emitted graphs against the ontology and derive what the store should not have to compute.

Three jobs, each usable alone:

- `validate_shacl`: closed-world checks with the SHACL Core shapes of `ontology/shapes.ttl` (pyshacl-turbo, held to
  pyshacl's results by the tests; no inference),
  every violation carrying the source quote of the fact it concerns, so a reader can see the text that went wrong.
- `derive_shortcuts`: the `pkg:leadUnit` / `pkg:coUnit` / `pkg:responsibleUnit` shortcuts from responsibility nodes.
  OWL cannot produce them (a property chain cannot filter by role), so they are a SPARQL CONSTRUCT.
- `reason`: open-world reasoning with HermiT through owlready2 in an isolated World: consistency plus the inferred
  memberships of the defined classes (`pkg:LeadAgency`, `pkg:CoOperatingAgency`, `pkg:LeadResponsibility`,
  `pkg:CoOperatingResponsibility`, `pkg:TaskWithTarget`). Only the axioms and assertions that can matter are sent to
  HermiT, which keeps it fast and free of datatype trouble.
"""

from __future__ import annotations

import io
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from itertools import chain

import owlready2
import pyoxigraph as ox
import pyshacl
import pyshacl_turbo
from rdflib import DCTERMS, OWL, RDF, RDFS, SH, SKOS, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from policykg.graph_cache import GraphCache
from policykg.quadset import QuadSet, rdflib_term

PKG = Namespace("https://w3id.org/policykg/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")

# Kept as text so the same query can run in a SPARQL store as well as in rdflib.
SHORTCUTS_QUERY = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
CONSTRUCT {
    ?task pkg:responsibleUnit ?agent .
    ?task ?shortcut ?agent .
}
WHERE {
    ?task pkg:hasResponsibility ?resp .
    ?resp pkg:agent ?agent .
    OPTIONAL {
        ?resp pkg:role ?role .
        VALUES (?role ?shortcut) {
            (<https://w3id.org/policykg/code/role/lead> pkg:leadUnit)
            (<https://w3id.org/policykg/code/role/co> pkg:coUnit)
        }
    }
}
"""

_ONTOLOGY_FILES = ("policykg.ttl", "codes.ttl")
# TBox predicates that carry no logical meaning: left out of what HermiT sees.
_NON_LOGICAL = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo, OWL.versionIRI, OWL.imports}
_TBOX_NAMESPACES = (str(RDF), str(RDFS), str(OWL))
_MAX_DEPTH = 12  # outline levels followed up eli:is_part_of to find a part's document
_TEXT_ONLY = {RDFS.label, RDFS.comment, SKOS.definition, SKOS.prefLabel, SKOS.altLabel, SKOS.scopeNote}
_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def _read(name: str) -> Graph:
    graph = Graph()
    graph.parse(data=files("policykg.ontology").joinpath(name).read_text(encoding="utf-8"), format="turtle")
    return graph


def ontology_graph() -> Graph:
    """The ontology and its code lists: what goes into the `graph/ontology` named graph."""
    graph = Graph()
    for name in _ONTOLOGY_FILES:
        part = _read(name)
        for prefix, namespace in part.namespaces():
            graph.bind(prefix, namespace, replace=True)
        graph += part
    return graph


def shapes_graph() -> Graph:
    """The SHACL shapes shipped with the ontology."""
    return _read("shapes.ttl")


def _triples(data: Graph | Dataset | QuadSet) -> Iterator[tuple[Node, Node, Node]]:
    """Triples of a graph or of every graph of a dataset: facts about one node may sit in several graphs."""
    if isinstance(data, QuadSet):
        yield from data.triples()
    elif isinstance(data, Dataset):
        for s, p, o, _ in data.quads((None, None, None, None)):
            yield s, p, o
    else:
        yield from data


def _union(data: Graph | Dataset | QuadSet) -> Graph:
    union = Graph()
    for triple in _triples(data):
        union.add(triple)
    return union


# --- SHACL -------------------------------------------------------------------------------------------------------


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


# --- shortcuts ---------------------------------------------------------------------------------------------------


def derive_shortcuts(data: Graph | Dataset | QuadSet) -> Graph:
    """pkg:leadUnit / pkg:coUnit (and their super-property pkg:responsibleUnit) from the responsibility nodes.

    responsibleUnit is materialised too, so that plain SPARQL over the derived graph sees it without a reasoner.
    """
    derived = Graph()
    derived.bind("pkg", PKG)
    for triple in _union(data).query(SHORTCUTS_QUERY):
        derived.add(triple)
    return derived


# --- OWL reasoning -----------------------------------------------------------------------------------------------


@dataclass
class ReasoningResult:
    """What HermiT said: consistency, the inferred class memberships, and why it failed if it did."""

    consistent: bool
    inferred: Graph  # (individual, rdf:type, pkg class) triples not asserted in the data
    errors: list[str] = field(default_factory=list)  # each names the individual and the clashing classes
    seconds: float = 0.0  # wall time of the whole call, JVM start included
    assertions: int = 0  # data triples sent to HermiT

    @property
    def explanation(self) -> str:
        """The errors as one line, for build reports."""
        return "; ".join(self.errors)


def reason(data: Graph | Dataset | QuadSet, ontology: Graph | None = None) -> ReasoningResult:
    """Classify and realise `data` under `ontology` (default: the shipped one) with HermiT.

    owlready2 reads no Turtle, so both parts go over as N-Triples into a fresh owlready2 World (the default world is
    left alone). HermiT sees the logical axioms of the ontology and, of the data, only the class assertions and
    object-property assertions over terms the ontology declares; literals are left out (SHACL checks them), which
    also keeps xsd:gYear and similar datatypes, unknown to OWL 2, away from HermiT.
    """
    started = time.perf_counter()
    tbox = _logical_axioms(ontology if ontology is not None else ontology_graph())
    abox = _relevant_assertions(_triples(data), tbox)
    world = owlready2.World()
    try:
        world.get_ontology("urn:policykg:tbox").load(fileobj=io.BytesIO(_ntriples(tbox)), format="ntriples")
        world.get_ontology("urn:policykg:abox").load(fileobj=io.BytesIO(_ntriples(abox)), format="ntriples")
        inferences = world.get_ontology("urn:policykg:inferred")
        try:
            with inferences:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            errors = _explain_inconsistency(tbox, abox) or [
                "HermiT found the data inconsistent with the ontology, and no clash of disjoint classes explains it."
            ]
            return ReasoningResult(False, Graph(), errors, time.perf_counter() - started, len(abox))
        inferred = _inferred_types(world, inferences, abox)
    finally:
        world.close()
    return ReasoningResult(True, inferred, [], time.perf_counter() - started, len(abox))


def _ntriples(graph: Graph) -> bytes:
    return graph.serialize(format="nt", encoding="utf-8")


def _logical_axioms(ontology: Graph) -> Graph:
    """The ontology's RDF/RDFS/OWL triples without labels, comments and version data."""
    tbox = Graph()
    tbox.namespace_manager = ontology.namespace_manager
    for s, p, o in ontology:
        if str(p).startswith(_TBOX_NAMESPACES) and p not in _NON_LOGICAL:
            tbox.add((s, p, o))
    return tbox


def _relevant_assertions(data: Iterable[tuple[Node, Node, Node]], tbox: Graph) -> Graph:
    """Class assertions to declared classes and object-property assertions of declared object properties."""
    classes = set(tbox.subjects(RDF.type, OWL.Class))
    properties = set(tbox.subjects(RDF.type, OWL.ObjectProperty))
    abox = Graph()
    individuals: set[Node] = set()
    for s, p, o in data:
        if isinstance(s, Literal) or isinstance(o, Literal):
            continue
        if (p == RDF.type and o in classes) or p in properties:
            abox.add((s, p, o))
            individuals.add(s)
            if p != RDF.type:
                individuals.add(o)
    for individual in individuals:
        if isinstance(individual, URIRef):
            abox.add((individual, RDF.type, OWL.NamedIndividual))
    return abox


def _inferred_types(world: owlready2.World, inferences: owlready2.Ontology, abox: Graph) -> Graph:
    """rdf:type triples HermiT added for data individuals, restricted to pkg classes and minus what was asserted."""
    inferred = Graph()
    inferred.bind("pkg", PKG)
    rdf_type = world._abbreviate(str(RDF.type))
    for s, _, o in inferences.get_triples(None, rdf_type, None):
        individual, cls = URIRef(world._unabbreviate(s)), URIRef(world._unabbreviate(o))
        if cls.startswith(str(PKG)) and (individual, RDF.type, cls) not in abox:
            inferred.add((individual, RDF.type, cls))
    return inferred


def _explain_inconsistency(tbox: Graph, abox: Graph) -> list[str]:
    """Name individuals that fall into two disjoint classes, with how each class was reached.

    HermiT only answers "inconsistent"; the usual cause in our data is a node typed (or implied by a property's
    domain or range) as two disjoint kinds of thing, which this finds without another JVM run.
    """
    disjoint = sorted(_disjoint_pairs(tbox))
    errors = []
    for individual, types in sorted(_derived_types(tbox, abox).items()):
        for first, second in disjoint:
            if first in types and second in types:
                errors.append(
                    f"<{individual}> is both {_short(tbox, first)} ({types[first]}) and "
                    f"{_short(tbox, second)} ({types[second]}), which the ontology declares disjoint"
                )
    return errors


def _derived_types(tbox: Graph, abox: Graph) -> dict[Node, dict[Node, str]]:
    """Named classes of each individual: asserted, from domains and ranges, and their superclasses."""
    domains = {p: c for p, c in tbox.subject_objects(RDFS.domain) if isinstance(c, URIRef)}
    ranges = {p: c for p, c in tbox.subject_objects(RDFS.range) if isinstance(c, URIRef)}
    types: dict[Node, dict[Node, str]] = defaultdict(dict)
    for s, p, o in sorted(abox):
        if p == RDF.type:
            if o != OWL.NamedIndividual:
                types[s].setdefault(o, "asserted")
            continue
        if p in domains:
            types[s].setdefault(domains[p], f"as subject of {_short(tbox, p)}")
        if p in ranges:
            types[o].setdefault(ranges[p], f"as object of {_short(tbox, p)}")
    for classes in types.values():
        for cls, why in list(classes.items()):
            for parent in _superclasses(tbox, cls):
                classes.setdefault(parent, why)
    return types


def _superclasses(tbox: Graph, cls: Node) -> Iterator[Node]:
    for parent in tbox.transitive_objects(cls, RDFS.subClassOf):
        if parent != cls and isinstance(parent, URIRef):
            yield parent


def _disjoint_pairs(tbox: Graph) -> set[tuple[Node, Node]]:
    pairs: set[tuple[Node, Node]] = set()
    for a, b in tbox.subject_objects(OWL.disjointWith):
        pairs.add(_ordered(a, b))
    for axiom in tbox.subjects(RDF.type, OWL.AllDisjointClasses):
        members = _members(tbox, tbox.value(axiom, OWL.members))
        pairs.update(_ordered(a, b) for i, a in enumerate(members) for b in members[i + 1 :])
    return {(a, b) for a, b in pairs if isinstance(a, URIRef) and isinstance(b, URIRef)}


def _members(tbox: Graph, head: Node | None) -> list[Node]:
    return list(Collection(tbox, head)) if isinstance(head, BNode | URIRef) else []


def _ordered(a: Node, b: Node) -> tuple[Node, Node]:
    return (a, b) if str(a) <= str(b) else (b, a)


def _short(graph: Graph, term: Node) -> str:
    return graph.namespace_manager.normalizeUri(term) if isinstance(term, URIRef) else str(term)
