"""Extract: the tasks of an article and who is responsible for each, with how the text says so.

Tasks are the outline's task items plus every item that carries a responsibility notation of its own (a heading
with its own "（A牵头…）" above sub-items that have theirs). Units come from the notation clauses of the task's
own text (`notations.py`) or, for a table row, from its unit cells, with the role the column header gives
(牵头单位 → lead, 配合单位 → co, 责任单位 → the first leads, or all lead beside a 配合 column). A rule such as
以下任务…不再列出 adds its units to every later task; running-text duties (`duties.py`) are attached to the task
they stand in. Nothing here changes the outline it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policykg.graph.duties import AgencyFinder, DutyRules, find_duties
from policykg.graph.model import (
    AgencyMention,
    Article,
    Basis,
    Duty,
    Note,
    OutlineNode,
    Responsibility,
    Role,
    Span,
    Task,
)
from policykg.graph.notations import NotationReader
from policykg.graph.outline import OutlineResult, iter_nodes
from policykg.graph.spans import SpanIndex

# Precedence when one unit is named twice in a task: a stated lead over anything, explicit over list order.
_ROLE_RANK = {"lead": 0, "co": 1}
_BASIS_RANK = {"explicit": 0, "declared-list-order": 1, "list-order": 2, "sole-unit": 2, "merged-cell": 3,
               "inherited": 4}


@dataclass
class Extraction:
    tasks: list[Task]
    duties: list[Duty]  # duties outside any task
    inherited_rule: Span | None = None
    warnings: list[Note] = field(default_factory=list)


def _mention(text: str, span: Span) -> AgencyMention:
    return AgencyMention(text[span.start : span.end], span)


def _row_units(task: Task, article: Article, notations: NotationReader) -> list[Responsibility]:
    """Units of a table row, with the role its column gives."""
    node = task.node
    table, row = node.table, node.row
    assert table is not None and row is not None
    source = article.source
    fields = {c.field for c in table.columns}
    cells = table.cells(row, ("lead", "co", "list"))
    units: list[tuple[Span, str, int | None]] = []
    for cell in cells:
        field_ = table.columns[cell.column].field
        for unit in notations.units.split(source.key, cell.span, spaces=True):
            written = source.key[unit.start : unit.end]  # "市民政局 伍泽国": the head's name; 旅游股: a section
            if not notations.units.is_person(written) and not notations.units.is_internal(written):
                units.append((unit, field_, cell.merged_from))
    found: list[Responsibility] = []
    listed = [u for u in units if u[1] == "list"]
    for position, (span, column, merged) in enumerate(units, start=1):
        role: Role
        basis: Basis
        if column == "lead":
            role, basis = "lead", "explicit"
        elif column == "co":
            role, basis = "co", "explicit"
        elif "lead" in fields:
            role, basis = "co", "explicit"
        elif "co" in fields:
            role, basis = "lead", "explicit"  # 责任单位 beside 配合单位: the responsible units lead
        else:
            first = listed[0][0] == span
            role = "lead" if first else "co"
            basis = "sole-unit" if len(listed) == 1 else "list-order"
        if merged is not None:
            basis = "merged-cell"
        found.append(Responsibility(_mention(source.text, span), role, basis, span, position))
    return found


def _trailing_unit(node: OutlineNode, article: Article, notations: NotationReader) -> list[Responsibility]:
    """The unit after an item's text on its line; its role is the one the nearest table header before it names
    (牵头单位 → lead), else it is the item's sole unit."""
    source = article.source
    span = notations.trailing_unit(source.key, node.paragraphs)
    if span is None:
        return []
    fields = [f for para in article.paragraphs if para.end <= node.span.start
              for f in notations.header_fields(source.key, para)]
    basis: Basis = "explicit" if fields and fields[-1] in ("lead", "co") else "sole-unit"
    role: Role = "co" if fields and fields[-1] == "co" else "lead"
    return [Responsibility(_mention(source.text, span), role, basis, span, 1)]


def stated_lead_first(found: list[Responsibility]) -> list[Responsibility]:
    """A lead the text states (牵头单位:A on one line) outranks a lead by list order in another clause of the same
    task (责任单位:B、C on the next line): B and C co-operate."""
    if any(r.role == "lead" and r.basis == "explicit" for r in found):
        for resp in found:
            if resp.role == "lead" and resp.basis in ("list-order", "declared-list-order", "sole-unit"):
                resp.role, resp.basis = "co", "explicit"
    return found


def merge_responsibilities(found: list[Responsibility], key_of: dict[int, str] | None = None) -> list[Responsibility]:
    """One responsibility per unit: statements of the same unit (same written form, or the same resolved agency
    when `key_of` maps id(resp) to an agency key) merge; the role stated most strongly wins (a lead over a co,
    explicit over list order), the first position is kept, and every other written form and clause goes to
    `also`."""
    merged: dict[str, Responsibility] = {}
    for resp in found:
        key = (key_of or {}).get(id(resp)) or resp.mention.written.replace(" ", "")
        kept = merged.get(key)
        if kept is None:
            merged[key] = resp
            continue
        stronger = (_ROLE_RANK[resp.role], _BASIS_RANK[resp.basis]) < (_ROLE_RANK[kept.role], _BASIS_RANK[kept.basis])
        if stronger:
            kept.role, kept.basis = resp.role, resp.basis
        kept.also.append((resp.mention, resp.evidence))
        kept.also.extend(resp.also)
    return list(merged.values())


def _task_nodes(outline: OutlineResult, article: Article, notations: NotationReader) -> list[OutlineNode]:
    """The outline's task items and the items with a notation of their own, in reading order."""
    key = article.source.key
    nodes = {id(n): n for n in outline.tasks}
    for node in iter_nodes(outline.roots):
        if id(node) not in nodes and node.row is None and node.paragraphs and notations.clauses(key, node.paragraphs):
            nodes[id(node)] = node
    return sorted(nodes.values(), key=lambda n: n.span.start)


def extract(article: Article, outline: OutlineResult, notations: NotationReader, duty_rules: DutyRules,
            finder: AgencyFinder) -> Extraction:
    """Tasks with their units and duties; warnings name what was not understood."""
    source = article.source
    key, text = source.key, source.text
    warnings: list[Note] = []
    declared_at = notations.declaration_at(key, article.paragraphs)
    parent = {id(child): node for node in iter_nodes(outline.roots) for child in node.children}
    owners = {id(n): (n.heading_span, units) for n in iter_nodes(outline.roots)
              if (units := notations.heading_owners(key, n.heading_span))}
    rules: list[tuple[Span, list[Span], int]] = []  # (rule span, its units, start of the task it closes)
    tasks: list[Task] = []
    clause_spans: list[Span] = []
    for node in _task_nodes(outline, article, notations):
        task = Task(node=node, section=parent.get(id(node)))
        found: list[Responsibility] = []
        if node.row is not None and node.table is not None:
            found.extend(_row_units(task, article, notations))
            task.due = [c.span for c in node.table.cells(node.row, ("deadline",))]
        declared = declared_at is not None and node.span.start >= declared_at
        clauses = notations.clauses(key, node.paragraphs, declared=declared)
        if any(not c.running for c in clauses):  # a task's own note of units outranks role words in its prose
            clauses = [c for c in clauses if not c.running]
        for clause in clauses:
            if not clause.running:  # prose stays readable as duties too
                clause_spans.append(clause.span)
            for unit in clause.units:
                found.append(Responsibility(_mention(text, unit.span), unit.role, unit.basis, clause.span,
                                            unit.position))
            if clause.inherit is not None:  # the rule's units are this task's too, and every later task's
                same = [text[u.start : u.end] for u in clause.inherit[1]]  # a restated rule replaces the earlier one
                rules = [r for r in rules if [text[u.start : u.end] for u in r[1]] != same]
                rules.append((*clause.inherit, node.span.start))
                found.extend(Responsibility(_mention(text, u), "co", "inherited", clause.inherit[0])
                             for u in clause.inherit[1])
        explicit_lead = any(r.role == "lead" and r.basis == "explicit" for r in found)
        led_by_order = any(r.role == "lead" for r in found)
        if not explicit_lead and any(r.role == "co" and r.basis == "explicit" for r in found):
            for resp in found:  # 责任单位 and 配合单位 on lines of their own: the responsible units lead
                # (a labelled 责任单位 list, not "由A、B负责": there the list order stands)
                listed = resp.basis == "list-order" and notations.labelled_at(key, resp.evidence.start)
                if resp.basis in ("list-order", "sole-unit", "declared-list-order") and (
                        not led_by_order or listed):  # collectives implement
                    collective = notations.units.is_collective(key[resp.mention.span.start : resp.mention.span.end])
                    resp.role, resp.basis = ("co" if collective else "lead"), "explicit"
        if node.row is None:
            task.due = notations.due_fields(key, node.paragraphs)
            if not found:
                found.extend(_trailing_unit(node, article, notations))
        for rule_span, units, after in rules:
            if after < node.span.start:
                found.extend(Responsibility(_mention(text, u), "co", "inherited", rule_span) for u in units)
        owner = _owner(node, parent, owners)
        if owner is not None and not any(r.role == "lead" for r in found):  # "(三)省编办牵头的工作" over its tasks
            found[:0] = [Responsibility(_mention(text, u), "lead", "explicit", owner[0]) for u in owner[1]]
        task.responsibilities = stated_lead_first(merge_responsibilities(found))
        tasks.append(task)

    all_duties = find_duties(key, text, article.paragraphs, duty_rules, finder, clause_spans)
    outside: list[Duty] = []
    task_of = SpanIndex((p, t) for t in tasks for p in t.node.paragraphs)
    for duty in all_duties:
        owner = task_of.first(duty.span.start)
        (owner.duties if owner is not None else outside).append(duty)
    for task in tasks:
        _duty_leads(task)
    if any(t.responsibilities for t in tasks):  # a task without units among tasks with units is likely a miss
        for task in tasks:
            if not task.responsibilities:
                warnings.append(Note(f"任务 {task.node.marker}{task.title} 没有写明责任单位", task.node.span))
    for task in tasks:  # a label-like "…单位:" in a task that no label rule reads (the salutation is no task)
        for para in task.node.paragraphs:
            for label in notations.unknown_labels(key, para):
                written = text[label.start : label.end]
                warnings.append(Note(f"未识别的责任单位标签 {written!r}（可在 graph/data/notations.toml 中补充）",
                                     label))
    return Extraction(tasks, outside, rules[0][0] if rules else None, warnings)


def _owner(node: OutlineNode, parent: dict[int, OutlineNode],
           owners: dict[int, tuple[Span, list[Span]]]) -> tuple[Span, list[Span]] | None:
    """The nearest heading at or above a task that names the unit owning its tasks."""
    current: OutlineNode | None = node
    while current is not None:
        if id(current) in owners:
            return owners[id(current)]
        current = parent.get(id(current))
    return None


def _duty_leads(task: Task) -> None:
    """Running text that names a lead: "X牵头…" states it outright; "X会同Y…" names the lead only when the task lists
    no units (with a list, X is one of its units). The partners of 会同 always co-operate."""
    listed = any(r.basis != "inherited" for r in task.responsibilities)
    added: list[Responsibility] = []
    for duty in (d for d in task.duties if d.makes_lead):
        agent_role: Role = "co" if listed and duty.partners else "lead"
        for mention, role in [(duty.agent, agent_role), *[(p, "co") for p in duty.partners]]:
            added.append(Responsibility(mention, role, "explicit", duty.span))
    if added:
        task.responsibilities = stated_lead_first(merge_responsibilities([*task.responsibilities, *added]))
