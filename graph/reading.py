"""The article under metadata reading: its written text and folded view, its lines, the rules and the place finder.

Every metadata reader (citations, places, reports, the document description) works on the same `Ctx`, so it is
defined once, below all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from policykg.graph.metarules import MetaRules
from policykg.graph.model import Article, Jurisdiction, SourceText, Span

JurisdictionFinder = Callable[[str, Any], "Jurisdiction | None"]


class AgencyCheck(Protocol):
    """The part of `recognize.AgencyRecognizer` used here: does a fragment name an agency?"""

    def is_agency(self, fragment: str) -> bool: ...


@dataclass
class Line:
    """One line of the article's region, with its folded view."""

    span: Span  # stripped of surrounding whitespace
    view: str  # folded view of the line


@dataclass
class Ctx:
    """One article being read: the text, its folded view, region and lines, the rules, and the place finder."""

    article: Article
    source: SourceText
    view: str
    spans: list[Span]
    lines: list[Line]
    rules: MetaRules
    finder: JurisdictionFinder
    lexicon: Any
    agencies: AgencyCheck | None

    def text(self, span: Span | tuple[int, int]) -> str:
        start, end = (span.start, span.end) if isinstance(span, Span) else span
        return self.source.text[start:end]

    def find(self, text: str) -> Jurisdiction | None:
        if not text.strip():
            return None
        try:
            return self.finder(text, self.lexicon)
        except Exception:  # a broken lexicon lookup must not lose the rest of the metadata
            return None
