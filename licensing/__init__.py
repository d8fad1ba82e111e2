"""licet's library: does this combination of licenses allow this use, and why not?

    >>> import licensing
    >>> engine = licensing.Engine()                      # built once, safe to share
    >>> verdict = engine.check({"components": {...}, "use": {...}})
    >>> verdict.verdict, verdict.conflicts

`licensing.check(...)` is the same over a default engine. The pipeline, one
module a stage: syntax → library → scenario → compiler → solver → explain →
engine (a test checks that imports only go that way). Nothing here prints;
every user mistake raises a `LicetError` with a `code`, file:line:col and a hint.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import LicetError, RuleError, ScenarioError, UnknownLicenseError
from .version import SCHEMA_VERSION, __version__

if TYPE_CHECKING:
    from .engine import DEFAULT_TIMEOUT_MS, Engine, default_engine
    from .library import Library, load_library
    from .location import Location
    from .matrix import Matrix
    from .scenario import (
        Component,
        Scenario,
        SourceMap,
        Use,
        Waiver,
        read_scenario_file,
        read_scenario_text,
        scenario_from_dict,
    )
    from .verdict import (
        Case,
        Choice,
        ClauseRef,
        Conflict,
        DependsOn,
        FactRef,
        Fix,
        Obligation,
        Verdict,
    )

# Imported on first use, not with the package: `licet --help` and the light
# modules (errors, budget, paths) should not pay for z3 and every pydantic model.
_LAZY = {
    "DEFAULT_TIMEOUT_MS": "engine", "Engine": "engine", "default_engine": "engine", "engine_for": "engine",
    "Library": "library", "load_library": "library",
    "Location": "location",
    "Matrix": "matrix",
    "Component": "scenario", "Scenario": "scenario", "SourceMap": "scenario", "Use": "scenario", "Waiver": "scenario",
    "read_scenario_file": "scenario", "read_scenario_text": "scenario", "scenario_from_dict": "scenario",
    "Case": "verdict", "Choice": "verdict", "ClauseRef": "verdict", "Conflict": "verdict", "DependsOn": "verdict",
    "FactRef": "verdict", "Fix": "verdict", "Obligation": "verdict", "Verdict": "verdict",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'licensing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_TIMEOUT_MS",
    "SCHEMA_VERSION",
    "Case",
    "Choice",
    "ClauseRef",
    "Component",
    "Conflict",
    "DependsOn",
    "Engine",
    "FactRef",
    "Fix",
    "Library",
    "LicetError",
    "Location",
    "Matrix",
    "Obligation",
    "RuleError",
    "Scenario",
    "ScenarioError",
    "SourceMap",
    "UnknownLicenseError",
    "Use",
    "Verdict",
    "Waiver",
    "__version__",
    "check",
    "check_file",
    "check_text",
    "default_engine",
    "load_library",
    "read_scenario_file",
    "read_scenario_text",
    "scenario_from_dict",
]


def check(
    scenario: Scenario | Mapping[str, Any],
    *,
    library: Library | None = None,
    timeout_ms: int | None = None,
    explain: bool = True,
    source: SourceMap | None = None,
    name: str | None = None,
    today: date | None = None,
) -> Verdict:
    """`Engine.check` on the default engine (or on `library`); `timeout_ms`
    bounds the whole check (default: the engine's 20 s)."""
    from .engine import engine_for

    return engine_for(library).check(scenario, explain=explain, source=source, name=name, today=today, timeout_ms=timeout_ms)


def check_file(path: str | Path, *, library: Library | None = None) -> Verdict:
    """Read a scenario file (YAML or JSON) and check it; errors point into the file."""
    from .engine import engine_for

    return engine_for(library).check_file(path)


def check_text(text: str, display: str = "<scenario>", *, library: Library | None = None) -> Verdict:
    """Check scenario YAML or JSON text; `display` names it in errors."""
    from .engine import engine_for

    return engine_for(library).check_text(text, display)
