"""Hypothesis strategies for generated scenarios over the real library, shared
by the property tests (agreement with the reference evaluator, monotonicity)."""

from __future__ import annotations

from hypothesis import HealthCheck
from hypothesis import strategies as st

import licensing
import licensing.nodes as n
from licensing.scenario import COMMERCIAL_FLAG

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
