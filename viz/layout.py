"""Node positions, computed once in Python with networkx, so a page opens laid out (physics off) and readable.

Documents, sections, tasks and agencies stand in columns, left to right; the parts of a document in document
order, each on its own row, and every agency at the height of the tasks it serves (barycentre), rows kept far
enough apart that labels never overlap at scale 1. The lineage view stands in rows by level; the collaboration
view puts each community on a circle wide enough for its labels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import networkx as nx

COLUMN_OF = {"document": 0, "news": 0, "section": 1, "task": 2, "agency": 3, "collective": 3}
COLUMN_GAP = 300  # wider than the widest label (widthConstraint 240 px)
ROW_GAP = {0: 70, 1: 50, 2: 50, 3: 60}  # a box label takes two lines; a dot or diamond has its label below it
LEVEL_GAP = 190
LEVEL_SPACING = 280
LEVEL_WIDTH = 5
LEVEL_LINE = 80
LABEL_ROOM = 250  # the width a label needs on a circle

Position = tuple[float, float]


def _spread(wanted: Mapping[str, float], gap: float) -> dict[str, float]:
    """Keep the wanted order of the nodes, but at least `gap` apart (each moved down only as far as needed)."""
    placed: dict[str, float] = {}
    last = None
    for node in sorted(wanted, key=lambda n: (wanted[n], n)):
        y = wanted[node] if last is None else max(wanted[node], last + gap)
        placed[node] = y
        last = y
    return placed


def columns(graph: nx.DiGraph, order: Iterable[str]) -> dict[str, Position]:
    """Column layout: `order` gives documents and parts in document order; agencies follow their tasks."""
    rows: dict[str, float] = {}
    row = 0.0
    kinds = nx.get_node_attributes(graph, "kind")
    for node in order:
        if node in graph and COLUMN_OF.get(kinds.get(node, ""), 3) in (1, 2):
            rows[node] = row
            row += ROW_GAP[2]
    wanted: dict[int, dict[str, float]] = {0: {}, 1: {}, 2: {}, 3: {}}
    sequence = {node: i for i, node in enumerate(order)}
    for node, kind in sorted(kinds.items()):
        column = COLUMN_OF.get(kind, 3)
        if column in (1, 2):
            wanted[column][node] = rows.get(node, row)
            continue
        near = [rows[n] for n in nx.all_neighbors(graph, node) if n in rows] if column == 3 else []
        if column == 0:
            parts = [rows[n] for n in nx.descendants(graph, node) if n in rows]
            near = [min(parts)] if parts else []
        wanted[column][node] = sum(near) / len(near) if near else row + sequence.get(node, 0)
    for node in wanted[3]:  # an agency with no task in the view (a summary) stands by its documents
        if not any(n in rows for n in nx.all_neighbors(graph, node)):
            docs = [wanted[0][n] for n in nx.all_neighbors(graph, node) if n in wanted[0]]
            wanted[3][node] = sum(docs) / len(docs) if docs else wanted[3][node]
    positions: dict[str, Position] = {}
    for column, nodes in wanted.items():
        gap = ROW_GAP[column] if column in (0, 3) else 1.0  # parts already have their own rows
        for node, y in _spread(nodes, gap).items():
            positions[node] = (column * COLUMN_GAP, y)
    return _used_columns(positions)


def _used_columns(positions: dict[str, Position]) -> dict[str, Position]:
    """Close the gap an empty column leaves (no sections in an overview)."""
    used = sorted({x for x, _ in positions.values()})
    shift = {x: i * COLUMN_GAP for i, x in enumerate(used)}
    return {n: (shift[x], y) for n, (x, y) in positions.items()}


def levels(graph: nx.DiGraph) -> dict[str, Position]:
    """Rows by level (national at the top), at most LEVEL_WIDTH documents side by side in label order, further
    ones on the next line of the same level, every line starting at the left."""
    by_row: dict[int, list[str]] = {}
    for node, attrs in graph.nodes(data=True):
        by_row.setdefault(int(attrs.get("row", 4)), []).append(node)
    positions: dict[str, Position] = {}
    y = 0.0
    for _, nodes in sorted(by_row.items()):
        ordered = sorted(nodes, key=lambda x: (graph.nodes[x].get("label", ""), x))
        for i, node in enumerate(ordered):
            if i and i % LEVEL_WIDTH == 0:
                y += LEVEL_LINE
            positions[node] = (float((i % LEVEL_WIDTH) * LEVEL_SPACING), y)
        y += LEVEL_GAP
    return positions


def communities(graph: nx.Graph) -> dict[str, Position]:
    """Each community on a circle of its own, wide enough that neighbouring labels never touch, circles side by
    side (largest first); members ordered by centrality, so the hubs stand together at the top."""
    groups: dict[int, list[str]] = {}
    for node, attrs in graph.nodes(data=True):
        groups.setdefault(int(attrs.get("community", -1)), []).append(node)
    positions: dict[str, Position] = {}
    left = 0.0
    for _, members in sorted(groups.items(), key=lambda kv: (kv[0] < 0, -len(kv[1]), kv[0])):
        ordered = sorted(members, key=lambda n: (-graph.nodes[n].get("centrality", 0.0), n))
        radius = max(LABEL_ROOM, len(ordered) * LABEL_ROOM / (2 * math.pi))
        for i, node in enumerate(ordered):
            angle = -math.pi / 2 + 2 * math.pi * i / len(ordered)
            x = left + radius + radius * math.cos(angle)
            positions[node] = (round(x, 1), round(radius * math.sin(angle), 1))
        left += 2 * radius + LABEL_ROOM
    return positions
