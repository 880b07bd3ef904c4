"""Where the graph lives: one small interface over the embedded pyoxigraph store and any SPARQL 1.1 endpoint.

Queries never care which backend answers them. Parameters are bound as data, never pasted into query text: they
become a `VALUES` block opening the WHERE clause, each value an RDF term escaped by rdflib. (pyoxigraph's own
`substitutions` only binds projected variables, so it cannot bind a FILTER argument.)
"""

from __future__ import annotations

import re
import urllib.error
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox
from rdflib import Literal as RdfLiteral
from rdflib import URIRef

from policykg.graph.guard import check_service
from policykg.graph.worker import select_in_worker, solutions

if TYPE_CHECKING:
    from SPARQLWrapper import SPARQLWrapper

Scalar = str | int | float
#: a parameter's value; a list gives one VALUES row per item (at most one list per query), e.g. every written form
ParamValue = Scalar | list[str]


@dataclass(frozen=True)
class ResultTable:
    """A SELECT result: column names and rows of plain Python values (None for unbound)."""

    columns: list[str]
    rows: list[tuple[str | None, ...]]

    def records(self) -> list[dict[str, str | None]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class GraphStore(Protocol):
    """What the rest of policykg needs from a triple store."""

    def select(self, query: str, params: Mapping[str, ParamValue] | None = None) -> ResultTable: ...

    def close(self) -> None: ...


def check_params(params: Mapping[str, ParamValue] | None) -> dict[str, ParamValue]:
    params = dict(params or {})
    for name in params:
        if not name.isidentifier():
            raise ValueError(f"parameter name {name!r} is not a plain identifier")
    return params


def inject_values(query: str, params: Mapping[str, ParamValue] | None) -> str:
    """Bind parameters with a `VALUES` block opening every WHERE clause (escaped by rdflib, never pasted raw).

    Every one, subqueries' too: a subquery sees no variable of the query around it, so a query can narrow an
    aggregating subquery to what was asked (the leads of the tasks matching `task`) instead of aggregating the whole
    corpus and joining afterwards — seconds at a thousand documents.

    A list value gives one row per item, the other parameters repeated in each row, so many values (every form of
    every word) travel in one query instead of one query each.

    An empty value ("") is left unbound (`UNDEF`): a query tests it with `!BOUND(?param_x)`, and a triple pattern
    that uses `?param_x` itself then matches every value. That pattern is what makes a bound parameter fast:
    pyoxigraph joins a VALUES row into a pattern holding its variable (one index lookup per row), while a FILTER
    comparing the parameter with another variable runs after that variable was bound over the whole corpus
    (task_units for one task at 1,000 documents: 2.7 s as a FILTER, 4 ms as a pattern).
    """
    params = check_params(params)
    if not params:
        return query
    # not where the braces hold a subquery alone (`WHERE { SELECT … }` admits nothing beside it): it has its own;
    # searched with strings, IRIs and comments blanked out, so a `WHERE {` written inside one of them is left alone
    matches = list(re.finditer(r"\bWHERE\s*\{(?!\s*SELECT\b)", _blank_text(query), flags=re.IGNORECASE))
    if not matches:
        raise ValueError("a parameterised query needs a WHERE clause")
    names = sorted(params)
    lists = [name for name in names if isinstance(params[name], list)]
    if len(lists) > 1:
        raise ValueError(f"only one parameter may hold a list of values, not {', '.join(lists)}")
    listed = lists[0] if lists else None
    items = params[listed] if listed else [""]

    def row(item: Scalar) -> str:
        values = (item if name == listed else params[name] for name in names)
        return "(" + " ".join(_value_text(value) for value in values if not isinstance(value, list)) + ")"

    rows = [row(item) for item in (items if isinstance(items, list) else [items])]
    variables = " ".join(f"?{name}" for name in names)
    block = f"\n  VALUES ({variables}) {{ {' '.join(rows)} }}\n"
    pieces, start = [], 0
    for match in matches:
        pieces += [query[start : match.end()], block]
        start = match.end()
    return "".join(pieces) + query[start:]


#: what is text, not SPARQL: long and short strings, IRIs, comments
_TEXT = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\s]*>"
    r"|#[^\n]*"
)


def _blank_text(query: str) -> str:
    """The query with every string, IRI and comment replaced by spaces of the same length (positions kept)."""
    return _TEXT.sub(lambda m: " " * len(m.group()), query)


def _value_text(value: Scalar) -> str:
    """One cell of the VALUES block: the term escaped by rdflib, or UNDEF for an empty value."""
    return "UNDEF" if value == "" else _rdflib_term(value).n3()


def _rdflib_term(value: Scalar) -> URIRef | RdfLiteral:
    if isinstance(value, str) and _is_iri(value):
        return URIRef(value)
    return RdfLiteral(value)


def _is_iri(value: str) -> bool:
    """An http(s) value that is a well-formed IRI is bound as an IRI; anything else stays a literal."""
    return value.startswith(("http://", "https://")) and not any(c in '<>"{}|\\^`' or ord(c) <= 0x20 for c in value)


class EmbeddedStore:
    """The default backend: a pyoxigraph on-disk store (read-only unless built by `write_store`).

    A query with SERVICE is refused unless `allow_service` (see graph/guard.py). pyoxigraph cannot stop a running
    query, so with a `timeout` each query runs in a worker process that is killed when the time is up: the caller
    gets QueryTimeout, never part of an answer.
    """

    def __init__(self, path: Path, *, read_only: bool = True, allow_service: bool = False,
                 timeout: float | None = None) -> None:
        if not path.exists():
            raise FileNotFoundError(f"no graph store at {path}: run `policykg build` first")
        self.path = path
        self.allow_service = allow_service
        self.timeout = timeout
        self._store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))

    def select(self, query: str, params: Mapping[str, ParamValue] | None = None) -> ResultTable:
        check_service(query, self.allow_service)  # parameters are escaped terms: they cannot add a SERVICE
        text = inject_values(query, params)
        if self.timeout is None:
            return ResultTable(*solutions(self._store, text))
        return ResultTable(*select_in_worker(self.path, text, self.timeout))

    def close(self) -> None:
        del self._store


_LOAD_PIECE = 32 << 20  # bytes of N-Quads per bulk_load call (same time, half the memory at 485k quads)


def write_store(path: Path, nquads: Iterable[bytes] | bytes | Path) -> None:
    """Create a fresh on-disk store at `path` from N-Quads (bytes, or a file read as a stream)."""
    store = ox.Store(str(path))
    if isinstance(nquads, Path):  # in pieces of whole lines: one bulk_load of a whole file held twice its size
        with nquads.open("rb") as file:
            while lines := file.readlines(_LOAD_PIECE):
                store.bulk_load(b"".join(lines), ox.RdfFormat.N_QUADS)
    else:
        store.bulk_load(nquads if isinstance(nquads, bytes) else b"".join(nquads), ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store


class EndpointError(OSError):
    """A remote SPARQL endpoint that cannot be reached, times out, refuses the request or answers nonsense."""


class RemoteStore:
    """Any SPARQL 1.1 query endpoint through SPARQLWrapper, behind the same `select` as `EmbeddedStore`.

    Parameters are bound exactly as on the embedded store (`inject_values`), so user input travels as escaped RDF
    terms. `default_graphs` become `default-graph-uri` parameters of every request: the dataset is restricted at query
    time, so a server's own graphs (Virtuoso's system graphs) never leak into answers and queries need no FROM.
    `default-graph-uri` parameters already in the endpoint URL are taken the same way, which lets a bare
    `--endpoint URL` carry the restriction.
    """

    #: longest GET URL sent; longer queries go as a form-encoded POST (a direct POST of the body hung on Virtuoso)
    max_get_url = 2000

    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float = 30,
        default_graphs: Sequence[str] | None = None,
        user: str | None = None,
        password: str | None = None,
        auth: str = "digest",
    ) -> None:
        from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"endpoint {endpoint!r} is not an http(s) URL; pass e.g. http://127.0.0.1:7878/query")
        if auth not in ("basic", "digest"):
            raise ValueError(f"auth must be 'basic' or 'digest', not {auth!r}")
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        from_url = [value for key, value in pairs if key == "default-graph-uri"]
        kept = urlencode([(key, value) for key, value in pairs if key != "default-graph-uri"])
        self.endpoint = urlunsplit(parts._replace(query=kept))
        self.default_graphs = [*from_url, *(default_graphs or [])]
        self.timeout = timeout
        self.user = user
        self.password = password
        self.auth = auth

    def _wrapper(self, query: str) -> SPARQLWrapper:
        """A configured SPARQLWrapper (imported lazily: the embedded path never needs it)."""
        from urllib.parse import urlencode

        from SPARQLWrapper import BASIC, DIGEST, GET, JSON, POST, SELECT, URLENCODED, SPARQLWrapper

        sparql = SPARQLWrapper(self.endpoint, agent="policykg")
        sparql.setTimeout(max(1, round(self.timeout)))
        sparql.setOnlyConneg(True)
        sparql.setReturnFormat(JSON)
        for graph in self.default_graphs:
            sparql.addDefaultGraph(graph)
        if self.user is not None:
            sparql.setHTTPAuth(DIGEST if self.auth == "digest" else BASIC)
            sparql.setCredentials(self.user, self.password or "")
        sparql.setQuery(query)
        # SPARQLWrapper guesses the query form with a regex that also reads comments (it strips only every other
        # comment line), so a comment containing "add", "load" or "drop" made it POST the SELECT as `update=`:
        # RemoteStore sends read queries only, so say so.
        sparql.queryType = SELECT
        fields = [("query", query), *(("default-graph-uri", graph) for graph in self.default_graphs)]
        if len(self.endpoint) + 1 + len(urlencode(fields)) <= self.max_get_url:
            sparql.setMethod(GET)
        else:
            sparql.setMethod(POST)
            sparql.setRequestMethod(URLENCODED)
        return sparql

    def select(self, query: str, params: Mapping[str, ParamValue] | None = None) -> ResultTable:
        answer = self._request(inject_values(query, params))
        if not isinstance(answer, dict) or "results" not in answer:
            raise ValueError("only SELECT queries return tables")
        columns = list(answer.get("head", {}).get("vars", []))
        rows = [
            tuple(_remote_plain(binding.get(c)) for c in columns) for binding in answer["results"].get("bindings", [])
        ]
        return ResultTable(columns, rows)

    def _request(self, query: str) -> object:
        import urllib.error
        import urllib.request

        from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

        sparql = self._wrapper(query)
        # for digest auth SPARQLWrapper installs a process-wide urllib opener holding the password: put the previous
        # one back afterwards, so credentials never ride along on later requests
        previous = getattr(urllib.request, "_opener", None)
        try:
            return sparql.queryAndConvert()
        except QueryBadFormed as exc:
            raise ValueError(f"{self.endpoint} rejected the query: {_first_line(exc)}") from exc
        except SPARQLWrapperException as exc:
            raise EndpointError(f"{self.endpoint} failed: {_first_line(exc)}") from exc
        except urllib.error.HTTPError as exc:
            said = _said(exc)
            hint = " (check --user/--password)" if exc.code in (401, 403) and not said else ""
            raise EndpointError(f"{self.endpoint} answered HTTP {exc.code} {exc.reason}{hint}"
                                + (f": {said}" if said else "")) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise EndpointError(f"{self.endpoint} did not answer within {self.timeout:g} s") from exc
            raise EndpointError(
                f"cannot reach {self.endpoint}: {exc.reason}; is the server running (e.g. `policykg serve`)?"
            ) from exc
        except TimeoutError as exc:
            raise EndpointError(f"{self.endpoint} did not answer within {self.timeout:g} s; "
                                "raise the timeout or simplify the query") from exc
        except ValueError as exc:  # the body was not JSON
            raise EndpointError(f"{self.endpoint} did not answer with SPARQL JSON results: {exc}") from exc
        finally:
            urllib.request.install_opener(previous)

    def close(self) -> None:
        """Nothing to release: every request opens and closes its own connection."""


def _said(exc: urllib.error.HTTPError) -> str:
    """The first line of a plain-text error body (policykg serve explains a refusal or a timeout there)."""
    try:
        if "text/plain" not in (exc.headers.get("Content-Type") or ""):
            return ""
        return exc.read(2000).decode("utf-8", "replace").strip().split("\n", 1)[0]
    except (OSError, AttributeError):
        return ""


def _remote_plain(term: Mapping[str, str] | None) -> str | None:
    """A SPARQL JSON term as the plain string `EmbeddedStore` gives: lexical form, IRI or blank node label."""
    return None if term is None else term["value"]


def _first_line(exc: Exception) -> str:
    """The server's own words when SPARQLWrapper kept them (after "Response:"), else the exception's first line."""
    import ast

    text = str(exc).strip()
    head, sep, response = text.partition("Response:\n")
    if sep:
        try:
            body = ast.literal_eval(response.strip())
            said = (body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)).strip()
        except (ValueError, SyntaxError):
            said = response.strip()
        if said:
            return said.splitlines()[0][:500]
    return head.strip().splitlines()[0] if head.strip() else type(exc).__name__
