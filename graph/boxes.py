"""Tables drawn with box characters (┌─┬─┐ │序号│责任单位│ ├─┼─┤), as law databases print older documents.

A drawn row often wraps over several lines, each line holding the next piece of every cell:

    │ 2 │市发展改革委(信息│负责市民健康信息系统与…│
    │   │  产业局)        │换、数据库的建立…       │
    ├───┼─────────────────┼────────────────────────┤

Such a row becomes one line, each cell's pieces joined in order (│2│市发展改革委(信息产业局)│负责…换、数据库的建立…│),
and rule lines are dropped, so that the table reads like any "|" table. Every character keeps its raw offset.
"""

from __future__ import annotations

import itertools
import re

_VERTICAL = "│┃║|"
_DRAWN = "│┃║┌┬┐├┼┤└┴┘─━═╔╦╗╠╬╣╚╩╝╞╪╡╟╫╢┠╂┨┏┳┓┣╋┫┗┻┛+\\-="
_RULE_LINE = re.compile(rf"[ \t\u3000{_DRAWN}]*[─━═\-][ \t\u3000{_DRAWN}]*")  # a rule, whole or between sub-rows
_BOX = re.compile(r"[┌┬┐├┼┤└┴┘─━═╔╦╗╠╬╣╚╩╝┏┳┓┣╋┫┗┻┛]")


def _lines(chars: list[str]) -> list[tuple[int, int]]:
    """(start, end) of every line, end excluding the "\\n"."""
    spans, start = [], 0
    for i, char in enumerate(chars):
        if char == "\n":
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(chars)))
    return spans


def _cells(chars: list[str], start: int, end: int) -> list[tuple[int, int]] | None:
    """The cell spans of a drawn row line (between its verticals), or None when it is no such line."""
    text = "".join(chars[start:end])
    stripped = text.strip(" \t\u3000")
    if len(stripped) < 2 or stripped[0] not in _VERTICAL or stripped[-1] not in _VERTICAL:
        return None
    bars = [start + i for i, c in enumerate(text) if c in _VERTICAL]
    return [(a + 1, b) for a, b in itertools.pairwise(bars)] if len(bars) >= 3 else None


def join_box_rows(chars: list[str], offsets: list[int]) -> tuple[list[str], list[int]]:
    """Join the wrapped lines of box-drawn table rows; text without a drawn table is returned as it is."""
    if not any(_BOX.match(c) for c in chars):
        return chars, offsets
    out_chars: list[str] = []
    out_offsets: list[int] = []
    group: list[list[tuple[int, int]]] = []  # the cell spans of each line of the row being read
    ruled = False  # a rule line was seen since the table began: rows are the lines between rules

    def flush() -> None:
        if not group:
            return
        if len(group) > 1 and len({len(cells) for cells in group}) != 1:  # not one grid: keep the lines as written
            for cells in group:
                emit_line(cells, [cells])
        else:
            emit_line(group[0], group)
        group.clear()

    def emit_line(first: list[tuple[int, int]], lines: list[list[tuple[int, int]]]) -> None:
        bar = first[0][0] - 1
        out_chars.append(chars[bar])
        out_offsets.append(offsets[bar])
        for column, (_, end) in enumerate(first):
            for cells in lines:
                a, b = cells[column]
                while a < b and chars[a] in " \t\u3000":
                    a += 1
                while b > a and chars[b - 1] in " \t\u3000":
                    b -= 1
                out_chars.extend(chars[a:b])
                out_offsets.extend(offsets[a:b])
            out_chars.append(chars[end])
            out_offsets.append(offsets[end])
        out_chars.append("\n")
        out_offsets.append(offsets[end] + 1 if end + 1 < len(offsets) else offsets[end])

    for start, end in _lines(chars):
        text = "".join(chars[start:end])
        if _BOX.search(text) and _RULE_LINE.fullmatch(text):  # a rule, or a partial one between sub-rows
            flush()
            ruled = True
            continue
        cells = _cells(chars, start, end)
        if cells is not None and ruled:
            group.append(cells)
            continue
        flush()
        ruled = False
        out_chars.extend(chars[start:end])
        out_offsets.extend(offsets[start:end])
        if end < len(chars):
            out_chars.append("\n")
            out_offsets.append(offsets[end])
    flush()
    if out_chars and out_chars[-1] == "\n" and (not chars or chars[-1] != "\n"):
        out_chars.pop()
        out_offsets.pop()
    return out_chars, out_offsets
