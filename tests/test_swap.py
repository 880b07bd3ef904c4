"""The swap has no gap and kills leave nothing behind (issue 13, item 6): a build killed with SIGKILL at each step of
the swap leaves a complete `out/` (old or new), the next build cleans up what it left, and `policykg serve` moves to
the new store after a rebuild without failing a query meanwhile."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from policykg import swap
from policykg.build import run_build
from policykg.endpoint_cli import free_port
from policykg.graph.store import RemoteStore
from policykg.proxy import GuardedEndpoint

OLD = "一、加强旧的工作。（责任单位：省民政厅）\n"
NEW = "一、完善新的制度。（责任单位：省财政厅）\n二、健全新的机制。（牵头单位：省民政厅）\n"

#: runs a build of argv[1] into argv[2] and kills itself with SIGKILL at the step named by argv[3]
CHILD = r"""
import os, signal, sys
from pathlib import Path
from policykg import build, swap

corpus, out, point = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
real_exchange, real_replace, real_rmtree = swap.exchange, os.replace, swap.shutil.rmtree

def die(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

def exchange_then_die(a, b):
    assert real_exchange(a, b)
    die()

def replace_then_die(a, b):
    real_replace(a, b)
    if Path(b).name.startswith(out.name + ".previous-"):
        die()

if point == "writing":
    build.write_dumps = die
elif point == "before-exchange":
    swap.exchange = die
elif point == "after-exchange":
    swap.exchange = exchange_then_die
elif point == "removing-old":
    swap.shutil.rmtree = lambda path, **kw: die() if ".previous-" in str(path) else real_rmtree(path, **kw)
elif point == "fallback-gap":
    swap.exchange = lambda a, b: False
    swap.os.replace = replace_then_die
build.run_build(corpus, out)
"""


def corpus(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "plan.txt").write_text(text, "utf-8")
    return folder


@pytest.fixture(scope="module")
def old_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("swap-old")
    assert not run_build(corpus(root / "old", OLD), root / "out").errors
    return root / "out"


def state(out: Path) -> str:
    """"old" or "new" when `out` is a complete build of either corpus, else what is wrong."""
    if not out.is_dir():
        return "missing"
    for name in ("kg.nq", "kg.trig", "tasks.csv", "store", "docs/index.html", "viz/index.html", "text/plan.txt"):
        if not (out / name).exists():
            return f"incomplete: no {name}"
    text = (out / "text" / "plan.txt").read_text("utf-8")
    return {OLD: "old", NEW: "new"}.get(text, "unknown")


def exchanges(folder: Path) -> bool:
    """Whether this file system exchanges folders atomically (renameat2); exchanges a and b if so."""
    a, b = folder / "a", folder / "b"
    a.mkdir(parents=True)
    b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    return swap.exchange(a, b)


def test_exchange_is_atomic(tmp_path: Path) -> None:
    if not exchanges(tmp_path):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available here: swap_in uses two renames and recovery")
    assert (tmp_path / "a" / "x").read_text() == "b" and (tmp_path / "b" / "x").read_text() == "a"


@pytest.mark.parametrize("point", ["writing", "before-exchange", "after-exchange", "removing-old", "fallback-gap"])
def test_a_kill_at_any_step_leaves_a_complete_out(point: str, old_build: Path, tmp_path: Path) -> None:
    if point in ("after-exchange", "removing-old") and not exchanges(tmp_path / "probe"):
        pytest.skip("no atomic exchange on this file system")
    out = tmp_path / "out"
    shutil.copytree(old_build, out)
    new = corpus(tmp_path / "new", NEW)
    killed = subprocess.run([sys.executable, "-c", CHILD, str(new), str(out), point], capture_output=True,
                            timeout=300)
    assert killed.returncode == -9, killed.stderr.decode()
    left = [path.name for _, _, path in swap.leftovers(out)]
    if point == "fallback-gap":  # without an atomic exchange this is the one moment out/ is missing
        assert state(out) == "missing" and left
    else:
        assert state(out) == ("new" if point in ("after-exchange", "removing-old") else "old"), left
    done = swap.recover(out)
    assert state(out) in ("old", "new") and swap.leftovers(out) == []
    assert all(line for line in done) and (point != "fallback-gap" or any("恢复" in line for line in done))


def test_the_next_build_cleans_up_and_reports_it(old_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(old_build, out)
    new = corpus(tmp_path / "new", NEW)
    killed = subprocess.run([sys.executable, "-c", CHILD, str(new), str(out), "fallback-gap"], timeout=300)
    assert killed.returncode == -9 and not out.exists()
    report = run_build(new, out)
    assert state(out) == "new" and swap.leftovers(out) == []
    assert any("恢复" in issue.message for issue in report.issues)
    assert not report.errors


def test_serve_switches_to_the_rebuilt_store_without_failing(old_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(old_build, out)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?t a <https://w3id.org/policykg/ontology#Task> }"
    said: list[str] = []
    failures: list[str] = []
    with GuardedEndpoint(out / "store", free_port(), watch_every=0.2, say=said.append) as endpoint:
        remote = RemoteStore(endpoint.query_url, timeout=20)
        before = remote.select(count).rows
        stop = threading.Event()

        def keep_asking() -> None:
            while not stop.is_set():
                try:
                    remote.select(count)
                except Exception as exc:
                    failures.append(str(exc))

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            assert not run_build(corpus(tmp_path / "new", NEW), out).errors
            deadline = time.monotonic() + 30
            while endpoint.reloads == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            stop.set()
            asker.join()
        after = remote.select(count).rows
    assert endpoint.reloads == 1 and any("新的图数据库" in line for line in said)
    assert before == [("1",)] and after == [("2",)]
    assert failures == []
    assert swap.leftovers(out) == []  # the snapshots it served from are gone too
