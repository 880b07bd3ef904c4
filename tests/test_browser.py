"""The viewers in a real browser: Debian's chromium, headless, with every non-file request blocked.

Each page must load with no console errors and no network attempt, draw as many nodes as the graph has, show
hostile document text as text (running nothing), and settle its physics quickly even at 1,000 nodes. Screenshots
go to $POLICYKG_SCREENSHOTS or out/screenshots (Chinese labels need fonts-noto-cjk).

Needs: apt-get install -y chromium fonts-noto-cjk (never `playwright install`: the Debian build is the target).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.graph.store import EmbeddedStore, write_store
from policykg.viz.graphs import load, overview_graph
from policykg.viz.render import ViewInfo, write_view
from policykg.viz.views import render_views

sys.path.insert(0, str(Path(__file__).parent / "tools"))
from synthetic_graph import synthetic_nquads

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIXTURE = Path(__file__).parent / "fixtures" / "viz_sample.trig"
ID = "https://w3id.org/policykg/id/"
PROVINCIAL = ID + "doc/510000/川府发〔2024〕12号"
HOSTILE_TASK = PROVINCIAL + "/part/1.1"
PLAIN_ROWS = {"implementation": "li[title]:not(.gap)", "diff": "tbody tr", "matrix": "tbody tr[id]:not(.section)"}
HOSTILE_TITLE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian chromium at /usr/bin/chromium (apt-get install -y chromium fonts-noto-cjk)",
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright Python package")


def screenshot_dir() -> Path:
    path = Path(os.environ.get("POLICYKG_SCREENSHOTS") or Path(__file__).parent.parent / "out" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Tab:
    """A page plus everything it tried that it should not have: console errors, script errors, remote requests."""

    page: object
    errors: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)

    def open(self, path: Path, timeout: float = 60.0) -> dict:
        """Open a page and wait until its layout is done (polled: the pages' CSP forbids eval-based waits)."""
        self.page.goto(path.as_uri())
        deadline = time.monotonic() + timeout
        while not self.page.evaluate("() => !!(window.policykgView && window.policykgView.ready)"):
            assert time.monotonic() < deadline, f"{path.name} did not finish its layout in {timeout} s"
            time.sleep(0.05)
        return self.page.evaluate("""() => ({
            dataNodes: network.body.data.nodes.length, dataEdges: network.body.data.edges.length,
            bodyNodes: network.body.nodeIndices.length, stabilizationMs: policykgView.stabilizationMs,
            physics: network.physics.options.enabled, pwned: window.__pwned === undefined ? null : window.__pwned,
            images: document.querySelectorAll("img").length, scripts: document.querySelectorAll("script").length,
        })""")

    def clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.remote, f"network requests attempted: {self.remote}"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def tab(browser: object) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    tab = Tab(page)

    def route(route: object) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            tab.remote.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda msg: tab.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: tab.errors.append(f"pageerror: {exc}"))
    yield tab
    context.close()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[ViewInfo], Path]:
    path = tmp_path_factory.mktemp("browser-store") / "store"
    store = ox.Store(str(path))
    store.load(FIXTURE.read_bytes(), ox.RdfFormat.TRIG)
    store.flush()
    del store
    out = tmp_path_factory.mktemp("browser-viz")
    return render_views(EmbeddedStore(path), out), out


def test_every_view_opens_offline_and_draws_every_node(tab: Tab, rendered: tuple[list[ViewInfo], Path]) -> None:
    views, out = rendered
    shots = screenshot_dir()
    for view in views:
        if view.kind in ("implementation", "diff", "matrix"):  # plain HTML pages: an outline and tables, no script
            tab.page.goto((out / view.file_name).as_uri())
            assert tab.page.evaluate("() => document.querySelectorAll('script, img').length") == 0, view.file_name
            rows = PLAIN_ROWS[view.kind]
            assert tab.page.locator(rows).count() == view.node_count, view.file_name
            tab.page.screenshot(path=str(shots / f"fixture-{view.file_name.removesuffix('.html')}.png"))
            continue
        state = tab.open(out / view.file_name)
        assert state["dataNodes"] == state["bodyNodes"] == view.node_count, view.file_name
        assert state["dataEdges"] == view.edge_count, view.file_name
        assert state["pwned"] is None and state["images"] == 0 and state["scripts"] == 2, view.file_name
        if view.kind != "lineage":
            assert state["physics"] is False, f"{view.file_name}: physics still running after stabilisation"
        tab.page.screenshot(path=str(shots / f"fixture-{view.file_name.removesuffix('.html')}.png"))
    tab.page.goto((out / "index.html").as_uri())
    links = tab.page.eval_on_selector_all("a", "els => els.map(a => a.getAttribute('href'))")
    assert links == [v.file_name for v in views]
    tab.page.screenshot(path=str(shots / "fixture-index.png"), full_page=True)
    tab.clean()


def test_hostile_title_shows_as_text_and_runs_nothing(tab: Tab, rendered: tuple[list[ViewInfo], Path]) -> None:
    views, out = rendered
    doc_view = next(v for v in views if v.kind == "document" and "川府发" in v.title)
    for file_name in ("overview.html", doc_view.file_name):
        state = tab.open(out / file_name)
        assert state["pwned"] is None and state["images"] == 0
        node = tab.page.evaluate("id => network.body.data.nodes.get(id)", HOSTILE_TASK)
        assert node["label"].startswith("（一）<script>")  # drawn on the canvas as these characters
        assert HOSTILE_TITLE in node["title"]
        assert "<script>window.__pwned=3</script>“两化”融合 & <b>数据</b>" in node["title"]  # the quote

        # Hover the node: vis-network shows the tooltip, which must hold the text and no elements.
        box = tab.page.evaluate(
            """id => {
            const p = network.canvasToDOM(network.getPosition(id));
            const r = document.getElementById("network").getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y};
        }""",
            HOSTILE_TASK,
        )
        tooltip = tab.page.locator("div.vis-tooltip")
        for dx in (0, 1, 2, 1):
            tab.page.mouse.move(box["x"] + dx, box["y"])
            time.sleep(0.1)
        deadline = time.monotonic() + 5
        while tooltip.evaluate("el => getComputedStyle(el).visibility") != "visible":
            assert time.monotonic() < deadline, "tooltip did not appear"
            tab.page.mouse.move(box["x"] + 1, box["y"] + 1)
            time.sleep(0.1)
        assert HOSTILE_TITLE in tooltip.evaluate("el => el.textContent")
        # innerText turns line breaks into <br>; nothing else may become an element.
        assert set(tooltip.evaluate("el => [...el.querySelectorAll('*')].map(e => e.tagName)")) <= {"BR"}
        time.sleep(0.3)  # give any injected handler the chance to run
        assert tab.page.evaluate("() => window.__pwned === undefined && document.images.length === 0")
        tab.page.screenshot(path=str(screenshot_dir() / f"hostile-tooltip-{file_name.removesuffix('.html')}.png"))
    tab.clean()


def test_search_and_filters(tab: Tab, rendered: tuple[list[ViewInfo], Path]) -> None:
    _, out = rendered
    tab.open(out / "overview.html")
    tab.page.fill("#search", "发展和改革")
    tab.page.press("#search", "Enter")
    selected = tab.page.evaluate("() => network.getSelectedNodes().length")
    assert selected == 2  # 国家发展和改革委员会, 四川省发展和改革委员会
    assert "2" in tab.page.text_content("#search-result")
    tab.page.fill("#search", "上云用数赋智")  # only in the quoted source text of task 2.2
    assert tab.page.evaluate("() => network.getSelectedNodes()") == [ID + "doc/100000/国发〔2024〕7号/part/2.2"]

    tab.page.uncheck("input[data-edge-kind='co']")
    hidden = tab.page.evaluate("() => network.body.data.edges.get({filter: e => e.hidden}).map(e => e.kind)")
    assert sorted(hidden) == ["co"] * 6
    tab.page.uncheck("input[data-node-kind='task']")
    assert tab.page.evaluate("() => network.body.data.nodes.get({filter: n => n.hidden}).length") == 4
    tab.page.check("input[data-node-kind='task']")
    assert tab.page.evaluate("() => network.body.data.nodes.get({filter: n => n.hidden}).length") == 0
    tab.page.fill("#search", "國家發改委")  # traditional characters and an abbreviation, as the CLI accepts
    tab.page.press("#search", "Enter")
    assert tab.page.evaluate("() => network.getSelectedNodes()") == [ID + "agency/100000/国家发展和改革委员会"]
    tab.clean()


def test_a_node_opens_its_own_view(tab: Tab, rendered: tuple[list[ViewInfo], Path]) -> None:
    _, out = rendered
    tab.open(out / "overview.html")
    agency = ID + "agency/100000/国家发展和改革委员会"
    point = tab.page.evaluate(f"""() => {{ const p = network.getPosition({json.dumps(agency)});
        const d = network.canvasToDOM(p); const r = document.getElementById("network").getBoundingClientRect();
        return {{x: d.x + r.left, y: d.y + r.top}}; }}""")
    tab.page.mouse.click(point["x"], point["y"])
    assert "打开“国家发展和改革委员会”的视图" in tab.page.text_content("#open")
    tab.page.mouse.dblclick(point["x"], point["y"])
    tab.page.wait_for_url("**/agency-*.html")
    assert "机构：国家发展和改革委员会" in tab.page.title()
    tab.clean()


def test_thousand_nodes_settle_and_stop(tab: Tab, tmp_path: Path) -> None:
    write_store(tmp_path / "store", synthetic_nquads())
    started = time.perf_counter()
    graph = overview_graph(load(EmbeddedStore(tmp_path / "store")))
    view = write_view(tmp_path, graph, "overview", "1,000 节点合成图", "synthetic.html")
    render_seconds = time.perf_counter() - started
    assert view.node_count == 1000

    started = time.perf_counter()
    state = tab.open(tmp_path / "synthetic.html", timeout=120)
    open_seconds = time.perf_counter() - started
    assert state["dataNodes"] == state["bodyNodes"] == 1000
    assert state["physics"] is False
    # the first frame is drawn where the reader starts (scale 0.9, top left), never at the whole graph's fit scale
    assert tab.page.evaluate("() => policykgView.firstScale") == 0.9
    # above DASHED_EDGES_MAX edges lines are solid: dashes at the fit scale cost seconds a frame
    assert view.edge_count > 1500
    assert tab.page.evaluate("() => edges.get().filter((e) => e.dashes).length") == 0
    positions = tab.page.evaluate("() => JSON.stringify(network.getPositions())")
    time.sleep(0.5)
    assert tab.page.evaluate("() => JSON.stringify(network.getPositions())") == positions  # it stopped
    tab.page.screenshot(path=str(screenshot_dir() / "synthetic-1000.png"))
    tab.clean()
    print(
        f"\n1,000 nodes / {view.edge_count} edges: render {render_seconds:.2f} s, "
        f"stabilisation {state['stabilizationMs']} ms, page open to ready {open_seconds:.2f} s"
    )
    assert state["stabilizationMs"] < 30_000


def test_every_view_of_the_corpus_build_opens_offline(tab: Tab, store, tmp_path: Path) -> None:
    """The real graph's views (overview, collaboration, lineage, documents, agencies) draw all their nodes."""
    views = render_views(store, tmp_path)
    shots = screenshot_dir()
    assert len(views) > 20
    for view in views:
        if view.kind in ("implementation", "diff", "matrix"):
            tab.page.goto((tmp_path / view.file_name).as_uri())
            rows = PLAIN_ROWS[view.kind]
            assert tab.page.locator(rows).count() == view.node_count, view.file_name
            tab.page.screenshot(path=str(shots / f"corpus-{view.file_name.removesuffix('.html')}.png"), full_page=True)
            continue
        state = tab.open(tmp_path / view.file_name)
        assert state["dataNodes"] == state["bodyNodes"] == view.node_count, view.file_name
        assert state["pwned"] is None, view.file_name
        if view.kind in ("overview", "collaboration", "lineage", "document"):
            # the first view is readable: the whole graph at scale ≥ 0.7, or its corner at 0.9 (was 0.24)
            assert tab.page.evaluate("() => network.getScale()") >= 0.7, view.file_name
            tab.page.screenshot(path=str(shots / f"corpus-{view.file_name.removesuffix('.html')}.png"))
    tab.clean()
