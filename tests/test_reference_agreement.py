"""The z3 path and the plain-Python reference evaluator agree on generated scenarios."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import licensing
from licensing import load_library
from licensing.reference import reference_verdict
from licensing.scenario import resolve, scenario_from_dict

LIBRARY = load_library()
LICENSE_IDS = sorted(LIBRARY.licenses)
RELATIONS = sorted(LIBRARY.vocabulary.relations)
KINDS = list(LIBRARY.vocabulary.names("kind"))
ACTIONS = list(LIBRARY.vocabulary.names("action"))
PURPOSES = ["medical-advice", "military", "customer-support", "research", "law-enforcement-prediction"]
ASSUMPTIONS = list(LIBRARY.vocabulary.names("assumption"))
EXCEPTIONS = sorted(LIBRARY.exceptions)


def _fits(license_id: str, exception: str) -> bool:
    """Whether the exception relaxes a clause the license (or a version it offers) has."""
    relaxed = {word for clause in LIBRARY.exceptions[exception].clauses for word in clause.words}
    offered = LIBRARY.licenses[license_id].offers or (license_id,)
    fits = LIBRARY.exceptions[exception].applies_to
    if fits:
        return license_id in fits or bool(set(offered) & set(fits))
    return any(LIBRARY.licenses[choice].clause(word) for choice in offered for word in relaxed)


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


@st.composite
def scenarios(draw):
    count = draw(st.integers(min_value=1, max_value=4))
    names = [f"c{i}" for i in range(count)]
    components = {}
    for i, name in enumerate(names):
        component = {"kind": draw(st.sampled_from(KINDS))}
        if i > 0 or draw(st.booleans()):
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
    users = draw(st.sampled_from([None, 5_000_000, 700_000_000, 800_000_000]))
    if users is not None:
        use["facts"] = {"licensee.monthly-active-users": users}
    if draw(st.integers(0, 9)) == 0:
        use["release-license"] = draw(st.sampled_from(list(LIBRARY.release_domain)))
    assume = {}
    for name in ASSUMPTIONS:
        value = draw(st.sampled_from([None, "yes", "no"]))
        if value is not None:
            assume[name] = value
    return {"components": components, "use": use, "assume": assume}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_z3_agrees_with_reference(data):
    scenario = scenario_from_dict(data)
    expected = reference_verdict(resolve(scenario, LIBRARY))
    verdict = licensing.check(scenario, library=LIBRARY, explain=False)
    assert verdict.verdict == expected, f"z3 says {verdict.verdict}, reference says {expected} for {data}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
