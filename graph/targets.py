"""Quantitative targets and deadlines stated in a task's paragraph.

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
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from policykg.graph.model import Deadline, OutlineNode, SourceText, Span, Target

_SENTENCE_END = "。!?！？\n"
_CLAUSE_END = ",;:，；：" + _SENTENCE_END
_SPACES = " \t\u3000\xa0\r\n"
_QUOTES = "“”\"'‘’「」『』"
_TRIM = _SPACES + _QUOTES + "、的,;:，；：。.（("
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN_POWERS = {"十": 10, "百": 100, "千": 1000}
_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def _alt(words: object) -> str:
    """Regex alternation of literal words, longest first so that "个百分点" wins over "个"."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))  # type: ignore[arg-type]


def _longest(words: object) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=len, reverse=True))  # type: ignore[arg-type]


@dataclass(frozen=True)
class TargetRules:
    """The data file compiled into regexes and lookup tables."""

    year_re: re.Pattern[str]
    month_re: re.Pattern[str]
    period_re: re.Pattern[str]
    relative_re: re.Pattern[str]
    number_re: re.Pattern[str]
    strong_prefixes: tuple[str, ...]
    date_not_before: tuple[str, ...]
    date_not_after: tuple[str, ...]
    range_ends: tuple[str, ...]
    range_openers: tuple[str, ...]
    half_years: dict[str, int]
    relative: dict[str, int]
    periods: dict[str, tuple[int, int]]
    period_words: dict[str, str]
    before: dict[str, tuple[str, str]]  # word → (op, strength)
    before_words: tuple[str, ...]
    ratio_comparators: tuple[str, ...]
    change: tuple[str, ...]
    prepositions: tuple[str, ...]
    after: dict[str, tuple[str, str]]
    after_words: tuple[str, ...]
    after_time: dict[str, tuple[str, str]]  # "内": a comparator only after a time quantity
    after_time_words: tuple[str, ...]
    time_units: frozenset[str]
    verb_gap: int
    count_verbs: tuple[str, ...]
    cut_verbs: tuple[str, ...]
    disposal: tuple[str, ...]
    cover: tuple[str, ...]
    lead: tuple[str, ...]
    noun_stops: tuple[str, ...]
    ratio_words: tuple[str, ...]
    per_basis: re.Pattern[str]
    past: tuple[str, ...]
    past_exceptions: tuple[str, ...]
    doc_parts: tuple[str, ...]
    partner_nouns: tuple[str, ...]
    content_verbs: tuple[str, ...]
    never_units: frozenset[str]
    unit_words: tuple[str, ...]
    parameter_words: tuple[str, ...]
    comparator_units: frozenset[str]
    subsidy_words: tuple[str, ...]
    target_openers: tuple[str, ...]
    num_not_before: tuple[str, ...]
    num_not_after: tuple[str, ...]
    modifier_units: tuple[str, ...]
    name_quotes: tuple[str, ...]
    scope_re: re.Pattern[str]
    weak_scope: tuple[str, ...]
    carry_re: re.Pattern[str]
    multipliers: dict[str, float]
    units: dict[str, str]
    cell_signs: dict[str, str]
    implied_units: dict[str, str]


def load_target_rules(path: Path | None = None) -> TargetRules:
    """Read targets.toml (or another file with the same layout, for tests of other policy areas)."""
    raw = path.read_text("utf-8") if path else resources.files("policykg.graph.data").joinpath(
        "targets.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    dl = data["deadlines"]
    half_years = {k: int(v) for k, v in dl["half_years"].items()}
    suffixes = _alt(list(dl["end_suffixes"]) + list(half_years))
    year_re = re.compile(
        r"(?P<pre>(?:" + _alt(dl["prefixes"]) + r")\s*)?"
        r"(?P<y>(?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年"
        r"(?:\s*(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月份?(?:\s*(?P<d>[0-3]?\d)\s*[日号])?)?"
        r"(?:\s*(?P<suf>" + suffixes + r"))?"
    )
    month_re = re.compile(
        r"(?<![\d〇零一二三四五六七八九十.])(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月份?"
        r"(?:\s*(?P<d>[0-3]?\d)\s*[日号])?\s*"
        r"(?P<suf>底以前|底之前|底前|底|末前|末|中旬前|中旬|上旬前|上旬|下旬前|下旬|以前|之前|前)"
    )
    periods = {k: (int(v[0]), int(v[1])) for k, v in data["periods"].items()}
    period_words = {k: str(v) for k, v in data["period_words"].items()}
    period_re = re.compile(
        r"[\"“]?(?P<name>" + _alt(periods) + r")[\"”]?\s*(?P<w>" + _alt(period_words) + r")"
    )
    relative = {k: int(v) for k, v in dl["relative"].items()}
    relative_re = re.compile(r"(?<![\d年])(?:" + _alt(relative) + r")")
    units = {k: str(v) for k, v in data["units"].items()}
    multipliers = {k: float(v) for k, v in data["multipliers"].items()}
    number_re = re.compile(
        r"(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+(?![\d])(?:\.\d+)?|\d+(?:\.\d+)?|[一二两三四五六七八九十][〇零一二两三四五六七八九十百千]*)"
        r"\s*(?:(?P<mul>" + _alt(multipliers) + r")?\s*(?P<unit>" + _alt(units) + r")"
        # "25万贫困户", "275万多城乡低保对象": 万/亿 counts the noun after it, with no measure word of its own
        r"|(?P<bare>" + _alt(k for k in multipliers if k in ("万", "亿")) + r")(?=[\u4e00-\u9fff])(?![多余]?[元美]))"
    )

    def comparators(entries: list[dict[str, object]]) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        for entry in entries:
            for word in entry["words"]:  # type: ignore[attr-defined]
                out[str(word)] = (str(entry["op"]), str(entry["strength"]))
        return out

    verbs, signals, filters, scope = data["verbs"], data["signals"], data["filters"], data["scope"]
    before = comparators(data["comparators"]["before"])
    after_time = comparators(data["comparators"]["after_time"])
    time_units = frozenset(str(u) for e in data["comparators"]["after_time"] for u in e["units"])
    return TargetRules(
        year_re=year_re,
        month_re=month_re,
        period_re=period_re,
        relative_re=relative_re,
        number_re=number_re,
        strong_prefixes=_longest(dl["strong_prefixes"]),
        date_not_before=_longest(dl["not_before"]),
        date_not_after=_longest(dl["not_after"]),
        range_ends=_longest(dl["range_ends"]),
        range_openers=_longest(dl["range_openers"]),
        half_years=half_years,
        relative=relative,
        periods=periods,
        period_words=period_words,
        before=before,
        before_words=_longest(before),
        ratio_comparators=_longest(data["comparators"]["ratio_only"]),
        change=_longest(verbs["change"]),
        prepositions=_longest(filters["prepositions"]),
        after=comparators(data["comparators"]["after"]),
        after_words=_longest(comparators(data["comparators"]["after"])),
        after_time=after_time,
        after_time_words=_longest(after_time),
        time_units=time_units,
        verb_gap=int(data["comparators"].get("verb_gap", 0)),
        count_verbs=_longest(list(verbs["count"]) + list(verbs["change"])),
        cut_verbs=_longest(verbs["cut"]),
        disposal=_longest(verbs["disposal"]),
        cover=_longest(verbs["cover"]),
        lead=_longest(signals["lead"]),
        noun_stops=_longest(signals["noun_stops"]),
        ratio_words=_longest(signals["ratio_words"]),
        per_basis=re.compile(signals["per_basis"]),
        past=_longest(signals["past"]),
        past_exceptions=_longest(signals["past_exceptions"]),
        doc_parts=_longest(filters["doc_parts"]),
        partner_nouns=_longest(filters["partner_nouns"]),
        content_verbs=_longest(filters["content_verbs"]),
        never_units=frozenset(filters["never_units"]),
        unit_words=_longest(filters["unit_words"]),
        parameter_words=_longest(filters["parameter_words"]),
        comparator_units=frozenset(filters["comparator_units"]),
        subsidy_words=_longest(filters["subsidy_words"]),
        target_openers=_longest(signals["target_openers"]),
        num_not_before=_longest(filters["not_before"]),
        num_not_after=_longest(filters["not_after"]),
        modifier_units=_longest(filters["modifier_units"]),
        name_quotes=_longest(filters.get("name_quotes", [])),
        scope_re=re.compile("|".join(f"(?:{p})" for p in scope["patterns"])),
        weak_scope=_longest(scope["weak"]),
        carry_re=re.compile("|".join(f"(?:{p})" for p in scope["carry"])),
        multipliers=multipliers,
        units=units,
        cell_signs=dict(data["cells"]["signs"]),
        implied_units=dict(data["cells"]["implied_units"]),
    )


@lru_cache(maxsize=1)
def default_rules() -> TargetRules:
    return load_target_rules()


def unit_kind(unit: str, rules: TargetRules | None = None) -> str:
    """QUDT unit local name for a unit as written ("%" → "PERCENT", "个" → "NUM"), "" when unknown."""
    return (rules or default_rules()).units.get(unit, "")


# --------------------------------------------------------------------------------------------------------------
# Small helpers on the key view
# --------------------------------------------------------------------------------------------------------------


def _cn_number(s: str) -> float | None:
    """Value of a Chinese numeral such as "一", "十二", "三百", "二〇二五" (digit by digit when no 十/百/千)."""
    if not s:
        return None
    if all(c in _CN_DIGITS for c in s):
        if len(s) == 1:
            return float(_CN_DIGITS[s])
        return float("".join(str(_CN_DIGITS[c]) for c in s))
    total, digit = 0, 0
    for c in s:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_POWERS:
            total += (digit or 1) * _CN_POWERS[c]
            digit = 0
        else:
            return None
    return float(total + digit)


def _number(s: str) -> float | None:
    s = s.translate(_FULLWIDTH).replace(",", "")
    try:
        return float(s)
    except ValueError:
        return _cn_number(s)


def _is_boundary(key: str, i: int, chars: str) -> bool:
    """A clause or sentence boundary at i; an ASCII '.' ends a sentence ("达到100%.完善…") unless it is a decimal
    point, and a ',' between digits is a thousands separator."""
    c = key[i]
    if c in ".,:":
        before = key[i - 1] if i > 0 else ""
        after = key[i + 1] if i + 1 < len(key) else ""
        if before.isdigit() and after.isdigit():
            return False  # "0.1", "1,200", "1:4"
        return c == "." or c in chars
    return c in chars


def _bounds(key: str, pos: int, span: Span, chars: str) -> tuple[int, int]:
    """The [start, end) of the clause or sentence holding pos, inside span."""
    start = pos
    while start > span.start and not _is_boundary(key, start - 1, chars):
        start -= 1
    end = pos
    while end < span.end and not _is_boundary(key, end, chars):
        end += 1
    return start, end


def _skip_spaces(key: str, i: int, end: int) -> int:
    while i < end and key[i] in _SPACES:
        i += 1
    return i


def _skip_spaces_back(key: str, start: int, j: int) -> int:
    while j > start and key[j - 1] in _SPACES:
        j -= 1
    return j


def _starts(key: str, i: int, end: int, words: tuple[str, ...]) -> str:
    """The longest of words written at key[i:end] (spaces inside the word allowed), "" if none."""
    for w in words:
        if key.startswith(w, i, end):
            return w
    return ""


def _ends(key: str, start: int, j: int, words: tuple[str, ...]) -> str:
    for w in words:
        if j - len(w) >= start and key.endswith(w, start, j):
            return w
    return ""


def _has_past(key: str, start: int, end: int, rules: TargetRules) -> bool:
    """Whether key[start:end] reports something already done ("已", "累计", "共计"), ignoring "已建成居住区"."""
    window = key[start:end]
    for exception in rules.past_exceptions:
        window = window.replace(exception, "＿" * len(exception))
    window = re.sub(r"\s+", "", window)
    return any(word in window for word in rules.past)


def _clean(text: str) -> str:
    """An indicator as written, without OCR spaces, line breaks, quotes and dangling particles."""
    s = re.sub(r"\s+", "", text)
    prev = None
    while s != prev:
        prev = s
        s = s.strip(_TRIM)
        if s.endswith(("(", "（")):
            s = s[:-1]
    if s.find("”") >= 0 and (s.find("“") < 0 or s.find("“") > s.find("”")):
        s = "“" + s  # the opening quote of "“10分钟”便民生活圈" was trimmed as an edge
    return s


# --------------------------------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------------------------------


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
        month = _number(m["m"])
        found.append(Deadline(text[m.start() : m.end()], Span(m.start(), m.end()),
                              month=int(month) if month else None))
    found.sort(key=lambda d: d.span)
    return found


def _year_deadline(text: str, key: str, span: Span, m: re.Match[str], rules: TargetRules) -> Deadline | None:
    """A year (with month or suffix) is a deadline after 到/至 or before 前/底; not a date, start or status."""
    pre = m["pre"] or ""
    head = _skip_spaces_back(key, span.start, m.start("y"))
    if _ends(key, max(span.start, head - 6), head, rules.date_not_before):
        return None  # "截至2022年底", "自2023年7月1日起"
    tail = _skip_spaces(key, m.end(), span.end)
    if _starts(key, tail, span.end, rules.date_not_after):
        return None
    pre_word = pre.strip()
    strong = next((p for p in rules.strong_prefixes if pre_word.endswith(p) and pre_word), "")
    if strong and strong in rules.range_ends:
        clause_start, _ = _bounds(key, m.start(), span, _CLAUSE_END)
        if any(w in key[clause_start : m.start()] for w in rules.range_openers):
            return None  # "从即日起至2023年6月22日止" is a period of time, not a deadline
    suf = m["suf"] or ""
    if not strong and not suf:
        return None
    if not strong and suf in ("底", "末", "年底", "年末"):
        # "2022年底，全省已建成…" is a status report, not a deadline.
        _, sentence_end = _bounds(key, m.end(), span, _SENTENCE_END)
        if _has_past(key, m.end(), sentence_end, rules):
            return None
    # Report "到2025年" with its 到/至 but without 力争/确保, and "2024年底前" without 在/于.
    if strong:
        core = strong[-1]
        start = m.start("pre") + pre.index(core, len(pre.rstrip()) - len(strong))
    else:
        start = m.start("y")
    year = _number(m["y"])
    month: float | None = None
    if m["m"]:
        month = _number(m["m"])
    elif suf in rules.half_years:
        month = rules.half_years[suf]
    return Deadline(text[start : m.end()], Span(start, m.end()), year=int(year) if year else None,
                    month=int(month) if month else None)


# --------------------------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------------------------


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
        value = _number(m["num"])
        if value is None:
            continue
        head = _skip_spaces_back(key, span.start, m.start())
        if _ends(key, max(span.start, head - 4), head, rules.num_not_before):
            continue
        tail = _skip_spaces(key, m.end(), span.end)
        if _starts(key, tail, span.end, rules.num_not_after):
            continue
        if _starts(key, tail, span.end, rules.doc_parts) or _starts(key, tail, span.end, rules.partner_nouns):
            continue
        unit_start = m.start("unit") if m["unit"] else m.end()
        if m["unit"] in rules.never_units or _starts(key, unit_start, span.end, rules.unit_words):
            continue
        clause_start, _ = _bounds(key, m.start(), span, _CLAUSE_END)
        if any(verb in key[clause_start : m.start()] for verb in rules.content_verbs):
            continue
        if m["unit"] and rules.units.get(m["unit"]) != "NUM" and (
            _starts(key, tail, span.end, rules.name_quotes)
            or _ends(key, max(span.start, head - 1), head, rules.name_quotes)
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
        i = _skip_spaces(key, i, end)
        while i < end and key[i] in "、" + _QUOTES:
            i += 1
        w = _starts(key, i, end, rules.lead)
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
        j = _skip_spaces_back(key, i, j)
        w = _ends(key, i, j, rules.before_words)
        if w and not pre.op and (w not in rules.ratio_comparators or _ends(key, i, j - len(w), rules.ratio_words)):
            pre.op, pre.strength = rules.before[w]
            j -= len(w)
            continue
        w = _ends(key, i, j, rules.disposal)
        if w and not pre.disposal and not pre.verb:
            pre.disposal = True
            j -= len(w)
            continue
        w = _ends(key, i, j, rules.count_verbs)
        if w and not pre.verb:
            pre.verb, pre.verb_at = w, j - len(w)
            j -= len(w)
            continue
        w = _ends(key, i, j, rules.weak_scope)
        if w and not scope and _ends(key, i, j - len(w), rules.count_verbs):
            scope = (j - len(w), j)  # "打造城市15分钟…": 城市 is where, 打造 the verb
            j -= len(w)
            continue
        break
    if not pre.op:
        j = _verb_gap(key, i, j, pre, rules)
    j = _skip_spaces_back(key, i, j)
    if scope is None and key[i:j] in rules.weak_scope:
        scope, i = (i, j), j  # "城市达到90%，农村达到60%": 农村 is where; what is measured comes from before
    pre.rest = (i, j)
    pre.scope = scope
    # Only a verb heading the phrase makes the number a target ("新增养老床位3万张", "建成养老机构10个"); one inside
    # it does not ("对新建养老机构给予每张床位1万元补贴").
    # A weak scope may head the phrase ("城镇新增就业43万人").
    head = i + len(_starts(key, i, j, rules.weak_scope))
    pre.inner_verb = lead_verb or _starts(key, i, j, rules.cut_verbs) or _starts(key, head, j, rules.cut_verbs)
    return pre


def _verb_gap(key: str, i: int, j: int, pre: _Pre, rules: TargetRules) -> int:
    """A strong comparator a short verb before the number ("每年至少组织1次"): set it on pre, return the new end."""
    j = _skip_spaces_back(key, i, j)
    for gap in range(1, rules.verb_gap + 1):
        p = j - gap
        if p <= i or not ("\u4e00" <= key[p] <= "\u9fff") or key[p] == "的":
            break
        w = _ends(key, i, p, rules.before_words)
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
    cs, _ = _bounds(key, k, span, _CLAUSE_END)
    i = cs
    while True:
        i = _skip_spaces(key, i, k)
        w = _starts(key, i, k, rules.lead)
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
        pe = _skip_spaces_back(key, ps, pe - len(_ends(key, ps, pe, rules.prepositions)))
        return _clean(text[ps:pe] + text[qs:qe])

    def t(a: int, b: int) -> str:
        return text[a:b]

    post_text = key[qs:qe]
    if pre.disposal:
        return _clean(t(ps, pe) + t(qs, qe))
    if pre.verb in rules.cover and qe > qs:
        return _clean(t(ps, pe) + pre.verb + t(qs, qe))
    if pre.verb in rules.change and pe > ps:
        return _clean(t(ps, pe) + t(pre.verb_at, pre.verb_at + len(pre.verb)))
    if ps == pe and post_text.startswith("的"):
        return _clean(t(qs + 1, qe))
    if qe > qs and not post_text.startswith("的") and (pre.verb or ps == pe):
        return _clean(t(_after_last_de(key, qs, qe), qe))
    if pe > ps:
        # "养老护理员培训上岗率" is one measure; "…老年人建设家庭养老床位" names the 床位 after the verb.
        is_ratio = _ends(key, ps, pe, rules.ratio_words)
        start = ps if is_ratio else _cut_after_verb(key, ps, pe, rules)
        phrase = t(start, pe)
        if rules.per_basis.match(_clean(key[start:pe])) and qe > qs:
            stop = qe
            for word in rules.noun_stops:
                k = key.find(word, qs, qe)
                if 0 <= k < stop:
                    stop = k
            phrase += t(qs, stop)
        return _clean(phrase)
    if pre.verb:
        found = _antecedent(key, span, pre.verb_at, pre.verb, rules)
        if found:
            return _clean(t(*found))
        return _clean(pre.verb)
    return ""


def extract_targets(text: str, key: str, span: Span, rules: TargetRules | None = None) -> list[Target]:
    """Quantitative targets in span, in reading order, each with its governing deadline and scope."""
    rules = rules or default_rules()
    deadlines = extract_deadlines(text, key, span, rules)
    numbers = _numbers(text, key, span, rules)
    targets: list[Target] = []
    last_end = span.start  # end of the last accepted target: the phrase before a number starts after it
    for n, num in enumerate(numbers):
        cs, ce = _bounds(key, num.start, span, _CLAUSE_END)
        ss, _ = _bounds(key, num.start, span, _SENTENCE_END)
        prev_end = max(cs, last_end)
        next_start = numbers[n + 1].start if n + 1 < len(numbers) and numbers[n + 1].start < ce else ce
        # The phrase before the number starts after any deadline written in the same clause.
        pre_start = prev_end
        for d in deadlines:
            if pre_start <= d.span.start and d.span.end <= num.start:
                pre_start = d.span.end
        pre = _analyse_pre(key, pre_start, num.start, rules)
        # Comparator after the number.
        qs = _skip_spaces(key, num.end, next_start)
        post_op, post_strength = "", ""
        w = _starts(key, qs, next_start, rules.after_words)
        if w:
            post_op, post_strength = rules.after[w]
            qs += len(w)
        elif num.unit in rules.time_units:
            w = _starts(key, qs, next_start, rules.after_time_words)
            if w:
                post_op, post_strength = rules.after_time[w]
                qs += len(w)
        time_bound = num.unit in rules.time_units and post_op in ("le", "lt")
        qs = _skip_spaces(key, qs, next_start)
        qe = _skip_spaces_back(key, qs, next_start)

        strong = "strong" in (pre.strength, post_strength)
        before = [d for d in deadlines if ss <= d.span.start and d.span.end <= num.start]
        # A deadline governs the targets after it in its sentence; one after the number only inside its own clause
        # ("每年培养100名，到2025年，…": the 到2025年 opening the next clause does not govern the yearly 100名).
        later = [d for d in deadlines if d.span.start >= num.end and d.span.end <= ce]
        deadline = before[-1] if before else (later[0] if later else None)
        ps, pe = pre.rest
        if ps < pe and _ends(key, ps, pe, rules.prepositions) and not (pre.op or post_op):
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
        if not governed and _has_past(key, ss, qe, rules) and not _ends(key, ps, pe, rules.target_openers):
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
        a = _skip_spaces(key, cs, ce)
        b = _skip_spaces_back(key, a, ce)
        targets.append(Target(indicator=indicator, comparator=op, value=num.value, unit=num.unit,
                              span=Span(a, b), deadline=deadline, scope=_clean(scope)))
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
