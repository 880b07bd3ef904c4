"""Per-graph results (SHACL reports, JSON-LD bodies, HermiT's check of the ontology) cached by the content of the
graph, so a rebuild redoes only the graphs that changed.

SHACL costs ≈30 ms per source graph (≈0.5 s with pyshacl), the JSON-LD converter ≈40 ms and HermiT's check of the
ontology alone ≈4 s of Java; their answers depend only on the triples
(with the context they were checked in), the shapes, the ontology and the library versions, so all of those go into
the key. The cache is a
folder of pickled results next to the output folder, never inside it (the staging-and-swap of `out/` leaves it
alone); a damaged entry is simply checked again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any

from rdflib.term import Node


def _salt() -> bytes:
    parts = [files("policykg.ontology").joinpath(name).read_bytes() for name in ("policykg.ttl", "codes.ttl",
                                                                               "shapes.ttl")]
    parts.extend(metadata.version(name).encode() for name in ("pyshacl", "pyshacl-turbo", "rdflib", "owlready2"))
    return hashlib.sha256(b"\0".join(parts)).digest()


class GraphCache:
    """Results per graph content, in `folder` (created on first write)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._salt = _salt()
        self.hits = self.misses = 0

    def key(self, triples: Iterable[tuple[Node, Node, Node]]) -> str:
        digest = hashlib.sha256(self._salt)
        for line in sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in triples):
            digest.update(line.encode("utf-8", "surrogatepass"))
            digest.update(b"\n")
        return digest.hexdigest()

    def get(self, triples: Iterable[tuple[Node, Node, Node]] | str) -> Any | None:
        path = self.folder / f"{triples if isinstance(triples, str) else self.key(triples)}.pickle"
        try:
            result = pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, triples: Iterable[tuple[Node, Node, Node]] | str, value: Any) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{triples if isinstance(triples, str) else self.key(triples)}.pickle"
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(pickle.dumps(value))
        os.replace(tmp, path)
