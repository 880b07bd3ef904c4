"""Layout: the lines of a source, which of them are page noise, and which form tables.

Adds to the `SourceText` its `blocks` (one per content line, one per table) and the "noise" layer (navigation,
share buttons, spam, page markers: rules in `data/layout.toml`). Nothing is removed from the text, so every offset
stays valid; later stages read the blocks instead of splitting lines again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.graph.lines import layout as layout_data
from policykg.graph.model import Block, Mark, SourceText, Span
from policykg.graph.tables import TableReader


@dataclass(frozen=True)
class NoiseRule:
    name: str
    pattern: re.Pattern[str]


def load_noise_rules() -> list[NoiseRule]:
    return [NoiseRule(r["name"], re.compile(r["pattern"])) for r in layout_data()["noise"]]


def lines_of(text: str) -> list[Span]:
    """Non-empty lines without surrounding whitespace, in order."""
    spans: list[Span] = []
    start = 0
    for line in text.split("\n"):
        a, b = start, start + len(line)
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            spans.append(Span(a, b))
        start += len(line) + 1
    return spans


def lay_out(source: SourceText, noise: list[NoiseRule], tables: TableReader | None) -> None:
    """Fill `source.blocks` and the "noise" layer. A newspaper page keeps the blocks its reflow made (no tables)."""
    marks: list[Mark] = []
    content: list[Span] = []
    for span in lines_of(source.text):
        line = source.key[span.start : span.end]
        rule = next((r for r in noise if r.pattern.search(line)), None)
        if rule is not None:
            marks.append(Mark(span, rule.name))
        else:
            content.append(span)
    source.layers["noise"] = marks
    if source.is_page:  # a reflowed page's blocks are its paragraphs, made by normalize
        return
    found = tables.read(source.key, content) if tables is not None else []
    blocks: list[Block] = []
    i = 0
    for table, rows in found:
        blocks.extend(Block("line", span) for span in content[i : rows.start])
        blocks.append(Block("table", table.span, table))
        i = rows.stop
    blocks.extend(Block("line", span) for span in content[i:])
    source.blocks = blocks
