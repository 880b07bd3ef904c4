"""Agency resolution: written agency names to one shared `Agency` entity per real agency per jurisdiction.

The `Resolver` reads a name with the same parse as the recognizer (`recognize.hits_at`) and places it: an explicit
place, a level marker relative to the document's jurisdiction, or the document's own place.
"""

from __future__ import annotations

from collections.abc import Callable

from policykg.graph.lexicon import WS, Lexicon, Region, t2s_converter, to_key
from policykg.graph.model import Agency, Jurisdiction
from policykg.graph.recognize import Hit, generic_hits, hits_at, is_regex_collective, national_coordination

__all__ = ["UNKNOWN_JURISDICTION", "Resolver"]

# Used when neither the mention nor the document tells where an agency belongs.
UNKNOWN_JURISDICTION = Jurisdiction(code="000000", name="未知", short="未知", level="unknown")


def _full_width_brackets(text: str) -> str:
    return text.replace("(", "（").replace(")", "）")


class Resolver:
    """Turns written agency names into shared `Agency` entities: one per real agency per jurisdiction."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._agencies: dict[str, Agency] = {}
        self._simplify: Callable[[str], str] | None = None  # made on first use: OpenCC is slow to start
        # A name is parsed once per (key form, document place): a corpus repeats the same few hundred names.
        self._interpreted: dict[tuple[str, ...], tuple[str, str, Jurisdiction, bool]] = {}

    def agencies(self) -> list[Agency]:
        """Every agency resolved so far, sorted by key."""
        return [self._agencies[k] for k in sorted(self._agencies)]

    def take_agencies(self) -> list[Agency]:
        """The agencies resolved since the last call, sorted by key, and forget them: one file's contribution, so
        that files can be read apart (a worker process, a cache) and merged with `adopt` in corpus order."""
        taken = self.agencies()
        self._agencies = {}
        return taken

    def adopt(self, agencies: list[Agency]) -> None:
        """Merge agencies resolved elsewhere: the first seen keeps its kind and place, written forms add up —
        the same result as resolving the files one after another in this order."""
        for agency in agencies:
            known = self._agencies.get(agency.key)
            if known is None:
                self._agencies[agency.key] = Agency(key=agency.key, name=agency.name,
                                                    jurisdiction=agency.jurisdiction, kind=agency.kind,
                                                    resolved=agency.resolved, aliases=set(agency.aliases))
            else:
                known.aliases |= agency.aliases

    def resolve(self, written: str, jurisdiction: Jurisdiction | None, key: str | None = None) -> Agency:
        """The agency a written form names in a document of `jurisdiction`; the written form becomes an alias.

        `key` is the simplified match form of `written` (from SourceText.key); without it the written form is
        folded and converted from traditional characters here.
        """
        if key is not None:
            match_key = to_key(key)
        else:
            if self._simplify is None:
                self._simplify = t2s_converter()
            match_key = self._simplify(to_key(written))
        match_key = WS.sub("", match_key).strip(",;:、。")
        place = jurisdiction  # the four plain fields, not dataclasses.astuple (a deep copy per call)
        memo = (match_key, *((place.code, place.name, place.short, place.level) if place is not None else ()))
        interpretation = self._interpreted.get(memo)
        if interpretation is None:
            interpretation = self._interpreted[memo] = self._interpret(match_key, jurisdiction)
        name, kind, place, resolved = interpretation
        agency_key = f"{place.code}/{name}"
        agency = self._agencies.get(agency_key)
        if agency is None:
            agency = Agency(key=agency_key, name=name, jurisdiction=place, kind=kind, resolved=resolved)
            self._agencies[agency_key] = agency
        agency.aliases.add(WS.sub("", written))  # line breaks of a reflowed page are no part of the name
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
        hits = sorted((h for h in hits_at(lex, key, 0) if h.end == len(key)), key=lambda h: h.rank)
        for hit in hits:
            result = self._from_hit(hit, key, doc)
            if result is not None:
                return result
        if is_regex_collective(lex, key):
            return collective
        national_body = national_coordination(lex, key)
        if national_body:
            return key, lex.coordination_kind, lex.country, True
        for hit in generic_hits(lex, key):
            region = self._unit_region(hit, doc)
            if region is not None:
                return f"{region.name}{hit.region_text}", "unknown", lex.jurisdiction(region.code), False
        return unknown

    def _from_hit(self, hit: Hit, key: str, doc: Jurisdiction | None) -> tuple[str, str, Jurisdiction, bool] | None:
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

    def _unit_region(self, hit: Hit, doc: Jurisdiction | None) -> Region | None:
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

    def _unit_name(self, hit: Hit, region: Region) -> str:
        unit = hit.unit
        assert unit is not None
        base = unit.provincial if unit.provincial and region.level == "provincial" else unit.name
        canonical_suffix = dict(unit.suffixes).get(hit.suffix, hit.suffix)
        party_place = region.short if region.name.endswith("自治州") else region.name
        return unit.template.format(place=region.name, party_place=party_place, unit=base + canonical_suffix)
