"""Stage 6: explain — solver results → the `Verdict` model.

Every conflict names its clauses (license, clause, section, short quote, rule
file:line:col), the component each reached and the path from the target to
it, and the stated facts and assumption values it rests on. Structured values
stay structured; the English comes from `wording`. Rendering the verdict for
people is the renderers' job (`licensing.render`).
"""

from __future__ import annotations

import z3

from . import nodes as n
from .compiler import EnvValue, EnvVar, Fact, Instance, Problem
from .environment import NumberRegion, VerdictName
from .location import span_location
from .solver import Decision, Remedy
from .verdict import (
    AssumptionUsed,
    Case,
    Choice,
    ClauseRef,
    Conflict,
    DependsOn,
    FactRef,
    Fix,
    LicenseCited,
    Obligation,
    Presumption,
    Verdict,
    WaiverApplied,
)
from .wording import alternatives_text, clause_text, fact_key, fact_text, fix_text


def clause_ref(instance: Instance, problem: Problem) -> ClauseRef:
    vocabulary = problem.resolved.library.vocabulary
    first = instance.placements[0]
    clause = instance.clause
    declared = first.term.passed_on
    if instance.via_exception:
        declared = f"{first.term.declared} WITH {instance.via_exception}"
    return ClauseRef(
        license=instance.license,
        clause=clause.name,
        section=clause.section,
        quote=clause.quote,
        effect=clause.effect.kind,
        text=clause_text(clause, vocabulary),
        component=first.component,
        role=first.reach.role,
        role_text=vocabulary.describe("role", first.reach.role),
        path=list(first.reach.path),
        via=list(first.reach.via),
        source=str(clause.span),
        location=span_location(clause.span),
        also_components=[p.component for p in instance.placements[1:]],
        declared_license=declared,
    )


def fact_ref(fact: Fact, problem: Problem) -> FactRef:
    vocabulary = problem.resolved.library.vocabulary
    text = fact_text(fact.kind, fact.name, fact.value, vocabulary)
    presumption = vocabulary.presumptions.get(fact.name) if fact.presumed else None
    return FactRef(
        kind=fact.kind,
        name=fact.name,
        value=fact.value,
        key=fact_key(fact.kind, fact.name, fact.value),
        text=f"{text} (presumed: {presumption.text})" if presumption is not None else text,
        source=span_location(presumption.span) if presumption is not None else problem.resolved.source.locate(*fact.path),
        presumed=fact.presumed,
    )


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _in_question(problem: Problem, release: str | None) -> list[Instance]:
    """The clause instances of the question's own licenses: a component's, or
    the release license's; not those of the other licenses the work could
    have been released under (they are tried, but the answer is not theirs)."""
    resolved = problem.resolved
    licenses = {term.license for component in resolved.components.values() for term in component.terms} | {release}
    return [i for i in [*problem.instances, *problem.undecided, *problem.duties] if i.license in licenses]


def _read_by(problem: Problem, instances: list[Instance]) -> set[tuple[str, str]]:
    """(kind, name) of every flag, number, purpose and assumption these
    instances read, in their own clause or in a relaxation by their exception."""
    read: set[tuple[str, str]] = set()
    for instance in instances:
        clauses = [instance.clause]
        if instance.via_exception is not None:
            clauses += list(problem.resolved.library.exceptions[instance.via_exception].clauses)
        for clause in clauses:
            for node in n.walk(clause):
                match node:
                    case n.Flag(name=name):
                        read.add(("flag", name))
                    case n.Compare(number=name):
                        read.add(("number", name))
                    case n.Assumed(name=name):
                        read.add(("assumption", name))
                    case n.PurposeOnlyIn(values=values, others=others):
                        read.update(("purpose", v) for v in (*values, *others))
                    case n.PurposeIn(values=values):
                        read.update(("purpose", v) for v in values)
                    case _:
                        pass
    return read


def _presumptions(problem: Problem, release: str | None) -> list[Presumption]:
    """The presumed facts a clause of the question's licenses reads."""
    resolved = problem.resolved
    vocabulary = resolved.library.vocabulary
    if not resolved.facts.presumed:
        return []
    read = {name for kind, name in _read_by(problem, _in_question(problem, release)) if kind == "flag"}
    out = []
    for fact in sorted(read & resolved.facts.presumed):
        presumption = vocabulary.presumptions[fact]
        override = f"state `{fact}: {_yes_no(not presumption.value)}` under use.facts"
        out.append(
            Presumption(
                fact=fact,
                value=presumption.value,
                text=f"assumed: {presumption.text} — {override} if that is not so",
                why=presumption.text,
                how_to_override=override,
                source=span_location(presumption.span),
            )
        )
    return out


def _conflict(problem: Problem, core: list[z3.BoolRef]) -> Conflict:
    clauses: list[ClauseRef] = []
    facts: list[FactRef] = []
    assumptions: list[str] = []
    for literal in core:
        item = problem.item(literal)
        if isinstance(item, Instance):
            clauses.append(clause_ref(item, problem))
        elif isinstance(item, Fact):
            facts.append(fact_ref(item, problem))
        elif isinstance(item, EnvValue):
            assumptions.append(item.var.condition(item.label))
    return Conflict(
        clauses=clauses,
        facts=[f.key for f in facts],
        assumptions=assumptions,
        fact_sources={f.key: str(f.source) for f in facts if f.source is not None},
        fact_refs=facts,
    )


def _merge(conflicts: list[Conflict]) -> list[Conflict]:
    """One conflict per set of clauses, facts and assumptions: the same clause
    reaching several components (in different roles) is one finding."""
    merged: dict[tuple[object, ...], Conflict] = {}
    for conflict in conflicts:
        key = (
            tuple(sorted((c.license, c.clause) for c in conflict.clauses)),
            tuple(sorted(conflict.facts)),
            tuple(sorted(conflict.assumptions)),
        )
        existing = merged.get(key)
        if existing is None:
            merged[key] = conflict
            continue
        clauses = []
        for mine in existing.clauses:
            extra = [
                name
                for other in conflict.clauses
                if (other.license, other.clause) == (mine.license, mine.clause)
                for name in [other.component, *other.also_components]
                if name != mine.component and name not in mine.also_components
            ]
            clauses.append(mine.model_copy(update={"also_components": mine.also_components + extra}))
        merged[key] = existing.model_copy(update={"clauses": clauses})
    # The same clauses colliding with no open question settled say all that
    # their collision under some answer to an open question would add.
    unconditional = {tuple(sorted((c.license, c.clause) for c in conflict.clauses)) for conflict in merged.values() if not conflict.assumptions}
    return [
        conflict
        for conflict in merged.values()
        if not conflict.assumptions or tuple(sorted((c.license, c.clause) for c in conflict.clauses)) not in unconditional
    ]


def _asked_by(problem: Problem, var: EnvVar) -> list[str]:
    if var.kind == "license":
        return []  # the question names the family; its outcomes, the members
    clauses = {
        f"{instance.license} § {instance.clause.section} ({instance.clause.name})": None
        for instance in [*problem.instances, *problem.undecided, *problem.duties]
        if var.tested_by(instance.clause)
    }
    return list(clauses)


def _which_license(problem: Problem, var: EnvVar) -> str:
    """`which license of the BSD license family 'x' is under`."""
    assert var.family is not None
    family = problem.resolved.library.licenses[var.family]
    return f"which license of the {family.title} '{var.component}' is under"


def _question(problem: Problem, var: EnvVar) -> str:
    if var.kind == "license":
        return _which_license(problem, var) + "?"
    description = problem.resolved.library.vocabulary.describe(var.kind, var.name)
    if var.kind == "purpose":
        return f"is the use for {var.name} ({description})?"
    return description


def _depends(problem: Problem, depends: list[tuple[EnvVar, dict[str, VerdictName]]]) -> list[DependsOn]:
    out = []
    for var, by_value in depends:
        question, asked_by = _question(problem, var), _asked_by(problem, var)
        if var.kind == "number" and var.regions:
            cases = _ranges(var.regions, [by_value[label] for label, _ in var.values])
            out.append(DependsOn(assumption=var.name, kind=var.kind, question=question, asked_by=asked_by, cases=cases, outcomes=cases))
        else:
            outcomes = [Case(when=label, verdict=verdict) for label, verdict in by_value.items()]
            out.append(
                DependsOn(
                    assumption=var.name,
                    kind=var.kind,
                    question=question,
                    asked_by=asked_by,
                    yes=by_value.get("yes"),
                    no=by_value.get("no"),
                    outcomes=outcomes,
                )
            )
    return out


def _ranges(regions: list[NumberRegion], verdicts: list[VerdictName]) -> list[Case]:
    """Neighbouring regions with the same verdict, joined into one case."""
    joined: list[tuple[NumberRegion, VerdictName]] = []
    for region, verdict in zip(regions, verdicts, strict=True):
        if joined and joined[-1][1] == verdict:
            joined[-1] = (joined[-1][0].joined(region), verdict)
        else:
            joined.append((region, verdict))
    return [Case(when=region.describe(), verdict=verdict) for region, verdict in joined]


def _assumptions(problem: Problem, release: str | None) -> list[AssumptionUsed]:
    """Stated assumptions, and the facts left open that a clause of the
    question's licenses reads (every value of each was checked)."""
    vocabulary = problem.resolved.library.vocabulary
    facts = problem.resolved.facts
    read = _read_by(problem, _in_question(problem, release))
    used = []
    unknown = {var.name: var for var in problem.env}
    for name, value in facts.assumptions.items():
        if value != "unknown" or name in unknown:
            used.append(
                AssumptionUsed(name=name, kind="assumption", value=value, stated=value != "unknown", description=vocabulary.describe("assumption", name))
            )
    for var in problem.env:
        if var.kind == "license":
            used.append(AssumptionUsed(name=var.name, kind=var.kind, value="unknown", stated=False, description=_which_license(problem, var)))
        elif var.kind != "assumption" and (var.kind, var.name) in read:
            used.append(AssumptionUsed(name=var.name, kind=var.kind, value="unknown", stated=False, description=vocabulary.describe(var.kind, var.name)))
    return used


def _fix(problem: Problem, remedy: Remedy, then: VerdictName) -> Fix:
    fact = fact_ref(remedy.fact, problem) if remedy.fact is not None else None
    return Fix(
        change=fix_text(remedy.kind, components=remedy.components, license=remedy.license, fact=fact, section=remedy.section, words=remedy.words),
        then=then,
        kind=remedy.kind,
        components=list(remedy.components),
        license=remedy.license,
        fact=fact,
        section=remedy.section,
        words=remedy.words,
    )


def _obligations(problem: Problem, decision: Decision) -> list[Obligation]:
    vocabulary = problem.resolved.library.vocabulary
    obligations = []
    seen = set()
    for instance, duty, when in decision.obligations:
        effect = instance.clause.effect
        words = effect.words_for(duty) if isinstance(effect, n.RequireDuties) else None
        for placement in instance.placements:
            key = (duty, instance.license, placement.component, instance.clause.section)
            if key in seen:
                continue
            seen.add(key)
            obligations.append(
                Obligation(
                    duty=duty,
                    description=vocabulary.describe("duty", duty),
                    license=instance.license,
                    clause=instance.clause.name,
                    section=instance.clause.section,
                    component=placement.component,
                    path=list(placement.reach.path),
                    source=str(instance.clause.span),
                    location=span_location(instance.clause.span),
                    when=when[0] if len(when) == 1 else ([alternatives_text(when)] if when else []),
                    when_any=when,
                    words=words,
                )
            )
    return obligations


def _notes(problem: Problem, decision: Decision) -> list[str]:
    resolved = problem.resolved
    notes = list(decision.notes)
    if any(result.status == "undecided" for result in decision.results):
        for instance in problem.undecided:
            for placement in instance.placements:
                notes.append(
                    f"the terms of '{placement.component}' are not known ({instance.license}): nothing that depends on them can be called allowed"
                )
    for component in resolved.components.values():
        if component.reaches and component.own_work:
            relations = resolved.library.vocabulary.relations
            made_from = ", ".join(
                f"'{other}'"
                for relation, others in resolved.scenario.components[component.name].relations.items()
                if relation in relations and relations[relation].own_work
                for other in others
            )
            notes.append(
                f"'{component.name}' declares no license and is made from {made_from}: it was taken as your own work, "
                "which adds no terms of its own; only the terms of what it is made from reach it"
            )
        elif component.reaches and not component.declared and component.name != resolved.target:
            notes.append(f"'{component.name}' declares no license; it was treated as {resolved.library.fallback}")
    for waiver in resolved.waivers:
        if not waiver.active:
            expires = waiver.waiver.expires.isoformat() if waiver.waiver.expires else None
            notes.append(f"the waiver for '{waiver.waiver.component}' accepted by {waiver.waiver.by} expired on {expires}; it no longer applies")
    return notes


def _licenses_cited(problem: Problem, verdict: Verdict) -> list[LicenseCited]:
    """The licenses the answer cites, with their titles and the text their rules rest on."""
    library = problem.resolved.library
    cited = [ref.license for conflict in verdict.conflicts for ref in conflict.clauses]
    cited += [ob.license for ob in verdict.obligations] + [fix.license for fix in verdict.fixes if fix.license]
    out = []
    for license_id in dict.fromkeys(cited):
        found = library.licenses.get(license_id)
        if found is not None:
            out.append(LicenseCited(id=license_id, title=found.title, source=found.source))
    return out


def conflicts_verdict(problem: Problem, decision: Decision) -> Verdict:
    """The verdict with its conflicts and open questions only (what a matrix
    cell's reason reads), for a decision of `solver.decisions_per_release`."""
    return Verdict(
        verdict=decision.verdict,
        target=problem.resolved.target,
        conflicts=_merge([_conflict(problem, core) for core in decision.conflicts]),
        depends_on=_depends(problem, decision.depends),
        release_license=decision.release,
        rules_fingerprint=problem.resolved.library.fingerprint,
    )


def build_verdict(problem: Problem, decision: Decision, scenario_name: str | None = None) -> Verdict:
    """The verdict for a decided problem, every part of it explained."""
    resolved = problem.resolved
    choices = []
    for name, chosen in decision.choices:
        component = resolved.components[name]
        expression = component.expression.text if component.expression else ""
        choices.append(Choice(component=name, expression=expression, chosen=chosen))
    waivers = [
        WaiverApplied(
            component=w.waiver.component,
            license=w.license,
            clause=w.waiver.clause,
            by=w.waiver.by,
            reason=w.waiver.reason,
            expires=w.waiver.expires.isoformat() if w.waiver.expires else None,
            status="in effect" if w.active else "expired",
        )
        for w in resolved.waivers
    ]
    verdict = Verdict(
        verdict=decision.verdict,
        target=resolved.target,
        conflicts=_merge([_conflict(problem, core) for core in decision.conflicts]),
        obligations=_obligations(problem, decision),
        depends_on=_depends(problem, decision.depends),
        fixes=[_fix(problem, remedy, then) for remedy, then in decision.fixes],
        release_license=decision.release,
        release_options=decision.release_options,
        release_reason=decision.release_reason,
        choices=choices,
        assumptions=_assumptions(problem, decision.release),
        presumptions=_presumptions(problem, decision.release),
        notes=_notes(problem, decision),
        incomplete=decision.incomplete,
        waivers=waivers,
        scenario=scenario_name,
        rules_fingerprint=resolved.library.fingerprint,
    )
    return verdict.model_copy(update={"licenses": _licenses_cited(problem, verdict)})
