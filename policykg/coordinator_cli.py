"""Coordinators' commands (who-leads, agency, targets, export): registered on the `policykg` group."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path

import click
from rich.cells import cell_len
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from policykg.cli import OUT_HELP, cli, console, default_out, err_console, open_store
from policykg.coordinate import Answer, CoordinateError
from policykg.graph.store import GraphStore

# How much of the terminal each column may take (the quote gets the most).
_RATIOS = {"原文": 5, "文件": 2, "任务": 2, "牵头单位": 2, "配合单位": 2, "单位": 2, "指标": 2}
_NARROW = {"序号", "角色", "目标值", "完成时限", "地区", "依据", "相似度", "变化"}


def _fail(message: str, hints: list[str] | None = None, code: int = 1) -> None:
    """Say what went wrong and what to do, on stderr, and stop."""
    err_console.print(f"[bold red]错误：[/]{message}", highlight=False)
    for hint in hints or []:
        err_console.print(f"  {hint}", highlight=False)
    sys.exit(code)


@contextmanager
def _writing_tables(store: GraphStore) -> Iterator[GraphStore]:
    """The store for an export; a lookup or write failure is one message saying what to do, and the store closes."""
    try:
        yield store
    except CoordinateError as exc:
        _fail(str(exc))
        raise
    except OSError as exc:
        _fail(f"无法写入表格：{exc.strerror or exc}", ["请确认文件没有在 Excel 中打开，且文件夹可写"])
        raise
    finally:
        store.close()


@contextmanager
def _progress(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (gone when done) fed by callbacks (n, total)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(n: int, total: int) -> None:
            bar.update(task, completed=n, total=total)

        yield update


def _print(answer: Answer, fmt: str, title: str) -> None:
    """CSV or JSON with full quotes to stdout, or for reading: one table per document, short quotes."""
    from policykg.query import to_csv, to_json

    for note in answer.notes:
        err_console.print(note, style="dim", highlight=False)
    if fmt == "csv":
        sys.stdout.write(to_csv(answer.table()))
        return
    if fmt == "json":
        sys.stdout.write(to_json(answer.table()))
        return
    console.print(f"[bold]{escape(title)}[/]", highlight=False)
    columns = [c for c in answer.table_columns if c != "文件"]
    for (document, source), rows in groupby(answer.view_rows, key=lambda r: (r.get("文件", ""), r.get("来源文件", ""))):
        title = f"{escape(document)}  [dim]{escape(source)}[/]" if source else escape(document)
        view = Table(title=title, title_justify="left", show_lines=True, header_style="bold", expand=True)
        for column in columns:
            width = cell_len(column)  # never break a header such as 牵头单位
            if column in _NARROW:
                view.add_column(column, min_width=width, no_wrap=column == "序号", overflow="fold")
            else:
                view.add_column(column, min_width=width, ratio=_RATIOS.get(column, 1), overflow="fold")
        for row in rows:
            view.add_row(*(escape(row.get(c, "")) for c in columns))
        console.print(view)
    console.print(f"共 {len(answer.rows)} 行", style="dim")


def _store_options(command: Callable[..., None]) -> Callable[..., None]:
    command = click.option("--endpoint", help="Ask this SPARQL 1.1 endpoint instead of the embedded store.")(command)
    command = click.option("--out", type=click.Path(path_type=Path), default=default_out, show_default=OUT_HELP,
                           help="Output folder of `policykg build`, holding store/.")(command)
    return command


def _doc_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option("--doc", metavar="DOCUMENT",
                        help="Only this document: its 文号 (黔府办发〔2023〕21号), file name or part of its title.",
                        )(command)


def _format_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
                        show_default=True, help="table for reading; csv or json (full quotes) for other tools.",
                        )(command)


def _agency_hints(name: str, suggestions: list[str]) -> list[str]:
    hints = [f"您是不是要找：{'、'.join(suggestions)}？"] if suggestions else []
    return [*hints, "可以用名称的一部分（民政厅）、简称（卫健委）或全称（贵州省民政厅）"]


@cli.command("who-leads")
@click.argument("text")
@click.option("--in-text", is_flag=True, help="Also list tasks that mention TEXT only in their text, not their title.")
@_doc_option
@_format_option
@_store_options
def who_leads_cmd(text: str, in_text: bool, doc: str | None, fmt: str, out: Path, endpoint: str | None) -> None:
    """Who leads a task and who co-operates, with the sentence that says so.

    TEXT is any part of the task's title, in simplified or traditional characters (words separated by spaces
    must all occur), or the task's number: 6, 第6项, 第六项.

    Example: policykg who-leads 探访关爱 (by number: policykg who-leads --doc 黔府办发〔2023〕21号 6)
    """
    from policykg.coordinate import who_leads

    store = open_store(out, endpoint)
    try:
        with _progress("finding tasks") as progress:
            answer = who_leads(store, text, in_text=in_text, doc=doc, progress=progress)
    except CoordinateError as exc:
        _fail(str(exc))
        raise
    finally:
        store.close()
    if not answer.rows:
        if answer.notes:
            _fail(f"没有任务标题含有“{text}”，但有任务在正文中提到它",
                  [f"加 --in-text 再查一次：policykg who-leads {text} --in-text"])
        hints = [f"相近的任务标题：{'、'.join(answer.suggestions)}"] if answer.suggestions else []
        _fail(f"没有找到与“{text}”相符的任务",
              [*hints, "可以少用几个字、换个说法，或加 --in-text 在正文中查找；按序号查：--doc 文号 序号"])
    _print(answer, fmt, f"谁牵头：{text}")


@cli.command("agency")
@click.argument("name")
@_doc_option
@_format_option
@_store_options
def agency_cmd(name: str, doc: str | None, fmt: str, out: Path, endpoint: str | None) -> None:
    """Every task an agency leads or co-operates on, with the sentence that says so.

    NAME may be the full name, a written form (省卫生健康委), an abbreviation (卫健委) or a part (民政厅, which
    lists every 民政厅 with its place), in simplified or traditional characters.

    Example: policykg agency 省卫生健康委
    """
    from policykg.coordinate import agency_tasks

    store = open_store(out, endpoint)
    try:
        with _progress("reading tasks") as progress:
            answer = agency_tasks(store, name, progress=progress, doc=doc)
    except CoordinateError as exc:
        _fail(str(exc))
        raise
    finally:
        store.close()
    if not answer.agencies:
        _fail(f"没有名称为“{name}”或含有“{name}”的单位", _agency_hints(name, answer.suggestions))
    err_console.print(f"找到单位：{'、'.join(a.display for a in answer.agencies)}", style="dim", highlight=False)
    if not answer.rows:
        err_console.print("这些单位没有牵头或配合的任务" + ("（在该文件中）" if doc else ""), highlight=False)
        answer.notes.clear()
        if fmt == "table":
            return
    _print(answer, fmt, f"单位任务：{name}")


@cli.command("targets")
@click.option("--due", type=click.IntRange(1900, 2200), metavar="YEAR",
              help="Only targets due by the end of YEAR (deadline year ≤ YEAR).")
@click.option("--agency", metavar="NAME", help="Only targets of tasks this agency leads or co-operates on.")
@_doc_option
@_format_option
@_store_options
def targets_cmd(due: int | None, agency: str | None, doc: str | None, fmt: str, out: Path,
                endpoint: str | None) -> None:
    """Quantitative targets (指标, 目标值, 完成时限) with the lead units and the sentence that sets them.

    Example: policykg targets --due 2025 --agency 省民政厅
    """
    from policykg.coordinate import targets

    store = open_store(out, endpoint)
    try:
        with _progress("reading targets") as progress:
            answer = targets(store, due=due, agency=agency, progress=progress, doc=doc)
    except CoordinateError as exc:
        _fail(str(exc))
        raise
    finally:
        store.close()
    if agency is not None:
        if not answer.agencies:
            _fail(f"没有名称为“{agency}”或含有“{agency}”的单位", _agency_hints(agency, answer.suggestions))
        err_console.print(f"找到单位：{'、'.join(a.display for a in answer.agencies)}", style="dim", highlight=False)
    scope = (f"{due}年底前" if due else "") + (f"，{agency}" if agency else "") + (f"，{doc}" if doc else "")
    if not answer.rows:
        err_console.print(f"没有量化目标{'（' + scope.lstrip('，') + '）' if scope else ''}", highlight=False)
        if fmt == "table":
            return
    _print(answer, fmt, f"量化目标{'（' + scope.lstrip('，') + '）' if scope else ''}")


@cli.group("export")
def export_group() -> None:
    """Write tables for coordinators to pass around.

    Example: policykg export fengong --xlsx 任务分工表.xlsx
    """


def _writable(paths: list[Path | None]) -> None:
    for path in (p for p in paths if p is not None):
        if not path.parent.is_dir():
            _fail(f"文件夹 {path.parent} 不存在", ["请先创建该文件夹，或写到别的位置"], 2)
        if path.is_dir():
            _fail(f"{path} 是一个文件夹", ["请给出文件名，例如 任务分工表.xlsx"], 2)


@contextmanager
def _export_progress() -> Iterator[Callable[[str, int, int], None]]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        job = bar.add_task("读取图谱", total=None)

        def progress(description: str, n: int, total: int) -> None:
            bar.update(job, description=description, completed=n, total=total)

        yield progress


@export_group.command("fengong")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write an Excel workbook: 汇总, one sheet per plan, 新闻报道, 未承接事项.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the same rows as CSV (UTF-8 with BOM, opens in Excel).")
@_doc_option
@_store_options
def fengong_cmd(xlsx_path: Path | None, csv_path: Path | None, doc: str | None, out: Path,
                endpoint: str | None) -> None:
    """The 任务分工表: 序号, 文件, 任务, 牵头单位, 配合单位, 目标指标, 完成时限, 原文出处.

    Example: policykg export fengong --xlsx 任务分工表.xlsx --csv 任务分工表.csv
    """
    from policykg.crossdoc import find_document, gaps
    from policykg.export import ExtraSheet, fengong, summary, write_csv
    from policykg.workbook import write_xlsx

    if xlsx_path is None and csv_path is None:
        _fail("请指定写到哪里", ["加 --xlsx FILE、--csv FILE 或两者，例如 --xlsx 任务分工表.xlsx"], 2)
    _writable([xlsx_path, csv_path])
    with _writing_tables(open_store(out, endpoint)) as store:
        doc_iri = find_document(store, doc).iri if doc is not None else None
        with _export_progress() as progress:
            sheets = fengong(store, progress, doc_iri)
            if xlsx_path is not None:
                missing = gaps(store, doc)
                write_xlsx(sheets, xlsx_path, progress, [ExtraSheet("未承接事项", missing.columns, missing.rows)],
                           summary(sheets))
            if csv_path is not None:
                write_csv(sheets, csv_path)
    tasks = sum(1 for s in sheets for r in s.rows if r["序号"] != "")
    for path in (p for p in (xlsx_path, csv_path) if p is not None):
        console.print(f"已写入 {path}：{len(sheets)} 个文件，{tasks} 项任务", highlight=False)


@export_group.command("agency")
@click.argument("name")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Where to write the workbook (default: NAME任务清单.xlsx in the current folder).")
@_doc_option
@_store_options
def agency_export_cmd(name: str, xlsx_path: Path | None, doc: str | None, out: Path, endpoint: str | None) -> None:
    """本单位任务清单: what an agency leads and supports, with targets, deadlines and the source text, one sheet
    per matching agency.

    Example: policykg export agency 省卫生健康委 --xlsx 省卫生健康委任务清单.xlsx
    """
    from policykg.coordinate import find_agencies, suggest_agencies
    from policykg.crossdoc import find_document
    from policykg.export import agency_sheets, fengong
    from policykg.workbook import write_agency_xlsx

    path = xlsx_path or Path(f"{name}任务清单.xlsx")
    _writable([path])
    with _writing_tables(open_store(out, endpoint)) as store:
        matched = find_agencies(store, name)
        if not matched:
            _fail(f"没有名称为“{name}”或含有“{name}”的单位", _agency_hints(name, suggest_agencies(store, name)))
        doc_iri = find_document(store, doc).iri if doc is not None else None
        with _export_progress() as progress:
            lists = agency_sheets(fengong(store, progress, doc_iri), [(m.iri, m.name) for m in matched])
            write_agency_xlsx(lists, path, progress)
    rows = sum(len(x.rows) for x in lists)
    console.print(f"已写入 {path}：{'、'.join(m.display for m in matched)}，共 {rows} 项任务", highlight=False)
