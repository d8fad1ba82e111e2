"""A reference evaluator: brute force in plain Python, for small scenarios.

The property tests check the z3 path against it on generated scenarios; that
is how we trust the solver path. So it shares as little with that path as it can.

Shared, on purpose:

- the library (`Library`): the checked rule AST (`nodes`), the vocabulary,
  the release domain and the fallback license;
- the expression stage: `Library.parse_expression` reads license expressions
  into options;
- the environment (`licensing.environment`): the regions an unstated number
  is checked in, and how the answers under each value of what is unknown
  combine into one verdict.

Independent: everything else. It imports nothing of `compiler`, `solver`,
`explain` or `scenario.resolve`/`scenario.graph`. It takes the `Scenario`
model as written and resolves it itself: the roles each component plays (the
vocabulary's `relation … gives …` and `compose` rules, as a fixpoint over
(component, role) pairs), `-or-later` offers, the fallback license, active
waivers. It evaluates every condition and effect directly, and enumerates every
world: each value of what is unknown, each release license, each option of
each OR. Release licenses that no condition can tell apart are tried once.

Besides the verdict it checks two parts of an explained `Verdict`: that a
reported conflict really cannot be met (`conflict_is_unsatisfiable`), and that
a reported obligation really holds in every compliant world that follows the
reported plan (`obligation_entailed`).

It assumes the scenario is valid (the engine checks it first): every word is
in the vocabulary and every `WITH` fits its license.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import assert_never

from . import nodes as n
from .environment import (
    Status,
    VerdictName,
    number_regions,
    verdict_from_statuses,
    which_license_name,
)
from .expression import AllOf, AnyOf, Leaf, Tree
from .library import Library
from .scenario.model import COMMERCIAL_FLAG, Scenario
from .verdict import Conflict, Obligation, Verdict

# The role the target plays for itself: where the graph walk starts.
SELF = "self"
WILDCARD = "*"

# Which clauses take part: (license, clause name, component) → whether it does.
Select = Callable[[str, str, str], bool]


def _every_clause(license_id: str, clause: str, component: str) -> bool:
    return True


# ---------------------------------------------------------------- the scenario, resolved here


@dataclass(frozen=True)
class _Term:
    """One license of an option, after offers are expanded."""

    license: str
    exception: str | None
    declared: str  # what the expression said (an `offers` license, or the license itself)
    released: bool = False  # the target's release license, not a license it declares

    def __str__(self) -> str:
        return self.license + (f" WITH {self.exception}" if self.exception else "")

    @property
    def passed_on(self) -> str | None:
        """The `offers` license the term was picked from, which may be passed on unchanged."""
        return self.declared if self.declared != self.license else None


@dataclass(frozen=True)
class _Component:
    name: str
    kind: str
    options: tuple[tuple[_Term, ...], ...]
    roles: frozenset[str]  # empty: out of reach of the target


@dataclass(frozen=True)
class _Where:
    """What a condition sees of the component a clause is applied to."""

    roles: frozenset[str]
    kind: str
    passed_on: str | None


_NOWHERE = _Where(frozenset(), "", None)

# A clause's holder: a component and one term of one of its options.
_Unit = tuple[_Component, _Term]


def _compose(library: Library, first: str, given: str) -> str | None:
    """The role through a component playing `first` of a relation giving `given`."""
    for rule in library.vocabulary.compose:
        if rule.first in (WILDCARD, first) and rule.second in (WILDCARD, given):
            if rule.result != WILDCARD:
                return rule.result
            return first if rule.first == WILDCARD else given
    return None


def _roles(scenario: Scenario, library: Library, target: str) -> dict[str, frozenset[str]]:
    """Every (component, role) pair reachable from (target, self), as a fixpoint."""
    plays: set[tuple[str, str]] = {(target, SELF)}
    while True:
        found: set[tuple[str, str]] = set()
        for name, role in plays:
            for relation, others in scenario.components[name].relations.items():
                composed = _compose(library, role, library.vocabulary.relations[relation].role)
                if composed is not None:
                    found.update((other, composed) for other in others)
        if found <= plays:
            break
        plays |= found
    roles: dict[str, set[str]] = {}
    for name, role in plays:
        roles.setdefault(name, set()).add(role)
    return {name: frozenset(found_roles) for name, found_roles in roles.items()}


def _own_work(library: Library, relations: Mapping[str, Sequence[str]]) -> bool:
    """Whether a component names a relation marked `own-work`: made by the
    licensee from others, so that without a license it has no terms of its own."""
    declared = library.vocabulary.relations
    return any(others and relation in declared and declared[relation].own_work for relation, others in relations.items())


def _options(library: Library, text: str | None, is_target: bool, own_work: bool = False) -> tuple[tuple[_Term, ...], ...]:
    if text is None:
        if is_target or own_work or library.fallback is None:
            return ()
        text = library.fallback
    options: list[tuple[_Term, ...]] = []
    for option in library.parse_expression(text).options:
        expanded: list[tuple[_Term, ...]] = [()]
        for license_id, exception in option.terms:
            offered = library.licenses[license_id].offers or (license_id,)
            expanded = [prefix + (_Term(choice, exception, license_id),) for prefix in expanded for choice in offered]
        options.extend(expanded)
    return tuple(dict.fromkeys(options))


def _purposes(library: Library, stated: Sequence[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(the purposes the use has, those it may or may not have): a stated
    purpose and everything it is `within`, transitively; open are the
    purposes within a stated one or declared to overlap one (either way),
    and the `qualifying` ones when none is stated."""
    words = library.vocabulary.words.get("purpose", {})
    parents = {name: set(word.within) for name, word in words.items()}
    has = set(stated)
    while True:
        grown = has | {parent for purpose in has for parent in parents.get(purpose, ())}
        if grown == has:
            break
        has = grown

    def above(purpose: str) -> set[str]:
        seen: set[str] = set()
        todo = [purpose]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    maybe: set[str] = set()
    for purpose in stated:
        maybe |= {other for other in words if purpose in above(other)}
        maybe |= set(words[purpose].overlaps) if purpose in words else set()
        maybe |= {other for other, word in words.items() if purpose in word.overlaps}
    if not stated:
        maybe |= {name for name, word in words.items() if word.qualifying}
    return frozenset(has), frozenset(maybe - has)


def _option_text(option: Sequence[_Term]) -> str:
    return " AND ".join(str(term) for term in option)


class _Question:
    """The scenario resolved against the library, by this module alone."""

    def __init__(self, scenario: Scenario, library: Library, today: date | None) -> None:
        self.library = library
        self.vocabulary = library.vocabulary
        self.domain = library.release_domain
        use = scenario.use
        self.target = use.target
        roles = _roles(scenario, library, self.target)
        self.components = {
            name: _Component(
                name,
                component.kind,
                _options(library, component.license, name == self.target, _own_work(library, component.relations)),
                roles.get(name, frozenset()),
            )
            for name, component in scenario.components.items()
        }
        self.target_kind = scenario.components[self.target].kind
        self.choosers = [
            c.name for c in self.components.values() if len(c.options) > 1 and (c.roles or c.name == self.target)
        ]
        day = today or date.today()
        self.waivers = [
            (w.component, library.canonical_id(w.license) if w.license is not None else None, w.clause)
            for w in scenario.waivers
            if w.expires is None or w.expires >= day
        ]
        # the stated facts of the use
        self.actions = frozenset(use.actions)
        self.purposes, self.open_purposes = _purposes(library, use.purposes)
        self.flags: dict[str, bool] = {}
        self.numbers: dict[str, float] = {}
        for key, value in use.facts.items():
            if isinstance(value, bool):
                self.flags[key] = value
            else:
                self.numbers[key] = float(value)
        if use.commercial is not None and self.vocabulary.has("flag", COMMERCIAL_FLAG):
            self.flags[COMMERCIAL_FLAG] = use.commercial
        # an unstated flag the vocabulary presumes takes the presumed value
        for fact, presumption in self.vocabulary.presumptions.items():
            self.flags.setdefault(fact, presumption.value)
        self.assumptions = {name: answer == "yes" for name, answer in scenario.assume.items() if answer != "unknown"}
        self.release: str | None = None
        if use.release_license is not None:
            self.release = library.parse_expression(use.release_license).options[0].terms[0][0]
        self._clauses: dict[tuple[str, str], tuple[n.Clause, ...]] = {}

    def clauses(self, component: str, license_id: str) -> tuple[n.Clause, ...]:
        """The license's clauses for one component, less what active waivers accept."""
        key = (component, license_id)
        cached = self._clauses.get(key)
        if cached is None:
            cached = self.library.licenses[license_id].clauses
            for name, waived_license, clause in self.waivers:
                if name != component or (waived_license is not None and license_id not in self.library.covered_by(waived_license)):
                    continue
                cached = () if clause is None else tuple(c for c in cached if c.name != clause)
            self._clauses[key] = cached
        return cached

    def units(self) -> list[_Unit]:
        """Every (component, term) of a reached component, whichever option it
        is in, and the target under each release license it may go out under
        (whose terms then bind it as they would if it declared them)."""
        out: dict[tuple[str, _Term], _Unit] = {}
        for component in self.components.values():
            if component.roles:
                for option in component.options:
                    for term in option:
                        out.setdefault((component.name, term), (component, term))
        target = self.components[self.target]
        for license_id in self.release_candidates():
            for version in self.library.licenses[license_id].offers or (license_id,):
                term = _Term(version, None, license_id, released=True)
                out.setdefault((target.name, term), (target, term))
        return list(out.values())

    @functools.cached_property
    def _candidates(self) -> tuple[str, ...]:
        return tuple(self._find_release_candidates())

    def release_candidates(self) -> tuple[str, ...]:
        return self._candidates

    def _find_release_candidates(self) -> list[str]:
        """The release licenses the target may go out under: the stated one;
        else those it declares; else every license whose own terms test no
        open question the scenario's own licenses do not test."""
        if self.release is not None:
            return [self.release]
        target = self.components[self.target]
        if target.options:
            return list(dict.fromkeys(name for option in target.options for name in self.declared_ids(option)))
        tested = {
            word
            for component in self.components.values()
            for option in component.options
            for term in option
            for name in (term.license, term.exception)
            if name is not None
            for word in self.library.words_tested(name)
        }
        open_questions = {("flag", f) for f in self.vocabulary.names("flag") if f not in self.flags}
        open_questions |= {("number", x) for x in self.vocabulary.names("number") if x not in self.numbers}
        open_questions |= {("assumption", a) for a in self.vocabulary.names("assumption") if a not in self.assumptions}
        out = []
        for license_id in self.domain:
            versions = self.library.licenses[license_id].offers or (license_id,)
            own = {word for version in versions for word in self.library.words_tested(version)}
            if own & open_questions <= tested:
                out.append(license_id)
        return out

    def declared_ids(self, option: Sequence[_Term]) -> list[str]:
        """What an option of the target lets it go out under, when no release license is stated."""
        return [lic for term in option for lic in dict.fromkeys((term.declared, term.license)) if lic in self.domain]

    def plans(self, choosers: Sequence[str]) -> list[dict[str, int]]:
        ranges = [range(len(self.components[name].options)) for name in choosers]
        return [dict(zip(choosers, picks, strict=True)) for picks in itertools.product(*ranges)]

    def release_classes(self, conditions: Iterable[n.Condition], units: Iterable[_Unit], declared: bool) -> list[str]:
        """One release license per class that no condition, no passed-on license
        and no declared license of the target tells apart."""
        value_sets = {frozenset(test.values) for cond in conditions for test in n.find_all(cond, n.ReleaseIn)}
        singles = {term.passed_on for _, term in units if term.passed_on is not None}
        if declared:
            value_sets |= {frozenset(self.declared_ids(option)) for option in self.components[self.target].options}
        # a release license whose own terms bind the target is a class of its own
        candidates = self.release_candidates()
        singles |= set(candidates)
        tests = [*value_sets, *(frozenset({single}) for single in singles)]
        classes: dict[tuple[bool, ...], str] = {}
        for lic in self.domain:
            # an undeclared target goes out only under one of the candidates
            if self.components[self.target].options or lic in candidates:
                classes.setdefault(tuple(lic in test for test in tests), lic)
        return list(classes.values())


# ---------------------------------------------------------------- the words a set of clauses uses


@dataclass
class _Words:
    actions: set[str]
    purpose_sets: set[frozenset[str]]
    flags: set[str]
    assumptions: set[str]
    thresholds: dict[str, set[float]]

    @staticmethod
    def of(conditions: Iterable[n.Condition]) -> _Words:
        words = _Words(set(), set(), set(), set(), {})
        for cond in conditions:
            for node in n.walk(cond):
                match node:
                    case n.Action(name=name):
                        words.actions.add(name)
                    case n.PurposeIn(values=values):
                        words.purpose_sets.add(frozenset(values))
                    case n.PurposeOnlyIn(values=values, others=others):
                        words.purpose_sets.add(frozenset(values) | frozenset(others))
                    case n.Flag(name=name):
                        words.flags.add(name)
                    case n.Assumed(name=name):
                        words.assumptions.add(name)
                    case n.Compare(number=number, value=value):
                        words.thresholds.setdefault(number, set()).add(value)
        return words


def _conditions(question: _Question, units: Iterable[_Unit], select: Select) -> list[n.Condition]:
    """Every condition that can matter for these units' selected clauses: their
    guards and requirements, the relaxations of their exceptions, and the
    vocabulary's `count … as …` conditions for the roles they play."""
    units = list(units)
    played = {role for component, _ in units for role in component.roles}
    out: list[n.Condition] = [count.when for count in question.vocabulary.counts if count.role in played]
    exceptions: set[str] = set()
    for component, term in units:
        for clause in question.clauses(component.name, term.license):
            if not select(term.license, clause.name, component.name):
                continue
            out += [clause.when, clause.unless]
            if isinstance(clause.effect, n.RequireThat):
                out.append(clause.effect.requirement)
        if term.exception is not None:
            exceptions.add(term.exception)
    for exception in sorted(exceptions):
        for rule in question.library.exceptions[exception].clauses:
            out += [rule.when, rule.unless]
    return out



# ---------------------------------------------------------------- one world


@dataclass(frozen=True)
class _Facts:
    """Every fact of the use a condition can ask about, with a value."""

    actions: frozenset[str]
    purposes: frozenset[str]
    flags: Mapping[str, bool]
    numbers: Mapping[str, float]
    assumptions: Mapping[str, bool]


class _World:
    """One value of every fact and one release license: conditions and clauses
    are evaluated here, for any choice of options."""

    def __init__(self, question: _Question, facts: _Facts, release: str, select: Select = _every_clause) -> None:
        self.q = question
        self.facts = facts
        self.release = release
        self.select = select
        self._plays: dict[frozenset[str], frozenset[str]] = {}
        self._imposed: dict[tuple[str, _Term, frozenset[str], frozenset[str]], frozenset[str]] = {}
        self._blocked: dict[tuple[str, _Term, frozenset[str], frozenset[str]], tuple[bool, bool]] = {}
        self.lineage: frozenset[str] = frozenset()

    # ------------------------------------------------------------ conditions

    def plays(self, roles: frozenset[str]) -> frozenset[str]:
        """The roles a component plays, with those its roles also count as."""
        cached = self._plays.get(roles)
        if cached is None:
            widened = set(roles)
            for count in self.q.vocabulary.counts:
                if count.role in roles and self.holds(count.when, _NOWHERE, frozenset()):
                    widened.add(count.counts_as)
            cached = self._plays[roles] = frozenset(widened)
        return cached

    def holds(self, cond: n.Condition, where: _Where, carried: frozenset[str]) -> bool:
        facts = self.facts
        match cond:
            case n.Const(value=value):
                return value
            case n.AllOf(items=items):
                return all(self.holds(item, where, carried) for item in items)
            case n.AnyOf(items=items):
                return any(self.holds(item, where, carried) for item in items)
            case n.Not(item=item):
                return not self.holds(item, where, carried)
            case n.Assumed(name=name):
                return facts.assumptions[name]
            case n.Action(name=name):
                return name in facts.actions
            case n.Flag(name=name):
                return facts.flags[name]
            case n.Compare(number=number, op=op, value=value):
                amount = facts.numbers[number]
                if op == ">":
                    return amount > value
                if op == ">=":
                    return amount >= value
                if op == "<":
                    return amount < value
                if op == "<=":
                    return amount <= value
                raise ValueError(f"unknown comparison {op!r}")
            case n.RoleIn(values=values):
                return not self.plays(where.roles).isdisjoint(values)
            case n.PurposeIn(values=values):
                return not facts.purposes.isdisjoint(values)
            case n.PurposeOnlyIn(values=values, others=others):
                return not facts.purposes.isdisjoint(values) and facts.purposes.isdisjoint(others)
            case n.TermsIn(values=values):
                return not carried.isdisjoint(values)
            case n.KindIs(values=values):
                return where.kind in values
            case n.TargetKindIs(values=values):
                return self.q.target_kind in values
            case n.ReleaseIn(values=values):
                # a license picked from an `offers` license may be passed on unchanged
                return self.release in values or self.release == where.passed_on
            case n.LineageIn(values=values):
                return not self.lineage.isdisjoint(values)
            case _:
                assert_never(cond)

    def applies(self, clause: n.Clause, unit: _Unit, carried: frozenset[str]) -> bool:
        """Whether the clause binds the unit: its when holds, its unless does
        not, and no relaxation of the unit's exception lifts it."""
        component, term = unit
        where = _Where(component.roles, component.kind, term.passed_on)
        if not self.holds(clause.when, where, carried) or self.holds(clause.unless, where, carried):
            return False
        if term.exception is not None:
            for rule in self.q.library.exceptions[term.exception].clauses:
                match rule.effect:
                    case n.Relax(clauses=relaxed):
                        if clause.name in relaxed and self.holds(rule.when, where, carried) and not self.holds(rule.unless, where, carried):
                            return False
                    case n.Forbid() | n.Undecided() | n.RequireDuties() | n.RequireThat() | n.Impose():
                        pass  # an exception only relaxes
                    case _:
                        assert_never(rule.effect)
        return True

    def clauses(self, unit: _Unit) -> Iterator[n.Clause]:
        component, term = unit
        for clause in self.q.clauses(component.name, term.license):
            if term.released and isinstance(clause.effect, n.RequireDuties):
                continue  # the licensor owes its own license nothing
            if self.select(term.license, clause.name, component.name):
                yield clause

    # ------------------------------------------------------------ effects

    def imposed(self, unit: _Unit, carried: frozenset[str]) -> frozenset[str]:
        """The travelling terms the unit's applying `impose` clauses put into the work."""
        key = (unit[0].name, unit[1], carried, self.lineage)
        cached = self._imposed.get(key)
        if cached is None:
            words: set[str] = set()
            for clause in self.clauses(unit):
                if isinstance(clause.effect, n.Impose) and self.applies(clause, unit, carried):
                    words.update(clause.effect.terms)
            cached = self._imposed[key] = frozenset(words)
        return cached

    def blocked(self, unit: _Unit, carried: frozenset[str]) -> tuple[bool, bool]:
        """(some constraint of the unit is broken, some undecided clause applies)."""
        key = (unit[0].name, unit[1], carried, self.lineage)
        cached = self._blocked.get(key)
        if cached is None:
            hard = undecided = False
            for clause in self.clauses(unit):
                match clause.effect:
                    case n.Forbid():
                        hard = hard or self.applies(clause, unit, carried)
                    case n.Undecided():
                        undecided = undecided or self.applies(clause, unit, carried)
                    case n.RequireThat(requirement=requirement):
                        if not hard and self.applies(clause, unit, carried):
                            where = _Where(unit[0].roles, unit[0].kind, unit[1].passed_on)
                            hard = not self.holds(requirement, where, carried)
                    case n.RequireDuties() | n.Impose() | n.Relax():
                        pass  # duties are reported, not met; imposed terms are `carried`
                    case _:
                        assert_never(clause.effect)
            cached = self._blocked[key] = (hard, undecided)
        return cached

    # ------------------------------------------------------------ plans

    def follow(self, choices: Mapping[str, int]) -> None:
        """Take these choices: the licenses of the target's lineage (what it
        is made from, in the options chosen) follow from them."""
        held: set[str] = set()
        for component in self.q.components.values():
            if "derivative" in component.roles and component.options:
                for term in component.options[choices.get(component.name, 0)]:
                    held |= {term.license, term.declared}
        self.lineage = frozenset(held)

    def active(self, choices: Mapping[str, int]) -> list[_Unit]:
        """The units that bind under these choices: the chosen option's terms,
        and every option's terms picked from an `offers` license that the
        release passes on unchanged (each recipient may pick any version)."""
        out: list[_Unit] = []
        for component in self.q.components.values():
            if not component.roles:
                continue
            chosen = choices.get(component.name, 0)
            for k, option in enumerate(component.options):
                for term in option:
                    if (k == chosen or term.passed_on == self.release) and (component, term) not in out:
                        out.append((component, term))
        target = self.q.components[self.q.target]
        declared = {name for term in target.options[choices.get(target.name, 0)] for name in (term.license, term.declared)} if target.options else set()
        if self.release not in declared and self.release in self.q.release_candidates():
            for version in self.q.library.licenses[self.release].offers or (self.release,):
                out.append((target, _Term(version, None, self.release, released=True)))
        return out

    def carried(self, units: Sequence[_Unit]) -> frozenset[str]:
        """The terms the work carries: the least fixpoint of the applying `impose`
        clauses (the same as one pass when no `impose` tests `work.terms`)."""
        carried: frozenset[str] = frozenset()
        while True:
            grown = carried.union(*(self.imposed(unit, carried) for unit in units))
            if grown == carried:
                return carried
            carried = grown

    def release_fits(self, choices: Mapping[str, int]) -> bool:
        """Without a stated release license the target goes out under one it declares."""
        target = self.q.components[self.q.target]
        if not target.options:
            return True
        ids = self.q.declared_ids(target.options[choices.get(target.name, 0)])
        return not ids or self.release in ids

    def outcome(self, choices: Mapping[str, int], declared: bool) -> tuple[bool, bool]:
        """(the plan breaks a constraint, an undecided clause applies in it)."""
        if declared and not self.release_fits(choices):
            return True, False
        self.follow(choices)
        units = self.active(choices)
        carried = self.carried(units)
        hard = undecided = False
        for unit in units:
            unit_hard, unit_undecided = self.blocked(unit, carried)
            hard, undecided = hard or unit_hard, undecided or unit_undecided
            if hard:
                break
        return hard, undecided


# ---------------------------------------------------------------- enumerating facts


@dataclass(frozen=True)
class _Interval:
    low: float | None
    low_inclusive: bool
    high: float | None
    high_inclusive: bool

    def __contains__(self, value: float) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            return False
        return not (self.high is not None and (value > self.high or (value == self.high and not self.high_inclusive)))


_ANY_VALUE = _Interval(None, False, None, False)


def _interval(text: str) -> _Interval:
    """A number region as `NumberRegion.describe` words it: `≥ 700,000,000`,
    `> 5 and < 10`, `= 3`, `any value`."""
    if text.strip() == "any value":
        return _ANY_VALUE
    low: float | None = None
    high: float | None = None
    low_inclusive = high_inclusive = False
    for part in text.split(" and "):
        op, _, number = part.strip().partition(" ")
        value = float(number.replace(",", ""))
        if op in ("=", "≥", ">"):
            low, low_inclusive = value, op != ">"
        if op in ("=", "≤", "<"):
            high, high_inclusive = value, op != "<"
        if op not in ("=", "≥", ">", "≤", "<"):
            raise ValueError(f"not a number region: {text!r}")
    return _Interval(low, low_inclusive, high, high_inclusive)


@dataclass(frozen=True)
class _Known:
    """An environment value as a verdict states it: `name = yes`, or a number's region."""

    name: str
    truth: bool | None  # for yes/no facts, assumptions and purposes
    region: _Interval | None  # for numbers
    purpose: bool = False  # `purpose NAME = yes`: whether the use is for it


def _known(question: _Question, text: str) -> _Known:
    text = text.strip()
    if text.startswith("purpose "):
        name, _, rest = text.removeprefix("purpose ").partition(" ")
        if rest not in ("= yes", "= no"):
            raise ValueError(f"not an environment value: {text!r}")
        return _Known(name, rest == "= yes", None, purpose=True)
    name, _, rest = text.partition(" ")
    if question.vocabulary.has("number", name):
        return _Known(name, None, _interval(rest))
    if rest not in ("= yes", "= no"):
        raise ValueError(f"not an environment value: {text!r}")
    return _Known(name, rest == "= yes", None)


def _points(thresholds: Iterable[float], region: _Interval = _ANY_VALUE) -> list[float]:
    """A value of a number in every stretch the thresholds (and the region's
    ends) cut out, inside the region."""
    cuts = set(thresholds) | {end for end in (region.low, region.high) if end is not None}
    return [r.point for r in number_regions(cuts) if r.point in region]


def _subsets(items: Sequence[str]) -> list[frozenset[str]]:
    return [frozenset(combo) for size in range(len(items) + 1) for combo in itertools.combinations(items, size)]


@dataclass
class _Axes:
    """The values each fact can take; `facts()` is every combination."""

    actions: list[frozenset[str]]
    purposes: list[frozenset[str]]
    flags: dict[str, list[bool]]
    numbers: dict[str, list[float]]
    assumptions: dict[str, list[bool]]

    def facts(self) -> Iterator[_Facts]:
        flags, numbers, assumptions = list(self.flags), list(self.numbers), list(self.assumptions)
        for actions, purposes, flag_values, number_values, assumption_values in itertools.product(
            self.actions,
            self.purposes,
            itertools.product(*self.flags.values()),
            itertools.product(*self.numbers.values()),
            itertools.product(*self.assumptions.values()),
        ):
            yield _Facts(
                actions,
                purposes,
                dict(zip(flags, flag_values, strict=True)),
                dict(zip(numbers, number_values, strict=True)),
                dict(zip(assumptions, assumption_values, strict=True)),
            )


def _environment(question: _Question, words: _Words) -> _Axes:
    """The stated facts, and every value of each unstated one the clauses test."""
    flags = {name: [question.flags[name]] if name in question.flags else [True, False] for name in sorted(words.flags)}
    numbers = {
        name: [question.numbers[name]] if name in question.numbers else _points(thresholds)
        for name, thresholds in sorted(words.thresholds.items())
    }
    assumptions = {
        name: [question.assumptions[name]] if name in question.assumptions else [True, False] for name in sorted(words.assumptions)
    }
    tested = set().union(*words.purpose_sets) if words.purpose_sets else set()
    maybe = sorted(question.open_purposes & tested)
    purpose_sets = [question.purposes | chosen for chosen in _subsets(maybe)]
    return _Axes([question.actions], purpose_sets, flags, numbers, assumptions)


def _search(worlds: Iterable[_World], plans: Sequence[Mapping[str, int]], declared: bool) -> Status:
    """sat when some plan in some of the worlds breaks nothing; undecided when
    the only plans that break no constraint meet an undecided clause."""
    found_any = False
    for world in worlds:
        for choices in plans:
            hard, undecided = world.outcome(choices, declared)
            if not hard:
                if not undecided:
                    return "sat"
                found_any = True
    return "undecided" if found_any else "unsat"


# ---------------------------------------------------------------- the public API


@dataclass(frozen=True)
class _Whole:
    """A question with every clause in play: its environment, the release
    licenses worth telling apart, and every plan of choices."""

    question: _Question
    axes: _Axes
    declared: bool
    releases: tuple[str, ...]
    plans: list[dict[str, int]]

    @classmethod
    def of(cls, question: _Question) -> _Whole:
        units = question.units()
        conditions = _conditions(question, units, _every_clause)
        declared = question.release is None
        releases = [question.release] if question.release is not None else question.release_classes(conditions, units, declared)
        return cls(question, _environment(question, _Words.of(conditions)), declared, tuple(releases), question.plans(question.choosers))


# ---------------------------------------------------------------- families


def _family_leaves(tree: Tree) -> list[Leaf]:
    """The leaves of an expression in the order written."""
    match tree:
        case Leaf():
            return [tree]
        case AllOf(parts=parts) | AnyOf(parts=parts):
            return [leaf for part in parts for leaf in _family_leaves(part)]


def _written(library: Library, tree: Tree, picks: Iterator[str]) -> str:
    """The expression with each family id replaced by the next member picked."""
    match tree:
        case Leaf(license=license_id, exception=exception):
            if library.licenses[license_id].is_family:
                return next(picks)
            return license_id + (f" WITH {exception}" if exception else "")
        case AllOf(parts=parts):
            return "(" + " AND ".join(_written(library, part, picks) for part in parts) + ")"
        case AnyOf(parts=parts):
            return "(" + " OR ".join(_written(library, part, picks) for part in parts) + ")"


def _family_worlds(scenario: Scenario, library: Library) -> list[tuple[dict[str, str], Scenario]]:
    """Every way the family ids in the scenario can turn out (which member
    each one is), each with the scenario in which it is so; the questions are
    named as explanations name them (`license of 'x'`)."""
    slots: list[tuple[str, tuple[str, ...]]] = []
    trees: dict[str, Tree] = {}
    for name, component in scenario.components.items():
        if component.license is None:
            continue
        tree = library.parse_expression(component.license).tree
        families = [library.licenses[leaf.license] for leaf in _family_leaves(tree) if library.licenses[leaf.license].is_family]
        slots += [(which_license_name(name, index), family.members) for index, family in enumerate(families)]
        if families:
            trees[name] = tree
    if not slots:
        return [({}, scenario)]
    worlds = []
    for picks in itertools.product(*(members for _, members in slots)):
        labels = {question: member for (question, _), member in zip(slots, picks, strict=True)}
        picked = iter(picks)
        components = dict(scenario.components)
        for name, tree in trees.items():
            components[name] = components[name].model_copy(update={"license": _written(library, tree, picked)})
        worlds.append((labels, scenario.model_copy(update={"components": components})))
    return worlds


def _which_license(text: str) -> tuple[str, str] | None:
    """(question, member) of a `license of 'x' = MEMBER` condition."""
    if not text.startswith("license of '") or " = " not in text:
        return None
    question, _, member = text.rpartition(" = ")
    return question, member


def _fits(labels: Mapping[str, str], conditions: Iterable[str]) -> bool:
    return all(labels.get(found[0]) == found[1] for found in map(_which_license, conditions) if found is not None)


def _other_conditions(conditions: Iterable[str]) -> list[str]:
    return [text for text in conditions if _which_license(text) is None]


def reference_verdict(scenario: Scenario, library: Library, today: date | None = None) -> VerdictName:
    """The verdict by enumeration: allowed, forbidden, depends or unknown."""
    statuses: list[Status] = []
    for _, variant in _family_worlds(scenario, library):
        whole = _Whole.of(_Question(variant, library, today))
        statuses += [
            _search((_World(whole.question, facts, release) for release in whole.releases), whole.plans, whole.declared) for facts in whole.axes.facts()
        ]
    return verdict_from_statuses(statuses)


def conflict_is_unsatisfiable(scenario: Scenario, library: Library, conflict: Conflict, today: date | None = None) -> bool:
    """Whether no world meets every clause the conflict cites, whichever
    member each family id is among those the conflict's conditions allow."""
    rest = conflict.model_copy(update={"assumptions": _other_conditions(conflict.assumptions)})
    return all(
        _conflict_unsatisfiable(variant, library, rest, today)
        for labels, variant in _family_worlds(scenario, library)
        if _fits(labels, conflict.assumptions)
    )


def _conflict_unsatisfiable(scenario: Scenario, library: Library, conflict: Conflict, today: date | None) -> bool:
    """Whether no world meets every clause the conflict cites.

    Only the cited clauses bind (on the components they are cited for), only the
    cited facts and values of the environment are fixed: every other fact takes
    every value the cited clauses can tell apart, and the plan (release license,
    choices of the cited components and of the target) every value it can."""
    question = _Question(scenario, library, today)
    cited = {(ref.license, ref.clause, name) for ref in conflict.clauses for name in (ref.component, *ref.also_components)}

    def select(license_id: str, clause: str, component: str) -> bool:
        return (license_id, clause, component) in cited

    units = [
        (component, term)
        for component, term in question.units()
        if any(select(term.license, clause.name, component.name) for clause in question.clauses(component.name, term.license))
    ]
    conditions = _conditions(question, units, select)
    words = _Words.of(conditions)

    actions_in: set[str] = set()
    actions_out: set[str] = set()
    purposes_in: set[str] = set()
    purposes_out: set[str] = set()
    flags: dict[str, list[bool]] = {}
    numbers: dict[str, list[float]] = {}
    assumptions: dict[str, list[bool]] = {}
    release: str | None = None
    declared = False
    for fact in conflict.fact_refs:
        match fact.kind:
            case "action":
                (actions_in if fact.value is True else actions_out).add(fact.name)
            case "purpose":
                (purposes_in if fact.value is True else purposes_out).add(fact.name)
            case "flag":
                flags[fact.name] = [bool(fact.value)]
            case "number":
                assert not isinstance(fact.value, str)
                numbers[fact.name] = [float(fact.value)]
            case "assumption":
                assumptions[fact.name] = [fact.value == "yes"]
            case "release":
                release = str(fact.value)
            case "declared-license":
                declared = True
            case _:
                assert_never(fact.kind)
    for text in conflict.assumptions:
        known = _known(question, text)
        if known.purpose:
            (purposes_in if known.truth else purposes_out).add(known.name)
        elif known.region is not None:
            numbers[known.name] = _points(words.thresholds.get(known.name, ()), known.region)
        elif question.vocabulary.has("assumption", known.name):
            assumptions[known.name] = [bool(known.truth)]
        else:
            flags[known.name] = [bool(known.truth)]
    for name in words.flags - flags.keys():
        flags[name] = [True, False]
    for name in words.assumptions - assumptions.keys():
        assumptions[name] = [True, False]
    for name in words.thresholds.keys() - numbers.keys():
        numbers[name] = _points(words.thresholds[name])

    # actions: the free ones the clauses mention take both values; any other
    # free one can make the use do something, as every use does
    free_actions = sorted(words.actions - actions_in - actions_out)
    spare = bool(set(question.vocabulary.names("action")) - words.actions - actions_in - actions_out)
    action_sets = [frozenset(actions_in) | chosen for chosen in _subsets(free_actions) if actions_in or chosen or spare]
    # purposes: one of each group of free purposes that every test treats alike
    groups: dict[frozenset[frozenset[str]], str] = {}
    for purpose in sorted(set().union(*words.purpose_sets) - purposes_in - purposes_out):
        groups.setdefault(frozenset(s for s in words.purpose_sets if purpose in s), purpose)
    purpose_sets = [frozenset(purposes_in) | chosen for chosen in _subsets(list(groups.values()))]

    axes = _Axes(action_sets, purpose_sets, flags, numbers, assumptions)
    releases = [release] if release is not None else question.release_classes(conditions, units, declared)
    cited_components = {name for _, _, name in cited}
    choosers = [name for name in question.choosers if name in cited_components or (declared and name == question.target)]
    plans = question.plans(choosers)
    for facts in axes.facts():
        if _search((_World(question, facts, lic, select) for lic in releases), plans, declared) == "sat":
            return False
    return True


def obligation_entailed(scenario: Scenario, library: Library, verdict: Verdict, obligation: Obligation, today: date | None = None) -> bool:
    """Whether the obligation binds in every way the family ids can turn out
    that its `when` allows (see `_obligation_entailed`)."""
    for labels, variant in _family_worlds(scenario, library):
        when = [_other_conditions(term) for term in obligation.when_any if _fits(labels, term)]
        if obligation.when_any and not when:
            continue  # its `when` rules this member out
        if not _obligation_entailed(variant, library, verdict, obligation.model_copy(update={"when_any": when}), today):
            return False
    return True


def _obligation_entailed(scenario: Scenario, library: Library, verdict: Verdict, obligation: Obligation, today: date | None) -> bool:
    """Whether the obligation's clause binds its component in every compliant
    world that follows the verdict's plan (its release license and choices),
    under every value of what is unknown (those its `when` names, if any).

    Where no compliant world follows the plan, every compliant world counts
    (the plan was made for another case of what is unknown)."""
    whole = _Whole.of(_Question(scenario, library, today))
    question, axes, declared, plans = whole.question, whole.axes, whole.declared, whole.plans
    releases = list(whole.releases)
    if verdict.release_license is not None and verdict.release_license not in releases:
        releases.append(verdict.release_license)
    chosen = {choice.component: choice.chosen for choice in verdict.choices}
    alternatives = [[_known(question, text) for text in term] for term in obligation.when_any]

    def follows(world: _World, choices: Mapping[str, int]) -> bool:
        if verdict.release_license is not None and world.release != verdict.release_license:
            return False
        for name, text in chosen.items():
            component = question.components[name]
            if _option_text(component.options[choices.get(name, 0)]) != text:
                return False
        return True

    def binds(world: _World, choices: Mapping[str, int]) -> bool:
        world.follow(choices)
        units = world.active(choices)
        carried = world.carried(units)
        for unit in units:
            component, term = unit
            if component.name != obligation.component or term.license != obligation.license:
                continue
            for clause in world.clauses(unit):
                if clause.name == obligation.clause and world.applies(clause, unit, carried):
                    return True
        return False

    for facts in axes.facts():
        if alternatives and not any(all(_matches(known, facts) for known in term) for term in alternatives):
            continue
        compliant: list[tuple[_World, Mapping[str, int]]] = []
        for lic in releases:
            world = _World(question, facts, lic)
            compliant += [(world, choices) for choices in plans if world.outcome(choices, declared) == (False, False)]
        if not compliant:
            return False  # no compliant world: the verdict cannot have been `allowed`
        following = [(world, choices) for world, choices in compliant if follows(world, choices)]
        if not all(binds(world, choices) for world, choices in following or compliant):
            return False
    return True


def _matches(known: _Known, facts: _Facts) -> bool:
    if known.purpose:
        return (known.name in facts.purposes) == known.truth
    if known.region is not None:
        return known.name not in facts.numbers or facts.numbers[known.name] in known.region
    value = facts.assumptions.get(known.name, facts.flags.get(known.name))
    return value is None or value == known.truth
