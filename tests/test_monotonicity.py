"""Adding to a question never turns a "no" into a "yes" (issue 10).

For generated scenarios whose answer is forbidden, depends or unknown, adding
a component, a purpose or a license nobody knows must never give `allowed`.

Where the semantics is not monotone, on purpose, the generators stay out and
say why:
- a purpose named in a carve-out (`unless purpose in {...}`, or under `not`,
  as in "not for research only") can lift a restriction: Gemma's PUP exempts
  content made for artistic purposes; and when a use states no purpose at all,
  the `qualifying` ones (research) are open questions that stating one
  answers. So a purpose is only added to uses that state one already, and
  never a carve-out purpose;
- a license named in `lineage.license` exempts works derived from it ("Llama 2
  or derivative works thereof", Llama 2 §1.b.v): adding the Llama 2 base a
  model was fine-tuned from can lift the restriction on training with Llama 2
  outputs. Added components never carry such a license.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from scenario_strategies import KINDS, LIBRARY, PURPOSES, RELATIONS, SLOW, scenarios

import licensing
import licensing.nodes as n
from licensing.scenario import scenario_from_dict


def _purpose_tests(cond: n.Condition, positive: bool):
    """The purpose tests of a condition, each with whether it counts for (True)
    or against (False) the condition holding."""
    match cond:
        case n.AllOf(items=items) | n.AnyOf(items=items):
            for item in items:
                yield from _purpose_tests(item, positive)
        case n.Not(item=item):
            yield from _purpose_tests(item, not positive)
        case n.PurposeIn() | n.PurposeOnlyIn():
            yield cond, positive
        case _:
            pass


def _carve_out_purposes() -> frozenset[str]:
    """Purposes whose being stated can make a clause's condition false: a
    `purpose in` that counts against it, or a `purpose only in` (one more
    purpose makes it false) that counts for it."""
    found: set[str] = set()
    for block in [*LIBRARY.licenses.values(), *LIBRARY.exceptions.values()]:
        for clause in block.clauses:
            tests = [*_purpose_tests(clause.when, True), *_purpose_tests(clause.unless, False)]
            for test, positive in tests:
                if isinstance(test, n.PurposeIn) and not positive:
                    found.update(test.values)
                if isinstance(test, n.PurposeOnlyIn) and positive:
                    found.update(PURPOSES)
    return frozenset(found)


def _lineage_licenses() -> frozenset[str]:
    return frozenset(v for block in LIBRARY.licenses.values() for test in n.find_all(block, n.LineageIn) for v in test.values)


CARVE_OUT_PURPOSES = _carve_out_purposes()
ADDABLE_PURPOSES = [p for p in PURPOSES if p not in CARVE_OUT_PURPOSES]
LINEAGE = _lineage_licenses()
ADDABLE_LICENSES = sorted(
    lic for lic in LIBRARY.licenses if lic not in LINEAGE and not set(LIBRARY.licenses[lic].offers or ()) & LINEAGE
)


def _verdict(data: dict) -> str:
    return licensing.check(scenario_from_dict(data), library=LIBRARY, explain=False).verdict


def _copy(data: dict) -> dict:
    return {
        "components": {name: {k: (list(v) if isinstance(v, list) else v) for k, v in c.items()} for name, c in data["components"].items()},
        "use": {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v) for k, v in data["use"].items()},
        **{k: v for k, v in data.items() if k not in ("components", "use")},
    }


def test_the_exclusions_are_what_the_docstring_says():
    # if these change, the docstring's reasons must be read again
    assert "research" in CARVE_OUT_PURPOSES  # MRL/MNPL "only for research"
    assert {"llama2"} <= LINEAGE
    assert "medical-advice" in ADDABLE_PURPOSES


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(scenarios(), st.data())
def test_adding_a_component_never_allows(data, draw):
    before = _verdict(data)
    if before == "allowed":
        return
    grown = _copy(data)
    parent = draw.draw(st.sampled_from(sorted(grown["components"])), label="parent")
    relation = draw.draw(st.sampled_from(RELATIONS), label="relation")
    grown["components"]["added"] = {"kind": draw.draw(st.sampled_from(KINDS)), "license": draw.draw(st.sampled_from(ADDABLE_LICENSES))}
    grown["components"][parent].setdefault(relation, []).append("added")
    after = _verdict(grown)
    assert after != "allowed", f"{before} became allowed by adding {grown['components']['added']} as {relation} of {parent}: {data}"


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(scenarios(), st.data())
def test_adding_a_purpose_never_allows(data, draw):
    if not data["use"].get("purposes"):
        return  # no purpose stated: the qualifying ones are open questions (see above)
    before = _verdict(data)
    if before == "allowed":
        return
    grown = _copy(data)
    added = draw.draw(st.sampled_from([p for p in ADDABLE_PURPOSES if p not in grown["use"]["purposes"]]), label="purpose")
    grown["use"]["purposes"].append(added)
    after = _verdict(grown)
    assert after != "allowed", f"{before} became allowed by adding purpose {added}: {data}"


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(scenarios(), st.data())
def test_adding_an_unknown_license_never_allows(data, draw):
    before = _verdict(data)
    if before == "allowed":
        return
    grown = _copy(data)
    licensed = sorted(name for name, c in grown["components"].items() if "license" in c)
    if licensed and draw.draw(st.booleans(), label="onto an existing license"):
        name = draw.draw(st.sampled_from(licensed), label="component")
        grown["components"][name]["license"] = f"({grown['components'][name]['license']}) AND NOASSERTION"
    else:
        parent = draw.draw(st.sampled_from(sorted(grown["components"])), label="parent")
        relation = draw.draw(st.sampled_from(RELATIONS), label="relation")
        grown["components"]["mystery"] = {"kind": draw.draw(st.sampled_from(KINDS)), "license": "NOASSERTION"}
        grown["components"][parent].setdefault(relation, []).append("mystery")
    after = _verdict(grown)
    assert after != "allowed", f"{before} became allowed by adding an unknown license: {grown}"
