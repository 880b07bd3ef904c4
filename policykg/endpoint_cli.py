"""Researchers' commands (serve, push): registered on the `policykg` group.

`serve` runs the oxigraph server from PyPI (the `oxigraph` console script installed next to this Python) read-only
over out/store, so any SPARQL client can query the graph; `push` copies the named graphs into another triple store.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO

import click
from rich.table import Table

from policykg.cli import OUT_HELP, _fail, cli, console, default_out, err_console

DEFAULT_PORT = 7878
EXAMPLE_QUERY = "who_leads --param task=探访关爱"


class ServerError(Exception):
    """The oxigraph server could not be started; the message says why in plain words."""


def oxigraph_command() -> str:
    """The `oxigraph` console script: next to this interpreter (a venv that is not activated) or on PATH."""
    local = Path(sys.executable).with_name("oxigraph")
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServerError("the `oxigraph` server program is missing; install it with "
                          "`pip install 'oxigraph>=0.5,<0.6'` (it comes with `pip install -e .`)")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (for tests and benchmarks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OxigraphServer:
    """An oxigraph server over an on-disk store, as a child process; read-only unless asked otherwise.

    `--union-default-graph` makes the default graph the union of the named graphs, exactly as the embedded store
    queries it, so named queries give the same answers over HTTP. Read-only, updates (`/update`, writes on `/store`)
    get 403; read-write (`read_only=False`, for tests and as a push target) the store is created when missing.
    """

    def __init__(self, store: Path, port: int = DEFAULT_PORT, *, host: str = "127.0.0.1",
                 query_timeout: int | None = None, read_only: bool = True) -> None:
        if read_only and not (store.is_dir() and any(store.iterdir())):
            raise ServerError(f"no graph store at {store}: run `policykg build` first, or pass --out DIR")
        self.store = store
        self.host = host
        self.port = port
        self.query_timeout = query_timeout
        self.read_only = read_only
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"

    @property
    def store_url(self) -> str:
        """Graph Store Protocol endpoint."""
        return f"{self.url}/store"

    def command(self) -> list[str]:
        mode = "serve-read-only" if self.read_only else "serve"
        command = [oxigraph_command(), mode, "--location", str(self.store),
                   "--bind", f"{self.host}:{self.port}", "--union-default-graph"]
        if self.query_timeout:
            command += ["--timeout-s", str(self.query_timeout)]
        return command

    def start(self, wait: float = 20.0) -> OxigraphServer:
        """Start the server and return once it answers a query; fail with its own words if it exits first."""
        if _port_taken(self.host, self.port):
            raise ServerError(f"port {self.port} on {self.host} is already in use; pass another --port")
        # its messages go to a temporary file, not a pipe nobody drains (a full pipe would block the server)
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                raise ServerError(f"the oxigraph server stopped at once: {self.messages() or 'no message'}")
            if self.answers():
                return self
            time.sleep(0.1)
        self.stop()
        raise ServerError(f"the oxigraph server did not answer on {self.url} within {wait:g} s")

    def answers(self) -> bool:
        request = urllib.request.Request(f"{self.query_url}?query=ASK%7B%7D",
                                         headers={"Accept": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def messages(self) -> str:
        """What the server printed so far (last 2,000 characters)."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace").strip()[-2000:]

    def stop(self) -> None:
        """Ask the server to stop (SIGTERM: a background job may have SIGINT ignored), kill it after 5 s."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> OxigraphServer:
        return self.start() if self.process is None else self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port on 127.0.0.1 to listen on.")
@click.option("--out", type=click.Path(path_type=Path), default=default_out, show_default=OUT_HELP,
              help="Output folder holding store/.")
@click.option("--timeout", "query_timeout", type=click.FloatRange(min=1), default=30, show_default=True,
              metavar="SECONDS", help="Stop any query after this many seconds (the client gets 504, never half an "
              "answer).")
@click.option("--allow-service", is_flag=True,
              help="Allow SERVICE (federated queries make the server fetch other URLs; refused by default).")
def serve(port: int, out: Path, query_timeout: float, allow_service: bool) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint on localhost (oxigraph server; Ctrl-C stops it).

    The default graph is the union of all named graphs, as in `policykg query`; updates are refused (403), and so
    are queries with SERVICE unless --allow-service. After `policykg build` the new graph is served automatically.

    \b
    Example:
      policykg serve --port 7878
      policykg query who_leads --param task=探访关爱 --endpoint http://127.0.0.1:7878/query
    """
    from policykg.proxy import GuardedEndpoint

    def say(message: str) -> None:
        err_console.print(message, style="dim", highlight=False)

    try:
        endpoint = GuardedEndpoint(out / "store", port, timeout=query_timeout, allow_service=allow_service,
                                   say=say).start()
    except ServerError as exc:
        _fail(str(exc))
        raise
    click.echo(f"SPARQL endpoint: {endpoint.query_url}  (read-only; query page: {endpoint.url}/)")
    click.echo(f"Try: policykg query {EXAMPLE_QUERY} --endpoint {endpoint.query_url}")
    service = "SERVICE 已允许" if allow_service else "SERVICE 已禁止（--allow-service 可开启）"
    click.echo(f"查询时限 {query_timeout:g} 秒；{service}；重新构建 {out}/ 后自动切换到新的图数据库。")
    click.echo("Ctrl-C stops the server.", nl=True)
    sys.stdout.flush()
    # Ctrl-C, `kill` and a closed terminal all stop the child too (SIGINT may arrive ignored in a background job)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    try:
        while endpoint.alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        endpoint.stop()
        err_console.print("server stopped", style="dim")
        return
    endpoint.stop()
    _fail("oxigraph 服务器意外停止；请重新运行 `policykg serve`", code=1)


@cli.command()
@click.option("--endpoint", help="Query endpoint of the target store: writes go here unless --update-endpoint or "
              "--graph-store is given, and the triples are counted here afterwards.")
@click.option("--update-endpoint", help="SPARQL 1.1 Update endpoint, e.g. http://HOST:8890/sparql-auth (Virtuoso) "
              "or http://HOST:7878/update (oxigraph serve).")
@click.option("--graph-store", help="Graph Store Protocol endpoint, e.g. http://HOST:7878/store: one PUT per graph "
              "instead of SPARQL Update.")
@click.option("--user", help="User name (HTTP digest or basic auth, as the server asks).")
@click.option("--password", envvar="POLICYKG_PASSWORD", help="Password (or set POLICYKG_PASSWORD).")
@click.option("--out", type=click.Path(path_type=Path), default=default_out, show_default=OUT_HELP,
              help="Output folder holding kg.nq.")
@click.option("--timeout", type=click.FloatRange(1), default=120, show_default=True, help="Seconds per request.")
@click.option("--batch", "batch_size", type=click.IntRange(1), default=500, show_default=True,
              help="Triples per INSERT DATA request.")
def push(endpoint: str | None, update_endpoint: str | None, graph_store: str | None, user: str | None,
         password: str | None, out: Path, timeout: float, batch_size: int) -> None:
    """Load the named graphs of out/kg.nq into a remote store, replacing graphs of the same name.

    \b
    Example (Virtuoso, SPARQL Update with digest auth):
      policykg push --endpoint http://127.0.0.1:8890/sparql \\
        --update-endpoint http://127.0.0.1:8890/sparql-auth --user dba --password dba
    Example (oxigraph serve, Graph Store Protocol):
      policykg push --endpoint http://127.0.0.1:7878/query --graph-store http://127.0.0.1:7878/store
    """
    from policykg.push import PushError
    from policykg.push import push as run_push

    if not (endpoint or update_endpoint or graph_store):
        _fail("say where to push: --endpoint URL, and --update-endpoint URL or --graph-store URL if writes go "
              "elsewhere")
    if user is not None and password is None:
        password = click.prompt(f"password for {user}", hide_input=True, err=True)
    try:
        report = run_push(out, endpoint=endpoint, update_endpoint=update_endpoint, graph_store=graph_store,
                          user=user, password=password, timeout=timeout, batch_size=batch_size,
                          progress=lambda graph, n, total: err_console.print(f"[{n}/{total}] {graph}",
                                                                             style="dim", highlight=False))
    except PushError as exc:
        _fail(str(exc), code=1)
        raise
    table = Table("graph", "sent", "found", title=f"pushed by {report.method}: {report.requests} requests, "
                  f"{report.seconds:.1f} s", header_style="bold")
    for item in report.graphs:
        found = "—" if item.found is None else str(item.found)
        style = "" if item.found in (None, item.sent) else "red"
        table.add_row(item.graph, str(item.sent), found, style=style)
    console.print(table)
    if endpoint and not report.complete:
        _fail(f"{endpoint} does not hold every triple sent (see 'found'); check the server's log", code=1)
