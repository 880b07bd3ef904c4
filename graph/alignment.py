"""Aligning a table row's pieces to the header's columns.

A piece (a "|" cell, a line, a space-separated token) fits a column by what it looks like against the column's
field: a unit name in a unit column, a date in a deadline column, a person in a 领导 column, a value under a year.
A dynamic programme finds the best assignment where columns never go back within a sub-row, blank columns are
skipped at a cost (merged cells), a unit or text cell may take several pieces, and a piece on a new line may
start a sub-row under merged cells.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from policykg.graph.model import Span
from policykg.graph.units import UnitReader

NUMBER = re.compile(r"^(?:\d{1,3}|[一二三四五六七八九十]{1,3})$")
VALUE = re.compile(r"^[≥≤><=＞＜]?\s*[-—―]?\s*\d+(?:\.\d+)?\s*(?:%|‰|个|张|人|所|万|亿)?$|^[-—―/]$")
SENTENCE = re.compile(r"[。;!?]")
UNIT_FIELDS = ("lead", "co", "list")
_DATE = re.compile(r"(?:(?:19|20)\d{2}年|\d{1,2}月|[上下]半年|年底|年末|季度|底前|月底|持续|长期|常态|全年|\d{1,2}日)")
_PROGRESS = re.compile(r"已|正在|完成率|进度|目前|累计|滞后|推进中|达到时序|序时|\d+(?:\.\d+)?%")
_MARKER = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\))")
_MULTI = {"title", "body", "target", "lead", "co", "list", "person", "progress", "plan", "ignore", "category",
          "deadline", "internal"}
_NEG = -math.inf


@dataclass
class Piece:
    span: Span  # trimmed; empty (start == end) for a blank "|" cell
    text: str  # squeezed key text
    line: int  # index of the line it is on
    gap: int = 1  # spaces before it on its line (space-separated tables: a wide gap is a column boundary)


class Fit:
    """How well a piece fits a column's field (log-odds-like scores)."""

    def __init__(self, units: UnitReader) -> None:
        self.units = units
        self._cache: dict[tuple[str, str], float] = {}

    def __call__(self, text: str, field: str) -> float:
        cached = self._cache.get((text, field))
        if cached is None:
            cached = self._cache[(text, field)] = self._score(text, field)
        return cached

    def _score(self, text: str, field: str) -> float:
        if not text:
            return 0.0 if field != "number" else _NEG
        u = self.units
        unit = u.looks_like_unit(text) or self._unit_list(text)
        person = u.is_person(text)
        long_text = len(text) >= 8
        if field == "number":
            return 3.0 if NUMBER.match(text) else _NEG
        internal = u.is_internal(text)  # 文化宣传股: a section of the unit, printed in its unit cell
        if field in UNIT_FIELDS:
            return 3.0 if unit else (-1.0 if person or internal else -4.0)
        if field == "person":
            if person:
                return 3.0
            return -3.0 if unit or long_text else (1.0 if len(text) == 1 else -1.0)
        if field == "internal":
            return 3.0 if u.is_internal(text) else -2.0
        if field == "phone":
            return 3.0 if re.fullmatch(r"[\d\-—()（）\s]{5,}", text) else -2.0
        if field == "deadline":
            return 3.0 if _DATE.search(text) and len(text) <= 24 else -2.0
        if field in ("year", "baseline", "target"):
            return 3.0 if VALUE.match(text) else (0.5 if field == "target" else -3.0)
        if field == "progress":
            return 2.0 if _PROGRESS.search(text) else 0.5
        if field == "category":
            if _MARKER.match(text):
                return 3.0
            return 1.5 if len(text) <= 16 and not unit and not SENTENCE.search(text) else -1.0
        if field in ("title", "body", "plan"):
            if unit or person or internal or NUMBER.match(text) or VALUE.match(text):
                return -3.0
            if field != "plan" and _PROGRESS.search(text) and re.search(r"^(?:已|目前|正在)", text):
                return -1.0
            if len(text) < 4:
                return 0.5
            if field == "title":
                return 2.0 if len(text) <= 60 else 1.0
            return 2.0 if len(text) >= 15 else 1.0
        return 0.3  # ignore

    def _unit_list(self, text: str) -> bool:
        parts = [text[p.start : p.end] for p in self.units.split(text, Span(0, len(text)))]
        return len(parts) > 1 and all(self.units.looks_like_unit(p) for p in parts)


_SKIP = {"number": -3.0, "title": -2.5, "body": -0.8, "lead": -1.2, "list": -1.2, "co": -0.6}
_CONTINUE = -0.4  # one more piece in the same cell
_SUBROW = -2.0  # start a sub-row


def _continue(piece: Piece, field: str) -> float:
    """The cost of one more piece in the same cell: none for a blank, a bonus for a word's broken-off tail
    (水资源保 护), a penalty after a wide gap (a column boundary). Unit cells often hold one unit per line; a
    second line of text in a text cell is rarer than a sub-row."""
    if not piece.text:
        return 0.0
    if piece.gap >= 2:
        return -0.8
    if len(piece.text) <= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", piece.text):
        return 0.3
    return _CONTINUE if field in UNIT_FIELDS or field == "person" else -1.0


def align(pieces: list[Piece], fields: list[str], fit: Fit, *, multi: bool) -> list[tuple[int, int]] | None:
    """Assign each piece (column, sub-row): columns never go back within a sub-row; returns None if impossible."""
    n, m = len(pieces), len(fields)
    if not n:
        return None

    def skip(a: int, b: int) -> float:  # columns a..b-1 left blank
        return sum(_SKIP.get(fields[c], -0.3) for c in range(a, b))

    # best[i][j]: best score with piece i in column j; back[i][j] = (previous column, new sub-row?)
    best = [[_NEG] * m for _ in range(n)]
    back: list[list[tuple[int, bool]]] = [[(-1, False)] * m for _ in range(n)]
    for j in range(m):
        best[0][j] = skip(0, j) + fit(pieces[0].text, fields[j])
    for i in range(1, n):
        score_of = fit
        for j in range(m):
            here = score_of(pieces[i].text, fields[j])
            if here == _NEG:
                continue
            options: list[tuple[float, int, bool]] = []
            prev = best[i - 1]
            if prev[j] > _NEG and (not pieces[i].text or (multi and fields[j] in _MULTI)):
                options.append((prev[j] + _continue(pieces[i], fields[j]), j, False))
            for k in range(j):
                if prev[k] > _NEG:
                    options.append((prev[k] + skip(k + 1, j), k, False))
            if multi and fields[j] != "number" and pieces[i].line != pieces[i - 1].line:
                for k in range(j, m):  # sub-row (on a new line): back to column j
                    if prev[k] > _NEG:
                        options.append((prev[k] + _SUBROW + skip(k + 1, m) * 0.2, k, True))
            if options:
                score, k, sub = max(options)
                best[i][j] = score + here
                back[i][j] = (k, sub)
    last = max(range(m), key=lambda j: best[n - 1][j] + skip(j + 1, m))
    if best[n - 1][last] == _NEG:
        return None
    out: list[tuple[int, int]] = [(last, 0)] * n
    j = last
    subs: list[bool] = [False] * n
    for i in range(n - 1, -1, -1):
        out[i] = (j, 0)
        k, sub = back[i][j]
        subs[i] = sub
        j = k
    sub_row = 0
    for i in range(n):
        if subs[i]:
            sub_row += 1
        out[i] = (out[i][0], sub_row)
    return out
