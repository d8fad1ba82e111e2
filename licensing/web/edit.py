"""Changes the page makes to a question: settle an open question, take a way
out, rename a component. Each takes the scenario in its file format (a dict
with kebab-case keys, as `scenario_to_dict` writes it) and returns a new one;
the engine then answers the new question as it answers any other.

Nothing here decides anything about licenses: a way out is applied as the
verdict's `Fix` describes it (leave these components out, stop this action,
answer this assumption the other way), and an open question is settled with
the value the person picked.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..environment import which_license_name
from ..errors import ScenarioError
from ..library import Library
from ..scenario import COMMERCIAL_FLAG
from ..scenario.model import COMPONENT_FIELDS
from ..verdict import Fix

Scenario = dict[str, Any]
SettleKind = Literal["assumption", "flag", "number", "purpose", "license"]
_TERM = re.compile(r"[^\s()]+")
# A license expression names at most this many families of licenses in practice;
# the open question of each is numbered in the order written.
MAX_FAMILIES = 32


class EditError(ScenarioError):
    """A change the page asked for that cannot be made to this question."""

    default_code = "licet.web.edit"


class Settle(BaseModel):
    """An open question and the answer picked for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: SettleKind
    name: str = Field(max_length=1024)
    value: str | float | bool


def _use(scenario: Scenario) -> dict[str, Any]:
    use = scenario.get("use")
    if not isinstance(use, dict):
        raise EditError("the question has no 'use' to change", hint="set the use (target and actions) first")
    return use


def _components(scenario: Scenario) -> dict[str, Any]:
    components = scenario.get("components")
    if not isinstance(components, dict):
        raise EditError("the question has no components to change", hint="add a component first")
    return components


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _yes_no(value: str | float | bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("yes", "true"):
        return True
    if isinstance(value, str) and value.lower() in ("no", "false"):
        return False
    raise EditError(f"an open yes/no question takes yes or no, not '{value}'", hint="pick yes or no")


def settle(scenario: Mapping[str, Any], question: Settle, library: Library) -> Scenario:
    """The question with one open question answered."""
    out: Scenario = copy.deepcopy(dict(scenario))
    vocabulary = library.vocabulary
    use = _use(out)
    match question.kind:
        case "assumption":
            if not vocabulary.has("assumption", question.name):
                raise EditError(f"unknown assumption '{question.name}'", hint="run `licet vocabulary` to list assumptions")
            answer = _yes_no(question.value)
            out["assume"] = {**_mapping(out.get("assume")), question.name: "yes" if answer else "no"}
        case "flag":
            if not vocabulary.has("flag", question.name):
                raise EditError(f"unknown flag '{question.name}'", hint="run `licet vocabulary` to list flags")
            answer = _yes_no(question.value)
            if question.name == COMMERCIAL_FLAG:
                use["commercial"] = answer
            else:
                use["facts"] = {**(use.get("facts") or {}), question.name: answer}
        case "number":
            if not vocabulary.has("number", question.name):
                raise EditError(f"unknown number '{question.name}'", hint="run `licet vocabulary` to list numbers")
            number = _number(question.value)
            use["facts"] = {**(use.get("facts") or {}), question.name: int(number) if number == int(number) else number}
        case "purpose":
            if not vocabulary.has("purpose", question.name):
                raise EditError(f"unknown purpose '{question.name}'", hint="run `licet vocabulary` to list purposes")
            purposes = [p for p in (use.get("purposes") or []) if p != question.name]
            if _yes_no(question.value):
                purposes.append(question.name)
            use["purposes"] = purposes
        case "license":
            _settle_family(out, question.name, str(question.value), library)
    return out


def _number(value: str | float | bool) -> float:
    if isinstance(value, bool):
        raise EditError("a number is needed, not yes or no", hint="type a number, e.g. 5000000")
    try:
        number = float(str(value).replace(",", "").replace("_", "")) if isinstance(value, str) else float(value)
    except ValueError:
        raise EditError(f"'{value}' is not a number", hint="type a number, e.g. 5000000") from None
    if not math.isfinite(number) or abs(number) > 1e300:
        raise EditError(f"'{value}' is not a number licet can reason about", hint="type a finite number, e.g. 5000000")
    return number


def _settle_family(scenario: Scenario, question: str, member: str, library: Library) -> None:
    """Which member of a family a component is under: the family's id in its
    license expression (the n-th family written, as the question counts
    them) is replaced by the member picked."""
    chosen = library.canonical_id(member)
    for name, component in _components(scenario).items():
        for occurrence in range(MAX_FAMILIES):
            if which_license_name(name, occurrence) != question:
                continue
            if not isinstance(component, dict) or not isinstance(component.get("license"), str):
                raise EditError(f"'{name}' has no license expression to settle", hint="pick its license in the list")
            text: str = component["license"]
            seen = 0
            for found in _TERM.finditer(text):
                canonical = library.canonical_id(found.group(0))
                family = library.licenses.get(canonical) if canonical else None
                if family is None or not family.is_family:
                    continue
                if seen == occurrence:
                    if chosen not in family.members:
                        raise EditError(f"'{member}' is not one of the licenses '{found.group(0)}' may mean",
                                        hint=f"pick one of: {', '.join(family.members)}")
                    component["license"] = text[: found.start()] + chosen + text[found.end():]
                    return
                seen += 1
    raise EditError(f"no component asks the open question '{question}'", hint="check the question again, then settle what it asks")


# ---------------------------------------------------------------- ways out


def apply_fix(scenario: Mapping[str, Any], fix: Fix) -> tuple[Scenario, str | None]:
    """The question changed as a way out says; and a note when the change
    leaves something for the person to pick (no action left, say)."""
    out: Scenario = copy.deepcopy(dict(scenario))
    use = _use(out)
    fact = fix.fact
    note = None
    match fix.kind:
        case "leave-out":
            components = _components(out)
            if use.get("target") in fix.components:
                raise EditError("a way out never leaves out the target itself", hint="pick another way out")
            for name in fix.components:
                components.pop(name, None)
            for component in components.values():
                _drop_relations_to(component, set(fix.components))
            out["waivers"] = [w for w in out.get("waivers") or [] if not (isinstance(w, dict) and w.get("component") in fix.components)]
            if not out["waivers"]:
                out.pop("waivers")
        case "stop-action" | "start-action":
            assert fact is not None
            actions = [a for a in (use.get("actions") or []) if a != fact.name]
            if fix.kind == "start-action":
                actions.append(fact.name)
            elif not actions:
                note = "No action is left: pick what you do with the target instead."
            use["actions"] = actions
        case "drop-purpose":
            assert fact is not None
            use["purposes"] = [p for p in (use.get("purposes") or []) if p != fact.name]
        case "flip-assumption":
            assert fact is not None
            out["assume"] = {**_mapping(out.get("assume")), fact.name: "no" if fact.value == "yes" else "yes"}
        case "flip-flag":
            assert fact is not None
            flipped = not bool(fact.value)
            if fact.name == COMMERCIAL_FLAG:
                use["commercial"] = flipped
            else:
                use["facts"] = {**(use.get("facts") or {}), fact.name: flipped}
        case "change-release":
            use.pop("release-license", None)
        case "change-declared-license":
            assert fact is not None
            component = _components(out).get(fact.name)
            if isinstance(component, dict):
                component.pop("license", None)
        case "remedy":
            raise EditError("this way out is something to do (ask the licensor), not a change to the question",
                            hint="the memo lists it with the section that offers it")
    return out, note


def _drop_relations_to(component: Any, gone: set[str]) -> None:
    if not isinstance(component, dict):
        return
    relations = component.get("relations")
    holders: list[dict[str, Any]] = [relations] if isinstance(relations, dict) else []
    holders.append(component)
    for holder in holders:
        for key in [k for k in holder if holder is relations or k not in COMPONENT_FIELDS | {"relations"}]:
            value = holder[key]
            if isinstance(value, list):
                kept = [v for v in value if v not in gone]
                if kept:
                    holder[key] = kept
                else:
                    holder.pop(key)
            elif isinstance(value, str) and value in gone:
                holder.pop(key)


def rename_component(scenario: Mapping[str, Any], old: str, new: str) -> Scenario:
    """The question with a component renamed everywhere it is named."""
    out: Scenario = copy.deepcopy(dict(scenario))
    components = _components(out)
    if old not in components or old == new:
        return out
    out["components"] = {(new if name == old else name): component for name, component in components.items()}
    for component in out["components"].values():
        if not isinstance(component, dict):
            continue
        relations = component.get("relations")
        holders: list[dict[str, Any]] = [relations] if isinstance(relations, dict) else []
        holders.append(component)
        for holder in holders:
            for key, value in list(holder.items()):
                if holder is component and key in COMPONENT_FIELDS | {"relations"}:
                    continue
                if isinstance(value, list):
                    holder[key] = [new if v == old else v for v in value]
                elif value == old:
                    holder[key] = new
    use = out.get("use")
    if isinstance(use, dict) and use.get("target") == old:
        use["target"] = new
    for waiver in out.get("waivers") or []:
        if isinstance(waiver, dict) and waiver.get("component") == old:
            waiver["component"] = new
    return out
