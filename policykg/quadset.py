"""The built graph before it is written: one list of rdflib triples per named graph, converted once to pyoxigraph.

An rdflib Dataset made every triple be copied three to five times (source graph, dataset, SHACL union, shortcut union,
Turtle union) at about 20 µs a copy. Here the emitter's lists are kept as they are, each term is converted to
pyoxigraph once (IRIs through a cache: the same predicates, classes and agencies recur on every line), and the
SPARQL rules, dumps and store all work from those quads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from policykg.rdfterms import ox_term

Triple = tuple[Node, Node, Node]
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class QuadSet:
    """Named graphs of rdflib triples (duplicates allowed, dropped on conversion), with their prefixes."""

    def __init__(self, prefixes: dict[str, str] | None = None) -> None:
        self.graphs: dict[URIRef, list[Triple]] = {}
        self.prefixes: dict[str, str] = dict(prefixes or {})
        self._iris: dict[URIRef, ox.NamedNode] = {}

    @classmethod
    def from_nquads(cls, data: bytes) -> QuadSet:
        """The named graphs of an N-Quads text as rdflib triples (for `--reason full`, which sends them to HermiT)."""
        quadset = cls()
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            quadset.graphs.setdefault(URIRef(quad.graph_name.value), []).append(  # type: ignore[union-attr]
                (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object)))
        return quadset

    def add(self, identifier: URIRef, triples: Iterable[Triple]) -> None:
        self.graphs.setdefault(identifier, []).extend(triples)

    def namespaces(self) -> Iterator[tuple[str, str]]:
        """(prefix, namespace) pairs, as rdflib's `Dataset.namespaces()` gives them."""
        yield from self.prefixes.items()

    def triples(self) -> Iterator[Triple]:
        """Every triple of every graph (a triple in two graphs comes twice)."""
        for triples in self.graphs.values():
            yield from triples

    def graph(self, identifier: URIRef) -> Graph:
        """One named graph as an rdflib Graph (for pyshacl and the JSON-LD writer)."""
        g = Graph(identifier=identifier)
        for triple in self.graphs.get(identifier, ()):
            g.add(triple)
        return g

    def graph_union(self) -> Graph:
        """All graphs as one rdflib Graph (each triple once), as the SHACL run over the whole build saw it."""
        g = Graph()
        for triple in self.triples():
            g.add(triple)
        return g

    def term(self, term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if type(term) is URIRef:
            known = self._iris.get(term)
            if known is None:
                known = self._iris[term] = ox_term(term)  # type: ignore[assignment]
            return known
        return ox_term(term)

    def quads(self, graphs: Iterable[URIRef] | None = None) -> list[ox.Quad]:
        """Each graph's triples (of `graphs`, or of all) as pyoxigraph quads, once per graph, in emission order."""
        quads: dict[ox.Quad, None] = {}
        for identifier in self.graphs if graphs is None else graphs:
            triples = self.graphs.get(identifier, [])
            graph = self.term(identifier)
            for s, p, o in triples:
                quads[ox.Quad(self.term(s), self.term(p), self.term(o), graph)] = None
        return list(quads)

    def memory_store(self) -> ox.Store:
        """An in-memory pyoxigraph store of all the quads (for the SPARQL rules)."""
        store = ox.Store()
        store.extend(self.quads())
        return store


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """A pyoxigraph term back as rdflib's (for the few derived triples the JSON-LD writer needs)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))
