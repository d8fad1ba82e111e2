"""The library, described for people: license lists and clauses in plain words."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from . import nodes as n
from .cases import cases_file_for, count_cases
from .library import Library
from .scenario import COMMERCIAL_FLAG

ROLE_WORDS = {
    "self": "the work itself",
    "derivative": "a work derived from it",
    "trained-on": "a model trained on it",
    "outputs-of": "its outputs",
    "trained-on-outputs": "a model trained on its outputs",
    "bundled": "a work that includes it",
    "linked": "a program that imports or links it at run time",
}


class LicenseEntry(BaseModel):
    id: str
    title: str
    aliases: list[str]
    kinds: list[str]
    source: str
    clause_count: int
    offers: list[str]
    exception: bool
    pinning_cases: int


class ClauseDescription(BaseModel):
    name: str
    section: str
    quote: str | None
    effect: str
    text: str
    source: str


class LicenseDescription(LicenseEntry):
    summary: str
    clauses: list[ClauseDescription]
    file: str


def _rule_file(library: Library, lic: n.License) -> Path:
    shown = lic.span.file
    return library.root / shown.removeprefix("rules/") if shown.startswith("rules/") else Path(shown)


def _entry_fields(library: Library, lic: n.License) -> dict:
    return {
        "id": lic.id,
        "title": lic.title,
        "aliases": list(lic.aliases),
        "kinds": list(lic.covers),
        "source": lic.source,
        "clause_count": len(lic.clauses),
        "offers": list(lic.offers),
        "exception": lic.is_exception,
        "pinning_cases": count_cases(cases_file_for(_rule_file(library, lic))),
    }


def list_licenses(library: Library) -> list[LicenseEntry]:
    entries = []
    for lic in list(library.licenses.values()) + list(library.exceptions.values()):
        entries.append(LicenseEntry(**_entry_fields(library, lic)))
    return sorted(entries, key=lambda e: (e.exception, e.id.lower()))


def render_licenses(entries: list[LicenseEntry]) -> str:
    """A table: id, kinds, how the text was read (full, partial, secondary),
    pinning cases, title; aliases below."""
    width = max([len(e.id) for e in entries] + [2])
    head = f"{'ID':<{width}}  {'KINDS':<26} {'SOURCE':<9} {'CASES':>5}  TITLE"
    lines = [head]
    for e in entries:
        kinds = ",".join(e.kinds) or "-"
        extra = f" (choice of {', '.join(e.offers)})" if e.offers else ""
        extra += " [exception]" if e.exception else ""
        lines.append(f"{e.id:<{width}}  {kinds:<26} {e.source:<9} {e.pinning_cases:>5}  {e.title}{extra}")
        if e.aliases:
            lines.append(f"{'':<{width}}  {'':<26} {'':<9} {'':>5}  aliases: {', '.join(e.aliases)}")
    licenses = [e for e in entries if not e.exception]
    lines.append(
        f"{len(licenses)} licenses, {len(entries) - len(licenses)} exceptions; "
        f"{sum(e.clause_count for e in entries)} clauses; {sum(e.pinning_cases for e in entries)} pinning cases"
    )
    return "\n".join(lines)


def _list(words: list[str], joiner: str = "or") -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {joiner} " + words[-1]


def condition_text(cond: n.Condition) -> str:
    """A condition in plain words."""
    if isinstance(cond, n.Const):
        return "always" if cond.value else "never"
    if isinstance(cond, n.AllOf):
        return " and ".join(_grouped(c) for c in cond.items)
    if isinstance(cond, n.AnyOf):
        return " or ".join(_grouped(c) for c in cond.items)
    if isinstance(cond, n.Not):
        return f"not ({condition_text(cond.item)})"
    if isinstance(cond, n.Assumed):
        return f"it is assumed that {cond.name.replace('-', ' ')}"
    if isinstance(cond, n.Flag):
        if cond.name == COMMERCIAL_FLAG:
            return "the use is commercial"
        if "." in cond.name:
            # a yes/no fact (licensee.in-eu), written as the fact lines are
            return f"{cond.name} = yes"
        return f"you {cond.name}"
    if isinstance(cond, n.Compare):
        value = f"{cond.value:,.0f}" if cond.value == int(cond.value) else str(cond.value)
        return f"{cond.subject} {cond.op} {value}"
    if isinstance(cond, n.Member):
        values = list(cond.values)
        named = f" ({cond.set_name})" if cond.set_name else ""
        if cond.subject == "role":
            return "it reaches " + _list([ROLE_WORDS.get(v, v) for v in values])
        if cond.subject == "purpose":
            return "the purpose is " + _list(values) + named
        if cond.subject == "work.terms":
            return "the work carries " + _list(values) + " terms"
        if cond.subject == "release.license":
            return "the release license is " + _list(values) + named
        if cond.subject == "kind":
            return "it is " + _list(values)
        if cond.subject == "target.kind":
            return "the target is " + _list(values)
    return str(cond)


def _grouped(cond: n.Condition) -> str:
    text = condition_text(cond)
    return f"({text})" if isinstance(cond, (n.AnyOf, n.AllOf)) else text


# How each effect reads, before its `when` and `unless`.
EFFECT_TEMPLATES = {
    "forbid": "Forbids {actions}",
    "permit": "Permits {actions}",
    "require": "Requires: {words}",
    "require-that": "Requires that {requirement}",
    "impose": "Carries {words} terms into any work",
    "undecided": "Terms unknown: {actions} cannot be called allowed",
    "relax": "Lifts the clauses {words}",
}


def clause_text(clause: n.Clause) -> str:
    """A clause in plain words."""
    when = "" if isinstance(clause.when, n.Const) and clause.when.value else f" when {condition_text(clause.when)}"
    unless = "" if isinstance(clause.unless, n.Const) and not clause.unless.value else f", unless {condition_text(clause.unless)}"
    head = EFFECT_TEMPLATES[clause.effect].format(
        actions="any use" if n.ANY_ACTION in clause.actions else _list(list(clause.actions)),
        words=_list(list(clause.words), "and"),
        requirement=condition_text(clause.requirement) if clause.requirement is not None else "",
    )
    return f"{head}{when}{unless}."


def describe_license(library: Library, name: str) -> LicenseDescription:
    lic = library.get(name)
    return LicenseDescription(
        **_entry_fields(library, lic),
        summary=lic.summary,
        clauses=[
            ClauseDescription(
                name=c.name, section=c.section, quote=c.quote, effect=c.effect, text=clause_text(c), source=str(c.span)
            )
            for c in lic.clauses
        ],
        file=lic.span.file,
    )


def render_license(d: LicenseDescription) -> str:
    lines = [f"{d.id}: {d.title}"]
    if d.summary:
        lines.append(d.summary)
    if d.aliases:
        lines.append("aliases: " + ", ".join(d.aliases))
    lines.append(f"kinds: {', '.join(d.kinds) or '-'}; rules written from the {d.source} text; file {d.file}; {d.pinning_cases} pinning cases")
    if d.offers:
        lines.append("the licensee chooses one of: " + ", ".join(d.offers))
    for clause in d.clauses:
        lines.append("")
        lines.append(f"§ {clause.section} — {clause.name}")
        if clause.quote:
            lines.append(f'  "{clause.quote}"')
        lines.append(f"  {clause.text}")
    return "\n".join(lines)


def render_vocabulary(library: Library) -> str:
    vocabulary = library.vocabulary
    lines = []
    for category, words in vocabulary.words.items():
        lines.append(f"{category}:")
        for word in words.values():
            lines.append(f"  {word.name:<36} {word.description}")
    lines.append("relation:")
    for relation in vocabulary.relations.values():
        lines.append(f"  {relation.name:<36} {relation.description} (role: {relation.role})")
    return "\n".join(lines)
