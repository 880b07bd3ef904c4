"""Tables of tasks, whatever flattening they reached us in: "|" rows, one cell per line, space-separated cells.

A header is a run of cells that the header rules of `data/tables.toml` classify (序号, 任务, 牵头单位 …). Rows follow
it, each starting with its number; each row's pieces (cells, lines or space-separated tokens) are aligned to the
header's columns (`alignment.py`). A blank lead or list cell takes the value above (a merged cell), and the latest
year column of an indicator table holds the targets. Every cell keeps the spans of its pieces, so facts read from
it point at the text.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from policykg.graph.alignment import SENTENCE, UNIT_FIELDS, VALUE, Fit, Piece, align
from policykg.graph.model import Cell, Column, Row, Span, Table
from policykg.graph.units import UnitReader, squeeze


@dataclass(frozen=True)
class TableRules:
    headers: tuple[tuple[str, re.Pattern[str]], ...]
    min_header_cells: int
    max_number_gap: int


def load_table_rules(path: Path | None = None) -> TableRules:
    text = path.read_text("utf-8") if path else resources.files("policykg.graph.data").joinpath(
        "tables.toml").read_text("utf-8")
    data = tomllib.loads(text)
    headers = tuple((h["field"], re.compile(h["pattern"])) for h in data["header"])
    return TableRules(headers, int(data["min_header_cells"]), int(data["max_number_gap"]))


def classify_header(cell: str, rules: TableRules) -> str | None:
    """The field a header cell names, or None when it is not a header label."""
    text = squeeze(cell).strip("|")
    if not text or len(text) > 24 or SENTENCE.search(text):
        return None
    return next((name for name, pattern in rules.headers if pattern.search(text)), None)


def _pipe_pieces(key: str, line: Span, index: int) -> list[Piece]:
    """Cells of a "|" line; outer empty cells (before a leading or after a trailing "|") are dropped."""
    bounds = [line.start - 1, *[i for i in range(line.start, line.end) if key[i] == "|"], line.end]
    pieces = [_piece(key, Span(a + 1, b), index) for a, b in itertools.pairwise(bounds)]
    if pieces and not pieces[0].text and key[line.start] == "|":
        pieces = pieces[1:]
    if pieces and not pieces[-1].text and key[line.end - 1] == "|":
        pieces = pieces[:-1]
    return pieces


def _space_pieces(key: str, line: Span, index: int) -> list[Piece]:
    pieces: list[Piece] = []
    previous = line.start
    for m in re.finditer(r"\S+", key[line.start : line.end]):
        piece = _piece(key, Span(line.start + m.start(), line.start + m.end()), index)
        piece.gap = line.start + m.start() - previous
        previous = line.start + m.end()
        pieces.append(piece)
    return pieces


def _piece(key: str, span: Span, index: int) -> Piece:
    start, end = span.start, span.end
    while start < end and key[start] in " \t\u3000":
        start += 1
    while end > start and key[end - 1] in " \t\u3000":
        end -= 1
    return Piece(Span(start, end), squeeze(key[start:end]), index)


def _is_pipe_line(key: str, line: Span) -> bool:
    return "|" in key[line.start : line.end]


# --- headers ---------------------------------------------------------------------------------------------------


def _usable(fields: list[str | None], rules: TableRules) -> bool:
    known = [f for f in fields if f]
    return (
        len(known) >= rules.min_header_cells
        and "title" in known
        and any(f in known for f in (*UNIT_FIELDS, "year"))
    )


def _spaced_header(key: str, line: Span, index: int, rules: TableRules) -> list[tuple[Piece, str]] | None:
    """A header whose cells are separated by spaces; a label broken by spaces (牵头  领导) is joined back."""
    tokens = _space_pieces(key, line, index)
    cells: list[tuple[Piece, str]] = []
    i = 0
    while i < len(tokens):
        taken = 0
        for k in range(1, min(3, len(tokens) - i) + 1):
            joined = "".join(t.text for t in tokens[i : i + k])
            if _complete_label(joined, rules):
                taken = k
                break
        if not taken:
            return None
        span = Span(tokens[i].span.start, tokens[i + taken - 1].span.end)
        text = "".join(t.text for t in tokens[i : i + taken])
        cells.append((Piece(span, text, index), classify_header(text, rules) or ""))
        i += taken
    return cells if _usable([f for _, f in cells], rules) else None


def _complete_label(text: str, rules: TableRules) -> bool:
    """A label that stands on its own; a role or level word alone (牵头, 主体, 配合, 分管) is only the first part
    of a label a space broke (牵头  领导, 主体  责任单位)."""
    field = classify_header(text, rules)
    return field is not None and not (len(text) <= 2 and field in (*UNIT_FIELDS, "person"))


def _row_follows(key: str, lines: list[Span], j: int) -> bool:
    """Whether line j (after blank "||" lines) holds a row number: the header run ends there."""
    while j < len(lines) and not key[lines[j].start : lines[j].end].strip(" |\t"):
        j += 1
    return j < len(lines) and _number_value(key[lines[j].start : lines[j].end].strip(" |\t")) is not None


_BRACKET_NOTE = re.compile(r"\([^()]{1,6}\)")


def find_header(key: str, lines: list[Span], i: int, rules: TableRules) -> tuple[str, list[tuple[Piece, str]], int]:
    """(flattening, classified header cells, number of lines used) for a header starting at line i, or ("", [], 0)."""
    line = lines[i]
    if _is_pipe_line(key, line):
        pieces = _pipe_pieces(key, line, i)
        if len(pieces) >= 2:
            fields = [classify_header(p.text, rules) for p in pieces]
            if _usable(fields, rules) and all(fields):
                return "pipe", [(p, f) for p, f in zip(pieces, fields, strict=True) if f], 1
    cells: list[tuple[Piece, str]] = []
    j = i
    while j < len(lines):
        pieces = _pipe_pieces(key, lines[j], j) if _is_pipe_line(key, lines[j]) else [_piece(key, lines[j], j)]
        if len(pieces) != 1 or not pieces[0].text or _number_value(pieces[0].text) is not None:
            break
        if cells and _BRACKET_NOTE.fullmatch(pieces[0].text):  # "责任股室" / "(单位)": one label over two lines
            before = cells[-1][0]
            joined = Piece(Span(before.span.start, pieces[0].span.end), before.text + pieces[0].text, before.line)
            cells[-1] = (joined, classify_header(joined.text, rules) or cells[-1][1])
            j += 1
            continue
        field = classify_header(pieces[0].text, rules)
        if field is None and (not cells or len(pieces[0].text) > 12 or SENTENCE.search(pieces[0].text)):
            break
        cells.append((pieces[0], field or "ignore"))  # a column no rule names (是否达序, 说明) is read for nothing
        j += 1
    if not _row_follows(key, lines, j):  # unnamed cells count as columns only right before the first row
        while cells and classify_header(cells[-1][0].text, rules) is None:
            cells.pop()
            j -= 1
    numbers = [n for n, (_, f) in enumerate(cells) if f == "number"]
    if numbers:  # a caption line above the header (…任务分解表) is no column
        cells = cells[numbers[0] :]
    if len(cells) >= rules.min_header_cells and _usable([f for _, f in cells], rules):
        return "cell-per-line", cells, j - i
    if not _is_pipe_line(key, line):
        spaced = _spaced_header(key, line, i, rules)
        if spaced:
            return "spaced", spaced, 1
    return "", [], 0


# --- rows --------------------------------------------------------------------------------------------------------


def _number_value(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    digits = "一二三四五六七八九"
    if len(text) == 1 and text in digits:
        return digits.index(text) + 1
    if text == "十":
        return 10
    return None


class TableReader:
    """Finds and reads the tables among an article's lines."""

    def __init__(self, rules: TableRules, units: UnitReader) -> None:
        self.rules = rules
        self.units = units
        self.fit = Fit(units)

    def read(self, key: str, lines: list[Span]) -> list[tuple[Table, range]]:
        """Every table with the range of line indices it takes up, in reading order."""
        found: list[tuple[Table, range]] = []
        i = 0
        while i < len(lines):
            flattening, header, used = find_header(key, lines, i, self.rules)
            if not flattening:
                i += 1
                continue
            first = header[0][0].line  # a caption above the header (…主要指标) stays a line of text
            table, end = self._rows(key, lines, first, used - (first - i), flattening, header)
            if table.rows:
                found.append((table, range(first, end)))
                i = end
            else:
                i += used
        return found

    def _rows(self, key: str, lines: list[Span], start: int, used: int, flattening: str,
              header: list[tuple[Piece, str]]) -> tuple[Table, int]:
        columns = [Column(label=p.text, span=p.span, field=f) for p, f in header]
        _mark_years(columns)
        titles = [c for c in columns if c.field == "title"]
        for column in titles[1:]:  # the first task column names the task, the others hold more of its text
            column.field = "body"
        fields = [c.field for c in columns]
        i = start + used
        groups: list[list[Piece]] = []
        if flattening == "pipe":
            while i < len(lines) and _is_pipe_line(key, lines[i]):
                pieces = _pipe_pieces(key, lines[i], i)
                if [classify_header(p.text, self.rules) for p in pieces] != fields:  # a header repeated per page
                    groups.append(pieces)
                i += 1
        else:
            groups, i = self._numbered_groups(key, lines, i, flattening, len(columns))
        rows: list[Row] = []
        for pieces in groups:
            row = self._row(pieces, fields, len(rows), multi=flattening != "pipe" or len(pieces) > len(fields),
                            follows=self._item_number(key, rows[-1], fields) if rows else None)
            if row is not None:
                rows.append(row)
        sectioned = {row.index for row in rows  # a row naming its own section (旅游股) has its own unit cell
                     if any(self.units.is_internal(key[c.span.start : c.span.end]) for c in row.cells
                            if fields[c.column] not in ("title", "body", "internal"))}
        _inherit_merged(rows, columns, sectioned)
        span = Span(lines[start].start, lines[i - 1].end if i > start else lines[start].end)
        return Table(span=span, columns=columns, rows=rows, flattening=flattening), i

    def _numbered_groups(self, key: str, lines: list[Span], i: int, flattening: str,
                         width: int) -> tuple[list[list[Piece]], int]:
        """Rows of a one-cell-per-line or space-separated table: each starts with the next row number."""
        groups: list[list[Piece]] = []
        expected: int | None = None
        while i < len(lines):
            line = lines[i]
            pieces = (_space_pieces(key, line, i) if flattening == "spaced"
                      else (_pipe_pieces(key, line, i) if _is_pipe_line(key, line) else [_piece(key, line, i)]))
            if not pieces:
                pieces = [Piece(Span(line.start, line.start), "", i)]
            starts = self._row_start(pieces, lines, key, i, expected, flattening)
            if not groups and starts is None and not any(p.text for p in pieces):
                i += 1  # a blank "||" line between the header and the first row
                continue
            if starts is not None:
                expected = starts + 1
                groups.append(list(pieces))
            elif groups and len(groups[-1]) < 10 * width:
                groups[-1].extend(pieces)
            else:
                break
            i += 1
        return groups, i

    def _row_start(self, pieces: list[Piece], lines: list[Span], key: str, i: int, expected: int | None,
                   flattening: str) -> int | None:
        value = _number_value(pieces[0].text)
        if value is None:
            return None
        if flattening == "spaced":
            if len(pieces) < 2 or _number_value(pieces[1].text) is not None:
                return None
            ok = expected is None or expected <= value <= expected + self.rules.max_number_gap
            return value if ok else None
        if expected is not None and value != expected:
            return None
        if i + 1 < len(lines):  # the next line is the row's first text cell, not another number
            nxt = _piece(key, lines[i + 1], i + 1).text.strip("|")
            if VALUE.match(nxt) or _number_value(nxt) is not None:
                return None
        return value

    def _row(self, pieces: list[Piece], fields: list[str], index: int, *, multi: bool,
             follows: int | None = None) -> Row | None:
        """A row needs its number, or (`follows` = the item number of the row above) a task cell numbered next:
        the sub-rows of a merged 序号/责任单位 cell (│ │ │2.新建游园5个│) are rows of their own."""
        assignment = align(pieces, fields, self.fit, multi=multi)
        if assignment is None:
            return None
        cells = [Cell(column=col, span=p.span, sub_row=sub) for p, (col, sub) in zip(pieces, assignment, strict=True)
                 if p.text]
        title = next((p.text for p, (col, _) in zip(pieces, assignment, strict=True) if fields[col] == "title"), "")
        number = next((c for c in cells if fields[c.column] == "number"), None)
        numbered_next = follows is not None and leading_number(title) == follows + 1
        if (number is None and not numbered_next) or not any(fields[c.column] == "title" for c in cells):
            return None
        span = Span(min(c.span.start for c in cells), max(c.span.end for c in cells))
        return Row(index=index, span=span, cells=cells)


    @staticmethod
    def _item_number(key: str, row: Row, fields: list[str]) -> int | None:
        title = next((c for c in row.cells if fields[c.column] == "title"), None)
        return leading_number(key[title.span.start : title.span.end]) if title else None


def leading_number(text: str) -> int | None:
    """The item number a task cell opens with ("2.新建游园…" → 2)."""
    found = _ITEM_NUMBER.match(text.strip())
    return int(found.group(1)) if found else None


_ITEM_NUMBER = re.compile(r"(\d{1,3})\s*[.、．]")


def _mark_years(columns: list[Column]) -> None:
    """Year columns (2020年 | 2025年): the latest year is the target, earlier ones are baselines."""
    years = [(int(c.label[:4]), c) for c in columns if c.field == "year"]
    if not years:
        return
    latest = max(y for y, _ in years)
    for year, column in years:
        column.year = year
        column.field = "target" if year == latest else "baseline"


def _inherit_merged(rows: list[Row], columns: list[Column], own_cell: set[int]) -> None:
    """A blank lead, list or category cell repeats the cell above (a merged cell flattened to nothing), except in
    the rows of `own_cell` (their unit cell holds a section of a unit, read for nothing)."""
    for col, column in enumerate(columns):
        if column.field not in ("lead", "list", "category"):
            continue
        above: list[Cell] = []
        for row in rows:
            own = [c for c in row.cells if c.column == col and c.sub_row == 0]
            if own:
                above = [c if c.merged_from is not None else Cell(c.column, c.span, 0, row.index) for c in own]
            elif above and (row.index not in own_cell or column.field == "category"):
                row.cells.extend(Cell(col, c.span, 0, c.merged_from) for c in above)
