"""The build's on-disk store, made from the previous build's store when there is one.

Bulk-loading every quad again took 36 s of a 150 s rebuild at a thousand documents, for one changed file. The
previous store is checkpointed instead (RocksDB hard-links its immutable files: milliseconds, and the previous
`out/store` is left as it was for whoever reads it until the swap), and only the graphs whose N-Quads changed are
replaced, read from the new `kg.nq` at the offsets `write_dumps` noted. Which graphs changed is told by a digest of
each graph's lines, kept beside the store with their size (`.store-graphs.json`). Removing a graph's quads from
RocksDB and loading its new ones costs about seven times a fresh bulk load per quad (graph/derived, 2.2 M of 5 M
quads at a thousand documents: 152 s, against 54 s for the whole store), so when the changed graphs hold more than
`_MOST` of the N-Quads, or if anything is off — no previous store or list, a store that cannot be opened, a quad
count other than kg.nq's —, the store is loaded afresh, as before.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policykg.dumps import Written
from policykg.graph.store import write_store

DIGESTS = ".store-graphs.json"  # graph IRI → [sha256 of its kg.nq lines, their bytes], of the store beside it
_PIECE = 64 << 20  # bytes of N-Quads loaded at a time
_MOST = 0.05  # share of the N-Quads' bytes (removed and loaded) above which a fresh load is faster


def load_store(staging: Path, previous: Path, written: Written, most: float = _MOST) -> int:
    """`staging/store` holding the quads of `staging/kg.nq`; returns how many graphs were loaded into it (all of
    them for a fresh store). `previous` is the last build's output folder."""
    digests = {graph: [digest, end - start] for graph, (start, end, digest) in sorted(written.graphs.items())}
    known = _digests(previous / DIGESTS)
    target = staging / "store"
    loaded = None
    total = sum(size for _, size in digests.values())
    if known is not None and (previous / "store").is_dir() and _moved(known, digests) <= most * total:
        try:
            loaded = _update(previous / "store", target, staging / "kg.nq", written, known)
        except (OSError, ValueError):  # no usable previous store: a fresh one
            shutil.rmtree(target, ignore_errors=True)
    if loaded is None:
        write_store(target, staging / "kg.nq")
        loaded = len(digests)
    (staging / DIGESTS).write_text(json.dumps(digests, ensure_ascii=False, indent=0) + "\n", "utf-8")
    return loaded


def _moved(known: dict[str, list[Any]], digests: dict[str, list[Any]]) -> int:
    """Bytes of N-Quads to remove (graphs changed or gone) and to load (graphs new or changed)."""
    gone = sum(size for graph, (digest, size) in known.items() if digests.get(graph, [None])[0] != digest)
    return gone + sum(size for graph, (digest, size) in digests.items() if known.get(graph, [None])[0] != digest)


def _update(previous: Path, target: Path, nquads: Path, written: Written, known: dict[str, list[Any]]) -> int:
    ox.Store.read_only(str(previous)).backup(str(target))
    store = ox.Store(str(target))
    changed = 0
    for graph in sorted(set(known) - set(written.graphs)):
        store.remove_graph(ox.NamedNode(graph))
    with nquads.open("rb") as file:
        for graph, (start, end, digest) in sorted(written.graphs.items()):
            if known.get(graph, [None])[0] == digest:
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


def _digests(path: Path) -> dict[str, list[Any]] | None:
    try:
        found = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or not all(
            isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and isinstance(v[1], int)
            for v in found.values()):
        return None
    return found
