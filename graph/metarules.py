"""The metadata knowledge: `data/metadata.toml` compiled into word lists and patterns, read once.

Kept apart from the readers so that every metadata module (titles, citations, reports, the description) reads the
same compiled rules, and tests can compile varied data with `compile_rules`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

from policykg.graph.model import Jurisdiction, Level


@dataclass(frozen=True)
class Wrapper:
    pattern: re.Pattern[str]
    same_issuer: bool
    draft: bool


@dataclass(frozen=True)
class MetaRules:
    """data/metadata.toml, compiled."""

    doc_types: tuple[str, ...]  # longest first
    report_type: str
    draft_words: tuple[str, ...]  # longest first
    wrappers: tuple[Wrapper, ...]
    headlines: tuple[re.Pattern[str], ...]
    applies: tuple[str, ...]
    conjunctions: tuple[str, ...]
    alias_words: tuple[str, ...]
    max_title: int
    issue_verbs: tuple[str, ...]
    lead_in: tuple[re.Pattern[str], ...]
    agency_name: re.Pattern[str]
    agency_sep: re.Pattern[str]
    agency_tail: re.Pattern[str]
    reject_endings: tuple[str, ...]
    source_labels: tuple[str, ...]
    document_date: re.Pattern[str]
    publication_date: re.Pattern[str]
    number_label: re.Pattern[str]
    national: Jurisdiction
    national_prefixes: tuple[str, ...]
    national_numbers: tuple[str, ...]
    level_prefixes: tuple[tuple[str, Level], ...]  # longest first
    self_reference: dict[str, tuple[Level, ...]]


def _longest_first(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of the words, escaped, longest first."""
    return "|".join(re.escape(w) for w in _longest_first(words))


def _date_label(labels: Sequence[str]) -> re.Pattern[str]:
    return re.compile(
        rf"(?:{alternation(labels)})\s*:\s*(\d{{4}})\s*[-/.年]\s*(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})"
    )


def compile_rules(data: dict[str, Any]) -> MetaRules:
    """Compile the knowledge file's tables into patterns (separate from loading so tests can vary the data)."""
    title = data["title"]
    issuer = data["issuer"]
    juris = data["jurisdiction"]
    suffixes = alternation(issuer["suffixes"])
    stops = alternation([*issuer["separators"], *issuer["followers"]])
    # A name: CJK characters (no punctuation) ending in an agency suffix, followed by a separator, a word that can
    # follow a subject, or the end. Non-greedy, so "国务院办公厅印发" gives 国务院办公厅, not 国务院.
    agency_name = re.compile(rf"(?:[\u4e00-\u9fff·]{{0,30}}?)(?:{suffixes})(?=(?:{stops})|$)")
    agency_sep = re.compile(rf"\s*(?:{alternation(s for s in issuer['separators'] if s != '等')}|\s)\s*")
    agency_tail = re.compile(
        rf"^\s*(?:等\s*[\d一二三四五六七八九十两]{{0,3}}\s*(?:个|家)?\s*(?:部门|单位|机构|部委))?"
        rf"\s*(?:(?:{alternation(issuer['followers'])})\s*)*了?\s*$"
    )
    self_ref: dict[str, tuple[Level, ...]] = {}
    for word, levels in juris["self_reference"].items():
        self_ref[word] = tuple(cast(list[Level], [levels] if isinstance(levels, str) else levels))
    return MetaRules(
        doc_types=_longest_first(data["doc_type"]["words"]),
        report_type=data["doc_type"]["report"],
        draft_words=_longest_first(data["status"]["draft"]),
        wrappers=tuple(
            Wrapper(re.compile(w["pattern"]), bool(w.get("same_issuer", True)), bool(w.get("draft", False)))
            for w in title["wrapper"]
        ),
        headlines=tuple(re.compile(h["pattern"]) for h in title["headline"]),
        applies=_longest_first(data["citation"]["applies"]),
        conjunctions=tuple(data["citation"]["conjunctions"]),
        alias_words=_longest_first(data["citation"]["alias"]),
        max_title=int(data["citation"]["max_length"]),
        issue_verbs=_longest_first(data["issue"]["verbs"]),
        lead_in=tuple(re.compile(p) for p in data["issue"]["lead_in"]),
        agency_name=agency_name,
        agency_sep=agency_sep,
        agency_tail=agency_tail,
        reject_endings=tuple(issuer.get("reject_endings", [])),
        source_labels=_longest_first(issuer["source_labels"]),
        document_date=_date_label(data["date"]["document_labels"]),
        publication_date=_date_label(data["date"]["publication_labels"]),
        number_label=re.compile(rf"^(?:{alternation(data['doc_number']['labels'])})\s*:\s*"),
        national=Jurisdiction(juris["national_code"], juris["national_name"], juris["national_short"], "national"),
        national_prefixes=_longest_first(juris["national_prefixes"]),
        national_numbers=_longest_first(juris["national_numbers"]),
        level_prefixes=tuple(
            sorted(cast(dict[str, Level], juris["level_prefixes"]).items(), key=lambda kv: -len(kv[0]))
        ),
        self_reference=self_ref,
    )


@cache
def load_rules(path: Path | None = None) -> MetaRules:
    """The metadata knowledge, read once (from the installed package unless a path is given)."""
    if path is not None:
        text = path.read_text("utf-8")
    else:
        text = resources.files("policykg.graph.data").joinpath("metadata.toml").read_text("utf-8")
    return compile_rules(tomllib.loads(text))


def doc_types() -> tuple[str, ...]:
    """Every document-type word `describe` can give, for the `doctype` code list."""
    rules = load_rules()
    return (*rules.doc_types, rules.report_type)
