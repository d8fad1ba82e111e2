"""Stage 3: resolution — a scenario checked against the library.

Every component's kind, relations and license expression, every action,
purpose, fact and assumption of the use is checked against the vocabulary and
the library (a mistake is a `ScenarioError` at the key that made it). License
expressions become options (`-or-later` offers expanded), the graph walk gives
each component its roles, and waivers are matched to what they accept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .. import nodes as n
from ..checker import Vocabulary
from ..errors import ScenarioError, UnknownLicenseError, did_you_mean
from ..expression import AllOf, AnyOf, Leaf
from ..expression import Tree as ExpressionTree
from ..library import Expression, Library
from .graph import Reach, find_cycle, walk
from .load import SourceMap, _source_map
from .model import COMMERCIAL_FLAG, COMPONENT_FIELDS, Component, Scenario, Waiver

UNKNOWN_WORD = "licet.scenario.unknown-word"


@dataclass(frozen=True)
class Term:
    """One license of an option, after `-or-later` offers are expanded."""

    license: str
    exception: str | None
    declared: str  # what the expression said, e.g. GPL-2.0-or-later

    def __str__(self) -> str:
        return self.license + (f" WITH {self.exception}" if self.exception else "")

    @property
    def passed_on(self) -> str | None:
        """The `offers` license this term was picked from, which the licensee
        may also pass on unchanged (an -or-later license stays -or-later)."""
        return self.declared if self.declared != self.license else None


@dataclass(frozen=True)
class AllTerms:
    """Every part applies (`A AND B`)."""

    parts: tuple[TermTree, ...]


@dataclass(frozen=True)
class AnyTerm:
    """The plan picks one part (`A OR B`, or the versions an -or-later license offers)."""

    parts: tuple[TermTree, ...]


@dataclass(frozen=True)
class WhichTerm:
    """A family id (a tag naming many licenses): the component is under one of the parts, and
    which one is not known. Not the plan's choice but a fact of the world:
    every part is checked, and an answer that turns on it names it."""

    family: str
    parts: tuple[TermTree, ...]


TermTree = Term | AllTerms | AnyTerm | WhichTerm


def tree_terms(tree: TermTree | None) -> tuple[Term, ...]:
    """Every term of a tree, in order, once each."""
    out: dict[Term, None] = {}
    stack: list[TermTree] = [tree] if tree is not None else []
    while stack:
        node = stack.pop()
        match node:
            case Term():
                out.setdefault(node, None)
            case AllTerms(parts=parts) | AnyTerm(parts=parts) | WhichTerm(parts=parts):
                stack.extend(reversed(parts))
    return tuple(out)


@dataclass(frozen=True)
class ResolvedComponent:
    name: str
    kind: str
    expression: Expression | None
    tree: TermTree | None  # the license expression with -or-later offers expanded; None: no license
    reaches: tuple[Reach, ...]
    declared: bool  # False when the license was left out (own work, or the fallback assumed)
    own_work: bool = False  # no license, made from others by an `own-work` relation: no terms of its own

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every license (with its exception) the component may be under."""
        return tree_terms(self.tree)

    @property
    def has_choice(self) -> bool:
        """Whether its licenses are not all fixed: the plan chooses among them
        (an OR or -or-later), or which one applies is not known (a family)."""
        return any(isinstance(node, (AnyTerm, WhichTerm)) for node in _nodes(self.tree))

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
    purposes: frozenset[str]  # stated, and every broader purpose they are within
    numbers: Mapping[str, float]
    flags: Mapping[str, bool]
    release: str | None
    assumptions: Mapping[str, str]
    # a purpose the use has because a stated one is within it → that stated one
    purpose_sources: Mapping[str, str] = field(default_factory=dict)
    # purposes the use may or may not have: narrower than or overlapping a
    # stated one, or qualifying when the use states none
    open_purposes: frozenset[str] = frozenset()
    # flags the use left unstated, whose value in `flags` is the vocabulary's presumption
    presumed: frozenset[str] = frozenset()


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
        less what an active waiver accepted."""
        clauses = self.library.licenses[license_id].clauses
        for resolved in self.waivers:
            waiver = resolved.waiver
            if not resolved.active or waiver.component != component:
                continue
            if resolved.license is not None and license_id not in self.library.covered_by(resolved.license):
                continue
            if waiver.clause is None:
                return ()
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
            for term in component.terms
            for name in (term.license, term.exception)
            if name is not None
            for word in self.library.words_tested(name)
        )


def resolve(scenario: Scenario, library: Library, source: SourceMap | None = None, today: dt.date | None = None) -> ResolvedScenario:
    """Check every word and id of the scenario against the library and walk the graph.

    `today` decides which waivers have expired (default: the current date).
    """
    source = _source_map(source)
    if isinstance(today, dt.datetime):
        today = today.date()
    elif today is not None and not isinstance(today, dt.date):
        raise ScenarioError(f"'today' is a date, not {type(today).__name__}", code="licet.scenario.invalid", hint="pass a datetime.date, or leave it out")
    vocabulary = library.vocabulary
    names = list(scenario.components)
    use = scenario.use
    if use.target not in scenario.components:
        raise source.error(
            f"use.target '{use.target}' is not a component",
            ("use", "target"),
            hint=did_you_mean(use.target, names) or "name one of: " + ", ".join(names),
            code="licet.scenario.unknown-component",
        )

    for name, component in scenario.components.items():
        if not vocabulary.has("kind", component.kind):
            raise source.error(
                f"component '{name}': unknown kind '{component.kind}'",
                ("components", name, "kind"),
                hint=did_you_mean(component.kind, vocabulary.names("kind")) or "kinds: " + ", ".join(vocabulary.names("kind")),
                code=UNKNOWN_WORD,
            )
        for relation, targets in component.relations.items():
            if relation not in vocabulary.relations:
                raise source.error(
                    f"component '{name}': unknown key or relation '{relation}'",
                    ("components", name, relation),
                    hint=did_you_mean(relation, list(vocabulary.relations) + sorted(COMPONENT_FIELDS))
                    or "relations: " + ", ".join(vocabulary.relations),
                    code="licet.scenario.unknown-key",
                )
            for index, other in enumerate(targets):
                if other not in scenario.components:
                    raise source.error(
                        f"component '{name}': '{relation}' names '{other}', which is not a component",
                        ("components", name, relation, str(index)),
                        hint=did_you_mean(other, names) or "add it under 'components'",
                        code="licet.scenario.unknown-component",
                    )
                if other == name:
                    raise source.error(f"component '{name}' is related to itself", ("components", name, relation), code="licet.scenario.cycle")
    cycle = find_cycle(scenario)
    if cycle is not None:
        raise source.error(
            "components relate to each other in a cycle: " + " → ".join(cycle),
            ("components", cycle[-2]),
            hint="a component cannot be derived from, trained on or include itself, even indirectly",
            code="licet.scenario.cycle",
        )

    facts = _facts(scenario, library, source)
    reaches = walk(scenario, vocabulary, use.target)
    components = {}
    for name, component in scenario.components.items():
        expression, tree, declared = _options(library, name, component, source, is_target=name == use.target)
        own_work = not declared and name != use.target and is_own_work(vocabulary, component)
        components[name] = ResolvedComponent(name, component.kind, expression, tree, tuple(reaches.get(name, ())), declared, own_work)
    waivers = _waivers(scenario, library, components, source, today or dt.date.today())
    return ResolvedScenario(scenario, library, source, use.target, components, facts, waivers)


def _facts(scenario: Scenario, library: Library, source: SourceMap) -> Facts:
    vocabulary = library.vocabulary
    use = scenario.use
    for index, action in enumerate(use.actions):
        if not vocabulary.has("action", action):
            raise source.error(
                f"unknown action '{action}'",
                ("use", "actions", str(index)),
                hint=did_you_mean(action, vocabulary.names("action")) or "actions: " + ", ".join(vocabulary.names("action")),
                code=UNKNOWN_WORD,
            )
    for index, purpose in enumerate(use.purposes):
        if not vocabulary.has("purpose", purpose):
            raise source.error(
                f"unknown purpose '{purpose}'",
                ("use", "purposes", str(index)),
                hint=did_you_mean(purpose, vocabulary.names("purpose")) or "run `licet vocabulary` to list purposes",
                code=UNKNOWN_WORD,
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
                code=UNKNOWN_WORD if key not in known else "licet.scenario.invalid",
            )
    commercial = use.commercial
    if commercial is not None and vocabulary.has("flag", COMMERCIAL_FLAG):
        flags[COMMERCIAL_FLAG] = commercial
    presumed = frozenset(fact for fact in vocabulary.presumptions if fact not in flags)
    flags.update({fact: vocabulary.presumptions[fact].value for fact in presumed})
    for key in scenario.assume:
        if not vocabulary.has("assumption", key):
            raise source.error(
                f"unknown assumption '{key}'",
                ("assume", key),
                hint=did_you_mean(key, vocabulary.names("assumption")) or "assumptions: " + ", ".join(vocabulary.names("assumption")),
                code=UNKNOWN_WORD,
            )
    assumptions = {name: scenario.assume.get(name, "unknown") for name in vocabulary.names("assumption")}
    release = _release_id(library, use.release_license, source) if use.release_license is not None else None
    purposes, sources, open_purposes = purpose_closure(vocabulary, use.purposes)
    return Facts(
        actions=frozenset(use.actions),
        commercial=commercial,
        purposes=purposes,
        purpose_sources=sources,
        open_purposes=open_purposes,
        numbers=numbers,
        flags=flags,
        release=release,
        assumptions=assumptions,
        presumed=presumed,
    )


def purpose_closure(vocabulary: Vocabulary, stated: Sequence[str]) -> tuple[frozenset[str], dict[str, str], frozenset[str]]:
    """The purposes a use has, and those it may or may not have.

    A stated purpose brings every purpose it is `within`. A purpose narrower
    than a stated one (one way of having it) or overlapping one is open: a
    use for `healthcare` may be medical advice; a use for `medical-advice` may
    be the unlicensed practice of a profession. When the use states no
    purposes, the `qualifying` ones (research) are open too: a research
    license's answer then depends on whether the use is research."""
    has: dict[str, str] = {}
    for purpose in stated:
        has.setdefault(purpose, purpose)
        for broader in sorted(vocabulary.broader(purpose)):
            has.setdefault(broader, purpose)
    maybe: set[str] = set()
    for purpose in stated:
        maybe |= vocabulary.narrower(purpose) | vocabulary.overlapping(purpose)
    if not stated:
        maybe |= {p for p in vocabulary.names("purpose") if vocabulary.qualifying(p)}
    sources = {purpose: origin for purpose, origin in has.items() if purpose != origin}
    return frozenset(has), sources, frozenset(maybe - set(has))


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
                code="licet.scenario.unknown-component",
            )
        licenses = [t.license for t in component.terms]
        # a family the expression names may be waived as a whole (every member)
        families = [leaf.license for leaf in component.expression.leaves if library.licenses[leaf.license].is_family] if component.expression else []
        license_id = None
        if waiver.license is not None:
            license_id = library.canonical_id(waiver.license)
            if license_id not in licenses and license_id not in families:
                raise source.error(
                    f"waiver for '{waiver.component}' names license '{waiver.license}', which the component does not carry",
                    (*where, "license"),
                    hint="its licenses: " + (", ".join(dict.fromkeys([*families, *licenses])) or "none"),
                )
        if waiver.clause is not None:
            named = sorted(library.covered_by(license_id) & set(licenses)) if license_id else licenses
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
        hint = err.hint
        if err.code == UnknownLicenseError.default_code:
            # a work is released under a license licet knows: `other` is no answer here
            hint = library.expressions.near(text.strip()) or "name the license you release under; `licet licenses` lists the ids licet knows"
        raise source.error(err.message, where, hint=hint, cls=UnknownLicenseError, code=err.code) from None
    single = expression.single
    if single is None or single.exception is not None:
        raise source.error(
            f"release-license must be one license id, not '{text}'",
            where,
            hint="name the one license you release under; leave it out to let licet find one",
        )
    license_id = single.license
    if license_id not in library.release_domain:
        raise source.error(f"a work cannot be released under '{license_id}'", where, hint="name the license you release under")
    return license_id


def _options(
    library: Library, name: str, component: Component, source: SourceMap, is_target: bool
) -> tuple[Expression | None, TermTree | None, bool]:
    text = component.license
    declared = text is not None
    if text is None:
        if is_target or library.fallback is None or is_own_work(library.vocabulary, component):
            return None, None, False
        text = library.fallback
    where = ("components", name, "license")
    try:
        expression = library.parse_expression(text)
        tree = expand_offers(library, expression.tree)
    except UnknownLicenseError as err:
        raise source.error(f"component '{name}': {err.message}", where, hint=err.hint, cls=UnknownLicenseError, code=err.code) from None
    return expression, tree, declared


def is_own_work(vocabulary: Vocabulary, component: Component) -> bool:
    """Whether a component is made by the licensee from others: it names a
    relation the vocabulary marks `own-work` (derived from, trained on, …).
    Declaring no license, such a component adds no terms of its own."""
    return any(targets and vocabulary.relations[relation].own_work for relation, targets in component.relations.items() if relation in vocabulary.relations)


def expand_offers(library: Library, tree: ExpressionTree) -> TermTree:
    """The expression's tree with its terms: an `-or-later` license becomes a
    choice among the versions it offers."""
    match tree:
        case Leaf(license=license_id, exception=exception) if license_id in library.licenses and library.licenses[license_id].is_family:
            members = library.licenses[license_id].members
            if exception is not None:
                raise UnknownLicenseError(
                    f"'{license_id}' names a family of licenses, and an exception fits a license, not a family",
                    code="licet.scenario.exception-mismatch",
                    hint=f"name which of {', '.join(members)} it is",
                )
            return WhichTerm(license_id, tuple(expand_offers(library, Leaf(member)) for member in members))
        case Leaf(license=license_id, exception=exception):
            if exception is not None and license_id not in library.licenses:
                raise UnknownLicenseError(
                    f"'{license_id}' is not a license and cannot carry an exception", code="licet.scenario.exception-mismatch"
                )
            offered = library.licenses[license_id].offers or (license_id,)
            if exception is not None:
                _check_exception_fits(library, license_id, exception, offered)
            terms = tuple(Term(choice, exception, license_id) for choice in offered)
            return terms[0] if len(terms) == 1 else AnyTerm(terms)
        case AllOf(parts=parts):
            return AllTerms(tuple(expand_offers(library, part) for part in parts))
        case AnyOf(parts=parts):
            return AnyTerm(tuple(expand_offers(library, part) for part in parts))


def _nodes(tree: TermTree | None) -> list[TermTree]:
    out: list[TermTree] = []
    stack: list[TermTree] = [tree] if tree is not None else []
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, (AllTerms, AnyTerm, WhichTerm)):
            stack.extend(reversed(node.parts))
    return out


def _check_exception_fits(library: Library, license_id: str, exception: str, offered: tuple[str, ...]) -> None:
    fits = library.exceptions[exception].applies_to
    hint = f"run `licet show {exception}` to see what it relaxes"
    if fits:
        if license_id not in fits and not set(offered) & set(fits):
            raise UnknownLicenseError(
                f"'{exception}' does not apply to '{license_id}': it is written for {', '.join(fits)}",
                code="licet.scenario.exception-mismatch",
                hint=hint,
            )
        return
    relaxed = {name for clause in library.exceptions[exception].clauses if isinstance(clause.effect, n.Relax) for name in clause.effect.clauses}
    if not any(library.licenses[choice].clause(name) for choice in offered for name in relaxed):
        raise UnknownLicenseError(
            f"'{exception}' does not apply to '{license_id}': it relaxes {', '.join(sorted(relaxed))}, which '{license_id}' does not have",
            code="licet.scenario.exception-mismatch",
            hint=hint,
        )

