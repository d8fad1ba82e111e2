"""The English licet writes: clauses and conditions in plain words, facts,
ways out, how an open question turns out, headlines.

One module writes it for every reader — the explanation of a verdict, `licet
show`, the text, markdown and SARIF reports — so a sentence is written once.
Words come from the vocabulary where it has them (`as "…"` phrases, the
descriptions); nothing here knows a license.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, assert_never

from . import nodes as n
from .checker import Vocabulary
from .environment import VerdictName, amount

if TYPE_CHECKING:  # only named in annotations: describing a license needs no verdict models
    from .verdict import DependsOn, FactRef, FixKind, WaiverApplied

HEADLINES: dict[VerdictName, str] = {
    "allowed": "ALLOWED: a compliant way exists whatever the open questions are.",
    "forbidden": "FORBIDDEN: no compliant way exists.",
    "depends": "DEPENDS: the answer turns on an open question of law or fact.",
    "unknown": "UNKNOWN: licet cannot give an answer it can stand behind.",
}


def listed(words: Sequence[str], joiner: str = "or") -> str:
    """`a`, `a or b`, `a, b or c`."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {joiner} " + words[-1]


# ---------------------------------------------------------------- rules


def condition_text(cond: n.Condition, vocabulary: Vocabulary) -> str:
    """A condition in plain words."""
    match cond:
        case n.Const(value=value):
            return "always" if value else "never"
        case n.AllOf(items=items):
            return " and ".join(_grouped(c, vocabulary) for c in items)
        case n.AnyOf(items=items):
            return " or ".join(_grouped(c, vocabulary) for c in items)
        case n.Not(item=n.Assumed(name=name)):
            return f"it is not assumed that {name.replace('-', ' ')}"
        case n.Not(item=item):
            return f"not ({condition_text(item, vocabulary)})"
        case n.Assumed(name=name):
            return f"it is assumed that {name.replace('-', ' ')}"
        case n.Action(name=name):
            return f"you {name}"
        case n.Flag(name=name):
            # a yes/no fact reads as its phrase, else as the fact lines do (licensee.in-eu = yes)
            return vocabulary.phrase("flag", name) or f"{name} = yes"
        case n.Compare(number=number, op=op, value=value):
            return f"{number} {op} {amount(value)}"
        case n.RoleIn(values=values):
            return "it reaches " + listed([vocabulary.phrase("role", v) or v for v in values])
        case n.PurposeIn(values=values, set_name=set_name):
            return "the purpose is " + listed(list(values)) + (f" ({set_name})" if set_name else "")
        case n.PurposeOnlyIn(values=values, set_name=set_name):
            return "the use is only for " + listed(list(values)) + (f" ({set_name})" if set_name else "")
        case n.TermsIn(values=values):
            return "the work carries " + listed(list(values)) + " terms"
        case n.KindIs(values=values):
            return "it is " + listed(list(values))
        case n.TargetKindIs(values=values):
            return "the target is " + listed(list(values))
        case n.ReleaseIn(values=values, set_name=set_name):
            return "the release license is " + listed(list(values)) + (f" ({set_name})" if set_name else "")
        case n.LineageIn(values=values, set_name=set_name):
            return "the work is made from a work under " + listed(list(values)) + (f" ({set_name})" if set_name else "")
        case _:
            assert_never(cond)


def _grouped(cond: n.Condition, vocabulary: Vocabulary) -> str:
    text = condition_text(cond, vocabulary)
    return f"({text})" if isinstance(cond, (n.AnyOf, n.AllOf)) else text


def effect_text(effect: n.Effect, vocabulary: Vocabulary) -> str:
    """How an effect reads, before its `when` and `unless`."""
    match effect:
        case n.Forbid():
            return "Forbids any use"
        case n.Undecided():
            return "Terms unknown: any use cannot be called allowed"
        case n.RequireDuties(duties=duties):
            return "Requires: " + listed([duty_text(duty, effect.words_for(duty)) for duty in duties], "and")
        case n.RequireThat(requirement=requirement):
            return "Requires that " + condition_text(requirement, vocabulary)
        case n.Impose(terms=terms):
            return f"Carries {listed(list(terms), 'and')} terms into any work"
        case n.Relax(clauses=clauses):
            return "Lifts the clauses " + listed(list(clauses), "and")
        case _:
            assert_never(effect)


def duty_text(duty: str, words: str | None) -> str:
    """`display-badge "Built with Llama"`: a duty with the words the license fixes, if any."""
    return f'{duty} "{words}"' if words else duty


def clause_text(clause: n.Clause, vocabulary: Vocabulary) -> str:
    """A clause in plain words."""
    when = "" if clause.when == n.TRUE else f" when {condition_text(clause.when, vocabulary)}"
    unless = "" if clause.unless == n.FALSE else f", unless {condition_text(clause.unless, vocabulary)}"
    return f"{effect_text(clause.effect, vocabulary)}{when}{unless}."


# ---------------------------------------------------------------- answers


def fact_text(kind: str, name: str, value: bool | float | str, vocabulary: Vocabulary | None = None) -> str:
    """A stated fact in plain words; a flag that holds reads as its vocabulary phrase."""
    match kind:
        case "action":
            return f"you {name} the target" if value is True else f"you do not {name} the target"
        case "purpose":
            return f"the use is for {name}" if value is True else f"the use is not for {name}"
        case "flag":
            phrase = vocabulary.phrase("flag", name) if vocabulary is not None and value is True else ""
            return phrase or f"{name} = {'yes' if value else 'no'}"
        case "number":
            return f"{name} = {amount(float(value))}"
        case "assumption":
            return f"you assume {name} = {value}"
        case "release":
            return f"you release under {value}"
        case "declared-license":
            return f"'{name}' is declared as {value}"
    return f"{name} = {value}"


def fact_key(kind: str, name: str, value: bool | float | str) -> str:
    """The fact as identifiers, as earlier JSON output wrote it (`use.actions.distribute`)."""
    match kind:
        case "release":
            return f"use.release-license = {value}"
        case "declared-license":
            return f"components.{name}.license = {value}"
    key = {"action": "use.actions.", "purpose": "use.purposes.", "assumption": "assume."}.get(kind, "") + name
    if isinstance(value, bool):
        return key if value else f"{key} = false"
    if isinstance(value, float):
        return f"{key} = {value:,.0f}" if value == int(value) else f"{key} = {value}"
    return f"{key} = {value}"


def fix_text(
    kind: FixKind,
    *,
    components: Sequence[str] = (),
    license: str | None = None,
    fact: FactRef | None = None,
    section: str | None = None,
    words: str | None = None,
) -> str:
    """A way out in words."""
    match kind:
        case "remedy":
            return f"{words} (offered by {license} § {section})"
        case "leave-out":
            return "leave out " + ", ".join(f"'{c}'" for c in components) + f" ({license})"
        case "stop-action":
            assert fact is not None
            return f"do not {fact.name} the target"
        case "start-action":
            assert fact is not None
            return f"also {fact.name} the target"
        case "drop-purpose":
            assert fact is not None
            return f"drop the purpose '{fact.name}'"
        case "flip-assumption":
            # an assumption is a question of law or fact: a way out only if it is answered the other way
            assert fact is not None
            return f"if you {'do not ' if fact.value == 'yes' else ''}assume {fact.name}"
        case "flip-flag":
            # only flags the person asking decides are offered (`decided-by-user`)
            assert fact is not None
            return f"{'do without this' if fact.value else 'make this so'}: {fact.text}"
        case "change-release":
            assert fact is not None
            return f"release under another license than {fact.value} (leave release-license out to let licet choose)"
        case "change-declared-license":
            assert fact is not None
            return f"release the target under another license than its declared '{fact.value}'"
        case _:
            assert_never(kind)


def alternatives_text(alternatives: Sequence[Sequence[str]]) -> str:
    """`a = yes or (b = no and c = yes)`."""
    return " or ".join(" and ".join(term) if len(term) == 1 or len(alternatives) == 1 else f"({' and '.join(term)})" for term in alternatives)


def outcomes_text(item: DependsOn) -> str:
    """`yes → forbidden, no → allowed`, each number range's verdict, or for
    a family the members that give each verdict."""
    if item.kind == "license":
        return "; ".join(f"{', '.join(members)} → {verdict}" for verdict, members in members_by_verdict(item).items())
    if item.cases:
        return "; ".join(f"{c.when} → {c.verdict}" for c in item.cases)
    return f"yes → {item.yes}, no → {item.no}"


def members_by_verdict(item: DependsOn) -> dict[str, list[str]]:
    """For a family: the members under which each verdict comes out, in the order first met."""
    grouped: dict[str, list[str]] = {}
    for case in item.outcomes:
        grouped.setdefault(case.verdict, []).append(case.when)
    return grouped


def waiver_scope(waiver: WaiverApplied) -> str:
    """What a waiver accepts: a license, a clause, or all of them."""
    named = [x for x in (waiver.license, waiver.clause and f"clause {waiver.clause}") if x]
    return " ".join(named) or "all its licenses' clauses"


def path_text(path: Sequence[str], via: Sequence[str]) -> str:
    """`app → model (derived-from) → data (trained-on)`."""
    parts = [path[0]]
    for name, relation in zip(path[1:], via, strict=False):
        parts.append(f"{name} ({relation})")
    return " → ".join(parts)
