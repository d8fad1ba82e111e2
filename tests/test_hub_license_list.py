"""Every license id of the Hugging Face Hub's license list resolves: to a
rule file with clauses, or (a family id such as `bsd`) to a family whose
members are rule files, so that a card's `license:` never falls silently to
unknown terms. The list is data (rules/registry/hub-licenses.yaml), kept
current with the Hub's documentation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from licensing import Engine
from licensing.scenario import Scenario

HUB_LIST = Path(__file__).resolve().parents[1] / "rules" / "registry" / "hub-licenses.yaml"
ENTRIES = yaml.safe_load(HUB_LIST.read_text(encoding="utf-8"))["licenses"]
# the Hub's own ids for "no license asserted": they resolve to unknown terms on purpose
NO_LICENSE = {"unknown", "other"}


def test_the_list_is_the_hubs_whole_list():
    ids = [entry["id"] for entry in ENTRIES]
    assert len(ids) == len(set(ids)) >= 80
    assert {"apache-2.0", "mit", "llama3.1", "gemma", "bsd", "openrail", "other"} <= set(ids)


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["id"] for entry in ENTRIES])
def test_every_hub_license_id_resolves(library, entry):
    canonical = library.canonical_id(entry["id"])
    assert canonical is not None, f"{entry['id']} ({entry['name']}) resolves to no license"
    lic = library.licenses[canonical]
    if entry["id"] in NO_LICENSE:
        assert lic.fallback  # the block that stands for unknown terms
    elif "one-version" in entry:
        assert canonical == entry["one-version"]
        assert _encoded(lic)
    elif entry["name"].lower().endswith("family"):
        assert lic.is_family, f"{entry['id']} names a family; it should list its members"
        assert all(_encoded(library.licenses[member]) or library.licenses[member].fallback for member in lic.members)
    else:
        assert _encoded(lic), f"{entry['id']} resolves to '{canonical}', which is not a license's own rule file"


def _encoded(lic) -> bool:
    """A license of its own, written in a rule file (clauses or none, for
    licenses with no conditions): not a family, not the unknown-terms block."""
    return lic.span.file.endswith(".lic") and not lic.is_family and not lic.fallback


def test_a_family_id_names_the_member_the_answer_turns_on():
    scenario = Scenario.model_validate(
        {
            "components": {"captions": {"kind": "data", "license": "cc"}, "model": {"kind": "weights", "license": "proprietary", "trained-on": ["captions"]}},
            "use": {"target": "model", "actions": ["run"], "commercial": True},
            "assume": {"training-is-licensed-use": "yes", "weights-derive-from-training-data": "yes"},
        }
    )
    verdict = Engine().check(scenario)
    assert verdict.verdict == "depends"
    [question] = [item for item in verdict.depends_on if item.kind == "license"]
    assert question.assumption == "license of 'captions'"
    assert "Creative Commons license family" in question.question
    outcomes = {case.when: case.verdict for case in question.outcomes}
    assert outcomes["CC-BY-4.0"] == "allowed" and outcomes["CC-BY-NC-4.0"] == "forbidden"
    # each conflict says which member it holds under
    assert all(any(text.startswith("license of 'captions' = ") for text in conflict.assumptions) for conflict in verdict.conflicts)
