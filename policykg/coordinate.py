"""What coordinators ask: who leads a task, what one agency owns, which targets fall due.

User text never becomes query text. It is converted to simplified characters, expanded in Python into the forms an
agency or task may be written in (abbreviations both ways, bracket styles, place names), and each form is bound as
data to a named query from queries/. Results come back as rows with Chinese column names, ready for a table, CSV or
JSON; the quoted source sentence travels with every row so a coordinator can check the answer against the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from policykg.address import display_of as _display
from policykg.address import doc_iri_of, documents, numbered, one_document, task_number
from policykg.forms import narrowest, simplify, text_forms
from policykg.graph.lexicon import Lexicon, load_lexicon
from policykg.graph.store import GraphStore, ResultTable
from policykg.lookup import CoordinateError, Matched, Queries, find_agencies, suggest_agencies, suggest_tasks

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


#: up to this many tasks, their units are asked one task at a time (≈4 ms each at 1,000 documents); past it in one
#: query with a VALUES row per task, which pyoxigraph joins by hash over every responsibility (≈1 s at 1,000)
FEW_TASKS = 100


def _units_of_tasks(queries: Queries, tasks: list[str]) -> dict[str, list[Unit]]:
    """The units of the tasks, in the order the text lists them."""
    units: dict[str, list[Unit]] = {}
    asked: list[str | list[str]] = list(tasks) if len(tasks) <= FEW_TASKS else [tasks]
    for task in asked:
        for r in queries.rows("task_units", task=task):
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
    queries = Queries(store)
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
    cache = _units_of_tasks(Queries(store), list(chosen))
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
    queries = Queries(store)
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


def _duties_and_documents(queries: Queries, agency: Matched, docs: Mapping[str, Any],
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
    queries = Queries(store)
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
