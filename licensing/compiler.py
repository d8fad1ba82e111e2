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

Each problem owns its own `z3.Context`: nothing z3 is shared between checks,
so checks can run in parallel threads.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, assert_never

import z3

from . import nodes as n
from .budget import Budget
from .environment import NumberRegion, number_regions, which_license_name
from .library import Library
from .scenario import COMMERCIAL_FLAG, Reach, ResolvedComponent, ResolvedScenario, Term
from .scenario.resolve import AllTerms, AnyTerm, TermTree, WhichTerm, tree_terms

# The role that makes a component part of the target's lineage: the target is
# made from it. Not the target's own license, nor its release license: a model
# does not become "Llama 2 or a derivative work thereof" by being labelled so.
LINEAGE_ROLES = frozenset({"derivative"})

# The budget of a check when none is given (the engine always gives one).
DEFAULT_BUDGET_MS = 20_000

FactKind = Literal["action", "purpose", "flag", "number", "assumption", "release", "declared-license"]


class Terms:
    """Boolean connectives that fold constants, in one z3 context. z3 shares
    equal terms, so a constant is told by its address: no call into z3 at
    all, where `z3.is_true` makes four."""

    def __init__(self, context: z3.Context) -> None:
        self.context = context
        self._ref = context.ref()
        self.true = z3.BoolVal(True, context)
        self.false = z3.BoolVal(False, context)
        self._true_at = self.true.as_ast().value
        self._false_at = self.false.as_ast().value

    def is_true(self, item: z3.BoolRef) -> bool:
        return bool(item.as_ast().value == self._true_at)

    def is_false(self, item: z3.BoolRef) -> bool:
        return bool(item.as_ast().value == self._false_at)

    def all(self, *items: z3.BoolRef) -> z3.BoolRef:
        kept = []
        for item in items:
            found = item.as_ast().value
            if found == self._false_at:
                return self.false
            if found != self._true_at:
                kept.append(item)
        if not kept:
            return self.true
        return kept[0] if len(kept) == 1 else self._nary(z3.Z3_mk_and, kept)

    def any(self, *items: z3.BoolRef) -> z3.BoolRef:
        kept = []
        for item in items:
            found = item.as_ast().value
            if found == self._true_at:
                return self.true
            if found != self._false_at:
                kept.append(item)
        if not kept:
            return self.false
        return kept[0] if len(kept) == 1 else self._nary(z3.Z3_mk_or, kept)

    def negate(self, item: z3.BoolRef) -> z3.BoolRef:
        found = item.as_ast().value
        if found == self._true_at:
            return self.false
        if found == self._false_at:
            return self.true
        return z3.BoolRef(z3.Z3_mk_not(self._ref, item.as_ast()), self.context)

    def implies(self, premise: z3.BoolRef, conclusion: z3.BoolRef) -> z3.BoolRef:
        return z3.BoolRef(z3.Z3_mk_implies(self._ref, premise.as_ast(), conclusion.as_ast()), self.context)

    def assert_into(self, solver: z3.Solver, term: z3.BoolRef) -> None:
        """`solver.add(term)` for a term of this context, without z3's Python casts."""
        z3.Z3_solver_assert(self._ref, solver.solver, term.as_ast())

    def _nary(self, make: Callable[..., z3.Ast], items: list[z3.BoolRef]) -> z3.BoolRef:
        # z3.And/z3.Or cast and sort-check every argument in Python; these
        # are Boolean terms of this context already (a third of compile time)
        return z3.BoolRef(make(self._ref, len(items), (z3.Ast * len(items))(*(item.as_ast() for item in items))), self.context)

    def bool(self, name: str) -> z3.BoolRef:
        return z3.Bool(name, self.context)


# ---------------------------------------------------------------- what the solver stage sees


@dataclass
class Fact:
    """A stated fact, tracked so it can appear in a conflict.

    `kind` says what the fact is about and `name` names it within its kind:
    an action word, a purpose, a flag, a number, an assumption, the release
    license (`name` empty), or a component's declared license (`name` is the
    component)."""

    literal: z3.BoolRef
    kind: FactKind
    name: str
    value: bool | float | str
    path: tuple[str, ...]  # where in the scenario it was stated
    flip: z3.BoolRef | None = None  # the same fact made false, for fixes
    presumed: bool = False  # not stated: the vocabulary's presumption for an unstated flag


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
    kind: Literal["assumption", "flag", "number", "purpose", "license"]
    values: list[tuple[str, z3.BoolRef]]  # label → literal that fixes the value
    regions: list[NumberRegion] | None = None  # for numbers, one per value
    family: str | None = None  # for a license: the family id whose member is not known
    component: str | None = None  # for a license: the component under the family

    def tested_by(self, node: object) -> bool:
        """Whether a clause (or any node) tests this open question. Which member
        of a family applies is asked by no clause: it decides which clauses apply."""
        for found in n.walk(node):
            match found:
                case n.Flag(name=name) if self.kind == "flag" and name == self.name:
                    return True
                case n.Assumed(name=name) if self.kind == "assumption" and name == self.name:
                    return True
                case n.Compare(number=number) if self.kind == "number" and number == self.name:
                    return True
                case n.PurposeIn(values=values) if self.kind == "purpose" and self.name in values:
                    return True
                case n.PurposeOnlyIn(values=values, others=others) if self.kind == "purpose" and self.name in (*values, *others):
                    return True
        return False

    def condition(self, label: str) -> str:
        """`name = yes`, `purpose medical-advice = yes`, or `name > 700,000,000` for a number's region."""
        if self.kind == "number":
            return f"{self.name} {label}"
        if self.kind == "purpose":
            return f"purpose {self.name} = {label}"
        return f"{self.name} = {label}"


@dataclass(frozen=True)
class EnvValue:
    """One value of an environment variable, as a tracked literal stands for it."""

    var: EnvVar
    label: str


Tracked = Fact | Instance | EnvValue


@dataclass
class ChoicePoint:
    """An OR in a component's license expression (or the versions an
    -or-later license offers): the plan takes one of its parts.
    `selectors[i]` fixes part i and no other."""

    component: str
    selectors: list[z3.BoolRef]


@dataclass
class Problem:
    """A compiled scenario: the solver with its assertions, and what each
    tracked literal stands for (`tracked`, by the literal's z3 id)."""

    resolved: ResolvedScenario
    context: z3.Context
    solver: z3.Solver
    facts: list[Fact]
    instances: list[Instance]  # constraints: forbid, require-that, impose
    duties: list[Instance]
    undecided: list[Instance]
    env: list[EnvVar]
    release_domain: tuple[str, ...]
    release_preference: list[str]
    release_selectors: dict[str, z3.BoolRef]
    choice_points: list[ChoicePoint]
    active: dict[str, dict[Term, z3.BoolRef]]  # component → term → "the plan puts it under this term"
    tracked: dict[int, Tracked] = field(default_factory=dict)

    def item(self, literal: z3.BoolRef) -> Tracked | None:
        return self.tracked.get(literal.get_id())


# ---------------------------------------------------------------- compiling


@dataclass(frozen=True)
class _Context:
    """What a condition can see about one component besides the use's facts."""

    key: tuple[object, ...]
    roles: frozenset[str]
    kind: str
    passed_on: str | None = None  # the `offers` license this term was chosen from


class _Compiler:
    """Conditions → z3 terms, for one scenario in one z3 context."""

    def __init__(self, resolved: ResolvedScenario, terms: Terms, domain: tuple[str, ...] | None = None) -> None:
        self.resolved = resolved
        self.library: Library = resolved.library
        self.vocabulary = self.library.vocabulary
        self.t = terms
        context = terms.context
        self.target_kind = resolved.components[resolved.target].kind
        # the licenses the target may be released under: all of the library's, or the stated one alone
        self.domain = domain if domain is not None else self.library.release_domain
        self.domain_index = {lic: i for i, lic in enumerate(self.domain)}

        words = self.vocabulary.words
        self.action_vars = {a: z3.Bool(f"action:{a}", context) for a in words.get("action", {})}
        self.purpose_vars = {p: z3.Bool(f"purpose:{p}", context) for p in words.get("purpose", {})}
        self.flag_vars = {f: z3.Bool(f"flag:{f}", context) for f in words.get("flag", {})}
        self.number_vars = {x: z3.Real(f"number:{x}", context) for x in words.get("number", {})}
        self.term_vars = {t: z3.Bool(f"term:{t}", context) for t in words.get("term", {})}
        self.assumption_vars = {a: z3.Bool(f"assume:{a}", context) for a in words.get("assumption", {})}
        # One yes/no per license the target may be released under, exactly one
        # of them true: keeps the problem propositional (an integer for the
        # release license made z3 search arithmetic and stall on large domains).
        self.release_vars = {lic: z3.Bool(f"release.license={lic}", context) for lic in self.domain}

        # when the plan puts each component under each of its terms, filled by
        # the problem builder before any clause is compiled
        self.active: dict[str, dict[Term, z3.BoolRef]] = {}
        self.condition_cache: dict[tuple[int, tuple[object, ...]], z3.BoolRef] = {}
        self.role_cache: dict[frozenset[str], dict[str, z3.BoolRef]] = {}
        self.used_env: set[tuple[str, str]] = set()
        self.thresholds: dict[str, set[float]] = {}
        self.release_preference: list[str] = []

    def role_terms(self, roles: frozenset[str]) -> dict[str, z3.BoolRef]:
        cached = self.role_cache.get(roles)
        if cached is not None:
            return cached
        terms = {}
        for role in self.vocabulary.words.get("role", {}):
            if role in roles:
                terms[role] = self.t.true
                continue
            widened = [
                self.condition(count.when, _Context(("vocabulary",), frozenset(), ""))
                for count in self.vocabulary.counts
                if count.counts_as == role and count.role in roles
            ]
            terms[role] = self.t.any(*widened)
        self.role_cache[roles] = terms
        return terms

    def condition(self, cond: n.Condition, ctx: _Context) -> z3.BoolRef:
        key = (id(cond), ctx.key)
        cached = self.condition_cache.get(key)
        if cached is None:
            cached = self.condition_cache[key] = self._condition(cond, ctx)
        return cached

    def _condition(self, cond: n.Condition, ctx: _Context) -> z3.BoolRef:
        t = self.t
        match cond:
            case n.Const(value=value):
                return t.true if value else t.false
            case n.AllOf(items=items):
                return t.all(*(self.condition(c, ctx) for c in items))
            case n.AnyOf(items=items):
                return t.any(*(self.condition(c, ctx) for c in items))
            case n.Not(item=item):
                return t.negate(self.condition(item, ctx))
            case n.Assumed(name=name):
                self.used_env.add(("assumption", name))
                return self.assumption_vars[name]
            case n.Action(name=name):
                return self.action_vars[name]
            case n.Flag(name=name):
                self.used_env.add(("flag", name))
                return self.flag_vars[name]
            case n.Compare(number=number, op=op, value=value):
                self.used_env.add(("number", number))
                self.thresholds.setdefault(number, set()).add(value)
                var = self.number_vars[number]
                amount = z3.RealVal(value, self.t.context)
                return {">": var > amount, ">=": var >= amount, "<": var < amount, "<=": var <= amount}[op]
            case n.RoleIn(values=values):
                roles = self.role_terms(ctx.roles)
                return t.any(*(roles[v] for v in values))
            case n.PurposeIn(values=values):
                self.used_env.update(("purpose", v) for v in values if v in self.resolved.facts.open_purposes)
                return t.any(*(self.purpose_vars[v] for v in values))
            case n.PurposeOnlyIn(values=values, others=others):
                self.used_env.update(("purpose", v) for v in (*values, *others) if v in self.resolved.facts.open_purposes)
                return t.all(t.any(*(self.purpose_vars[v] for v in values)), *(t.negate(self.purpose_vars[v]) for v in others))
            case n.TermsIn(values=values):
                return t.any(*(self.term_vars[v] for v in values))
            case n.KindIs(values=values):
                return t.true if ctx.kind in values else t.false
            case n.TargetKindIs(values=values):
                return t.true if self.target_kind in values else t.false
            case n.ReleaseIn(values=values):
                return self._release_in(values, ctx)
            case n.LineageIn(values=values):
                return self.lineage_in(values)
            case _:
                assert_never(cond)

    def term_active(self, component: str, term: Term) -> z3.BoolRef:
        """True when the plan puts the component under this term of its license expression."""
        return self.active.get(component, {}).get(term, self.t.true)

    def declared_in(self, component: ResolvedComponent, license_id: str) -> z3.BoolRef:
        """True when the plan puts the component under this license (or an
        -or-later license that offers it)."""
        return self.t.any(*(self.term_active(component.name, term) for term in component.terms if license_id in (term.license, term.declared)))

    def lineage_in(self, values: tuple[str, ...]) -> z3.BoolRef:
        """A component the target is made from (it plays derivative, not
        through an assumption) carries one of `values` in the option the plan
        takes."""
        wanted = set(values)
        held = []
        for component in self.resolved.components.values():
            if not component.roles & LINEAGE_ROLES:
                continue
            held += [self.term_active(component.name, term) for term in component.terms if term.license in wanted or term.declared in wanted]
        return self.t.any(*held)

    def _release_in(self, values: tuple[str, ...], ctx: _Context) -> z3.BoolRef:
        if not ctx.key or ctx.key[0] != "release":
            # what the scenario's licenses ask for is a preference; what a
            # candidate release license asks of itself is not
            for value in values:
                if value in self.domain_index and value not in self.release_preference:
                    self.release_preference.append(value)
        allowed = [v for v in values if v in self.domain_index]
        # A license that offers a choice may also be passed on unchanged
        # (`-or-later` stays `-or-later`), whatever the clause asks for.
        if ctx.passed_on is not None and ctx.passed_on in self.domain_index:
            allowed.append(ctx.passed_on)
        return self.t.any(*(self.release_vars[v] for v in dict.fromkeys(allowed)))


def release_rank(library: Library, target_kind: str, license_id: str) -> tuple[bool, int, int]:
    """How a release license ranks as a proposal for a target of this kind:
    one written for the kind first (`covers`: never a data license for a
    program), then the least restrictive: the fewest constraints on the work
    (forbid, require that, impose, undecided), then the fewest clauses of any
    effect (a copyleft license before its network variant, which adds a duty), counted over
    every version an `-or-later` license offers."""
    lic = library.licenses[license_id]
    clauses = [clause for version in lic.offers or (license_id,) for clause in library.licenses[version].clauses]
    constraints = sum(not isinstance(clause.effect, n.RequireDuties) for clause in clauses)
    return (target_kind not in lic.covers, constraints, len(clauses))


def _explaining_reach(component: ResolvedComponent, clause: n.Clause) -> Reach:
    """The path shown for a clause: the first reach whose role the clause names."""
    for test in n.find_all(clause.when, n.RoleIn):
        for role in test.values:
            reach = component.reach(role)
            if reach is not None:
                return reach
    return component.reaches[0]


class _ProblemBuilder:
    """Asserts one scenario's facts and clause instances into a fresh solver."""

    def __init__(self, resolved: ResolvedScenario, budget: Budget, *, verdict_only: bool = False, releases: tuple[str, ...] | None = None) -> None:
        self.resolved = resolved
        self.library = resolved.library
        self.facts_in = resolved.facts
        self.context = z3.Context()
        self.t = Terms(self.context)
        stated = resolved.facts.release
        # the release licenses a matrix column is asked under (when the question states none)
        self.releases = tuple(lic for lic in releases if lic in self.library.release_domain) if releases is not None and stated is None else None
        only_stated = (stated,) if verdict_only and stated is not None else None
        self.c = _Compiler(resolved, self.t, self.releases if self.releases is not None else only_stated)
        self.solver = z3.Solver(ctx=self.context)
        self.budget = budget
        self.tracked: dict[int, Tracked] = {}
        self.facts: list[Fact] = []
        self.choice_points: list[ChoicePoint] = []
        self.which_license: list[EnvVar] = []  # families: which member each component is under
        self.release_selectors: dict[str, z3.BoolRef] = {}
        self.groups: dict[tuple[object, ...], Instance] = {}
        self.constraints: list[Instance] = []
        self.duties: list[Instance] = []
        self.undecided: list[Instance] = []
        self.imposed: dict[str, list[z3.BoolRef]] = {t: [] for t in self.c.term_vars}
        self.counter = itertools.count()
        self.release_order: tuple[str, ...] = self.c.domain

    def build(self) -> Problem:
        self.stated_facts()
        self.choice_vars()
        self.release()
        self.instances()
        self.release_terms()
        for term_name, contributions in self.imposed.items():
            self.solver.add(self.c.term_vars[term_name] == self.t.any(*contributions))
        env = self.environment()
        return Problem(
            resolved=self.resolved,
            context=self.context,
            solver=self.solver,
            facts=self.facts,
            instances=self.constraints,
            duties=self.duties,
            undecided=self.undecided,
            env=env,
            release_domain=self.release_order,
            release_preference=self.c.release_preference,
            release_selectors=self.release_selectors,
            choice_points=self.choice_points,
            active=self.c.active,
            tracked=self.tracked,
        )

    # ------------------------------------------------------------ stated facts

    def fact(
        self,
        kind: FactKind,
        name: str,
        value: bool | float | str,
        constraint: z3.BoolRef,
        path: tuple[str, ...],
        flip: z3.BoolRef | None = None,
        presumed: bool = False,
    ) -> None:
        index = len(self.facts)
        literal = self.t.bool(f"fact:{index}:{kind}:{name}")
        self.t.assert_into(self.solver, self.t.implies(literal, constraint))
        flip_literal = None
        if flip is not None:
            flip_literal = self.t.bool(f"flip:{index}:{kind}:{name}")
            self.t.assert_into(self.solver, self.t.implies(flip_literal, flip))
        record = Fact(literal, kind, name, value, path, flip_literal, presumed)
        self.facts.append(record)
        self.tracked[literal.get_id()] = record

    def stated_facts(self) -> None:
        c, facts_in, use = self.c, self.facts_in, self.resolved.scenario.use
        for action, var in c.action_vars.items():
            done = action in facts_in.actions
            path = ("use", "actions", str(list(use.actions).index(action))) if done else ("use", "actions")
            self.fact("action", action, done, var == done, path, flip=var == (not done))
        tested = self.resolved.words_tested()
        for purpose, var in c.purpose_vars.items():
            if ("purpose", purpose) not in tested and purpose not in facts_in.purposes:
                continue  # no clause here tests it: a fact would only slow the solver
            if purpose in facts_in.open_purposes:
                continue  # an open question: the environment tries both answers
            if purpose in facts_in.purposes:
                # a purpose the use has because a stated one is within it points at that one
                stated = facts_in.purpose_sources.get(purpose, purpose)
                path = ("use", "purposes", str(list(use.purposes).index(stated)))
                self.fact("purpose", purpose, True, var, path, flip=self.t.negate(var))
            else:
                self.fact("purpose", purpose, False, self.t.negate(var), ("use", "purposes"))
        for flag, flag_value in facts_in.flags.items():
            var = c.flag_vars[flag]
            if flag in facts_in.presumed:
                # the question left it unstated: not a change to offer, the
                # presumption itself says how to state otherwise
                self.fact("flag", flag, flag_value, var == flag_value, ("use", "facts"), presumed=True)
                continue
            path = ("use", "commercial") if flag == COMMERCIAL_FLAG and facts_in.commercial is not None else ("use", "facts", flag)
            self.fact("flag", flag, flag_value, var == flag_value, path, flip=var == (not flag_value))
        for number, amount in facts_in.numbers.items():
            self.fact("number", number, amount, c.number_vars[number] == z3.RealVal(amount, self.context), ("use", "facts", number))
        for name, answer in facts_in.assumptions.items():
            if answer != "unknown":
                var = c.assumption_vars[name]
                holds, flipped = (var, self.t.negate(var)) if answer == "yes" else (self.t.negate(var), var)
                self.fact("assumption", name, answer, holds, ("assume", name), flip=flipped)

    # ------------------------------------------------------------ what the plan chooses

    def choice_vars(self) -> None:
        """Encode each license expression as it is written: an AND makes every
        part apply, an OR is a choice of the plan (one part at least, and a
        part only when its OR applies). No disjunctive normal form is built,
        so hundreds of ANDed ORs cost in proportion to their size."""
        for component in self.resolved.components.values():
            if component.tree is not None and component.has_choice and (component.reaches or component.name == self.resolved.target):
                self.c.active[component.name] = {}
                self.encode(component, component.tree, self.t.true, [0])

    def encode(self, component: ResolvedComponent, node: TermTree, applies: z3.BoolRef, counter: list[int]) -> None:
        active = self.c.active[component.name]
        match node:
            case Term():
                active[node] = self.t.any(active[node], applies) if node in active else applies
            case AllTerms(parts=parts):
                for part in parts:
                    self.encode(component, part, applies, counter)
            case WhichTerm(family=family, parts=parts):
                # which member applies is the world's, not the plan's: the
                # environment fixes one (exactly one holds), and a member's
                # terms apply when it is that one and its part of the expression does
                point = counter[0]
                counter[0] += 1
                which = [self.t.bool(f"which:{component.name}:{point}:{i}") for i in range(len(parts))]
                self.solver.add(z3.PbEq([(var, 1) for var in which], 1))
                name = which_license_name(component.name, sum(var.component == component.name for var in self.which_license))
                labels = [tree_terms(part)[0].declared for part in parts]
                self.which_license.append(EnvVar(name, "license", list(zip(labels, which, strict=True)), family=family, component=component.name))
                for i, part in enumerate(parts):
                    self.encode(component, part, self.t.all(applies, which[i]), counter)
            case AnyTerm(parts=parts):
                point = counter[0]
                counter[0] += 1
                taken = [self.t.bool(f"part:{component.name}:{point}:{i}") for i in range(len(parts))]
                self.t.assert_into(self.solver, self.t.implies(applies, self.t.any(*taken)))
                selectors: list[z3.BoolRef] = []
                # listed before the choices inside it, so the plan is made from the outside in
                self.choice_points.append(ChoicePoint(component.name, selectors))
                for i, part in enumerate(parts):
                    self.t.assert_into(self.solver, self.t.implies(taken[i], applies))
                    selector = self.t.bool(f"choose:{component.name}:{point}:{i}")
                    others = [self.t.negate(other) for j, other in enumerate(taken) if j != i]
                    self.t.assert_into(self.solver, self.t.implies(selector, self.t.all(taken[i], *others)))
                    selectors.append(selector)
                    self.encode(component, part, taken[i], counter)
            case _:
                assert_never(node)

    def release(self) -> None:
        c = self.c
        self.solver.add(z3.PbEq([(var, 1) for var in c.release_vars.values()], 1))
        for lic, i in c.domain_index.items():
            selector = self.t.bool(f"release:{lic}")
            self.t.assert_into(self.solver, self.t.implies(selector, c.release_vars[lic]))
            self.release_selectors[lic] = selector
        if self.facts_in.release is not None:
            stated = self.facts_in.release
            self.fact("release", "", stated, c.release_vars[stated], ("use", "release-license"))
            return
        # Without a stated release license, the target goes out under what it
        # declares: when the plan puts it under a license it may be released
        # under, the release is one of those.
        target = self.resolved.components[self.resolved.target]
        ids = [lic for term in target.terms for lic in dict.fromkeys((term.declared, term.license)) if lic in c.domain_index]
        for lic in ids:
            if lic not in c.release_preference:
                c.release_preference.append(lic)
        if ids:
            under = {lic: c.declared_in(target, lic) for lic in dict.fromkeys(ids)}
            releases = [self.t.all(c.release_vars[lic], held) for lic, held in under.items()]
            declared = self.t.implies(self.t.any(*under.values()), self.t.any(*releases))
            license_text = target.expression.text if target.expression else ""
            self.fact("declared-license", target.name, license_text, declared, ("components", target.name, "license"))

    # ------------------------------------------------------------ clause instances

    def relaxations(self, exception: str | None, clause: n.Clause, ctx: _Context) -> z3.BoolRef:
        if exception is None:
            return self.t.false
        c, t = self.c, self.t
        relaxing = []
        for rule in self.library.exceptions[exception].clauses:
            if isinstance(rule.effect, n.Relax) and clause.name in rule.effect.clauses:
                relaxing.append(t.all(c.condition(rule.when, ctx), t.negate(c.condition(rule.unless, ctx))))
        return t.any(*relaxing)

    def instances(self) -> None:
        c, t = self.c, self.t
        for component in self.resolved.components.values():
            if not component.reaches:
                continue
            self.budget.check("compiling the clauses")
            roles = component.roles
            # components without a choice share instances; one with a choice owns its own
            guard_key = component.name if component.name in c.active else None
            for term in component.terms:
                if True:
                    passed_on = term.passed_on
                    ctx = _Context((roles, component.kind, passed_on), roles, component.kind, passed_on)
                    guard = c.term_active(component.name, term)
                    if passed_on is not None and passed_on in c.domain_index:
                        # Passing an `offers` license on unchanged (releasing under
                        # GPL-2.0-or-later) lets each recipient pick any offered
                        # version, so every version's terms must hold, not only
                        # the one this plan would pick for itself.
                        guard = t.any(guard, c.release_vars[passed_on])
                    for clause in self.resolved.clauses_for(component.name, term.license):
                        base = t.all(
                            c.condition(clause.when, ctx),
                            t.negate(c.condition(clause.unless, ctx)),
                            t.negate(self.relaxations(term.exception, clause, ctx)),
                        )
                        if self.t.is_false(base):
                            continue
                        placement = Placement(component.name, _explaining_reach(component, clause), term)
                        key = (term.license, term.exception, term.declared, clause.name, ctx.key, guard_key)
                        existing = self.groups.get(key)
                        if existing is not None:
                            existing.placements.append(placement)
                        else:
                            self.groups[key] = self.instance(clause, term, placement, t.all(guard, base), ctx)

    def release_terms(self) -> None:
        """Releasing the target under a license puts the target under that
        license's terms, whether or not the target declares it: its
        constraints (forbid, require that, impose, undecided) bind the target
        as `self` while the release is that license. So a work released under
        a copyleft license that carries code under another meets the copyleft
        license's "no further restrictions" whether or not it declares it. Duties are left out: the
        licensor owes its own license nothing.

        A license the target declares binds through its options already; only
        the release licenses the target does not declare in every option are
        added, each guarded by the release being that license (and, where some
        options declare it, by the plan not taking those)."""
        c, t = self.c, self.t
        target = self.resolved.components[self.resolved.target]
        declared_ids = [name for term in target.terms for name in (term.license, term.declared)]
        if self.facts_in.release is not None:
            candidates: tuple[str, ...] = (self.facts_in.release,)
        elif declared_ids:
            candidates = tuple(dict.fromkeys(name for name in declared_ids if name in c.domain_index))
        else:
            candidates = self.releases if self.releases is not None else self.free_release_candidates()
        roles = target.roles
        for license_id in candidates:
            self.budget.check("compiling the release licenses' terms")
            declared_in = c.declared_in(target, license_id)
            if self.t.is_true(declared_in):
                continue  # the target is under it in every plan: its clauses bind through its expression
            guard = t.all(c.release_vars[license_id], t.negate(declared_in))
            for version in self.library.licenses[license_id].offers or (license_id,):
                term = Term(version, None, license_id)
                ctx = _Context(("release", roles, target.kind, term.passed_on), roles, target.kind, term.passed_on)
                for clause in self.resolved.clauses_for(target.name, version):
                    if isinstance(clause.effect, n.RequireDuties):
                        continue
                    base = t.all(c.condition(clause.when, ctx), t.negate(c.condition(clause.unless, ctx)))
                    if not self.t.is_false(base):
                        self.instance(clause, term, Placement(target.name, target.reaches[0], term), t.all(guard, base), ctx)

    def free_release_candidates(self) -> tuple[str, ...]:
        """The licenses an undeclared target may be released under when the
        user leaves the choice to licet: those whose own terms test no open
        question beyond what the scenario's licenses already test. Every
        further open question would multiply the cases to check, only to learn
        whether an exotic release license could work in some of them; leaving
        such licenses out only takes choices away from the plan, so it never
        makes an answer `allowed` that would not be."""
        c = self.c
        tested = self.resolved.words_tested()
        open_questions = {("flag", f) for f in c.flag_vars if f not in self.facts_in.flags}
        open_questions |= {("number", x) for x in c.number_vars if x not in self.facts_in.numbers}
        open_questions |= {("assumption", a) for a, v in self.facts_in.assumptions.items() if v == "unknown"}
        kept = []
        for license_id in c.domain:
            versions = self.library.licenses[license_id].offers or (license_id,)
            own = {word for version in versions for word in self.library.words_tested(version)}
            if own & open_questions <= tested:
                kept.append(license_id)
            else:
                self.t.assert_into(self.solver, self.t.negate(c.release_vars[license_id]))
        self.release_order = tuple(sorted(kept, key=self.release_rank))
        return self.release_order

    def release_rank(self, license_id: str) -> tuple[bool, int, int, int]:
        """Which free release license to propose first (see `release_rank`),
        then the library's order."""
        target_kind = self.resolved.components[self.resolved.target].kind
        return (*release_rank(self.library, target_kind, license_id), self.c.domain_index[license_id])

    def instance(self, clause: n.Clause, term: Term, placement: Placement, trigger: z3.BoolRef, ctx: _Context) -> Instance:
        literal = self.t.bool(f"clause:{next(self.counter)}:{term.license}:{clause.name}")
        instance = Instance(literal, clause, term.license, [placement], trigger, term.exception)
        self.tracked[literal.get_id()] = instance
        match clause.effect:
            case n.Forbid():
                self.t.assert_into(self.solver, self.t.implies(literal, self.t.negate(trigger)))
                self.constraints.append(instance)
            case n.Undecided():
                self.t.assert_into(self.solver, self.t.implies(literal, self.t.negate(trigger)))
                self.undecided.append(instance)
            case n.RequireThat(requirement=requirement):
                self.t.assert_into(self.solver, self.t.implies(literal, self.t.implies(trigger, self.c.condition(requirement, ctx))))
                self.constraints.append(instance)
            case n.Impose(terms=terms):
                for word in terms:
                    self.imposed[word].append(self.t.all(literal, trigger))
                self.constraints.append(instance)
            case n.RequireDuties():
                self.duties.append(instance)
            case n.Relax():
                pass  # exceptions' clauses act through `relaxations`; a license holds none
            case _:
                assert_never(clause.effect)
        return instance

    # ------------------------------------------------------------ the environment

    def environment(self) -> list[EnvVar]:
        c, facts = self.c, self.facts_in
        env = []
        for kind, name in sorted(c.used_env):
            if kind == "assumption" and facts.assumptions.get(name, "unknown") == "unknown":
                var = c.assumption_vars[name]
                env.append(EnvVar(name, "assumption", [("yes", var), ("no", self.t.negate(var))]))
            elif kind == "flag" and name not in facts.flags:
                var = c.flag_vars[name]
                env.append(EnvVar(name, "flag", [("yes", var), ("no", self.t.negate(var))]))
            elif kind == "purpose":
                var = c.purpose_vars[name]
                env.append(EnvVar(name, "purpose", [("yes", var), ("no", self.t.negate(var))]))
            elif kind == "number" and name not in facts.numbers:
                number = c.number_vars[name]
                values = []
                regions = number_regions(c.thresholds.get(name, set()))
                for region in regions:
                    selector = self.t.bool(f"env:{name}={region.point}")
                    self.t.assert_into(self.solver, self.t.implies(selector, number == z3.RealVal(region.point, self.context)))
                    values.append((region.describe(), selector))
                env.append(EnvVar(name, "number", values, regions))
        env += self.which_license
        for var in env:
            for label, literal in var.values:
                self.tracked[literal.get_id()] = EnvValue(var, label)
        return env


def compile_problem(
    resolved: ResolvedScenario, budget: Budget | None = None, *, verdict_only: bool = False, releases: tuple[str, ...] | None = None
) -> Problem:
    """Build the solver, its tracked facts and clause instances for one scenario.

    `verdict_only`: no explanation will be asked of the problem. When the
    question states its release license, no other release license can then
    matter (the ways out that would try others are not worked out), so the
    release is compiled over that one license instead of the whole domain:
    the same verdict, from a problem a few hundred terms smaller.

    `releases` (a question that states no release license, asked once for
    each of these): the release domain is these licenses, every one of them
    compiled, so that `solver.verdict_per_release` can answer for each."""
    return _ProblemBuilder(resolved, budget or Budget(DEFAULT_BUDGET_MS), verdict_only=verdict_only, releases=releases).build()
