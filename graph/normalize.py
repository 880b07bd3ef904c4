"""Normalize a decoded file into a `SourceText`, the document object every later stage reads and adds to.

Clean documents keep their text as written (only line endings, BOM and Unicode NFC are normalized, and garble a
mirror site put in is dropped) so that every quote is the written form. OCR'd newspaper pages are reflowed
(`reflow.py`): column breaks and blank lines are removed, paragraph ends stay as a single "\\n", and the page's
paragraphs become the source's blocks. `key` is a same-length view for pattern matching: simplified characters,
half-width letters and digits, ASCII brackets and separators. Tables drawn with box characters get their wrapped
rows joined (`boxes.py`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache
from typing import Any

from policykg.graph.boxes import join_box_rows
from policykg.graph.lines import layout
from policykg.graph.model import Block, SourceText
from policykg.graph.reflow import looks_like_page, reflow

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
    **{ord(c): "|" for c in "│┃║｜"},
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
    blocks: list[Block] = []
    if is_page:
        text, raw_offsets, page = reflow(chars, offsets)
        blocks = [Block("line", p.span, page=p) for p in page]
    else:
        chars, offsets = join_box_rows(chars, offsets)
        text, raw_offsets = "".join(chars), offsets
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
        blocks=blocks,
    )
