"""Line-level knowledge shared by the text stages: the layout data file and what a line of text looks like.

`layout()` reads `data/layout.toml` once; `matches` tries its named patterns; `width`, `ends_sentence` and
`has_sentence_marks` tell a headline from running text.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

LAYOUT_FILE = Path(__file__).parent / "data" / "layout.toml"

@cache
def layout() -> dict[str, Any]:
    """The layout knowledge (graph/data/layout.toml), read once."""
    with LAYOUT_FILE.open("rb") as handle:
        return tomllib.load(handle)


@cache
def _patterns(name: str) -> tuple[re.Pattern[str], ...]:
    value = layout()["patterns"][name]
    items = [value] if isinstance(value, str) else value
    return tuple(re.compile(p) for p in items)


def matches(name: str, line: str) -> bool:
    """Whether `line` matches one of the layout patterns called `name`."""
    return any(p.search(line) for p in _patterns(name))


def width(line: str) -> float:
    """Printed width of a line: a full-width character counts 1, a half-width one 0.5."""
    total = 0.0
    for char in line:
        east = unicodedata.east_asian_width(char)
        total += 1.0 if east in ("W", "F") else 0.5
    return total


def ends_sentence(line: str) -> bool:
    """Whether a line ends a sentence (terminal mark, maybe followed by closers) or with a source mark."""
    punct = layout()["punctuation"]
    stripped = line.rstrip().rstrip(punct["closers"])
    if stripped and stripped[-1] in punct["terminal"]:
        return True
    return matches("source_mark_inline", line.rstrip())


def has_sentence_marks(line: str) -> bool:
    """Whether a line contains clause punctuation (running text, not a headline)."""
    marks = layout()["punctuation"]["sentence"]
    return any(char in marks for char in line)
