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
        cosine = self.clauses.matrix(rows, columns)
        target_headings = [self._heading_row[id(p)] for p in targets]
        own = self.headings.matrix([self._heading_row[id(p)] for p in sources], target_headings)
        by_section = self.headings.matrix([self._heading_row[id(p)] + 1 for p in sources], target_headings)
        w = self.weights
        matrix: list[list[float]] = []
        best_pairs: dict[tuple[int, int], tuple[int, int]] = {}
        row_at = 0
        for i, source in enumerate(sources):
            height = len(self._rows[id(source)])
            line: list[float] = []
            column_at = 0
            for j, target in enumerate(targets):
                width = len(self._rows[id(target)])
                block = [cosine[row_at + x][column_at : column_at + width] for x in range(height)]
                cover = sum(max(r) for r in block) / height
                if symmetric:
                    cover = (cover + sum(max(block[x][y] for x in range(height)) for y in range(width)) / width) / 2
                x, y = max(((x, y) for x in range(height) for y in range(width)), key=lambda xy: block[xy[0]][xy[1]])
                body = w.best_clause * block[x][y] + (1 - w.best_clause) * cover
                line.append(w.body * body + w.heading * max(own[i][j], by_section[i][j]))
                best_pairs[(i, j)] = (x, y)
                column_at += width
            matrix.append(line)
            row_at += height
        return matrix, best_pairs
