"""Extract: who is responsible for each task, how the text says so, and duties stated in running text.

Notations (labels, role words, declarations, document-wide rules, duty triggers) come from
`data/notations.toml`; agency names are recognised by an `AgencyFinder` (see `resolve.py`). Every fact keeps the
span of the text that states it.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Protocol

from policykg.graph.model import AgencyMention, Article, Basis, Duty, Responsibility, Role, Span, Task
from policykg.graph.outline import OutlineResult, iter_nodes
from policykg.graph.tables import TableHeaders, parse_tables

_SENTENCE_SPLIT = "。;!?！？\n"
_CLAUSE_START = ",:;。\n "
_GROUP_JOINERS = ("、", "和", "及", "与", "以及", ",")


class AgencyFinder(Protocol):
    """Recognises agency names; implemented by `resolve.AgencyRecognizer` from the agency lexicon."""

    def find(self, text: str) -> list[tuple[int, int]]: ...

    def is_agency(self, fragment: str) -> bool: ...


@dataclass(frozen=True)
class DutyRule:
    name: str
    trigger: re.Pattern[str]
    partners: bool
    makes_lead: bool


@dataclass(frozen=True)
class NotationRules:
    labels: dict[str, str]
    label_pattern: re.Pattern[str]
    role_words: list[tuple[str, Role]]
    separators: str
    with_words: list[str]
    trailing_words: list[str]
    not_units: re.Pattern[str]
    declarations: re.Pattern[str]
    inherit_rules: list[re.Pattern[str]]
    duties: list[DutyRule]
    duty_prefixes: list[str]
    clause_openers: list[str]
    tables: TableHeaders


def load_notation_rules(path: Path | None = None) -> NotationRules:
    text = path.read_text("utf-8") if path else resources.files("policykg.graph.data").joinpath(
        "notations.toml").read_text("utf-8")
    data = tomllib.loads(text)
    labels: dict[str, str] = dict(data["labels"])
    for other in data["fields"]["non_responsibility_labels"]:
        labels[other] = "other"
    names = sorted(labels, key=len, reverse=True)
    return NotationRules(
        labels=labels,
        label_pattern=re.compile(r"\s*(?P<label>" + "|".join(map(re.escape, names)) + r")\s*[:：]\s*"),
        role_words=[(w["word"], w["role"]) for w in data["role_words"]],
        separators=data["lists"]["separators"],
        with_words=list(data["lists"]["with_words"]),
        trailing_words=list(data["lists"]["trailing_words"]),
        not_units=re.compile("|".join(data["lists"]["not_units"])),
        declarations=re.compile("|".join(data["rules"]["first_listed_declarations"])),
        inherit_rules=[re.compile(p) for p in data["rules"]["inherit_rules"]],
        duties=[DutyRule(d["name"], re.compile(d["trigger"]), d["partners"], d["makes_lead"]) for d in data["duties"]],
        duty_prefixes=sorted(data["running_text"]["duty_prefixes"], key=len, reverse=True),
        clause_openers=list(data["running_text"]["clause_openers"]),
        tables=TableHeaders(
            task=list(data["tables"]["task_headers"]),
            number=list(data["tables"]["number_headers"]),
            deadline=list(data["tables"]["deadline_headers"]),
            target=list(data["tables"]["target_headers"]),
            units={label: kind for label, kind in labels.items()
                   if label not in data["tables"]["deadline_headers"] + data["tables"]["target_headers"]},
        ),
    )


@dataclass
class Extraction:
    tasks: list[Task]
    duties: list[Duty]  # duties outside any task
    inherited_rule: Span | None = None
    warnings: list[str] = field(default_factory=list)


# --- spans in the key view -------------------------------------------------------------------------------------


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


def split_top(key: str, span: Span, separators: str) -> list[Span]:
    """Split span at separators outside brackets, trimming spaces; empty parts are dropped."""
    parts: list[Span] = []
    depth, start = 0, span.start
    for i in range(span.start, span.end + 1):
        ch = key[i] if i < span.end else None
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        if ch is None or (depth == 0 and ch in separators):
            part = trim(key, Span(start, i))
            if part.end > part.start:
                parts.append(part)
            start = i + 1
    return parts


def trim(key: str, span: Span, chars: str = " \t\n\u3000") -> Span:
    start, end = span.start, span.end
    while start < end and key[start] in chars:
        start += 1
    while end > start and key[end - 1] in chars:
        end -= 1
    return Span(start, end)


# --- units and roles -------------------------------------------------------------------------------------------


def _strip_role(key: str, span: Span, rules: NotationRules, finder: AgencyFinder) -> tuple[Span, Role | None]:
    """Take a trailing role off a unit: "省民政厅牵头" or "省民政厅(牵头)"."""
    text = key[span.start : span.end]
    groups = bracket_groups(key, span)
    if groups and groups[-1].end == span.end:
        inner = key[groups[-1].start + 1 : groups[-1].end - 1].strip()
        for word, role in rules.role_words:
            if inner == word:
                return trim(key, Span(span.start, groups[-1].start)), role
    for word, role in rules.role_words:
        if text.endswith(word) and len(text) > len(word):
            rest = trim(key, Span(span.start, span.end - len(word)))
            if finder.is_agency(key[rest.start : rest.end]) or rules.not_units.fullmatch(key[rest.start : rest.end]):
                return rest, role
    return span, None


def _strip_trailing(key: str, span: Span, rules: NotationRules) -> Span:
    for word in rules.trailing_words:
        if key[span.start : span.end].endswith(word) and span.end - len(word) > span.start:
            return trim(key, Span(span.start, span.end - len(word)))
    return span


def _fragments(key: str, span: Span, rules: NotationRules, finder: AgencyFinder) -> list[Span]:
    """Split a unit list, re-joining parts of one name split by a separator ("各市(州)、县(市、区)人民政府")."""
    parts = [p for p in split_top(key, span, rules.separators) if not rules.not_units.fullmatch(key[p.start : p.end])]
    merged: list[Span] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        unit, _ = _strip_role(key, part, rules, finder)
        if i + 1 < len(parts) and not finder.is_agency(key[unit.start : unit.end]):
            joined = Span(part.start, parts[i + 1].end)
            joined_unit, _ = _strip_role(key, joined, rules, finder)
            if finder.is_agency(key[joined_unit.start : joined_unit.end]):
                merged.append(joined)
                i += 2
                continue
        merged.append(part)
        i += 1
    return merged


def parse_units(
    key: str, span: Span, default: str, rules: NotationRules, finder: AgencyFinder, *, strict: bool = False
) -> list[tuple[Span, Role | None]] | None:
    """Units of a list with the role each one states; None in strict mode when a part is not an agency."""
    units: list[tuple[Span, Role | None]] = []
    for part in _fragments(key, span, rules, finder):
        unit, role = _strip_role(key, part, rules, finder)
        unit = _strip_trailing(key, unit, rules)
        with_split = _split_with(key, unit, rules, finder)
        if with_split:
            units.extend(with_split)
            continue
        if unit.end <= unit.start:
            continue
        if strict and not finder.is_agency(key[unit.start : unit.end]):
            return None
        units.append((unit, role))
    return units


def _split_with(
    key: str, unit: Span, rules: NotationRules, finder: AgencyFinder
) -> list[tuple[Span, Role | None]] | None:
    text = key[unit.start : unit.end]
    for word in rules.with_words:
        pos = text.find(word)
        if pos > 0:
            lead = trim(key, Span(unit.start, unit.start + pos))
            partner = _strip_trailing(key, trim(key, Span(unit.start + pos + len(word), unit.end)), rules)
            if finder.is_agency(key[lead.start : lead.end]) and partner.end > partner.start:
                return [(lead, "lead"), (partner, "co")]
    return None


def assign_roles(
    units: list[tuple[Span, Role | None]], default: str, declared: bool
) -> list[tuple[Span, Role, Basis, int]]:
    """Give every unit a role and the basis of that role (explicit, list order, sole unit)."""
    resolved: list[tuple[Span, Role, Basis, int]] = []
    pending: list[tuple[int, Span]] = []
    explicit_lead = any(role == "lead" for _, role in units)
    for position, (span, role) in enumerate(units, start=1):
        pending.append((position, span))
        if role is not None:
            resolved.extend((s, role, "explicit", p) for p, s in pending)
            pending = []
    if pending:
        if default in ("lead", "co"):
            resolved.extend((s, default, "explicit", p) for p, s in pending)  # type: ignore[misc]
        elif explicit_lead or len(resolved) > 0:
            resolved.extend((s, "co", "explicit", p) for p, s in pending)
        elif len(pending) == 1:
            resolved.append((pending[0][1], "lead", "sole-unit", pending[0][0]))
        else:
            basis: Basis = "declared-list-order" if declared else "list-order"
            for p, s in pending:
                resolved.append((s, "lead" if p == pending[0][0] else "co", basis, p))
    return sorted(resolved, key=lambda r: r[3])


# --- clauses ---------------------------------------------------------------------------------------------------


@dataclass
class _Clause:
    span: Span  # evidence: the whole clause
    units: list[tuple[Span, Role, Basis, int]]


def _labelled_fields(key: str, span: Span, rules: NotationRules) -> list[tuple[str, Span]]:
    """Fields "label: value" of a clause, split at ';' and '。' outside brackets."""
    fields: list[tuple[str, Span]] = []
    for part in split_top(key, span, ";。"):
        match = rules.label_pattern.match(key, part.start, part.end)
        if match:
            fields.append((match.group("label"), Span(match.end(), part.end)))
    return fields


def _clause_units(
    key: str, inner: Span, rules: NotationRules, finder: AgencyFinder, declared: bool, *, bracketed: bool
) -> list[tuple[Span, Role, Basis, int]] | None:
    fields = _labelled_fields(key, inner, rules)
    if fields:
        units: list[tuple[Span, Role, Basis, int]] = []
        offset = 0
        lead_named = any(rules.labels[label] == "lead" for label, _ in fields)
        for label, value in fields:
            kind = rules.labels[label]
            if kind == "other":
                continue
            if kind == "list" and lead_named:
                kind = "co"
            parsed = parse_units(key, value, kind, rules, finder) or []
            for span, role, basis, position in assign_roles(parsed, kind, declared):
                units.append((span, role, basis, position + offset))
            offset += len(parsed)
        return units or None
    if not bracketed:
        return None
    parsed = parse_units(key, inner, "list", rules, finder, strict=True)
    if not parsed or not any(role for _, role in parsed):
        return None
    return assign_roles(parsed, "list", declared)


def find_clauses(
    key: str, paragraphs: list[Span], rules: NotationRules, finder: AgencyFinder, declared_from: int | None
) -> list[_Clause]:
    """Responsibility clauses in a task: bracketed, labelled lines, and trailing "A牵头，B配合" sentences."""
    clauses: list[_Clause] = []
    for para in paragraphs:
        taken: list[Span] = []
        for group in bracket_groups(key, para):
            declared = declared_from is not None and group.start >= declared_from
            units = _clause_units(key, Span(group.start + 1, group.end - 1), rules, finder, declared, bracketed=True)
            if units:
                clauses.append(_Clause(group, units))
                taken.append(group)
        for match in rules.label_pattern.finditer(key, para.start, para.end):
            at = match.start("label")
            if any(t.start <= at < t.end for t in taken) or not _at_clause_start(key, at, para.start):
                continue
            span = Span(at, para.end)
            declared = declared_from is not None and at >= declared_from
            units = _clause_units(key, span, rules, finder, declared, bracketed=False)
            if units:
                clauses.append(_Clause(trim(key, span, " 。"), units))
                taken.append(span)
        trailing = _trailing_role_sentence(key, para, rules, finder, taken)
        if trailing:
            clauses.append(trailing)
    return clauses


def _at_clause_start(key: str, pos: int, para_start: int) -> bool:
    before = key[para_start:pos].rstrip(" ")
    return not before or before[-1] in "。;\n"


def _trailing_role_sentence(
    key: str, para: Span, rules: NotationRules, finder: AgencyFinder, taken: list[Span]
) -> _Clause | None:
    body = trim(key, para, " 。\n")
    cut = max((i for i in range(body.start, body.end) if key[i] in "。"), default=None)
    sentence = trim(key, Span(cut + 1 if cut is not None else body.start, body.end), " 。")
    if sentence.end <= sentence.start or any(t.start <= sentence.start < t.end for t in taken):
        return None
    parsed = parse_units(key, sentence, "list", rules, finder, strict=True)
    if not parsed or not any(role for _, role in parsed):
        return None
    return _Clause(sentence, assign_roles(parsed, "list", False))


# --- running-text duties ----------------------------------------------------------------------------------------


def _sentences(key: str, para: Span) -> list[Span]:
    bounds = [para.start] + [i + 1 for i in range(para.start, para.end) if key[i] in _SENTENCE_SPLIT] + [para.end]
    return [trim(key, Span(a, b), " ") for a, b in itertools.pairwise(bounds) if b > a]


def _mention_groups(key: str, sentence: Span, finder: AgencyFinder) -> list[list[Span]]:
    """Agency mentions in a sentence, grouped when joined by 、/和/及/与."""
    found = sorted(
        Span(sentence.start + a, sentence.start + b) for a, b in finder.find(key[sentence.start : sentence.end])
    )
    groups: list[list[Span]] = []
    for mention in found:
        if groups:
            gap = key[groups[-1][-1].end : mention.start]
            if gap in _GROUP_JOINERS or gap == "":
                groups[-1].append(mention)
                continue
        groups.append([mention])
    return groups


def find_duties(key: str, text: str, paragraphs: list[Span], rules: NotationRules, finder: AgencyFinder,
                excluded: list[Span]) -> list[Duty]:
    duties: list[Duty] = []
    for para in paragraphs:
        for sentence in _sentences(key, para):
            groups = _mention_groups(key, sentence, finder)
            for index, group in enumerate(groups):
                start = group[0].start
                if any(x.start <= start < x.end for x in excluded):
                    continue
                if not _duty_agent_position(key, sentence.start, start, rules):
                    continue
                after = group[-1].end
                for rule in rules.duties:
                    trigger = rule.trigger.match(key, after, sentence.end)
                    if not trigger:
                        continue
                    partners: list[Span] = []
                    rest = trigger.end()
                    if rule.partners:
                        following = groups[index + 1] if index + 1 < len(groups) else []
                        if not following or following[0].start != trigger.end():
                            break
                        partners = following
                        rest = following[-1].end
                        for word in rules.trailing_words:
                            if key.startswith(word, rest):
                                rest += len(word)
                                break
                    body = trim(key, Span(rest, sentence.end), " ,。;")
                    if body.end <= body.start:
                        break
                    agent = group[0] if len(group) == 1 else Span(group[0].start, group[-1].end)
                    duties.append(Duty(
                        agent=AgencyMention(text[agent.start:agent.end], agent),
                        duty=text[body.start:body.end],
                        span=Span(_clause_start(key, sentence.start, start), sentence.end),
                        partners=[AgencyMention(text[p.start:p.end], p) for p in partners],
                        pattern=rule.name,
                        makes_lead=rule.makes_lead,
                    ))
                    break
    return duties


def _duty_agent_position(key: str, sentence_start: int, start: int, rules: NotationRules) -> bool:
    """An agent opens its clause, possibly after 由 / 各级."""
    before = key[sentence_start:start]
    for prefix in rules.duty_prefixes:
        if before.endswith(prefix):
            before = before[: -len(prefix)]
            break
    before = before.rstrip(" ")
    return not before or before[-1] in _CLAUSE_START or before.endswith(tuple(rules.clause_openers))


def _clause_start(key: str, sentence_start: int, pos: int) -> int:
    i = pos
    while i > sentence_start and key[i - 1] not in ",;:":
        i -= 1
    return i


# --- the stage -------------------------------------------------------------------------------------------------


def _due_fields(key: str, paragraphs: list[Span], rules: NotationRules) -> list[Span]:
    """Values of 完成时限-style fields in a task ("完成时限：2024年6月底", "(…；完成时限：2023年底)")."""
    found: list[Span] = []
    for para in paragraphs:
        for match in rules.label_pattern.finditer(key, para.start, para.end):
            if match.group("label") in rules.tables.deadline:
                end = next((i for i in range(match.end(), para.end) if key[i] in ";。)\n"), para.end)
                found.append(Span(match.end(), end))
    return found


def _inherit_rule(key: str, article: Article, rules: NotationRules) -> tuple[Span, Span] | None:
    """(rule span, units span) of a rule such as 以下任务责任单位均包含…，不再列出."""
    for para in article.paragraphs:
        for pattern in rules.inherit_rules:
            match = pattern.search(key, para.start, para.end)
            if match:
                return Span(match.start(), match.end()), Span(match.start("units"), match.end("units"))
    return None


def _mention(text: str, span: Span) -> AgencyMention:
    return AgencyMention(text[span.start : span.end], span)


def extract(article: Article, outline: OutlineResult, rules: NotationRules, finder: AgencyFinder) -> Extraction:
    """Responsibilities, duties and table rows of one article; table rows join the outline as tasks."""
    source = article.source
    key, text = source.key, source.text
    warnings: list[str] = []
    declared_from = None
    for para in article.paragraphs:
        match = rules.declarations.search(key, para.start, para.end)
        if match:
            declared_from = para.start
            break

    rule = _inherit_rule(key, article, rules)
    inherited: list[tuple[Span, Role]] = []
    if rule:
        parsed = parse_units(key, rule[1], "co", rules, finder) or []
        inherited = [(span, "co") for span, _ in parsed]

    tasks: list[Task] = []
    section_of = {id(child): node for node in iter_nodes(outline.roots) for child in node.children}
    clause_spans: list[Span] = []
    for node in outline.tasks:
        task = Task(node=node, section=section_of.get(id(node)), due=_due_fields(key, node.paragraphs, rules))
        clauses = find_clauses(key, node.paragraphs, rules, finder, declared_from)
        seen: set[str] = set()
        for clause in clauses:
            clause_spans.append(clause.span)
            for span, role, basis, position in clause.units:
                written = text[span.start : span.end]
                if written in seen:
                    continue
                seen.add(written)
                task.responsibilities.append(Responsibility(_mention(text, span), role, basis, clause.span, position))
        if rule and node.span.start > rule[0].start:
            for span, role in inherited:
                written = text[span.start : span.end]
                if written not in seen:
                    seen.add(written)
                    task.responsibilities.append(Responsibility(_mention(text, span), role, "inherited", rule[0]))
        tasks.append(task)

    all_duties = find_duties(key, text, article.paragraphs, rules, finder, clause_spans)
    outside: list[Duty] = []
    for duty in all_duties:
        owner = next((t for t in tasks if any(p.start <= duty.span.start < p.end for p in t.node.paragraphs)), None)
        if owner is None:
            outside.append(duty)
            continue
        owner.duties.append(duty)
    for row in parse_tables(article, rules.tables):
        task = Task(node=row.node, section=None, due=row.due)
        units: list[tuple[Span, Role, Basis, int]] = []
        explicit_lead = any(kind == "lead" for _, kind in row.cells)
        for cell, kind in row.cells:
            parsed = parse_units(key, cell, kind, rules, finder) or []
            default = "co" if kind == "list" and explicit_lead else kind
            units.extend((s, r, b, p + len(units)) for s, r, b, p in assign_roles(parsed, default, False))
        for span, role, basis, position in units:
            task.responsibilities.append(Responsibility(_mention(text, span), role, basis, row.node.span, position))
        outline.roots.append(row.node)
        outline.tasks.append(row.node)
        tasks.append(task)

    for task in tasks:
        listed = any(r.basis != "inherited" for r in task.responsibilities)
        for duty in (d for d in task.duties if d.makes_lead):
            written = {r.mention.written for r in task.responsibilities}
            # A 会同/牵头 sentence names the lead only when the task lists no units; its partners always co-operate.
            agent_role: Role = "co" if listed else "lead"
            for mention, role in [(duty.agent, agent_role), *[(p, "co") for p in duty.partners]]:
                if mention.written not in written:
                    task.responsibilities.append(Responsibility(mention, role, "explicit", duty.span))
                    written.add(mention.written)
    if any(t.responsibilities for t in tasks):  # a task without units among tasks with units is likely a miss
        for task in tasks:
            if not task.responsibilities:
                warnings.append(f"task {task.node.marker}{task.title} names no responsible unit")
    return Extraction(tasks, outside, rule[0] if rule else None, warnings)
