"""From the store to networkx graphs: the data the viewers draw, read with a handful of SELECT queries.

Each view is a networkx graph whose nodes are IRIs carrying `kind` (legend category), `label` (short name) and
`tooltip` (plain, unescaped text); edges carry `kind` and `tooltip`. Escaping for HTML happens later, in
`render.py`, at the one place where text meets pyvis.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx

from policykg.graph.store import GraphStore

QUERY_DIR = Path(__file__).parent / "queries"
PKG = "https://w3id.org/policykg/ontology#"

LEVEL_NAMES = {"national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级", "unknown": "层级未知"}
LEVEL_ROWS = {"national": 0, "provincial": 1, "municipal": 2, "county": 3, "unknown": 4}
ROLE_NAMES = {"lead": "牵头", "co": "配合"}
BASIS_NAMES = {
    "explicit": "文中明确",
    "list-order": "列第一位",
    "declared-list-order": "按文中声明的列序",
    "sole-unit": "唯一责任单位",
    "inherited": "全文统一规定",
}
LABEL_CHARS = 16
QUOTE_CHARS = 500


@cache
def query_text(name: str) -> str:
    """The SPARQL of one view query, kept in viz/queries/*.rq so it can be read and run on its own."""
    return (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Document:
    iri: str
    kind: str  # "document" or "news"
    title: str
    number: str
    date: str
    level: str
    place: str

    @property
    def label(self) -> str:
        return short(self.number or self.title or tail(self.iri))


@dataclass(frozen=True)
class Part:
    iri: str
    doc: str
    parent: str
    kind: str  # "section" or "task"
    title: str
    marker: str
    path: str
    quote: str

    @property
    def label(self) -> str:
        return short(f"{self.marker}{self.title}" if self.title else self.marker or self.path or tail(self.iri))


@dataclass(frozen=True)
class Responsibility:
    iri: str
    task: str
    agent: str
    role: str
    basis: str
    as_written: str
    quote: str
    position: int = 0  # place in the list the text names the units in (0: not listed)


@dataclass(frozen=True)
class Agent:
    iri: str
    kind: str  # "agency" or "collective"
    label: str
    alt_labels: str
    place: str


@dataclass(frozen=True)
class Link:
    source: str
    relation: str  # "applies" or "cites"
    target: str


@dataclass
class GraphData:
    """Everything the viewers need, read once from the store."""

    documents: dict[str, Document] = field(default_factory=dict)
    parts: dict[str, Part] = field(default_factory=dict)
    responsibilities: list[Responsibility] = field(default_factory=list)
    agents: dict[str, Agent] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    cited_titles: list[tuple[str, str]] = field(default_factory=list)

    def agent(self, iri: str) -> Agent:
        """An agent by IRI; agents without a type (unresolved mentions) still get a node, named from their IRI."""
        return self.agents.get(iri) or Agent(iri, "agency", tail(iri), "", "")

    def responsible_agents(self) -> list[str]:
        return sorted({r.agent for r in self.responsibilities if r.task in self.parts})


def load(store: GraphStore) -> GraphData:
    """Run the view queries; texts stay raw here."""
    data = GraphData()
    for row in store.select(query_text("documents")).records():
        iri = row["doc"] or ""
        kind = "news" if (row["kind"] or "").endswith("NewsReport") else "document"
        data.documents[iri] = Document(
            iri,
            kind,
            text(row["title"]),
            text(row["number"]),
            text(row["date"]),
            text(row["level"]) or "unknown",
            text(row["place"]),
        )
    for row in store.select(query_text("parts")).records():
        doc, iri = row["doc"] or "", row["part"] or ""
        if doc not in data.documents or iri in data.parts:
            continue
        kind = "task" if (row["kind"] or "").endswith("Task") else "section"
        data.parts[iri] = Part(
            iri,
            doc,
            text(row["parent"]) or doc,
            kind,
            text(row["title"]),
            text(row["marker"]),
            text(row["path"]),
            text(row["quote"]),
        )
    for row in store.select(query_text("agencies")).records():
        iri = row["agency"] or ""
        kind = "collective" if (row["kind"] or "").endswith("CollectiveAgent") else "agency"
        data.agents[iri] = Agent(iri, kind, text(row["label"]) or tail(iri), text(row["altLabels"]), text(row["place"]))
    for row in store.select(query_text("responsibilities")).records():
        data.responsibilities.append(
            Responsibility(
                text(row["resp"]),
                text(row["task"]),
                text(row["agent"]),
                text(row["role"]),
                text(row["basis"]),
                text(row["asWritten"]),
                text(row["quote"]),
                int(row["position"] or 0),
            )
        )
    for row in store.select(query_text("lineage")).records():
        data.links.append(Link(text(row["source"]), text(row["relation"]), text(row["target"])))
    for row in store.select(query_text("cited_titles")).records():
        data.cited_titles.append((text(row["source"]), text(row["citedTitle"])))
    return data


def text(value: str | None) -> str:
    return (value or "").strip()


def tail(iri: str) -> str:
    """The last path segment of an IRI: a readable fallback name."""
    return iri.rstrip("/").rsplit("/", 1)[-1] or iri


def short(value: str, limit: int = LABEL_CHARS) -> str:
    """Node labels stay short so that large graphs remain legible; the full text is in the tooltip."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def quote(value: str, limit: int = QUOTE_CHARS) -> str:
    return value if len(value) <= limit else value[:limit] + "…（截断）"


def lines(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


# ------------------------------------------------------------------------------------------------- tooltips


def document_tooltip(doc: Document) -> str:
    kind = "新闻报道" if doc.kind == "news" else "政策文件"
    return lines(
        f"{kind}：{doc.title or tail(doc.iri)}",
        f"文号：{doc.number}" if doc.number else "",
        f"日期：{doc.date}" if doc.date else "",
        "层级：" + "，".join(x for x in (LEVEL_NAMES.get(doc.level, doc.level), doc.place) if x),
        doc.iri,
    )


def part_tooltip(part: Part, doc: Document | None) -> str:
    kind = "任务" if part.kind == "task" else "章节"
    return lines(
        f"{kind} {part.path}：{part.marker}{part.title}".rstrip(),
        f"所属文件：{doc.title or doc.number}" if doc else "",
        f"原文：{quote(part.quote)}" if part.quote else "",
        part.iri,
    )


def agent_tooltip(agent: Agent, lead: int, co: int) -> str:
    kind = "集体主体" if agent.kind == "collective" else "机构"
    return lines(
        f"{kind}：{agent.label}",
        f"又称：{agent.alt_labels}" if agent.alt_labels else "",
        f"辖区：{agent.place}" if agent.place else "",
        f"牵头 {lead} 项任务，配合 {co} 项任务",
        agent.iri,
    )


def responsibility_tooltip(resp: Responsibility, agent: Agent, task: Part) -> str:
    role = ROLE_NAMES.get(resp.role, resp.role or "角色未知")
    return lines(
        f"{role}：{agent.label} → {task.marker}{task.title}",
        f"原文写作：{resp.as_written}" if resp.as_written else "",
        f"判定依据：{BASIS_NAMES.get(resp.basis, resp.basis)}" if resp.basis else "",
        f"原文：{quote(resp.quote)}" if resp.quote else "",
    )


# ------------------------------------------------------------------------------------------------- graphs


def role_counts(data: GraphData) -> dict[str, tuple[int, int]]:
    lead: dict[str, int] = defaultdict(int)
    co: dict[str, int] = defaultdict(int)
    for r in data.responsibilities:
        if r.task in data.parts:
            (lead if r.role == "lead" else co)[r.agent] += 1
    return {a: (lead[a], co[a]) for a in set(lead) | set(co)}


def add_document(graph: nx.DiGraph, doc: Document) -> None:
    graph.add_node(doc.iri, kind=doc.kind, label=doc.label, tooltip=document_tooltip(doc))


@cache
def search_forms(name: str) -> str:
    """Every form the CLI would match an agency by (abbreviations both ways, 卫健委 for 卫生健康委员会), so the page's
    search box finds what `policykg agency` finds."""
    from policykg.forms import agency_forms

    return "\n".join(agency_forms(name, _lexicon()))


@cache
def _lexicon() -> Any:
    """The lexicon, read once per process (reading it takes 0.17 s)."""
    from policykg.graph.lexicon import load_lexicon

    return load_lexicon()


def add_agent(graph: nx.Graph, data: GraphData, iri: str, counts: dict[str, tuple[int, int]]) -> None:
    agent = data.agent(iri)
    lead, co = counts.get(iri, (0, 0))
    graph.add_node(iri, kind=agent.kind, label=short(agent.label), name=agent.label,
                   tooltip=agent_tooltip(agent, lead, co), search=search_forms(agent.label))


def add_responsibilities(graph: nx.DiGraph, data: GraphData, tasks: set[str]) -> None:
    """Task → agency edges, lead or co; a lead edge wins when an agency holds both roles on one task."""
    counts = role_counts(data)
    for resp in data.responsibilities:
        if resp.task not in tasks:
            continue
        if resp.agent not in graph:
            add_agent(graph, data, resp.agent, counts)
        kind = "lead" if resp.role == "lead" else "co"
        if graph.has_edge(resp.task, resp.agent) and graph.edges[resp.task, resp.agent]["kind"] == "lead":
            continue
        tooltip = responsibility_tooltip(resp, data.agent(resp.agent), data.parts[resp.task])
        graph.add_edge(resp.task, resp.agent, kind=kind, tooltip=tooltip)


def overview_graph(data: GraphData) -> nx.DiGraph:
    """Documents → tasks → agencies (sections left out: the overview is about who does what)."""
    graph = nx.DiGraph()
    for doc in data.documents.values():
        add_document(graph, doc)
    tasks = {iri for iri, p in data.parts.items() if p.kind == "task"}
    for iri in sorted(tasks):
        part = data.parts[iri]
        graph.add_node(iri, kind="task", label=part.label, tooltip=part_tooltip(part, data.documents.get(part.doc)))
        graph.add_edge(part.doc, iri, kind="part", tooltip=f"{data.documents[part.doc].label} 包含 {part.label}")
    add_responsibilities(graph, data, tasks)
    return graph


#: Above this many nodes the overview page shows documents and agencies only (`summary_graph`): the overview of
#: 1,000 generated documents had 20,000 nodes and a 121 MB page, while 5,000 nodes open in under a second
#: (bench/bench_view.py).
OVERVIEW_NODES_MAX = 5000


def summary_graph(overview: nx.DiGraph) -> nx.DiGraph:
    """Documents → agencies, one edge per pair weighted by the tasks the agency holds there: a lead edge when it
    leads at least one of them. The tasks themselves are on each document's page."""
    graph = nx.DiGraph()
    for node, attrs in overview.nodes(data=True):
        if attrs["kind"] != "task":
            graph.add_node(node, **attrs)
    held: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for doc, task, kind in overview.edges(data="kind"):
        if kind == "part":
            for _, agent, role in overview.out_edges(task, data="kind"):
                held[doc, agent][0 if role == "lead" else 1] += 1
    for (doc, agent), (lead, co) in sorted(held.items()):
        names = overview.nodes[agent]["label"], overview.nodes[doc]["label"]
        tooltip = "{} 在 {} 中牵头 {} 项、配合 {} 项任务".format(*names, lead, co)
        graph.add_edge(doc, agent, kind="lead" if lead else "co", weight=lead + co, tooltip=tooltip)
    return graph


def document_graph(data: GraphData, doc_iri: str) -> nx.DiGraph:
    """One document's outline: document → sections → tasks → agencies."""
    graph = nx.DiGraph()
    doc = data.documents[doc_iri]
    add_document(graph, doc)
    parts = sorted(iri for iri, p in data.parts.items() if p.doc == doc_iri)
    for iri in parts:
        part = data.parts[iri]
        graph.add_node(iri, kind=part.kind, label=part.label, tooltip=part_tooltip(part, doc))
    for iri in parts:
        part = data.parts[iri]
        parent = part.parent if part.parent in graph else doc_iri
        parent_label = graph.nodes[parent]["label"]
        graph.add_edge(parent, iri, kind="part", tooltip=f"{parent_label} 包含 {part.label}")
    add_responsibilities(graph, data, {iri for iri in parts if data.parts[iri].kind == "task"})
    return graph


def agency_graph(overview: nx.DiGraph, agent_iri: str) -> nx.DiGraph:
    """An agency's ego network in the overview: its tasks, their documents and the other agencies on them."""
    nodes = nx.ego_graph(overview.to_undirected(as_view=True), agent_iri, radius=2).nodes
    ego = overview.subgraph(nodes).copy()
    ego.nodes[agent_iri]["focus"] = True  # drawn larger, so the page shows whose network it is
    return ego


def collaboration_graph(data: GraphData) -> nx.Graph:
    """Agencies linked when they share a task; size by degree centrality, colour by (Louvain) community."""
    graph = nx.Graph()
    counts = role_counts(data)
    for iri in data.responsible_agents():
        add_agent(graph, data, iri, counts)
    by_task: dict[str, set[str]] = defaultdict(set)
    for resp in data.responsibilities:
        if resp.task in data.parts:
            by_task[resp.task].add(resp.agent)
    for task in sorted(by_task):
        for a, b in combinations(sorted(by_task[task]), 2):
            if graph.has_edge(a, b):
                graph.edges[a, b]["tasks"].append(task)
            else:
                graph.add_edge(a, b, kind="collab", tasks=[task])
    for a, b, attrs in graph.edges(data=True):
        titles = [data.parts[t].label for t in attrs["tasks"]]
        more = f"\n……等 {len(titles)} 项" if len(titles) > 8 else ""
        attrs["weight"] = len(titles)
        attrs["tooltip"] = (
            f"{graph.nodes[a]['label']} — {graph.nodes[b]['label']}\n共同承担 {len(titles)} 项任务：\n"
            + "\n".join(titles[:8])
            + more
        )
    # Collectives (各市（州）、县…人民政府, 有关部门) stand for many units at once: they would top any ranking.
    units = graph.subgraph(n for n, k in graph.nodes(data="kind") if k != "collective")
    centrality = dict.fromkeys(graph, 0.0)
    if len(units) > 1:
        centrality.update(nx.degree_centrality(units))
    top = max(centrality.values(), default=0.0) or 1.0
    communities = nx.community.louvain_communities(units, weight="weight", seed=0) if units.number_of_edges() else []
    ordered = sorted((c for c in communities if len(c) > 1), key=lambda c: (-len(c), min(c)))
    community_of = {node: i for i, members in enumerate(ordered) for node in members}
    for node, attrs in graph.nodes(data=True):
        attrs["centrality"] = centrality[node]
        attrs["size"] = 10 + 30 * centrality[node] / top
        attrs["community"] = community_of.get(node, -1)
        attrs["tooltip"] += ("\n集体主体，不计入中心性" if attrs["kind"] == "collective"
                             else f"\n度中心性：{centrality[node]:.3f}") + "；" + (
            f"社区 {attrs['community'] + 1}" if attrs["community"] >= 0 else "无合作机构"
        )
    return graph


def external_iri(title: str) -> str:
    """A stable IRI for a document known only by its cited title (not in the corpus)."""
    return "urn:policykg:cited:" + hashlib.sha1(title.encode("utf-8")).hexdigest()[:16]


def lineage_graph(data: GraphData) -> nx.DiGraph:
    """National → provincial → municipal: edges point from the applied or cited document to the one applying it."""
    graph = nx.DiGraph()
    for doc in data.documents.values():
        graph.add_node(
            doc.iri,
            kind=doc.level if doc.level in LEVEL_NAMES else "unknown",
            label=doc.label,
            tooltip=document_tooltip(doc),
            row=LEVEL_ROWS.get(doc.level, 4),
        )
    relations: dict[tuple[str, str], set[str]] = defaultdict(set)
    for link in data.links:
        if link.source in graph and link.target in graph and link.source != link.target:
            relations[(link.target, link.source)].add(link.relation)
    for source, title in data.cited_titles:
        if source not in graph or not title:
            continue
        iri = external_iri(title)
        row = max(0, graph.nodes[source]["row"] - 1)
        if iri not in graph:
            graph.add_node(
                iri, kind="external", label=short(title), row=row, tooltip=f"语料外文件（仅见引用标题）：{title}"
            )
        graph.nodes[iri]["row"] = min(row, graph.nodes[iri]["row"])
        relations[(iri, source)].add("cites")
    for (upper, lower), kinds in sorted(relations.items()):
        kind = "applies" if "applies" in kinds else "cites"
        verbs = "、".join(v for k, v in (("applies", "落实"), ("cites", "引用")) if k in kinds)
        tooltip = f"{graph.nodes[lower]['label']} {verbs} {graph.nodes[upper]['label']}"
        graph.add_edge(upper, lower, kind=kind, tooltip=tooltip)
    return graph
