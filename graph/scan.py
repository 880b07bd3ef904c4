"""Scanning the key view of a text: numbers (Arabic and Chinese), clause and sentence bounds, the words written
before or after a position, and signals that a sentence reports the past. Shared by deadlines and targets."""

from __future__ import annotations

import re

from policykg.graph.model import Span
from policykg.graph.target_rules import TargetRules

SENTENCE_END = "。!?！？\n"
CLAUSE_END = ",;:，；：" + SENTENCE_END
SPACES = " \t\u3000\xa0\r\n"
QUOTES = "“”\"'‘’「」『』"
TRIM = SPACES + QUOTES + "、的,;:，；：。.（("
CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
CN_POWERS = {"十": 10, "百": 100, "千": 1000}
FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def cn_number(s: str) -> float | None:
    """Value of a Chinese numeral such as "一", "十二", "三百", "二〇二五" (digit by digit when no 十/百/千)."""
    if not s:
        return None
    if all(c in CN_DIGITS for c in s):
        if len(s) == 1:
            return float(CN_DIGITS[s])
        return float("".join(str(CN_DIGITS[c]) for c in s))
    total, digit = 0, 0
    for c in s:
        if c in CN_DIGITS:
            digit = CN_DIGITS[c]
        elif c in CN_POWERS:
            total += (digit or 1) * CN_POWERS[c]
            digit = 0
        else:
            return None
    return float(total + digit)


def number(s: str) -> float | None:
    s = s.translate(FULLWIDTH).replace(",", "")
    try:
        return float(s)
    except ValueError:
        return cn_number(s)


def is_boundary(key: str, i: int, chars: str) -> bool:
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


def bounds(key: str, pos: int, span: Span, chars: str) -> tuple[int, int]:
    """The [start, end) of the clause or sentence holding pos, inside span."""
    start = pos
    while start > span.start and not is_boundary(key, start - 1, chars):
        start -= 1
    end = pos
    while end < span.end and not is_boundary(key, end, chars):
        end += 1
    return start, end


def skip_spaces(key: str, i: int, end: int) -> int:
    while i < end and key[i] in SPACES:
        i += 1
    return i


def skip_spaces_back(key: str, start: int, j: int) -> int:
    while j > start and key[j - 1] in SPACES:
        j -= 1
    return j


def starts(key: str, i: int, end: int, words: tuple[str, ...]) -> str:
    """The longest of words written at key[i:end] (spaces inside the word allowed), "" if none."""
    for w in words:
        if key.startswith(w, i, end):
            return w
    return ""


def ends(key: str, start: int, j: int, words: tuple[str, ...]) -> str:
    for w in words:
        if j - len(w) >= start and key.endswith(w, start, j):
            return w
    return ""


def has_past(key: str, start: int, end: int, rules: TargetRules) -> bool:
    """Whether key[start:end] reports something already done ("已", "累计", "共计"), ignoring "已建成居住区"."""
    window = key[start:end]
    for exception in rules.past_exceptions:
        window = window.replace(exception, "＿" * len(exception))
    window = re.sub(r"\s+", "", window)
    return any(word in window for word in rules.past)


def clean(text: str) -> str:
    """An indicator as written, without OCR spaces, line breaks, quotes and dangling particles."""
    s = re.sub(r"\s+", "", text)
    prev = None
    while s != prev:
        prev = s
        s = s.strip(TRIM)
        if s.endswith(("(", "（")):
            s = s[:-1]
    if s.find("”") >= 0 and (s.find("“") < 0 or s.find("“") > s.find("”")):
        s = "“" + s  # the opening quote of "“10分钟”便民生活圈" was trimmed as an edge
    return s
