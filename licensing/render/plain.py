"""What the pages for people share (`licet check`, the memo, the notice file):
a verdict's parts put into sentences a reader who never saw licet can follow.

Licenses are named by their titles (`Verdict.licenses`), open questions by
their descriptions (`Verdict.assumptions`, `Verdict.depends_on`), clauses by
their quoted words; solver terms (`x = yes`), duty ids and clause ids stay in
`--detail` and JSON. Nothing here decides anything: it only lays out the
verdict's fields.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..verdict import ClauseRef, Conflict, DependsOn, FactRef, Fix, Obligation, Verdict
from ..wording import listed, members_by_verdict

SOURCE_WORDS = {
    "partial": "part of the license text (the rest was not available when they were written)",
    "secondary": "a secondary account of the license, not its text",
    "unread": "its name alone (its text could not be found), so they leave its terms unknown",
}
COMPARISONS = {">": "is more than", ">=": "is at least", "≥": "is at least", "<": "is less than", "<=": "is at most", "≤": "is at most", "=": "is"}
# How a clause acts, for a clause whose rule quotes no words of the license.
EFFECT_WORDS = {
    "forbid": "it forbids this use",
    "undecided": "its terms are not known",
    "require": "it requires duties of this use",
    "require-that": "it sets a condition this use does not meet",
    "impose": "it carries its terms into the work",
    "relax": "it lifts other clauses",
}
_TERM = re.compile(r"^\s*(?P<name>[^\s=<>≤≥]+)\s*(?P<op>>=|<=|=|>|<|≤|≥)\s*(?P<value>.+?)\s*$")
_ASKED_BY = re.compile(r"^(?P<license>.+?) § (?P<section>.+?)(?: \((?P<clause>[^()]*)\))?$")


def title(verdict: Verdict, license_id: str) -> str:
    """A license's title when the verdict cites it, else its id."""
    for cited in verdict.licenses:
        if cited.id == license_id:
            return cited.title or license_id
    return license_id


def cited_at(verdict: Verdict, license_id: str, section: str) -> str:
    """`Llama 2 Community License Agreement § 1.b.i`."""
    return f"{title(verdict, license_id)} § {section}"


def _description(verdict: Verdict, name: str) -> tuple[str, str]:
    """(kind, description) of an open question or assumption, from the verdict."""
    for used in verdict.assumptions:
        if used.name == name:
            return used.kind, used.description
    for item in verdict.depends_on:
        if item.assumption == name:
            return item.kind, item.question
    return "", ""


def condition_words(verdict: Verdict, term: str) -> str:
    """One open-question value (`licensee.in-eu = no`, `x > 700,000,000`) in
    words, from the question's description; a term it cannot read stays as it is."""
    found = _TERM.match(term)
    if found is None:
        return term
    name, op, value = found.group("name"), found.group("op"), found.group("value")
    kind, description = _description(verdict, name)
    if not description:
        return term
    if kind == "number":
        return f"{description} {COMPARISONS.get(op, op)} {value}"
    if value in ("yes", "true"):
        return f"the use is for {description} ({name})" if kind == "purpose" else description
    if value in ("no", "false"):
        return f"the use is not for {description} ({name})" if kind == "purpose" else f"it is not so that {description}"
    return term


def conditions_words(verdict: Verdict, terms: Sequence[str]) -> str:
    return listed([condition_words(verdict, t) for t in terms], "and")


def when_words(verdict: Verdict, ob: Obligation) -> str:
    """When a conditional duty binds, in words (empty: always)."""
    if ob.when_any:
        return " or ".join(conditions_words(verdict, terms) for terms in ob.when_any)
    return conditions_words(verdict, ob.when) if ob.when else ""


def what_it_says(ref: ClauseRef) -> str:
    """The clause's own words when the rule quotes them, else licet's summary."""
    if ref.quote:
        return f"“{ref.quote}”"
    effect = EFFECT_WORDS.get(ref.effect, ref.effect)
    return f"{effect} (the rule quotes no words of the license; --detail gives its conditions)"


def reaches_words(ref: ClauseRef) -> str:
    """`'sft-data': the target was trained on it`."""
    how = ref.role_text or ref.role
    return f"'{ref.component}': {how}"


def fact_words(fact: FactRef) -> str:
    """A stated fact in words: its vocabulary phrase when it has one, else
    `licensee.in-eu: no`, `licensee.monthly-active-users is 900,000,000`."""
    joiner = " is " if fact.kind == "number" else ": "
    return fact.text.replace(f"{fact.name} = ", fact.name + joiner)


def presumed_words(verdict: Verdict, fact: FactRef) -> str:
    """A presumed fact in the presumption's own words."""
    for presumption in verdict.presumptions:
        if presumption.fact == fact.name and presumption.why:
            return presumption.why
    return fact_words(fact)


def presumption_lines(verdict: Verdict) -> list[str]:
    """Each presumption the answer used, and how to say otherwise."""
    out = []
    for p in verdict.presumptions:
        text = re.sub(r"^assumed:\s*", "", p.text, flags=re.IGNORECASE) if p.text else f"{p.fact}: {'yes' if p.value else 'no'}"
        out.append(text[:1].upper() + text[1:])
    return out


def conflict_sentence(verdict: Verdict, conflict: Conflict) -> str:
    """One conflict in one sentence: each clause with its section and words,
    what you stated, whom it reaches and under which open answers it holds."""
    clauses = "; and ".join(f"{cited_at(verdict, ref.license, ref.section)}: {what_it_says(ref)}".rstrip(": ") for ref in conflict.clauses)
    sentence = clauses
    stated = [fact_words(fact) for fact in conflict.fact_refs if not fact.presumed]
    presumed = [presumed_words(verdict, fact) for fact in conflict.fact_refs if fact.presumed]
    if stated:
        sentence += " — you stated that " + listed(stated, "and")
    if presumed:
        sentence += (", and " if stated else " — ") + "licet presumed that " + listed(presumed, "and")
    reached = list(dict.fromkeys(reaches_words(ref) for ref in conflict.clauses))
    sentence += ". It reaches " + "; and ".join(reached) + "."
    if conflict.assumptions:
        sentence += " This holds only if " + conditions_words(verdict, conflict.assumptions) + "."
    return sentence


def whether(verdict: Verdict, item: DependsOn) -> str:
    """An open question as a clause: `whether the licensee is in the EU`."""
    if item.kind == "purpose":
        return f"whether the use is for {item.assumption}"
    if item.kind == "license":
        return item.question.rstrip("?") or item.assumption
    question = item.question or _description(verdict, item.assumption)[1] or item.assumption
    return f"the {question}" if item.kind == "number" else f"whether {question}"


def depends_words(verdict: Verdict, item: DependsOn) -> str:
    """An open question the answer turns on, and the answer under each value."""
    question = whether(verdict, item)
    question = question[:1].upper() + question[1:]
    if item.kind == "license":
        outcomes = "; ".join(f"{verdict} under {listed(members, 'or')}" for verdict, members in members_by_verdict(item).items())
    elif item.cases:
        outcomes = "; ".join(f"{case.when}: {case.verdict}" for case in item.cases)
    else:
        outcomes = "; ".join(f"{case.when}: {case.verdict}" for case in item.outcomes) or f"yes: {item.yes}; no: {item.no}"
    asked = list(dict.fromkeys(asked_by_words(verdict, a) for a in item.asked_by))
    return f"{question} — {outcomes}" + (f" (asked by {listed(asked, 'and')})" if asked else "")


def asked_by_words(verdict: Verdict, asked: str) -> str:
    """`LICENSE § 2 (clause_name)` as the license title and section."""
    found = _ASKED_BY.match(asked)
    return cited_at(verdict, found.group("license"), found.group("section")) if found else asked


def fix_words(verdict: Verdict, fix: Fix) -> str:
    """A way out and what it leads to."""
    change = fix.change
    if fix.kind == "remedy" and fix.license and fix.section:
        change = f"{fix.words or fix.change}, as {cited_at(verdict, fix.license, fix.section)} offers"
    return f"{change} — then: {fix.then}"


@dataclass
class DutyLine:
    """Obligations of one duty under one license, with their words, sections and components."""

    duty: str
    description: str
    license: str
    words: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    when: list[str] = field(default_factory=list)


def duty_lines(verdict: Verdict) -> list[DutyLine]:
    """Obligations grouped by duty and license, in the verdict's order."""
    grouped: dict[tuple[str, str], DutyLine] = {}
    for ob in verdict.obligations:
        line = grouped.setdefault((ob.duty, ob.license), DutyLine(ob.duty, ob.description, ob.license))
        for values, value in ((line.words, ob.words), (line.sections, ob.section), (line.components, ob.component), (line.when, when_words(verdict, ob))):
            if value and value not in values:
                values.append(value)
    return list(grouped.values())


def names_text(names: Sequence[str], limit: int = 6) -> str:
    shown = [f"'{name}'" for name in names[:limit]]
    more = len(names) - limit
    return listed(shown, "and") if more <= 0 else ", ".join(shown) + f" and {more} more"


def duty_sentence(verdict: Verdict, line: DutyLine) -> str:
    """`Give recipients a copy of the license — Llama 2 Community License Agreement § 1.b.i — for 'base', 'model'`."""
    text = line.description[:1].upper() + line.description[1:]
    if line.words:
        text += ": " + listed([f"“{w}”" for w in line.words], "and")
    sections = ", ".join(line.sections)
    text += f" — {title(verdict, line.license)} § {sections} — for {names_text(line.components)}"
    if line.when:
        text += " — only if " + " or ".join(line.when)
    return text


def source_notes(verdict: Verdict) -> list[str]:
    """A sentence for each cited license whose rules rest on less than its full text."""
    out = []
    for cited in verdict.licenses:
        words = SOURCE_WORDS.get(cited.source)
        if words:
            out.append(f"The rules for {cited.title or cited.id} were written from {words}: check the sections cited against the license itself.")
    return out


def unstated(verdict: Verdict) -> list[str]:
    """Open questions not stated that the answer does not turn on (every answer was checked)."""
    turning = {item.assumption for item in verdict.depends_on}
    out = []
    for used in verdict.assumptions:
        if used.stated or used.name in turning:
            continue
        out.append(f"the use is for {used.description} ({used.name})?" if used.kind == "purpose" else used.description)
    return out


def stated_assumptions(verdict: Verdict) -> list[str]:
    """Assumptions the question settled, in words."""
    return [
        (used.description if used.value == "yes" else f"not: {used.description}") + f" (you stated {used.name}: {used.value})"
        for used in verdict.assumptions
        if used.stated
    ]
