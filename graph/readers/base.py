"""What every reader hands back, and the one way a reader writes text: lines and pipe tables with their locators.

Readers do not build blocks themselves. Each turns its format into the text the later stages already understand —
a line per paragraph, a table as "| a | b |" rows (the flattening `tables.py` reads) — and records where every
range of that text came from (page, table, row, cell). So outline and extraction do not care where a block came
from, and evidence offsets index the same normalized text that is written to `out/text/`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from policykg.graph.model import Locator
from policykg.graph.tables import TableRules, classify_header, load_table_rules


class Unreadable(Exception):
    """A file this reader cannot turn into text; the message is one line naming what is missing or wrong."""


@dataclass
class Decoded:
    """A file turned into text: the text, its media type and encoding, and where each range of it came from."""

    text: str
    media_type: str
    encoding: str
    locators: list[Locator] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Reader:
    """One format: its usual extensions, a content sniffer and the reader itself."""

    name: str
    suffixes: tuple[str, ...]  # extensions it is the usual reader of (lower case, with the dot)
    sniff: Callable[[bytes, str], bool]  # (the file's bytes, lower-case suffix) → is it this format? (cheap)
    read: Callable[[bytes, str], Decoded]  # (the file's bytes, lower-case suffix) → text and locators


@dataclass
class GridCell:
    """One position of a table grid after spans are resolved: the source cell's text and 1-based coordinates, and
    whether this position is covered by a cell that starts above (rowspan) or to the left (colspan)."""

    text: str
    row: int
    cell: int
    below: bool = False  # a rowspan continuation
    right: bool = False  # a colspan continuation


#: columns whose blank continuation cell `tables.py` fills from the row above (it records basis "merged-cell")
_INHERITED_FIELDS = ("lead", "list", "category")
_SPACE_RUN = re.compile(r"[ \t\r\n\f\v]+")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def zip_names(data: bytes) -> frozenset[str]:
    """Member names of a zip package (DOCX, XLSX, OFD are zips), or nothing when it is not one."""
    if not data.startswith(b"PK\x03\x04"):
        return frozenset()
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return frozenset(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return frozenset()


@cache
def _rules() -> TableRules:
    return load_table_rules()


def clean(text: str) -> str:
    """Whitespace runs (as HTML and Word show them) to one space, ends stripped."""
    return _SPACE_RUN.sub(" ", text).strip()


def join_pieces(pieces: list[str], wrapped: bool = False) -> str:
    """Join the lines of one cell or paragraph: wrapped lines of CJK text join directly, others with a space."""
    out = ""
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        if out and not (wrapped and (_CJK.match(piece[0]) or _CJK.match(out[-1]))):
            out += " "
        out += piece
    return out


class TextBuilder:
    """Accumulates a reader's text line by line, with a locator for each line or cell that has one."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.locators: list[Locator] = []
        self.tables = 0

    def _add(self, text: str, **where: int | str | None) -> None:
        if any(v is not None for v in where.values()) and text:
            self.locators.append(Locator(self.length, self.length + len(text), **where))  # type: ignore[arg-type]
        self.parts.append(text)
        self.length += len(text)

    def line(self, text: str, *, page: int | None = None, field: str | None = None) -> None:
        """One paragraph as one line (empty text writes nothing)."""
        text = text.replace("\n", " ").strip()
        if text:
            self._add(text, page=page, field=field)
            self._add("\n")

    def blank(self) -> None:
        if self.parts and self.parts[-1] != "\n\n":
            self._add("\n")

    def table(self, grid: list[list[GridCell]], *, page_of_row: list[int | None] | None = None) -> None:
        """A table as pipe rows. A rowspan continuation repeats its cell's text, except in a lead, list or category
        column, where it is left blank for `tables.py` to inherit (basis merged-cell, evidence at the first cell);
        a colspan continuation is left blank."""
        if not grid:
            return
        self.tables += 1
        grid, page_of_row = _two_row_header(grid, page_of_row)
        fields = _column_fields(grid)
        self.blank()
        for r, row in enumerate(grid):
            if not any(c.text for c in row):
                continue
            page = page_of_row[r] if page_of_row else None
            self._add("|")
            for col, cell in enumerate(row):
                text = _cell_text(cell.text)
                if cell.right or (cell.below and col < len(fields) and fields[col] in _INHERITED_FIELDS):
                    text = ""
                self._add(" ")
                self._add(text, page=page, table=self.tables, row=cell.row, cell=cell.cell)
                self._add(" |")
            self._add("\n")
        self.blank()

    def decoded(self, media_type: str, encoding: str, warnings: list[str] | None = None) -> Decoded:
        return Decoded("".join(self.parts), media_type, encoding, self.locators, warnings or [])


def _cell_text(text: str) -> str:
    """A cell on one line, without the "|" that would split it (full-width ｜ folds to "|" in the match key)."""
    return clean(text.replace("|", "/").replace("｜", "/"))


def _two_row_header(grid: list[list[GridCell]], pages: list[int | None] | None
                    ) -> tuple[list[list[GridCell]], list[int | None] | None]:
    """A header in two rows (责任单位 spanning 牵头单位 | 配合单位 below it, the other labels spanning both rows)
    becomes one row: each column takes the lower row's own label, else the upper one's."""
    rules = _rules()
    for h in range(min(3, len(grid) - 1)):
        upper, lower = grid[h], grid[h + 1]
        if sum(1 for c in upper if classify_header(_cell_text(c.text), rules)) < 2:
            continue
        own = [c for c in lower if not c.below and c.text]
        if not own or not all(classify_header(_cell_text(c.text), rules) for c in own):
            return grid, pages
        if not any(c.right for c in upper):  # no label spans the columns the lower row names
            return grid, pages
        merged = [lo if not lo.below and lo.text else GridCell(up.text, up.row, up.cell) for up, lo in
                  zip(upper, lower, strict=True)]
        rest_pages = pages[: h] + pages[h + 1 :] if pages else pages
        return [*grid[:h], merged, *grid[h + 2 :]], rest_pages
    return grid, pages


def _column_fields(grid: list[list[GridCell]]) -> list[str]:
    """The field each column's header names (序号, 牵头单位 …), from the first row that reads as a header."""
    rules = _rules()
    for row in grid[:4]:
        fields = [classify_header(_cell_text(c.text), rules) or "" for c in row]
        if sum(1 for f in fields if f) >= rules.min_header_cells:
            return fields
    return []
