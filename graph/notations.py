"""Responsibility notations: the clauses of a task's text that name its units, with the role each unit has.

A clause is a bracketed group ("（牵头单位：A；配合单位：B）", "〔A牵头，B参与〕"), a labelled field outside brackets
("责任单位：A、B", "…牵头责任部门：A"), or a run of role-word phrases in running text ("由A负责，有关部门配合").
Its parts are labelled fields ("label: units") and role-word phrases ("units + 牵头/参与/按职责分工负责"); the
labels and role words are named rules in `data/notations.toml`, each with its examples. Unit lists are split by
`units.UnitReader`. Declarations (列第一位者为牵头单位) and document-wide rules (以下…不再列出) are found here too.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from policykg.graph.model import Basis, Role, Span
from policykg.graph.units import UnitReader

_TRIM = " \t\n\u3000,;:、。."
_LOST_MARKER_STARTS = "。,;:、.)?\ufffd"  # a paragraph starting so lost its item marker to mojibake


@dataclass(frozen=True)
class NotationRules:
    labels: tuple[tuple[str, str, str], ...]  # (rule name, role, pattern)
    label_re: re.Pattern[str]
    header_re: re.Pattern[str]  # the same labels as column headers (no colon after them)
    label_roles: dict[str, str]  # rule name → role
    unknown_label: re.Pattern[str]
    role_words: tuple[tuple[str, str], ...]  # (word, role), longest first
    unit_prefixes: tuple[str, ...]
    co_prefixes: tuple[str, ...]
    action_starts: tuple[str, ...]
    field_label: re.Pattern[str]
    ignored_parts: frozenset[str]
    bracket_roles: dict[str, str]
    with_words: tuple[str, ...]
    first_listed_leads: re.Pattern[str]
    inherit_rules: tuple[re.Pattern[str], ...]
    due_labels: re.Pattern[str]


def load_notation_rules(path: Path | None = None) -> NotationRules:
    text = path.read_text("utf-8") if path else resources.files("policykg.graph.data").joinpath(
        "notations.toml").read_text("utf-8")
    data = tomllib.loads(text)
    labels = tuple((rule["name"], rule["role"], rule["pattern"]) for rule in data["labels"])
    label_re = re.compile("(?:" + "|".join(f"(?P<{name.replace('-', '_')}>{pattern})" for name, _, pattern in labels)
                          + r")(?=\s*:)")
    header_re = re.compile("|".join(f"(?P<{name.replace('-', '_')}>{pattern})" for name, _, pattern in labels))
    words = sorted(((w, rule["role"]) for rule in data["role_words"] for w in rule["words"]),
                   key=lambda item: len(item[0]), reverse=True)
    clauses = data["clauses"]
    declarations = data["declarations"]
    return NotationRules(
        labels=labels,
        label_re=label_re,
        header_re=header_re,
        label_roles={name.replace("-", "_"): role for name, role, _ in labels},
        unknown_label=re.compile(clauses["unknown_label"]),
        role_words=tuple(words),
        unit_prefixes=tuple(sorted(clauses["unit_prefixes"], key=len, reverse=True)),
        co_prefixes=tuple(clauses["co_prefixes"]),
        action_starts=tuple(clauses["action_starts"]),
        field_label=re.compile(clauses["field_label"]),
        ignored_parts=frozenset(clauses["ignored_parts"]),
        bracket_roles=dict(clauses["bracket_roles"]),
        with_words=tuple(clauses["with_words"]),
        first_listed_leads=re.compile(declarations["first_listed_leads"]),
        inherit_rules=tuple(re.compile(p) for p in declarations["inherit_rules"]),
        due_labels=re.compile(clauses["due_labels"]),
    )


@dataclass
class Unit:
    span: Span
    role: Role
    basis: Basis
    position: int


@dataclass
class Clause:
    """A clause naming units: its evidence span and the units with their roles."""

    span: Span
    units: list[Unit]
    declares_first_leads: bool = False
    inherit: tuple[Span, list[Span]] | None = None  # (rule span, its units) of 以下…不再列出
    running: bool = False  # role words in running text ("由A负责，B配合"), not a bracketed or labelled note


@dataclass
class _Part:
    role: str  # lead, co, list
    units: list[tuple[Span, Role | None]]  # with a role written in brackets after the unit, if any
    source: str  # "label", "word" (a role word after the units) or "bare" (a list alone in brackets)

    @property
    def labelled(self) -> bool:
        return self.source == "label"


@dataclass
class _Parsed:
    parts: list[_Part] = field(default_factory=list)
    rejected: bool = False  # a piece neither names units nor is a known declaration
    declares: bool = False
    inherit: tuple[Span, list[Span]] | None = None


def _trim(key: str, span: Span) -> Span:
    a, b = span.start, span.end
    while a < b and key[a] in _TRIM:
        a += 1
    while b > a and key[b - 1] in _TRIM:
        b -= 1
    return Span(a, b)


def bracket_groups(key: str, span: Span) -> list[Span]:
    """Outermost balanced "(...)" groups within span (the key view folds every bracket kind to ASCII)."""
    groups: list[Span] = []
    depth, opened = 0, -1
    for i in range(span.start, span.end):
        ch = key[i]
        if ch == "(":
            if depth == 0:
                opened = i
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                groups.append(Span(opened, i + 1))
    return groups


def _sentence_final(key: str, group: Span, within: Span) -> bool:
    """A bracketed group that follows a task's words and stands after a sentence or at its end: not glued inside
    a phrase ("街道(乡镇)") and not a tag opening a line ("【直击两会】…")."""
    before = key[within.start : group.start].rstrip(" \t\u3000")
    after = key[group.end : within.end].lstrip(" \t\u3000")
    return bool(before) and (before[-1] in "。;!?,)" or not after or after[0] in "。;\n")


def _chunks(key: str, span: Span, cuts: str) -> list[Span]:
    """Pieces of span between top-level separators in `cuts` (brackets are not looked into)."""
    pieces: list[Span] = []
    depth, start = 0, span.start
    for i in range(span.start, span.end + 1):
        ch = key[i] if i < span.end else None
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        if ch is None or (depth == 0 and ch in cuts):
            piece = _trim(key, Span(start, i))
            if piece.end > piece.start:
                pieces.append(piece)
            start = i + 1
    return pieces


class NotationReader:
    """Finds responsibility clauses with the notation rules and the unit grammar."""

    def __init__(self, rules: NotationRules, units: UnitReader) -> None:
        self.rules = rules
        self.units = units

    # -- the clauses of a task --------------------------------------------------------------------------------

    def clauses(self, key: str, spans: list[Span], *, declared: bool = False) -> list[Clause]:
        """Every clause in the spans (a task's own text), in reading order."""
        found: list[Clause] = []
        for span in spans:
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

    def due_fields(self, key: str, spans: list[Span]) -> list[Span]:
        """Values of 完成时限-style fields ("完成时限:2024年6月底", "(…;完成时限:2023年底)")."""
        found: list[Span] = []
        for span in spans:
            for match in self.rules.due_labels.finditer(key, span.start, span.end):
                end = next((i for i in range(match.end(), span.end) if key[i] in ";。)\n"), span.end)
                value = _trim(key, Span(match.end(), end))
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
            tail = _trim(key, Span(span.start + ends[-1], span.end))
            while tail.end > tail.start and key[tail.end - 1] in " ―—-":
                tail = Span(tail.start, tail.end - 1)
            tail = _trim(key, tail)
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

    def unknown_labels(self, key: str, span: Span) -> list[Span]:
        """Label-like "…单位:" that no label rule reads (reported so that a new wording gets a data line)."""
        found: list[Span] = []
        for match in self.rules.unknown_label.finditer(key, span.start, span.end):
            known = self.rules.label_re.search(key, match.start(), match.end() + 1)
            if known is None or known.end() != match.end():
                found.append(Span(match.start(), match.end()))
        return found

    # -- one clause ------------------------------------------------------------------------------------------

    def _clause(self, key: str, inner: Span, evidence: Span, *, bracketed: bool, declared: bool,
                final: bool = True) -> Clause | None:
        parsed = self._parse(key, inner)
        labelled = any(p.labelled for p in parsed.parts)
        if not parsed.parts or (parsed.rejected and not labelled):
            return None
        if not labelled and not self._plausible(parsed.parts, bare_allowed=bracketed and final):
            return None
        units = self._roles(parsed.parts, declared=declared or parsed.declares, key=key)
        if not units:
            return None
        return Clause(evidence, units, parsed.declares, parsed.inherit)

    def _parse(self, key: str, region: Span) -> _Parsed:
        parsed = _Parsed()
        blanks: list[Span] = []  # declarations and rules: read here, then blanked out for the unit lists
        for pattern in self.rules.inherit_rules:
            match = pattern.search(key, region.start, region.end)
            if match:
                units = match.span("units")
                parsed.inherit = (Span(match.start(), match.end()),
                                  self.units.split(key, _trim(key, Span(units[0], units[1]))))
                blanks.append(Span(match.start(), match.end()))
                break
        declaration = self.rules.first_listed_leads.search(key, region.start, region.end)
        if declaration:
            parsed.declares = True
            blanks.append(Span(declaration.start(), declaration.end()))
        for blank in blanks:  # same length, so every offset still points into the text
            key = key[: blank.start] + " " * (blank.end - blank.start) + key[blank.end :]
        pending: list[Span] = []  # unit lists not yet given a role (a role word or label may follow)
        for piece in self._pieces(key, region):
            text = key[piece.start : piece.end]
            if text in self.rules.ignored_parts or not text.strip("() "):
                continue
            label = self.rules.label_re.match(key, piece.start, piece.end)
            if label is not None:
                role = self.rules.label_roles[label.lastgroup or ""]
                value = self._unit_prefix_of(key, _trim(key, Span(label.end(), piece.end)))
                if role == "other":
                    pending = []
                    continue
                parsed.parts.append(_Part(role, self._units(key, value), "label"))
                pending = []
                continue
            if self.rules.field_label.match(key, piece.start, piece.end):
                pending = []  # a field no label rule names (项目责任人:…, 实际完成情况:…)
                continue
            with_parts = self._with_phrase(key, piece)
            if with_parts is not None:
                parsed.parts.extend(with_parts)
                pending = []
                continue
            word = self._role_word(key, piece)
            if word is not None:
                role, value = word
                start = pending[0].start if pending else value.start
                parsed.parts.append(_Part(role, self._units(key, Span(start, value.end)), "word"))
                pending = []
                continue
            if parsed.parts and parsed.parts[-1].labelled and not pending:  # "责任单位:A,B" continues
                listed = self._unit_prefix_of(key, piece)
                if listed.end > listed.start:
                    parsed.parts[-1].units.extend(self._units(key, listed))
                    if listed.end < piece.end:
                        parsed.rejected = True
                    continue
            if self._is_unit_list(key, piece):
                pending.append(piece)
                continue
            parsed.rejected = True
        if pending:
            parsed.parts.append(_Part("list", self._units(key, Span(pending[0].start, pending[-1].end)), "bare"))
        return parsed

    def _pieces(self, key: str, region: Span) -> list[Span]:
        """A region cut at ;。, and before every field label ("…指挥部 项目责任人:张三" → two pieces)."""
        pieces: list[Span] = []
        for chunk in _chunks(key, region, ";。,"):
            starts = [m.start() for m in self.rules.field_label.finditer(key, chunk.start + 1, chunk.end)]
            bounds = [chunk.start, *starts, chunk.end]
            trimmed = (_trim(key, Span(a, b)) for a, b in itertools.pairwise(bounds))
            pieces.extend(p for p in trimmed if p.end > p.start)
        return pieces

    def _unit_prefix_of(self, key: str, span: Span) -> Span:
        """The part of a labelled value that is a unit list: all of it, or what comes before the first space after
        which no unit follows ("市公安局、各区政府 鄞州 海曙 合计 2 5 …" → "市公安局、各区政府")."""
        if self._is_unit_list(key, span, loose=True):
            return span
        for gap in re.finditer(r"\s+", key[span.start : span.end]):
            head = _trim(key, Span(span.start, span.start + gap.start()))
            if head.end > head.start and self._is_unit_list(key, head, loose=True):
                return head
        return Span(span.start, span.start)

    def _with_phrase(self, key: str, piece: Span) -> list[_Part] | None:
        """"[由]A会同B、C等部门研究…": A leads, B and C co-operate; "会同B、C等单位负责落实": B and C co-operate."""
        text = key[piece.start : piece.end]
        for word in self.rules.co_prefixes:
            pos = text.find(word)
            if pos < 0:
                continue
            lead = self._strip_prefix(key, _trim(key, Span(piece.start, piece.start + pos)))
            if lead.end > lead.start and not self._is_unit_list(key, lead, loose=True):
                continue
            partners = self._leading_units(key, Span(piece.start + pos + len(word), piece.end))
            if not partners:
                continue
            parts = [_Part("co", [(u, None) for u in partners], "word")]
            if lead.end > lead.start:
                parts.insert(0, _Part("lead", self._units(key, lead), "word"))
            return parts
        return None

    def _leading_units(self, key: str, span: Span) -> list[Span]:
        """The units a phrase starts with ("农业部、财政部等部门研究提出…" → 农业部, 财政部)."""
        units: list[Span] = []
        for item in _chunks(key, span, "、"):
            text = key[item.start : item.end]
            cut = text.find("等")
            if cut > 0:
                head = _trim(key, Span(item.start, item.start + cut))
                if self.units.looks_like_unit(key[head.start : head.end]):
                    units.append(head)
                break
            if self.units.looks_like_unit(text):
                units.append(item)
                continue
            # the longest name that an action follows ("省乡村振兴局|研究提出…", "财政部|推动建设乡镇…")
            end = max((n for n in range(2, len(text)) if text.startswith(self.rules.action_starts, n)
                       and self.units.looks_like_unit(text[:n])), default=0)
            if end:
                units.append(Span(item.start, item.start + end))
            break
        return units

    def _role_word(self, key: str, piece: Span) -> tuple[str, Span] | None:
        """(role, units span) when the piece is [由] units + role word."""
        text = key[piece.start : piece.end]
        for word, role in self.rules.role_words:
            if text.endswith(word) and len(text) > len(word):
                value = Span(piece.start, piece.end - len(word))
                value = self._strip_prefix(key, value)
                if value.end > value.start and self._is_unit_list(key, value, loose=True):
                    return role, value
        return None

    def _strip_prefix(self, key: str, span: Span) -> Span:
        for prefix in self.rules.unit_prefixes:
            if key.startswith(prefix, span.start, span.end):
                return _trim(key, Span(span.start + len(prefix), span.end))
        return span

    def _units(self, key: str, span: Span) -> list[tuple[Span, Role | None]]:
        """Units of a list with a role written in brackets after a unit ("省民政厅(牵头)")."""
        out: list[tuple[Span, Role | None]] = []
        for unit in self.units.split(key, self._strip_prefix(key, span)):
            unit, role = self._bracket_role(key, unit)
            if unit.end > unit.start:
                out.extend(self._with_split(key, unit, role))
        return out

    def _bracket_role(self, key: str, unit: Span) -> tuple[Span, Role | None]:
        """A unit without a bracket after it that holds a role ("省民政厅(牵头)") or a declaration read and blanked
        out ("市财政局(第一责任单位为牵头单位,下同)"), with that role."""
        text = key[unit.start : unit.end]
        blank = re.search(r"\(([^()]*)\)$", text)
        if blank and re.sub(r"[\s,;:、。]", "", blank.group(1)) in {"", *self.rules.ignored_parts}:
            unit = _trim(key, Span(unit.start, unit.start + blank.start()))
            text = key[unit.start : unit.end]
        match = re.search(r"\(([^()]{1,6})\)$", text)
        if match and match.group(1) in self.rules.bracket_roles:
            role: Role = self.rules.bracket_roles[match.group(1)]  # type: ignore[assignment]
            return _trim(key, Span(unit.start, unit.start + match.start())), role
        return unit, None

    def _with_split(self, key: str, unit: Span, role: Role | None) -> list[tuple[Span, Role | None]]:
        """"省民政厅会同有关部门": the unit before 会同 leads, the ones after it co-operate."""
        text = key[unit.start : unit.end]
        for word in self.rules.with_words:
            pos = text.find(word)
            if pos > 0 and self.units.looks_like_unit(text[:pos]):
                rest = _trim(key, Span(unit.start + pos + len(word), unit.end))
                partners = self.units.split(key, rest)
                if partners and all(self.units.looks_like_unit(key[p.start : p.end]) for p in partners):
                    return [(_trim(key, Span(unit.start, unit.start + pos)), "lead"), *((p, "co") for p in partners)]
        return [(unit, role)]

    def _is_unit_list(self, key: str, span: Span, *, loose: bool = False) -> bool:
        """Every part of the list is a unit (loose: the last is, and the others are short names sharing its
        suffix, as in 公安、交通部门)."""
        bare = [self._bracket_role(key, u)[0] for u in self.units.split(key, self._strip_prefix(key, span))]
        parts = [key[u.start : u.end] for u in bare]
        if not parts:
            return False
        looks = [self.units.looks_like_unit(p) for p in parts]
        if all(looks):
            return True
        return loose and looks[-1] and all(len(p) <= 6 and re.fullmatch(r"[\u4e00-\u9fff]+", p) for p in parts)

    @staticmethod
    def _plausible(parts: list[_Part], *, bare_allowed: bool) -> bool:
        """An unlabelled clause names units with role words; a bare list of units counts only in brackets that
        close a sentence ("…建设。(市民政局、市财政局)", not "街道(乡镇)")."""
        return all(p.units for p in parts) and (bare_allowed or all(p.source != "bare" for p in parts))

    def _roles(self, parts: list[_Part], *, declared: bool, key: str) -> list[Unit]:
        """Roles from labels and role words. Without a stated lead, the first list leads by its first unit that is
        not a collective (各地区, 有关部门 implement, they do not lead); a labelled list of collectives only is led
        by its first one."""
        has_lead = any(p.role == "lead" or any(r == "lead" for _, r in p.units) for p in parts)
        units: list[Unit] = []
        first_list = next((p for p in parts if p.role == "list" and p.units), None)
        leader: tuple[int, int] | None = None
        if first_list is not None and not has_lead:
            named = [u for u, _ in first_list.units if not self.units.is_collective(key[u.start : u.end])]
            chosen = named[0] if named else (first_list.units[0][0] if first_list.labelled else None)
            leader = (chosen.start, chosen.end) if chosen is not None else None
        sole = len(parts) == 1 and len(parts[0].units) == 1
        for part in parts:
            for span, written_role in part.units:
                position = len(units) + 1
                if written_role is not None:
                    units.append(Unit(span, written_role, "explicit", position))
                elif part.role in ("lead", "co"):
                    units.append(Unit(span, part.role, "explicit", position))  # type: ignore[arg-type]
                elif has_lead:
                    units.append(Unit(span, "co", "explicit", position))
                else:
                    basis: Basis = "sole-unit" if sole else ("declared-list-order" if declared else "list-order")
                    lead = leader == (span.start, span.end)
                    units.append(Unit(span, "lead" if lead else "co", basis if lead or not sole else "list-order",
                                      position))
        return units

    # -- role-word phrases in running text -----------------------------------------------------------------

    def _role_sentences(self, key: str, span: Span, taken: list[Span], declared: bool) -> list[Clause]:
        """Consecutive clauses of running text that are [由] units + role word: "由A负责，有关部门配合"."""
        found: list[Clause] = []
        run: list[Span] = []
        pieces = _chunks(key, span, ";。,\n")
        for piece in [*pieces, None]:
            ok = piece is not None and not any(t.start <= piece.start < t.end for t in taken) and not \
                bracket_groups(key, piece) and (self._role_word(key, piece) is not None or
                                                self._with_phrase(key, piece) is not None)
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
