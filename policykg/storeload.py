"""The build's on-disk store, made from the previous build's store when there is one.

Bulk-loading every quad again took 36–68 s of a rebuild at a thousand documents, for one changed file. The previous
store is checkpointed instead (RocksDB hard-links its immutable files: milliseconds, and the previous `out/store` is
left as it was for whoever reads it until the swap), and only what changed is applied: which graphs changed is told
by a digest of each graph's lines in kg.nq, kept beside the store with their place in that kg.nq
(`.store-graphs.json`); of a changed graph, the lines that differ between the previous kg.nq and the new one are
removed and added (graph/derived, 2.2 M of 5 M quads at a thousand documents, changes by a few thousand lines when
a task's text does; dropping and reloading it took 152 s, ≈7× a bulk load per quad). A graph with blank nodes (the
ontology: labels differ between loads) is reloaded whole. When more than `_MOST` of kg.nq's lines or half of its
graphs changed (a new policykg version changes every graph), or if anything is off — no previous store, kg.nq or
list, a store that cannot be opened, a quad count other than kg.nq's —, the store is loaded afresh, as before.
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
_MOST = 0.1  # share of kg.nq's lines changed quad by quad (≈7× a bulk load's cost each) above which a fresh load wins


def load_store(staging: Path, previous: Path, written: Written, most: float = _MOST) -> int:
    """`staging/store` holding the quads of `staging/kg.nq`; returns how many graphs were changed in it (all of
    them for a fresh store). `previous` is the last build's output folder; `most` is the share of kg.nq's lines
    that may be changed quad by quad (beyond it, or when most graphs changed, a fresh load is faster)."""
    digests = {graph: [digest, end - start, start] for graph, (start, end, digest) in sorted(written.graphs.items())}
    known = _digests(previous / DIGESTS)
    target = staging / "store"
    loaded = None
    if known is not None and (previous / "store").is_dir() and (previous / "kg.nq").is_file():
        changed = [g for g, entry in digests.items() if known.get(g, [None])[0] != entry[0]]
        gone = sorted(set(known) - set(digests))
        try:
            if len(changed) + len(gone) <= len(digests) / 2:
                plan = _plan(previous / "kg.nq", staging / "kg.nq", changed, known, written, most * written.quads)
                loaded = _apply(previous / "store", target, staging / "kg.nq", plan, gone, written)
        except (OSError, ValueError):  # no usable previous store, or too much changed: a fresh one
            shutil.rmtree(target, ignore_errors=True)
            loaded = None
    if loaded is None:
        write_store(target, staging / "kg.nq")
        loaded = len(digests)
    (staging / DIGESTS).write_text(json.dumps(digests, ensure_ascii=False, indent=0) + "\n", "utf-8")
    return loaded


Plan = list[tuple[str, tuple[list[bytes], list[bytes]] | None]]  # graph → (lines removed, lines added), or reload


def _plan(old_nquads: Path, new_nquads: Path, changed: list[str], known: dict[str, list[Any]], written: Written,
          budget: float) -> Plan:
    """What to do to each changed graph; ValueError when more than `budget` lines would change one by one."""
    plan: Plan = []
    spent = 0
    with new_nquads.open("rb") as new, old_nquads.open("rb") as old:
        for graph in changed:
            start, end, _ = written.graphs[graph]
            before = known.get(graph)
            difference = None if before is None else _difference(old, (before[2], before[2] + before[1]), new,
                                                                  (start, end))
            spent += sum(map(len, difference)) if difference is not None else 0
            if spent > budget:
                raise ValueError("too many lines changed: a fresh load is faster")
            plan.append((graph, difference))
    return plan


def _apply(previous: Path, target: Path, nquads: Path, plan: Plan, gone: list[str], written: Written) -> int:
    ox.Store.read_only(str(previous)).backup(str(target))
    store = ox.Store(str(target))
    try:
        for graph in gone:
            store.remove_graph(ox.NamedNode(graph))
        with nquads.open("rb") as new:
            for graph, difference in plan:
                if difference is not None:
                    removed, added = difference
                    for quad in ox.parse(b"".join(removed), format=ox.RdfFormat.N_QUADS):
                        store.remove(quad)
                    store.extend(ox.parse(b"".join(added), format=ox.RdfFormat.N_QUADS))
                    continue
                store.remove_graph(ox.NamedNode(graph))  # new, or with blank nodes: loaded whole
                start, end, _ = written.graphs[graph]
                for lines in _pieces(new, start, end):
                    store.bulk_load(lines, ox.RdfFormat.N_QUADS)
        store.flush()
        if len(store) != written.quads:
            raise ValueError(f"store holds {len(store)} quads, kg.nq {written.quads}")
    finally:
        del store  # closed before the caller removes its folder (a traceback would keep it open otherwise)
    return len(plan)


def _difference(old: IO[bytes], was: tuple[int, int], new: IO[bytes],
                now: tuple[int, int]) -> tuple[list[bytes], list[bytes]] | None:
    """The lines of the old span that the new one lacks, and those it gained; None for a graph with blank nodes
    (their labels differ between loads). Lines are compared by MD5 digest (identity, not security: 16 bytes a
    line)."""
    before: set[bytes] = set()
    for line in _lines(old, *was):
        if b"_:" in line:
            return None
        before.add(hashlib.md5(line).digest())
    after: set[bytes] = set()
    added: list[bytes] = []
    for line in _lines(new, *now):
        if b"_:" in line:
            return None
        key = hashlib.md5(line).digest()
        after.add(key)
        if key not in before:
            added.append(line)
    return [line for line in _lines(old, *was) if hashlib.md5(line).digest() not in after], added


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
