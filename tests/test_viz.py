"""The viewers without a browser: what each view holds, that texts from documents are escaped, that the pages are
offline, and that files are written atomically. The fixture (tests/fixtures/viz_sample.trig) is hand-made after
docs/design.md, so these tests do not depend on the emitter."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

import policykg.viz.render as render
import policykg.viz.views as views_module
from policykg.graph.store import EmbeddedStore
from policykg.viz.graphs import (
    GraphData,
    agency_graph,
    collaboration_graph,
    lineage_graph,
    load,
    overview_graph,
    summary_graph,
)
from policykg.viz.render import ViewInfo, to_network
from policykg.viz.views import render_views

FIXTURE = Path(__file__).parent / "fixtures" / "viz_sample.trig"
ID = "https://w3id.org/policykg/id/"
NATIONAL = ID + "doc/100000/国发〔2024〕7号"
PROVINCIAL = ID + "doc/510000/川府发〔2024〕12号"
HOSTILE_TASK = PROVINCIAL + "/part/1.1"
HOSTILE_TITLE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
NDRC = ID + "agency/100000/国家发展和改革委员会"

# Any reference that would make a page fetch something remote (protocol-relative // included).
REMOTE = re.compile(
    r"""(?:\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+(?:url\(\s*)?["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)""",
    re.IGNORECASE,
)


def load_fixture_store(path: Path) -> EmbeddedStore:
    """Load the TriG fixture into an on-disk pyoxigraph store and open it the way the viewers will."""
    store = ox.Store(str(path))
    store.load(FIXTURE.read_bytes(), ox.RdfFormat.TRIG)
    store.flush()
    del store
    return EmbeddedStore(path)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    return load_fixture_store(tmp_path_factory.mktemp("viz-store") / "store")


@pytest.fixture(scope="module")
def data(store: EmbeddedStore) -> GraphData:
    return load(store)


@pytest.fixture(scope="module")
def rendered(store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[ViewInfo], Path]:
    out = tmp_path_factory.mktemp("viz-out")
    return render_views(store, out), out


def page_data(path: Path) -> tuple[list[dict], list[dict]]:
    """The node and edge lists a page hands to vis-network (as JSON in its script)."""
    text = path.read_text(encoding="utf-8")
    nodes = json.loads(re.search(r"var rawNodes = (\[.*?\]);\n", text).group(1))
    edges = json.loads(re.search(r"var rawEdges = (\[.*?\]);\n", text).group(1))
    return nodes, edges


def test_render_writes_every_view_and_an_index(rendered: tuple[list[ViewInfo], Path]) -> None:
    views, out = rendered
    kinds = [v.kind for v in views]
    assert kinds[:4] == ["overview", "collaboration", "lineage", "implementation"]
    assert kinds.count("document") == 2
    assert kinds.count("agency") == 7  # every agency with a responsibility; 国务院 only passed the document
    assert len({v.file_name for v in views}) == len(views)
    assert kinds.count("matrix") == 2  # one 分工矩阵 per document
    for view in (v for v in views if v.kind not in ("implementation", "diff", "matrix")):  # plain HTML
        nodes, edges = page_data(out / view.file_name)
        assert (len(nodes), len(edges)) == (view.node_count, view.edge_count), view.file_name
    index = (out / "index.html").read_text(encoding="utf-8")
    for view in views:
        row = re.search(
            rf'<a href="{re.escape(view.file_name)}">(.*?)</a></td><td class="num">(\d+)</td>'
            rf'<td class="num">(\d+)</td>',
            index,
        )
        assert row, view.file_name
        assert (int(row.group(2)), int(row.group(3))) == (view.node_count, view.edge_count)
    assert sorted(p.name for p in out.iterdir()) == sorted(["index.html", render.VIS_JS,
                                                           *(v.file_name for v in views)])


def test_overview_is_documents_tasks_agencies(data: GraphData) -> None:
    graph = overview_graph(data)
    kinds = [k for _, k in graph.nodes(data="kind")]
    assert (kinds.count("document"), kinds.count("task")) == (2, 4)
    assert (kinds.count("agency"), kinds.count("collective")) == (5, 2)
    edges = [k for _, _, k in graph.edges(data="kind")]
    assert (edges.count("part"), edges.count("lead"), edges.count("co")) == (4, 4, 6)
    assert graph.edges[NATIONAL + "/part/2.1", NDRC]["kind"] == "lead"
    assert graph.edges[NATIONAL + "/part/2.2", NDRC]["kind"] == "co"
    assert graph.nodes[NDRC]["label"] == "国家发展和改革委员会"
    assert graph.nodes[NATIONAL]["label"] == "国发〔2024〕7号"


def test_summary_counts_each_agencys_tasks_per_document(data: GraphData) -> None:
    overview = overview_graph(data)
    summary = summary_graph(overview)
    assert {k for _, k in summary.nodes(data="kind")} == {"document", "agency", "collective"}
    for doc, agent, attrs in summary.edges(data=True):
        roles = [overview.edges[task, agent]["kind"] for task in overview.successors(doc)
                 if overview.has_edge(task, agent)]
        assert attrs["weight"] == len(roles) > 0
        assert attrs["kind"] == ("lead" if "lead" in roles else "co")
    assert summary.number_of_edges() == len({(d, a) for d, t in overview.edges() if overview.nodes[t]["kind"] == "task"
                                             for a in overview.successors(t)})
    assert summary.edges[NATIONAL, NDRC]["kind"] == "lead"  # it leads 2.1 and co-operates on 2.2
    assert summary.edges[NATIONAL, NDRC]["weight"] == 2


def test_a_large_overview_becomes_the_summary(store: EmbeddedStore, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views_module, "OVERVIEW_NODES_MAX", 5)
    views = render_views(store, tmp_path)
    front = next(v for v in views if v.file_name == "overview.html")
    nodes, edges = page_data(tmp_path / "overview.html")
    assert front.kind == "summary" and {n["kind"] for n in nodes} == {"document", "agency", "collective"}
    assert max(e["width"] for e in edges if e["kind"] == "lead") > 3.5  # thicker for more tasks


def test_lead_and_co_edges_are_drawn_differently(data: GraphData) -> None:
    net = to_network(overview_graph(data), "overview")
    lead = [e for e in net.edges if e["kind"] == "lead"]
    co = [e for e in net.edges if e["kind"] == "co"]
    assert lead and co
    assert all(e["dashes"] is False and e["width"] >= 3 for e in lead)
    assert all(isinstance(e["dashes"], list) and e["width"] < 2 for e in co)
    assert {e["color"]["color"] for e in lead}.isdisjoint({e["color"]["color"] for e in co})
    shapes = {n["kind"]: n["shape"] for n in net.nodes}
    assert len(set(shapes.values())) == len(shapes) == 4  # document, task, agency, collective


def test_positions_are_computed_once_and_physics_is_off(rendered: tuple[list[ViewInfo], Path]) -> None:
    views, out = rendered
    for view in (v for v in views if v.kind in ("overview", "collaboration", "lineage", "document", "agency")):
        text = (out / view.file_name).read_text(encoding="utf-8")
        options = json.loads(re.search(r"var options = (\{.*?\});\n", text).group(1))
        assert options["physics"] == {"enabled": False}, view.file_name
        nodes, _ = page_data(out / view.file_name)
        assert all(isinstance(n["x"], int | float) and isinstance(n["y"], int | float) for n in nodes)
    assert options["edges"]["smooth"]["enabled"] is False
    assert options["interaction"]["hideEdgesOnDrag"] is True


def test_column_layout_keeps_labels_apart(rendered: tuple[list[ViewInfo], Path]) -> None:
    """Documents, sections, tasks and agencies stand in columns; within a column no two nodes are closer than a
    label's height, so labels cannot overlap at scale 1 (the first view opens at 0.9 or more when it must)."""
    _, out = rendered
    nodes, _ = page_data(out / "overview.html")
    columns: dict[float, list[float]] = {}
    for n in nodes:
        columns.setdefault(n["x"], []).append(n["y"])
    kinds_by_x = {x: {n["kind"] for n in nodes if n["x"] == x} for x in columns}
    assert [sorted(k) for _, k in sorted(kinds_by_x.items())] == [["document"], ["task"], ["agency", "collective"]]
    for ys in columns.values():
        ys.sort()
        assert all(b - a >= 40 for a, b in itertools.pairwise(ys))
    text = (out / "lineage.html").read_text(encoding="utf-8")
    assert "network.getScale() >= 0.7" in text and "scale = 0.9" in text


def test_pages_are_offline(rendered: tuple[list[ViewInfo], Path]) -> None:
    _, out = rendered
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 16  # 3 overall views, the implementation tree, 2 documents, 2 matrices, 7 agencies, the index
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not REMOTE.search(text), (page.name, REMOTE.search(text).group(0))
        assert "<link" not in text and "cdn" not in text.lower(), page.name
        assert "default-src 'none'" in text  # the CSP refuses any fetch the scan could have missed
    view = (out / "overview.html").read_text(encoding="utf-8")
    assert '<script src="vis-network.min.js"></script>' in view and "@version 9.1.2" not in view  # one shared file
    assert "@version 9.1.2" in (out / render.VIS_JS).read_text(encoding="utf-8")
    assert sum(p.stat().st_size for p in pages) < 2_000_000  # 16 pages; each inlined 470 kB before


def test_remote_scan_catches_what_it_should() -> None:
    for bad in (
        '<script src="https://cdn.example/x.js">',
        "<link href='//cdn.example/x.css'>",
        "@import url(https://x/y.css);",
        "background: url( 'http://x/y.png')",
        '<img SRC = "http://x">',
    ):
        assert REMOTE.search(bad), bad
    for fine in (
        '<a href="index.html">',
        "url(data:image/png;base64,AAA)",
        'createElementNS("http://www.w3.org/2000/svg")',
    ):
        assert not REMOTE.search(fine), fine


def test_document_text_is_escaped_everywhere(rendered: tuple[list[ViewInfo], Path]) -> None:
    _, out = rendered
    vis_js = (Path(render.__file__).parent / "vendor" / "vis-network.min.js").read_text(encoding="utf-8")
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8").replace(vis_js, "")  # vis-network itself has a "<b>" string
        assert "<script>window" not in text and "<img" not in text and "<b>" not in text, page.name
        plain = page.name in ("index.html", "implementation.html") or page.name.startswith(("diff-", "matrix-"))
        scripted = not plain
        assert len(re.findall(r"<script\b", text)) == (2 if scripted else 0), page.name
    nodes, _ = page_data(out / "overview.html")
    hostile = next(n for n in nodes if n["id"] == HOSTILE_TASK)
    assert hostile["title"].startswith("任务 1.1：（一）&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x")
    assert "onerror=&quot;window.__pwned=2&quot;&gt;" in hostile["title"]
    assert "&lt;b&gt;数据&lt;/b&gt;" in hostile["title"] and "融合 &amp; " in hostile["title"]  # the quote too
    assert hostile["label"].startswith("（一）&lt;script&gt;")
    assert all("href" not in n["title"] for n in nodes)  # would switch pyvis's own template to innerHTML popups


def test_tooltips_quote_the_source(data: GraphData) -> None:
    net = to_network(overview_graph(data), "overview")
    task = next(n for n in net.nodes if n["id"] == NATIONAL + "/part/2.1")
    assert "原文：（一）加强数字基础设施建设。加快建设高速泛在、天地一体的信息基础设施。" in task["title"]
    lead = next(e for e in net.edges if e["from"] == NATIONAL + "/part/2.1" and e["to"] == NDRC)
    assert "牵头：国家发展和改革委员会" in lead["title"] and "原文：国家发展改革委牵头" in lead["title"]
    assert "判定依据：文中明确" in lead["title"]
    agency = next(n for n in net.nodes if n["id"] == NDRC)
    assert "又称：发展改革委、国家发展改革委" in agency["title"] and "牵头 1 项任务，配合 1 项任务" in agency["title"]


def test_agency_view_is_its_ego_network(data: GraphData) -> None:
    overview = overview_graph(data)
    ego = agency_graph(overview, NDRC)
    assert set(ego) == {
        NDRC,
        NATIONAL,
        NATIONAL + "/part/2.1",
        NATIONAL + "/part/2.2",
        ID + "agency/100000/工业和信息化部",
        ID + "agency/100000/有关部门",
    }
    assert [n for n, focus in ego.nodes(data="focus") if focus] == [NDRC]
    assert not any(focus for _, focus in overview.nodes(data="focus"))  # shared by every agency view: untouched


def test_collaboration_network(data: GraphData) -> None:
    graph = collaboration_graph(data)
    assert len(graph) == 7
    miit = ID + "agency/100000/工业和信息化部"
    assert graph.edges[NDRC, miit]["weight"] == 2  # tasks 2.1 and 2.2
    assert graph.edges[NDRC, ID + "agency/100000/有关部门"]["weight"] == 1
    assert not graph.has_edge(NDRC, ID + "agency/510000/四川省发展和改革委员会")
    kinds = dict(graph.nodes(data="kind"))
    communities = {c for n, c in graph.nodes(data="community") if kinds[n] != "collective"}
    assert communities == {0, 1}  # the national and the Sichuan agencies
    collectives = [n for n in graph if kinds[n] == "collective"]
    assert collectives and all(graph.nodes[n]["centrality"] == 0 and graph.nodes[n]["community"] == -1
                               for n in collectives)  # 有关部门 stands for many units: not ranked
    sizes = dict(graph.nodes(data="size"))
    sichuan_ndrc = ID + "agency/510000/四川省发展和改革委员会"
    assert sizes[sichuan_ndrc] == max(sizes.values())  # shares tasks with all three other Sichuan units


def test_lineage_runs_national_to_provincial(data: GraphData) -> None:
    graph = lineage_graph(data)
    assert graph.edges[NATIONAL, PROVINCIAL]["kind"] == "applies"  # appliesTo wins over the parallel eli:cites
    assert "落实、引用" in graph.edges[NATIONAL, PROVINCIAL]["tooltip"]
    assert (graph.nodes[NATIONAL]["row"], graph.nodes[PROVINCIAL]["row"]) == (0, 1)
    external = [n for n, k in graph.nodes(data="kind") if k == "external"]
    assert len(external) == 1 and external[0].startswith("urn:policykg:cited:")
    assert graph.edges[external[0], PROVINCIAL]["kind"] == "cites"


def test_render_is_deterministic(store: EmbeddedStore, tmp_path: Path) -> None:
    first = render_views(store, tmp_path / "a")
    second = render_views(store, tmp_path / "b")
    assert first == second
    for view in first:
        assert (tmp_path / "a" / view.file_name).read_bytes() == (tmp_path / "b" / view.file_name).read_bytes()


def test_writes_are_atomic_and_stale_pages_go(
    store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "viz"
    out.mkdir()
    (out / "document-000000000000.html").write_text("old", encoding="utf-8")
    (out / "notes.html").write_text("mine", encoding="utf-8")
    views = render_views(store, out)
    assert not (out / "document-000000000000.html").exists()  # a view of a document that is gone
    assert (out / "notes.html").exists()  # not ours: left alone
    assert not list(out.glob(".*.tmp"))
    assert oct((out / "overview.html").stat().st_mode & 0o777) == "0o644"

    before = (out / "overview.html").read_bytes()

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        render.write_atomic(out / "overview.html", "half")
    assert (out / "overview.html").read_bytes() == before
    assert not list(out.glob(".*.tmp"))
    assert views[0].file_name == "overview.html"


def test_vendored_vis_network_is_pyvis_bundle() -> None:
    import pyvis

    bundled = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    vendored = Path(render.__file__).parent / "vendor" / "vis-network.min.js"
    assert hashlib.sha256(vendored.read_bytes()).digest() == hashlib.sha256(bundled.read_bytes()).digest()


def test_empty_store_still_renders(tmp_path: Path) -> None:
    store = ox.Store(str(tmp_path / "empty"))
    del store
    views = render_views(EmbeddedStore(tmp_path / "empty"), tmp_path / "out")
    assert [(v.kind, v.node_count) for v in views] == [
        ("overview", 0),
        ("collaboration", 0),
        ("lineage", 0),
        ("implementation", 0),
    ]
    assert (tmp_path / "out" / "index.html").exists()


def test_collaboration_ranking_leaves_collectives_out(rendered: tuple[list[ViewInfo], Path]) -> None:
    _, out = rendered
    text = (out / "collaboration.html").read_text(encoding="utf-8")
    table = text[text.index('<table class="ranks">') : text.index("</table>", text.index('<table class="ranks">'))]
    assert "四川省发展和改革委员会" in table and "有关部门" not in table and "各市（州）人民政府" not in table
    first = re.search(r'<td class="num">1</td><td>(.*?)</td>', table).group(1)
    assert first == "四川省发展和改革委员会"


def test_matrix_marks_lead_and_co_with_the_quote(rendered: tuple[list[ViewInfo], Path]) -> None:
    views, out = rendered
    national = next(v for v in views if v.kind == "matrix" and "国发" in v.title)
    text = (out / national.file_name).read_text(encoding="utf-8")
    assert '<td class="mark lead" title="国家发展和改革委员会：牵头（文中明确）\n国家发展改革委牵头">●</td>' in text
    assert '<td class="mark co" title="' in text and "○</td>" in text
    page = next(v for v in views if v.kind == "matrix" and "川府发" in v.title)
    text = (out / page.file_name).read_text(encoding="utf-8")
    assert "&lt;script&gt;" in text and "<script" not in text  # the hostile heading is text
    assert page.node_count == text.count('<tr id="t-')  # one row per task (section rows are apart)


def test_every_node_links_to_its_own_view(rendered: tuple[list[ViewInfo], Path]) -> None:
    _, out = rendered
    nodes, _ = page_data(out / "overview.html")
    for node in nodes:
        assert "url" in node, node["id"]
        assert (out / node["url"].split("#")[0]).exists(), node["url"]
    agency = next(n for n in nodes if n["id"] == NDRC)
    assert agency["url"] == f"agency-{hashlib.sha1(NDRC.encode()).hexdigest()[:12]}.html"
    task = next(n for n in nodes if n["id"] == HOSTILE_TASK)
    assert task["url"].endswith("#t-1-1") and task["url"].startswith("matrix-")


def test_search_folds_traditional_characters_and_knows_abbreviations(rendered: tuple[list[ViewInfo], Path]) -> None:
    _, out = rendered
    text = (out / "overview.html").read_text(encoding="utf-8")
    fold = json.loads(re.search(r"var FOLD = (\{.*?\});", text).group(1))
    assert fold["發"] == "发" and fold["華"] == "华" if "华" in text else fold["發"] == "发"
    nodes, _ = page_data(out / "overview.html")
    ndrc = next(n for n in nodes if n["id"] == NDRC)
    assert "国家发改委" in ndrc["search"].split("\n")  # so 发改委 finds it, as `policykg agency 发改委` does
