"""Word documents (.docx): paragraphs in body order with their automatic numbering written out, tables with merged
cells resolved; headers, footers, comments and text boxes are not read (they live in other parts of the package).

python-docx opens the package; the body is walked at XML level because python-docx neither renders list numbers
(一、 / （一） / 1. from numbering.xml) nor says which grid positions a merged cell covers.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from policykg.graph.readers.base import Decoded, GridCell, Reader, TextBuilder, Unreadable, clean, zip_names

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CN = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (as list numbering writes them)."""
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n % 10] if n % 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if not rest else ("零" + chinese_number(rest) if rest < 10 else
                               ("一" + chinese_number(rest) if rest < 20 else chinese_number(rest)))
    return _CN[n // 100] + "百" + tail


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "japaneseCounting",
               "ideographDigital", "taiwaneseCounting", "taiwaneseCountingThousand"):
        return chinese_number(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return "甲乙丙丁戊己庚辛壬癸"[n - 1]
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).lower() if fmt == "lowerRoman" else _roman(n)
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    return str(n)


class Numbering:
    """The list numbers Word would show, computed from numbering.xml as paragraphs are met in order."""

    def __init__(self, root: Any | None) -> None:
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # abstractNumId → ilvl → (start, fmt, text)
        self.nums: dict[str, str] = {}  # numId → abstractNumId
        self.starts: dict[tuple[str, int], int] = {}  # (numId, ilvl) → start override
        self.counters: dict[str, list[int]] = {}
        if root is None:
            return
        for abstract in root.iter(f"{W}abstractNum"):
            levels = {}
            for lvl in abstract.iter(f"{W}lvl"):
                start = _val(lvl.find(f"{W}start"), "1")
                levels[int(lvl.get(f"{W}ilvl", "0"))] = (int(start), _val(lvl.find(f"{W}numFmt"), "decimal"),
                                                         _val(lvl.find(f"{W}lvlText"), ""))
            self.levels[abstract.get(f"{W}abstractNumId", "")] = levels
        for num in root.iter(f"{W}num"):
            num_id = num.get(f"{W}numId", "")
            self.nums[num_id] = _val(num.find(f"{W}abstractNumId"), "")
            for override in num.iter(f"{W}lvlOverride"):
                start = override.find(f"{W}startOverride")
                if start is not None:
                    self.starts[(num_id, int(override.get(f"{W}ilvl", "0")))] = int(_val(start, "1"))

    def label(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(self.nums.get(num_id, ""), {})
        if num_id == "0" or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        start = self.starts.get((num_id, ilvl), levels[ilvl][0])
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        _, fmt, text = levels[ilvl]
        if fmt in ("bullet", "none"):
            return ""
        for k in range(9):
            if f"%{k + 1}" in text:
                kfmt = levels.get(k, (1, "decimal", ""))[1]
                value = counters[k] or levels.get(k, (1, "", ""))[0]
                text = text.replace(f"%{k + 1}", format_number(value, kfmt))
        return text


def _val(el: Any | None, default: str) -> str:
    return default if el is None else el.get(f"{W}val", default)


def _para_text(p: Any) -> str:
    parts = []
    for node in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        parts.append(node.text or "" if node.tag == f"{W}t" else " ")
    return "".join(parts)


def _num_of(p: Any, styles: dict[str, tuple[str, int]]) -> tuple[str, int] | None:
    ppr = p.find(f"{W}pPr")
    numpr = ppr.find(f"{W}numPr") if ppr is not None else None
    if numpr is not None:
        num_id = _val(numpr.find(f"{W}numId"), "")
        return (num_id, int(_val(numpr.find(f"{W}ilvl"), "0"))) if num_id else None
    style = _val(ppr.find(f"{W}pStyle"), "") if ppr is not None else ""
    return styles.get(style)


def _style_numbering(doc: Any) -> dict[str, tuple[str, int]]:
    """styleId → (numId, ilvl) for paragraph styles that carry numbering (Word's heading and list styles)."""
    out: dict[str, tuple[str, int]] = {}
    for style in doc.styles.element.iter(f"{W}style"):
        numpr = style.find(f"{W}pPr/{W}numPr")
        if numpr is not None and numpr.find(f"{W}numId") is not None:
            out[style.get(f"{W}styleId", "")] = (_val(numpr.find(f"{W}numId"), ""),
                                                  int(_val(numpr.find(f"{W}ilvl"), "0")))
    return out


def _grid(tbl: Any) -> list[list[GridCell]]:
    """Grid positions of a table: gridSpan repeats a cell rightwards, vMerge continues the cell above."""
    rows: list[list[GridCell]] = []
    for r, tr in enumerate(tbl.iterchildren(f"{W}tr"), start=1):
        row: list[GridCell] = []
        trpr = tr.find(f"{W}trPr")
        before = int(_val(trpr.find(f"{W}gridBefore"), "0")) if trpr is not None else 0
        row.extend(GridCell("", r, 0) for _ in range(before))
        for n, tc in enumerate(tr.iterchildren(f"{W}tc"), start=1):
            tcpr = tc.find(f"{W}tcPr")
            span = int(_val(tcpr.find(f"{W}gridSpan"), "1")) if tcpr is not None else 1
            vmerge = tcpr.find(f"{W}vMerge") if tcpr is not None else None
            col = len(row)
            if vmerge is not None and vmerge.get(f"{W}val", "continue") == "continue" and rows:
                above = rows[-1][col] if col < len(rows[-1]) else GridCell("", r, n)
                cell = GridCell(above.text, above.row, above.cell, below=True)
            else:
                texts = [_para_text(p) for p in tc.iter(f"{W}p")]
                cell = GridCell(" ".join(clean(t) for t in texts if clean(t)), r, n)
            row.append(cell)
            row.extend(GridCell(cell.text, cell.row, cell.cell, below=cell.below, right=True)
                       for _ in range(span - 1))
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    return [r + [GridCell("", i + 1, 0) for _ in range(width - len(r))] for i, r in enumerate(rows)]


def _sniff(head: bytes, suffix: str) -> bool:
    return "word/document.xml" in zip_names(head) or (suffix == ".docx" and head.startswith(b"PK"))


def _read(data: bytes, suffix: str) -> Decoded:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise Unreadable(f"无法打开 Word 文件（{type(exc).__name__}）：文件可能已损坏") from exc
    return read_document(document)


def read_document(document: Any, media_type: str = "application/vnd.openxmlformats-officedocument."
                                                    "wordprocessingml.document") -> Decoded:
    """The text of an opened python-docx Document (also used for .doc/.wps converted by LibreOffice)."""
    part = document.part
    try:
        numbering_root = part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        numbering_root = None
    numbering = Numbering(numbering_root)
    styles = _style_numbering(document)
    builder = TextBuilder()
    for child in document.element.body.iterchildren():
        if child.tag == f"{W}p":
            text = _para_text(child)
            num = _num_of(child, styles)
            label = numbering.label(*num) if num else ""
            if text.strip() or label:
                builder.line(label + text.strip() if label else text)
            else:
                builder.blank()
        elif child.tag == f"{W}tbl":
            builder.table(_grid(child))
    return builder.decoded(media_type, "utf-8")


READER = Reader("docx", (".docx",), _sniff, _read)
