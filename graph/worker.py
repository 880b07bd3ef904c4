"""Run one embedded query in a worker process that can be killed: pyoxigraph has no timeout or cancellation, and a
query stuck in Rust (a cartesian product) cannot be interrupted from Python, so the only way to stop it is to stop
its process. The worker (`python -m policykg.graph.worker`, only pyoxigraph imported) opens the store read-only,
runs the whole query and sends the whole table as JSON: on a timeout nothing partial ever reaches the caller.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

Rows = list[tuple[str | None, ...]]


class QueryTimeout(TimeoutError):
    """The query ran longer than its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"查询超过 {seconds:g} 秒仍未完成，已停止（不返回不完整的结果）；"
                         "可用 --timeout 调大时限，或缩小查询范围")


_ERRORS: dict[str, type[Exception]] = {"SyntaxError": SyntaxError, "ValueError": ValueError, "OSError": OSError}


def _plain(term: object) -> str | None:
    if term is None:
        return None
    value = getattr(term, "value", None)
    return str(value) if value is not None else str(term)


def solutions(store: ox.Store, query: str) -> tuple[list[str], Rows]:
    """Column names and rows of plain strings (None for unbound) of a SELECT over the union of the graphs."""
    result = store.query(query, use_default_graph_as_union=True)
    if not isinstance(result, ox.QuerySolutions):
        raise ValueError("only SELECT queries return tables")
    columns = [v.value for v in result.variables]
    return columns, [tuple(_plain(solution[c]) for c in columns) for solution in result]


def select_in_worker(path: Path, query: str, timeout: float) -> tuple[list[str], Rows]:
    """The table of `query` on the store at `path`, or QueryTimeout after `timeout` seconds (the worker is killed)."""
    request = json.dumps({"path": str(path), "query": query, "parent": os.getpid()}).encode("utf-8")
    worker = subprocess.Popen([sys.executable, "-m", "policykg.graph.worker"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = worker.communicate(request, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise QueryTimeout(timeout) from None
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    if worker.returncode != 0 or not out:
        detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"退出码 {worker.returncode}"]
        raise OSError(f"查询进程意外退出：{detail[0]}")
    answer = json.loads(out)
    if "error" in answer:
        raise _ERRORS.get(answer["error"], RuntimeError)(answer["message"])
    return answer["columns"], [tuple(row) for row in answer["rows"]]


def _die_with_parent(parent: int) -> None:
    """On Linux, ask the kernel to kill the worker when its parent dies (kill -9 included): no orphan keeps a core
    busy with a query nobody waits for."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before that
        sys.exit(1)


def main() -> None:
    """Worker side: one JSON request on stdin, one JSON answer on stdout."""
    request = json.loads(sys.stdin.buffer.read())
    _die_with_parent(request["parent"])
    try:
        columns, rows = solutions(ox.Store.read_only(request["path"]), request["query"])
        answer: dict[str, object] = {"columns": columns, "rows": rows}
    except Exception as exc:
        answer = {"error": type(exc).__name__, "message": str(exc)}
    sys.stdout.buffer.write(json.dumps(answer, ensure_ascii=False).encode("utf-8"))


if __name__ == "__main__":
    main()
