"""The scenario, the one input format: components, the use of the target, the
assumptions and the waivers, as frozen pydantic models.

A scenario comes from YAML/JSON text (`load`), from a dict, from Python, or
from a scanned repository; all of them become the same `Scenario`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ..inputs import (
    MAX_COMPONENTS,
    MAX_EXPRESSION_CHARS,
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
)

AssumptionValue = Literal["yes", "no", "unknown"]
# The vocabulary flag that the scenario's `use.commercial` key sets: the
# input format names this one fact with a key of its own.
COMMERCIAL_FLAG = "use.commercial"
COMPONENT_FIELDS = {"kind", "license", "description"}

# The schema's strings, with the front door's length limits (`errors`).
Name = Annotated[str, StringConstraints(max_length=MAX_NAME_CHARS)]
ExpressionText = Annotated[str, StringConstraints(max_length=MAX_EXPRESSION_CHARS)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]


def _fact_value(value: object) -> object:
    """A fact is yes/no or a finite number, as written: no strings read as
    numbers, no nan or infinity, no integer too large for a float."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            raise ValueError("the number is too large") from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a number fact must be a finite number, not nan or infinity")
        return value
    shown = "text" if isinstance(value, str) else type(value).__name__
    raise ValueError(f"a fact is yes, no or a number, not {shown}")


FactValue = Annotated[float | bool, BeforeValidator(_fact_value)]


def yes_no(value: object) -> object:
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

    kind: Name
    license: ExpressionText | None = None
    description: Text | None = None
    relations: dict[Name, tuple[Name, ...]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _gather_relations(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        written = data.pop("relations", None) or {}
        if not isinstance(written, Mapping):
            return {**data, "relations": written}  # pydantic says what is wrong
        relations = dict(written)
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

    target: Name
    actions: tuple[Name, ...] = Field(min_length=1)
    commercial: bool | None = None
    purposes: tuple[Name, ...] = ()
    facts: dict[Name, FactValue] = Field(default_factory=dict)
    release_license: ExpressionText | None = Field(default=None, alias="release-license")

    @field_validator("actions", "purposes", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Waiver(BaseModel):
    """A finding accepted by a named person: the clauses of one license (or one
    clause) stop applying to one component until the waiver expires."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    component: Name
    license: ExpressionText | None = None
    clause: Name | None = None
    by: Text = Field(min_length=1)
    reason: Text = Field(min_length=1)
    expires: dt.date | None = None


class Scenario(BaseModel):
    """The question: these components, this use of the target, these assumptions."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    components: dict[Name, Component] = Field(min_length=1, max_length=MAX_COMPONENTS)
    use: Use
    assume: dict[Name, AssumptionValue] = Field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()

    @field_validator("assume", mode="before")
    @classmethod
    def _assumption_words(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: yes_no(v) for k, v in value.items()}
        return value


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario in its file format (kebab-case keys, relations as keys)."""
    data: dict[str, Any] = json.loads(scenario.model_dump_json(by_alias=True, exclude_none=True))
    for component in data["components"].values():
        component.update(component.pop("relations", {}))
    if not data.get("waivers"):
        data.pop("waivers", None)
    return data


def scenario_to_yaml(scenario: Scenario) -> str:
    """The scenario as YAML, re-checkable with `licet check`."""
    return yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True)
