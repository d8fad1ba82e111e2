"""When the solver gives up, the answer is `unknown`, never `allowed`."""

from __future__ import annotations

import z3

import licensing
from licensing import solver

SCENARIO = {
    "components": {"lib": {"kind": "code", "license": "MIT"}, "app": {"kind": "code", "includes": ["lib"]}},
    "use": {"target": "app", "actions": ["distribute"], "commercial": True},
}


def test_solver_giving_up_is_unknown(monkeypatch):
    assert licensing.check(SCENARIO).verdict == "allowed"

    def give_up(self, literals):
        return z3.unknown

    monkeypatch.setattr(solver._Session, "check", give_up)
    verdict = licensing.check(SCENARIO)
    assert verdict.verdict == "unknown"
    assert verdict.exit_code == 3


def test_timeout_option_reaches_the_solver(monkeypatch):
    """The budget given to check() is the budget the solver is given."""
    budgets = []
    original = z3.Solver.set

    def record(self, *args, **kwargs):
        if args and args[0] == "timeout":
            budgets.append(args[1])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(z3.Solver, "set", record)
    licensing.check(SCENARIO, timeout_ms=1234)
    licensing.Engine(timeout_ms=4321).check(SCENARIO)
    assert budgets == [1234, 4321]


def test_unknown_terms_are_never_allowed():
    data = {
        "components": {"blob": {"kind": "weights"}, "app": {"kind": "code", "includes": ["blob"]}},
        "use": {"target": "app", "actions": ["distribute"], "commercial": False},
    }
    verdict = licensing.check(data)
    assert verdict.verdict == "unknown"
    assert any("declares no license" in note for note in verdict.notes)
    assert any(c.license == "NOASSERTION" for conflict in verdict.conflicts for c in conflict.clauses)


def test_a_choice_away_from_unknown_terms_is_allowed():
    data = {
        "components": {"blob": {"kind": "weights", "license": "NOASSERTION OR MIT"}, "app": {"kind": "code", "includes": ["blob"]}},
        "use": {"target": "app", "actions": ["distribute"], "commercial": False},
    }
    verdict = licensing.check(data)
    assert verdict.verdict == "allowed"
    assert [(c.component, c.chosen) for c in verdict.choices] == [("blob", "MIT")]
