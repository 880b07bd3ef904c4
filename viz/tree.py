"""The implementation tree: national items → the provincial tasks that carry them out → the municipal tasks that carry
those out, with lead units, link scores on hover and the measures each applying document has not taken up.

A plain HTML page (nested lists, no script), so it opens offline and reads like an outline.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from policykg.graph.store import GraphStore
from policykg.viz.graphs import query_text


@dataclass
class Node:
    iri: str
    number: str
    title: str
    doc_title: str
    lead: str = ""
    score: float | None = None
    method: str = ""
    children: list[Node] = field(default_factory=list)
    gaps: list[dict[str, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip()


@dataclass
class Tree:
    roots: list[tuple[str, list[Node]]]  # (top document's title, its items that something carries out)
    links: int

    @property
    def shown(self) -> int:
        """How many implementing tasks the page lists (a task listed under two items counts twice)."""
        def count(node: Node) -> int:
            return sum(1 + count(c) for c in node.children)

        return sum(count(n) for _, items in self.roots for n in items)


def implementation_tree(store: GraphStore, depth: int = 3) -> Tree:
    """Items of the documents nothing above them is implemented by, and under each its implementing tasks."""
    rows = store.select(query_text("implements")).records()
    below: dict[str, list[dict[str, str]]] = defaultdict(list)
    items: dict[str, dict[str, str]] = {}
    implementing_docs = set()
    for row in rows:
        below[row["item"]].append(row)
        items.setdefault(row["item"], row)
        implementing_docs.add(row["task_doc"])
    gaps: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in store.select(query_text("gap_items")).records():
        gaps[row["item"]].append(row)

    rank = {"national": 0, "provincial": 1, "municipal": 2, "county": 3}

    def grow(node: Node, level: int, seen: frozenset[str]) -> Node:
        if level < depth:  # provincial tasks first, then municipal and county ones, each in document order
            for row in sorted(below.get(node.iri, []), key=lambda r: (rank.get(r["task_level"] or "", 4),
                                                                      r["task_doc"], int(r["task_seq"]))):
                if row["task"] in seen:
                    continue
                child = Node(row["task"], row["task_number"], row["task_title"], row["task_doc_title"], row["lead"],
                             float(row["score"]), row["method"])
                node.children.append(grow(child, level + 1, seen | {row["task"]}))
        return node

    roots: dict[str, list[Node]] = defaultdict(list)
    order: dict[str, tuple[str, int]] = {}
    for iri, row in items.items():
        if row["item_doc"] in implementing_docs:
            continue  # a provincial task: it appears under the national item it carries out
        node = grow(Node(iri, row["item_number"], row["item_title"], row["item_doc_title"]), 1, frozenset({iri}))
        node.gaps = gaps.get(iri, [])
        roots[row["item_doc_title"]].append(node)
        order[iri] = (row["item_doc"], int(row["item_seq"]))
    for nodes in roots.values():
        nodes.sort(key=lambda n: order[n.iri])
    return Tree(sorted(roots.items()), len(rows))
