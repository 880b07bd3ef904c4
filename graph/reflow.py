"""Newspaper pages: tell an OCR'd page from a clean text, and undo its column breaks.

A page has many short lines of about the column's width that break sentences. Its lines are classified (body,
headline, byline, source mark, stray mark) and joined into paragraphs; each paragraph becomes a `PageBlock` that
keeps what the analysis saw, so segmentation reads it instead of analysing the page again.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass
from typing import Any

from policykg.graph.lines import ends_sentence, has_sentence_marks, layout, matches, width
from policykg.graph.model import BlockKind, PageBlock, Span


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


def reflow(chars: list[str], offsets: list[int]) -> tuple[str, list[int], list[PageBlock]]:
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
