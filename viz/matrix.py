"""Tables beside the networks: the 分工矩阵 of a document (tasks × agencies, ● 牵头 / ○ 配合, the quote on hover)
and the ranked table of the collaboration view. Plain HTML, no script; every text is escaped by Jinja."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from policykg.viz.graphs import BASIS_NAMES, GraphData, Part

MARKS = {"lead": "●", "co": "○"}


@dataclass
class MatrixRow:
    part: Part
    anchor: str
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # agent IRI → (mark, tooltip)


@dataclass
class Matrix:
    doc: str
    agents: list[tuple[str, str]]  # (IRI, name) in the order the document first names them
    rows: list[MatrixRow]

    @property
    def marks(self) -> int:
        return sum(len(r.cells) for r in self.rows)


def part_order(data: GraphData, doc: str) -> list[str]:
    """The parts of a document in document order (outline paths compared number by number)."""
    def key(iri: str) -> tuple[int, ...]:
        return tuple(int(x) if x.isdigit() else 0 for x in data.parts[iri].path.split("."))

    return sorted((iri for iri, p in data.parts.items() if p.doc == doc), key=lambda i: (key(i), i))


def anchor(part: Part) -> str:
    return "t-" + part.path.replace(".", "-")


def document_matrix(data: GraphData, doc: str, role_names: dict[str, str]) -> Matrix:
    """One row per section and task, one column per agency, in the order the text names them."""
    order = part_order(data, doc)
    by_task: dict[str, list] = {}
    for resp in data.responsibilities:
        by_task.setdefault(resp.task, []).append(resp)
    agents: dict[str, str] = {}
    rows: list[MatrixRow] = []
    for iri in order:
        part = data.parts[iri]
        row = MatrixRow(part, anchor(part))
        for resp in sorted(by_task.get(iri, []), key=lambda r: (r.role != "lead", r.position or 999, r.agent)):
            agent = data.agent(resp.agent)
            agents.setdefault(resp.agent, agent.label)
            if resp.agent in row.cells and row.cells[resp.agent][0] == MARKS["lead"]:
                continue
            role = role_names.get(resp.role, resp.role)
            basis = BASIS_NAMES.get(resp.basis, resp.basis)
            tip = "\n".join(x for x in (f"{agent.label}：{role}（{basis}）", resp.quote) if x)
            row.cells[resp.agent] = (MARKS.get(resp.role, "?"), tip)
        rows.append(row)
    return Matrix(doc, list(agents.items()), rows)


@dataclass(frozen=True)
class Rank:
    rank: int
    name: str
    centrality: float
    partners: int
    lead: int
    co: int


def ranking(graph: nx.Graph, counts: dict[str, tuple[int, int]]) -> list[Rank]:
    """Agencies by degree centrality (collectives left out: they stand for many units), then by tasks led."""
    agencies = [(n, a) for n, a in graph.nodes(data=True) if a["kind"] != "collective"]
    ordered = sorted(agencies, key=lambda na: (-na[1]["centrality"], -counts.get(na[0], (0, 0))[0], na[0]))
    return [Rank(i, attrs["name"], round(attrs["centrality"], 3),
                 sum(1 for m in graph.neighbors(node) if graph.nodes[m]["kind"] != "collective"),
                 *counts.get(node, (0, 0)))
            for i, (node, attrs) in enumerate(ordered, start=1)]
