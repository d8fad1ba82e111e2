"""`licet test`, `licet matrix` and `licet licenses` on the shipped rules and
on small rule folders written here."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from licensing import Engine
from licensing.cases import (
    OUTCOME_KEY,
    CasesError,
    check_expectations,
    never_decisive,
    pinning_files,
    read_cases,
    run_case,
    run_cases,
    write_outcomes,
)
from licensing.cli.main import cli
from licensing.matrix import matrix_licenses
from licensing.show import count_cases

RULES = Path(__file__).parent.parent / "rules"


def _case(name: str, verdict: str) -> dict:
    return {
        "name": name,
        "scenario": {
            "components": {"lib": {"kind": "code", "license": "GPL-2.0-only"}, "app": {"kind": "code", "license": "MIT", "includes": ["lib"]}},
            "use": {"target": "app", "actions": ["distribute"]},
        },
        "expect": {"verdict": verdict},
    }


def _rules_copy(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(RULES, root)
    return root


def test_licet_test_runs_the_cases_beside_a_rule_file(runner):
    result = runner.invoke(cli, ["test", str(RULES / "code" / "gpl-2.0-only.lic")])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.stdout
    count = len(read_cases(RULES / "code" / "gpl-2.0-only.cases.yaml"))
    assert f"{count} passed" in result.stdout


def test_licet_test_fails_and_says_which_case_when_a_rule_changes(runner, tmp_path):
    # a lawyer edits a copy of the rules: the wrong expectation shows at once
    root = _rules_copy(tmp_path)
    cases = root / "code" / "gpl-2.0-only.cases.yaml"
    cases.write_text(yaml.safe_dump({"cases": [_case("mit app with gpl lib", "allowed"), _case("same, right answer", "forbidden")]}), encoding="utf-8")
    result = runner.invoke(cli, ["test", str(root / "code" / "gpl-2.0-only.lic")])
    assert result.exit_code == 1
    assert "FAIL mit app with gpl lib" in result.stdout
    assert "verdict is forbidden, expected allowed" in result.stdout
    assert "1 passed, 1 failed" in result.stdout


def test_licet_test_uses_the_rules_folder_the_file_is_in(tmp_path):
    root = _rules_copy(tmp_path)
    files, found = pinning_files([root / "code" / "mit.lic"])
    assert found == root.resolve() or found == root
    assert files == [root / "code" / "mit.cases.yaml"]


def test_licet_test_json_and_missing_cases(runner, tmp_path):
    root = _rules_copy(tmp_path)
    (root / "code" / "mit.cases.yaml").unlink()
    result = runner.invoke(cli, ["test", str(root / "code" / "mit.lic")])
    assert result.exit_code == 2
    assert "mit.lic has no pinning cases" in result.stderr
    result = runner.invoke(cli, ["test", str(RULES / "code" / "mit.cases.yaml"), "--format", "json"])
    assert result.exit_code == 0
    assert all(r["passed"] for r in json.loads(result.stdout))


def test_malformed_cases_file_is_a_located_error(runner, tmp_path):
    root = _rules_copy(tmp_path)
    (root / "code" / "mit.cases.yaml").write_text("cases:\n  - name: x\n    scenario: {}\n    expect: {verdict: allowed, cite: []}\n", encoding="utf-8")
    result = runner.invoke(cli, ["test", str(root / "code" / "mit.lic")])
    assert result.exit_code == 2
    assert "mit.cases.yaml:2:" in result.stderr and "unknown expectation 'cite'" in result.stderr


def test_every_rule_file_has_pinning_cases():
    missing = [p.relative_to(RULES).as_posix() for p in RULES.rglob("*.lic") if p.name not in ("vocabulary.lic", "sets.lic") and not p.with_name(p.stem + ".cases.yaml").is_file()]
    assert not missing, f"rule files without pinning cases: {missing}"


def test_expectation_matcher_can_fail():
    verdict = {"verdict": "allowed", "conflicts": [], "obligations": [], "release_license": None, "choices": [], "depends_on": []}
    assert check_expectations(verdict, {"verdict": "allowed"}) == []
    assert check_expectations(verdict, {"verdict": "forbidden"})
    assert check_expectations(verdict, {"verdict": "allowed", "obligations": [{"duty": "attribution"}]})


def test_matrix_cells_are_checks_with_reasons(engine):
    matrix = engine.matrix(["MIT", "Apache-2.0", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only"])
    assert matrix.answer("GPL-2.0-only", "MIT") == "Yes"
    assert matrix.answer("GPL-3.0-only", "Apache-2.0") == "Yes"
    assert matrix.answer("GPL-2.0-only", "Apache-2.0") == "No"
    assert "GPL-2.0-only" in matrix.cells["GPL-2.0-only"]["Apache-2.0"].reason
    # releasing under "or later" passes the choice on: GPL-2.0 must hold too
    assert matrix.answer("GPL-2.0-or-later", "Apache-2.0") == "No"
    assert matrix.answer("GPL-3.0-only", "GPL-2.0-or-later") == "Yes"
    assert matrix.answer("MIT", "GPL-3.0-only") == "No"
    assert matrix.answer("MIT", "MIT") == "Same"


def test_matrix_command_csv_and_json(runner):
    result = runner.invoke(cli, ["matrix", "MIT", "GPL-2.0-only", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][1:] == ["MIT", "GPL-2.0-only"]
    assert rows[1] == ["MIT", "Same", "No"] and rows[2] == ["GPL-2.0-only", "Yes", "Same"]
    result = runner.invoke(cli, ["matrix", "mit", "gpl-2.0", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["cells"]["GPL-2.0-only"]["MIT"]["answer"] == "Yes"
    result = runner.invoke(cli, ["matrix", "MIT", "Nope-1.0"])
    assert result.exit_code == 2 and "unknown license 'Nope-1.0'" in result.stderr


def test_matrix_default_set_is_the_outbound_code_licenses(library):
    ids = matrix_licenses(library, "code")
    assert "GPL-3.0-only" in ids and "MIT" in ids
    assert library.fallback not in ids


def test_licenses_lists_kind_source_and_case_count(runner):
    result = runner.invoke(cli, ["licenses", "--format", "json"])
    entries = {e["id"]: e for e in json.loads(result.stdout)}
    mit = entries["MIT"]
    assert mit["source"] == "full" and "code" in mit["kinds"]
    assert mit["pinning_cases"] == len(read_cases(RULES / "code" / "mit.cases.yaml"))
    text = runner.invoke(cli, ["licenses"]).stdout
    assert "SOURCE" in text and "CASES" in text and "pinning cases" in text.splitlines()[-1]


def test_show_json_has_clauses_with_sections(runner):
    result = runner.invoke(cli, ["show", "GPL-2.0-only", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["id"] == "GPL-2.0-only"
    assert {"section": "6", "name": "no_further_restrictions"}.items() <= next(c for c in data["clauses"] if c["name"] == "no_further_restrictions").items()


# ---------------------------------------------------------------- exact outcomes


def _one_case_file(tmp_path: Path, case: dict) -> Path:
    root = _rules_copy(tmp_path)
    path = root / "code" / "mit.cases.yaml"
    path.write_text("# a comment that --update keeps\ncases:\n" + yaml.safe_dump([case], sort_keys=False, indent=2).replace("\n", "\n  ").replace("- name", "  - name", 1), encoding="utf-8")
    return path


def test_update_writes_an_outcome_that_then_pins_the_exact_answer(tmp_path, runner):
    path = _one_case_file(tmp_path, _case("mit app with gpl lib", "forbidden"))
    result = runner.invoke(cli, ["test", str(path), "--update"])
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# a comment that --update keeps\n")
    [case] = read_cases(path)
    assert case.data[OUTCOME_KEY]["verdict"] == "forbidden"
    assert case.data[OUTCOME_KEY]["conflicts"]
    # a second update changes nothing
    before = path.read_text(encoding="utf-8")
    runner.invoke(cli, ["test", str(path), "--update"])
    assert path.read_text(encoding="utf-8") == before


def test_an_extra_or_missing_conflict_or_obligation_fails_the_case(tmp_path, engine):
    path = _one_case_file(tmp_path, _case("mit app with gpl lib", "forbidden"))
    [case] = read_cases(path)
    outcome = run_case(case, engine).outcome
    assert run_case(case, engine).passed  # no snapshot yet: only the expectations count
    # the snapshot lacks a conflict the answer has: "new" conflict
    write_outcomes(path, [{**outcome, "conflicts": []}])
    result = run_cases(path, engine)[0]
    assert not result.passed and any(p.startswith("conflicts: new") for p in result.problems), result.problems
    # the snapshot has an obligation the answer lacks: "missing" obligation
    write_outcomes(path, [{**outcome, "obligations": ["retain-notices (MIT §x) @ lib"]}])
    result = run_cases(path, engine)[0]
    assert not result.passed and "obligations: missing retain-notices (MIT §x) @ lib" in result.problems
    write_outcomes(path, [outcome])
    assert run_cases(path, engine)[0].passed


def test_update_never_writes_an_answer_that_breaks_the_expectations(tmp_path, runner):
    path = _one_case_file(tmp_path, _case("wrong expectation", "allowed"))
    result = runner.invoke(cli, ["test", str(path), "--update"])
    assert result.exit_code == 1
    assert OUTCOME_KEY not in read_cases(path)[0].data


def test_run_selects_cases_by_name(runner):
    result = runner.invoke(cli, ["test", str(RULES / "code" / "gpl-2.0-only.lic"), "--run", "in-house", "--format", "json"])
    assert result.exit_code == 0, result.output
    names = [r["name"] for r in json.loads(result.stdout)]
    assert names and all("in-house" in name for name in names)


def test_coverage_lists_clauses_no_case_finds_decisive(engine):
    results = run_cases(RULES / "code" / "mit.cases.yaml", engine)
    missing = {(lic, clause) for lic, clause, _ in never_decisive(engine.library, results)}
    assert ("MIT", "notice") not in missing  # its own cases oblige the MIT notice
    assert ("GPL-2.0-only", "copyleft") in missing  # no MIT case is about the GPL


def test_cases_files_of_the_wrong_shape_are_located_errors(tmp_path):
    path = tmp_path / "x.cases.yaml"
    path.write_text("cases:\n  - name: x\n    scenario: {}\n    expect: [1]\n", encoding="utf-8")
    with pytest.raises(CasesError) as caught:
        read_cases(path)
    assert caught.value.line == 2 and caught.value.code == "licet.cases.invalid"


def test_files_run_in_parallel_give_the_sequential_results(engine):
    files = sorted((RULES / "code").glob("gpl-*.cases.yaml"))
    from licensing.cases import run_files

    sequential = run_files(files, engine, workers=1)
    parallel = run_files(files, Engine(), workers=2)
    assert [(r.name, r.outcome) for r in parallel] == [(r.name, r.outcome) for r in sequential]


def test_a_matrix_column_gives_the_verdicts_of_its_cells_checked_one_by_one(engine):
    """`Engine.matrix_column` compiles one inbound license once and asks it
    under each outbound license: every verdict must be the cell's own check."""
    from licensing.matrix import cell_scenario, matrix_licenses

    ids = matrix_licenses(engine.library, "code")[:: max(1, len(matrix_licenses(engine.library, "code")) // 24)]
    ids = list(dict.fromkeys([*ids, "GPL-2.0-or-later", "LGPL-2.1-only", "Apache-2.0", "MPL-2.0", "AGPL-3.0-only"]))
    for inbound in ids:
        column = engine.matrix_column(inbound, ids)
        assert set(column) == set(ids) - {inbound}
        for outbound, verdict in column.items():
            assert verdict == engine.check(cell_scenario(engine.library, outbound, inbound), explain=False).verdict, (outbound, inbound)


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    cases=st.lists(_VALUES, max_size=6),
    others=st.dictionaries(st.text(max_size=6).filter(lambda k: k != "cases"), _VALUES, max_size=3),
    flow=st.booleans(),
)
def test_counting_cases_from_parser_events_agrees_with_loading_the_file(tmp_path_factory, cases, others, flow):
    """`licet licenses` counts each file's cases from the parser's events
    alone; the count is the length of the loaded `cases` list."""
    path = tmp_path_factory.mktemp("count") / "x.cases.yaml"
    path.write_text(yaml.safe_dump({**others, "cases": cases}, default_flow_style=flow), encoding="utf-8")
    assert count_cases(path) == len(cases)
