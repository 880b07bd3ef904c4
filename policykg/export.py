"""The 任务分工表 (task division table) as coordinators pass it around: what goes in it, read from the graph.

One sheet per plan with the source text of every task beside it, news reports on a sheet of their own, a summary per
agency, and 本单位任务清单 (what one agency leads and supports). The XLSX layout is policykg.workbook; files are
written to a temporary sibling and renamed into place, so an interrupted export never leaves half a file.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from policykg.cells import neutral_row
from policykg.graph.store import GraphStore
from policykg.query import load_queries, plain_records, run_named

__all__ = ["AGENCY_COLUMNS", "FENGONG_COLUMNS", "ExtraSheet", "Sheet", "TaskInfo", "agency_sheets", "fengong",
           "sheet_names", "summary", "write_csv"]

FENGONG_COLUMNS = ["序号", "文件", "任务", "牵头单位", "配合单位", "目标指标", "完成时限", "原文出处"]
AGENCY_COLUMNS = ["文件", "序号", "任务", "角色", "牵头单位", "配合单位", "目标指标", "完成时限", "原文出处"]
NO_TASKS = "（本文件未识别出任务）"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31

Progress = Callable[[str, int, int], None]


@dataclass
class TaskInfo:
    """What the summary and the per-agency lists need of one task row beside its cells."""

    task: str
    path: str
    units: list[tuple[str, str, str]] = field(default_factory=list)  # (agency IRI, name, role) in text order
    years: list[int] = field(default_factory=list)  # deadline year of each target


@dataclass
class Sheet:
    """One document's part of the table."""

    doc: str
    title: str
    number: str  # 文号, "" when the document has none
    source_file: str
    rows: list[dict[str, str | int]] = field(default_factory=list)
    display: str = ""  # 景德镇市《…》（征求意见稿）
    status: str = "final"
    place: str = ""
    date: str = ""
    issuers: list[str] = field(default_factory=list)
    tasks: list[TaskInfo] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)  # outline path → "一、总体要求"

    @property
    def label(self) -> str:
        """The document as the 文件 column names it: place, title, status and 文号."""
        if self.display:
            return self.display
        return f"{self.title}（{self.number}）" if self.number else self.title

    @property
    def is_report(self) -> bool:
        return self.status == "report"


@dataclass
class ExtraSheet:
    """A sheet beside the documents' sheets (e.g. 未承接事项): its name, columns and rows."""

    name: str
    columns: list[str]
    rows: list[dict[str, str]]


def _records(store: GraphStore, name: str, **params: str | int) -> list[dict[str, str]]:
    return plain_records(run_named(store, load_queries()[name], params))


def _join(items: Iterable[str], separator: str) -> str:
    seen: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen.append(item)
    return separator.join(seen)


def _sheets(store: GraphStore) -> dict[str, Sheet]:
    from policykg.crossdoc import documents_by_iri

    refs = documents_by_iri(store)
    sheets: dict[str, Sheet] = {}
    for r in _records(store, "documents"):
        ref = refs[r["doc"]]
        sheets[r["doc"]] = Sheet(r["doc"], r["document_title"], r["document_number"], r["source_file"],
                                 display=ref.display, status=ref.status, place=ref.place, date=r["date"],
                                 issuers=sorted(set(r["issuers"].split("|")) - {""}))
    for r in _records(store, "sections"):
        if r["doc"] in sheets:
            marker = r["marker"] or f"{r['number']}、"
            sheets[r["doc"]].sections[r["path"]] = f"{marker}{r['title']}"
    return sheets


def fengong(store: GraphStore, progress: Progress | None = None, doc: str | None = None) -> list[Sheet]:
    """The 任务分工表 of every document in the graph (or of document IRI `doc`), in the order the documents stand
    in their sources; units in the order the text lists them."""
    steps = ["documents", "task_details", "task_units", "targets_due"]

    def step(n: int) -> None:
        if progress:
            progress(f"读取 {steps[n]}", n + 1, len(steps))

    step(0)
    sheets = {iri: s for iri, s in _sheets(store).items() if doc is None or iri == doc}
    step(1)
    tasks = _records(store, "task_details")
    step(2)
    units: dict[str, list[dict[str, str]]] = {}
    for r in _records(store, "task_units", task=""):
        units.setdefault(r["task"], []).append(r)
    step(3)
    targets: dict[str, list[dict[str, str]]] = {}
    for r in _records(store, "targets_due", due=0):
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
        sheet.tasks.append(TaskInfo(task["task"], task["task"].rsplit("/part/", 1)[-1],
                                    [(u["agency"], u["agency_name"], u["role"]) for u in own_units],
                                    [int(t["deadline_year"]) for t in own_targets if t["deadline_year"]]))
    for sheet in sheets.values():
        if not sheet.rows:
            sheet.rows.append({"序号": "", "文件": sheet.label, "任务": NO_TASKS, "牵头单位": "", "配合单位": "",
                               "目标指标": "", "完成时限": "", "原文出处": ""})
    return list(sheets.values())


# ---------------------------------------------------------------------------------------------------------------
# Summary and per-agency lists


def summary(sheets: Iterable[Sheet]) -> ExtraSheet:
    """汇总: per agency the tasks it leads and co-operates on, and the targets of those tasks due in each year."""
    counts: dict[str, dict[str, int]] = {}
    years: set[int] = set()
    for sheet in (s for s in sheets if not s.is_report):  # reports restate plans: their tasks are not counted
        for info in sheet.tasks:
            for _, name, role in info.units:
                row = counts.setdefault(name, {"lead": 0, "co": 0})
                row[role] = row.get(role, 0) + 1
                for year in info.years:
                    row[f"y{year}"] = row.get(f"y{year}", 0) + 1
                    years.add(year)
    year_columns = [f"{y}年到期目标" for y in sorted(years)]
    columns = ["单位", "牵头任务", "配合任务", *year_columns]
    rows = []
    for name, row in sorted(counts.items(), key=lambda kv: (-kv[1]["lead"], -kv[1]["co"], kv[0])):
        rows.append({"单位": name, "牵头任务": str(row["lead"]), "配合任务": str(row["co"]),
                     **{c: str(row.get(f"y{y}", "")) for c, y in zip(year_columns, sorted(years), strict=True)}})
    return ExtraSheet("汇总", columns, rows)  # the workbook titles it


def agency_sheets(sheets: Iterable[Sheet], agencies: Iterable[tuple[str, str]]) -> list[ExtraSheet]:
    """本单位任务清单: for each (IRI, name) agency, every task it leads or supports, with targets, deadlines and
    the source text, as the sheet sent to that department."""
    from policykg.coordinate import ROLE_ZH

    sheets = list(sheets)
    found: list[ExtraSheet] = []
    for iri, name in agencies:
        rows: list[dict[str, str]] = []
        for sheet in sheets:
            for info, row in zip(sheet.tasks, sheet.rows, strict=False):
                roles = [role for agency, _, role in info.units if agency == iri]
                if roles:
                    rows.append({"文件": sheet.label, "序号": str(row["序号"]), "任务": str(row["任务"]),
                                 "角色": ROLE_ZH.get(roles[0], roles[0]),
                                 **{c: str(row[c]) for c in AGENCY_COLUMNS[4:]}})
        found.append(ExtraSheet(name, AGENCY_COLUMNS, rows))
    return found


# ---------------------------------------------------------------------------------------------------------------
# Names and files


def _short_title(sheet: Sheet) -> str:
    """A document's title as a sheet may carry it: place and title without 关于, draft marked."""
    title = sheet.title.removeprefix("关于")
    draft = "（征求意见稿）" if sheet.status == "draft" else ""
    place = "" if title.startswith(sheet.place) or "/doc/100000/" in sheet.doc else sheet.place
    for candidate in (f"{place}{title}{draft}", f"{title}{draft}", title):
        if len(candidate) <= _SHEET_MAX:
            return candidate
    return title[: _SHEET_MAX - 1] + "…"


def sheet_names(sheets: Iterable[Sheet]) -> list[str]:
    """Excel sheet names from the 文号 or a short title, ≤31 characters, none of []:*?/\\, unique."""
    names: list[str] = []
    taken: set[str] = {"汇总", "新闻报道", "未承接事项"}
    for sheet in sheets:
        base = _SHEET_FORBIDDEN.sub("_", sheet.number or _short_title(sheet)).strip().strip("'") or "文件"
        name = base[:_SHEET_MAX].rstrip("'")
        n = 1
        while name.casefold() in taken or name.casefold() == "history":  # Excel compares names without case
            n += 1
            tail = f"~{n}"
            name = base[: _SHEET_MAX - len(tail)].rstrip("'") + tail
        taken.add(name.casefold())
        names.append(name)
    return names


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
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


_atomic_write = atomic_write


def write_csv(sheets: list[Sheet], path: Path) -> None:
    """The same rows as the workbook in one CSV (UTF-8 with BOM so that Excel reads the Chinese right)."""

    def write(temp: Path) -> None:
        with temp.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(neutral_row(FENGONG_COLUMNS))
            for sheet in sheets:
                writer.writerows(neutral_row(row[c] for c in FENGONG_COLUMNS) for row in sheet.rows)

    atomic_write(path, write)
