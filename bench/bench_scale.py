"""Scale benchmark (issue 12): generate N documents, build them, rebuild after one file changed, time the queries.

    python bench/bench_scale.py [--sizes 10,100,1000] [--json bench/scale.json] [--runs 5]

For each N: the scale generator (../shared/bench/make_scale_corpus.py, or --generator) writes N documents; `policykg
build` runs in a child process (wall, peak RSS of it and its children — HermiT's JVM included — seconds per stage,
triples, views size); one file is changed and the same output folder rebuilt (the incremental rebuild time); then
every named query is timed on the embedded store and on rdflib's in-memory Dataset, side by side (bench_store.py's
runners; rdflib skipped above --rdflib-max documents).
Performance claims in the docs come from this script only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GENERATOR = ROOT.parent / "shared" / "bench" / "make_scale_corpus.py"

CHILD = """
import json, resource, sys, time
from pathlib import Path
from policykg.build import run_build
started = time.perf_counter()
report = run_build(Path(sys.argv[1]), Path(sys.argv[2]), views=sys.argv[3] == "views", jobs=int(sys.argv[4]))
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
java = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": time.perf_counter() - started, "stages": report.stages, "triples": report.triples,
                  "documents": report.documents, "errors": len(report.errors), "rss_kib": max(own, java)}))
"""


def build(corpus: Path, out: Path, views: bool, jobs: int) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(out), "views" if views else "none",
                           str(jobs)],
                          check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def side_by_side(out: Path, runs: int, deadline: float, with_rdflib: bool) -> list[dict[str, object]]:
    """Every named query on the embedded store and (when `with_rdflib`) on rdflib's in-memory Dataset loaded from the
    same kg.nq, same text and parameters: p50 of `runs` after one warm-up; rdflib stopped after `deadline` s."""
    sys.path.insert(0, str(HERE))
    from bench_store import example_params, measure, measure_with_deadline, rdflib_runner
    from rdflib import Dataset

    from policykg.graph.store import EmbeddedStore
    from policykg.query import load_queries, run_named

    dataset = None
    if with_rdflib:
        dataset = Dataset(default_union=True)
        dataset.parse(out / "kg.nq", format="nquads")
    store = EmbeddedStore(out / "store")
    found = []
    try:
        for name, query in load_queries().items():
            params = example_params(query, store)
            entry: dict[str, object] = {"name": name, "backends": {}}
            timings = entry["backends"]
            assert isinstance(timings, dict)
            timings["embedded"] = measure(lambda q=query, p=params: len(run_named(store, q, p).rows), runs, 1, 10)
            if dataset is not None:
                timings["rdflib"] = measure_with_deadline(rdflib_runner(dataset, query, params), runs, 1, 10,
                                                          deadline)
            found.append(entry)
            print(f"  {name}", file=sys.stderr)
    finally:
        store.close()
    return [{**e, "backends": {k: asdict(v) for k, v in e["backends"].items()}} for e in found]


def one_size(n: int, work: Path, args: argparse.Namespace) -> dict[str, object]:
    corpus, out = work / f"c{n}", work / f"out{n}"
    shutil.rmtree(corpus, ignore_errors=True)
    subprocess.run([sys.executable, str(args.generator), str(ROOT / "corpus"), str(corpus), str(n)], check=True)
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(out.with_name(f".{out.name}.cache"), ignore_errors=True)
    first = build(corpus, out, args.views, args.jobs)
    changed = sorted(corpus.glob("*.txt"))[0]
    changed.write_text(changed.read_text("utf-8") + "\n（本文件于基准测试中修改。）\n", "utf-8")
    again = build(corpus, out, args.views, args.jobs)
    result: dict[str, object] = {"documents": n, "build": first, "rebuild": again, "views_bytes": size_of(out / "viz")}
    if args.runs:
        result["queries"] = side_by_side(out, args.runs, args.rdflib_deadline, n <= args.rdflib_max)
    return result


def p50(entry: dict[str, object], backend: str) -> float | None:
    timing = entry["backends"].get(backend) if isinstance(entry.get("backends"), dict) else None
    return timing.get("median_ms") if isinstance(timing, dict) else None


def print_table(results: list[dict[str, object]]) -> None:
    print(f"{'docs':>5} {'wall s':>8} {'RSS MiB':>8} {'triples':>9} {'triples/s':>10} {'rebuild s':>10} "
          f"{'views MB':>9}  stages (s)")
    for r in results:
        b, again = r["build"], r["rebuild"]
        stages = " ".join(f"{k} {v:.1f}" for k, v in b["stages"].items())
        print(f"{r['documents']:>5} {b['wall']:8.1f} {b['rss_kib'] / 1024:8.0f} {b['triples']:>9} "
              f"{b['triples'] / b['wall']:10.0f} {again['wall']:10.1f} {r['views_bytes'] / 1e6:9.1f}  {stages}")
    for r in results:
        if "queries" not in r:
            continue
        print(f"\nqueries at {r['documents']} documents (p50 ms)")
        print(f"{'query':28} {'embedded':>9} {'rdflib':>10} {'ratio':>7}")
        for q in r["queries"]:
            emb, rdf = p50(q, "embedded"), p50(q, "rdflib")
            ratio = f"{rdf / emb:7.1f}" if emb and rdf else "      —"
            rdf_text = f"{rdf:10.1f}" if rdf is not None else "   timeout"
            print(f"{q['name']:28} {emb or 0:9.1f} {rdf_text} {ratio}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="document counts (default: 10,100,1000)")
    parser.add_argument("--generator", type=Path, default=GENERATOR, help="make_scale_corpus.py")
    parser.add_argument("--work", type=Path, help="folder for corpora and outputs (default: a temporary one)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query and engine; 0 skips queries")
    parser.add_argument("--rdflib-deadline", type=float, default=60.0, help="stop rdflib on a query after this")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="build --jobs (default: all cores)")
    parser.add_argument("--rdflib-max", type=int, default=300,
                        help="above this many documents, time the embedded store only (default: 300)")
    parser.add_argument("--no-views", dest="views", action="store_false", help="build without the HTML views")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args(argv)
    if not args.generator.is_file():
        print(f"error: no scale generator at {args.generator}; pass --generator", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="policykg-scale-"))
    results = []
    for n in (int(x) for x in args.sizes.split(",")):
        started = time.perf_counter()
        results.append(one_size(n, work, args))
        print(f"  {n} documents measured in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    machine = {"jobs": args.jobs, "python": platform.python_version(), "cpus": os.cpu_count(),
               "machine": platform.machine(),
               "memory_kib": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 1024,
               "self_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "results": results}, ensure_ascii=False, indent=1)
                             + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
