"""The z3 path and the plain-Python reference evaluator agree on generated scenarios:
on the verdict, and on what an explained verdict says (its conflicts cannot be
met, its obligations hold)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from scenario_strategies import LIBRARY, SLOW, scenarios

import licensing
from licensing.reference import (
    conflict_is_unsatisfiable,
    obligation_entailed,
    reference_verdict,
)
from licensing.scenario import scenario_from_dict


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW)
@given(scenarios())
def test_z3_agrees_with_reference(data):
    scenario = scenario_from_dict(data)
    expected = reference_verdict(scenario, LIBRARY)
    verdict = licensing.check(scenario, library=LIBRARY, explain=False)
    assert verdict.verdict == expected, f"z3 says {verdict.verdict}, reference says {expected} for {data}"


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW)
@given(scenarios())
def test_explained_verdict_is_the_same(data):
    """Explaining (cores, obligations, fixes) never changes the verdict."""
    scenario = scenario_from_dict(data)
    quick = licensing.check(scenario, library=LIBRARY, explain=False)
    full = licensing.check(scenario, library=LIBRARY, explain=True)
    assert quick.verdict == full.verdict
    if full.verdict == "forbidden":
        assert full.conflicts, "a forbidden verdict must name at least one conflict"
    if full.verdict == "allowed":
        assert not full.conflicts


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(scenarios())
def test_reported_conflicts_cannot_be_met(data):
    """Every conflict of a forbidden or depends verdict is unsatisfiable on its
    own: no world meets its clauses under its facts (and its values of what is unknown)."""
    scenario = scenario_from_dict(data)
    quick = licensing.check(scenario, library=LIBRARY, explain=False)
    assume(quick.verdict in ("forbidden", "depends", "unknown"))
    verdict = licensing.check(scenario, library=LIBRARY, explain=True)
    assert verdict.conflicts
    for conflict in verdict.conflicts:
        assert conflict_is_unsatisfiable(scenario, LIBRARY, conflict), f"conflict can be met: {conflict.model_dump()} for {data}"


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(scenarios())
def test_reported_obligations_hold(data):
    """Every obligation of an allowed verdict binds in every compliant world
    that follows the reported plan."""
    scenario = scenario_from_dict(data)
    quick = licensing.check(scenario, library=LIBRARY, explain=False)
    assume(quick.verdict == "allowed")
    verdict = licensing.check(scenario, library=LIBRARY, explain=True)
    for obligation in verdict.obligations:
        assert obligation_entailed(scenario, LIBRARY, verdict, obligation), (
            f"obligation not entailed: {obligation.model_dump()} (release {verdict.release_license}, "
            f"choices {[c.model_dump() for c in verdict.choices]}) for {data}"
        )


# Found by test_reported_obligations_hold: `when` used to be one conjunction of
# open-question values, so a duty that binds "unless A and B" or "when A or B"
# came out with an empty `when`, as if it always bound. `when_any` now says
# exactly when (alternatives of conjunctions). These pin the shapes found.
OBLIGATION_SHAPES = [
    # GCC-exception-3.1 `target_code` relaxes the GPL's source, installation_info
    # and notices for a bundled runtime when work.compiled-object-code and
    # build.eligible-compilation both hold; both are unstated.
    {
        "components": {
            "app": {"kind": "code", "includes": ["rt"]},
            "rt": {"kind": "code", "license": "GPL-3.0-only WITH GCC-exception-3.1"},
        },
        "use": {"target": "app", "actions": ["distribute"]},
    },
    # When the use is commercial with over 100M monthly active users, the
    # tongyi-qianwen option is forbidden (§4) and the plan takes the other one,
    # so tongyi-qianwen's duties do not bind there.
    {
        "components": {"m": {"kind": "weights", "license": "tongyi-qianwen OR bigscience-openrail-m"}},
        "use": {"target": "m", "actions": ["distribute"]},
    },
    # ODbL-1.0 `offer_derivative_database` binds a model trained on the database
    # when weights-derive-from-training-data (role derivative) or
    # use.from-derivative-database holds: not when both are no.
    {
        "components": {"model": {"kind": "weights", "trained-on": ["db"]}, "db": {"kind": "data", "license": "ODbL-1.0"}},
        "use": {"target": "model", "actions": ["distribute"]},
    },
]


@pytest.mark.parametrize("data", OBLIGATION_SHAPES, ids=["gcc-exception", "or-choice-forced", "either-of-two"])
def test_obligations_that_bind_in_some_cases_say_exactly_which(data):
    scenario = scenario_from_dict(data)
    verdict = licensing.check(scenario, library=LIBRARY)
    assert verdict.verdict == reference_verdict(scenario, LIBRARY) == "allowed"
    assert any(o.when_any for o in verdict.obligations)
    for obligation in verdict.obligations:
        assert obligation_entailed(scenario, LIBRARY, verdict, obligation), obligation.model_dump()
