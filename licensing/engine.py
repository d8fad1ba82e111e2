"""Stage 7: the engine — one object that answers questions, built once.

    >>> from licensing import Engine
    >>> engine = Engine()                      # the shipped rules
    >>> engine.check({"components": {...}, "use": {...}}).verdict
    'forbidden'

An `Engine` holds a checked, immutable `Library` and nothing else that
changes: every check compiles into its own z3 context, so one engine may be
shared by any number of threads, and the same question always gets the same
answer (the same verdict, choices, obligations, in the same order).
`check_many` spreads a batch over worker processes for CPU parallelism.
"""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from .answers import AnswerStore
from .budget import DEFAULT_MEMORY_MB, Budget, OutOfBudget
from .compiler import compile_problem
from .environment import VerdictName
from .errors import ScenarioError
from .explain import build_verdict, conflicts_verdict
from .library import Library, load_library
from .matrix import ANSWERS, Cell, Matrix, cell_reason, cell_scenario, column_scenario, matrix_rows
from .scenario import (
    Scenario,
    SourceMap,
    read_scenario_file,
    read_scenario_text,
    resolve,
    scenario_from_dict,
)
from .solver import decide, decide_conflicts, verdict_per_release
from .verdict import Verdict

DEFAULT_TIMEOUT_MS = 20_000
# Outbound licenses asked of one compiled column of the matrix: past a few dozen
# the question grows faster than the cells it answers.
COLUMN_CHUNK = 30

ScenarioInput = Scenario | Mapping[str, Any]


class Engine:
    """Answers license questions against one library of rules.

    `Engine()` uses the shipped rules; `Engine(rules=PATH)` a rules folder;
    `Engine(library=...)` an already loaded library. `timeout_ms` is the
    default time budget per question, `memory_mb` the solver's memory cap:
    past either the answer is `unknown`, with the reason.
    """

    __slots__ = ("_answers", "_library", "_memory_mb", "_rules", "_timeout_ms")

    def __init__(
        self,
        rules: str | Path | None = None,
        *,
        library: Library | None = None,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        memory_mb: int = DEFAULT_MEMORY_MB,
    ) -> None:
        if library is not None and rules is not None:
            raise ValueError("give rules or library, not both")
        Budget(timeout_ms, memory_mb)  # refuses a budget that is not a positive whole number
        self._library = library if library is not None else load_library(rules)
        self._rules = self._library.root
        self._answers = AnswerStore(self._library.fingerprint)
        self._memory_mb = memory_mb
        self._timeout_ms = timeout_ms

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, "_timeout_ms"):
            raise AttributeError("an Engine cannot be changed once built; build another one")
        object.__setattr__(self, name, value)

    @property
    def library(self) -> Library:
        return self._library

    @property
    def rules_fingerprint(self) -> str:
        """A digest of the rule files and grammar this engine answers from."""
        return self._library.fingerprint

    @property
    def timeout_ms(self) -> int:
        return self._timeout_ms

    # ------------------------------------------------------------ one question

    def check(
        self,
        scenario: ScenarioInput,
        *,
        explain: bool = True,
        source: SourceMap | None = None,
        name: str | None = None,
        today: date | None = None,
        timeout_ms: int | None = None,
    ) -> Verdict:
        """Decide whether the scenario's use is allowed, and explain why.

        `scenario` is a `Scenario` or a dict in the scenario format (kebab-case
        keys). With `explain=False` only the verdict and `depends_on` are
        computed. `today` decides which waivers have expired (default: today).
        `timeout_ms` (default: the engine's) bounds the whole check: past it
        the answer is `unknown`, with the reason.
        """
        budget = Budget(self._timeout_ms if timeout_ms is None else timeout_ms, self._memory_mb)
        if not isinstance(scenario, Scenario):
            scenario = scenario_from_dict(scenario, source)
        resolved = resolve(scenario, self._library, source, today=today)
        try:
            problem = compile_problem(resolved, budget, verdict_only=not explain)
        except OutOfBudget as spent:
            return Verdict(
                verdict="unknown",
                target=resolved.target,
                notes=[f"the time budget of {budget.describe()} ran out while {spent.stage}: licet cannot give an answer it can stand behind"],
                scenario=name,
                rules_fingerprint=self._library.fingerprint,
            )
        decision = decide(problem, explain=explain, budget=budget)
        return build_verdict(problem, decision, scenario_name=name)

    def check_file(self, path: str | Path, *, explain: bool = True, today: date | None = None) -> Verdict:
        """Read a scenario file (YAML or JSON) and check it; errors point into the file."""
        scenario, source = read_scenario_file(path)
        return self.check(scenario, source=source, name=str(path), explain=explain, today=today)

    def check_text(self, text: str, display: str = "<scenario>", *, explain: bool = True, today: date | None = None) -> Verdict:
        """Check scenario YAML or JSON text; `display` names it in errors."""
        scenario, source = read_scenario_text(text, display)
        return self.check(scenario, source=source, name=display, explain=explain, today=today)

    # ------------------------------------------------------------ many questions

    def check_many(
        self,
        scenarios: Iterable[ScenarioInput],
        *,
        workers: int | None = None,
        explain: bool = True,
        today: date | None = None,
    ) -> list[Verdict]:
        """Check every scenario; the verdicts come back in input order.

        With `workers` > 1 the checks run in that many worker processes (z3
        work does not share one interpreter's CPU well), each building its own
        engine from the same rules once. `workers=None` uses every CPU; 1 or 0
        checks in this process. A bad scenario raises its `LicetError`."""
        items = [s if isinstance(s, Scenario) else scenario_from_dict(s) for s in scenarios]
        count = (os.cpu_count() or 1) if workers is None else workers
        if count <= 1 or len(items) <= 1:
            return [self.check(s, explain=explain, today=today) for s in items]
        chunk = max(1, len(items) // (count * 4))
        with futures.ProcessPoolExecutor(
            max_workers=count,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(str(self._rules), self._timeout_ms),
        ) as pool:
            return list(pool.map(_check_in_worker, items, [explain] * len(items), [today] * len(items), chunksize=chunk))

    # ------------------------------------------------------------ matrices

    def matrix(
        self, licenses: Sequence[str], *, reasons: bool = True, progress: Callable[[int, int], None] | None = None, workers: int = 1,
    ) -> Matrix:
        """The compatibility matrix `d[outbound][inbound]` of these licenses
        (ids or aliases), as OSADL lays it out; see `licensing.matrix`.

        With `reasons=False` the cells that are not Yes carry no reason,
        which spares a conflict search per cell. `workers` > 1: worked out
        in that many processes (see `matrix_rows`)."""
        ids = self.matrix_ids(licenses)
        return Matrix(licenses=ids, cells=dict(self.matrix_rows(ids, reasons=reasons, progress=progress, workers=workers)))

    def matrix_ids(self, licenses: Sequence[str]) -> list[str]:
        """The canonical ids of a matrix's licenses, once each; an exception is refused."""
        ids = []
        for text in licenses:
            lic = self._library.get(text)
            if lic.is_exception:
                raise ScenarioError(
                    f"'{text}' is an exception, not a license",
                    hint=f"a matrix cell needs plain licenses; check 'LICENSE WITH {lic.id}' with licet check",
                )
            ids.append(lic.id)
        return list(dict.fromkeys(ids))

    def matrix_column(self, inbound: str, outbounds: Sequence[str]) -> dict[str, VerdictName]:
        """The verdict of every cell `(outbound, inbound)` of one column: the
        verdicts `check(cell_scenario(...), explain=False)` gives cell by cell,
        from one compiled question per `COLUMN_CHUNK` outbound licenses asked
        under each of them (the inbound side is compiled once per chunk)."""
        wanted = [lic for lic in dict.fromkeys(outbounds) if lic != inbound]
        resolved = resolve(scenario_from_dict(column_scenario(self._library, inbound)), self._library, None)
        verdicts: dict[str, VerdictName] = {}
        for start in range(0, len(wanted), COLUMN_CHUNK):
            budget = Budget(self._timeout_ms, self._memory_mb)
            try:
                answered = verdict_per_release(compile_problem(resolved, budget, releases=tuple(wanted[start : start + COLUMN_CHUNK])), budget)
            except OutOfBudget:
                continue
            verdicts.update((outbound, verdict) for outbound, verdict in answered.items() if verdict != "unknown")
        # a cell the column could not answer (the budget spent, the solver unsure): on its own, as any check
        for outbound in wanted:
            if outbound not in verdicts:
                verdicts[outbound] = self.check(cell_scenario(self._library, outbound, inbound), explain=False).verdict
        return verdicts

    def _cell_conflicts(self, outbound: str, inbound: str) -> Verdict:
        """One cell's verdict with its conflicts and open questions only (no
        obligations or ways out): what its reason reads, at half the cost of
        a full check. A test checks the reasons against full checks'."""
        budget = Budget(self._timeout_ms, self._memory_mb)
        resolved = resolve(scenario_from_dict(cell_scenario(self._library, outbound, inbound)), self._library, None)
        try:
            problem = compile_problem(resolved, budget, verdict_only=True)
            return conflicts_verdict(problem, decide_conflicts(problem, budget))
        except OutOfBudget:
            return self.check(cell_scenario(self._library, outbound, inbound))

    def matrix_rows(
        self, ids: list[str], *, reasons: bool = True, progress: Callable[[int, int], None] | None = None, workers: int = 1,
    ) -> Iterator[tuple[str, dict[str, Cell]]]:
        """The matrix of `ids` (canonical, see `matrix_ids`) a row at a time.
        Every verdict is worked out first, a column at a time (progress counts
        those cells); then each row comes out as soon as its cells' reasons are
        (progress counts them again), so output that streams shows rows as
        they come. Cells answered before (by this engine or an earlier run on
        the same rules and code: `licensing.answers`) are looked up. With
        `workers` > 1 the rest is worked out in that many processes, each with
        its own engine on these rules."""
        if workers <= 1 or len(ids) < 2:
            yield from self._matrix_rows(ids, reasons, progress, lambda inbounds: (self.matrix_column(i, ids) for i in inbounds),
                                         lambda cells: (self._cell_reason(o, i) for o, i in cells))
        else:
            with self._pool(workers) as pool:
                yield from self._matrix_rows(
                    ids, reasons, progress, lambda inbounds: pool.map(_column_in_worker, inbounds, [ids] * len(inbounds)),
                    lambda cells: pool.map(_cell_reason_in_worker, [o for o, _ in cells], [i for _, i in cells], chunksize=8),
                )
        self._answers.save()

    def _matrix_rows(
        self, ids: list[str], reasons: bool, progress: Callable[[int, int], None] | None,
        columns: Callable[[list[str]], Iterator[dict[str, VerdictName]]], cell_reasons: Callable[[list[tuple[str, str]]], Iterator[str]],
    ) -> Iterator[tuple[str, dict[str, Cell]]]:
        """The rows, from the verdicts of the columns not stored (`columns`
        works them out, one per inbound id, in order) and the reasons of the
        cells that are not allowed and have none stored (`cell_reasons`, in
        row order)."""
        store = self._answers
        table: dict[tuple[str, str], VerdictName] = {}
        missing: list[str] = []
        for inbound in ids:
            stored = [store.get(outbound, inbound, reason=False) for outbound in ids if outbound != inbound]
            if all(stored):
                table.update(((o, inbound), a.verdict) for o, a in zip((o for o in ids if o != inbound), stored) if a)
            else:
                missing.append(inbound)
        for done, (inbound, column) in enumerate(zip(missing, columns(missing), strict=True), start=len(ids) - len(missing) + 1):
            for outbound, verdict in column.items():
                table[outbound, inbound] = verdict
                store.put(outbound, inbound, verdict, None)
            if progress is not None:
                progress(done * len(ids), len(ids) * len(ids))
        asked = [(o, i) for o in ids for i in ids if o != i and table[o, i] != "allowed"] if reasons else []
        known = {cell: answer.reason for cell in asked if (answer := store.get(*cell, reason=True)) is not None and answer.reason is not None}
        unknown = [cell for cell in asked if cell not in known]
        answers = zip(unknown, cell_reasons(unknown), strict=True)

        def reason_of(outbound: str, inbound: str) -> str:
            if (outbound, inbound) in known:
                return known[outbound, inbound]
            # the rows ask for the reasons not stored in the order they were asked for
            cell, reason = next(answers)
            assert cell == (outbound, inbound), f"reason of {cell} given for {(outbound, inbound)}"
            store.put(outbound, inbound, table[cell], reason)
            return reason

        yield from matrix_rows(ids, lambda outbound, inbound: table[outbound, inbound], reason_of, reasons=reasons,
                               progress=progress if reasons else None)

    def _cell_reason(self, outbound: str, inbound: str) -> str:
        return cell_reason(self._cell_conflicts(outbound, inbound))

    def compatibility(self, outbound: str, inbound: str, *, reason: bool = True) -> Cell:
        """One cell of the matrix: may material under `inbound` be incorporated
        into a work released under `outbound`? (ids or aliases), with why not
        when `reason` is set. Looked up when answered before (see
        `matrix_rows`); otherwise worked out as the matrix does and kept."""
        outbound, inbound = (self.matrix_ids([text])[0] for text in (outbound, inbound))
        if outbound == inbound:
            return Cell(answer="Same")
        found = self._answers.get(outbound, inbound, reason=reason)
        if found is not None:
            return Cell(answer=ANSWERS[found.verdict], reason=found.reason or "")
        if reason:
            explained = self._cell_conflicts(outbound, inbound)
            verdict, why = explained.verdict, (cell_reason(explained) if explained.verdict != "allowed" else "")
        else:
            verdict, why = self.check(cell_scenario(self._library, outbound, inbound), explain=False).verdict, None
        self._answers.put(outbound, inbound, verdict, why)
        return Cell(answer=ANSWERS[verdict], reason=why or "")

    def save_answers(self) -> None:
        """Keep the cells answered so far for the next run now (the engine
        saves them every few dozen answers and after each matrix)."""
        self._answers.save()

    def _pool(self, workers: int) -> futures.ProcessPoolExecutor:
        """Worker processes (z3 work does not share one interpreter's CPU
        well), each building its own engine from these rules once."""
        return futures.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(str(self._rules), self._timeout_ms),
        )


# ---------------------------------------------------------------- worker processes

_WORKER_ENGINE: Engine | None = None


def _start_worker(rules: str, timeout_ms: int) -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = Engine(rules, timeout_ms=timeout_ms)


def _worker_engine() -> Engine:
    assert _WORKER_ENGINE is not None, "the worker was started without an engine"
    return _WORKER_ENGINE


def _check_in_worker(scenario: Scenario, explain: bool, today: date | None) -> Verdict:
    return _worker_engine().check(scenario, explain=explain, today=today)


def _column_in_worker(inbound: str, outbounds: list[str]) -> dict[str, VerdictName]:
    return _worker_engine().matrix_column(inbound, outbounds)


def _cell_reason_in_worker(outbound: str, inbound: str) -> str:
    return _worker_engine()._cell_reason(outbound, inbound)


# ---------------------------------------------------------------- the default engine

_DEFAULT: dict[str, Engine] = {}


def default_engine() -> Engine:
    """The engine on the shipped rules, built on first use and shared."""
    engine = _DEFAULT.get("shipped")
    if engine is None:
        engine = _DEFAULT.setdefault("shipped", Engine())
    return engine


def engine_for(library: Library | None) -> Engine:
    """An engine on `library`, or the default one."""
    if library is None:
        return default_engine()
    return Engine(library=library)
