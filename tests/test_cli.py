"""The `licet` command through click's runner: formats, exit codes, quick queries."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

import licensing
from licensing.cli.main import cli

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_examples_exist_and_run(runner):
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert len(files) >= 3
    for path in files:
        result = runner.invoke(cli, ["check", str(path)])
        assert result.exit_code in (0, 1, 3), result.output
        assert "Target: '" in result.stdout
        detail = runner.invoke(cli, ["check", str(path), "--detail"])
        assert detail.exit_code == result.exit_code and "target:" in detail.stdout


def test_json_is_one_object_per_scenario_per_line(runner):
    files = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    result = runner.invoke(cli, ["check", *files, "--format", "json"])
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(files)
    verdicts = [json.loads(line) for line in lines]
    assert {v["scenario"] for v in verdicts} == set(files)
    worst = [v["verdict"] for v in verdicts]
    expected = 1 if "forbidden" in worst else (3 if {"depends", "unknown"} & set(worst) else 0)
    assert result.exit_code == expected


def test_cli_json_equals_library_dump(runner):
    path = EXAMPLES / "gpl2-apache.yaml"
    result = runner.invoke(cli, ["check", str(path), "--format", "json"])
    from_cli = json.loads(result.stdout)
    from_library = licensing.check_file(path).model_dump(mode="json", by_alias=True)
    assert from_cli == from_library


def test_library_accepts_a_dict_and_returns_a_typed_verdict():
    verdict = licensing.check(
        {
            "components": {"lib": {"kind": "code", "license": "GPL-3.0-only"}, "app": {"kind": "code", "includes": ["lib"]}},
            "use": {"target": "app", "actions": ["distribute"], "commercial": True, "release-license": "LicenseRef-Proprietary"},
        }
    )
    assert isinstance(verdict, licensing.Verdict)
    assert verdict.verdict == "forbidden"
    assert verdict.exit_code == 1
    cited = {(c.license, c.clause) for conflict in verdict.conflicts for c in conflict.clauses}
    assert ("GPL-3.0-only", "copyleft") in cited
    assert any(fix.then == "allowed" for fix in verdict.fixes)


def test_quick_query_flags(runner):
    result = runner.invoke(cli, ["check", "--weights", "llama2", "--use", "serve", "--commercial", "--fact", "licensee.monthly-active-users=800000000", "--format", "json"])
    verdict = json.loads(result.stdout)
    assert verdict["verdict"] == "forbidden"
    assert result.exit_code == 1
    assert any(c["section"] == "2" for conflict in verdict["conflicts"] for c in conflict["clauses"])


def test_quick_query_without_commercial_checks_both(runner):
    result = runner.invoke(cli, ["check", "--data", "CC-BY-NC-4.0", "--use", "distribute", "--assume", "weights-derive-from-training-data=yes", "--format", "json"])
    verdict = json.loads(result.stdout)
    assert verdict["verdict"] == "depends"
    assert verdict["depends_on"][0]["assumption"] == "use.commercial"
    assert verdict["depends_on"][0]["yes"] == "forbidden"
    assert result.exit_code == 3


def test_quick_query_bad_fact(runner):
    result = runner.invoke(cli, ["check", "--weights", "llama2", "--fact", "licensee.monthly-active-users=lots"])
    assert result.exit_code == 2
    assert "needs a number" in result.stderr


def test_files_and_flags_are_exclusive(runner):
    result = runner.invoke(cli, ["check", str(EXAMPLES / "chatbot.yaml"), "--weights", "llama2"])
    assert result.exit_code == 2


def test_nothing_to_check(runner):
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 2
    assert "nothing to check" in result.stderr


def test_print_scenario_round_trips(runner, tmp_path):
    result = runner.invoke(cli, ["check", "--weights", "llama2", "--data", "CC-BY-4.0", "--use", "distribute", "--commercial", "--print-scenario"])
    assert result.exit_code == 0
    path = tmp_path / "built.yaml"
    path.write_text(result.stdout, encoding="utf-8")
    assert yaml.safe_load(result.stdout)["use"]["commercial"] is True
    again = runner.invoke(cli, ["check", str(path), "--format", "json"])
    assert json.loads(again.stdout)["verdict"] in ("allowed", "forbidden", "depends")


def test_licenses_lists_ids_aliases_kinds_titles(runner, library):
    result = runner.invoke(cli, ["licenses", "--format", "json"])
    assert result.exit_code == 0
    entries = json.loads(result.stdout)
    ids = {e["id"] for e in entries}
    assert set(library.licenses) <= ids
    llama = next(e for e in entries if e["id"] == "llama2")
    assert llama["aliases"] and llama["kinds"] and llama["title"]
    text = runner.invoke(cli, ["licenses"])
    assert "llama2" in text.stdout and "aliases:" in text.stdout


def test_show_in_plain_words(runner):
    result = runner.invoke(cli, ["show", "CC-BY-NC-SA-4.0"])
    assert result.exit_code == 0
    assert "§ 2(a)(1)" in result.stdout
    assert "Forbids any use when the use is commercial" in result.stdout


def test_show_by_alias_and_json(runner):
    result = runner.invoke(cli, ["show", "gpl-2.0", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["id"] == "GPL-2.0-only"
    assert {c["name"] for c in data["clauses"]} >= {"copyleft", "no_further_restrictions"}
    assert all(c["section"] for c in data["clauses"])


def test_show_unknown_license(runner):
    result = runner.invoke(cli, ["show", "Apachee-2.0"])
    assert result.exit_code == 2
    # the closest id comes first; others may follow
    assert "did you mean 'Apache-2.0'" in result.stderr


def test_vocabulary_lists_restricted_uses(runner):
    result = runner.invoke(cli, ["vocabulary"])
    assert result.exit_code == 0
    assert "medical-advice" in result.stdout and "law-enforcement-prediction" in result.stdout


def test_human_output_has_sections_paths_and_rule_locations(runner):
    result = runner.invoke(cli, ["check", str(EXAMPLES / "chatbot.yaml")])
    out = result.stdout
    assert "DEPENDS" in out
    assert "§ 2(a)(1)" in out
    assert "trained weights are a derivative (adaptation) of their training data" in out
    # the paths, rule locations and assumption ids are behind --detail
    detail = runner.invoke(cli, ["check", str(EXAMPLES / "chatbot.yaml"), "--detail"]).stdout
    assert "DEPENDS" in detail
    assert "app → model (includes) → sft-data (trained-on)" in detail
    assert "rules/data/cc-by-nc-4.0.lic:" in detail
    assert "§ 2(a)(1)" in detail
    assert "weights-derive-from-training-data" in detail


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and "licet" in result.stdout
