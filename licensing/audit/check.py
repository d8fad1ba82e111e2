"""Checks on the workers: each repo becomes a licet question, answered once per shape.

The question for a repo is a scenario with the repo as target, distributed
and served (`AUDIT_ACTIONS`) under the license it declares, and its ancestor
subgraph as components: base models `derived-from` (whatever the Hub's
relation: fine-tune, adapter, merge, quantization), datasets `trained-on`.
When the declared license is one license licet can release under, it is the
question's `release-license`; a list, an expression or a family is the
target's own license instead; no license leaves the release to the solver.
An upstream with no license, a license licet cannot read, or none found
anywhere carries the library's fallback license (terms nobody knows), as
`licet scan` does, so such a repo is never `allowed`.

The question's *shape* is the scenario with its components renamed in a
canonical order (`n0` the repo, then its ancestors breadth-first, parents
ordered by relation and by a digest of their own ancestry), so two repos with
the same declared license and the same ancestor licenses and relations ask
the same question. Each worker process keeps one `Engine` (built on first
use) and a memo from shape to answer; the answer, renamed back to the
repo's real ids, is exactly what an uncached check of the shape gives (the
tests compare the two). The run shuffles the questions by shape first, so a
shape is asked on one worker only.

A row that cannot be read, or whose check fails, becomes a finding with
verdict `error` and the reason: never a lost partition.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import traceback
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..engine import DEFAULT_TIMEOUT_MS, Engine
from ..errors import LicetError
from ..repo.registry import HubEntry, MirrorMatch, Registry, load_registry
from ..verdict import Verdict
from .lineage import DERIVED, TRAINED, Node, RepoLineage
from .table import relation_known

if TYPE_CHECKING:
    import pandas as pd

# The audited use: the repo published on the Hub (distributed) and served
# (an inference endpoint, a Space), under the license it declares.
AUDIT_ACTIONS = ("distribute", "serve")
# licet's component kind for each Hub namespace
KIND_OF = {"model": "weights", "dataset": "data"}
BEYOND = "(beyond the depth bound)"
MEMO_SIZE = 200_000  # answers a worker keeps; past it the oldest go

QUESTION_COLUMNS: dict[str, str] = {
    "row": "int64", "repo": "object", "kind": "object", "relation": "object", "declared": "object", "license": "object",
    "downloads": "float64", "last_modified": "object", "upstream_licenses": "object", "ancestors": "int64", "depth": "int64",
    "unresolved": "object", "cycle": "object", "depth_cut": "bool", "notes": "object", "error": "object",
    "shape": "object", "question": "object", "names": "object",
}
FINDING_COLUMNS: dict[str, str] = {
    "row": "int64", "repo": "object", "kind": "object", "relation": "object", "declared": "object", "license": "object",
    "verdict": "object", "conflicts": "object", "drops_upstream": "bool", "path": "object", "depends_on": "object",
    "release_license": "object", "upstream_licenses": "object", "ancestors": "int64", "depth": "int64", "unresolved": "object",
    "cycle": "object", "depth_cut": "bool", "downloads": "float64", "last_modified": "object", "shape": "object",
    "notes": "object", "error": "object",
}
# the findings columns that hold JSON lists inside the pipeline (nested types in the Parquet file)
LIST_COLUMNS = ("conflicts", "path", "depends_on", "upstream_licenses", "unresolved", "cycle", "notes")


@dataclass(frozen=True)
class AuditConfig:
    """What every worker needs to build its engine: sent with the tasks."""

    rules: str | None = None
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    memo: bool = True


@dataclass(frozen=True)
class ReadLicense:
    """A declared license list, read against the library."""

    expression: str  # a licet expression; unreadable items as the fallback license
    single: str | None  # the canonical id when it is exactly one license
    leaves: tuple[str, ...]  # the licenses named (canonical ids)
    unreadable: tuple[str, ...]  # items licet cannot read, as written


@dataclass(frozen=True)
class ConflictPart:
    """One clause of one conflict of an answer, in the question's canonical names."""

    conflict: int
    license: str
    clause: str
    section: str
    component: str
    path: tuple[str, ...]
    when: tuple[str, ...]  # the open-question values the conflict needs (empty: it always holds)
    release: bool  # the conflict involves the release license


@dataclass(frozen=True)
class Answer:
    verdict: str
    conflicts: tuple[ConflictPart, ...]
    depends_on: tuple[str, ...]
    release_license: str | None


@dataclass
class WorkerState:
    """One worker process's engine, registry and memo."""

    engine: Engine
    registry: Registry
    memo: OrderedDict[str, Answer] = field(default_factory=OrderedDict)
    reads: dict[tuple[str, ...], ReadLicense] = field(default_factory=dict)
    resolved: dict[tuple[str, str], tuple[str | None, str]] = field(default_factory=dict)
    stats: Counter[str] = field(default_factory=Counter)

    @property
    def fallback(self) -> str | None:
        return self.engine.library.fallback

    def read(self, items: tuple[str, ...]) -> ReadLicense:
        found = self.reads.get(items)
        if found is None:
            found = self.reads[items] = read_license(self, items)
        return found

    def resolve(self, kind: str, repo_id: str) -> tuple[str | None, str]:
        """A parent not in the table, looked up in the registry: (licenses JSON, status)."""
        key = (kind, repo_id.lower())
        found = self.resolved.get(key)
        if found is None:
            entry = self.registry.resolve(repo_id, KIND_OF.get(kind, kind), mirrors=kind == "model")
            if isinstance(entry, HubEntry):
                found = (json.dumps([entry.license]), "registry")
            elif isinstance(entry, MirrorMatch):
                found = (json.dumps([entry.upstream.license]), "registry-mirror")
            else:
                found = (None, "missing")
            self.resolved[key] = found
        return found

    def answer(self, shape: str, question: str, *, memo: bool = True) -> Answer:
        if memo:
            found = self.memo.get(question)
            if found is not None:
                self.stats["memo_hits"] += 1
                return found
        started = time.perf_counter()
        verdict = self.engine.check(json.loads(question), explain=True)
        self.stats["check_ms"] += round((time.perf_counter() - started) * 1000)
        self.stats["checks"] += 1
        answer = answer_of(verdict)
        if memo:
            self.memo[question] = answer
            while len(self.memo) > MEMO_SIZE:
                self.memo.popitem(last=False)
        return answer


_STATES: dict[AuditConfig, WorkerState] = {}
_LOCK = threading.Lock()


def worker_state(config: AuditConfig) -> WorkerState:
    """This process's state for `config`, built on first use (once per worker process)."""
    with _LOCK:
        state = _STATES.get(config)
        if state is None:
            engine = Engine(config.rules, timeout_ms=config.timeout_ms)
            state = _STATES[config] = WorkerState(engine, load_registry(engine.library))
            state.stats["engines_built"] += 1
    return state


def worker_stats() -> dict[str, Any]:
    """This worker process's counters and peak memory (for `Client.run`)."""
    import resource

    totals: Counter[str] = Counter()
    for state in _STATES.values():
        totals.update(state.stats)
        totals["memo_entries"] += len(state.memo)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"pid": os.getpid(), "peak_rss_mb": round(peak_kb / 1024, 1), **totals}


def read_license(state: WorkerState, items: tuple[str, ...]) -> ReadLicense:
    library = state.engine.library
    parts: list[str] = []
    leaves: list[str] = []
    unreadable: list[str] = []
    for item in items:
        try:
            expression = library.parse_expression(item)
        except LicetError:
            unreadable.append(item)
            if state.fallback is not None:
                parts.append(state.fallback)
                leaves.append(state.fallback)
            continue
        single = expression.single
        parts.append(single.license if single is not None and single.exception is None else expression.text.strip())
        leaves += [leaf.license for leaf in expression.leaves]
    parts = list(dict.fromkeys(parts))
    text = " AND ".join(f"({p})" if " " in p and len(parts) > 1 else p for p in parts)
    one = parts[0] if len(parts) == 1 and " " not in parts[0] and not unreadable else None
    return ReadLicense(text, one, tuple(dict.fromkeys(leaves)), tuple(unreadable))


def answer_of(verdict: Verdict) -> Answer:
    parts = []
    for index, conflict in enumerate(verdict.conflicts):
        release = any(fact.kind == "release" for fact in conflict.fact_refs)
        for clause in conflict.clauses:
            parts.append(ConflictPart(index, clause.license, clause.clause, clause.section, clause.component, tuple(clause.path),
                                      tuple(conflict.assumptions), release))
    return Answer(verdict.verdict, tuple(parts), tuple(d.assumption for d in verdict.depends_on), verdict.release_license)


# ---------------------------------------------------------------- questions


@dataclass(frozen=True)
class Question:
    shape: str  # a digest of `question`
    question: str  # the canonical scenario, JSON
    names: tuple[str, ...]  # the real id of each canonical component n0, n1, …


def build_question(lineage: RepoLineage, state: WorkerState) -> tuple[Question, ReadLicense | None]:
    """The canonical scenario of a repo's lineage (cycles already broken by `acyclic_parents`)."""
    parents = lineage.acyclic_parents()
    nodes = dict(lineage.nodes)
    if lineage.cut:
        nodes[BEYOND] = Node(BEYOND, BEYOND, None, "missing")
        for key in sorted(lineage.cut):
            parents.setdefault(key, []).append((DERIVED, BEYOND))
    target = nodes[lineage.target]
    declared = state.read(target.licenses) if target.licenses else None

    labels: dict[str, tuple[str, str | None]] = {}
    for key, node in nodes.items():
        if key == lineage.target:
            own = None if declared is None or declared.single in state.engine.library.release_domain else declared.expression
            labels[key] = ("target:" + KIND_OF.get(node.kind, "weights"), own)
        else:
            read = state.read(node.licenses) if node.licenses and node.status not in ("missing", "invalid-id") else None
            labels[key] = (KIND_OF.get(node.kind, "weights"), read.expression if read is not None else state.fallback)

    signatures: dict[str, str] = {}

    def signature(key: str) -> str:
        found = signatures.get(key)
        if found is None:
            kind, text = labels[key]
            inner = sorted(relation + "=" + signature(parent) for relation, parent in parents.get(key, []))
            found = signatures[key] = hashlib.blake2b("|".join([kind, text or "", *inner]).encode(), digest_size=12).hexdigest()
        return found

    order = [lineage.target]
    placed = {lineage.target}
    for key in order:
        for _, parent in sorted(parents.get(key, []), key=lambda edge: (edge[0], signature(edge[1]), edge[1])):
            if parent not in placed:
                placed.add(parent)
                order.append(parent)
    name = {key: f"n{index}" for index, key in enumerate(order)}
    components: dict[str, dict[str, Any]] = {}
    for key in order:
        kind, text = labels[key]
        component: dict[str, Any] = {"kind": kind.removeprefix("target:")}
        if text is not None:
            component["license"] = text
        for relation in (DERIVED, TRAINED):
            targets = sorted(name[p] for r, p in parents.get(key, []) if r == relation)
            if targets:
                component[relation] = targets
        components[name[key]] = component
    use: dict[str, Any] = {"target": "n0", "actions": list(AUDIT_ACTIONS)}
    if declared is not None and declared.single in state.engine.library.release_domain:
        use["release-license"] = declared.single
    text = json.dumps({"components": components, "use": use}, sort_keys=True, separators=(",", ":"))
    shape = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return Question(shape, text, tuple(nodes[key].id for key in order)), declared


def question_partition(part: pd.DataFrame, config: AuditConfig) -> pd.DataFrame:
    """One hash partition of gathered records (`lineage.gathered`) → one question per audited repo."""
    state = worker_state(config)
    started = time.perf_counter()
    grouped: dict[str, list[list[Any]]] = {}
    for key, record, data in zip(part["repo_key"], part["record"], part["data"], strict=True):
        grouped.setdefault(key, [[], [], []])[("self", "edge", "cut").index(record)].append(json.loads(data))
    rows = []
    for (selfs, edges, cuts) in grouped.values():
        if not selfs:
            continue  # a local card's lineage: used by the table's repos, not audited itself
        own = selfs[0]
        try:
            rows.append(_question_row(own, edges, cuts, state))
        except Exception as err:  # noqa: BLE001 - one row's failure is that row's finding, never a lost partition
            state.stats["errors"] += 1
            rows.append(_error_question(own, f"{own.get('where', 'row')} {own['row']}: the lineage could not be built: {_failure(err)}"))
    import pandas as pd

    state.stats["question_ms"] += round((time.perf_counter() - started) * 1000)
    return pd.DataFrame(rows, columns=list(QUESTION_COLUMNS)).astype(QUESTION_COLUMNS)


def _question_row(own: dict[str, Any], edges: list[list[Any]], cuts: list[str], state: WorkerState) -> dict[str, Any]:
    base = _base_row(own)
    if own.get("error"):
        return _error_question(own, own["error"])
    licenses = tuple(json.loads(own["licenses"])) if own.get("licenses") else None
    target = Node(own["key"], own["id"], licenses, "table")
    lineage = RepoLineage.from_records(target, edges, cuts)
    question, declared = build_question(lineage, state)
    notes = []
    if declared is not None:
        notes += [f"license {item!r} is not one licet knows: read as terms nobody knows" for item in declared.unreadable]
    if not relation_known(own.get("relation")):
        notes.append(f"base_model_relation {own['relation']!r} is not one the Hub defines: read as derived-from")
    upstream: list[str] = []
    for key, node in lineage.nodes.items():
        if key != lineage.target:
            if node.licenses and node.status not in ("missing", "invalid-id"):
                upstream += state.read(node.licenses).leaves
            elif state.fallback is not None:
                upstream.append(state.fallback)
    parents = lineage.acyclic_parents()
    cycle_keys = lineage.on_cycles()
    base.update(
        license=declared.expression if declared is not None else None,
        upstream_licenses=json.dumps(sorted(set(upstream))),
        ancestors=len(lineage.nodes) - 1,
        depth=lineage.depth(parents),
        unresolved=json.dumps(lineage.unresolved()),
        cycle=json.dumps(sorted(lineage.nodes[k].id for k in cycle_keys)),
        depth_cut=bool(lineage.cut),
        notes=json.dumps(notes),
        shape=question.shape,
        question=question.question,
        names=json.dumps(list(question.names)),
    )
    return base


def _base_row(own: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {column: None for column in QUESTION_COLUMNS}
    row.update(row=own["row"], repo=own.get("id"), kind=own.get("kind"), relation=own.get("relation"), declared=own.get("declared"),
               downloads=own.get("downloads") if own.get("downloads") is not None else float("nan"), last_modified=own.get("last_modified"),
               ancestors=0, depth=0, depth_cut=False, upstream_licenses="[]", unresolved="[]", cycle="[]", notes="[]")
    return row


def _error_question(own: dict[str, Any], error: str) -> dict[str, Any]:
    row = _base_row(own)
    row["error"] = error
    return row


# ---------------------------------------------------------------- findings


def findings_partition(part: pd.DataFrame, config: AuditConfig) -> pd.DataFrame:
    """One partition of questions (hashed by shape) → its findings."""
    import pandas as pd

    state = worker_state(config)
    started = time.perf_counter()
    out = []
    for row in part.to_dict("records"):
        state.stats["rows"] += 1
        finding = {column: row.get(column) for column in FINDING_COLUMNS}
        finding.update(conflicts="[]", path="[]", depends_on="[]", drops_upstream=False)
        if isinstance(row.get("error"), str):
            finding["verdict"] = "error"
            out.append(finding)
            continue
        try:
            answer = state.answer(row["shape"], row["question"], memo=config.memo)
            finding.update(_renamed(answer, json.loads(row["names"])))
        except Exception as err:  # noqa: BLE001 - one check's failure is that row's finding, never a lost partition
            state.stats["errors"] += 1
            finding["verdict"] = "error"
            finding["error"] = f"row {row['row']}: the check failed: {_failure(err)}"
        out.append(finding)
    state.stats["findings_ms"] += round((time.perf_counter() - started) * 1000)
    state.stats["partitions"] += 1
    return pd.DataFrame(out, columns=list(FINDING_COLUMNS)).astype(FINDING_COLUMNS)


def _renamed(answer: Answer, names: list[str]) -> dict[str, Any]:
    def real(name: str) -> str:
        index = int(name[1:]) if name.startswith("n") and name[1:].isdigit() else -1
        return names[index] if 0 <= index < len(names) else name

    conflicts = [{"conflict": p.conflict, "license": p.license, "clause": p.clause, "section": p.section, "component": real(p.component),
                  "path": [real(step) for step in p.path], "when": list(p.when)} for p in answer.conflicts]
    binding = [p for p in answer.conflicts if not p.when]
    upstream_binding = [p for p in binding if p.component != "n0"]
    first = (upstream_binding or binding or list(answer.conflicts))[:1]
    return {
        "verdict": answer.verdict,
        "conflicts": json.dumps(conflicts, ensure_ascii=False),
        "drops_upstream": any(p.release for p in upstream_binding),
        "path": json.dumps([real(step) for step in first[0].path] if first else [], ensure_ascii=False),
        "depends_on": json.dumps(list(answer.depends_on), ensure_ascii=False),
        "release_license": answer.release_license,
    }


def _failure(err: BaseException) -> str:
    if isinstance(err, LicetError):
        return err.message
    where = traceback.extract_tb(err.__traceback__)[-1:] if err.__traceback__ else []
    place = f" at {os.path.basename(where[0].filename)}:{where[0].lineno}" if where else ""
    return f"{type(err).__name__}: {err}{place}"


# ---------------------------------------------------------------- the findings table


def findings_schema() -> Any:
    """The Parquet schema of the findings table."""
    import pyarrow as pa

    texts = pa.list_(pa.string())
    conflict = pa.struct([("conflict", pa.int32()), ("license", pa.string()), ("clause", pa.string()), ("section", pa.string()),
                          ("component", pa.string()), ("path", texts), ("when", texts)])
    types = {"row": pa.int64(), "ancestors": pa.int32(), "depth": pa.int32(), "drops_upstream": pa.bool_(), "depth_cut": pa.bool_(),
             "downloads": pa.int64(), "conflicts": pa.list_(conflict)}
    return pa.schema([(name, types.get(name, texts if name in LIST_COLUMNS else pa.string())) for name in FINDING_COLUMNS])


def findings_table(part: pd.DataFrame) -> Any:
    """A partition of findings as an Arrow table in `findings_schema()` (the JSON lists unpacked)."""
    import math

    import pyarrow as pa

    schema = findings_schema()
    columns: dict[str, list[Any]] = {}
    for name in FINDING_COLUMNS:
        values = part[name].tolist()
        if name in LIST_COLUMNS:
            columns[name] = [json.loads(v) if isinstance(v, str) else [] for v in values]
        elif name == "downloads":
            columns[name] = [None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v) for v in values]
        elif schema.field(name).type == pa.string():
            columns[name] = [v if isinstance(v, str) else None for v in values]
        else:
            columns[name] = values
    return pa.table(columns, schema=schema)


def resolve_parent(config: AuditConfig, kind: str, repo_id: str) -> tuple[str | None, str]:
    """A parent the table does not have, looked up on this worker (`WorkerState.resolve`)."""
    return worker_state(config).resolve(kind, repo_id)
