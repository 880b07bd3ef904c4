"""The build's named graphs, written: one job per source (policykg/persource.py), then the graphs only the whole
corpus gives — the ontology, `graph/agencies` (every agency and place described once) and the rule conclusions about
agencies, which several sources may draw — and `graph/derived` put together from every source's share.

`assemble` in policykg/build.py makes the same graphs as rdflib triples in one process: the reference the tests
compare this with, and what `--reason full` and small callers use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import URIRef

from policykg.dumps import GraphDump, dump_graph, jsonld_graph, jsonld_nodes, jsonld_nodes_text
from policykg.graph import emit
from policykg.graph.model import BuildIssue, Document, Gap, TaskLink
from policykg.graph_cache import GraphCache
from policykg.perfile import pipeline_digest
from policykg.persource import SourceCache, SourceJob, SourceOutput, agency_keys, job_key, job_salt, make_outputs
from policykg.quadset import QuadSet, rdflib_term
from policykg.rdfterms import readable_prefixes, sorted_nquads

if TYPE_CHECKING:
    from policykg.build import Corpus, Pipeline
    from policykg.graph.validate import Violation


@dataclass
class BuiltGraphs:
    dumps: list[GraphDump]  # every named graph, ready for policykg.dumps.write_dumps
    prefixes: dict[str, str]
    violations: list[Violation] = field(default_factory=list)
    jobs_made: int = 0  # source jobs not found in the cache


def dataset_prefixes(base: str) -> dict[str, str]:
    return readable_prefixes(QuadSet({**{p: str(n) for p, n in emit.PREFIXES.items()}, "id": base}))


def source_jobs(corpus: Corpus, base: str, version: str) -> list[SourceJob]:
    """One job per source, with the task links and gaps of its documents and the documents they point into."""
    prefixes = dataset_prefixes(base)
    by_key = {doc.key: doc for doc in corpus.documents}
    links: dict[str, list[TaskLink]] = {}
    for link in corpus.links:
        links.setdefault(link.source[0], []).append(link)
    gaps: dict[str, list[Gap]] = {}
    for gap in corpus.gaps:
        gaps.setdefault(gap.lower, []).append(gap)
    salt = job_salt(pipeline_digest(), base, version)
    jobs: list[SourceJob] = []
    for source, docs in corpus.sources:
        keys = {doc.key for doc in docs}
        own_links = [k for doc in docs for k in links.get(doc.key, [])]
        own_gaps = [g for doc in docs for g in gaps.get(doc.key, [])]
        pointed = [k.target[0] for k in own_links] + [g.higher for g in own_gaps]
        others: list[Document] = [by_key[key] for key in dict.fromkeys(pointed) if key not in keys]
        agencies = {k: corpus.agencies[k] for k in sorted(agency_keys(docs)) if k in corpus.agencies}
        job = SourceJob("", source, docs, agencies, base, version, prefixes, own_links, own_gaps, others)
        job.key = job_key(salt, job)
        jobs.append(job)
    return jobs


def build_graphs(corpus: Corpus, pipeline: Pipeline, base: str, version: str, *, processes: int = 1,
                 cache_root: Path | None = None, issues: list[BuildIssue],
                 progress: Callable[[str, int, int], None] | None = None) -> BuiltGraphs:
    """Every named graph of the build, written; a source whose graph cannot be made is its file's error and is left
    out (with its documents)."""
    from policykg.build import ontology_graph
    from policykg.graph.validate import _order, validate_graphs

    jobs = source_jobs(corpus, base, version)
    cache = SourceCache(cache_root / "source") if cache_root is not None else None
    outputs: list[SourceOutput] = []
    for output in make_outputs(jobs, pipeline, processes=processes, cache=cache, progress=progress):
        if output.error is not None:
            issues.append(BuildIssue(output.name, output.error, "error"))
        else:
            outputs.append(output)
    kept = {output.name for output in outputs}
    corpus.sources = [(source, docs) for source, docs in corpus.sources if source.file_name in kept]

    prefixes = dataset_prefixes(base)
    emitter = emit.Emitter(base, pipeline.vocab, pipeline.parent_of)
    json_cache = GraphCache(cache_root / "jsonld") if cache_root is not None else None
    used = {key for output in outputs for key in output.agencies}
    places = {code: place for output in outputs for code, place in output.places.items()}
    shared = emitter.emit_shared(corpus.agencies, used, places, version)
    ontology = ontology_graph(base)
    whole = QuadSet()
    whole.add(shared.identifier, shared)
    whole.add(ontology.identifier, ontology)
    dumps = [_dump(whole, iri, prefixes, json_cache) for iri in (ontology.identifier, shared.identifier)]

    derived = URIRef(f"{base}graph/derived")
    lines = sorted({line for o in outputs for line in o.agency_rules.split(b"\n") if line.strip()})
    agency_rules = list(ox.parse(b"\n".join(lines), format=ox.RdfFormat.N_QUADS)) if lines else []
    whole.add(derived, [(rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object))
                        for q in agency_rules])
    checked = validate_graphs(whole, GraphCache(cache_root / "shacl") if cache_root is not None else None)
    rest = dump_graph(str(derived), agency_rules, prefixes, _nodes_text(whole, derived, json_cache))
    shares = [o.derived for o in outputs if o.derived is not None] + [rest]
    dumps.append(GraphDump(
        str(derived), b"".join(s.nquads for s in shares),
        f"<{derived}> {{\n".encode() + b"".join(s.turtle for s in shares) + b"}\n",
        b"".join(s.turtle for s in shares), jsonld_graph(str(derived), texts=[s.jsonld for s in shares])))
    dumps.extend(o.dump for o in outputs if o.dump is not None)
    violations = sorted({v for o in outputs for v in o.violations} | set(checked), key=_order)
    return BuiltGraphs(dumps, prefixes, violations, cache.misses if cache is not None else len(jobs))


def _dump(data: QuadSet, iri: URIRef, prefixes: dict[str, str], cache: GraphCache | None) -> GraphDump:
    one = QuadSet()
    one.add(iri, data.graphs[iri])
    triples = data.graphs[iri]
    key = cache.key(triples) if cache is not None else None
    text = cache.get(key) if cache is not None and key else None
    if text is None:
        text = jsonld_graph(str(iri), jsonld_nodes(str(iri), triples))
        if cache is not None and key:
            cache.put(key, text)
    return dump_graph(str(iri), one.quads(), prefixes, text)


def _nodes_text(data: QuadSet, iri: URIRef, cache: GraphCache | None) -> str:
    triples = data.graphs[iri]
    key = cache.key(triples) if cache is not None and triples else None
    text = cache.get(key) if cache is not None and key else None
    if text is None:
        text = jsonld_nodes_text(jsonld_nodes(str(iri), triples)) if triples else ""
        if cache is not None and key:
            cache.put(key, text)
    return text


def add_inferred(built: BuiltGraphs, inferred: list[tuple[object, object, object]], base: str) -> None:
    """HermiT's conclusions (`--reason full`) that the rules did not draw: one more share of graph/derived."""
    derived = f"{base}graph/derived"
    graph = next(d for d in built.dumps if d.graph == derived)
    known = set(graph.nquads.split(b"\n"))
    data = QuadSet()
    data.add(URIRef(derived), inferred)  # type: ignore[arg-type]
    fresh = [q for q in data.quads() if sorted_nquads([q]).rstrip(b"\n") not in known]
    if not fresh:
        return
    extra = dump_graph(derived, fresh, built.prefixes, jsonld_nodes_text(jsonld_nodes(derived, [
        (rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)) for q in fresh])))
    graph.nquads += extra.nquads
    graph.trig = graph.trig[: -len(b"}\n")] + extra.turtle + b"}\n"
    graph.turtle += extra.turtle
    graph.jsonld = graph.jsonld[: graph.jsonld.rindex("\n   ]")] + ",\n" + extra.jsonld + graph.jsonld[
        graph.jsonld.rindex("\n   ]"):]
