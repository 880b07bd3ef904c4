"""Agency names in text: every way a name can start at a position, and the `AgencyRecognizer` built on it.

This module only knows how Chinese agency names are put together: [pre][place or level marker] + unit form +
suffix, national organs, regulators' local offices, coordination bodies and collectives; the names themselves are
in the `Lexicon`. `hits_at` is shared with the resolver, which reads the same parse to name the agency.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from policykg.graph.lexicon import WS, Lexicon, NationalEntry, RegulatorEntry, UnitEntry, to_key

__all__ = ["AgencyRecognizer"]

# ---------------------------------------------------------------------------------------------------------------
# Parsing agency names: every way a name can start at a position


@dataclass(frozen=True)
class _Place:
    """Where a written unit is: an explicit region (codes, as some names are shared), a level marker, or nothing."""

    kind: str  # "region", "marker", "none"
    codes: tuple[str, ...] = ()
    marker: str = ""


@dataclass(frozen=True)
class Hit:
    """One agency name that starts at a position: where it ends, what kind it is, and the parts it was read from."""

    end: int
    kind: str  # "national", "regulator", "unit", "collective", "coordination", "generic"
    rank: int  # preference among hits of the same length (lower wins)
    national: NationalEntry | None = None
    regulator: RegulatorEntry | None = None
    region_text: str = ""
    region_codes: tuple[str, ...] = ()
    branch: str = ""
    unit: UnitEntry | None = None
    suffix: str = ""
    place: _Place = _Place("none")
    pre: str = ""
    sub_text: str = ""  # a branch in a lower place, as written (德清分局)
    sub_codes: tuple[str, ...] = ()


def _region_chains(lex: Lexicon, text: str, start: int) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Places written at `start`, including chains such as 江西省景德镇市 (the most specific part wins)."""
    by_end: dict[int, list[str]] = {}
    for end, code in lex.region_trie.matches(text, start):
        by_end.setdefault(end, []).append(code)
    for end, codes in by_end.items():
        yield end, tuple(codes)
        for end2, codes2 in _region_chains(lex, text, end):
            inner = tuple(c for c in codes2 if any(lex.is_within(c, outer) and c != outer for outer in codes))
            if inner:
                yield end2, inner


def hits_at(lex: Lexicon, text: str, start: int) -> list[Hit]:
    """Every agency name (except regex collectives) that begins at `start`."""
    hits: list[Hit] = []
    for end, entry in lex.national_trie.matches(text, start):
        hits.append(Hit(end, "national", 1, national=entry))
    for end, form in lex.collective_trie.matches(text, start):
        hits.append(Hit(end, "collective", 3, region_text=form))
    for end, _form in lex.functional_trie.matches(text, start):
        hits.append(Hit(end, "collective", 3))
    # regulators: parent + place + branch, or place + suffix
    for end, reg in lex.regulator_trie.matches(text, start):
        for rend, codes in _region_chains(lex, text, end):
            for written, canonical in reg.branches:
                bend = rend + len(written)
                if text.startswith(written, rend):
                    hits.append(
                        Hit(
                            bend,
                            "regulator",
                            0,
                            regulator=reg,
                            region_text=text[end:rend],
                            region_codes=codes,
                            branch=canonical,
                        )
                    )
    for rend, codes in _region_chains(lex, text, start):
        for send, (reg, canonical) in lex.regulator_suffix_trie.matches(text, rend):
            hits.append(
                Hit(
                    send,
                    "regulator",
                    0,
                    regulator=reg,
                    region_text=text[start:rend],
                    region_codes=codes,
                    branch=canonical,
                )
            )
    # local units: [pre][place] unit
    pre_options: list[tuple[int, str]] = [(start, "")]
    pre_options += [(end, pre) for end, pre in lex.pre_trie.matches(text, start)]
    for after_pre, pre in pre_options:
        places: list[tuple[int, _Place]] = []
        places += [(end, _Place("region", codes)) for end, codes in _region_chains(lex, text, after_pre)]
        for end, marker in lex.marker_trie.matches(text, after_pre):
            if after_pre == 0 or not _ends_word(lex, text, after_pre, marker):
                places.append((end, _Place("marker", marker=marker)))
        if not pre:
            places.append((after_pre, _Place("none")))
        for after_place, place in places:
            for end, (unit, written_suffix) in lex.unit_trie.matches(text, after_place):
                if pre not in unit.pres:
                    continue
                if place.kind == "none" and not unit.bare:
                    continue
                hits.append(Hit(end, "unit", 2, unit=unit, suffix=written_suffix, place=place, pre=pre))
                for rend, code in lex.branch_place_trie.matches(text, end):
                    codes = (code,)
                    for branch in lex.branch_suffixes:
                        if text.startswith(branch, rend):
                            hits.append(
                                Hit(
                                    rend + len(branch),
                                    "unit",
                                    2,
                                    unit=unit,
                                    suffix=written_suffix,
                                    place=place,
                                    pre=pre,
                                    sub_text=text[end:rend] + branch,
                                    sub_codes=codes,
                                )
                            )
        # coordination bodies after a place: 省养老服务工作联席会议
        # (after a bare level word only at a clause start: 各市成立领导小组 names no body)
        clause_start = start == 0 or not ("\u4e00" <= text[start - 1] <= "\u9fff")
        if not pre:
            for after_place, place in places:
                if place.kind == "region" or (place.kind == "marker" and clause_start):
                    hits.extend(_coordination_hits(lex, text, after_place, place))
    return hits


def _coordination_hits(lex: Lexicon, text: str, start: int, place: _Place) -> list[Hit]:
    """A topic of CJK characters ending in 联席会议/领导小组… right at `start` (shortest body wins)."""
    hits: list[Hit] = []
    limit = min(len(text), start + lex.coordination_max_length)
    end = start
    while end < limit and "\u4e00" <= text[end] <= "\u9fff":
        end += 1
    body = text[start:end]
    for ending in lex.coordination_endings:
        pos = body.find(ending)
        if pos >= 2:
            hits.append(
                Hit(start + pos + len(ending), "coordination", 2, place=place, region_text=body[: pos + len(ending)])
            )
    return hits


_CJK = re.compile(r"[\u4e00-\u9fff]+")


def generic_hits(lex: Lexicon, key: str) -> list[Hit]:
    """The whole key read as [place] + short name + a usual ending (省大数据中心): unit-shaped but not in the data."""
    hits: list[Hit] = []
    places: list[tuple[int, _Place]] = [(end, _Place("region", codes)) for end, codes in _region_chains(lex, key, 0)]
    places += [(end, _Place("marker", marker=m)) for end, m in lex.marker_trie.matches(key, 0)]
    for after, place in places:
        body = key[after:]
        if not (2 <= len(body) <= lex.generic_max_length) or not _CJK.fullmatch(body):
            continue
        if body.startswith(lex.generic_not_first):
            continue
        ending = next((e for e in lex.generic_endings if body.endswith(e) and len(body) > len(e)), None)
        if ending is not None:
            hits.append(Hit(len(key), "generic", 4, place=place, region_text=body))
    return hits


def national_coordination(lex: Lexicon, key: str) -> bool:
    """A whole key naming a national coordination body (养老服务部际联席会议)."""
    return (
        bool(_CJK.fullmatch(key))
        and len(key) <= lex.coordination_max_length
        and key.endswith(lex.coordination_endings)
        and any(mark in key for mark in lex.coordination_national)
    )


def _ends_word(lex: Lexicon, text: str, start: int, marker: str) -> bool:
    """Whether the marker at `start` ends a word that names no place (社区, 城市): 社区党委 is not 区党委."""
    return any(
        text.startswith(word, start + len(marker) - len(word))
        for word in lex.not_place_words
        if word.endswith(marker) and start + len(marker) - len(word) >= 0
    )


def _regex_collectives(lex: Lexicon, text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in lex.each_re.finditer(text)]
    for pattern in lex.collective_patterns:
        spans += [(m.start(), m.end()) for m in pattern.finditer(text)]
    return spans


def is_regex_collective(lex: Lexicon, key: str) -> bool:
    """Whether the whole key is a collective written by pattern (各县(市、区)民政局, or a `collective.patterns` one)."""
    return bool(lex.each_re.fullmatch(key)) or any(p.fullmatch(key) for p in lex.collective_patterns)


# ---------------------------------------------------------------------------------------------------------------
# Recogniser


class AgencyRecognizer:
    """Finds agency-name mentions in running text (the key view) and tells whether a fragment is one."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def find(self, text: str) -> list[tuple[int, int]]:
        """Spans [start, end) of agency mentions, leftmost-longest and not overlapping, in text order."""
        key = to_key(text)
        best: dict[int, int] = {}
        for start, end in _regex_collectives(self.lexicon, key):
            best[start] = max(best.get(start, start), end)
        starts = self.lexicon.name_starts
        for i, ch in enumerate(key):
            if ch not in starts:  # no name begins with it (nor with a space)
                continue
            hits = hits_at(self.lexicon, key, i)
            if hits:
                end = max(h.end for h in hits)
                best[i] = max(best.get(i, i), end)
        spans: list[tuple[int, int]] = []
        pos = 0
        for start in sorted(best):
            end = best[start]
            if start < pos or end <= start:
                continue
            # a longer mention starting inside this one (e.g. 市 + 市场监管局) is preferred only if it ends later
            spans.append((start, end))
            pos = end
        return spans

    def is_agency(self, fragment: str) -> bool:
        """Whether the whole fragment (e.g. one item of 省民政厅、省统计局) is one agency name."""
        key = WS.sub("", to_key(fragment)).strip(" ,;:、。")
        if not key:
            return False
        if is_regex_collective(self.lexicon, key):
            return True
        lex = self.lexicon
        if any(h.end == len(key) for h in hits_at(lex, key, 0)):
            return True
        return bool(generic_hits(lex, key)) or national_coordination(lex, key)
