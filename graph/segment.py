"""Split a `SourceText` into articles, and choose each article's title.

A clean policy text is one article; an unrelated article appended after it (a heading-like line, then text that
shares little vocabulary with the policy and does not continue its outline) and a trailing headline without a
body are dropped with a warning. Its title is the first heading-like line ending like a title (…实施方案), the
policy's own title when a covering notice wraps it; page metadata, table rows and dates never are. A newspaper
page is split by `pages.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.graph.lines import ends_sentence, has_sentence_marks, layout, matches
from policykg.graph.model import Article, Note, SourceText, Span
from policykg.graph.pages import segment_page
from policykg.graph.vocabulary import bigrams, cosine, coverage

# ---------------------------------------------------------------------------------------------------------------
# entry point


def segment(source: SourceText) -> tuple[list[Article], list[Note]]:
    """Articles of a source in reading order, and warnings about what was dropped or left over."""
    if source.is_page:
        return segment_page(source)
    return _segment_document(source)


# ---------------------------------------------------------------------------------------------------------------
# clean documents


@dataclass
class _Para:
    span: Span
    text: str  # as in source.text, stripped
    key: str


def _paragraphs(source: SourceText) -> list[_Para]:
    """The content lines of a clean document (blocks of kind "line"), a line cut by a page break joined to the next."""
    paras: list[_Para] = []
    text = source.text
    for block in source.blocks:
        if block.kind != "line":
            continue
        a, b = block.span.start, block.span.end
        para = _Para(Span(a, b), text[a:b], source.key[a:b])
        if paras and _broken_after(paras[-1], para):
            joined = Span(paras[-1].span.start, b)
            paras[-1] = _Para(joined, text[joined.start : b], source.key[joined.start : b])
        else:
            paras.append(para)
    return paras


def _broken_after(prev: _Para, para: _Para) -> bool:
    """A long paragraph cut mid-word by a page break (…或者出 / 资建设…): the next line continues it."""
    min_chars = layout()["document"]["min_broken_chars"]
    return (
        len(prev.text) >= min_chars
        and "\u4e00" <= prev.text[-1] <= "\u9fff"
        and not _heading_like(para)
        and not matches("outline_marker", para.text)
        and not matches("closing_line", para.text)
    )


def _heading_like(para: _Para) -> bool:
    """A short line without clause punctuation that does not end a sentence: a title or headline."""
    text = para.key
    if matches("table_row", para.text) or len(text) > layout()["page"]["max_headline_chars"] + 12:
        return False
    bare = re.sub(r"\([^()]*\)", "", text)  # 文号 and notes in brackets may hold punctuation
    return not has_sentence_marks(bare) and not ends_sentence(text)


def _not_title(para: _Para) -> bool:
    """Page metadata, a table row, a date or a bracketed note: never (part of) the title."""
    return any(re.search(p, para.key) for p in layout()["title"]["not_title"])


def _title_candidate(para: _Para) -> _Para:
    """The line without what stands before a title on it ("时政|…", the document's own 文号)."""
    for pattern in layout()["title"]["title_prefixes"]:
        found = re.match(pattern, para.key)
        if found and found.end() < len(para.key):
            start = para.span.start + found.end()
            return _Para(Span(start, para.span.end), para.text[found.end() :], para.key[found.end() :])
    return para


def _doc_type_end(text: str) -> bool:
    bare = re.sub(r"[(（][^()（）]*[)）]$", "", text).rstrip("》”")
    return any(bare.endswith(word) for word in layout()["title"]["doc_types"])


def _is_closing(para: _Para) -> bool:
    return matches("closing_line", para.text)


@dataclass
class _Heading:
    paras: list[_Para]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.paras)

    @property
    def span(self) -> Span | None:
        return self.paras[0].span if len(self.paras) == 1 else None

    @property
    def first(self) -> int:
        return self.paras[0].span.start


def _title_groups(paras: list[_Para]) -> list[tuple[int, _Heading]]:
    """Heading-like lines with a title split over several lines joined (…基本 / 养老…实施方案).

    Returns (index of the first paragraph, heading) for each heading whose text ends with a document type.
    """
    groups: list[tuple[int, _Heading]] = []
    i = 0
    while i < len(paras):
        para = _title_candidate(paras[i])
        if not _heading_like(para) or matches("outline_marker", para.text) or _not_title(para):
            i += 1
            continue
        parts = [para]
        j = i + 1
        while (
            not _doc_type_end("".join(p.text for p in parts))
            and j < len(paras)
            and len(parts) < 3
            and _heading_like(paras[j])
            and not _is_closing(paras[j])
            and not _not_title(paras[j])
            and not matches("outline_marker", paras[j].text)
            and _doc_type_end("".join(p.text for p in [*parts, paras[j]]))
        ):
            parts.append(paras[j])
            j += 1
        if _doc_type_end("".join(p.text for p in parts)):
            groups.append((i, _Heading(parts)))
            i = j
        else:
            i += 1
    return groups


def _plain(text: str) -> str:
    return re.sub(r"[\s《》“”\"()（）〔〕]", "", text)


def _choose_title(paras: list[_Para]) -> tuple[str, Span | None, int]:
    """The document's title: the policy's own title when a covering notice (印发…) wraps it.

    The first title-like heading near the top is the title, unless it wraps a policy (关于印发X的通知,
    …印发《X》): then a later heading reading X, or else X inside the wrapper. Returns the title, its span when
    contiguous, and the index of the paragraph where it starts (-1 if none).
    """
    groups = _title_groups(paras)
    if not groups or groups[0][0] >= layout()["title"]["search_lines"]:
        # no line ends like a title: the first short heading-like line (a table's caption), else none
        window = paras[: layout()["title"]["search_lines"]]
        index = next((n for n, p in enumerate(window) if _heading_like(p) and not _not_title(p)
                      and not _is_closing(p) and not matches("outline_marker", p.text) and len(p.key) >= 6
                      and not _opens_bare_list(window, n) and not _continues_bare_list(window, n)), None)
        if index is None:
            return "", None, -1
        para = _title_candidate(paras[index])
        return para.text, para.span, index
    index, first = groups[0]
    for pattern in layout()["title"]["wrapper"]:
        found = re.search(pattern, first.text)
        if not found:
            continue
        inner = found.group("inner")
        for other_index, other in groups[1:]:
            if _plain(other.text) == _plain(inner):
                return other.text, other.span, other_index
        span = None
        if first.span is not None:
            span = Span(first.span.start + found.start("inner"), first.span.start + found.end("inner"))
        return inner, span, index
    return first.text, first.span, index


def _outline_top(text: str) -> int | None:
    """Ordinal of a top-level outline marker (一、 二、 …) at the start of a line, else None."""
    found = re.match(r"^([一二三四五六七八九十]+)、", text)
    if not found:
        return None
    return _chinese_number(found.group(1))


def _chinese_number(numeral: str) -> int:
    digits = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + digits.get(numeral[1:], 0)
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return digits.get(tens, 0) * 10 + (digits.get(ones, 0) if ones else 0)
    return digits.get(numeral, 0)


def _appended_start(paras: list[_Para], title_index: int) -> int | None:
    """Index of the first paragraph of an appended unrelated article, or None.

    Candidates are heading-like lines after a sentence end; the part after one must be long, share little
    vocabulary with the part before it, and not continue its top-level outline.
    """
    conf = layout()["appended"]
    for i in range(max(title_index + 1, 1), len(paras)):
        para = paras[i]
        if not _heading_like(para) or matches("outline_marker", para.text) or _is_closing(para):
            continue
        if not ends_sentence(paras[i - 1].text):
            continue
        before = "\n".join(p.key for p in paras[:i])
        after = "\n".join(p.key for p in paras[i:])
        if len(before) < conf["min_chars"] or len(after) < conf["min_chars"]:
            continue
        if _plain(_heading_at(paras, i).text) in _plain(before):
            continue  # the text before names it (a covering notice and the policy it issues)
        if _continues_bare_list(paras, i) or _opens_bare_list(paras, i):  # a list's items, not a headline
            continue
        tops = [n for p in paras[:i] if (n := _outline_top(p.text)) is not None]
        next_top = next((n for p in paras[i:] if (n := _outline_top(p.text)) is not None), None)
        if tops and next_top == tops[-1] + 1:
            continue
        if cosine(bigrams(before), bigrams(after)) < conf["max_similarity"]:
            return i
    return None


def _bare_number(text: str) -> int | None:
    found = re.match(layout()["patterns"]["bare_item_number"], text)
    return int(found.group(1)) if found else None


def _continues_bare_list(paras: list[_Para], i: int) -> bool:
    """Paragraph i is item N of a list whose item N-1 (numbered the same bare way) stands before it."""
    number = _bare_number(paras[i].key)
    return number is not None and any(_bare_number(p.key) == number - 1 for p in paras[:i])


def _opens_bare_list(paras: list[_Para], i: int) -> bool:
    """Paragraph i is item N of a bare-numbered list whose item N+1 follows: a list item, not a title."""
    number = _bare_number(paras[i].key)
    return number is not None and any(_bare_number(p.key) == number + 1 for p in paras[i + 1 :])


def _heading_at(paras: list[_Para], i: int) -> _Heading:
    """The heading starting at paragraph i with its subtitle lines (——…) and continuation lines."""
    parts = [paras[i]]
    j = i + 1
    while j < len(paras) and len(parts) < 3 and _heading_like(paras[j]):
        parts.append(paras[j])
        j += 1
    return _Heading(parts)


def _segment_document(source: SourceText) -> tuple[list[Article], list[Note]]:
    warnings: list[Note] = []
    paras = _paragraphs(source)
    if not paras:
        tables = [b.table for b in source.blocks if b.table is not None]
        return ([Article(source=source, paragraphs=[], tables=tables)], []) if tables else ([], [Note("没有正文")])
    title, title_span, title_index = _choose_title(paras)
    conf = layout()["appended"]
    table_starts = [b.span.start for b in source.blocks if b.table is not None]
    while len(paras) > 1:
        last = paras[-1]
        if (
            not any(start > last.span.start for start in table_starts)  # a caption heads the table after it
            and _heading_like(last)
            and len(last.key.strip()) >= conf["min_trailing_headline_chars"]
            and not ends_sentence(paras[-1].text)
            and not _is_closing(last)
            and not matches("outline_marker", last.text)
            and len(paras) - 1 > title_index
            and coverage(last.key, "\n".join(p.key for p in paras[:-1])) <= conf["max_trailing_coverage"]
        ):
            warnings.append(Note(f"文末有标题而无正文，已略去：{last.text!r}", last.span))
            paras = paras[:-1]
            continue
        start = _appended_start(paras, title_index)
        if start is None:
            break
        heading = _heading_at(paras, start)
        warnings.append(Note(f"文后附带的无关文章 {heading.text!r}（{len(paras) - start} 段）已略去",
                             paras[start].span))
        paras = paras[:start]
    cut = paras[-1].span.end if paras else 0
    dropped = len(paras) < len(_paragraphs(source))
    tables = [b.table for b in source.blocks if b.table is not None and (not dropped or b.span.start < cut)]
    article = Article(source=source, paragraphs=[p.span for p in paras], title=title, title_span=title_span,
                      tables=tables)
    return [article], warnings
