"""Passages of policy text and how alike two of them are: the measure every cross-document step shares
(task links, gaps, draft → final diffs).

A passage is an item's text cut into clauses, with its heading and its section's heading. Two passages are compared
clause by clause: the body score of A against B is a weighted sum of the best clause pair (one measure taken over
word for word) and the mean, over A's clauses, of each clause's best cosine among B's (how much of A B holds), so a
long national item that lists ten measures is as close to a task about one of them as a short item would be.
Symmetric relations average both directions. Headings count by the task's own heading or its section's, whichever
is closer to the other heading (a provincial task under 完善精准服务主动响应机制 most likely carries out the national
item of that name). Weights are in `data/links.toml` [weights].
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from policykg.graph.model import Span
from policykg.graph.similarity import Similarity

_CLAUSE_END = re.compile(r"[。；;!?，,\n]")


@dataclass(frozen=True)
class Weights:
    body: float
    heading: float
    best_clause: float


@dataclass
class Passage:
    """An item's text in clauses (with their spans in its source when known), its heading and its section's."""

    clauses: list[str]
    heading: str
    section: str = ""
    spans: list[Span] = field(default_factory=list)


def clause_spans(key: str, spans: Sequence[Span]) -> list[Span]:
    """The sentences and "，"-clauses of some paragraphs (evidence is quoted at this grain)."""
    found: list[Span] = []
    for span in spans:
        start = span.start
        for match in _CLAUSE_END.finditer(key, span.start, span.end):
            if match.start() - start >= 4:
                found.append(trim(key, Span(start, match.start())))
            start = match.end()
        if span.end - start >= 4:
            found.append(trim(key, Span(start, span.end)))
    return [s for s in found if s.end > s.start]


def trim(key: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and key[start] in " \t\u3000":
        start += 1
    while end > start and key[end - 1] in " \t\u3000":
        end -= 1
    return Span(start, end)


def passage_of_text(text: str, heading: str, section: str = "") -> Passage:
    """A passage from a quote alone (an item read back from the graph)."""
    spans = clause_spans(text, [Span(0, len(text))]) or [Span(0, len(text))]
    return Passage([text[s.start : s.end] for s in spans], heading, section, spans)


def _block_sums(values: Any, starts: Any, sizes: Any) -> Any:
    """Sums of consecutive row blocks, added one row after another (as Python's `sum` did), so scores do not move
    in the last digit with numpy's pairwise summation."""
    sums = np.zeros((len(starts), values.shape[1]))
    for k, (start, size) in enumerate(zip(starts, sizes, strict=True)):
        total = np.zeros(values.shape[1])
        for row in values[start : start + size]:
            total = total + row
        sums[k] = total
    return sums


class Scorer:
    """Scores passages against each other; fitted once on all the passages it will compare."""

    def __init__(self, passages: Sequence[Passage], weights: Weights) -> None:
        self.weights = weights
        self._rows: dict[int, list[int]] = {}
        self._heading_row: dict[int, int] = {}
        clause_texts: list[str] = []
        headings: list[str] = []
        for passage in passages:
            texts = passage.clauses or [passage.heading]
            self._rows[id(passage)] = list(range(len(clause_texts), len(clause_texts) + len(texts)))
            clause_texts.extend(texts)
            self._heading_row[id(passage)] = len(headings)
            headings.extend([passage.heading, passage.section])
        self.clauses = Similarity(clause_texts)
        self.headings = Similarity(headings)

    def scores(self, sources: Sequence[Passage], targets: Sequence[Passage], *,
               symmetric: bool) -> tuple[list[list[float]], dict[tuple[int, int], tuple[int, int]]]:
        """Score of every (source, target) pair, and the indices of the best clause pair of each (its evidence)."""
        rows = [r for p in sources for r in self._rows[id(p)]]
        columns = [c for p in targets for c in self._rows[id(p)]]
        if not rows or not columns:
            return [[] for _ in sources], {}
        cosine = self.clauses.array(rows, columns)
        target_headings = [self._heading_row[id(p)] for p in targets]
        own = self.headings.array([self._heading_row[id(p)] for p in sources], target_headings)
        by_section = self.headings.array([self._heading_row[id(p)] + 1 for p in sources], target_headings)
        w = self.weights
        heights = np.array([len(self._rows[id(p)]) for p in sources])
        widths = np.array([len(self._rows[id(p)]) for p in targets])
        row_starts = np.concatenate(([0], np.cumsum(heights)[:-1]))
        column_starts = np.concatenate(([0], np.cumsum(widths)[:-1]))
        # per clause of a source, its best cosine within each target; per target, the best clause pair's cosine
        clause_best = np.maximum.reduceat(cosine, column_starts, axis=1)
        best = np.maximum.reduceat(clause_best, row_starts, axis=0)
        cover = _block_sums(clause_best, row_starts, heights) / heights[:, None]
        if symmetric:
            column_best = np.maximum.reduceat(cosine, row_starts, axis=0)
            cover = (cover + _block_sums(column_best.T, column_starts, widths).T / widths[None, :]) / 2
        body = w.best_clause * best + (1 - w.best_clause) * cover
        matrix = (w.body * body + w.heading * np.maximum(own, by_section)).tolist()
        best_pairs: dict[tuple[int, int], tuple[int, int]] = {}
        for i, (top, height) in enumerate(zip(row_starts, heights, strict=True)):
            for j, (left, width) in enumerate(zip(column_starts, widths, strict=True)):
                x, y = divmod(int(cosine[top : top + height, left : left + width].argmax()), int(width))
                best_pairs[(i, j)] = (x, y)
        return matrix, best_pairs
