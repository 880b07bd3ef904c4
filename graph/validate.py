"""Check emitted graphs against the ontology and derive what the store should not have to compute.

The ontology and shapes as graphs (read by graph/shacl.py too, which runs the closed-world SHACL checks), and two
jobs, each usable alone:

- `derive_shortcuts`: the `pkg:leadUnit` / `pkg:coUnit` / `pkg:responsibleUnit` shortcuts from responsibility nodes.
  OWL cannot produce them (a property chain cannot filter by role), so they are a SPARQL CONSTRUCT.
- `reason`: open-world reasoning with HermiT through owlready2 in an isolated World: consistency plus the inferred
  memberships of the defined classes (`pkg:LeadAgency`, `pkg:CoOperatingAgency`, `pkg:LeadResponsibility`,
  `pkg:CoOperatingResponsibility`, `pkg:TaskWithTarget`). Only the axioms and assertions that can matter are sent to
  HermiT, which keeps it fast and free of datatype trouble.
"""

from __future__ import annotations

import io
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.resources import files

import owlready2
from rdflib import OWL, RDF, RDFS, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from policykg.quadset import QuadSet

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
