"""Bad input gets file:line:col, the offending text, what was expected, a hint, and exit 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from licensing import RuleError, load_library
from licensing.cli.main import cli
from licensing.paths import rules_dir

SCENARIO_ERRORS = [
    (
        "components:\n  a: {kind: code, license: Apachee-2.0}\nuse:\n  target: a\n  actions: [distribute]\n",
        ":2:19:",
        "did you mean 'Apache-2.0'",
    ),
    ("components:\n  a: {kind: code, license: MIT\nuse: x\n", ":3:4:", "not valid YAML"),
    ("components:\n  a: {kind: code, license: MIT, derived_from: [b]}\nuse:\n  target: a\n  actions: [run]\n", ":2:33:", "'derived-from'"),
    ("components:\n  a: {kind: code, license: MIT}\nuse:\n  target: b\n  actions: [run]\n", ":4:3:", "is not a component"),
    ("components:\n  a: {kind: code, license: MIT}\nuse:\n  target: a\n  actions: [run]\n  purposes: [medical_advice]\n", ":6:14:", "'medical-advice'"),
    ("components:\n  a: {kind: code, license: MIT}\nuse:\n  target: a\n  actions: [sell]\n", ":5:13:", "unknown action 'sell'"),
    ("components:\n  a: {kind: modle, license: MIT}\nuse:\n  target: a\n  actions: [run]\n", ":2:", "unknown kind 'modle'"),
    ("components:\n  a: {kind: code, license: MIT}\nuse:\n  target: a\n", ":", "'actions' is required"),
    ("components:\n  a: {kind: code, license: MIT}\nuse:\n  target: a\n  actions: [run]\nassume:\n  weights-derive: yes\n", ":7:3:", "weights-derive-from-training-data"),
    ("components:\n  a: {kind: code, license: MIT}\nuse:\n  target: a\n  actions: [run]\nassume:\n  training-is-licensed-use: maybe\n", ":7:", "yes, no or unknown"),
    (
        "components:\n  a: {kind: code, license: MIT, includes: [b]}\n  b: {kind: code, license: MIT, includes: [a]}\nuse:\n  target: a\n  actions: [run]\n",
        ":",
        "cycle",
    ),
    ("components:\n  a: {kind: code, license: MIT AND (}\nuse:\n  target: a\n  actions: [run]\n", ":2:", "invalid license expression"),
    ("components:\n  a: {kind: code, license: MIT}\nuse:\n  target: a\n  actions: [run]\n  release-license: MIT OR GPL-3.0-only\n", ":6:3:", "one license id"),
    ("components:\n  a: {kind: code, license: MIT}\nuse:\n  target: a\n  actions: [run]\n  facts: {licensee.users: 5}\n", ":6:", "unknown fact"),
    ("components:\n  a: {kind: code, license: MIT WITH Classpath-exception-2.0}\nuse:\n  target: a\n  actions: [run]\n", ":2:19:", "does not apply to 'MIT'"),
    ("- just\n- a list\n", ":1", "a mapping"),
    ("", ":1", "a mapping"),
]


@pytest.mark.parametrize("text,where,message", SCENARIO_ERRORS)
def test_scenario_error(text, where, message, runner, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"bad.yaml{where}" in result.stderr
    assert message in result.stderr
    assert "help:" in result.stderr


def test_missing_scenario_file(runner, tmp_path):
    result = runner.invoke(cli, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "not found" in result.stderr


def test_bad_file_among_good_ones_still_checks_the_others(runner, tmp_path):
    good = Path(__file__).parent.parent / "examples" / "gpl2-apache.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text("components: 3\n", encoding="utf-8")
    result = runner.invoke(cli, ["check", str(good), str(bad), "--format", "json"])
    assert result.exit_code == 2
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and '"verdict": "forbidden"' in lines[0] and '"error"' in lines[1]


# ---------------------------------------------------------------- rule files


def _rules_with(tmp_path: Path, name: str, text: str) -> Path:
    root = tmp_path / "rules"
    root.mkdir()
    shutil.copy(rules_dir() / "vocabulary.lic", root / "vocabulary.lic")
    (root / name).write_text(text, encoding="utf-8")
    return root


RULE_ERRORS = [
    ('license "X" {\n  clause c\n    forbid any\n}\n', "x.lic:3:5", "expected"),
    ('license "X" {\n  clause c § "1"\n    forbid any when purpose in {medical-advise}\n}\n', "x.lic:3:", "did you mean 'medical-advice'?"),
    ('license "X" {\n  clause c § "1"\n    require atribution when distribute\n}\n', "x.lic:3:13", "did you mean 'attribution'?"),
    ('license "X" {\n  clause c § "1"\n    forbid any when distribut\n}\n', "x.lic:3:21", "unknown action or flag 'distribut'"),
    ('license "X" {\n  clause c § "1"\n    forbid any\n  clause c § "2"\n    forbid any when run\n}\n', "x.lic:4:3", "declared twice"),
    ('license "X" {\n  clause c § "1"\n    require that release.license in {"Nope-1.0"}\n}\n', "x.lic:3:", "unknown license 'Nope-1.0'"),
    ('license "X" {\n  clause c § "1"\n    forbid any when role in nosuchset\n}\n', "x.lic:3:", "unknown set 'nosuchset'"),
    ('license "X" {\n  clause c § "1" > "' + "word " * 31 + '"\n    forbid any\n}\n', "x.lic:2:", "at most 30"),
    ('license "X" {\n  clause c § "1"\n    forbid any when licensee.users > 5\n}\n', "x.lic:3:", "unknown number"),
    ('license "X" {\n  clause c § "1"\n    relax c when role == bundled\n}\n', "x.lic:2:3", "only allowed in an exception"),
    ('license "X" {\n  clause c § "1"\n    forbid any when assume trainings\n}\n', "x.lic:3:", "unknown assumption"),
    ('action fly "x"\n', "x.lic:1:1", "belong in rules/vocabulary.lic"),
    ('license "X" {\n  clause c § "1"\n    forbid any when role in {self\n}\n', "x.lic:4:1", "unexpected"),
]


@pytest.mark.parametrize("text,where,message", RULE_ERRORS)
def test_rule_error(text, where, message, tmp_path, runner):
    root = _rules_with(tmp_path, "x.lic", text)
    with pytest.raises(RuleError) as caught:
        load_library(root)
    rendered = caught.value.render()
    assert f"rules/{where}" in rendered, rendered
    assert message in rendered, rendered
    result = runner.invoke(cli, ["licenses", "--rules", str(root)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert message in result.stderr


def test_rule_error_shows_the_offending_line(tmp_path):
    root = _rules_with(tmp_path, "x.lic", 'license "X" {\n  clause c § "1"\n    forbid any when distribut\n}\n')
    with pytest.raises(RuleError) as caught:
        load_library(root)
    rendered = caught.value.render()
    assert "forbid any when distribut" in rendered or caught.value.line == 3


def test_missing_rules_folder(runner, tmp_path):
    result = runner.invoke(cli, ["licenses", "--rules", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "not found" in result.stderr
