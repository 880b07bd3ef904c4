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

from policykg.cli import DEFAULT_OUT, cli, console, err_console, open_store
from policykg.coordinate import Answer, CoordinateError

# How much of the terminal each column may take (the quote gets the most).
_RATIOS = {"原文": 5, "文件": 2, "任务": 2, "牵头单位": 2, "配合单位": 2, "单位": 2, "指标": 2}
_NARROW = {"序号", "角色", "目标值", "完成时限", "地区", "依据", "相似度", "变化"}


def _fail(message: str, hints: list[str] | None = None, code: int = 1) -> None:
    """Say what went wrong and what to do, on stderr, and stop."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    for hint in hints or []:
        err_console.print(f"  {hint}", highlight=False)
    sys.exit(code)


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
    console.print(f"{len(answer.rows)} rows", style="dim")


def _store_options(command: Callable[..., None]) -> Callable[..., None]:
    command = click.option("--endpoint", help="Ask this SPARQL 1.1 endpoint instead of the embedded store.")(command)
    command = click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
                           help="Output folder of `policykg build`, holding store/.")(command)
    return command


def _format_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
                        show_default=True, help="table for reading; csv or json (full quotes) for other tools.",
                        )(command)


def _agency_hints(name: str, suggestions: list[str]) -> list[str]:
    hints = [f"did you mean: {'、'.join(suggestions)}?"] if suggestions else []
    return [*hints, "try part of the name (民政厅), an abbreviation (卫健委) or the full name (贵州省民政厅)"]


@cli.command("who-leads")
@click.argument("text")
@click.option("--in-text", is_flag=True, help="Also list tasks that mention TEXT only in their text, not their title.")
@_format_option
@_store_options
def who_leads_cmd(text: str, in_text: bool, fmt: str, out: Path, endpoint: str | None) -> None:
    """Who leads a task and who co-operates, with the sentence that says so.

    TEXT is any part of the task's title, in simplified or traditional characters; words separated by spaces
    must all occur.

    Example: policykg who-leads 探访关爱
    """
    from policykg.coordinate import who_leads

    store = open_store(out, endpoint)
    try:
        with _progress("finding tasks") as progress:
            answer = who_leads(store, text, in_text=in_text, progress=progress)
    except CoordinateError as exc:
        _fail(str(exc))
        raise
    finally:
        store.close()
    if not answer.rows:
        if answer.notes:
            _fail(f"no task title contains “{text}”, but some tasks mention it in their text",
                  [f"run again with --in-text: policykg who-leads {text} --in-text"])
        hints = [f"close task titles: {'、'.join(answer.suggestions)}"] if answer.suggestions else []
        _fail(f"no task matches “{text}”", [*hints, "try fewer or shorter words, or --in-text to search the full text"])
    _print(answer, fmt, f"谁牵头：{text}")


@cli.command("agency")
@click.argument("name")
@_format_option
@_store_options
def agency_cmd(name: str, fmt: str, out: Path, endpoint: str | None) -> None:
    """Every task an agency leads or co-operates on, with the sentence that says so.

    NAME may be the full name, a written form (省卫生健康委), an abbreviation (卫健委) or a part (民政厅, which
    lists every 民政厅 with its place), in simplified or traditional characters.

    Example: policykg agency 省卫生健康委
    """
    from policykg.coordinate import agency_tasks

    store = open_store(out, endpoint)
    try:
        with _progress("reading tasks") as progress:
            answer = agency_tasks(store, name, progress=progress)
    except CoordinateError as exc:
        _fail(str(exc))
        raise
    finally:
        store.close()
    if not answer.agencies:
        _fail(f"no agency is called “{name}” or has it in its name", _agency_hints(name, answer.suggestions))
    err_console.print(f"matched: {'、'.join(a.display for a in answer.agencies)}", style="dim", highlight=False)
    if not answer.rows:
        err_console.print("none of them leads or co-operates on any task", highlight=False)
        answer.notes.clear()
        if fmt == "table":
            return
    _print(answer, fmt, f"单位任务：{name}")


@cli.command("targets")
@click.option("--due", type=click.IntRange(1900, 2200), metavar="YEAR",
              help="Only targets due by the end of YEAR (deadline year ≤ YEAR).")
@click.option("--agency", metavar="NAME", help="Only targets of tasks this agency leads or co-operates on.")
@_format_option
@_store_options
def targets_cmd(due: int | None, agency: str | None, fmt: str, out: Path, endpoint: str | None) -> None:
    """Quantitative targets (指标, 目标值, 完成时限) with the lead units and the sentence that sets them.

    Example: policykg targets --due 2025 --agency 省民政厅
    """
    from policykg.coordinate import targets

    store = open_store(out, endpoint)
    try:
        with _progress("reading targets") as progress:
            answer = targets(store, due=due, agency=agency, progress=progress)
    except CoordinateError as exc:
        _fail(str(exc))
        raise
    finally:
        store.close()
    if agency is not None:
        if not answer.agencies:
            _fail(f"no agency is called “{agency}” or has it in its name", _agency_hints(agency, answer.suggestions))
        err_console.print(f"matched: {'、'.join(a.display for a in answer.agencies)}", style="dim", highlight=False)
    scope = (f"{due}年底前" if due else "") + (f"，{agency}" if agency else "")
    if not answer.rows:
        err_console.print(f"no quantitative targets{' (' + scope + ')' if scope else ''}", highlight=False)
        if fmt == "table":
            return
    _print(answer, fmt, f"量化目标{'（' + scope.lstrip('，') + '）' if scope else ''}")


@cli.group("export")
def export_group() -> None:
    """Write tables for coordinators to pass around.

    Example: policykg export fengong --xlsx 任务分工表.xlsx
    """


@export_group.command("fengong")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write an Excel workbook, one sheet per document.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the same rows as CSV (UTF-8 with BOM, opens in Excel).")
@_store_options
def fengong_cmd(xlsx_path: Path | None, csv_path: Path | None, out: Path, endpoint: str | None) -> None:
    """The 任务分工表: 序号, 文件, 任务, 牵头单位, 配合单位, 目标指标, 完成时限, 原文出处.

    Example: policykg export fengong --xlsx 任务分工表.xlsx --csv 任务分工表.csv
    """
    from policykg.crossdoc import gaps
    from policykg.export import ExtraSheet, fengong, write_csv, write_xlsx

    if xlsx_path is None and csv_path is None:
        _fail("say where to write the table", ["add --xlsx FILE, --csv FILE or both, e.g. --xlsx 任务分工表.xlsx"], 2)
    for path in (p for p in (xlsx_path, csv_path) if p is not None):
        if not path.parent.is_dir():
            _fail(f"the folder {path.parent} does not exist", ["create it first, or write the file somewhere else"], 2)
        if path.is_dir():
            _fail(f"{path} is a folder", ["give a file name, e.g. 任务分工表.xlsx"], 2)
    store = open_store(out, endpoint)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err_console, transient=True) as bar:
            job = bar.add_task("reading the graph", total=None)

            def progress(description: str, n: int, total: int) -> None:
                bar.update(job, description=description, completed=n, total=total)

            sheets = fengong(store, progress)
            if xlsx_path is not None:
                missing = gaps(store, None)
                write_xlsx(sheets, xlsx_path, progress, [ExtraSheet("未承接事项", missing.columns, missing.rows)])
            if csv_path is not None:
                write_csv(sheets, csv_path)
    except OSError as exc:
        _fail(f"could not write the table: {exc.strerror or exc}",
              ["check that the file is not open in Excel and that the folder is writable"])
        raise
    finally:
        store.close()
    tasks = sum(1 for s in sheets for r in s.rows if r["序号"] != "")
    for path in (p for p in (xlsx_path, csv_path) if p is not None):
        console.print(f"wrote {path}: {len(sheets)} documents, {tasks} tasks", highlight=False)
