"""The AST of the rule language: frozen, typed nodes, each with the span it came from.

One class per construct: a condition is one of the `Condition` classes, a
clause's effect one of the `Effect` classes. Code that walks the AST matches
on these unions exhaustively and ends in `assert_never`, so that adding a
construct makes mypy name every walker that forgot it. Generic traversal
(`walk`, `find_all`) reads the dataclass fields, so analyses that only look
for one kind of node do not write their own recursion.

Spans are left out of equality and hashing so that two rules that say the same
thing compare equal wherever they were written (the property tests rely on it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, ClassVar, TypeVar, Union


@dataclass(frozen=True)
class Span:
    """Where a node was written: a display path and a 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NO_SPAN = Span("<built-in>", 0, 0)


def _span() -> Any:
    return field(default=NO_SPAN, compare=False, hash=False, repr=False)


# ---------------------------------------------------------------- conditions


@dataclass(frozen=True)
class Const:
    """`always` / `never`: the default `when` and `unless` of a clause."""

    value: bool
    span: Span = _span()


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]
    span: Span = _span()


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Not:
    item: Condition
    span: Span = _span()


@dataclass(frozen=True)
class Assumed:
    """`assume weights-derive-from-training-data`: the assumption holds."""

    name: str
    span: Span = _span()


@dataclass(frozen=True)
class Action:
    """A bare action word (`distribute`): the use includes this action.

    The parser cannot tell an action from a yes/no fact (both are bare words);
    it writes `Flag`, and the library's checker turns the action words into
    `Action` when it checks them against the vocabulary."""

    name: str
    span: Span = _span()


@dataclass(frozen=True)
class Flag:
    """A bare yes/no fact word (`use.commercial`): the fact holds."""

    name: str
    span: Span = _span()


@dataclass(frozen=True)
class Compare:
    """`licensee.monthly-active-users > 700_000_000`."""

    number: str
    op: str
    value: float
    span: Span = _span()


@dataclass(frozen=True)
class _SetTest:
    """A test of a subject against a set of values: `role in {self, derivative}`.

    `values` are the members after the checker expanded named sets;
    `set_name` is the named set the rule wrote, if any (shown in explanations).
    `category` is the vocabulary category the values come from."""

    values: tuple[str, ...]
    set_name: str | None = None
    span: Span = _span()

    category: ClassVar[str] = ""
    keyword: ClassVar[str] = ""


@dataclass(frozen=True)
class RoleIn(_SetTest):
    """`role in {…}`: the component plays one of these roles for the target
    (a component may play several; `role == x` means x is one of them)."""

    category: ClassVar[str] = "role"
    keyword: ClassVar[str] = "role"


@dataclass(frozen=True)
class PurposeIn(_SetTest):
    """`purpose in {…}`: the use has one of these purposes."""

    category: ClassVar[str] = "purpose"
    keyword: ClassVar[str] = "purpose"


@dataclass(frozen=True)
class TermsIn(_SetTest):
    """`work.terms in {…}`: the work carries one of these travelling terms."""

    category: ClassVar[str] = "term"
    keyword: ClassVar[str] = "work.terms"


@dataclass(frozen=True)
class KindIs(_SetTest):
    """`kind == weights`: the component is of one of these kinds."""

    category: ClassVar[str] = "kind"
    keyword: ClassVar[str] = "kind"


@dataclass(frozen=True)
class TargetKindIs(_SetTest):
    """`target.kind == code`: the target of the question is of one of these kinds."""

    category: ClassVar[str] = "kind"
    keyword: ClassVar[str] = "target.kind"


@dataclass(frozen=True)
class ReleaseIn(_SetTest):
    """`release.license in {…}`: the target is released under one of these licenses."""

    category: ClassVar[str] = "license"
    keyword: ClassVar[str] = "release.license"


@dataclass(frozen=True)
class LineageIn(_SetTest):
    """`lineage.license in {…}`: the work is made from a work under one of
    these licenses — a component the target is derived from carries one of
    them ("Llama 2 or derivative works thereof"). The target's own license or
    release license does not count: a label does not make a model Llama 2."""

    category: ClassVar[str] = "license"
    keyword: ClassVar[str] = "lineage.license"


@dataclass(frozen=True)
class PurposeOnlyIn(_SetTest):
    """`purpose only in {…}`: the use has one of these purposes and no other
    ("for Research Purposes only"). Unlike `purpose in`, stating one more
    purpose can make it false, so a use for research and customer support is
    not a research use. `others` are the purposes that break it: every
    purpose neither in `values` nor narrower or broader than one of them
    (filled in by the checker from the vocabulary)."""

    others: tuple[str, ...] = ()

    category: ClassVar[str] = "purpose"
    keyword: ClassVar[str] = "purpose only"


SetTest = Union[RoleIn, PurposeIn, PurposeOnlyIn, TermsIn, KindIs, TargetKindIs, ReleaseIn, LineageIn]
SET_TESTS: tuple[type[_SetTest], ...] = (RoleIn, PurposeIn, PurposeOnlyIn, TermsIn, KindIs, TargetKindIs, ReleaseIn, LineageIn)
SET_TEST_BY_KEYWORD: dict[str, type[_SetTest]] = {cls.keyword: cls for cls in SET_TESTS}

Condition = Union[
    Const, AllOf, AnyOf, Not, Assumed, Action, Flag, Compare, RoleIn, PurposeIn, PurposeOnlyIn, TermsIn, KindIs, TargetKindIs,
    ReleaseIn, LineageIn
]

TRUE = Const(True)
FALSE = Const(False)


# ---------------------------------------------------------------- effects


@dataclass(frozen=True)
class Forbid:
    """No compliant plan lets the clause's condition hold."""

    kind: ClassVar[str] = "forbid"


@dataclass(frozen=True)
class Undecided:
    """The terms are not known: nothing that meets the condition can be `allowed`."""

    kind: ClassVar[str] = "undecided"


@dataclass(frozen=True)
class RequireDuties:
    """Duties that hold while the condition holds (reported as obligations).
    `words` pairs a duty with the exact words the license fixes for it
    (`require display-badge "Built with Llama"`); most duties have none."""

    duties: tuple[str, ...]
    words: tuple[tuple[str, str], ...] = ()
    kind: ClassVar[str] = "require"

    def words_for(self, duty: str) -> str | None:
        return next((text for name, text in self.words if name == duty), None)


@dataclass(frozen=True)
class RequireThat:
    """A constraint the plan must meet while the condition holds (copyleft
    on `release.license`)."""

    requirement: Condition
    kind: ClassVar[str] = "require-that"


@dataclass(frozen=True)
class Impose:
    """Terms that travel with the material into the work, for the "no further
    restrictions" clauses of other licenses to see."""

    terms: tuple[str, ...]
    kind: ClassVar[str] = "impose"


@dataclass(frozen=True)
class Relax:
    """In an exception: the named clauses of the license it is attached to
    stop applying while the condition holds."""

    clauses: tuple[str, ...]
    kind: ClassVar[str] = "relax"


Effect = Union[Forbid, Undecided, RequireDuties, RequireThat, Impose, Relax]


# ---------------------------------------------------------------- clauses and licenses


@dataclass(frozen=True)
class LicenseRemedy:
    """`remedy "request a license from Meta" § "2"`: what the license itself
    offers to whoever its clause stops, in our words, with the section that
    offers it."""

    words: str
    section: str
    span: Span = _span()


@dataclass(frozen=True)
class Clause:
    """One rule of a license: its name, the section it encodes, at most a
    short quote of the operative words, one effect and its guards."""

    name: str
    section: str
    quote: str | None
    effect: Effect
    when: Condition = TRUE
    unless: Condition = FALSE
    license_id: str = ""
    remedies: tuple[LicenseRemedy, ...] = ()  # what the license offers whoever this clause stops
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
    members: tuple[str, ...] = ()  # a family (`one-of`): one of these applies, which one is not known
    span: Span = _span()

    @property
    def is_family(self) -> bool:
        return bool(self.members)

    def clause(self, name: str) -> Clause | None:
        for clause in self.clauses:
            if clause.name == name:
                return clause
        return None


# ---------------------------------------------------------------- vocabulary and sets


@dataclass(frozen=True)
class Word:
    """A vocabulary word: its category, name, description, and how it reads
    inside a sentence about a clause (`phrase`, empty when the name serves)."""

    category: str
    name: str
    description: str
    phrase: str = ""
    within: tuple[str, ...] = ()  # purposes: broader purposes every such use is also for
    overlaps: tuple[str, ...] = ()  # purposes: purposes such a use may or may not also be for
    qualifying: bool = False  # purposes: not presumed absent when a use states no purposes
    decided_by_user: bool = False  # flags: the person asking decides it, so a way out may change it
    span: Span = _span()


@dataclass(frozen=True)
class Relation:
    name: str
    role: str
    description: str
    # a component that names this relation is the licensee's own work made
    # from the others: declaring no license, it adds no terms of its own
    own_work: bool = False
    span: Span = _span()


@dataclass(frozen=True)
class Presumption:
    """`presume licensee.integrated-product-end-user no "…"`: the value a
    yes/no fact takes when a question leaves it unstated; `text` says in words
    what the presumed value means for the person asking."""

    fact: str
    value: bool
    text: str
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


Declaration = Union[License, Word, Relation, Compose, CountAs, SetDecl, Presumption]

# Every node class, by name: the library cache reads JSON back into these only.
NODE_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Span, Const, AllOf, AnyOf, Not, Assumed, Action, Flag, Compare, RoleIn, PurposeIn, PurposeOnlyIn, TermsIn, KindIs,
        TargetKindIs, ReleaseIn, LineageIn, Forbid, Undecided, RequireDuties, RequireThat, Impose, Relax, LicenseRemedy, Clause, License, Word, Relation, Compose,
        CountAs, SetDecl, Presumption,
    )
}


# ---------------------------------------------------------------- traversal

N = TypeVar("N")


def children(node: object) -> Iterator[object]:
    """The nodes directly inside `node`, in field order (spans excluded)."""
    if not is_dataclass(node) or isinstance(node, type):
        return
    for f in fields(node):
        if f.name == "span":
            continue
        value = getattr(node, f.name)
        if isinstance(value, tuple):
            yield from (item for item in value if is_dataclass(item))
        elif is_dataclass(value):
            yield value


def walk(node: object) -> Iterator[object]:
    """`node` and every node inside it, depth first, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))


def find_all(node: object, kind: type[N]) -> Iterator[N]:
    """Every node of class `kind` in `node` (itself included), depth first."""
    for found in walk(node):
        if isinstance(found, kind):
            yield found
