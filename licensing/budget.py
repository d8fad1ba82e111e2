"""The budget of one check: the time it may take, from reading the scenario
to the last word of the explanation.

Every stage that can take long asks the budget: the compiler between clause
instances, the solver before each call (and gives z3 only what is left).
Past the budget the answer is `unknown`, with the reason; an explanation cut
short says which parts may be incomplete. Never a hang, never a guess.
"""

from __future__ import annotations

import time

from .errors import LicetError


class OutOfBudget(Exception):
    """The time budget ran out during `stage` (licet's own control flow, not an input error)."""

    def __init__(self, stage: str) -> None:
        super().__init__(stage)
        self.stage = stage


# z3's own memory cap per solver call, in megabytes: past it the call gives up
# (unknown) instead of growing. The compiler's own memory is linear in the
# scenario (expressions stay trees, no DNF of long ANDs), so z3 is what can grow.
DEFAULT_MEMORY_MB = 1024
# The longest budget: a day. A check that needs more is not a check licet can
# answer, and the command line refuses --timeout past it too.
MAX_BUDGET_MS = 86_400_000


class Budget:
    """A deadline `milliseconds` from now, and a memory cap for the solver."""

    def __init__(self, milliseconds: int, memory_mb: int = DEFAULT_MEMORY_MB) -> None:
        if isinstance(milliseconds, bool) or not isinstance(milliseconds, int) or not 1 <= milliseconds <= MAX_BUDGET_MS:
            raise LicetError(
                f"the time budget must be a whole number of milliseconds, from 1 to {MAX_BUDGET_MS:,} (a day), not {milliseconds!r}",
                code="licet.budget.invalid",
                hint="e.g. --timeout 20 (seconds) on the command line, timeout_ms=20000 in Python",
            )
        if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb < 16:
            raise LicetError(
                f"the memory budget must be a whole number of megabytes, at least 16, not {memory_mb!r}",
                code="licet.budget.invalid",
                hint="e.g. memory_mb=1024 in Python",
            )
        self.milliseconds = milliseconds
        self.memory_mb = memory_mb
        self.deadline = time.monotonic() + milliseconds / 1000

    def remaining_ms(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def check(self, stage: str) -> None:
        """Raise `OutOfBudget` when the deadline has passed."""
        if self.expired:
            raise OutOfBudget(stage)

    def describe(self) -> str:
        seconds = self.milliseconds / 1000
        return f"{seconds:g} s"
