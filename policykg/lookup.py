"""Finding what a coordinator typed: named queries run with bound parameters, agencies by any written form, and
close names when nothing matched (the character pairs of 省卫健委 weighted by rarity, difflib for a typo)."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from policykg.forms import Words, agency_forms, narrowest, text_forms
from policykg.graph.lexicon import Lexicon, load_lexicon
from policykg.graph.store import GraphStore, ParamValue
from policykg.query import NamedQuery, load_queries, plain_records, run_named


class CoordinateError(Exception):
    """A question that cannot be asked as given; the message says what to do instead."""


@dataclass(frozen=True)
class Matched:
    """One agency found for a name the user typed."""

    iri: str
    name: str
    jurisdiction: str
    kind: str
    labels: tuple[str, ...]
    exact: bool  # some written form equals what the user typed (after expansion)

    @property
    def display(self) -> str:
        return f"{self.name}（{self.jurisdiction}）" if self.jurisdiction else self.name



class Queries:
    """The named queries of queries/, run with bound parameters only."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.named: dict[str, NamedQuery] = load_queries()

    def rows(self, query: str, /, **params: ParamValue) -> list[dict[str, str]]:
        return plain_records(run_named(self.store, self.named[query], params))


def find_agencies(store: GraphStore, name: str, lexicon: Lexicon | None = None) -> list[Matched]:
    """Agencies whose name or any written form contains one of the forms of `name`; exact matches first."""
    lexicon = lexicon or load_lexicon()
    forms = agency_forms(name, lexicon)
    if not forms:
        raise CoordinateError("请给出单位名称，例如 省民政厅 或 卫健委")
    queries = Queries(store)
    words = Words.of(lexicon)
    found: dict[str, Matched] = {}
    wanted = set(forms)
    for form in narrowest(forms):
        for row in queries.rows("agency_lookup", name=form):
            labels = tuple(sorted({*row["labels"].split("\n"), row["name"]} - {""}))
            if not any(words.starts_word(label, f) for label in labels for f in forms):
                continue  # only inside other words, as 民政 in 人民政府
            exact = bool(wanted & set(labels))
            old = found.get(row["agency"])
            if old is not None:
                labels = tuple(sorted(set(old.labels) | set(labels)))
                exact = exact or old.exact
            found[row["agency"]] = Matched(row["agency"], row["name"], row["jurisdiction"], row["kind"], labels, exact)
    return sorted(found.values(), key=lambda m: (not m.exact, m.jurisdiction, m.name))


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _score(query: str, candidate: str, weight: Mapping[str, float]) -> float:
    """How alike two names are: the share of the query's character pairs found in the candidate, each pair weighted
    by its rarity among the candidates (省委, 人民, 委员 say little; 宣传 says what the unit is); difflib's ratio when
    the query is one character."""
    pairs = _pairs(query)
    if not pairs:
        return 1.0 if query in candidate else 0.0
    total = sum(weight.get(p, 1.0) for p in pairs)
    shared = sum(weight.get(p, 1.0) for p in pairs if p in candidate) / total
    return max(shared, _typo_ratio(query, candidate))


def _typo_ratio(query: str, candidate: str) -> float:
    """difflib's ratio against the best stretch of the candidate as long as the query (探防关爱 ~ …探访关爱机制),
    counted only when it is high: a typo, not a shared 省 and 委."""
    n = len(query)
    windows = [candidate[i : i + n] for i in range(max(1, len(candidate) - n + 1))]
    ratio = max(difflib.SequenceMatcher(None, query, w).ratio() for w in windows)
    return ratio if ratio >= 0.7 else 0.0


def _closest(query_forms: Iterable[str], candidates: Iterable[str], limit: int = 5) -> list[str]:
    forms = [f for f in query_forms if f]
    names = sorted({c for c in candidates if c})
    counts: dict[str, int] = {}
    for name in names:
        for pair in _pairs(name):
            counts[pair] = counts.get(pair, 0) + 1
    weight = {pair: math.log((1 + len(names)) / (1 + n)) + 0.1 for pair, n in counts.items()}
    rare = math.log(1 + len(names)) + 0.1  # a pair no candidate has weighs most
    weights = {p: weight.get(p, rare) for f in forms for p in _pairs(f)}
    scored = {c: max((_score(f, c, weights) for f in forms), default=0.0) for c in names}
    best = sorted((s, c) for c, s in scored.items() if s >= 0.34)
    return [c for _, c in sorted(best, key=lambda sc: (-sc[0], len(sc[1]), sc[1]))[:limit]]


def suggest_agencies(store: GraphStore, name: str, lexicon: Lexicon | None = None) -> list[str]:
    """Agency names close to one that matched nothing (shown with their place)."""
    lexicon = lexicon or load_lexicon()
    forms = agency_forms(name, lexicon) or [name]
    everyone = Queries(store).rows("agency_lookup", name="")
    by_label: dict[str, set[str]] = {}
    for row in everyone:
        shown = f"{row['name']}（{row['jurisdiction']}）" if row["jurisdiction"] else row["name"]
        for label in {row["name"], *row["labels"].split("\n")} - {""}:
            by_label.setdefault(label, set()).add(shown)
    names: list[str] = []
    for label in _closest(forms, by_label, limit=10):
        names += sorted(by_label[label] - set(names))
    return names[:5]


def suggest_tasks(store: GraphStore, text: str) -> list[str]:
    """Task titles close to a text that matched nothing."""
    rows = Queries(store).rows("task_titles")  # titles alone: 0.3 s at 1,000 documents, `tasks` 3–4 s
    return _closest(text_forms(text), (r["task_title"] for r in rows))
