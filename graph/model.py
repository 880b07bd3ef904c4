"""Plain data passed between the pipeline stages.

Every fact points back into a `SourceText` by a `Span` of code points in `SourceText.text` (the normalized text).
`SourceText.key` has the same length as `text` and is what patterns match against (simplified characters,
half-width punctuation, all brackets folded to ASCII parentheses), so a match in `key` gives the written form in
`text` at the same offsets: "match in simplified, keep the written form".
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["lead", "co"]
# How a role was decided: stated by the text (牵头/会同/配合), first of a list, first of a list under a declared
# rule (列第一位者为牵头单位), the only unit listed, added by a document-wide rule (以下任务…均包含…), taken from
# the row above because the row's cell is blank (a merged table cell).
Basis = Literal["explicit", "list-order", "declared-list-order", "sole-unit", "inherited", "merged-cell"]
Level = Literal["national", "provincial", "municipal", "county", "unknown"]
Status = Literal["final", "draft", "report"]


@dataclass(frozen=True, order=True)
class Span:
    """Half-open range [start, end) of code points in a SourceText's normalized text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")

    def shift(self, offset: int) -> Span:
        return Span(self.start + offset, self.end + offset)


@dataclass
class Mark:
    """A span of a source's text that a stage recognised, kept in a named layer (see `SourceText.layers`)."""

    span: Span
    label: str  # what it is, e.g. the name of the rule that matched
    value: str = ""


@dataclass
class Column:
    """A table column: its header as written and the field it holds (see data/tables.toml)."""

    label: str
    span: Span
    field: str  # number, title, body, target, baseline, lead, co, list, person, internal, deadline, category, …
    year: int | None = None  # for a value column named by a year (2025年)


@dataclass
class Cell:
    """One piece of a row in a column: a cell, or one line / token of a cell that spans several."""

    column: int
    span: Span
    sub_row: int = 0  # 0 for the row itself, 1, 2 … for sub-rows under merged cells
    merged_from: int | None = None  # index of the row whose cell this blank (merged) cell repeats


@dataclass
class Row:
    index: int
    span: Span
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Table:
    """A table block: header columns and rows, with the way it was flattened (pipe, cell-per-line, spaced)."""

    span: Span
    columns: list[Column]
    rows: list[Row]
    flattening: str

    def cells(self, row: Row, fields: tuple[str, ...]) -> list[Cell]:
        """The row's cells in columns holding one of `fields`, in column then reading order."""
        return sorted((c for c in row.cells if self.columns[c.column].field in fields),
                      key=lambda c: (c.column, c.span.start))


BlockKind = Literal["body", "headline", "byline", "source", "stray"]


@dataclass
class PageBlock:
    """One paragraph of a reflowed newspaper page with what the page analysis saw in it."""

    span: Span  # in SourceText.text
    kind: BlockKind
    width: float  # widest line of the paragraph (printed width)
    lines: int  # number of page lines joined into it
    wide: bool  # set in a wider block than the page's columns (a lead box)


@dataclass
class Block:
    """A piece of a source's layout: a line of text (on a newspaper page, a reflowed paragraph) or a table."""

    kind: Literal["line", "table"]
    span: Span
    table: Table | None = None
    page: PageBlock | None = None  # what the page analysis saw in it, on a newspaper page


@dataclass(frozen=True)
class Locator:
    """Where a range of the file as read (`SourceText.raw` offsets) came from in its original format: a PDF page, a
    table's row and cell (1-based), or a page metadata field such as 发文字号; None where the format has none.
    A reader's locators are in raw order and do not overlap (a PDF table cell carries its page too)."""

    start: int
    end: int
    page: int | None = None
    table: int | None = None
    row: int | None = None
    cell: int | None = None
    field: str | None = None


@dataclass
class SourceText:
    """One input file, decoded and normalized: the document object every stage reads and adds to.

    `blocks` are the lines and tables the layout stage found; `layers` hold named span annotations that stages
    add (e.g. "noise": navigation and share-button lines; "marker": outline markers), so later stages read them
    instead of finding them again.
    """

    file_name: str  # as in the corpus folder, e.g. "001_7554c59a77879f53.txt"
    raw: str  # the decoded file, untouched
    text: str  # normalized text that every Span indexes
    key: str  # match view of `text`, same length
    raw_offsets: list[int]  # raw_offsets[i] = offset in `raw` of text[i]; one extra entry for len(text)
    sha256: str  # of the file's bytes
    text_sha256: str  # of `text` encoded as UTF-8
    is_page: bool = False  # an OCR'd newspaper page whose column breaks were undone
    blocks: list[Block] = field(default_factory=list)
    layers: dict[str, list[Mark]] = field(default_factory=dict)
    media_type: str = "text/plain"  # of the file as received (application/pdf, text/html …)
    encoding: str = "utf-8"  # the character encoding detected (text, HTML, CSV) or the one the format defines
    locators: list[Locator] = field(default_factory=list)  # in raw order, from the format's reader

    def locate(self, span: Span) -> Locator | None:
        """The locator of the raw range a span starts in, if the reader recorded one (locators do not overlap)."""
        if not self.locators or span.start >= len(self.raw_offsets):
            return None
        raw = self.raw_offsets[span.start]
        i = bisect_right(self.locators, raw, key=lambda loc: loc.start) - 1
        if i >= 0 and self.locators[i].start <= raw < self.locators[i].end:
            return self.locators[i]
        return None

    def quote(self, span: Span) -> str:
        return self.text[span.start : span.end]

    def raw_span(self, span: Span) -> tuple[int, int]:
        return self.raw_offsets[span.start], self.raw_offsets[span.end]

    def line_of(self, span: Span) -> int:
        """The 1-based line of the file where a span starts (what an editor shows)."""
        return self.raw.count("\n", 0, self.raw_offsets[span.start]) + 1


@dataclass
class Article:
    """One document found in a source: a whole policy text, or one article of a newspaper page."""

    source: SourceText
    paragraphs: list[Span]  # logical paragraphs in reading order (may come from anywhere on a page)
    title: str = ""
    title_span: Span | None = None  # None when the title is not a contiguous part of the text
    byline: str = ""
    index: int = 0  # position of the article within its source, 0 for the first
    tables: list[Table] = field(default_factory=list)  # table blocks inside the article, in reading order


@dataclass
class OutlineNode:
    """A numbered heading or item (一、 / （一） / 1. / （1） / ① / 一是), with what it contains."""

    marker: str  # as written, e.g. "（一）", "1."
    number: str  # the numeral as written, e.g. "一", "1"
    ordinal: int  # its value, e.g. 1
    level: int  # 1 = outermost
    path: tuple[int, ...]  # ordinals from the outermost ancestor down, e.g. (2, 2, 6)
    heading: str  # title text after the marker (first sentence for an item with a body)
    heading_span: Span
    span: Span  # from the marker to the end of the node's own text, children excluded
    paragraphs: list[Span] = field(default_factory=list)  # the node's own paragraphs in reading order
    children: list[OutlineNode] = field(default_factory=list)
    is_task: bool = False  # by its place in the outline (a leaf of a task section, a table row)
    table: Table | None = None  # for a table row: its table and row
    row: Row | None = None
    repeat: int = 1  # the n-th node with this path in the document (numbering restarts after an attachment)

    @property
    def path_id(self) -> str:
        path = ".".join(str(n) for n in self.path)
        return path if self.repeat == 1 else f"{path}-{self.repeat}"


@dataclass
class AgencyMention:
    written: str  # exactly as in the text
    span: Span


@dataclass
class Responsibility:
    """A unit named responsible for a task, with its role and how that role was decided.

    One per (task, agency): when a task names an agency twice (two clauses, or two written forms of one agency),
    the statements are merged (see `extract.merge_responsibilities`) and every written form and clause is kept.
    """

    mention: AgencyMention
    role: Role
    basis: Basis
    evidence: Span  # the clause that states it, e.g. "(责任单位：省民政厅、省统计局)"
    position: int | None = None  # 1-based position in the written list
    agency_key: str = ""  # filled by resolve
    also: list[tuple[AgencyMention, Span]] = field(default_factory=list)  # further statements of the same unit


@dataclass
class Deadline:
    text: str  # as written, e.g. "到2025年", "2024年底前", "“十四五”期间"
    span: Span
    year: int | None = None
    month: int | None = None
    end_year: int | None = None  # for periods such as 十四五 (2021–2025)
    start_year: int | None = None


@dataclass
class Target:
    """A quantitative target: indicator, comparator, value and unit, maybe with a deadline."""

    indicator: str
    comparator: str  # "ge", "gt", "le", "lt", "eq", "approx"
    value: float
    unit: str  # "%", "个", "张", "平方米", ... as written
    span: Span  # the sentence part that states it
    deadline: Deadline | None = None
    scope: str = ""  # e.g. "全省", "每个县(市、区、特区)"


@dataclass
class Duty:
    """A duty stated in running text: "X要会同Y…", "由X会同Y…", "X负责…", "各级X要…"."""

    agent: AgencyMention
    duty: str
    span: Span
    partners: list[AgencyMention] = field(default_factory=list)
    pattern: str = ""  # name of the running-text pattern that matched
    makes_lead: bool = False  # 会同/牵头 constructions make the agent the lead of the enclosing task
    agent_key: str = ""
    partner_keys: list[str] = field(default_factory=list)


@dataclass
class Task:
    node: OutlineNode
    section: OutlineNode | None
    responsibilities: list[Responsibility] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    due: list[Span] = field(default_factory=list)  # the task's own 完成时限 field or table cell

    @property
    def title(self) -> str:
        return self.node.heading


@dataclass
class Jurisdiction:
    code: str  # GB/T 2260 code, "100000" for the whole country
    name: str  # full name, e.g. "贵州省"
    short: str  # short name, e.g. "贵州"
    level: Level


@dataclass
class Agency:
    """One real agency (or collective agent) in one jurisdiction."""

    key: str  # stable natural key used in IRIs: "{jurisdiction code}/{canonical name}"
    name: str  # canonical full name, e.g. "贵州省卫生健康委员会"
    jurisdiction: Jurisdiction
    kind: str  # "government", "department", "party", "court", "mass-organisation", "regulator", "collective", "unknown"
    aliases: set[str] = field(default_factory=set)  # every written form seen
    resolved: bool = True  # False when no rule or lexicon entry recognised the form


@dataclass
class CitedDocument:
    title: str  # as cited, without 《》
    span: Span
    relation: str  # "applies" (为贯彻落实/按照…精神/对照) or "cites"


@dataclass
class Citation:
    """What the text says about one cited document besides its title: its 文号, who issued it, where it is from."""

    cited: CitedDocument
    doc_number: str = ""  # from a "(赣办发〔2023〕10号)" right after the title
    issuers: list[str] = field(default_factory=list)  # "中共中央办公厅、国务院办公厅《X》" → both
    jurisdiction: Jurisdiction | None = None  # of the issuers; a hint for `match_title`
    outer: str = ""  # for a title nested in another (《…印发〈X〉的通知》): the enclosing title


@dataclass
class DocumentMeta:
    """Metadata of one document (or news report), with the spans it was read from."""

    title: str
    key: str  # "{jurisdiction code}/{文号}" or "{jurisdiction code}/t-{sha1 of the folded title[:12]}"
    doc_number: str = ""  # 文号 with the year in 〔〕, e.g. "黔府办发〔2023〕21号"
    issuers: list[str] = field(default_factory=list)  # as written, in the order written
    date: str | None = None  # ISO yyyy-mm-dd
    level: Level = "unknown"
    jurisdiction: Jurisdiction | None = None
    status: Status = "final"
    status_note: str = ""  # the status word as written, e.g. "再次征求意见稿"
    doc_type: str = ""  # 意见, 实施方案, … or "report"
    cited: list[CitedDocument] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)  # same order as `cited`, one per cited title
    reported: DocumentMeta | None = None  # for a report: the document it reports on
    title_span: Span | None = None
    wrapper_title: str = ""  # the covering notice, e.g. "省人民政府办公厅关于印发…的通知"
    evidence: dict[str, Span] = field(default_factory=dict)  # field name → where the text states it


@dataclass
class DocumentLink:
    """What a document says about another: it applies (为贯彻落实…), cites, or is an earlier version of it."""

    relation: Literal["applies", "cites", "earlier-version-of"]
    title: str  # as cited
    target_key: str | None = None  # key of the document when it is in the corpus
    span: Span | None = None


@dataclass
class ReportedDocument:
    """The policy document a news report is about, as the report describes it."""

    key: str
    title: str
    status: Status
    doc_type: str = ""
    jurisdiction: Jurisdiction | None = None
    issuer_keys: list[str] = field(default_factory=list)
    links: list[DocumentLink] = field(default_factory=list)
    in_corpus: bool = False  # the report is about a document of the corpus itself (key is that document's)


@dataclass
class TaskLink:
    """A task of one document linked to an item of another: it carries it out, shares its subject, or revises it.

    `source` and `target` are (document key, outline node); the spans are the best-matching clauses on each side.
    """

    relation: Literal["implements", "same-subject", "revises"]
    source: tuple[str, OutlineNode]
    target: tuple[str, OutlineNode]
    score: float
    method: str  # how the document pair was found and the measure, e.g. "applies+tfidf-char-2-3"
    source_span: Span
    target_span: Span


@dataclass
class Gap:
    """A measure of a higher document (`item` of document `higher`) that no task of `lower` takes up."""

    lower: str  # document key
    higher: str
    item: OutlineNode
    measure: Span  # in the higher document's text
    nearest: Span | None  # the lower document's closest clause, in its text
    score: float


@dataclass
class Document:
    """A document ready for RDF: metadata, outline, tasks and duties."""

    article: Article
    key: str  # stable natural key: 文号 or digest of the title
    title: str
    doc_number: str = ""  # 文号, e.g. "黔府办发〔2023〕21号"
    issuers: list[str] = field(default_factory=list)
    date: str = ""  # ISO date
    level: Level = "unknown"
    jurisdiction: Jurisdiction | None = None
    status: Status = "final"
    doc_type: str = ""  # 意见, 实施方案, 实施意见, 行动方案, 通知, …
    outline: list[OutlineNode] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)  # duties outside tasks
    cited: list[CitedDocument] = field(default_factory=list)
    inherited_rule: Span | None = None  # where a rule such as 以下任务…均包含… was stated
    issuer_keys: list[str] = field(default_factory=list)  # resolved issuing bodies
    links: list[DocumentLink] = field(default_factory=list)
    reported: ReportedDocument | None = None
    report_kind: str = ""  # for a news report: draft-for-comment, plan, cooperation-agreement, meeting, event
    field_evidence: dict[str, Span] = field(default_factory=dict)  # "doc_number", "date" → where the text states it

    @property
    def source(self) -> SourceText:
        return self.article.source


@dataclass(frozen=True)
class Note:
    """Something a stage did not understand or left out, with where it is in the text."""

    message: str
    span: Span | None = None


@dataclass
class BuildIssue:
    """A warning or error met while building, naming the file (and the line, when known)."""

    file_name: str
    message: str
    severity: Literal["warning", "error"] = "warning"
    line: int | None = None  # 1-based line of the file as read

    def __str__(self) -> str:
        where = f"{self.file_name}:{self.line}" if self.line else self.file_name
        return f"{where}: {self.severity}: {self.message}"
