"""Stage 3: the scenario — the one input format — checked against the library,
and the graph walk that says which component plays which role for the target.

A scenario comes from YAML/JSON text (with line numbers kept for explanations),
from a dict, or from Python; all three become the same pydantic `Scenario`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import nodes as n
from .errors import ScenarioError, UnknownLicenseError, did_you_mean, source_line, yaml_error_location, yaml_problem
from .library import Expression, Library, Option

AssumptionValue = Literal["yes", "no", "unknown"]
# The vocabulary flag that the scenario's `use.commercial` key sets.
COMMERCIAL_FLAG = "use.commercial"
COMPONENT_FIELDS = {"kind", "license", "description"}


def _yes_no(value: object) -> object:
    # YAML 1.1 reads yes/no as booleans; the scenario format means the words.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


class Component(BaseModel):
    """An artifact: code, data, weights or outputs, under a license expression.

    Relations (`derived-from`, `trained-on`, …) are the vocabulary's; they are
    collected into `relations` and checked against the library when resolved.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    kind: str
    license: str | None = None
    description: str | None = None
    relations: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _gather_relations(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        relations = dict(data.pop("relations", {}) or {})
        for key in [k for k in data if k not in COMPONENT_FIELDS]:
            value = data.pop(key)
            relations[key] = [value] if isinstance(value, str) else value
        data["relations"] = relations
        return data

    @field_validator("relations")
    @classmethod
    def _no_empty_names(cls, relations: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for name, targets in relations.items():
            for target in targets:
                if not isinstance(target, str) or not target:
                    raise ValueError(f"'{name}' must list component names")
        return relations


class Use(BaseModel):
    """What the user does with the target."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    target: str
    actions: tuple[str, ...] = Field(min_length=1)
    commercial: bool | None = None
    purposes: tuple[str, ...] = ()
    facts: dict[str, float | bool] = Field(default_factory=dict)
    release_license: str | None = Field(default=None, alias="release-license")

    @field_validator("actions", "purposes", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Waiver(BaseModel):
    """A finding accepted by a named person: the clauses of one license (or one
    clause) stop applying to one component until the waiver expires."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    component: str
    license: str | None = None
    clause: str | None = None
    by: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    expires: dt.date | None = None


class Scenario(BaseModel):
    """The question: these components, this use of the target, these assumptions."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    components: dict[str, Component] = Field(min_length=1)
    use: Use
    assume: dict[str, AssumptionValue] = Field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()

    @field_validator("assume", mode="before")
    @classmethod
    def _assumption_words(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: _yes_no(v) for k, v in value.items()}
        return value


# ---------------------------------------------------------------- reading


@dataclass
class SourceMap:
    """Where each key of a scenario was written, by key path.

    A scenario read from one file has one `file`; a scenario built from a
    repository (`licet scan`) gathers keys from many files, so a key path may
    name its own file in `files`, with that file's text in `texts`.
    """

    file: str | None = None
    positions: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)
    text: str = ""
    files: dict[tuple[str, ...], str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def _find(self, path: tuple[str, ...]) -> tuple[str | None, int | None, int | None]:
        for end in range(len(path), 0, -1):
            key = tuple(path[:end])
            position = self.positions.get(key)
            if position:
                return self.files.get(key, self.file), position[0], position[1]
        return self.file, None, None

    def locate(self, *path: str) -> str | None:
        file, line, column = self._find(path)
        if file is None:
            return None
        return f"{file}:{line}:{column}" if line else file

    def error(self, message: str, path: tuple[str, ...], hint: str | None = None, cls: type[ScenarioError] = ScenarioError) -> ScenarioError:
        file, line, column = self._find(path)
        text = self.texts.get(file, "") if file is not None and file != self.file else self.text
        return cls(
            message,
            file=file,
            line=line,
            column=column,
            text=source_line(text, line) if line and text else None,
            hint=hint,
        )


def yaml_positions(node: yaml.Node, prefix: tuple[str, ...], out: dict[tuple[str, ...], tuple[int, int]]) -> None:
    """Record (line, column) of every key and list item under `prefix`."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = prefix + (str(key.value),)
            out[path] = (key.start_mark.line + 1, key.start_mark.column + 1)
            yaml_positions(value, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = prefix + (str(index),)
            out[path] = (item.start_mark.line + 1, item.start_mark.column + 1)
            yaml_positions(item, path, out)


def read_scenario_text(text: str, display: str) -> tuple[Scenario, SourceMap]:
    """Parse scenario YAML or JSON text; errors carry file:line:col."""
    source = SourceMap(display, {}, text)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ScenarioError(
            f"not valid YAML: {yaml_problem(err)}",
            file=display,
            **yaml_error_location(err, text),
            hint="check indentation and that every 'key: value' pair has a space after the colon",
        ) from None
    if node is not None:
        yaml_positions(node, (), source.positions)
    if not isinstance(data, Mapping):
        raise ScenarioError(
            "a scenario is a mapping with 'components' and 'use'",
            file=display,
            line=1,
            hint="see examples/ for the scenario format",
        )
    return scenario_from_dict(data, source), source


def read_scenario_file(path: str | Path) -> tuple[Scenario, SourceMap]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("scenario file not found", file=str(path), hint="check the path") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"cannot read scenario: {err}", file=str(path), hint="scenarios are UTF-8 YAML or JSON") from None
    return read_scenario_text(text, str(path))


def scenario_from_dict(data: Mapping[str, Any], source: SourceMap | None = None) -> Scenario:
    source = source or SourceMap()
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as err:
        kind, path, message = validation_problem(err)
        where = ".".join(path) or "scenario"
        raise source.error(f"{where}: {message}", path, hint=_validation_hint(kind, path)) from None


def validation_problem(err: ValidationError) -> tuple[str, tuple[str, ...], str]:
    """The first problem pydantic found, worded for people: its type, the
    key path and a message (unknown and missing keys say which key)."""
    first = err.errors()[0]
    path = tuple(str(p) for p in first["loc"])
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = f"unknown key '{path[-1]}'"
    elif first["type"] == "missing":
        message = f"'{path[-1]}' is required"
    return first["type"], path, message


def _validation_hint(kind: str, path: tuple[str, ...]) -> str:
    if kind == "extra_forbidden":
        return "the scenario has 'components', 'use', 'assume' and 'waivers'; 'use' has target, actions, commercial, purposes, facts, release-license; a waiver has component, license, clause, by, reason, expires"
    if path and path[0] == "assume":
        return "assumptions take yes, no or unknown"
    if path and path[0] == "waivers":
        return "a waiver names a component, who accepted it ('by'), why ('reason'), and optionally license, clause and expires (YYYY-MM-DD)"
    if path[:2] == ("use", "actions"):
        return "actions are a list such as [distribute] or [serve, modify]"
    return "see examples/ for the scenario format"


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario in its file format (kebab-case keys, relations as keys)."""
    data = json.loads(scenario.model_dump_json(by_alias=True, exclude_none=True))
    for component in data["components"].values():
        component.update(component.pop("relations", {}))
    if not data.get("waivers"):
        data.pop("waivers", None)
    return data


def scenario_to_yaml(scenario: Scenario) -> str:
    return yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True)


# ---------------------------------------------------------------- resolving


@dataclass(frozen=True)
class Term:
    """One license of an option, after `-or-later` offers are expanded."""

    license: str
    exception: str | None
    declared: str  # what the expression said, e.g. GPL-2.0-or-later

    def __str__(self) -> str:
        return self.license + (f" WITH {self.exception}" if self.exception else "")


@dataclass(frozen=True)
class Reach:
    """How a component reaches the target: its role and the path to it."""

    role: str
    path: tuple[str, ...]  # component names, from the target to this component
    via: tuple[str, ...]  # relation names along the path


@dataclass(frozen=True)
class ResolvedComponent:
    name: str
    kind: str
    expression: Expression | None
    options: tuple[tuple[Term, ...], ...]
    reaches: tuple[Reach, ...]
    declared: bool  # False when the license was left out and the fallback assumed

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.reaches)

    def reach(self, role: str) -> Reach | None:
        for reach in self.reaches:
            if reach.role == role:
                return reach
        return None


@dataclass(frozen=True)
class Facts:
    """The stated facts of the use, plus what was left unstated."""

    actions: frozenset[str]
    commercial: bool | None
    purposes: frozenset[str]
    numbers: dict[str, float]
    flags: dict[str, bool]
    release: str | None
    assumptions: Mapping[str, str]


@dataclass(frozen=True)
class ResolvedWaiver:
    waiver: Waiver
    license: str | None  # the canonical id, when the waiver names a license
    active: bool  # False once its expiry date has passed


@dataclass(frozen=True)
class ResolvedScenario:
    scenario: Scenario
    library: Library
    source: SourceMap
    target: str
    components: dict[str, ResolvedComponent]
    facts: Facts
    waivers: tuple[ResolvedWaiver, ...] = ()

    def clauses_for(self, component: str, license_id: str) -> tuple[n.Clause, ...]:
        """The clauses of a license that apply to one component: all of them,
        less what an active waiver accepted. Waiving a `permit` clause waives
        the license's grant scope as a whole, since dropping one permit would
        narrow the grant instead of accepting its gap."""
        clauses = self.library.licenses[license_id].clauses
        for resolved in self.waivers:
            waiver = resolved.waiver
            if not resolved.active or waiver.component != component or resolved.license not in (None, license_id):
                continue
            if waiver.clause is None:
                return ()
            waived = [c for c in clauses if c.name == waiver.clause]
            if any(c.effect == "permit" for c in waived):
                clauses = tuple(c for c in clauses if c.effect != "permit")
            else:
                clauses = tuple(c for c in clauses if c.name != waiver.clause)
        return clauses

    @property
    def reached(self) -> list[ResolvedComponent]:
        return [c for c in self.components.values() if c.reaches]

    def words_tested(self) -> frozenset[tuple[str, str]]:
        """The (category, word) pairs the clauses of the scenario's licenses
        test: only these can change its answer, so the compiler and the
        reference evaluator leave the other purposes, flags and numbers out."""
        return frozenset(
            word
            for component in self.components.values()
            for option in component.options
            for term in option
            for name in (term.license, term.exception)
            if name is not None
            for word in self.library.words_tested(name)
        )


def resolve(scenario: Scenario, library: Library, source: SourceMap | None = None, today: dt.date | None = None) -> ResolvedScenario:
    """Check every word and id of the scenario against the library and walk the graph.

    `today` decides which waivers have expired (default: the current date).
    """
    source = source or SourceMap()
    vocabulary = library.vocabulary
    names = list(scenario.components)
    use = scenario.use
    if use.target not in scenario.components:
        raise source.error(
            f"use.target '{use.target}' is not a component",
            ("use", "target"),
            hint=did_you_mean(use.target, names) or "name one of: " + ", ".join(names),
        )

    for name, component in scenario.components.items():
        if not vocabulary.has("kind", component.kind):
            raise source.error(
                f"component '{name}': unknown kind '{component.kind}'",
                ("components", name, "kind"),
                hint=did_you_mean(component.kind, vocabulary.names("kind")) or "kinds: " + ", ".join(vocabulary.names("kind")),
            )
        for relation, targets in component.relations.items():
            if relation not in vocabulary.relations:
                raise source.error(
                    f"component '{name}': unknown key or relation '{relation}'",
                    ("components", name, relation),
                    hint=did_you_mean(relation, list(vocabulary.relations) + sorted(COMPONENT_FIELDS))
                    or "relations: " + ", ".join(vocabulary.relations),
                )
            for index, other in enumerate(targets):
                if other not in scenario.components:
                    raise source.error(
                        f"component '{name}': '{relation}' names '{other}', which is not a component",
                        ("components", name, relation, str(index)),
                        hint=did_you_mean(other, names) or "add it under 'components'",
                    )
                if other == name:
                    raise source.error(f"component '{name}' is related to itself", ("components", name, relation))
    _check_acyclic(scenario, source)

    for index, action in enumerate(use.actions):
        if not vocabulary.has("action", action):
            raise source.error(
                f"unknown action '{action}'",
                ("use", "actions", str(index)),
                hint=did_you_mean(action, vocabulary.names("action")) or "actions: " + ", ".join(vocabulary.names("action")),
            )
    for index, purpose in enumerate(use.purposes):
        if not vocabulary.has("purpose", purpose):
            raise source.error(
                f"unknown purpose '{purpose}'",
                ("use", "purposes", str(index)),
                hint=did_you_mean(purpose, vocabulary.names("purpose")) or "run `licet vocabulary` to list purposes",
            )
    numbers: dict[str, float] = {}
    flags: dict[str, bool] = {}
    for key, value in use.facts.items():
        if vocabulary.has("number", key) and not isinstance(value, bool):
            numbers[key] = float(value)
        elif vocabulary.has("flag", key) and isinstance(value, bool):
            flags[key] = value
        else:
            known = vocabulary.names("number") + vocabulary.names("flag")
            raise source.error(
                f"unknown fact '{key}'" if key not in known else f"fact '{key}' has the wrong type",
                ("use", "facts", key),
                hint=did_you_mean(key, known) or "facts: " + ", ".join(known),
            )
    commercial = use.commercial
    if commercial is not None and vocabulary.has("flag", COMMERCIAL_FLAG):
        flags[COMMERCIAL_FLAG] = commercial
    for key in scenario.assume:
        if not vocabulary.has("assumption", key):
            raise source.error(
                f"unknown assumption '{key}'",
                ("assume", key),
                hint=did_you_mean(key, vocabulary.names("assumption")) or "assumptions: " + ", ".join(vocabulary.names("assumption")),
            )
    assumptions = {name: scenario.assume.get(name, "unknown") for name in vocabulary.names("assumption")}

    release = None
    if use.release_license is not None:
        release = _release_id(library, use.release_license, source)

    reaches = _walk(scenario, library, use.target)
    components = {}
    for name, component in scenario.components.items():
        expression, options, declared = _options(library, name, component, source, is_target=name == use.target)
        components[name] = ResolvedComponent(name, component.kind, expression, options, tuple(reaches.get(name, ())), declared)
    facts = Facts(
        actions=frozenset(use.actions),
        commercial=commercial,
        purposes=frozenset(use.purposes),
        numbers=numbers,
        flags=flags,
        release=release,
        assumptions=assumptions,
    )
    waivers = _waivers(scenario, library, components, source, today or dt.date.today())
    return ResolvedScenario(scenario, library, source, use.target, components, facts, waivers)


def _waivers(
    scenario: Scenario, library: Library, components: dict[str, ResolvedComponent], source: SourceMap, today: dt.date
) -> tuple[ResolvedWaiver, ...]:
    out = []
    for index, waiver in enumerate(scenario.waivers):
        where = ("waivers", str(index))
        component = components.get(waiver.component)
        if component is None:
            raise source.error(
                f"waiver names '{waiver.component}', which is not a component",
                (*where, "component"),
                hint=did_you_mean(waiver.component, list(components)) or "name one of: " + ", ".join(components),
            )
        licenses = [t.license for option in component.options for t in option]
        license_id = None
        if waiver.license is not None:
            license_id = library.canonical_id(waiver.license)
            if license_id not in licenses:
                raise source.error(
                    f"waiver for '{waiver.component}' names license '{waiver.license}', which the component does not carry",
                    (*where, "license"),
                    hint="its licenses: " + (", ".join(dict.fromkeys(licenses)) or "none"),
                )
        if waiver.clause is not None:
            named = [license_id] if license_id else licenses
            clauses = sorted({c.name for lic in named for c in library.licenses[lic].clauses})
            if waiver.clause not in clauses:
                raise source.error(
                    f"waiver for '{waiver.component}' names clause '{waiver.clause}', which none of its licenses has",
                    (*where, "clause"),
                    hint=did_you_mean(waiver.clause, clauses) or "clauses: " + ", ".join(clauses),
                )
        active = waiver.expires is None or waiver.expires >= today
        out.append(ResolvedWaiver(waiver, license_id, active))
    return tuple(out)


def _release_id(library: Library, text: str, source: SourceMap) -> str:
    where = ("use", "release-license")
    try:
        expression = library.parse_expression(text)
    except UnknownLicenseError as err:
        raise source.error(err.message, where, hint=err.hint, cls=UnknownLicenseError) from None
    if len(expression.options) != 1 or len(expression.options[0].terms) != 1 or expression.options[0].terms[0][1]:
        raise source.error(
            f"release-license must be one license id, not '{text}'",
            where,
            hint="name the one license you release under; leave it out to let licet find one",
        )
    license_id = expression.options[0].terms[0][0]
    if license_id not in library.release_domain:
        raise source.error(f"a work cannot be released under '{license_id}'", where, hint="name the license you release under")
    return license_id


def _options(
    library: Library, name: str, component: Component, source: SourceMap, is_target: bool
) -> tuple[Expression | None, tuple[tuple[Term, ...], ...], bool]:
    text = component.license
    declared = text is not None
    if text is None:
        if is_target or library.fallback is None:
            return None, (), False
        text = library.fallback
    try:
        expression = library.parse_expression(text)
    except UnknownLicenseError as err:
        raise source.error(f"component '{name}': {err.message}", ("components", name, "license"), hint=err.hint, cls=UnknownLicenseError) from None
    options: list[tuple[Term, ...]] = []
    try:
        for option in expression.options:
            options.extend(_expand_offers(library, option))
    except UnknownLicenseError as err:
        raise source.error(f"component '{name}': {err.message}", ("components", name, "license"), hint=err.hint, cls=UnknownLicenseError) from None
    return expression, tuple(dict.fromkeys(options)), declared


def _expand_offers(library: Library, option: Option) -> list[tuple[Term, ...]]:
    """`-or-later` licenses offer a choice: each offered license is one more option."""
    expanded: list[tuple[Term, ...]] = [()]
    for license_id, exception in option.terms:
        if exception is not None and license_id not in library.licenses:
            raise UnknownLicenseError(f"'{license_id}' is not a license and cannot carry an exception")
        offered = library.licenses[license_id].offers or (license_id,)
        if exception is not None and library.exceptions[exception].applies_to:
            fits = library.exceptions[exception].applies_to
            if license_id not in fits and not set(offered) & set(fits):
                raise UnknownLicenseError(
                    f"'{exception}' does not apply to '{license_id}': it is written for {', '.join(fits)}",
                    hint=f"run `licet show {exception}` to see what it relaxes",
                )
        elif exception is not None:
            relaxed = {name for clause in library.exceptions[exception].clauses for name in clause.words}
            if not any(library.licenses[choice].clause(name) for choice in offered for name in relaxed):
                raise UnknownLicenseError(
                    f"'{exception}' does not apply to '{license_id}': it relaxes {', '.join(sorted(relaxed))}, which '{license_id}' does not have",
                    hint=f"run `licet show {exception}` to see what it relaxes",
                )
        expanded = [prefix + (Term(choice, exception, license_id),) for prefix in expanded for choice in offered]
    return expanded


def _check_acyclic(scenario: Scenario, source: SourceMap) -> None:
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for targets in scenario.components[name].relations.values():
            for other in targets:
                if state.get(other) == 1:
                    cycle = trail[trail.index(other):] + [other] if other in trail else [name, other]
                    raise source.error(
                        "components relate to each other in a cycle: " + " → ".join(cycle),
                        ("components", name),
                        hint="a component cannot be derived from, trained on or include itself, even indirectly",
                    )
                if state.get(other) is None:
                    visit(other, trail + [other])
        state[name] = 2

    for name in scenario.components:
        if name not in state:
            visit(name, [name])


def _walk(scenario: Scenario, library: Library, target: str) -> dict[str, list[Reach]]:
    """Breadth-first from the target: every (component, role) once, by its shortest path."""
    vocabulary = library.vocabulary
    start_role = "self"
    found: dict[str, list[Reach]] = {target: [Reach(start_role, (target,), ())]}
    seen = {(target, start_role)}
    queue = deque([(target, Reach(start_role, (target,), ()))])
    while queue:
        name, reach = queue.popleft()
        for relation, others in scenario.components[name].relations.items():
            relation_role = vocabulary.relations[relation].role
            role = vocabulary.compose_roles(reach.role, relation_role)
            if role is None:
                continue
            for other in others:
                if (other, role) in seen:
                    continue
                seen.add((other, role))
                next_reach = Reach(role, reach.path + (other,), reach.via + (relation,))
                found.setdefault(other, []).append(next_reach)
                queue.append((other, next_reach))
    return found


@dataclass(frozen=True)
class NumberRegion:
    """A stretch of values an unstated number can take, between the thresholds
    rules compare it with; `point` stands for all of them."""

    point: float
    low: float | None
    low_inclusive: bool
    high: float | None
    high_inclusive: bool

    def joined(self, other: "NumberRegion") -> "NumberRegion":
        return NumberRegion(self.point, self.low, self.low_inclusive, other.high, other.high_inclusive)

    def describe(self) -> str:
        if self.low is None and self.high is None:
            return "any value"
        if self.low is not None and self.low == self.high:
            return f"= {_amount(self.low)}"
        if self.low is None:
            return f"{'≤' if self.high_inclusive else '<'} {_amount(self.high)}"
        if self.high is None:
            return f"{'≥' if self.low_inclusive else '>'} {_amount(self.low)}"
        return f"{'≥' if self.low_inclusive else '>'} {_amount(self.low)} and {'≤' if self.high_inclusive else '<'} {_amount(self.high)}"


def _amount(value: float | None) -> str:
    assert value is not None
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def number_regions(thresholds: set[float]) -> list[NumberRegion]:
    """Every region an unstated number can fall in, given the thresholds rules
    compare it with: below the first, each threshold, between two, above the last."""
    cuts = sorted(thresholds)
    if not cuts:
        return [NumberRegion(0.0, None, False, None, False)]
    regions = []
    if cuts[0] > 0:
        regions.append(NumberRegion(max(cuts[0] - 1, cuts[0] / 2), None, False, cuts[0], False))
    for index, cut in enumerate(cuts):
        regions.append(NumberRegion(cut, cut, True, cut, True))
        following = cuts[index + 1] if index + 1 < len(cuts) else None
        point = cut + 1 if following is None else (cut + following) / 2
        regions.append(NumberRegion(point, cut, False, following, False))
    return regions


# ---------------------------------------------------------------- quick queries

QUICK_TARGET = "system"


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
    """A scenario from a few licenses, for questions asked without a file.

    The target is a system that includes the code and weights, is derived from
    the base models and was trained on the data.
    """
    components: dict[str, dict[str, Any]] = {}
    target: dict[str, Any] = {"kind": "code" if code or not weights else "weights"}
    if target_license:
        target["license"] = target_license
    for kind, licenses, relation in (
        ("code", code, "includes"),
        ("weights", weights, "includes"),
        ("weights", base, "derived-from"),
        ("data", data, "trained-on"),
    ):
        for index, license_text in enumerate(licenses, 1):
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
