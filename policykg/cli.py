"""The `policykg` command: a thin layer over functions the tests call directly."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from policykg.graph.emit import DEFAULT_BASE
from policykg.graph.store import EmbeddedStore, GraphStore, ResultTable

DEFAULT_CORPUS = Path("corpus")
DEFAULT_OUT = Path("out")
OUT_ENV = "POLICYKG_OUT"
OUT_HELP = f"${OUT_ENV}, else the nearest out/ holding a graph from here upward, else ./out"


def default_out() -> Path:
    """Where the graph is read from when --out is not given, whatever folder a command runs in: $POLICYKG_OUT,
    else the first out/ holding store/ in this folder or a parent (a project's out/ from any of its subfolders)."""
    if os.environ.get(OUT_ENV):
        return Path(os.environ[OUT_ENV])
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / DEFAULT_OUT / "store").is_dir():
            return folder / DEFAULT_OUT
    return DEFAULT_OUT


def build_out() -> Path:
    """Where `policykg build` writes when --out is not given: $POLICYKG_OUT, else ./out."""
    return Path(os.environ[OUT_ENV]) if os.environ.get(OUT_ENV) else DEFAULT_OUT

console = Console()
err_console = Console(stderr=True)


def _fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]错误：[/]{message}", highlight=False)
    sys.exit(code)


DEFAULT_TIMEOUT = 30.0


def open_store(out: Path, endpoint: str | None = None, default_graphs: tuple[str, ...] = (), *,
               timeout: float | None = None, allow_service: bool = False) -> GraphStore:
    """The embedded store of `out`, or an endpoint; with `timeout`, queries stop after that many seconds."""
    if endpoint:
        from policykg.graph.store import RemoteStore

        return RemoteStore(endpoint, default_graphs=list(default_graphs) or None, timeout=timeout or DEFAULT_TIMEOUT)
    try:
        return EmbeddedStore(out / "store", timeout=timeout, allow_service=allow_service)
    except FileNotFoundError:
        _fail(f"{out}/ 中没有图谱：请先运行 `policykg build`（或 `make run`），或用 --out DIR 或环境变量 "
              f"{OUT_ENV} 指明输出文件夹")
        raise


def print_table(table: ResultTable, fmt: str) -> None:
    from policykg.query import to_csv, to_json

    if fmt == "csv":
        sys.stdout.write(to_csv(table))
    elif fmt == "json":
        sys.stdout.write(to_json(table))
    else:
        view = Table(show_lines=False, header_style="bold")
        for column in table.columns:
            view.add_column(column, overflow="fold")
        for row in table.rows:
            view.add_row(*("" if v is None else v for v in row))
        console.print(view)
        console.print(f"共 {len(table.rows)} 行", style="dim")


def _valid_base(base: str) -> bool:
    """Whether every IRI minted under `base` can be stored (pyoxigraph checks IRIs as RFC 3987 says)."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(base)
    except ValueError:
        return False
    return base.startswith(("http://", "https://"))


def _query_limits(command: Callable[..., None]) -> Callable[..., None]:
    """--timeout and --allow-service, shared by `query` and `sparql`."""
    command = click.option("--allow-service", is_flag=True,
                           help="Allow SERVICE (federated queries make the engine fetch other URLs; off by default).",
                           )(command)
    return click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT,
                        show_default=True, metavar="SECONDS", help="Stop the query after this many seconds.")(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policykg")
def cli() -> None:
    """policykg: who is responsible for what in Chinese policy documents, as a knowledge graph."""


@cli.command()
@click.option("--corpus", type=click.Path(path_type=Path), default=DEFAULT_CORPUS, show_default=True,
              help="Folder of source files: .txt (any Chinese encoding), .html, .docx, .pdf, .xlsx, .csv, "
                   ".doc/.wps (with LibreOffice).")
@click.option("--out", type=click.Path(path_type=Path), default=build_out, show_default=f"${OUT_ENV}, else ./out",
              help="Output folder, replaced atomically when the build succeeds.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the data.")
@click.option("--strict", is_flag=True, help="Fail the build on any SHACL violation.")
@click.option("--max-file-size", "max_file_size", type=click.FloatRange(min=0, min_open=True), default=20,
              show_default=True, metavar="MB", help="Largest source file read, in MB; larger files are errors.")
@click.option("--reason", "reasoning", type=click.Choice(["rules", "full"]), default="rules", show_default=True,
              help="rules: SPARQL rules derive the inferred classes, HermiT checks the ontology; "
                   "full: HermiT reasons over the data too (slow on large corpora).")
@click.option("--views/--no-views", default=True, show_default=True, help="Draw the HTML network views.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes reading the files (the per-file stages run in parallel; results are the same).")
def build(corpus: Path, out: Path, base: str, strict: bool, max_file_size: float, reasoning: str,
          views: bool, jobs: int) -> None:
    """Build the graph from a corpus and write every output.

    Example: policykg build --corpus corpus --out out
    """
    from policykg.build import run_build

    if not corpus.is_dir():
        _fail(f"语料文件夹 {corpus} 不存在：请用 --corpus DIR 指明")
    if not _valid_base(base):
        _fail(f"--base {base!r} 不是合法的 http(s) IRI（例如 {DEFAULT_BASE}）")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        reading = bar.add_task("reading", total=None)

        def progress(name: str, n: int, total: int) -> None:
            if total:
                bar.update(reading, description=f"reading {name}", completed=n - 1, total=total)
            else:
                bar.update(reading, description=name, completed=bar.tasks[0].total or 0)

        report = run_build(corpus, out, base=base, strict=strict, progress=progress,
                           max_file_size=int(max_file_size * 1024 * 1024), reasoning_mode=reasoning, views=views,
                           jobs=jobs)
    for issue in report.issues:
        style = "red" if issue.severity == "error" else "yellow"
        err_console.print(f"[{style}]{issue}[/]", highlight=False, soft_wrap=True)
    summary = Table(title=f"policykg build → {out}/", show_header=False)
    for label, value in [
        ("文件", report.documents), ("任务", report.tasks), ("单位", report.agencies),
        ("责任", report.responsibilities), ("目标", report.targets), ("职责", report.duties),
        ("三元组", report.triples), ("警告", len(report.issues) - len(report.errors)),
        ("错误", len(report.errors)), ("秒", f"{report.seconds:.1f}"),
        ("其中 HermiT 推理秒", f"{report.stages.get('reasoning', 0.0):.1f}"),
    ]:
        summary.add_row(label, str(value))
    console.print(summary)
    if report.errors:
        sys.exit(1)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder for one FILE.nq and one FILE.result per file.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the data.")
@click.option("--max-file-size", "max_file_size", type=click.FloatRange(min=0, min_open=True), default=20,
              show_default=True, metavar="MB", help="Largest source file read, in MB; larger files are errors.")
def extract(files: tuple[Path, ...], out_dir: Path, base: str, max_file_size: float) -> None:
    """Read each file on its own: one N-Quads file per source, plus what `load` needs.

    Map this over any number of files (a batch scheduler, Spark, Dask, Ray), then run `policykg load DIR`.
    Example: policykg extract corpus/*.txt --out parts
    """
    from policykg.mapload import extract_to

    if not _valid_base(base):
        _fail(f"--base {base!r} 不是合法的 http(s) IRI（例如 {DEFAULT_BASE}）")
    issues = extract_to(list(files), out_dir, max_file_size=int(max_file_size * 1024 * 1024), base=base)
    for issue in issues:
        style = "red" if issue.severity == "error" else "yellow"
        err_console.print(f"[{style}]{issue}[/]", highlight=False, soft_wrap=True)
    console.print(f"{len(files)} files → {out_dir}/")
    if any(i.severity == "error" for i in issues):
        sys.exit(1)


@cli.command()
@click.argument("parts", type=click.Path(path_type=Path, file_okay=False))
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Output folder, replaced atomically when the build succeeds.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the data.")
@click.option("--reason", "reasoning", type=click.Choice(["rules", "full"]), default="rules", show_default=True)
@click.option("--views/--no-views", default=True, show_default=True, help="Draw the HTML network views.")
def load(parts: Path, out: Path, base: str, reasoning: str, views: bool) -> None:
    """Assemble the output of `policykg extract` into the graph and every output, as `build` writes them.

    Example: policykg load parts --out out
    """
    from policykg.build import run_build
    from policykg.mapload import load_results

    try:
        results = load_results(parts)
    except (OSError, ValueError) as exc:
        _fail(str(exc))
        raise
    report = run_build(parts, out, base=base, reasoning_mode=reasoning, views=views, results=results)
    for issue in report.issues:
        style = "red" if issue.severity == "error" else "yellow"
        err_console.print(f"[{style}]{issue}[/]", highlight=False, soft_wrap=True)
    console.print(f"{report.documents} documents, {report.triples} triples → {out}/ in {report.seconds:.1f} s")
    if report.errors:
        sys.exit(1)


@cli.command()
@click.argument("name")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Bind a query parameter (as data).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=default_out, show_default=OUT_HELP,
              help="Output folder holding store/.")
@click.option("--endpoint", help="Run on this SPARQL 1.1 endpoint instead of the embedded store.")
@click.option("--default-graph", "default_graphs", multiple=True, metavar="IRI",
              help="With --endpoint: restrict the query's default graph to these graphs (repeatable).")
@_query_limits
def query(name: str, params: tuple[str, ...], fmt: str, out: Path, endpoint: str | None,
          default_graphs: tuple[str, ...], timeout: float, allow_service: bool) -> None:
    """Run a named query from queries/ (use `list` to see them).

    Example: policykg query who_leads --param task=探访关爱
    """
    from policykg.query import QueryError, load_queries, run_named

    queries = load_queries()
    if name == "list":
        listing = Table("name", "question", "params", header_style="bold")
        for q in queries.values():
            listing.add_row(q.name, f"{q.question}\n{q.question_zh}", ", ".join(q.params) or "—")
        console.print(listing)
        return
    if name not in queries:
        _fail(f"no query named {name!r}; known: {', '.join(queries)}")
    bound: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            _fail(f"--param {item!r} must look like KEY=VALUE")
        bound[key.strip()] = value
    store = open_store(out, endpoint, default_graphs, timeout=timeout, allow_service=allow_service)
    try:
        table = run_named(store, queries[name], bound)
    except (QueryError, OSError, ValueError, SyntaxError) as exc:
        _fail(str(exc))
        raise
    finally:
        store.close()
    print_table(table, fmt)


@cli.command()
@click.argument("query_or_file")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=default_out, show_default=OUT_HELP)
@click.option("--endpoint", help="Run on this SPARQL 1.1 endpoint instead of the embedded store.")
@click.option("--default-graph", "default_graphs", multiple=True, metavar="IRI",
              help="With --endpoint: restrict the query's default graph to these graphs (repeatable).")
@_query_limits
def sparql(query_or_file: str, fmt: str, out: Path, endpoint: str | None, default_graphs: tuple[str, ...],
           timeout: float, allow_service: bool) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE) given inline or as a file.

    The project's prefixes (pkg:, eli:, oa:, skos:, dcterms: …) are declared for you. ASK prints true or false;
    CONSTRUCT and DESCRIBE print N-Triples.

    Example: policykg sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?t a pkg:Task }'
    """
    from policykg.graph.guard import ServiceRefused
    from policykg.sparql_forms import query_form, run_graph_form, with_prefixes

    path = Path(query_or_file)
    text = path.read_text("utf-8") if path.suffix == ".rq" and path.is_file() else query_or_file
    text = with_prefixes(text)
    form = query_form(text)
    store = open_store(out, endpoint, default_graphs, timeout=timeout, allow_service=allow_service)
    try:
        answer = store.select(text) if form == "SELECT" else run_graph_form(store, text)
    except (ServiceRefused, TimeoutError) as exc:  # already say what to do
        _fail(str(exc))
        raise
    except (SyntaxError, ValueError, OSError) as exc:
        _fail(f"查询失败：{exc}（检查 SPARQL 语法；项目前缀 pkg: eli: oa: skos: 等已自动声明）")
        raise
    finally:
        store.close()
    if isinstance(answer, ResultTable):
        print_table(answer, fmt)
    elif answer.boolean is not None:
        sys.stdout.write(json.dumps({"boolean": answer.boolean}) + "\n" if fmt == "json"
                         else ("true" if answer.boolean else "false") + "\n")
    else:
        sys.stdout.write(answer.ntriples)


@cli.command("eval")
@click.option("--gold", "gold_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="Hand-made gold file (JSON, see tests/gold/README.md).")
@click.option("--corpus", type=click.Path(path_type=Path), default=DEFAULT_CORPUS, show_default=True)
@click.option("--show-misses/--no-show-misses", default=True, show_default=True)
def evaluate_cmd(gold_file: Path, corpus: Path, show_misses: bool) -> None:
    """Score the extraction against a gold file: precision, recall, F1 per fact type.

    Example: policykg eval --gold tests/gold/corpus.json
    """
    from policykg.evaluate import evaluate

    scores = evaluate(gold_file, corpus)
    table = Table("facts", "gold", "found", "correct", "precision", "recall", "F1", header_style="bold")
    for name, s in scores.items():
        table.add_row(name, str(s.true_positive + s.false_negative), str(s.true_positive + s.false_positive),
                      str(s.true_positive), f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}")
    console.print(table)
    if show_misses:
        for name, s in scores.items():
            for miss in s.missed:
                console.print(f"[red]missed[/] {name}: {miss}", highlight=False)
            for extra in s.spurious:
                console.print(f"[yellow]spurious[/] {name}: {extra}", highlight=False)


def main() -> None:
    cli()


# Commands kept in their own modules register themselves on `cli` when imported.
from policykg import coordinator_cli, crossdoc_cli, endpoint_cli  # noqa: E402, F401
