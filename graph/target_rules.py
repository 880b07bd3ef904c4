"""The knowledge behind targets and deadlines (`data/targets.toml`) compiled into regexes and word lists.

Units, comparators, deadline phrasings, planning periods, count verbs and the filters that keep thresholds,
parameters and progress figures out of the targets are data; this module only reads them, once per build.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path


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
