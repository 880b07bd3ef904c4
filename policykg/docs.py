"""Generate the ontology's HTML documentation, offline: one page for the terms (pyLODE) and one for the code lists.

pyLODE 3.4.1 needs two workarounds, both local to this module:
- its `pylode.version` reads a pyproject.toml that the wheel does not ship (RDFLib/pyLODE#256, #260), so the module is
  provided before import;
- importing it calls `logging.basicConfig(level=DEBUG)`, so the root logger is restored afterwards.
"""

from __future__ import annotations

import html
import logging
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from importlib.resources import files
from pathlib import Path

from rdflib import DCTERMS, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

ONTOLOGY_IRI = URIRef("https://w3id.org/policykg/ontology")
PKG_NS = "https://w3id.org/policykg/ontology#"
# Published next to the pages so that the HTML links resolve without the w3id redirects.
_PUBLISHED = ("policykg.ttl", "codes.ttl", "shapes.ttl", "context.jsonld", "CHANGELOG.md")


def write_docs(out_dir: Path) -> Path:
    """Write index.html (terms), codes.html (code lists) and the ontology files into `out_dir`; return index.html."""
    out_dir.mkdir(parents=True, exist_ok=True)
    folder = files("policykg.ontology")
    for name in _PUBLISHED:
        (out_dir / name).write_text(folder.joinpath(name).read_text(encoding="utf-8"), encoding="utf-8")
    ontology = Graph().parse(out_dir / "policykg.ttl", format="turtle")
    index = out_dir / "index.html"
    index.write_text(_ontology_page(_own_terms(ontology)), encoding="utf-8")
    codes = Graph().parse(out_dir / "codes.ttl", format="turtle")
    (out_dir / "codes.html").write_text(_codes_page(codes), encoding="utf-8")
    return index


def _own_terms(ontology: Graph) -> Graph:
    """The ontology header and the pkg terms, without the bare declarations of external terms, labels merged.

    The declarations keep the file OWL 2 DL, but pyLODE would list eli:LegalResource and the like as if they were
    ours; links to them stay, as superclasses and ranges of our terms. pyLODE has no language choice and runs
    several labels together, so each term gets one label "English · 中文".
    """
    kept = Graph()
    for prefix, namespace in ontology.namespaces():
        kept.bind(prefix, namespace)
    roots = {s for s in ontology.subjects() if s == ONTOLOGY_IRI or str(s).startswith(PKG_NS)}
    roots.update(o for o in ontology.objects(ONTOLOGY_IRI, DCTERMS.creator) if isinstance(o, URIRef))
    for root in roots:
        for triple in _description(ontology, root):
            kept.add(triple)
    for root in roots:
        for prop in (RDFS.label, DCTERMS.title):
            labels = list(kept.objects(root, prop))
            if len(labels) > 1:
                merged = Literal(_bilingual(kept, root, prop, labels))
                kept.remove((root, prop, None))
                kept.add((root, prop, merged))
    return kept


def _bilingual(graph: Graph, node: Node, prop: URIRef, labels: list[Node]) -> str:
    en, zh = _text(graph, node, prop, "en"), _text(graph, node, prop, "zh")
    return f"{en} · {zh}" if en and zh else " · ".join(sorted(str(label) for label in labels))


def _description(graph: Graph, node: Node) -> Iterator[tuple[Node, Node, Node]]:
    """Triples about `node` and, recursively, about the blank nodes it points to (restrictions, lists)."""
    for s, p, o in graph.triples((node, None, None)):
        yield s, p, o
        if isinstance(o, BNode):
            yield from _description(graph, o)


def _ontology_page(ontology: Graph) -> str:
    """pyLODE's page, byte-identical on every run: pyLODE walks rdflib graphs whose indexes are sets (their order
    follows the per-process string hash seed) and puts class expressions in a set of HTML elements (ordered by
    memory address). So it runs in a child process with a fixed PYTHONHASHSEED, on a graph with canonical blank node
    labels built in sorted order, with those element sets sorted by their HTML."""
    canonical = Graph()
    for triple in to_canonical_graph(ontology):
        canonical.add(triple)
    triples = sorted(canonical.serialize(format="nt", encoding="utf-8").split(b"\n"))
    prefixes = sorted(f"@prefix {p}: <{n}> .".encode() for p, n in ontology.namespaces())
    child = subprocess.run([sys.executable, "-c", "from policykg.docs import _pylode_child; _pylode_child()"],
                           input=b"\n".join([*prefixes, *triples]) + b"\n", capture_output=True, check=False,
                           env={**os.environ, "PYTHONHASHSEED": "0"})
    if child.returncode != 0:
        raise RuntimeError(f"pyLODE failed: {child.stderr.decode('utf-8', 'replace').strip()[-1000:]}")
    return child.stdout.decode("utf-8")


def _pylode_child() -> None:
    """Child side of `_ontology_page`: prefixes and sorted N-Triples (Turtle) on stdin, the HTML page on stdout."""
    graph = Graph().parse(data=sys.stdin.buffer.read(), format="turtle")
    with _root_logger_kept():
        if "pylode.version" not in sys.modules:
            version = types.ModuleType("pylode.version")
            version.__version__ = metadata.version("pylode")  # type: ignore[attr-defined]
            sys.modules["pylode.version"] = version
        import pylode.utils
        from pylode import OntPub

        interleave = pylode.utils.intersperse
        pylode.utils.intersperse = lambda items, sep: interleave(sorted(items, key=str), sep)
        page = OntPub(ontology=_sorted_graph(graph), sort_subjects=True).make_html(include_css=True)
    sys.stdout.buffer.write(page.encode("utf-8"))


def _sorted_graph(graph: Graph) -> Graph:
    """The same triples, added in sorted order (rdflib keeps insertion order where it does not use sets)."""
    ordered = Graph()
    for prefix, namespace in graph.namespaces():
        ordered.bind(prefix, namespace)
    for triple in sorted(graph):
        ordered.add(triple)
    return ordered


@contextmanager
def _root_logger_kept() -> Iterator[None]:
    """Undo what pyLODE does to the root logger (basicConfig at import, module-level logging.info calls).

    Its debug and info messages are muted meanwhile; warnings still show.
    """
    root = logging.getLogger()
    level, handlers, disabled = root.level, list(root.handlers), logging.root.manager.disable
    logging.disable(max(disabled, logging.INFO))
    try:
        yield
    finally:
        logging.disable(disabled)
        root.setLevel(level)
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)


def _codes_page(codes: Graph) -> str:
    """A plain page: one table per concept scheme with notation, labels in both languages and definition."""
    title = _text(codes, URIRef("https://w3id.org/policykg/code"), DCTERMS.title) or "policykg code lists"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;width:100%;margin-bottom:2em}"
        "th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}"
        "code{font-size:90%}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        '<p>Concepts live at <code>https://w3id.org/policykg/code/{scheme}/{notation}</code>. '
        'Terms of the ontology: <a href="index.html">index.html</a>.</p>',
    ]
    for scheme in sorted(codes.subjects(RDF.type, SKOS.ConceptScheme)):
        parts.append(f'<h2 id="{html.escape(_local(scheme))}">{html.escape(_label(codes, scheme))}</h2>')
        parts.append(f"<p><code>{html.escape(str(scheme))}</code> — {html.escape(_definition(codes, scheme))}</p>")
        concepts = sorted(codes.subjects(SKOS.inScheme, scheme), key=lambda c: str(codes.value(c, SKOS.notation)))
        if not concepts:
            parts.append("<p>Its concepts are in the data graphs.</p>")
            continue
        parts.append("<table><tr><th>notation</th><th>中文</th><th>English</th><th>broader</th><th>definition</th></tr>")
        for concept in concepts:
            broader = codes.value(concept, SKOS.broader)
            notation = html.escape(str(codes.value(concept, SKOS.notation)))
            cells = (
                f'<code title="{html.escape(str(concept))}">{notation}</code>',
                html.escape(_text(codes, concept, SKOS.prefLabel, "zh")),
                html.escape(_text(codes, concept, SKOS.prefLabel, "en")),
                html.escape(str(codes.value(broader, SKOS.notation))) if broader is not None else "",
                html.escape(_definition(codes, concept)),
            )
            parts.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _text(graph: Graph, node: Node, prop: URIRef, lang: str = "en") -> str:
    values = [o for o in graph.objects(node, prop) if isinstance(o, Literal)]
    for value in sorted(values):
        if value.language == lang:
            return str(value)
    return str(values[0]) if values else ""


def _label(graph: Graph, node: Node) -> str:
    en, zh = _text(graph, node, SKOS.prefLabel, "en"), _text(graph, node, SKOS.prefLabel, "zh")
    return f"{en} · {zh}" if zh and zh != en else en or _local(node)


def _definition(graph: Graph, node: Node) -> str:
    return _text(graph, node, SKOS.definition, "en")


def _local(node: Node) -> str:
    return str(node).rstrip("/").rsplit("/", 1)[-1]

