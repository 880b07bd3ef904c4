"""Normalize a decoded file into a `SourceText`.

Clean documents keep their text as written (only line endings, BOM and Unicode NFC are normalized) so that every
quote is the written form. OCR'd newspaper pages are detected by their layout (many short lines that break
sentences) and reflowed: column breaks and blank lines are removed, paragraph ends stay as a single "\\n".
`key` is a same-length view for pattern matching: simplified characters, half-width letters and digits, ASCII
brackets and separators.

The page analysis is also exposed (`page_blocks`) because segmentation needs the same line kinds (headline,
byline, source mark, stray mark, lead box) that decided the reflow.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import statistics
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from policykg.graph.model import SourceText, Span

LAYOUT_FILE = Path(__file__).parent / "data" / "layout.toml"

BlockKind = Literal["body", "headline", "byline", "source", "stray"]


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


# ---------------------------------------------------------------------------------------------------------------
# key


_KEY_TABLE: dict[int, str] = {
    **{0xFF10 + i: chr(0x30 + i) for i in range(10)},
    **{0xFF21 + i: chr(0x41 + i) for i in range(26)},
    **{0xFF41 + i: chr(0x61 + i) for i in range(26)},
    **{ord(c): "(" for c in "（〔［【"},
    **{ord(c): ")" for c in "）〕］】"},
    ord("["): "(",
    ord("]"): ")",
    ord("："): ":",
    ord("；"): ";",
    ord("，"): ",",
    0x3000: " ",
}


@cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _simplify(text: str) -> str:
    """Traditional → simplified, keeping the length (per character when phrases would change it)."""
    if text.isascii():
        return text
    converter = _converter()
    whole = converter.convert(text)
    if len(whole) == len(text):
        return whole
    out = []
    for char in text:
        converted = converter.convert(char) if ord(char) > 0x2E7F else char
        out.append(converted if len(converted) == 1 else char)
    return "".join(out)


def make_key(text: str) -> str:
    """The match view of `text`: same length, simplified, half-width letters/digits, folded brackets."""
    key = _simplify(text).translate(_KEY_TABLE)
    assert len(key) == len(text)
    return key


# ---------------------------------------------------------------------------------------------------------------
# base view: BOM, line endings, NFC


def _base_view(raw: str) -> tuple[list[str], list[int]]:
    """Characters of `raw` with BOM dropped, CRLF/CR → LF and NFC, each with its raw offset.

    NFC is applied per cluster (a character and the combining marks after it) so that every output character
    maps to the raw offset of the cluster it came from.
    """
    chars: list[str] = []
    offsets: list[int] = []
    i = 1 if raw.startswith("\ufeff") else 0
    n = len(raw)
    while i < n:
        char = raw[i]
        if char == "\r":
            chars.append("\n")
            offsets.append(i)
            i += 2 if i + 1 < n and raw[i + 1] == "\n" else 1
            continue
        j = i + 1
        while j < n and unicodedata.combining(raw[j]):
            j += 1
        cluster = raw[i:j]
        composed = cluster if cluster.isascii() else unicodedata.normalize("NFC", cluster)
        for out in composed:
            chars.append(out)
            offsets.append(i)
        i = j
    return chars, offsets


# ---------------------------------------------------------------------------------------------------------------
# page analysis


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


@dataclass
class _Line:
    start: int  # index in the base view of the first non-space character
    end: int  # index after the last non-space character
    newline: int  # index in the base view of the line break after the line, -1 at the end
    text: str
    width: float
    blank_before: bool
    kind: BlockKind = "body"
    group: int = -1  # headline group number


@dataclass
class PageBlock:
    """One paragraph of a reflowed page with what the layout analysis saw in it."""

    span: Span  # in SourceText.text
    kind: BlockKind
    width: float  # widest line of the paragraph (printed width)
    lines: int  # number of page lines joined into it
    wide: bool  # set in a wider block than the page's columns (a lead box)


def _split_lines(chars: list[str]) -> list[_Line]:
    lines: list[_Line] = []
    start = 0
    blank = False
    n = len(chars)
    while start <= n:
        stop = start
        while stop < n and chars[stop] != "\n":
            stop += 1
        a, b = start, stop
        while a < b and chars[a].isspace():
            a += 1
        while b > a and chars[b - 1].isspace():
            b -= 1
        if a < b:
            text = "".join(chars[a:b])
            lines.append(_Line(a, b, stop if stop < n else -1, text, width(text), blank))
            blank = False
        else:
            blank = True
        start = stop + 1
    return lines


def looks_like_page(lines: list[str]) -> bool:
    """An OCR'd page: many lines, narrow, most of them short and not ending a sentence (column breaks)."""
    conf = layout()["page"]
    texts = [line.strip() for line in lines if line.strip()]
    if len(texts) < conf["min_lines"]:
        return False
    gaps = sum(1 for a, b in itertools.pairwise(lines) if a.strip() and not b.strip())
    if gaps / len(texts) < conf["min_gap_fraction"]:
        return False
    widths = [width(t) for t in texts]
    median = statistics.median(widths)
    if median > conf["max_median_width"]:
        return False
    in_column = sum(1 for w in widths if abs(w - median) <= conf["near_median"] * median)
    if in_column / len(widths) < conf["min_column_fraction"]:
        return False
    open_short = sum(1 for t, w in zip(texts, widths, strict=True) if w <= conf["short_width"] and not ends_sentence(t))
    return open_short / len(texts) >= conf["min_open_fraction"]


def _classify(lines: list[_Line]) -> None:
    """Mark layout lines (byline, source mark, stray mark) and headline groups."""
    conf = layout()["page"]
    for line in lines:
        if matches("stray", line.text):
            line.kind = "stray"
        elif matches("source_mark", line.text):
            line.kind = "source"
        elif not has_sentence_marks(line.text) and matches("byline", line.text):
            line.kind = "byline"
    median = statistics.median([line.width for line in lines if line.kind == "body"] or [1.0])
    group = 0
    after_end = True
    tail = ""  # running text since the last paragraph end (a source mark may span two lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.kind != "body":
            after_end = True
            tail = ""
            i += 1
            continue
        if after_end and not has_sentence_marks(line.text):
            end = _headline_end(lines, i, median, conf)
            if end is not None:
                for k in range(i, end + 1):
                    lines[k].kind = "headline"
                    lines[k].group = group
                group += 1
                i = end + 1
                after_end = True
                tail = ""
                continue
        tail = (tail + line.text)[-64:]
        after_end = ends_sentence(tail)
        if after_end:
            tail = ""
        i += 1


def _headline_end(lines: list[_Line], i: int, median: float, conf: dict[str, Any]) -> int | None:
    """The last line of a headline starting at line i, or None when lines i.. are running text.

    A headline follows a paragraph end, has no clause punctuation, and is followed by something that cannot
    continue it: the page end, a byline/source/stray line, a paragraph opener or a wider block (a lead box).
    """
    total = 0
    for j in range(i, min(i + conf["max_headline_lines"], len(lines))):
        line = lines[j]
        if line.kind != "body" or has_sentence_marks(line.text) or ends_sentence(line.text):
            return None
        if line.text[-1] in layout()["punctuation"]["open_marks"]:
            return None
        total += len(line.text)
        if total > conf["max_headline_chars"]:
            return None
        nxt = lines[j + 1] if j + 1 < len(lines) else None
        if total < conf["min_headline_chars"]:
            continue
        if (
            nxt is None
            or nxt.kind != "body"
            or matches("paragraph_openers", nxt.text)
            or (line.width < conf["wide_factor"] * median < nxt.width and nxt.width > line.width)
        ):
            return j
        if j > i and _tight_block(lines, i, j, conf):
            return j
    return None


def _tight_block(lines: list[_Line], i: int, j: int, conf: dict[str, Any]) -> bool:
    """Lines i..j are set without gaps between them while the page sets its lines with gaps (a headline block)."""
    gapped = sum(1 for line in lines if line.blank_before) >= conf["gapped_fraction"] * len(lines)
    inside = any(lines[k].blank_before for k in range(i + 1, j + 1))
    before = i == 0 or lines[i].blank_before
    after = j + 1 >= len(lines) or lines[j + 1].blank_before
    return gapped and not inside and before and after


def _joins(para: list[_Line], nxt: _Line, median: float) -> bool:
    """Whether `nxt` continues the paragraph `para` (a column break, not a paragraph end)."""
    prev = para[-1]
    if prev.kind != "body" or nxt.kind != "body":
        return prev.kind == "headline" and nxt.kind == "headline" and prev.group == nxt.group
    if ends_sentence("".join(line.text for line in para[-3:])):
        return False
    return not _widens(prev, nxt, median)


def _widens(prev: _Line, nxt: _Line, median: float) -> bool:
    """`nxt` starts a wider block than the column `prev` is set in (e.g. a lead box after a column)."""
    conf = layout()["page"]
    in_column = prev.width <= conf["column_slack"] * median
    return in_column and nxt.width >= conf["wide_factor"] * median and nxt.width >= conf["wide_factor"] * prev.width


def _reflow(chars: list[str], offsets: list[int]) -> tuple[str, list[int], list[PageBlock]]:
    """Join column-broken lines into paragraphs; paragraphs are separated by one "\\n"."""
    lines = _split_lines(chars)
    _classify(lines)
    median = statistics.median([line.width for line in lines if line.kind == "body"] or [1.0])
    wide = layout()["page"]["wide_factor"]
    out: list[str] = []
    out_offsets: list[int] = []
    blocks: list[PageBlock] = []
    paragraphs: list[list[_Line]] = []
    for line in lines:
        if paragraphs and _joins(paragraphs[-1], line, median):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    prev_newline = -1
    for para in paragraphs:
        if out:
            out.append("\n")
            out_offsets.append(offsets[prev_newline])
        start = len(out)
        for line in para:
            out.extend(chars[line.start : line.end])
            out_offsets.extend(offsets[line.start : line.end])
        prev_newline = para[-1].newline
        widest = max(line.width for line in para)
        is_wide = para[0].kind == "body" and widest >= wide * median
        blocks.append(PageBlock(Span(start, len(out)), para[0].kind, widest, len(para), is_wide))
    return "".join(out), out_offsets, blocks


# ---------------------------------------------------------------------------------------------------------------
# entry points


@cache
def _drop_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in layout()["cleanup"]["drop"])


def _drop_garble(chars: list[str], offsets: list[int]) -> tuple[list[str], list[int]]:
    """Remove what `[cleanup] drop` matches (pinyin garble), keeping each remaining character's raw offset."""
    text = "".join(chars)
    cuts = sorted(m.span() for p in _drop_patterns() for m in p.finditer(text))
    if not cuts:
        return chars, offsets
    keep = [True] * len(chars)
    for a, b in cuts:
        keep[a:b] = [False] * (b - a)
    return [c for c, k in zip(chars, keep, strict=True) if k], [o for o, k in zip(offsets, keep, strict=True) if k]


def normalize(file_name: str, raw: str, sha256: str) -> SourceText:
    """Decode-level normalization of one file; reflow when it is an OCR'd newspaper page."""
    chars, offsets = _drop_garble(*_base_view(raw))
    base = "".join(chars)
    is_page = looks_like_page(base.split("\n"))
    if is_page:
        text, raw_offsets, _ = _reflow(chars, offsets)
    else:
        text, raw_offsets = base, offsets
    raw_offsets = [*raw_offsets, len(raw)]
    return SourceText(
        file_name=file_name,
        raw=raw,
        text=text,
        key=make_key(text),
        raw_offsets=raw_offsets,
        sha256=sha256,
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        is_page=is_page,
    )


def page_blocks(source: SourceText) -> list[PageBlock]:
    """The paragraphs of a reflowed page with their layout kinds (empty for a clean document)."""
    if not source.is_page:
        return []
    chars, offsets = _drop_garble(*_base_view(source.raw))
    text, _, blocks = _reflow(chars, offsets)
    if text != source.text:
        raise ValueError(f"{source.file_name}: text does not come from this normalizer")
    return blocks
