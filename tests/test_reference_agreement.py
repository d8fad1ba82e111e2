"""The z3 path and the plain-Python reference evaluator agree on generated scenarios:
on the verdict, and on what an explained verdict says (its conflicts cannot be
met, its obligations hold)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import licensing
import licensing.nodes as n
from licensing.reference import conflict_is_unsatisfiable, obligation_entailed, reference_verdict
from licensing.scenario import COMMERCIAL_FLAG, scenario_from_dict

LIBRARY = licensing.load_library()
LICENSE_IDS = sorted(LIBRARY.licenses)
RELATIONS = sorted(LIBRARY.vocabulary.relations)
KINDS = list(LIBRARY.vocabulary.names("kind"))
ACTIONS = list(LIBRARY.vocabulary.names("action"))
PURPOSES = list(LIBRARY.vocabulary.names("purpose"))
ASSUMPTIONS = list(LIBRARY.vocabulary.names("assumption"))
EXCEPTIONS = sorted(LIBRARY.exceptions)
# the yes/no facts the library's licenses test (use.commercial has a key of its own)
FLAGS = sorted(
    {name for lic in LIBRARY.all_ids() for kind, name in LIBRARY.words_tested(lic) if kind == "flag"} - {COMMERCIAL_FLAG}
)
# the thresholds the rules compare each number with, and values on and around them
THRESHOLDS: dict[str, set[float]] = {}
for _block in [*LIBRARY.licenses.values(), *LIBRARY.exceptions.values()]:
    for _compare in n.find_all(_block, n.Compare):
        THRESHOLDS.setdefault(_compare.number, set()).add(_compare.value)
NUMBER_VALUES = {
    number: sorted({int(v) for t in thresholds for v in (t / 2, t - 1, t, t + 1, t * 2)})
    for number, thresholds in sorted(THRESHOLDS.items())
}

SLOW = [HealthCheck.too_slow, HealthCheck.filter_too_much]


def _fits(license_id: str, exception: str) -> bool:
    """Whether the exception relaxes a clause the license (or a version it offers) has."""
    relaxed = {
        name for clause in LIBRARY.exceptions[exception].clauses if isinstance(clause.effect, n.Relax) for name in clause.effect.clauses
    }
    offered = LIBRARY.licenses[license_id].offers or (license_id,)
    fits = LIBRARY.exceptions[exception].applies_to
    if fits:
        return license_id in fits or bool(set(offered) & set(fits))
    return any(LIBRARY.licenses[choice].clause(name) for choice in offered for name in relaxed)


# License WITH exception pairs the library accepts (an exception that does not
# fit its license is a scenario error, tested in test_errors).
WITH_PAIRS = sorted((lic, exc) for lic in LICENSE_IDS for exc in EXCEPTIONS if _fits(lic, exc))


@st.composite
def license_expressions(draw):
    first = draw(st.sampled_from(LICENSE_IDS))
    shape = draw(st.sampled_from(["plain", "plain", "plain", "or", "and", "with"]))
    if shape == "or":
        return f"{first} OR {draw(st.sampled_from(LICENSE_IDS))}"
    if shape == "and":
        return f"{first} AND {draw(st.sampled_from(LICENSE_IDS))}"
    if shape == "with" and WITH_PAIRS:
        license_id, exception = draw(st.sampled_from(WITH_PAIRS))
        return f"{license_id} WITH {exception}"
    return first


def _carried_licenses(expression: str) -> list[str]:
    """The licenses a component under `expression` carries, offers expanded."""
    return sorted(
        {
            offered
            for option in LIBRARY.parse_expression(expression).options
            for license_id, _ in option.terms
            for offered in LIBRARY.licenses[license_id].offers or (license_id,)
        }
    )


@st.composite
def waivers(draw, components):
    """A waiver of one component's license, or of one clause of it; in effect or expired."""
    licensed = [name for name, component in components.items() if "license" in component]
    if not licensed:
        return None
    name = draw(st.sampled_from(licensed))
    license_id = draw(st.sampled_from(_carried_licenses(components[name]["license"])))
    waiver = {"component": name, "by": "legal", "reason": "accepted"}
    if draw(st.booleans()):
        waiver["license"] = license_id
    clauses = [c.name for c in LIBRARY.licenses[license_id].clauses]
    if clauses and draw(st.booleans()):
        waiver["clause"] = draw(st.sampled_from(clauses))
    expires = draw(st.sampled_from([None, "2001-01-01", "2999-01-01"]))
    if expires is not None:
        waiver["expires"] = expires
    return waiver


@st.composite
def scenarios(draw):
    count = draw(st.integers(min_value=1, max_value=4))
    names = [f"c{i}" for i in range(count)]
    components = {}
    for i, name in enumerate(names):
        component = {"kind": draw(st.sampled_from(KINDS))}
        # the target may declare no license; another component rarely (the fallback then applies)
        if (i > 0 and draw(st.integers(0, 9)) > 0) or (i == 0 and draw(st.booleans())):
            component["license"] = draw(license_expressions())
        for j in range(i + 1, count):
            if draw(st.booleans()):
                relation = draw(st.sampled_from(RELATIONS))
                component.setdefault(relation, []).append(names[j])
        components[name] = component
    use = {"target": "c0", "actions": draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3, unique=True))}
    commercial = draw(st.sampled_from([None, True, False]))
    if commercial is not None:
        use["commercial"] = commercial
    use["purposes"] = draw(st.lists(st.sampled_from(PURPOSES), max_size=2, unique=True))
    facts = {}
    for flag in draw(st.lists(st.sampled_from(FLAGS), max_size=3, unique=True)):
        facts[flag] = draw(st.booleans())
    for number, values in NUMBER_VALUES.items():
        value = draw(st.sampled_from([None, *values]))
        if value is not None:
            facts[number] = value
    if facts:
        use["facts"] = facts
    if draw(st.integers(0, 9)) == 0:
        use["release-license"] = draw(st.sampled_from(list(LIBRARY.release_domain)))
    assume = {}
    for name in ASSUMPTIONS:
        value = draw(st.sampled_from([None, "yes", "no"]))
        if value is not None:
            assume[name] = value
    data = {"components": components, "use": use, "assume": assume}
    if draw(st.integers(0, 4)) == 0:
        waiver = draw(waivers(components))
        if waiver is not None:
            data["waivers"] = [waiver]
    return data


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
