"""Golden cases run through `licet check --format json`: the DIGEST examples and
regressions in tests/scenarios/, and each rule file's pinning cases
(rules/**/*.cases.yaml, shipped beside the rules so `licet test` can run them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from expectations import EXIT_CODES, check_expectations
from licensing.cli.main import cli

ROOT = Path(__file__).parent.parent
SCENARIOS = ROOT / "tests" / "scenarios"
RULES = ROOT / "rules"


def _case_files():
    return sorted(SCENARIOS.rglob("*.yaml")) + sorted(RULES.rglob("*.cases.yaml"))


def _cases():
    for path in _case_files():
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in document["cases"]:
            yield pytest.param(case, id=f"{path.relative_to(ROOT)}::{case['name']}")


CASES = list(_cases())


def test_there_are_golden_cases():
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES)
def test_golden_case(case, runner, tmp_path):
    scenario_file = tmp_path / "scenario.yaml"
    scenario_file.write_text(yaml.safe_dump(case["scenario"], sort_keys=False), encoding="utf-8")
    result = runner.invoke(cli, ["check", str(scenario_file), "--format", "json"])
    if case["expect"]["verdict"] == "error":
        assert result.exit_code == 2, result.output
        assert str(case["expect"].get("error", "")) in result.stderr
        return
    assert result.exit_code != 2, result.output
    verdict = json.loads(result.stdout.strip().splitlines()[-1])
    problems = check_expectations(verdict, case["expect"])
    assert not problems, "\n".join(problems)
    assert result.exit_code == EXIT_CODES[verdict["verdict"]]


# DIGEST §4's worked examples, by number; each has at least one golden case
# named "<number>: …" or "<number> (variant): …" in tests/scenarios/digest*.yaml.
DIGEST_EXAMPLES = {1, 3, 4, 6, 7, 11, 12, 13, 17, 18, 21, 22, 24}


def test_every_digest_worked_example_is_a_golden_case():
    covered = set()
    for path in SCENARIOS.glob("digest*.yaml"):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            head = case["name"].split(":")[0].split(" ")[0]
            if head.isdigit():
                covered.add(int(head))
    assert DIGEST_EXAMPLES <= covered, f"worked examples without a golden case: {sorted(DIGEST_EXAMPLES - covered)}"
