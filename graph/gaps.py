"""What a lower document has not taken up: the measures of the higher document it applies that none of its
sentences matches.

A measure is a clause of a higher item with an action of its own (建立…制度, 推动…互认, 提供…服务; the action words are
in `data/links.toml`); clauses without one belong to the measure next to them. Each measure is compared with every
clause of the lower document's outline (its sections and tasks): the score is how much of the measure a clause says
(`Similarity.containment`: the IDF weight of the measure's character n-grams found in the clause). Below `gaps.max`
the measure is a gap, reported with the nearest lower clause and its score.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from policykg.graph.links import Linker, LinkRules, Pair
from policykg.graph.model import Document, Gap, Span
from policykg.graph.outline import iter_nodes
from policykg.graph.passages import clause_spans, trim

_SENTENCE = re.compile(r"[。；;!?\n]")


def measures(key: str, spans: Sequence[Span], rules: LinkRules) -> list[Span]:
    """The measures in some paragraphs: sentences cut at "，" before each clause that has an action of its own."""
    found: list[Span] = []
    for span in spans:
        start = span.start
        for end in [*(span.start + m.start() for m in _SENTENCE.finditer(key[span.start : span.end])), span.end]:
            found.extend(_sentence_measures(key, Span(start, end), rules))
            start = end + 1
    return found


def _sentence_measures(key: str, sentence: Span, rules: LinkRules) -> list[Span]:
    parts: list[Span] = []
    start = sentence.start
    for match in re.finditer(r"[，,]", key[sentence.start : sentence.end]):
        parts.append(Span(start, sentence.start + match.start()))
        start = sentence.start + match.end()
    parts.append(Span(start, sentence.end))
    merged: list[Span] = []
    pending: Span | None = None  # clauses before the sentence's first action belong to it
    for part in parts:
        text = key[part.start : part.end]
        if any(action in text for action in rules.actions):
            merged.append(Span(pending.start if pending else part.start, part.end))
            pending = None
        elif merged:
            merged[-1] = Span(merged[-1].start, part.end)
        else:
            pending = Span(pending.start if pending else part.start, part.end)
    return [trim(key, m) for m in merged if len(key[m.start : m.end].strip()) >= 4]


def find_gaps(linker: Linker, pairs: Sequence[Pair] | None = None) -> list[Gap]:
    """Gaps of every document that applies a higher document of the corpus (explicitly or by its title)."""
    gaps: list[Gap] = []
    for pair in pairs if pairs is not None else linker.pairs():
        if pair.relation != "implements" or pair.how not in ("applies", "applies-title"):
            continue
        if pair.source.status == "report":  # a report summarizes: what it leaves out proves nothing
            continue
        gaps.extend(_document_gaps(linker, pair.source, pair.target))
    return gaps


def _document_gaps(linker: Linker, lower: Document, higher: Document) -> list[Gap]:
    low_key, high_key = lower.source.key, higher.source.key
    # the lower document's outline (sections and tasks), not its preamble: "为贯彻落实《…》" repeats the higher title
    lower_clauses = clause_spans(low_key, [p for n in iter_nodes(lower.outline) for p in n.paragraphs])
    if not lower_clauses:
        return []
    lower_texts = linker.scorer.clauses.presence([low_key[s.start : s.end] for s in lower_clauses])
    found: list[Gap] = []
    for task in higher.tasks:
        heading_end = task.node.heading_span.end  # the item's title names it; its measures follow
        body = [Span(max(p.start, heading_end + 1), p.end) for p in task.node.paragraphs if p.end > heading_end + 1]
        items = measures(high_key, body, linker.rules)
        if not items:
            continue
        said = linker.scorer.clauses.containment([high_key[s.start : s.end] for s in items], lower_texts)
        for measure, row in zip(items, said, strict=True):
            best = int(row.argmax())
            score = float(row[best])
            if score < linker.rules.gap_max:
                found.append(Gap(lower.key, higher.key, task.node, measure, lower_clauses[best], round(score, 4)))
    return found


def gaps_of(docs: Sequence[Document], rules: LinkRules) -> list[Gap]:
    """Every gap of a corpus (a convenience for tests and the command line)."""
    return find_gaps(Linker(docs, rules))
