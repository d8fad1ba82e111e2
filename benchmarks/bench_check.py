"""Speed of `licet check`: CLI cold start, and in-process checks of generated trees.

Run: python benchmarks/bench_check.py [--runs N]
Prints medians. Targets (issue 2): cold start <= 0.35 s; 1,000 components <= 1 s.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# A dependency tree shaped like real Python/ML projects: mostly permissive,
# some weak copyleft, a little data and model material. These are inputs to
# the benchmark, not license knowledge of the engine.
MIX = [
    ("code", "MIT", 40),
    ("code", "BSD-3-Clause", 15),
    ("code", "Apache-2.0", 25),
    ("code", "MPL-2.0", 3),
    ("code", "LGPL-2.1-only", 2),
    ("code", "MIT OR Apache-2.0", 6),
    ("data", "CC-BY-4.0", 3),
    ("data", "CC0-1.0", 2),
    ("weights", "bigscience-openrail-m", 1),
    ("weights", "llama2", 1),
    ("data", "CC-BY-NC-4.0", 2),
]


def generated_scenario(size: int, seed: int = 7) -> dict:
    """A target that includes a tree of `size - 1` components."""
    rng = random.Random(seed)
    kinds = [(kind, lic) for kind, lic, weight in MIX for _ in range(weight)]
    components: dict[str, dict] = {"app": {"kind": "code", "includes": []}}
    names = []
    for index in range(size - 1):
        kind, lic = rng.choice(kinds)
        name = f"dep-{index}"
        components[name] = {"kind": kind, "license": lic}
        # attach to the app or to an earlier dependency, like a real tree
        parent = "app" if not names or rng.random() < 0.3 else rng.choice(names)
        relation = "trained-on" if kind == "data" and components[parent]["kind"] == "weights" else "includes"
        components[parent].setdefault(relation, []).append(name)
        names.append(name)
    return {
        "components": components,
        "use": {"target": "app", "actions": ["distribute", "serve"], "commercial": True, "purposes": ["customer-support"]},
        "assume": {"training-is-licensed-use": "no"},
    }


def median_time(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold_start(runs: int) -> float:
    script = Path(sys.executable).parent / "licet"
    command = [str(script)] if script.exists() else [shutil.which("licet") or "licet"]
    command += ["check", str(HERE / "three-components.yaml"), "--format", "json"]

    def once() -> None:
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode not in (0, 1, 3):
            raise SystemExit(f"licet failed: {result.stderr}")

    once()  # warm the OS file cache and Python's bytecode cache
    return median_time(once, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    import licensing

    library = licensing.load_library()
    print(f"licet benchmark, median of {args.runs} runs")
    print(f"cli cold start, 3 components: {cold_start(args.runs):.3f} s  (target <= 0.35 s)")
    for size in (10, 100, 1000):
        scenario = licensing.Scenario.model_validate(generated_scenario(size))
        verdict = licensing.check(scenario, library=library)
        quick = median_time(lambda s=scenario: licensing.check(s, library=library, explain=False), args.runs)
        full = median_time(lambda s=scenario: licensing.check(s, library=library), args.runs)
        print(
            f"check, {size:>4} components: {full:.3f} s with explanations, {quick:.3f} s verdict only"
            f"  -> {verdict.verdict}, {len(verdict.conflicts)} conflicts, {len(verdict.obligations)} obligations"
        )


if __name__ == "__main__":
    main()
