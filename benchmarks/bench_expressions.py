"""Large license expressions: time and peak memory of one check.

    python benchmarks/bench_expressions.py [--runs N]

Two shapes real SBOMs produce (issue 10, hole 10):
- eight copies of a compound expression joined by AND (a vendored package
  that lists each bundled file's licenses): 8 x 5 leaves over different ids,
  6^8 = 1.7 million ways to comply if expanded into options;
- a 512-leaf expression, ANDs and ORs alternating in a balanced tree over 16
  real license ids (2^256 ways to comply if expanded).
Each is the license of a library bundled in an application that is
distributed commercially, with the release license left to licet. Each run
is a fresh process (the engine's cost, not a warm cache), timed as a whole;
peak memory is the child's maximum resident set. Target: within 10 s and
500 MB each. flict is run on the same expression when installed.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time

IDS = [
    "MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "ISC", "Zlib", "MPL-2.0", "LGPL-2.1-or-later",
    "LGPL-3.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "CC0-1.0", "Unlicense", "PSF-2.0", "BSL-1.0", "CC-BY-4.0",
]


def compound_copies(copies: int = 8) -> str:
    """Eight compound expressions over different ids (identical copies would
    collapse: A AND A is A), so none can be simplified away."""
    parts = []
    for copy in range(copies):
        a, b, c, d, e = (IDS[(copy * 5 + i) % len(IDS)] for i in range(5))
        parts.append(f"(({a} OR {b}) AND ({c} OR {d} OR {e}))")
    return " AND ".join(parts)


def balanced(leaves: int = 512) -> str:
    parts = [IDS[i % len(IDS)] for i in range(leaves)]
    operator = "OR"
    while len(parts) > 1:
        parts = [f"({parts[i]} {operator} {parts[i + 1]})" for i in range(0, len(parts), 2)]
        operator = "AND" if operator == "OR" else "OR"
    return parts[0]


def scenario(expression: str) -> dict:
    return {
        "components": {"vendored": {"kind": "code", "license": expression}, "app": {"kind": "code", "includes": ["vendored"]}},
        "use": {"target": "app", "actions": ["distribute"], "commercial": True},
    }


CHILD = """
import json, resource, sys, time
started = time.perf_counter()
import licensing
verdict = licensing.check(json.loads(sys.stdin.read()), timeout_ms=60_000)
print(json.dumps({"verdict": verdict.verdict, "seconds": time.perf_counter() - started,
                  "choices": [c.chosen for c in verdict.choices][:1],
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_licet(expression: str) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(scenario(expression)), capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    result = json.loads(done.stdout)
    result["wall"] = wall
    return result


def run_flict(expression: str) -> float | None:
    if shutil.which("flict") is None:
        return None
    started = time.perf_counter()
    subprocess.run(["flict", "verify", "-il", expression, "-ol", "MIT"], capture_output=True, text=True, timeout=600)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    shapes = {"8 x compound (40 leaves)": compound_copies(), "balanced AND/OR, 512 leaves": balanced()}
    for label, expression in shapes.items():
        runs = [run_licet(expression) for _ in range(args.runs)]
        walls = [r["wall"] for r in runs]
        peaks = [r["peak_mb"] for r in runs]
        print(f"{label}: verdict {runs[0]['verdict']}; chosen {runs[0]['choices'][0][:60] if runs[0]['choices'] else '-'}…")
        print(f"  licet whole process: median {statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f}); "
              f"peak memory median {statistics.median(peaks):.0f} MB (max {max(peaks):.0f}); target 10 s, 500 MB")
        flict = [run_flict(expression) for _ in range(args.runs)]
        if flict[0] is None:
            print("  flict: not installed (pip install flict to compare)")
        else:
            times = [f for f in flict if f is not None]
            print(f"  flict: median {statistics.median(times):.2f} s; licet/flict = {statistics.median(walls) / statistics.median(times):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
