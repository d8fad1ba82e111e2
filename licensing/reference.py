"""A reference evaluator: brute force in plain Python, for small scenarios.

It shares the parser, the library and the scenario stage with the real path,
but none of compiler.py or solver.py: it enumerates every plan (release
license, choice in each OR) under every value of what is unknown, and
evaluates the rules directly. The property tests check that it and the z3 path
agree on generated scenarios; that is how we trust the solver path.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from . import nodes as n
from .scenario import ResolvedComponent, ResolvedScenario, Term, number_regions
from .verdict import verdict_from_statuses


@dataclass(frozen=True)
class _World:
    """One environment and one plan."""

    actions: frozenset[str]
    purposes: frozenset[str]
    flags: dict[str, bool]
    numbers: dict[str, float]
    assumptions: dict[str, bool]
    release: str
    choices: dict[str, int]


def _thresholds(resolved: ResolvedScenario) -> dict[str, set[float]]:
    found: dict[str, set[float]] = {}

    def walk(cond: n.Condition | None) -> None:
        if cond is None:
            return
        if isinstance(cond, n.Compare):
            found.setdefault(cond.subject, set()).add(cond.value)
        elif isinstance(cond, (n.AllOf, n.AnyOf)):
            for item in cond.items:
                walk(item)
        elif isinstance(cond, n.Not):
            walk(cond.item)

    library = resolved.library
    for component in resolved.components.values():
        for option in component.options:
            for term in option:
                for clause in library.licenses[term.license].clauses:
                    walk(clause.when)
                    walk(clause.unless)
                    walk(clause.requirement)
    return found


def _passed_on(term: Term) -> str | None:
    """The `offers` license a term was picked from: it may be passed on as is."""
    return term.declared if term.declared != term.license else None


class _Evaluator:
    def __init__(self, resolved: ResolvedScenario) -> None:
        self.resolved = resolved
        self.library = resolved.library
        self.vocabulary = self.library.vocabulary
        self.target_kind = resolved.components[resolved.target].kind

    def has_role(self, component: ResolvedComponent, role: str, world: _World) -> bool:
        roles = component.roles
        if role in roles:
            return True
        for count in self.vocabulary.counts:
            if count.counts_as == role and count.role in roles and self.holds(count.when, component, world, frozenset()):
                return True
        return False

    def holds(self, cond: n.Condition, component: ResolvedComponent, world: _World, terms: frozenset[str], passed_on: str | None = None) -> bool:
        if isinstance(cond, n.Const):
            return cond.value
        if isinstance(cond, n.AllOf):
            return all(self.holds(c, component, world, terms, passed_on) for c in cond.items)
        if isinstance(cond, n.AnyOf):
            return any(self.holds(c, component, world, terms, passed_on) for c in cond.items)
        if isinstance(cond, n.Not):
            return not self.holds(cond.item, component, world, terms, passed_on)
        if isinstance(cond, n.Assumed):
            return world.assumptions[cond.name]
        if isinstance(cond, n.Flag):
            if self.vocabulary.has("action", cond.name):
                return cond.name in world.actions
            return world.flags[cond.name]
        if isinstance(cond, n.Compare):
            value = world.numbers[cond.subject]
            return {">": value > cond.value, ">=": value >= cond.value, "<": value < cond.value, "<=": value <= cond.value}[cond.op]
        if isinstance(cond, n.Member):
            if cond.subject == "role":
                return any(self.has_role(component, role, world) for role in cond.values)
            if cond.subject == "purpose":
                return bool(world.purposes & set(cond.values))
            if cond.subject == "work.terms":
                return bool(terms & set(cond.values))
            if cond.subject == "kind":
                return component.kind in cond.values
            if cond.subject == "target.kind":
                return self.target_kind in cond.values
            if cond.subject == "release.license":
                return world.release in cond.values or (passed_on is not None and world.release == passed_on)
        raise AssertionError(f"unhandled condition {cond!r}")

    def applies(self, clause: n.Clause, term: Term, component: ResolvedComponent, world: _World, terms: frozenset[str]) -> bool:
        passed_on = _passed_on(term)
        if not self.holds(clause.when, component, world, terms, passed_on) or self.holds(clause.unless, component, world, terms, passed_on):
            return False
        if term.exception is not None:
            for relax in self.library.exceptions[term.exception].clauses:
                if (
                    clause.name in relax.words
                    and self.holds(relax.when, component, world, terms, passed_on)
                    and not self.holds(relax.unless, component, world, terms, passed_on)
                ):
                    return False
        if clause.effect in ("forbid", "permit", "undecided"):
            return (n.ANY_ACTION in clause.actions and bool(world.actions)) or bool(world.actions & set(clause.actions))
        return True

    def chosen(self, world: _World) -> list[tuple[ResolvedComponent, Term]]:
        out: list[tuple[ResolvedComponent, Term]] = []
        for component in self.resolved.components.values():
            if not component.reaches or not component.options:
                continue
            chosen = world.choices.get(component.name, 0)
            for k, option in enumerate(component.options):
                # an `offers` license passed on unchanged binds in every version
                out.extend(
                    (component, term)
                    for term in option
                    if k == chosen or (_passed_on(term) is not None and world.release == _passed_on(term))
                )
        return out

    def compliant(self, world: _World, with_undecided: bool) -> bool:
        resolved = self.resolved
        facts = resolved.facts
        target = resolved.components[resolved.target]
        if facts.release is not None:
            if world.release != facts.release:
                return False
        elif target.options:
            option = target.options[world.choices.get(target.name, 0)]
            outbound = [i for t in option for i in (t.declared, t.license) if i in self.library.release_domain]
            if outbound and world.release not in outbound:
                return False
        pairs = self.chosen(world)
        terms: set[str] = set()
        for component, term in pairs:
            for clause in resolved.clauses_for(component.name, term.license):
                if clause.effect == "impose" and self.applies(clause, term, component, world, frozenset()):
                    terms.update(clause.words)
        carried = frozenset(terms)
        for component, term in pairs:
            permits = []
            for clause in resolved.clauses_for(component.name, term.license):
                if clause.effect == "permit":
                    permits.append(clause)
                    continue
                if clause.effect == "undecided" and not with_undecided:
                    continue
                if clause.effect in ("forbid", "undecided") and self.applies(clause, term, component, world, carried):
                    return False
                if clause.effect == "require-that" and self.applies(clause, term, component, world, carried):
                    assert clause.requirement is not None
                    if not self.holds(clause.requirement, component, world, carried, _passed_on(term)):
                        return False
            if permits:
                for action in world.actions:
                    single = _World(frozenset({action}), world.purposes, world.flags, world.numbers, world.assumptions, world.release, world.choices)
                    if not any(self.applies(p, term, component, single, carried) for p in permits):
                        return False
        return True


def reference_verdict(resolved: ResolvedScenario) -> str:
    """The verdict by enumeration: allowed, forbidden, depends or unknown."""
    evaluator = _Evaluator(resolved)
    library = resolved.library
    facts = resolved.facts
    vocabulary = library.vocabulary

    env_axes: list[tuple[str, str, list[object]]] = []
    for name, answer in facts.assumptions.items():
        env_axes.append(("assumption", name, [answer == "yes"] if answer != "unknown" else [True, False]))
    # the rest would multiply the cases for nothing
    tested = resolved.words_tested()
    for flag in vocabulary.names("flag"):
        if ("flag", flag) in tested or flag in facts.flags:
            env_axes.append(("flag", flag, [facts.flags[flag]] if flag in facts.flags else [True, False]))
    thresholds = _thresholds(resolved)
    for number in vocabulary.names("number"):
        if ("number", number) not in tested and number not in facts.numbers:
            continue
        points: list[object] = [facts.numbers[number]] if number in facts.numbers else [r.point for r in number_regions(thresholds.get(number, set()))]
        env_axes.append(("number", number, points))

    choosers = [c for c in resolved.components.values() if len(c.options) > 1 and (c.reaches or c.name == resolved.target)]
    plan_axes = [range(len(c.options)) for c in choosers]
    releases = [facts.release] if facts.release else list(library.release_domain)

    statuses = []
    for env_values in itertools.product(*(axis[2] for axis in env_axes)):
        assumptions: dict[str, bool] = {}
        flags: dict[str, bool] = {}
        numbers: dict[str, float] = {}
        for (kind, name, _), value in zip(env_axes, env_values):
            {"assumption": assumptions, "flag": flags, "number": numbers}[kind][name] = value  # type: ignore[index]
        found_any = found_clean = False
        for release in releases:
            for picks in itertools.product(*plan_axes):
                world = _World(
                    facts.actions,
                    facts.purposes,
                    flags,
                    numbers,
                    assumptions,
                    release,
                    {c.name: k for c, k in zip(choosers, picks)},
                )
                if evaluator.compliant(world, with_undecided=False):
                    found_any = True
                    if evaluator.compliant(world, with_undecided=True):
                        found_clean = True
                        break
            if found_clean:
                break
        statuses.append("sat" if found_clean else ("undecided" if found_any else "unsat"))

    return verdict_from_statuses(statuses)
