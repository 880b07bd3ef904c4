"""Refuse federated queries: a SPARQL `SERVICE` makes the engine itself fetch a URL (pyoxigraph and the oxigraph server
both POST the inner pattern to it and return the answer), which turns a read-only endpoint into a way to reach any
address the machine can reach. policykg runs no query with SERVICE unless the user passes `--allow-service`.

SERVICE is found with rdflib's SPARQL parser (a `ServiceGraphPattern` anywhere in the parse tree), so the word in a
string, a comment, an IRI or a variable name does not count. The two parsers do not agree on everything (rdflib
decodes \\uXXXX escapes before parsing, oxigraph does not; oxigraph knows SPARQL 1.2 syntax rdflib does not), so a
lexer that reads strings, comments and IRIs as oxigraph does also looks for a SERVICE keyword: either finding one
refuses the query.
"""

from __future__ import annotations

import re
from functools import lru_cache

SERVICE_REFUSED = "查询包含 SERVICE（联邦查询会访问外部地址），默认禁止；确需使用请加 --allow-service"

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\r\n]*)
    | (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
    | (?P<string>"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<variable>[?$]\w+)
    | (?P<language>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<prefixed>(?:[^\W\d][\w.-]*)?:(?:[\w%.:-]|\\.)*)
    | (?P<name>[^\W\d]\w*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class ServiceRefused(ValueError):
    """A query with SERVICE, run without --allow-service."""

    def __init__(self) -> None:
        super().__init__(SERVICE_REFUSED)


def _service_keyword(query: str) -> bool:
    """Whether SERVICE stands as a keyword: outside strings, comments and IRIs, not a variable or prefixed name."""
    return any(m["name"] is not None and m["name"].upper() == "SERVICE" for m in _TOKEN.finditer(query))


def _has_service_pattern(tree: object) -> bool:
    """Whether rdflib's parse tree holds a ServiceGraphPattern at any depth."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if getattr(node, "name", None) == "ServiceGraphPattern":
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
            stack.extend(node)
    return False


@lru_cache(maxsize=512)
def uses_service(query: str) -> bool:
    """Whether running `query` could make the engine call a remote service (cached: named queries repeat)."""
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        if _has_service_pattern(parseQuery(query)):
            return True
    except Exception:  # rdflib cannot read it (SPARQL 1.2, a syntax error): the lexer answers
        pass
    return _service_keyword(query)


def check_service(query: str, allow_service: bool = False) -> None:
    """Raise ServiceRefused when `query` uses SERVICE and the user did not allow it."""
    if not allow_service and uses_service(query):
        raise ServiceRefused
