"""Legacy Word-processor files (.doc, WPS Office .wps): converted to DOCX by LibreOffice headless, then read as DOCX.

No maintained pure-Python reader of the binary .doc/.wps formats exists; LibreOffice (Debian package
libreoffice-writer-nogui, installed by `.ci/run`) converts both faithfully, numbering and merged cells included.
When `soffice` is not installed the file gets one line saying so and the rest of the corpus builds.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from policykg.graph.readers.base import Decoded, Reader, Unreadable

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_MEDIA = {".wps": "application/vnd.ms-works", ".doc": "application/msword"}
NEEDS = "需要 LibreOffice (soffice) 才能读取 .doc/.wps"
TIMEOUT = 180


def _sniff(head: bytes, suffix: str) -> bool:
    return head.startswith(_OLE2) and (suffix in (".doc", ".wps", ".dot", ".wpt") or _WORD_STREAM in head)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _read(data: bytes, suffix: str) -> Decoded:
    binary = soffice()
    if binary is None:
        raise Unreadable(NEEDS)
    import docx

    from policykg.graph.readers.word import read_document

    with tempfile.TemporaryDirectory(prefix="policykg-soffice-") as tmp:
        folder = Path(tmp)
        source = folder / f"in{suffix if suffix in _MEDIA else '.doc'}"
        source.write_bytes(data)
        profile = (folder / "profile").as_uri()  # a private profile: parallel conversions do not lock each other
        try:
            subprocess.run([binary, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                            "--convert-to", "docx", "--outdir", str(folder / "out"), str(source)],
                           check=True, capture_output=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise Unreadable(f"LibreOffice 转换超时（{TIMEOUT} 秒）") from exc
        except subprocess.CalledProcessError as exc:
            raise Unreadable(f"LibreOffice 无法转换此文件（退出码 {exc.returncode}）") from exc
        converted = folder / "out" / "in.docx"
        if not converted.exists():
            raise Unreadable("LibreOffice 无法转换此文件（未生成 DOCX）")
        document = docx.Document(str(converted))
        return read_document(document, _MEDIA.get(suffix, "application/msword"))


def _sniff_other(head: bytes, suffix: str) -> bool:
    return head.startswith(_OLE2)


def _refuse(data: bytes, suffix: str) -> Decoded:
    raise Unreadable("旧版 Office 文件（如 .xls、.et、.ppt）暂不支持：请另存为 .xlsx 或 .docx")


READERS = (Reader("doc", (".doc", ".wps"), _sniff, _read), Reader("ole2", (".xls", ".et"), _sniff_other, _refuse))
