"""Document metadata: what a text is, who issued it, when, for which place, and which documents it cites.

`describe` reads one `Article` and returns a `DocumentMeta`: title (the policy's own title when a covering notice
印发s it), 文号, issuers as written, date, level and jurisdiction, status (final / draft / report), document type,
the 《…》 documents it cites (with "applies" for the ones it implements) and, for a newspaper article, the
document it reports on. `match_title` and `same_document` link a cited or reported title to a document of the
corpus, so that a draft and its final version, or a citation and the cited text, meet.

The rules are general; the words they look for (document types, status words, wrappers, issuance verbs,
implementation phrases, agency suffixes) live in `data/metadata.toml`. Patterns match a same-length folded view
of the text (simplified, half-width, brackets folded to "(" ")" except 《》〈〉), and results are cut from the
written text at the same offsets.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, cast

from policykg.graph.lines import layout
from policykg.graph.model import Article, CitedDocument, Jurisdiction, Level, SourceText, Span, Status

JurisdictionFinder = Callable[[str, Any], "Jurisdiction | None"]


class AgencyCheck(Protocol):
    """The part of `resolve.AgencyRecognizer` used here: does a fragment name an agency?"""

    def is_agency(self, fragment: str) -> bool: ...


# ---------------------------------------------------------------------------------------------------------------
# results


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


# ---------------------------------------------------------------------------------------------------------------
# rules


@dataclass(frozen=True)
class Wrapper:
    pattern: re.Pattern[str]
    same_issuer: bool
    draft: bool


@dataclass(frozen=True)
class MetaRules:
    """data/metadata.toml, compiled."""

    doc_types: tuple[str, ...]  # longest first
    report_type: str
    draft_words: tuple[str, ...]  # longest first
    wrappers: tuple[Wrapper, ...]
    headlines: tuple[re.Pattern[str], ...]
    applies: tuple[str, ...]
    conjunctions: tuple[str, ...]
    alias_words: tuple[str, ...]
    max_title: int
    issue_verbs: tuple[str, ...]
    lead_in: tuple[re.Pattern[str], ...]
    agency_name: re.Pattern[str]
    agency_sep: re.Pattern[str]
    agency_tail: re.Pattern[str]
    reject_endings: tuple[str, ...]
    source_labels: tuple[str, ...]
    document_date: re.Pattern[str]
    publication_date: re.Pattern[str]
    number_label: re.Pattern[str]
    national: Jurisdiction
    national_prefixes: tuple[str, ...]
    national_numbers: tuple[str, ...]
    level_prefixes: tuple[tuple[str, Level], ...]  # longest first
    self_reference: dict[str, tuple[Level, ...]]


def _longest_first(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in _longest_first(words))


def _date_label(labels: Sequence[str]) -> re.Pattern[str]:
    return re.compile(
        rf"(?:{_alternation(labels)})\s*:\s*(\d{{4}})\s*[-/.年]\s*(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})"
    )


def compile_rules(data: dict[str, Any]) -> MetaRules:
    """Compile the knowledge file's tables into patterns (separate from loading so tests can vary the data)."""
    title = data["title"]
    issuer = data["issuer"]
    juris = data["jurisdiction"]
    suffixes = _alternation(issuer["suffixes"])
    stops = _alternation([*issuer["separators"], *issuer["followers"]])
    # A name: CJK characters (no punctuation) ending in an agency suffix, followed by a separator, a word that can
    # follow a subject, or the end. Non-greedy, so "国务院办公厅印发" gives 国务院办公厅, not 国务院.
    agency_name = re.compile(rf"(?:[\u4e00-\u9fff·]{{0,30}}?)(?:{suffixes})(?=(?:{stops})|$)")
    agency_sep = re.compile(rf"\s*(?:{_alternation(s for s in issuer['separators'] if s != '等')}|\s)\s*")
    agency_tail = re.compile(
        rf"^\s*(?:等\s*[\d一二三四五六七八九十两]{{0,3}}\s*(?:个|家)?\s*(?:部门|单位|机构|部委))?"
        rf"\s*(?:(?:{_alternation(issuer['followers'])})\s*)*了?\s*$"
    )
    self_ref: dict[str, tuple[Level, ...]] = {}
    for word, levels in juris["self_reference"].items():
        self_ref[word] = tuple(cast(list[Level], [levels] if isinstance(levels, str) else levels))
    return MetaRules(
        doc_types=_longest_first(data["doc_type"]["words"]),
        report_type=data["doc_type"]["report"],
        draft_words=_longest_first(data["status"]["draft"]),
        wrappers=tuple(
            Wrapper(re.compile(w["pattern"]), bool(w.get("same_issuer", True)), bool(w.get("draft", False)))
            for w in title["wrapper"]
        ),
        headlines=tuple(re.compile(h["pattern"]) for h in title["headline"]),
        applies=_longest_first(data["citation"]["applies"]),
        conjunctions=tuple(data["citation"]["conjunctions"]),
        alias_words=_longest_first(data["citation"]["alias"]),
        max_title=int(data["citation"]["max_length"]),
        issue_verbs=_longest_first(data["issue"]["verbs"]),
        lead_in=tuple(re.compile(p) for p in data["issue"]["lead_in"]),
        agency_name=agency_name,
        agency_sep=agency_sep,
        agency_tail=agency_tail,
        reject_endings=tuple(issuer.get("reject_endings", [])),
        source_labels=_longest_first(issuer["source_labels"]),
        document_date=_date_label(data["date"]["document_labels"]),
        publication_date=_date_label(data["date"]["publication_labels"]),
        number_label=re.compile(rf"^(?:{_alternation(data['doc_number']['labels'])})\s*:\s*"),
        national=Jurisdiction(juris["national_code"], juris["national_name"], juris["national_short"], "national"),
        national_prefixes=_longest_first(juris["national_prefixes"]),
        national_numbers=_longest_first(juris["national_numbers"]),
        level_prefixes=tuple(
            sorted(cast(dict[str, Level], juris["level_prefixes"]).items(), key=lambda kv: -len(kv[0]))
        ),
        self_reference=self_ref,
    )


@cache
def load_rules(path: Path | None = None) -> MetaRules:
    """The metadata knowledge, read once (from the installed package unless a path is given)."""
    if path is not None:
        text = path.read_text("utf-8")
    else:
        text = resources.files("policykg.graph.data").joinpath("metadata.toml").read_text("utf-8")
    return compile_rules(tomllib.loads(text))


def doc_types() -> tuple[str, ...]:
    """Every document-type word `describe` can give, for the `doctype` code list."""
    rules = load_rules()
    return (*rules.doc_types, rules.report_type)


# ---------------------------------------------------------------------------------------------------------------
# text views

_BRACKET_FOLD = {
    **{c: "(" for c in "（〔［【﹝｛〖⦅[{"},
    **{c: ")" for c in "）〕］】﹞｝〗⦆]}"},
}
_KEEP = frozenset("《》〈〉")
_CLAUSE_MARKS = ",;:。!?\n"
_SENTENCE_MARKS = "。;!?\n"


@cache
def _fold_char(char: str) -> str:
    if char in _KEEP:
        return char
    if char in _BRACKET_FOLD:
        return _BRACKET_FOLD[char]
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        return char
    if folded in _KEEP:  # U+2329 〈 → U+3008 〈
        return folded
    return _BRACKET_FOLD.get(folded, folded)


def fold(text: str) -> str:
    """Same-length match view of a string: NFKC per character, brackets to "(" ")", 《》〈〉 kept."""
    return "".join(_fold_char(c) for c in text)


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def source_view(source: SourceText) -> str:
    """`fold(source.text)`, with the simplified characters of `source.key` where it has them."""
    folded = fold(source.text)
    if len(source.key) != len(source.text):
        return folded
    return "".join(
        k if _is_han(k) and k != t else f for k, t, f in zip(source.key, source.text, folded, strict=True)
    )


def squeeze(text: str) -> str:
    """Undo line breaks and OCR spacing inside a title, keeping a space that separates two words as written.

    A run of whitespace with a line break goes; so does one next to a digit or punctuation ("2023 年"); a plain
    space between two CJK characters ("中共四川省委办公厅 四川省人民政府办公厅") or two ASCII words stays, as one.
    """
    text = text.strip()

    def keep(m: re.Match[str]) -> str:
        if "\n" in m.group() or m.start() == 0 or m.end() == len(text):
            return ""
        left, right = text[m.start() - 1], text[m.end()]
        words = (_is_han(left) and _is_han(right)) or all(c.isascii() and c.isalnum() for c in (left, right))
        return " " if words else ""

    return re.sub(r"\s+", keep, text)


def _loose(needle: str) -> re.Pattern[str]:
    """A pattern finding `needle` (folded) with any whitespace between its characters."""
    chars = [re.escape(c) for c in fold(needle) if not c.isspace()]
    return re.compile(r"\s*".join(chars))


def normalize_title(title: str) -> str:
    """The form titles are compared in: folded, no 《》〈〉 or quotes, no status parenthetical, no 的, no spaces."""
    text = re.sub(r"\s+", "", fold(title))
    text = re.sub(r"[《》〈〉“”\"'‘’]", "", text)
    rules = load_rules()
    draft = _alternation(rules.draft_words)
    text = re.sub(rf"\((?:[^()]*?)(?:{draft})(?:[^()]*?)\)", "", text)
    text = re.sub(rf"(?:{draft})$", "", text)
    return text.replace("的", "")


def title_digest(title: str, status_note: str = "") -> str:
    """First 12 hex digits of the SHA-1 of the folded title (status word appended for drafts): stable key part."""
    text = re.sub(r"\s+", "", fold(title))
    if status_note:
        text += f"({fold(status_note)})"
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def normalize_doc_number(number: str) -> str:
    """文号 with whitespace dropped and the year bracket written 〔〕: 黔府办发[2023]21号 → 黔府办发〔2023〕21号."""
    text = re.sub(r"\s+", "", number)
    return re.sub(r"[(（〔［【﹝\[](\d{4})[)）〕］】﹞\]]", r"〔\1〕", text)


# 文号: a prefix of CJK characters, the year in brackets, a serial number, 号. Callers anchor it (line start or
# inside a parenthesis) so the prefix does not take running text.
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,12})\s*\(\s*(\d{4})\s*\)\s*(第?\s*\d{1,5}\s*号)")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0, "0": 0, "Ο": 0}
_NUMBER_PAREN = re.compile(rf"\s*\(\s*({_DOC_NUMBER.pattern})\s*\)")
_CN_DATE = re.compile(
    r"([〇零○OΟ0一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)


def _cn_number(text: str) -> int:
    """一 → 1, 十一 → 11, 二十七 → 27, 三十 → 30."""
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """ISO date of a full written date: 2023年11月27日 or 二〇二三年十一月二十七日 (None when not a full date)."""
    folded = fold(text)
    m = _DATE.search(folded)
    if m:
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    m = _CN_DATE.search(folded)
    if m:
        year = int("".join(str(_CN_DIGITS[c]) for c in m[1]))
        return _iso(year, _cn_number(m[2]), _cn_number(m[3]))
    return None


# ---------------------------------------------------------------------------------------------------------------
# the article as lines


@dataclass
class _Line:
    span: Span  # stripped of surrounding whitespace
    view: str  # folded view of the line


def _region(article: Article) -> list[Span]:
    """The article's paragraphs; for the first article of a clean document also the header before them."""
    text_len = len(article.source.text)
    spans = list(article.paragraphs) or _outside(Span(0, text_len), [t.span for t in article.tables])
    if not spans:
        return []
    first = min(s.start for s in spans)
    if not article.source.is_page and article.index == 0 and first > 0:
        spans[:0] = _outside(Span(0, first), [t.span for t in article.tables])
    return spans


def _outside(span: Span, holes: list[Span]) -> list[Span]:
    """The parts of span that no hole covers (a document made only of tables has no title lines in them)."""
    parts: list[Span] = []
    start = span.start
    for hole in sorted(holes):
        if hole.start > start:
            parts.append(Span(start, hole.start))
        start = max(start, hole.end)
    if start < span.end:
        parts.append(Span(start, span.end))
    return parts


def _lines(spans: Sequence[Span], view: str) -> list[_Line]:
    lines: list[_Line] = []
    for span in spans:
        pos = span.start
        for part in view[span.start : span.end].split("\n"):
            start, end = pos, pos + len(part)
            pos = end + 1
            while start < end and view[start].isspace():
                start += 1
            while end > start and view[end - 1].isspace():
                end -= 1
            if end > start:
                lines.append(_Line(Span(start, end), view[start:end]))
    return lines


# ---------------------------------------------------------------------------------------------------------------
# agencies named in running text


def parse_agencies(view: str, rules: MetaRules, *, whole: bool = False) -> tuple[list[tuple[int, int]], int]:
    """Agency names at the start of `view`, separated by 、/和/spaces: their (start, end) and where parsing stopped.

    With `whole`, the names must use up the text except a tail such as "等六部门日前联合" (else nothing is
    returned): that is how a subject before an issuance verb or a signature line looks.
    """
    names: list[tuple[int, int]] = []
    pos = len(view) - len(view.lstrip())
    while True:
        m = rules.agency_name.match(view, pos)
        if not m or any(view[m.start() : m.end()].endswith(w) for w in rules.reject_endings):
            break
        names.append((m.start(), m.end()))
        pos = m.end()
        sep = rules.agency_sep.match(view, pos)
        if not sep or sep.end() == pos:
            break
        pos = sep.end()
    if names:
        pos = names[-1][1]
    if whole and not rules.agency_tail.match(view[pos:]):
        return [], 0
    return names, pos


def _strip_lead_in(view: str, start: int, rules: MetaRules) -> int:
    """Skip datelines, reporter credits and time words at the head of a clause."""
    changed = True
    while changed:
        changed = False
        while start < len(view) and view[start] in " \u3000":
            start += 1
        for pattern in rules.lead_in:
            m = pattern.match(view[start:])  # on a slice: "^" in the patterns means the clause start
            if m and m.end() > 0:
                start, changed = start + m.end(), True
    return start


# ---------------------------------------------------------------------------------------------------------------
# titles


@dataclass
class _TitleParts:
    title: str  # as written, whitespace squeezed, wrapper and status/文号 parentheticals removed
    full: str  # the title as given, squeezed
    doc_number: str = ""
    status_note: str = ""
    issuers: list[str] = field(default_factory=list)  # from a "X关于…" prefix
    wrapped: bool = False
    headline: bool = False  # unwrapped from a news headline ("中办国办印发《X》"): issuers there are abbreviated
    same_issuer: bool = True
    offset: int = 0  # where `title` starts in `full`


def _strip_parentheticals(title: str, rules: MetaRules) -> tuple[str, str, str]:
    """Take trailing (文号) and (征求意见稿) parentheticals off a title: (title, 文号, status word)."""
    number = status = ""
    while True:
        view = fold(title)
        numbered = re.search(rf"\(\s*({_DOC_NUMBER.pattern})\s*\)\s*$", view)
        if numbered and not number:
            number = normalize_doc_number(title[numbered.start(1) : numbered.end(1)])
            title = title[: numbered.start()].rstrip()
            continue
        m = re.search(r"\(([^()]*)\)\s*$", view)
        draft = next((w for w in rules.draft_words if view.rstrip().endswith(w)), None)
        if m and any(w in m[1] for w in rules.draft_words):
            status = title[m.start(1) : m.end(1)].strip()
        elif draft and not m:
            status = title[len(title.rstrip()) - len(draft) :]
            title = title[: len(title.rstrip()) - len(draft)]
            continue
        else:
            return title.strip(), number, status
        title = title[: m.start()].rstrip()


def _strip_marks(text: str) -> tuple[str, int]:
    """Take 《》 or 〈〉 off a title that is wholly inside them; also the offset of what is kept."""
    if len(text) >= 2 and text[0] in "《〈" and text[-1] in "》〉" and not re.search(r"[《》〈〉]", text[1:-1]):
        return text[1:-1], 1
    return text, 0


def parse_title(title: str, rules: MetaRules, *, headline: bool = False) -> _TitleParts:
    """Split a title into the document's own title, covering notice, 文号 and status parentheticals."""
    full = squeeze(title)
    if not headline or not any(p.search(fold(full)) for p in rules.headlines):
        full, _ = _strip_marks(full)
    text, number, status = _strip_parentheticals(full, rules)
    parts = _TitleParts(title=text, full=full, doc_number=number, status_note=status)
    view = fold(text)
    patterns: list[tuple[re.Pattern[str], bool, bool]] = [(w.pattern, w.same_issuer, w.draft) for w in rules.wrappers]
    if headline:
        patterns += [(p, True, False) for p in rules.headlines]
    for pattern, same_issuer, draft in patterns:
        m = pattern.search(view)
        if not m:
            continue
        inner, shift = _strip_marks(text[m.start("inner") : m.end("inner")])
        inner_text, inner_number, inner_status = _strip_parentheticals(inner, rules)
        parts.title = inner_text
        parts.offset = m.start("inner") + shift
        parts.wrapped, parts.same_issuer = True, same_issuer
        parts.doc_number = parts.doc_number or inner_number
        parts.status_note = inner_status or parts.status_note
        if draft and not parts.status_note:
            parts.status_note = "征求意见"
        parts.headline = pattern in rules.headlines
        prefix = view[: m.end("issuer")] if "issuer" in pattern.groupindex else ""
        names, _ = parse_agencies(prefix, rules, whole=True)
        parts.issuers = [text[a:b] for a, b in names]
        return parts
    m = re.match(r"(.+?)关于", view)
    if m:
        names, _ = parse_agencies(m[1], rules, whole=True)
        parts.issuers = [text[a:b] for a, b in names]
    return parts


def doc_type_of(title: str, rules: MetaRules) -> str:
    """The document-type word that ends a title, looking past trailing parentheticals such as (试行)."""
    view = re.sub(r"\s+", "", fold(title))
    view = re.sub(r"《|》|〈|〉", "", view)
    while True:
        stripped = re.sub(r"\([^()]*\)$", "", view)
        if stripped == view:
            break
        view = stripped
    return next((w for w in rules.doc_types if view.endswith(w)), "")


# ---------------------------------------------------------------------------------------------------------------
# citations


@dataclass
class _Mark:
    """One 《…》 in the text, with what follows it."""

    open: int  # position of 《
    close: int  # position of 》
    span: Span  # the title inside, trimmed
    nested: list[Span]  # 〈…〉 (or 《…》) titles inside it
    after: int  # end of a (文号) right after it, else close + 1
    number_span: Span | None = None  # that 文号
    alias: bool = False  # it is a short name being defined: (以下简称《Y》)


def _marks(view: str, span: Span, rules: MetaRules) -> list[_Mark]:
    """Every 《…》 of a paragraph, nesting followed; unclosed or overlong ones (OCR damage) are skipped."""
    found: list[_Mark] = []
    i = span.start
    while True:
        j = view.find("《", i, span.end)
        if j < 0:
            return found
        stack: list[int] = []
        nested: list[Span] = []
        close = -1
        k = j
        while k < span.end and k - j <= rules.max_title + 2:
            char = view[k]
            if char in "《〈":
                stack.append(k)
            elif char in "》〉" and stack:
                opened = stack.pop()
                if not stack:
                    close = k
                    break
                if len(stack) == 1:
                    nested.append(_trim(view, Span(opened + 1, k)))
            elif char == "。":
                break
            k += 1
        if close < 0:
            i = j + 1
            continue
        mark = _Mark(j, close, _trim(view, Span(j + 1, close)), nested, close + 1)
        paren = _NUMBER_PAREN.match(view, close + 1, span.end)
        if paren:
            mark.number_span = Span(paren.start(1), paren.end(1))
            mark.after = paren.end()
        before = view[max(span.start, j - 6) : j].rstrip(" “\"")
        mark.alias = any(before.endswith(w) for w in rules.alias_words)
        if mark.span.end > mark.span.start:
            found.append(mark)
        i = close + 1


def _trim(view: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and view[start].isspace():
        start += 1
    while end > start and view[end - 1].isspace():
        end -= 1
    return Span(start, end)


def _clause_start(view: str, floor: int, pos: int) -> int:
    best = floor
    for mark in _CLAUSE_MARKS:
        k = view.rfind(mark, floor, pos)
        if k >= 0:
            best = max(best, k + 1)
    return best


def _sentence_start(view: str, floor: int, pos: int) -> int:
    best = floor
    for mark in _SENTENCE_MARKS:
        k = view.rfind(mark, floor, pos)
        if k >= 0:
            best = max(best, k + 1)
    return best


@dataclass
class _RawCitation:
    mark: _Mark
    relation: str
    issuers: list[tuple[int, int]]  # spans in the view


def _relations(view: str, para: Span, marks: list[_Mark], rules: MetaRules) -> list[_RawCitation]:
    """Decide "applies" or "cites" for each 《…》 of a paragraph from the clause that leads up to it."""
    out: list[_RawCitation] = []
    prev: _RawCitation | None = None
    verbs = _alternation(rules.issue_verbs)
    phrase = re.compile(_alternation(rules.applies))
    for mark in marks:
        clause = _clause_start(view, para.start, mark.open)
        gap_start = clause
        if prev is not None and prev.mark.after > clause:
            gap_start = prev.mark.after
        gap = view[gap_start : mark.open]
        relation = "cites"
        issuers: list[tuple[int, int]] = []
        hits = list(phrase.finditer(gap))
        if hits:
            tail = gap[hits[-1].end() :]
            if not re.search(verbs, tail):
                relation = "applies"
                names, _ = parse_agencies(tail, rules, whole=True)
                issuers = [(gap_start + hits[-1].end() + a, gap_start + hits[-1].end() + b) for a, b in names]
        elif prev is not None and prev.relation == "applies" and gap_start > clause and (
            not gap.strip() or gap.strip() in rules.conjunctions
        ):
            relation = "applies"
        if relation == "cites":
            names, _ = parse_agencies(gap, rules, whole=True)
            if names:
                issuers = [(gap_start + a, gap_start + b) for a, b in names]
        current = _RawCitation(mark, relation, issuers)
        out.append(current)
        prev = current
    return out


# ---------------------------------------------------------------------------------------------------------------
# describe


@dataclass
class _Ctx:
    article: Article
    source: SourceText
    view: str
    spans: list[Span]
    lines: list[_Line]
    rules: MetaRules
    finder: JurisdictionFinder
    lexicon: Any
    agencies: AgencyCheck | None

    def text(self, span: Span | tuple[int, int]) -> str:
        start, end = (span.start, span.end) if isinstance(span, Span) else span
        return self.source.text[start:end]

    def find(self, text: str) -> Jurisdiction | None:
        if not text.strip():
            return None
        try:
            return self.finder(text, self.lexicon)
        except Exception:  # a broken lexicon lookup must not lose the rest of the metadata
            return None


def _default_finder() -> JurisdictionFinder:
    """`resolve.find_jurisdiction` when the module is there; otherwise no place is ever found."""
    try:
        from policykg.graph.resolve import find_jurisdiction
    except ImportError:  # pragma: no cover - only before resolve.py exists
        return lambda text, lexicon: None
    return cast(JurisdictionFinder, find_jurisdiction)


def describe(
    article: Article,
    lexicon: Any = None,
    *,
    finder: JurisdictionFinder | None = None,
    agencies: AgencyCheck | None = None,
    rules: MetaRules | None = None,
) -> DocumentMeta:
    """Metadata of one article: a policy document, or (on a newspaper page) a report on one.

    `lexicon` is passed to `finder` (default `resolve.find_jurisdiction`); `agencies` (an `AgencyRecognizer`), when
    given, must accept every issuer read from running text.
    """
    source = article.source
    view = source_view(source)
    spans = _region(article)
    ctx = _Ctx(
        article, source, view, spans, _lines(spans, view), rules or load_rules(), finder or _default_finder(),
        lexicon, agencies,
    )
    if source.is_page:
        return _describe_report(ctx)
    return _describe_document(ctx)


def _raw_title(ctx: _Ctx) -> tuple[str, Span | None]:
    """The title the segmenter chose, else the first line(s) of the text (a title broken over short lines)."""
    if ctx.article.title.strip():
        return ctx.article.title, ctx.article.title_span
    head = _header_lines(ctx, 10)
    for line in head:  # a covering notice names the document: "…关于印发X的通知"
        if parse_title(ctx.text(line.span), ctx.rules).wrapped:
            return ctx.text(line.span), line.span
    # skip a header of issuing bodies (joint documents list them above the title), and lines that are never a
    # title: page metadata, table rows, dates, outline items, sentences
    head = [line for line in head if not parse_agencies(line.view, ctx.rules, whole=True)[0]
            and not _never_title(line.view)]
    if not head:
        return Path(ctx.source.file_name).stem, None  # no title in the text: the document is named after its file
    first = head[0]
    span = first.span
    for line in ctx.lines[ctx.lines.index(first) + 1 :][:2]:
        current = fold(ctx.text(span))
        if doc_type_of(current, ctx.rules) or current.endswith(")"):
            break
        if len(line.view) > 30 or any(c in line.view for c in "。,:;"):
            break
        span = Span(span.start, line.span.end)
    return ctx.text(span), span


def _never_title(view: str) -> bool:
    """A line that cannot be (the start of) a title: page metadata, a table row, a date, an outline item, a sentence."""
    return (
        any(re.search(p, view) for p in layout()["title"]["not_title"])
        or any(re.search(p, view) for p in layout()["patterns"]["outline_marker"])
        or any(re.search(p, view) for p in layout()["patterns"]["closing_line"])
        or view.rstrip()[-1:] in ("。", "!", "！") or "。" in view or len(view) > 80
    )


def _locate(ctx: _Ctx, needle: str, within: Span | None) -> Span | None:
    """Where `needle` is written (whitespace allowed between characters): inside `within`, else in the region."""
    if not needle:
        return None
    pattern = _loose(needle)
    candidates = [within] if within is not None else []
    candidates += ctx.spans
    for span in candidates:
        m = pattern.search(ctx.view, span.start, span.end)
        if m:
            return Span(m.start(), m.end())
    return None


def _header_lines(ctx: _Ctx, count: int = 15) -> list[_Line]:
    return ctx.lines[:count]


def _wrapper_line(ctx: _Ctx, title: str) -> tuple[_TitleParts, _Line] | None:
    """A covering notice among the first lines (…关于印发X的通知) whose X is the document's title."""
    wanted = normalize_title(title)
    for line in _header_lines(ctx, 10):
        parts = parse_title(ctx.text(line.span), ctx.rules)
        if parts.wrapped and (not wanted or normalize_title(parts.title) == wanted):
            return parts, line
    return None


def _status_line(ctx: _Ctx) -> tuple[str, Span] | None:
    """A draft word standing alone in parentheses on one of the first lines: "（再次征求意见稿）"."""
    for line in _header_lines(ctx, 6):
        m = re.fullmatch(r"\(?\s*([^()]{1,20}?)\s*\)?", line.view)
        if m and any(m[1].strip() == w or m[1].strip().endswith(w) for w in ctx.rules.draft_words):
            return ctx.text((line.span.start + m.start(1), line.span.start + m.end(1))).strip(), line.span
    return None


def _doc_number(ctx: _Ctx) -> tuple[str, Span] | None:
    """A 文号 on a line of its own (or after a 文号 label) among the first lines."""
    for line in _header_lines(ctx):
        view = line.view
        offset = 0
        label = ctx.rules.number_label.match(view)
        if label:
            offset = label.end()
        candidate = view[offset:].strip().strip("()")
        m = _DOC_NUMBER.fullmatch(candidate)
        if m:
            start = line.span.start + view.index(candidate)
            span = Span(start, start + len(candidate))
            return normalize_doc_number(ctx.text(span)), span
    return None


def _signature(ctx: _Ctx) -> tuple[str | None, list[tuple[int, int]], Span | None]:
    """The signature: a date line on its own, with the issuing bodies on the lines right above it.

    Returns (ISO date, issuer spans, date span); the first date line that has signers wins, else the first
    date line.
    """
    first: tuple[str | None, list[tuple[int, int]], Span | None] = (None, [], None)
    for index, line in enumerate(ctx.lines):
        candidate = line.view.strip().strip("()").strip()
        if not (_DATE.fullmatch(candidate) or _CN_DATE.fullmatch(candidate)):
            continue
        iso = parse_date(candidate)
        if iso is None:
            continue
        signers: list[tuple[int, int]] = []
        k = index - 1
        while k >= 0 and index - k <= 8:
            above = ctx.lines[k]
            if any(above.view.startswith(label) for label in ctx.rules.source_labels):
                break
            names, _ = parse_agencies(above.view, ctx.rules, whole=True)
            if not names:
                break
            signers = [(above.span.start + a, above.span.start + b) for a, b in names] + signers
            k -= 1
        if signers:
            return iso, signers, line.span
        if first[0] is None:
            first = (iso, [], line.span)
    return first


def _labelled_date(ctx: _Ctx, pattern: re.Pattern[str], lines: Sequence[_Line]) -> tuple[str, Span] | None:
    for line in lines:
        m = pattern.search(line.view)
        if m:
            iso = _iso(int(m[1]), int(m[2]), int(m[3]))
            if iso:
                return iso, Span(line.span.start + m.start(), line.span.start + m.end())
    return None


def _accept(ctx: _Ctx, names: Sequence[tuple[int, int]]) -> bool:
    return _accept_names(ctx, [ctx.text(n) for n in names])


def _accept_names(ctx: _Ctx, names: Sequence[str]) -> bool:
    """Issuers read by the suffix rule are kept only if the agency recognizer (when given) knows them all."""
    return ctx.agencies is None or all(ctx.agencies.is_agency(n) for n in names)


def _issue_statement(ctx: _Ctx, skip: Span | None, wanted: str = "") -> tuple[_Mark, list[tuple[int, int]]] | None:
    """The "X印发《Y》" a text is about: Y's mark and X's names (optionally only a Y equal to `wanted`).

    The first statement that gives Y a short name (以下简称《…》) wins, since that is the document the text goes on
    to discuss; else the first statement.
    """
    alias = re.compile(rf"\s*\(\s*(?:{_alternation(ctx.rules.alias_words)})")
    first: tuple[_Mark, list[tuple[int, int]]] | None = None
    for statement in _issue_statements(ctx, skip, wanted):
        if alias.match(ctx.view, statement[0].after):
            return statement
        first = first or statement
    return first


def _issue_statements(
    ctx: _Ctx, skip: Span | None, wanted: str
) -> Iterator[tuple[_Mark, list[tuple[int, int]]]]:
    """Every "X印发《Y》" of the body outside `skip`, in reading order.

    X is read from the clause before the verb ("…，贵州省民政厅日前牵头拟制《Y》"), else from the head of the
    sentence ("广东省民政厅、贵州省民政厅贯彻落实…，近日联合印发《Y》").
    """
    verbs = re.compile(rf"(?:{_alternation(ctx.rules.issue_verbs)})了?\s*$")
    for span in ctx.spans:
        if skip is not None and span.start < skip.end and skip.start < span.end:
            continue
        for mark in _marks(ctx.view, span, ctx.rules):
            if wanted and normalize_title(ctx.text(mark.span)) != wanted:
                continue
            verb = verbs.search(ctx.view, span.start, mark.open)
            if not verb:
                continue
            verb_at = verb.start()
            clause = _strip_lead_in(ctx.view, _clause_start(ctx.view, span.start, verb_at), ctx.rules)
            names, _ = parse_agencies(ctx.view[clause:verb_at], ctx.rules, whole=True)
            found = [(clause + a, clause + b) for a, b in names]
            if not found:
                sentence = _strip_lead_in(ctx.view, _sentence_start(ctx.view, span.start, verb_at), ctx.rules)
                head_end = _clause_end(ctx.view, sentence, verb_at)
                names, _ = parse_agencies(ctx.view[sentence:head_end], ctx.rules)
                found = [(sentence + a, sentence + b) for a, b in names]
            yield mark, (found if _accept(ctx, found) else [])


def _clause_end(view: str, start: int, limit: int) -> int:
    ends = [k for k in (view.find(m, start, limit) for m in _CLAUSE_MARKS) if k >= 0]
    return min(ends) if ends else limit


def _citations(
    ctx: _Ctx, exclude: set[str], skip: Span | None = None
) -> tuple[list[CitedDocument], list[Citation]]:
    """Every 《…》 the article cites, one per title ("applies" if any mention applies), nested titles too.

    Titles in `exclude` (the document itself, the reported document), short names defined by 以下简称 and the
    definitions themselves are not citations.
    """
    aliases: set[str] = set()
    by_title: dict[str, tuple[CitedDocument, Citation]] = {}
    order: list[str] = []

    def add(title_span: Span, relation: str, number: str, issuers: list[str], outer: str) -> None:
        title = squeeze(ctx.text(title_span))
        norm = normalize_title(title)
        if not norm or norm in exclude or norm in aliases:
            return
        if norm in by_title:
            known, info = by_title[norm]
            if relation == "applies" and known.relation != "applies":
                by_title[norm] = (CitedDocument(known.title, title_span, relation), info)
                info.cited = by_title[norm][0]
            return
        cited = CitedDocument(title, title_span, relation)
        juris = _jurisdiction_of(ctx, issuers) if issuers else None
        by_title[norm] = (cited, Citation(cited, number, issuers, juris, outer))
        order.append(norm)

    for span in ctx.spans:
        if skip is not None and span.start >= skip.start and span.end <= skip.end:
            continue
        marks = _marks(ctx.view, span, ctx.rules)
        for raw in _relations(ctx.view, span, marks, ctx.rules):
            mark = raw.mark
            if mark.alias:
                aliases.add(normalize_title(ctx.text(mark.span)))
                continue
            outer = squeeze(ctx.text(mark.span))
            issuers = [ctx.text(n) for n in raw.issuers] if _accept(ctx, raw.issuers) else []
            number = normalize_doc_number(ctx.text(mark.number_span)) if mark.number_span else ""
            if not issuers:  # "X关于…的意见", "X印发〈…〉的通知": the title names its issuers
                named = parse_title(outer, ctx.rules).issuers
                issuers = named if _accept_names(ctx, named) else []
            add(mark.span, raw.relation, number, issuers, "")
            for inner in mark.nested:
                inner_issuers = _nested_issuers(ctx, mark, inner)
                add(inner, raw.relation, "", inner_issuers, outer)
    pairs = [by_title[n] for n in order]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _nested_issuers(ctx: _Ctx, mark: _Mark, inner: Span) -> list[str]:
    """Issuers of a nested title, from the enclosing notice.

    "X印发〈Y〉的通知": Y is X's own. "X转发Z〈Y〉的通知": Y is Z's. Otherwise unknown.
    """
    outer_view = ctx.view[mark.span.start : inner.start - 1]
    start = mark.span.start
    forwarded = re.search(r"(?:转发|批转|印转)", outer_view)
    if forwarded:
        names, _ = parse_agencies(outer_view[forwarded.end() :], ctx.rules, whole=True)
        start += forwarded.end()
    else:
        issued = re.search(r"(?:关于)?(?:印发|发布|颁布|公布|出台|下发)$", outer_view)
        if not issued:
            return []
        names, _ = parse_agencies(outer_view[: issued.start()], ctx.rules, whole=True)
    spans = [(start + a, start + b) for a, b in names]
    return [ctx.text(s) for s in spans] if _accept(ctx, spans) else []


def _is_national(ctx: _Ctx, name: str) -> bool:
    view = fold(name)
    if any(view.startswith(p) for p in ctx.rules.national_prefixes):
        return True
    # A ministry is written without a place (民政部); local party departments carry one (省委组织部).
    return view.endswith("部") and not any(view.startswith(p) for p, _ in ctx.rules.level_prefixes)


def _national(ctx: _Ctx) -> Jurisdiction:
    found = ctx.find(ctx.rules.national.name)
    return found if found is not None and found.level == "national" else ctx.rules.national


def _jurisdiction_of(ctx: _Ctx, issuers: Sequence[str]) -> Jurisdiction | None:
    """The place of the first issuer that names one; the country for central bodies."""
    for issuer in issuers:
        found = ctx.find(issuer)
        if found is not None:
            return found
        if _is_national(ctx, issuer):
            return _national(ctx)
    return None


def _levels_from(ctx: _Ctx, issuers: Sequence[str]) -> tuple[Level, ...]:
    """Levels suggested by issuers written without a place (省民政厅) or by the text speaking of itself (我市)."""
    for issuer in issuers:
        view = fold(issuer)
        for prefix, level in ctx.rules.level_prefixes:
            if view.startswith(prefix):
                return (level,)
    counts: Counter[tuple[Level, ...]] = Counter()
    for span in ctx.spans:
        chunk = ctx.view[span.start : span.end]
        for word, levels in ctx.rules.self_reference.items():
            counts[levels] += chunk.count(word)
    if counts and counts.most_common(1)[0][1] > 0:
        return counts.most_common(1)[0][0]
    return ()


def _place_in_text(ctx: _Ctx, levels: tuple[Level, ...]) -> Jurisdiction | None:
    """The place of the wanted level named most often in the text's clauses (first named on a tie)."""
    counts: Counter[str] = Counter()
    first: dict[str, Jurisdiction] = {}
    for span in ctx.spans:
        for clause in re.split(r"[,;:。!?\n《》()、]", ctx.view[span.start : span.end]):
            found = ctx.find(clause)
            if found is not None and found.level in levels:
                counts[found.code] += 1
                first.setdefault(found.code, found)
    if not counts:
        return None
    best = max(counts.values())
    return next(j for code, j in first.items() if counts[code] == best)


def _place(
    ctx: _Ctx, issuers: Sequence[str], titles: Sequence[str], number: str
) -> tuple[Jurisdiction | None, Level]:
    """Jurisdiction and level: from the issuers, the title, the 文号, then the text's own words (我市…)."""
    found = _jurisdiction_of(ctx, issuers)
    for title in titles:
        found = found or ctx.find(title)
    if found is None and number:
        if any(fold(number).startswith(p) for p in ctx.rules.national_numbers):
            found = _national(ctx)
        else:
            found = ctx.find(number)
    if found is not None:
        return found, found.level
    levels = _levels_from(ctx, issuers)
    if not levels:
        return None, "unknown"
    found = _place_in_text(ctx, levels)
    return found, found.level if found is not None else levels[0]


def make_key(jurisdiction: Jurisdiction | None, doc_number: str, title: str, status_note: str = "") -> str:
    """Natural key for IRIs: "{code}/{文号}", else "{code}/t-{digest of the title}"; code "unknown" if no place."""
    code = jurisdiction.code if jurisdiction is not None else "unknown"
    if doc_number:
        return f"{code}/{normalize_doc_number(doc_number)}"
    return f"{code}/t-{title_digest(title, status_note)}"


def _describe_document(ctx: _Ctx) -> DocumentMeta:
    raw_title, raw_span = _raw_title(ctx)
    parts = parse_title(raw_title, ctx.rules, headline=True)
    evidence: dict[str, Span] = {}
    title_span = _locate(ctx, parts.title, raw_span)
    wrapper = _wrapper_line(ctx, parts.title)
    wrapper_title = parts.full if parts.wrapped else ""
    prefix_issuers = list(parts.issuers) if parts.wrapped and parts.same_issuer and not parts.headline else []
    doc_number = parts.doc_number
    if wrapper is not None:
        wparts, wline = wrapper
        wrapper_title = wparts.full
        doc_number = doc_number or wparts.doc_number
        if doc_number:
            evidence["doc_number"] = _locate(ctx, doc_number, wline.span) or wline.span
        if wparts.same_issuer:
            prefix_issuers = prefix_issuers or list(wparts.issuers)
    if not parts.wrapped and not prefix_issuers:
        prefix_issuers = list(parts.issuers)
    if not doc_number:
        numbered = _doc_number(ctx)
        if numbered:
            doc_number, evidence["doc_number"] = numbered

    status: Status = "final"
    status_note = parts.status_note
    if not status_note:
        line = _status_line(ctx)
        if line:
            status_note, evidence["status"] = line
    if status_note:
        status = "draft"

    date, signers, date_span = _signature(ctx)
    labelled = _labelled_date(ctx, ctx.rules.document_date, ctx.lines)
    if labelled:
        date, date_span = labelled
    if date is None:
        published = _labelled_date(ctx, ctx.rules.publication_date, _header_lines(ctx))
        if published:
            date, date_span = published
    if date_span is not None and date is not None:
        evidence["date"] = date_span

    issuers: list[str] = [ctx.text(s) for s in signers]
    if signers:
        evidence["issuers"] = Span(signers[0][0], signers[-1][1])
    elif prefix_issuers:
        issuers = prefix_issuers
    else:
        statement = _issue_statement(ctx, raw_span, normalize_title(parts.title))
        if statement and statement[1]:
            issuers = [ctx.text(s) for s in statement[1]]
            evidence["issuers"] = Span(statement[1][0][0], statement[1][-1][1])
        elif parts.headline:
            issuers = list(parts.issuers)

    jurisdiction, level = _place(ctx, issuers, [parts.title, parts.full], doc_number)
    cited, citations = _citations(ctx, {normalize_title(parts.title)})
    if title_span is not None:
        evidence["title"] = title_span
    return DocumentMeta(
        title=parts.title,
        key=make_key(jurisdiction, doc_number, parts.title, status_note),
        doc_number=doc_number,
        issuers=issuers,
        date=date,
        level=level,
        jurisdiction=jurisdiction,
        status=status,
        status_note=status_note,
        doc_type=doc_type_of(parts.title, ctx.rules),
        cited=cited,
        citations=citations,
        title_span=title_span,
        wrapper_title=wrapper_title,
        evidence=evidence,
    )


def _describe_report(ctx: _Ctx) -> DocumentMeta:
    """A newspaper article: its headline as title, and the document it reports on, if it names one."""
    headline = squeeze(ctx.article.title) if ctx.article.title.strip() else ""
    title_span = ctx.article.title_span
    if not headline and ctx.lines:
        headline, title_span = ctx.text(ctx.lines[0].span), ctx.lines[0].span
    reported = _reported(ctx, title_span)
    exclude: set[str] = set()
    if reported is not None:
        exclude.add(normalize_title(reported.title))
    cited, citations = _citations(ctx, exclude, skip=title_span)
    if reported is not None and reported.jurisdiction is not None:
        jurisdiction: Jurisdiction | None = reported.jurisdiction
        level: Level = reported.level
    else:
        jurisdiction = ctx.find(headline)
        level = jurisdiction.level if jurisdiction is not None else "unknown"
    evidence = {"title": title_span} if title_span is not None else {}
    if reported is not None and reported.title_span is not None:
        evidence["reported"] = reported.title_span
    return DocumentMeta(
        title=headline,
        key=make_key(jurisdiction, "", headline),
        level=level,
        jurisdiction=jurisdiction,
        status="report",
        doc_type=ctx.rules.report_type,
        cited=cited,
        citations=citations,
        reported=reported,
        title_span=title_span,
        evidence=evidence,
    )


def _reported(ctx: _Ctx, headline_span: Span | None) -> DocumentMeta | None:
    """The document a report is about: the first "X印发《Y》" of its body, else a 《Y》 in its headline."""
    statement = _issue_statement(ctx, headline_span)
    mark: _Mark | None = None
    names: list[tuple[int, int]] = []
    if statement is not None:
        mark, names = statement
    elif headline_span is not None:
        marks = _marks(ctx.view, headline_span, ctx.rules)
        mark = marks[0] if marks else None
    if mark is None:
        return None
    written = squeeze(ctx.text(mark.span))
    title, number, status_note = _strip_parentheticals(written, ctx.rules)
    doc_number = normalize_doc_number(ctx.text(mark.number_span)) if mark.number_span else number
    issuers = [ctx.text(n) for n in names]
    jurisdiction, level = _place(ctx, issuers, [title], doc_number)
    if jurisdiction is None and not issuers:
        level = "unknown"
    evidence = {"title": mark.span}
    if names:
        evidence["issuers"] = Span(names[0][0], names[-1][1])
    return DocumentMeta(
        title=title,
        key=make_key(jurisdiction, doc_number, title, status_note),
        doc_number=doc_number,
        issuers=issuers,
        level=level,
        jurisdiction=jurisdiction,
        status="draft" if status_note else "final",
        status_note=status_note,
        doc_type=doc_type_of(title, ctx.rules),
        title_span=mark.span,
        evidence=evidence,
    )


# ---------------------------------------------------------------------------------------------------------------
# linking documents


def same_document(a: DocumentMeta, b: DocumentMeta) -> bool:
    """Whether two metadata records are the same work: same 文号, or same title in a compatible place.

    Versions count as the same work: a draft for comment and the final text it became.
    """
    if a.doc_number and b.doc_number:
        return normalize_doc_number(a.doc_number) == normalize_doc_number(b.doc_number)
    if normalize_title(a.title) != normalize_title(b.title):
        return False
    return a.jurisdiction is None or b.jurisdiction is None or a.jurisdiction.code == b.jurisdiction.code


def match_title(
    cited_title: str, metas: Iterable[DocumentMeta], hint: Jurisdiction | None = None
) -> DocumentMeta | None:
    """The document of `metas` a cited or reported title names, compared by `normalize_title`.

    Reports are skipped (their titles are headlines). With a `hint` (the place of the cited document's issuers),
    a document of another place is not taken: a province's 意见 is not the national 意见 of the same title.
    Among several candidates the final text wins over a draft, then the first.
    """
    wanted = normalize_title(cited_title)
    candidates = [m for m in metas if m.status != "report" and normalize_title(m.title) == wanted]
    if hint is not None:
        same = [m for m in candidates if m.jurisdiction is not None and m.jurisdiction.code == hint.code]
        candidates = same or [m for m in candidates if m.jurisdiction is None]
    if not candidates:
        return None
    return sorted(candidates, key=lambda m: m.status != "final")[0]


def load_report_kinds(path: Path | None = None) -> list[dict[str, Any]]:
    """The ordered report-kind rules of metadata.toml (read once per build)."""
    text = path.read_text("utf-8") if path else resources.files("policykg.graph.data").joinpath(
        "metadata.toml").read_text("utf-8")
    return list(tomllib.loads(text)["report_kind"])


def report_kind(headline: str, reported_status: str | None, kinds: list[dict[str, Any]]) -> str:
    """What a news report is about (draft for comment, plan, cooperation agreement, meeting, event), from data."""
    status = reported_status or "none"
    for rule in kinds:
        if status in rule.get("reported", []) or any(word in headline for word in rule.get("words", [])):
            return str(rule["kind"])
        if not rule.get("reported") and not rule.get("words"):
            return str(rule["kind"])
    return "event"
