"""Outline: an article's numbered headings and items, table rows among them, and which of them are tasks.

Levels are assigned as legal-text parsers do: each marker kind (一、 / （一） / 1. / （1） / ① / 一是) takes the level
at which it first appears. An unseen kind whose value continues a sibling of the same family ("（4）" after "（三）",
"二、" after "1、") is an OCR or drafting slip and joins that sibling's level. An attachment line (附件1) starts the
numbering afresh. A table's rows are items under the heading the table stands in (its category cells become
sections), and an unnumbered paragraph carrying a responsibility notation is an item too (its marker may be lost
to a garbled encoding). Task items are the leaves of the task sections (重点任务, 重点工作 …, from data) or, when a
document names none, of every section that is not a known non-task section (总体要求, 保障措施 …).
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from policykg.graph.model import Article, Cell, Note, OutlineNode, Row, Span, Table
from policykg.graph.tables import leading_number

_SENTENCE_END = "。;；!！?？"
_CLAUSE_END = ",，:："
_LEADING_JUNK = " \t\u3000。.,，、;；:："
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
    restarts: re.Pattern[str]
    not_tasks: re.Pattern[str]
    heading_labels: re.Pattern[str]


@dataclass
class OutlineResult:
    roots: list[OutlineNode]
    tasks: list[OutlineNode]
    warnings: list[Note] = field(default_factory=list)


def load_outline_rules(path: Path | None = None) -> OutlineRules:
    text = path.read_text("utf-8") if path else resources.files("policykg.graph.data").joinpath(
        "outline.toml").read_text("utf-8")
    data = tomllib.loads(text)
    markers = [
        MarkerKind(m["kind"], m["family"], re.compile(m["pattern"]), bool(m.get("inline", False)))
        for m in data["markers"]
    ]
    return OutlineRules(markers, int(data["max_heading_chars"]), list(data["task_sections"]),
                        list(data["non_task_sections"]), re.compile("|".join(data["artifacts"])),
                        re.compile("|".join(data["restarts"])), re.compile("|".join(data["not_task_items"])),
                        re.compile(data["heading_labels"]))


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
    table: Table | None = None
    row: Row | None = None
    restart: bool = False
    unnumbered_item: bool = False
    label: str = ""  # the number as written when the marker names one (第一件), else the numeral


def _leading_space(key: str, start: int, end: int) -> int:
    while start < end and key[start] in " \t\u3000":
        start += 1
    return start


def _split_inline(key: str, para: Span, rules: OutlineRules, last_inline: dict[str, int]) -> list[Span]:
    """Split a paragraph where items run on within it: inline enumerations (一是…二是…) that continue a sequence,
    and numbered items of a page flattened onto one line ("…试运营。 2.新增…", "…负责)(二)公共…"): a marker
    after a space, a sentence end or a closing bracket (a line break lost) that continues its kind's numbering."""
    cuts: list[int] = []
    for kind in rules.markers:
        expected = last_inline.get(kind.kind, 0) + 1
        for match in kind.pattern.finditer(key, para.start, para.end):
            pos = match.start()
            at_start = pos == _leading_space(key, para.start, para.end)
            if kind.inline:
                boundary = at_start or key[pos - 1] in _INLINE_BOUNDARY
            else:
                boundary = at_start or key[pos - 1].isspace() or key[pos - 1] in "。)"
            value = chinese_numeral(match.group("n"))
            if not boundary:
                continue
            if not at_start and not kind.inline and value == 1 and key[pos - 1] not in " \t\u3000":
                continue  # "4.农村道路建设:(1)…。(2)…": an enumeration inside the item, not items run together
            if at_start or value == expected or (value == 1 and expected > 1 and kind.inline):
                if not at_start:
                    cuts.append(pos)
                expected = value + 1
                last_inline[kind.kind] = value
    cuts = sorted(set(cuts))
    bounds = [para.start, *[c for c in cuts if c > para.start], para.end]
    return [Span(a, b) for a, b in itertools.pairwise(bounds) if key[a:b].strip()]


def _detect(key: str, para: Span, rules: OutlineRules) -> _Item:
    start = _leading_space(key, para.start, para.end)
    artifact = rules.artifacts.match(key, start, para.end)
    if artifact:
        start = _leading_space(key, artifact.end(), para.end)
    for kind in rules.markers:
        match = kind.pattern.match(key, start, para.end)
        if match:
            label = match.group("number") if "number" in kind.pattern.groupindex else ""
            return _Item(kind, Span(start, match.end()), match.group("n"), Span(start, para.end), label=label)
    return _Item(None, None, "", Span(start, para.end), restart=bool(rules.restarts.match(key, start, para.end)))


def heading_of(key: str, start: int, end: int, max_chars: int) -> Span:
    """The heading of an item: the whole line, else its first sentence, else its first clause."""
    while start < end and key[start] in _LEADING_JUNK:
        start += 1
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


def _items(article: Article, rules: OutlineRules, is_item: Callable[[Span], bool] | None) -> list[_Item]:
    """Paragraph items and table rows in reading order."""
    key = article.source.key
    last_inline: dict[str, int] = {}
    items: list[_Item] = []
    tables = sorted(article.tables, key=lambda t: t.span.start)
    for para in article.paragraphs:
        while tables and tables[0].span.start < para.start:
            items.extend(_table_items(tables.pop(0)))
        for sub in _split_inline(key, para, rules, last_inline):
            item = _detect(key, sub, rules)
            if item.kind is None and not item.restart and is_item is not None and is_item(item.span):
                item.unnumbered_item = True  # taken as an item only where an item may start (see _Builder)
            items.append(item)
    for table in tables:
        items.extend(_table_items(table))
    return items


def _table_items(table: Table) -> list[_Item]:
    return [_Item(None, None, "", row.span, table=table, row=row) for row in table.rows]


class _Builder:
    """The outline under construction: the open nodes and the level each marker kind took."""

    def __init__(self, article: Article, rules: OutlineRules) -> None:
        self.source = article.source
        self.rules = rules
        self.roots: list[OutlineNode] = []
        self.stack: list[OutlineNode] = []
        self.open_kinds: list[MarkerKind | None] = []
        self.kind_level: dict[str, int] = {}
        self.paths: dict[tuple[int, ...], int] = {}
        self.warnings: list[Note] = []

    def restart(self) -> None:
        self.stack.clear()
        self.open_kinds.clear()
        self.kind_level.clear()

    def add(self, node: OutlineNode, level: int, kind: MarkerKind | None) -> None:
        level = min(level, len(self.stack) + 1)
        del self.stack[level - 1 :]
        del self.open_kinds[level - 1 :]
        node.level = level
        node.path = (*[n.ordinal for n in self.stack], node.ordinal)
        self.paths[node.path] = node.repeat = self.paths.get(node.path, 0) + 1
        (self.stack[-1].children if self.stack else self.roots).append(node)
        self.stack.append(node)
        self.open_kinds.append(kind)

    def numbered(self, item: _Item) -> None:
        assert item.kind is not None and item.marker_span is not None
        key, text = self.source.key, self.source.text
        ordinal = chinese_numeral(item.number)
        level = self.kind_level.get(item.kind.kind)
        if level is None:
            level = self._repair_level(item.kind, ordinal)
            if level is not None:
                self.warnings.append(Note(
                    f"编号 {text[item.marker_span.start:item.marker_span.end]!r} 按 "
                    f"{self.stack[level - 1].marker!r} 的同级处理（序号连续，写法不同）", item.marker_span))
            else:
                level = len(self.stack) + 1
            self.kind_level[item.kind.kind] = level
        # an item numbered in prose (一是…) is one long sentence: its heading is the first clause
        label = self.rules.heading_labels.match(key, _leading_space(key, item.marker_span.end, item.span.end))
        heading = heading_of(key, label.end() if label else item.marker_span.end, item.span.end,
                             0 if item.kind.inline else self.rules.max_heading_chars)
        node = OutlineNode(
            marker=text[item.marker_span.start : item.marker_span.end],
            number=item.label or item.number,
            ordinal=ordinal, level=level, path=(), heading=text[heading.start : heading.end].strip(),
            heading_span=heading, span=item.span, paragraphs=[item.span],
        )
        self.add(node, level, item.kind)

    def unnumbered(self, item: _Item) -> None:
        """A paragraph item without a marker: a sibling of the open items, numbered by its position."""
        key, text = self.source.key, self.source.text
        parent_level = len(self.stack)
        top = self.stack[-1] if self.stack else None
        if top is not None and (self.open_kinds[-1] is None or top.span.end > top.heading_span.end + 1):
            parent_level -= 1  # after an item with a body (or another unnumbered item): its sibling
        siblings = self.stack[parent_level - 1].children if parent_level else self.roots
        ordinal = len(siblings) + 1
        heading = heading_of(key, item.span.start, item.span.end, self.rules.max_heading_chars)
        node = OutlineNode(marker="", number=str(ordinal), ordinal=ordinal, level=0, path=(),
                           heading=text[heading.start : heading.end].strip(), heading_span=heading,
                           span=item.span, paragraphs=[item.span])
        self.add(node, parent_level + 1, None)

    def row(self, item: _Item) -> None:
        """A table row: an item under the heading the table stands in, or under its category cell's section."""
        table, row = item.table, item.row
        assert table is not None and row is not None
        text = self.source.text
        base = len(self.stack)
        while base and self.stack[base - 1].table is table:  # rows and categories of this table close
            base -= 1
        category = [c for c in table.cells(row, ("category",)) if c.sub_row == 0]
        if category and category[0].merged_from is None:
            self._category(table, Span(category[0].span.start, category[-1].span.end), base)
        in_category = len(self.stack) > base and self.stack[base].table is table and self.stack[base].row is None
        level = base + (2 if in_category else 1)
        number_cell = next(iter(table.cells(row, ("number",))), None)
        titles = [c for c in table.cells(row, ("title",)) if c.sub_row == 0] or table.cells(row, ("title",))
        own = leading_number(text[titles[0].span.start : titles[0].span.end]) if titles else None  # a sub-row
        number = (text[number_cell.span.start : number_cell.span.end] if number_cell
                  else str(own) if own is not None else str(row.index + 1))
        title = Span(titles[0].span.start, titles[-1].span.end) if titles else row.span
        heading = heading_of(self.source.key, title.start, title.end, 10_000)
        # target cells holding text are read like the task's text; a value alone ("95%") is read by its column
        texts = [c.span for c in table.cells(row, ("title", "body", "target"))
                 if self.columns_text(table, c) or table.columns[c.column].field != "target"]
        node = OutlineNode(
            marker=number, number=number, ordinal=chinese_numeral(number) or row.index + 1, level=level, path=(),
            heading=re.sub(r"\s*\n\s*", "", text[heading.start : heading.end]).strip(), heading_span=heading,
            span=row.span, paragraphs=texts or [title], is_task=True, table=table, row=row,
        )
        self.add(node, level, None)

    def columns_text(self, table: Table, cell: Cell) -> bool:
        """Whether a cell holds words, not a value alone."""
        return bool(re.search(r"[\u4e00-\u9fff]", self.source.text[cell.span.start : cell.span.end]))

    def _category(self, table: Table, span: Span, base: int) -> None:
        """A category cell (一、就业促进(3项)) opens a section for the rows under it."""
        key, text = self.source.key, self.source.text
        item = _detect(key, span, self.rules)
        siblings = self.stack[base - 1].children if base else self.roots
        ordinal = chinese_numeral(item.number) if item.kind is not None else len(siblings) + 1
        heading = heading_of(key, item.marker_span.end if item.marker_span else span.start, span.end, 10_000)
        node = OutlineNode(marker=text[item.marker_span.start : item.marker_span.end] if item.marker_span else "",
                           number=item.number or str(ordinal), ordinal=ordinal, level=base + 1, path=(),
                           heading=text[heading.start : heading.end].strip(), heading_span=heading, span=span,
                           paragraphs=[], table=table)
        self.add(node, base + 1, None)

    def paragraph(self, item: _Item) -> None:
        """Text without a marker belongs to the open item."""
        if self.stack and self.stack[-1].row is None:
            node = self.stack[-1]
            node.paragraphs.append(item.span)
            node.span = Span(node.span.start, max(node.span.end, item.span.end))

    def _repair_level(self, kind: MarkerKind, ordinal: int) -> int | None:
        if ordinal <= 1:
            return None
        for depth in range(len(self.stack) - 1, -1, -1):
            open_kind = self.open_kinds[depth]
            if open_kind is not None and open_kind.family == kind.family and self.stack[depth].ordinal == ordinal - 1:
                return depth + 1
        return None


def build_outline(article: Article, rules: OutlineRules,
                  is_item: Callable[[Span], bool] | None = None) -> OutlineResult:
    """The outline of an article; `is_item` tells whether an unnumbered paragraph is an item of its own."""
    builder = _Builder(article, rules)
    for item in _items(article, rules, is_item):
        if item.row is not None:
            builder.row(item)
        elif item.restart:
            builder.restart()
        elif item.kind is not None:
            builder.numbered(item)
        elif item.unnumbered_item:
            builder.unnumbered(item)
        else:
            builder.paragraph(item)
    tasks = _mark_tasks(builder.roots, rules, article.source.key)
    return OutlineResult(builder.roots, tasks, builder.warnings)


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
    structural = [leaf for root in task_roots for leaf in _leaves(root)]
    rows = [n for n in iter_nodes(roots) if n.row is not None]
    tasks: list[OutlineNode] = []
    for node in sorted({id(n): n for n in [*structural, *rows]}.values(), key=lambda n: n.span.start):
        if node.row is None and (node.table is not None or rules.not_tasks.search(node.heading)):
            continue  # a category section without rows, or a question to the reader
        node.is_task = True
        tasks.append(node)
    return tasks
