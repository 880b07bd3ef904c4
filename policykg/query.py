"""Named SPARQL queries: one `.rq` file each under `queries/`, headed by comments giving question, params, columns.

A parameter `name` is bound to the variable `?param_name` (see `graph.store.inject_values`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from policykg.cells import neutral_row
from policykg.graph.store import GraphStore, ParamValue, ResultTable


class QueryError(Exception):
    """A named query that does not exist or was asked with wrong parameters."""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    question: str
    question_zh: str
    params: dict[str, str]  # name → description
    columns: list[str]


def _header(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        name, sep, value = line.lstrip("# ").partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields


def parse_query(name: str, text: str) -> NamedQuery:
    fields = _header(text)
    params: dict[str, str] = {}
    raw_params = fields.get("params", "")
    if raw_params and raw_params != "(none)":
        for item in raw_params.split(";"):
            pname, _, description = item.partition("—")
            params[pname.strip()] = description.strip()
    columns = [c.strip() for c in fields.get("columns", "").split(",") if c.strip()]
    return NamedQuery(name, text, fields.get("question", ""), fields.get("question_zh", ""), params, columns)


def load_queries() -> dict[str, NamedQuery]:
    folder = resources.files("policykg.queries")
    found = {
        entry.name.removesuffix(".rq"): parse_query(entry.name.removesuffix(".rq"), entry.read_text("utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".rq")
    }
    return dict(sorted(found.items()))


def run_named(store: GraphStore, query: NamedQuery, params: Mapping[str, ParamValue] | None = None) -> ResultTable:
    params = dict(params or {})
    unknown = sorted(set(params) - set(query.params))
    if unknown:
        raise QueryError(f"query {query.name!r} takes no parameter {', '.join(unknown)}; "
                         f"it takes: {', '.join(query.params) or 'none'}")
    missing = sorted(set(query.params) - set(params))
    if missing:
        raise QueryError(f"query {query.name!r} needs --param {missing[0]}=… ({query.params[missing[0]]})")
    for name, value in params.items():  # empty binds nothing (UNDEF): allowed where the header says what it means
        if value == "" and "empty" not in query.params[name].lower():
            raise QueryError(f"query {query.name!r} needs a value for --param {name} ({query.params[name]})")
    return store.select(query.text, {f"param_{k}": v for k, v in params.items()})


def plain_records(table: ResultTable) -> list[dict[str, str]]:
    """The rows as dicts by column, an unbound cell as "": what tables, sheets and coordinators' answers show."""
    return [{k: ("" if v is None else v) for k, v in r.items()} for r in table.records()]


def to_csv(table: ResultTable) -> str:
    """CSV for spreadsheets and tools; a cell that would start a formula gets a leading ' (policykg.cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(neutral_row(table.columns))
    writer.writerows(neutral_row(row) for row in table.rows)
    return buffer.getvalue()


def to_json(table: ResultTable) -> str:
    return json.dumps(table.records(), ensure_ascii=False, indent=2) + "\n"
