"""Stage 6: explain — solver results → the `Verdict` model, and plain-language text.

Every conflict names its clauses (license, clause, section, short quote, rule
file:line:col), the component each reached and the path from the target to
it, and the stated facts and assumption values it rests on.
"""

from __future__ import annotations

import z3

from .compiler import EnvVar, Fact, Instance, Problem
from .library import Library
from .scenario import COMMERCIAL_FLAG, NumberRegion
from .show import clause_text
from .solver import Decision
from .verdict import (
    AssumptionUsed,
    Case,
    ClauseRef,
    Conflict,
    DependsOn,
    Fix,
    Obligation,
    Verdict,
    WaiverApplied,
)
from .verdict import Choice as ChoiceModel

def clause_ref(instance: Instance, library: Library) -> ClauseRef:
    first = instance.placements[0]
    clause = instance.clause
    declared = first.term.declared if first.term.declared != first.term.license else None
    if instance.via_exception:
        declared = f"{first.term.declared} WITH {instance.via_exception}"
    return ClauseRef(
        license=instance.license,
        clause=clause.name,
        section=clause.section,
        quote=clause.quote,
        effect=clause.effect,
        text=clause_text(clause),
        component=first.component,
        role=first.reach.role,
        role_text=library.vocabulary.describe("role", first.reach.role),
        path=list(first.reach.path),
        via=list(first.reach.via),
        source=str(clause.span),
        also_components=[p.component for p in instance.placements[1:]],
        declared_license=declared,
    )


def _fact_text(fact: Fact) -> str:
    if isinstance(fact.value, bool):
        return fact.name if fact.value else f"{fact.name} = false"
    if isinstance(fact.value, float):
        value = f"{fact.value:,.0f}" if fact.value == int(fact.value) else str(fact.value)
        return f"{fact.name} = {value}"
    return f"{fact.name} = {fact.value}"


def _conflict(problem: Problem, core: list[z3.BoolRef]) -> Conflict:
    clauses, facts, assumptions = [], [], []
    sources: dict[str, str] = {}
    source = problem.resolved.source
    for literal in core:
        item = problem.by_literal.get(str(literal))
        if isinstance(item, Instance):
            clauses.append(clause_ref(item, problem.resolved.library))
        elif isinstance(item, Fact):
            text = _fact_text(item)
            facts.append(text)
            location = source.locate(*item.path)
            if location:
                sources[text] = location
        elif isinstance(item, tuple):
            var, label = item
            assumptions.append(var.condition(label))
    return Conflict(clauses=clauses, facts=facts, assumptions=assumptions, fact_sources=sources)


def _merge(conflicts: list[Conflict]) -> list[Conflict]:
    """One conflict per set of clauses, facts and assumptions: the same clause
    reaching several components (in different roles) is one finding."""
    merged: dict[tuple, Conflict] = {}
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
    return list(merged.values())


def _depends(depends: list[tuple[EnvVar, dict[str, str]]]) -> list[DependsOn]:
    out = []
    for var, by_value in depends:
        if var.kind == "number" and var.regions:
            out.append(DependsOn(assumption=var.name, cases=_ranges(var.regions, [by_value[label] for label, _ in var.values])))
        else:
            out.append(DependsOn(assumption=var.name, yes=by_value.get("yes"), no=by_value.get("no")))  # type: ignore[arg-type]
    return out


def _ranges(regions: list[NumberRegion], verdicts: list[str]) -> list[Case]:
    """Neighbouring regions with the same verdict, joined into one case."""
    joined: list[tuple[NumberRegion, str]] = []
    for region, verdict in zip(regions, verdicts):
        if joined and joined[-1][1] == verdict:
            joined[-1] = (joined[-1][0].joined(region), verdict)
        else:
            joined.append((region, verdict))
    return [Case(when=region.describe(), verdict=verdict) for region, verdict in joined]  # type: ignore[arg-type]


def _assumptions(problem: Problem) -> list[AssumptionUsed]:
    vocabulary = problem.resolved.library.vocabulary
    facts = problem.resolved.facts
    used = []
    unknown = {var.name: var for var in problem.env}
    for name, value in facts.assumptions.items():
        if value != "unknown" or name in unknown:
            used.append(
                AssumptionUsed(name=name, kind="assumption", value=value, stated=value != "unknown", description=vocabulary.describe("assumption", name))
            )
    for var in problem.env:
        if var.kind != "assumption":
            description = vocabulary.describe(var.kind, var.name)
            used.append(AssumptionUsed(name=var.name, kind=var.kind, value="unknown", stated=False, description=description))  # type: ignore[arg-type]
    return used


def build_verdict(problem: Problem, decision: Decision, scenario_name: str | None = None) -> Verdict:
    vocabulary = problem.resolved.library.vocabulary
    obligations = []
    seen = set()
    for instance, duty, when in decision.obligations:
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
                    when=when,
                )
            )
    choices = []
    for name, k in decision.choices:
        component = problem.resolved.components[name]
        option = component.options[k]
        chosen = " AND ".join(str(t) for t in option)
        expression = component.expression.text if component.expression else ""
        choices.append(ChoiceModel(component=name, expression=expression, chosen=chosen))
    notes = list(decision.notes)
    if any(result.status == "undecided" for result in decision.results):
        for instance in problem.undecided:
            for placement in instance.placements:
                notes.append(
                    f"the terms of '{placement.component}' are not known ({instance.license}): nothing that depends on them can be called allowed"
                )
    for component in problem.resolved.components.values():
        if component.reaches and not component.declared and component.name != problem.resolved.target:
            fallback = problem.resolved.library.fallback
            notes.append(f"'{component.name}' declares no license; it was treated as {fallback}")
    waivers = []
    for resolved in problem.resolved.waivers:
        waiver = resolved.waiver
        expires = waiver.expires.isoformat() if waiver.expires else None
        waivers.append(
            WaiverApplied(
                component=waiver.component,
                license=resolved.license,
                clause=waiver.clause,
                by=waiver.by,
                reason=waiver.reason,
                expires=expires,
                status="in effect" if resolved.active else "expired",
            )
        )
        if not resolved.active:
            notes.append(f"the waiver for '{waiver.component}' accepted by {waiver.by} expired on {expires}; it no longer applies")
    return Verdict(
        verdict=decision.verdict,  # type: ignore[arg-type]
        target=problem.resolved.target,
        conflicts=_merge([_conflict(problem, core) for core in decision.conflicts]),
        obligations=obligations,
        depends_on=_depends(decision.depends),
        fixes=[Fix(change=change, then=then) for change, then in decision.fixes],  # type: ignore[arg-type]
        release_license=decision.release,
        release_options=decision.release_options,
        choices=choices,
        assumptions=_assumptions(problem),
        notes=notes,
        waivers=waivers,
        scenario=scenario_name,
    )


# ---------------------------------------------------------------- plain text

HEADLINES = {
    "allowed": "ALLOWED: a compliant way exists whatever the open questions are.",
    "forbidden": "FORBIDDEN: no compliant way exists.",
    "depends": "DEPENDS: the answer turns on an open question of law or fact.",
    "unknown": "UNKNOWN: licet cannot give an answer it can stand behind.",
}


def path_text(path: list[str], via: list[str]) -> str:
    parts = [path[0]]
    for name, relation in zip(path[1:], via):
        parts.append(f"{name} ({relation})")
    return " → ".join(parts)


def _fact_words(fact: str) -> str:
    if fact.startswith("use.actions."):
        return f"you {fact.rsplit('.', 1)[1]} the target"
    if fact == COMMERCIAL_FLAG:
        return "the use is commercial"
    if fact.startswith("use.purposes."):
        return f"the use is for {fact.rsplit('.', 1)[1]}"
    if fact.startswith("assume."):
        return "you assume " + fact.split(".", 1)[1]
    if fact.startswith("components.") and ".license = " in fact:
        name, value = fact[len("components.") :].split(".license = ", 1)
        return f"'{name}' is declared as {value}"
    if fact.startswith("use.release-license = "):
        return "you release under " + fact.split(" = ", 1)[1]
    return fact


def _clause_lines(ref: ClauseRef) -> list[str]:
    license_text = ref.license if not ref.declared_license else f"{ref.license} (from {ref.declared_license})"
    lines = [f"  - {license_text} § {ref.section} ({ref.clause})"]
    if ref.quote:
        lines.append(f'      "{ref.quote}"')
    if ref.text:
        lines.append(f"      {ref.text}")
    how = ref.role_text or ref.role
    where = f"      reaches '{ref.component}' ({how}): {path_text(ref.path, ref.via)}"
    if ref.also_components:
        more = ref.also_components
        shown = ", ".join(more[:3]) + (f" and {len(more) - 3} more" if len(more) > 3 else "")
        where += f" (also: {shown})"
    lines.append(where)
    lines.append(f"      rule: {ref.source}")
    return lines


def render_text(verdict: Verdict) -> str:
    out = []
    title = f"{verdict.scenario}: " if verdict.scenario else ""
    out.append(f"{title}{HEADLINES[verdict.verdict]}")
    out.append(f"target: {verdict.target}")
    for index, conflict in enumerate(verdict.conflicts, 1):
        out.append("")
        out.append(f"Conflict {index}:")
        for ref in conflict.clauses:
            out.extend(_clause_lines(ref))
        for fact in conflict.facts:
            where = conflict.fact_sources.get(fact)
            out.append(f"  - fact: {_fact_words(fact)}" + (f"  [{where}]" if where else ""))
        for assumption in conflict.assumptions:
            out.append(f"  - if {assumption}")
    if verdict.depends_on:
        out.append("")
        out.append("It depends on:")
        for item in verdict.depends_on:
            out.append(f"  - {item.assumption}: {item.outcomes}")
    if verdict.release_license or verdict.choices:
        out.append("")
        if verdict.release_license:
            others = [o for o in verdict.release_options if o != verdict.release_license]
            line = f"Release under: {verdict.release_license}"
            if others:
                line += " (also possible: " + ", ".join(others) + ")"
            out.append(line)
        for choice in verdict.choices:
            out.append(f"Choose for '{choice.component}' ({choice.expression}): {choice.chosen}")
    if verdict.obligations:
        out.append("")
        out.append("Obligations:")
        grouped: dict[tuple, list[str]] = {}
        for ob in verdict.obligations:
            key = (ob.license, ob.section, ob.duty, ob.description, tuple(ob.when))
            grouped.setdefault(key, []).append(ob.component)
        for (license_id, section, duty, description, when), components in grouped.items():
            condition = f" (if {', '.join(when)})" if when else ""
            names = ", ".join(components[:6]) + (f" and {len(components) - 6} more" if len(components) > 6 else "")
            out.append(f"  - {license_id} § {section}: {description} [{duty}], for {names}{condition}")
    if verdict.fixes:
        out.append("")
        out.append("Ways out:")
        for fix in verdict.fixes:
            out.append(f"  - {fix.change} → {fix.then}")
    if verdict.assumptions:
        out.append("")
        out.append("Open questions and assumptions:")
        for used in verdict.assumptions:
            if used.stated:
                origin = "stated"
            elif used.kind == "number":
                origin = "not stated, every range checked"
            else:
                origin = "not stated, both answers checked"
            out.append(f"  - {used.name} = {used.value} ({origin}): {used.description}")
    if any(w.status == "in effect" for w in verdict.waivers):
        out.append("")
        out.append("Waived (accepted findings, not checked):")
        for waiver in verdict.waivers:
            if waiver.status != "in effect":
                continue
            until = f", until {waiver.expires}" if waiver.expires else ""
            out.append(f"  - '{waiver.component}': {waiver.scope}, accepted by {waiver.by}{until}: {waiver.reason}")
    for note in verdict.notes:
        out.append(f"note: {note}")
    return "\n".join(out)
