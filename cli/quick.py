"""Quick queries: a scenario from a few command-line flags, for questions
asked without a file (`licet check --weights ID --use serve`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from licensing.errors import ScenarioError
from licensing.scenario import Scenario, scenario_from_dict

QUICK_TARGET = "system"

# Flag → (kind of the component, relation from the system to it).
QUICK_PARTS = (
    ("code", "code", "includes"),
    ("weights", "weights", "includes"),
    ("base", "weights", "derived-from"),
    ("data", "data", "trained-on"),
)


def quick_scenario(
    *,
    code: Sequence[str] = (),
    weights: Sequence[str] = (),
    data: Sequence[str] = (),
    base: Sequence[str] = (),
    actions: Sequence[str] = (),
    commercial: bool | None = None,
    purposes: Sequence[str] = (),
    facts: dict[str, float | bool] | None = None,
    assume: dict[str, str] | None = None,
    release_license: str | None = None,
    target_license: str | None = None,
) -> Scenario:
    """A scenario from a few licenses: the target, `system`, includes the code
    and weights, is derived from the base models and was trained on the data."""
    given = {"code": code, "weights": weights, "base": base, "data": data}
    components: dict[str, dict[str, Any]] = {}
    target: dict[str, Any] = {"kind": "code" if code or not weights else "weights"}
    if target_license:
        target["license"] = target_license
    for flag, kind, relation in QUICK_PARTS:
        for index, license_text in enumerate(given[flag], 1):
            name = f"{relation if relation != 'includes' else kind}-{index}"
            components[name] = {"kind": kind, "license": license_text}
            target.setdefault(relation, []).append(name)
    if not components:
        raise ScenarioError("a quick query needs at least one license", hint="pass --code, --weights, --base or --data with a license id")
    components[QUICK_TARGET] = target
    use: dict[str, Any] = {"target": QUICK_TARGET, "actions": list(actions) or ["run"]}
    if commercial is not None:
        use["commercial"] = commercial
    if purposes:
        use["purposes"] = list(purposes)
    if facts:
        use["facts"] = dict(facts)
    if release_license:
        use["release-license"] = release_license
    data_in: dict[str, Any] = {"components": components, "use": use}
    if assume:
        data_in["assume"] = dict(assume)
    return scenario_from_dict(data_in)
