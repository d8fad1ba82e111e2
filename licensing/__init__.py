"""licet's library: does this combination of licenses allow this use, and why not?

    >>> import licensing
    >>> verdict = licensing.check({"components": {...}, "use": {...}})
    >>> verdict.verdict, verdict.conflicts

The pipeline, one module a stage: syntax → library → scenario → compiler →
solver → explain. Nothing here prints; every user mistake raises a
`LicetError` with file:line:col and a hint.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from .errors import LicetError, RuleError, ScenarioError, UnknownLicenseError
from .library import Library, load_library
from .scenario import Component, Scenario, SourceMap, Use, read_scenario_file, read_scenario_text, resolve, scenario_from_dict
from .verdict import Conflict, Obligation, Verdict

__all__ = [
    "Component",
    "Conflict",
    "LicetError",
    "Library",
    "Obligation",
    "RuleError",
    "Scenario",
    "ScenarioError",
    "UnknownLicenseError",
    "Use",
    "Verdict",
    "check",
    "check_file",
    "load_library",
]

DEFAULT_TIMEOUT_MS = 20_000


def check(
    scenario: Scenario | Mapping[str, Any],
    *,
    library: Library | None = None,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    explain: bool = True,
    source: SourceMap | None = None,
    name: str | None = None,
    today: date | None = None,
) -> Verdict:
    """Decide whether the scenario's use is allowed, and explain why.

    `scenario` is a `Scenario` or a dict in the scenario format (kebab-case keys).
    With `explain=False` only the verdict and `depends_on` are computed.
    `today` decides which waivers have expired (default: the current date).
    """
    from .compiler import compile_problem
    from .explain import build_verdict
    from .solver import decide

    if not isinstance(scenario, Scenario):
        scenario = scenario_from_dict(scenario, source)
    library = library or load_library()
    resolved = resolve(scenario, library, source, today=today)
    problem = compile_problem(resolved, timeout_ms=timeout_ms)
    decision = decide(problem, explain=explain)
    return build_verdict(problem, decision, scenario_name=name)


def check_file(path: str | Path, *, library: Library | None = None, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Verdict:
    """Read a scenario file (YAML or JSON) and check it; errors point into the file."""
    scenario, source = read_scenario_file(path)
    return check(scenario, library=library, timeout_ms=timeout_ms, source=source, name=str(path))


def check_text(text: str, display: str = "<scenario>", *, library: Library | None = None) -> Verdict:
    scenario, source = read_scenario_text(text, display)
    return check(scenario, library=library, source=source, name=display)
