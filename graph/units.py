"""Responsible units as written: what looks like a unit, and how a written list of units splits.

The grammar (unit suffixes, collective patterns, place words, conjunctions, person suffixes and titles, surnames)
lives in `data/units.toml`; the agency lexicon of `lexicon.py` is consulted as well, so a name the lexicon knows
counts even when its suffix is unusual. Everything works on the key view of a text (simplified, ASCII brackets) and
returns spans, so the written form is cut from the text at the same offsets.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

from policykg.graph.model import Span
from policykg.graph.spans import split_top, trim

_TRIM = " \t\n\u3000,;:、。.·"
_SENTENCE_MARKS = "。!?！？"
_CJK = re.compile(r"[\u4e00-\u9fff]")


class Lexicon(Protocol):
    """The part of `recognize.AgencyRecognizer` used here."""

    def is_agency(self, fragment: str) -> bool: ...


@dataclass(frozen=True)
class UnitGrammar:
    suffixes: tuple[str, ...]
    internal: tuple[str, ...]
    not_units: tuple[str, ...]
    not_first: tuple[str, ...]
    collectives: tuple[re.Pattern[str], ...]
    place_term: re.Pattern[str]
    zones: tuple[str, ...]
    separators: str
    conjunctions: tuple[str, ...]
    independent_starts: tuple[str, ...]
    person_suffixes: tuple[str, ...]
    person_titles: tuple[str, ...]
    surnames: frozenset[str]
    standalone: frozenset[str]
    place_endings: tuple[str, ...]
    etc_bare: re.Pattern[str]
    bare_levels: tuple[str, ...]


def _longest(words: list[str]) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=len, reverse=True))


def load_unit_grammar(path: Path | None = None) -> UnitGrammar:
    text = path.read_text("utf-8") if path else resources.files("policykg.graph.data").joinpath(
        "units.toml").read_text("utf-8")
    data = tomllib.loads(text)
    lists = data["lists"]
    return UnitGrammar(
        suffixes=_longest(data["suffixes"]["org"]),
        standalone=frozenset(data["suffixes"]["standalone"]),
        internal=tuple(data["suffixes"]["internal"]),
        not_units=_longest(data["suffixes"]["not_units"]),
        not_first=_longest(data["suffixes"]["not_first"]),
        collectives=tuple(re.compile(p) for p in data["collectives"]["patterns"]),
        place_term=re.compile(data["places"]["term"]),
        zones=_longest(data["places"]["zones"]),
        separators=lists["separators"],
        conjunctions=_longest(lists["conjunctions"]),
        independent_starts=_longest(lists["independent_starts"]),
        person_suffixes=_longest(lists["person_suffixes"]),
        person_titles=_longest(lists["person_titles"]),
        surnames=frozenset(re.sub(r"\s", "", data["people"]["surnames"])),
        place_endings=tuple(data["people"]["place_endings"]),
        etc_bare=re.compile(lists["etc_bare"]),
        bare_levels=tuple(lists["bare_levels"]),
    )


def squeeze(text: str) -> str:
    """A fragment without the spaces and line breaks OCR and table flattening put inside names."""
    return re.sub(r"\s+", "", text).strip(_TRIM)


class UnitReader:
    """Reads units with the grammar and, when given, the agency lexicon."""

    def __init__(self, grammar: UnitGrammar, lexicon: Lexicon | None = None) -> None:
        self.grammar = grammar
        self.lexicon = lexicon

    # -- what a fragment is ----------------------------------------------------------------------------------

    def is_collective(self, fragment: str) -> bool:
        text = squeeze(fragment)
        return any(p.match(text) for p in self.grammar.collectives) and self._plain(text)

    def is_internal(self, fragment: str) -> bool:
        """An internal section (养老服务科): looks like a unit but is a part of one."""
        text = squeeze(fragment)
        return 2 < len(text) <= 12 and text.endswith(self.grammar.internal) and self._plain(text)

    def is_person(self, fragment: str) -> bool:
        """A person's name as tables print it (何滢, 俞 悦, 汪): a surname and at most three more characters."""
        text = squeeze(fragment)
        return (
            1 <= len(text) <= 4
            and bool(_CJK.fullmatch(text[0]))
            and text[0] in self.grammar.surnames
            and all(_CJK.fullmatch(c) for c in text)
            and not (len(text) > 2 and text.endswith(self.grammar.place_endings))
            and not self.looks_like_unit(text)
        )

    def looks_like_unit(self, fragment: str) -> bool:
        """A whole fragment naming one unit: by suffix (局/委/街道/集团…), collective pattern, or the lexicon."""
        text = squeeze(fragment)
        if not 2 <= len(text) <= 32 or not self._plain(text) or not _CJK.search(text):
            return False
        if text.endswith(self.grammar.person_titles):
            return False
        if self.is_collective(text):
            return True
        if re.search(r"\d", text) or text.startswith(self.grammar.not_first):
            return False
        if text.endswith(self.grammar.internal):
            return False
        if any(text.endswith(w) for w in self.grammar.not_units):
            return False
        suffix = next((s for s in self.grammar.suffixes if text.endswith(s)), None)
        if suffix is not None and (len(text) > len(suffix) or text in self.grammar.standalone):
            return True
        return bool(self.lexicon and self.lexicon.is_agency(text))

    def is_place_term(self, fragment: str) -> bool:
        return bool(self.grammar.place_term.match(squeeze(fragment)))

    @staticmethod
    def _plain(text: str) -> bool:
        return not any(mark in text for mark in _SENTENCE_MARKS) and "," not in text and ":" not in text

    # -- lists -----------------------------------------------------------------------------------------------

    def split(self, key: str, span: Span, *, spaces: bool = False) -> list[Span]:
        """The units of a written list, in order: split at separators outside brackets (and at spaces in table
        cells), joined back where several place words share one suffix, split at conjunctions joining two units,
        without what follows 等 at the end (等有关部门) and without person suffixes (主要领导)."""
        separators = self.grammar.separators + (" \n\t\u3000" if spaces else "\n")
        parts = self._join_distributive(key, _split_top(key, span, separators))
        pieces = [piece for part in parts for piece in self._split_conjunctions(key, part)]
        units: list[Span] = []
        for n, piece in enumerate(pieces):
            unit, generic = self._split_etc(key, self._strip_person(key, piece))
            if unit.end > unit.start:
                units.append(unit)
            # "…银保监会等国务院相关部门及各地区": a generic phrase followed by more units is an implementing level
            if generic is not None and n < len(pieces) - 1 and self.looks_like_unit(key[generic.start : generic.end]) \
                    and not self.grammar.etc_bare.match(squeeze(key[generic.start : generic.end])):
                units.append(generic)
        return units

    def _split_etc(self, key: str, span: Span) -> tuple[Span, Span | None]:
        """"A等B" → (A, B); "农业局等" → (农业局, None). 等 inside brackets is left alone."""
        depth = 0
        for i in range(span.start, span.end):
            ch = key[i]
            depth += ch == "("
            depth -= ch == ")" and depth > 0
            if ch == "等" and not depth and i - span.start >= 2:
                rest = _trim(key, Span(i + 1, span.end))
                return _trim(key, Span(span.start, i)), (rest if rest.end > rest.start else None)
        return span, None

    def _join_distributive(self, key: str, parts: list[Span]) -> list[Span]:
        """各县、区人民政府 / 城乡一体化示范区、高新区党工委和管委会: place words sharing the last part's suffix;
        人民大垸、荒湖管理区: short bare names sharing the last part's zone word."""
        out: list[Span] = []
        i = 0
        while i < len(parts):
            j = i
            while j < len(parts) - 1 and self.is_place_term(key[parts[j].start : parts[j].end]):
                j += 1
            if j > i and self._place_with_suffix(key[parts[j].start : parts[j].end]):
                out.append(Span(parts[i].start, parts[j].end))
                i = j + 1
                continue
            j = i
            while j < len(parts) - 1 and self._bare_name(key[parts[j].start : parts[j].end]):
                j += 1
            if j > i and squeeze(key[parts[j].start : parts[j].end]).endswith(self.grammar.zones):
                out.append(Span(parts[i].start, parts[j].end))
                i = j + 1
                continue
            if out and squeeze(key[parts[i].start : parts[i].end]) in self.grammar.bare_levels and \
                    self.is_collective(key[out[-1].start : out[-1].end]):  # 13个街道、镇: the level shares the count
                out[-1] = Span(out[-1].start, parts[i].end)
            else:
                out.append(parts[i])
            i += 1
        return out

    def _bare_name(self, fragment: str) -> bool:
        """A short name with no suffix of its own (人民大垸), not a unit or a place term."""
        text = squeeze(fragment)
        return 2 <= len(text) <= 6 and bool(re.fullmatch(r"[\u4e00-\u9fff]+", text)) and not (
            self.looks_like_unit(text) or self.is_place_term(text))

    def _place_with_suffix(self, text: str) -> bool:
        """'区人民政府(管委会)', '高新区党工委和管委会': a place term followed by an organisation suffix."""
        bare = squeeze(re.sub(r"\([^()]*\)$", "", text))
        for k in range(1, len(bare)):
            head, rest = bare[:k], bare[k:]
            if self.grammar.place_term.match(head) and any(rest.endswith(s) for s in self.grammar.suffixes):
                return not self.is_place_term(bare)
        return False

    def _split_conjunctions(self, key: str, part: Span) -> list[Span]:
        text = key[part.start : part.end]
        depth = 0
        for i, ch in enumerate(text):
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth = max(0, depth - 1)
            if depth:
                continue
            for word in self.grammar.conjunctions:
                if not text.startswith(word, i) or i == 0:
                    continue
                left, right = text[:i], text[i + len(word) :]
                left = left.split("等")[0] if "等" in left[2:] else left
                if (
                    right.startswith(self.grammar.independent_starts)
                    and self.looks_like_unit(right)
                    and self.looks_like_unit(left)
                ):
                    first = _trim(key, Span(part.start, part.start + i))
                    second = _trim(key, Span(part.start + i + len(word), part.end))
                    return [first, *self._split_conjunctions(key, second)]
        return [part]

    def _strip_person(self, key: str, span: Span) -> Span:
        text = key[span.start : span.end]
        for suffix in self.grammar.person_suffixes:
            if text.endswith(suffix) and self.looks_like_unit(text[: -len(suffix)]):
                return _trim(key, Span(span.start, span.end - len(suffix)))
        return span


def _trim(key: str, span: Span) -> Span:
    return trim(key, span, _TRIM)


def _split_top(key: str, span: Span, separators: str) -> list[Span]:
    """Split at separators outside brackets; empty parts dropped, each part trimmed."""
    return split_top(key, span, separators, _TRIM)
