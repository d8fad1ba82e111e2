"""The environment: what nobody in the question controls, and how the answers
under each of its values combine into one verdict.

Unknown assumptions and unstated facts are checked under every value they can
take. A yes/no fact takes two; an unstated number (monthly active users)
takes one value per region between the thresholds rules compare it with. Both
the z3 path and the reference evaluator use these regions and this combination,
so that they can be compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

VerdictName = Literal["allowed", "forbidden", "depends", "unknown"]
# The parts of an explained verdict that solver calls work out; a part in which
# a call gave up (time budget, solver limits) is reported as incomplete.
ExplanationPart = Literal["conflicts", "release", "choices", "obligations", "fixes"]
# How one environment came out: a compliant plan exists (sat), none does
# (unsat), the solver gave up (unknown), or only plans relying on terms nobody
# knows are compliant (undecided).
Status = Literal["sat", "unsat", "unknown", "undecided"]


def verdict_from_statuses(statuses: Iterable[Status]) -> VerdictName:
    """The verdict from the answer under each value of what is unknown."""
    found = list(statuses)
    if any(s in ("unknown", "undecided") for s in found):
        return "unknown"
    if all(s == "sat" for s in found):
        return "allowed"
    if all(s == "unsat" for s in found):
        return "forbidden"
    return "depends"


@dataclass(frozen=True)
class NumberRegion:
    """A stretch of values an unstated number can take, between the thresholds
    rules compare it with; `point` stands for all of them."""

    point: float
    low: float | None
    low_inclusive: bool
    high: float | None
    high_inclusive: bool

    def joined(self, other: NumberRegion) -> NumberRegion:
        return NumberRegion(self.point, self.low, self.low_inclusive, other.high, other.high_inclusive)

    def describe(self) -> str:
        if self.low is None and self.high is None:
            return "any value"
        if self.low is not None and self.low == self.high:
            return f"= {amount(self.low)}"
        if self.low is None:
            return f"{'≤' if self.high_inclusive else '<'} {amount(self.high)}"
        if self.high is None:
            return f"{'≥' if self.low_inclusive else '>'} {amount(self.low)}"
        return f"{'≥' if self.low_inclusive else '>'} {amount(self.low)} and {'≤' if self.high_inclusive else '<'} {amount(self.high)}"


def amount(value: float | None) -> str:
    """A number as people write it: 700,000,000, or 0.5."""
    assert value is not None
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def number_regions(thresholds: Iterable[float]) -> list[NumberRegion]:
    """Every region an unstated number can fall in, given the thresholds rules
    compare it with: below the first, each threshold, between two, above the last."""
    cuts = sorted(set(thresholds))
    if not cuts:
        return [NumberRegion(0.0, None, False, None, False)]
    regions = []
    if cuts[0] > 0:
        regions.append(NumberRegion(max(cuts[0] - 1, cuts[0] / 2), None, False, cuts[0], False))
    for index, cut in enumerate(cuts):
        regions.append(NumberRegion(cut, cut, True, cut, True))
        following = cuts[index + 1] if index + 1 < len(cuts) else None
        point = cut + 1 if following is None else (cut + following) / 2
        regions.append(NumberRegion(point, cut, False, following, False))
    return regions


def which_license_name(component: str, occurrence: int) -> str:
    """The open question of which member of a family a component is under:
    `license of 'x'`, numbered from the second family in one expression on
    (in the order written)."""
    return f"license of '{component}'" + (f" ({occurrence + 1})" if occurrence else "")
