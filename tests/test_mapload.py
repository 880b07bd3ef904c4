"""Issue 12: `policykg extract` per file, then `policykg load`, gives the graph `policykg build` gives."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner
from conftest import CORPUS

from policykg.cli import cli


def test_extract_then_load_gives_the_same_kg_nq_as_build(built: Path, tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    files = sorted(CORPUS.glob("*.txt"))
    for path in files:  # one call per file, as a scheduler would map it
        done = CliRunner().invoke(cli, ["extract", str(path), "--out", str(parts)])
        assert done.exit_code == 0, done.output
    assert sorted(p.name for p in parts.glob("*.nq")) == [f"{p.stem}.nq" for p in files]
    one = ox.Store()
    one.load(path=str(parts / f"{files[3].stem}.nq"), format=ox.RdfFormat.N_QUADS)
    assert any(g.value.endswith(f"/graph/source/{files[3].stem}") for g in one.named_graphs())
    done = CliRunner().invoke(cli, ["load", str(parts), "--out", str(tmp_path / "out"), "--no-views"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "out" / "kg.nq").read_bytes() == (built / "kg.nq").read_bytes()


def test_load_refuses_an_empty_folder(tmp_path: Path) -> None:
    done = CliRunner().invoke(cli, ["load", str(tmp_path), "--out", str(tmp_path / "out")])
    assert done.exit_code == 2
    assert "policykg extract FILE" in " ".join(done.output.split())
