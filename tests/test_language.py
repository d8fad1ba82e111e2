"""Constructs of the rule language, on small rule sets written for the test."""

from __future__ import annotations

import shutil

import pytest

import licensing
import licensing.nodes
from licensing import load_library
from licensing.paths import rules_dir
from licensing.reference import reference_verdict
from licensing.scenario import scenario_from_dict

TEST_RULES = '''
license "Research-Grant" {
  title "A license that grants research use and noncommercial sharing, and nothing else"
  clause research_use § "1"
    > "for research purposes only"
    forbid any when (run or modify) and not purpose in {research}
  clause noncommercial_sharing § "2"
    forbid any when distribute and use.commercial
  clause nothing_else § "3"
    > "all rights not expressly granted are reserved"
    forbid any when serve
}

license "Research-Only" {
  title "A license for research purposes only"
  clause research_only § "1"
    forbid any when not purpose only in {research}
}

license "Threshold" {
  title "A license with a numeric threshold and an exception"
  clause big_licensees § "2"
    forbid any when licensee.annual-revenue-usd >= 1_000_000 unless purpose in {research}
}

license "Copyleft" {
  title "A copyleft license whose clauses an exception relaxes"
  clause copyleft § "1"
    require that release.license in {"Copyleft"} when distribute and role in {self, derivative, bundled}
}

license "Closed" {
  title "Closed terms"
  clause closed § "1"
    impose proprietary-terms when role in {self, derivative, bundled}
}

exception "Linking-Exception" {
  title "Linking exception"
  clause linking § "1"
    relax copyleft when role == bundled
}
'''


@pytest.fixture(scope="module")
def test_library(tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    shutil.copy(rules_dir() / "vocabulary.lic", root / "vocabulary.lic")
    (root / "test.lic").write_text(TEST_RULES, encoding="utf-8")
    return load_library(root)


def _check(library, components, **use):
    data = {"components": components, "use": {"target": next(iter(components)), **use}}
    verdict = licensing.check(data, library=library)
    reference = reference_verdict(scenario_from_dict(data), library)
    assert verdict.verdict == reference, f"z3 {verdict.verdict} vs reference {reference}"
    return verdict


def _cited(verdict):
    return {c.clause for conflict in verdict.conflicts for c in conflict.clauses}


def test_grant_allows_what_no_clause_forbids(test_library):
    v = _check(test_library, {"m": {"kind": "weights", "license": "Research-Grant"}}, actions=["run"], purposes=["research"], commercial=True)
    assert v.verdict == "allowed"


def test_grant_forbids_what_it_does_not_grant(test_library):
    v = _check(test_library, {"m": {"kind": "weights", "license": "Research-Grant"}}, actions=["serve"], commercial=False)
    assert v.verdict == "forbidden"
    assert _cited(v) == {"nothing_else"}  # explained by the clause that reserves every use it does not grant


def test_forbid_condition_on_an_unstated_fact_depends(test_library):
    v = _check(test_library, {"m": {"kind": "weights", "license": "Research-Grant"}}, actions=["distribute"])
    assert v.verdict == "depends"
    assert v.depends_on[0].assumption == "use.commercial"
    assert (v.depends_on[0].yes, v.depends_on[0].no) == ("forbidden", "allowed")


def test_threshold_and_unless(test_library):
    big = _check(
        test_library, {"m": {"kind": "weights", "license": "Threshold"}}, actions=["run"], purposes=["customer-support"], facts={"licensee.annual-revenue-usd": 2_000_000}
    )
    assert big.verdict == "forbidden" and _cited(big) == {"big_licensees"}
    research = _check(
        test_library, {"m": {"kind": "weights", "license": "Threshold"}}, actions=["run"], purposes=["research"], facts={"licensee.annual-revenue-usd": 2_000_000}
    )
    assert research.verdict == "allowed"


def test_a_qualifying_purpose_is_an_open_question_when_the_use_states_none(test_library):
    """`research` is qualifying: with no purpose stated, whether the use is
    research is asked, not presumed "no" (issue 10, hole 9)."""
    v = _check(test_library, {"m": {"kind": "weights", "license": "Threshold"}}, actions=["run"], facts={"licensee.annual-revenue-usd": 2_000_000})
    assert v.verdict == "depends"
    assert [(d.assumption, d.kind, d.yes, d.no) for d in v.depends_on] == [("research", "purpose", "allowed", "forbidden")]
    assert v.depends_on[0].asked_by == ["Threshold § 2 (big_licensees)"]


def test_purpose_only_in_fails_when_the_use_has_another_purpose_too(test_library):
    """`purpose in` holds when one purpose matches; `purpose only in` also
    needs no other purpose: research plus customer support is not research only."""
    weights = {"m": {"kind": "weights", "license": "Research-Only"}}
    assert _check(test_library, weights, actions=["run"], purposes=["research"]).verdict == "allowed"
    mixed = _check(test_library, weights, actions=["run"], purposes=["research", "customer-support"])
    assert mixed.verdict == "forbidden" and _cited(mixed) == {"research_only"}
    # a purpose within research's own family is not "another purpose"; one overlapping another is an open question
    assert _check(test_library, weights, actions=["run"], purposes=["healthcare"]).verdict == "forbidden"


def test_purpose_only_in_lists_the_purposes_that_break_it(test_library):
    clause = test_library.licenses["Research-Only"].clause("research_only")
    (only,) = licensing.nodes.find_all(clause.when, licensing.nodes.PurposeOnlyIn)
    assert only.values == ("research",)
    assert "customer-support" in only.others and "research" not in only.others


def test_unstated_number_is_checked_in_every_range(test_library):
    v = _check(test_library, {"m": {"kind": "weights", "license": "Threshold"}}, actions=["run"], purposes=["customer-support"])
    assert v.verdict == "depends"
    cases = [(c.when, c.verdict) for c in v.depends_on[0].cases]
    # the rule says `>= 1_000_000`: the threshold itself is on the forbidden side
    assert cases == [("< 1,000,000", "allowed"), ("≥ 1,000,000", "forbidden")]


def test_exception_relaxes_the_named_clause(test_library):
    components = {
        "app": {"kind": "code", "license": "Closed", "includes": ["lib"]},
        "lib": {"kind": "code", "license": "Copyleft"},
    }
    without = _check(test_library, components, actions=["distribute"])
    assert without.verdict == "forbidden" and "copyleft" in _cited(without)
    components["lib"] = {"kind": "code", "license": "Copyleft WITH Linking-Exception"}
    with_exception = _check(test_library, components, actions=["distribute"])
    assert with_exception.verdict == "allowed"


def test_exception_does_not_relax_a_modified_copy(test_library):
    components = {
        "fork": {"kind": "code", "license": "Closed", "derived-from": ["lib"]},
        "lib": {"kind": "code", "license": "Copyleft WITH Linking-Exception"},
    }
    v = _check(test_library, components, actions=["distribute"])
    assert v.verdict == "forbidden"


def test_or_choice_is_made_and_reported(test_library):
    components = {"app": {"kind": "code", "includes": ["lib"]}, "lib": {"kind": "code", "license": "Research-Grant OR Threshold"}}
    v = _check(test_library, components, actions=["distribute"], commercial=True, facts={"licensee.annual-revenue-usd": 10})
    assert v.verdict == "allowed"
    assert [(c.component, c.chosen) for c in v.choices] == [("lib", "Threshold")]
