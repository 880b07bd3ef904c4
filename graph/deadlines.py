"""Deadlines stated in a task's text: "到2025年", "2024年底前", "2022年10月底前", "6月底", "“十四五”期间".

A year is a deadline after 到/至 or before 前/底, not a date of record (截至2022年底), a start (自2023年7月1日起)
or an edition (2020年版). Words come from `data/targets.toml`.
"""

from __future__ import annotations

import re

from policykg.graph.model import Deadline, Span
from policykg.graph.scan import (
    CLAUSE_END,
    SENTENCE_END,
    bounds,
    ends,
    has_past,
    number,
    skip_spaces,
    skip_spaces_back,
    starts,
)
from policykg.graph.target_rules import TargetRules, default_rules


def extract_deadlines(text: str, key: str, span: Span, rules: TargetRules | None = None) -> list[Deadline]:
    """Every deadline phrase in span: "到2025年", "2024年底前", "2022年10月底前", "6月底", "“十四五”期间"."""
    rules = rules or default_rules()
    found: list[Deadline] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in rules.period_re.finditer(key, span.start, span.end):
        start_year, end_year = rules.periods[m["name"]]
        if rules.period_words[m["w"]] == "end":
            d = Deadline(text[m.start() : m.end()], Span(m.start(), m.end()), year=end_year)
        else:
            d = Deadline(text[m.start() : m.end()], Span(m.start(), m.end()), start_year=start_year,
                         end_year=end_year)
        found.append(d)
        taken.append((m.start(), m.end()))

    for m in rules.year_re.finditer(key, span.start, span.end):
        taken.append((m.start("y"), m.end()))
        d = _year_deadline(text, key, span, m, rules)
        if d is not None:
            found.append(d)

    for m in rules.relative_re.finditer(key, span.start, span.end):
        if free(m.start(), m.end()):
            taken.append((m.start(), m.end()))
            month = rules.relative[key[m.start() : m.end()]] or None
            found.append(Deadline(text[m.start() : m.end()], Span(m.start(), m.end()), month=month))

    for m in rules.month_re.finditer(key, span.start, span.end):
        if not free(m.start(), m.end()):
            continue
        month = number(m["m"])
        found.append(Deadline(text[m.start() : m.end()], Span(m.start(), m.end()),
                              month=int(month) if month else None))
    found.sort(key=lambda d: d.span)
    return found


def _year_deadline(text: str, key: str, span: Span, m: re.Match[str], rules: TargetRules) -> Deadline | None:
    """A year (with month or suffix) is a deadline after 到/至 or before 前/底; not a date, start or status."""
    pre = m["pre"] or ""
    head = skip_spaces_back(key, span.start, m.start("y"))
    if ends(key, max(span.start, head - 6), head, rules.date_not_before):
        return None  # "截至2022年底", "自2023年7月1日起"
    tail = skip_spaces(key, m.end(), span.end)
    if starts(key, tail, span.end, rules.date_not_after):
        return None
    pre_word = pre.strip()
    strong = next((p for p in rules.strong_prefixes if pre_word.endswith(p) and pre_word), "")
    if strong and strong in rules.range_ends:
        clause_start, _ = bounds(key, m.start(), span, CLAUSE_END)
        if any(w in key[clause_start : m.start()] for w in rules.range_openers):
            return None  # "从即日起至2023年6月22日止" is a period of time, not a deadline
    suf = m["suf"] or ""
    if not strong and not suf:
        return None
    if not strong and suf in ("底", "末", "年底", "年末"):
        # "2022年底，全省已建成…" is a status report, not a deadline.
        _, sentence_end = bounds(key, m.end(), span, SENTENCE_END)
        if has_past(key, m.end(), sentence_end, rules):
            return None
    # Report "到2025年" with its 到/至 but without 力争/确保, and "2024年底前" without 在/于.
    if strong:
        core = strong[-1]
        start = m.start("pre") + pre.index(core, len(pre.rstrip()) - len(strong))
    else:
        start = m.start("y")
    year = number(m["y"])
    month: float | None = None
    if m["m"]:
        month = number(m["m"])
    elif suf in rules.half_years:
        month = rules.half_years[suf]
    return Deadline(text[start : m.end()], Span(start, m.end()), year=int(year) if year else None,
                    month=int(month) if month else None)
