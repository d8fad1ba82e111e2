"""Stage 5: solve — is there a compliant plan, under every value of what is unknown?

A plan is what the user still controls: the license the target is released
under, the option taken from each `OR` (or `-or-later`) expression. The
environment is what nobody controls: unknown assumptions and unstated facts.

- `allowed`: for every environment a compliant plan exists;
- `forbidden`: for none;
- `depends`: for some; `depends_on` says which unknown flips it;
- `unknown`: the solver gave up, or the only compliant plans rely on terms
  nobody knows (the fallback license for undeclared terms).

Conflicts are unsat cores shrunk by deletion to minimal sets (MUS); several are
found by setting aside one clause of each found conflict and asking again.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, assert_never

import z3

from .budget import Budget
from .checker import Vocabulary
from .compiler import DEFAULT_BUDGET_MS, EnvVar, Fact, Instance, Problem, release_rank
from .environment import ExplanationPart, Status, VerdictName, verdict_from_statuses
from .nodes import RequireDuties

MAX_CONFLICTS = 5
MAX_CONFLICT_SEARCHES = 24
MAX_GREEDY_CHOICES = 40
MAX_FIXES = 6

RANK: dict[VerdictName, int] = {"forbidden": 0, "unknown": 1, "depends": 2, "allowed": 3}


_T = TypeVar("_T")

@dataclass
class EnvResult:
    assignment: tuple[tuple[EnvVar, str, z3.BoolRef], ...]
    status: Status
    literals: list[z3.BoolRef]
    model: z3.ModelRef | None = None
    cores: list[list[z3.BoolRef]] = field(default_factory=list)
    reason: str = ""

    def label(self) -> dict[str, str]:
        return {var.name: value for var, value, _ in self.assignment}


@dataclass
class Decision:
    verdict: VerdictName
    results: list[EnvResult]
    depends: list[tuple[EnvVar, dict[str, VerdictName]]]
    conflicts: list[list[z3.BoolRef]]
    obligations: list[tuple[Instance, str, list[list[str]]]]
    release: str | None
    release_options: list[str]
    choices: list[tuple[str, str]]  # component → the licenses the plan puts it under
    fixes: list[tuple[Remedy, VerdictName]]
    notes: list[str]
    incomplete: list[ExplanationPart] = field(default_factory=list)
    release_reason: str | None = None  # why `release` was proposed, when the question states none


def _check_assuming(solver: z3.Solver, literals: list[z3.BoolRef]) -> z3.CheckSatResult:
    """`solver.check(*literals)` without z3's Python casts: every tracked
    literal is already a Boolean constant of the solver's context, and
    casting each one on each call cost three times the solving itself."""
    count = len(literals)
    assumptions = (z3.Ast * count)(*[literal.ast for literal in literals])
    return z3.CheckSatResult(z3.Z3_solver_check_assumptions(solver.ctx.ref(), solver.solver, count, assumptions))


class _Session:
    def __init__(self, problem: Problem, budget: Budget) -> None:
        self.problem = problem
        self.solver = problem.solver
        self.budget = budget
        self.solver.set("max_memory", budget.memory_mb)  # once: each call's own setting costs as much as a small check
        self.checks = 0
        self.out_of_budget = False  # some call found the budget spent
        # the part of the answer being worked out, and the parts in which a
        # solver call gave up: those parts may be incomplete, and say so
        self.part: ExplanationPart | None = None
        self.gave_up: list[ExplanationPart] = []
        self.minimal: dict[tuple[int, ...], list[z3.BoolRef]] = {}  # a core → its minimal subset
        self.ids: dict[int, int] = {}  # Python object → z3 id of the literals asked (see id_of)
        self.kept: list[z3.BoolRef] = []

    def check(self, literals: list[z3.BoolRef]) -> z3.CheckSatResult:
        """One solver call, given only what is left of the budget; none once it is spent."""
        self.checks += 1
        remaining = self.budget.remaining_ms()
        if remaining <= 0:
            self.out_of_budget = True
            result = z3.unknown
        else:
            self.solver.set("timeout", remaining)
            result = _check_assuming(self.solver, literals)
            if result == z3.unknown and self.budget.expired:
                self.out_of_budget = True
        if result == z3.unknown and self.part is not None and self.part not in self.gave_up:
            self.gave_up.append(self.part)
        return result

    def explaining(self, part: ExplanationPart, work: Callable[..., _T], *args: Any) -> _T:
        """Run one part of the explanation, noting it if a solver call in it gives up."""
        self.part = part
        try:
            return work(*args)
        finally:
            self.part = None

    def reason_unknown(self) -> str:
        if self.out_of_budget:
            return f"the time budget of {self.budget.describe()} ran out"
        return str(self.solver.reason_unknown())

    # ------------------------------------------------------------ conflicts

    def id_of(self, literal: z3.BoolRef) -> int:
        """z3's id of a tracked literal, asked of z3 once per session: the
        same literal objects recur in every conflict search."""
        known = self.ids.get(id(literal))
        if known is None:
            known = self.ids[id(literal)] = literal.get_id()
            self.kept.append(literal)  # alive as long as its id is remembered, so id() is not reused
        return known

    def core_ids(self) -> set[int]:
        return {x.get_id() for x in self.solver.unsat_core()}

    def minimize(self, core: list[z3.BoolRef]) -> list[z3.BoolRef]:
        """A minimal unsatisfiable subset of `core`, by deletion. The same
        core recurs under each value of the unknowns it does not involve:
        it is minimised once."""
        key = tuple(x.get_id() for x in core)
        known = self.minimal.get(key)
        if known is None:
            known = self.minimal[key] = self._minimize(core)
        return known

    def _minimize(self, core: list[z3.BoolRef]) -> list[z3.BoolRef]:
        core = list(core)
        i = 0
        while i < len(core):
            trial = core[:i] + core[i + 1 :]
            if self.check(trial) == z3.unsat:
                smaller = self.core_ids()
                core = [x for x in trial if x.get_id() in smaller]
            else:
                i += 1
        return core

    def conflicts(self, literals: list[z3.BoolRef], instance_ids: set[int]) -> list[list[z3.BoolRef]]:
        """Several minimal conflicts: each found one is set aside a clause at a time."""
        found: list[list[z3.BoolRef]] = []
        seen_sets: set[frozenset[int]] = set()
        keyed = [(self.id_of(x), x) for x in literals]
        queue: list[frozenset[int]] = [frozenset()]
        tried: set[frozenset[int]] = set()
        searches = 0
        while queue and len(found) < MAX_CONFLICTS and searches < MAX_CONFLICT_SEARCHES:
            excluded = queue.pop(0)
            if excluded in tried:
                continue
            tried.add(excluded)
            searches += 1
            trial = [(key, x) for key, x in keyed if key not in excluded]
            if self.check([x for _, x in trial]) != z3.unsat:
                continue
            in_core = self.core_ids()
            mus = self.minimize([x for key, x in trial if key in in_core])
            key = frozenset(x.get_id() for x in mus)
            if key not in seen_sets:
                seen_sets.add(key)
                found.append(mus)
            for literal in mus:
                if literal.get_id() in instance_ids:
                    queue.append(excluded | {literal.get_id()})
        return found


def _status(result: z3.CheckSatResult) -> Status:
    if result == z3.sat:
        return "sat"
    if result == z3.unsat:
        return "unsat"
    return "unknown"


def _assignments(env: list[EnvVar]) -> list[tuple[tuple[EnvVar, str, z3.BoolRef], ...]]:
    per_var = [[(var, label, literal) for label, literal in var.values] for var in env]
    return [tuple(combo) for combo in itertools.product(*per_var)]


# Beyond this many combinations of the open questions, when only statuses are
# wanted (the verdict alone, or a way out being tried), a combination found
# unsat prunes every later one that agrees with it on the open questions its
# unsat core involves: those are unsat for the same reason. An explained
# evaluation searches every combination: a pruned one may have conflicts of
# its own (a threshold crossed only there) that the answer must list.
PRUNE_ABOVE = 64


def _evaluate(session: _Session, base: list[z3.BoolRef], undecided: list[z3.BoolRef], env: list[EnvVar], explain: bool) -> list[EnvResult]:
    problem = session.problem
    instance_ids = {i.literal.get_id() for i in problem.instances} | {i.literal.get_id() for i in problem.undecided}
    results = []
    assignments = _assignments(env)
    prune = not explain and len(assignments) > PRUNE_ABOVE
    env_ids = {literal.get_id() for var in env for _, literal in var.values}
    unsat_because: list[set[int]] = []  # the open-question values of each unsat core found
    for assignment in assignments:
        env_literals = [literal for _, _, literal in assignment]
        literals = base + env_literals
        if prune:
            present = {literal.get_id() for literal in env_literals}
            if any(needed <= present for needed in unsat_because):
                results.append(EnvResult(assignment, "unsat", literals))
                continue
        status = _status(session.check(literals))
        result = EnvResult(assignment, status, literals)
        if prune and status == "unsat":
            unsat_because.append(session.core_ids() & env_ids)
        if status == "sat" and undecided:
            with_undecided = literals + undecided
            second = _status(session.check(with_undecided))
            if second == "unsat":
                result.status = "undecided"
                if explain:
                    result.cores = session.explaining("conflicts", session.conflicts, with_undecided, instance_ids)
            elif second == "sat":
                result.literals = with_undecided
            else:
                result.status = "unknown"
                result.reason = session.reason_unknown()
        elif status == "unsat" and explain:
            result.cores = session.explaining("conflicts", session.conflicts, literals, instance_ids)
        elif status == "unknown":
            result.reason = session.reason_unknown()
        if result.status == "sat" and explain:
            # the last check was on result.literals, so its model is the one wanted
            result.model = session.solver.model()
        results.append(result)
    return results


def _depends(env: list[EnvVar], results: list[EnvResult]) -> list[tuple[EnvVar, dict[str, VerdictName]]]:
    out = []
    for var in env:
        by_value: dict[str, VerdictName] = {}
        for label, _ in var.values:
            statuses = [r.status for r in results if r.label()[var.name] == label]
            by_value[label] = verdict_from_statuses(statuses)
        if len(set(by_value.values())) > 1:
            out.append((var, by_value))
    return out


def _obligations(session: _Session, results: list[EnvResult], plan: list[z3.BoolRef]) -> list[tuple[Instance, str, list[list[str]]]]:
    """Duties that every compliant way of carrying out the reported plan
    (its release license and license choices) triggers. Without the plan, a
    choice between offered versions (an -or-later license) would hide the duties
    each version carries, since no single version's duty holds in all plans."""
    problem = session.problem
    compliant = [r for r in results if r.status == "sat" and r.model is not None]
    if not compliant:
        return []
    # the plan was chosen under the first compliant case; where the other
    # cases of unknown facts cannot follow it, their own plans count
    literals = {id(r): r.literals + plan if plan and session.check(r.literals + plan) == z3.sat else r.literals for r in compliant}
    out = []
    for instance in problem.duties:
        holds_in = []
        for result in compliant:
            assert result.model is not None
            if z3.is_true(instance.trigger):
                holds_in.append(result)
                continue
            if literals[id(result)] is result.literals and not z3.is_true(result.model.eval(instance.trigger, model_completion=True)):
                continue
            session.solver.push()
            session.solver.add(z3.Not(instance.trigger))
            entailed = session.check(literals[id(result)]) == z3.unsat
            session.solver.pop()
            if entailed:
                holds_in.append(result)
        if not holds_in:
            continue
        when = [] if len(holds_in) == len(compliant) else _when(problem.env, holds_in, compliant)
        effect = instance.clause.effect
        assert isinstance(effect, RequireDuties)  # only duty clauses are in problem.duties
        for duty in effect.duties:
            out.append((instance, duty, when))
    return out


MAX_WHEN_VARS = 8


def _when(env: list[EnvVar], holds_in: list[EnvResult], compliant: list[EnvResult]) -> list[list[str]]:
    """When a duty binds, in words: alternatives (any one suffices), each a
    conjunction of values of open questions, that pick out exactly the
    compliant cases where it binds. Cases with no compliant plan do not
    matter, so an alternative may cover them too. Found greedily: the fewest
    values per alternative first, the alternative covering most cases next."""
    binds = {tuple(sorted(r.label().items())) for r in holds_in}
    free = {tuple(sorted(r.label().items())) for r in compliant} - binds
    # The values every binding case shares: when they pick out exactly the
    # binding cases, that one conjunction says it (and names every value).
    shared = tuple((var.name, label) for var in env for label in {r.label()[var.name] for r in holds_in} if len({r.label()[var.name] for r in holds_in}) == 1)
    if shared and not any(all(dict(case)[name] == label for name, label in shared) for case in free):
        by_var = {var.name: var for var in env}
        return [[by_var[name].condition(label) for name, label in shared]]
    varying = [var for var in env if len({r.label()[var.name] for r in compliant}) > 1][:MAX_WHEN_VARS]
    terms: list[tuple[tuple[str, str], ...]] = [()]
    for var in varying:
        terms = [term + extra for term in terms for extra in [()] + [((var.name, label),) for label, _ in var.values]]

    def matches(case: tuple[tuple[str, str], ...], term: tuple[tuple[str, str], ...]) -> bool:
        values = dict(case)
        return all(values[name] == label for name, label in term)

    valid = [term for term in terms if term and not any(matches(case, term) for case in free)]
    valid.sort(key=len)
    chosen: list[tuple[tuple[str, str], ...]] = []
    uncovered = set(binds)
    while uncovered:
        best = max(valid, key=lambda term: (sum(matches(case, term) for case in uncovered), -len(term)), default=None)
        if best is None or not any(matches(case, best) for case in uncovered):
            # open questions beyond MAX_WHEN_VARS tell the cases apart: list them whole
            chosen += [case for case in uncovered]
            break
        chosen.append(best)
        uncovered = {case for case in uncovered if not matches(case, best)}
    by_name = {var.name: var for var in env}
    return [[by_name[name].condition(label) for name, label in term] for term in chosen]


def _release(session: _Session, result: EnvResult) -> tuple[str | None, list[str], str | None]:
    """The release license to propose when the question states none, the
    others that also work, and why: the target's declared license when it
    works; else the least restrictive license written for the target's kind
    that meets every clause (`compiler.release_rank`)."""
    problem = session.problem
    resolved = problem.resolved
    stated = resolved.facts.release
    if stated is not None:
        return stated, [stated], None
    order = list(dict.fromkeys(problem.release_preference + list(problem.release_domain)))
    feasible = [lic for lic in order if session.check(result.literals + [problem.release_selectors[lic]]) == z3.sat]
    if len(feasible) == len(order) or not feasible:
        return None, [], None  # nothing constrains the release license (or nothing was found)
    target = resolved.components[resolved.target]
    declared = [lic for term in target.terms for lic in (term.declared, term.license) if lic in feasible]
    if declared:
        chosen = declared[0]
        others = [lic for lic in feasible if lic != chosen]
        return chosen, [chosen, *others], f"the target's declared license {target.expression.text if target.expression else chosen} meets every clause"
    library = resolved.library
    named = {lic: i for i, lic in enumerate(problem.release_preference)}

    def rank(lic: str) -> tuple[bool, int, int, int]:
        # written for the target's kind first; then one a clause of the
        # question asks for (its copyleft or share-alike license), in the
        # order the rules list them (the license itself before a stricter
        # one it accepts: a copyleft license before its network variant); then the least restrictive
        not_for_kind, constraints, clauses = release_rank(library, target.kind, lic)
        return (not_for_kind, named.get(lic, len(named)), constraints, clauses)

    ranked = sorted(feasible, key=rank)
    chosen = ranked[0]
    if target.kind in library.licenses[chosen].covers and chosen in named:
        reason = f"a license written for {target.kind} that the clauses reaching the question ask for, the least restrictive that meets every clause"
    elif target.kind in library.licenses[chosen].covers:
        reason = f"the least restrictive license written for {target.kind} that meets every clause"
    else:
        reason = f"no license written for {target.kind} meets every clause; {chosen} is the least restrictive that does"
    if len(ranked) > 1:
        reason += f" ({len(ranked) - 1} other{'s' if len(ranked) > 2 else ''} also would: see release_options)"
    return chosen, ranked, reason


def _choices(session: _Session, result: EnvResult, release: str | None) -> tuple[list[tuple[str, str]], list[z3.BoolRef]]:
    """The plan's choice in every OR of the license expressions, made from
    the outside in, each the first part (in the order written) that keeps a
    compliant plan; then, for each component that had a choice, the licenses
    it ends up under. Gives the choices and the literals that fix them."""
    problem = session.problem
    fixed = list(result.literals)
    if release is not None and problem.resolved.facts.release is None:
        fixed.append(problem.release_selectors[release])
    plan: list[z3.BoolRef] = []
    model = result.model
    if len(problem.choice_points) <= MAX_GREEDY_CHOICES:
        for point in problem.choice_points:
            for selector in point.selectors:
                if session.check(fixed + [selector]) == z3.sat:
                    fixed.append(selector)
                    plan.append(selector)
                    break
        if plan and session.check(fixed) == z3.sat:
            model = session.solver.model()
    out = []
    # a component whose licenses are open only because of a family (which
    # member applies is the world's answer, not the plan's) has no choice to report
    choosing = {point.component for point in problem.choice_points}
    if model is not None:
        for name, active in problem.active.items():
            if name not in choosing:
                continue
            chosen = [term for term, literal in active.items() if z3.is_true(model.eval(literal, model_completion=True))]
            order = problem.resolved.components[name].terms
            out.append((name, " AND ".join(str(term) for term in sorted(chosen, key=order.index))))
    return out, plan


FixKind = Literal[
    "leave-out", "stop-action", "start-action", "drop-purpose", "flip-assumption", "flip-flag", "change-release", "change-declared-license",
    "remedy",
]


@dataclass(frozen=True)
class Remedy:
    """A change to the question that may turn its answer: leave components
    out, change a stated fact, or take up what a license offers whoever its
    clause stops (`remedy`: `words`, offered by `section` of `license`).
    `wording` says it in English."""

    kind: FixKind
    components: tuple[str, ...] = ()
    license: str | None = None
    fact: Fact | None = None
    section: str | None = None
    words: str | None = None


def _fact_remedy(fact: Fact, vocabulary: Vocabulary) -> FixKind | None:
    """What changing a stated fact means, if the user can change it: a flag
    only when the vocabulary says it is `decided-by-user` (whether the use is
    commercial), never a circumstance (whether the licensee is in the EU)."""
    match fact.kind:
        case "action":
            if fact.value is True:
                return "stop-action"
            return "start-action" if fact.flip is not None else None
        case "purpose":
            return "drop-purpose" if fact.value is True else None
        case "assumption":
            return "flip-assumption" if fact.flip is not None else None
        case "release":
            return "change-release"
        case "declared-license":
            return "change-declared-license"
        case "flag":
            return "flip-flag" if fact.flip is not None and vocabulary.decided_by_user(fact.name) else None
        case "number":
            return None
        case _:
            assert_never(fact.kind)


def _fixes(
    session: _Session, base: list[z3.BoolRef], undecided: list[z3.BoolRef], conflicts: list[list[z3.BoolRef]], verdict: VerdictName
) -> list[tuple[Remedy, VerdictName]]:
    problem = session.problem
    vocabulary = problem.resolved.library.vocabulary
    candidates: list[tuple[Remedy, list[z3.BoolRef], list[z3.BoolRef]]] = []
    seen: set[tuple[object, ...]] = set()
    offered = _offered(problem, conflicts)
    for core in conflicts:
        for literal in core:
            item = problem.item(literal)
            remedy: Remedy | None = None
            drop: list[z3.BoolRef] = []
            add: list[z3.BoolRef] = []
            if isinstance(item, Fact):
                kind = _fact_remedy(item, vocabulary)
                if kind is not None:
                    remedy = Remedy(kind, fact=item)
                    drop, add = [literal], ([item.flip] if item.flip is not None else [])
            elif isinstance(item, Instance):
                components = tuple(c for c in item.components if c != problem.resolved.target)
                if components:
                    remedy = Remedy("leave-out", components=components, license=item.license)
                    drop = [i.literal for i in problem.instances + problem.undecided if set(i.components) <= set(components)]
            if remedy is None:
                continue
            key = (remedy.kind, remedy.components, remedy.license, *((item.kind, item.name, item.value) if isinstance(item, Fact) else ()))
            if key not in seen:
                seen.add(key)
                candidates.append((remedy, drop, add))
    fixes: list[tuple[Remedy, VerdictName]] = []
    for remedy, drop in offered:
        # what the license offers is listed whatever it turns: the rest of
        # the answer may still stand in the way, and `then` says so
        dropped = {x.get_id() for x in drop}
        results = _evaluate(session, [x for x in base if x.get_id() not in dropped], [x for x in undecided if x.get_id() not in dropped], problem.env, explain=False)
        fixes.append((remedy, verdict_from_statuses([r.status for r in results])))
    for remedy, drop, add in candidates[: MAX_FIXES * 2]:
        dropped = {x.get_id() for x in drop}
        trial_base = [x for x in base if x.get_id() not in dropped] + add
        trial_undecided = [x for x in undecided if x.get_id() not in dropped]
        results = _evaluate(session, trial_base, trial_undecided, problem.env, explain=False)
        then = verdict_from_statuses([r.status for r in results])
        if RANK[then] > RANK[verdict]:
            fixes.append((remedy, then))
        if len(fixes) >= MAX_FIXES + len(offered):
            break
    fixes.sort(key=lambda f: -RANK[f[1]])
    return fixes


def _offered(problem: Problem, conflicts: list[list[z3.BoolRef]]) -> list[tuple[Remedy, list[z3.BoolRef]]]:
    """The remedies the clauses in conflicts carry (`remedy` in the rules),
    each with the literals it sets aside: every instance of its clause, as a
    license granted on request lifts that clause wherever it reaches."""
    out: list[tuple[Remedy, list[z3.BoolRef]]] = []
    seen: set[tuple[str, str, str]] = set()
    for core in conflicts:
        for literal in core:
            item = problem.item(literal)
            if not isinstance(item, Instance):
                continue
            for offer in item.clause.remedies:
                key = (item.license, offer.section, offer.words)
                if key in seen:
                    continue
                seen.add(key)
                drop = [
                    i.literal
                    for i in problem.instances + problem.undecided
                    if i.license == item.license and any(r.words == offer.words for r in i.clause.remedies)
                ]
                out.append((Remedy("remedy", license=item.license, section=offer.section, words=offer.words), drop))
    return out


def _base(problem: Problem) -> tuple[list[z3.BoolRef], list[z3.BoolRef]]:
    """The literals every check assumes (stated facts, clause instances), and
    those of the undecided clauses, assumed on top to tell `undecided` apart."""
    return [f.literal for f in problem.facts] + [i.literal for i in problem.instances], [i.literal for i in problem.undecided]


def _distinct_cores(results: list[EnvResult]) -> list[list[z3.BoolRef]]:
    """Every minimal conflict the evaluations found, once each, in the order found."""
    conflicts: list[list[z3.BoolRef]] = []
    seen: set[frozenset[int]] = set()
    for result in results:
        for core in result.cores:
            key = frozenset(x.get_id() for x in core)
            if key not in seen:
                seen.add(key)
                conflicts.append(core)
    return conflicts


def verdict_per_release(problem: Problem, budget: Budget | None = None) -> dict[str, VerdictName]:
    """The verdict of the question under each release license of its domain,
    from one compiled problem (see `compile_problem(releases=...)`): each is
    the verdict of the same question stating that release license, as the
    release selector fixes what the stated license's fact would."""
    session = _Session(problem, budget or Budget(DEFAULT_BUDGET_MS))
    base, undecided = _base(problem)
    target = problem.resolved.target
    instances = [*problem.instances, *problem.undecided, *problem.duties]

    def release_of(instance: Instance) -> str | None:
        """The release license whose terms the instance is, if it is one's (a
        column's target declares no license: its only terms are release terms)."""
        placed = {(p.component, p.term.declared) for p in instance.placements}
        if len(placed) != 1:
            return None
        ((component, declared),) = placed
        return declared if component == target else None

    # an open question only other release licenses' terms ask cannot change this one's answer
    askers = {id(var): {release_of(i) for i in instances if var.tested_by(i.clause)} for var in problem.env}
    out: dict[str, VerdictName] = {}
    for license_id in problem.release_domain:
        others = set(problem.release_domain) - {license_id}
        env = [var for var in problem.env if not askers[id(var)] or not askers[id(var)] <= others]
        results = _evaluate(session, [*base, problem.release_selectors[license_id]], undecided, env, explain=False)
        out[license_id] = verdict_from_statuses([r.status for r in results])
    return out


def decide_conflicts(problem: Problem, budget: Budget | None = None) -> Decision:
    """The verdict with its minimal conflicts and open questions only: what
    a matrix cell's reason reads. A verdict-only problem will do (see
    `compile_problem(verdict_only=True)`): no ways out are looked for."""
    session = _Session(problem, budget or Budget(DEFAULT_BUDGET_MS))
    base, undecided = _base(problem)
    results = _evaluate(session, base, undecided, problem.env, explain=True)
    return Decision(
        verdict=verdict_from_statuses([r.status for r in results]),
        results=results,
        depends=_depends(problem.env, results),
        conflicts=_distinct_cores(results),
        obligations=[],
        release=problem.resolved.facts.release,
        release_options=[],
        choices=[],
        fixes=[],
        notes=[],
    )


def decide(problem: Problem, explain: bool = True, budget: Budget | None = None) -> Decision:
    """Decide the verdict for a compiled problem, with conflicts and obligations.

    Every solver call shares `budget`. If it runs out before the verdict is
    known the verdict is `unknown`; if it runs out while explaining, the
    verdict stands and a note says which parts may be incomplete."""
    session = _Session(problem, budget or Budget(DEFAULT_BUDGET_MS))
    base, undecided = _base(problem)
    results = _evaluate(session, base, undecided, problem.env, explain)
    verdict = verdict_from_statuses([r.status for r in results])
    notes = sorted({f"the solver gave up: {r.reason}" for r in results if r.status == "unknown" and r.reason})

    conflicts = _distinct_cores(results)

    release: str | None = None
    release_options: list[str] = []
    release_reason: str | None = None
    choices: list[tuple[str, str]] = []
    plan: list[z3.BoolRef] = []
    compliant = [r for r in results if r.status == "sat"]
    if explain and compliant:
        release, release_options, release_reason = session.explaining("release", _release, session, compliant[0])
        choices, plan = session.explaining("choices", _choices, session, compliant[0], release)
    elif problem.resolved.facts.release is not None:
        release = problem.resolved.facts.release
    if release is not None and problem.resolved.facts.release is None:
        plan.append(problem.release_selectors[release])
    obligations = session.explaining("obligations", _obligations, session, results, plan) if explain else []
    fixes = session.explaining("fixes", _fixes, session, base, undecided, conflicts, verdict) if explain and verdict != "allowed" else []
    incomplete = list(session.gave_up)
    if incomplete and verdict != "unknown":
        why = f"the time budget of {session.budget.describe()} ran out" if session.out_of_budget else "the solver gave up"
        notes.append(f"{why} while explaining: the verdict stands, but these parts may be incomplete: {', '.join(incomplete)}")
    return Decision(
        verdict=verdict,
        results=results,
        depends=_depends(problem.env, results),
        conflicts=conflicts,
        obligations=obligations,
        release=release,
        release_options=release_options,
        choices=choices,
        fixes=fixes,
        notes=notes,
        incomplete=incomplete if verdict != "unknown" else [],
        release_reason=release_reason,
    )
