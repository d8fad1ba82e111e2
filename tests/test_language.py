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


# ---------------------------------------------------------------- remedies and duty words (issue 12)

REMEDY_RULES = '''
license "Big-Users" {
  title "A license that sends big licensees to the licensor"
  clause big § "2"
    > "you must request a license from us"
    forbid any when licensee.monthly-active-users > 1_000 and not licensee.in-eu
    remedy "request a license from the licensor"
    remedy "buy the enterprise edition" § "2(b)"
  clause badge § "3"
    require display-badge "Built with Big", include-license-text when distribute
}

license "Commercial-No" {
  title "A license that forbids commercial use"
  clause nc § "1"
    forbid any when use.commercial
}
'''


@pytest.fixture(scope="module")
def remedy_library(tmp_path_factory):
    root = tmp_path_factory.mktemp("remedy-rules")
    shutil.copy(rules_dir() / "vocabulary.lic", root / "vocabulary.lic")
    (root / "test.lic").write_text(REMEDY_RULES, encoding="utf-8")
    return load_library(root)


def test_a_duty_may_carry_the_words_the_license_fixes(remedy_library):
    effect = remedy_library.licenses["Big-Users"].clause("badge").effect
    assert isinstance(effect, licensing.nodes.RequireDuties)
    assert effect.duties == ("display-badge", "include-license-text")
    assert effect.words == (("display-badge", "Built with Big"),)
    assert effect.words_for("display-badge") == "Built with Big" and effect.words_for("include-license-text") is None


def test_a_remedy_cites_the_clause_section_unless_it_names_its_own(remedy_library):
    clause = remedy_library.licenses["Big-Users"].clause("big")
    assert [(r.words, r.section) for r in clause.remedies] == [("request a license from the licensor", "2"), ("buy the enterprise edition", "2(b)")]


def test_an_obligation_prints_the_words_of_its_duty(remedy_library):
    v = _check(remedy_library, {"m": {"kind": "weights", "license": "Big-Users"}}, actions=["distribute"], facts={"licensee.monthly-active-users": 10})
    assert v.verdict == "allowed"
    words = {o.duty: o.words for o in v.obligations}
    assert words == {"display-badge": "Built with Big", "include-license-text": None}
    from licensing.render import text

    # the full listing (`--detail`) prints each obligation with its words
    render = getattr(text, "render_verdict_detail", text.render_verdict)
    assert '"Built with Big"' in render(v)


def test_the_remedy_of_a_clause_in_conflict_is_a_way_out_and_a_circumstance_is_not(remedy_library):
    v = _check(
        remedy_library,
        {"m": {"kind": "weights", "license": "Big-Users"}},
        actions=["run"],
        facts={"licensee.monthly-active-users": 5_000, "licensee.in-eu": False},
    )
    assert v.verdict == "forbidden"
    remedies = [(f.words, f.license, f.section, f.then) for f in v.fixes if f.kind == "remedy"]
    assert remedies == [
        ("request a license from the licensor", "Big-Users", "2", "allowed"),
        ("buy the enterprise edition", "Big-Users", "2(b)", "allowed"),
    ]
    assert v.fixes[0].change == "request a license from the licensor (offered by Big-Users § 2)"
    # where the licensee is, is not the user's to change: no "make licensee.in-eu true"
    assert not any(f.kind == "flip-flag" for f in v.fixes)


def test_a_flag_the_user_decides_is_still_offered(remedy_library):
    v = _check(remedy_library, {"m": {"kind": "weights", "license": "Commercial-No"}}, actions=["run"], commercial=True)
    assert v.verdict == "forbidden"
    assert [(f.kind, f.fact.name if f.fact else None) for f in v.fixes if f.kind == "flip-flag"] == [("flip-flag", "use.commercial")]
    assert not any(f.kind == "remedy" for f in v.fixes)


@pytest.mark.parametrize(
    ("rules", "vocabulary", "message"),
    [
        ('license "X" {\n  clause d § "1"\n    require attribution\n    remedy "ask"\n}\n', "", "has no remedy to offer"),
        ("", '\naction frobnicate "x" decided-by-user\n', "only flags are `decided-by-user`"),
    ],
)
def test_misplaced_remedy_and_decided_by_user_are_errors(tmp_path, rules, vocabulary, message):
    text = (rules_dir() / "vocabulary.lic").read_text(encoding="utf-8") + vocabulary
    (tmp_path / "vocabulary.lic").write_text(text, encoding="utf-8")
    (tmp_path / "bad.lic").write_text(rules, encoding="utf-8")
    with pytest.raises(licensing.errors.RuleError) as caught:
        load_library(tmp_path)
    assert message in str(caught.value)


def test_the_words_of_a_duty_are_held_to_a_short_quote():
    from licensing.syntax import parse_rules

    long_words = " ".join(["word"] * 31)
    with pytest.raises(licensing.errors.RuleError, match="at most 30"):
        parse_rules(f'license "X" {{\n  clause d § "1"\n    require attribution "{long_words}"\n}}\n', "x.lic")


# ---------------------------------------------------------------- presumed facts and own work (issue 12, items 1, 2, 9)

PRESUMED_VOCABULARY = '''
flag test.end-user "the licensee only gets the work inside someone else's product"
presume test.end-user no "you are not merely an end user of someone else's product"
'''

PRESUMED_RULES = '''
license "Presumed-Threshold" {
  title "A license whose threshold spares end users"
  clause big § "2"
    forbid any when licensee.monthly-active-users > 1000 unless test.end-user
}
'''


@pytest.fixture(scope="module")
def presumed_library(tmp_path_factory):
    root = tmp_path_factory.mktemp("presumed-rules")
    text = (rules_dir() / "vocabulary.lic").read_text(encoding="utf-8") + PRESUMED_VOCABULARY
    (root / "vocabulary.lic").write_text(text, encoding="utf-8")
    (root / "test.lic").write_text(PRESUMED_RULES, encoding="utf-8")
    return load_library(root)


def test_a_presumption_is_parsed_into_the_vocabulary(presumed_library):
    presumption = presumed_library.vocabulary.presumptions["test.end-user"]
    assert (presumption.fact, presumption.value) == ("test.end-user", False)
    assert presumption.text.startswith("you are not merely")


def test_an_unstated_presumed_fact_takes_the_presumed_value_and_is_listed(presumed_library):
    components = {"app": {"kind": "code", "license": "Presumed-Threshold"}}
    verdict = _check(presumed_library, components, actions=["run"], facts={"licensee.monthly-active-users": 5000})
    assert verdict.verdict == "forbidden" and not verdict.depends_on
    [presumption] = verdict.presumptions
    assert presumption.fact == "test.end-user" and presumption.value is False
    assert "state `test.end-user: yes`" in presumption.text
    facts = [f for conflict in verdict.conflicts for f in conflict.fact_refs if f.name == "test.end-user"]
    assert facts and all(f.presumed for f in facts)
    assert not any(f.kind == "flip-flag" for f in verdict.fixes), "a presumption is not a change to offer"


def test_a_stated_fact_overrides_the_presumption(presumed_library):
    components = {"app": {"kind": "code", "license": "Presumed-Threshold"}}
    verdict = _check(presumed_library, components, actions=["run"], facts={"licensee.monthly-active-users": 5000, "test.end-user": True})
    assert verdict.verdict == "allowed" and verdict.presumptions == []


def test_a_presumption_no_clause_reads_is_not_listed(presumed_library):
    verdict = _check(presumed_library, {"app": {"kind": "code", "license": "Presumed-Threshold"}}, actions=["run"], facts={"licensee.monthly-active-users": 10})
    assert [p.fact for p in verdict.presumptions] == ["test.end-user"]  # read by a clause reaching the question
    verdict = _check(load_library(), {"app": {"kind": "code", "license": "MIT"}}, actions=["run"])
    assert verdict.presumptions == []  # no clause of the question reads a presumed fact


@pytest.mark.parametrize(
    ("vocabulary", "message"),
    [
        ('\npresume licensee.monthly-active-users no "numbers have no presumption"\n', "only yes/no facts can be presumed"),
        ('\npresume licensee.in-eu no "a"\npresume licensee.in-eu yes "b"\n', "presumption for 'licensee.in-eu' is declared twice"),
    ],
)
def test_bad_presumptions_are_errors(tmp_path, vocabulary, message):
    text = (rules_dir() / "vocabulary.lic").read_text(encoding="utf-8") + vocabulary
    (tmp_path / "vocabulary.lic").write_text(text, encoding="utf-8")
    with pytest.raises(licensing.errors.RuleError) as caught:
        load_library(tmp_path)
    assert message in str(caught.value)


def test_own_work_relations_are_marked_in_the_vocabulary():
    relations = load_library().vocabulary.relations
    assert {name for name, r in relations.items() if r.own_work} == {"derived-from", "trained-on", "generated-by", "combines", "includes"}


@pytest.mark.parametrize(
    ("middle", "expected"),
    [
        ({"kind": "weights", "derived-from": ["base"]}, "allowed"),  # own work: no terms of its own
        ({"kind": "weights", "license": "other", "derived-from": ["base"]}, "unknown"),  # declared other: unknown terms
        ({"kind": "weights"}, "unknown"),  # a leaf with no license: unknown terms
        ({"kind": "weights", "ships-with": ["base"]}, "unknown"),  # aggregation does not make it one's own work
    ],
)
def test_a_component_without_a_license_is_own_work_only_when_made_from_others(middle, expected):
    components = {
        "app": {"kind": "code", "license": "MIT", "includes": ["middle"]},
        "middle": middle,
        "base": {"kind": "weights", "license": "Apache-2.0"},
    }
    verdict = _check(load_library(), components, actions=["distribute"], commercial=True)
    assert verdict.verdict == expected
    own = [note for note in verdict.notes if "your own work" in note]
    assert bool(own) == (expected == "allowed")


def test_an_unknown_license_id_suggests_its_family_and_license_other():
    library = load_library()
    for name, wanted, unwanted in [("acme-eula", None, "Apache"), ("gpl3", "GPL-3.0-only", "LGPL"), ("mpl2", "MPL-2.0", "mnpl"), ("Apahce-2.0", "Apache-2.0", None)]:
        with pytest.raises(licensing.errors.UnknownLicenseError) as caught:
            library.parse_expression(name)
        hint = caught.value.hint or ""
        assert "license: other" in hint
        if wanted:
            assert f"'{wanted}'" in hint
        if unwanted:
            assert unwanted not in hint.split("Or,")[0]


def test_an_unknown_fact_is_named_with_the_list():
    data = {"components": {"a": {"kind": "code", "license": "MIT"}}, "use": {"target": "a", "actions": ["run"], "facts": {"foo": 5}}}
    with pytest.raises(licensing.errors.ScenarioError) as caught:
        licensing.check(data)
    assert "unknown fact 'foo'" in str(caught.value) and "licensee.monthly-active-users" in (caught.value.hint or "")
