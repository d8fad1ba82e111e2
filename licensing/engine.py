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

from .budget import DEFAULT_MEMORY_MB, Budget, OutOfBudget
from .compiler import compile_problem
from .environment import VerdictName
from .errors import ScenarioError
from .explain import build_verdict
from .library import Library, load_library
from .matrix import Cell, Matrix, cell_scenario, column_scenario, matrix_rows
from .scenario import (
    Scenario,
    SourceMap,
    read_scenario_file,
    read_scenario_text,
    resolve,
    scenario_from_dict,
)
from .solver import decide, verdict_per_release
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

    __slots__ = ("_library", "_memory_mb", "_rules", "_timeout_ms")

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

    def matrix(self, licenses: Sequence[str], *, reasons: bool = True, progress: Callable[[int, int], None] | None = None) -> Matrix:
        """The compatibility matrix `d[outbound][inbound]` of these licenses
        (ids or aliases), as OSADL lays it out; see `licensing.matrix`.

        With `reasons=False` the cells that are not Yes carry no reason,
        which spares a conflict search per cell."""
        ids = self.matrix_ids(licenses)
        return Matrix(licenses=ids, cells=dict(self.matrix_rows(ids, reasons=reasons, progress=progress)))

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
                verdicts.update(verdict_per_release(compile_problem(resolved, budget, releases=tuple(wanted[start : start + COLUMN_CHUNK])), budget))
            except OutOfBudget:
                pass
        # a cell the column could not answer (the budget spent): on its own, as any check
        for outbound in wanted:
            if outbound not in verdicts:
                verdicts[outbound] = self.check(cell_scenario(self._library, outbound, inbound), explain=False).verdict
        return verdicts

    def matrix_rows(
        self, ids: list[str], *, reasons: bool = True, progress: Callable[[int, int], None] | None = None
    ) -> Iterator[tuple[str, dict[str, Cell]]]:
        """The matrix of `ids` (canonical, see `matrix_ids`) a row at a time.
        Every verdict is worked out first, a column at a time (progress counts
        those cells); then each row comes out as soon as its cells' reasons are
        (progress counts them again), so output that streams shows rows as
        they come."""
        table: dict[tuple[str, str], VerdictName] = {}
        for index, inbound in enumerate(ids):
            table.update(((outbound, inbound), verdict) for outbound, verdict in self.matrix_column(inbound, ids).items())
            if progress is not None:
                progress((index + 1) * len(ids), len(ids) * len(ids))

        def explained(outbound: str, inbound: str) -> Verdict:
            return self.check(cell_scenario(self._library, outbound, inbound))

        return matrix_rows(ids, lambda outbound, inbound: table[outbound, inbound], explained, reasons=reasons,
                           progress=progress if reasons else None)


# ---------------------------------------------------------------- worker processes

_WORKER_ENGINE: Engine | None = None


def _start_worker(rules: str, timeout_ms: int) -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = Engine(rules, timeout_ms=timeout_ms)


def _check_in_worker(scenario: Scenario, explain: bool, today: date | None) -> Verdict:
    assert _WORKER_ENGINE is not None, "the worker was started without an engine"
    return _WORKER_ENGINE.check(scenario, explain=explain, today=today)


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
