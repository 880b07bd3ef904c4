"""The jurisdiction of a document: which place (or the country) a text belongs to, from its head and 文号.

`find_jurisdiction` weighs the place names, national issuers shown issuing, datelines and level words (我市) of a
text's opening against the `Lexicon`'s regions; the metadata readers use it as their place finder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.graph.lexicon import COUNTRY_CODE, Lexicon, to_key
from policykg.graph.model import Jurisdiction, Level

__all__ = ["find_jurisdiction"]

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
