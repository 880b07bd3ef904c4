"""The `policykg` command: a thin layer over functions the tests call directly."""

from __future__ import annotations

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

console = Console()
err_console = Console(stderr=True)


def _fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
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
        _fail(f"no graph in {out}/: run `policykg build` (or `make run`) first, or pass --out DIR")
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
        console.print(f"{len(table.rows)} rows", style="dim")


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
              help="Folder of source texts (UTF-8 .txt).")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
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
        _fail(f"corpus folder {corpus} does not exist; pass --corpus DIR")
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
        ("documents", report.documents), ("tasks", report.tasks), ("agencies", report.agencies),
        ("responsibilities", report.responsibilities), ("targets", report.targets), ("duties", report.duties),
        ("triples", report.triples), ("warnings", len(report.issues) - len(report.errors)),
        ("errors", len(report.errors)), ("seconds", f"{report.seconds:.1f}"),
        ("reasoning (HermiT) seconds", f"{report.stages.get('reasoning', 0.0):.1f}"),
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
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
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
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True)
@click.option("--endpoint", help="Run on this SPARQL 1.1 endpoint instead of the embedded store.")
@click.option("--default-graph", "default_graphs", multiple=True, metavar="IRI",
              help="With --endpoint: restrict the query's default graph to these graphs (repeatable).")
@_query_limits
def sparql(query_or_file: str, fmt: str, out: Path, endpoint: str | None, default_graphs: tuple[str, ...],
           timeout: float, allow_service: bool) -> None:
    """Run a SPARQL SELECT given inline or as a file.

    Example: policykg sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    from policykg.graph.guard import ServiceRefused

    path = Path(query_or_file)
    text = path.read_text("utf-8") if path.suffix == ".rq" and path.is_file() else query_or_file
    store = open_store(out, endpoint, default_graphs, timeout=timeout, allow_service=allow_service)
    try:
        table = store.select(text)
    except (ServiceRefused, TimeoutError) as exc:  # already say what to do
        _fail(str(exc))
        raise
    except (SyntaxError, ValueError, OSError) as exc:
        _fail(f"the query failed: {exc}")
        raise
    finally:
        store.close()
    print_table(table, fmt)


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
