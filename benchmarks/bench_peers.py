"""licet beside flict on the workloads both tools run, in one run: the table of issue 14.

    python benchmarks/bench_peers.py [--runs 5] [--pairs 1000] [--expressions 300]

- pairs: distinct (outbound, inbound) pairs of code licenses both tools know,
  in process: licet answers each as a matrix cell with its reason
  (`Engine.compatibility`), cold (worked out) and warm (a new engine looking up
  what the first kept: `licensing.answers`); flict looks it up in OSADL's
  matrix (`check_compat`);
- compound expressions: inbound expressions of 2 to 5 leaves joined by AND and
  OR, against one outbound license, in process (flict's `verify_outbound_inbound`);
- the matrix of every code license both know, whole process, cold and warm:
  `licet matrix --format csv` (and json, with each No's reason) against a
  flict process that asks `check_compat` for every pair (flict has no matrix
  command; its lookup is what it would do);
- start-up, whole process: `--help`; listing the licenses each knows; one small
  check (`licet check` of a three-component scenario, `flict verify -il MIT -ol MIT`).

Medians with min–max; the last column is licet's median over flict's. flict
must be installed (pip install flict); without it only licet's figures print.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# licet's caches for this run only, so that "cold" and "warm" mean what they say;
# bytecode is written (as a pip install does) even where the shell turns it off
CACHE = Path(tempfile.mkdtemp(prefix="licet-bench-cache-"))
os.environ["LICET_CACHE_DIR"] = str(CACHE)
os.environ.pop("LICET_NO_CACHE", None)
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
FLICT_MATRIX = """
import sys
from flict.flictlib.compatibility import OsadlCompatibility
compat = OsadlCompatibility()
ids = sys.argv[1:]
rows = [[compat.check_compat(o, i)["compatibility"] for i in ids] for o in ids]
print(len(rows))
"""


def spread(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    return f"{statistics.median(values) * scale:.2f} {unit} ({min(values) * scale:.2f}–{max(values) * scale:.2f})"


def per_item(work: Callable[[object], object], items: list) -> list[float]:
    times = []
    for item in items:
        start = time.perf_counter()
        work(item)
        times.append(time.perf_counter() - start)
    return times


def whole_process(command: list[str], runs: int, before: Callable[[], object] | None = None) -> list[float]:
    """Wall times of `command` run `runs` times (after one unmeasured run that
    fills the OS cache, the bytecode and licet's library cache); `before`
    runs before each, unmeasured."""
    subprocess.run(command, capture_output=True, text=True, check=False, env=ENV)
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, text=True, check=False, env=ENV)
        times.append(time.perf_counter() - start)
    return times


def beside_python(command: str) -> str | None:
    """The command installed with this Python (a "before" venv's own licet), else the one on PATH."""
    own = Path(sys.executable).parent / command
    return str(own) if own.exists() else shutil.which(command)


def forget_answers() -> None:
    """Cold runs: the matrix answers of earlier runs are thrown away (the library cache is kept)."""
    for path in CACHE.glob("answers-*.json"):
        path.unlink()


def pair_answer(engine: Any, library: Any) -> Callable[[tuple[str, str]], object]:
    """One pair's answer with its reason. An engine from before
    `Engine.compatibility` (a "before" run of this script): the cell's
    verdict, then, when it is not allowed, its explained check for the reason."""
    if hasattr(engine, "compatibility"):
        return lambda pair: engine.compatibility(*pair)
    from licensing.matrix import cell_scenario

    def answer(pair: tuple[str, str]) -> object:
        if engine.check(cell_scenario(library, *pair), explain=False).verdict != "allowed":
            return engine.check(cell_scenario(library, *pair))
        return None

    return answer


def compound(rng: random.Random, ids: list[str]) -> str:
    leaves = rng.sample(ids, rng.randint(2, 5))
    text = leaves[0]
    for leaf in leaves[1:]:
        text = f"({text} {rng.choice(['AND', 'OR'])} {leaf})"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--expressions", type=int, default=300)
    args = parser.parse_args()

    import licensing
    from licensing.matrix import cell_scenario, matrix_licenses

    engine = licensing.Engine()
    library = engine.library
    rng = random.Random(14)
    try:
        from flict.flictlib.arbiter import Arbiter
        from flict.flictlib.compatibility import OsadlCompatibility
    except ImportError:
        flict = None
        shared = matrix_licenses(library, "code")
    else:
        flict = OsadlCompatibility()
        arbiter = Arbiter()
        supported = set(flict.supported_licenses())
        shared = [lic for lic in matrix_licenses(library, "code") if lic in supported]
    print(f"{len(shared)} code licenses both tools know" if flict else "flict not installed: licet's figures only")
    rows: list[tuple[str, str, str, str]] = []

    def row(workload: str, ours: list[float], theirs: list[float] | None, unit: str = "s", scale: float = 1.0) -> None:
        ratio = f"{statistics.median(ours) / statistics.median(theirs):.2f}" if theirs else "–"
        rows.append((workload, spread(ours, unit, scale), spread(theirs, unit, scale) if theirs else "–", ratio))
        print(f"  {workload}: licet {rows[-1][1]}, flict {rows[-1][2]}, ratio {ratio}", file=sys.stderr)

    # pairs, in process: each answered with its reason, first worked out
    # (cold), then by a new engine on the same rules (warm: looked up)
    pairs = [(o, i) for o in shared for i in shared if o != i]
    rng.shuffle(pairs)
    pairs = pairs[: args.pairs]
    theirs = per_item(lambda p: flict.check_compat(*p), pairs) if flict else None
    cold_engine = licensing.Engine(library=library)
    cold = per_item(pair_answer(cold_engine, library), pairs)
    row(f"{len(pairs)} distinct license pairs with reason, in process, p50, cold", cold, theirs, "µs", 1e6)
    print(f"  (cold mean {statistics.mean(cold) * 1e3:.2f} ms)", file=sys.stderr)
    if hasattr(cold_engine, "save_answers"):
        cold_engine.save_answers()
        warm_engine = licensing.Engine(library=library)
        row(f"{len(pairs)} distinct license pairs with reason, in process, p50, warm", per_item(pair_answer(warm_engine, library), pairs),
            theirs, "µs", 1e6)
    forget_answers()

    # compound expressions against one outbound license
    outbound = "Apache-2.0"
    expressions = [compound(rng, [lic for lic in shared if lic != outbound]) for _ in range(args.expressions)]
    scenarios = [
        licensing.Scenario.model_validate(
            {
                "components": {"inbound": {"kind": "code", "license": text}, "work": {"kind": "code", "license": outbound, "derived-from": ["inbound"]}},
                "use": {"target": "work", "actions": ["modify", "distribute"], "commercial": True, "release-license": outbound},
            }
        )
        for text in expressions
    ]
    ours = per_item(lambda s: engine.check(s, explain=False), scenarios)
    theirs = per_item(lambda text: arbiter.verify_outbound_inbound([outbound], text.split()), expressions) if flict else None
    row(f"{len(expressions)} compound expressions (2-5 leaves) vs {outbound}, p50", ours, theirs, "µs", 1e6)

    # the matrix, whole process: cold (no answers kept from before) and warm
    licet = beside_python("licet") or "licet"
    matrix_runs = max(1, args.runs // 2)
    theirs = whole_process([sys.executable, "-c", FLICT_MATRIX, *shared], matrix_runs) if flict else None
    csv_command = [licet, "matrix", "--format", "csv", *shared]
    row(f"matrix of {len(shared)} code licenses, csv, cold", whole_process(csv_command, matrix_runs, forget_answers), theirs)
    row(f"matrix of {len(shared)} code licenses, csv, warm", whole_process(csv_command, matrix_runs), theirs)
    json_command = [licet, "matrix", "--format", "json", *shared]
    row(f"matrix of {len(shared)} code licenses with each No's reason (json), cold", whole_process(json_command, 1, forget_answers), None)
    row(f"matrix of {len(shared)} code licenses with each No's reason (json), warm", whole_process(json_command, matrix_runs), None)

    # start-up
    flict_bin = beside_python("flict")
    row("--help, whole process", whole_process([licet, "--help"], args.runs), whole_process([flict_bin, "--help"], args.runs) if flict_bin else None)
    row("list the licenses, whole process", whole_process([licet, "licenses"], args.runs),
        whole_process([flict_bin, "list"], args.runs) if flict_bin else None)
    row("one small check, whole process", whole_process([licet, "check", str(HERE / "three-components.yaml")], args.runs),
        whole_process([flict_bin, "verify", "-il", "MIT", "-ol", "MIT"], args.runs) if flict_bin else None)

    print(f"\n{'workload':<78} {'licet':>30} {'flict':>26} {'licet/flict':>11}")
    for workload, ours_text, theirs_text, ratio in rows:
        print(f"{workload:<78} {ours_text:>30} {theirs_text:>26} {ratio:>11}")
    shutil.rmtree(CACHE, ignore_errors=True)


if __name__ == "__main__":
    main()
