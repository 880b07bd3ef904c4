"""The strings that name a document: titles, 文号, dates, issuers written before a title, and natural keys.

`parse_title` splits a title into the document's own title, its covering notice, 文号 and status parentheticals,
and the issuers a "X关于…" prefix names. Patterns match a same-length folded view of the text (`fold`: simplified,
half-width, brackets folded to "(" ")" except 《》〈〉), and results are cut from the written text at the same offsets.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from policykg.graph.metarules import MetaRules, alternation, load_rules
from policykg.graph.model import Jurisdiction, SourceText

# ---------------------------------------------------------------------------------------------------------------
# text views

_BRACKET_FOLD = {
    **{c: "(" for c in "（〔［【﹝｛〖⦅[{"},
    **{c: ")" for c in "）〕］】﹞｝〗⦆]}"},
}
_KEEP = frozenset("《》〈〉")


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


@lru_cache(maxsize=1 << 16)
def normalize_title(title: str) -> str:
    """The form titles are compared in: folded, no 《》〈〉 or quotes, no status parenthetical, no 的, no spaces.

    Cached: linking a thousand documents compares every cited title with every document's (3.3 M calls)."""
    text = re.sub(r"\s+", "", fold(title))
    text = re.sub(r"[《》〈〉“”\"'‘’]", "", text)
    in_brackets, at_end = _draft_patterns()
    text = in_brackets.sub("", text)
    text = at_end.sub("", text)
    return text.replace("的", "")


@cache
def _draft_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    draft = alternation(load_rules().draft_words)
    return re.compile(rf"\((?:[^()]*?)(?:{draft})(?:[^()]*?)\)"), re.compile(rf"(?:{draft})$")


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
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,12})\s*\(\s*(\d{4})\s*\)\s*(第?\s*\d{1,5}\s*号)")
# Full written dates, in Arabic or Chinese numerals (a signature line, a 成文日期).
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0, "0": 0, "Ο": 0}
CN_DATE = re.compile(
    r"([〇零○OΟ0一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)


def _cn_number(text: str) -> int:
    """一 → 1, 十一 → 11, 二十七 → 27, 三十 → 30."""
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def iso_date(year: int, month: int, day: int) -> str | None:
    """yyyy-mm-dd of a calendar date, None when there is no such day."""
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """ISO date of a full written date: 2023年11月27日 or 二〇二三年十一月二十七日 (None when not a full date)."""
    folded = fold(text)
    m = DATE.search(folded)
    if m:
        return iso_date(int(m[1]), int(m[2]), int(m[3]))
    m = CN_DATE.search(folded)
    if m:
        year = int("".join(str(_CN_DIGITS[c]) for c in m[1]))
        return iso_date(year, _cn_number(m[2]), _cn_number(m[3]))
    return None


# ---------------------------------------------------------------------------------------------------------------
# agencies named before a title or a verb


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


# ---------------------------------------------------------------------------------------------------------------
# titles


@dataclass
class TitleParts:
    """A title taken apart by `parse_title`."""

    title: str  # as written, whitespace squeezed, wrapper and status/文号 parentheticals removed
    full: str  # the title as given, squeezed
    doc_number: str = ""
    status_note: str = ""
    issuers: list[str] = field(default_factory=list)  # from a "X关于…" prefix
    wrapped: bool = False
    headline: bool = False  # unwrapped from a news headline ("中办国办印发《X》"): issuers there are abbreviated
    same_issuer: bool = True
    offset: int = 0  # where `title` starts in `full`


def strip_parentheticals(title: str, rules: MetaRules) -> tuple[str, str, str]:
    """Take trailing (文号) and (征求意见稿) parentheticals off a title: (title, 文号, status word)."""
    number = status = ""
    while True:
        view = fold(title)
        numbered = re.search(rf"\(\s*({DOC_NUMBER.pattern})\s*\)\s*$", view)
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


def parse_title(title: str, rules: MetaRules, *, headline: bool = False) -> TitleParts:
    """Split a title into the document's own title, covering notice, 文号 and status parentheticals."""
    full = squeeze(title)
    if not headline or not any(p.search(fold(full)) for p in rules.headlines):
        full, _ = _strip_marks(full)
    text, number, status = strip_parentheticals(full, rules)
    parts = TitleParts(title=text, full=full, doc_number=number, status_note=status)
    view = fold(text)
    patterns: list[tuple[re.Pattern[str], bool, bool]] = [(w.pattern, w.same_issuer, w.draft) for w in rules.wrappers]
    if headline:
        patterns += [(p, True, False) for p in rules.headlines]
    for pattern, same_issuer, draft in patterns:
        m = pattern.search(view)
        if not m:
            continue
        inner, shift = _strip_marks(text[m.start("inner") : m.end("inner")])
        inner_text, inner_number, inner_status = strip_parentheticals(inner, rules)
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


def make_key(jurisdiction: Jurisdiction | None, doc_number: str, title: str, status_note: str = "") -> str:
    """Natural key for IRIs: "{code}/{文号}", else "{code}/t-{digest of the title}"; code "unknown" if no place."""
    code = jurisdiction.code if jurisdiction is not None else "unknown"
    if doc_number:
        return f"{code}/{normalize_doc_number(doc_number)}"
    return f"{code}/t-{title_digest(title, status_note)}"
