"""Document metadata: what a text is, who issued it, when, for which place, and which documents it cites.

`describe` reads one `Article` and returns a `DocumentMeta`: title (the policy's own title when a covering notice
印发s it), 文号, issuers as written, date, level and jurisdiction, status (final / draft / report), document type,
the 《…》 documents it cites (with "applies" for the ones it implements) and, for a newspaper article, the
document it reports on (`reports.py`). `match_title` and `same_document` link a cited or reported title to a
document of the corpus, so that a draft and its final version, or a citation and the cited text, meet.

The rules are general; the words they look for (document types, status words, wrappers, issuance verbs,
implementation phrases, agency suffixes) live in `data/metadata.toml`. This module reads a document's own header
and signature; titles and 文号 are parsed in `titles.py`, citations in `citations.py`, places in `places.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from policykg.graph.citations import find_citations, issue_statement
from policykg.graph.lines import layout
from policykg.graph.metarules import MetaRules, load_rules
from policykg.graph.model import Article, DocumentMeta, Jurisdiction, Span, Status
from policykg.graph.places import place
from policykg.graph.reading import AgencyCheck, Ctx, JurisdictionFinder, Line
from policykg.graph.reports import describe_report
from policykg.graph.titles import (
    CN_DATE,
    DATE,
    DOC_NUMBER,
    TitleParts,
    doc_type_of,
    fold,
    iso_date,
    make_key,
    normalize_doc_number,
    normalize_title,
    parse_agencies,
    parse_date,
    parse_title,
    source_view,
)

# ---------------------------------------------------------------------------------------------------------------
# the article as lines


def _region(article: Article) -> list[Span]:
    """The article's paragraphs; for the first article of a clean document also the header before them."""
    text_len = len(article.source.text)
    spans = list(article.paragraphs) or _outside(Span(0, text_len), [t.span for t in article.tables])
    if not spans:
        return []
    first = min(s.start for s in spans)
    if not article.source.is_page and article.index == 0 and first > 0:
        spans[:0] = _outside(Span(0, first), [t.span for t in article.tables])
    return spans


def _outside(span: Span, holes: list[Span]) -> list[Span]:
    """The parts of span that no hole covers (a document made only of tables has no title lines in them)."""
    parts: list[Span] = []
    start = span.start
    for hole in sorted(holes):
        if hole.start > start:
            parts.append(Span(start, hole.start))
        start = max(start, hole.end)
    if start < span.end:
        parts.append(Span(start, span.end))
    return parts


def _lines(spans: Sequence[Span], view: str) -> list[Line]:
    lines: list[Line] = []
    for span in spans:
        pos = span.start
        for part in view[span.start : span.end].split("\n"):
            start, end = pos, pos + len(part)
            pos = end + 1
            while start < end and view[start].isspace():
                start += 1
            while end > start and view[end - 1].isspace():
                end -= 1
            if end > start:
                lines.append(Line(Span(start, end), view[start:end]))
    return lines


# ---------------------------------------------------------------------------------------------------------------
# describe


def _default_finder() -> JurisdictionFinder:
    """`jurisdiction.find_jurisdiction` when the module is there; otherwise no place is ever found."""
    try:
        from policykg.graph.jurisdiction import find_jurisdiction
    except ImportError:  # pragma: no cover - only before jurisdiction.py exists
        return lambda text, lexicon: None
    return cast(JurisdictionFinder, find_jurisdiction)


def describe(
    article: Article,
    lexicon: Any = None,
    *,
    finder: JurisdictionFinder | None = None,
    agencies: AgencyCheck | None = None,
    rules: MetaRules | None = None,
) -> DocumentMeta:
    """Metadata of one article: a policy document, or (on a newspaper page) a report on one.

    `lexicon` is passed to `finder` (default `jurisdiction.find_jurisdiction`); `agencies` (an `AgencyRecognizer`), when
    given, must accept every issuer read from running text.
    """
    source = article.source
    view = source_view(source)
    spans = _region(article)
    ctx = Ctx(
        article, source, view, spans, _lines(spans, view), rules or load_rules(), finder or _default_finder(),
        lexicon, agencies,
    )
    if source.is_page:
        return describe_report(ctx)
    return _describe_document(ctx)


def _raw_title(ctx: Ctx) -> tuple[str, Span | None]:
    """The title the segmenter chose, else the first line(s) of the text (a title broken over short lines)."""
    if ctx.article.title.strip():
        return ctx.article.title, ctx.article.title_span
    head = _header_lines(ctx, 10)
    for line in head:  # a covering notice names the document: "…关于印发X的通知"
        if parse_title(ctx.text(line.span), ctx.rules).wrapped:
            return ctx.text(line.span), line.span
    # skip a header of issuing bodies (joint documents list them above the title), and lines that are never a
    # title: page metadata, table rows, dates, outline items, sentences
    head = [line for line in head if not parse_agencies(line.view, ctx.rules, whole=True)[0]
            and not _never_title(line.view)]
    if not head:
        return Path(ctx.source.file_name).stem, None  # no title in the text: the document is named after its file
    first = head[0]
    span = first.span
    for line in ctx.lines[ctx.lines.index(first) + 1 :][:2]:
        current = fold(ctx.text(span))
        if doc_type_of(current, ctx.rules) or current.endswith(")"):
            break
        if len(line.view) > 30 or any(c in line.view for c in "。,:;"):
            break
        span = Span(span.start, line.span.end)
    return ctx.text(span), span


def _never_title(view: str) -> bool:
    """A line that cannot be (the start of) a title: page metadata, a table row, a date, an outline item, a sentence."""
    return (
        any(re.search(p, view) for p in layout()["title"]["not_title"])
        or any(re.search(p, view) for p in layout()["patterns"]["outline_marker"])
        or re.search(layout()["patterns"]["bare_item_number"], view) is not None
        or any(re.search(p, view) for p in layout()["patterns"]["closing_line"])
        or view.rstrip()[-1:] in ("。", "!", "！") or "。" in view or len(view) > 80
    )


def _loose(needle: str) -> re.Pattern[str]:
    """A pattern finding `needle` (folded) with any whitespace between its characters."""
    chars = [re.escape(c) for c in fold(needle) if not c.isspace()]
    return re.compile(r"\s*".join(chars))


def _locate(ctx: Ctx, needle: str, within: Span | None) -> Span | None:
    """Where `needle` is written (whitespace allowed between characters): inside `within`, else in the region."""
    if not needle:
        return None
    candidates = [within] if within is not None else []
    candidates += ctx.spans
    folded = fold(needle)
    if not any(c.isspace() for c in folded):  # written as given: str.find, no pattern the size of the needle
        for span in candidates:
            at = ctx.view.find(folded, span.start, span.end)
            if at >= 0:
                return Span(at, at + len(folded))
    pattern = _loose(needle)
    for span in candidates:
        m = pattern.search(ctx.view, span.start, span.end)
        if m:
            return Span(m.start(), m.end())
    return None


def _header_lines(ctx: Ctx, count: int = 15) -> list[Line]:
    return ctx.lines[:count]


def _wrapper_line(ctx: Ctx, title: str) -> tuple[TitleParts, Line] | None:
    """A covering notice among the first lines (…关于印发X的通知) whose X is the document's title."""
    wanted = normalize_title(title)
    for line in _header_lines(ctx, 10):
        parts = parse_title(ctx.text(line.span), ctx.rules)
        if parts.wrapped and (not wanted or normalize_title(parts.title) == wanted):
            return parts, line
    return None


def _status_line(ctx: Ctx) -> tuple[str, Span] | None:
    """A draft word standing alone in parentheses on one of the first lines: "（再次征求意见稿）"."""
    for line in _header_lines(ctx, 6):
        m = re.fullmatch(r"\(?\s*([^()]{1,20}?)\s*\)?", line.view)
        if m and any(m[1].strip() == w or m[1].strip().endswith(w) for w in ctx.rules.draft_words):
            return ctx.text((line.span.start + m.start(1), line.span.start + m.end(1))).strip(), line.span
    return None


def _doc_number(ctx: Ctx) -> tuple[str, Span] | None:
    """A 文号 on a line of its own (or after a 文号 label) among the first lines."""
    for line in _header_lines(ctx):
        view = line.view
        offset = 0
        label = ctx.rules.number_label.match(view)
        if label:
            offset = label.end()
        candidate = view[offset:].strip().strip("()")
        m = DOC_NUMBER.fullmatch(candidate)
        if m:
            start = line.span.start + view.index(candidate)
            span = Span(start, start + len(candidate))
            return normalize_doc_number(ctx.text(span)), span
    return None


def _signature(ctx: Ctx) -> tuple[str | None, list[tuple[int, int]], Span | None]:
    """The signature: a date line on its own, with the issuing bodies on the lines right above it.

    Returns (ISO date, issuer spans, date span); the first date line that has signers wins, else the first
    date line.
    """
    first: tuple[str | None, list[tuple[int, int]], Span | None] = (None, [], None)
    for index, line in enumerate(ctx.lines):
        candidate = line.view.strip().strip("()").strip()
        if not (DATE.fullmatch(candidate) or CN_DATE.fullmatch(candidate)):
            continue
        iso = parse_date(candidate)
        if iso is None:
            continue
        signers: list[tuple[int, int]] = []
        k = index - 1
        while k >= 0 and index - k <= 8:
            above = ctx.lines[k]
            if any(above.view.startswith(label) for label in ctx.rules.source_labels):
                break
            names, _ = parse_agencies(above.view, ctx.rules, whole=True)
            if not names:
                break
            signers = [(above.span.start + a, above.span.start + b) for a, b in names] + signers
            k -= 1
        if signers:
            return iso, signers, line.span
        if first[0] is None:
            first = (iso, [], line.span)
    return first


def _labelled_date(ctx: Ctx, pattern: re.Pattern[str], lines: Sequence[Line]) -> tuple[str, Span] | None:
    for line in lines:
        m = pattern.search(line.view)
        if m:
            iso = iso_date(int(m[1]), int(m[2]), int(m[3]))
            if iso:
                return iso, Span(line.span.start + m.start(), line.span.start + m.end())
    return None


def _describe_document(ctx: Ctx) -> DocumentMeta:
    raw_title, raw_span = _raw_title(ctx)
    parts = parse_title(raw_title, ctx.rules, headline=True)
    evidence: dict[str, Span] = {}
    title_span = _locate(ctx, parts.title, raw_span)
    wrapper = _wrapper_line(ctx, parts.title)
    wrapper_title = parts.full if parts.wrapped else ""
    prefix_issuers = list(parts.issuers) if parts.wrapped and parts.same_issuer and not parts.headline else []
    doc_number = parts.doc_number
    if wrapper is not None:
        wparts, wline = wrapper
        wrapper_title = wparts.full
        doc_number = doc_number or wparts.doc_number
        if doc_number:
            evidence["doc_number"] = _locate(ctx, doc_number, wline.span) or wline.span
        if wparts.same_issuer:
            prefix_issuers = prefix_issuers or list(wparts.issuers)
    if not parts.wrapped and not prefix_issuers:
        prefix_issuers = list(parts.issuers)
    if not doc_number:
        numbered = _doc_number(ctx)
        if numbered:
            doc_number, evidence["doc_number"] = numbered

    status: Status = "final"
    status_note = parts.status_note
    if not status_note:
        line = _status_line(ctx)
        if line:
            status_note, evidence["status"] = line
    if status_note:
        status = "draft"

    date, signers, date_span = _signature(ctx)
    labelled = _labelled_date(ctx, ctx.rules.document_date, ctx.lines)
    if labelled:
        date, date_span = labelled
    if date is None:
        published = _labelled_date(ctx, ctx.rules.publication_date, _header_lines(ctx))
        if published:
            date, date_span = published
    if date_span is not None and date is not None:
        evidence["date"] = date_span

    issuers: list[str] = [ctx.text(s) for s in signers]
    if signers:
        evidence["issuers"] = Span(signers[0][0], signers[-1][1])
    elif prefix_issuers:
        issuers = prefix_issuers
    else:
        statement = issue_statement(ctx, raw_span, normalize_title(parts.title))
        if statement and statement[1]:
            issuers = [ctx.text(s) for s in statement[1]]
            evidence["issuers"] = Span(statement[1][0][0], statement[1][-1][1])
        elif parts.headline:
            issuers = list(parts.issuers)

    jurisdiction, level = place(ctx, issuers, [parts.title, parts.full], doc_number)
    cited, citations = find_citations(ctx, {normalize_title(parts.title)})
    if title_span is not None:
        evidence["title"] = title_span
    return DocumentMeta(
        title=parts.title,
        key=make_key(jurisdiction, doc_number, parts.title, status_note),
        doc_number=doc_number,
        issuers=issuers,
        date=date,
        level=level,
        jurisdiction=jurisdiction,
        status=status,
        status_note=status_note,
        doc_type=doc_type_of(parts.title, ctx.rules),
        cited=cited,
        citations=citations,
        title_span=title_span,
        wrapper_title=wrapper_title,
        evidence=evidence,
    )


# ---------------------------------------------------------------------------------------------------------------
# linking documents


def same_document(a: DocumentMeta, b: DocumentMeta) -> bool:
    """Whether two metadata records are the same work: same 文号, or same title in a compatible place.

    Versions count as the same work: a draft for comment and the final text it became.
    """
    if a.doc_number and b.doc_number:
        return normalize_doc_number(a.doc_number) == normalize_doc_number(b.doc_number)
    if normalize_title(a.title) != normalize_title(b.title):
        return False
    return a.jurisdiction is None or b.jurisdiction is None or a.jurisdiction.code == b.jurisdiction.code


def match_title(
    cited_title: str, metas: Iterable[DocumentMeta], hint: Jurisdiction | None = None
) -> DocumentMeta | None:
    """The document of `metas` a cited or reported title names, compared by `normalize_title`.

    Reports are skipped (their titles are headlines). With a `hint` (the place of the cited document's issuers),
    a document of another place is not taken: a province's 意见 is not the national 意见 of the same title.
    Among several candidates the final text wins over a draft, then the first.
    """
    wanted = normalize_title(cited_title)
    candidates = [m for m in metas if m.status != "report" and normalize_title(m.title) == wanted]
    if hint is not None:
        same = [m for m in candidates if m.jurisdiction is not None and m.jurisdiction.code == hint.code]
        candidates = same or [m for m in candidates if m.jurisdiction is None]
    if not candidates:
        return None
    return sorted(candidates, key=lambda m: m.status != "final")[0]
