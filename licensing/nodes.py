"""The AST of the rule language: frozen nodes, each with the source span it came from.

Spans are left out of equality and hashing so that two rules that say the same
thing compare equal wherever they were written (the property tests rely on it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Span:
    """Where a node was written: a display path and a 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NO_SPAN = Span("<built-in>", 0, 0)


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, hash=False, repr=False)


# ---------------------------------------------------------------- conditions


@dataclass(frozen=True)
class Flag:
    """A bare word: an action of the use or a yes/no fact."""

    name: str
    span: Span = _span()


@dataclass(frozen=True)
class Member:
    """`subject in {values}`: for set-valued subjects (role, purpose, work.terms)
    true when the two sets meet."""

    subject: str
    values: tuple[str, ...]
    set_name: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Compare:
    """`licensee.monthly-active-users > 700_000_000`."""

    subject: str
    op: str
    value: float
    span: Span = _span()


@dataclass(frozen=True)
class Assumed:
    """`assume weights-derive-from-training-data`: the assumption holds."""

    name: str
    span: Span = _span()


@dataclass(frozen=True)
class AllOf:
    items: tuple["Condition", ...]
    span: Span = _span()


@dataclass(frozen=True)
class AnyOf:
    items: tuple["Condition", ...]
    span: Span = _span()


@dataclass(frozen=True)
class Not:
    item: "Condition"
    span: Span = _span()


@dataclass(frozen=True)
class Const:
    value: bool
    span: Span = _span()


Condition = Union[Flag, Member, Compare, Assumed, AllOf, AnyOf, Not, Const]

TRUE = Const(True)
FALSE = Const(False)


# ---------------------------------------------------------------- clauses

ANY_ACTION = "any"


@dataclass(frozen=True)
class Clause:
    """One rule of a license.

    `effect` is one of forbid, permit, require (duties), require-that
    (a constraint), impose (terms that travel), undecided, relax.
    `words` holds the duties, terms or relaxed clause names of the effect;
    `actions` the actions it is about (`("any",)` for any).
    """

    name: str
    section: str
    quote: str | None
    effect: str
    actions: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    requirement: Condition | None = None
    when: Condition = TRUE
    unless: Condition = FALSE
    license_id: str = ""
    span: Span = _span()


@dataclass(frozen=True)
class License:
    """A license or an exception block (`is_exception`)."""

    id: str
    title: str
    aliases: tuple[str, ...]
    covers: tuple[str, ...]
    offers: tuple[str, ...]
    source: str
    outbound: bool
    summary: str
    clauses: tuple[Clause, ...]
    is_exception: bool = False
    fallback: bool = False
    applies_to: tuple[str, ...] = ()  # exceptions: the licenses WITH may attach it to
    span: Span = _span()

    def clause(self, name: str) -> Clause | None:
        for clause in self.clauses:
            if clause.name == name:
                return clause
        return None


# ---------------------------------------------------------------- vocabulary and sets


@dataclass(frozen=True)
class Word:
    category: str
    name: str
    description: str
    span: Span = _span()


@dataclass(frozen=True)
class Relation:
    name: str
    role: str
    description: str
    span: Span = _span()


@dataclass(frozen=True)
class Compose:
    """first ∘ second → result; `*` is a wildcard, and `*` in `result` copies
    whichever side was the wildcard."""

    first: str
    second: str
    result: str
    span: Span = _span()


@dataclass(frozen=True)
class CountAs:
    role: str
    counts_as: str
    when: Condition
    span: Span = _span()


@dataclass(frozen=True)
class SetDecl:
    name: str
    values: tuple[str, ...]
    quoted: tuple[bool, ...]
    span: Span = _span()


Declaration = Union[License, Word, Relation, Compose, CountAs, SetDecl]
