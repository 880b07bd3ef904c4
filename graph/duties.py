"""Duties stated in running text: "X要会同Y…", "由X会同Y…", "X负责…", "各级X要…" (rules in data/duties.toml).

A duty's agent is an agency mention (found by the agency lexicon) at the start of a clause, followed by a trigger;
"会同/牵头" duties make their agent the lead of the task they stand in when the task lists no units itself.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

from policykg.graph.model import AgencyMention, Duty, Span
from policykg.graph.spans import SpanIndex, trim

_SENTENCE_SPLIT = "。;!?！？\n"
_CLAUSE_START = ",:;。\n "
_GROUP_JOINERS = ("、", "和", "及", "与", "以及", ",")


class AgencyFinder(Protocol):
    """Recognises agency names; implemented by `recognize.AgencyRecognizer` from the agency lexicon."""

    def find(self, text: str) -> list[tuple[int, int]]: ...


@dataclass(frozen=True)
class DutyRule:
    name: str
    trigger: re.Pattern[str]
    partners: bool
    makes_lead: bool


@dataclass(frozen=True)
class DutyRules:
    duties: list[DutyRule]
    duty_prefixes: list[str]
    clause_openers: list[str]
    trailing_words: list[str]
    word_not_place: list[str]


def load_duty_rules(path: Path | None = None) -> DutyRules:
    text = path.read_text("utf-8") if path else resources.files("policykg.graph.data").joinpath(
        "duties.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return DutyRules(
        duties=[DutyRule(d["name"], re.compile(d["trigger"]), d["partners"], d["makes_lead"]) for d in data["duties"]],
        duty_prefixes=sorted(data["running_text"]["duty_prefixes"], key=len, reverse=True),
        clause_openers=list(data["running_text"]["clause_openers"]),
        word_not_place=list(data["running_text"]["word_not_place"]),
        trailing_words=list(data["running_text"]["trailing_words"]),
    )


def _sentences(key: str, para: Span) -> list[Span]:
    bounds = [para.start] + [i + 1 for i in range(para.start, para.end) if key[i] in _SENTENCE_SPLIT] + [para.end]
    return [trim(key, Span(a, b), " ") for a, b in itertools.pairwise(bounds) if b > a]


def _mention_groups(key: str, sentence: Span, finder: AgencyFinder, words: list[str]) -> list[list[Span]]:
    """Agency mentions in a sentence, grouped when joined by 、/和/及/与; a mention that starts with one of `words`
    after another mention loses that word."""
    found = sorted(
        Span(sentence.start + a, sentence.start + b) for a, b in finder.find(key[sentence.start : sentence.end])
    )
    groups: list[list[Span]] = []
    for mention in found:
        if groups:  # after an agency in the same sentence (会同县人民政府 opening a clause stays a place)
            word = next((w for w in words if key.startswith(w, mention.start)), None)
            if word is not None and mention.end - mention.start > len(word) + 1:
                mention = Span(mention.start + len(word), mention.end)  # "会同" + 县财政局, not 会同县财政局
                groups.append([mention])
                continue
        if groups:
            gap = key[groups[-1][-1].end : mention.start]
            if gap in _GROUP_JOINERS or gap == "":
                groups[-1].append(mention)
                continue
        groups.append([mention])
    return groups


def find_duties(key: str, text: str, paragraphs: list[Span], rules: DutyRules, finder: AgencyFinder,
                excluded: list[Span]) -> list[Duty]:
    duties: list[Duty] = []
    inside_clause = SpanIndex((span, True) for span in excluded)
    for para in paragraphs:
        for sentence in _sentences(key, para):
            groups = _mention_groups(key, sentence, finder, rules.word_not_place)
            for index, group in enumerate(groups):
                start = group[0].start
                if inside_clause.holds(start):
                    continue
                if not _duty_agent_position(key, sentence.start, start, rules):
                    continue
                after = group[-1].end
                for rule in rules.duties:
                    trigger = rule.trigger.match(key, after, sentence.end)
                    if not trigger:
                        continue
                    partners: list[Span] = []
                    rest = trigger.end()
                    if rule.partners:
                        following = groups[index + 1] if index + 1 < len(groups) else []
                        if not following or following[0].start != trigger.end():
                            break
                        partners = following
                        rest = following[-1].end
                        for word in rules.trailing_words:
                            if key.startswith(word, rest):
                                rest += len(word)
                                break
                    body = trim(key, Span(rest, sentence.end), " ,。;")
                    if body.end <= body.start:
                        break
                    agent = group[0] if len(group) == 1 else Span(group[0].start, group[-1].end)
                    duties.append(Duty(
                        agent=AgencyMention(text[agent.start:agent.end], agent),
                        duty=text[body.start:body.end],
                        span=Span(_clause_start(key, sentence.start, start), sentence.end),
                        partners=[AgencyMention(text[p.start:p.end], p) for p in partners],
                        pattern=rule.name,
                        makes_lead=rule.makes_lead,
                    ))
                    break
    return duties


def _duty_agent_position(key: str, sentence_start: int, start: int, rules: DutyRules) -> bool:
    """An agent opens its clause, possibly after 由 / 各级."""
    before = key[sentence_start:start]
    for prefix in rules.duty_prefixes:
        if before.endswith(prefix):
            before = before[: -len(prefix)]
            break
    before = before.rstrip(" ")
    return not before or before[-1] in _CLAUSE_START or before.endswith(tuple(rules.clause_openers))


def _clause_start(key: str, sentence_start: int, pos: int) -> int:
    i = pos
    while i > sentence_start and key[i - 1] not in ",;:":
        i -= 1
    return i
