"""View benchmark (issue 12, item 6): how fast a large overview opens and redraws in a real browser.

    python bench/bench_view.py [--nodes 1000,5000] [--json FILE]

For each size: a synthetic corpus-shaped graph (tests/tools/synthetic_graph.py: documents → tasks → agencies, one to
four agencies per task) whose overview has that many nodes is loaded into a store, drawn by `write_view` (the page
`policykg build` writes), and opened in Debian's headless chromium through playwright with every non-file request
blocked. Printed per size: render s (networkx + pyvis + page), page open → first frame drawn ms, the draw cost of
one frame while panning (median of 20 pans: vis-network's beforeDrawing → afterDrawing) and of one frame showing
the whole graph (zoomed out to fit), and a search over every node (typing a query, matches selected).
Needs apt chromium and the playwright package (no `playwright install`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "tools"))
from synthetic_graph import synthetic_nquads  # noqa: E402

from policykg.graph.store import EmbeddedStore, write_store  # noqa: E402
from policykg.viz.graphs import load, overview_graph  # noqa: E402
from policykg.viz.render import write_view  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PANS = 20

FRAMES = """async (pans) => {
  const costs = [];
  let began = 0;
  network.on("beforeDrawing", () => { began = performance.now(); });
  network.on("afterDrawing", () => { costs.push(performance.now() - began); });
  const start = network.getViewPosition();
  for (let i = 0; i < pans; i++) {
    network.moveTo({ position: { x: start.x + 40 * (i + 1), y: start.y + 25 * (i + 1) }, animation: false });
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  }
  network.fit({ animation: false });
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  return { pans: costs.slice(0, pans), whole: costs[costs.length - 1] };
}"""


def shape(nodes: int) -> tuple[int, int, int]:
    """Documents, tasks per document and agencies giving `nodes` overview nodes (≈ 1 agency per 20 tasks)."""
    agencies = max(20, nodes // 20)
    documents = max(1, nodes // 100)
    return documents, (nodes - agencies - documents) // documents, agencies


def measure(page: object, folder: Path, nodes: int) -> dict[str, object]:
    documents, per_document, agencies = shape(nodes)
    write_store(folder / "store", synthetic_nquads(documents, per_document, agencies))
    started = time.perf_counter()
    graph = overview_graph(load(EmbeddedStore(folder / "store")))
    view = write_view(folder, graph, "overview", f"{nodes:,} 节点合成图", "synthetic.html")
    render = time.perf_counter() - started
    opened = time.perf_counter()
    page.goto((folder / "synthetic.html").as_uri())
    page.wait_for_function("() => window.policykgView && window.policykgView.ready", timeout=600_000, polling=20)
    first_frame = (time.perf_counter() - opened) * 1000
    frames = page.evaluate(FRAMES, PANS)
    searched = time.perf_counter()
    page.fill("#search", "第7项任务")
    page.wait_for_function("() => document.getElementById('search-result').textContent !== ''", polling=10)
    search = (time.perf_counter() - searched) * 1000
    return {"nodes": view.node_count, "edges": view.edge_count, "render_s": round(render, 2),
            "page_kb": round((folder / "synthetic.html").stat().st_size / 1024),
            "first_frame_ms": round(first_frame),
            "first_scale": round(page.evaluate("() => policykgView.firstScale"), 2),
            "frame_ms_p50": round(statistics.median(frames["pans"]), 1), "frames": len(frames["pans"]),
            "whole_graph_frame_ms": round(frames["whole"]), "search_ms": round(search)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="1000,5000")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                      else route.abort())
        for size in (int(n) for n in args.nodes.split(",")):
            folder = Path(tmp) / str(size)
            folder.mkdir()
            results.append(measure(context.new_page(), folder, size))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        browser.close()
    print("\n| nodes | edges | render s | page KB | open → first frame ms | frame ms (p50 of pans) "
          "| whole-graph frame ms | search ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['nodes']:,} | {r['edges']:,} | {r['render_s']} | {r['page_kb']:,} | {r['first_frame_ms']:,} | "
              f"{r['frame_ms_p50']} | {r['whole_graph_frame_ms']:,} | {r['search_ms']} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    main()
