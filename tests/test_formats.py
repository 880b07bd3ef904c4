"""Reading documents as offices publish them (issue 9): each format's fixture, made by the real tool
(tests/tools/make_format_fixtures.py), gives its facts, and one document in every format gives the same answers."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import opencc
import pytest
from conftest import shared_pipeline
from rdflib import Dataset

from policykg.build import read_corpus
from policykg.graph.model import Document
from policykg.graph.read import ReadError, list_sources, read_source
from policykg.graph.readers import ofd, office, reader_for
from policykg.graph.readers.pdf import SCANNED, characters
from policykg.graph.readers.word import chinese_number

sys.path.insert(0, str(Path(__file__).parent / "tools"))
import make_format_fixtures as fx

#: formats holding the whole document (xlsx and csv hold only the 分工表)
WHOLE = ["utf8", "utf8bom", "gb18030", "utf16le", "utf16be", "utf16bom", "html", "html_gbk", "docx", "pdf", "doc"]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return fx.make_all(tmp_path_factory.mktemp("formats"))


def _need(made: dict[str, Path], name: str) -> Path:
    if name not in made:
        pytest.skip(f"{name} needs {'chromium' if name == 'pdf' else 'LibreOffice (soffice)'}")
    return made[name]


def answers(doc: Document, *, table_only: bool = False, written: bool = False) -> set[tuple[object, ...]]:
    """What a coordinator asks of a document: each task with its units (resolved, or as written) and roles and its
    targets."""
    out = set()
    for task in doc.tasks:
        if table_only and task.node.table is None:
            continue
        units = tuple(sorted((r.mention.written if written else r.agency_key, r.role) for r in task.responsibilities))
        targets = tuple(sorted((t.value, t.unit, t.comparator) for t in task.targets))
        out.add((task.node.number, task.node.heading[:10], units, targets))
    return out


@pytest.fixture(scope="module")
def corpus(made: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Document]]:
    folder = tmp_path_factory.mktemp("all-formats")
    for path in made.values():
        shutil.copy(path, folder / path.name)
    built = read_corpus(list_sources(folder), shared_pipeline())
    assert not [i for i in built.issues if i.severity == "error"], built.issues
    by_name = {source.file_name: docs for source, docs in built.sources}
    return {key: by_name[path.name] for key, path in made.items()}


# --- text in any encoding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "encoding"), [("utf8", "utf-8"), ("utf8bom", "utf-8"), ("gb18030", "gb18030"),
                                                ("utf16le", "utf-16le"), ("utf16be", "utf-16be"),
                                                ("utf16bom", "utf-16")])
def test_text_in_each_encoding_reads_the_same_and_records_it(made: dict[str, Path], name: str, encoding: str) -> None:
    raw = read_source(made[name])
    assert raw.encoding == encoding and raw.media_type == "text/plain"
    assert raw.raw == "\n".join(fx.text_lines()) + "\n"


def test_big5_and_gbk_text_decode(made: dict[str, Path], tmp_path: Path) -> None:
    raw = read_source(made["big5"])
    assert raw.encoding == "big5"
    assert raw.raw.startswith(opencc.OpenCC("s2t").convert(fx.TITLE))
    (tmp_path / "gbk.txt").write_bytes("一、加强工作。（责任单位：省民政厅）\n".encode("gbk"))
    assert read_source(tmp_path / "gbk.txt").encoding == "gb18030"


def test_undecodable_bytes_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(b"\x80\xff\x80\xff\x81" * 20)
    with pytest.raises(ReadError) as error:
        read_source(tmp_path / "x.txt")
    assert "\n" not in str(error.value) and str(error.value).startswith("x.txt: 无法识别文本编码")


# --- HTML ---------------------------------------------------------------------------------------------------------


def test_html_keeps_the_article_and_drops_navigation_share_bar_and_footer(made: dict[str, Path]) -> None:
    raw = read_source(made["html"])
    assert raw.media_type == "text/html"
    for noise in ("当前位置", "政务服务", "分享到", "字体", "豫ICP备", "网站地图"):
        assert noise not in raw.raw, noise
    lines = raw.raw.split("\n")
    assert lines[0] == "索引号：11410300MB1234567X/2024-00012"
    assert "发文字号：洛政办〔2024〕12号" in lines and "成文日期：2024年03月15日" in lines
    assert fx.TITLE in lines and "（二）提升医养结合水平。" in raw.raw
    field = {loc.field for loc in raw.locators if loc.field}
    assert {"索引号", "发文字号", "成文日期", "title"} <= field
    assert read_source(made["html_gbk"]).encoding == "gb18030"


def test_html_rowspan_cell_is_inherited_with_its_evidence(corpus: dict[str, list[Document]]) -> None:
    doc = corpus["html"][0]
    assert doc.doc_number == "洛政办〔2024〕12号" and doc.date == "2024-03-15"
    row2 = next(t for t in doc.tasks if t.node.table is not None and t.node.number == "2")
    lead = next(r for r in row2.responsibilities if r.role == "lead")
    assert lead.mention.written == "市民政局" and lead.basis == "merged-cell"
    source = doc.source
    assert source.locate(lead.evidence).row == 2  # the merged cell starts in the first data row (row 2 of the table)


# --- DOCX -----------------------------------------------------------------------------------------------------------


def test_docx_writes_list_numbers_resolves_merged_cells_and_skips_header_footer(made: dict[str, Path]) -> None:
    raw = read_source(made["docx"])
    assert "一、主要任务" in raw.raw and "（三）加强人才队伍建设。" in raw.raw and "二、重点项目分工" in raw.raw
    assert "洛阳市人民政府办公室文件" not in raw.raw and "— 1 —" not in raw.raw
    assert "| 2 | 改造提升特困人员供养服务设施5所 |  | 市财政局 | 2024年12月底 |" in raw.raw
    cells = [loc for loc in raw.locators if loc.table == 1]
    assert {loc.row for loc in cells} == set(range(1, len(fx.ROWS) + 2))
    assert [chinese_number(n) for n in (1, 10, 11, 20, 23, 105)] == ["一", "十", "十一", "二十", "二十三", "一百零五"]


def test_doc_is_read_through_libreoffice(made: dict[str, Path]) -> None:
    raw = read_source(_need(made, "doc"))
    assert raw.media_type == "application/msword" and "一、主要任务" in raw.raw


def test_doc_without_libreoffice_is_one_line_naming_it(made: dict[str, Path], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.wps"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    monkeypatch.setattr(office, "soffice", lambda: None)
    with pytest.raises(ReadError) as error:
        read_source(path)
    assert str(error.value) == "old.wps: 需要 LibreOffice (soffice) 才能读取 .doc/.wps"


# --- PDF ------------------------------------------------------------------------------------------------------------


def test_pdf_table_crossing_a_page_is_one_table_without_page_furniture(made: dict[str, Path]) -> None:
    raw = read_source(_need(made, "pdf"))
    assert raw.media_type == "application/pdf"
    assert "file://" not in raw.raw and "/2\n" not in raw.raw  # Chromium's running footer (URL, page x/y)
    assert raw.raw.count("| 序号 |") == 1  # the header repeated on page 2 is dropped
    rows = [line for line in raw.raw.split("\n") if line.startswith("| ") and not line.startswith("| 序号")]
    assert [r.split(" | ")[0] for r in rows] == [f"| {n}" for n in range(1, len(fx.ROWS) + 1)]
    pages = {loc.page for loc in raw.locators if loc.table == 1}
    assert pages == {1, 2}
    assert "市民政局" in raw.raw and "⺠" not in raw.raw  # radical code points read as characters


def test_pdf_radicals_read_as_characters() -> None:
    assert characters("市⺠政局、⼈⼒资源和社会保障局、⼾") == "市民政局、人力资源和社会保障局、户"


def test_scanned_pdf_is_one_line_and_the_rest_builds(made: dict[str, Path], tmp_path: Path) -> None:
    if fx.chromium() is None:
        pytest.skip("needs chromium")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    fx.print_pdf("<html><body><svg width='400' height='300'><rect width='300' height='100'/></svg></body></html>",
                 corpus / "scan.pdf", header_footer=False)
    shutil.copy(made["utf8"], corpus)
    built = read_corpus(list_sources(corpus), shared_pipeline())
    errors = [str(i) for i in built.issues if i.severity == "error"]
    assert errors == [f"scan.pdf: error: {SCANNED}"]
    assert len(built.documents) == 1 and built.documents[0].tasks


# --- spreadsheets, OFD, unsupported ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["xlsx", "csv"])
def test_spreadsheet_rows_are_tasks(corpus: dict[str, list[Document]], name: str) -> None:
    (doc,) = corpus[name]
    assert answers(doc, written=True) == answers(corpus["utf8"][0], table_only=True, written=True)
    assert len(doc.tasks) == len(fx.ROWS)  # the sheet names no place: units resolve without a jurisdiction


def test_ofd_and_unknown_binaries_are_one_line_each(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "notice.ofd", "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    with pytest.raises(ReadError) as error:
        read_source(tmp_path / "notice.ofd")
    assert str(error.value) == f"notice.ofd: {ofd.MESSAGE}"
    with pytest.raises(ReadError) as error:
        read_source(tmp_path / "photo.jpg")
    assert str(error.value).startswith("photo.jpg: ") and "\n" not in str(error.value)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with pytest.raises(ReadError, match=r"^old\.xls: 旧版 Office 文件"):
        read_source(tmp_path / "old.xls")


def test_formats_are_sniffed_by_content_not_extension(made: dict[str, Path]) -> None:
    for name, reader in (("docx", "docx"), ("html", "html"), ("xlsx", "xlsx"), ("utf16le", "text")):
        assert reader_for(made[name].read_bytes(), ".bin").name == reader  # type: ignore[union-attr]
    if "pdf" in made:
        assert reader_for(made["pdf"].read_bytes(), "").name == "pdf"  # type: ignore[union-attr]


# --- the same answers whatever the format ---------------------------------------------------------------------------


def test_every_format_gives_the_same_tasks_units_roles_and_targets(corpus: dict[str, list[Document]]) -> None:
    expected = answers(corpus["utf8"][0])
    assert len(expected) == 11 and all(units for _, _, units, _ in expected)
    for name in WHOLE:
        if name not in corpus:
            continue
        (doc,) = corpus[name]
        assert answers(doc) == expected, name
        assert doc.doc_number == "洛政办〔2024〕12号", name


def test_big5_gives_the_same_tasks_roles_and_targets(corpus: dict[str, list[Document]]) -> None:
    to_simplified = opencc.OpenCC("t2s").convert
    (doc,) = corpus["big5"]

    def folded(d: Document) -> set[tuple[object, ...]]:  # headings and units of measure stay traditional
        return {(t.node.number, tuple(sorted((to_simplified(r.mention.written), r.role) for r in t.responsibilities)),
                 tuple(sorted(x.value for x in t.targets))) for t in d.tasks}

    assert folded(doc) == folded(corpus["utf8"][0])


# --- provenance in RDF ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_build(made: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder mixing every format, built twice by the CLI (as `make run` would)."""
    root = tmp_path_factory.mktemp("mixed")
    corpus = root / "corpus"
    corpus.mkdir()
    for path in made.values():
        shutil.copy(path, corpus / path.name)
    (corpus / "notice.ofd").write_bytes(b"PK\x03\x04not really")
    outs = []
    for n in (1, 2):
        result = subprocess.run([sys.executable, "-c", "from policykg.cli import main; main()", "build", "--corpus",
                                 str(corpus), "--out", str(root / f"out{n}")], capture_output=True, text=True,
                                timeout=600)
        assert result.returncode == 1, result.stderr[-2000:]  # the OFD file is an error: the exit code says so
        errors = [line for line in result.stderr.splitlines() if ": error: " in line]
        assert [e.split(":")[0] for e in errors] == ["notice.ofd"], errors
        outs.append(root / f"out{n}")
    assert (outs[0] / "kg.nq").read_bytes() == (outs[1] / "kg.nq").read_bytes()
    return outs[0]


def test_rdf_records_media_type_encoding_page_and_cell(mixed_build: Path) -> None:
    dataset = Dataset(default_union=True)
    dataset.parse(mixed_build / "kg.trig", format="trig")
    prefixes = ("PREFIX pkg: <https://w3id.org/policykg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#> "
                "PREFIX dcterms: <http://purl.org/dc/terms/> ")

    def rows(query: str) -> set[tuple[str, ...]]:
        return {tuple(str(v) for v in row) for row in dataset.query(prefixes + query)}

    sources = rows("SELECT ?name ?media ?enc WHERE { ?s a pkg:SourceFile ; dcterms:identifier ?name ; "
                   "pkg:mediaType ?media OPTIONAL { ?s pkg:encoding ?enc } }")
    by_name = {name: (media, enc) for name, media, enc in sources}
    assert by_name["notice.pdf"][0] == "application/pdf" and by_name["notice.html"] == ("text/html", "utf-8")
    assert by_name["notice_gb18030.txt"] == ("text/plain", "gb18030")
    assert by_name["notice_utf16be.txt"] == ("text/plain", "utf-16be")
    assert by_name["notice.xlsx"][0].endswith("spreadsheetml.sheet")
    located = "SELECT ?name ?v WHERE { ?ev oa:hasSource/dcterms:identifier ?name ; oa:hasSelector ?pos . ?pos %s ?v }"
    pages = rows(located % "pkg:page")
    assert {v for name, v in pages if name == "notice.pdf"} == {"1", "2"}  # facts of the table on both pages
    cells = rows(located % "pkg:rowNumber")
    assert {v for name, v in cells if name == "notice.docx"} >= {"2", "9"}  # first and last data row
    fields = rows(located % "pkg:metadataField")
    assert ("notice.html", "发文字号") in fields
    assert (mixed_build / "text" / "notice.pdf.txt").exists() and (mixed_build / "text" / "notice_utf8.txt").exists()


def test_hidden_files_lock_files_and_plain_subfolders_are_not_sources(tmp_path: Path) -> None:
    for name in ("a.txt", ".DS_Store", "~$notice.docx"):
        (tmp_path / name).write_text("x", "utf-8")
    (tmp_path / "attachments").mkdir()
    (tmp_path / "x.pdf").mkdir()  # looks like a source: read_source names it
    assert [p.name for p in list_sources(tmp_path)] == ["a.txt", "x.pdf"]
    with pytest.raises(ReadError, match="文件夹"):
        read_source(tmp_path / "x.pdf")


def test_a_header_in_two_rows_under_a_colspan_is_one_header(tmp_path: Path) -> None:
    """责任单位 spanning 牵头单位 | 配合单位, the other labels spanning both rows (a common 分工表 layout)."""
    (tmp_path / "two_rows.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><div id='UCAP-CONTENT'>"
        "<p>某县2024年民生实事任务分工表</p><table border='1'>"
        "<tr><td rowspan='2'>序号</td><td rowspan='2'>重点任务</td><td colspan='2'>责任单位</td>"
        "<td rowspan='2'>完成时限</td></tr><tr><td>牵头单位</td><td>配合单位</td></tr>"
        "<tr><td>1</td><td>新建养老服务中心3个</td><td>县民政局</td><td>县财政局</td><td>2024年底</td></tr>"
        "<tr><td>2</td><td>新增托位200个</td><td>县卫生健康委</td><td>县教育局</td><td>2024年底</td></tr>"
        "</table></div></body></html>", "utf-8")
    raw = read_source(tmp_path / "two_rows.html")
    assert "| 序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限 |" in raw.raw
    (doc,) = read_corpus(list_sources(tmp_path), shared_pipeline()).documents
    assert [[(r.mention.written, r.role) for r in t.responsibilities] for t in doc.tasks] == [
        [("县民政局", "lead"), ("县财政局", "co")], [("县卫生健康委", "lead"), ("县教育局", "co")]]


def test_a_row_cut_by_the_page_break_is_joined_and_the_repeated_header_dropped() -> None:
    from policykg.graph.readers.base import GridCell
    from policykg.graph.readers.pdf import _continues, _Table

    def row(r: int, *texts: str) -> list[GridCell]:
        return [GridCell(t, r, c) for c, t in enumerate(texts, start=1)]

    first = _Table(0, [row(1, "序号", "项目内容", "牵头单位"), row(2, "1", "新建养老服务", "市民政")], [1, 1])
    second = _Table(0, [row(1, "序号", "项目内容", "牵头单位"), row(2, "", "中心10个", "局"),
                        row(3, "2", "新增托位", "市卫生健康委")], [2, 2, 2])
    _continues(first, second)
    assert [[c.text for c in r] for r in first.grid] == [["序号", "项目内容", "牵头单位"],
                                                         ["1", "新建养老服务中心10个", "市民政局"],
                                                         ["2", "新增托位", "市卫生健康委"]]
    assert first.pages == [1, 1, 2] and first.grid[2][0].row == 5  # source rows go on counting over the break


def test_html_rule_examples_hold() -> None:
    """The examples beside the rule in data/html.toml: class words that mark boilerplate, metadata labels."""
    import lxml.html

    from policykg.graph.readers import html as html_reader

    rules = html_reader.rules()
    for example in rules["boilerplate_examples"]:
        element = lxml.html.fragment_fromstring(f"<div class='{example}'>x</div>")
        assert html_reader._boilerplate(element, set(rules["boilerplate_words"])), example
    for example in rules["not_boilerplate_examples"]:
        element = lxml.html.fragment_fromstring(f"<div class='{example}'>x</div>")
        assert not html_reader._boilerplate(element, set(rules["boilerplate_words"])), example
    for example in rules["metadata"]["examples"]:
        label = html_reader._squeeze(example).rstrip("：:")
        assert label in rules["metadata"]["labels"], example


def test_pdf_paragraphs_wrapped_by_the_page_and_a_two_line_title_are_joined() -> None:
    from policykg.graph.readers.pdf import _Line, _paragraphs

    def line(text: str, x0: float, x1: float, top: float, size: float = 16.0) -> _Line:
        return _Line(text, x0, x1, top, top + size * 1.1, size, 1)

    lines = [line("洛阳市人民政府办公室关于印发洛阳市养老服务", 120, 480, 100, 22),
             line("提升行动实施方案的通知", 180, 420, 126, 22),
             line("洛政办〔2024〕12号", 230, 370, 170),
             line("一、主要任务", 50, 146, 210),
             line("（一）完善居家养老服务。到2025年，社区养老服务设施覆盖", 50, 549, 240),
             line("率达到90%以上。", 50, 178, 260),
             line("（二）提升医养结合水平。", 50, 242, 280)]
    assert [text for _, text in _paragraphs(lines, 50, 550)] == [
        "洛阳市人民政府办公室关于印发洛阳市养老服务提升行动实施方案的通知", "洛政办〔2024〕12号", "一、主要任务",
        "（一）完善居家养老服务。到2025年，社区养老服务设施覆盖率达到90%以上。", "（二）提升医养结合水平。"]
