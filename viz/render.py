"""Render the viewers: networkx graphs → pyvis networks → self-contained, offline HTML pages in out/viz/.

pyvis 0.3.2 builds the node and edge lists; the page comes from our own template (viz/templates/view.html)
because pyvis's template links bootstrap from a CDN, renders its heading raw and switches to innerHTML popups
when a title contains "href". Every text taken from a document is HTML-escaped before it reaches pyvis; the
page turns it back into plain text for vis-network, which shows it with innerText and on the canvas only.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pyvis.network import Network

from policykg.viz import layout

HERE = Path(__file__).parent
TEMPLATE_DIR = HERE / "templates"
VENDOR_DIR = HERE / "vendor"
VIS_JS = "vis-network.min.js"


@dataclass(frozen=True)
class ViewInfo:
    """One written view. `title` is plain text (escape it before putting it in HTML)."""

    title: str
    file_name: str
    node_count: int
    edge_count: int
    kind: str = "view"  # overview (or summary), collaboration, lineage, document, agency


@dataclass(frozen=True)
class NodeStyle:
    label: str
    shape: str
    color: str
    size: int = 14
    font_color: str = "#222222"
    border: str = ""


@dataclass(frozen=True)
class EdgeStyle:
    """`look` says how the line is drawn, `solid_look` how it is drawn in a view too large for dashes."""

    label: str
    color: str
    width: float
    dashes: bool | list[int] = False
    arrows: bool = True
    look: str = ""
    solid_look: str = ""

    def legend_label(self, dashed: bool) -> str:
        look = self.look if dashed or not self.dashes else self.solid_look
        return f"{self.label}（{look}）" if look else self.label


#: Above this many edges a view draws every line solid. vis-network dashes in graph units: zoomed out to a whole
#: 5,000-node overview, each long dashed edge became thousands of dashes and one frame took 4.7 s instead of 0.1 s
#: (bench/bench_view.py).
DASHED_EDGES_MAX = 1500


def dashed(graph: nx.Graph) -> bool:
    """Whether this view draws dashed lines (small enough, see DASHED_EDGES_MAX)."""
    return graph.number_of_edges() <= DASHED_EDGES_MAX


NODE_STYLES: dict[str, NodeStyle] = {
    "document": NodeStyle("政策文件", "box", "#4e79a7", font_color="#ffffff"),
    "news": NodeStyle("新闻报道", "box", "#9c755f", font_color="#ffffff"),
    "section": NodeStyle("章节", "triangle", "#bab0ac", size=10),
    "task": NodeStyle("任务", "dot", "#f28e2b", size=12),
    "agency": NodeStyle("机构", "diamond", "#59a14f", size=16),
    "collective": NodeStyle("集体主体（如“有关部门”）", "hexagon", "#76b7b2", size=16),
    # lineage: documents by level
    "national": NodeStyle("国家级文件", "box", "#c0392b", font_color="#ffffff"),
    "provincial": NodeStyle("省级文件", "box", "#4e79a7", font_color="#ffffff"),
    "municipal": NodeStyle("市级文件", "box", "#59a14f", font_color="#ffffff"),
    "county": NodeStyle("县级文件", "box", "#b07aa1", font_color="#ffffff"),
    "unknown": NodeStyle("层级未知", "box", "#9d9d9d", font_color="#ffffff"),
    "external": NodeStyle("语料外文件（仅见引用）", "box", "#ffffff", border="#888888"),
}
EDGE_STYLES: dict[str, EdgeStyle] = {
    "part": EdgeStyle("包含", "#b5b5b5", 1),
    "lead": EdgeStyle("牵头", "#c0392b", 3.5, look="实线，粗"),
    "co": EdgeStyle("配合", "#3b7dd8", 1.5, [6, 5], look="虚线，细", solid_look="细线"),
    "applies": EdgeStyle("落实（pkg:appliesTo）", "#4e79a7", 3),
    "cites": EdgeStyle("引用（eli:cites）", "#888888", 1.5, [3, 4]),
    "collab": EdgeStyle("共同承担任务（越粗越多）", "#9a9a9a", 1, arrows=False),
}
COMMUNITY_COLORS = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#2f4b7c",
    "#a05195",
    "#7fb800",
]
SOLO_COLOR = "#c8c8c8"

NOTES = {
    "overview": "节点：文件、任务、机构；连线：文件包含任务，任务由机构牵头或配合。",
    "summary": "文件较多，总览只显示文件和机构：连线表示机构在该文件中承担任务（红：至少牵头一项；蓝：只配合），"
               "越粗任务越多；各项任务见文件视图。",
    "collaboration": "两个机构共同承担至少一项任务即相连；节点大小表示度中心性，颜色表示社区（Louvain）。",
    "lineage": "自上而下：国家级 → 省级 → 市级 → 县级；箭头从被落实或被引用的文件指向落实、引用它的文件。",
    "document": "文件的结构：章节 → 任务 → 责任机构，按原文顺序从上到下。",
    "agency": "该机构承担的任务、任务所属文件，以及同一任务上的其他机构。",
}
LAYOUT_NOTE = "位置已预先算好（不再运行物理模拟）；单击节点显示链接，双击打开它自己的视图。"


def static_options() -> dict[str, Any]:
    """Positions come from policykg.viz.layout: physics off, nothing to settle, the same picture on every open."""
    return {
        "nodes": {"font": {"face": "sans-serif", "size": 14}, "borderWidth": 1, "widthConstraint": {"maximum": 240}},
        "edges": {"smooth": {"enabled": False}, "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {"hideEdgesOnDrag": True, "hover": True, "tooltipDelay": 120, "keyboard": False},
        "physics": {"enabled": False},
    }


def positions_for(graph: nx.Graph, view_kind: str, order: list[str]) -> dict[str, tuple[float, float]]:
    """Where every node stands: columns for documents → sections → tasks → agencies, rows by level for the
    lineage, a circle per community for the collaboration network."""
    if view_kind == "lineage":
        return layout.levels(graph)
    if view_kind == "collaboration":
        return layout.communities(graph)
    return layout.columns(graph, order)


def esc(value: str) -> str:
    """HTML-escape text that came from a document, before it reaches pyvis."""
    return html.escape(value, quote=True)


def to_network(graph: nx.Graph, view_kind: str, order: list[str] | None = None,
               urls: dict[str, str] | None = None) -> Network:
    """Hand the networkx graph to pyvis with our styles and precomputed positions; node ids are IRIs, labels and
    tooltips escaped text; `urls` gives each node the page of its own view."""
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    positions = positions_for(graph, view_kind, order or sorted(graph))
    for node, attrs in sorted(graph.nodes(data=True)):
        style = NODE_STYLES.get(attrs["kind"], NODE_STYLES["unknown"])
        options: dict[str, Any] = {
            "title": esc(attrs["tooltip"]),
            "kind": attrs["kind"],
            "size": style.size,
            "font": {"color": style.font_color},
        }
        color: str | dict[str, Any] = style.color
        if style.border:
            color = {"background": style.color, "border": style.border}
            options["shapeProperties"] = {"borderDashes": [4, 3]}
            options["borderWidth"] = 2
        if view_kind == "collaboration":
            community = attrs["community"]
            options["kind"] = f"community-{community}" if 0 <= community < len(COMMUNITY_COLORS) else "solo"
            color = COMMUNITY_COLORS[community] if 0 <= community < len(COMMUNITY_COLORS) else SOLO_COLOR
            options["size"] = round(attrs["size"], 1)
        options["x"], options["y"] = positions[node]
        if urls and node in urls:
            options["url"] = urls[node]
        if attrs.get("search"):
            options["search"] = esc(attrs["search"])
        if attrs.get("focus"):
            options.update(
                size=style.size * 2, borderWidth=3, font={"color": style.font_color, "size": 18, "bold": True}
            )
        net.add_node(node, label=esc(attrs["label"]), shape=style.shape, color=color, **options)
    with_dashes = dashed(graph)
    for number, (source, target, attrs) in enumerate(sorted(graph.edges(data=True), key=lambda e: (e[0], e[1]))):
        style = EDGE_STYLES[attrs["kind"]]
        width = style.width + min(attrs["weight"] - 1, 8) if "weight" in attrs else style.width
        net.add_edge(
            source,
            target,
            id=f"e{number}",
            kind=attrs["kind"],
            title=esc(attrs["tooltip"]),
            color={"color": style.color, "highlight": style.color, "hover": style.color},
            width=width,
            dashes=style.dashes if with_dashes else False,
            arrows={"to": {"enabled": style.arrows}},
        )
    # Assigned directly: Network.set_options() strips every space from the JSON it is given.
    net.options = static_options()
    return net


def legend(graph: nx.Graph, view_kind: str) -> list[dict[str, Any]]:
    """Legend entries for the kinds present in this view; node and edge entries double as filters."""
    entries: list[dict[str, Any]] = []
    if view_kind == "collaboration":
        communities = sorted({c for _, c in graph.nodes(data="community")})
        for c in communities:
            if 0 <= c < len(COMMUNITY_COLORS):
                size = sum(1 for _, x in graph.nodes(data="community") if x == c)
                entries.append(
                    node_entry(f"community-{c}", f"社区 {c + 1}（{size} 个机构）", "dot", COMMUNITY_COLORS[c])
                )
        if any(c < 0 or c >= len(COMMUNITY_COLORS) for c in communities):
            entries.append(node_entry("solo", "无合作 / 其他社区", "dot", SOLO_COLOR))
        for kind in ("agency", "collective"):
            if any(k == kind for _, k in graph.nodes(data="kind")):
                style = NODE_STYLES[kind]
                entries.append({**node_entry(kind, f"形状：{style.label}", style.shape, "#888888"), "filter": False})
    else:
        present = {k for _, k in graph.nodes(data="kind")}
        for kind, style in NODE_STYLES.items():
            if kind in present:
                entries.append(node_entry(kind, style.label, style.shape, style.color, style.border))
    edge_kinds = {k for _, _, k in graph.edges(data="kind")}
    with_dashes = dashed(graph)
    for kind, style in EDGE_STYLES.items():
        if kind in edge_kinds:
            entries.append(
                {
                    "target": "edge",
                    "key": kind,
                    "label": style.legend_label(with_dashes),
                    "color": style.color,
                    "width": max(1, round(style.width)),
                    "dashes": bool(style.dashes) and with_dashes,
                    "filter": True,
                }
            )
    return entries


def node_entry(key: str, label: str, shape: str, color: str, border: str = "") -> dict[str, Any]:
    return {
        "target": "node",
        "key": key,
        "label": label,
        "shape": shape,
        "color": color,
        "border": border,
        "filter": True,
    }


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.policies["json.dumps_function"] = page_json
    return env


def page_json(value: Any, **kwargs: Any) -> str:
    """JSON for `tojson` with Chinese as itself, not as \\u escapes (6 bytes a character instead of 3: half of a
    page's weight); jinja then escapes < > & ' for the script element, and the line separators U+2028/2029 are
    escaped here for older JavaScript engines."""
    return json.dumps(value, ensure_ascii=False, **kwargs).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def vendor_vis(out_dir: Path) -> None:
    """One vis-network file beside the pages, shared by all of them (still offline: no page fetches anything remote)."""
    code = (VENDOR_DIR / VIS_JS).read_bytes()
    target = out_dir / VIS_JS
    if not target.exists() or target.read_bytes() != code:
        fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{VIS_JS}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(code)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)


@cache
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def fold_map(texts: Iterable[str]) -> dict[str, str]:
    """Traditional → simplified for the characters of this page (OpenCC, as the CLI uses), so the search box
    finds 衛生健康委 in a simplified page. Only the characters the page holds: a small table, not a dictionary."""
    convert = _s2t().convert
    found: dict[str, str] = {}
    for ch in sorted({c for t in texts for c in t if c > "\u2e80"}):
        traditional = convert(ch)
        if len(traditional) == 1 and traditional != ch:
            found[traditional] = ch
    return found


def page_html(graph: nx.Graph, view_kind: str, title: str, order: list[str] | None = None,
              urls: dict[str, str] | None = None, ranks: list[Any] | None = None) -> str:
    """The whole page for one view, as text."""
    net = to_network(graph, view_kind, order, urls)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    texts = [str(a.get(k, "")) for _, a in graph.nodes(data=True) for k in ("label", "tooltip", "search")]
    return (
        environment()
        .get_template("view.html")
        .render(
            title=title,
            node_count=len(nodes),
            edge_count=len(edges),
            nodes=nodes,
            edges=edges,
            options=json.loads(options) if isinstance(options, str) else options,
            legend=legend(graph, view_kind),
            note=NOTES.get(view_kind, ""),
            layout_note=LAYOUT_NOTE,
            fold=fold_map(texts),
            ranks=ranks or [],
            vis_src=VIS_JS,
        )
    )


def write_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text to a temp file in the same directory, then os.replace: readers never see half a page."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_view(out_dir: Path, graph: nx.Graph, view_kind: str, title: str, file_name: str,
               order: list[str] | None = None, urls: dict[str, str] | None = None,
               ranks: list[Any] | None = None) -> ViewInfo:
    vendor_vis(out_dir)
    write_atomic(out_dir / file_name, page_html(graph, view_kind, title, order, urls, ranks))
    return ViewInfo(title, file_name, graph.number_of_nodes(), graph.number_of_edges(), view_kind)
