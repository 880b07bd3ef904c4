"""Every named query on a built store, each stopped after a deadline: the query table of bench/README.md.

Usage: .venv/bin/python bench/time_queries.py OUT/store [DEADLINE_S] [JSON]

The first run goes through a `--timeout` worker (killed at the deadline, "> N s" in the table); a query that took
under 2 s is then run 3 more times in process and its median kept, a slower one is reported from its single run.
Parameters are each query's first example (bench_store.example_params). bench_scale.py has no deadline for the
embedded store, which is why the 1,000-document table was made with this script.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_store import example_params

from policykg.graph.store import EmbeddedStore
from policykg.query import load_queries, run_named


def main(argv: list[str]) -> int:
    path, deadline = Path(argv[1]), float(argv[2]) if len(argv) > 2 else 20.0
    store, timed = EmbeddedStore(path), EmbeddedStore(path, timeout=deadline)
    found: dict[str, tuple[float | None, int | None, int]] = {}
    for name, query in load_queries().items():
        params = example_params(query, store)
        started = time.perf_counter()
        try:
            rows = len(run_named(timed, query, params).rows)
        except Exception:  # stopped at the deadline, or failed
            found[name] = (None, None, 0)
        else:
            first = time.perf_counter() - started
            times = [first]
            if first <= 2:
                times = []
                for _ in range(3):
                    started = time.perf_counter()
                    run_named(store, query, params)
                    times.append(time.perf_counter() - started)
            found[name] = (statistics.median(times) * 1000, rows, len(times))
        ms, rows_found, runs = found[name]
        shown = f"> {deadline:g} s" if ms is None else f"{ms:10.1f} ms"
        print(f"{name:32} {shown}  rows {rows_found}  runs {runs}", flush=True)
    if len(argv) > 3:
        Path(argv[3]).write_text(json.dumps(found, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
