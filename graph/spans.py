"""Span helpers shared by the stages: trimming, splitting outside brackets, and which of many spans holds a position.

Which span holds a position is answered in O(log n): a long document has tens of thousands of paragraphs, clauses
and duties, and scanning every span per question made extraction and emit quadratic in the size of one file
(measured by bench/bench_big_input.py).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import Generic, TypeVar

from policykg.graph.model import Span

T = TypeVar("T")


class SpanIndex(Generic[T]):
    """Spans with a value each; `first(pos)` is the value of the earliest-given span with start <= pos < end."""

    def __init__(self, items: Iterable[tuple[Span, T]]) -> None:
        given = [(span.start, span.end, order, value) for order, (span, value) in enumerate(items)]
        given.sort(key=lambda item: (item[0], item[2]))
        self._starts = [start for start, _, _, _ in given]
        self._items = given
        self._reach: list[int] = []  # the largest end among the spans up to each index
        for _, end, _, _ in given:
            self._reach.append(max(end, self._reach[-1]) if self._reach else end)

    def first(self, pos: int) -> T | None:
        best: tuple[int, T] | None = None
        index = bisect_right(self._starts, pos) - 1
        while index >= 0 and self._reach[index] > pos:  # no span further left reaches pos once reach <= pos
            _, end, order, value = self._items[index]
            if end > pos and (best is None or order < best[0]):
                best = (order, value)
            index -= 1
        return None if best is None else best[1]

    def holds(self, pos: int) -> bool:
        index = bisect_right(self._starts, pos) - 1
        return index >= 0 and self._reach[index] > pos


WHITESPACE = " \t\n\u3000"


def trim(key: str, span: Span, chars: str = WHITESPACE) -> Span:
    """`span` without the `chars` at either end."""
    start, end = span.start, span.end
    while start < end and key[start] in chars:
        start += 1
    while end > start and key[end - 1] in chars:
        end -= 1
    return Span(start, end)


def split_top(key: str, span: Span, cuts: str, chars: str = WHITESPACE) -> list[Span]:
    """Pieces of `span` between separators in `cuts` outside brackets (the key view folds every bracket to ASCII),
    each trimmed of `chars`, empty pieces dropped."""
    pieces: list[Span] = []
    depth, start = 0, span.start
    for i in range(span.start, span.end + 1):
        ch = key[i] if i < span.end else None
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        if ch is None or (depth == 0 and ch in cuts):
            piece = trim(key, Span(start, i), chars)
            if piece.end > piece.start:
                pieces.append(piece)
            start = i + 1
    return pieces
