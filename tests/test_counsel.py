"""A product counsel's questions (tests/scenarios/counsel*.cases.yaml: the
everyday questions, then presumptions, own work and remedies): each case's
verdict is checked by the golden suite; here its human output, the page a
lawyer reads, is pinned exactly in tests/snapshots/counsel/.

After a deliberate change of wording, rewrite the snapshots with
`LICET_UPDATE_SNAPSHOTS=1 pytest tests/test_counsel.py` and read the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from licensing.cases import read_cases
from licensing.render.text import render_verdict
from licensing.scenario import scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
CASES = [case for path in sorted((ROOT / "tests" / "scenarios").glob("counsel*.cases.yaml")) for case in read_cases(path)]
SNAPSHOTS = ROOT / "tests" / "snapshots" / "counsel"
UPDATE = os.environ.get("LICET_UPDATE_SNAPSHOTS") == "1"


def _slug(index: int, name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"{CASES[index].file.name.removesuffix('.cases.yaml')}-{index + 1:02d}-{words[:48].rstrip('-')}.txt"


@pytest.mark.parametrize("index", range(len(CASES)), ids=[_slug(i, c.name)[:-4] for i, c in enumerate(CASES)])
def test_the_page_a_lawyer_reads_is_pinned(engine, index):
    case = CASES[index]
    verdict = engine.check(scenario_from_dict(case.data["scenario"]), name="question.yaml")
    page = render_verdict(verdict)
    snapshot = SNAPSHOTS / _slug(index, case.name)
    if UPDATE:
        snapshot.write_text(page, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot {snapshot.name}: run with LICET_UPDATE_SNAPSHOTS=1"
    assert page == snapshot.read_text(encoding="utf-8")


def test_every_snapshot_belongs_to_a_case():
    wanted = {_slug(i, c.name) for i, c in enumerate(CASES)}
    assert {p.name for p in SNAPSHOTS.glob("*.txt")} <= wanted
