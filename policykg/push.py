"""Copy the built named graphs into a remote triple store, so any SPARQL 1.1 server can answer policykg's queries.

Two standard routes, because servers differ in what they accept:

- SPARQL 1.1 Update (default): per graph `DROP SILENT GRAPH <g>`, then `INSERT DATA { GRAPH <g> { … } }` in batches
  (triples with blank nodes together, through `INSERT { … } WHERE {}`), sent as form-encoded POSTs (Virtuoso hung on
  a direct POST of the body). Works on Virtuoso (`/sparql-auth` with digest auth), oxigraph (`/update`), Fuseki,
  GraphDB.
- SPARQL 1.1 Graph Store Protocol (`graph_store=`): one `PUT ?graph=<g>` per graph, replacing it whole.

Credentials are answered with digest or basic auth, whichever the server's challenge asks for. Each graph is replaced,
so pushing twice leaves one copy. Afterwards the triples of every graph are counted on the query endpoint.
"""

from __future__ import annotations

import base64
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg.graph.store import EndpointError, RemoteStore

#: triples per INSERT DATA request: small enough for Virtuoso's SPARQL-to-SQL compiler, large enough to be quick
DEFAULT_BATCH = 500


class PushError(Exception):
    """A push that could not start or that the server refused; the message says what to change."""


@dataclass
class GraphPush:
    """One named graph: triples sent and, once verified, triples the endpoint holds."""

    graph: str
    sent: int
    found: int | None = None


@dataclass
class PushReport:
    method: str
    graphs: list[GraphPush] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return all(g.found == g.sent for g in self.graphs)


def read_graphs(nquads: Path) -> dict[str, list[ox.Triple]]:
    """Named graphs of an N-Quads dump (policykg puts everything in named graphs), in file order."""
    if not nquads.is_file():
        raise PushError(f"no {nquads}: run `policykg build` first, or pass --out DIR")
    graphs: dict[str, list[ox.Triple]] = {}
    default = 0
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        if isinstance(quad.graph_name, ox.DefaultGraph):
            default += 1
            continue
        graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    if default:
        raise PushError(f"{nquads} has {default} triples outside any named graph; policykg never writes those, "
                        "so the file is not a policykg dump")
    return graphs


def batches(triples: Sequence[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Split a graph for INSERT DATA: blank-node labels are scoped to one request, so every triple touching a blank
    node travels in the same (first) batch and stays connected."""
    with_blank = [t for t in triples if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)]
    plain = [t for t in triples if not (isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode))]
    if with_blank:
        yield with_blank
    for start in range(0, len(plain), size):
        yield plain[start : start + size]


def ntriples(triples: Sequence[ox.Triple]) -> str:
    """N-Triples text (pyoxigraph escapes every term), also valid Turtle and valid SPARQL triple patterns."""
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)


class _Http:
    """urllib with one opener that answers digest or basic challenges, and plain-worded errors."""

    def __init__(self, user: str | None, password: str | None, timeout: float) -> None:
        self.user = user
        self.password = password or ""
        self.passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        self.digest = urllib.request.HTTPDigestAuthHandler(self.passwords)
        handlers: list[urllib.request.BaseHandler] = []
        if user is not None:  # digest runs first (handler order), basic only answers a basic challenge
            handlers += [self.digest, urllib.request.HTTPBasicAuthHandler(self.passwords)]
        self.opener = urllib.request.build_opener(*handlers)
        self.plain = urllib.request.build_opener()
        self.timeout = timeout
        self.requests = 0

    def send(self, method: str, url: str, body: bytes, content_type: str) -> None:
        request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
        if self.user is not None:  # any realm, but only the servers we are told to write to
            parts = urllib.parse.urlsplit(url)
            self.passwords.add_password(None, f"{parts.scheme}://{parts.netloc}/", self.user, self.password)
            self._authorize(request)
        self.requests += 1
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            reason = f"{exc.code} {exc.reason}" + (f": {detail[0][:300]}" if detail else "")
            if exc.code in (401, 403):
                hint = ("pass --user/--password, and for Virtuoso use its authenticated endpoint, "
                        "e.g. --update-endpoint http://HOST:8890/sparql-auth")
                raise PushError(f"{url} refused the write ({reason}); {hint}") from exc
            raise PushError(f"{url} refused the write ({reason})") from exc
        except ValueError as exc:  # urllib: a challenge in a scheme it cannot answer
            raise PushError(f"{url} asked for an authentication urllib cannot give: {exc}") from exc
        except urllib.error.URLError as exc:
            raise PushError(f"cannot reach {url}: {exc.reason}; is the server running?") from exc
        except TimeoutError as exc:
            raise PushError(f"{url} did not answer within {self.timeout:g} s; pass a larger --timeout") from exc


    def _authorize(self, request: urllib.request.Request) -> None:
        """Send the body once, already authorised: Virtuoso answers 401 before reading a large body and closes the
        connection (broken pipe), so a bodiless HEAD fetches the challenge first."""
        probe = urllib.request.Request(request.full_url, method="HEAD")
        try:
            with self.plain.open(probe, timeout=self.timeout):
                return
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code != 401:
                return
            challenges = exc.headers.get_all("WWW-Authenticate") or []
        except (urllib.error.URLError, TimeoutError):
            return  # the real request will report it
        for challenge in challenges:
            scheme, _, rest = challenge.strip().partition(" ")
            if scheme.lower() == "digest":
                fields = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(rest)))
                answer = self.digest.get_authorization(request, fields)
                if answer:
                    request.add_unredirected_header("Authorization", f"Digest {answer}")
                    return
            elif scheme.lower() == "basic":
                token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
                request.add_unredirected_header("Authorization", f"Basic {token}")
                return


def push_graphs(
    graphs: dict[str, list[ox.Triple]],
    *,
    update_endpoint: str | None = None,
    graph_store: str | None = None,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 120,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[str, int, int], None] | None = None,
) -> PushReport:
    """Replace each named graph on the server with the given triples, by Graph Store Protocol when `graph_store`
    is given, else by SPARQL Update on `update_endpoint`."""
    if not (update_endpoint or graph_store):
        raise PushError("say where to write: --update-endpoint URL (SPARQL Update) or --graph-store URL")
    http = _Http(user, password, timeout)
    report = PushReport("graph-store" if graph_store else "update")
    started = time.perf_counter()
    for n, (graph, triples) in enumerate(graphs.items(), start=1):
        if progress:
            progress(graph, n, len(graphs))
        if graph_store:
            separator = "&" if "?" in graph_store else "?"
            url = f"{graph_store}{separator}{urllib.parse.urlencode({'graph': graph})}"
            http.send("PUT", url, ntriples(triples).encode("utf-8"), "text/turtle; charset=utf-8")
        else:
            assert update_endpoint is not None
            _update(http, update_endpoint, f"DROP SILENT GRAPH {ox.NamedNode(graph)}")
            for chunk in batches(triples, batch_size):
                _update(http, update_endpoint, insert(graph, chunk))
        report.graphs.append(GraphPush(graph, len(triples)))
    report.requests = http.requests
    report.seconds = time.perf_counter() - started
    return report


def insert(graph: str, triples: Sequence[ox.Triple]) -> str:
    """INSERT DATA, or for blank nodes (Virtuoso refuses them in INSERT DATA: SP031) the equivalent template
    `INSERT { … } WHERE {}`, which makes one fresh blank node per label, as INSERT DATA would."""
    body = f"GRAPH {ox.NamedNode(graph)} {{\n{ntriples(triples)}}}"
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        return f"INSERT {{ {body} }} WHERE {{}}"
    return f"INSERT DATA {{ {body} }}"


def _update(http: _Http, endpoint: str, update: str) -> None:
    body = urllib.parse.urlencode({"update": update}).encode("ascii")
    http.send("POST", endpoint, body, "application/x-www-form-urlencoded")


def count_triples(endpoint: str, graphs: Sequence[str], *, user: str | None = None, password: str | None = None,
                  timeout: float = 60) -> dict[str, int]:
    """Triples per named graph as the query endpoint sees them. Graph names are written as IRIs serialised by
    pyoxigraph (which validates and escapes them), so `urn:` names count too. Anonymous first (query endpoints
    are usually open); with credentials, digest then basic, if the endpoint asks."""
    attempts = [RemoteStore(endpoint, timeout=timeout)]
    if user is not None:
        attempts += [RemoteStore(endpoint, timeout=timeout, user=user, password=password, auth=auth)
                     for auth in ("digest", "basic")]
    failure: Exception | None = None
    for store in attempts:
        try:
            return {graph: _count(store, graph) for graph in graphs}
        except (EndpointError, ValueError) as exc:
            failure = exc
            if "401" not in str(exc) and "Unauthorized" not in str(exc):
                break
    raise PushError(f"pushed, but counting on {endpoint} failed: {failure}") from failure


def _count(store: RemoteStore, graph: str) -> int:
    table = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}")
    return int(table.rows[0][0] or 0) if table.rows else 0


def push(
    out: Path,
    *,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
    graph_store: str | None = None,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 120,
    batch_size: int = DEFAULT_BATCH,
    verify: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> PushReport:
    """Push `out/kg.nq` graph by graph; then, with a query `endpoint`, count what arrived."""
    graphs = read_graphs(out / "kg.nq")
    report = push_graphs(graphs, update_endpoint=update_endpoint or (None if graph_store else endpoint),
                         graph_store=graph_store, user=user, password=password, timeout=timeout,
                         batch_size=batch_size, progress=progress)
    if verify and endpoint:
        counts = count_triples(endpoint, list(graphs), user=user, password=password, timeout=timeout)
        for item in report.graphs:
            item.found = counts.get(item.graph)
    return report
