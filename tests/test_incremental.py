"""Issue 12: the per-file stages cached and run in parallel give the same outputs as a plain build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
from conftest import CORPUS
from test_identical_outputs import files

from policykg.build import run_build
from policykg.dumps import Written, dump_graph, jsonld_graph, write_dumps
from policykg.storeload import DIGESTS, load_store


def test_rebuild_after_one_file_changed_equals_a_fresh_build(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    out = tmp_path / "out"
    first = run_build(corpus, out, views=False)
    assert not first.errors
    assert first.sources_made == len(list(CORPUS.glob("*.txt")))
    said: list[str] = []
    unchanged = run_build(corpus, out, views=False, progress=lambda name, *_: said.append(name))
    assert unchanged.sources_made == 0  # nothing changed: every source graph cached
    assert "reasoning (HermiT): the ontology is unchanged since it was checked" in said
    cache = tmp_path / ".out.cache"
    assert len(list((cache / "extract").glob("*.pickle"))) == len(list(CORPUS.glob("*.txt")))
    changed = corpus / "003_e7c24733253165cd.txt"
    changed.write_text(changed.read_text("utf-8").replace("市红十字会、", ""), "utf-8")
    again = run_build(corpus, out, views=False)
    assert len(list((cache / "extract").glob("*.pickle"))) == len(list(CORPUS.glob("*.txt"))) + 1
    assert again.sources_made == 1  # the changed file's own graph; every source's links are made again
    assert store_quads(out) == nquads_lines(out)
    sources = len(list(CORPUS.glob("*.txt")))  # each: its own part and its links, entries of the last build only
    assert len(list((cache / "source").glob("own-*.pickle"))) == len(list((cache / "source").glob("*.pickle"))) / 2
    assert len(list((cache / "source").glob("*.pickle"))) == 2 * sources
    fresh = tmp_path / "fresh"
    run_build(corpus, fresh, views=False, cache_dir=tmp_path / "no-cache")
    incremental, plain = files(out), files(fresh)
    assert sorted(incremental) == sorted(plain)
    assert [name for name in plain if plain[name] != incremental[name]] == []


def store_quads(out: Path) -> tuple[int, set[str]]:
    """How many quads the store holds, and those without blank nodes (a store labels the ontology's afresh)."""
    lines = ox.serialize(ox.Store.read_only(str(out / "store")), format=ox.RdfFormat.N_QUADS).decode().splitlines()
    return len(lines), {line for line in lines if "_:" not in line}


def nquads_lines(out: Path) -> tuple[int, set[str]]:
    lines = (out / "kg.nq").read_text("utf-8").splitlines()
    return len(lines), {line for line in lines if "_:" not in line}


def test_a_previous_store_that_does_not_hold_its_list_is_not_reused(tmp_path: Path) -> None:
    """The store is reused only when it holds what its digest list says: a quad added to it behind the build's back
    (or a missing list) makes the next build load every graph afresh."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    out = tmp_path / "out"
    first = run_build(corpus, out, views=False)
    assert run_build(corpus, out, views=False).graphs_loaded == 0  # nothing changed: the previous store as it was
    store = ox.Store(str(out / "store"))
    graph = ox.NamedNode(next(iter(json.loads((out / DIGESTS).read_text("utf-8")))))
    store.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:y"), ox.Literal("stray"), graph))
    store.flush()
    del store
    assert run_build(corpus, out, views=False).graphs_loaded == first.graphs_loaded
    assert store_quads(out) == nquads_lines(out)
    (out / DIGESTS).unlink()
    assert run_build(corpus, out, views=False).graphs_loaded == first.graphs_loaded
    assert (out / DIGESTS).is_file() and store_quads(out) == nquads_lines(out)


def test_jobs_give_the_same_outputs(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_build(CORPUS, out, jobs=2, cache_dir=tmp_path / "cache")
    ours, theirs = files(built), files(out)
    assert [name for name in ours if ours.get(name) != theirs.get(name)] == []
    assert sorted(ours) == sorted(theirs)


def test_cache_entries_of_another_kind_are_made_again(built: Path, tmp_path: Path) -> None:
    """An entry that holds something else than this policykg writes (an older version's JSON-LD nodes list, a torn
    write) is ignored: the build makes it again and gives the same outputs."""
    import pickle

    out, cache = tmp_path / "out", tmp_path / "cache"
    run_build(CORPUS, out, views=False, cache_dir=cache)
    entries = [p for folder in ("jsonld-text", "source") for p in (cache / folder).glob("*.pickle")]
    assert entries
    for entry in entries:
        entry.write_bytes(pickle.dumps([{"@id": "stale"}]))
    again = run_build(CORPUS, out, views=False, cache_dir=cache)
    assert not again.errors
    assert again.sources_made == len(list(CORPUS.glob("*.txt")))
    ours, theirs = files(built), files(out)
    assert [name for name in ours if not name.startswith("viz/") and ours.get(name) != theirs.get(name)] == []


def _written(folder: Path, values: dict[int, str]) -> Written:
    """kg.nq (and the other dumps) of one named graph per key, each holding one quad with its value."""
    folder.mkdir()
    pieces = []
    for key, value in sorted(values.items()):
        graph = f"https://example.org/graph/{key:03d}"
        subject = ox.BlankNode("b") if value.startswith("_") else ox.NamedNode("https://example.org/s")
        quad = ox.Quad(subject, ox.NamedNode("https://example.org/p"), ox.Literal(value), ox.NamedNode(graph))
        pieces.append(dump_graph(graph, [quad], {}, jsonld_graph(graph, [])))
    return write_dumps(folder, pieces, {})


def test_the_store_changes_only_the_graphs_that_changed(tmp_path: Path) -> None:
    values = {**{key: f"v{key}" for key in range(39)}, 39: "_blank"}
    first = tmp_path / "first"
    assert load_store(first, tmp_path / "none", _written(first, values)) == 40  # no previous build: all of them
    # 9 gone, 7 changed (its differing lines replaced), 39 changed (with a blank node: reloaded whole), 40 new
    changed = {**{k: v for k, v in values.items() if k != 9}, 7: "changed", 39: "_changed", 40: "new"}
    second = tmp_path / "second"
    assert load_store(second, first, _written(second, changed), most=0.2) == 3
    assert store_quads(second) == nquads_lines(second)
    assert store_quads(first) == nquads_lines(first)  # the previous store is left as it was
    third = tmp_path / "third"  # more of the N-Quads changed than `most` allows: loaded afresh
    assert load_store(third, second, _written(third, {**changed, 1: "again"}), most=0.0) == 40
    assert store_quads(third) == nquads_lines(third)


def test_the_extract_cache_key_covers_every_package_reading_a_file_imports() -> None:
    """A change to any module the per-file stages run (the readers of each format too) must make files read again."""
    import subprocess
    import sys

    from policykg.perfile import PIPELINE_PACKAGES

    probe = ("import sys, policykg.perfile, policykg.document, policykg.graph.read as r\n"
             "from policykg.build import Pipeline\n"
             "Pipeline.load()\n"
             "print('\\n'.join(sorted({m.rpartition('.')[0] if not hasattr(mod, '__path__') else m\n"
             "                         for m, mod in sys.modules.items() if m.startswith('policykg.')})))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert "policykg.graph.readers" in loaded
    assert set(loaded) <= {*PIPELINE_PACKAGES, "policykg.queries"}, set(loaded) - set(PIPELINE_PACKAGES)
