"""The forms a user's words may be written in: simplified characters, either bracket style, abbreviations of agency
names both ways, a short place written out. Generated in Python and bound as data, never pasted into a query."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from policykg.graph.lexicon import Lexicon
from policykg.graph.resolve import Resolver

_SPACE = re.compile(r"\s+")
_TO_ASCII_BRACKETS = str.maketrans("（）〔〕［］【】", "()()[][]")
_TO_WIDE_BRACKETS = str.maketrans("()", "（）")
_LEVEL_CHARS = frozenset("省市县区州盟旗级")  # a word may begin after these: 贵州省|, 两级|


@lru_cache(maxsize=1)
def _t2s() -> Any:
    """One OpenCC converter per process: building one reads its dictionaries (1.5 ms, paid per word before)."""
    import opencc

    return opencc.OpenCC("t2s")


def simplify(text: str) -> str:
    """Traditional → simplified (OpenCC t2s) with runs of whitespace collapsed, so 探訪關愛 finds 探访关爱."""
    return _SPACE.sub(" ", str(_t2s().convert(text))).strip()


def _bracket_forms(text: str) -> set[str]:
    ascii_form = text.translate(_TO_ASCII_BRACKETS)
    return {text, ascii_form, ascii_form.translate(_TO_WIDE_BRACKETS)}


def text_forms(text: str) -> list[str]:
    """The forms a fragment of task text may be written in: as typed, simplified, without spaces, either brackets."""
    forms: set[str] = set()
    for base in {text.strip(), simplify(text)}:
        for variant in {base, base.replace(" ", "")}:
            forms |= _bracket_forms(variant)
    return sorted(f for f in forms if f)


def _equivalent_names(lexicon: Lexicon) -> list[frozenset[str]]:
    """Sets of names that mean the same unit: 卫健委 = 卫生健康委 = 卫生健康委员会, 发改委 = 发展和改革委员会."""
    groups: list[frozenset[str]] = []
    for unit in lexicon.units:
        stems = {unit.name, *unit.forms} | ({unit.provincial} if unit.provincial else set())
        by_suffix: dict[str, set[str]] = {}
        for written, canonical in unit.suffixes:
            by_suffix.setdefault(canonical, set()).update(stem + written for stem in stems)
            by_suffix[canonical].update(stem + canonical for stem in stems)
        groups += [frozenset(names) for names in by_suffix.values()]
        groups.append(frozenset(stems))
    groups += [frozenset({entry.name, *entry.forms}) for entry in lexicon.national]
    groups += [frozenset({entry.name, *entry.forms}) for entry in lexicon.regulators]
    return [frozenset(n for n in g if len(n) >= 2) for g in groups if len({n for n in g if len(n) >= 2}) > 1]


def _place_forms(name: str, lexicon: Lexicon) -> set[str]:
    """A leading short place name written out in full (贵州卫健委 → 贵州省卫健委), as canonical names have it."""
    found = list(lexicon.region_trie.matches(name, 0))
    if not found:
        return set()
    end = max(e for e, _ in found)
    return {lexicon.regions[code].name + name[end:] for e, code in found if e == end}


def agency_forms(name: str, lexicon: Lexicon) -> list[str]:
    """Every form an agency name may be written in, generated in Python (never pasted into a query).

    Abbreviations are expanded both ways from the lexicon in graph/lexicon.py, a leading short place is written
    out, the resolver's canonical name is added when the name tells its place, and both bracket styles are kept.
    """
    base = simplify(name).replace(" ", "")
    if not base:
        return []
    starts = {base} | _place_forms(base, lexicon)
    forms = set(starts)
    for group in _equivalent_names(lexicon):
        for start in starts:
            present = [n for n in group if n in start]
            if not present:
                continue
            longest = max(present, key=len)
            forms.update(start.replace(longest, other, 1) for other in group)
    agency = Resolver(lexicon).resolve(base, None)
    if agency.resolved and agency.kind not in ("collective", "unknown") and agency.jurisdiction.code != "000000":
        forms.add(agency.name)
    out: set[str] = set()
    for form in forms:
        out |= _bracket_forms(form)
    return sorted(out, key=lambda f: (f != base, len(f), f))


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@dataclass(frozen=True)
class Words:
    """Whole words the lexicon knows in agency names, indexed by first and last character."""

    all: frozenset[str]
    by_first: dict[str, tuple[str, ...]]
    by_last: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, lexicon: Lexicon) -> Words:
        words: set[str] = set(lexicon.collective_forms)
        for group in _equivalent_names(lexicon):
            words |= group
        stems = set(lexicon.functional_stems)
        for unit in lexicon.units:
            words |= {form + written for form in (unit.name, *unit.forms) for written, _ in unit.suffixes}
            stems |= {unit.name, *unit.forms}
        words |= stems | {stem + head for stem in stems for head in lexicon.functional_heads}
        for region in lexicon.regions.values():
            words |= {region.name, region.short} - {""}
        kept = frozenset(w for w in words if len(w) >= 2)
        by_first: dict[str, list[str]] = {}
        by_last: dict[str, list[str]] = {}
        for word in kept:
            by_first.setdefault(word[0], []).append(word)
            by_last.setdefault(word[-1], []).append(word)
        return cls(kept, {k: tuple(v) for k, v in by_first.items()}, {k: tuple(v) for k, v in by_last.items()})

    def starts_word(self, label: str, form: str) -> bool:
        """Whether a known word `form` occurs in `label` where a word may begin, not inside another word.

        Chinese has no spaces, so 民政 is a substring of 人民政府; a partial name that is itself a known word only
        matches where some other known word ends or begins (贵州省|民政厅, 县级|民政部门, 教育|体育局).
        """
        if form not in self.all:
            return form in label
        for s in range(len(label)):
            if not label.startswith(form, s):
                continue
            if s == 0 or not _is_han(label[s - 1]) or label[s - 1] in _LEVEL_CHARS:
                return True
            if any(label.startswith(w, s) for w in self.by_first.get(label[s], ()) if w != form):
                return True
            if any(label.endswith(w, 0, s) for w in self.by_last.get(label[s - 1], ()) if w != form):
                return True
        return False


def narrowest(forms: Iterable[str]) -> list[str]:
    """Drop forms that contain another form: whatever label contains the longer one contains the shorter too."""
    unique = sorted(set(forms), key=len)
    kept: list[str] = []
    for form in unique:
        if not any(k in form for k in kept):
            kept.append(form)
    return kept
