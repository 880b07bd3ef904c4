"""Responsibility notations: the clauses of a task's text that name its units, with the role each unit has.

A clause is a bracketed group ("（牵头单位：A；配合单位：B）", "〔A牵头，B参与〕"), a labelled field outside brackets
("责任单位：A、B", "…牵头责任部门：A"), or a run of role-word phrases in running text ("由A负责，有关部门配合").
Its parts are labelled fields ("label: units") and role-word phrases ("units + 牵头/参与/按职责分工负责"); the
labels and role words are named rules in `data/notations.toml`, each with its examples. Unit lists are split by
`units.UnitReader`. Declarations (列第一位者为牵头单位) and document-wide rules (以下…不再列出) are found here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.graph.clauses import ClauseParser, Unit, bracket_groups, chunks, trim
from policykg.graph.model import Span
from policykg.graph.notation_rules import NotationRules
from policykg.graph.units import UnitReader

_LOST_MARKER_STARTS = "。,;:、.)?\ufffd"  # a paragraph starting so lost its item marker to mojibake


@dataclass
class Clause:
    """A clause naming units: its evidence span and the units with their roles."""

    span: Span
    units: list[Unit]
    declares_first_leads: bool = False
    inherit: tuple[Span, list[Span]] | None = None  # (rule span, its units) of 以下…不再列出
    running: bool = False  # role words in running text ("由A负责，B配合"), not a bracketed or labelled note


def _sentence_final(key: str, group: Span, within: Span) -> bool:
    """A bracketed group that follows a task's words and stands after a sentence or at its end: not glued inside
    a phrase ("街道(乡镇)") and not a tag opening a line ("【直击两会】…")."""
    before = key[within.start : group.start].rstrip(" \t\u3000")
    after = key[group.end : within.end].lstrip(" \t\u3000")
    return bool(before) and (before[-1] in "。;!?,)" or not after or after[0] in "。;\n")


class NotationReader:
    """Finds responsibility clauses with the notation rules and the unit grammar."""

    def __init__(self, rules: NotationRules, units: UnitReader) -> None:
        self.rules = rules
        self.units = units
        self.parser = ClauseParser(rules, units)

    # -- the clauses of a task --------------------------------------------------------------------------------

    def clauses(self, key: str, spans: list[Span], *, declared: bool = False) -> list[Clause]:
        """Every clause in the spans (a task's own text), in reading order."""
        found: list[Clause] = []
        for n, span in enumerate(spans):
            taken: list[Span] = []
            for group in bracket_groups(key, span):
                clause = self._clause(key, Span(group.start + 1, group.end - 1), group, bracketed=True,
                                      declared=declared, final=_sentence_final(key, group, span))
                if clause is not None:
                    found.append(clause)
                    taken.append(group)
            for match in self.rules.label_re.finditer(key, span.start, span.end):
                if any(t.start <= match.start() < t.end for t in taken):
                    continue
                region = Span(match.start(), self._field_end(key, match.end(), span.end))
                if not key[match.end() : region.end].strip(" \t\u3000:") and n + 1 < len(spans):
                    after = spans[n + 1]  # "责任单位:" alone on its line, the units on the next ("水务局、城管局")
                    if self.rules.label_re.search(key, after.start, after.end) is None:
                        region = Span(match.start(), self._field_end(key, after.start, after.end))
                clause = self._clause(key, region, region, bracketed=False, declared=declared)
                if clause is not None:
                    found.append(clause)
                    taken.append(region)
            bare = trim(key, span)
            line_label = self.rules.header_re.fullmatch(key, bare.start, bare.end) if bare.end > bare.start else None
            if line_label is not None and n + 1 < len(spans) and not taken:  # "责任单位" alone, the units next
                after = spans[n + 1]
                if self.rules.label_re.search(key, after.start, after.end) is None:
                    region = Span(span.start, self._field_end(key, after.start, after.end))
                    clause = self._clause(key, region, region, bracketed=False, declared=declared)
                    if clause is not None:
                        found.append(clause)
                        taken.append(region)
            found.extend(self._role_sentences(key, span, taken, declared))
        return sorted(found, key=lambda c: c.span.start)

    @staticmethod
    def _field_end(key: str, start: int, limit: int) -> int:
        """Where a labelled field outside brackets ends: the sentence end, the line end or an unmatched ")"."""
        depth = 0
        for i in range(start, limit):
            ch = key[i]
            if ch == "(":
                depth += 1
            elif ch == ")":
                if not depth:
                    return i
                depth -= 1
            elif ch in "。\n" and not depth:
                return i
        return limit

    def labelled_at(self, key: str, start: int) -> bool:
        """Whether a label ("责任单位:") opens the text at `start`."""
        return self.rules.label_re.match(key, start) is not None

    def due_fields(self, key: str, spans: list[Span]) -> list[Span]:
        """Values of 完成时限-style fields ("完成时限:2024年6月底", "(…;完成时限:2023年底)")."""
        found: list[Span] = []
        for span in spans:
            for match in self.rules.due_labels.finditer(key, span.start, span.end):
                end = next((i for i in range(match.end(), span.end) if key[i] in ";。)\n"), span.end)
                value = trim(key, Span(match.end(), end))
                if value.end > value.start:
                    found.append(value)
        return found

    def trailing_unit(self, key: str, spans: list[Span]) -> Span | None:
        """A unit written after the task's text on the same line, with no label ("…发放救助金. 自治区民政厅"): the
        last column of a table whose other columns were flattened into the text (an OCR'd 牵头单位 column)."""
        found: Span | None = None
        for span in spans:
            text = key[span.start : span.end]
            ends = [m.end() for m in re.finditer(r"[。;!?]|\.(?!\d)", text)]
            if not ends:
                continue
            tail = trim(key, Span(span.start + ends[-1], span.end))
            while tail.end > tail.start and key[tail.end - 1] in " ―—-":
                tail = Span(tail.start, tail.end - 1)
            tail = trim(key, tail)
            if tail.end - tail.start <= 24 and ends[-1] >= 4 and self.units.looks_like_unit(key[tail.start : tail.end]):
                found = tail
        return found

    def header_fields(self, key: str, span: Span) -> list[str]:
        """Roles of the unit labels on a table-header-like line (cells separated by spaces, no sentence)."""
        text = key[span.start : span.end]
        if re.search(r"[。,;:]", text) or len(text.split()) < 3:
            return []
        return [self.rules.label_roles[m.lastgroup or ""] for m in self.rules.header_re.finditer(text)
                if self.rules.label_roles[m.lastgroup or ""] != "other"]

    def is_item_paragraph(self, key: str, span: Span) -> bool:
        """A paragraph that states a task and names its units but lost its marker to a garbled encoding: it starts
        with what no sentence starts with ("。ㄒ唬…推进全流程一体化网上政务服务。(省政务局牵头…)")."""
        text = key[span.start : span.end].lstrip(" \t\u3000")
        if not text or text[0] not in _LOST_MARKER_STARTS:
            return False
        found = self.clauses(key, [span])
        return bool(found) and len(key[span.start : found[0].span.start].strip(" \t。.,;:、")) >= 8

    def declaration_at(self, key: str, spans: list[Span]) -> int | None:
        """Where the text first declares that the first listed unit leads (列第一位者为牵头单位，下同)."""
        for span in spans:
            match = self.rules.first_listed_leads.search(key, span.start, span.end)
            if match:
                return match.start()
        return None

    def heading_owners(self, key: str, heading: Span) -> list[Span]:
        """The units a section heading names as owning its tasks ("(三)省编办牵头的工作" → 省编办)."""
        match = self.rules.heading_owner.match(key, heading.start, heading.end)
        if match is None or match.end() != heading.end:
            return []
        units = self.units.split(key, Span(match.start("units"), match.end("units")))
        if not units or not all(self.units.looks_like_unit(key[u.start : u.end]) for u in units):
            return []
        return units

    def unknown_labels(self, key: str, span: Span) -> list[Span]:
        """Label-like "…单位:" that no label rule reads (reported so that a new wording gets a data line)."""
        found: list[Span] = []
        for match in self.rules.unknown_label.finditer(key, span.start, span.end):
            known = self.rules.label_re.search(key, match.start(), match.end() + 1)
            if known is None or known.end() != match.end():
                found.append(Span(match.start(), match.end()))
        return found

    def _clause(self, key: str, inner: Span, evidence: Span, *, bracketed: bool, declared: bool,
                final: bool = True) -> Clause | None:
        parsed = self.parser.parse(key, inner)
        labelled = any(p.labelled for p in parsed.parts)
        if not parsed.parts or (parsed.rejected and not labelled):
            return None
        if not labelled and not self.parser.plausible(parsed.parts, bare_allowed=bracketed and final):
            return None
        units = self.parser.roles(parsed.parts, declared=declared or parsed.declares, key=key)
        if not units:
            return None
        return Clause(evidence, units, parsed.declares, parsed.inherit)

    # -- role-word phrases in running text -----------------------------------------------------------------

    def _role_sentences(self, key: str, span: Span, taken: list[Span], declared: bool) -> list[Clause]:
        """Consecutive clauses of running text that are [由] units + role word: "由A负责，有关部门配合"."""
        found: list[Clause] = []
        run: list[Span] = []
        pieces = chunks(key, span, ";。,\n")
        for piece in [*pieces, None]:
            ok = piece is not None and not any(t.start <= piece.start < t.end for t in taken) and not \
                bracket_groups(key, piece) and (self.parser.role_word(key, piece) is not None or
                                                self.parser.with_phrase(key, piece) is not None)
            if ok and piece is not None:
                run.append(piece)
                continue
            if run:
                region = Span(run[0].start, run[-1].end)
                clause = self._clause(key, region, region, bracketed=False, declared=declared)
                if clause is not None:
                    clause.running = True
                    found.append(clause)
                run = []
        return found
