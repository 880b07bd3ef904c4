"""Where the graph lives: one small interface over the embedded pyoxigraph store and any SPARQL 1.1 endpoint.

Queries never care which backend answers them. Parameters are bound as data, never pasted into query text: they
become a `VALUES` block opening the WHERE clause, each value an RDF term escaped by rdflib. (pyoxigraph's own
`substitutions` only binds projected variables, so it cannot bind a FILTER argument.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Literal as RdfLiteral
from rdflib import URIRef

ParamValue = str | int | float


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
    """Bind parameters with a `VALUES` block opening the WHERE clause (escaped by rdflib, never pasted raw)."""
    params = check_params(params)
    if not params:
        return query
    match = re.search(r"\bWHERE\s*\{", query, flags=re.IGNORECASE)
    if match is None:
        raise ValueError("a parameterised query needs a WHERE clause")
    names = sorted(params)
    variables = " ".join(f"?{name}" for name in names)
    values = " ".join(_rdflib_term(params[name]).n3() for name in names)
    block = f"\n  VALUES ({variables}) {{ ({values}) }}\n"
    return query[: match.end()] + block + query[match.end() :]


def _rdflib_term(value: ParamValue) -> URIRef | RdfLiteral:
    if isinstance(value, str) and _is_iri(value):
        return URIRef(value)
    return RdfLiteral(value)


def _is_iri(value: str) -> bool:
    return value.startswith(("http://", "https://")) and not any(c in value for c in ' <>"{}|\\^`')


def _plain(term: object) -> str | None:
    if term is None:
        return None
    value = getattr(term, "value", None)
    return str(value) if value is not None else str(term)


class EmbeddedStore:
    """The default backend: a pyoxigraph on-disk store (read-only unless built by `write_store`)."""

    def __init__(self, path: Path, *, read_only: bool = True) -> None:
        if not path.exists():
            raise FileNotFoundError(f"no graph store at {path}: run `policykg build` first")
        self.path = path
        self._store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))

    def select(self, query: str, params: Mapping[str, ParamValue] | None = None) -> ResultTable:
        result = self._store.query(inject_values(query, params), use_default_graph_as_union=True)
        if not isinstance(result, ox.QuerySolutions):
            raise ValueError("only SELECT queries return tables")
        columns = [v.value for v in result.variables]
        rows = [tuple(_plain(solution[c]) for c in columns) for solution in result]
        return ResultTable(columns, rows)

    def construct(self, query: str) -> list[ox.Triple]:
        return list(self._store.query(query, use_default_graph_as_union=True))

    def close(self) -> None:
        del self._store


def write_store(path: Path, nquads: Iterable[bytes] | bytes) -> None:
    """Create a fresh on-disk store at `path` from N-Quads."""
    store = ox.Store(str(path))
    data = nquads if isinstance(nquads, bytes) else b"".join(nquads)
    store.bulk_load(data, ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store
