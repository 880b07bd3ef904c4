"""What changed from a draft to its final text: items kept, renamed, moved, added and dropped, and the units,
targets and wording that changed in the items that stayed, each with both quotes.

Items come from the graph (`queries/outline_items.rq`): sections and tasks with their numbers, titles, quotes,
units and targets. Sections are paired by their titles, tasks by their text (`similarity.Similarity`, thresholds of
`data/links.toml` [revises]); a final task whose draft counterpart sits under another section than its own section's
counterpart has moved. A draft known only from a news report (which summarizes) shows only what it states: a final
item the report does not mention is "not in the report", never "added".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from policykg.graph.links import LinkRules
from policykg.graph.passages import Scorer, Weights, passage_of_text
from policykg.graph.similarity import Similarity

ChangeKind = Literal["kept", "renamed", "moved", "added", "dropped", "not-in-report"]
_PUNCT = re.compile(r"[\s，,。；;：:、（）()“”\"《》]+")


@dataclass
class Item:
    """A section or task of one document, as the graph holds it."""

    iri: str
    kind: Literal["section", "task"]
    number: str
    path: str  # outline path, e.g. "2.2.6"
    title: str
    text: str  # the quote of the whole item
    parent: str = ""  # path of the enclosing item, "" at the top
    units: list[tuple[str, str]] = field(default_factory=list)  # (agency, role) in list order
    targets: list[str] = field(default_factory=list)  # the quotes of its targets


@dataclass
class Detail:
    what: Literal["title", "wording", "units", "targets", "section"]
    draft: str
    final: str


@dataclass
class Change:
    kind: ChangeKind
    draft: Item | None
    final: Item | None
    score: float = 0.0
    details: list[Detail] = field(default_factory=list)


@dataclass
class DiffResult:
    changes: list[Change]
    draft_is_report: bool  # the draft is known from a report's summary only

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


class Differ:
    """Pairs the items of a draft and a final text and describes each difference."""

    def __init__(self, draft: Sequence[Item], final: Sequence[Item], *, weights: Weights, minimum: float,
                 draft_is_report: bool, connectives: Sequence[str] = ()) -> None:
        self.draft, self.final = list(draft), list(final)
        self.connectives = sorted(connectives, key=len, reverse=True)
        self.minimum = minimum
        self.report = draft_is_report
        items = [*self.draft, *self.final]
        titles = {i.path: i.title for i in items}
        self._passages = {id(i): passage_of_text(i.text, i.title, titles.get(i.parent, "")) for i in items}
        self._scorer = Scorer(list(self._passages.values()), weights)
        self._titles = Similarity([i.title for i in items])
        self._index = {id(i): n for n, i in enumerate(items)}

    def score(self, a: Item, b: Item) -> float:
        matrix, _ = self._scorer.scores([self._passages[id(a)]], [self._passages[id(b)]], symmetric=True)
        return matrix[0][0]

    def run(self) -> DiffResult:
        # a report's items summarize the draft's sections; a full draft has sections and tasks of its own
        draft_sections = [d for d in self.draft if d.kind == "section" or (self.report and not d.parent)]
        draft_tasks = [d for d in self.draft if d.kind == "task" and not (self.report and not d.parent)]
        by_path = {d.path: d for d in self.draft}
        counterpart: dict[str, Item] = {}  # final section path → its draft section
        changes: list[Change] = []
        for final in (f for f in self.final if f.kind == "section"):
            best = self._best(final, draft_sections, by_title=True)
            if best is not None:
                counterpart[final.path] = best[0]
        for final in self.final:
            if final.kind == "section":
                draft = counterpart.get(final.path)
                changes.append(self._change(final, draft, draft_section=draft, home=draft))
                continue
            best = self._best(final, draft_tasks or draft_sections, by_title=False)
            if best is None:
                changes.append(self._change(final, None, draft_section=None, home=None))
                continue
            draft, score = best
            section = draft if draft in draft_sections else by_path.get(draft.parent)
            changes.append(self._change(final, draft, draft_section=section, home=counterpart.get(final.parent),
                                        score=score))
        used = {id(c.draft) for c in changes if c.draft is not None}
        changes.extend(Change("dropped", d, None) for d in [*draft_tasks, *draft_sections] if id(d) not in used)
        return DiffResult(changes, self.report)

    def _best(self, final: Item, candidates: Sequence[Item], *, by_title: bool) -> tuple[Item, float] | None:
        scored = [(c, self._titles.cosine(self._index[id(final)], self._index[id(c)]) if by_title
                   else self.score(final, c)) for c in candidates]
        if not scored:
            return None
        item, score = max(scored, key=lambda pair: pair[1])
        return (item, score) if score >= self.minimum else None

    def _change(self, final: Item, draft: Item | None, *, draft_section: Item | None, home: Item | None,
                score: float = 0.0) -> Change:
        """`draft_section` is the draft section the item came from, `home` the draft section that became the final
        item's own section: when they differ, the item moved."""
        if draft is None:
            return Change("not-in-report" if self.report else "added", None, final)
        moved = final.kind == "task" and home is not None and draft_section is not None and draft_section is not home
        score = round(score or self.score(draft, final), 4)
        where = [Detail("section", heading(draft_section), self._section_title(final))] if moved else []
        if self._summary(draft, final):
            phrase = self._phrase(draft, final)
            if phrase is None or self._same(phrase, final.title):
                return Change("moved" if moved else "kept", draft, final, score, where)
            details = [*where, Detail("title", phrase, final.title), *wording(phrase, final.title, context=2)]
            return Change("moved" if moved else "renamed", draft, final, score, details)
        kind: ChangeKind = "moved" if moved else ("kept" if self._same(draft.title, final.title) else "renamed")
        return Change(kind, draft, final, score, [*where, *self._details(draft, final)])

    def _section_title(self, final: Item) -> str:
        section = next((f for f in self.final if f.path == final.parent), None)
        return heading(section)

    def _summary(self, draft: Item, final: Item) -> bool:
        """A report's item sums up a draft section; a final task is then compared with the phrase that names it."""
        return self.report and not draft.parent and final.kind == "task"

    def _phrase(self, draft: Item, final: Item) -> str | None:
        """The phrase of a report's summary naming a final task (强化居家养老服务支持 for 强化对居家养老服务的支持)."""
        phrases = passage_of_text(draft.text, draft.title).clauses
        if not phrases:
            return None
        cosines = Similarity([final.title, *phrases]).matrix([0], list(range(1, len(phrases) + 1)))[0]
        best = max(range(len(cosines)), key=cosines.__getitem__)
        return phrases[best] if cosines[best] >= 0.3 else None

    def _same(self, a: str, b: str) -> bool:
        return self._plain(a) == self._plain(b)

    def _plain(self, text: str) -> str:
        text = _PUNCT.sub("", text)
        for word in self.connectives:
            if text.startswith(word):
                return text[len(word) :]
        return text

    def _details(self, draft: Item, final: Item) -> list[Detail]:
        details: list[Detail] = []
        if not self._same(draft.title, final.title):
            details.append(Detail("title", draft.title, final.title))
        if draft.kind == final.kind:
            details.extend(wording(draft.text, final.text))
            if draft.units and [u for u, _ in draft.units] != [u for u, _ in final.units]:
                details.append(Detail("units", _unit_list(draft.units), _unit_list(final.units)))
            if draft.targets and sorted(draft.targets) != sorted(final.targets):
                details.append(Detail("targets", "；".join(draft.targets), "；".join(final.targets)))
        return details


def heading(item: Item | None) -> str:
    return f"{item.number} {item.title}".strip() if item is not None else ""


def _unit_list(units: Sequence[tuple[str, str]]) -> str:
    return "、".join(f"{name}（{'牵头' if role == 'lead' else '配合'}）" for name, role in units)


def wording(draft: str, final: str, *, longest: int = 8, context: int = 6) -> list[Detail]:
    """Short edits between two versions of a text (支持 → 鼓励, 低保 → 低保、特困), each quoted with context."""
    matcher = difflib.SequenceMatcher(a=draft, b=final, autojunk=False)
    if matcher.ratio() < 0.5:  # rewritten rather than edited: no word-level story to tell
        return []
    found: list[Detail] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():  # short replacements, insertions and deletions
        if op == "equal" or a2 - a1 > longest or b2 - b1 > longest:
            continue
        if not _PUNCT.sub("", draft[a1:a2]) and not _PUNCT.sub("", final[b1:b2]):
            continue
        found.append(Detail("wording", draft[max(0, a1 - context) : a2 + context],
                            final[max(0, b1 - context) : b2 + context]))
    return found


def diff_items(draft: Sequence[Item], final: Sequence[Item], rules: LinkRules, *, draft_is_report: bool) -> DiffResult:
    """The changes from `draft` to `final`, with the weights, the revises threshold and the connectives of `rules`."""
    return Differ(draft, final, weights=rules.weights, minimum=rules.thresholds["revises"][0],
                  draft_is_report=draft_is_report, connectives=rules.connectives).run()
