"""Stage 4: compile — clauses × roles × facts → z3 terms.

Every stated fact and every clause instance gets a tracked literal: the solver
stage passes them as assumptions so an unsat core names the clauses and facts
that collide. Components that hold the same license option in the same role
signature share one instance (and one term): a tree of a thousand packages under
one permissive license compiles its clauses a handful of times, not a thousand.

Facts the scenario leaves unstated (an `unknown` assumption, whether the use
is commercial, a number such as monthly active users) are "environment"
variables: the solver stage checks every value they can take, and an answer
that changes with them is `depends`, never a guess.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import z3

from . import nodes as n
from .library import LICENSE_SUBJECTS, SET_SUBJECTS, Library
from .scenario import COMMERCIAL_FLAG, NumberRegion, Reach, ResolvedComponent, ResolvedScenario, Term, number_regions

TRUE = z3.BoolVal(True)
FALSE = z3.BoolVal(False)


def and_(*items: z3.BoolRef) -> z3.BoolRef:
    kept = []
    for item in items:
        if z3.is_false(item):
            return FALSE
        if not z3.is_true(item):
            kept.append(item)
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 else z3.And(*kept)


def or_(*items: z3.BoolRef) -> z3.BoolRef:
    kept = []
    for item in items:
        if z3.is_true(item):
            return TRUE
        if not z3.is_false(item):
            kept.append(item)
    if not kept:
        return FALSE
    return kept[0] if len(kept) == 1 else z3.Or(*kept)


def not_(item: z3.BoolRef) -> z3.BoolRef:
    if z3.is_true(item):
        return FALSE
    if z3.is_false(item):
        return TRUE
    return z3.Not(item)


# ---------------------------------------------------------------- what the solver stage sees


@dataclass
class Fact:
    """A stated fact, tracked so it can appear in a conflict."""

    literal: z3.BoolRef
    name: str  # e.g. use.commercial, use.actions.distribute
    value: object
    path: tuple[str, ...]  # where in the scenario it was stated
    flip: z3.BoolRef | None = None  # the same fact made false, for fixes


@dataclass
class Placement:
    """One component an instance reaches, and how."""

    component: str
    reach: Reach
    term: Term


@dataclass
class Instance:
    """A clause applied to one or more components sharing a license option and role signature."""

    literal: z3.BoolRef
    clause: n.Clause
    license: str
    placements: list[Placement]
    trigger: z3.BoolRef
    via_exception: str | None = None

    @property
    def components(self) -> list[str]:
        return [p.component for p in self.placements]


@dataclass
class EnvVar:
    """An unstated fact or unknown assumption: each of its values is checked."""

    name: str
    kind: str  # assumption | flag | number
    values: list[tuple[str, z3.BoolRef]]  # label → literal that fixes the value
    regions: list[NumberRegion] | None = None  # for numbers, one per value

    def condition(self, label: str) -> str:
        """`name = yes`, or `name > 700,000,000` for a number's region."""
        return f"{self.name} {label}" if self.kind == "number" else f"{self.name} = {label}"


@dataclass
class Problem:
    resolved: ResolvedScenario
    solver: z3.Solver
    facts: list[Fact]
    instances: list[Instance]  # constraints: forbid, require-that, permit grants, impose
    duties: list[Instance]
    undecided: list[Instance]
    env: list[EnvVar]
    release: z3.ArithRef
    release_domain: tuple[str, ...]
    release_preference: list[str]
    release_selectors: dict[str, z3.BoolRef]
    choices: dict[str, tuple[z3.ArithRef, tuple[tuple[Term, ...], ...]]]
    choice_selectors: dict[tuple[str, int], z3.BoolRef]
    by_literal: dict[str, object] = field(default_factory=dict)

    def describe(self, literal: z3.BoolRef) -> object:
        return self.by_literal[str(literal)]


# ---------------------------------------------------------------- compiling


@dataclass(frozen=True)
class _Context:
    """What a condition can see about one component besides the use's facts."""

    key: tuple
    roles: frozenset[str]
    kind: str
    passed_on: str | None = None  # the `offers` license this term was chosen from


class _Compiler:
    def __init__(self, resolved: ResolvedScenario) -> None:
        self.resolved = resolved
        self.library: Library = resolved.library
        self.vocabulary = self.library.vocabulary
        facts = resolved.facts
        self.facts = facts
        self.target_kind = resolved.components[resolved.target].kind
        self.domain = self.library.release_domain
        self.domain_index = {lic: i for i, lic in enumerate(self.domain)}

        words = self.vocabulary.words
        self.action_vars = {a: z3.Bool(f"action:{a}") for a in words.get("action", {})}
        self.purpose_vars = {p: z3.Bool(f"purpose:{p}") for p in words.get("purpose", {})}
        self.flag_vars = {f: z3.Bool(f"flag:{f}") for f in words.get("flag", {})}
        self.number_vars = {x: z3.Real(f"number:{x}") for x in words.get("number", {})}
        self.term_vars = {t: z3.Bool(f"term:{t}") for t in words.get("term", {})}
        self.assumption_vars = {a: z3.Bool(f"assume:{a}") for a in words.get("assumption", {})}
        self.release = z3.Int("release.license")

        self.condition_cache: dict[tuple, z3.BoolRef] = {}
        self.role_cache: dict[frozenset[str], dict[str, z3.BoolRef]] = {}
        self.used_env: set[tuple[str, str]] = set()
        self.thresholds: dict[str, set[float]] = {}
        self.release_preference: list[str] = []

    # ------------------------------------------------------------ conditions

    def role_terms(self, roles: frozenset[str]) -> dict[str, z3.BoolRef]:
        cached = self.role_cache.get(roles)
        if cached is not None:
            return cached
        terms = {}
        for role in self.vocabulary.words.get("role", {}):
            if role in roles:
                terms[role] = TRUE
                continue
            widened = [
                self.condition(count.when, _Context(("vocabulary",), frozenset(), ""))
                for count in self.vocabulary.counts
                if count.counts_as == role and count.role in roles
            ]
            terms[role] = or_(*widened)
        self.role_cache[roles] = terms
        return terms

    def condition(self, cond: n.Condition, ctx: _Context) -> z3.BoolRef:
        key = (id(cond), ctx.key)
        cached = self.condition_cache.get(key)
        if cached is None:
            cached = self.condition_cache[key] = self._condition(cond, ctx)
        return cached

    def _condition(self, cond: n.Condition, ctx: _Context) -> z3.BoolRef:
        if isinstance(cond, n.Const):
            return TRUE if cond.value else FALSE
        if isinstance(cond, n.AllOf):
            return and_(*(self.condition(c, ctx) for c in cond.items))
        if isinstance(cond, n.AnyOf):
            return or_(*(self.condition(c, ctx) for c in cond.items))
        if isinstance(cond, n.Not):
            return not_(self.condition(cond.item, ctx))
        if isinstance(cond, n.Assumed):
            self.used_env.add(("assumption", cond.name))
            return self.assumption_vars[cond.name]
        if isinstance(cond, n.Flag):
            if cond.name in self.action_vars:
                return self.action_vars[cond.name]
            self.used_env.add(("flag", cond.name))
            return self.flag_vars[cond.name]
        if isinstance(cond, n.Compare):
            self.used_env.add(("number", cond.subject))
            self.thresholds.setdefault(cond.subject, set()).add(cond.value)
            var = self.number_vars[cond.subject]
            value = z3.RealVal(cond.value)
            return {">": var > value, ">=": var >= value, "<": var < value, "<=": var <= value}[cond.op]
        if isinstance(cond, n.Member):
            return self._member(cond, ctx)
        raise AssertionError(f"unhandled condition {cond!r}")  # pragma: no cover

    def _member(self, cond: n.Member, ctx: _Context) -> z3.BoolRef:
        subject = cond.subject
        if subject == "role":
            terms = self.role_terms(ctx.roles)
            return or_(*(terms[v] for v in cond.values))
        if subject == "purpose":
            return or_(*(self.purpose_vars[v] for v in cond.values))
        if subject == "work.terms":
            return or_(*(self.term_vars[v] for v in cond.values))
        if subject == "kind":
            return TRUE if ctx.kind in cond.values else FALSE
        if subject == "target.kind":
            return TRUE if self.target_kind in cond.values else FALSE
        if subject in LICENSE_SUBJECTS:
            for value in cond.values:
                if value in self.domain_index and value not in self.release_preference:
                    self.release_preference.append(value)
            allowed = [v for v in cond.values if v in self.domain_index]
            # A license that offers a choice may also be passed on unchanged
            # (`-or-later` stays `-or-later`), whatever the clause asks for.
            if ctx.passed_on in self.domain_index:
                allowed.append(ctx.passed_on)  # type: ignore[arg-type]
            return or_(*(self.release == self.domain_index[v] for v in dict.fromkeys(allowed)))
        raise AssertionError(f"unhandled subject {subject}; known: {sorted(SET_SUBJECTS)}")  # pragma: no cover

    def actions(self, actions: tuple[str, ...]) -> z3.BoolRef:
        if n.ANY_ACTION in actions:
            # a use always has at least one action, so `any` holds outright
            # and no action fact clutters the conflicts it explains
            return TRUE
        return or_(*(self.action_vars[a] for a in actions))


def _roles_mentioned(cond: n.Condition) -> list[str]:
    if isinstance(cond, n.Member) and cond.subject == "role":
        return list(cond.values)
    if isinstance(cond, (n.AllOf, n.AnyOf)):
        return [r for c in cond.items for r in _roles_mentioned(c)]
    if isinstance(cond, n.Not):
        return _roles_mentioned(cond.item)
    return []


def _explaining_reach(component: ResolvedComponent, clause: n.Clause) -> Reach:
    """The path shown for a clause: the first reach whose role the clause names."""
    wanted = _roles_mentioned(clause.when)
    for role in wanted:
        reach = component.reach(role)
        if reach is not None:
            return reach
    return component.reaches[0]


def compile_problem(resolved: ResolvedScenario, timeout_ms: int | None = None) -> Problem:
    """Build the solver, its tracked facts and clause instances for one scenario."""
    c = _Compiler(resolved)
    solver = z3.Solver()
    if timeout_ms:
        solver.set("timeout", int(timeout_ms))
    library = resolved.library
    facts_in = resolved.facts
    by_literal: dict[str, object] = {}
    facts: list[Fact] = []

    def fact(name: str, value: object, constraint: z3.BoolRef, path: tuple[str, ...], flip: z3.BoolRef | None = None) -> None:
        literal = z3.Bool(f"fact:{len(facts)}:{name}")
        solver.add(z3.Implies(literal, constraint))
        flip_literal = None
        if flip is not None:
            flip_literal = z3.Bool(f"flip:{len(facts)}:{name}")
            solver.add(z3.Implies(flip_literal, flip))
        record = Fact(literal, name, value, path, flip_literal)
        facts.append(record)
        by_literal[str(literal)] = record

    # ------------------------------------------------------------ stated facts
    for action, var in c.action_vars.items():
        done = action in facts_in.actions
        position = list(resolved.scenario.use.actions).index(action) if done else None
        path = ("use", "actions", str(position)) if done else ("use", "actions")
        fact(f"use.actions.{action}", done, var == done, path, flip=var == (not done))
    for purpose, var in c.purpose_vars.items():
        stated = purpose in facts_in.purposes
        if stated:
            position = list(resolved.scenario.use.purposes).index(purpose)
            fact(f"use.purposes.{purpose}", True, var, ("use", "purposes", str(position)), flip=z3.Not(var))
        else:
            fact(f"use.purposes.{purpose}", False, z3.Not(var), ("use", "purposes"))
    for flag, value in facts_in.flags.items():
        var = c.flag_vars[flag]
        path = ("use", "commercial") if flag == COMMERCIAL_FLAG and facts_in.commercial is not None else ("use", "facts", flag)
        fact(flag, value, var == value, path, flip=var == (not value))
    for number, value in facts_in.numbers.items():
        fact(number, value, c.number_vars[number] == z3.RealVal(value), ("use", "facts", number))
    for name, value in facts_in.assumptions.items():
        if value != "unknown":
            var = c.assumption_vars[name]
            fact(f"assume.{name}", value, var if value == "yes" else z3.Not(var), ("assume", name),
                 flip=z3.Not(var) if value == "yes" else var)

    # ------------------------------------------------------------ choices
    choices: dict[str, tuple[z3.ArithRef, tuple[tuple[Term, ...], ...]]] = {}
    choice_selectors: dict[tuple[str, int], z3.BoolRef] = {}
    for component in resolved.components.values():
        if len(component.options) > 1 and (component.reaches or component.name == resolved.target):
            var = z3.Int(f"choice:{component.name}")
            solver.add(var >= 0, var < len(component.options))
            choices[component.name] = (var, component.options)
            for k in range(len(component.options)):
                selector = z3.Bool(f"choose:{component.name}:{k}")
                solver.add(z3.Implies(selector, var == k))
                choice_selectors[(component.name, k)] = selector

    def guard(component: ResolvedComponent, k: int) -> z3.BoolRef:
        if component.name in choices:
            return choices[component.name][0] == k
        return TRUE

    # ------------------------------------------------------------ release
    solver.add(c.release >= 0, c.release < len(c.domain))
    release_selectors = {}
    for lic, i in c.domain_index.items():
        selector = z3.Bool(f"release:{lic}")
        solver.add(z3.Implies(selector, c.release == i))
        release_selectors[lic] = selector
    if facts_in.release is not None:
        fact("use.release-license", facts_in.release, c.release == c.domain_index[facts_in.release], ("use", "release-license"))
    else:
        target = resolved.components[resolved.target]
        if target.options:
            declared = []
            for k, option in enumerate(target.options):
                ids = [i for t in option for i in dict.fromkeys((t.declared, t.license)) if i in c.domain_index]
                if ids:
                    declared.append(z3.Implies(guard(target, k), or_(*(c.release == c.domain_index[i] for i in ids))))
                    for i in ids:
                        if i not in c.release_preference:
                            c.release_preference.append(i)
            if declared:
                license_text = target.expression.text if target.expression else ""
                fact(f"components.{target.name}.license", license_text, and_(*declared), ("components", target.name, "license"))

    # ------------------------------------------------------------ clause instances
    groups: dict[tuple, Instance] = {}
    order: list[Instance] = []
    duties: list[Instance] = []
    undecided: list[Instance] = []
    grants: dict[tuple, list[tuple[n.Clause, z3.BoolRef]]] = {}
    impose: dict[str, list[z3.BoolRef]] = {t: [] for t in c.term_vars}
    counter = itertools.count()

    def relaxations(exception: str | None, clause: n.Clause, ctx: _Context) -> z3.BoolRef:
        if exception is None:
            return FALSE
        relaxing = [
            and_(c.condition(r.when, ctx), not_(c.condition(r.unless, ctx)))
            for r in library.exceptions[exception].clauses
            if clause.name in r.words
        ]
        return or_(*relaxing)

    for component in resolved.components.values():
        if not component.reaches:
            continue
        roles = component.roles
        for k, option in enumerate(component.options):
            option_guard = guard(component, k)
            guard_key = (component.name, k) if component.name in choices else None
            for term in option:
                passed_on = term.declared if term.declared != term.license else None
                ctx = _Context((roles, component.kind, passed_on), roles, component.kind, passed_on)
                lic = library.licenses[term.license]
                for clause in lic.clauses:
                    when = c.condition(clause.when, ctx)
                    unless = c.condition(clause.unless, ctx)
                    relaxed = relaxations(term.exception, clause, ctx)
                    base = and_(when, not_(unless), not_(relaxed))
                    if clause.effect in ("forbid", "undecided", "permit"):
                        base = and_(c.actions(clause.actions), base)
                    if z3.is_false(base) and clause.effect != "permit":
                        continue
                    placement = Placement(component.name, _explaining_reach(component, clause), term)
                    if clause.effect == "permit":
                        grants.setdefault((component.name, k, term.license, term.exception), []).append((clause, base))
                        continue
                    key = (term.license, term.exception, term.declared, clause.name, ctx.key, guard_key)
                    existing = groups.get(key)
                    if existing is not None:
                        existing.placements.append(placement)
                        continue
                    trigger = and_(option_guard, base)
                    literal = z3.Bool(f"clause:{next(counter)}:{term.license}:{clause.name}")
                    instance = Instance(literal, clause, term.license, [placement], trigger, term.exception)
                    groups[key] = instance
                    by_literal[str(literal)] = instance
                    if clause.effect == "forbid":
                        solver.add(z3.Implies(literal, not_(trigger)))
                        order.append(instance)
                    elif clause.effect == "undecided":
                        solver.add(z3.Implies(literal, not_(trigger)))
                        undecided.append(instance)
                    elif clause.effect == "require-that":
                        assert clause.requirement is not None
                        requirement = c.condition(clause.requirement, ctx)
                        solver.add(z3.Implies(literal, z3.Implies(trigger, requirement)))
                        order.append(instance)
                    elif clause.effect == "impose":
                        for word in clause.words:
                            impose[word].append(and_(literal, trigger))
                        order.append(instance)
                    elif clause.effect == "require":
                        duties.append(instance)

    # A license with `permit` clauses grants only what they cover.
    for (name, k, license_id, exception), permits in grants.items():
        component = resolved.components[name]
        option_guard = guard(component, k)
        clause = permits[0][0]
        covered = []
        for action, var in c.action_vars.items():
            allowed = or_(*(cond for cl, cond in permits if n.ANY_ACTION in cl.actions or action in cl.actions))
            covered.append(z3.Implies(var, allowed))
        trigger = and_(option_guard, not_(and_(*covered)))
        if z3.is_false(trigger):
            continue
        literal = z3.Bool(f"grant:{next(counter)}:{license_id}")
        term = next(t for t in component.options[k] if t.license == license_id)
        instance = Instance(literal, clause, license_id, [Placement(name, component.reaches[0], term)], trigger, exception)
        by_literal[str(literal)] = instance
        solver.add(z3.Implies(literal, not_(trigger)))
        order.append(instance)

    for term_name, contributions in impose.items():
        solver.add(c.term_vars[term_name] == or_(*contributions))

    env = _environment(c, solver)
    for var in env:
        for label, literal in var.values:
            by_literal[str(literal)] = (var, label)
    return Problem(
        resolved=resolved,
        solver=solver,
        facts=facts,
        instances=order,
        duties=duties,
        undecided=undecided,
        env=env,
        release=c.release,
        release_domain=c.domain,
        release_preference=c.release_preference,
        release_selectors=release_selectors,
        choices=choices,
        choice_selectors=choice_selectors,
        by_literal=by_literal,
    )


def _environment(c: _Compiler, solver: z3.Solver) -> list[EnvVar]:
    facts = c.facts
    env = []
    for kind, name in sorted(c.used_env):
        if kind == "assumption" and facts.assumptions.get(name, "unknown") == "unknown":
            var = c.assumption_vars[name]
            env.append(EnvVar(name, kind, [("yes", var), ("no", z3.Not(var))]))
        elif kind == "flag" and name not in facts.flags:
            var = c.flag_vars[name]
            env.append(EnvVar(name, kind, [("yes", var), ("no", z3.Not(var))]))
        elif kind == "number" and name not in facts.numbers:
            var = c.number_vars[name]
            values = []
            regions = number_regions(c.thresholds.get(name, set()))
            for region in regions:
                selector = z3.Bool(f"env:{name}={region.point}")
                solver.add(z3.Implies(selector, var == z3.RealVal(region.point)))
                values.append((region.describe(), selector))
            env.append(EnvVar(name, kind, values, regions))
    return env
