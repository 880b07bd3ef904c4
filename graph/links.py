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
    """Which documents' tasks to compare, and as what. `titles` holds the subjects of `docs`, in order."""
    pairs: list[Pair] = []
    index = {id(d): n for n, d in enumerate(docs)}
    superseded = {id(d) for d in docs if _final_of(d, docs) is not None}
    for lower in docs:
        final = _final_of(lower, docs)
        if final is not None:  # a draft whose final text is here: its tasks link to the final's only
            if final.tasks and lower.tasks:
                pairs.append(Pair("revises", final, lower, "earlier-version"))
            continue
        applied = _applied_titles(lower)
        for higher in docs:
            if higher is lower or not higher.tasks or not lower.tasks or id(higher) in superseded:
                continue
            same = titles.cosine(index[id(lower)], index[id(higher)]) >= rules.same_subject_title
            if _rank(higher) > _rank(lower) > 0 and _within(lower, higher):
                if any(key == higher.key for _, key in applied):
                    pairs.append(Pair("implements", lower, higher, "applies"))
                elif any(normalize_title(t) == normalize_title(higher.title) for t, _ in applied):
                    pairs.append(Pair("implements", lower, higher, "applies-title"))
                elif same:
                    pairs.append(Pair("implements", lower, higher, "subject"))
            elif (same and _place(lower) != _place(higher) and index[id(lower)] < index[id(higher)]
                  and 0 < _rank(lower) < _RANK["national"] and 0 < _rank(higher) < _RANK["national"]):
                pairs.append(Pair("same-subject", lower, higher, "subject"))
    return _nearest_peers(pairs, titles, index, rules.same_subject_documents)


def _nearest_peers(pairs: list[Pair], titles: Similarity, index: dict[int, int], most: int) -> list[Pair]:
    """Same-subject pairs kept only between each document and its `most` closest peers (title similarity, then
    corpus order): every document of one plan re-issued in many places is a peer of every other, so without a
    bound the pairs (and links) grow with the square of the corpus — 605 links at 10 generated documents, 6,015
    at 30. Other relations are kept as they are."""
    peers: dict[int, list[tuple[float, int, int]]] = {}
    for pair in pairs:
        if pair.relation == "same-subject":
            a, b = index[id(pair.source)], index[id(pair.target)]
            score = titles.cosine(a, b)
            peers.setdefault(a, []).append((-score, b, a))
            peers.setdefault(b, []).append((-score, a, b))
    kept = {(min(x, y), max(x, y)) for found in peers.values() for _, y, x in sorted(found)[:most]}
    return [pair for pair in pairs if pair.relation != "same-subject"
            or (index[id(pair.source)], index[id(pair.target)]) in kept]


def _final_of(doc: Document, docs: Sequence[Document]) -> Document | None:
    """The final text in `docs` that a draft (or a report on a draft) is an earlier version of."""
    links = doc.reported.links if doc.reported is not None else doc.links
    keys = [link.target_key for link in links if link.relation == "earlier-version-of" and link.target_key]
    return next((d for d in docs if d.key in keys and d is not doc), None)


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

    def links(self) -> list[TaskLink]:
        found: list[TaskLink] = []
        for pair in document_pairs(self.docs, self.rules, self.titles):
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
