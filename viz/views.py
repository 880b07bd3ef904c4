"""The pages a build writes to out/viz/: the overview, the collaboration and lineage networks, one page per document
and per agency, each document's task matrix, the implementation tree, draft → final comparisons, and the index.
Each page is drawn by `policykg.viz.render`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from policykg.graph.store import GraphStore
from policykg.viz.graphs import (
    OVERVIEW_NODES_MAX,
    GraphData,
    agency_graph,
    collaboration_graph,
    document_graph,
    lineage_graph,
    load,
    overview_graph,
    query_text,
    role_counts,
    short,
    summary_graph,
)
from policykg.viz.matrix import MARKS, document_matrix, part_order, ranking
from policykg.viz.render import ViewInfo, environment, write_atomic, write_view


def digest(iri: str) -> str:
    """A file-name-safe, stable key for an IRI (文号 and agency names are not safe file names)."""
    return hashlib.sha1(iri.encode("utf-8")).hexdigest()[:12]


def document_title(data: GraphData, iri: str, displays: dict[str, str] | None = None) -> str:
    doc = data.documents[iri]
    if displays and iri in displays:
        return f"文件：{displays[iri]}"
    name = short(doc.title, 40) if doc.title else doc.label
    return f"文件：{name}" + (f"（{doc.number}）" if doc.number and doc.number not in name else "")


def _order(data: GraphData) -> list[str]:
    """Documents and their parts in document order: the rows of the column layout."""
    order: list[str] = []
    for doc in sorted(data.documents):
        order.append(doc)
        order += part_order(data, doc)
    return order


def render_views(store: GraphStore, out_dir: Path) -> list[ViewInfo]:
    """Write out_dir/index.html and one page per view; return what was written, index order."""
    from policykg.crossdoc import code_labels, documents_by_iri

    out_dir.mkdir(parents=True, exist_ok=True)
    data = load(store)
    displays = {iri: ref.display for iri, ref in documents_by_iri(store).items()}
    order = _order(data)
    with_parts = {p.doc for p in data.parts.values()}
    # every node links to the page of its own view: documents and agencies to theirs, tasks to their matrix row
    urls = {iri: f"document-{digest(iri)}.html" for iri in data.documents if iri in with_parts}
    urls.update((iri, f"agency-{digest(iri)}.html") for iri in data.responsible_agents())
    urls.update((iri, f"matrix-{digest(p.doc)}.html#{p.path and 't-' + p.path.replace('.', '-')}")
                for iri, p in data.parts.items())
    overview = overview_graph(data)
    collaboration = collaboration_graph(data)
    front = (("overview", overview, "总览：文件 → 任务 → 机构") if overview.number_of_nodes() <= OVERVIEW_NODES_MAX
             else ("summary", summary_graph(overview), "总览：文件 → 机构（任务数）"))
    views = [
        write_view(out_dir, front[1], front[0], front[2], "overview.html", order, urls),
        write_view(out_dir, collaboration, "collaboration", "机构协作网络", "collaboration.html", order, urls,
                   ranking(collaboration, role_counts(data))),
        write_view(out_dir, lineage_graph(data), "lineage", "文件谱系：国家 → 省 → 市", "lineage.html", order, urls),
    ]
    roles = code_labels("role")
    for iri in sorted(data.documents, key=lambda d: (data.documents[d].level != "national", d)):
        if iri not in with_parts:
            continue  # a news report with no items: one node, nothing to see (it stays in the lineage)
        views.append(write_view(out_dir, document_graph(data, iri), "document", document_title(data, iri, displays),
                                f"document-{digest(iri)}.html", order, urls))
        views.append(write_matrix(out_dir, data, iri, displays.get(iri, data.documents[iri].title), roles, urls))
    for iri in data.responsible_agents():
        views.append(
            write_view(
                out_dir,
                agency_graph(overview, iri),
                "agency",
                f"机构：{data.agent(iri).label}",
                f"agency-{digest(iri)}.html",
                order,
                urls,
            )
        )
    views.extend(cross_document_views(store, out_dir))
    group_of = {kind: n for n, (_, kinds) in enumerate(GROUPS) for kind in kinds}
    views.sort(key=lambda v: group_of[v.kind])  # index order; stable within a group
    write_index(out_dir, views, data)
    remove_stale(out_dir, (v.file_name for v in views))
    return views


def write_matrix(out_dir: Path, data: GraphData, doc: str, display: str, roles: dict[str, str],
                 urls: dict[str, str]) -> ViewInfo:
    """The 分工矩阵 page of one document."""
    matrix = document_matrix(data, doc, {k: v.removesuffix("单位") for k, v in roles.items()})
    title = f"分工矩阵：{display}"
    tasks = sum(1 for r in matrix.rows if r.part.kind == "task")
    lead = sum(1 for r in matrix.rows for m, _ in r.cells.values() if m == MARKS["lead"])
    page = environment().get_template("matrix.html").render(
        title=title, matrix=matrix, marks=MARKS, tasks=tasks, lead=lead, co=matrix.marks - lead,
        agent_links={iri: urls[iri] for iri, _ in matrix.agents if iri in urls}, network=urls.get(doc, ""))
    name = f"matrix-{digest(doc)}.html"
    write_atomic(out_dir / name, page)
    return ViewInfo(title, name, tasks, matrix.marks, "matrix")


def cross_document_views(store: GraphStore, out_dir: Path) -> list[ViewInfo]:
    """The implementation tree, and a diff page for every draft whose final text is in the graph."""
    from policykg.crossdoc import diff_documents, diff_html, documents_by_iri
    from policykg.viz.tree import implementation_tree

    tree = implementation_tree(store)
    title = "落实关系：国家条目 → 省级任务 → 市级任务"
    page = environment().get_template("tree.html").render(title=title, tree=tree)
    write_atomic(out_dir / "implementation.html", page)
    views = [ViewInfo(title, "implementation.html", tree.shown, tree.links, "implementation")]
    known = documents_by_iri(store)
    for row in store.select(query_text("versions")).records():
        draft, final = known.get(row["draft"]), known.get(row["final"])
        if draft is None or final is None:
            continue
        result = diff_documents(store, draft, final)
        name = f"diff-{digest(draft.iri + final.iri)}.html"
        write_atomic(out_dir / name, diff_html(result, draft, final))
        views.append(ViewInfo(f"文本比对：{short(draft.title, 24)} → {short(final.display, 30)}", name,
                              len(result.changes), 0, "diff"))
    return views


GROUPS = [
    ("总体视图", ("overview", "summary", "collaboration", "lineage", "implementation")),
    ("文本比对", ("diff",)),
    ("文件视图", ("document",)),
    ("分工矩阵", ("matrix",)),
    ("机构视图", ("agency",)),
]


def write_index(out_dir: Path, views: list[ViewInfo], data: GraphData) -> None:
    groups = [{"title": title, "views": [v for v in views if v.kind in kinds]} for title, kinds in GROUPS]
    page = (
        environment()
        .get_template("index.html")
        .render(
            views=views,
            groups=[g for g in groups if g["views"]],
            document_count=len(data.documents),
            agency_count=len(data.responsible_agents()),
        )
    )
    write_atomic(out_dir / "index.html", page)


def remove_stale(out_dir: Path, keep: Iterable[str]) -> None:
    """Drop per-document / per-agency pages of a previous run whose document or agency is gone."""
    wanted = set(keep)
    for path in out_dir.glob("*.html"):
        if re.fullmatch(r"(document|agency|diff|matrix)-[0-9a-f]{12}\.html", path.name) and path.name not in wanted:
            path.unlink()


__all__ = ["render_views"]
