"""One file's text stages, document by document: normalize → lay out → segment a decoded file into articles, then
outline → extract → targets → resolve each article into a Document. `policykg.perfile` runs them per file; the
corpus-wide steps (links between documents and tasks) follow in `policykg.build`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from policykg.graph.deadlines import extract_deadlines
from policykg.graph.extract import Extraction, extract, merge_responsibilities, stated_lead_first
from policykg.graph.layout import lay_out
from policykg.graph.metadata import describe
from policykg.graph.model import (
    Agency,
    AgencyMention,
    Article,
    BuildIssue,
    Document,
    DocumentMeta,
    Jurisdiction,
    Note,
    SourceText,
    Span,
)
from policykg.graph.normalize import normalize
from policykg.graph.outline import OutlineResult, build_outline
from policykg.graph.read import RawSource
from policykg.graph.segment import segment
from policykg.graph.targets import extract_targets, row_targets

if TYPE_CHECKING:
    from policykg.build import Pipeline


def issue_of(source: SourceText, note: Note, prefix: str = "") -> BuildIssue:
    """A stage's note as a warning naming the file and the line it is about."""
    line = source.line_of(note.span) if note.span is not None else None
    return BuildIssue(source.file_name, prefix + note.message, line=line)


def outline_and_extract(article: Article, pipeline: Pipeline) -> tuple[OutlineResult, Extraction]:
    """outline → extract for one article: its items, then its tasks with their units and duties."""
    key = article.source.key
    outline = build_outline(article, pipeline.outline_rules,
                            lambda span: pipeline.notations.is_item_paragraph(key, span))
    return outline, extract(article, outline, pipeline.notations, pipeline.duty_rules, pipeline.recognizer)


def make_document(article: Article, pipeline: Pipeline, issues: list[BuildIssue]) -> tuple[Document, DocumentMeta]:
    """outline → extract → targets → resolve, for one article."""
    source = article.source
    meta = describe(article, pipeline.lexicon)
    outline, found = outline_and_extract(article, pipeline)
    for note in [*outline.warnings, *found.warnings]:
        issues.append(issue_of(source, note, f"{meta.title}: "))
    jurisdiction = meta.jurisdiction
    for task in found.tasks:
        for para in task.node.paragraphs:
            if para.start == task.node.span.start:  # the marker ("01 项目名称…") counts nothing
                para = Span(para.start + len(task.node.marker), para.end)
            task.targets.extend(extract_targets(source.text, source.key, para))
            task.deadlines.extend(extract_deadlines(source.text, source.key, para))
        task.targets.extend(row_targets(source, task.node))
        for span in task.due:
            if not any(span.start <= d.span.start < span.end for d in task.deadlines):
                task.deadlines.extend(extract_deadlines(source.text, source.key, span))
        due = [d for d in task.deadlines if any(f.start <= d.span.start < f.end for f in task.due)]
        if len(due) == 1:  # a target without its own deadline is due when its task is (完成时限)
            for target in task.targets:
                target.deadline = target.deadline or due[0]
        key_of = {}
        for resp in task.responsibilities:
            resp.agency_key = _resolve(pipeline, source, resp.mention, jurisdiction).key
            for mention, _ in resp.also:
                _resolve(pipeline, source, mention, jurisdiction)
            key_of[id(resp)] = resp.agency_key
        task.responsibilities = stated_lead_first(merge_responsibilities(task.responsibilities, key_of))
    for duty in [*found.duties, *(d for t in found.tasks for d in t.duties)]:
        duty.agent_key = _resolve(pipeline, source, duty.agent, jurisdiction).key
        duty.partner_keys = [_resolve(pipeline, source, p, jurisdiction).key for p in duty.partners]
    document = Document(
        article=article,
        key=meta.key,
        title=meta.title,
        doc_number=meta.doc_number or "",
        issuers=list(meta.issuers),
        date=meta.date or "",
        level=meta.level,
        jurisdiction=jurisdiction,
        status=meta.status,
        doc_type=meta.doc_type or "",
        outline=outline.roots,
        tasks=found.tasks,
        duties=found.duties,
        cited=list(meta.cited),
        inherited_rule=found.inherited_rule,
        issuer_keys=[pipeline.resolver.resolve(name, jurisdiction).key for name in meta.issuers],
        field_evidence={k: v for k, v in meta.evidence.items() if k in ("doc_number", "date")},
    )
    return document, meta


def _resolve(pipeline: Pipeline, source: SourceText, mention: AgencyMention,
             jurisdiction: Jurisdiction | None) -> Agency:
    key_form = source.key[mention.span.start : mention.span.end]
    return pipeline.resolver.resolve(mention.written, jurisdiction, key=key_form)


def source_articles(file_name: str, raw: str, sha256: str, pipeline: Pipeline,
                    origin: RawSource | None = None) -> tuple[SourceText, list[Article], list[Note]]:
    """normalize → layout → segment: a decoded file's document object and the articles found in it; `origin`
    (what `read_source` gave) adds the file's media type, encoding and locators."""
    source = normalize(file_name, raw, sha256)
    if origin is not None:
        source.media_type, source.encoding, source.locators = origin.media_type, origin.encoding, origin.locators
    lay_out(source, pipeline.noise, pipeline.tables)
    articles, warnings = segment(source)
    return source, articles, warnings
