"""Named queries at an earlier revision and now, side by side on one store, in one run.

Usage: .venv/bin/python bench/compare_queries.py OUT/store REV [--only a,b] [--pair OLD:NEW]

Each query is run alternately in its text at REV (`git show REV:queries/NAME.rq`) and its text now, with the same
example parameters (bench_store.example_params of the query now); the median of 3 runs each is kept for a query under
2 s, a single run otherwise. `--pair targets_due:agency_targets` compares a query at REV with another one now (the
parameters are the old one's examples). A query whose parameters changed, or that REV lacks, is skipped with a note.
Both texts are bound the way they are bound now (an empty value is UNDEF), so a query that REV tested with
`?param = ""` is compared only with non-empty examples.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_store import example_params

from policykg.graph.store import EmbeddedStore
from policykg.query import NamedQuery, load_queries, parse_query, run_named


def old_query(rev: str, name: str) -> NamedQuery | None:
    shown = subprocess.run(["git", "show", f"{rev}:queries/{name}.rq"], capture_output=True, text=True)
    return parse_query(name, shown.stdout) if shown.returncode == 0 else None


def timed(store: EmbeddedStore, query: NamedQuery, params: dict) -> tuple[float, int]:
    started = time.perf_counter()
    rows = len(run_named(store, query, params).rows)
    return (time.perf_counter() - started) * 1000, rows


def compare(store: EmbeddedStore, old: NamedQuery, new: NamedQuery, params: dict) -> str:
    if any(value == "" for value in params.values()):
        return "skipped: an empty example parameter (bound as UNDEF now)"
    old_ms, old_rows = timed(store, old, params)
    new_ms, new_rows = timed(store, new, params)
    olds, news = [old_ms], [new_ms]
    if max(old_ms, new_ms) < 2000:
        olds, news = [], []
        for _ in range(3):
            olds.append(timed(store, old, params)[0])
            news.append(timed(store, new, params)[0])
    before, after = statistics.median(olds), statistics.median(news)
    same = "" if old_rows == new_rows else f"  rows differ: {old_rows} → {new_rows}"
    return f"{before:10.1f} {after:10.1f} {before / after:8.1f}×  rows {new_rows}{same}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("store", type=Path)
    parser.add_argument("rev")
    parser.add_argument("--only", default="")
    parser.add_argument("--pair", action="append", default=[])
    args = parser.parse_args(argv)
    store = EmbeddedStore(args.store)  # in process: a worker per query would be timed too
    now = load_queries()
    names = [n for n in now if not args.only or n in args.only.split(",")]
    print(f"{'query':34} {args.rev[:10]:>10} {'now':>10} {'ratio':>9}")
    for name in names:
        old = old_query(args.rev, name)
        if old is None or set(old.params) != set(now[name].params):
            print(f"{name:34} skipped: {'not at ' + args.rev if old is None else 'its parameters changed'}")
            continue
        print(f"{name:34} {compare(store, old, now[name], example_params(now[name], store))}", flush=True)
    for pair in args.pair:
        old_name, new_name = pair.split(":")
        old = old_query(args.rev, old_name)
        assert old is not None, old_name
        params = example_params(old, store)
        label = f"{old_name} → {new_name}"
        print(f"{label:34} {compare(store, old, now[new_name], params)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
