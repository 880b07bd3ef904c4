"""Cross-document commands (gaps, diff): registered on the `policykg` group."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from policykg.cli import cli, console, err_console, open_store
from policykg.coordinate import CoordinateError
from policykg.coordinator_cli import _fail, _format_option, _print, _store_options


@cli.command("gaps")
@click.argument("document")
@_format_option
@_store_options
def gaps_cmd(document: str, fmt: str, out: Path, endpoint: str | None) -> None:
    """The measures of the higher-level document that DOCUMENT applies but does not take up.

    DOCUMENT is its 文号, file name or part of its title. Each measure comes with the nearest sentence of DOCUMENT
    and how much of the measure that sentence says (0–1).

    Example: policykg gaps 黔府办发〔2023〕21号
    """
    from policykg.crossdoc import gaps

    store = open_store(out, endpoint)
    try:
        answer = gaps(store, document)
    except CoordinateError as exc:
        _fail(str(exc))
        raise
    finally:
        store.close()
    _print(answer, fmt, f"未承接事项：{document}")


@cli.command("diff")
@click.argument("draft")
@click.argument("final")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "html"]), default="table",
              show_default=True, help="table for reading; csv, json or an offline html page for other tools.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write to FILE instead of the terminal.")
@_store_options
def diff_cmd(draft: str, final: str, fmt: str, output: Path | None, out: Path, endpoint: str | None) -> None:
    """What changed from DRAFT to FINAL: items kept, rewritten, moved, added, dropped; units, targets, wording.

    Each document is named by its 文号, file name or part of its title. A draft known only from a news report
    shows only what the report states.

    A loose name such as 征求意见稿 is taken as the draft that the final text revises.

    Example: policykg diff 征求意见稿 黔府办发〔2023〕21号
    """
    from policykg.crossdoc import diff, diff_answer, diff_html, diff_json
    from policykg.query import to_csv

    store = open_store(out, endpoint)
    try:
        result, draft_doc, final_doc = diff(store, draft, final)
    except CoordinateError as exc:
        _fail(str(exc))
        raise
    finally:
        store.close()
    if fmt == "table" and output is None:
        _print(diff_answer(result, draft_doc, final_doc), fmt, f"{draft_doc.display} → {final_doc.display}")
        return
    if fmt == "json":
        text = diff_json(result, draft_doc, final_doc)
    elif fmt == "html":
        text = diff_html(result, draft_doc, final_doc)
    else:
        text = to_csv(diff_answer(result, draft_doc, final_doc).table())
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"无法写入 {output}：{exc.strerror or exc}")
    err_console.print(f"已写入 {output}", highlight=False)
    counts = {kind: result.count(kind) for kind in ("moved", "renamed", "added", "dropped")}  # type: ignore[misc]
    console.print(f"{counts['moved']} 项调整位置，{counts['renamed']} 项改写，{counts['added']} 项新增，"
                  f"{counts['dropped']} 项删除", highlight=False)
