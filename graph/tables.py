"""Tables flattened to text: pipe tables ("| 序号 | 任务 | 牵头单位 |") and runs of one cell per line under a header.

Each data row becomes a task; its unit cells keep the role their column header gives (牵头单位 → lead,
配合单位 → co, 责任单位 → first listed leads). Columns that are not responsibilities (评分部门, 备注 …) are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from policykg.graph.model import Article, OutlineNode, Span

ColumnKind = str  # "number", "task", "deadline", "target", "lead", "co", "list", "other"


@dataclass(frozen=True)
class TableHeaders:
    task: list[str]
    number: list[str]
    deadline: list[str]
    target: list[str]
    units: dict[str, str]  # label → "lead" | "co" | "list" | "other"

    def kind(self, cell: str) -> ColumnKind | None:
        cell = cell.strip().replace(" ", "")
        if cell in self.number:
            return "number"
        if cell in self.deadline:
            return "deadline"
        if cell in self.target:
            return "target"
        if cell in self.units:
            return self.units[cell]
        if cell in self.task:
            return "task"
        return None


@dataclass
class TableRow:
    node: OutlineNode
    cells: list[tuple[Span, ColumnKind]]  # unit cells with their column kind
    due: list[Span]  # deadline cells


def _cells(key: str, line: Span) -> list[Span]:
    """Cells of a pipe-table line, trimmed; empty when the line is not a table line."""
    text = key[line.start : line.end]
    if text.count("|") < 2:
        return []
    cells: list[Span] = []
    start = line.start
    for i in range(line.start, line.end + 1):
        if i == line.end or key[i] == "|":
            a, b = start, i
            while a < b and key[a] in " \t":
                a += 1
            while b > a and key[b - 1] in " \t":
                b -= 1
            cells.append(Span(a, b))
            start = i + 1
    if text.strip().startswith("|"):
        cells = cells[1:]
    if text.strip().endswith("|"):
        cells = cells[:-1]
    return cells


def _is_table(kinds: list[ColumnKind | None]) -> bool:
    return "task" in kinds and any(k in ("lead", "co", "list") for k in kinds)


def _row(text: str, key: str, cells: list[Span], kinds: list[ColumnKind | None], index: int) -> TableRow | None:
    task_cell = next((c for c, k in zip(cells, kinds, strict=False) if k == "task"), None)
    if task_cell is None or task_cell.end <= task_cell.start:
        return None
    number_cell = next((c for c, k in zip(cells, kinds, strict=False) if k == "number"), None)
    number = text[number_cell.start : number_cell.end].strip() if number_cell else str(index)
    first, last = cells[0], cells[-1]
    kept = [
        (c, k) for c, k in zip(cells, kinds, strict=False)
        if k in ("lead", "co", "list", "deadline", "target") and c.end > c.start
    ]
    node = OutlineNode(
        marker=number, number=number, ordinal=index, level=1, path=(index,),
        heading=text[task_cell.start : task_cell.end].strip(), heading_span=task_cell,
        span=Span(first.start, last.end),
        paragraphs=[task_cell, *(c for c, k in kept if k in ("deadline", "target"))],
        is_task=True,
    )
    units = [(c, k) for c, k in kept if k in ("lead", "co", "list")]
    return TableRow(node, units, [c for c, k in kept if k == "deadline"])


def parse_tables(article: Article, headers: TableHeaders) -> list[TableRow]:
    key, text = article.source.key, article.source.text
    rows: list[TableRow] = []
    paragraphs = article.paragraphs
    i = 0
    while i < len(paragraphs):
        cells = _cells(key, paragraphs[i])
        kinds = [headers.kind(key[c.start : c.end]) for c in cells]
        if cells and _is_table(kinds):
            i += 1
            while i < len(paragraphs) and (row_cells := _cells(key, paragraphs[i])):
                if len(row_cells) == len(kinds):
                    row = _row(text, key, row_cells, kinds, len(rows) + 1)
                    if row:
                        rows.append(row)
                i += 1
            continue
        run = _header_run(key, paragraphs, i, headers)
        if run:
            kinds = run
            i += len(kinds)
            while i + len(kinds) <= len(paragraphs):
                row_cells = paragraphs[i : i + len(kinds)]
                if not _plausible_row(key, row_cells, kinds):
                    break
                row = _row(text, key, list(row_cells), list(kinds), len(rows) + 1)
                if row:
                    rows.append(row)
                i += len(kinds)
            continue
        i += 1
    return rows


def _header_run(key: str, paragraphs: list[Span], i: int, headers: TableHeaders) -> list[ColumnKind | None] | None:
    kinds: list[ColumnKind | None] = []
    j = i
    while j < len(paragraphs):
        kind = headers.kind(key[paragraphs[j].start : paragraphs[j].end])
        if kind is None:
            break
        kinds.append(kind)
        j += 1
    return kinds if len(kinds) >= 3 and _is_table(kinds) else None


def _plausible_row(key: str, cells: list[Span], kinds: list[ColumnKind | None]) -> bool:
    for cell, kind in zip(cells, kinds, strict=False):
        value = key[cell.start : cell.end].strip()
        if kind == "number" and not value.isdigit():
            return False
        if "|" in value:
            return False
    return True
