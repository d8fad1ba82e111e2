"""The one output format: a `Verdict` and its parts (pydantic, snake_case JSON).

`Verdict.model_dump(mode="json", by_alias=True)` is exactly what
`licet check --format json` prints.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

VerdictName = Literal["allowed", "forbidden", "depends", "unknown"]


def verdict_from_statuses(statuses: list[str]) -> VerdictName:
    """The verdict from the answer under each value of what is unknown.

    Each status is sat (a compliant plan exists), unsat (none does), unknown
    (the solver gave up) or undecided (only plans relying on unknown terms).
    """
    if any(s in ("unknown", "undecided") for s in statuses):
        return "unknown"
    if all(s == "sat" for s in statuses):
        return "allowed"
    if all(s == "unsat" for s in statuses):
        return "forbidden"
    return "depends"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ClauseRef(_Model):
    """A clause as it reached one component of the scenario."""

    license: str
    clause: str
    section: str
    quote: str | None = None
    effect: str
    text: str = ""
    component: str
    role: str
    role_text: str = ""
    path: list[str]
    via: list[str]
    source: str
    also_components: list[str] = Field(default_factory=list)
    declared_license: str | None = None


class Conflict(_Model):
    """A minimal set of clauses and stated facts that cannot all hold."""

    clauses: list[ClauseRef]
    facts: list[str]
    assumptions: list[str] = Field(default_factory=list)
    fact_sources: dict[str, str] = Field(default_factory=dict)


class Obligation(_Model):
    duty: str
    description: str
    license: str
    clause: str
    section: str
    component: str
    path: list[str]
    source: str
    when: list[str] = Field(default_factory=list)


class Case(_Model):
    when: str
    verdict: VerdictName


class DependsOn(_Model):
    assumption: str
    yes: VerdictName | None = None
    no: VerdictName | None = None
    cases: list[Case] = Field(default_factory=list)

    @property
    def outcomes(self) -> str:
        """`yes → forbidden, no → allowed`, or each number range's verdict."""
        if self.cases:
            return "; ".join(f"{c.when} → {c.verdict}" for c in self.cases)
        return f"yes → {self.yes}, no → {self.no}"


class Fix(_Model):
    change: str
    then: VerdictName


class Choice(_Model):
    component: str
    expression: str
    chosen: str


class AssumptionUsed(_Model):
    name: str
    kind: Literal["assumption", "flag", "number"]
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

    @property
    def scope(self) -> str:
        """What the waiver accepts: a license, a clause, or all of them."""
        named = [x for x in (self.license, self.clause and f"clause {self.clause}") if x]
        return " ".join(named) or "all its licenses' clauses"


class Verdict(_Model):
    verdict: VerdictName
    target: str
    conflicts: list[Conflict] = Field(default_factory=list)
    obligations: list[Obligation] = Field(default_factory=list)
    depends_on: list[DependsOn] = Field(default_factory=list)
    fixes: list[Fix] = Field(default_factory=list)
    release_license: str | None = None
    release_options: list[str] = Field(default_factory=list)
    choices: list[Choice] = Field(default_factory=list)
    assumptions: list[AssumptionUsed] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    waivers: list[WaiverApplied] = Field(default_factory=list)
    scenario: str | None = None

    @property
    def exit_code(self) -> int:
        return {"allowed": 0, "forbidden": 1, "depends": 3, "unknown": 3}[self.verdict]
