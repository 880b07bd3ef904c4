"""Outline: turn an article's paragraphs into numbered headings and items, and mark which items are tasks.

Levels are assigned as legal-text parsers do: each marker kind (一、 / （一） / 1. / （1） / ① / 一是) takes the level
at which it first appears. An unseen kind whose value continues a sibling of the same family ("（4）" after "（三）",
"二、" after "1、") is an OCR or drafting slip and joins that sibling's level. Task items are the leaves of the task
sections (重点任务, 重点工作 …, from data) or, when a document names none, of every section that is not a
known non-task section (总体要求, 保障措施 …).
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from policykg.graph.model import Article, OutlineNode, Span

_SENTENCE_END = "。;；!！?？"
_CLAUSE_END = ",，:："
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_INLINE_BOUNDARY = "。;；:： \n"


@dataclass(frozen=True)
class MarkerKind:
    kind: str
    family: str
    pattern: re.Pattern[str]
    inline: bool


@dataclass(frozen=True)
class OutlineRules:
    markers: list[MarkerKind]
    max_heading_chars: int
    task_sections: list[str]
    non_task_sections: list[str]
    artifacts: re.Pattern[str]


@dataclass
class OutlineResult:
    roots: list[OutlineNode]
    tasks: list[OutlineNode]
    warnings: list[str] = field(default_factory=list)


def load_outline_rules(path: Path | None = None) -> OutlineRules:
    text = path.read_text("utf-8") if path else resources.files("policykg.graph.data").joinpath(
        "outline.toml").read_text("utf-8")
    data = tomllib.loads(text)
    markers = [
        MarkerKind(m["kind"], m["family"], re.compile(m["pattern"]), bool(m.get("inline", False)))
        for m in data["markers"]
    ]
    return OutlineRules(markers, int(data["max_heading_chars"]), list(data["task_sections"]),
                        list(data["non_task_sections"]), re.compile("|".join(data["artifacts"])))


def chinese_numeral(numeral: str) -> int:
    """Value of 一 … 九十九 (and 百 for completeness)."""
    if len(numeral) == 1 and numeral in _CIRCLED:
        return _CIRCLED.index(numeral) + 1
    if numeral.isascii() and numeral.isdigit():
        return int(numeral)
    if "百" in numeral:
        hundreds, _, rest = numeral.partition("百")
        return _CN_DIGITS.get(hundreds, 1) * 100 + (chinese_numeral(rest.lstrip("零")) if rest else 0)
    if "十" in numeral:
        tens, _, units = numeral.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)
    return _CN_DIGITS.get(numeral, 0)


@dataclass
class _Item:
    kind: MarkerKind | None
    marker_span: Span | None
    number: str
    span: Span


def _leading_space(key: str, start: int, end: int) -> int:
    while start < end and key[start] in " \t\u3000":
        start += 1
    return start


def _split_inline(key: str, para: Span, rules: OutlineRules, last_inline: dict[str, int]) -> list[Span]:
    """Split a paragraph at inline enumerations (一是…二是…) that continue a sequence."""
    cuts: list[int] = []
    for kind in (k for k in rules.markers if k.inline):
        expected = last_inline.get(kind.kind, 0) + 1
        for match in kind.pattern.finditer(key, para.start, para.end):
            pos = match.start()
            boundary = pos == _leading_space(key, para.start, para.end) or key[pos - 1] in _INLINE_BOUNDARY
            value = chinese_numeral(match.group("n"))
            if not boundary:
                continue
            if value == expected or (value == 1 and expected > 1):
                cuts.append(pos)
                expected = value + 1
                last_inline[kind.kind] = value
    cuts = sorted(set(cuts))
    bounds = [para.start, *[c for c in cuts if c > para.start], para.end]
    spans = [Span(a, b) for a, b in itertools.pairwise(bounds) if key[a:b].strip()]
    return spans


def _detect(key: str, para: Span, rules: OutlineRules) -> _Item:
    start = _leading_space(key, para.start, para.end)
    artifact = rules.artifacts.match(key, start, para.end)
    if artifact:
        start = _leading_space(key, artifact.end(), para.end)
    for kind in rules.markers:
        match = kind.pattern.match(key, start, para.end)
        if match:
            return _Item(kind, Span(start, match.end()), match.group("n"), Span(start, para.end))
    return _Item(None, None, "", Span(start, para.end))


def _heading(key: str, start: int, end: int, max_chars: int) -> Span:
    """The heading after a marker: the whole line, else its first sentence, else its first clause."""
    start = _leading_space(key, start, end)
    stop = end
    while stop > start and key[stop - 1] in " \n":
        stop -= 1
    body = key[start:stop]
    sentence_end = next((i for i, ch in enumerate(body) if ch in _SENTENCE_END), None)
    if sentence_end is None:
        cut = len(body)
    elif sentence_end <= max_chars:
        cut = sentence_end
    else:
        cut = next((i for i, ch in enumerate(body[:sentence_end]) if ch in _CLAUSE_END), sentence_end)
    return Span(start, start + cut)


def build_outline(article: Article, rules: OutlineRules) -> OutlineResult:
    source = article.source
    key, text = source.key, source.text
    warnings: list[str] = []
    last_inline: dict[str, int] = {}
    items = [
        _detect(key, sub, rules)
        for para in article.paragraphs
        for sub in _split_inline(key, para, rules, last_inline)
    ]

    kind_level: dict[str, int] = {}
    stack: list[OutlineNode] = []
    roots: list[OutlineNode] = []
    open_kinds: list[MarkerKind] = []

    for item in items:
        if item.kind is None or item.marker_span is None:
            if stack:
                stack[-1].paragraphs.append(item.span)
                stack[-1].span = Span(stack[-1].span.start, max(stack[-1].span.end, item.span.end))
            continue
        ordinal = chinese_numeral(item.number)
        level = kind_level.get(item.kind.kind)
        if level is None:
            level = _repair_level(item.kind, ordinal, stack, open_kinds)
            if level is not None:
                warnings.append(
                    f"marker {text[item.marker_span.start:item.marker_span.end]!r} read as a sibling of "
                    f"{stack[level - 1].marker!r} (numbering continues; the notation differs)"
                )
            else:
                level = len(stack) + 1
            kind_level[item.kind.kind] = level
        level = min(level, len(stack) + 1)
        del stack[level - 1 :]
        del open_kinds[level - 1 :]
        heading = _heading(key, item.marker_span.end, item.span.end, rules.max_heading_chars)
        path = (*[n.ordinal for n in stack], ordinal)
        node = OutlineNode(
            marker=text[item.marker_span.start : item.marker_span.end],
            number=str(ordinal) if item.number.isascii() and item.number.isdigit() else item.number,
            ordinal=ordinal,
            level=level,
            path=path,
            heading=text[heading.start : heading.end].strip(),
            heading_span=heading,
            span=item.span,
            paragraphs=[item.span],
        )
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
        open_kinds.append(item.kind)

    tasks = _mark_tasks(roots, rules, key)
    return OutlineResult(roots, tasks, warnings)


def _repair_level(kind: MarkerKind, ordinal: int, stack: list[OutlineNode], open_kinds: list[MarkerKind]) -> int | None:
    if ordinal <= 1:
        return None
    for depth in range(len(stack) - 1, -1, -1):
        if open_kinds[depth].family == kind.family and stack[depth].ordinal == ordinal - 1:
            return depth + 1
    return None


def iter_nodes(nodes: list[OutlineNode]) -> list[OutlineNode]:
    found: list[OutlineNode] = []
    for node in nodes:
        found.append(node)
        found.extend(iter_nodes(node.children))
    return found


def _leaves(node: OutlineNode) -> list[OutlineNode]:
    return [node] if not node.children else [leaf for child in node.children for leaf in _leaves(child)]


def _mark_tasks(roots: list[OutlineNode], rules: OutlineRules, key: str) -> list[OutlineNode]:
    def named(node: OutlineNode, words: list[str]) -> bool:
        heading = key[node.heading_span.start : node.heading_span.end].strip()  # simplified: 重點任務 → 重点任务
        return any(heading.startswith(word) for word in words)

    task_roots = [r for r in roots if r.children and named(r, rules.task_sections)]
    if not task_roots:
        task_roots = [r for r in roots if not named(r, rules.non_task_sections)]
    tasks = [leaf for root in task_roots for leaf in _leaves(root)]
    for task in tasks:
        task.is_task = True
    return tasks
