"""Each source graph emitted, checked, ruled over and serialized on its own: cached, and run on all cores.

After the cross-document steps, everything about one source's named graph depends only on that source's documents
(as the links between documents left them) and the agencies they name. So one job per source does, in a worker:
emit the graph (graph/emit.py), run the SHACL shapes over it with the descriptions of what it points at (as
`validate_graphs` does for a whole build), run the SPARQL rules over it (their conclusions go to `graph/derived`; a
rule never joins two sources), and write its pieces of every dump (policykg/dumps.py). The result is cached under a
key of all it depends on — the file, the pipeline's code and data, the documents' cross-document state, the merged
agencies —, so a rebuild after one file changed redoes that file's job only. The main process never holds a source's
triples as Python objects.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from policykg.dumps import GraphDump, dump_graph, jsonld_graph, jsonld_nodes, jsonld_nodes_text
from policykg.graph.emit_links import LinkFacts
from policykg.graph.model import Agency, Document, Gap, Jurisdiction, SourceText, TaskLink
from policykg.graph.worker import solutions
from policykg.isolate import one_line
from policykg.pool import cached_map, init_worker, worker_pipeline, write_pickle
from policykg.quadset import QuadSet, rdflib_term
from policykg.rdfterms import check_triples, sorted_nquads

if TYPE_CHECKING:
    from policykg.build import Pipeline
    from policykg.graph.validate import Violation


@dataclass
class SourceJob:
    """What one source's graph is made from."""

    key: str  # the cache key (`job_key`)
    source: SourceText
    documents: list[Document]
    agencies: dict[str, Agency]  # the merged agencies its documents name
    base: str
    version: str
    prefixes: dict[str, str]  # of the TriG and Turtle dumps
    links: list[LinkFacts] = field(default_factory=list)  # task links from its tasks, gaps of its documents
    files: list[tuple[Node, Node, Node]] = field(default_factory=list)  # the other source files they quote


@dataclass
class SourceOutput:
    """One source's graph, written, with what it derives and what SHACL said of it."""

    name: str  # file name
    dump: GraphDump | None
    derived: GraphDump | None = None  # its share of graph/derived: its links, gaps and what the rules drew
    agency_rules: bytes = b""  # rule conclusions about agencies (LeadAgency…), which several sources may draw
    violations: list[Violation] = field(default_factory=list)
    tables: dict[str, tuple[list[str], list[tuple[str | None, ...]]]] = field(default_factory=dict)  # its rows
    agencies: list[str] = field(default_factory=list)  # keys it refers to (described in graph/agencies)
    places: dict[str, Jurisdiction] = field(default_factory=dict)
    error: str | None = None  # why it could not be emitted (the file is then left out)


@cache
def source_tables() -> dict[str, str]:
    """The tables a build writes (tasks.csv, responsibilities.csv): queries ordered by source file first, so each
    source's rows, from its own graph and the agencies it names, are that source's run of the corpus-wide table."""
    from policykg.query import load_queries

    queries = load_queries()
    return {name: queries[name].text for name in ("fengong", "responsibilities")}


def agency_keys(documents: list[Document]) -> set[str]:
    """Every agency key the documents refer to (issuers, responsibilities, duties, reported issuers)."""
    keys: set[str] = set()
    for doc in documents:
        keys.update(doc.issuer_keys)
        if doc.reported is not None:
            keys.update(doc.reported.issuer_keys)
        for duty in doc.duties + [d for t in doc.tasks for d in t.duties]:
            keys.add(duty.agent_key)
            keys.update(duty.partner_keys)
        for task in doc.tasks:
            keys.update(r.agency_key for r in task.responsibilities)
    return keys


def job_salt(pipeline_digest: str, base: str, version: str) -> bytes:
    """What every job's output depends on besides its own inputs: code, data files (ontology and shapes included),
    base IRI, and the libraries that write and check."""
    libraries = "/".join(metadata.version(name) for name in ("pyoxigraph", "pyshacl", "pyshacl-turbo", "rdflib"))
    tables = "\0".join(source_tables().values())
    return f"{pipeline_digest}\0{base}\0{version}\0{libraries}\0{tables}".encode()


def job_key(salt: bytes, job: SourceJob) -> str:
    """The cache key of a source's job: its file (name, bytes' digest), the state the cross-document steps gave its
    documents (keys made unique, links to other documents, what a report reports on), the merged agencies, its task
    links and gaps, and the files of the documents they point into."""
    state = [(d.key, repr(d.links), repr(d.reported), d.report_kind) for d in job.documents]
    named = [(a.key, a.name, repr(a.jurisdiction), a.kind, a.resolved, sorted(a.aliases))
             for _, a in sorted(job.agencies.items())]
    links = [(_link_state(f.link), _gap_state(f.gap), str(f.end.part), repr(f.end.quote)) for f in job.links]
    files = sorted(" ".join(term.n3() for term in triple) for triple in job.files)
    digest = hashlib.sha256(salt)  # repr, not pickle: a pickle also encodes which objects are shared
    digest.update(repr((job.source.file_name, job.source.sha256, state, named, links, files)).encode())
    return digest.hexdigest()


def _link_state(link: TaskLink | None) -> tuple[object, ...]:
    if link is None:
        return ()
    return (link.relation, link.source[0], link.source[1].path_id, link.source[1].span, link.target[0],
            link.target[1].path_id, link.score, link.method, link.source_span, link.target_span)


def _gap_state(gap: Gap | None) -> tuple[object, ...]:
    return () if gap is None else (gap.lower, gap.higher, gap.item.path_id, gap.measure, gap.nearest, gap.score)


def make_output(job: SourceJob, pipeline: Pipeline) -> SourceOutput:
    """emit → SHACL → rules → dumps for one source; a failure is that file's error, never the corpus's."""
    from policykg.graph.emit import Emitter
    from policykg.graph.emit_links import link_triples
    from policykg.graph.rules import apply_rules
    from policykg.graph.validate import validate_store

    derived = URIRef(f"{job.base}graph/derived")
    try:
        emitter = Emitter(job.base, pipeline.vocab, pipeline.parent_of)
        graph = emitter.emit_source(job.source, job.documents, job.agencies, job.version)
        links = link_triples(emitter, job.documents, job.links)
        check_triples(graph)
        check_triples(links)
    except Exception as exc:  # one bad document must not stop the corpus
        return SourceOutput(job.source.file_name, None, error=f"无法生成 RDF：{one_line(exc)}")
    shared = emitter.emit_shared(job.agencies, graph.agencies, graph.places, job.version)
    data = QuadSet()
    data.add(graph.identifier, graph)
    data.add(shared.identifier, shared)  # what the graph points at: context of the rules and the shapes
    emitted = data.quads()
    store = ox.Store()
    store.extend(emitted)
    apply_rules(store, str(derived))
    own = {str(emitter.doc_iri(doc.key)) for doc in job.documents}
    drawn = list(store.quads_for_pattern(None, None, None, ox.NamedNode(str(derived))))
    local = [q for q in drawn if _within(q.subject, own)]
    agency_rules = [q for q in drawn if not _within(q.subject, own)]
    data.add(derived, list(links) + [(rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object))
                                     for q in local])
    shared_out = data.quads([derived])
    store.extend(shared_out)
    tables = {name: solutions(store, text) for name, text in source_tables().items()}
    store.extend(ox.Quad(*map(data.term, triple)) for triple in job.files)  # other files: where link evidence points
    violations = validate_store(store)
    quads = emitted + shared_out
    source_iri, derived_iri = ox.NamedNode(str(graph.identifier)), ox.NamedNode(str(derived))
    dump = dump_graph(str(graph.identifier), [q for q in quads if q.graph_name == source_iri], job.prefixes,
                      jsonld_graph(str(graph.identifier), jsonld_nodes(str(graph.identifier), list(graph))))
    share = dump_graph(str(derived), [q for q in quads if q.graph_name == derived_iri], job.prefixes,
                       jsonld_nodes_text(jsonld_nodes(str(derived), data.graphs[derived])))
    return SourceOutput(job.source.file_name, dump, share, sorted_nquads(agency_rules), violations, tables,
                        sorted(graph.agencies), dict(sorted(graph.places.items())))


def _within(subject: object, documents: set[str]) -> bool:
    """Whether an IRI is a document of `documents` or one of its parts (…/doc/k/x/part/…)."""
    value = getattr(subject, "value", "")
    return any(value == d or value.startswith(d + "/") for d in documents)


class SourceCache:
    """Pickled SourceOutputs by job key, in a folder beside the output folder; a damaged entry is made again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made = 0  # outputs made in this build (the others were read from the folder)

    def has(self, key: str) -> bool:
        return (self.folder / f"{key}.pickle").is_file()

    def get(self, key: str) -> SourceOutput | None:
        try:
            found = pickle.loads((self.folder / f"{key}.pickle").read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            found = None
        return found if isinstance(found, SourceOutput) else None

    def put(self, key: str, output: SourceOutput) -> None:
        if output.error is not None:
            return
        write_pickle(self.folder / f"{key}.pickle", output)


def _work(job: SourceJob) -> SourceOutput:
    return make_output(job, worker_pipeline())


def merged_tables(outputs: list[SourceOutput]) -> dict[str, tuple[list[str], list[tuple[str | None, ...]]]]:
    """The corpus-wide tables: each source's rows, sources in file-name order (the tables' first sort key)."""
    merged: dict[str, tuple[list[str], list[tuple[str | None, ...]]]] = {}
    for name, text in source_tables().items():
        columns = solutions(ox.Store(), text)[0]
        merged[name] = (columns, [row for o in sorted(outputs, key=lambda o: o.name) for row in o.tables[name][1]])
    return merged


def make_outputs(jobs: list[SourceJob], pipeline: Pipeline, *, processes: int = 1, cache: SourceCache | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> Iterator[SourceOutput]:
    """Every job's output, in job order: from the cache, else made (on `processes` workers when > 1)."""
    known = [cache is not None and cache.has(job.key) for job in jobs]

    def made(job: SourceJob, output: SourceOutput) -> None:
        if cache is not None:
            cache.made += 1
            cache.put(job.key, output)

    # one job at a time: a chunk's outputs (≈3 MB each) would wait in memory together
    outputs = cached_map(jobs, lambda job: cache.get(job.key) if cache is not None else None, known,
                         lambda job: make_output(job, pipeline), _work, processes=processes,
                         initializer=init_worker, made=made)
    for n, (job, output) in enumerate(zip(jobs, outputs, strict=True), start=1):
        if progress:
            progress(job.source.file_name, n, len(jobs))
        yield output
