"""Plain text in any encoding offices save in: UTF-8 (with or without BOM), GB18030/GBK/GB2312, UTF-16 LE/BE, Big5.

Byte-order marks and strict UTF-8 are decided first (cheap and certain); UTF-16 without a BOM by where its zero bytes
fall; anything else is left to charset-normalizer, limited to the Chinese encodings so a short GBK file is not taken
for a Western code page. GBK and GB2312 are subsets of GB18030, so GB18030 decodes all three and is what is recorded.
"""

from __future__ import annotations

import codecs

from policykg.graph.readers.base import Decoded, Reader, Unreadable

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CANDIDATES = ["gb18030", "big5", "utf_16_le", "utf_16_be"]
_NAMES = {"utf-8-sig": "utf-8", "gbk": "gb18030", "gb2312": "gb18030", "hz": "gb18030", "big5hkscs": "big5",
          "cp950": "big5", "utf_16_le": "utf-16le", "utf_16_be": "utf-16be", "utf_16": "utf-16"}


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 LE or BE when zero bytes fall mostly on odd (LE) or on even (BE) positions: the ASCII digits,
    punctuation and line breaks of a Chinese text have one zero byte each (as do the few characters U+xx00), and no
    8-bit Chinese encoding has any."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    name = "utf-16le" if odd >= 2 and even * 4 < odd else "utf-16be" if even >= 2 and odd * 4 < even else None
    if name is None:
        return None
    try:
        data.decode(name)
    except UnicodeDecodeError:
        return None
    return name


def detect(data: bytes) -> str:
    """The encoding of `data` as a Python codec name; Unreadable when no supported encoding fits."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16
    for name in ("gb18030", "big5"):  # strict first: only one of them may decode at all
        try:
            data.decode(name)
        except UnicodeDecodeError:
            continue
        else:
            break
    else:
        raise Unreadable("无法识别文本编码（不是 UTF-8、GB18030/GBK/GB2312、UTF-16 或 Big5）")
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None:
        raise Unreadable("无法识别文本编码（不是 UTF-8、GB18030/GBK/GB2312、UTF-16 或 Big5）")
    return best.encoding


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, recorded encoding name)."""
    encoding = detect(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise Unreadable(f"按 {encoding} 解码失败（第 {exc.start} 字节）") from exc
    if encoding.startswith(("utf-16", "utf-32")) and text.startswith("\ufeff"):
        text = text[1:]
    return text, _NAMES.get(encoding, encoding)


def _is_text(head: bytes, suffix: str) -> bool:
    return True  # the fallback: whatever decodes is text; `detect` says when nothing fits


def _read(data: bytes, suffix: str) -> Decoded:
    text, encoding = decode_text(data)
    return Decoded(text, "text/plain", encoding)


READER = Reader("text", (".txt", ".text", ".md"), _is_text, _read)
