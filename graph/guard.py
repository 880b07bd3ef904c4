"""Refuse federated queries: a SPARQL `SERVICE` makes the engine itself fetch a URL (pyoxigraph and the oxigraph server
both POST the inner pattern to it and return the answer), which turns a read-only endpoint into a way to reach any
address the machine can reach. policykg runs no query with SERVICE unless the user passes `--allow-service`.

SERVICE is found by two readers, and either finding it refuses the query: a lexer that reads strings, comments, IRIs,
variables and prefixed names as oxigraph does (so the word in a string, a comment, an IRI or `ex:SERVICE` does not
count) and rdflib's SPARQL parser (a `ServiceGraphPattern` anywhere in the parse tree). They disagree at the edges:
rdflib decodes \\uXXXX escapes before parsing (oxigraph only inside strings, so rdflib may refuse a harmless
query), and oxigraph knows SPARQL 1.2 syntax rdflib cannot parse (the lexer still reads it).
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


#: longest query given to rdflib's parser (pyparsing reads about 30 KB a second); longer ones are left to the lexer
PARSE_LIMIT = 64 * 1024
#: longest query whose answer is remembered (named queries repeat; a huge VALUES block need not stay in memory)
_CACHE_LIMIT = 16 * 1024


def uses_service(query: str) -> bool:
    """Whether running `query` could make the engine call a remote service."""
    return _uses_service(query) if len(query) <= _CACHE_LIMIT else _decide(query)


@lru_cache(maxsize=512)
def _uses_service(query: str) -> bool:
    return _decide(query)


def _decide(query: str) -> bool:
    from rdflib.plugins.sparql.parser import parseQuery

    if _service_keyword(query):
        return True
    if len(query) > PARSE_LIMIT:
        return False  # oxigraph reads \uXXXX only inside strings (checked), so its keywords are the lexer's
    try:
        return _has_service_pattern(parseQuery(query))
    except Exception:  # rdflib cannot read it (SPARQL 1.2, a syntax error): the lexer has answered
        return False


def check_service(query: str, allow_service: bool = False) -> None:
    """Raise ServiceRefused when `query` uses SERVICE and the user did not allow it."""
    if not allow_service and uses_service(query):
        raise ServiceRefused
