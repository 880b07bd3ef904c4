"""The 任务分工表 (task division table) as Excel or CSV: the form coordinators pass around and fill in.

One sheet per document, the source text of every task beside it so the table can be checked against the original.
Files are written to a temporary sibling and renamed into place, so an interrupted export never leaves half a file.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from policykg.cells import neutral_row
from policykg.graph.store import GraphStore
from policykg.query import load_queries, run_named

__all__ = ["FENGONG_COLUMNS", "ExtraSheet", "Sheet", "fengong", "sheet_names", "write_csv", "write_xlsx"]

FENGONG_COLUMNS = ["序号", "文件", "任务", "牵头单位", "配合单位", "目标指标", "完成时限", "原文出处"]
# Widest a column may grow, in Excel width units (a Chinese character takes about two).
_MAX_WIDTH = {"序号": 6, "文件": 26, "任务": 30, "牵头单位": 22, "配合单位": 30, "目标指标": 36, "完成时限": 14,
              "原文出处": 64}
_NO_TASKS = "（本文件未识别出任务）"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31
_LINE_POINTS = 15.0  # row height per wrapped line at the default 11 pt font
_MAX_ROW_POINTS = 409.0  # Excel's limit

Progress = Callable[[str, int, int], None]


@dataclass
class Sheet:
    """One document's part of the table."""

    doc: str
    title: str
    number: str  # 文号, "" when the document has none
    source_file: str
    rows: list[dict[str, str | int]] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The document as the 文件 column names it: title and 文号."""
        return f"{self.title}（{self.number}）" if self.number else self.title


def _records(store: GraphStore, name: str, **params: str | int) -> list[dict[str, str]]:
    table = run_named(store, load_queries()[name], params)
    return [{k: ("" if v is None else v) for k, v in r.items()} for r in table.records()]


def _join(items: Iterable[str], separator: str) -> str:
    seen: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen.append(item)
    return separator.join(seen)


def fengong(store: GraphStore, progress: Progress | None = None) -> list[Sheet]:
    """The 任务分工表 of every document in the graph, in the order the documents stand in their sources."""
    steps = ["documents", "task_details", "task_units", "targets_due"]

    def step(n: int) -> None:
        if progress:
            progress(f"reading {steps[n]}", n + 1, len(steps))

    step(0)
    sheets = {r["doc"]: Sheet(r["doc"], r["document_title"], r["document_number"], r["source_file"])
              for r in _records(store, "documents")}
    step(1)
    tasks = _records(store, "task_details")
    step(2)
    units: dict[str, list[dict[str, str]]] = {}
    for r in _records(store, "task_units", task=""):
        units.setdefault(r["task"], []).append(r)
    step(3)
    targets: dict[str, list[dict[str, str]]] = {}
    for r in _records(store, "targets_due", due=0, agency=""):
        targets.setdefault(r["task"], []).append(r)
    for task in tasks:
        sheet = sheets.get(task["doc"])
        if sheet is None:
            continue
        own_units = units.get(task["task"], [])
        own_targets = targets.get(task["task"], [])
        source = f"（{sheet.source_file}，字符 {task['start']}–{task['end']}）" if task["start"] else ""
        sheet.rows.append(
            {
                "序号": len(sheet.rows) + 1,
                "文件": sheet.label,
                "任务": f"{task['marker'] or task['task_number'] + '、'}{task['task_title']}",
                "牵头单位": _join((u["agency_name"] for u in own_units if u["role"] == "lead"), "\n"),
                "配合单位": _join((u["agency_name"] for u in own_units if u["role"] == "co"), "\n"),
                "目标指标": _join((t["quote"] for t in own_targets), "\n"),
                "完成时限": _join([*task["deadline_text"].split("；"), *(t["deadline_text"] for t in own_targets)],
                              "；"),
                "原文出处": f"{task['quote']}\n{source}".strip(),
            }
        )
    for sheet in sheets.values():
        if not sheet.rows:
            sheet.rows.append({"序号": "", "文件": sheet.label, "任务": _NO_TASKS, "牵头单位": "", "配合单位": "",
                               "目标指标": "", "完成时限": "", "原文出处": ""})
    return list(sheets.values())


# ---------------------------------------------------------------------------------------------------------------
# Writing


def sheet_names(sheets: Iterable[Sheet]) -> list[str]:
    """Excel sheet names: the source file's number and the title, ≤31 characters, none of []:*?/\\, unique."""
    names: list[str] = []
    taken: set[str] = set()
    for sheet in sheets:
        prefix = Path(sheet.source_file).stem.split("_", 1)[0]
        base = _SHEET_FORBIDDEN.sub("_", f"{prefix} {sheet.title}".strip()).strip("'") or "文件"
        name = base[:_SHEET_MAX].rstrip("'")
        n = 1
        while name.casefold() in taken or name.casefold() == "history":  # Excel compares names without case
            n += 1
            tail = f"~{n}"
            name = base[: _SHEET_MAX - len(tail)].rstrip("'") + tail
        taken.add(name.casefold())
        names.append(name)
    return names


def _display_width(text: str) -> int:
    """Columns a line takes on screen: two for a Chinese character, one for Latin letters and digits."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_width(column: str, values: Iterable[str]) -> float:
    widest = max((_display_width(line) for v in values for line in v.split("\n")), default=0)
    return float(min(_MAX_WIDTH.get(column, 40), max(_display_width(column) + 2, widest + 2)))


def _lines(text: str, width: float) -> int:
    usable = max(1.0, width - 1.5)
    return sum(max(1, -(-_display_width(line) // int(usable))) for line in text.split("\n"))


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, then rename it over `path` in one step."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    temp = Path(name)
    try:
        write(temp)
        umask = os.umask(0)
        os.umask(umask)
        temp.chmod(0o666 & ~umask)  # mkstemp makes the file private; give it the usual permissions
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@dataclass
class ExtraSheet:
    """A sheet beside the documents' sheets (e.g. 未承接事项): its name, columns and rows."""

    name: str
    columns: list[str]
    rows: list[dict[str, str]]


def write_xlsx(sheets: list[Sheet], path: Path, progress: Progress | None = None,
               extra: Iterable[ExtraSheet] = ()) -> None:
    """One worksheet per document: bold frozen header, wrapped text, widths and heights suited to Chinese."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    body_align = Alignment(vertical="top", wrap_text=True)
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    named: list[tuple[str, Sheet | ExtraSheet]] = [
        *(list(zip(sheet_names(sheets), sheets, strict=True)) or [("任务分工表", Sheet("", "", "", "", []))]),
        *((e.name, e) for e in extra if e.rows)]
    for n, (name, sheet) in enumerate(named, start=1):
        ws = book.create_sheet(name)
        columns = sheet.columns if isinstance(sheet, ExtraSheet) else FENGONG_COLUMNS
        for values in [columns, *([row[c] for c in columns] for row in sheet.rows)]:
            ws.append(neutral_row(values))
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text is a string, never a formula, whatever it starts with
        widths = [_column_width(c, (str(r[c]) for r in sheet.rows)) for c in columns]
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        for cell in ws[1]:
            cell.font, cell.fill, cell.alignment, cell.border = header_font, header_fill, header_align, border
        for r, row in enumerate(sheet.rows, start=2):
            for cell in ws[r]:
                cell.alignment, cell.border = body_align, border
            lines = max(_lines(str(row[c]), w) for c, w in zip(columns, widths, strict=True))
            ws.row_dimensions[r].height = min(_MAX_ROW_POINTS, lines * _LINE_POINTS)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if progress:
            progress(f"sheet {name}", n, len(named))
    _atomic_write(path, lambda temp: book.save(temp))


def write_csv(sheets: list[Sheet], path: Path) -> None:
    """The same rows as the workbook in one CSV (UTF-8 with BOM so that Excel reads the Chinese right)."""

    def write(temp: Path) -> None:
        with temp.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(neutral_row(FENGONG_COLUMNS))
            for sheet in sheets:
                writer.writerows(neutral_row(row[c] for c in FENGONG_COLUMNS) for row in sheet.rows)

    _atomic_write(path, write)
