"""No query reaches out and none runs forever (issue 13, items 2 and 5): SERVICE is refused by the embedded engine
and by `policykg serve` unless --allow-service (a loopback listener proves nothing is sent), query time is limited
with a message in Chinese and never a truncated answer, and who-leads asks one query however many words it gets."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg import coordinate
from policykg.cli import cli
from policykg.endpoint_cli import free_port
from policykg.graph.guard import SERVICE_REFUSED, ServiceRefused, uses_service
from policykg.graph.store import EmbeddedStore, EndpointError, ParamValue, RemoteStore, ResultTable
from policykg.proxy import GuardedEndpoint

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class Listener:
    """A loopback TCP listener that records every connection it accepts (and answers nothing)."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                continue
            conn.settimeout(1)
            try:
                self.connections.append(conn.recv(200))
            except OSError:
                self.connections.append(b"")
            conn.close()

    def service_query(self) -> str:
        return f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{self.port}/admin> {{ ?s ?p ?o }} }}"

    def close(self) -> None:
        time.sleep(0.3)  # a request on its way would arrive by now
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    opened = Listener()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def endpoint(built: Path) -> Iterator[GuardedEndpoint]:
    with GuardedEndpoint(built / "store", free_port(), timeout=2) as running:
        yield running


def test_service_is_found_by_the_parser_not_by_words() -> None:
    found = ["SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
             "select * where { service silent ?svc { ?s ?p ?o } }",
             "SELECT * WHERE { ?s ?p ?o OPTIONAL { { SELECT * WHERE { SERVICE <http://x/> {} } } } }",
             "ASK { FILTER EXISTS { SERVICE <http://x/> {} } }",
             "SELECT * WHERE { <<?s ?p ?o>> ?q ?r . SERVICE <http://x/> {} }"]  # SPARQL 1.2: rdflib cannot parse
    harmless = ["SELECT * WHERE { ?s ?p 'SERVICE <http://x/> {}' }",
                'SELECT * WHERE { ?s ?p """\nSERVICE <http://x/> { }""" }',
                "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> {}",
                "PREFIX service: <http://x/> SELECT ?service WHERE { ?service service:SERVICE <http://x/SERVICE> }",
                "PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:SERVICE ?o FILTER(?o = \"a\\\"SERVICE\") }"]
    assert [q for q in found if not uses_service(q)] == []
    assert [q for q in harmless if uses_service(q)] == []
    values = " ".join(f'"词{n}"' for n in range(20000))  # who-leads with 10,000 words sends such a query
    started = time.monotonic()
    assert not uses_service(f"SELECT * WHERE {{ VALUES ?x {{ {values} }} ?s ?p ?x }}")
    assert uses_service(f"SELECT * WHERE {{ VALUES ?x {{ {values} }} SERVICE <http://x/> {{ ?s ?p ?x }} }}")
    assert time.monotonic() - started < 2


def test_embedded_engine_refuses_service(built: Path, listener: Listener) -> None:
    store = EmbeddedStore(built / "store")
    try:
        with pytest.raises(ServiceRefused, match="--allow-service"):
            store.select(listener.service_query())
    finally:
        store.close()
    result = CliRunner().invoke(cli, ["sparql", listener.service_query(), "--out", str(built)])
    assert result.exit_code != 0 and SERVICE_REFUSED in " ".join(result.output.split())
    listener.close()
    assert listener.connections == []


def test_allow_service_really_calls_out(built: Path, listener: Listener) -> None:
    """The listener is not deaf: with --allow-service the same query reaches it (and fails on its silence)."""
    result = CliRunner().invoke(cli, ["sparql", listener.service_query(), "--allow-service", "--timeout", "10",
                                      "--out", str(built)])
    assert result.exit_code != 0
    listener.close()
    assert listener.connections and listener.connections[0].startswith(b"POST /admin")


def test_serve_refuses_service_by_every_route(endpoint: GuardedEndpoint, listener: Listener) -> None:
    query = listener.service_query()
    with pytest.raises(EndpointError, match=r"403.*--allow-service"):
        RemoteStore(endpoint.query_url).select(query)
    form = urllib.parse.urlencode({"query": query}).encode()
    for body, kind in [(form, "application/x-www-form-urlencoded"), (query.encode(), "application/sparql-query")]:
        request = urllib.request.Request(endpoint.query_url, data=body, headers={"Content-Type": kind})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403 and SERVICE_REFUSED in refused.value.read().decode("utf-8")
    listener.close()
    assert listener.connections == []
    assert RemoteStore(endpoint.query_url).select("SELECT * WHERE { ?s ?p 'SERVICE <x>' }").rows == []


def test_embedded_query_timeout_stops_the_query(built: Path) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["sparql", CARTESIAN, "--timeout", "1", "--format", "csv",
                                      "--out", str(built)])
    assert time.monotonic() - started < 15
    assert result.exit_code != 0 and "查询超过 1 秒仍未完成" in result.output
    assert "\nn\n" not in result.output  # no header of a result, let alone rows
    ok = CliRunner().invoke(cli, ["query", "who_leads", "--param", "task=探访关爱", "--timeout", "20",
                                  "--format", "json", "--out", str(built)])
    assert ok.exit_code == 0 and "探访" in ok.output


def test_query_and_sparql_have_a_default_timeout() -> None:
    for command in ("query", "sparql"):
        help_text = CliRunner().invoke(cli, [command, "--help"]).output
        assert "--timeout" in help_text and "30" in help_text and "--allow-service" in help_text


def test_serve_timeout_is_an_error_not_a_truncated_200(endpoint: GuardedEndpoint) -> None:
    """oxigraph's own --timeout-s answers 200 with the JSON cut off; through serve it is a 504 with a message."""
    for query in (CARTESIAN, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"):
        url = f"{endpoint.query_url}?{urllib.parse.urlencode({'query': query})}"
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(request, timeout=30)
        assert failed.value.code == 504 and "查询超过 2 秒" in failed.value.read().decode("utf-8")
    assert int(RemoteStore(endpoint.query_url).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0] or 0)


class CountingStore:
    """A store that counts the queries sent to it."""

    def __init__(self, inner: EmbeddedStore) -> None:
        self.inner = inner
        self.sent = 0

    def select(self, query: str, params: Mapping[str, ParamValue] | None = None) -> ResultTable:
        self.sent += 1
        return self.inner.select(query, params)

    def close(self) -> None:
        """The inner store belongs to the session."""


def test_who_leads_sends_one_search_query_for_any_number_of_words(store: EmbeddedStore) -> None:
    counting = CountingStore(store)
    answer = coordinate.who_leads(counting, "探访 关爱")  # type: ignore[arg-type]
    assert any(r["牵头单位"] == "贵州省民政厅" for r in answer.rows)
    # the documents (for their display titles), the search, the units of each task found (one query per task up to
    # coordinate.FEW_TASKS, then one for all)
    assert counting.sent == 2 + len(answer.rows) <= 2 + coordinate.FEW_TASKS
    many = CountingStore(store)
    started = time.monotonic()
    coordinate.who_leads(many, " ".join(["服务", *(f"词{n}" for n in range(2000))]))  # type: ignore[arg-type]
    assert many.sent <= 4 and time.monotonic() - started < 30  # documents, search, (no units), suggestions


def test_a_list_parameter_gives_one_values_row_per_item(store: EmbeddedStore) -> None:
    table = store.select("SELECT ?v ?w WHERE { }", {"v": ["a", 'b"} DROP ALL #'], "w": 1})
    assert sorted(table.rows) == [("a", "1"), ('b"} DROP ALL #', "1")]
    with pytest.raises(ValueError, match="only one parameter"):
        store.select("SELECT ?v ?w WHERE { }", {"v": ["a"], "w": ["b"]})
