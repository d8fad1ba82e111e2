"""A verdict laid out for the page: the same sentences as `licet check` and
the memo (`licensing.render.plain`, the lawyer's wording), with what the page
needs beside each item: the control that settles an open question, the way
out a button applies, the path a conflict's clause takes from the target.

Only layout: every sentence is `plain`'s, every value the verdict's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..checker import Vocabulary
from ..render import plain
from ..render.text import release_words
from ..verdict import DependsOn, Verdict
from ..wording import HEADLINES, path_text, waiver_scope


@dataclass(frozen=True)
class Control:
    """A button that settles an open question with one value."""

    label: str
    kind: str
    name: str
    value: str


@dataclass(frozen=True)
class Question:
    """An open question (or a presumption, or an unstated fact) with the controls that settle it."""

    words: str
    kind: str
    name: str
    buttons: list[Control] = field(default_factory=list)
    number: bool = False  # settled by typing a number
    outcomes: Sequence[tuple[str, str]] = field(default_factory=list)  # (value, verdict), for the buttons' labels


@dataclass(frozen=True)
class ClauseView:
    title: str
    license: str
    section: str
    clause: str
    quote: str | None
    text: str
    component: str
    reaches: str
    path: list[str]
    path_words: str
    rule: str


@dataclass(frozen=True)
class ConflictView:
    index: int
    sentence: str
    clauses: list[ClauseView]
    holds_if: str


@dataclass(frozen=True)
class FixView:
    index: int
    words: str
    then: str
    applicable: bool


@dataclass(frozen=True)
class DutyView:
    description: str
    words: list[str]
    cited: str
    license: str
    components: str
    when: str


@dataclass(frozen=True)
class Answer:
    verdict: str
    headline: str
    target: str
    scenario: str | None
    conflicts: list[ConflictView]
    questions: list[Question]
    presumptions: list[Question]
    stated: list[str]
    unstated: list[Question]
    fixes: list[FixView]
    duties: list[DutyView]
    release: list[str]
    waived: list[str]
    notes: list[str]
    incomplete: list[str]
    licenses: list[dict[str, str]]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _yes_no_buttons(kind: str, name: str, outcomes: Mapping[str, str] | None = None) -> list[Control]:
    out = []
    for value in ("yes", "no"):
        then = (outcomes or {}).get(value)
        out.append(Control(f"{value.capitalize()}" + (f" → {then}" if then else ""), kind, name, value))
    return out


def _question(verdict: Verdict, item: DependsOn) -> Question:
    words = plain.depends_words(verdict, item)
    outcomes: dict[str, str] = {case.when: case.verdict for case in item.outcomes}
    if item.yes is not None:
        outcomes.setdefault("yes", item.yes)
    if item.no is not None:
        outcomes.setdefault("no", item.no)
    match item.kind:
        case "assumption" | "flag":
            return Question(words, item.kind, item.assumption, _yes_no_buttons(item.kind, item.assumption, outcomes))
        case "purpose":
            then = outcomes.get("yes")
            button = Control("Yes, the use is for this" + (f" → {then}" if then else ""), "purpose", item.assumption, "yes")
            return Question(words, "purpose", item.assumption, [button])
        case "number":
            cases: list[tuple[str, str]] = [(case.when, case.verdict) for case in item.cases or item.outcomes]
            return Question(words, "number", item.assumption, number=True, outcomes=cases)
        case "license":
            buttons = [Control(f"It is under {case.when} → {case.verdict}", "license", item.assumption, case.when) for case in item.outcomes]
            return Question(words, "license", item.assumption, buttons)
    return Question(words, item.kind, item.assumption)


def build_answer(verdict: Verdict, vocabulary: Vocabulary) -> Answer:
    """The page's view of a verdict."""
    conflicts = []
    for index, conflict in enumerate(verdict.conflicts):
        clauses = [
            ClauseView(
                title=plain.title(verdict, ref.license), license=ref.license, section=ref.section, clause=ref.clause, quote=ref.quote,
                text=ref.text, component=ref.component, reaches=plain.reaches_words(ref), path=list(ref.path),
                path_words=path_text(ref.path, ref.via), rule=str(ref.location or ref.source),
            )
            for ref in conflict.clauses
        ]
        holds_if = plain.conditions_words(verdict, conflict.assumptions) if conflict.assumptions else ""
        conflicts.append(ConflictView(index, plain.conflict_sentence(verdict, conflict), clauses, holds_if))
    turning = {item.assumption for item in verdict.depends_on}
    presumptions = [
        Question(text, "flag", p.fact, [Control(f"No, state {'no' if p.value else 'yes'}", "flag", p.fact, "no" if p.value else "yes")])
        for p, text in zip(verdict.presumptions, plain.presumption_lines(verdict), strict=True)
        if vocabulary.has("flag", p.fact)
    ]
    unstated = []
    for used in verdict.assumptions:
        if used.stated or used.name in turning:
            continue
        words = f"the use is for {used.description} ({used.name})?" if used.kind == "purpose" else used.description
        if used.kind in ("assumption", "flag"):
            unstated.append(Question(words, used.kind, used.name, _yes_no_buttons(used.kind, used.name)))
        elif used.kind == "purpose":
            unstated.append(Question(words, "purpose", used.name, [Control("Yes, the use is for this", "purpose", used.name, "yes")]))
        elif used.kind == "number":
            unstated.append(Question(words, "number", used.name, number=True))
        else:
            unstated.append(Question(words, used.kind, used.name))
    duties = []
    for line in plain.duty_lines(verdict):
        duties.append(DutyView(
            description=line.description[:1].upper() + line.description[1:], words=line.words,
            cited=f"{plain.title(verdict, line.license)} § {', '.join(line.sections)}", license=line.license,
            components=plain.names_text(line.components, 12), when=" or ".join(line.when),
        ))
    waived = [
        f"'{w.component}': {waiver_scope(w)}, accepted by {w.by}" + (f", until {w.expires}" if w.expires else "") + f": {w.reason}"
        for w in verdict.waivers
        if w.status == "in effect"
    ]
    return Answer(
        verdict=verdict.verdict,
        headline=_sentence(HEADLINES[verdict.verdict].split(": ", 1)[1]),
        target=verdict.target,
        scenario=verdict.scenario,
        conflicts=conflicts,
        questions=[_question(verdict, item) for item in verdict.depends_on],
        presumptions=presumptions,
        stated=plain.stated_assumptions(verdict),
        unstated=unstated,
        fixes=[FixView(i, plain.fix_words(verdict, fix), fix.then, fix.kind != "remedy") for i, fix in enumerate(verdict.fixes)],
        duties=duties,
        release=release_words(verdict, limit=8),
        waived=waived,
        notes=[*plain.source_notes(verdict), *verdict.notes],
        incomplete=list(verdict.incomplete),
        licenses=[{"id": c.id, "title": c.title or c.id, "source": c.source} for c in verdict.licenses],
    )


def answer_context(verdict: Verdict, vocabulary: Vocabulary) -> dict[str, Any]:
    return {"answer": build_answer(verdict, vocabulary)}
