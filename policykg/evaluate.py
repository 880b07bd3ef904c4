"""Score the extraction against a hand-made gold file: precision, recall and F1 per fact type, with the misses.

Facts are compared by natural keys: a task by (document, number); a unit by (document, task number, written
form, role); a target by (document, task number, value, unit, deadline year). Documents are paired by source file
and title.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from policykg.graph.model import Document

FACT_TYPES = ("tasks", "units", "targets")
_TITLE_NOISE = re.compile(r"[《》〈〉“”\"'（）()\s的、，,·]")


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positive + self.false_negative
        return self.true_positive / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _title_key(title: str) -> str:
    return _TITLE_NOISE.sub("", title)


def _unit_key(written: str) -> str:
    return written.translate(str.maketrans("〔〕[]（）", "()()()")).replace(" ", "")


def _num(value: float) -> str:
    return f"{float(value):g}"


def gold_facts(gold: dict) -> dict[str, set[tuple]]:
    facts: dict[str, set[tuple]] = {t: set() for t in FACT_TYPES}
    for doc in gold["documents"]:
        d = (doc["source_file"], _title_key(doc["title"]))
        for task in doc["tasks"]:
            facts["tasks"].add((*d, task["number"]))
            for unit in task.get("units", []):
                facts["units"].add((*d, task["number"], _unit_key(unit["written"]), unit["role"]))
            for target in task.get("targets", []):
                facts["targets"].add((*d, task["number"], _num(target["value"]), target["unit"],
                                      target.get("deadline_year")))
    return facts


def predicted_facts(documents: list[Document], gold: dict) -> dict[str, set[tuple]]:
    """Facts of the extracted documents, each document named as its gold counterpart when one matches."""
    gold_titles: dict[str, list[str]] = {}
    for doc in gold["documents"]:
        gold_titles.setdefault(doc["source_file"], []).append(_title_key(doc["title"]))
    facts: dict[str, set[tuple]] = {t: set() for t in FACT_TYPES}
    for doc in documents:
        file_name = doc.source.file_name
        title = _pair_title(_title_key(doc.title), gold_titles.get(file_name, []))
        d = (file_name, title)
        for task in doc.tasks:
            number = task.node.number
            facts["tasks"].add((*d, number))
            for resp in task.responsibilities:
                facts["units"].add((*d, number, _unit_key(resp.mention.written), resp.role))
            for target in task.targets:
                year = target.deadline.end_year or target.deadline.year if target.deadline else None
                facts["targets"].add((*d, number, _num(target.value), target.unit, year))
    return facts


def _pair_title(title: str, candidates: list[str]) -> str:
    if title in candidates:
        return title
    for candidate in candidates:
        if title and (title in candidate or candidate in title):
            return candidate
    if len(candidates) == 1:
        return candidates[0]
    return title


def score(gold: dict[str, set[tuple]], predicted: dict[str, set[tuple]]) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    for fact_type in FACT_TYPES:
        expected, found = gold[fact_type], predicted[fact_type]
        scores[fact_type] = Score(
            true_positive=len(expected & found),
            false_positive=len(found - expected),
            false_negative=len(expected - found),
            missed=sorted(" | ".join(map(str, f)) for f in expected - found),
            spurious=sorted(" | ".join(map(str, f)) for f in found - expected),
        )
    return scores


def evaluate(gold_file: Path, corpus_dir: Path) -> dict[str, Score]:
    from policykg.build import Pipeline, read_corpus
    from policykg.graph.read import list_sources

    gold = json.loads(gold_file.read_text("utf-8"))
    wanted = {doc["source_file"] for doc in gold["documents"]}
    paths = [p for p in list_sources(corpus_dir) if p.name in wanted]
    missing = wanted - {p.name for p in paths}
    if missing:
        raise FileNotFoundError(f"gold names files not in {corpus_dir}: {', '.join(sorted(missing))}")
    corpus = read_corpus(paths, Pipeline.load())
    return score(gold_facts(gold), predicted_facts(corpus.documents, gold))
