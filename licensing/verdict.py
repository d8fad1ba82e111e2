"""The one output format: a `Verdict` and its parts (pydantic, snake_case JSON).

`Verdict.model_dump(mode="json")` is exactly what `licet check --format json`
prints; its JSON Schema ships as `licensing/schemas/verdict-1.json` (and
`licet schema` prints it). Values that have structure keep it: locations are
`Location`s, facts are `FactRef`s, ways out are `Fix`es with their kind and
component, and how a `depends` answer turns out is a list of `Case`s. A few
string fields (`Conflict.facts`, `fact_sources`, `ClauseRef.source`) are kept
beside them for readers of earlier output; they carry the same information.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .environment import ExplanationPart, VerdictName
from .location import Location
from .version import SCHEMA_VERSION, __version__

__all__ = [
    "AssumptionUsed", "Case", "Choice", "ClauseRef", "Conflict", "DependsOn", "FactRef", "Fix", "LicenseCited", "Location", "Obligation", "Presumption",
    "Verdict", "VerdictName", "WaiverApplied",
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ClauseRef(_Model):
    """A clause as it reached one component of the scenario."""

    license: str
    clause: str
    section: str
    quote: str | None = None
    effect: str = Field(description="forbid, undecided, require, require-that, impose or relax")
    text: str = Field("", description="the clause in plain words")
    component: str
    role: str
    role_text: str = ""
    path: list[str] = Field(description="component names from the target to the component")
    via: list[str] = Field(description="the relation of each step of the path")
    source: str = Field(description="the rule's file:line:col (the same as `location`)")
    location: Location | None = None
    also_components: list[str] = Field(default_factory=list)
    declared_license: str | None = None


FactKind = Literal["action", "purpose", "flag", "number", "assumption", "release", "declared-license"]


class FactRef(_Model):
    """A stated fact of the question: what it is about, its value, where it was stated."""

    kind: FactKind
    name: str = Field(description="the action, purpose, flag, number or assumption; the component for a declared license; empty for the release license")
    value: bool | float | str
    key: str = Field(description="the fact as earlier output wrote it, e.g. use.commercial or assume.X = yes")
    text: str = Field(description="the fact in plain words")
    source: Location | None = None
    presumed: bool = Field(False, description="not stated: the value the vocabulary presumes for it (see Verdict.presumptions)")


class Conflict(_Model):
    """A minimal set of clauses and stated facts that cannot all hold."""

    clauses: list[ClauseRef]
    facts: list[str] = Field(description="the facts' keys (see fact_refs)")
    assumptions: list[str] = Field(default_factory=list, description="values of open questions under which the conflict holds")
    fact_sources: dict[str, str] = Field(default_factory=dict, description="fact key → file:line:col (see fact_refs)")
    fact_refs: list[FactRef] = Field(default_factory=list)


class Obligation(_Model):
    duty: str
    description: str
    license: str
    clause: str
    section: str
    component: str
    path: list[str]
    source: str
    location: Location | None = None
    when: list[str] = Field(
        default_factory=list, description="conditions on open questions, all of which the duty needs (empty: it always binds)"
    )
    when_any: list[list[str]] = Field(
        default_factory=list,
        description="exactly when the duty binds: any one of these conjunctions of open-question values (empty: always); `when` in words",
    )
    words: str | None = Field(None, description="the exact words the license fixes for the duty (a badge, a name prefix, a notice)")


class Case(_Model):
    """One outcome of an open question: under `when`, the verdict is `verdict`."""

    when: str
    verdict: VerdictName


class DependsOn(_Model):
    """An open question the answer turns on, and the verdict under each of its values."""

    assumption: str = Field(description="the open question: an assumption, a flag, a number, a purpose, or which member of a family of licenses a component is under")
    kind: Literal["assumption", "flag", "number", "purpose", "license"] = "assumption"
    question: str = Field("", description="the open question in plain words")
    asked_by: list[str] = Field(default_factory=list, description="the clauses (license § section) whose answer turns on it")
    yes: VerdictName | None = None
    no: VerdictName | None = None
    cases: list[Case] = Field(default_factory=list, description="for numbers: the verdict in each range")
    outcomes: list[Case] = Field(default_factory=list, description="every value (yes, no, or a range) with its verdict")


FixKind = Literal[
    "leave-out", "stop-action", "start-action", "drop-purpose", "flip-assumption", "flip-flag", "change-release", "change-declared-license",
    "remedy",
]


class Fix(_Model):
    """A way out: a change to the question, and the verdict it would give."""

    change: str = Field(description="the change in plain words")
    then: VerdictName
    kind: FixKind = "leave-out"
    components: list[str] = Field(default_factory=list, description="for leave-out: the components to leave out")
    license: str | None = None
    fact: FactRef | None = Field(None, description="for a change of fact: the fact changed")
    section: str | None = Field(None, description="for a remedy: the section of `license` that offers it")
    words: str | None = Field(None, description="for a remedy: what the license offers, in words (request a license from the licensor, …)")


class Choice(_Model):
    component: str
    expression: str
    chosen: str


class AssumptionUsed(_Model):
    name: str
    kind: Literal["assumption", "flag", "number", "purpose", "license"]
    value: str
    stated: bool
    description: str


class WaiverApplied(_Model):
    """A waiver of the scenario, and whether it still applies."""

    component: str
    license: str | None = None
    clause: str | None = None
    by: str
    reason: str
    expires: str | None = None
    status: Literal["in effect", "expired"]


class Presumption(_Model):
    """A yes/no fact the question left unstated, taken at the value the
    vocabulary presumes (`presume` in rules/vocabulary.lic), which a clause
    reaching the question reads."""

    fact: str
    value: bool
    text: str = Field(description="what was assumed, and how to say otherwise, in words")
    why: str = Field("", description="the presumption's own words: what the presumed value means for the person asking")
    how_to_override: str = Field("", description="what to state in the scenario when the presumption is wrong")
    source: Location | None = Field(None, description="where the presumption is declared")


class LicenseCited(_Model):
    """A license the answer cites: its title, and the text its rules were written from."""

    id: str
    title: str = ""
    source: str = Field("full", description="full, partial or secondary: whether the rules were written from the license's full text, part of it, or a secondary account")


class Verdict(_Model):
    """The answer to one question, with everything it rests on."""

    verdict: VerdictName
    target: str
    conflicts: list[Conflict] = Field(default_factory=list)
    obligations: list[Obligation] = Field(default_factory=list)
    depends_on: list[DependsOn] = Field(default_factory=list)
    fixes: list[Fix] = Field(default_factory=list)
    release_license: str | None = None
    release_options: list[str] = Field(default_factory=list)
    release_reason: str | None = Field(default=None, description="why licet proposes `release_license` when the question states none")
    choices: list[Choice] = Field(default_factory=list)
    assumptions: list[AssumptionUsed] = Field(default_factory=list)
    presumptions: list[Presumption] = Field(default_factory=list, description="unstated facts taken as the vocabulary presumes them")
    notes: list[str] = Field(default_factory=list)
    incomplete: list[ExplanationPart] = Field(
        default_factory=list,
        description="parts of the explanation a solver call gave up on (time budget): they may be incomplete; the verdict itself stands",
    )
    waivers: list[WaiverApplied] = Field(default_factory=list)
    licenses: list[LicenseCited] = Field(default_factory=list, description="the licenses the conflicts, obligations and ways out cite, with their titles and sources")
    scenario: str | None = None
    schema_version: int = SCHEMA_VERSION
    licet_version: str = __version__
    rules_fingerprint: str = Field("", description="a digest of the rule files and grammar the answer came from")

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]


# `licet check` exits with these; a bad input is 2.
EXIT_CODES: dict[VerdictName, int] = {"allowed": 0, "forbidden": 1, "depends": 3, "unknown": 3}
