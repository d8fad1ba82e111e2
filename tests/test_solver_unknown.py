"""When the solver gives up, the answer is `unknown`, never `allowed`."""

from __future__ import annotations

import pytest
import z3

import licensing
from licensing import solver
from licensing.cli.main import cli

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


def test_the_budget_reaches_the_solver(monkeypatch):
    """Each solver call is given what is left of the check's budget."""
    budgets: list[int] = []
    original = z3.Solver.set

    def record(self, *args, **kwargs):
        if args and args[0] == "timeout":
            budgets.append(args[1])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(z3.Solver, "set", record)
    licensing.check(SCENARIO, timeout_ms=1234)
    first, budgets[:] = list(budgets), []
    licensing.Engine(timeout_ms=4321).check(SCENARIO)
    # what is left of the budget: never more than was given, shrinking from call to call
    # (no bound from below on the first: how long compiling took is the machine's business)
    assert first and all(0 < b <= 1234 for b in first) and first == sorted(first, reverse=True)
    assert budgets and all(0 < b <= 4321 for b in budgets) and max(budgets) > 1234


def test_invalid_budgets_are_refused(runner):
    for bad in (0, -1, 1.5, True):
        with pytest.raises(licensing.LicetError) as caught:
            licensing.Engine(timeout_ms=bad)
        assert caught.value.code == "licet.budget.invalid"
    with pytest.raises(licensing.LicetError):
        licensing.check(SCENARIO, timeout_ms=0)
    for bad in ("0", "-1", "nan"):
        result = runner.invoke(cli, ["check", "--code", "MIT", "--timeout", bad])
        assert result.exit_code == 2, result.output
        assert "--timeout must be" in result.stderr or "time budget must be" in result.stderr


def test_a_spent_budget_is_unknown_with_the_reason():
    """A budget too small for the question gives `unknown` at once, saying why; never allowed."""
    components = {f"lib{i}": {"kind": "code", "license": "MIT OR Apache-2.0 OR BSD-3-Clause"} for i in range(300)}
    components["app"] = {"kind": "code", "includes": list(components)}
    verdict = licensing.check({"components": components, "use": {"target": "app", "actions": ["distribute"]}}, timeout_ms=1)
    assert verdict.verdict == "unknown"
    assert any("time budget of 0.001 s ran out" in note for note in verdict.notes), verdict.notes


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


# A few golden questions with long explanations: conflicts, a release, choices,
# obligations and ways out (fault injection needs every part exercised).
FAULT_QUESTIONS = {
    "gpl2-apache": {
        "components": {"a": {"kind": "code", "license": "Apache-2.0"}, "g": {"kind": "code", "license": "GPL-2.0-only", "includes": ["a"]}},
        "use": {"target": "g", "actions": ["distribute"]},
    },
    "llama-or-choice": {
        "components": {
            "base": {"kind": "weights", "license": "llama3.1"},
            "lib": {"kind": "code", "license": "MIT OR GPL-3.0-or-later"},
            "app": {"kind": "code", "includes": ["base", "lib"]},
        },
        "use": {"target": "app", "actions": ["serve", "distribute"], "purposes": ["customer-support"]},
    },
}


def _explanation(verdict):
    return (
        verdict.verdict,
        [sorted((c.license, c.clause) for c in conflict.clauses) for conflict in verdict.conflicts],
        [(o.duty, o.license, o.component) for o in verdict.obligations],
        verdict.release_license,
        [c.model_dump_json() for c in verdict.choices],
        [f.model_dump_json() for f in verdict.fixes],
        [d.model_dump_json() for d in verdict.depends_on],
    )


@pytest.mark.parametrize("name", sorted(FAULT_QUESTIONS))
def test_a_solver_call_that_gives_up_never_changes_an_answer_silently(monkeypatch, name):
    """Make each solver call in turn give up: the answer is the same as
    without the fault, or `unknown`, or says which parts are incomplete."""
    question = FAULT_QUESTIONS[name]
    calls = {"n": 0, "fail_at": -1}
    real_check = solver._check_assuming  # every solver call of a check goes through it

    def check(z3_solver, literals):
        calls["n"] += 1
        if calls["n"] == calls["fail_at"]:
            return z3.unknown
        return real_check(z3_solver, literals)

    monkeypatch.setattr(solver, "_check_assuming", check)
    baseline = licensing.check(question)
    total = calls["n"]
    assert total > 5 and not baseline.incomplete
    silent, flagged = [], 0
    for fail_at in range(1, total + 1):
        calls.update(n=0, fail_at=fail_at)
        faulty = licensing.check(question)
        if faulty.verdict == "unknown":
            assert any("gave up" in note or "budget" in note for note in faulty.notes), faulty.notes
            continue
        assert faulty.verdict == baseline.verdict
        if faulty.incomplete:
            flagged += 1
            assert any("may be incomplete" in note for note in faulty.notes)
        elif _explanation(faulty) != _explanation(baseline):
            silent.append(fail_at)
    assert not silent, f"{len(silent)} of {total} faulty calls changed the explanation silently: {silent}"
    assert flagged, "no fault reached the explanation"


def test_the_memory_cap_reaches_the_solver(monkeypatch):
    seen = []
    real_set = z3.Solver.set

    def record(self, *args, **kwargs):
        seen.append(args)
        return real_set(self, *args, **kwargs)

    monkeypatch.setattr(z3.Solver, "set", record)
    licensing.Engine(memory_mb=64).check(SCENARIO)
    assert ("max_memory", 64) in seen


@pytest.mark.parametrize("memory_mb", [0, 8, -1, 1.5, True])
def test_invalid_memory_budgets_are_refused(memory_mb):
    with pytest.raises(licensing.LicetError) as error:
        licensing.Engine(memory_mb=memory_mb)
    assert error.value.code == "licet.budget.invalid"
