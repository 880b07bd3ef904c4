"""News reports: a newspaper article described by its headline and the document it reports on, and its kind.

A page article is no policy document: its title is a headline, and what it is about is the first "X印发《Y》" of its
body (else a 《Y》 in the headline). `report_kind` sorts reports (draft for comment, plan, meeting …) by the rules of
`data/metadata.toml`.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from policykg.graph.citations import Mark, find_citations, find_marks, issue_statement
from policykg.graph.model import DocumentMeta, Jurisdiction, Level, Span
from policykg.graph.places import place
from policykg.graph.reading import Ctx
from policykg.graph.titles import (
    doc_type_of,
    make_key,
    normalize_doc_number,
    normalize_title,
    squeeze,
    strip_parentheticals,
)


def describe_report(ctx: Ctx) -> DocumentMeta:
    """A newspaper article: its headline as title, and the document it reports on, if it names one."""
    headline = squeeze(ctx.article.title) if ctx.article.title.strip() else ""
    title_span = ctx.article.title_span
    if not headline and ctx.lines:
        headline, title_span = ctx.text(ctx.lines[0].span), ctx.lines[0].span
    reported = _reported(ctx, title_span)
    exclude: set[str] = set()
    if reported is not None:
        exclude.add(normalize_title(reported.title))
    cited, citations = find_citations(ctx, exclude, skip=title_span)
    if reported is not None and reported.jurisdiction is not None:
        jurisdiction: Jurisdiction | None = reported.jurisdiction
        level: Level = reported.level
    else:
        jurisdiction = ctx.find(headline)
        level = jurisdiction.level if jurisdiction is not None else "unknown"
    evidence = {"title": title_span} if title_span is not None else {}
    if reported is not None and reported.title_span is not None:
        evidence["reported"] = reported.title_span
    return DocumentMeta(
        title=headline,
        key=make_key(jurisdiction, "", headline),
        level=level,
        jurisdiction=jurisdiction,
        status="report",
        doc_type=ctx.rules.report_type,
        cited=cited,
        citations=citations,
        reported=reported,
        title_span=title_span,
        evidence=evidence,
    )


def _reported(ctx: Ctx, headline_span: Span | None) -> DocumentMeta | None:
    """The document a report is about: the first "X印发《Y》" of its body, else a 《Y》 in its headline."""
    statement = issue_statement(ctx, headline_span)
    mark: Mark | None = None
    names: list[tuple[int, int]] = []
    if statement is not None:
        mark, names = statement
    elif headline_span is not None:
        marks = find_marks(ctx.view, headline_span, ctx.rules)
        mark = marks[0] if marks else None
    if mark is None:
        return None
    written = squeeze(ctx.text(mark.span))
    title, number, status_note = strip_parentheticals(written, ctx.rules)
    doc_number = normalize_doc_number(ctx.text(mark.number_span)) if mark.number_span else number
    issuers = [ctx.text(n) for n in names]
    jurisdiction, level = place(ctx, issuers, [title], doc_number)
    if jurisdiction is None and not issuers:
        level = "unknown"
    evidence = {"title": mark.span}
    if names:
        evidence["issuers"] = Span(names[0][0], names[-1][1])
    return DocumentMeta(
        title=title,
        key=make_key(jurisdiction, doc_number, title, status_note),
        doc_number=doc_number,
        issuers=issuers,
        level=level,
        jurisdiction=jurisdiction,
        status="draft" if status_note else "final",
        status_note=status_note,
        doc_type=doc_type_of(title, ctx.rules),
        title_span=mark.span,
        evidence=evidence,
    )


def load_report_kinds(path: Path | None = None) -> list[dict[str, Any]]:
    """The ordered report-kind rules of metadata.toml (read once per build)."""
    text = path.read_text("utf-8") if path else resources.files("policykg.graph.data").joinpath(
        "metadata.toml").read_text("utf-8")
    return list(tomllib.loads(text)["report_kind"])


def report_kind(headline: str, reported_status: str | None, kinds: list[dict[str, Any]]) -> str:
    """What a news report is about (draft for comment, plan, cooperation agreement, meeting, event), from data."""
    status = reported_status or "none"
    for rule in kinds:
        if status in rule.get("reported", []) or any(word in headline for word in rule.get("words", [])):
            return str(rule["kind"])
        if not rule.get("reported") and not rule.get("words"):
            return str(rule["kind"])
    return "event"
