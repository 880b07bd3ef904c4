"""The documents a text cites: its 《…》 marks, "applies" or "cites" for each, and who issued the cited text.

`find_citations` gives one `CitedDocument` and one `Citation` (文号, issuers, place) per cited title;
`issue_statement` finds the "X印发《Y》" a text is about. Issuers read by the suffix rule are kept only when the
agency recognizer of the `Ctx` (when given) knows them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from policykg.graph.metarules import MetaRules, alternation
from policykg.graph.model import Citation, CitedDocument, Span
from policykg.graph.places import jurisdiction_of
from policykg.graph.reading import Ctx
from policykg.graph.titles import (
    DOC_NUMBER,
    normalize_doc_number,
    normalize_title,
    parse_agencies,
    parse_title,
    squeeze,
)

_CLAUSE_MARKS = ",;:。!?\n"
_SENTENCE_MARKS = "。;!?\n"
_NUMBER_PAREN = re.compile(rf"\s*\(\s*({DOC_NUMBER.pattern})\s*\)")


def _strip_lead_in(view: str, start: int, rules: MetaRules) -> int:
    """Skip datelines, reporter credits and time words at the head of a clause."""
    changed = True
    while changed:
        changed = False
        while start < len(view) and view[start] in " \u3000":
            start += 1
        for pattern in rules.lead_in:
            m = pattern.match(view[start:])  # on a slice: "^" in the patterns means the clause start
            if m and m.end() > 0:
                start, changed = start + m.end(), True
    return start


# ---------------------------------------------------------------------------------------------------------------
# marks and relations


@dataclass
class Mark:
    """One 《…》 in the text, with what follows it."""

    open: int  # position of 《
    close: int  # position of 》
    span: Span  # the title inside, trimmed
    nested: list[Span]  # 〈…〉 (or 《…》) titles inside it
    after: int  # end of a (文号) right after it, else close + 1
    number_span: Span | None = None  # that 文号
    alias: bool = False  # it is a short name being defined: (以下简称《Y》)


def find_marks(view: str, span: Span, rules: MetaRules) -> list[Mark]:
    """Every 《…》 of a paragraph, nesting followed; unclosed or overlong ones (OCR damage) are skipped."""
    found: list[Mark] = []
    i = span.start
    while True:
        j = view.find("《", i, span.end)
        if j < 0:
            return found
        stack: list[int] = []
        nested: list[Span] = []
        close = -1
        k = j
        while k < span.end and k - j <= rules.max_title + 2:
            char = view[k]
            if char in "《〈":
                stack.append(k)
            elif char in "》〉" and stack:
                opened = stack.pop()
                if not stack:
                    close = k
                    break
                if len(stack) == 1:
                    nested.append(_trim(view, Span(opened + 1, k)))
            elif char == "。":
                break
            k += 1
        if close < 0:
            i = j + 1
            continue
        mark = Mark(j, close, _trim(view, Span(j + 1, close)), nested, close + 1)
        paren = _NUMBER_PAREN.match(view, close + 1, span.end)
        if paren:
            mark.number_span = Span(paren.start(1), paren.end(1))
            mark.after = paren.end()
        before = view[max(span.start, j - 6) : j].rstrip(" “\"")
        mark.alias = any(before.endswith(w) for w in rules.alias_words)
        if mark.span.end > mark.span.start:
            found.append(mark)
        i = close + 1


def _trim(view: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and view[start].isspace():
        start += 1
    while end > start and view[end - 1].isspace():
        end -= 1
    return Span(start, end)


def _clause_start(view: str, floor: int, pos: int) -> int:
    best = floor
    for mark in _CLAUSE_MARKS:
        k = view.rfind(mark, floor, pos)
        if k >= 0:
            best = max(best, k + 1)
    return best


def _sentence_start(view: str, floor: int, pos: int) -> int:
    best = floor
    for mark in _SENTENCE_MARKS:
        k = view.rfind(mark, floor, pos)
        if k >= 0:
            best = max(best, k + 1)
    return best


@dataclass
class _RawCitation:
    mark: Mark
    relation: str
    issuers: list[tuple[int, int]]  # spans in the view


def _relations(view: str, para: Span, marks: list[Mark], rules: MetaRules) -> list[_RawCitation]:
    """Decide "applies" or "cites" for each 《…》 of a paragraph from the clause that leads up to it."""
    out: list[_RawCitation] = []
    prev: _RawCitation | None = None
    verbs = alternation(rules.issue_verbs)
    phrase = re.compile(alternation(rules.applies))
    for mark in marks:
        clause = _clause_start(view, para.start, mark.open)
        gap_start = clause
        if prev is not None and prev.mark.after > clause:
            gap_start = prev.mark.after
        gap = view[gap_start : mark.open]
        relation = "cites"
        issuers: list[tuple[int, int]] = []
        hits = list(phrase.finditer(gap))
        if hits:
            tail = gap[hits[-1].end() :]
            if not re.search(verbs, tail):
                relation = "applies"
                names, _ = parse_agencies(tail, rules, whole=True)
                issuers = [(gap_start + hits[-1].end() + a, gap_start + hits[-1].end() + b) for a, b in names]
        elif prev is not None and prev.relation == "applies" and gap_start > clause and (
            not gap.strip() or gap.strip() in rules.conjunctions
        ):
            relation = "applies"
        if relation == "cites":
            names, _ = parse_agencies(gap, rules, whole=True)
            if names:
                issuers = [(gap_start + a, gap_start + b) for a, b in names]
        current = _RawCitation(mark, relation, issuers)
        out.append(current)
        prev = current
    return out


# ---------------------------------------------------------------------------------------------------------------
# issue statements and citations


def _accept(ctx: Ctx, names: Sequence[tuple[int, int]]) -> bool:
    return _accept_names(ctx, [ctx.text(n) for n in names])


def _accept_names(ctx: Ctx, names: Sequence[str]) -> bool:
    """Issuers read by the suffix rule are kept only if the agency recognizer (when given) knows them all."""
    return ctx.agencies is None or all(ctx.agencies.is_agency(n) for n in names)


def issue_statement(ctx: Ctx, skip: Span | None, wanted: str = "") -> tuple[Mark, list[tuple[int, int]]] | None:
    """The "X印发《Y》" a text is about: Y's mark and X's names (optionally only a Y equal to `wanted`).

    The first statement that gives Y a short name (以下简称《…》) wins, since that is the document the text goes on
    to discuss; else the first statement.
    """
    alias = re.compile(rf"\s*\(\s*(?:{alternation(ctx.rules.alias_words)})")
    first: tuple[Mark, list[tuple[int, int]]] | None = None
    for statement in _issue_statements(ctx, skip, wanted):
        if alias.match(ctx.view, statement[0].after):
            return statement
        first = first or statement
    return first


def _issue_statements(
    ctx: Ctx, skip: Span | None, wanted: str
) -> Iterator[tuple[Mark, list[tuple[int, int]]]]:
    """Every "X印发《Y》" of the body outside `skip`, in reading order.

    X is read from the clause before the verb ("…，贵州省民政厅日前牵头拟制《Y》"), else from the head of the
    sentence ("广东省民政厅、贵州省民政厅贯彻落实…，近日联合印发《Y》").
    """
    verbs = re.compile(rf"(?:{alternation(ctx.rules.issue_verbs)})了?\s*$")
    for span in ctx.spans:
        if skip is not None and span.start < skip.end and skip.start < span.end:
            continue
        for mark in find_marks(ctx.view, span, ctx.rules):
            if wanted and normalize_title(ctx.text(mark.span)) != wanted:
                continue
            verb = verbs.search(ctx.view, span.start, mark.open)
            if not verb:
                continue
            verb_at = verb.start()
            clause = _strip_lead_in(ctx.view, _clause_start(ctx.view, span.start, verb_at), ctx.rules)
            names, _ = parse_agencies(ctx.view[clause:verb_at], ctx.rules, whole=True)
            found = [(clause + a, clause + b) for a, b in names]
            if not found:
                sentence = _strip_lead_in(ctx.view, _sentence_start(ctx.view, span.start, verb_at), ctx.rules)
                head_end = _clause_end(ctx.view, sentence, verb_at)
                names, _ = parse_agencies(ctx.view[sentence:head_end], ctx.rules)
                found = [(sentence + a, sentence + b) for a, b in names]
            yield mark, (found if _accept(ctx, found) else [])


def _clause_end(view: str, start: int, limit: int) -> int:
    ends = [k for k in (view.find(m, start, limit) for m in _CLAUSE_MARKS) if k >= 0]
    return min(ends) if ends else limit


def find_citations(
    ctx: Ctx, exclude: set[str], skip: Span | None = None
) -> tuple[list[CitedDocument], list[Citation]]:
    """Every 《…》 the article cites, one per title ("applies" if any mention applies), nested titles too.

    Titles in `exclude` (the document itself, the reported document), short names defined by 以下简称 and the
    definitions themselves are not citations.
    """
    aliases: set[str] = set()
    by_title: dict[str, tuple[CitedDocument, Citation]] = {}
    order: list[str] = []

    def add(title_span: Span, relation: str, number: str, issuers: list[str], outer: str) -> None:
        title = squeeze(ctx.text(title_span))
        norm = normalize_title(title)
        if not norm or norm in exclude or norm in aliases:
            return
        if norm in by_title:
            known, info = by_title[norm]
            if relation == "applies" and known.relation != "applies":
                by_title[norm] = (CitedDocument(known.title, title_span, relation), info)
                info.cited = by_title[norm][0]
            return
        cited = CitedDocument(title, title_span, relation)
        juris = jurisdiction_of(ctx, issuers) if issuers else None
        by_title[norm] = (cited, Citation(cited, number, issuers, juris, outer))
        order.append(norm)

    for span in ctx.spans:
        if skip is not None and span.start >= skip.start and span.end <= skip.end:
            continue
        marks = find_marks(ctx.view, span, ctx.rules)
        for raw in _relations(ctx.view, span, marks, ctx.rules):
            mark = raw.mark
            if mark.alias:
                aliases.add(normalize_title(ctx.text(mark.span)))
                continue
            outer = squeeze(ctx.text(mark.span))
            issuers = [ctx.text(n) for n in raw.issuers] if _accept(ctx, raw.issuers) else []
            number = normalize_doc_number(ctx.text(mark.number_span)) if mark.number_span else ""
            if not issuers:  # "X关于…的意见", "X印发〈…〉的通知": the title names its issuers
                named = parse_title(outer, ctx.rules).issuers
                issuers = named if _accept_names(ctx, named) else []
            add(mark.span, raw.relation, number, issuers, "")
            for inner in mark.nested:
                inner_issuers = _nested_issuers(ctx, mark, inner)
                add(inner, raw.relation, "", inner_issuers, outer)
    pairs = [by_title[n] for n in order]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _nested_issuers(ctx: Ctx, mark: Mark, inner: Span) -> list[str]:
    """Issuers of a nested title, from the enclosing notice.

    "X印发〈Y〉的通知": Y is X's own. "X转发Z〈Y〉的通知": Y is Z's. Otherwise unknown.
    """
    outer_view = ctx.view[mark.span.start : inner.start - 1]
    start = mark.span.start
    forwarded = re.search(r"(?:转发|批转|印转)", outer_view)
    if forwarded:
        names, _ = parse_agencies(outer_view[forwarded.end() :], ctx.rules, whole=True)
        start += forwarded.end()
    else:
        issued = re.search(r"(?:关于)?(?:印发|发布|颁布|公布|出台|下发)$", outer_view)
        if not issued:
            return []
        names, _ = parse_agencies(outer_view[: issued.start()], ctx.rules, whole=True)
    spans = [(start + a, start + b) for a, b in names]
    return [ctx.text(s) for s in spans] if _accept(ctx, spans) else []
