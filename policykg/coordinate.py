"""What coordinators ask: who leads a task, what one agency owns, which targets fall due.

User text never becomes query text. It is converted to simplified characters, expanded in Python into the forms an
agency or task may be written in (abbreviations both ways, bracket styles, place names), and each form is bound as
data to a named query from queries/. Results come back as rows with Chinese column names, ready for a table, CSV or
JSON; the quoted source sentence travels with every row so a coordinator can check the answer against the text.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from policykg.address import display_of as _display
from policykg.address import doc_iri_of, documents, numbered, one_document, task_number
from policykg.forms import Words, agency_forms, narrowest, simplify, text_forms
from policykg.graph.lexicon import Lexicon, load_lexicon
from policykg.graph.store import GraphStore, ParamValue, ResultTable
from policykg.query import NamedQuery, load_queries, run_named

__all__ = [
    "Answer",
    "CoordinateError",
    "Matched",
    "Unit",
    "agency_tasks",
    "find_agencies",
    "quote_excerpt",
    "targets",
    "who_leads",
]

ROLE_ZH = {"lead": "牵头", "co": "配合"}
BASIS_ZH = {
    "explicit": "原文写明",
    "list-order": "按列出顺序",
    "declared-list-order": "按文件约定的排序",
    "sole-unit": "唯一责任单位",
    "inherited": "统一规定",
}
COMPARATOR_ZH = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "eq": "", "approx": "约"}
UNIT_SEPARATOR = "|"  # agency names may themselves hold 、 or ； (各市（州）、县（市、区）人民政府)

_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?|\n")


class CoordinateError(Exception):
    """A question that cannot be asked as given; the message says what to do instead."""


@dataclass(frozen=True)
class Matched:
    """One agency found for a name the user typed."""

    iri: str
    name: str
    jurisdiction: str
    kind: str
    labels: tuple[str, ...]
    exact: bool  # some written form equals what the user typed (after expansion)

    @property
    def display(self) -> str:
        return f"{self.name}（{self.jurisdiction}）" if self.jurisdiction else self.name


@dataclass(frozen=True)
class Unit:
    """One agency's part in one task."""

    name: str
    jurisdiction: str
    role: str
    basis: str
    as_written: str
    quote: str


@dataclass
class Answer:
    """Rows for one question: full values for CSV/JSON, the same rows with short quotes for the terminal table."""

    columns: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    view_rows: list[dict[str, str]] = field(default_factory=list)
    table_columns: list[str] = field(default_factory=list)  # the columns worth a terminal table's width
    notes: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    agencies: list[Matched] = field(default_factory=list)

    def table(self) -> ResultTable:
        return ResultTable(self.columns, [tuple(row.get(c, "") for c in self.columns) for row in self.rows])

    def add(self, row: dict[str, str], view: dict[str, str] | None = None) -> None:
        self.rows.append(row)
        self.view_rows.append({**row, **(view or {})})


# ---------------------------------------------------------------------------------------------------------------
# Running named queries


class _Queries:
    """The named queries of queries/, run with bound parameters only."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.named: dict[str, NamedQuery] = load_queries()

    def rows(self, query: str, /, **params: ParamValue) -> list[dict[str, str]]:
        table = run_named(self.store, self.named[query], params)
        return [{k: ("" if v is None else v) for k, v in r.items()} for r in table.records()]


def find_agencies(store: GraphStore, name: str, lexicon: Lexicon | None = None) -> list[Matched]:
    """Agencies whose name or any written form contains one of the forms of `name`; exact matches first."""
    lexicon = lexicon or load_lexicon()
    forms = agency_forms(name, lexicon)
    if not forms:
        raise CoordinateError("请给出单位名称，例如 省民政厅 或 卫健委")
    queries = _Queries(store)
    words = Words.of(lexicon)
    found: dict[str, Matched] = {}
    wanted = set(forms)
    for form in narrowest(forms):
        for row in queries.rows("agency_lookup", name=form):
            labels = tuple(sorted({*row["labels"].split("\n"), row["name"]} - {""}))
            if not any(words.starts_word(label, f) for label in labels for f in forms):
                continue  # only inside other words, as 民政 in 人民政府
            exact = bool(wanted & set(labels))
            old = found.get(row["agency"])
            if old is not None:
                labels = tuple(sorted(set(old.labels) | set(labels)))
                exact = exact or old.exact
            found[row["agency"]] = Matched(row["agency"], row["name"], row["jurisdiction"], row["kind"], labels, exact)
    return sorted(found.values(), key=lambda m: (not m.exact, m.jurisdiction, m.name))


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _score(query: str, candidate: str, weight: Mapping[str, float]) -> float:
    """How alike two names are: the share of the query's character pairs found in the candidate, each pair weighted
    by its rarity among the candidates (省委, 人民, 委员 say little; 宣传 says what the unit is); difflib's ratio when
    the query is one character."""
    pairs = _pairs(query)
    if not pairs:
        return 1.0 if query in candidate else 0.0
    total = sum(weight.get(p, 1.0) for p in pairs)
    shared = sum(weight.get(p, 1.0) for p in pairs if p in candidate) / total
    return max(shared, _typo_ratio(query, candidate))


def _typo_ratio(query: str, candidate: str) -> float:
    """difflib's ratio against the best stretch of the candidate as long as the query (探防关爱 ~ …探访关爱机制),
    counted only when it is high: a typo, not a shared 省 and 委."""
    n = len(query)
    windows = [candidate[i : i + n] for i in range(max(1, len(candidate) - n + 1))]
    ratio = max(difflib.SequenceMatcher(None, query, w).ratio() for w in windows)
    return ratio if ratio >= 0.7 else 0.0


def _closest(query_forms: Iterable[str], candidates: Iterable[str], limit: int = 5) -> list[str]:
    forms = [f for f in query_forms if f]
    names = sorted({c for c in candidates if c})
    counts: dict[str, int] = {}
    for name in names:
        for pair in _pairs(name):
            counts[pair] = counts.get(pair, 0) + 1
    weight = {pair: math.log((1 + len(names)) / (1 + n)) + 0.1 for pair, n in counts.items()}
    rare = math.log(1 + len(names)) + 0.1  # a pair no candidate has weighs most
    weights = {p: weight.get(p, rare) for f in forms for p in _pairs(f)}
    scored = {c: max((_score(f, c, weights) for f in forms), default=0.0) for c in names}
    best = sorted((s, c) for c, s in scored.items() if s >= 0.34)
    return [c for _, c in sorted(best, key=lambda sc: (-sc[0], len(sc[1]), sc[1]))[:limit]]


def suggest_agencies(store: GraphStore, name: str, lexicon: Lexicon | None = None) -> list[str]:
    """Agency names close to one that matched nothing (shown with their place)."""
    lexicon = lexicon or load_lexicon()
    forms = agency_forms(name, lexicon) or [name]
    everyone = _Queries(store).rows("agency_lookup", name="")
    by_label: dict[str, set[str]] = {}
    for row in everyone:
        shown = f"{row['name']}（{row['jurisdiction']}）" if row["jurisdiction"] else row["name"]
        for label in {row["name"], *row["labels"].split("\n")} - {""}:
            by_label.setdefault(label, set()).add(shown)
    names: list[str] = []
    for label in _closest(forms, by_label, limit=10):
        names += sorted(by_label[label] - set(names))
    return names[:5]


def suggest_tasks(store: GraphStore, text: str) -> list[str]:
    """Task titles close to a text that matched nothing."""
    rows = _Queries(store).rows("tasks")
    return _closest(text_forms(text), (r["task_title"] for r in rows))


# ---------------------------------------------------------------------------------------------------------------
# Quotes


def quote_excerpt(quote: str, needles: Iterable[str], limit: int = 160) -> str:
    """A short view of a long quote for the terminal: its first sentence and those holding a needle.

    The full quote stays in CSV and JSON; the table keeps the heading, the sentences with what was asked for and
    the clause naming the units, with … where sentences were left out.
    """
    quote = quote.strip()
    if len(quote) <= limit:
        return quote
    sentences = [s for s in _SENTENCE.findall(quote) if s.strip()]
    wanted = [n for n in needles if n]
    keep = [i for i, s in enumerate(sentences) if i == 0 or any(n in s for n in wanted) or "责任单位" in s]
    parts: list[str] = []
    last = -1
    for i in keep:
        if i != last + 1:
            parts.append("…")
        parts.append(sentences[i].strip())
        last = i
    if last != len(sentences) - 1:
        parts.append("…")
    text = "".join(parts)
    return text if len(text) <= 3 * limit else text[: 3 * limit] + "…"


def _units_of_tasks(queries: _Queries, tasks: list[str]) -> dict[str, list[Unit]]:
    """The units of many tasks with one query (a VALUES row per task)."""
    units: dict[str, list[Unit]] = {}
    if not tasks:
        return units
    for r in queries.rows("task_units", task=tasks):
        units.setdefault(r["task"], []).append(
            Unit(r["agency_name"], r["jurisdiction"], r["role"], r["basis"], r["agency_as_written"], r["quote"]))
    return units


def _names(units: Iterable[Unit], role: str, separator: str = UNIT_SEPARATOR) -> str:
    seen: list[str] = []
    for unit in units:
        if unit.role == role and unit.name not in seen:
            seen.append(unit.name)
    return separator.join(seen)


# ---------------------------------------------------------------------------------------------------------------
# The three questions

WHO_LEADS_COLUMNS = ["文件", "序号", "任务", "牵头单位", "配合单位", "原文", "来源文件"]
AGENCY_COLUMNS = ["单位", "地区", "文件", "序号", "任务", "角色", "依据", "原文写法", "原文", "责任依据原文",
                  "来源文件"]
TARGET_COLUMNS = ["文件", "序号", "任务", "指标", "目标值", "完成时限", "牵头单位", "配合单位", "原文", "来源文件"]

Progress = Callable[[int, int], None]


def who_leads(store: GraphStore, text: str, *, in_text: bool = False, doc: str | None = None,
              progress: Progress | None = None) -> Answer:
    """Tasks whose title holds every word of `text` (with --in-text: anywhere in the task), with their units.

    Words separated by spaces must all occur; each word is searched in every form it may be written in. A number
    (6, 第6项, 第六项) names the task of that number; `doc` (文号, file name or part of the title) keeps one document.
    """
    words = [w for w in simplify(text).split(" ") if w]
    if not words:
        raise CoordinateError("请给出任务标题中的几个字或任务序号，例如 policykg who-leads 探访关爱 或 "
                              "policykg who-leads --doc 黔府办发〔2023〕21号 6")
    doc_iri = one_document(store, doc)
    docs = documents(store)
    number = task_number(text)
    if number is not None:
        return _answer_of(store, numbered(store, number, doc_iri), [], docs, words, progress)
    queries = _Queries(store)
    forms_of = {word: narrowest(text_forms(word)) for word in dict.fromkeys(words)}
    words_of: dict[str, set[str]] = {}
    for word, forms in forms_of.items():
        for form in forms:
            words_of.setdefault(form, set()).add(word)
    # one query for every form of every word (a VALUES row each), not one per word: 10,000 words took minutes
    found: dict[str, dict[str, str]] = {}
    seen: dict[str, set[str]] = {}
    in_title: dict[str, set[str]] = {}
    for row in queries.rows("task_search", text=sorted(words_of)):
        found.setdefault(row["task"], row)
        matched = words_of.get(row["matched"], set())
        seen.setdefault(row["task"], set()).update(matched)
        if row["in_title"] == "true":
            in_title.setdefault(row["task"], set()).update(matched)
    hits = {task: row for task, row in found.items()
            if len(seen[task]) == len(forms_of) and (doc_iri is None or doc_iri_of(task) == doc_iri)}
    title_hits = {task: len(in_title.get(task, ())) == len(forms_of) for task in hits}
    chosen = {t: hits[t] for t in hits if title_hits[t]}
    elsewhere = [t for t in hits if not title_hits[t]]
    if in_text:
        chosen.update((t, hits[t]) for t in elsewhere)
    answer = _answer_of(store, chosen, [] if in_text else elsewhere, docs, words, progress)
    if not answer.rows and not elsewhere:
        answer.suggestions = suggest_tasks(store, text)
    return answer


def _answer_of(store: GraphStore, chosen: Mapping[str, Mapping[str, str]], elsewhere: list[str],
               docs: Mapping[str, Any], words: list[str], progress: Progress | None) -> Answer:
    """The who-leads rows of the chosen tasks, each with its units in document order and its quote."""
    answer = Answer(WHO_LEADS_COLUMNS, table_columns=WHO_LEADS_COLUMNS[:6])
    if elsewhere:
        answer.notes.append(f"另有 {len(elsewhere)} 项任务只在正文中提到：加 --in-text 一并列出")
    cache = _units_of_tasks(_Queries(store), list(chosen))
    for n, (task, row) in enumerate(chosen.items(), start=1):
        units = cache.get(task, [])
        needles = [*words, *(u.as_written for u in units)]
        ref = docs.get(doc_iri_of(task))
        answer.add(
            {
                "文件": ref.display if ref else row["document_title"],
                "序号": row["task_number"],
                "任务": row["task_title"],
                "牵头单位": _names(units, "lead"),
                "配合单位": _names(units, "co"),
                "原文": row["quote"],
                "来源文件": row["source_file"],
            },
            {
                "牵头单位": _names(units, "lead", "\n"),
                "配合单位": _names(units, "co", "\n"),
                "原文": quote_excerpt(row["quote"], needles),
            },
        )
        if progress:
            progress(n, len(chosen))
    return answer


def agency_tasks(store: GraphStore, name: str, lexicon: Lexicon | None = None,
                 progress: Progress | None = None, doc: str | None = None) -> Answer:
    """Every task an agency leads or co-operates on; a partial name covers every agency containing it; `doc`
    keeps the tasks of one document."""
    lexicon = lexicon or load_lexicon()
    doc_iri = one_document(store, doc)
    docs = documents(store)
    matched = find_agencies(store, name, lexicon)
    answer = Answer(AGENCY_COLUMNS, table_columns=["单位", "地区", "文件", "序号", "任务", "角色", "原文"],
                    agencies=matched)
    if not matched:
        answer.suggestions = suggest_agencies(store, name, lexicon)
        return answer
    queries = _Queries(store)
    idle: list[str] = []
    for n, agency in enumerate(matched, start=1):
        rows = [r for r in queries.rows("agency_roles", agency=agency.iri)
                if doc_iri is None or doc_iri_of(r["task"]) == doc_iri]
        other = _duties_and_documents(queries, agency, docs, doc_iri)
        if not rows and not other:
            idle.append(agency.display)
        for row in rows:
            role_quote = row["role_quote"]
            shown = quote_excerpt(row["task_quote"], [row["agency_as_written"], role_quote])
            if role_quote and role_quote not in row["task_quote"]:
                shown += f"\n〔责任依据〕{role_quote}"
            answer.add(
                {
                    "单位": agency.name,
                    "地区": agency.jurisdiction,
                    "文件": _display(docs, row),
                    "序号": row["task_number"],
                    "任务": row["task_title"],
                    "角色": ROLE_ZH.get(row["role"], row["role"]),
                    "依据": BASIS_ZH.get(row["basis"], row["basis"]),
                    "原文写法": row["agency_as_written"],
                    "原文": row["task_quote"],
                    "责任依据原文": role_quote,
                    "来源文件": row["source_file"],
                },
                {"原文": shown},
            )
        for extra in other:
            answer.add(extra, {"原文": quote_excerpt(extra["原文"], [])})
        if progress:
            progress(n, len(matched))
    if idle:
        answer.notes.append(f"以下单位没有牵头或配合的任务：{'、'.join(idle)}")
    return answer


DUTY_ROLE_ZH = {"agent": "正文职责（承办）", "partner": "正文职责（会同）", "issuer": "印发文件"}


def _duties_and_documents(queries: _Queries, agency: Matched, docs: Mapping[str, Any],
                          doc_iri: str | None) -> list[dict[str, str]]:
    """What an agency does outside the task lists: duties the running text gives it, documents it issued."""
    rows: list[dict[str, str]] = []
    base = {"单位": agency.name, "地区": agency.jurisdiction, "依据": "", "原文写法": "", "责任依据原文": ""}
    for r in queries.rows("agency_duties", agency=agency.iri):
        if doc_iri is not None and r["doc"] != doc_iri:
            continue
        ref = docs.get(r["doc"])
        rows.append({**base, "文件": ref.display if ref else r["document_title"], "序号": r["part_number"],
                     "任务": r["part"] or r["duty_text"], "角色": DUTY_ROLE_ZH[r["role"]], "原文": r["quote"],
                     "来源文件": r["source_file"]})
    for r in queries.rows("agency_documents", agency=agency.iri):
        if doc_iri is not None and doc_iri not in (r["doc"], r["report"]):
            continue
        title = f"《{r['document_title']}》" + (f"（{r['document_number']}）" if r["document_number"] else "")
        report = docs.get(r["report"])
        rows.append({**base, "文件": report.display if report else title, "序号": "", "任务": title,
                     "角色": DUTY_ROLE_ZH["issuer"], "原文": r["report_title"] or title, "来源文件": r["source_file"]})
    return rows


def _target_value(row: Mapping[str, str]) -> str:
    value = row["value"]
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return f"{COMPARATOR_ZH.get(row['comparator'], '')}{value}{row['unit']}" if value else ""


def targets(store: GraphStore, *, due: int | None = None, agency: str | None = None,
            lexicon: Lexicon | None = None, progress: Progress | None = None, doc: str | None = None) -> Answer:
    """Quantitative targets, optionally only those due by the end of `due`, those on tasks of `agency` and those
    of one document `doc`."""
    doc_iri = one_document(store, doc)
    docs = documents(store)
    answer = Answer(TARGET_COLUMNS, table_columns=[c for c in TARGET_COLUMNS[:9] if c != "配合单位"])
    agencies: list[str] = []
    if agency is not None:
        matched = find_agencies(store, agency, lexicon or load_lexicon())
        answer.agencies = matched
        if not matched:
            answer.suggestions = suggest_agencies(store, agency, lexicon)
            return answer
        agencies = [m.iri for m in matched]
    queries = _Queries(store)
    seen: set[str] = set()
    found: list[dict[str, str]] = []
    # one query per agency: with several VALUES rows pyoxigraph 0.5 joins them by hash, over every target
    # (27 agencies at 1,000 documents: 6.6 s in one query, 1.7 s in 27)
    rows = ([row for iri in agencies for row in queries.rows("agency_targets", due=due or 0, agency=iri)] if agencies
            else queries.rows("targets_due", due=due or 0))
    for row in rows:
        if row["target"] not in seen and (doc_iri is None or doc_iri_of(row["task"]) == doc_iri):
            seen.add(row["target"])
            found.append(row)
    order = {r["source_file"]: i for i, r in enumerate(sorted(found, key=lambda r: r["source_file"]))}
    found.sort(key=lambda r: order[r["source_file"]])  # stable: query order within a file
    units_of = _units_of_tasks(queries, list(dict.fromkeys(row["task"] for row in found)))
    for n, row in enumerate(found, start=1):
        units = units_of.get(row["task"], [])
        answer.add(
            {
                "文件": _display(docs, row),
                "序号": row["task_number"],
                "任务": row["task_title"],
                "指标": row["indicator"],
                "目标值": _target_value(row),
                "完成时限": row["deadline_text"] or row["deadline_year"],
                "牵头单位": _names(units, "lead"),
                "配合单位": _names(units, "co"),
                "原文": row["quote"],
                "来源文件": row["source_file"],
            },
            {"牵头单位": _names(units, "lead", "\n"), "配合单位": _names(units, "co", "\n")},
        )
        if progress:
            progress(n, len(found))
    return answer
