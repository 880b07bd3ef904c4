"""Spreadsheet attachments (任务分工表 as .xlsx or .csv): each sheet a table block, each row a task, header cells
mapped by the same rules as text tables (`data/tables.toml`).

openpyxl for .xlsx (already a dependency, for the exported workbook; it reads merged ranges, which are how a 牵头单位
shared by several rows is written); the standard csv module for .csv, decoded like any text file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from typing import Any

from policykg.graph.readers.base import Decoded, GridCell, Reader, TextBuilder, Unreadable, clean, zip_names
from policykg.graph.readers.text import decode_text

_DEFAULT_SHEET = re.compile(r"^(?:Sheet|工作表|表)\s*\d*$", re.I)


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean(str(value))


def _emit(builder: TextBuilder, grid: list[list[GridCell]]) -> None:
    """Caption rows above the table (one distinct value, e.g. a merged 附件 title) are lines; the rest a table."""
    start = 0
    while start < len(grid) and len({c.text for c in grid[start] if c.text}) <= 1:
        builder.line(next((c.text for c in grid[start] if c.text), ""))
        start += 1
    builder.table(grid[start:])


def _sheet_grid(ws: Any) -> list[list[GridCell]]:
    merged: dict[tuple[int, int], tuple[int, int]] = {}  # (row, col) → top-left (row, col), 1-based
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    merged[(r, c)] = (rng.min_row, rng.min_col)
    values = [[_value(v) for v in row] for row in ws.iter_rows(values_only=True)]
    while values and not any(values[-1]):
        values.pop()
    width = max((max((i + 1 for i, v in enumerate(row) if v), default=0) for row in values), default=0)
    for (r, c), _ in merged.items():
        if r <= len(values):
            width = max(width, c)
    grid: list[list[GridCell]] = []
    for r, row in enumerate(values, start=1):
        cells: list[GridCell] = []
        for c in range(1, width + 1):
            if (r, c) in merged:
                top_r, top_c = merged[(r, c)]
                text = values[top_r - 1][top_c - 1] if top_c - 1 < len(values[top_r - 1]) else ""
                cells.append(GridCell(text, top_r, top_c, below=top_r < r, right=top_r == r))
            else:
                cells.append(GridCell(row[c - 1] if c - 1 < len(row) else "", r, c))
        grid.append(cells)
    return grid


def _read_xlsx(data: bytes, suffix: str) -> Decoded:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise Unreadable(f"无法打开 Excel 文件（{type(exc).__name__}）：文件可能已损坏") from exc
    builder = TextBuilder()
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        if not _DEFAULT_SHEET.match(ws.title):
            builder.line(ws.title)
        _emit(builder, _sheet_grid(ws))
    return builder.decoded("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "utf-8")


def _read_csv(data: bytes, suffix: str) -> Decoded:
    text, encoding = decode_text(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    grid = [[GridCell(clean(v), r, c) for c, v in enumerate(row, start=1)] for r, row in enumerate(rows, start=1)]
    width = max((len(r) for r in grid), default=0)
    grid = [row + [GridCell("", i + 1, 0)] * (width - len(row)) for i, row in enumerate(grid)]
    builder = TextBuilder()
    _emit(builder, grid)
    return builder.decoded("text/csv", encoding)


def _sniff_xlsx(head: bytes, suffix: str) -> bool:
    return "xl/workbook.xml" in zip_names(head) or (suffix == ".xlsx" and head.startswith(b"PK"))


def _sniff_csv(head: bytes, suffix: str) -> bool:
    return suffix == ".csv"


READERS = (Reader("xlsx", (".xlsx",), _sniff_xlsx, _read_xlsx), Reader("csv", (".csv",), _sniff_csv, _read_csv))
