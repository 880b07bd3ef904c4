"""One responsibility clause read into its units and their roles.

A clause region ("牵头单位:A;配合单位:B", "A牵头,B、C参与,D负责落实", "由A会同B、C研究…") is cut into pieces at
;。, and before every field label; each piece is a labelled field, role-word phrase, 会同 phrase or bare unit
list. Declarations (列第一位者为牵头单位) and rules (以下…不再列出) are read and blanked out first. Roles follow
from labels and role words; without a stated lead, the first list leads by its first unit that is not a
collective.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from policykg.graph.model import Basis, Role, Span
from policykg.graph.notation_rules import NotationRules
from policykg.graph.spans import split_top
from policykg.graph.spans import trim as trim_chars
from policykg.graph.units import UnitReader

TRIM = " \t\n\u3000,;:、。."


@dataclass
class Unit:
    span: Span
    role: Role
    basis: Basis
    position: int


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


def trim(key: str, span: Span) -> Span:
    return trim_chars(key, span, TRIM)


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


def chunks(key: str, span: Span, cuts: str) -> list[Span]:
    """Pieces of span between top-level separators in `cuts` (brackets are not looked into)."""
    return split_top(key, span, cuts, TRIM)


class ClauseParser:
    """Reads one clause region with the notation rules and the unit grammar."""

    def __init__(self, rules: NotationRules, units: UnitReader) -> None:
        self.rules = rules
        self.units = units

    def parse(self, key: str, region: Span) -> _Parsed:
        parsed = _Parsed()
        blanks: list[Span] = []  # declarations and rules: read here, then blanked out for the unit lists
        for pattern in self.rules.inherit_rules:
            match = pattern.search(key, region.start, region.end)
            if match:
                units = match.span("units")
                parsed.inherit = (Span(match.start(), match.end()),
                                  self.units.split(key, trim(key, Span(units[0], units[1]))))
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
            label = self.rules.label_re.match(key, piece.start, piece.end) or \
                self.rules.line_label_re.match(key, piece.start, piece.end)
            if label is not None:
                role = self.rules.label_roles[label.lastgroup or ""]
                value = trim(key, Span(label.end(), piece.end))
                worded = self.role_word(key, value)  # "责任单位:A、B按职责分工负责": the label gives the role
                value = self._unit_prefix_of(key, worded[1] if worded is not None else value)
                if role == "other":
                    pending = []
                    continue
                parsed.parts.append(_Part(role, self._units(key, value), "label"))
                pending = []
                continue
            if self.rules.field_label.match(key, piece.start, piece.end):
                pending = []  # a field no label rule names (项目责任人:…, 实际完成情况:…)
                continue
            with_parts = self.with_phrase(key, piece)
            if with_parts is not None:
                parsed.parts.extend(with_parts)
                pending = []
                continue
            word = self.role_word(key, piece)
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
        for chunk in chunks(key, region, ";。,"):
            starts = [m.start() for m in self.rules.field_label.finditer(key, chunk.start + 1, chunk.end)]
            bounds = [chunk.start, *starts, chunk.end]
            trimmed = (trim(key, Span(a, b)) for a, b in itertools.pairwise(bounds))
            pieces.extend(p for p in trimmed if p.end > p.start)
        return pieces

    def _unit_prefix_of(self, key: str, span: Span) -> Span:
        """The part of a labelled value that is a unit list: all of it, or what comes before the first space after
        which no unit follows ("市公安局、各区政府 鄞州 海曙 合计 2 5 …" → "市公安局、各区政府")."""
        if self._is_unit_list(key, span, loose=True):
            return span
        for gap in re.finditer(r"\s+", key[span.start : span.end]):
            head = trim(key, Span(span.start, span.start + gap.start()))
            if head.end > head.start and self._is_unit_list(key, head, loose=True):
                return head
        return Span(span.start, span.start)

    def with_phrase(self, key: str, piece: Span) -> list[_Part] | None:
        """"[由]A会同B、C等部门研究…": A leads, B and C co-operate; "会同B、C等单位负责落实": B and C co-operate."""
        text = key[piece.start : piece.end]
        for word in self.rules.co_prefixes:
            pos = text.find(word)
            if pos < 0:
                continue
            lead = self._strip_prefix(key, trim(key, Span(piece.start, piece.start + pos)))
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
        for item in chunks(key, span, "、"):
            text = key[item.start : item.end]
            cut = text.find("等")
            if cut > 0:
                head = trim(key, Span(item.start, item.start + cut))
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

    def role_word(self, key: str, piece: Span) -> tuple[str, Span] | None:
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
                return trim(key, Span(span.start + len(prefix), span.end))
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
            unit = trim(key, Span(unit.start, unit.start + blank.start()))
            text = key[unit.start : unit.end]
        match = re.search(r"\(([^()]{1,6})\)$", text)
        if match and match.group(1) in self.rules.bracket_roles:
            role: Role = self.rules.bracket_roles[match.group(1)]  # type: ignore[assignment]
            return trim(key, Span(unit.start, unit.start + match.start())), role
        return unit, None

    def _with_split(self, key: str, unit: Span, role: Role | None) -> list[tuple[Span, Role | None]]:
        """"省民政厅会同有关部门": the unit before 会同 leads, the ones after it co-operate."""
        text = key[unit.start : unit.end]
        for word in self.rules.with_words:
            pos = text.find(word)
            if pos > 0 and self.units.looks_like_unit(text[:pos]):
                rest = trim(key, Span(unit.start + pos + len(word), unit.end))
                partners = self.units.split(key, rest)
                if partners and all(self.units.looks_like_unit(key[p.start : p.end]) for p in partners):
                    return [(trim(key, Span(unit.start, unit.start + pos)), "lead"), *((p, "co") for p in partners)]
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
        verbs = self.units.grammar.not_first
        return loose and looks[-1] and all(
            ok or (len(p) <= 6 and re.fullmatch(r"[\u4e00-\u9fff]+", p) and not p.startswith(verbs))
            for p, ok in zip(parts, looks, strict=True))

    def roles(self, parts: list[_Part], *, declared: bool, key: str) -> list[Unit]:
        """Roles from labels and role words. Without a stated lead, the first list leads by its first unit that is
        not a collective (各地区, 有关部门 implement, they do not lead); a labelled list of collectives only is led
        by its first one."""
        has_lead = any(p.role == "lead" or any(r == "lead" for _, r in p.units) for p in parts)
        if not has_lead and any(p.role == "co" and p.labelled for p in parts):
            # 责任单位 beside 配合单位: the responsible units lead, all of them (as in a table with both columns)
            return [Unit(span, role or self._beside_co(part.role, key, span), "explicit", n)
                    for n, (part, span, role) in enumerate(((p, s, r) for p in parts for s, r in p.units), start=1)]
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

    def _beside_co(self, role: str, key: str, span: Span) -> Role:
        """The role of a unit of a 责任单位 list that stands beside a 配合单位 list: lead, unless a collective."""
        if role != "list":
            return "co" if role == "co" else "lead"
        return "co" if self.units.is_collective(key[span.start : span.end]) else "lead"

    @staticmethod
    def plausible(parts: list[_Part], *, bare_allowed: bool) -> bool:
        """An unlabelled clause names units with role words; a bare list of units counts only in brackets that
        close a sentence ("…建设。(市民政局、市财政局)", not "街道(乡镇)")."""
        return all(p.units for p in parts) and (bare_allowed or all(p.source != "bare" for p in parts))
