"""The agency lexicon: regions (GB/T 2260), agency names and abbreviations, collective agents, read from data.

All knowledge is read from `graph/data` (regions.csv, agencies.toml, jurisdiction.toml) into one `Lexicon` with
its tries, which callers hold (nothing is global); the recognizer, the jurisdiction finder and the resolver all
read it. `to_key` is the one-to-one fold the lexicon is matched in.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

from policykg.graph.model import Jurisdiction, Level

__all__ = ["COUNTRY_CODE", "Lexicon", "Region", "load_lexicon", "to_key"]

COUNTRY_CODE = "100000"

# One-to-one character folds so that offsets in the folded text equal offsets in the input.
_FOLD = str.maketrans("（）〔〕［］[]【】﹝﹞｛｝{}：；，\u3000", "()" * 8 + ":;, ")
# Whitespace, which is no part of a name: dropped before a name is matched or kept as an alias.
WS = re.compile(r"\s+")
_LEVEL_MARKERS = ("省", "市", "县", "区", "州", "自治区", "自治州", "自治县", "盟", "旗", "特区")


def to_key(text: str, *, simplify: bool = False) -> str:
    """Fold brackets and punctuation like the pipeline's key view; optionally convert traditional to simplified.

    The fold is one character for one character, so offsets are kept unless `simplify` is set.
    """
    folded = text.translate(_FOLD)
    if simplify:
        folded = _t2s(folded)
    return folded


@cache
def t2s_converter() -> Callable[[str], str]:
    """Traditional → simplified with OpenCC (a project dependency); identity when it is missing.

    Cached: building a converter reads OpenCC's dictionaries (about 1.5 ms), which `to_key` paid on every call
    (82 s of a 1,000-document build)."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a declared dependency
        return lambda text: text
    converter = opencc.OpenCC("t2s")
    return lambda text: str(converter.convert(text))


def _t2s(text: str) -> str:
    return t2s_converter()(text)


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
    """All the agency knowledge, loaded from the data files; callers hold it (nothing is global)."""

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
    name_starts: frozenset[str] = field(init=False, repr=False)  # characters an agency name can begin with

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
        # every name `recognize.hits_at` reads begins with a first key of one of these tries: other positions
        # (most characters of running text) cannot start a mention and are skipped without a walk
        self.name_starts = frozenset(ch for trie in (
            self.national_trie, self.collective_trie, self.functional_trie, self.regulator_trie, self.region_trie,
            self.pre_trie, self.marker_trie, self.unit_trie) for ch in trie.root)
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
