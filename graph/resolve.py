"""Agencies and jurisdictions: recognise agency names in text and resolve them to one entity per real agency.

All knowledge (regions, agency names, abbreviations, collective agents) is read from `graph/data`; this module
only knows how Chinese agency names are put together: [pre][place or level marker] + unit form + suffix.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, cast

from policykg.graph.model import Agency, Jurisdiction, Level

__all__ = [
    "UNKNOWN_JURISDICTION",
    "AgencyRecognizer",
    "Lexicon",
    "Region",
    "Resolver",
    "find_jurisdiction",
    "load_lexicon",
    "to_key",
]

COUNTRY_CODE = "100000"
# Used when neither the mention nor the document tells where an agency belongs.
UNKNOWN_JURISDICTION = Jurisdiction(code="000000", name="未知", short="未知", level="unknown")

# One-to-one character folds so that offsets in the folded text equal offsets in the input.
_FOLD = str.maketrans("（）〔〕［］[]【】﹝﹞｛｝{}：；，\u3000", "()" * 8 + ":;, ")
_WS = re.compile(r"\s+")
_LEVEL_MARKERS = ("省", "市", "县", "区", "州", "自治区", "自治州", "自治县", "盟", "旗", "特区")


def to_key(text: str, *, simplify: bool = False) -> str:
    """Fold brackets and punctuation like the pipeline's key view; optionally convert traditional to simplified.

    The fold is one character for one character, so offsets are kept unless `simplify` is set.
    """
    folded = text.translate(_FOLD)
    if simplify:
        folded = _t2s(folded)
    return folded


def _t2s_converter() -> Callable[[str], str]:
    """Traditional → simplified with OpenCC (a project dependency); identity when it is missing."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a declared dependency
        return lambda text: text
    converter = opencc.OpenCC("t2s")
    return lambda text: str(converter.convert(text))


def _t2s(text: str) -> str:
    return _t2s_converter()(text)


def _full_width_brackets(text: str) -> str:
    return text.replace("(", "（").replace(")", "）")


# ---------------------------------------------------------------------------------------------------------------
# Lexicon


@dataclass(frozen=True)
class Region:
    """One GB/T 2260 division."""

    code: str
    name: str
    short: str
    level: Level
    parent: str  # "" for the country


@dataclass(frozen=True)
class NationalEntry:
    name: str
    kind: str
    forms: tuple[str, ...]


@dataclass(frozen=True)
class UnitEntry:
    """A kind of local unit: 卫生健康委员会, 人力资源和社会保障厅/局, 中共X委组织部 …"""

    name: str
    provincial: str  # name at provincial level ("" when the same)
    forms: tuple[str, ...]
    suffixes: tuple[tuple[str, str], ...]  # (written suffix, canonical suffix)
    kind: str
    template: str
    bare: bool  # may be written without place or level marker
    pres: tuple[str, ...]  # allowed words before the place ("" = none)


@dataclass(frozen=True)
class RegulatorEntry:
    """A vertically managed national organ with local offices named after their place."""

    name: str
    forms: tuple[str, ...]
    branches: tuple[tuple[str, str], ...]
    region_suffix: tuple[tuple[str, str], ...]


class _Trie:
    """Character trie giving every stored key that starts at a position (whitespace inside a key is skipped)."""

    _END = "\0"

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}

    def add(self, key: str, value: Any) -> None:
        if not key:
            return
        node = self.root
        for ch in key:
            node = node.setdefault(ch, {})
        node.setdefault(self._END, []).append(value)

    def matches(self, text: str, start: int, limit: int | None = None) -> Iterator[tuple[int, Any]]:
        """Yield (end, value) for every key matching text[start:end], shortest first."""
        end_limit = len(text) if limit is None else min(limit, len(text))
        node = self.root
        i = start
        while i < end_limit:
            ch = text[i]
            if ch.isspace() and i > start:
                i += 1
                continue
            nxt = node.get(ch)
            if nxt is None:
                return
            node = nxt
            i += 1
            for value in node.get(self._END, ()):
                yield i, value


@dataclass
class Lexicon:
    """Everything resolve needs to know, loaded from the data files; callers hold it (nothing is global)."""

    regions: dict[str, Region]
    national: list[NationalEntry]
    units: list[UnitEntry]
    regulators: list[RegulatorEntry]
    collective_forms: frozenset[str]
    collective_patterns: list[re.Pattern[str]]
    each_prefixes: tuple[str, ...]
    each_tokens: tuple[str, ...]
    collective_heads: tuple[str, ...]
    functional_stems: tuple[str, ...]
    functional_heads: tuple[str, ...]
    functional_qualifiers: tuple[str, ...]
    branch_suffixes: tuple[str, ...]
    not_place_words: frozenset[str]
    generic_endings: tuple[str, ...]
    generic_max_length: int
    generic_not_first: tuple[str, ...]
    coordination_endings: tuple[str, ...]
    coordination_national: tuple[str, ...]
    coordination_max_length: int
    coordination_kind: str
    national_issuers: tuple[str, ...]
    issue_verbs: tuple[str, ...]
    datelines: tuple[str, ...]
    level_hints: dict[str, tuple[str, ...]]
    doc_number_provinces: dict[str, str]
    doc_number_national: tuple[str, ...]
    # indexes, built in __post_init__
    region_trie: _Trie = field(init=False, repr=False)
    branch_place_trie: _Trie = field(init=False, repr=False)
    jurisdiction_trie: _Trie = field(init=False, repr=False)
    national_trie: _Trie = field(init=False, repr=False)
    unit_trie: _Trie = field(init=False, repr=False)
    pre_trie: _Trie = field(init=False, repr=False)
    marker_trie: _Trie = field(init=False, repr=False)
    regulator_trie: _Trie = field(init=False, repr=False)
    regulator_suffix_trie: _Trie = field(init=False, repr=False)
    collective_trie: _Trie = field(init=False, repr=False)
    functional_trie: _Trie = field(init=False, repr=False)
    each_re: re.Pattern[str] = field(init=False, repr=False)
    issuer_list_re: re.Pattern[str] = field(init=False, repr=False)  # national issuers, 、-joined
    issuing_re: re.Pattern[str] = field(init=False, repr=False)  # …followed by an issuing verb

    def __post_init__(self) -> None:
        self.region_trie = _Trie()
        self.branch_place_trie = _Trie()  # places of branch offices may be short county names (德清分局)
        self.jurisdiction_trie = _Trie()
        for region in self.regions.values():
            for form in self.region_forms(region):
                self.region_trie.add(form, region.code)
            for form in {region.name, region.short} - {""}:
                if region.level != "national" and len(form) >= 2:
                    self.branch_place_trie.add(form, region.code)
            for form in self._jurisdiction_forms(region):
                self.jurisdiction_trie.add(form, region.code)
        self.national_trie = _Trie()
        for entry in self.national:
            for form in {entry.name, *entry.forms}:
                self.national_trie.add(form, entry)
        self.unit_trie = _Trie()
        pres: set[str] = set()
        for unit in self.units:
            pres.update(p for p in unit.pres if p)
            for form in unit.forms:
                for written, _canonical in unit.suffixes:
                    self.unit_trie.add(form + written, (unit, written))
        self.pre_trie = _Trie()
        for pre in pres:
            self.pre_trie.add(pre, pre)
        self.marker_trie = _Trie()
        for marker in _LEVEL_MARKERS:
            self.marker_trie.add(marker, marker)
        self.regulator_trie = _Trie()
        self.regulator_suffix_trie = _Trie()
        for reg in self.regulators:
            for form in {reg.name, *reg.forms}:
                self.regulator_trie.add(form, reg)
            for written, canonical in reg.region_suffix:
                self.regulator_suffix_trie.add(written, (reg, canonical))
        self.collective_trie = _Trie()
        for form in self.collective_forms:
            self.collective_trie.add(form, form)
        self.functional_trie = _Trie()
        stems = set(self.functional_stems)
        for unit in self.units:
            if unit.kind == "department" and unit.bare and unit.suffixes != (("", ""),):
                stems.update(unit.forms)
        for stem in stems:
            for head in self.functional_heads:
                for qualifier in ("", *self.functional_qualifiers):
                    self.functional_trie.add(qualifier + stem + head, stem + head)
        self.each_re = self._build_each_re(stems)
        issuers = set(self.national_issuers) | {f for e in self.national for f in (e.name, *e.forms)}
        issuer_alt = "|".join(re.escape(x) for x in sorted(issuers, key=len, reverse=True))
        issuer_list = rf"(?:{issuer_alt})(?:[、和,\s]?(?:{issuer_alt}))*"
        verbs = "|".join(re.escape(v) for v in sorted(self.issue_verbs, key=len, reverse=True))
        self.issuer_list_re = re.compile(rf"\s*({issuer_list})")
        self.issuing_re = re.compile(rf"{issuer_list}\s*(?:{verbs})")

    def _build_each_re(self, stems: Iterable[str]) -> re.Pattern[str]:
        """各 + places/qualifiers + (a local unit | [functional stem] + head): 各县(市、区)民政局, 各级民政部门."""

        def alt(items: Iterable[str]) -> str:
            return "|".join(re.escape(x) for x in sorted(set(items), key=len, reverse=True) if x)

        unit_forms = {form + written for unit in self.units for form in unit.forms for written, _ in unit.suffixes}
        unit_forms = {f for f in unit_forms if len(f) >= 2}
        token = rf"(?:{alt(self.each_tokens)}|\([^()]{{0,14}}\)|、(?=[县区乡镇市州自盟旗特省直]))"
        tail = rf"(?:(?:{alt(stems)})?(?:{alt(self.collective_heads)})|(?:{alt(unit_forms)}))"
        prefix = rf"(?:{alt(self.each_prefixes)})?"
        # also without 各 when a level word carries a bracketed list: 县(市、区、特区)人民政府, 市(州)民政部门
        listed = rf"(?:{alt(_LEVEL_MARKERS)})\([^()]{{1,14}}\)"
        return re.compile(rf"{prefix}各{token}*?{tail}|{listed}{token}*?{tail}")

    # -- regions -------------------------------------------------------------------------------------------------

    def region_forms(self, region: Region) -> set[str]:
        """Names a place is written with before an agency name (全称, 简称; 黔东南 for 黔东南州)."""
        forms = {region.name}
        if region.level in ("provincial", "municipal"):
            forms.add(region.short)
            if region.level == "municipal" and region.short.endswith(("州", "盟")) and len(region.short) >= 3:
                forms.add(region.short[:-1])
        return {f for f in forms if f and region.level != "national"}

    def _jurisdiction_forms(self, region: Region) -> set[str]:
        """Names that are a strong enough signal to tell a document's place (no short county names)."""
        forms = {region.name}
        if region.level == "provincial" or (region.level == "municipal" and len(region.short) >= 3):
            forms.add(region.short)
        if region.level == "municipal" and region.short.endswith("州") and len(region.short) >= 4:
            forms.add(region.short[:-1])
        return {f for f in forms if f and region.level != "national"}

    def jurisdiction(self, code: str) -> Jurisdiction:
        """The model object for a region code."""
        region = self.regions[code]
        return Jurisdiction(code=region.code, name=region.name, short=region.short, level=region.level)

    @property
    def country(self) -> Jurisdiction:
        return self.jurisdiction(COUNTRY_CODE)

    def ancestors(self, code: str) -> list[Region]:
        """The region and its ancestors, nearest first (the country last)."""
        chain: list[Region] = []
        seen: set[str] = set()
        while code and code in self.regions and code not in seen:
            seen.add(code)
            region = self.regions[code]
            chain.append(region)
            code = region.parent
        return chain

    def is_within(self, code: str, ancestor: str) -> bool:
        return any(r.code == ancestor for r in self.ancestors(code))

    def province_of(self, code: str) -> Region | None:
        return next((r for r in self.ancestors(code) if r.level == "provincial"), None)


def _read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def load_lexicon(data_dir: Path | None = None) -> Lexicon:
    """Read regions.csv, agencies.toml and jurisdiction.toml (default: the installed policykg.graph.data)."""
    if data_dir is None:
        data_dir = Path(str(resources.files("policykg.graph.data")))
    regions: dict[str, Region] = {}
    with (data_dir / "regions.csv").open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            level = cast(Level, row["level"])
            regions[row["code"]] = Region(row["code"], row["name"], row["short"], level, row["parent"])
    agencies = _read_toml(data_dir / "agencies.toml")
    places = _read_toml(data_dir / "jurisdiction.toml")
    suffix_groups: dict[str, dict[str, str]] = agencies["suffixes"]
    national = [NationalEntry(e["name"], e["kind"], tuple(e["forms"])) for e in agencies.get("national", [])]
    units: list[UnitEntry] = []
    for e in agencies.get("unit", []):
        pres = tuple(e.get("pre", ()))
        if not e.get("pre_only", False):
            pres = ("", *pres)
        units.append(
            UnitEntry(
                name=e["name"],
                provincial=e.get("provincial", ""),
                forms=tuple(e["forms"]),
                suffixes=tuple(suffix_groups[e.get("suffix", "bureau")].items()),
                kind=e["kind"],
                template=e.get("template", "{place}{unit}"),
                bare=e.get("bare", True),
                pres=pres,
            )
        )
    regulators = [
        RegulatorEntry(
            e["name"], tuple(e["forms"]), tuple(e["branches"].items()), tuple(e.get("region_suffix", {}).items())
        )
        for e in agencies.get("regulator", [])
    ]
    coll = agencies["collective"]
    nat = places["national"]
    return Lexicon(
        regions=regions,
        national=national,
        units=units,
        regulators=regulators,
        collective_forms=frozenset(coll["forms"]),
        collective_patterns=[re.compile(p) for p in coll.get("patterns", [])],
        each_prefixes=tuple(coll.get("each_prefixes", ())),
        each_tokens=tuple(coll.get("each_tokens", ())),
        collective_heads=tuple(coll.get("heads", ())),
        functional_stems=tuple(coll.get("functional_stems", ())),
        functional_heads=tuple(coll.get("functional_heads", ())),
        functional_qualifiers=tuple(coll.get("functional_qualifiers", ())),
        branch_suffixes=tuple(agencies.get("branch", {}).get("suffixes", ())),
        not_place_words=frozenset(agencies.get("markers", {}).get("not_place_words", ())),
        generic_endings=tuple(agencies.get("generic", {}).get("endings", ())),
        generic_max_length=int(agencies.get("generic", {}).get("max_length", 14)),
        generic_not_first=tuple(agencies.get("generic", {}).get("not_first", ())),
        coordination_endings=tuple(agencies.get("coordination", {}).get("endings", ())),
        coordination_national=tuple(agencies.get("coordination", {}).get("national_marks", ())),
        coordination_max_length=int(agencies.get("coordination", {}).get("max_length", 16)),
        coordination_kind=str(agencies.get("coordination", {}).get("kind", "department")),
        national_issuers=tuple(nat.get("issuers", ())),
        issue_verbs=tuple(nat.get("issue_verbs", ())),
        datelines=tuple(nat.get("datelines", ())),
        level_hints={k: tuple(v) for k, v in places.get("level_hints", {}).items()},
        doc_number_provinces=dict(places.get("doc_number", {}).get("provinces", {})),
        doc_number_national=tuple(places.get("doc_number", {}).get("national_prefixes", ())),
    )


# ---------------------------------------------------------------------------------------------------------------
# Parsing agency names: every way a name can start at a position


@dataclass(frozen=True)
class _Place:
    """Where a written unit is: an explicit region (codes, as some names are shared), a level marker, or nothing."""

    kind: str  # "region", "marker", "none"
    codes: tuple[str, ...] = ()
    marker: str = ""


@dataclass(frozen=True)
class _Hit:
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


def _hits_at(lex: Lexicon, text: str, start: int) -> list[_Hit]:
    """Every agency name (except regex collectives) that begins at `start`."""
    hits: list[_Hit] = []
    for end, entry in lex.national_trie.matches(text, start):
        hits.append(_Hit(end, "national", 1, national=entry))
    for end, form in lex.collective_trie.matches(text, start):
        hits.append(_Hit(end, "collective", 3, region_text=form))
    for end, _form in lex.functional_trie.matches(text, start):
        hits.append(_Hit(end, "collective", 3))
    # regulators: parent + place + branch, or place + suffix
    for end, reg in lex.regulator_trie.matches(text, start):
        for rend, codes in _region_chains(lex, text, end):
            for written, canonical in reg.branches:
                bend = rend + len(written)
                if text.startswith(written, rend):
                    hits.append(
                        _Hit(
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
                _Hit(
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
                hits.append(_Hit(end, "unit", 2, unit=unit, suffix=written_suffix, place=place, pre=pre))
                for rend, code in lex.branch_place_trie.matches(text, end):
                    codes = (code,)
                    for branch in lex.branch_suffixes:
                        if text.startswith(branch, rend):
                            hits.append(
                                _Hit(
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


def _coordination_hits(lex: Lexicon, text: str, start: int, place: _Place) -> list[_Hit]:
    """A topic of CJK characters ending in 联席会议/领导小组… right at `start` (shortest body wins)."""
    hits: list[_Hit] = []
    limit = min(len(text), start + lex.coordination_max_length)
    end = start
    while end < limit and "\u4e00" <= text[end] <= "\u9fff":
        end += 1
    body = text[start:end]
    for ending in lex.coordination_endings:
        pos = body.find(ending)
        if pos >= 2:
            hits.append(
                _Hit(start + pos + len(ending), "coordination", 2, place=place, region_text=body[: pos + len(ending)])
            )
    return hits


_CJK = re.compile(r"[\u4e00-\u9fff]+")


def _generic_hits(lex: Lexicon, key: str) -> list[_Hit]:
    """The whole key read as [place] + short name + a usual ending (省大数据中心): unit-shaped but not in the data."""
    hits: list[_Hit] = []
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
            hits.append(_Hit(len(key), "generic", 4, place=place, region_text=body))
    return hits


def _national_coordination(lex: Lexicon, key: str) -> bool:
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


def _is_regex_collective(lex: Lexicon, key: str) -> bool:
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
        for i, ch in enumerate(key):
            if ch.isspace():
                continue
            hits = _hits_at(self.lexicon, key, i)
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
        key = _WS.sub("", to_key(fragment)).strip(" ,;:、。")
        if not key:
            return False
        if _is_regex_collective(self.lexicon, key):
            return True
        lex = self.lexicon
        if any(h.end == len(key) for h in _hits_at(lex, key, 0)):
            return True
        return bool(_generic_hits(lex, key)) or _national_coordination(lex, key)


# ---------------------------------------------------------------------------------------------------------------
# Jurisdiction of a document

_HEAD = 600
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,8})\((?:19|20)\d{2}\)\d+号")
_CITING = ("贯彻", "落实", "按照", "根据", "依据", "对照", "精神", "部署", "《", "〈")


@dataclass(frozen=True)
class _Signal:
    start: int
    end: int
    code: str  # region code or COUNTRY_CODE


def _region_signals(lex: Lexicon, text: str) -> list[_Signal]:
    """Leftmost-longest place names in text (one signal per name; ambiguous names give one per candidate)."""
    signals: list[_Signal] = []
    i = 0
    while i < len(text):
        found = list(lex.jurisdiction_trie.matches(text, i))
        if not found:
            i += 1
            continue
        end = max(e for e, _ in found)
        signals += [_Signal(i, end, code) for e, code in found if e == end]
        i = end
    return signals


def _national_signals(lex: Lexicon, text: str) -> list[_Signal]:
    """National issuers shown issuing (中共中央办公厅、国务院办公厅印发…) or a national news dateline."""
    signals: list[_Signal] = []
    for dateline in lex.datelines:
        pos = text.find(dateline)
        if pos >= 0:
            signals.append(_Signal(pos, pos + len(dateline), COUNTRY_CODE))
    for m in lex.issuing_re.finditer(text):
        before = text[max(0, m.start() - 8) : m.start()]
        if any(c in before for c in _CITING):
            continue
        signals.append(_Signal(m.start(), m.end(), COUNTRY_CODE))
    # a text that begins with national organs is issued by them (民政部关于…, or an issuer name alone)
    lead = lex.issuer_list_re.match(text)
    if lead and not any(True for _ in lex.jurisdiction_trie.matches(text, lead.end(1))):  # not 人民银行贵州省分行
        signals.append(_Signal(lead.start(1), lead.end(1), COUNTRY_CODE))
    # the country's own name, unless it is part of a cited title (《中华人民共和国老年人权益保障法》)
    country = lex.regions.get(COUNTRY_CODE)
    if country is not None:
        for m in re.finditer(re.escape(country.name), text):
            if m.start() == 0 or text[m.start() - 1] not in "《〈":
                signals.append(_Signal(m.start(), m.end(), COUNTRY_CODE))
    return signals


def _level_hint(lex: Lexicon, text: str) -> Level | None:
    """The level named by words such as 我市/全省, the earliest one in the text."""
    best: tuple[int, Level] | None = None
    for level, words in lex.level_hints.items():
        for word in words:
            pos = text.find(word)
            if pos >= 0 and (best is None or pos < best[0]):
                best = (pos, level)  # type: ignore[assignment]
    return best[1] if best else None


_LEVEL_RANK: dict[str, int] = {"national": 0, "provincial": 1, "municipal": 2, "county": 3, "unknown": 9}


def find_jurisdiction(text: str, lexicon: Lexicon) -> Jurisdiction | None:
    """The jurisdiction a document belongs to, from its title, issuer and opening text.

    The earliest strong signal in the head (a place name, or a national issuer shown issuing) wins; a place named
    right after it that lies inside it (江西省景德镇市) makes it more specific, and so does a level word (结合我市实际)
    together with a place of that level inside it anywhere in the text.
    """
    lex = lexicon
    key = to_key(text)
    head = key[:_HEAD]
    hint = _level_hint(lex, head)
    signals = sorted(_region_signals(lex, head) + _national_signals(lex, head), key=lambda s: (s.start, -s.end))
    if hint is not None:  # a document speaking of 我省/我市 is not the national one it cites
        signals = [s for s in signals if s.code != COUNTRY_CODE]
    if not signals:
        signals = _region_signals(lex, key)
    if not signals:
        return _doc_number_jurisdiction(lex, head)
    first = signals[0]
    if first.code == COUNTRY_CODE:
        return lex.country
    # ambiguous names: prefer a candidate consistent with the other signals
    candidates = [s for s in signals if s.start == first.start]
    others = [s.code for s in signals if s.start != first.start]
    chosen = max(candidates, key=lambda s: sum(lex.is_within(o, s.code) or lex.is_within(s.code, o) for o in others))
    code = chosen.code
    # chain: a place named right after it and inside it
    pos = chosen.end
    for s in signals:
        if s.start == pos and s.code != code and lex.is_within(s.code, code):
            code, pos = s.code, s.end
    # level word: find a place of that level inside the chosen one, anywhere in the text
    if hint is not None and _LEVEL_RANK[hint] > _LEVEL_RANK[lex.regions[code].level]:
        inner = [
            s for s in _region_signals(lex, key) if lex.regions[s.code].level == hint and lex.is_within(s.code, code)
        ]
        if inner:
            code = inner[0].code
    return lex.jurisdiction(code)


def _doc_number_jurisdiction(lex: Lexicon, head: str) -> Jurisdiction | None:
    """Fallback: the province abbreviation of a document number (黔府办发〔2023〕21号)."""
    for m in _DOC_NUMBER.finditer(head):
        word = m.group(1)
        for prefix in lex.doc_number_national:
            if word.endswith(prefix):
                return lex.country
        for start in range(len(word)):
            code = lex.doc_number_provinces.get(word[start])
            if code and code in lex.regions:
                return lex.jurisdiction(code)
    return None


# ---------------------------------------------------------------------------------------------------------------
# Resolver


class Resolver:
    """Turns written agency names into shared `Agency` entities: one per real agency per jurisdiction."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._agencies: dict[str, Agency] = {}
        self._simplify: Callable[[str], str] | None = None  # made on first use: OpenCC is slow to start

    def agencies(self) -> list[Agency]:
        """Every agency resolved so far, sorted by key."""
        return [self._agencies[k] for k in sorted(self._agencies)]

    def resolve(self, written: str, jurisdiction: Jurisdiction | None, key: str | None = None) -> Agency:
        """The agency a written form names in a document of `jurisdiction`; the written form becomes an alias.

        `key` is the simplified match form of `written` (from SourceText.key); without it the written form is
        folded and converted from traditional characters here.
        """
        if key is not None:
            match_key = to_key(key)
        else:
            if self._simplify is None:
                self._simplify = _t2s_converter()
            match_key = self._simplify(to_key(written))
        match_key = _WS.sub("", match_key).strip(",;:、。")
        name, kind, place, resolved = self._interpret(match_key, jurisdiction)
        agency_key = f"{place.code}/{name}"
        agency = self._agencies.get(agency_key)
        if agency is None:
            agency = Agency(key=agency_key, name=name, jurisdiction=place, kind=kind, resolved=resolved)
            self._agencies[agency_key] = agency
        agency.aliases.add(_WS.sub("", written))  # line breaks of a reflowed page are no part of the name
        return agency

    # -- interpretation ------------------------------------------------------------------------------------------

    def _interpret(self, key: str, doc: Jurisdiction | None) -> tuple[str, str, Jurisdiction, bool]:
        """(canonical name, kind, jurisdiction, resolved) for a key form."""
        lex = self.lexicon
        doc_place = doc if doc is not None else UNKNOWN_JURISDICTION
        collective = (_full_width_brackets(key), "collective", doc_place, True)
        unknown = (_full_width_brackets(key), "unknown", doc_place, False)
        if not key:
            return unknown
        hits = sorted((h for h in _hits_at(lex, key, 0) if h.end == len(key)), key=lambda h: h.rank)
        for hit in hits:
            result = self._from_hit(hit, key, doc)
            if result is not None:
                return result
        if _is_regex_collective(lex, key):
            return collective
        national_body = _national_coordination(lex, key)
        if national_body:
            return key, lex.coordination_kind, lex.country, True
        for hit in _generic_hits(lex, key):
            region = self._unit_region(hit, doc)
            if region is not None:
                return f"{region.name}{hit.region_text}", "unknown", lex.jurisdiction(region.code), False
        return unknown

    def _from_hit(self, hit: _Hit, key: str, doc: Jurisdiction | None) -> tuple[str, str, Jurisdiction, bool] | None:
        lex = self.lexicon
        doc_place = doc if doc is not None else UNKNOWN_JURISDICTION
        if hit.kind == "national" and hit.national is not None:
            return hit.national.name, hit.national.kind, lex.country, True
        if hit.kind == "collective":
            return _full_width_brackets(key), "collective", doc_place, True
        if hit.kind == "regulator" and hit.regulator is not None:
            code = self._pick_code(hit.region_codes, doc)
            name = f"{hit.regulator.name}{hit.region_text}{hit.branch}"
            return name, "regulator", lex.jurisdiction(code), True
        if hit.kind == "coordination":
            region = self._unit_region(hit, doc)
            if region is None:
                return None
            return f"{region.name}{hit.region_text}", lex.coordination_kind, lex.jurisdiction(region.code), True
        if hit.kind == "unit" and hit.unit is not None:
            region = self._unit_region(hit, doc)
            if region is None:
                if doc is None:
                    return None
                return _full_width_brackets(key), "collective", doc_place, True
            name = self._unit_name(hit, region) + hit.sub_text
            if hit.sub_codes:
                return name, hit.unit.kind, lex.jurisdiction(self._pick_code(hit.sub_codes, doc)), True
            return name, hit.unit.kind, lex.jurisdiction(region.code), True
        return None

    def _pick_code(self, codes: tuple[str, ...], doc: Jurisdiction | None) -> str:
        """Among regions sharing a name, the one inside the document's place, else in its province, else first."""
        lex = self.lexicon
        if doc is not None and doc.code in lex.regions:
            for code in codes:
                if lex.is_within(code, doc.code) or lex.is_within(doc.code, code):
                    return code
            province = lex.province_of(doc.code)
            if province is not None:
                for code in codes:
                    if lex.is_within(code, province.code):
                        return code
        return sorted(codes)[0]

    def _unit_region(self, hit: _Hit, doc: Jurisdiction | None) -> Region | None:
        """The region a local unit belongs to: explicit place, level marker relative to the document, or the
        document itself (a 厅 written without a place in a city document is the province's)."""
        lex = self.lexicon
        if hit.place.kind == "region":
            return lex.regions[self._pick_code(hit.place.codes, doc)]
        if doc is None or doc.code not in lex.regions:
            return None
        chain = lex.ancestors(doc.code)
        if hit.place.kind == "none":
            if doc.level == "national":
                return None
            if hit.suffix == "厅":
                return next((r for r in chain if r.level == "provincial"), None)
            return chain[0]
        marker = hit.place.marker
        if marker in ("省", "自治区"):
            province = next((r for r in chain if r.level == "provincial"), None)
            return province if province is not None and province.name.endswith(marker) else None
        endings = {
            "市": ("市",),
            "州": ("州",),
            "自治州": ("自治州",),
            "县": ("县",),
            "自治县": ("自治县",),
            "区": ("区",),
            "盟": ("盟",),
            "旗": ("旗",),
            "特区": ("特区",),
        }[marker]
        if marker in ("县", "自治县", "区", "旗", "特区"):
            return chain[0] if chain[0].level == "county" and chain[0].name.endswith(endings) else None
        return next((r for r in chain if r.level != "national" and r.name.endswith(endings)), None)

    def _unit_name(self, hit: _Hit, region: Region) -> str:
        unit = hit.unit
        assert unit is not None
        base = unit.provincial if unit.provincial and region.level == "provincial" else unit.name
        canonical_suffix = dict(unit.suffixes).get(hit.suffix, hit.suffix)
        party_place = region.short if region.name.endswith("自治州") else region.name
        return unit.template.format(place=region.name, party_place=party_place, unit=base + canonical_suffix)
