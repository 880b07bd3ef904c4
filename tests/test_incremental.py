"""Issue 12: the per-file stages cached and run in parallel give the same outputs as a plain build."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import CORPUS
from test_identical_outputs import files

from policykg.build import run_build


def test_rebuild_after_one_file_changed_equals_a_fresh_build(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    out = tmp_path / "out"
    first = run_build(corpus, out, views=False)
    assert not first.errors
    assert first.sources_made == len(list(CORPUS.glob("*.txt")))
    assert run_build(corpus, out, views=False).sources_made == 0  # nothing changed: every source graph cached
    cache = tmp_path / ".out.cache"
    assert len(list((cache / "extract").glob("*.pickle"))) == len(list(CORPUS.glob("*.txt")))
    changed = corpus / "003_e7c24733253165cd.txt"
    changed.write_text(changed.read_text("utf-8").replace("市红十字会、", ""), "utf-8")
    again = run_build(corpus, out, views=False)
    assert len(list((cache / "extract").glob("*.pickle"))) == len(list(CORPUS.glob("*.txt"))) + 1
    assert 1 <= again.sources_made < first.sources_made  # the changed file and those whose links to it changed
    fresh = tmp_path / "fresh"
    run_build(corpus, fresh, views=False, cache_dir=tmp_path / "no-cache")
    incremental, plain = files(out), files(fresh)
    assert sorted(incremental) == sorted(plain)
    assert [name for name in plain if plain[name] != incremental[name]] == []


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
