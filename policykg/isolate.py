"""Keep one document's failure its own: the build stages that run over the whole corpus (linking documents to each
other, emitting RDF) are run so that an exception caused by one file becomes that file's one-line error and the file
is left out, while every other file is still built and written (issue 13). The per-file stages before them
(normalize … resolve) are guarded in `policykg.build.read_corpus`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from policykg.graph.model import BuildIssue, Document, SourceText
from policykg.rdfterms import check_triples

if TYPE_CHECKING:
    from policykg.build import Corpus
    from policykg.graph.emit import Emitter
    from policykg.graph.metadata import DocumentMeta

Described = list[tuple[Document, "DocumentMeta"]]


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An exception as one short line (its type and message), for a file's error in the build report."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def link_safely(described: Described, pipeline: Any, corpus: Corpus, link: Callable[[Described, Any], None]) -> None:
    """`link` (build.link_documents) over the corpus; should it fail, each file whose documents fail alone becomes
    that file's error and is left out, and the others are linked again."""
    try:
        link(described, pipeline)
        return
    except Exception:
        pass
    bad: dict[str, str] = {}
    for doc, meta in described:
        try:
            link([(doc, meta)], pipeline)
        except Exception as exc:
            bad.setdefault(doc.article.source.file_name, one_line(exc))
    corpus.issues.extend(BuildIssue(name, f"无法处理文件间的引用：{problem}", "error") for name, problem in bad.items())
    corpus.sources = [(source, docs) for source, docs in corpus.sources if source.file_name not in bad]
    kept = [(doc, meta) for doc, meta in described if doc.article.source.file_name not in bad]
    try:
        link(kept, pipeline)
    except Exception as exc:  # fails only across documents: keep them, unlinked
        for doc, _ in kept:
            doc.links, doc.reported = [], None
        corpus.issues.append(BuildIssue("corpus", f"文件间的引用未能建立：{one_line(exc)}", "error"))


def emit_sources(corpus: Corpus, emitter: Emitter, version: str) -> list[Graph]:
    """One graph per source; a source whose emit fails, or that holds a term the store would refuse, is that file's
    error and is left out (with its documents), so the rest of the corpus is still built and written."""
    graphs: list[Graph] = []
    kept: list[tuple[SourceText, list[Document]]] = []
    for source, docs in corpus.sources:
        try:
            graph = emitter.emit_source(source, docs, corpus.agencies, version)
            check_triples(graph)
        except Exception as exc:  # one bad document must not stop the corpus
            corpus.issues.append(BuildIssue(source.file_name, f"无法生成 RDF：{one_line(exc)}", "error"))
            continue
        graphs.append(graph)
        kept.append((source, docs))
    corpus.sources = kept
    return graphs
