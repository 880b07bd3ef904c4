"""OFD (GB/T 33190) documents: recognised by their package (a zip holding OFD.xml) and refused with one line.

No maintained PyPI library reads OFD text in reading order yet (the packages found convert invoices or pages to
images); until one does, the file is named with what to do and the rest of the corpus builds.
"""

from __future__ import annotations

from policykg.graph.readers.base import Decoded, Reader, Unreadable, zip_names

MESSAGE = "暂不支持 OFD 文件（没有可用的 OFD 文本读取库）：请另存为 PDF 或 DOCX 后再放入"


def _sniff(head: bytes, suffix: str) -> bool:
    return suffix == ".ofd" or "OFD.xml" in zip_names(head)


def _read(data: bytes, suffix: str) -> Decoded:
    raise Unreadable(MESSAGE)


READER = Reader("ofd", (".ofd",), _sniff, _read)
