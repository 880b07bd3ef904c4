"""Each source graph emitted, checked, ruled over and serialized on its own: cached, and run on all cores.

After the cross-document steps, everything about one source's named graph depends only on that source's documents
(as the links between documents left them) and the agencies they name. So one job per source does, in a worker:
emit the graph (graph/emit.py), run the SHACL shapes over it with the descriptions of what it points at (as
`validate_graphs` does for a whole build), run the SPARQL rules over it (their conclusions go to `graph/derived`; a
rule never joins two sources), and write its pieces of every dump (policykg/dumps.py). The result is cached in two
parts: what the source's own graph gives (its graph, the rules' conclusions, the tables, the dumps), under a key of
the file, the pipeline's code and data, the documents' cross-document state and the merged agencies; and its task
links and gaps, under a key of those too. A changed document moves the corpus-wide IDF and so every link score, but
no other source's own part: a rebuild after one file changed redoes that file's job and every source's links only.
The main process never holds a source's triples as Python objects.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache, partial
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
    from policykg.graph.emit import Emitter, Triples
    from policykg.graph.shacl import Violation


@dataclass
class SourceJob:
    """What one source's graph is made from."""

    key: str  # the cache key of its whole output (`job_key`)
    source: SourceText
    documents: list[Document]
    agencies: dict[str, Agency]  # the merged agencies its documents name
    base: str
    version: str
    prefixes: dict[str, str]  # of the TriG and Turtle dumps
    links: list[LinkFacts] = field(default_factory=list)  # task links from its tasks, gaps of its documents
    files: list[tuple[Node, Node, Node]] = field(default_factory=list)  # the other source files they quote
    own_key: str = ""  # the cache key of what does not depend on its links and gaps (`own_key`)


@dataclass
class SourceOutput:
    """One source's graph, written, with what it derives and what SHACL said of it: its own part (cached under the
    job's `own_key`) and its `links` (cached under the job's `key`)."""

    name: str  # file name
    dump: GraphDump | None
    shares: list[GraphDump] = field(default_factory=list)  # of graph/derived: what the rules drew from it
    agency_rules: bytes = b""  # rule conclusions about agencies (LeadAgency…), which several sources may draw
    violations: list[Violation] = field(default_factory=list)
    tables: dict[str, tuple[list[str], list[tuple[str | None, ...]]]] = field(default_factory=dict)  # its rows
    agencies: list[str] = field(default_factory=list)  # keys it refers to (described in graph/agencies)
    places: dict[str, Jurisdiction] = field(default_factory=dict)
    error: str | None = None  # why it could not be emitted (the file is then left out)
    own_made: bool = False  # its own part was made for it (not read from the cache)
    links: GraphDump | None = None  # its share of graph/derived with its task links and gaps
    link_violations: list[Violation] = field(default_factory=list)


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


def own_key(salt: bytes, job: SourceJob) -> str:
    """The cache key of a source's own part: its file (name, bytes' digest), the state the cross-document steps gave
    its documents (keys made unique, links to other documents, what a report reports on), the merged agencies."""
    state = [(d.key, repr(d.links), repr(d.reported), d.report_kind) for d in job.documents]
    named = [(a.key, a.name, repr(a.jurisdiction), a.kind, a.resolved, sorted(a.aliases))
             for _, a in sorted(job.agencies.items())]
    digest = hashlib.sha256(salt)  # repr, not pickle: a pickle also encodes which objects are shared
    digest.update(repr((job.source.file_name, job.source.sha256, state, named)).encode())
    return digest.hexdigest()


def job_key(job: SourceJob) -> str:
    """The cache key of a source's whole job: its own part's key, its task links and gaps, and the files of the
    documents they point into."""
    links = [(_link_state(f.link), _gap_state(f.gap), str(f.end.part), repr(f.end.quote)) for f in job.links]
    files = sorted(" ".join(term.n3() for term in triple) for triple in job.files)
    return hashlib.sha256(repr((job.own_key, links, files)).encode()).hexdigest()


def _link_state(link: TaskLink | None) -> tuple[object, ...]:
    if link is None:
        return ()
    return (link.relation, link.source[0], link.source[1].path_id, link.source[1].span, link.target[0],
            link.target[1].path_id, link.score, link.method, link.source_span, link.target_span)


def _gap_state(gap: Gap | None) -> tuple[object, ...]:
    return () if gap is None else (gap.lower, gap.higher, gap.item.path_id, gap.measure, gap.nearest, gap.score)


def make_output(job: SourceJob, pipeline: Pipeline, cache: SourceCache | None = None) -> SourceOutput:
    """emit → rules → SHACL → dumps for one source (or its own part from the `cache`), then its links and gaps; a
    failure is that file's error, never the corpus's."""
    from policykg.graph.emit import Emitter
    from policykg.graph.emit_links import link_triples

    emitter = Emitter(job.base, pipeline.vocab, pipeline.parent_of)
    own = cache.own(job.own_key) if cache is not None else None
    made = own is None
    if own is None:
        own = make_own(job, emitter)
        if cache is not None:
            cache.put_own(job.own_key, own)
    else:
        for doc in job.documents:
            emitter.name_parts(doc)  # the IRIs of its parts, as its emission named them
    if own.error is not None:
        return own
    try:
        links = link_triples(emitter, job.documents, job.links)
        check_triples(links)
    except Exception as exc:  # one bad document must not stop the corpus
        return SourceOutput(job.source.file_name, None, error=f"无法生成 RDF：{one_line(exc)}")
    share, violations = _links_share(job, emitter, links) if links else (None, [])
    return replace(own, own_made=made, links=share, link_violations=violations)


def make_own(job: SourceJob, emitter: Emitter) -> SourceOutput:
    """A source's own part: its graph, what the rules draw from it, its SHACL results, its rows of the tables."""
    from policykg.graph.rules import apply_rules
    from policykg.graph.shacl import validate_store

    derived = URIRef(f"{job.base}graph/derived")
    try:
        graph = emitter.emit_source(job.source, job.documents, job.agencies, job.version)
        check_triples(graph)
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
    tables = {name: solutions(store, text) for name, text in source_tables().items()}
    violations = validate_store(store)
    source_iri = ox.NamedNode(str(graph.identifier))
    dump = dump_graph(str(graph.identifier), [q for q in emitted if q.graph_name == source_iri], job.prefixes,
                      jsonld_graph(str(graph.identifier), jsonld_nodes(str(graph.identifier), list(graph))))
    shares = [dump_graph(str(derived), local, job.prefixes, jsonld_nodes_text(jsonld_nodes(str(derived), [
        (rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)) for q in local])))] if local else []
    return SourceOutput(job.source.file_name, dump, shares, sorted_nquads(agency_rules), violations, tables,
                        sorted(graph.agencies), dict(sorted(graph.places.items())))


def _links_share(job: SourceJob, emitter: Emitter, links: Triples) -> tuple[GraphDump, list[Violation]]:
    """A source's task links and gaps in graph/derived, checked with the source files their evidence points into
    (its own and those of `job.files`)."""
    from policykg.graph.shacl import validate_store

    derived = str(links.identifier)
    data = QuadSet()
    data.add(links.identifier, links)
    quads = data.quads()
    store = ox.Store()
    store.extend(quads)
    store.extend(ox.Quad(*map(data.term, triple)) for triple in [*emitter.source_file(job.source), *job.files])
    violations = validate_store(store)
    return dump_graph(derived, quads, job.prefixes, jsonld_nodes_text(jsonld_nodes(derived, list(links)))), violations


def _within(subject: object, documents: set[str]) -> bool:
    """Whether an IRI is a document of `documents` or one of its parts (…/doc/k/x/part/…)."""
    value = getattr(subject, "value", "")
    return any(value == d or value.startswith(d + "/") for d in documents)


class SourceCache:
    """Pickled parts of SourceOutputs in a folder beside the output folder: a source's own part by its `own_key`
    (`own-…`), and what a job adds to it — links, gaps and their SHACL results — by the job's key; a damaged or
    missing entry is made again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made = 0  # own parts made in this build (the others were read from the folder)

    def has(self, key: str) -> bool:
        return (self.folder / f"{key}.pickle").is_file()

    def get(self, job: SourceJob) -> SourceOutput | None:
        """A job's whole output: its links entry and its source's own part."""
        entry = self._read(job.key)
        own = self.own(job.own_key) if isinstance(entry, tuple) and len(entry) == 2 else None
        return None if own is None else replace(own, links=entry[0], link_violations=entry[1])

    def own(self, key: str) -> SourceOutput | None:
        found = self._read(f"own-{key}")
        return found if isinstance(found, SourceOutput) else None

    def put(self, job: SourceJob, output: SourceOutput) -> None:
        if output.error is None:
            write_pickle(self.folder / f"{job.key}.pickle", (output.links, output.link_violations))

    def put_own(self, key: str, own: SourceOutput) -> None:
        if own.error is None:
            write_pickle(self.folder / f"own-{key}.pickle", own)

    def prune(self, jobs: list[SourceJob]) -> None:
        """Remove the entries no job of this build uses (each rebuild would leave a thousand behind otherwise)."""
        used = {f"{name}.pickle" for job in jobs for name in (job.key, f"own-{job.own_key}")}
        for path in self.folder.glob("*.pickle"):
            if path.name not in used:
                path.unlink(missing_ok=True)

    def _read(self, name: str) -> object:
        try:
            return pickle.loads((self.folder / f"{name}.pickle").read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None


def _work(folder: Path | None, job: SourceJob) -> SourceOutput:
    return make_output(job, worker_pipeline(), SourceCache(folder) if folder is not None else None)


def merged_tables(outputs: list[SourceOutput]) -> dict[str, tuple[list[str], list[tuple[str | None, ...]]]]:
    """The corpus-wide tables: each source's rows, sources in file-name order (the tables' first sort key)."""
    merged: dict[str, tuple[list[str], list[tuple[str | None, ...]]]] = {}
    for name, text in source_tables().items():
        columns = solutions(ox.Store(), text)[0]
        merged[name] = (columns, [row for o in sorted(outputs, key=lambda o: o.name) for row in o.tables[name][1]])
    return merged


def make_outputs(jobs: list[SourceJob], pipeline: Pipeline, *, processes: int = 1, cache: SourceCache | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> Iterator[SourceOutput]:
    """Every job's output, in job order: from the cache, else made (on `processes` workers when > 1) from its own
    part, itself cached or made."""
    known = [cache is not None and cache.has(job.key) for job in jobs]

    def made(job: SourceJob, output: SourceOutput) -> None:
        if cache is not None:
            cache.made += output.own_made
            cache.put(job, output)

    # one job at a time: a chunk's outputs (≈3 MB each) would wait in memory together
    outputs = cached_map(jobs, lambda job: cache.get(job) if cache is not None else None, known,
                         lambda job: make_output(job, pipeline, cache), partial(_work, cache and cache.folder),
                         processes=processes, initializer=init_worker, made=made)
    for n, (job, output) in enumerate(zip(jobs, outputs, strict=True), start=1):
        if progress:
            progress(job.source.file_name, n, len(jobs))
        yield output
