"""`policykg extract` and `policykg load`: the per-file work as a step an outside engine can map over many files.

`extract FILE… --out DIR` runs the per-file stages (`policykg.perfile.extract_file`) on each file and writes two
things per file into DIR:

- `{file}.nq`: N-Quads of that file alone — its source graph plus the agencies and places it names, as a one-file
  build would give them; ready to load into any SPARQL 1.1 store (`policykg push` takes a build folder);
- `{file}.result`: what `load` needs to redo the cross-document steps (a pickle of the file's result; it is read
  back only by the same policykg version, which `load` checks).

`load DIR --out OUT` reads every `.result` in name order (the order a build reads a corpus in), runs the
cross-document steps (links between documents, the merged agency registry, task links, gaps) and writes the same
outputs as `build` — the same `kg.nq` byte for byte (tests/test_mapload.py). So a batch scheduler, Spark, Dask or Ray
can map `extract` over millions of files on many machines, and one `load` assembles the graph.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from policykg.graph.model import BuildIssue
from policykg.perfile import FileResult, extract_file, pipeline_digest

SUFFIX = ".result"


def extract_to(paths: list[Path], out: Path, *, max_file_size: int, base: str) -> list[BuildIssue]:
    """Write `{name}.nq` and `{name}.result` for each path into `out`; returns the files' issues."""
    from policykg.build import Pipeline, assemble, corpus_of, nquads

    pipeline = Pipeline.load()
    digest = pipeline_digest()
    out.mkdir(parents=True, exist_ok=True)
    issues: list[BuildIssue] = []
    for path in paths:
        result = extract_file(path, pipeline, max_file_size)
        issues.extend(result.issues)
        _write(out / f"{path.name}{SUFFIX}", pickle.dumps((digest, result), protocol=pickle.HIGHEST_PROTOCOL))
        if result.source is not None:
            alone = corpus_of([pickle.loads(pickle.dumps(result))], pipeline)  # a copy: linking changes documents
            _write(out / f"{path.stem}.nq", nquads(assemble(alone, pipeline, base)))
    return issues


def load_results(folder: Path) -> list[FileResult]:
    """The `.result` files of `folder` in name order; ValueError when one was made by another policykg."""
    digest = pipeline_digest()
    results = []
    for entry in sorted(folder.glob(f"*{SUFFIX}")):
        made_by, result = pickle.loads(entry.read_bytes())
        if made_by != digest:
            raise ValueError(f"{entry.name} was written by another policykg version; run `policykg extract` again")
        results.append(result)
    if not results:
        raise ValueError(f"no *{SUFFIX} files in {folder}: run `policykg extract FILE… --out {folder}` first")
    return results


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
