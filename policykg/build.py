"""The build: run every stage over the corpus and write all outputs atomically.

Outputs are written into a fresh sibling folder and swapped in only when everything succeeded, so a build that
stops part-way (a crash, Ctrl-C) leaves the previous `out/` intact. A file that cannot be read is reported by name
and the rest of the corpus still builds; the exit code says whether any error happened.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.compare import to_canonical_graph

from policykg import swap
from policykg.dumps import write_dumps
from policykg.graph import emit
from policykg.graph.duties import DutyRules, load_duty_rules
from policykg.graph.emit_links import link_triples, prepare
from policykg.graph.gaps import find_gaps
from policykg.graph.layout import NoiseRule, load_noise_rules
from policykg.graph.lexicon import Lexicon, load_lexicon
from policykg.graph.links import Linker, LinkRules, load_link_rules
from policykg.graph.metadata import match_title
from policykg.graph.model import (
    Agency,
    BuildIssue,
    Document,
    DocumentLink,
    DocumentMeta,
    Gap,
    Jurisdiction,
    ReportedDocument,
    SourceText,
    TaskLink,
)
from policykg.graph.notation_rules import load_notation_rules
from policykg.graph.notations import NotationReader
from policykg.graph.outline import OutlineRules, load_outline_rules
from policykg.graph.read import DEFAULT_MAX_FILE_SIZE, list_sources, text_name
from policykg.graph.recognize import AgencyRecognizer
from policykg.graph.reports import load_report_kinds, report_kind
from policykg.graph.resolve import Resolver
from policykg.graph.tables import TableReader, load_table_rules
from policykg.graph.units import UnitReader, load_unit_grammar
from policykg.graph_cache import GraphCache
from policykg.graphs import add_inferred, build_graphs, nquads_of
from policykg.isolate import emit_sources, link_safely, one_line
from policykg.perfile import ExtractCache, FileResult, extract_all
from policykg.quadset import QuadSet
from policykg.rdfterms import sorted_nquads

Progress = Callable[[str, int, int], None]


@dataclass
class Pipeline:
    """Everything the stages read from data files, loaded once per build (no module-level state)."""

    lexicon: Lexicon
    recognizer: AgencyRecognizer
    resolver: Resolver
    noise: list[NoiseRule]
    tables: TableReader
    outline_rules: OutlineRules
    notations: NotationReader
    duty_rules: DutyRules
    vocab: emit.Vocab
    report_kinds: list[dict[str, Any]]
    link_rules: LinkRules

    def parent_of(self, place: Jurisdiction) -> Jurisdiction | None:
        """The enclosing jurisdiction in GB/T 2260 (景德镇市 → 江西省 → 中华人民共和国)."""
        chain = self.lexicon.ancestors(place.code)
        return self.lexicon.jurisdiction(chain[1].code) if len(chain) > 1 else None

    @classmethod
    def load(cls) -> Pipeline:
        lexicon = load_lexicon()
        recognizer = AgencyRecognizer(lexicon)
        units = UnitReader(load_unit_grammar(), recognizer)
        return cls(lexicon, recognizer, Resolver(lexicon), load_noise_rules(), TableReader(load_table_rules(), units),
                   load_outline_rules(), NotationReader(load_notation_rules(), units), load_duty_rules(),
                   emit.load_vocab(), load_report_kinds(), load_link_rules())


@dataclass
class Corpus:
    """What the text stages made of the corpus: sources with their documents, agencies, and issues."""

    sources: list[tuple[SourceText, list[Document]]] = field(default_factory=list)
    agencies: dict[str, Agency] = field(default_factory=dict)
    issues: list[BuildIssue] = field(default_factory=list)
    links: list[TaskLink] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def documents(self) -> list[Document]:
        return [doc for _, docs in self.sources for doc in docs]


def link_documents(found: list[tuple[Document, DocumentMeta]], pipeline: Pipeline) -> None:
    """Cited and reported titles become links to documents of the corpus when their titles match."""
    metas = [meta for _, meta in found]
    key_of = {id(meta): doc.key for doc, meta in found}

    def target(title: str, hint: Jurisdiction | None) -> str | None:
        match = match_title(title, metas, hint)
        return key_of.get(id(match)) if match is not None else None

    for doc, meta in found:
        if doc.status == "report":
            doc.report_kind = report_kind(doc.title, meta.reported.status if meta.reported else None,
                                          pipeline.report_kinds)
        links = [
            DocumentLink("applies" if c.cited.relation == "applies" else "cites", c.cited.title,
                         target(c.cited.title, c.jurisdiction), c.cited.span)
            for c in meta.citations
        ]
        reported = meta.reported
        if reported is None:
            if doc.status == "draft":  # a draft for comment and its final text, both in the corpus
                finals = [m for m in metas if m.status == "final"]
                final = match_title(doc.title, finals, meta.jurisdiction)
                if final is not None:
                    links.append(DocumentLink("earlier-version-of", doc.title, key_of[id(final)]))
            doc.links = links
            continue
        doc.reported = ReportedDocument(
            key=reported.key, title=reported.title, status=reported.status, doc_type=reported.doc_type or "",
            jurisdiction=reported.jurisdiction,
            issuer_keys=[pipeline.resolver.resolve(n, reported.jurisdiction).key for n in reported.issuers],
            links=links,  # what a report says the document applies or cites is said of that document
        )
        final = target(reported.title, reported.jurisdiction)
        if final is not None and reported.status == "draft":
            doc.reported.links.append(DocumentLink("earlier-version-of", reported.title, final))
        elif final is not None:
            doc.reported.key, doc.reported.in_corpus = final, True


def read_corpus(paths: list[Path], pipeline: Pipeline, progress: Progress | None = None, *,
                max_file_size: int = DEFAULT_MAX_FILE_SIZE, jobs: int = 1,
                cache: ExtractCache | None = None) -> Corpus:
    """Each file on its own (cached, on `jobs` processes; see policykg.perfile), then the cross-document steps."""
    return corpus_of(extract_all(paths, pipeline, max_file_size=max_file_size, jobs=jobs, cache=cache,
                                 progress=progress), pipeline)


def corpus_of(results: Iterable[FileResult], pipeline: Pipeline) -> Corpus:
    """The files' results, in corpus order, through the cross-document steps: unique keys, links between documents,
    the merged agency registry, task links and gaps (what `policykg load` runs on the output of `extract`)."""
    corpus = Corpus()
    described: list[tuple[Document, DocumentMeta]] = []
    resolved: list[list[Agency]] = []
    for result in results:
        corpus.issues.extend(result.issues)
        if result.source is None:
            continue
        resolved.append(result.agencies)
        corpus.sources.append((result.source, [doc for doc, _ in result.made]))
        described.extend(result.made)
    pipeline.resolver.take_agencies()  # each file read with an empty registry: merge theirs, in corpus order
    for agencies in resolved:
        pipeline.resolver.adopt(agencies)
    _unique_keys(corpus.documents)
    link_safely(described, pipeline, corpus, link_documents)
    corpus.agencies = {a.key: a for a in pipeline.resolver.agencies()}
    link_tasks(corpus, pipeline)
    return corpus


def link_tasks(corpus: Corpus, pipeline: Pipeline) -> None:
    """Across documents: task links (implements, same subject, revises) and the gaps of applying documents."""
    try:
        linker = Linker(corpus.documents, pipeline.link_rules)
        corpus.links = linker.links()
        corpus.gaps = find_gaps(linker)
    except Exception as exc:  # the documents still build without their links
        corpus.issues.append(BuildIssue("corpus", f"无法计算文件之间的任务关联：{one_line(exc)}", "error"))


def _unique_keys(documents: list[Document]) -> None:
    """Two articles with the same natural key (e.g. one headline twice) get -2, -3 … in reading order."""
    seen: dict[str, int] = {}
    for doc in documents:
        count = seen.get(doc.key, 0) + 1
        seen[doc.key] = count
        if count > 1:
            doc.key = f"{doc.key}-{count}"


# --- outputs ---------------------------------------------------------------------------------------------------


def version() -> str:
    try:
        return importlib_metadata.version("policykg")
    except importlib_metadata.PackageNotFoundError:
        return "0+unknown"


def ontology_graph(base: str) -> Graph:
    """The ontology and code lists, with blank nodes (OWL restrictions) given canonical, repeatable labels."""
    parsed = Graph()
    folder = resources.files("policykg.ontology")
    for name in ("policykg.ttl", "codes.ttl"):
        parsed.parse(data=folder.joinpath(name).read_text("utf-8"), format="turtle")
    g = Graph(identifier=URIRef(f"{base}graph/ontology"))
    for triple in to_canonical_graph(parsed):
        g.add(triple)
    return g


def assemble(corpus: Corpus, pipeline: Pipeline, base: str) -> QuadSet:
    """Every named graph of the build: ontology, the shared agencies graph, one per source, the derived links."""
    emitter = emit.Emitter(base, pipeline.vocab, pipeline.parent_of)
    prefixes = {prefix: str(namespace) for prefix, namespace in emit.PREFIXES.items()}
    quadset = QuadSet({**prefixes, "id": base})
    ontology = ontology_graph(base)
    quadset.add(ontology.identifier, ontology)
    sources = emit_sources(corpus, emitter, version())
    used = {key for graph in sources for key in graph.agencies}
    places = {code: place for graph in sources for code, place in sorted(graph.places.items())}
    shared = emitter.emit_shared(corpus.agencies, used, places, version())
    quadset.add(shared.identifier, shared)
    for graph in sources:
        quadset.add(graph.identifier, graph)
    derived = URIRef(f"{base}graph/derived")
    by_key = {doc.key: doc for doc in corpus.documents}
    quadset.add(derived, link_triples(emitter, corpus.documents,
                                      prepare(emitter, by_key, corpus.links, corpus.gaps)))
    return quadset


def nquads(dataset: QuadSet, quads: list[ox.Quad] | None = None) -> bytes:
    """N-Quads with sorted lines: the canonical, diff-able dump, written by pyoxigraph (see policykg.rdfterms)."""
    return sorted_nquads(dataset.quads() if quads is None else quads)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def swap_in(staging: Path, out: Path) -> None:
    """Replace `out` with `staging` so readers see either the old or the new outputs, never a mix or nothing
    (one atomic exchange on Linux; see policykg.swap)."""
    swap.swap_in(staging, out)


@dataclass
class BuildReport:
    documents: int
    tasks: int
    agencies: int
    responsibilities: int
    targets: int
    duties: int
    triples: int
    issues: list[BuildIssue]
    seconds: float
    outputs: list[Path]
    stages: dict[str, float] = field(default_factory=dict)  # wall seconds per build stage, in order
    sources_made: int = 0  # source graphs emitted and checked in this build (the others came from the cache)
    graphs_loaded: int = 0  # named graphs loaded into the store (the others came with the previous build's store)

    @property
    def errors(self) -> list[BuildIssue]:
        return [i for i in self.issues if i.severity == "error"]


def java_missing() -> bool:
    """Whether the Java that owlready2 runs HermiT with is absent (the build then goes on without reasoning)."""
    import owlready2

    return shutil.which(owlready2.JAVA_EXE) is None


def run_build(corpus_dir: Path, out_dir: Path, *, base: str = emit.DEFAULT_BASE, strict: bool = False,
              progress: Progress | None = None, max_file_size: int = DEFAULT_MAX_FILE_SIZE,
              reasoning_mode: str = "rules", cache_dir: Path | None = None, views: bool = True,
              jobs: int = 1, results: Iterable[FileResult] | None = None) -> BuildReport:
    """read → … → store → render, for the whole corpus; outputs appear in `out_dir` only if all succeed.

    `reasoning_mode` "rules" derives the defined classes and shortcuts with SPARQL rules and has HermiT check the
    ontology alone; "full" also sends the data to HermiT (minutes of Java at a thousand documents)."""
    from policykg.docs import write_docs
    from policykg.graph.store import EmbeddedStore, ResultTable
    from policykg.graph.validate import reason
    from policykg.query import to_csv
    from policykg.storeload import load_store
    from policykg.viz.views import render_views

    started = time.perf_counter()
    stages: dict[str, float] = {}
    clock = [started, "reading"]

    def step(name: str, stage: str | None = None) -> None:
        now = time.perf_counter()
        stages[str(clock[1])] = stages.get(str(clock[1]), 0.0) + now - float(clock[0])
        clock[:] = [now, stage or name.split(" ")[0]]
        if progress:
            progress(name, 0, 0)

    recovered = swap.recover(out_dir)  # a build killed earlier: its out/ back in place, its leftovers removed
    pipeline = Pipeline.load()
    cache_root = cache_dir or out_dir.with_name(f".{out_dir.name}.cache")
    if results is not None:  # `policykg load`: the files were read by `policykg extract`
        corpus = corpus_of(results, pipeline)
    else:
        corpus = read_corpus(list_sources(corpus_dir), pipeline, progress, max_file_size=max_file_size, jobs=jobs,
                             cache=ExtractCache(cache_root / "extract", max_file_size))
    corpus.issues.extend(BuildIssue(out_dir.name, message) for message in recovered)
    staging = out_dir.with_name(f"{out_dir.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        step("emitting, checking and writing each source's graph (SHACL, rules)", "graphs")
        built = build_graphs(corpus, pipeline, base, version(), staging / ".parts", processes=jobs,
                             cache_root=cache_root, issues=corpus.issues)
        for v in built.violations:
            corpus.issues.append(BuildIssue("graph", str(v), "error" if strict else "warning"))
        step("reasoning (HermiT, ontology)" if reasoning_mode != "full" else "reasoning (HermiT, ontology and data)",
             "reasoning")
        if java_missing():
            corpus.issues.append(BuildIssue("graph", "未找到 java：跳过 HermiT 推理这一步，其余照常构建（安装 Java 17，"
                                                     "如 apt-get install default-jre-headless，再重新构建即可）"))
        else:
            hermit = GraphCache(cache_root / "hermit")
            ontology_key = f"ontology-{hermit.key([])}"  # its answer on the ontology alone depends on its files only
            known = hermit.get(ontology_key) if reasoning_mode != "full" else None
            reasoning = known or reason(QuadSet.from_nquads(nquads_of(built)) if reasoning_mode == "full" else Graph())
            if reasoning_mode != "full" and known is None:
                hermit.put(ontology_key, reasoning)
            add_inferred(built, reasoning.inferred, base)
            if progress:
                progress("reasoning (HermiT): the ontology is unchanged since it was checked" if known else
                         f"reasoning (HermiT) took {reasoning.seconds:.1f} s", 0, 0)
            if not reasoning.consistent:
                corpus.issues.append(BuildIssue(
                    "graph", f"图谱存在逻辑矛盾（HermiT）：{'；'.join(reasoning.errors)}", "error"))
        step("writing dumps", "dumps")
        written = write_dumps(staging, built.pieces, built.prefixes)
        tables, sources_made = built.tables, built.jobs_made
        del built
        shutil.rmtree(staging / ".parts")
        step("loading the store", "store")
        graphs_loaded = load_store(staging, out_dir, written)  # the previous store, its changed graphs replaced
        if progress:
            progress(f"store: {graphs_loaded} of {len(written.graphs)} graphs loaded", 0, 0)
        for name, file in (("fengong", "tasks.csv"), ("responsibilities", "responsibilities.csv")):  # long form
            write_atomic(staging / file, to_csv(ResultTable(*tables[name])).encode("utf-8-sig"))
        store = EmbeddedStore(staging / "store")
        try:
            if views:
                step("drawing networks", "views")
                render_views(store, staging / "viz")
        finally:
            store.close()
        step("writing ontology documentation", "docs")
        write_docs(staging / "docs")
        text_dir = staging / "text"
        text_dir.mkdir()
        for source, _ in corpus.sources:
            write_atomic(text_dir / text_name(source.file_name), source.text.encode("utf-8"))
        swap_in(staging, out_dir)
        step("done")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    tasks = [t for d in corpus.documents for t in d.tasks]
    return BuildReport(
        documents=len(corpus.documents),
        tasks=len(tasks),
        agencies=len(corpus.agencies),
        responsibilities=sum(len(t.responsibilities) for t in tasks),
        targets=sum(len(t.targets) for t in tasks),
        duties=sum(len(d.duties) for d in corpus.documents) + sum(len(t.duties) for t in tasks),
        triples=written.quads,
        issues=corpus.issues,
        seconds=time.perf_counter() - started,
        outputs=sorted(p.relative_to(out_dir) for p in out_dir.iterdir()),
        stages=stages,
        sources_made=sources_made,
        graphs_loaded=graphs_loaded,
    )
