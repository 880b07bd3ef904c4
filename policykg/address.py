"""Tasks as coordinators address them: "task 6 of 黔府办发〔2023〕21号", written 6, 第6项, 第六项 or （六）.

A number alone names a task in each document; `--doc` narrows every coordinator command to one document, named
by 文号, file name or part of its title (policykg.crossdoc.find_document).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from policykg.graph.outline import chinese_numeral
from policykg.graph.store import GraphStore
from policykg.query import load_queries, plain_records, run_named

_NUMBER = re.compile(r"^\s*(?:第\s*)?[（(]?\s*([0-9]{1,3}|[一二三四五六七八九十百零〇两]{1,5})\s*[)）]?"
                     r"\s*(?:项|条)?\s*[.、．]?\s*$")

Row = TypeVar("Row", bound=Mapping[str, str])


def task_number(text: str) -> int | None:
    """The task number a user typed (6, 第6项, 第六项, （六）, 6.), or None when the text is not a number."""
    match = _NUMBER.match(text)
    if match is None:
        return None
    value = chinese_numeral(match.group(1).replace("两", "二").replace("〇", "零"))
    return value or None


def number_of(written: str) -> int | None:
    """The value of a task's number as the document writes it (eli:number: 6, 六, （六）)."""
    return task_number(written)


def doc_iri_of(part: str) -> str:
    """The document IRI of a task or section IRI ({doc}/part/{outline path})."""
    return part.split("/part/", 1)[0]


def in_document(rows: Iterable[Row], doc: str | None, key: str = "task") -> list[Row]:
    """The rows whose task belongs to document `doc` (all rows when `doc` is None)."""
    return [r for r in rows if doc is None or doc_iri_of(r[key]) == doc]


def _rows(store: GraphStore, name: str) -> list[dict[str, str]]:
    return plain_records(run_named(store, load_queries()[name]))


def documents(store: GraphStore) -> dict[str, Any]:
    from policykg.crossdoc import documents_by_iri

    return documents_by_iri(store)


def one_document(store: GraphStore, doc: str | None) -> str | None:
    """The IRI of the document a user named with --doc (None: every document)."""
    if doc is None:
        return None
    from policykg.crossdoc import find_document

    return find_document(store, doc).iri


def numbered(store: GraphStore, number: int, doc: str | None) -> dict[str, dict[str, str]]:
    """The tasks numbered `number` (of one document, or of each), as task_search rows."""
    docs = documents(store)
    found: dict[str, dict[str, str]] = {}
    for row in _rows(store, "task_details"):
        if number_of(row["task_number"]) != number or (doc is not None and row["doc"] != doc):
            continue
        ref = docs.get(row["doc"])
        found[row["task"]] = {**row, "source_file": ref.source_file if ref else "",
                              "document_title": ref.title if ref else ""}
    return found


def display_of(docs: Mapping[str, Any], row: Mapping[str, str]) -> str:
    """The document of a row as users tell it apart: place, title, status, 文号."""
    ref = docs.get(doc_iri_of(row["task"]))
    return ref.display if ref else row["document_title"]
