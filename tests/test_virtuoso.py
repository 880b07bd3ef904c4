"""Against a real Virtuoso 7 (Debian virtuoso-opensource-7-bin), started here with a small virtuoso.ini in a temporary
folder: `policykg push` loads the named graphs, and every named query answers there as on the embedded store.

Skipped, with the reason, when `virtuoso-t` is not installed; on CI (`CI` set in the environment) a missing
Virtuoso fails instead, because .ci/run installs it.

Differences allowed when comparing answers, each measured on Virtuoso 07.20.3229, each either left open by SPARQL
or a Virtuoso defect that no query text avoids:
- rows are compared as sorted lists (ties under ORDER BY may come in any order), and as sets for SELECT DISTINCT
  (Virtuoso returned two duplicate rows under DISTINCT with unbound cells and long strings);
- a GROUP_CONCAT column is compared as the sorted list of its parts (the spec leaves their order open), and an
  empty group as "" (Virtuoso) or unbound (oxigraph) alike (the spec is unclear on an empty group with errors);
- Virtuoso writes a non-ASCII GROUP_CONCAT separator (、；) as "?" (a Virtuoso defect, pinned by an xfail test
  below): on Virtuoso the "?" is read as the separator;
- Virtuoso has no boolean type: a computed boolean comes back as the integer 1 or 0.
Nothing else is normalised: numbers, dates, language-tagged strings and IRIs came back identical, so number
formatting is left alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_endpoint import Plan, graph_names, named_results, parameter_plan, triple_counts

from policykg.endpoint_cli import free_port
from policykg.graph.store import EmbeddedStore, EndpointError, RemoteStore, ResultTable
from policykg.push import PushError, PushReport, push, push_graphs, read_graphs
from policykg.query import load_queries

pytestmark = pytest.mark.virtuoso

USER = PASSWORD = "dba"  # a new Virtuoso database has user dba with password dba
MANGLED_SEPARATOR = "?"
#: Virtuoso has no boolean type: a computed true/false (e.g. `BIND(CONTAINS(…) AS ?hit)`) comes back as 1/0
VIRTUOSO_BOOLEANS = {"true": "1", "false": "0"}

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 60
ServerThreads = 10

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 5
ServerThreads = 5

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 120
"""


@dataclass
class Virtuoso:
    """A running Virtuoso: its query endpoint, the authenticated endpoints for writes, and the process."""

    url: str
    process: subprocess.Popen[bytes]
    folder: Path

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    @property
    def sparql_auth(self) -> str:
        return f"{self.url}/sparql-auth"

    @property
    def graph_store(self) -> str:
        return f"{self.url}/sparql-graph-crud-auth"

    def log(self) -> str:
        path = self.folder / "virtuoso.log"
        return path.read_text("utf-8", "replace")[-3000:] if path.exists() else "(no log)"


_RUNNING: dict[str, Virtuoso] = {}


def virtuoso_server(request: pytest.FixtureRequest) -> Virtuoso:
    """Start one Virtuoso per test session (shared with test_safety.py, stopped when the session ends), or
    skip/fail saying why."""
    if "server" in _RUNNING:
        return _RUNNING["server"]
    binary = shutil.which("virtuoso-t")
    if binary is None:
        reason = ("virtuoso-t is not installed: `apt-get install -y --no-install-recommends "
                  "virtuoso-opensource-7-bin` (Debian) to run the Virtuoso tests")
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must install it (.ci/run does)")
        pytest.skip(reason)
    tmp_path_factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    (folder / "virtuoso.ini").write_text(INI.format(dir=folder, sql_port=sql_port, http_port=http_port), "utf-8")
    process = subprocess.Popen([binary, "+configfile", str(folder / "virtuoso.ini"), "+foreground"], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Virtuoso(f"http://127.0.0.1:{http_port}", process, folder)
    request.config.add_cleanup(lambda: stop_virtuoso(server))
    deadline = time.monotonic() + 90
    probe = RemoteStore(server.sparql, timeout=5)
    while True:
        if process.poll() is not None:
            pytest.fail(f"Virtuoso stopped while starting (code {process.returncode}):\n{server.log()}")
        try:
            probe.select("SELECT (1 AS ?one) WHERE { }")
            break
        except (OSError, ValueError):
            if time.monotonic() > deadline:
                stop_virtuoso(server)
                pytest.fail(f"Virtuoso did not answer on {server.sparql} within 90 s:\n{server.log()}")
            time.sleep(0.5)
    _RUNNING["server"] = server
    return server


def stop_virtuoso(server: Virtuoso) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)
    _RUNNING.pop("server", None)


_PUSHED: dict[Path, PushReport] = {}


def pushed_virtuoso(request: pytest.FixtureRequest) -> tuple[Virtuoso, Path]:
    """Virtuoso holding the built graph, pushed once per session with SPARQL Update on /sparql-auth."""
    server = virtuoso_server(request)
    built = request.getfixturevalue("built")
    if built not in _PUSHED:
        report = push(built, endpoint=server.sparql, update_endpoint=server.sparql_auth, user=USER,
                      password=PASSWORD)
        assert report.complete, [(g.graph, g.sent, g.found) for g in report.graphs]
        _PUSHED[built] = report
    return server, built


@pytest.fixture(scope="module")
def virtuoso(request: pytest.FixtureRequest) -> Virtuoso:
    return virtuoso_server(request)


@pytest.fixture(scope="module")
def pushed(request: pytest.FixtureRequest, virtuoso: Virtuoso) -> tuple[Virtuoso, Path]:
    return pushed_virtuoso(request)


@pytest.fixture(scope="module")
def embedded(pushed: tuple[Virtuoso, Path]) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(pushed[1] / "store")
    yield store
    store.close()


@pytest.fixture(scope="module")
def plan(embedded: EmbeddedStore) -> Plan:
    return parameter_plan(embedded)


@pytest.fixture(scope="module")
def remote(pushed: tuple[Virtuoso, Path], embedded: EmbeddedStore) -> RemoteStore:
    """Virtuoso restricted to policykg's graphs with default-graph-uri: its system graphs stay out."""
    return RemoteStore(pushed[0].sparql, timeout=60, default_graphs=graph_names(embedded))


GROUP_CONCAT = re.compile(
    r"""GROUP_CONCAT\s*\(  (?: [^;()] | \( [^()]* \) )*               # the expression, e.g. DISTINCT STR(?label)
        (?: ;\s*SEPARATOR\s*=\s* (?P<separator> "(?:[^"\\]|\\.)*" | '(?:[^'\\]|\\.)*' ) )? \s*\)
        \s+AS\s+\?(?P<column>\w+)""", re.IGNORECASE | re.VERBOSE)
ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def concat_columns(query_text: str) -> dict[str, str]:
    """GROUP_CONCAT columns of a query and their separators (SPARQL escapes undone; a space when none is given)."""
    found = {}
    for match in GROUP_CONCAT.finditer(query_text):
        quoted = match.group("separator")
        separator = re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), quoted[1:-1]) if quoted else " "
        found[match.group("column")] = separator
    return found


def distinct(query_text: str) -> bool:
    """Whether the outer SELECT asks for DISTINCT rows (its answer is then a set)."""
    first = re.search(r"\bSELECT\s+(DISTINCT\b)?", query_text, re.IGNORECASE)
    return bool(first and first.group(1))


def comparable(table: ResultTable, separators: dict[str, str], *, on_virtuoso: bool,
               as_set: bool = False) -> list[tuple[object, ...]]:
    """Rows as a sorted list (as a set for SELECT DISTINCT); GROUP_CONCAT cells as the sorted fragments between
    separators (the same multiset for any order of the same parts, even when a part holds the separator); computed
    booleans as Virtuoso writes them."""
    rows = []
    for row in table.rows:
        cells: list[object] = []
        for column, value in zip(table.columns, row, strict=True):
            if column in separators:
                separator = separators[column]
                if on_virtuoso and not separator.isascii() and value:
                    value = value.replace(MANGLED_SEPARATOR, separator)
                cells.append(tuple(sorted(value.split(separator))) if value else ())
            elif not on_virtuoso and value in VIRTUOSO_BOOLEANS:
                cells.append(VIRTUOSO_BOOLEANS[value])
            else:
                cells.append(value)
        rows.append(tuple(cells))
    return sorted(set(rows) if as_set else rows, key=repr)


def test_push_reports_every_graph_complete(pushed: tuple[Virtuoso, Path], embedded: EmbeddedStore) -> None:
    report = _PUSHED[pushed[1]]
    assert report.complete and {g.graph for g in report.graphs} == set(graph_names(embedded))


def test_every_named_query_answers_the_same_on_virtuoso(embedded: EmbeddedStore, remote: RemoteStore,
                                                       plan: Plan) -> None:
    queries = load_queries()
    local = named_results(embedded, plan)
    differences = []
    for (name, params), table in local.items():
        separators, as_set = concat_columns(queries[name].text), distinct(queries[name].text)
        try:
            served = remote.select(queries[name].text, {f"param_{k}": v for k, v in json.loads(params).items()})
        except (OSError, ValueError) as exc:
            differences.append(f"{name} {params}: {exc}")
            continue
        if served.columns != table.columns or comparable(served, separators, on_virtuoso=True, as_set=as_set) != (
                comparable(table, separators, on_virtuoso=False, as_set=as_set)):
            differences.append(f"{name} {params}: {len(table.rows)} rows embedded, {len(served.rows)} on Virtuoso")
    assert not differences, "\n".join(["named queries that answer differently on Virtuoso:", *differences])
    assert sum(len(t.rows) for t in local.values()) > 300


def test_numbers_dates_and_language_tags_come_back_unchanged(embedded: EmbeddedStore, remote: RemoteStore) -> None:
    typed = """SELECT ?o (DATATYPE(?o) AS ?type) WHERE {
      ?s ?p ?o FILTER (isLiteral(?o) && LANG(?o) = "" && DATATYPE(?o) != <http://www.w3.org/2001/XMLSchema#string>)
    }"""
    local = embedded.select(typed)
    assert Counter(remote.select(typed).rows) == Counter(local.rows)  # "60" stays "60", "2025" stays a gYear
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert {f"{xsd}decimal", f"{xsd}integer", f"{xsd}gYear"} <= {row[1] for row in local.rows}
    tagged = 'SELECT ?o (LANG(?o) AS ?lang) WHERE { ?s ?p ?o FILTER (LANG(?o) != "") }'
    assert Counter(remote.select(tagged).rows) == Counter(embedded.select(tagged).rows)


def test_system_graphs_stay_out_with_default_graphs(embedded: EmbeddedStore, remote: RemoteStore,
                                                    virtuoso: Virtuoso) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    total = int(embedded.select(count).rows[0][0] or 0)
    assert int(remote.select(count).rows[0][0] or 0) == total
    unrestricted = int(RemoteStore(virtuoso.sparql).select(count).rows[0][0] or 0)
    assert unrestricted > total  # Virtuoso's own graphs: why RemoteStore takes default_graphs


def _triples_as_served(store: RemoteStore, graph: str) -> Counter[tuple[str, str, tuple[str | None, ...]]]:
    rows = store.select(f"""SELECT ?s ?p ?o (isBlank(?s) AS ?blank_s) (isBlank(?o) AS ?blank_o)
      (isLiteral(?o) AS ?literal) (LANG(?o) AS ?lang) (DATATYPE(?o) AS ?type)
      WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}""").rows
    found: Counter[tuple[str, str, tuple[str | None, ...]]] = Counter()
    for s, p, o, blank_s, blank_o, literal, lang, datatype in rows:
        obj: tuple[str | None, ...]
        if blank_o in ("1", "true"):
            obj = ("_:",)
        elif literal in ("1", "true"):
            obj = (o, lang or datatype)
        else:
            obj = (o,)
        found["_:" if blank_s in ("1", "true") else s or "", p or "", obj] += 1
    return found


def _triples_as_sent(triples: list[ox.Triple]) -> Counter[tuple[str, str, tuple[str | None, ...]]]:
    sent: Counter[tuple[str, str, tuple[str | None, ...]]] = Counter()
    for t in triples:
        o = t.object
        if isinstance(o, ox.BlankNode):
            obj: tuple[str | None, ...] = ("_:",)
        elif isinstance(o, ox.Literal):
            obj = (o.value, o.language or o.datatype.value)
        else:
            obj = (o.value,)
        sent["_:" if isinstance(t.subject, ox.BlankNode) else t.subject.value, t.predicate.value, obj] += 1
    return sent


@pytest.mark.parametrize("route", ["update", "graph-store"])
def test_both_push_routes_round_trip_every_triple(route: str, pushed: tuple[Virtuoso, Path]) -> None:
    server, built = pushed
    graphs = {f"urn:policykg-test:{route}:{name.rsplit('/', 1)[1]}": triples
              for name, triples in read_graphs(built / "kg.nq").items()}
    where = {"update_endpoint": server.sparql_auth} if route == "update" else {"graph_store": server.graph_store}
    for _ in range(2):  # pushing twice replaces, it does not duplicate
        push_graphs(graphs, user=USER, password=PASSWORD, **where)
    store = RemoteStore(server.sparql)
    for graph, triples in graphs.items():
        assert _triples_as_served(store, graph) == _triples_as_sent(triples), graph


def test_wrong_password_and_anonymous_writes_are_refused_in_plain_words(pushed: tuple[Virtuoso, Path],
                                                                        remote: RemoteStore) -> None:
    server, built = pushed
    before = triple_counts(remote)
    with pytest.raises(PushError, match=r"refused the write.*--user/--password"):
        push(built, update_endpoint=server.sparql_auth, user=USER, password="wrong")
    with pytest.raises(PushError, match="refused the write"):
        push(built, update_endpoint=server.sparql)  # anonymous updates on /sparql fail (SR186)
    assert triple_counts(remote) == before


def test_group_concat_columns_are_read_from_the_query_text() -> None:
    text = """SELECT ?a (GROUP_CONCAT(DISTINCT ?x; SEPARATOR="、") AS ?xs)
      (GROUP_CONCAT(DISTINCT STR(?l); SEPARATOR="\\n") AS ?labels) (GROUP_CONCAT(?y) AS ?ys)
      (group_concat(?z ; separator='\\'') AS ?zs) WHERE { }"""
    assert concat_columns(text) == {"xs": "、", "labels": "\n", "ys": " ", "zs": "'"}
    for query in load_queries().values():
        assert query.text.upper().count("GROUP_CONCAT") == len(concat_columns(query.text)), query.name


def test_remote_store_digest_auth_and_no_credentials_left_behind(virtuoso: Virtuoso) -> None:
    query = "SELECT (1 AS ?one) WHERE { }"
    assert RemoteStore(virtuoso.sparql_auth, user=USER, password=PASSWORD).select(query).rows == [("1",)]
    with pytest.raises(EndpointError, match="Unauthorized"):  # SPARQLWrapper's global opener was put back
        RemoteStore(virtuoso.sparql_auth).select(query)
    with pytest.raises(EndpointError, match="Unauthorized"):
        RemoteStore(virtuoso.sparql_auth, user=USER, password="wrong").select(query)


@pytest.mark.xfail(strict=True, reason="Virtuoso 7.2.5 writes a non-ASCII GROUP_CONCAT separator as '?'; when this "
                   "passes, drop MANGLED_SEPARATOR from the comparison above")
def test_virtuoso_keeps_a_non_ascii_group_concat_separator(remote: RemoteStore) -> None:
    query = 'SELECT (GROUP_CONCAT(?x; SEPARATOR="、") AS ?joined) WHERE { VALUES ?x { "甲" "乙" } }'
    assert remote.select(query).rows[0][0] in ("甲、乙", "乙、甲")
