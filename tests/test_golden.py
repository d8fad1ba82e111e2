"""Golden cases, run in-process: the DIGEST examples and regressions in
tests/scenarios/, and each rule file's pinning cases (rules/**/*.cases.yaml,
shipped beside the rules so `licet test` can run them). A case with an
`outcome` snapshot is compared exactly (see licensing.cases); one CLI smoke
test runs cases through `licet test`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from licensing.cases import OUTCOME_KEY, read_cases, run_case
from licensing.cli.main import cli

ROOT = Path(__file__).parent.parent
SCENARIOS = ROOT / "tests" / "scenarios"
RULES = ROOT / "rules"


def _case_files() -> list[Path]:
    return sorted(SCENARIOS.rglob("*.yaml")) + sorted(RULES.rglob("*.cases.yaml"))


CASES = [pytest.param(case, id=f"{case.file.relative_to(ROOT)}::{case.name}") for path in _case_files() for case in read_cases(path)]


def test_every_case_file_holds_cases():
    files = _case_files()
    assert len(files) >= 80
    assert all(read_cases(path) for path in files)


def test_every_case_has_an_exact_outcome():
    missing = [f"{p.values[0].file.name}: {p.values[0].name}" for p in CASES if OUTCOME_KEY not in p.values[0].data]
    assert not missing, f"cases without an outcome (run `licet test --update`): {missing[:10]}"


@pytest.mark.parametrize("case", CASES)
def test_golden_case(case, engine):
    result = run_case(case, engine)
    assert result.passed, "\n".join(result.problems)


def test_cases_through_the_command_line(runner):
    result = runner.invoke(cli, ["test", str(RULES / "code" / "gpl-2.0-only.lic"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(yaml.safe_load(result.stdout)) == len(read_cases(RULES / "code" / "gpl-2.0-only.cases.yaml"))


# DIGEST §4's worked examples, by number; each has at least one golden case
# named "<number>: …" or "<number> (variant): …" in tests/scenarios/digest*.cases.yaml.
DIGEST_EXAMPLES = {1, 3, 4, 6, 7, 11, 12, 13, 17, 18, 21, 22, 24}


def test_every_digest_worked_example_is_a_golden_case():
    covered = set()
    for path in SCENARIOS.glob("digest*.cases.yaml"):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            head = case["name"].split(":")[0].split(" ")[0]
            if head.isdigit():
                covered.add(int(head))
    assert DIGEST_EXAMPLES <= covered, f"worked examples without a golden case: {sorted(DIGEST_EXAMPLES - covered)}"
