"""The graph over HTTP: a real oxigraph server (`policykg serve`) answers every named query exactly as the embedded
store does, refuses updates, stops cleanly; `RemoteStore` gives the same plain rows; `push` fills a writable server.

Helpers here (`PARAMETER_SETS`, `named_results`) are shared with test_virtuoso.py and test_safety.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.cli import cli
from policykg.endpoint_cli import OxigraphServer, ServerError, free_port
from policykg.graph.store import EmbeddedStore, EndpointError, GraphStore, ParamValue, RemoteStore, ResultTable
from policykg.push import PushError, push, read_graphs
from policykg.query import load_queries, run_named

Params = dict[str, ParamValue]
Plan = dict[str, list[Params]]

NO_MATCH = "no such value"
NO_SUCH_IRI = "https://w3id.org/policykg/id/no-such-thing"

#: where IRIs for an "the IRI of one …" parameter come from: the agencies and tasks with most responsibilities
IRI_SOURCES = {
    "agenc": "SELECT ?x (COUNT(*) AS ?n) WHERE { ?r <https://w3id.org/policykg/ontology#agent> ?x } "
             "GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 2",
    "task": "SELECT ?x (COUNT(*) AS ?n) WHERE { ?x <https://w3id.org/policykg/ontology#hasResponsibility> ?r } "
            "GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 2",
    "document": "SELECT ?x (COUNT(*) AS ?n) WHERE { ?p <http://data.europa.eu/eli/ontology#is_part_of> ?x . "
                "?x <https://w3id.org/policykg/ontology#source> ?f } GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 2",
}


def parameter_values(store: GraphStore, description: str) -> list[ParamValue]:
    """Values for one parameter, read from its description in the query header so that new queries are covered:
    the examples it gives, real IRIs for an IRI, years for a year or integer (0 where 0 means any), "" where empty
    means any, and a value that matches nothing."""
    text = description.lower()
    if "iri" in text.split() or "iri," in text:
        source = next((query for key, query in IRI_SOURCES.items() if key in text), None)
        iris: list[ParamValue] = [row[0] for row in store.select(source).rows if row[0]] if source else []
        return [*iris, *([""] if "empty" in text else []), NO_SUCH_IRI]
    if "integer" in text or "year" in text:
        years: list[ParamValue] = [int(y) for y in re.findall(r"\b(\d{4})\b", description)]
        return list(dict.fromkeys([*years, 2025, 2030, 1900, *([0] if re.search(r"\b0 for\b", text) else [])]))
    examples = [part.strip() for group in re.findall(r"[(（]([^)）]*)[)）]", description)
                for part in re.split(r"[,，、]", group)]
    examples += re.findall(r"e\.g\.\s*([^\s,;，；)]+)", description)
    return [*dict.fromkeys(e for e in examples if e), *([""] if "empty" in text else []), NO_MATCH]


def parameter_plan(store: GraphStore) -> Plan:
    """Parameter sets per named query: every parameter at its first value, then each one varied alone."""
    plan: Plan = {}
    for name, query in load_queries().items():
        choices = {param: parameter_values(store, description) for param, description in query.params.items()}
        first = {param: values[0] for param, values in choices.items()}
        sets = [first] + [{**first, param: value} for param, values in choices.items() for value in values[1:]]
        plan[name] = [dict(items) for items in dict.fromkeys(tuple(sorted(s.items())) for s in sets)]
    return plan


def named_results(store: GraphStore, plan: Plan) -> dict[tuple[str, str], ResultTable]:
    """Every named query with every parameter set of the plan, keyed by (query name, parameters as JSON)."""
    queries = load_queries()
    assert set(plan) == set(queries)
    return {(name, json.dumps(params, ensure_ascii=False, sort_keys=True)): run_named(store, queries[name], params)
            for name, sets in plan.items() for params in sets}


def graph_names(store: EmbeddedStore) -> list[str]:
    return sorted(row[0] or "" for row in store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }").rows)


def all_quads(store: GraphStore) -> set[tuple[str | None, ...]]:
    """Every quad without blank nodes, literals with datatype and language: what a copy of the graph must hold."""
    return set(store.select("""SELECT ?g ?s ?p ?o (DATATYPE(?o) AS ?type) (LANG(?o) AS ?lang)
      WHERE { GRAPH ?g { ?s ?p ?o } FILTER (!isBlank(?s) && !isBlank(?o)) }""").rows)


def triple_counts(store: GraphStore) -> dict[str, str | None]:
    """Triples per named graph and in total: what any write would change."""
    table = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {**{row[0] or "": row[1] for row in table.rows},
            "*": store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]}


@pytest.fixture(scope="module")
def embedded(store: EmbeddedStore) -> EmbeddedStore:
    return store


@pytest.fixture(scope="module")
def plan(embedded: EmbeddedStore) -> Plan:
    return parameter_plan(embedded)


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[OxigraphServer]:
    with OxigraphServer(built / "store", free_port()) as running:
        yield running


@pytest.fixture(scope="module")
def remote(server: OxigraphServer) -> RemoteStore:
    return RemoteStore(server.query_url, timeout=30)


def test_every_named_query_answers_the_same_over_http(embedded: EmbeddedStore, remote: RemoteStore,
                                                      plan: Plan) -> None:
    local, served = named_results(embedded, plan), named_results(remote, plan)
    assert local.keys() == served.keys()
    for key, table in local.items():
        assert served[key].columns == table.columns, key
        assert served[key].rows == table.rows, key  # same engine and store: same rows in the same order
    for name, sets in plan.items():  # the comparison means something: every query finds rows with some values
        assert any(local[name, json.dumps(p, ensure_ascii=False, sort_keys=True)].rows for p in sets), name


def test_parameter_plan_reads_examples_iris_and_years(embedded: EmbeddedStore) -> None:
    assert parameter_values(embedded, "task — any fragment of a task title, e.g. 探访关爱") == ["探访关爱", NO_MATCH]
    assert parameter_values(embedded, "agency — a name (省卫生健康委, 卫生健康委), empty for any")[:3] == [
        "省卫生健康委", "卫生健康委", ""]
    iris = parameter_values(embedded, "agency — the IRI of one agency")
    assert all(str(v).startswith("https://") for v in iris) and len(iris) == 3
    assert parameter_values(embedded, "due — the latest year (integer), 0 for every target") == [2025, 2030, 1900, 0]
    assert parameter_values(embedded, "year — the latest deadline year to include, e.g. 2027") == [
        2027, 2025, 2030, 1900]


def test_remote_rows_are_plain_strings_like_the_embedded_store(embedded: EmbeddedStore, remote: RemoteStore) -> None:
    query = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
    SELECT ?resp ?position ?as_written ?missing WHERE {
      ?resp pkg:listPosition ?position ; pkg:asWritten ?as_written .
      OPTIONAL { ?resp pkg:noSuchProperty ?missing }
    } ORDER BY ?resp LIMIT 5"""
    local, served = embedded.select(query), remote.select(query)
    assert served == local
    resp, position, as_written, missing = served.rows[0]
    assert resp is not None and resp.startswith("https://w3id.org/policykg/id/")
    assert position is not None and position.isdigit()  # lexical form, not "1"^^xsd:integer
    assert as_written and not as_written.startswith('"')
    assert missing is None


def test_default_graph_is_the_union_and_default_graph_uri_restricts_it(built: Path, embedded: EmbeddedStore,
                                                                      server: OxigraphServer) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    total = embedded.select(count).rows[0][0]
    assert RemoteStore(server.query_url).select(count).rows[0][0] == total
    ontology = next(g for g in graph_names(embedded) if g.endswith("/graph/ontology"))
    expected = embedded.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ontology}> {{ ?s ?p ?o }} }}").rows[0][0]
    assert RemoteStore(server.query_url, default_graphs=[ontology]).select(count).rows[0][0] == expected
    in_url = f"{server.query_url}?{urllib.parse.urlencode({'default-graph-uri': ontology})}"
    from_url = RemoteStore(in_url)
    assert from_url.endpoint == server.query_url and from_url.default_graphs == [ontology]
    assert from_url.select(count).rows[0][0] == expected


def test_comments_naming_update_operations_do_not_turn_a_select_into_an_update(embedded: EmbeddedStore,
                                                                              remote: RemoteStore) -> None:
    query = "# add, load, copy or drop nothing: this is a SELECT\n# insert? delete? no\nSELECT (COUNT(*) AS ?n) " \
            "WHERE { ?s ?p ?o }"
    assert remote.select(query) == embedded.select(query)


def test_long_queries_go_by_form_encoded_post(embedded: EmbeddedStore, remote: RemoteStore) -> None:
    padding = "\n".join(f"# padding line {n} so that the query is longer than any GET URL we send" for n in range(80))
    query = f"{padding}\nSELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}"
    assert len(query) > RemoteStore.max_get_url
    assert remote.select(query) == embedded.select(query)


def _http(method: str, url: str, body: bytes = b"", content_type: str = "text/plain") -> int:
    request = urllib.request.Request(url, data=body or None, method=method, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_served_endpoint_refuses_every_kind_of_update(server: OxigraphServer, remote: RemoteStore) -> None:
    before = triple_counts(remote)
    graph = next(g for g in before if g.endswith("/graph/ontology"))
    form = "application/x-www-form-urlencoded"
    attempts = {
        "update form": _http("POST", server.update_url, urllib.parse.urlencode({"update": "DROP ALL"}).encode(), form),
        "update body": _http("POST", server.update_url, b"CLEAR ALL", "application/sparql-update"),
        "update on /query": _http("POST", server.query_url, urllib.parse.urlencode({"update": "DROP ALL"}).encode(),
                                  form),
        "store PUT": _http("PUT", f"{server.store_url}?graph={graph}", b"<urn:a> <urn:b> <urn:c> .", "text/turtle"),
        "store POST": _http("POST", f"{server.store_url}?default", b"<urn:a> <urn:b> <urn:c> .", "text/turtle"),
        "store DELETE": _http("DELETE", f"{server.store_url}?graph={graph}"),
    }
    assert all(400 <= code < 500 for code in attempts.values()), attempts
    assert attempts["update form"] == 403
    assert triple_counts(remote) == before


def test_cli_query_and_sparql_on_the_endpoint(server: OxigraphServer, built: Path) -> None:
    runner = CliRunner()
    args = ["query", "who_leads", "--param", "task=探访关爱", "--format", "json"]
    local = runner.invoke(cli, [*args, "--out", str(built)])
    served = runner.invoke(cli, [*args, "--endpoint", server.query_url])
    assert local.exit_code == 0 and served.exit_code == 0, served.output
    assert json.loads(served.output) == json.loads(local.output) != []
    count = runner.invoke(cli, ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv",
                                "--endpoint", server.query_url])
    assert count.exit_code == 0 and int(count.output.split()[1]) > 1000


def test_unreachable_endpoint_and_bad_query_fail_in_plain_words(remote: RemoteStore) -> None:
    dead = RemoteStore(f"http://127.0.0.1:{free_port()}/query", timeout=5)
    with pytest.raises(EndpointError, match=r"cannot reach .*policykg serve"):
        dead.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    with pytest.raises(ValueError, match="rejected the query"):
        remote.select("SELECT * WHERE { ?s ?p }")
    with pytest.raises(ValueError, match="not an http"):
        RemoteStore("127.0.0.1:7878/query")
    result = CliRunner().invoke(cli, ["sparql", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", dead.endpoint])
    assert result.exit_code == 2 and "cannot reach" in result.output


def test_serve_prints_the_url_answers_and_stops_on_ctrl_c(built: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from policykg.cli import main; main()", "serve", "--port", str(port),
         "--out", str(built)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/query" in first, first + (process.stderr.read() if process.stderr else "")
        assert "policykg query who_leads" in process.stdout.readline()
        rows = RemoteStore(f"http://127.0.0.1:{port}/query").select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert int(rows.rows[0][0] or 0) > 1000
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with pytest.raises(EndpointError, match="cannot reach"):
        RemoteStore(f"http://127.0.0.1:{port}/query", timeout=5).select("ASK {}")


def test_serve_says_what_to_do_when_the_port_is_taken_or_the_store_missing(server: OxigraphServer,
                                                                          tmp_path: Path) -> None:
    runner = CliRunner()
    taken = runner.invoke(cli, ["serve", "--port", str(server.port), "--out", str(server.store.parent)])
    assert taken.exit_code == 2 and "already in use" in taken.output and "--port" in taken.output
    missing = runner.invoke(cli, ["serve", "--port", str(free_port()), "--out", str(tmp_path)])
    assert missing.exit_code == 2 and "policykg build" in missing.output
    with pytest.raises(ServerError, match="policykg build"):
        OxigraphServer(tmp_path / "store")


@pytest.mark.parametrize("route", ["update", "graph-store"])
def test_push_fills_a_writable_oxigraph_server(route: str, built: Path, embedded: EmbeddedStore,
                                               tmp_path: Path) -> None:
    with OxigraphServer(tmp_path / "target", free_port(), read_only=False) as target:
        where = {"update_endpoint": target.update_url} if route == "update" else {"graph_store": target.store_url}
        for _ in range(2):  # a second push replaces the graphs, it does not duplicate them
            report = push(built, endpoint=target.query_url, batch_size=300, **where)
            assert report.complete, report.graphs
        assert {g.graph for g in report.graphs} == set(graph_names(embedded))
        sent = sum(len(t) for t in read_graphs(built / "kg.nq").values())
        assert sum(g.sent for g in report.graphs) == sent
        remote = RemoteStore(target.query_url)
        assert triple_counts(remote) == triple_counts(embedded)
        assert all_quads(remote) == all_quads(embedded)


def test_push_command_prints_what_arrived(built: Path, embedded: EmbeddedStore, tmp_path: Path) -> None:
    with OxigraphServer(tmp_path / "target", free_port(), read_only=False) as target:
        result = CliRunner().invoke(cli, ["push", "--endpoint", target.query_url, "--update-endpoint",
                                          target.update_url, "--out", str(built)])
        assert result.exit_code == 0, result.output
        assert "pushed by update" in result.output
        ontology = next(g for g in graph_names(embedded) if g.endswith("/graph/ontology"))
        assert ontology in result.output
        assert triple_counts(RemoteStore(target.query_url)) == triple_counts(embedded)


def test_push_errors_say_what_to_change(built: Path, tmp_path: Path, server: OxigraphServer) -> None:
    with pytest.raises(PushError, match="policykg build"):
        push(tmp_path, endpoint=server.query_url)
    with pytest.raises(PushError, match=r"refused the write \(403"):
        push(built, endpoint=server.query_url, update_endpoint=server.update_url)
    with pytest.raises(PushError, match="cannot reach"):
        push(built, update_endpoint=f"http://127.0.0.1:{free_port()}/update", timeout=5)
    result = CliRunner().invoke(cli, ["push", "--out", str(built)])
    assert result.exit_code == 2 and "--endpoint" in result.output
