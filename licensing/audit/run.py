"""`licet audit TABLE -o findings.parquet`: the steps of an audit, on a Dask cluster.

The cluster is one the caller passes (a `distributed.Client`), an existing
one at `scheduler` (tcp://host:8786), or a `LocalCluster` of `workers`
processes (default: one per core). Workers of an existing cluster need licet
installed with the `audit` extra; they answer from the shipped rules, or from
`rules` (a folder that must exist on every worker).

The table is read by the workers part by part (`table`), the lineage found
with partitioned joins (`lineage`), the questions built and hashed by shape,
and the answers (`check`) come back to this process one partition at a time,
as they finish, and are appended to the Parquet findings file: the client
holds one partition of findings at a time, whatever the size of the Hub.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .check import (
    FINDING_COLUMNS,
    QUESTION_COLUMNS,
    AuditConfig,
    findings_partition,
    findings_schema,
    findings_table,
    question_partition,
    resolve_parent,
    worker_stats,
)
from .lineage import DEFAULT_DEPTH, LevelStats, LineageStats, ancestor_edges, canonical_rows, gathered, upstream_edges
from .table import DEFAULT_ROWS_PER_PART, AuditError, Table, card_rows, empty_rows, open_table, read_part, regrouped

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

Progress = Callable[[str, int, int], None]  # (stage, done, total)
# Object columns stay object columns (the JSON text of lists would otherwise be
# converted to Arrow strings on every step).
DASK_CONFIG = {"dataframe.convert-string": False}
PARTS_PER_WORKER = 4
CHECK_PARTS_PER_WORKER = 16  # partitions of questions per worker thread: checks vary in cost, small partitions even them out
FINE_PART = 500  # rows per part when the table is first read: parts are joined from these  # parts of the table per worker thread: enough to even out the load, few enough to keep tasks cheap


@dataclass
class AuditSummary:
    """What an audit did, for the command line, the benchmark and the tests."""

    table: str
    output: str
    rows: int
    partitions: int
    workers: int
    verdicts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # the first errors, with their row numbers
    error_count: int = 0
    lineage: LineageStats | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    worker_stats: list[dict[str, Any]] = field(default_factory=list)

    @property
    def checks(self) -> int:
        return sum(int(w.get("checks", 0)) for w in self.worker_stats)

    @property
    def memo_hits(self) -> int:
        return sum(int(w.get("memo_hits", 0)) for w in self.worker_stats)


@contextlib.contextmanager
def cluster_client(client: Any = None, scheduler: str | None = None, workers: int | None = None, *, threads_per_worker: int = 1,
                   processes: bool = True) -> Iterator[Any]:
    """A distributed client: `client` as given, one connected to `scheduler`, or a new LocalCluster's."""
    if client is not None:
        yield client
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise AuditError("licet audit runs on Dask, which is not installed", code="licet.audit.missing-dependency",
                         hint="install licet's audit extra: pip install 'licet[audit]'") from None
    if scheduler is not None:
        try:
            connected = Client(scheduler, timeout=30)
        except (OSError, TimeoutError, ValueError) as err:
            raise AuditError(f"cannot reach the Dask scheduler at {scheduler} ({type(err).__name__}: {err})", code="licet.audit.no-scheduler",
                             hint="give the address the scheduler prints (tcp://host:8786), or leave out --scheduler for a local cluster") from None
        try:
            yield connected
        finally:
            connected.close()
        return
    count = workers or os.cpu_count() or 1
    # a shuffle's start and end are logged as warnings: noise on the terminal of a local run
    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)
    import dask

    # the workers' sampling profiler walks every task's stack 100 times a second: pure overhead for an audit
    with dask.config.set({"distributed.worker.profile.enabled": False}), \
            LocalCluster(n_workers=count, threads_per_worker=threads_per_worker, processes=processes, dashboard_address=":0",
                         silence_logs=logging.ERROR) as cluster, Client(cluster) as local:
        yield local


def audit(
    table: str | Path,
    output: str | Path,
    *,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    processes: bool = True,
    threads_per_worker: int = 1,
    depth: int = DEFAULT_DEPTH,
    cards: Sequence[str | Path] = (),
    config: AuditConfig | None = None,
    rows_per_part: int | None = None,
    progress: Progress | None = None,
    on_level: Callable[[LevelStats], None] | None = None,
) -> AuditSummary:
    """Audit every repo of `table` and write the findings to `output` (Parquet)."""
    config = config or AuditConfig()
    if depth < 1:
        raise AuditError(f"the depth bound must be at least 1, not {depth}", code="licet.audit.invalid", hint="e.g. --depth 8")
    output = Path(output)
    if output.suffix.lower() not in (".parquet", ".pq"):
        raise AuditError("the findings are written as Parquet: name the output *.parquet", code="licet.audit.invalid", file=str(output),
                         hint="e.g. -o findings.parquet")
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    # the inputs are checked before a cluster is started or reached
    fine = open_table(table, rows_per_part=min(rows_per_part or FINE_PART, FINE_PART))
    local_cards = card_rows(cards) if cards else None
    with cluster_client(client, scheduler, workers, threads_per_worker=threads_per_worker, processes=processes) as dask_client:
        threads = sum(w.get("nthreads", 1) for w in dask_client.scheduler_info()["workers"].values()) or 1
        opened = regrouped(fine, rows_per_part or _rows_per_part(fine.rows, threads))
        summary = AuditSummary(table=str(table), output=str(output), rows=opened.rows, partitions=max(len(opened.parts), threads * PARTS_PER_WORKER),
                               workers=len(dask_client.scheduler_info()["workers"]))
        import dask

        npartitions = max(len(opened.parts), threads * PARTS_PER_WORKER)
        with dask.config.set(DASK_CONFIG):
            questions, lineage = plan(opened, config, depth=depth, cards=local_cards, on_level=on_level, npartitions=npartitions)
            seconds["lineage"] = time.perf_counter() - started
            # tasks, not p2p: p2p pins each output partition to a worker up front, and the checks are
            # uneven enough that idle workers must be able to take partitions from busy ones
            by_shape = questions.shuffle("shape", npartitions=threads * CHECK_PARTS_PER_WORKER, shuffle_method="tasks")
            findings = by_shape.map_partitions(findings_partition, config, meta=_meta(FINDING_COLUMNS))
            checked = time.perf_counter()
            verdicts, errors, count = _stream(dask_client, findings, output, progress)
        seconds["check"] = time.perf_counter() - checked
        summary.worker_stats = [dict(stats, worker=address) for address, stats in dask_client.run(worker_stats).items()]
    summary.lineage = lineage
    summary.verdicts = dict(verdicts)
    summary.errors = errors
    summary.error_count = count
    seconds["total"] = time.perf_counter() - started
    summary.seconds = seconds
    return summary


def plan(opened: Table, config: AuditConfig, *, depth: int = DEFAULT_DEPTH, cards: pd.DataFrame | None = None,
         on_level: Callable[[LevelStats], None] | None = None, npartitions: int | None = None) -> tuple[dd.DataFrame, LineageStats]:
    """The audit's questions, one per row of the table (a Dask frame), and the
    lineage statistics. Runs the lineage's joins on the current Dask client;
    the questions themselves are still to be computed. Call it inside
    `dask.config.set(DASK_CONFIG)`."""
    import dask.dataframe as dd

    npartitions = npartitions or max(len(opened.parts), 1)
    rows = dd.from_map(read_part, list(opened.parts), meta=empty_rows(), enforce_metadata=False)
    canon = canonical_rows(rows, cards, "line" if opened.format == "jsonl" else "row", npartitions).persist()
    edges = upstream_edges(canon, functools.partial(resolve_parent, config))
    reach, cut, lineage = ancestor_edges(edges, depth=depth, npartitions=npartitions, on_level=on_level)
    records = gathered(canon, reach, cut, npartitions)
    return records.map_partitions(question_partition, config, meta=_meta(QUESTION_COLUMNS)), lineage


def _rows_per_part(rows: int, threads: int) -> int:
    """Parts small enough that every worker thread gets several."""
    return max(FINE_PART, min(DEFAULT_ROWS_PER_PART, -(-rows // (threads * PARTS_PER_WORKER))))


def _meta(columns: dict[str, str]) -> Any:
    import pandas as pd

    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _stream(client: Any, findings: Any, output: Path, progress: Progress | None) -> tuple[Counter[str], list[str], int]:
    """Compute the findings partitions on the cluster and append each to the
    Parquet file as it arrives (written to a temporary name, then renamed)."""
    import pyarrow.parquet as pq
    from distributed import as_completed

    parts = findings.to_delayed()
    futures = client.compute(parts)
    verdicts: Counter[str] = Counter()
    errors: list[str] = []
    count = 0
    temporary = output.with_name(f".{output.name}.partial")
    output.parent.mkdir(parents=True, exist_ok=True)
    done = 0
    if progress is not None:
        progress("check", 0, len(futures))
    try:
        with pq.ParquetWriter(temporary, findings_schema()) as writer:
            for future in as_completed(futures):
                frame = future.result()
                future.release()
                writer.write_table(findings_table(frame))
                verdicts.update(frame["verdict"].tolist())
                for error in frame.loc[frame["verdict"] == "error", "error"].tolist():
                    count += 1
                    if len(errors) < 20:
                        errors.append(str(error))
                done += 1
                if progress is not None:
                    progress("check", done, len(futures))
        os.replace(temporary, output)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return verdicts, errors, count


def summary_lines(summary: AuditSummary) -> list[str]:
    """What an audit did, in a few lines for people."""
    total = sum(summary.verdicts.values())
    counts = ", ".join(f"{summary.verdicts[v]:,} {v}" for v in ("allowed", "depends", "unknown", "forbidden", "error") if summary.verdicts.get(v))
    seconds = summary.seconds.get("total", 0.0)
    lines = [f"audited {total:,} repos of {summary.table} on {summary.workers} worker(s) in {seconds:.1f} s: {counts}"]
    if summary.lineage is not None:
        deepest = max((level.depth for level in summary.lineage.levels if level.frontier), default=0)
        lines.append(f"lineage: {summary.lineage.edges:,} upstream edges, ancestors up to {deepest} levels deep (bound {summary.lineage.depth_bound})"
                     + (f", {summary.lineage.cut_repos:,} repos cut at the bound" if summary.lineage.cut_repos else ""))
    lines.append(f"checks: {summary.checks:,} distinct questions asked, {summary.memo_hits:,} answered from the memo")
    for error in summary.errors[:5]:
        lines.append(f"error: {error}")
    if summary.error_count > 5:
        lines.append(f"… and {summary.error_count - 5:,} more rows with errors (verdict 'error' in the findings)")
    lines.append(f"wrote {summary.output}")
    return lines
