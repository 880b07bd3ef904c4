"""SpanIndex answers what a scan over every span answers (the scan it replaces was quadratic on big files)."""

from __future__ import annotations

import random

from policykg.graph.model import Span
from policykg.graph.spans import SpanIndex


def test_span_index_agrees_with_a_scan_on_random_overlapping_spans() -> None:
    rng = random.Random(7)
    for _ in range(200):
        spans = []
        for _ in range(rng.randint(0, 12)):
            start = rng.randint(0, 40)
            spans.append(Span(start, start + rng.randint(0, 15)))
        index = SpanIndex((span, n) for n, span in enumerate(spans))
        for pos in range(-1, 60):
            scan = next((n for n, s in enumerate(spans) if s.start <= pos < s.end), None)
            assert index.first(pos) == scan
            assert index.holds(pos) == (scan is not None)


def test_the_earliest_given_span_wins_over_a_later_one_that_starts_first() -> None:
    index = SpanIndex([(Span(5, 10), "given first"), (Span(0, 20), "starts first")])
    assert index.first(7) == "given first" and index.first(2) == "starts first" and index.first(20) is None
