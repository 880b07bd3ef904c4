"""Read source files: bytes to text, with errors that name the file and say what is wrong.

The format is decided by content (`readers/`: text in any Chinese encoding, HTML, DOCX, PDF, XLSX/CSV, .doc/.wps
through LibreOffice); the reader's text is what `SourceText.raw` holds, with the media type, encoding and locators
(page, table/row/cell) beside it. Every entry of the corpus folder (but hidden files, Office lock files `~$…` and
sub-folders not named like a source) is either read or reported: an unsupported format, a FIFO, a socket, a folder
named `x.txt`, a dangling symlink, a symlink loop, an unreadable or oversized file is one error line naming it, never
a silent skip. Nothing is opened before `stat` says it is a regular file, and it is opened non-blocking, so a FIFO
swapped in between cannot hang the build either.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from policykg.graph.model import Locator
from policykg.graph.readers import Unreadable, decode, suffixes

#: default largest source file read (bytes); `policykg build --max-file-size` changes it
DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024
#: a line longer than this (code points without a line break) gets a warning: outlines are found line by line
LONG_LINE = 100_000
#: characters that show nothing, besides what `str.isspace` knows (U+3000, NBSP, U+2028 … are spaces already)
_INVISIBLE = frozenset("\ufeff\u200b\u200c\u200d\u2060")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_KINDS = {stat.S_IFIFO: "命名管道 FIFO", stat.S_IFSOCK: "套接字", stat.S_IFCHR: "字符设备", stat.S_IFBLK: "块设备"}


class ReadError(Exception):
    """A source file that cannot be read or decoded; the rest of the corpus still builds."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path.name}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class RawSource:
    file_name: str
    raw: str  # the reader's text (for a text file: the file decoded)
    sha256: str  # of the file's bytes
    media_type: str = "text/plain"
    encoding: str = "utf-8"
    locators: list[Locator] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def list_sources(corpus: Path) -> list[Path]:
    """Every entry of the corpus in name order, whatever it is (hidden files, Office lock files `~$x.docx` and
    sub-folders not named like a source aside): `read_source` says what is wrong with those it cannot read, so none
    is skipped without a word."""
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus} does not exist")
    known = suffixes()
    return sorted(p for p in corpus.iterdir() if not p.name.startswith((".", "~$"))
                  and not (p.is_dir() and p.suffix.lower() not in known))


def text_name(file_name: str) -> str:
    """The name of a source's normalized text under out/text/: the file's own name for a .txt, else name + .txt."""
    return file_name if file_name.lower().endswith(".txt") else f"{file_name}.txt"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _open_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file; ReadError for anything else, checked with stat before and after opening."""
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ReadError(path, "是循环的符号链接，无法读取") from exc
        if isinstance(exc, FileNotFoundError) and path.is_symlink():
            raise ReadError(path, f"是指向不存在文件的符号链接（{os.readlink(path)}）") from exc
        raise ReadError(path, f"无法读取（{exc.strerror or exc}）") from exc
    if stat.S_ISDIR(info.st_mode):
        raise ReadError(path, "是文件夹，不是文件")
    if not stat.S_ISREG(info.st_mode):
        raise ReadError(path, f"不是普通文件（{_KINDS.get(stat.S_IFMT(info.st_mode), '特殊文件')}），已跳过")
    if info.st_size > max_bytes:
        raise ReadError(path, f"文件过大（{_megabytes(info.st_size)}，上限 {_megabytes(max_bytes)}）；"
                              "可用 --max-file-size 调整上限")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ReadError(path, f"无法读取（{exc.strerror or exc}）") from exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # replaced between stat and open
            raise ReadError(path, "不是普通文件，已跳过")
        chunks, total = [], 0
        while total <= max_bytes:  # in pieces: read(max_bytes) would allocate the whole limit at once
            chunk = handle.read(min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    data = b"".join(chunks)
    if len(data) > max_bytes:  # grew since stat
        raise ReadError(path, f"文件过大（超过上限 {_megabytes(max_bytes)}）；可用 --max-file-size 调整上限")
    return data


def is_blank(text: str) -> bool:
    """Only spaces of any kind (ASCII, U+3000, NBSP, U+2028 …), BOMs and zero-width characters, or nothing."""
    return all(ch.isspace() or ch in _INVISIBLE for ch in text)


def read_source(path: Path, max_bytes: int = DEFAULT_MAX_FILE_SIZE) -> RawSource:
    """The file's text by the reader its content calls for; ReadError (one line naming the file) otherwise."""
    data = _open_regular(path, max_bytes)
    try:
        decoded = decode(data, path.suffix.lower())
    except Unreadable as exc:
        raise ReadError(path, str(exc)) from exc
    except Exception as exc:  # a library failing on a malformed file: still one line naming it
        raise ReadError(path, f"无法读取（{type(exc).__name__}: {' '.join(str(exc).split())[:200]}）") from exc
    text = decoded.text
    if is_blank(text):
        empty = "文件为空或只有空白字符" if decoded.media_type == "text/plain" else "文件中没有可读取的文字"
        raise ReadError(path, empty)
    if "\x00" in text:
        raise ReadError(path, "含有 NUL 字符：看起来是二进制文件，不是文本（支持 txt、html、docx、pdf、xlsx、csv）")
    return RawSource(path.name, text, hashlib.sha256(data).hexdigest(), decoded.media_type, decoded.encoding,
                     decoded.locators, decoded.warnings)


def longest_line(text: str) -> int:
    """Length of the longest line in code points (a line ends at \\n, \\r\\n or \\r, as normalize reads them)."""
    return max(map(len, _LINE_BREAK.split(text)), default=0)


def long_line_warning(text: str, limit: int = LONG_LINE) -> str | None:
    """A warning when some line is longer than `limit`: the outline is found line by line, so a whole document on
    one line (a paste without line breaks) yields few or no tasks."""
    longest = longest_line(text)
    if longest <= limit:
        return None
    return (f"有一行长达 {longest} 个字符（上限提示 {limit}）：大纲按行识别，没有换行的文本可能识别不出任务；"
            "请检查文件是否丢失了换行")
