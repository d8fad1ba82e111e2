"""How fast `licet audit` checks a Hub: a seeded synthetic Hub (100k repos by
default) audited on a LocalCluster of 1 and 2 worker processes.

Reports, per worker count: the wall time of the audit (the cluster already
up), its lineage and check steps, repos per second and per second per core,
the peak memory (RSS) of each worker process, the distinct questions asked
and the answers taken from the memo; medians and min–max over the runs; the
speed-up from 1 to 2 workers (medians); the lineage's frontier sizes per
level (what its joins shuffle); and the planted findings' recall and
precision. It writes the numbers as JSON and the report of the last run of
the largest cluster (markdown and charts) where --report says.

    python benchmarks/bench_audit.py                          # 100k repos, 1 and 2 workers, one run each
    python benchmarks/bench_audit.py --repos 20000 --runs 3   # quicker, with spread

The machine's load average is recorded before and after each run: on a
shared machine, read the absolute times with it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("LICET_REGISTRY_CACHE", "")  # the shipped registry only: the same answers everywhere

from licensing.audit.report import write_report  # noqa: E402
from licensing.audit.run import audit, cluster_client  # noqa: E402
from licensing.audit.synthetic import generate_hub  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def one_run(table: Path, output: Path, workers: int) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    with cluster_client(workers=workers, threads_per_worker=1, processes=True) as client:  # the local cluster `licet audit --workers N` starts
        started = time.perf_counter()
        summary = audit(table, output, client=client)
        wall = time.perf_counter() - started
    rows = sum(summary.verdicts.values())
    assert summary.lineage is not None
    return {
        "workers": workers,
        "seconds": round(wall, 2),
        "lineage_seconds": round(summary.seconds["lineage"], 2),
        "check_seconds": round(summary.seconds["check"], 2),
        "repos_per_second": round(rows / wall, 1),
        "repos_per_second_per_core": round(rows / wall / workers, 1),
        "peak_rss_mb_per_worker": sorted(w["peak_rss_mb"] for w in summary.worker_stats),
        "questions_checked": summary.checks,
        "memo_hits": summary.memo_hits,
        "verdicts": summary.verdicts,
        "partitions": summary.partitions,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "lineage": {
            "edges": summary.lineage.edges,
            "edge_bytes": summary.lineage.edge_bytes,
            "levels": [vars(level) for level in summary.lineage.levels],
            "shuffled_bytes": summary.lineage.shuffled_bytes,
        },
    }


def spread(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 2), "min": round(min(values), 2), "max": round(max(values), 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 1])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--json", type=Path, default=ROOT / "docs" / "audit-100k" / "benchmark.json")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "audit-100k" / "report.md")
    args = parser.parse_args()

    started = time.perf_counter()
    hub = generate_hub(args.repos, seed=args.seed)
    folder = Path(tempfile.mkdtemp(prefix="licet-bench-audit-"))
    table = hub.write(folder / "hub.parquet")
    print(f"synthetic Hub: {len(hub.rows):,} repos, {len(hub.planted.forbidden):,} planted forbidden, "
          f"made in {time.perf_counter() - started:.1f} s ({table})", file=sys.stderr)

    runs: dict[int, list[dict[str, Any]]] = {}
    last: dict[int, Path] = {}
    for workers in args.workers:
        for index in range(args.runs):
            output = folder / f"findings-{workers}w-{index}.parquet"
            result = one_run(table, output, workers)
            runs.setdefault(workers, []).append(result)
            last[workers] = output
            print(f"{workers} worker(s), run {index + 1}: {result['seconds']} s, {result['repos_per_second_per_core']} repos/s/core, "
                  f"peak RSS {result['peak_rss_mb_per_worker']} MB, load {result['load_average']}", file=sys.stderr)

    import pyarrow.parquet as pq

    largest = max(args.workers)
    findings = pq.read_table(last[largest], columns=["repo", "verdict"]).to_pandas()
    found = set(findings.loc[findings["verdict"] == "forbidden", "repo"])
    planted = set(hub.planted.forbidden)
    out: dict[str, Any] = {
        "repos": len(hub.rows),
        "seed": args.seed,
        "cores": os.cpu_count(),
        "planted_forbidden": len(planted),
        "recall": round(len(found & planted) / len(planted), 4) if planted else None,
        "precision": round(len(found & planted) / len(found), 4) if found else None,
        "by_workers": {
            str(workers): {
                "seconds": spread([r["seconds"] for r in results]),
                "repos_per_second_per_core": spread([r["repos_per_second_per_core"] for r in results]),
                "peak_rss_mb_per_worker": spread([max(r["peak_rss_mb_per_worker"]) for r in results]),
                "runs": results,
            }
            for workers, results in runs.items()
        },
    }
    if 1 in runs and 2 in runs:
        out["speedup_1_to_2"] = round(statistics.median(r["seconds"] for r in runs[1]) / statistics.median(r["seconds"] for r in runs[2]), 2)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    report = write_report(last[largest], args.report, title=f"licet audit of a synthetic Hub of {len(hub.rows):,} repos (seed {args.seed})")

    print(f"| workers | seconds (median, min–max) | repos/s/core | peak RSS per worker (MB) | questions | memo hits |")
    print("|---|---|---|---|---|---|")
    for workers, results in runs.items():
        s = spread([r["seconds"] for r in results])
        p = spread([r["repos_per_second_per_core"] for r in results])
        m = spread([max(r["peak_rss_mb_per_worker"]) for r in results])
        print(f"| {workers} | {s['median']} ({s['min']}–{s['max']}) | {p['median']} ({p['min']}–{p['max']}) | {m['median']} ({m['min']}–{m['max']}) "
              f"| {results[-1]['questions_checked']:,} | {results[-1]['memo_hits']:,} |")
    if "speedup_1_to_2" in out:
        print(f"\nspeed-up 1 → 2 workers: {out['speedup_1_to_2']}×")
    print(f"planted forbidden: {len(planted):,}; recall {out['recall']}, precision {out['precision']}")
    print(f"wrote {args.json} and {report.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
