"""The dumps (`kg.nq`, `kg.trig`, `kg.ttl`, `kg.jsonld`) written graph by graph.

Each named graph is serialized on its own (a source graph in the worker that emitted it, and cached with it), and a
dump is its graphs' pieces in graph-IRI order under one header: nothing is sorted or serialized twice, and a
rebuild re-serializes only the graphs that changed. Inside a graph, N-Quads lines are sorted and TriG/Turtle
statements ordered by subject, predicate, object, so the same input gives the same bytes. pyoxigraph writes N-Quads,
TriG and Turtle (every literal escaped by the writer); rdflib writes JSON-LD, compacted under the published
`ontology/context.jsonld`, which pyoxigraph cannot do.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, Literal
from rdflib.plugins.serializers.jsonld import Converter
from rdflib.plugins.shared.jsonld.context import Context
from rdflib.term import Node

from policykg.rdfterms import sorted_nquads, sorted_trig, sorted_turtle

Triple = tuple[Node, Node, Node]


@dataclass
class GraphDump:
    """One named graph as each dump writes it (without the dumps' headers)."""

    graph: str
    nquads: bytes  # sorted, unique lines
    trig: bytes  # its `<graph> { … }` block
    turtle: bytes  # its triples as Turtle statements
    jsonld: str  # its `{"@graph": […], "@id": graph}` object (or share of nodes), indented for kg.jsonld


def dump_graph(graph: str, quads: list[ox.Quad], prefixes: dict[str, str], jsonld: str) -> GraphDump:
    """The pieces of one graph from its quads and its JSON-LD text (`jsonld_graph`, or `jsonld_nodes_text` for a
    share of a graph that several workers write)."""
    return GraphDump(graph, sorted_nquads(quads) if quads else b"", _body(sorted_trig(quads, prefixes)),
                     _body(sorted_turtle(quads, prefixes)), jsonld)


class Spool:
    """Graphs' pieces appended to four files as they are made, so a thousand source graphs never sit in memory
    together; `shares` spools pieces of one graph (graph/derived), whose JSON-LD pieces are nodes, not graphs."""

    KINDS = ("nquads", "trig", "turtle", "jsonld")

    def __init__(self, folder: Path, name: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.paths = {kind: folder / f"{name}.{kind}" for kind in self.KINDS}
        self._files = {kind: path.open("wb") for kind, path in self.paths.items()}
        self.count = 0
        self.graphs: list[tuple[str, int, str]] = []  # each graph's IRI, N-Quads length and digest, in order

    def add(self, dump: GraphDump) -> None:
        if not dump.nquads.strip():
            return
        self.graphs.append((dump.graph, len(dump.nquads), hashlib.sha256(dump.nquads).hexdigest()))
        for kind in self.KINDS[:3]:
            self._files[kind].write(getattr(dump, kind))
        if dump.jsonld:
            self._files["jsonld"].write((",\n" if self.count else "").encode() + dump.jsonld.encode())
            self.count += 1

    def close(self) -> None:
        for file in self._files.values():
            file.close()

    def chunks(self, kind: str) -> Iterator[bytes]:
        with self.paths[kind].open("rb") as file:
            while chunk := file.read(1 << 20):
                yield chunk


@dataclass
class SharedGraph:
    """A graph put together from shares (graph/derived: each source's links, gaps and rule conclusions, then the
    rest): written as one graph in every dump."""

    graph: str
    shares: Spool
    rest: list[GraphDump]

    @property
    def empty(self) -> bool:
        return self.shares.paths["nquads"].stat().st_size == 0 and not any(d.nquads.strip() for d in self.rest)

    def chunks(self, kind: str) -> Iterator[bytes]:
        if kind == "trig":
            yield f"<{self.graph}> {{\n".encode()
        yield from self.shares.chunks("turtle" if kind == "trig" else kind)
        for dump in self.rest:
            yield dump.turtle if kind == "trig" else getattr(dump, kind)
        if kind == "trig":
            yield b"}\n"

    def jsonld(self) -> Iterator[bytes]:
        rest = [d.jsonld for d in self.rest if d.jsonld]
        yield b'  {\n   "@graph": [\n'
        yield from self.shares.chunks("jsonld")
        yield ((",\n" if self.shares.count else "") + ",\n".join(rest)).encode()
        yield f'\n   ],\n   "@id": {json.dumps(self.graph, ensure_ascii=False)}\n  }}'.encode()


Piece = GraphDump | Spool | SharedGraph


@dataclass
class Written:
    """What `write_dumps` wrote: kg.nq's line count (its quads) and where each graph's lines are in it, with the
    digest of those lines (so the next build's store replaces only the graphs that changed: policykg/storeload.py)."""

    quads: int
    graphs: dict[str, tuple[int, int, str]]  # graph IRI → (start, end) byte offsets in kg.nq, sha256 of the bytes


def write_dumps(folder: Path, pieces: list[Piece], prefixes: dict[str, str]) -> Written:
    """Write kg.nq, kg.trig, kg.ttl and kg.jsonld into `folder` from graphs in IRI order. Each file is written whole
    under a temporary name and then renamed."""
    header = b"".join(f"@prefix {p}: <{n}> .\n".encode() for p, n in sorted(prefixes.items()))
    lines = 0
    graphs: dict[str, tuple[int, int, str]] = {}
    for kind, name in (("nquads", "kg.nq"), ("trig", "kg.trig"), ("turtle", "kg.ttl"), ("jsonld", "kg.jsonld")):
        tmp = folder / f".{name}.tmp"
        with tmp.open("wb") as file:
            if kind == "jsonld":
                head = json.dumps({"@context": jsonld_context()}, ensure_ascii=False, indent=1, sort_keys=True)
                file.write(head[: head.rindex("\n}")].encode() + b',\n "@graph": [')
                first = True
                for piece in pieces:
                    for graph in _jsonld_graphs(piece):
                        file.write(b"\n" if first else b",\n")
                        first = False
                        for chunk in graph:
                            file.write(chunk)
                file.write(b"]\n}\n" if first else b"\n ]\n}\n")
            else:
                file.write(header if kind != "nquads" else b"")
                for piece in pieces:
                    start, digest = file.tell(), hashlib.sha256()
                    for chunk in piece_chunks(piece, kind):
                        file.write(chunk)
                        if kind == "nquads":
                            lines += chunk.count(b"\n")
                            digest.update(chunk)
                    if kind == "nquads":
                        graphs.update(_spans(piece, start, file.tell(), digest.hexdigest()))
        os.replace(tmp, folder / name)
    return Written(lines, graphs)


def _spans(piece: Piece, start: int, end: int, digest: str) -> Iterator[tuple[str, tuple[int, int, str]]]:
    """Where the graphs of a piece written from `start` to `end` of kg.nq are (`digest`: of all its bytes)."""
    if isinstance(piece, Spool):
        for graph, length, own in piece.graphs:
            yield graph, (start, start + length, own)
            start += length
    elif end > start:
        yield piece.graph, (start, end, digest)


def piece_chunks(piece: Piece, kind: str) -> Iterator[bytes]:
    if isinstance(piece, GraphDump):
        if piece.nquads.strip():
            yield getattr(piece, kind)
    elif not (isinstance(piece, SharedGraph) and piece.empty):
        yield from piece.chunks(kind)


def _jsonld_graphs(piece: Piece) -> Iterator[Iterator[bytes]]:
    """The graph objects a piece holds, each as chunks of text."""
    if isinstance(piece, GraphDump):
        if piece.nquads.strip():
            yield iter([piece.jsonld.encode()])
    elif isinstance(piece, SharedGraph):
        if not piece.empty:
            yield piece.jsonld()
    elif piece.count:
        yield piece.chunks("jsonld")


def _body(text: bytes) -> bytes:
    """A TriG or Turtle text without its @prefix lines (a prefix line holds no line break)."""
    while text.startswith(b"@prefix "):
        text = text.partition(b"\n")[2]
    return text if text.endswith(b"\n") or not text else text + b"\n"


# --- JSON-LD -----------------------------------------------------------------------------------------------------


@cache
def jsonld_context() -> dict[str, Any]:
    text = resources.files("policykg.ontology").joinpath("context.jsonld").read_text("utf-8")
    return dict(json.loads(text)["@context"])


def jsonld_nodes(graph: str, triples: list[Triple]) -> list[Any]:
    """One graph's nodes, compacted under the context by rdflib's JSON-LD converter and sorted so the text does not
    depend on rdflib's order. The converter reads the triples from a dict index (`TripleIndex`), not an rdflib Graph:
    making the Graph cost as much as the conversion, and the writer's JSON text was parsed back only to be sorted
    (together ≈0.15 s of a source job's 0.3 s). `graph` names the graph (unused by the conversion)."""
    if not triples:
        return []
    nodes = Converter(_context(), True, False).from_graph(TripleIndex(triples))
    return sorted((_sorted_node(n) for n in nodes), key=lambda n: str(n.get("@id", "")))


class TripleIndex:
    """The lookups rdflib's JSON-LD `Converter` makes of a graph (`subjects`, `predicate_objects`, `value`), over
    dicts; a triple given twice counts once, as in a Graph."""

    context_aware = False

    def __init__(self, triples: list[Triple]) -> None:
        self._by_subject: dict[Node, list[tuple[Node, Node]]] = {}
        self._by_object: dict[Node, list[Node]] = {}
        self._first: dict[Node, Node] = {}  # rdf:first, asked of every object (is it a list?)
        for s, p, o in dict.fromkeys(triples):
            self._by_subject.setdefault(s, []).append((p, o))
            if not isinstance(o, Literal):  # a literal's hash is dear (its text, again), and never asked for
                self._by_object.setdefault(o, []).append(s)
            if p == RDF.first:
                self._first.setdefault(s, o)

    def subjects(self, predicate: None = None, object: Node | None = None) -> Iterator[Node]:
        """Every subject, or those pointing at a (blank) node: all the converter asks."""
        if predicate is not None or isinstance(object, Literal):
            raise NotImplementedError("TripleIndex.subjects: by object node only")
        return iter(list(self._by_subject) if object is None else self._by_object.get(object, ()))

    def predicate_objects(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        return iter(self._by_subject.get(subject, ()))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        if predicate == RDF.first:
            return self._first.get(subject)
        return next((o for p, o in self._by_subject.get(subject, ()) if p == predicate), None)


@cache
def _context() -> Context:
    return Context(jsonld_context())


def jsonld_graph(graph: str, nodes: list[Any] | None = None, texts: list[str] | None = None) -> str:
    """`{"@graph", "@id"}` of one graph as `json.dumps(indent=1, sort_keys=True)` writes it two levels down in
    kg.jsonld, from its nodes or from pieces `jsonld_nodes_text` wrote (a graph several workers wrote)."""
    pieces = [t for t in (texts if texts is not None else [jsonld_nodes_text(nodes or [])]) if t]
    body = '   "@graph": [\n' + ",\n".join(pieces) + "\n   ]" if pieces else '   "@graph": []'
    return f"  {{\n{body},\n   \"@id\": {json.dumps(graph, ensure_ascii=False)}\n  }}"


def jsonld_nodes_text(nodes: list[Any]) -> str:
    """Nodes in @id order, each as json.dumps writes it four levels down (json escapes line breaks in strings)."""
    ordered = sorted(nodes, key=lambda n: str(n.get("@id", "")))
    return ",\n".join("\n".join("    " + line for line in json.dumps(node, ensure_ascii=False, indent=1,
                                                                      sort_keys=True).split("\n"))
                      for node in ordered)


def _sorted_node(node: object) -> object:
    """Sort list values so the JSON text does not depend on rdflib's iteration order; an RDF list (`@list`) keeps
    its order, which is part of its quads. rdflib's terms (IRIs, literals) become the plain strings that its writer's
    JSON text held."""
    if isinstance(node, dict):
        return {str(k): ([_sorted_node(x) for x in v] if k == "@list" and isinstance(v, list) else _sorted_node(v))
                for k, v in node.items()}
    if isinstance(node, list):
        items = [_sorted_node(v) for v in node]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return str(node) if isinstance(node, str) else node
