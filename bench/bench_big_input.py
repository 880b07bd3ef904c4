"""Build one big generated source file and print the wall time of every build step and the peak memory.

    python bench/bench_big_input.py [--size 20] [--single-line] [--json bench/big_input.json]

The file repeats the bundled 001 plan (a real 实施方案 with tasks, units and targets) up to --size MB (MiB, just
under the default --max-file-size of 20), with its line breaks or (--single-line) without any. The build runs in a
child process so that the numbers are its own: wall time per step from the build's progress callback, peak RSS of
the Python process (ru_maxrss) and of its largest child process (HermiT's JVM, or a fork of the build
that still counts the parent's pages). Not a unit test: a 20 MB build takes long.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = next((ROOT / "corpus").glob("001_*.txt"))


def generate(path: Path, megabytes: float, single_line: bool) -> int:
    """Write a file of at most `megabytes` MiB of the 001 plan repeated; return its size in bytes."""
    unit = SOURCE.read_text("utf-8")
    if single_line:
        unit = unit.replace("\r", "").replace("\n", "")
    limit = int(megabytes * 1024 * 1024)
    copies = max(1, limit // len(unit.encode("utf-8")))
    data = (unit * copies).encode("utf-8")
    path.write_bytes(data)
    return len(data)


def child(corpus: Path, out: Path) -> None:
    """Run the build here and print one JSON line: steps (name, seconds since start), counts, peak RSS."""
    from policykg.build import run_build

    started = time.perf_counter()
    steps: list[tuple[str, float]] = [("reading, extracting, emitting", 0.0)]

    def progress(name: str, n: int, total: int) -> None:
        if not total:
            steps.append((name, time.perf_counter() - started))
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            print(f"  [{steps[-1][1]:7.1f} s, peak {rss} MB so far] {name}", file=sys.stderr, flush=True)

    report = run_build(corpus, out, progress=progress, max_file_size=10**12)
    steps.append(("done", time.perf_counter() - started))
    print(json.dumps({
        "steps": [(name, round(end - begin, 1)) for (name, begin), (_, end) in pairwise(steps)],
        "seconds": round(time.perf_counter() - started, 1),
        "tasks": report.tasks, "responsibilities": report.responsibilities, "triples": report.triples,
        "errors": [str(e) for e in report.errors],
        "warnings": [str(w)[:200] for w in report.issues if w.severity == "warning"][:5],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "peak_child_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
    }, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=float, default=19.9, help="MiB of text (default 19.9, under the 20 MB limit)")
    parser.add_argument("--single-line", action="store_true", help="no line breaks at all")
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="policykg-bench-big-") as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        size = generate(corpus / "big.txt", args.size, args.single_line)
        print(f"input: {size / 1024 / 1024:.1f} MiB, {'one line' if args.single_line else 'with line breaks'}",
              flush=True)
        started = time.perf_counter()
        run = subprocess.run([sys.executable, __file__, "--child", str(corpus), str(Path(folder) / "out")],
                             stdout=subprocess.PIPE, text=True)  # the child's progress goes straight to stderr
        wall = time.perf_counter() - started
    if run.returncode != 0 or not run.stdout.strip():
        print(f"the build failed (exit {run.returncode}) after {wall:.0f} s")
        sys.exit(1)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result.update(input_bytes=size, wall_seconds=round(wall, 1), single_line=args.single_line)
    for name, seconds in result["steps"]:
        print(f"  {name:<34} {seconds:8.1f} s")
    ratio = result["peak_rss_mb"] / (size / 1024 / 1024)
    print(f"wall time {wall:.1f} s; peak RSS {result['peak_rss_mb']} MB (python, {ratio:.0f}× the input), "
          f"{result['peak_child_rss_mb']} MB (largest child process: the JVM, or a fork that still counts the "
          f"parent's pages); {result['tasks']} tasks, {result['triples']} triples; errors {len(result['errors'])}")
    for warning in result["warnings"]:
        print(f"  warning: {warning}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
