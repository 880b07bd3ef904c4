"""normalize(): written form kept, same-length key, raw offsets, OCR page reflow."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

import pytest

from policykg.graph.model import SourceText
from policykg.graph.normalize import make_key, normalize
from policykg.graph.reflow import looks_like_page

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).parent.parent / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.txt"))


def fixture(name: str) -> dict[str, Any]:
    return tomllib.loads((FIXTURES / name).read_text(encoding="utf-8"))


def from_text(raw: str, name: str = "fixture.txt") -> SourceText:
    return normalize(name, raw, hashlib.sha256(raw.encode("utf-8")).hexdigest())


def from_corpus(path: Path) -> SourceText:
    data = path.read_bytes()
    return normalize(path.name, data.decode("utf-8"), hashlib.sha256(data).hexdigest())


def assert_offsets_point_at_written_chars(source: SourceText) -> None:
    assert len(source.raw_offsets) == len(source.text) + 1
    assert source.raw_offsets[-1] == len(source.raw)
    assert all(a <= b for a, b in zip(source.raw_offsets, source.raw_offsets[1:], strict=False))
    for i, char in enumerate(source.text):
        if char != "\n":
            assert source.raw[source.raw_offsets[i]] == char, (i, char)
        else:
            assert source.raw[source.raw_offsets[i]] in "\r\n"


def test_clean_text_only_line_endings_bom_and_nfc_change() -> None:
    """CRLF and CR become LF, a leading BOM goes, combining marks compose; nothing else changes."""
    raw = "\ufeff第一行\r\n第二行（二）\rCafe\u0301　末尾"
    source = from_text(raw)
    assert source.text == "第一行\n第二行（二）\nCafé　末尾"
    assert not source.is_page
    assert source.raw_offsets[0] == 1  # the BOM is skipped
    assert source.raw_offsets[3] == raw.index("\r\n")
    assert source.raw_offsets[source.text.index("é")] == raw.index("e\u0301")
    assert source.raw_offsets[-1] == len(raw)


def test_clean_text_keeps_full_width_punctuation_and_blank_lines() -> None:
    """A clean document is not reflowed: blank lines, indentation and full-width marks stay as written."""
    raw = "关于推进养老服务的意见\n\n　　一、总体要求\n\n　　（一）指导思想。坚持以人民为中心。\n"
    source = from_text(raw)
    assert source.text == raw
    assert source.raw_offsets == [*range(len(raw)), len(raw)]


def test_text_sha256_is_of_normalized_text() -> None:
    """text_sha256 digests the normalized text (UTF-8), sha256 is passed through."""
    source = normalize("a.txt", "甲\r\n乙", "abc")
    assert source.sha256 == "abc"
    assert source.text_sha256 == hashlib.sha256("甲\n乙".encode()).hexdigest()


def test_key_simplifies_and_folds_at_same_offsets() -> None:
    """normalize_traditional: key is simplified with half-width digits/letters and ASCII brackets, same length."""
    data = fixture("normalize_traditional.toml")
    source = from_text(data["text"])
    assert source.text == data["text"]
    assert source.key == data["key"]
    assert len(source.key) == len(source.text)


def test_key_keeps_enumeration_comma_full_stop_and_quotes() -> None:
    """、 。 《》 “” are not folded (patterns match them as written)."""
    assert make_key("甲、乙。《丙》“丁”") == "甲、乙。《丙》“丁”"


def test_key_folds_full_width_letters() -> None:
    """Full-width Latin letters become ASCII in the key."""
    assert make_key("ＡＢｃ１") == "ABc1"


def test_column_broken_paragraph_is_reflowed() -> None:
    """normalize_column_break: column breaks and blank lines go, paragraph ends stay as one newline."""
    data = fixture("normalize_column_break.toml")
    source = from_text(data["text"])
    assert source.is_page
    assert source.text.split("\n") == data["paragraphs"]
    assert_offsets_point_at_written_chars(source)


def test_reflow_loses_only_whitespace() -> None:
    """Reflow removes line breaks, blank lines and line-edge spaces only: the other characters stay in order."""
    raw = fixture("normalize_column_break.toml")["text"]
    source = from_text(raw)
    assert [c for c in source.text if not c.isspace()] == [c for c in raw if not c.isspace()]


def test_short_clean_text_is_not_a_page() -> None:
    """A few short lines (a title block) are not enough to call a text an OCR'd page."""
    assert not looks_like_page(["关于推进养老服务的意见", "（征求意见稿）", "一、总体要求"])


def test_page_blocks_empty_for_clean_text() -> None:
    """A clean document gets no page blocks from normalize (its blocks come from the layout stage)."""
    assert from_text("关于推进养老服务的意见\n正文。").blocks == []


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:3])
def test_corpus_offsets_map_back_to_raw(path: Path) -> None:
    """Every character of the normalized corpus text is the raw character its offset points at."""
    source = from_corpus(path)
    assert len(source.key) == len(source.text)
    assert_offsets_point_at_written_chars(source)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:3])
def test_corpus_page_detection(path: Path) -> None:
    """000 and 002 are OCR'd newspaper pages; 001, 003 and 004 are clean texts kept as written."""
    source = from_corpus(path)
    assert source.is_page == path.name.startswith(("000", "002"))
    if not source.is_page:
        assert source.text == source.raw
    else:
        assert [c for c in source.text if not c.isspace()] == [c for c in source.raw if not c.isspace()]


def test_corpus_page_quote_maps_to_raw_span() -> None:
    """A quote across a column break in the reflowed page maps back to a raw span holding the same characters."""
    source = from_corpus(CORPUS / "002_4bde61a2490bcd72.txt")
    start = source.text.index("《方案》明确了指导思想")
    end = start + len("《方案》明确了指导思想、基本原则")
    raw_start, raw_end = source.raw_offsets[start], source.raw_offsets[end]
    assert "\n" in source.raw[raw_start:raw_end]
    assert source.raw[raw_start:raw_end].replace("\n", "") == "《方案》明确了指导思想、基本原则"
