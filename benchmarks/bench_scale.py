"""How `licet check` grows with the size of a realistic scenario.

    python benchmarks/bench_scale.py [--sizes 10,100,1000,10000,100000] [--runs 3] [--timeout 300]

The scenarios look like users' work, not like a stress test: a commercial
service that bundles some of its Python dependencies and links the rest
(a tree, as pip installs it, with the license mix of a real ML stack of
about thirty licenses: mostly MIT, BSD and Apache, a little MPL and LGPL,
an OR choice, NVIDIA's runtime EULA, fonts under OFL), and that serves a
model fine-tuned from Llama 3.1 on a handful of datasets (one of them
CC BY-NC, one share-alike). Two assumptions of law are left open, as a
user who does not know them would leave them, and a GPL-3.0 library is
bundled once every few thousand components, so the answer has real
conflicts to explain.

Each size runs in a fresh process: the check with its full explanation,
and the verdict alone, each timed in cpu and wall seconds; the process's
peak resident memory; and the growth exponent from the size before (1.0 is
linear). Medians of --runs, with min–max. A size over --timeout is reported
as such and the larger ones are skipped.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The license mix of the Python distributions of benchmarks/ml_stack.py's
# environment (rounded), with weights per 1,000 components. Inputs to the
# benchmark, not knowledge of the engine.
LIBRARY_MIX = [
    ("MIT", 330), ("BSD-3-Clause", 190), ("Apache-2.0", 240), ("BSD-2-Clause", 40), ("PSF-2.0", 15),
    ("ISC", 20), ("MPL-2.0", 20), ("LGPL-2.1-or-later", 8), ("LGPL-3.0-only", 6), ("MIT OR Apache-2.0", 35),
    ("Apache-2.0 OR BSD-3-Clause", 12), ("Unlicense", 8), ("HPND", 8), ("Zlib", 8), ("BSL-1.0", 5), ("CC0-1.0", 5),
    ("0BSD", 4), ("Python-2.0", 4), ("MIT-CMU", 3), ("X11", 3), ("OFL-1.1", 3), ("NCSA", 3),
    ("BlueOak-1.0.0", 2), ("CNRI-Python", 2), ("LicenseRef-NVIDIA-CUDA-EULA", 8), ("GPL-2.0-or-later", 2),
    ("curl", 2), ("libpng-2.0", 2), ("bzip2-1.0.6", 2),
]
# how often a dependency is shipped inside the service (bundled) rather than installed beside it (linked)
BUNDLED_SHARE = 0.3
# one bundled GPL-3.0 library per this many components: a conflict the answer must explain
GPL_EVERY = 3000

MODEL = {
    "llama-3.1-8b": {"kind": "weights", "license": "llama3.1"},
    "oasst2": {"kind": "data", "license": "Apache-2.0"},
    "ultrachat": {"kind": "data", "license": "MIT"},
    "wiki-qa": {"kind": "data", "license": "CC-BY-SA-4.0"},
    "captions-nc": {"kind": "data", "license": "CC-BY-NC-4.0"},
    "support-model": {
        "kind": "weights",
        "derived-from": ["llama-3.1-8b"],
        "trained-on": ["oasst2", "ultrachat", "wiki-qa", "captions-nc"],
    },
}


def realistic_scenario(size: int, seed: int = 13) -> dict:
    """A service, its model lineage, and `size` components in all."""
    rng = random.Random(seed)
    licenses = [lic for lic, weight in LIBRARY_MIX for _ in range(weight)]
    components: dict[str, dict] = {"service": {"kind": "code", "license": "LicenseRef-Proprietary", "depends-on": ["support-model"]}}
    if size >= 10:
        components.update({name: dict(spec) for name, spec in MODEL.items()})
    names: list[str] = []
    for index in range(size - len(components)):
        name = f"py-{index}"
        lic = "GPL-3.0-only" if index % GPL_EVERY == GPL_EVERY // 2 else rng.choice(licenses)
        components[name] = {"kind": "code", "license": lic}
        # a direct dependency of the service, or a dependency of an earlier one
        parent = "service" if not names or rng.random() < 0.15 else rng.choice(names[-200:])
        relation = "includes" if rng.random() < BUNDLED_SHARE or lic == "GPL-3.0-only" else "depends-on"
        components[parent].setdefault(relation, []).append(name)
        names.append(name)
    return {
        "components": components,
        "use": {"target": "service", "actions": ["distribute", "serve"], "commercial": True, "purposes": ["customer-support"]},
        # left open on purpose: whether training needs the license, whether weights derive from their data
        "assume": {},
    }


CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {here!r})
from bench_scale import realistic_scenario
import licensing
size, explain = {size}, {explain}
library = licensing.load_library()
scenario = licensing.Scenario.model_validate(realistic_scenario(size))
engine = licensing.Engine(library=library, timeout_ms=24 * 3600 * 1000)
cpu, wall = time.process_time(), time.perf_counter()
verdict = engine.check(scenario, explain=explain)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"cpu": cpu, "wall": wall, "peak_mb": peak, "verdict": verdict.verdict,
                  "conflicts": len(verdict.conflicts), "obligations": len(verdict.obligations)}}))
"""


def run_once(size: int, explain: bool, timeout: float) -> dict | None:
    code = CHILD.format(here=str(HERE), size=size, explain=explain)
    try:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    if result.returncode != 0:
        raise SystemExit(f"size {size}: the check failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):8.2f} ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds one run may take")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    print(f"realistic scenario (a service, its model lineage, Python dependencies): median of {args.runs} runs, min–max")
    print(f"{'components':>10}  {'cpu s, explained':>22}  {'wall s, explained':>22}  {'cpu s, verdict only':>22}  {'peak MB':>8}  exponent  answer")
    previous: tuple[int, float] | None = None
    for size in sizes:
        full = [run_once(size, True, args.timeout) for _ in range(args.runs)]
        if any(r is None for r in full):
            print(f"{size:>10}  over {args.timeout:.0f} s: larger sizes skipped")
            break
        quick = [run_once(size, False, args.timeout) for _ in range(args.runs)]
        done = [r for r in full if r is not None]
        cpu = [r["cpu"] for r in done]
        quick_cpu = [r["cpu"] for r in quick if r is not None]
        median_cpu = statistics.median(cpu)
        exponent = ""
        if previous is not None and previous[1] > 0:
            exponent = f"{math.log(median_cpu / previous[1]) / math.log(size / previous[0]):.2f}"
        last = done[-1]
        answer = f"{last['verdict']}, {last['conflicts']} conflicts, {last['obligations']} obligations"
        quick_text = spread(quick_cpu) if quick_cpu else "over timeout"
        print(
            f"{size:>10}  {spread(cpu):>22}  {spread([r['wall'] for r in done]):>22}  {quick_text:>22}  "
            f"{max(r['peak_mb'] for r in done):8.0f}  {exponent:>8}  {answer}"
        )
        previous = (size, median_cpu)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
