"""The build's on-disk store, made from the previous build's store when there is one.

Bulk-loading every quad again took 36 s of a 150 s rebuild at a thousand documents, for one changed file. The
previous store is checkpointed instead (RocksDB hard-links its immutable files: milliseconds, and the previous
`out/store` is left as it was for whoever reads it until the swap), and only the graphs whose N-Quads changed are
replaced, read from the new `kg.nq` at the offsets `write_dumps` noted. Which graphs changed is told by a digest of
each graph's lines, kept beside the store (`.store-graphs.json`). If anything is off — no previous store or list, a
store that cannot be opened, a quad count other than kg.nq's — the store is loaded afresh, as before.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox

from policykg.dumps import Written
from policykg.graph.store import write_store

DIGESTS = ".store-graphs.json"  # graph IRI → sha256 of its kg.nq lines, of the store beside it
_PIECE = 64 << 20  # bytes of N-Quads loaded at a time


def load_store(staging: Path, previous: Path, written: Written) -> int:
    """`staging/store` holding the quads of `staging/kg.nq`; returns how many graphs were loaded into it (all of
    them for a fresh store). `previous` is the last build's output folder."""
    digests = {graph: digest for graph, (_, _, digest) in sorted(written.graphs.items())}
    known = _digests(previous / DIGESTS)
    target = staging / "store"
    changed = len(digests)
    if known is not None and (previous / "store").is_dir():
        try:
            changed = _update(previous / "store", target, staging / "kg.nq", written, known)
        except (OSError, ValueError):  # no usable previous store: a fresh one
            shutil.rmtree(target, ignore_errors=True)
            changed = len(digests)
    if changed == len(digests) or not target.is_dir():
        shutil.rmtree(target, ignore_errors=True)
        write_store(target, staging / "kg.nq")
    (staging / DIGESTS).write_text(json.dumps(digests, ensure_ascii=False, indent=0) + "\n", "utf-8")
    return changed


def _update(previous: Path, target: Path, nquads: Path, written: Written, known: dict[str, str]) -> int:
    ox.Store.read_only(str(previous)).backup(str(target))
    store = ox.Store(str(target))
    changed = 0
    for graph in sorted(set(known) - set(written.graphs)):
        store.remove_graph(ox.NamedNode(graph))
    with nquads.open("rb") as file:
        for graph, (start, end, digest) in sorted(written.graphs.items()):
            if known.get(graph) == digest:
                continue
            changed += 1
            if graph in known:
                store.remove_graph(ox.NamedNode(graph))
            file.seek(start)
            while start < end:  # in pieces of whole lines
                lines = file.read(min(_PIECE, end - start))
                if file.tell() < end:
                    lines += file.readline()
                start += len(lines)
                store.bulk_load(lines, ox.RdfFormat.N_QUADS)
    store.flush()
    if len(store) != written.quads:
        raise ValueError(f"store holds {len(store)} quads, kg.nq {written.quads}")
    del store
    return changed


def _digests(path: Path) -> dict[str, str] | None:
    try:
        found = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None
