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
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import URIRef

from policykg.dumps import (
    GraphDump,
    Piece,
    SharedGraph,
    Spool,
    dump_graph,
    jsonld_graph,
    jsonld_nodes,
    jsonld_nodes_text,
    piece_chunks,
)
from policykg.graph import emit
from policykg.graph.emit_links import prepare
from policykg.graph.model import BuildIssue, Gap, Jurisdiction, TaskLink
from policykg.graph_cache import GraphCache
from policykg.perfile import pipeline_digest
from policykg.persource import (
    SourceCache,
    SourceJob,
    SourceOutput,
    agency_keys,
    job_key,
    job_salt,
    make_outputs,
    merged_tables,
    own_key,
)
from policykg.quadset import QuadSet, rdflib_term
from policykg.rdfterms import readable_prefixes, sorted_nquads

if TYPE_CHECKING:
    from policykg.build import Corpus, Pipeline
    from policykg.graph.shacl import Violation


@dataclass
class BuiltGraphs:
    pieces: list[Piece]  # every named graph, in IRI order, for policykg.dumps.write_dumps
    prefixes: dict[str, str]
    violations: list[Violation] = field(default_factory=list)
    tables: dict[str, tuple[list[str], list[tuple[str | None, ...]]]] = field(default_factory=dict)  # tasks.csv…
    jobs_made: int = 0  # source jobs not found in the cache


def dataset_prefixes(base: str) -> dict[str, str]:
    return readable_prefixes(QuadSet({**{p: str(n) for p, n in emit.PREFIXES.items()}, "id": base}))


def source_jobs(corpus: Corpus, emitter: emit.Emitter, version: str) -> list[SourceJob]:
    """One job per source, with the task links from its tasks and the gaps of its documents, their far ends quoted
    here (every document is at hand), so a job carries its own documents only."""
    prefixes = dataset_prefixes(emitter.base)
    by_key = {doc.key: doc for doc in corpus.documents}
    for doc in corpus.documents:
        emitter.name_parts(doc)
    links: dict[str, list[TaskLink]] = {}
    for link in corpus.links:
        links.setdefault(link.source[0], []).append(link)
    gaps: dict[str, list[Gap]] = {}
    for gap in corpus.gaps:
        gaps.setdefault(gap.lower, []).append(gap)
    files: dict[str, list[tuple[Any, Any, Any]]] = {}
    for source, _ in corpus.sources:
        files[str(emitter.source_iri(source))] = list(emitter.source_file(source))
    salt = job_salt(pipeline_digest(), emitter.base, version)
    jobs: list[SourceJob] = []
    for source, docs in corpus.sources:
        facts = prepare(emitter, by_key, [k for d in docs for k in links.get(d.key, [])],
                        [g for d in docs for g in gaps.get(d.key, [])])
        own = str(emitter.source_iri(source))
        quoted = sorted({str(f.end.quote.source) for f in facts} - {own})
        agencies = {k: corpus.agencies[k] for k in sorted(agency_keys(docs)) if k in corpus.agencies}
        job = SourceJob("", source, docs, agencies, emitter.base, version, prefixes, facts,
                        [t for iri in quoted for t in files.get(iri, [])])
        job.own_key = own_key(salt, job)
        job.key = job_key(job)
        jobs.append(job)
    return jobs


def build_graphs(corpus: Corpus, pipeline: Pipeline, base: str, version: str, spool: Path, *, processes: int = 1,
                 cache_root: Path | None = None, issues: list[BuildIssue],
                 progress: Callable[[str, int, int], None] | None = None) -> BuiltGraphs:
    """Every named graph of the build, written (source graphs spooled to files in `spool`, in graph-IRI order, as
    they come); a source whose graph cannot be made is its file's error and is left out (with its documents)."""
    from policykg.build import ontology_graph
    from policykg.graph.shacl import _order, validate_graphs

    emitter = emit.Emitter(base, pipeline.vocab, pipeline.parent_of)
    jobs = sorted(source_jobs(corpus, emitter, version), key=lambda job: str(emitter.graph_iri(job.source)))
    cache = SourceCache(cache_root / "source") if cache_root is not None else None
    sources, shares = Spool(spool, "sources"), Spool(spool, "derived")
    kept: set[str] = set()
    used: set[str] = set()
    places: dict[str, Jurisdiction] = {}
    lines: set[bytes] = set()
    found: set[Violation] = set()
    rows: list[SourceOutput] = []
    try:
        for output in make_outputs(jobs, pipeline, processes=processes, cache=cache, progress=progress):
            if output.error is not None or output.dump is None:
                issues.append(BuildIssue(output.name, output.error or "", "error"))
                continue
            kept.add(output.name)
            sources.add(output.dump)
            for share in [*output.shares, *([output.links] if output.links is not None else [])]:
                shares.add(share)
            used.update(output.agencies)
            places.update(output.places)
            lines.update(line for line in output.agency_rules.split(b"\n") if line.strip())
            found.update(output.violations + output.link_violations)
            output.dump, output.shares, output.links = None, [], None  # written: only the tables stay
            rows.append(output)
    finally:
        sources.close()
        shares.close()
    corpus.sources = [(source, docs) for source, docs in corpus.sources if source.file_name in kept]

    prefixes = dataset_prefixes(base)
    json_cache = GraphCache(cache_root / "jsonld-text") if cache_root is not None else None
    shared = emitter.emit_shared(corpus.agencies, used, places, version)
    ontology = ontology_graph(base)
    whole = QuadSet()
    whole.add(shared.identifier, shared)
    whole.add(ontology.identifier, ontology)
    derived = URIRef(f"{base}graph/derived")
    agency_rules = list(ox.parse(b"\n".join(sorted(lines)), format=ox.RdfFormat.N_QUADS)) if lines else []
    whole.add(derived, [(rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object))
                        for q in agency_rules])
    checked = validate_graphs(whole, GraphCache(cache_root / "shacl") if cache_root is not None else None)
    rest = dump_graph(str(derived), agency_rules, prefixes, _nodes_text(whole, derived, json_cache))
    main: list[Piece] = [_dump(whole, iri, prefixes, json_cache) for iri in (shared.identifier, ontology.identifier)]
    main.append(SharedGraph(str(derived), shares, [rest]))
    pieces = [*sorted(main, key=lambda p: p.graph), sources]  # graph/agencies, derived, ontology, then source/…
    violations = sorted(found | set(checked), key=_order)
    made = cache.made if cache is not None else len(jobs)
    if cache is not None:
        cache.prune(jobs)
    return BuiltGraphs(pieces, prefixes, violations, merged_tables(rows), made)


def _dump(data: QuadSet, iri: URIRef, prefixes: dict[str, str], cache: GraphCache | None) -> GraphDump:
    one = QuadSet()
    one.add(iri, data.graphs[iri])
    text = _cached_text(cache, "graph", data.graphs[iri],
                        lambda triples: jsonld_graph(str(iri), jsonld_nodes(str(iri), triples)))
    return dump_graph(str(iri), one.quads(), prefixes, text)


def _nodes_text(data: QuadSet, iri: URIRef, cache: GraphCache | None) -> str:
    return _cached_text(cache, "nodes", data.graphs[iri],
                        lambda triples: jsonld_nodes_text(jsonld_nodes(str(iri), triples)))


def _cached_text(cache: GraphCache | None, kind: str, triples: list[Any], make: Callable[[list[Any]], str]) -> str:
    """JSON-LD text of some triples (`kind`: a whole graph object, or nodes of a shared graph), cached by content."""
    if not triples:
        return make(triples)
    key = f"{kind}-{cache.key(triples)}" if cache is not None else None
    text = cache.get(key) if cache is not None and key else None
    if not isinstance(text, str):  # absent, or written by an older policykg
        text = make(triples)
        if cache is not None and key:
            cache.put(key, text)
    return text


def add_inferred(built: BuiltGraphs, inferred: list[tuple[object, object, object]], base: str) -> None:
    """HermiT's conclusions (`--reason full`) that the rules did not draw: one more share of graph/derived."""
    if not inferred:  # HermiT on the ontology alone: nothing about the data
        return
    derived = f"{base}graph/derived"
    graph = next(p for p in built.pieces if isinstance(p, SharedGraph) and p.graph == derived)
    data = QuadSet()
    data.add(URIRef(derived), inferred)  # type: ignore[arg-type]
    unknown = {sorted_nquads([q]).rstrip(b"\n"): q for q in data.quads()}
    carried = b""  # graph/derived is read a MiB at a time (the whole of it took 850 MB at 1,000 documents)
    for chunk in graph.chunks("nquads"):
        *lines, carried = (carried + chunk).split(b"\n")
        for line in lines:
            unknown.pop(line, None)
    unknown.pop(carried, None)
    fresh = list(unknown.values())
    if fresh:
        graph.rest.append(dump_graph(derived, fresh, built.prefixes, jsonld_nodes_text(jsonld_nodes(derived, [
            (rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)) for q in fresh]))))


def nquads_of(built: BuiltGraphs) -> bytes:
    """All the build's N-Quads in memory (for `--reason full`, which sends them to HermiT)."""
    return b"".join(chunk for piece in built.pieces for chunk in piece_chunks(piece, "nquads"))
