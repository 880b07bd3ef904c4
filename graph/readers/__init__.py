"""Readers of source formats behind one registry, chosen by what the bytes are, not only by the file's extension.

A new format is a new module here exposing `READER`, named in `MODULES` (like rdflib's parser plugins). Each reader
turns its format into text plus locators (see `base.py`); `read.py` opens the file and asks the registry.
"""

from __future__ import annotations

import importlib
from functools import cache

from policykg.graph.readers.base import Decoded, Reader, Unreadable

#: most specific signature first; text is the fallback for anything that decodes
MODULES = ("pdf", "word", "sheet", "office", "ofd", "html", "text")


@cache
def readers() -> tuple[Reader, ...]:
    out: list[Reader] = []
    for name in MODULES:
        module = importlib.import_module(f"policykg.graph.readers.{name}")
        found = module.READERS if hasattr(module, "READERS") else (module.READER,)
        out.extend(found)
    return tuple(out)


def suffixes() -> frozenset[str]:
    return frozenset(s for r in readers() for s in r.suffixes)


def reader_for(data: bytes, suffix: str) -> Reader | None:
    """The first reader whose signature matches; None when nothing does."""
    return next((r for r in readers() if r.sniff(data, suffix)), None)


def decode(data: bytes, suffix: str) -> Decoded:
    """The file's text by the reader its content calls for; Unreadable with a one-line reason otherwise."""
    reader = reader_for(data, suffix)
    if reader is None:
        raise Unreadable(f"不支持的文件格式（{suffix or '无扩展名'}）：支持 txt、html、docx、pdf、xlsx、csv，"
                         "以及装有 LibreOffice 时的 doc、wps")
    return reader.read(data, suffix)


__all__ = ["Decoded", "Reader", "Unreadable", "decode", "reader_for", "readers", "suffixes"]
