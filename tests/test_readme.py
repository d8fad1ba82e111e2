"""The README stays true: its example output is what licet prints, and its
two commands are the ones CI runs."""

from __future__ import annotations

from pathlib import Path

from licensing.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMAND = "$ licet check examples/llama-synthetic-data.yaml\n"


def test_readme_example_output_is_real(runner, monkeypatch):
    start = README.index(COMMAND) + len(COMMAND)
    shown = README[start : README.index("$ echo $?", start)]
    monkeypatch.chdir(ROOT)
    result = runner.invoke(cli, ["check", "examples/llama-synthetic-data.yaml"])
    assert result.stdout == shown
    exit_shown = README[README.index("$ echo $?", start) :].splitlines()[1]
    assert str(result.exit_code) == exit_shown


def test_ci_runs_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install '.[scan,web,audit]' && licet check examples/llama-synthetic-data.yaml" in README
    assert "pip install '.[scan,web,audit,test]' && pytest" in README
    assert "pip install '.[scan,web,audit,test]' && pytest" in ci
    assert "licet check examples/llama-synthetic-data.yaml" in ci


def test_ci_integrations_match_the_readme():
    """The pre-commit hook and the GitHub Action the README documents exist and are well formed."""
    import yaml

    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    hooks = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook_ids = {hook["id"] for hook in hooks}
    assert "id: licet-scan" in readme and "licet-scan" in hook_ids
    for hook in hooks:
        assert hook["entry"].split()[0] == "licet" and hook["language"] == "python"
    action = yaml.safe_load((root / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    for name in ("path", "sarif"):
        assert name in action["inputs"] and f"{name}:" in readme
    assert any("licet scan" in step.get("run", "") for step in action["runs"]["steps"])
    assert "licet scan ." in (root / ".ci" / "run").read_text(encoding="utf-8")
