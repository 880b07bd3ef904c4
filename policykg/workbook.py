"""The 任务分工表 workbook as an office circulates it: a title block naming the document (title, 文号, issuer, date),
section rows (一、 （一）) over their tasks, a summary sheet, news reports apart from plans, the 未承接事项 sheet.

Every cell is neutralized (policykg.cells) and stored as a string, never a formula. The content comes from
policykg.export; this module only lays it out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policykg.cells import neutral_row
from policykg.coordinate import ROLE_ZH
from policykg.export import FENGONG_COLUMNS, ExtraSheet, Progress, Sheet, atomic_write, sheet_names

__all__ = ["PLAN_COLUMNS", "REPORTS_SHEET", "write_agency_xlsx", "write_xlsx"]

PLAN_COLUMNS = [c for c in FENGONG_COLUMNS if c != "文件"]  # the title block names the document once
REPORTS_SHEET = "新闻报道"
# Widest a column may grow, in Excel width units (a Chinese character takes about two).
_MAX_WIDTH = {"序号": 6, "文件": 26, "任务": 30, "角色": 8, "牵头单位": 22, "配合单位": 30, "目标指标": 36,
              "完成时限": 14, "原文出处": 64, "单位": 30}
_LINE_POINTS = 15.0  # row height per wrapped line at the default 11 pt font
_MAX_ROW_POINTS = 409.0  # Excel's limit


@dataclass
class _Table:
    """One sheet's content: title block lines, columns, rows and where section rows stand."""

    name: str
    title: str
    subtitle: str
    columns: list[str]
    rows: list[dict[str, Any]]
    sections: dict[int, list[str]]  # row index → the section headings that open before it
    merge: str | None = None  # a column whose equal neighbouring cells are merged (文件)


def _display_width(text: str) -> int:
    """Columns a line takes on screen: two for a Chinese character, one for Latin letters and digits."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_width(column: str, values: Iterable[str]) -> float:
    widest = max((_display_width(line) for v in values for line in v.split("\n")), default=0)
    return float(min(_MAX_WIDTH.get(column, 40), max(_display_width(column) + 2, widest + 2)))


def _lines(text: str, width: float) -> int:
    usable = max(1.0, width - 1.5)
    return sum(max(1, -(-_display_width(line) // int(usable))) for line in text.split("\n"))


def _subtitle(sheet: Sheet) -> str:
    parts = [f"文号：{sheet.number}" if sheet.number else "",
             f"印发：{'、'.join(sheet.issuers)}" if sheet.issuers else "",
             f"日期：{sheet.date}" if sheet.date else "", f"来源：{sheet.source_file}"]
    return "　".join(p for p in parts if p)


def _plan_table(name: str, sheet: Sheet) -> _Table:
    """A plan's sheet: tasks under the section headings that open before them."""
    sections: dict[int, list[str]] = {}
    shown: set[str] = set()
    for i, info in enumerate(sheet.tasks):
        steps = info.path.split(".")
        heads = [".".join(steps[:n]) for n in range(1, len(steps))]
        opened = [sheet.sections[h] for h in heads if h in sheet.sections and h not in shown]
        shown.update(heads)
        if opened:
            sections[i] = opened
    return _Table(name, sheet.label, _subtitle(sheet), PLAN_COLUMNS, sheet.rows, sections)


def _reports_table(reports: Sequence[Sheet]) -> _Table:
    rows = [row for sheet in reports for row in sheet.rows]
    return _Table(REPORTS_SHEET, "新闻报道中的任务（非正式文件，仅供参考）", f"共 {len(reports)} 篇报道",
                  FENGONG_COLUMNS, rows, {}, merge="文件")


def _extra_table(extra: ExtraSheet, title: str = "", merge: str | None = None) -> _Table:
    return _Table(extra.name, title or extra.name, "", extra.columns, extra.rows, {}, merge)


def _write(book: Any, table: _Table) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(table.name)
    width = len(table.columns)
    last = get_column_letter(width)
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Alignment(vertical="top", wrap_text=True)

    def text_row(values: Iterable[object]) -> int:
        ws.append(neutral_row(values))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text is a string, never a formula, whatever it starts with
        return ws.max_row

    title_row = text_row([table.title])
    ws.merge_cells(f"A{title_row}:{last}{title_row}")
    ws.cell(title_row, 1).font = Font(bold=True, size=14)
    ws.cell(title_row, 1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[title_row].height = 30
    sub_row = text_row([table.subtitle])
    ws.merge_cells(f"A{sub_row}:{last}{sub_row}")
    ws.cell(sub_row, 1).alignment = Alignment(horizontal="center", wrap_text=True)
    header = text_row(table.columns)
    for cell in ws[header]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    widths = [_column_width(c, (str(r.get(c, "")) for r in table.rows)) for c in table.columns]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    section_fill = PatternFill("solid", fgColor="F2F2F2")
    spans: list[tuple[int, int]] = []
    for i, row in enumerate(table.rows):
        for heading in table.sections.get(i, []):
            at = text_row([heading])
            ws.merge_cells(f"A{at}:{last}{at}")
            ws.cell(at, 1).font = Font(bold=True)
            ws.cell(at, 1).fill = section_fill
            ws.cell(at, 1).alignment = Alignment(vertical="center")
        at = text_row([row.get(c, "") for c in table.columns])
        for cell in ws[at]:
            cell.alignment, cell.border = body, border
        lines = max(_lines(str(row.get(c, "")), w) for c, w in zip(table.columns, widths, strict=True))
        ws.row_dimensions[at].height = min(_MAX_ROW_POINTS, lines * _LINE_POINTS)
        if table.merge is not None:
            if spans and table.rows[i - 1].get(table.merge) == row.get(table.merge):
                spans[-1] = (spans[-1][0], at)
            else:
                spans.append((at, at))
    if table.merge is not None:
        col = get_column_letter(table.columns.index(table.merge) + 1)
        for start, end in spans:
            if end > start:
                ws.merge_cells(f"{col}{start}:{col}{end}")
    ws.freeze_panes = f"A{header + 1}"
    ws.auto_filter.ref = f"A{header}:{last}{max(ws.max_row, header)}"
    ws.print_title_rows = f"{header}:{header}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _save(tables: list[_Table], path: Path, progress: Progress | None) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for n, table in enumerate(tables, start=1):
        _write(book, table)
        if progress:
            progress(f"工作表 {table.name}", n, len(tables))
    atomic_write(path, lambda temp: book.save(temp))


def write_xlsx(sheets: list[Sheet], path: Path, progress: Progress | None = None,
               extra: Iterable[ExtraSheet] = (), summary: ExtraSheet | None = None) -> None:
    """汇总 first, then one sheet per plan, the news reports on one sheet, then the extra sheets (未承接事项)."""
    plans = [s for s in sheets if not s.is_report]
    reports = [s for s in sheets if s.is_report]
    tables: list[_Table] = []
    if summary is not None and summary.rows:
        tables.append(_extra_table(summary, "任务分工汇总（按单位：牵头、配合任务数，各年到期目标数）"))
    tables += [_plan_table(name, sheet) for name, sheet in zip(sheet_names(plans), plans, strict=True)]
    if reports:
        tables.append(_reports_table(reports))
    tables += [_extra_table(e) for e in extra if e.rows]
    if not tables:
        tables.append(_Table("任务分工表", "任务分工表", "", PLAN_COLUMNS, [], {}))
    _save(tables, path, progress)


def write_agency_xlsx(lists: list[ExtraSheet], path: Path, progress: Progress | None = None) -> None:
    """本单位任务清单: one sheet per agency (its name, cut to Excel's 31 characters only when it must be)."""
    tables = []
    taken: set[str] = set()
    for extra in lists:
        name = extra.name[:31]
        n = 1
        while name.casefold() in taken:
            n += 1
            name = f"{extra.name[: 31 - len(str(n)) - 1]}~{n}"
        taken.add(name.casefold())
        lead, co = (sum(r["角色"] == ROLE_ZH[role] for r in extra.rows) for role in ("lead", "co"))
        title = f"{extra.name}任务清单（{ROLE_ZH['lead']} {lead} 项，{ROLE_ZH['co']} {co} 项）"
        tables.append(_Table(name, title, "", extra.columns, extra.rows, {}, merge="文件"))
    _save(tables, path, progress)
