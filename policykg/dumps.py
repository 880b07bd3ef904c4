"""The dumps (`kg.nq`, `kg.trig`, `kg.ttl`, `kg.jsonld`) written graph by graph.

Each named graph is serialized on its own (a source graph in the worker that emitted it, and cached with it), and a
dump is its graphs' pieces in graph-IRI order under one header: nothing is sorted or serialized twice, and a
rebuild re-serializes only the graphs that changed. Inside a graph, N-Quads lines are sorted and TriG/Turtle
statements ordered by subject, predicate, object, so the same input gives the same bytes. pyoxigraph writes N-Quads,
TriG and Turtle (every literal escaped by the writer); rdflib writes JSON-LD, compacted under the published
`ontology/context.jsonld`, which pyoxigraph cannot do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
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


def write_dumps(folder: Path, dumps: list[GraphDump], prefixes: dict[str, str], write: Any) -> bytes:
    """Write the four dumps into `folder` with `write(path, bytes)`; returns the N-Quads (the store loads them)."""
    ordered = sorted((d for d in dumps if d.nquads.strip()), key=lambda d: d.graph)
    header = b"".join(f"@prefix {p}: <{n}> .\n".encode() for p, n in sorted(prefixes.items()))
    nq = b"".join(d.nquads for d in ordered)
    write(folder / "kg.nq", nq)
    write(folder / "kg.trig", header + b"".join(d.trig for d in ordered))
    write(folder / "kg.ttl", header + b"".join(d.turtle for d in ordered))
    write(folder / "kg.jsonld", jsonld_document([d.jsonld for d in ordered]))
    return nq


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
    """One graph's nodes, compacted under the context and sorted so the text does not depend on rdflib's order
    (rdflib's writer costs ≈0.15–0.3 s per source graph: the reason it runs beside the emitter, cached)."""
    if not triples:
        return []
    g = Graph(identifier=URIRef(graph))
    for triple in dict.fromkeys(triples):
        g.add(triple)
    nodes = json.loads(g.serialize(format="json-ld", context=jsonld_context(), auto_compact=True))
    body = nodes.get("@graph", [{k: v for k, v in nodes.items() if k != "@context"}])  # one node comes alone
    return sorted((_sorted_node(n) for n in body), key=lambda n: str(n.get("@id", "")))


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


def jsonld_document(graphs: list[str]) -> bytes:
    """kg.jsonld: the context, then every graph: the text `json.dumps(indent=1, sort_keys=True)` gives for the
    whole document, without holding it as one Python object."""
    head = json.dumps({"@context": jsonld_context()}, ensure_ascii=False, indent=1, sort_keys=True)
    head = head[: head.rindex("\n}")]
    body = ' "@graph": [\n' + ",\n".join(graphs) + "\n ]" if graphs else ' "@graph": []'
    return f"{head},\n{body}\n}}\n".encode()


def _sorted_node(node: object) -> object:
    """Sort list values so the JSON text does not depend on rdflib's iteration order; an RDF list (`@list`) keeps
    its order, which is part of its quads."""
    if isinstance(node, dict):
        return {k: ([_sorted_node(x) for x in v] if k == "@list" and isinstance(v, list) else _sorted_node(v))
                for k, v in node.items()}
    if isinstance(node, list):
        items = [_sorted_node(v) for v in node]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return node
