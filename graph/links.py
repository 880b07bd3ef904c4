"""Links between the tasks of different documents: which item a task carries out, which tasks of other places
address the same subject, which draft item a final task came from.

Documents are paired first (a lower-level document and the higher one it applies, explicitly or by the subject of
its title; documents of different places on the same subject; a draft and its final text), then the tasks of each
pair are scored by `similarity.Similarity` over their own text and their headings. Thresholds and weights are in
`data/links.toml`. Every link keeps its score, its method and the best-matching clause on each side.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from policykg.graph.model import Document, Task, TaskLink
from policykg.graph.passages import Passage, Scorer, Weights, clause_spans
from policykg.graph.similarity import Similarity
from policykg.graph.titles import normalize_title

_RANK = {"national": 4, "provincial": 3, "municipal": 2, "county": 1, "unknown": 0}
METHOD = "tfidf-char-2-3"


@dataclass(frozen=True)
class LinkRules:
    weights: Weights
    same_subject_title: float
    same_subject_documents: int  # peers each document is compared with for same-subject links
    implements_documents: int  # higher documents per level a document is compared with by its subject alone
    type_words: tuple[str, ...]
    thresholds: dict[str, tuple[float, float]]  # relation → (min, keep)
    gap_max: float
    actions: tuple[str, ...]
    connectives: tuple[str, ...]


def load_link_rules(path: Path | None = None) -> LinkRules:
    text = path.read_text("utf-8") if path else resources.files("policykg.graph.data").joinpath(
        "links.toml").read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    return LinkRules(
        weights=Weights(**data["weights"]),
        same_subject_title=data["documents"]["same_subject_title"],
        same_subject_documents=data["same_subject"].get("documents", 3),
        implements_documents=data["implements"].get("documents", 3),
        type_words=tuple(sorted(data["documents"]["type_words"], key=len, reverse=True)),
        thresholds={name: (data[key]["min"], data[key]["keep"]) for name, key in
                    (("implements", "implements"), ("same-subject", "same_subject"), ("revises", "revises"))},
        gap_max=data["gaps"]["max"],
        actions=tuple(sorted(data["gaps"]["actions"], key=len, reverse=True)),
        connectives=tuple(data["diff"]["connectives"]),
    )


def subject(title: str, rules: LinkRules, places: Sequence[str] = ()) -> str:
    """What a title is about: no place, 关于, 的, status or document type (贵州省推进…建设实施方案 → 推进…建设).

    `places` are the names of the document's jurisdiction (贵州省, 贵州) that may open its title.
    """
    text = normalize_title(title)
    text = text.split("关于", 1)[1] if "关于" in text else text
    for place in sorted(places, key=len, reverse=True):
        if place and text.startswith(place):
            text = text[len(place) :]
            break
    for word in rules.type_words:
        if text.endswith(word) and len(text) > len(word):
            return text[: -len(word)]
    return text


def _subject_of(doc: Document, rules: LinkRules) -> str:
    place = doc.reported.jurisdiction if doc.reported is not None else doc.jurisdiction
    title = doc.reported.title if doc.reported is not None else doc.title
    return subject(title, rules, (place.name, place.short) if place is not None else ())


# --- linking ---------------------------------------------------------------------------------------------------


@dataclass
class Pair:
    relation: str  # implements, same-subject, revises
    source: Document  # the lower, other-place or final document
    target: Document  # the higher, other-place or draft document
    how: str  # applies, applies-title, subject, earlier-version


def _applied_titles(doc: Document) -> list[tuple[str, str | None]]:
    links = doc.reported.links if doc.reported is not None else doc.links
    return [(link.title, link.target_key) for link in links if link.relation == "applies"]


def _rank(doc: Document) -> int:
    return _RANK[_level(doc)]


def _place(doc: Document) -> str:
    place = doc.reported.jurisdiction if doc.reported is not None else doc.jurisdiction
    return place.code if place is not None else ""


def _within(lower: Document, higher: Document) -> bool:
    """Whether the higher document's place contains the lower one's (GB/T 2260: 2 digits a province, 4 a city)."""
    low, high = _place(lower), _place(higher)
    digits = {"national": 0, "provincial": 2, "municipal": 4, "county": 6}.get(_level(higher), 6)
    return bool(low and high) and low[:digits] == high[:digits]


def _level(doc: Document) -> str:
    if doc.reported is not None and doc.reported.jurisdiction is not None:
        return doc.reported.jurisdiction.level
    return doc.level


def document_pairs(docs: Sequence[Document], rules: LinkRules, titles: Similarity) -> list[Pair]:
    """Which documents' tasks to compare, and as what. `titles` holds the subjects of `docs`, in order.

    Each document's title row is compared with all documents at once (numpy), and the tests of rank, place and
    status are arrays: a pair per Python step was 1.5 M steps at a thousand documents."""
    n = len(docs)
    if not n:
        return []
    finals = _finals(docs)
    rank = np.array([_rank(d) for d in docs])
    places = [_place(d) for d in docs]
    digits = np.array([{"national": 0, "provincial": 2, "municipal": 4, "county": 6}.get(_level(d), 6) for d in docs])
    usable = np.array([bool(d.tasks) and finals[k] is None for k, d in enumerate(docs)])
    prefixes = {size: np.array([p[:size] for p in places], dtype=object) for size in (0, 2, 4, 6)}
    placed = np.array([bool(p) for p in places])
    place_array = np.array(places, dtype=object)
    peers = (rank > 0) & (rank < _RANK["national"])
    index = np.arange(n)
    pairs: list[Pair] = []
    candidates: dict[int, list[tuple[int, float]]] = {}  # same-subject peers of each document: (other, score)
    implements_by: dict[int, list[tuple[int, Pair]]] = {}
    for a, lower in enumerate(docs):
        final = finals[a]
        if final is not None:  # a draft whose final text is here: its tasks link to the final's only
            continue
        if not lower.tasks:
            continue
        row = titles.array([a])[0]
        same = row >= rules.same_subject_title
        others = usable & (index != a)
        within = np.zeros(n, dtype=bool)
        if places[a]:
            for size, prefix in prefixes.items():
                within |= (digits == size) & (prefix == places[a][:size])
        within &= placed
        higher = others & (rank > rank[a]) & (rank[a] > 0) & within
        applied = _applied_titles(lower)
        by_subject: dict[int, list[tuple[float, int]]] = {}  # per higher level: (−score, index)
        for b in np.flatnonzero(higher):
            target = docs[b]
            if any(key == target.key for _, key in applied):
                how = "applies"
            elif any(normalize_title(t) == normalize_title(target.title) for t, _ in applied):
                how = "applies-title"
            elif same[b]:
                by_subject.setdefault(int(rank[b]), []).append((-float(row[b]), int(b)))
                continue
            else:
                continue
            implements_by.setdefault(a, []).append((int(b), Pair("implements", lower, target, how)))
        for found in by_subject.values():
            for _, b in sorted(found)[: rules.implements_documents]:
                implements_by.setdefault(a, []).append((b, Pair("implements", lower, docs[b], "subject")))
        if peers[a]:  # a pair is read from its first document: b after a unless a implements b, b before a unless b a
            for b in np.flatnonzero(others & same & peers & (place_array != places[a])):
                if not higher[b] if b > a else not (rank[a] > rank[b] > 0 and _within(docs[b], lower)):
                    candidates.setdefault(a, []).append((int(b), float(row[b])))
    kept = _nearest_peers(candidates, rules.same_subject_documents)
    for a, lower in enumerate(docs):
        final = finals[a]
        if final is not None:
            if final.tasks and lower.tasks:
                pairs.append(Pair("revises", final, lower, "earlier-version"))
            continue
        found = list(implements_by.get(a, []))
        found += [(b, Pair("same-subject", lower, docs[b], "subject")) for b, _ in candidates.get(a, [])
                  if b > a and (a, b) in kept]
        pairs.extend(pair for _, pair in sorted(found, key=lambda item: item[0]))
    return pairs


def _nearest_peers(candidates: dict[int, list[tuple[int, float]]], most: int) -> set[tuple[int, int]]:
    """Same-subject pairs (as (lower index, higher index)) kept only between each document and its `most` closest
    peers (title similarity, then nearness in corpus order): every document of one plan re-issued in many places is
    a peer of every other, so without a bound the pairs (and links) grow with the square of the corpus — 605 links
    at 10 generated documents, 6,015 at 30. Equal titles are told apart by nearness, not by corpus order itself:
    with the first documents of the corpus as everyone's closest peers, three sources held 56,000 of the 57,000
    links at 1,000 generated documents (243 MB of graph each)."""
    kept: set[tuple[int, int]] = set()
    for a, found in candidates.items():
        for b, _ in sorted(found, key=lambda item: (-item[1], abs(item[0] - a), item[0]))[:most]:
            kept.add((min(a, b), max(a, b)))
    return kept


def _finals(docs: Sequence[Document]) -> list[Document | None]:
    """The final text in `docs` that each draft (or report on a draft) is an earlier version of, else None."""
    first: dict[str, list[int]] = {}
    for n, doc in enumerate(docs):
        first.setdefault(doc.key, []).append(n)
    finals: list[Document | None] = []
    for n, doc in enumerate(docs):
        links = doc.reported.links if doc.reported is not None else doc.links
        keys = {link.target_key for link in links if link.relation == "earlier-version-of" and link.target_key}
        found = sorted(m for key in keys for m in first.get(key, ()) if m != n)
        finals.append(docs[found[0]] if found else None)
    return finals


class Linker:
    """Scores the tasks of document pairs (`passages.Scorer`) and keeps the links the rules allow."""

    def __init__(self, docs: Sequence[Document], rules: LinkRules) -> None:
        self.rules = rules
        self.docs = list(docs)
        self.tasks: dict[int, list[tuple[Task, Passage]]] = {}
        for doc in self.docs:
            key = doc.source.key
            self.tasks[id(doc)] = []
            for task in doc.tasks:
                spans = clause_spans(key, task.node.paragraphs) or [task.node.heading_span]
                section = task.section.heading if task.section is not None else ""
                self.tasks[id(doc)].append(
                    (task, Passage([key[s.start : s.end] for s in spans], task.node.heading, section, spans)))
        self.scorer = Scorer([p for d in self.docs for _, p in self.tasks[id(d)]], rules.weights)
        self.titles = Similarity([_subject_of(d, rules) for d in self.docs])
        self._pairs: list[Pair] | None = None

    def pairs(self) -> list[Pair]:
        """The document pairs (computed once: the links and the gaps both read them)."""
        if self._pairs is None:
            self._pairs = document_pairs(self.docs, self.rules, self.titles)
        return self._pairs

    def links(self) -> list[TaskLink]:
        found: list[TaskLink] = []
        for pair in self.pairs():
            found.extend(self._pair_links(pair))
        return sorted(found, key=lambda link: (link.source[0], link.source[1].span.start, link.relation,
                                               link.target[0], link.target[1].span.start))

    def _pair_links(self, pair: Pair) -> list[TaskLink]:
        sources, targets = self.tasks[id(pair.source)], self.tasks[id(pair.target)]
        matrix, best = self.scorer.scores([p for _, p in sources], [p for _, p in targets],
                                          symmetric=pair.relation != "implements")
        minimum, keep = self.rules.thresholds[pair.relation]
        column_best = [max((matrix[i][j] for i in range(len(sources))), default=0.0) for j in range(len(targets))]
        links: list[TaskLink] = []
        for i, row in enumerate(matrix):
            row_best = max(row, default=0.0)
            for j, score in enumerate(row):
                if score < minimum or score < row_best * keep:
                    continue
                if pair.relation == "same-subject" and score < column_best[j] * keep:
                    continue  # same subject both ways: the other task has no much closer match
                (source, a), (target, b) = sources[i], targets[j]
                x, y = best[(i, j)]
                links.append(TaskLink(pair.relation, (pair.source.key, source.node),  # type: ignore[arg-type]
                                      (pair.target.key, target.node), round(score, 4), f"{pair.how}+{METHOD}",
                                      a.spans[x], b.spans[y]))
        return links


def link_tasks(docs: Sequence[Document], rules: LinkRules | None = None) -> list[TaskLink]:
    """Every task link among the documents of a corpus."""
    return Linker(docs, rules or load_link_rules()).links()
