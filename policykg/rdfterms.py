"""rdflib terms as pyoxigraph terms, so that the library which loads the store is the one that checks and writes them.

rdflib accepts any string as an IRI and writes literal characters as they are; pyoxigraph refuses an IRI with a
character RFC 3987 forbids and escapes every literal so that one statement stays on one line. Converting each term
once tells, per source, whether the store will take it, and gives N-Quads that split safely on "\\n".
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


class TermError(ValueError):
    """A term the store would refuse (an IRI with a forbidden character, a malformed language tag …)."""


def ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """One rdflib term as pyoxigraph's; raises TermError naming the term when pyoxigraph refuses it."""
    try:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
    except ValueError as exc:
        raise TermError(f"{_short(term)}: {exc}") from exc
    raise TermError(f"{_short(term)}: not an RDF term")


def _short(term: Node) -> str:
    text = repr(str(term))
    return text if len(text) <= 80 else text[:77] + "…"


def check_triples(triples: Iterable[Triple]) -> None:
    """Raise TermError at the first term the store would refuse (used per source, before anything is written)."""
    checked: set[URIRef] = set()  # the same predicates, classes and agencies recur on every line: check each once
    for triple in triples:
        for term in triple:
            if type(term) is URIRef:
                if term in checked:
                    continue
                checked.add(term)
            ox_term(term)


def ox_quads(dataset: Dataset) -> list[ox.Quad]:
    """Every quad of the dataset as pyoxigraph quads (the rdflib default graph becomes the default graph)."""
    quads = []
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graph = ox.DefaultGraph() if g is None or g == DATASET_DEFAULT_GRAPH_ID else ox_term(g)
        quads.append(ox.Quad(ox_term(s), ox_term(p), ox_term(o), graph))
    return quads


def sorted_nquads(quads: Iterable[ox.Quad]) -> bytes:
    """N-Quads written by pyoxigraph, lines sorted and unique: canonical, diff-able, byte-identical on a rerun.

    pyoxigraph escapes line feeds and carriage returns inside literals, so splitting on b"\\n" (and only on it: a
    form feed, U+0085 or U+2028 may stand raw in a literal) gives one statement per line.
    """
    text = ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS) or b""
    lines = sorted({line for line in text.split(b"\n") if line.strip()})
    return b"\n".join(lines) + b"\n"


def _order(term: object) -> str:
    return str(term)  # the N-Triples form: a total, repeatable order


def readable_prefixes(dataset: Dataset, skip: Iterable[str] = ("id", "code")) -> dict[str, str]:
    """The dataset's prefixes for Turtle and TriG, in name order, without those whose IRIs go on with slashes
    (the data base `id:` and the code lists): pyoxigraph would write `id:agency\\/000000\\/…`, clearer in full."""
    skipped = set(skip)
    return {p: str(n) for p, n in sorted(dataset.namespaces()) if p and p not in skipped}


def sorted_trig(quads: Iterable[ox.Quad], prefixes: dict[str, str]) -> bytes:
    """TriG of the named graphs, written by pyoxigraph from quads sorted by graph, subject, predicate, object."""
    named = sorted((q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)),
                   key=lambda q: (_order(q.graph_name), _order(q.subject), _order(q.predicate), _order(q.object)))
    return _sorted_header(ox.serialize(named, format=ox.RdfFormat.TRIG, prefixes=prefixes) or b"", prefixes)


def sorted_turtle(quads: Iterable[ox.Quad], prefixes: dict[str, str]) -> bytes:
    """Turtle of the union of all graphs (each triple once), sorted by subject, predicate, object."""
    triples = sorted({q.triple for q in quads}, key=lambda t: (_order(t.subject), _order(t.predicate),
                                                                 _order(t.object)))
    return _sorted_header(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b"", prefixes)


def _sorted_header(text: bytes, prefixes: dict[str, str]) -> bytes:
    """The @prefix lines in name order (pyoxigraph writes them in an order of its own), then the statements."""
    header = b"".join(f"@prefix {p}: <{n}> .\n".encode() for p, n in sorted(prefixes.items()))
    body = text
    while body.startswith(b"@prefix "):
        body = body.partition(b"\n")[2]  # a prefix line holds no line break
    return header + body
