"""The viewers without a browser: what each view holds, that texts from documents are escaped, that the pages are
offline, and that files are written atomically. The fixture (tests/fixtures/viz_sample.trig) is hand-made after
docs/design.md, so these tests do not depend on the emitter."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

import policykg.viz.render as render
from policykg.graph.store import EmbeddedStore
from policykg.viz.graphs import GraphData, agency_graph, collaboration_graph, lineage_graph, load, overview_graph
from policykg.viz.render import ViewInfo, render_views, to_network

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
    for view in (v for v in views if v.kind not in ("implementation", "diff")):  # plain HTML, see test_browser
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
    assert sorted(p.name for p in out.iterdir()) == sorted(["index.html", *(v.file_name for v in views)])


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


def test_physics_settles_then_stops(rendered: tuple[list[ViewInfo], Path]) -> None:
    _, out = rendered
    text = (out / "overview.html").read_text(encoding="utf-8")
    options = json.loads(re.search(r"var options = (\{.*?\});\n", text).group(1))
    physics = options["physics"]
    assert physics["solver"] == "forceAtlas2Based"
    assert physics["stabilization"]["enabled"] and physics["stabilization"]["iterations"] == 200
    assert options["edges"]["smooth"]["enabled"] is False
    assert options["layout"]["improvedLayout"] is False
    assert options["interaction"]["hideEdgesOnDrag"] is True
    handler = text[text.index('network.once("stabilizationIterationsDone"') :]
    assert "network.setOptions({ physics: { enabled: false } })" in handler[:300]


def test_pages_are_offline(rendered: tuple[list[ViewInfo], Path]) -> None:
    _, out = rendered
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 14  # 3 overall views, the implementation tree, 2 documents, 7 agencies, the index
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not REMOTE.search(text), (page.name, REMOTE.search(text).group(0))
        assert "<link" not in text and "cdn" not in text.lower(), page.name
        assert "default-src 'none'" in text  # the CSP refuses any fetch the scan could have missed
    view = (out / "overview.html").read_text(encoding="utf-8")
    assert "vis-network" in view and "@version 9.1.2" in view  # inlined, not linked


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
        plain = page.name in ("index.html", "implementation.html") or page.name.startswith("diff-")
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
    communities = {c for _, c in graph.nodes(data="community")}
    assert communities == {0, 1}  # the national and the Sichuan agencies
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
