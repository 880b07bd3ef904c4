"""What researchers type into `policykg sparql`: any query form (SELECT, ASK, CONSTRUCT, DESCRIBE) with the
project's prefixes (pkg:, eli:, oa: …, read from the published ontology/context.jsonld) declared for them.

SELECT goes through the store's own `select` (bound parameters, time limit, SERVICE guard); the other forms are
run on a read-only pyoxigraph store over the same folder, or sent to the endpoint, with the same SERVICE guard.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

import pyoxigraph as ox

from policykg.graph.guard import check_service
from policykg.graph.store import EmbeddedStore, GraphStore, RemoteStore

__all__ = ["GraphAnswer", "project_prefixes", "query_form", "run_graph_form", "with_prefixes"]

_IRI = re.compile(r"<[^<>\s]*>")
_COMMENT = re.compile(r"#[^\n]*")
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+[\w.-]*:\s*<>|BASE\s*<>)\s*)*", re.IGNORECASE)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


@cache
def project_prefixes() -> dict[str, str]:
    """prefix → namespace of the project's published JSON-LD context, plus rdf."""
    context = json.loads(resources.files("policykg.ontology").joinpath("context.jsonld").read_text("utf-8"))
    found = {k: v for k, v in context["@context"].items()
             if isinstance(v, str) and not k.startswith("@") and v.endswith(("#", "/"))}
    found.setdefault("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#")
    return dict(sorted(found.items()))


def with_prefixes(query: str) -> str:
    """The query with a PREFIX line for every project prefix it uses and does not declare itself."""
    body = _COMMENT.sub("", _IRI.sub("<>", query))  # a # inside <…#> is not a comment
    declared = {m.group(1) or "" for m in _DECLARED.finditer(body)}
    used = [p for p, ns in project_prefixes().items()
            if p not in declared and re.search(rf"(?<![\w:<]){re.escape(p)}:", body)]
    head = "".join(f"PREFIX {p}: <{project_prefixes()[p]}>\n" for p in used)
    return head + query


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue (comments left out)."""
    body = _PROLOGUE.sub("", _COMMENT.sub("", _IRI.sub("<>", query)))
    match = _FORM.search(body)
    return match.group(1).upper() if match else "SELECT"


class GraphAnswer:
    """The answer of an ASK (a boolean) or of a CONSTRUCT / DESCRIBE (triples as sorted N-Triples)."""

    def __init__(self, boolean: bool | None = None, ntriples: str = "") -> None:
        self.boolean = boolean
        self.ntriples = ntriples


def run_graph_form(store: GraphStore, query: str) -> GraphAnswer:
    """Run an ASK, CONSTRUCT or DESCRIBE on the embedded store's folder or on the endpoint."""
    if isinstance(store, EmbeddedStore):
        check_service(query, store.allow_service)
        local = ox.Store.read_only(str(store.path))
        result = local.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            return GraphAnswer(bool(result))
        lines = sorted({f"{t.subject} {t.predicate} {t.object} ." for t in result})
        return GraphAnswer(None, "".join(line + "\n" for line in lines))
    if isinstance(store, RemoteStore):
        return _remote(store, query)
    raise TypeError(f"no way to run {query_form(query)} on {type(store).__name__}")


def _remote(store: RemoteStore, query: str) -> GraphAnswer:
    from SPARQLWrapper import JSON, N3, SPARQLWrapper

    sparql = SPARQLWrapper(store.endpoint, agent="policykg")
    sparql.setTimeout(max(1, round(store.timeout)))
    sparql.setOnlyConneg(True)
    for graph in store.default_graphs:
        sparql.addDefaultGraph(graph)
    sparql.setQuery(query)
    form = query_form(query)
    if form == "ASK":
        sparql.setReturnFormat(JSON)
        return GraphAnswer(bool(sparql.queryAndConvert()["boolean"]))
    sparql.setReturnFormat(N3)
    from rdflib import Graph

    graph = Graph()
    raw = sparql.query().response.read()
    graph.parse(data=raw.decode("utf-8"), format="turtle")
    lines = sorted(set(graph.serialize(format="nt").splitlines()) - {""})
    return GraphAnswer(None, "".join(line + "\n" for line in lines))
