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
    release_domain: tuple[str, ...]
    release_preference: list[str]
    release_selectors: dict[str, z3.BoolRef]
    choices: dict[str, tuple[z3.ArithRef, tuple[tuple[Term, ...], ...]]]
    choice_selectors: dict[tuple[str, int], z3.BoolRef]
    by_literal: dict[str, object] = field(default_factory=dict)


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


class _ProblemBuilder:
    """Asserts one scenario's facts and clause instances into a fresh solver."""

    def __init__(self, resolved: ResolvedScenario, timeout_ms: int | None) -> None:
        self.resolved = resolved
        self.library = resolved.library
        self.facts_in = resolved.facts
        self.c = _Compiler(resolved)
        self.solver = z3.Solver()
        if timeout_ms:
            self.solver.set("timeout", int(timeout_ms))
        self.by_literal: dict[str, object] = {}
        self.facts: list[Fact] = []
        self.choices: dict[str, tuple[z3.ArithRef, tuple[tuple[Term, ...], ...]]] = {}
        self.choice_selectors: dict[tuple[str, int], z3.BoolRef] = {}
        self.release_selectors: dict[str, z3.BoolRef] = {}
        self.groups: dict[tuple, Instance] = {}
        self.constraints: list[Instance] = []
        self.duties: list[Instance] = []
        self.undecided: list[Instance] = []
        self.grants: dict[tuple, list[tuple[n.Clause, z3.BoolRef]]] = {}
        self.imposed: dict[str, list[z3.BoolRef]] = {t: [] for t in self.c.term_vars}
        self.counter = itertools.count()

    def build(self) -> Problem:
        self.stated_facts()
        self.choice_vars()
        self.release()
        self.instances()
        self.grant_scopes()
        for term_name, contributions in self.imposed.items():
            self.solver.add(self.c.term_vars[term_name] == or_(*contributions))
        env = _environment(self.c, self.solver)
        for var in env:
            for label, literal in var.values:
                self.by_literal[str(literal)] = (var, label)
        return Problem(
            resolved=self.resolved,
            solver=self.solver,
            facts=self.facts,
            instances=self.constraints,
            duties=self.duties,
            undecided=self.undecided,
            env=env,
            release_domain=self.c.domain,
            release_preference=self.c.release_preference,
            release_selectors=self.release_selectors,
            choices=self.choices,
            choice_selectors=self.choice_selectors,
            by_literal=self.by_literal,
        )

    # ------------------------------------------------------------ stated facts

    def fact(self, name: str, value: object, constraint: z3.BoolRef, path: tuple[str, ...], flip: z3.BoolRef | None = None) -> None:
        index = len(self.facts)
        label = f"fact:{index}:{name}"
        literal = z3.Bool(label)
        self.solver.add(z3.Implies(literal, constraint))
        flip_literal = None
        if flip is not None:
            flip_literal = z3.Bool(f"flip:{index}:{name}")
            self.solver.add(z3.Implies(flip_literal, flip))
        record = Fact(literal, name, value, path, flip_literal)
        self.facts.append(record)
        self.by_literal[label] = record  # str(literal) would run z3's printer

    def stated_facts(self) -> None:
        c, facts_in, use = self.c, self.facts_in, self.resolved.scenario.use
        for action, var in c.action_vars.items():
            done = action in facts_in.actions
            path = ("use", "actions", str(list(use.actions).index(action))) if done else ("use", "actions")
            self.fact(f"use.actions.{action}", done, var == done, path, flip=var == (not done))
        tested = self.resolved.words_tested()
        for purpose, var in c.purpose_vars.items():
            if ("purpose", purpose) not in tested and purpose not in facts_in.purposes:
                continue  # no clause here tests it: a fact would only slow the solver
            if purpose in facts_in.purposes:
                path = ("use", "purposes", str(list(use.purposes).index(purpose)))
                self.fact(f"use.purposes.{purpose}", True, var, path, flip=z3.Not(var))
            else:
                self.fact(f"use.purposes.{purpose}", False, z3.Not(var), ("use", "purposes"))
        for flag, flag_value in facts_in.flags.items():
            var = c.flag_vars[flag]
            path = ("use", "commercial") if flag == COMMERCIAL_FLAG and facts_in.commercial is not None else ("use", "facts", flag)
            self.fact(flag, flag_value, var == flag_value, path, flip=var == (not flag_value))
        for number, amount in facts_in.numbers.items():
            self.fact(number, amount, c.number_vars[number] == z3.RealVal(amount), ("use", "facts", number))
        for name, answer in facts_in.assumptions.items():
            if answer != "unknown":
                var = c.assumption_vars[name]
                holds, flipped = (var, z3.Not(var)) if answer == "yes" else (z3.Not(var), var)
                self.fact(f"assume.{name}", answer, holds, ("assume", name), flip=flipped)

    # ------------------------------------------------------------ what the plan chooses

    def choice_vars(self) -> None:
        for component in self.resolved.components.values():
            if len(component.options) > 1 and (component.reaches or component.name == self.resolved.target):
                var = z3.Int(f"choice:{component.name}")
                self.solver.add(var >= 0, var < len(component.options))
                self.choices[component.name] = (var, component.options)
                for k in range(len(component.options)):
                    selector = z3.Bool(f"choose:{component.name}:{k}")
                    self.solver.add(z3.Implies(selector, var == k))
                    self.choice_selectors[(component.name, k)] = selector

    def guard(self, component: ResolvedComponent, k: int) -> z3.BoolRef:
        """True when the plan takes option k of the component's license expression."""
        if component.name in self.choices:
            return self.choices[component.name][0] == k
        return TRUE

    def release(self) -> None:
        c = self.c
        self.solver.add(c.release >= 0, c.release < len(c.domain))
        for lic, i in c.domain_index.items():
            selector = z3.Bool(f"release:{lic}")
            self.solver.add(z3.Implies(selector, c.release == i))
            self.release_selectors[lic] = selector
        if self.facts_in.release is not None:
            stated = self.facts_in.release
            self.fact("use.release-license", stated, c.release == c.domain_index[stated], ("use", "release-license"))
            return
        # Without a stated release license, the target goes out under what it declares.
        target = self.resolved.components[self.resolved.target]
        declared = []
        for k, option in enumerate(target.options):
            ids = [lic for t in option for lic in dict.fromkeys((t.declared, t.license)) if lic in c.domain_index]
            if ids:
                declared.append(z3.Implies(self.guard(target, k), or_(*(c.release == c.domain_index[lic] for lic in ids))))
                for lic in ids:
                    if lic not in c.release_preference:
                        c.release_preference.append(lic)
        if declared:
            license_text = target.expression.text if target.expression else ""
            self.fact(f"components.{target.name}.license", license_text, and_(*declared), ("components", target.name, "license"))

    # ------------------------------------------------------------ clause instances

    def relaxations(self, exception: str | None, clause: n.Clause, ctx: _Context) -> z3.BoolRef:
        if exception is None:
            return FALSE
        c = self.c
        return or_(
            *(
                and_(c.condition(r.when, ctx), not_(c.condition(r.unless, ctx)))
                for r in self.library.exceptions[exception].clauses
                if clause.name in r.words
            )
        )

    def instances(self) -> None:
        c = self.c
        for component in self.resolved.components.values():
            if not component.reaches:
                continue
            roles = component.roles
            for k, option in enumerate(component.options):
                guard_key = (component.name, k) if component.name in self.choices else None
                for term in option:
                    passed_on = term.declared if term.declared != term.license else None
                    ctx = _Context((roles, component.kind, passed_on), roles, component.kind, passed_on)
                    guard = self.guard(component, k)
                    if passed_on in c.domain_index:
                        # Passing an `offers` license on unchanged (releasing under
                        # GPL-2.0-or-later) lets each recipient pick any offered
                        # version, so every version's terms must hold, not only
                        # the one this plan would pick for itself.
                        guard = or_(guard, c.release == c.domain_index[passed_on])  # type: ignore[index]
                    for clause in self.resolved.clauses_for(component.name, term.license):
                        base = and_(
                            c.condition(clause.when, ctx),
                            not_(c.condition(clause.unless, ctx)),
                            not_(self.relaxations(term.exception, clause, ctx)),
                        )
                        if clause.effect in ("forbid", "undecided", "permit"):
                            base = and_(c.actions(clause.actions), base)
                        if clause.effect == "permit":
                            self.grants.setdefault((component.name, k, term.license, term.exception), []).append((clause, base))
                            continue
                        if z3.is_false(base):
                            continue
                        placement = Placement(component.name, _explaining_reach(component, clause), term)
                        key = (term.license, term.exception, term.declared, clause.name, ctx.key, guard_key)
                        existing = self.groups.get(key)
                        if existing is not None:
                            existing.placements.append(placement)
                        else:
                            self.groups[key] = self.instance(clause, term, placement, and_(guard, base), ctx)

    def instance(self, clause: n.Clause, term: Term, placement: Placement, trigger: z3.BoolRef, ctx: _Context) -> Instance:
        label = f"clause:{next(self.counter)}:{term.license}:{clause.name}"
        literal = z3.Bool(label)
        instance = Instance(literal, clause, term.license, [placement], trigger, term.exception)
        self.by_literal[label] = instance
        if clause.effect in ("forbid", "undecided"):
            self.solver.add(z3.Implies(literal, not_(trigger)))
            (self.constraints if clause.effect == "forbid" else self.undecided).append(instance)
        elif clause.effect == "require-that":
            assert clause.requirement is not None
            requirement = self.c.condition(clause.requirement, ctx)
            self.solver.add(z3.Implies(literal, z3.Implies(trigger, requirement)))
            self.constraints.append(instance)
        elif clause.effect == "impose":
            for word in clause.words:
                self.imposed[word].append(and_(literal, trigger))
            self.constraints.append(instance)
        elif clause.effect == "require":
            self.duties.append(instance)
        return instance

    def grant_scopes(self) -> None:
        """A license with `permit` clauses grants only what they cover."""
        for (name, k, license_id, exception), permits in self.grants.items():
            component = self.resolved.components[name]
            covered = []
            for action, var in self.c.action_vars.items():
                allowed = or_(*(cond for clause, cond in permits if n.ANY_ACTION in clause.actions or action in clause.actions))
                covered.append(z3.Implies(var, allowed))
            trigger = and_(self.guard(component, k), not_(and_(*covered)))
            if z3.is_false(trigger):
                continue
            label = f"grant:{next(self.counter)}:{license_id}"
            literal = z3.Bool(label)
            term = next(t for t in component.options[k] if t.license == license_id)
            instance = Instance(literal, permits[0][0], license_id, [Placement(name, component.reaches[0], term)], trigger, exception)
            self.by_literal[label] = instance
            self.solver.add(z3.Implies(literal, not_(trigger)))
            self.constraints.append(instance)


def compile_problem(resolved: ResolvedScenario, timeout_ms: int | None = None) -> Problem:
    """Build the solver, its tracked facts and clause instances for one scenario."""
    return _ProblemBuilder(resolved, timeout_ms).build()


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
