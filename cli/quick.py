"""Quick queries: a scenario from a few command-line flags, for questions
asked without a file (`licet check --weights ID --use serve`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from licensing.errors import ScenarioError
from licensing.scenario import Scenario, SourceMap, scenario_from_dict

QUICK_TARGET = "system"
# The file name a quick query's errors show: its "text" is the flags, one per line.
QUICK_SOURCE = "flags"

# Flag → (kind of the component, relation from the system to it, what the
# component is called in answers: "the weights (ID)", "the base model (ID)").
QUICK_PARTS = (
    ("code", "code", "includes", "code"),
    ("weights", "weights", "includes", "weights"),
    ("base", "weights", "derived-from", "base model"),
    ("data", "data", "trained-on", "training data"),
)


class _FlagLines:
    """The quick query's flags written one per line (`--weights ID`), with
    the scenario key each gave, so an error points at the flag that caused it
    (`flags:2:11: error: unknown license …`) as a file's would."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.positions: dict[tuple[str, ...], tuple[int, int]] = {}

    def add(self, flag: str, value: str, *paths: tuple[str, ...]) -> None:
        self.lines.append(f"{flag} {value}")
        for path in paths:
            self.positions.setdefault(path, (len(self.lines), len(flag) + 2))

    def source(self) -> SourceMap:
        return SourceMap(QUICK_SOURCE, self.positions, "\n".join(self.lines) + "\n")


def quick_scenario(**flags: Any) -> Scenario:
    """The scenario of `quick_query`, without its source map."""
    return quick_query(**flags)[0]


def quick_query(
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
) -> tuple[Scenario, SourceMap]:
    """A scenario from a few licenses: the target, `system`, includes the code
    and weights, is derived from the base models and was trained on the data;
    with the source map that places each key at its flag."""
    given = {"code": code, "weights": weights, "base": base, "data": data}
    written = _FlagLines()
    components: dict[str, dict[str, Any]] = {}
    target: dict[str, Any] = {"kind": "code" if code or not weights else "weights"}
    if target_license:
        target["license"] = target_license
    for flag, kind, relation, label in QUICK_PARTS:
        for license_text in given[flag]:
            name = _readable_name(label, license_text, components)
            components[name] = {"kind": kind, "license": license_text}
            target.setdefault(relation, []).append(name)
            slot = str(len(target[relation]) - 1)
            written.add(f"--{flag}", license_text, ("components", name), ("components", QUICK_TARGET, relation, slot))
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
    for index, action in enumerate(actions):
        written.add("--use", action, ("use", "actions", str(index)))
    for index, purpose in enumerate(purposes):
        written.add("--purpose", purpose, ("use", "purposes", str(index)))
    for key, value in (facts or {}).items():
        written.add("--fact", f"{key}={_number_text(value)}", ("use", "facts", key))
    if release_license:
        written.add("--release-license", release_license, ("use", "release-license"))
    data_in: dict[str, Any] = {"components": components, "use": use}
    if assume:
        data_in["assume"] = dict(assume)
        for key, answer in assume.items():
            written.add("--assume", f"{key}={answer}", ("assume", key))
    source = written.source()
    return scenario_from_dict(data_in, source), source


def _readable_name(label: str, license_text: str, taken: dict[str, Any]) -> str:
    """A component's name as answers show it: `weights (ID)`, `base model (ID)`;
    a second one with the same license is `weights (ID) #2`."""
    name = f"{label} ({license_text})"
    count = 1
    while (name if count == 1 else f"{name} #{count}") in taken or (count == 1 and name == QUICK_TARGET):
        count += 1
    return name if count == 1 else f"{name} #{count}"


def _number_text(value: object) -> str:
    """A fact's value as one would type it: 5000000, not 5000000.0 (anything
    else as written: the scenario's validation says what is wrong with it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
        return str(int(value))
    return str(value)
