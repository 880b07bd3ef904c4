"""PDF with a text layer: lines in reading order, lines wrapped by the page width joined back into paragraphs, page
headers, footers and page numbers dropped, ruled tables as table blocks, also when a table crosses a page break.

pdfplumber (on pdfminer.six) because it gives characters with positions and finds ruled tables with their cell
boxes, which is what merged cells and page-crossing tables need; OCR is out of scope, so a scanned PDF (no text
layer) is one clear line and the rest of the corpus builds.
"""

from __future__ import annotations

import io
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from policykg.graph.readers.base import Decoded, GridCell, Reader, TextBuilder, Unreadable, clean

#: a line that is only a page number: "3", "- 3 -", "— 3 —", "第 3 页", "第3页 共9页", "3/9", "Page 3 of 9"
PAGE_NUMBER = re.compile(r"^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+"
                         r"|(?:page\s*)?\d+\s*of\s*\d+)$", re.I)
#: a line that starts an outline item is never the continuation of the line above
MARKER = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、]|[①-⑳]|附件)")
MARGIN = 0.085  # header and footer zones: this share of the page height at the top and at the bottom
SCANNED = "PDF 没有文本层（可能是扫描件）：需要先做文字识别（OCR），本工具不做 OCR"


@cache
def _radical_table() -> dict[int, str]:
    data = tomllib.loads(resources.files("policykg.graph.data").joinpath("pdf.toml").read_text("utf-8"))
    table = {cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0x2F00, 0x2FD6)}
    table.update({ord(k): v for k, v in data["radicals"].items()})
    table.update({ord(k): v for k, v in data["overrides"].items()})
    return table


def characters(text: str) -> str:
    """Radical code points a font's ToUnicode map gave (⼈, ⺠) read as the characters they stand for (人, 民)."""
    return text.translate(_radical_table())


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # character width, for tolerances
    page: int


@dataclass
class _Table:
    top: float
    grid: list[list[GridCell]]
    pages: list[int | None] = field(default_factory=list)


def _sniff(head: bytes, suffix: str) -> bool:
    return head[:1024].lstrip().startswith(b"%PDF-")


def _lines(page: Any, number: int, boxes: list[tuple[float, float, float, float]]) -> list[_Line]:
    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    out = []
    for line in page.filter(outside).extract_text_lines(return_chars=True):
        chars = line.get("chars") or []
        size = max((c["x1"] - c["x0"] for c in chars), default=10.0) or 10.0
        text = clean(characters(line["text"]))
        if text:
            out.append(_Line(text, line["x0"], line["x1"], line["top"], line["bottom"], size, number))
    return out


def _cell_text(page: Any, bbox: tuple[float, float, float, float]) -> str:
    """A cell's lines: wrapped lines (reaching the cell's right edge) join directly, others with a space."""
    x0, top, x1, bottom = bbox
    try:
        crop = page.crop((x0, top, x1, bottom), strict=False)
    except ValueError:
        return ""
    text = ""
    reach = False
    for line in crop.extract_text_lines(return_chars=True):
        piece = clean(characters(line["text"]))
        if not piece:
            continue
        chars = line.get("chars") or []
        size = max((c["x1"] - c["x0"] for c in chars), default=10.0)
        text = text + piece if reach or not text else f"{text} {piece}"
        reach = line["x1"] >= x1 - 2.2 * size
    return text


def _grid(page: Any, table: Any) -> list[list[GridCell]]:
    """Grid positions of a ruled table; a position no cell starts at is covered by a merged cell above or left."""
    rows = table.rows
    xs = sorted({round(c[0], 1) for c in table.cells})
    grid: list[list[GridCell]] = []
    for r, row in enumerate(rows, start=1):
        out: list[GridCell] = []
        top, bottom = row.bbox[1], row.bbox[3]
        for c, x in enumerate(xs, start=1):
            own = next((b for b in row.cells if b is not None and abs(round(b[0], 1) - x) < 0.6), None)
            if own is not None:
                out.append(GridCell(_cell_text(page, own), r, c))
                continue
            mid_x, mid_y = x + 1, (top + bottom) / 2
            cover = next((b for b in table.cells if b[0] - 0.6 <= mid_x <= b[2] and b[1] - 0.6 <= mid_y <= b[3]), None)
            if cover is None:
                out.append(GridCell("", r, c))
                continue
            above = cover[1] < top - 0.6
            home_r = next((i for i, rw in enumerate(rows, start=1) if abs(rw.bbox[1] - cover[1]) < 0.6), r)
            home_c = next((i for i, v in enumerate(xs, start=1) if abs(v - round(cover[0], 1)) < 0.6), c)
            out.append(GridCell(_cell_text(page, cover), home_r, home_c, below=above, right=not above))
        grid.append(out)
    return grid


def _furniture(pages: list[tuple[float, float, list[_Line]]]) -> set[tuple[int, int]]:
    """(page index, line index) of running headers, footers and page numbers: lines in the top or bottom zone whose
    text (digits ignored) recurs in the same zone on another page, and a page's outermost line when it is a page
    number away from the left margin (a bare row number of a table at the left margin is kept)."""
    zoned: list[tuple[int, int, str, str]] = []
    for p, (_, height, lines) in enumerate(pages):
        for i, line in enumerate(lines):
            if line.bottom <= height * MARGIN or line.top >= height * (1 - MARGIN):
                zone = "top" if line.bottom <= height * MARGIN else "bottom"
                zoned.append((p, i, zone, re.sub(r"\d+", "#", line.text)))
    seen: dict[tuple[str, str], set[int]] = {}
    for p, _, zone, key in zoned:
        seen.setdefault((zone, key), set()).add(p)
    drop = set()
    for p, i, zone, key in zoned:
        width, _, lines = pages[p]
        line = lines[i]
        outermost = i == (0 if zone == "top" else len(lines) - 1)
        number = PAGE_NUMBER.match(line.text) and (not line.text.isdigit() or line.x0 > width * 0.3)
        recurs = len(pages) > 1 and len(seen[(zone, key)]) > 1 and not line.text.isdigit()
        if (outermost and number) or recurs:
            drop.add((p, i))
    return drop


def _paragraphs(lines: list[_Line], left: float, right: float) -> list[tuple[_Line, str]]:
    """Lines wrapped by the page width joined back: a line reaching the right edge continues on the next line when
    that one starts at the left edge, close below, and does not start an outline item; and a centred title broken
    over two lines (both centred, same type size, close below) is one line."""
    out: list[tuple[_Line, str]] = []
    previous: _Line | None = None
    for line in lines:
        close = previous is not None and (line.page != previous.page
                                          or line.top - previous.bottom <= 0.8 * (previous.bottom - previous.top))
        wrapped = (previous is not None and close and previous.x1 >= right - 2.2 * previous.size
                   and line.x0 <= left + 0.6 * line.size and not MARKER.match(line.text))
        if wrapped and out:
            out[-1] = (out[-1][0], out[-1][1] + line.text)  # a wrap at a space loses it: PDFs do not keep it
        elif previous is not None and close and out and _title_goes_on(previous, line, left, right):
            out[-1] = (out[-1][0], out[-1][1] + line.text)
        else:
            out.append((line, line.text))
        previous = line
    return out


def _title_goes_on(previous: _Line, line: _Line, left: float, right: float) -> bool:
    """Two centred lines (neither at the left margin) in one type size, the first not ending a sentence: a title
    the width broke, as official documents set their titles."""
    centre = (left + right) / 2
    centred = all(abs((x.x0 + x.x1) / 2 - centre) <= 1.5 * x.size and x.x0 > left + 2 * x.size
                  for x in (previous, line))
    height = previous.bottom - previous.top
    same_size = abs(height - (line.bottom - line.top)) <= 0.05 * height
    return (centred and same_size and line.page == previous.page and not MARKER.match(line.text)
            and not previous.text.endswith(("。", "：", ":", "；")))


def _continues(prev: _Table, table: _Table) -> None:
    """Append a table that continues `prev` on the next page: a repeated header row is dropped, and a first row
    without its number (the lower half of a row the page break cut) is joined to the last row."""
    grid = table.grid
    pages = table.pages
    if grid and [c.text for c in grid[0]] == [c.text for c in prev.grid[0]]:
        grid, pages = grid[1:], pages[1:]
    if grid and not grid[0][0].text and any(c.text for c in grid[0]) and prev.grid:
        last = prev.grid[-1]
        prev.grid[-1] = [GridCell(a.text + b.text if b.text else a.text, a.row, a.cell, a.below, a.right)
                         for a, b in zip(last, grid[0], strict=True)]
        grid, pages = grid[1:], pages[1:]
    offset = max((c.row for row in prev.grid for c in row), default=0)
    prev.grid.extend([GridCell(c.text, c.row + offset, c.cell, c.below, c.right) for c in row] for row in grid)
    prev.pages.extend(pages)


def _read(data: bytes, suffix: str) -> Decoded:
    import logging

    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font-descriptor chatter of Chromium's PDFs
    warnings: list[str] = []
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise Unreadable(f"无法解析 PDF（{type(exc).__name__}）：文件可能已损坏或加密") from exc
    with pdf:
        pages: list[tuple[float, float, list[_Line]]] = []
        tables: list[list[_Table]] = []
        empty = []
        for n, page in enumerate(pdf.pages, start=1):
            if not page.chars:
                empty.append(n)
            found = [t for t in page.find_tables() if len(t.rows) >= 1 and len({c[0] for c in t.cells}) >= 2]
            boxes = [t.bbox for t in found]
            pages.append((float(page.width), float(page.height), _lines(page, n, boxes)))
            tables.append([_Table(t.bbox[1], (g := _grid(page, t)), [n] * len(g)) for t in found])
    if len(empty) == len(pages):
        raise Unreadable(SCANNED)
    if empty:
        warnings.append(f"PDF 第 {', '.join(map(str, empty))} 页没有文本层（扫描页），其内容未读取")
    drop = _furniture(pages)
    body = [line for p, (_, _, lines) in enumerate(pages) for i, line in enumerate(lines) if (p, i) not in drop]
    left = min((line.x0 for line in body), default=0.0)
    right = max((line.x1 for line in body), default=0.0)
    builder = TextBuilder()
    current: _Table | None = None  # a table that may go on at the top of the next page
    run: list[_Line] = []  # lines since the last table (a paragraph may go on across a page break)

    def flush() -> None:
        nonlocal current, run
        if current is not None:
            builder.table(current.grid, page_of_row=current.pages)
            current = None
        for line, text in _paragraphs(run, left, right):
            builder.line(text, page=line.page)
        run = []

    for p, (_, _, lines) in enumerate(pages):
        items: list[tuple[float, _Line | _Table]] = [(line.top, line) for i, line in enumerate(lines)
                                                     if (p, i) not in drop]
        items += [(t.top, t) for t in tables[p]]
        for _, item in sorted(items, key=lambda item: item[0]):
            if isinstance(item, _Line):
                if current is not None:
                    flush()
                run.append(item)
            elif current is not None and _width(current) == _width(item):
                _continues(current, item)
            else:
                flush()
                current = item
    flush()
    return builder.decoded("application/pdf", "", warnings)


def _width(table: _Table) -> int:
    return len(table.grid[0]) if table.grid else 0


READER = Reader("pdf", (".pdf",), _sniff, _read)
