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
from dataclasses import dataclass, field

import z3

from .compiler import EnvVar, Fact, Instance, Problem
from .verdict import verdict_from_statuses

MAX_CONFLICTS = 5
MAX_CONFLICT_SEARCHES = 24
MAX_GREEDY_CHOICES = 40
MAX_FIXES = 6

RANK = {"forbidden": 0, "unknown": 1, "depends": 2, "allowed": 3}


@dataclass
class EnvResult:
    assignment: tuple[tuple[EnvVar, str, z3.BoolRef], ...]
    status: str  # sat | unsat | unknown | undecided
    literals: list[z3.BoolRef]
    model: z3.ModelRef | None = None
    cores: list[list[z3.BoolRef]] = field(default_factory=list)
    reason: str = ""

    def label(self) -> dict[str, str]:
        return {var.name: value for var, value, _ in self.assignment}


@dataclass
class Decision:
    verdict: str
    results: list[EnvResult]
    depends: list[tuple[EnvVar, dict[str, str]]]
    conflicts: list[list[z3.BoolRef]]
    obligations: list[tuple[Instance, str, list[str]]]
    release: str | None
    release_options: list[str]
    choices: list[tuple[str, int]]
    fixes: list[tuple[str, str]]
    notes: list[str]


class _Session:
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.solver = problem.solver
        self.checks = 0

    def check(self, literals: list[z3.BoolRef]) -> z3.CheckSatResult:
        self.checks += 1
        return self.solver.check(*literals)

    # ------------------------------------------------------------ conflicts

    def minimize(self, core: list[z3.BoolRef]) -> list[z3.BoolRef]:
        core = list(core)
        i = 0
        while i < len(core):
            trial = core[:i] + core[i + 1 :]
            if self.check(trial) == z3.unsat:
                smaller = {str(x) for x in self.solver.unsat_core()}
                core = [x for x in trial if str(x) in smaller]
            else:
                i += 1
        return core

    def conflicts(self, literals: list[z3.BoolRef], instance_names: set[str]) -> list[list[z3.BoolRef]]:
        found: list[list[z3.BoolRef]] = []
        seen_sets: set[frozenset[str]] = set()
        queue: list[frozenset[str]] = [frozenset()]
        tried: set[frozenset[str]] = set()
        searches = 0
        while queue and len(found) < MAX_CONFLICTS and searches < MAX_CONFLICT_SEARCHES:
            excluded = queue.pop(0)
            if excluded in tried:
                continue
            tried.add(excluded)
            searches += 1
            trial = [x for x in literals if str(x) not in excluded]
            if self.check(trial) != z3.unsat:
                continue
            core_names = {str(x) for x in self.solver.unsat_core()}
            mus = self.minimize([x for x in trial if str(x) in core_names])
            key = frozenset(str(x) for x in mus)
            if key not in seen_sets:
                seen_sets.add(key)
                found.append(mus)
            for literal in mus:
                if str(literal) in instance_names:
                    queue.append(excluded | {str(literal)})
        return found


def _status(result: z3.CheckSatResult) -> str:
    if result == z3.sat:
        return "sat"
    if result == z3.unsat:
        return "unsat"
    return "unknown"


def _assignments(env: list[EnvVar]) -> list[tuple[tuple[EnvVar, str, z3.BoolRef], ...]]:
    per_var = [[(var, label, literal) for label, literal in var.values] for var in env]
    return [tuple(combo) for combo in itertools.product(*per_var)]


def _evaluate(session: _Session, base: list[z3.BoolRef], undecided: list[z3.BoolRef], env: list[EnvVar], explain: bool) -> list[EnvResult]:
    problem = session.problem
    instance_names = {str(i.literal) for i in problem.instances} | {str(i.literal) for i in problem.undecided}
    results = []
    for assignment in _assignments(env):
        env_literals = [literal for _, _, literal in assignment]
        literals = base + env_literals
        status = _status(session.check(literals))
        result = EnvResult(assignment, status, literals)
        if status == "sat" and undecided:
            with_undecided = literals + undecided
            second = _status(session.check(with_undecided))
            if second == "unsat":
                result.status = "undecided"
                if explain:
                    result.cores = session.conflicts(with_undecided, instance_names)
            elif second == "sat":
                result.literals = with_undecided
            else:
                result.status = "unknown"
                result.reason = session.solver.reason_unknown()
        elif status == "unsat" and explain:
            result.cores = session.conflicts(literals, instance_names)
        elif status == "unknown":
            result.reason = session.solver.reason_unknown()
        if result.status == "sat" and explain:
            # the last check was on result.literals, so its model is the one wanted
            result.model = session.solver.model()
        results.append(result)
    return results


def _depends(env: list[EnvVar], results: list[EnvResult]) -> list[tuple[EnvVar, dict[str, str]]]:
    out = []
    for var in env:
        by_value: dict[str, str] = {}
        for label, _ in var.values:
            statuses = [r.status for r in results if r.label()[var.name] == label]
            by_value[label] = verdict_from_statuses(statuses)
        if len(set(by_value.values())) > 1:
            out.append((var, by_value))
    return out


def _obligations(session: _Session, results: list[EnvResult], plan: list[z3.BoolRef]) -> list[tuple[Instance, str, list[str]]]:
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
        when: list[str] = []
        if len(holds_in) < len(compliant):
            for var in problem.env:
                values = {r.label()[var.name] for r in holds_in}
                if len(values) == 1:
                    when.append(var.condition(values.pop()))
        for duty in instance.clause.words:
            out.append((instance, duty, when))
    return out


def _release(session: _Session, result: EnvResult) -> tuple[str | None, list[str]]:
    problem = session.problem
    stated = problem.resolved.facts.release
    if stated is not None:
        return stated, [stated]
    order = list(dict.fromkeys(problem.release_preference + list(problem.release_domain)))
    feasible = [lic for lic in order if session.check(result.literals + [problem.release_selectors[lic]]) == z3.sat]
    if len(feasible) == len(order):
        return None, []  # nothing constrains the release license
    return (feasible[0] if feasible else None), feasible


def _choices(session: _Session, result: EnvResult, release: str | None) -> list[tuple[str, int]]:
    problem = session.problem
    fixed = list(result.literals)
    if release is not None and problem.resolved.facts.release is None:
        fixed.append(problem.release_selectors[release])
    out = []
    greedy = len(problem.choices) <= MAX_GREEDY_CHOICES
    for name, (var, options) in problem.choices.items():
        chosen = None
        if greedy:
            for k in range(len(options)):
                selector = problem.choice_selectors[(name, k)]
                if session.check(fixed + [selector]) == z3.sat:
                    chosen = k
                    fixed.append(selector)
                    break
        if chosen is None and result.model is not None:
            chosen = result.model.eval(var, model_completion=True).as_long()
        if chosen is not None:
            out.append((name, chosen))
    return out


def _fixes(session: _Session, base: list[z3.BoolRef], undecided: list[z3.BoolRef], conflicts: list[list[z3.BoolRef]], verdict: str) -> list[tuple[str, str]]:
    problem = session.problem
    candidates: list[tuple[str, list[z3.BoolRef], list[z3.BoolRef]]] = []
    seen: set[str] = set()
    for core in conflicts:
        for literal in core:
            item = problem.by_literal.get(str(literal))
            if isinstance(item, Fact):
                change = _fact_change(item)
                if change and change not in seen:
                    seen.add(change)
                    add = [item.flip] if item.flip is not None else []
                    candidates.append((change, [literal], add))
            elif isinstance(item, Instance):
                components = [c for c in item.components if c != problem.resolved.target]
                if not components:
                    continue
                change = "leave out " + ", ".join(f"'{c}'" for c in components) + f" ({item.license})"
                if change not in seen:
                    seen.add(change)
                    drop = [i.literal for i in problem.instances + problem.undecided if set(i.components) <= set(components)]
                    candidates.append((change, drop, []))
    fixes: list[tuple[str, str]] = []
    for change, drop, add in candidates[: MAX_FIXES * 2]:
        dropped = {str(x) for x in drop}
        trial_base = [x for x in base if str(x) not in dropped] + add
        trial_undecided = [x for x in undecided if str(x) not in dropped]
        results = _evaluate(session, trial_base, trial_undecided, problem.env, explain=False)
        then = verdict_from_statuses([r.status for r in results])
        if RANK[then] > RANK[verdict]:
            fixes.append((change, then))
        if len(fixes) >= MAX_FIXES:
            break
    fixes.sort(key=lambda f: -RANK[f[1]])
    return fixes


def _fact_change(fact: Fact) -> str | None:
    name = fact.name
    if name.startswith("use.actions.") and fact.value is True:
        return f"do not {name.rsplit('.', 1)[1]} the target"
    if name.startswith("use.purposes.") and fact.value is True:
        return f"drop the purpose '{name.rsplit('.', 1)[1]}'"
    if name.startswith("assume.") and fact.flip is not None:
        other = "no" if fact.value == "yes" else "yes"
        return f"if {name.split('.', 1)[1]} were '{other}'"
    if name == "use.release-license":
        return f"release under another license than {fact.value} (leave release-license out to let licet choose)"
    if name.startswith("components.") and name.endswith(".license"):
        return f"release the target under another license than its declared '{fact.value}'"
    if fact.flip is not None and isinstance(fact.value, bool):
        return f"make {name} {'false' if fact.value else 'true'}"
    return None


def decide(problem: Problem, explain: bool = True) -> Decision:
    """Decide the verdict for a compiled problem, with conflicts and obligations."""
    session = _Session(problem)
    base = [f.literal for f in problem.facts] + [i.literal for i in problem.instances]
    undecided = [i.literal for i in problem.undecided]
    results = _evaluate(session, base, undecided, problem.env, explain)
    verdict = verdict_from_statuses([r.status for r in results])
    notes = sorted({f"the solver gave up: {r.reason}" for r in results if r.status == "unknown" and r.reason})

    conflicts: list[list[z3.BoolRef]] = []
    seen: set[frozenset[str]] = set()
    for result in results:
        for core in result.cores:
            key = frozenset(str(x) for x in core)
            if key not in seen:
                seen.add(key)
                conflicts.append(core)

    release: str | None = None
    release_options: list[str] = []
    choices: list[tuple[str, int]] = []
    compliant = [r for r in results if r.status == "sat"]
    if explain and compliant:
        release, release_options = _release(session, compliant[0])
        choices = _choices(session, compliant[0], release)
    elif problem.resolved.facts.release is not None:
        release = problem.resolved.facts.release
    plan = [problem.choice_selectors[c] for c in choices]
    if release is not None and problem.resolved.facts.release is None:
        plan.append(problem.release_selectors[release])
    obligations = _obligations(session, results, plan) if explain else []
    fixes = _fixes(session, base, undecided, conflicts, verdict) if explain and verdict != "allowed" else []
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
    )
