"""HTML pages as offices publish them (gov.cn articles): the article body without navigation, share buttons and
footers, real `<table>`s as table blocks with rowspan/colspan resolved, and the page's 索引号/发文字号/成文日期
fields as metadata lines at the top of the text.

lxml with the documented rule in `data/html.toml` rather than a general boilerplate remover: trafilatura and the like
flatten or drop tables, which is exactly where a 任务分工表 says who leads, and a rule we can read is easier to fix
for one site than a model's guess.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from policykg.graph.readers.base import Decoded, GridCell, Reader, TextBuilder, Unreadable, clean
from policykg.graph.readers.text import decode_text

_BLOCK = frozenset("p div li ul ol h1 h2 h3 h4 h5 h6 section article blockquote pre dd dt dl center main figure "
                   "figcaption hr address tr tbody thead tfoot caption table td th body".split())
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_SIGNATURE = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta)",
                        re.I | re.S)
_WORD = re.compile(r"[A-Za-z]+")
_COLLAPSE = re.compile(r"[ \t\r\n\f]+")
_PRE_STYLE = re.compile(r"white-space\s*:\s*pre", re.I)


@cache
def rules() -> dict[str, Any]:
    return tomllib.loads(resources.files("policykg.graph.data").joinpath("html.toml").read_text("utf-8"))


def _sniff(head: bytes, suffix: str) -> bool:
    head = head[:4096]
    return bool(_SIGNATURE.match(head)) or (suffix in (".html", ".htm", ".shtml", ".xhtml") and b"<" in head[:512])


def _decode(data: bytes) -> tuple[str, str]:
    """The page's text: by its declared charset when that decodes (gb2312/gbk read as GB18030), else detected."""
    declared = _CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        name = "gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk") else name
        try:
            return data.decode(name).lstrip("\ufeff"), "utf-8" if name in ("utf8", "utf-8") else name
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _classes(el: Any) -> set[str]:
    return {w.lower() for w in _WORD.findall(f"{el.get('class', '')} {el.get('id', '')}")}


def _boilerplate(el: Any, words: set[str]) -> bool:
    """A class or id word that is a boilerplate word, or starts with one of five letters or more
    (bdsharebuttonbox, breadcrumbs; but "foot" does not take "footnote")."""
    return any(w == b or (len(b) >= 5 and w.startswith(b)) for w in _classes(el) for b in words)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _inside(el: Any, container: Any) -> bool:
    return el is container or any(a is container for a in el.iterancestors())


def _metadata(root: Any, body: Any) -> list[tuple[str, str]]:
    """("发文字号", "国办发〔2020〕43号") … in page order, from outside the article body (inside it they are already
    part of the text); the rows and elements holding them are removed from the tree."""
    labels = rules()["metadata"]["labels"]
    found: list[tuple[str, str]] = []
    holders: list[Any] = []
    for el in root.iter("td", "th", "span", "li", "p", "div", "dt", "b", "strong", "label"):
        if (len(el) and el.tag not in ("td", "th")) or _inside(el, body):
            continue  # only leaves (and table cells) outside the body carry a label
        text = _squeeze(el.text_content())
        label = next((lb for lb in labels if text.startswith(lb) and text[len(lb) : len(lb) + 1] in ("：", ":", "")),
                     None)
        if label is None:
            continue
        value = clean(re.sub(r"^\s*" + r"\s*".join(map(re.escape, label)) + r"\s*[：:]?", "", el.text_content()))
        if not value:
            if text not in (label, label + "：", label + ":"):
                continue
            nxt = el.getnext()
            value = clean(nxt.text_content()) if nxt is not None else ""
        if value and all(lb != label for lb, _ in found):
            found.append((label, value))
            holders.append(el.getparent() if el.tag in ("td", "th") else el)
    for el in holders:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    return found


def _meta_tags(root: Any) -> list[tuple[str, str]]:
    """`<meta name=… content=…>` fields named in data/html.toml, as (label, value)."""
    found: list[tuple[str, str]] = []
    for name, label in rules()["metadata"]["meta"].items():
        for content in root.xpath(f"//meta[@name='{name}']/@content"):
            if content.strip() and all(lb != label for lb, _ in found):
                found.append((label, clean(content)))
    return found


def _title(root: Any) -> str:
    for xpath in rules()["title_xpath"]:
        for hit in root.xpath(xpath):
            text = clean(hit if isinstance(hit, str) else hit.text_content())
            if text:
                return text
    return ""


def _metadata_cells(root: Any) -> set[Any]:
    """Tables holding metadata labels: kept from the boilerplate rule (a class such as "position" must not lose
    the 索引号 table)."""
    labels = rules()["metadata"]["labels"]
    keep = set()
    for td in root.iter("td", "th"):
        if _squeeze(td.text_content()).rstrip("：:") in labels:
            keep.update(td.iterancestors("table"))
    return keep


def _drop_boilerplate(root: Any, keep: set[Any]) -> None:
    drop = set(rules()["drop_tags"])
    words = set(rules()["boilerplate_words"])
    doomed = [el for el in root.iter() if isinstance(el.tag, str) and (el.tag in drop or _boilerplate(el, words))
              and el not in keep and not any(k is not None and _inside(k, el) for k in keep)]
    for el in doomed:
        parent = el.getparent()
        if parent is not None and el.tag != "body":
            el.drop_tree()


def _body(root: Any) -> Any:
    minimum = rules()["min_body_chars"]
    for xpath in rules()["body_selectors"]:
        for hit in root.xpath(xpath):
            if len(_squeeze(hit.text_content())) >= minimum:
                return hit
    best, score = root, -1
    for el in root.iter("div", "td", "section", "article", "body"):
        own = sum(len(_squeeze(c.text_content())) for c in el if c.tag in ("p", "table", "div", "br") or c.tag is None)
        own += len(_squeeze(el.text or ""))
        if own > score:
            best, score = el, own
    return best


def _is_data_table(table: Any) -> bool:
    if table.xpath(".//table"):
        return False
    return any(len(tr.xpath("./td|./th")) >= 2 for tr in table.xpath(".//tr"))


def _grid(table: Any) -> list[list[GridCell]]:
    """The table's positions with spans resolved (HTML's rowspan/colspan occupancy rule)."""
    rows = [tr for tr in table.xpath(".//tr") if next(iter(tr.iterancestors("table")), None) is table]
    grid: dict[tuple[int, int], GridCell] = {}
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for n, td in enumerate(tr.xpath("./td|./th"), start=1):
            while (r, c) in grid:
                c += 1
            rowspan = max(1, min(_int(td.get("rowspan")), len(rows) - r))
            colspan = max(1, min(_int(td.get("colspan")), 50))
            text = _cell_text(td)
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = GridCell(text, r + 1, n, below=dr > 0, right=dc > 0)
            c += colspan
            width = max(width, c)
    return [[grid.get((r, c), GridCell("", r + 1, 0)) for c in range(width)] for r in range(len(rows))]


def _int(value: str | None) -> int:
    try:
        return int(value or 1)
    except ValueError:
        return 1


def _cell_text(td: Any) -> str:
    lines = _Lines()
    lines.walk(td)
    return " ".join(lines.flush_all())


class _Lines:
    """Collects the lines of an element tree: each block element or <br> ends a line."""

    def __init__(self, builder: TextBuilder | None = None) -> None:
        self.builder = builder
        self.current: list[str] = []
        self.out: list[str] = []

    def flush(self) -> None:
        text = "".join(self.current)
        self.current = []
        text = text.strip()
        if not text:
            return
        if self.builder is not None:
            self.builder.line(text)
        else:
            self.out.append(text)

    def flush_all(self) -> list[str]:
        self.flush()
        return self.out

    def text(self, text: str | None, pre: bool) -> None:
        if text:
            self.current.append(text.replace("\r", "").replace("\n", " ") if pre else _COLLAPSE.sub(" ", text))

    def walk(self, el: Any, pre: bool = False) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        pre = pre or tag == "pre" or bool(_PRE_STYLE.search(el.get("style", "") if tag else ""))
        if tag == "br":
            self.flush()
        elif tag == "table" and self.builder is not None and _is_data_table(el):
            self.flush()
            self.builder.table(_grid(el))
        elif tag:
            block = tag in _BLOCK
            if block:
                self.flush()
            self.text(el.text, pre)
            for child in el:
                self.walk(child, pre)
            if block:
                self.flush()
        if tag or el.tail:
            self.text(el.tail, pre)


def _read(data: bytes, suffix: str) -> Decoded:
    import lxml.html

    text, encoding = _decode(data)
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml raises ParserError/ValueError on pages with nothing to parse
        raise Unreadable(f"无法解析 HTML（{type(exc).__name__}）") from exc
    title = _title(root)
    tags = _meta_tags(root)
    _drop_boilerplate(root, keep=_metadata_cells(root))
    body = _body(root)
    fields = _metadata(root, body)
    fields += [(label, value) for label, value in tags if all(lb != label for lb, _ in fields)]
    builder = TextBuilder()
    for label, value in fields:
        builder.line(f"{label}：{value}", field=label)
    if fields:
        builder.blank()
    if title and _squeeze(title) not in _squeeze(body.text_content())[:400]:
        builder.line(title, field="title")
        builder.blank()
    lines = _Lines(builder)
    lines.walk(body)
    lines.flush()
    return builder.decoded("text/html", encoding)


READER = Reader("html", (".html", ".htm", ".shtml", ".xhtml"), _sniff, _read)
