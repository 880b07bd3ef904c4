"""Read source files: bytes to text, with errors that name the file and say what is wrong."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

SOURCE_SUFFIXES = (".txt",)


class ReadError(Exception):
    """A source file that cannot be read or decoded; the rest of the corpus still builds."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path.name}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class RawSource:
    file_name: str
    raw: str
    sha256: str


def list_sources(corpus: Path) -> list[Path]:
    """The corpus files in name order, so every build reads them the same way."""
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus} does not exist")
    return sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES)


def read_source(path: Path) -> RawSource:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(path, f"cannot be read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise ReadError(path, "is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(
            path, f"is not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); save it as UTF-8"
        ) from exc
    if "\x00" in text:
        raise ReadError(path, "contains NUL characters: it looks like a binary file, not text")
    return RawSource(path.name, text, hashlib.sha256(data).hexdigest())
