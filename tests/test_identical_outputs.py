"""Two builds of the same corpus give byte-identical outputs, the ontology documentation included (issue 13, item 8):
pyLODE's page used to change from run to run (its order followed the string hash seed and memory addresses)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import CORPUS

from policykg.docs import write_docs


def files(out: Path) -> dict[str, bytes]:
    """Every output file but the store (RocksDB's own files are not a published format)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and "store" not in p.relative_to(out).parts}


def write_docs_with_seed(folder: Path, seed: str) -> dict[str, bytes]:
    subprocess.run([sys.executable, "-c", f"from pathlib import Path; from policykg.docs import write_docs; "
                    f"write_docs(Path({str(folder)!r}))"], check=True, env={**os.environ, "PYTHONHASHSEED": seed})
    return files(folder)


def test_ontology_docs_are_byte_identical_whatever_the_hash_seed(tmp_path: Path) -> None:
    first = write_docs_with_seed(tmp_path / "a", "1")
    assert first == write_docs_with_seed(tmp_path / "b", "2")
    write_docs(tmp_path / "c")
    assert files(tmp_path / "c") == first
    assert b"<html" in first["index.html"][:2000].lower()


def test_every_output_is_byte_identical_across_processes(built: Path, tmp_path: Path) -> None:
    """The session build against a build in another process with another hash seed."""
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-c", "from policykg.cli import main; main()", "build", "--corpus", str(CORPUS),
                    "--out", str(out)], check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "4242"})
    ours, theirs = files(built), files(out)
    assert sorted(ours) == sorted(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []
    assert "docs/index.html" in ours and "tasks.csv" in ours and "viz/index.html" in ours
