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
    assert "pip install . && licet check examples/llama-synthetic-data.yaml" in README
    assert "pip install '.[test]' && pytest" in README
    assert "pip install '.[test]' && pytest" in ci
    assert "licet check examples/llama-synthetic-data.yaml" in ci
