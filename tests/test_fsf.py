"""Agreement with the FSF's GPL-compatibility positions (issue 10, hole 5).

Runs benchmarks/fsf_agreement.py's comparison: the FSF license list's
gpl-2-compatible / gpl-3-compatible tags for every license both know, and
every cell of the GNU FAQ compatibility matrix between the GPL and LGPL
versions. Every difference must be listed with a reason in
benchmarks/fsf-disagreements.yaml, and every listed one must still occur.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from benchmark_scripts import load_benchmark

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def _script():
    return load_benchmark("fsf_agreement")


@pytest.fixture(scope="module")
def script():
    return _script()


@pytest.fixture(scope="module")
def comparison(script, library, engine):
    return script.compare(library, engine=engine)


def test_every_difference_from_the_fsf_is_listed_with_a_reason(comparison):
    problems = [
        f"unlisted: [{d.question.source}, {d.question.relation}] {d.question.outbound} <- {d.question.inbound}: "
        f"FSF {d.question.fsf}, licet {d.licet} ({d.question.why}; licet: {d.reason})"
        for d in comparison.unlisted
    ]
    problems += [f"stale entry (licet now agrees with the FSF): {key}" for key in comparison.stale]
    problems += [f"no reason given: {key}" for key in comparison.unjustified]
    assert not problems, "\n".join(problems)


def test_the_comparison_covers_the_licenses_both_know_and_the_whole_matrix(comparison):
    _, asked_list = comparison.figures("license-list")
    _, asked_matrix = comparison.figures("matrix")
    assert asked_list >= 70, asked_list  # ~39 licenses both know, against GPLv2 and GPLv3
    assert asked_matrix >= 90, asked_matrix  # 2 relations x 8 ids x 6 projects, plus the "under X" releases
    assert {q.relation for q in comparison.questions if q.source == "matrix"} == {"derived-from", "combines"}


def test_the_version_cells_of_hole_5_agree_with_the_fsf(comparison):
    """The cells issue 10 hole 5 names: an LGPLv3 library in a GPLv2-only (or
    GPLv2-or-later) program is NO, CC BY 4.0 is compatible with GPLv2 and
    GPLv3. They must not be among the listed differences."""
    differing = {(d.question.outbound, d.question.inbound) for d in comparison.differences}
    named = [q for q in comparison.questions if (q.inbound.startswith("LGPL-3.0") and q.outbound.startswith("GPL-2.0")) or q.inbound == "CC-BY-4.0"]
    assert len(named) >= 6
    assert not [q for q in named if (q.outbound, q.inbound) in differing]


def test_disagreement_entries_are_complete(script):
    entries = script.listed_disagreements()
    assert entries
    for key, entry in entries.items():
        assert {"source", "relation", "outbound", "inbound", "fsf", "licet", "reason"} <= set(entry), entry
        assert entry["source"] in ("license-list", "matrix"), key
        assert entry["relation"] in ("derived-from", "combines"), key
        assert entry["fsf"] in ("Yes", "No") and entry["licet"] in ("Yes", "No", "Unknown"), key
        reason = str(entry["reason"])
        assert len(reason.split()) >= 15, f"{key}: give the reason with its section or source"
        assert "§" in reason or "footnote" in reason or "FSF" in reason, f"{key}: name the section or the FSF text that decides it"


def test_the_fsf_data_says_where_and_when_it_was_read(script):
    text = (BENCHMARKS / "fsf-license-list.yaml").read_text(encoding="utf-8")
    sources = [line for line in text.splitlines() if line.startswith("# SOURCE:")]
    assert len(sources) == 2, sources
    data = script.load_data()
    for source in data["source"].values():
        assert str(source["url"]).startswith("https://www.gnu.org/licenses/")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(source["read"]))
    assert len(data["licenses"]) >= 100
    assert all(set(entry["tags"]) <= {"gpl-2-compatible", "gpl-3-compatible", "libre", "non-free", "fdl-compatible", "viewpoint"} for entry in data["licenses"])
