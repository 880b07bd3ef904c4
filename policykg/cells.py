"""Spreadsheet cells that cannot run: the one place every CSV and XLSX writer neutralizes text (OWASP "CSV injection").

A 任务分工表 is opened in Excel or WPS. A cell whose text starts with = + - @ (or a tab or carriage return, which
some spreadsheets skip before looking) is read as a formula, so a document title such as
`=HYPERLINK("http://…","点击")` would become a live link or worse. OWASP's remedy: prefix such a cell with a single
quote, which spreadsheets show as text. XLSX writers also store every text cell as a string (never a formula).
"""

from __future__ import annotations

from collections.abc import Iterable

#: what a spreadsheet reads as the start of a formula (OWASP: = + - @, tab, carriage return)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> object:
    """Text that would start a formula gets a leading ' (shown as text); anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutral_row(values: Iterable[object]) -> list[object]:
    """A row of cells for a CSV or XLSX writer, None as empty text, every text neutralized."""
    return [neutralize("" if v is None else v) for v in values]
