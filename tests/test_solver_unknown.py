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


def test_timeout_option_reaches_the_solver():
    verdict = licensing.check(SCENARIO, timeout_ms=1)
    assert verdict.verdict in ("allowed", "unknown")  # a 1 ms budget may or may not suffice; never a wrong answer


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
