"""The build's on-disk store, made from the previous build's store when there is one.

Bulk-loading every quad again took 36–68 s of a rebuild at a thousand documents, for one changed file. The previous
store is checkpointed instead (RocksDB hard-links its immutable files: milliseconds, and the previous `out/store` is
left as it was for whoever reads it until the swap), and only what changed is applied: which graphs changed is told
by a digest of each graph's lines in kg.nq, kept beside the store with their place in that kg.nq
(`.store-graphs.json`); of a changed graph, the lines that differ between the previous kg.nq and the new one are
removed and added (graph/derived, 2.2 M of 5 M quads at a thousand documents, changes by a few thousand lines when
a task's text does; dropping and reloading it took 152 s, ≈7× a bulk load per quad). A graph with blank nodes (the
ontology: labels differ between loads) is reloaded whole. When the changed graphs hold more than `_MOST` of the
N-Quads, or if anything is off — no previous store, kg.nq or list, a store that cannot be opened, a quad count
other than kg.nq's —, the store is loaded afresh, as before.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from policykg.dumps import Written
from policykg.graph.store import write_store

DIGESTS = ".store-graphs.json"  # graph IRI → [sha256 of its kg.nq lines, their bytes, their offset in kg.nq]
_PIECE = 64 << 20  # bytes of N-Quads loaded at a time
_MOST = 0.5  # share of the N-Quads' bytes in changed graphs (or of a graph's lines) above which a fresh load is faster
_FEW = 10_000  # lines of a graph changed quad by quad in any case


def load_store(staging: Path, previous: Path, written: Written, most: float = _MOST) -> int:
    """`staging/store` holding the quads of `staging/kg.nq`; returns how many graphs were changed in it (all of
    them for a fresh store). `previous` is the last build's output folder."""
    digests = {graph: [digest, end - start, start] for graph, (start, end, digest) in sorted(written.graphs.items())}
    known = _digests(previous / DIGESTS)
    target = staging / "store"
    loaded = None
    total = sum(size for _, size, _ in digests.values())
    usable = known is not None and (previous / "store").is_dir() and (previous / "kg.nq").is_file()
    if usable and known is not None and _changed_bytes(known, digests) <= most * total:
        try:
            loaded = _update(previous, target, staging / "kg.nq", written, known)
        except (OSError, ValueError):  # no usable previous store: a fresh one
            shutil.rmtree(target, ignore_errors=True)
    if loaded is None:
        write_store(target, staging / "kg.nq")
        loaded = len(digests)
    (staging / DIGESTS).write_text(json.dumps(digests, ensure_ascii=False, indent=0) + "\n", "utf-8")
    return loaded


def _changed_bytes(known: dict[str, list[Any]], digests: dict[str, list[Any]]) -> int:
    """Bytes of N-Quads in graphs changed, gone or new (old and new sizes)."""
    gone = sum(entry[1] for graph, entry in known.items() if digests.get(graph, [None])[0] != entry[0])
    return gone + sum(entry[1] for graph, entry in digests.items() if known.get(graph, [None])[0] != entry[0])


def _update(previous: Path, target: Path, nquads: Path, written: Written, known: dict[str, list[Any]]) -> int:
    ox.Store.read_only(str(previous / "store")).backup(str(target))
    store = ox.Store(str(target))
    changed = 0
    for graph in sorted(set(known) - set(written.graphs)):
        store.remove_graph(ox.NamedNode(graph))
    with nquads.open("rb") as new, (previous / "kg.nq").open("rb") as old:
        for graph, (start, end, digest) in sorted(written.graphs.items()):
            before = known.get(graph)
            if before is not None and before[0] == digest:
                continue
            changed += 1
            if before is not None and _apply_difference(store, old, (before[2], before[2] + before[1]), new,
                                                        (start, end)):
                continue
            if before is not None:
                store.remove_graph(ox.NamedNode(graph))
            for lines in _pieces(new, start, end):
                store.bulk_load(lines, ox.RdfFormat.N_QUADS)
    store.flush()
    if len(store) != written.quads:
        raise ValueError(f"store holds {len(store)} quads, kg.nq {written.quads}")
    del store
    return changed


def _apply_difference(store: ox.Store, old: IO[bytes], was: tuple[int, int], new: IO[bytes],
                      now: tuple[int, int]) -> bool:
    """Remove the lines of the old span that the new one lacks and add those it gained; False (and nothing done)
    for a graph with blank nodes; ValueError when most of its lines changed (quad by quad, that would be slower
    than a fresh load). Lines are compared by MD5 digest (identity, not security: 16 bytes a line)."""
    before: set[bytes] = set()
    for line in _lines(old, *was):
        if b"_:" in line:
            return False
        before.add(hashlib.md5(line).digest())
    after: set[bytes] = set()
    added: list[bytes] = []
    for line in _lines(new, *now):
        if b"_:" in line:
            return False
        key = hashlib.md5(line).digest()
        after.add(key)
        if key not in before:
            added.append(line)
    removed = [line for line in _lines(old, *was) if hashlib.md5(line).digest() not in after]
    if len(added) + len(removed) > max(_FEW, _MOST * max(len(before), len(after))):
        raise ValueError("most of a graph changed: a fresh load is faster")
    for quad in ox.parse(b"".join(removed), format=ox.RdfFormat.N_QUADS):
        store.remove(quad)
    store.extend(ox.parse(b"".join(added), format=ox.RdfFormat.N_QUADS))
    return True


def _lines(file: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    for piece in _pieces(file, start, end):
        yield from piece.splitlines(keepends=True)


def _pieces(file: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    """The bytes from `start` to `end` in pieces of whole lines."""
    file.seek(start)
    while start < end:
        lines = file.read(min(_PIECE, end - start))
        if file.tell() < end:
            lines += file.readline()
        start += len(lines)
        yield lines


def _digests(path: Path) -> dict[str, list[Any]] | None:
    try:
        found = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or not all(
            isinstance(v, list) and len(v) == 3 and isinstance(v[0], str) and all(isinstance(n, int) for n in v[1:])
            for v in found.values()):
        return None
    return found
