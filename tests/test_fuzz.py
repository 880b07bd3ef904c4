"""Fuzzing read → normalize → segment → outline → extract → resolve → emit → store (issue 13, item 3).

Texts are built from Chinese policy fragments (headings, responsibility notes, tables, targets), random Unicode and
every control and separator character that broke a build before. The search is seeded and bounded, so it is the same
on every run and takes a few seconds. For every example: no exception escapes, every file is either built or named
in exactly one error, and every evidence's `[oa:start, oa:end)` of the normalized text equals its `oa:exact` quote.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policykg.build import Pipeline, assemble, nquads, read_corpus
from policykg.graph.emit import DEFAULT_BASE
from policykg.graph.read import list_sources
from policykg.graph.store import EmbeddedStore, write_store

FRAGMENTS = [
    "一、加强工作。（责任单位：省民政厅、省财政局）",
    "1.新增床位3万张，到2025年达到90%。（牵头单位：市卫健委；配合单位：市财政局）",
    "序号 | 任务 | 牵头单位 | 配合单位 |",
    "1 | 完善养老服务体系 | 省民政厅 | 省财政厅、省卫生健康委 |",
    "（一）健全工作机制。",
    "二、保障措施",
    "（二）强化资金保障。省财政厅负责统筹资金，省发展改革委配合。",
    "关于推进基本养老服务体系建设的实施方案",
    "黔府办发〔2023〕21号",
    "各市（州）、县（市、区）人民政府，省政府各部门：",
    "到2025年底，特殊困难老年人月探访率达到100%，护理型床位占比不低于60%。",
    "一是加强组织领导。二是压实工作责任。",
    "（1）落实探访关爱制度。（责任单位：各县级民政部门）",
    "贵州省人民政府办公厅",
    "2023年5月10日",
    "本报讯（记者 张三）近日，省民政厅印发《实施方案》。",
    "责任单位：",
    "（牵头单位：",
    "（牵头单位：省民政厅；配合单位：省民政厅、省民政厅）",
]
#: every C0 and C1 control, DEL, the Unicode line and paragraph separators, the BOM and a non-character
SPECIAL = "".join(map(chr, range(0x20))) + "\x7f" + "".join(map(chr, range(0x80, 0xA0))) + "\u2028\u2029\ufeff\ufffe"
SEPARATORS = ["\n", "\r\n", "\r", "\n\n", "\u3000\u3000\n", "\u2028", "\x0c", "\x85", ""]

specials = st.text(st.sampled_from(SPECIAL), min_size=1, max_size=3)
fragment = st.sampled_from(FRAGMENTS)
spiked = st.builds(lambda text, at, inserted: text[: at % (len(text) + 1)] + inserted + text[at % (len(text) + 1):],
                   fragment, st.integers(0, 60), specials)
piece = st.one_of(fragment, fragment, spiked, specials, st.text(st.characters(codec="utf-8"), max_size=20))
line = st.lists(piece, min_size=1, max_size=4).map("".join)
document = st.lists(st.tuples(line, st.sampled_from(SEPARATORS)), min_size=1, max_size=10).map(
    lambda parts: "".join(text + sep for text, sep in parts))
corpus_texts = st.lists(document, min_size=1, max_size=3)

EVIDENCE = """
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?ev ?file ?start ?end ?exact WHERE {
  ?ev oa:hasSource/dcterms:identifier ?file ;
      oa:hasSelector ?position, ?quote .
  ?position oa:start ?start ; oa:end ?end .
  ?quote oa:exact ?exact .
}"""

PIPELINE = Pipeline.load()


def build_texts(texts: list[str], folder: Path) -> None:
    corpus_dir = folder / "corpus"
    corpus_dir.mkdir()
    names = []
    for n, text in enumerate(texts):
        name = f"{n:02d}_fuzz.txt"
        (corpus_dir / name).write_bytes(text.encode("utf-8"))
        names.append(name)
    corpus = read_corpus(list_sources(corpus_dir), PIPELINE)
    dataset = assemble(corpus, PIPELINE, DEFAULT_BASE)
    write_store(folder / "store", nquads(dataset))

    built = {source.file_name for source, _ in corpus.sources}
    failed = [issue.file_name for issue in corpus.issues if issue.severity == "error"]
    for name in names:
        assert (name in built) != (name in failed), (name, [str(i) for i in corpus.issues])
        assert failed.count(name) <= 1
    texts_by_file = {source.file_name: source.text for source, _ in corpus.sources}
    store = EmbeddedStore(folder / "store")
    try:
        rows = store.select(EVIDENCE).rows
    finally:
        store.close()
    for evidence, file_name, start, end, exact in rows:
        assert file_name in texts_by_file, evidence
        assert texts_by_file[file_name][int(start or 0) : int(end or 0)] == exact, evidence


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(corpus_texts)
def test_any_text_builds_or_is_named_and_quotes_match_offsets(texts: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="policykg-fuzz-") as folder:
        build_texts(texts, Path(folder))


def test_fuzz_fragments_do_build_tasks() -> None:
    """The fragments are not noise: together they give tasks with units and evidence (so the fuzz test checks
    real quotes, not only empty documents)."""
    with tempfile.TemporaryDirectory(prefix="policykg-fuzz-") as folder:
        corpus_dir = Path(folder) / "corpus"
        corpus_dir.mkdir()
        (corpus_dir / "all.txt").write_text("\n".join(FRAGMENTS) + "\n", "utf-8")
        corpus = read_corpus(list_sources(corpus_dir), PIPELINE)
        tasks = [t for d in corpus.documents for t in d.tasks]
        assert tasks and any(t.responsibilities for t in tasks)


def test_found_by_fuzzing_a_heading_numbered_twice() -> None:
    """Two "一、" headings gave one part IRI, so their evidence merged and quotes no longer matched offsets."""
    text = "一、加强工作。（责任单位：省民政厅、省财政局）\n一、加强工作。（责任单位：省民政厅、省财政局）\n"
    with tempfile.TemporaryDirectory(prefix="policykg-fuzz-") as folder:
        build_texts([text], Path(folder))
        store = EmbeddedStore(Path(folder) / "store")
        try:
            tasks = store.select("SELECT ?t WHERE { ?t a <https://w3id.org/policykg/ontology#Task> } ORDER BY ?t").rows
        finally:
            store.close()
    assert [t[0].rsplit("/", 1)[1] for t in tasks] == ["1", "1-2"]


def test_issue_reproducers_through_the_public_functions() -> None:
    """The inputs of issue 13 that stopped the whole corpus, through read_corpus → assemble → nquads → write_store."""
    with tempfile.TemporaryDirectory(prefix="policykg-fuzz-") as folder:
        build_texts(["一、加强\x0c工作。（责任单位：省民政厅）\n",
                     "一、加强工作。（责任单位：省民\x85政厅、市财\x9f政局）\n",
                     "一、加强\u2028工作\u2029。（责任单位：省民政厅\x1c\x1d\x1e）\x0b\n"], Path(folder))
