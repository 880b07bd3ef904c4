"""Bad input never stops the corpus (issue 13, items 3 and 7): characters that broke the N-Quads step or minted
invalid IRIs, special files that used to be skipped without a word, whitespace-only files of every kind, and a
failure inside one document's stages. Each is reported by name (one line), and every other file is built."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg import build as build_module
from policykg import document as document_module
from policykg.build import run_build
from policykg.graph import emit
from policykg.graph.emit import iri_segment
from policykg.graph.store import EmbeddedStore

#: characters `str.splitlines` splits at (besides \n and \r): each one inside a literal broke the store load
LINE_SPLITTERS = {"ff": "\x0c", "vt": "\x0b", "fs": "\x1c", "gs": "\x1d", "rs": "\x1e", "nel": "\x85",
                  "ls": "\u2028", "ps": "\u2029"}
GOOD = "一、加强工作。（责任单位：省民政厅、省财政厅）\n二、强化保障。（牵头单位：省卫生健康委；配合单位：省医保局）\n"
#: names with characters an IRI cannot hold: a C1 control, a non-character, brackets, a private-use character
BAD_NAMES = {"c1": "市财\x9f政局", "nonchar": "市财\uffff政局", "bracket": "市[财]政局", "private": "市\ue000财政局"}
WHITESPACE = {"ascii": b" \t\r\n\n", "ideographic": "\u3000\u3000\n".encode(), "nbsp": "\u00a0\n".encode(),
              "bom": b"\xef\xbb\xbf", "bom_and_spaces": "\ufeff \u3000\u2028\n".encode(), "zero": b"",
              "zero_width": "\u200b\ufeff\n".encode("utf-8")}
SPECIAL = ["fifo.txt", "loop.txt", "dangling.txt", "folder.txt"]


def make_corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, "utf-8")
    for name, ch in LINE_SPLITTERS.items():
        text = f"一、加强{ch}工作。（责任单位：省民政厅）\n二、完善{ch}制度。\n"
        (folder / f"sep_{name}.txt").write_text(text, "utf-8")
    for name, agency in BAD_NAMES.items():
        (folder / f"name_{name}.txt").write_text(f"一、加强工作。（责任单位：{agency}、省民政厅）\n", "utf-8")
    for name, data in WHITESPACE.items():
        (folder / f"blank_{name}.txt").write_bytes(data)
    os.mkfifo(folder / "fifo.txt")
    (folder / "loop.txt").symlink_to("loop.txt")
    (folder / "dangling.txt").symlink_to("nowhere.txt")
    (folder / "folder.txt").mkdir()
    return folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One CLI build over every hostile file (a subprocess with a timeout: a FIFO opened by mistake would hang)."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = make_corpus(root / "corpus")
    result = subprocess.run([sys.executable, "-c", "from policykg.cli import main; main()", "build", "--corpus",
                             str(corpus), "--out", str(root / "out")],
                            capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "300"})
    return result, root / "out"


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.strip() for line in result.stderr.splitlines() if ": error: " in line]


def test_line_splitting_characters_and_bad_names_build(hostile: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """`printf '一、加强\\x0c工作。（责任单位：省民政厅）'` stopped the whole corpus with a traceback; now it builds."""
    result, out = hostile
    assert "Traceback" not in result.stderr, result.stderr
    store = EmbeddedStore(out / "store")
    try:
        files = {row[0] for row in store.select("""PREFIX pkg: <https://w3id.org/policykg/ontology#>
            PREFIX dcterms: <http://purl.org/dc/terms/>
            PREFIX oa: <http://www.w3.org/ns/oa#>
            SELECT DISTINCT ?f WHERE { ?t a pkg:Task ; pkg:evidence/oa:hasSource/dcterms:identifier ?f }""").rows}
        labels = {row[0] for row in store.select(
            "SELECT ?n WHERE { ?a <http://www.w3.org/2004/02/skos/core#prefLabel> ?n }").rows}
        quotes = {row[0] for row in store.select(
            "SELECT ?q WHERE { ?e <http://www.w3.org/ns/oa#exact> ?q }").rows}
    finally:
        store.close()
    assert {"good.txt", *(f"sep_{n}.txt" for n in LINE_SPLITTERS), *(f"name_{n}.txt" for n in BAD_NAMES)} <= files
    for ch in LINE_SPLITTERS.values():
        assert any(ch in q for q in quotes), repr(ch)
    assert "市财\x9f政局" in labels  # the name is kept as written; only its IRI is percent-encoded


def test_dumps_hold_the_same_literals(hostile: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """kg.trig used to re-indent rdflib's multi-line literals (and split at U+2028): kg.trig and kg.ttl now hold
    what kg.nq holds."""
    _, out = hostile

    def named(path: Path, fmt: ox.RdfFormat) -> set[ox.Quad]:
        return {q for q in ox.parse(path=str(path), format=fmt)
                if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}

    nq = named(out / "kg.nq", ox.RdfFormat.N_QUADS)
    assert nq == named(out / "kg.trig", ox.RdfFormat.TRIG)
    assert {q.triple for q in nq} == {q.triple for q in named(out / "kg.ttl", ox.RdfFormat.TURTLE)}
    assert any("\u2028" in q.object.value for q in nq if isinstance(q.object, ox.Literal))
    lines = (out / "kg.nq").read_bytes().split(b"\n")
    assert lines[-1] == b""
    graphs = [line.rsplit(b" ", 2)[1] for line in lines[:-1]]
    runs = [g for n, g in enumerate(graphs) if n == 0 or graphs[n - 1] != g]
    assert runs == sorted(set(graphs))  # each graph's lines together, graphs in IRI order
    for graph in {g for g in graphs if b"/graph/source/" in g}:
        own = [line for line, g in zip(lines, graphs, strict=False) if g == graph]
        assert own == sorted(own)  # a source graph's lines sorted


def test_special_files_are_named_one_line_each(hostile: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, out = hostile
    assert result.returncode == 1
    errors = error_lines(result)
    for name in [*SPECIAL, *(f"blank_{n}.txt" for n in WHITESPACE)]:
        assert sum(line.startswith(f"{name}: error: ") for line in errors) == 1, (name, errors)
    assert any("FIFO" in line for line in errors if line.startswith("fifo.txt"))
    assert any("符号链接" in line for line in errors if line.startswith("dangling.txt"))
    assert any("文件夹" in line for line in errors if line.startswith("folder.txt"))
    assert (out / "kg.nq").exists()


def test_whitespace_only_files_are_handled_alike(hostile: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """A file of U+3000 was a warning and one of ASCII spaces an error: now every kind gets the same message."""
    result, _ = hostile
    messages = {line.split(": error: ", 1)[1] for line in error_lines(result) if line.startswith("blank_")}
    assert messages == {"文件为空或只有空白字符"}


def test_iri_segment_encodes_what_an_iri_cannot_hold() -> None:
    assert iri_segment("贵州省民政厅") == "贵州省民政厅"
    assert iri_segment("黔府办发〔2023〕21号") == "黔府办发〔2023〕21号"
    assert iri_segment("a b/c?d#e%f") == "a%20b%2Fc%3Fd%23e%25f"
    for ch in [*map(chr, range(0x20)), "\x7f", *map(chr, range(0x80, 0xA0)), "\ufffe", "\uffff", "\ufff0",
               "\ufdd0", "\ue000", "\U0001fffe", '"', "<", ">", "{", "}", "|", "\\", "^", "`", "[", "]"]:
        segment = iri_segment(f"名{ch}称")
        assert ch not in segment, repr(ch)
        ox.NamedNode(f"https://w3id.org/policykg/id/agency/000000/{segment}")


def test_an_unreadable_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, "utf-8")
    (corpus / "secret.txt").write_text(GOOD, "utf-8")
    real_open = os.open

    def refuse(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("secret.txt"):  # what chmod 000 does for anyone but root
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    report = run_build(corpus, tmp_path / "out")
    assert [str(e) for e in report.errors] == ["secret.txt: error: 无法读取（Permission denied）"]
    assert report.documents == 1


def test_a_failure_in_one_document_is_that_files_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception in any stage up to emit (here: extraction, linking, emit) names the file; the rest is built."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a_ok.txt", "b_extract.txt", "c_emit.txt", "d_link.txt"):
        (corpus / name).write_text(GOOD, "utf-8")
    make_document, emit_source, link_documents = (document_module.make_document, emit.Emitter.emit_source,
                                                  build_module.link_documents)

    def failing_extract(article, *args, **kwargs):  # type: ignore[no-untyped-def]
        if article.source.file_name == "b_extract.txt":
            raise IndexError("boom in extract")
        return make_document(article, *args, **kwargs)

    def failing_emit(self, source, *args, **kwargs):  # type: ignore[no-untyped-def]
        if source.file_name == "c_emit.txt":
            raise KeyError("boom in emit")
        return emit_source(self, source, *args, **kwargs)

    def failing_link(found, pipeline):  # type: ignore[no-untyped-def]
        if any(doc.article.source.file_name == "d_link.txt" for doc, _ in found):
            raise ValueError("boom in link")
        return link_documents(found, pipeline)

    monkeypatch.setattr(document_module, "make_document", failing_extract)
    monkeypatch.setattr(emit.Emitter, "emit_source", failing_emit)
    monkeypatch.setattr(build_module, "link_documents", failing_link)
    report = run_build(corpus, tmp_path / "out")
    errors = {e.file_name: e.message for e in report.errors}
    assert set(errors) == {"b_extract.txt", "c_emit.txt", "d_link.txt"}
    assert "boom in extract" in errors["b_extract.txt"] and "boom in emit" in errors["c_emit.txt"]
    assert all("\n" not in message for message in errors.values())
    assert report.documents == 1 and report.tasks >= 1
    assert [p.name for p in (tmp_path / "out" / "text").iterdir()] == ["a_ok.txt"]
