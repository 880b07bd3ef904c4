"""Quantitative targets stated in a task's text and in a table row's target cells.

Patterns match the `key` view of the text (simplified, half-width punctuation, ASCII parentheses) and facts are
reported from `text` at the same offsets. All words (units, comparators, deadline phrasings, planning periods,
past-tense signals) come from `graph/data/targets.toml`; this module holds only the grammar that combines them:

    [deadline][scope][indicator][comparator][count verb][comparator] N [multiplier][unit] [comparator] [indicator]

In a task's text a number with a unit states an amount the task is to reach ("新增托位400个以上", "建设农村公路
5000公里", "覆盖率达到90%"), with the comparator written before or after it — unless it is no amount to reach:
it qualifies a noun ("60岁以上老年人", "100米以上建筑"), names document parts or contents ("5项重点任务",
"共包含14项…"), counts partners ("等10个部门"), stands after a preposition ("在10个县"), is an age, a date or an
ordinal, is part of a name ("15分钟“养老服务圈”"), or sits in a sentence that reports the past ("已", "累计",
"截至") unless a deadline governs it or the text names it the target ("年度任务1800剂次"). Chinese numerals
need a strong comparator ("至少有一所").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.graph.deadlines import extract_deadlines
from policykg.graph.model import Deadline, OutlineNode, SourceText, Span, Target
from policykg.graph.scan import (
    CLAUSE_END,
    QUOTES,
    SENTENCE_END,
    bounds,
    clean,
    ends,
    has_past,
    number,
    skip_spaces,
    skip_spaces_back,
    starts,
)
from policykg.graph.target_rules import TargetRules, default_rules


@dataclass
class _Number:
    start: int  # first digit
    end: int  # after the unit
    value: float
    unit: str
    chinese: bool


def _numbers(text: str, key: str, span: Span, rules: TargetRules) -> list[_Number]:
    """Number + unit mentions that can be quantities: not dates, ordinals, document numbers or document parts."""
    out: list[_Number] = []
    for m in rules.number_re.finditer(key, span.start, span.end):
        value = number(m["num"])
        if value is None:
            continue
        head = skip_spaces_back(key, span.start, m.start())
        if ends(key, max(span.start, head - 4), head, rules.num_not_before):
            continue
        tail = skip_spaces(key, m.end(), span.end)
        if starts(key, tail, span.end, rules.num_not_after):
            continue
        if starts(key, tail, span.end, rules.doc_parts) or starts(key, tail, span.end, rules.partner_nouns):
            continue
        unit_start = m.start("unit") if m["unit"] else m.end()
        if m["unit"] in rules.never_units or starts(key, unit_start, span.end, rules.unit_words):
            continue
        clause_start, _ = bounds(key, m.start(), span, CLAUSE_END)
        if any(verb in key[clause_start : m.start()] for verb in rules.content_verbs):
            continue
        if m["unit"] and rules.units.get(m["unit"]) != "NUM" and (
            starts(key, tail, span.end, rules.name_quotes)
            or ends(key, max(span.start, head - 1), head, rules.name_quotes)
        ):
            continue  # "15分钟“养老服务圈”", "“15分钟健身圈”": a measure that is part of a name
        if m["mul"]:
            value *= rules.multipliers[m["mul"]]
        if m["bare"]:
            value *= rules.multipliers[m["bare"]]
        unit = text[m.start("unit") : m.end("unit")] if m["unit"] else ""
        out.append(_Number(m.start(), m.end(), value, unit, not m["num"][0].isdigit()))
    return out


@dataclass
class _Pre:
    rest: tuple[int, int]  # the indicator candidate before the number
    op: str = ""
    strength: str = ""
    verb: str = ""
    verb_at: int = -1
    disposal: bool = False
    scope: tuple[int, int] | None = None
    inner_verb: str = ""  # a building verb inside the phrase ("建设家庭养老床位300张")


def _analyse_pre(key: str, start: int, end: int, rules: TargetRules) -> _Pre:
    """Peel lead words and scope off the left, comparators and verbs off the right of the phrase before N."""
    i = start
    scope: tuple[int, int] | None = None
    lead_verb = ""
    while True:
        i = skip_spaces(key, i, end)
        while i < end and key[i] in "、" + QUOTES:
            i += 1
        w = starts(key, i, end, rules.lead)
        if w:
            if w in rules.cut_verbs:
                lead_verb = w  # "新增养老床位3万张": the verb stood first
            i += len(w)
            continue
        at = i + 1 if key.startswith("在", i, end) else i
        m = rules.scope_re.match(key, at, end)
        if m and m.end() > m.start():
            scope = (m.start(), m.end())
            i = m.end()
            continue
        break
    pre = _Pre(rest=(i, i))
    j = end
    for _ in range(5):
        j = skip_spaces_back(key, i, j)
        w = ends(key, i, j, rules.before_words)
        if w and not pre.op and (w not in rules.ratio_comparators or ends(key, i, j - len(w), rules.ratio_words)):
            pre.op, pre.strength = rules.before[w]
            j -= len(w)
            continue
        w = ends(key, i, j, rules.disposal)
        if w and not pre.disposal and not pre.verb:
            pre.disposal = True
            j -= len(w)
            continue
        w = ends(key, i, j, rules.count_verbs)
        if w and not pre.verb:
            pre.verb, pre.verb_at = w, j - len(w)
            j -= len(w)
            continue
        w = ends(key, i, j, rules.weak_scope)
        if w and not scope and ends(key, i, j - len(w), rules.count_verbs):
            scope = (j - len(w), j)  # "打造城市15分钟…": 城市 is where, 打造 the verb
            j -= len(w)
            continue
        break
    if not pre.op:
        j = _verb_gap(key, i, j, pre, rules)
    j = skip_spaces_back(key, i, j)
    if scope is None and key[i:j] in rules.weak_scope:
        scope, i = (i, j), j  # "城市达到90%，农村达到60%": 农村 is where; what is measured comes from before
    pre.rest = (i, j)
    pre.scope = scope
    # Only a verb heading the phrase makes the number a target ("新增养老床位3万张", "建成养老机构10个"); one inside
    # it does not ("对新建养老机构给予每张床位1万元补贴").
    # A weak scope may head the phrase ("城镇新增就业43万人").
    head = i + len(starts(key, i, j, rules.weak_scope))
    pre.inner_verb = lead_verb or starts(key, i, j, rules.cut_verbs) or starts(key, head, j, rules.cut_verbs)
    return pre


def _verb_gap(key: str, i: int, j: int, pre: _Pre, rules: TargetRules) -> int:
    """A strong comparator a short verb before the number ("每年至少组织1次"): set it on pre, return the new end."""
    j = skip_spaces_back(key, i, j)
    for gap in range(1, rules.verb_gap + 1):
        p = j - gap
        if p <= i or not ("\u4e00" <= key[p] <= "\u9fff") or key[p] == "的":
            break
        w = ends(key, i, p, rules.before_words)
        if w and rules.before[w][1] == "strong":
            pre.op, pre.strength = rules.before[w]
            if not pre.verb:
                pre.verb, pre.verb_at = key[p:j], p
            return p - len(w)
    return j


def _cut_after_verb(key: str, start: int, end: int, rules: TargetRules) -> int:
    """Start of the noun after the last building verb ("…老年人建设家庭养老床位" → "家庭养老床位")."""
    best = start
    for verb in rules.cut_verbs:
        k = key.rfind(verb, start, end)
        if k >= 0 and end - (k + len(verb)) >= 3 and k + len(verb) > best:
            best = k + len(verb)
    return best


def _after_last_de(key: str, start: int, end: int) -> int:
    """Start of the head noun after the last 的 ("设施配套完善、管理规范的农村互助养老示范点" → "…示范点")."""
    k = key.rfind("的", start, end)
    if k >= 0 and end - (k + 1) >= 2:
        return k + 1
    return start


def _antecedent(key: str, span: Span, before: int, verb: str, rules: TargetRules) -> tuple[int, int] | None:
    """For "全市改造不少于2500户", what is 改造d: the phrase ending in the same verb earlier in the paragraph."""
    k = key.rfind(verb, span.start, before)
    if k < 0:
        return None
    cs, _ = bounds(key, k, span, CLAUSE_END)
    i = cs
    while True:
        i = skip_spaces(key, i, k)
        w = starts(key, i, k, rules.lead)
        if not w:
            break
        i += len(w)
    if k + len(verb) - i < 3:
        return None
    return i, k + len(verb)


def _indicator(text: str, key: str, span: Span, num: _Number, pre: _Pre, post: tuple[int, int],
               rules: TargetRules, time_bound: bool = False) -> str:
    """The short noun phrase naming what is measured, assembled from the written text."""
    ps, pe = pre.rest
    qs, qe = post
    if time_bound:
        # "预警信息在30分钟内覆盖到村": the time the action after the number may take.
        pe = skip_spaces_back(key, ps, pe - len(ends(key, ps, pe, rules.prepositions)))
        return clean(text[ps:pe] + text[qs:qe])

    def t(a: int, b: int) -> str:
        return text[a:b]

    post_text = key[qs:qe]
    if pre.disposal:
        return clean(t(ps, pe) + t(qs, qe))
    if pre.verb in rules.cover and qe > qs:
        return clean(t(ps, pe) + pre.verb + t(qs, qe))
    if pre.verb in rules.change and pe > ps:
        return clean(t(ps, pe) + t(pre.verb_at, pre.verb_at + len(pre.verb)))
    if ps == pe and post_text.startswith("的"):
        return clean(t(qs + 1, qe))
    if qe > qs and not post_text.startswith("的") and (pre.verb or ps == pe):
        return clean(t(_after_last_de(key, qs, qe), qe))
    if pe > ps:
        # "养老护理员培训上岗率" is one measure; "…老年人建设家庭养老床位" names the 床位 after the verb.
        is_ratio = ends(key, ps, pe, rules.ratio_words)
        start = ps if is_ratio else _cut_after_verb(key, ps, pe, rules)
        phrase = t(start, pe)
        if rules.per_basis.match(clean(key[start:pe])) and qe > qs:
            stop = qe
            for word in rules.noun_stops:
                k = key.find(word, qs, qe)
                if 0 <= k < stop:
                    stop = k
            phrase += t(qs, stop)
        return clean(phrase)
    if pre.verb:
        found = _antecedent(key, span, pre.verb_at, pre.verb, rules)
        if found:
            return clean(t(*found))
        return clean(pre.verb)
    return ""


def extract_targets(text: str, key: str, span: Span, rules: TargetRules | None = None) -> list[Target]:
    """Quantitative targets in span, in reading order, each with its governing deadline and scope."""
    rules = rules or default_rules()
    deadlines = extract_deadlines(text, key, span, rules)
    numbers = _numbers(text, key, span, rules)
    targets: list[Target] = []
    last_end = span.start  # end of the last accepted target: the phrase before a number starts after it
    for n, num in enumerate(numbers):
        cs, ce = bounds(key, num.start, span, CLAUSE_END)
        ss, _ = bounds(key, num.start, span, SENTENCE_END)
        prev_end = max(cs, last_end)
        next_start = numbers[n + 1].start if n + 1 < len(numbers) and numbers[n + 1].start < ce else ce
        # The phrase before the number starts after any deadline written in the same clause.
        pre_start = prev_end
        for d in deadlines:
            if pre_start <= d.span.start and d.span.end <= num.start:
                pre_start = d.span.end
        pre = _analyse_pre(key, pre_start, num.start, rules)
        # Comparator after the number.
        qs = skip_spaces(key, num.end, next_start)
        post_op, post_strength = "", ""
        w = starts(key, qs, next_start, rules.after_words)
        if w:
            post_op, post_strength = rules.after[w]
            qs += len(w)
        elif num.unit in rules.time_units:
            w = starts(key, qs, next_start, rules.after_time_words)
            if w:
                post_op, post_strength = rules.after_time[w]
                qs += len(w)
        time_bound = num.unit in rules.time_units and post_op in ("le", "lt")
        qs = skip_spaces(key, qs, next_start)
        qe = skip_spaces_back(key, qs, next_start)

        strong = "strong" in (pre.strength, post_strength)
        before = [d for d in deadlines if ss <= d.span.start and d.span.end <= num.start]
        # A deadline governs the targets after it in its sentence; one after the number only inside its own clause
        # ("每年培养100名，到2025年，…": the 到2025年 opening the next clause does not govern the yearly 100名).
        later = [d for d in deadlines if d.span.start >= num.end and d.span.end <= ce]
        deadline = before[-1] if before else (later[0] if later else None)
        ps, pe = pre.rest
        if ps < pe and ends(key, ps, pe, rules.prepositions) and not (pre.op or post_op):
            continue  # "在10个县开展试点", "由3个部门": a place or a partner, not an amount to reach
        if any(w in key[cs:ce] for w in rules.parameter_words):
            continue  # "下调工伤保险费率50%": a rate the policy sets
        if post_op in ("le", "lt") and rules.units.get(num.unit) == "NUM" and qe > qs:
            continue  # "30人(含)以下的企业": an upper bound on a count qualifies what it counts
        if num.unit in rules.comparator_units and not (pre.op or post_op) and (
            not (pre.verb or before) or any(w in key[ss:qe] for w in rules.subsidy_words)
        ):
            continue  # "给予补助,每人1500元": a subsidy standard; "资金760000万元": a budget
        if num.chinese and not strong:
            continue
        if post_op and not pre.op and not time_bound and (
            num.unit in rules.modifier_units
            or (not (pre.verb or pre.disposal) and qe > qs and not key.startswith(("的", "(", "（"), qs)
                and rules.units.get(num.unit) != "NUM")  # "1000名以上高校毕业生" counts; "100米以上建筑" qualifies
        ):
            continue  # "60岁以上老年人", "拥有3岁以下婴幼儿": the number qualifies a noun, it is not a target
        op = pre.op
        if post_op and (not op or op == "eq" or op == post_op):
            op = post_op
        op = op or "eq"
        governed = any(d.year is not None for d in before)  # "到2025年,累计建成…"; a bare "4月底," is a date
        if not governed and has_past(key, ss, qe, rules) and not ends(key, ps, pe, rules.target_openers):
            continue  # a report of what is done, unless the number is named the target ("(年度任务1800剂次)")

        scope = ""
        if pre.scope:
            scope = text[pre.scope[0] : pre.scope[1]]
        else:
            carried = [m for m in rules.carry_re.finditer(key, ss, pre_start)]
            if carried:
                scope = text[carried[-1].start() : carried[-1].end()]
        indicator = _indicator(text, key, span, num, pre, (qs, qe), rules, time_bound)
        if not indicator and targets and targets[-1].span.start >= ss:
            indicator = targets[-1].indicator  # "城市达到90%，农村达到60%": the measure is the one just named
        a = skip_spaces(key, cs, ce)
        b = skip_spaces_back(key, a, ce)
        targets.append(Target(indicator=indicator, comparator=op, value=num.value, unit=num.unit,
                              span=Span(a, b), deadline=deadline, scope=clean(scope)))
        last_end = num.end if not post_op else qs
    return targets


# --------------------------------------------------------------------------------------------------------------
# Table cells
# --------------------------------------------------------------------------------------------------------------

_CELL_VALUE = re.compile(r"^\s*(?P<sign>>=|<=|[≥≤><=＞＜])?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>%|‰)?\s*$")


def row_targets(source: SourceText, node: OutlineNode, rules: TargetRules | None = None) -> list[Target]:
    """Targets of a table row's target columns that hold a value alone ("95%" under 2025年, "≥4.5"): the row's
    task names the indicator, the column's year is the deadline. Target text in a cell (新增就业1100人) is read
    like any task text."""
    rules = rules or default_rules()
    table, row = node.table, node.row
    if table is None or row is None:
        return []
    found: list[Target] = []
    for cell in table.cells(row, ("target",)):
        match = _CELL_VALUE.fullmatch(source.key[cell.span.start : cell.span.end])
        if match is None:
            continue
        indicator = node.heading
        unit = match["unit"] or next((u for suffix, u in rules.implied_units.items() if indicator.endswith(suffix)), "")
        year = table.columns[cell.column].year
        deadline = Deadline(source.text[table.columns[cell.column].span.start : table.columns[cell.column].span.end],
                            table.columns[cell.column].span, year=year) if year else None
        found.append(Target(indicator=indicator, comparator=rules.cell_signs.get(match["sign"] or "", "eq"),
                            value=float(match["num"]), unit=unit, span=cell.span, deadline=deadline))
    return found
