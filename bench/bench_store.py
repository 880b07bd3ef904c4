"""Measure, in one run, what the store choices cost: loading kg.nq into pyoxigraph vs rdflib, and each named
query's latency on the embedded pyoxigraph store, over HTTP on the oxigraph server, and on rdflib's in-memory
Dataset (same query text, same bound parameters). Performance claims in the docs come from this script only.

    python bench/bench_store.py [--out out] [--runs 20] [--json bench/results.json]

Needs a build (`make run`). The store under test is a fresh copy loaded from out/kg.nq in a temporary folder, so a
rebuild running meanwhile does not disturb the numbers.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from policykg.endpoint_cli import OxigraphServer, free_port
from policykg.graph.store import EmbeddedStore, GraphStore, ParamValue, RemoteStore, inject_values
from policykg.query import NamedQuery, load_queries, run_named


@dataclass
class Timing:
    """Median wall time of the runs made, in milliseconds, and how many runs that was."""

    median_ms: float
    runs: int
    rows: int | None = None
    error: str | None = None


@dataclass
class QueryResult:
    name: str
    params: dict[str, ParamValue]
    backends: dict[str, Timing] = field(default_factory=dict)


def measure(action: Callable[[], int | None], runs: int, warmup: int, budget_s: float) -> Timing:
    """Median of up to `runs` timed calls after `warmup` untimed ones (the first call counts as one). Slow queries
    get fewer runs to stay within `budget_s`, and one taking longer than the whole budget is reported from its
    first call alone; the table says how many runs each number is from."""
    try:
        started = time.perf_counter()
        rows = action()
        first = time.perf_counter() - started
        if first >= budget_s:
            return Timing(first * 1000, 1, rows)
        for _ in range(max(0, warmup - 1)):
            action()
        planned = min(runs, max(1, int(budget_s // max(first, 1e-9))))
        times = []
        for _ in range(planned):
            started = time.perf_counter()
            action()
            times.append(time.perf_counter() - started)
        return Timing(statistics.median(times) * 1000, len(times), rows)
    except Exception as exc:  # a backend that cannot run a query is reported, not fatal
        return Timing(float("nan"), 0, None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}")


def example_params(query: NamedQuery, store: GraphStore) -> dict[str, ParamValue]:
    """One ordinary value per parameter, read from the query header: its first example, a year, or a real IRI."""
    params: dict[str, ParamValue] = {}
    for name, description in query.params.items():
        text = description.lower()
        if "iri" in text.split():
            predicate = "agent" if "agenc" in text else "hasResponsibility"
            pattern = "?r pkg:agent ?x" if predicate == "agent" else "?x pkg:hasResponsibility ?r"
            rows = store.select("PREFIX pkg: <https://w3id.org/policykg/ontology#> SELECT ?x (COUNT(*) AS ?n) "
                                f"WHERE {{ {pattern} }} GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 1").rows
            params[name] = (rows[0][0] or "") if rows else ""
        elif "integer" in text or "year" in text:
            years = re.findall(r"\b(\d{4})\b", description)
            params[name] = int(years[0]) if years else 2025
        else:
            examples = re.findall(r"e\.g\.\s*([^\s,;，；)]+)", description)
            groups = re.findall(r"[(（]([^)）]*)[)）]", description)
            examples += [part.strip() for group in groups for part in re.split(r"[,，、]", group)]
            params[name] = next((e for e in examples if e), "")
    return params


def rdflib_runner(dataset: Dataset, query: NamedQuery, params: dict[str, ParamValue]) -> Callable[[], int]:
    text = inject_values(query.text, {f"param_{k}": v for k, v in params.items()})
    return lambda: len(list(dataset.query(text)))


def measure_with_deadline(action: Callable[[], int | None], runs: int, warmup: int, budget_s: float,
                          deadline_s: float) -> Timing:
    """`measure` in a forked child that is stopped after `deadline_s`: rdflib took 15 minutes on one query, and a
    thread cannot be stopped. (The child shares the loaded Dataset copy-on-write.)"""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)

    def child() -> None:
        sending.send(measure(action, runs, warmup, budget_s))

    worker = context.Process(target=child, daemon=True)
    worker.start()
    if receiving.poll(deadline_s):
        timing = receiving.recv()
        worker.join()
        return timing
    worker.terminate()
    worker.join()
    return Timing(float("nan"), 0, None, f"stopped after {deadline_s:g} s")


def load_times(nquads: Path, store_dir: Path, repeats: int) -> tuple[dict[str, Timing], Dataset]:
    """Load kg.nq `repeats` times per loader; keep the last on-disk store and rdflib Dataset for the queries."""
    loads: dict[str, list[float]] = {"pyoxigraph (memory)": [], "pyoxigraph (disk)": [], "rdflib Dataset": []}
    dataset = Dataset(default_union=True)
    for n in range(repeats):
        started = time.perf_counter()
        memory = ox.Store()
        memory.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        loads["pyoxigraph (memory)"].append(time.perf_counter() - started)
        del memory

        target = store_dir / f"run{n}"
        started = time.perf_counter()
        disk = ox.Store(str(target))
        disk.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        disk.flush()
        loads["pyoxigraph (disk)"].append(time.perf_counter() - started)
        del disk

        started = time.perf_counter()
        dataset = Dataset(default_union=True)
        dataset.parse(str(nquads), format="nquads")
        loads["rdflib Dataset"].append(time.perf_counter() - started)
    return {name: Timing(statistics.median(v) * 1000, len(v)) for name, v in loads.items()}, dataset


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="example: python bench/bench_store.py --runs 30 --json bench/results.json")
    parser.add_argument("--out", type=Path, default=Path("out"), help="build output holding kg.nq (default: out)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query and backend (default: 20)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (default: 2)")
    parser.add_argument("--loads", type=int, default=5, help="repeats of each load (default: 5)")
    parser.add_argument("--budget", type=float, default=10.0,
                        help="seconds allowed per query and backend; slower queries get fewer runs (default: 10)")
    parser.add_argument("--rdflib-deadline", type=float, default=60.0,
                        help="stop rdflib on a query after this many seconds (default: 60)")
    parser.add_argument("--only", help="comma-separated query names to run (default: all)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)

    nquads = args.out / "kg.nq"
    if not nquads.is_file():
        print(f"error: no {nquads}: run `make run` (or `policykg build`) first, or pass --out DIR", file=sys.stderr)
        return 2
    queries = load_queries()
    if args.only:
        wanted = [n.strip() for n in args.only.split(",")]
        unknown = [n for n in wanted if n not in queries]
        if unknown:
            print(f"error: no query named {', '.join(unknown)}; known: {', '.join(queries)}", file=sys.stderr)
            return 2
        queries = {n: queries[n] for n in wanted}

    with tempfile.TemporaryDirectory(prefix="policykg-bench-") as tmp:
        loads, dataset = load_times(nquads, Path(tmp), args.loads)
        store_path = Path(tmp) / f"run{args.loads - 1}"
        triples = len(dataset)
        embedded = EmbeddedStore(store_path)
        results: list[QueryResult] = []
        with OxigraphServer(store_path, free_port()) as server:
            remote = RemoteStore(server.query_url, timeout=600)
            for name, query in queries.items():
                params = example_params(query, embedded)
                result = QueryResult(name, params)
                backends: dict[str, Callable[[], int]] = {
                    "embedded": lambda q=query, p=params: len(run_named(embedded, q, p).rows),
                    "http": lambda q=query, p=params: len(run_named(remote, q, p).rows),
                    "rdflib": rdflib_runner(dataset, query, params),
                }
                for backend, action in backends.items():
                    if backend == "rdflib":
                        result.backends[backend] = measure_with_deadline(action, args.runs, args.warmup,
                                                                         args.budget, args.rdflib_deadline)
                    else:
                        result.backends[backend] = measure(action, args.runs, args.warmup, args.budget)
                results.append(result)
                print(f"  measured {name}", file=sys.stderr)
        embedded.close()

    report(loads, results, triples, args)
    if args.json:
        args.json.write_text(json.dumps({
            "environment": environment(triples),
            "loads": {k: asdict(v) for k, v in loads.items()},
            "queries": [asdict(r) for r in results],
        }, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


def environment(triples: int) -> dict[str, object]:
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "pyoxigraph": version("pyoxigraph"),
        "oxigraph server": version("oxigraph"),
        "rdflib": version("rdflib"),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "triples": triples,
    }


def report(loads: dict[str, Timing], results: list[QueryResult], triples: int, args: argparse.Namespace) -> None:
    env = environment(triples)
    print("policykg store benchmark — " + ", ".join(f"{k} {v}" for k, v in env.items()))
    print(f"queries: median of up to {args.runs} runs after {args.warmup} warm-up runs; loads: median of "
          f"{args.loads}\n")
    base = loads["pyoxigraph (memory)"].median_ms
    print(f"{'load kg.nq into':24} {'ms':>10} {'× pyoxigraph (memory)':>22}")
    for name, timing in loads.items():
        print(f"{name:24} {timing.median_ms:10.1f} {timing.median_ms / base:22.1f}")
    print()
    header = (f"{'query':28} {'rows':>5} {'embedded ms':>12} {'http ms':>10} {'rdflib ms':>10} "
              f"{'http/emb':>9} {'rdflib/emb':>11}  notes")
    print(header)
    print("-" * len(header))
    http_ratios, rdflib_ratios = [], []
    for result in results:
        emb, http, rdf = (result.backends[k] for k in ("embedded", "http", "rdflib"))
        notes = []
        for key, timing in result.backends.items():
            if timing.error:
                notes.append(f"{key}: {timing.error}")
            elif timing.runs < args.runs:
                notes.append(f"{key}: {timing.runs} run{'s' if timing.runs > 1 else ''}")
        rows = {t.rows for t in result.backends.values() if t.error is None}
        if len(rows) > 1:
            notes.append(f"row counts differ: {', '.join(f'{k} {t.rows}' for k, t in result.backends.items())}")
        http_ratio = http.median_ms / emb.median_ms if emb.median_ms else float("nan")
        rdflib_ratio = rdf.median_ms / emb.median_ms if emb.median_ms else float("nan")
        if not (emb.error or http.error):
            http_ratios.append(http_ratio)
        if not (emb.error or rdf.error):
            rdflib_ratios.append(rdflib_ratio)
        print(f"{result.name:28} {emb.rows if emb.rows is not None else '—':>5} {emb.median_ms:12.1f} "
              f"{http.median_ms:10.1f} {rdf.median_ms:10.1f} {http_ratio:9.2f} {rdflib_ratio:11.1f}  "
              f"{'; '.join(notes)}")
    if http_ratios and rdflib_ratios:
        print(f"\nmedian over queries: http/embedded {statistics.median(http_ratios):.2f}×, "
              f"rdflib/embedded {statistics.median(rdflib_ratios):.1f}×")


if __name__ == "__main__":
    sys.exit(main())
