"""The pages for people (issue 12, items 5-7): the one-page answer of
`licet check`, the memo (`--format memo`) and the notice file (`licet notice`).

Snapshots live in tests/snapshots/. After a deliberate change of wording or
rules, regenerate them and read the diff:

    LICET_UPDATE_SNAPSHOTS=1 pytest -o addopts="" -q tests/test_human_output.py

The memo and the notice carry the licet version, the rules fingerprint and the
date; the snapshots hold placeholders for those.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import yaml
from licensing.cli.main import cli

import licensing
from licensing.render.memo import render_memo
from licensing.render.notice import NoticePart, build_notice, render_notice
from licensing.render.text import render_verdict
from licensing.scenario import read_scenario_file, scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("LICET_UPDATE_SNAPSHOTS") == "1"
DAY = dt.date(2025, 1, 2)
SNAPSHOT_EXAMPLES = ["chatbot", "llama-synthetic-data"]

# What the one page must never show: solver terms, duty or clause ids, quick-query ids.
SOLVER_NOTATION = [
    (re.compile(r"\bnot \("), "solver negation"),
    (re.compile(r"[\w.-]+ = (yes|no|true|false)\b"), "x = yes"),
    (re.compile(r"\[[a-z0-9]+(-[a-z0-9]+)+\]"), "a [duty-id]"),
    (re.compile(r"\((?:[a-z0-9]+_)+[a-z0-9]+\)"), "a (clause_id)"),
    (re.compile(r"\b(code|weights|derived-from|trained-on|data|base)-\d+\b"), "a quick query's internal name"),
]


def _stable(text: str, verdict: licensing.Verdict) -> str:
    text = text.replace(verdict.rules_fingerprint or "\0", "<fingerprint>")
    return text.replace(f"licet {verdict.licet_version}", "licet <version>")


def _check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"wrote the missing snapshot {path.name}; rerun")
    assert text == path.read_text(encoding="utf-8"), f"{path.name} changed; if meant, regenerate with LICET_UPDATE_SNAPSHOTS=1 (see the module docstring)"


def _checked(example: str) -> tuple[licensing.Verdict, licensing.Scenario]:
    path = f"examples/{example}.yaml"
    scenario, source = read_scenario_file(ROOT / path)
    verdict = licensing.Engine().check(scenario, source=source, name=path)
    return verdict, scenario


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("example", SNAPSHOT_EXAMPLES)
def test_human_output_snapshot(example):
    verdict, _ = _checked(example)
    _check_snapshot(f"{example}.txt", render_verdict(verdict) + "\n")


@pytest.mark.parametrize("example", SNAPSHOT_EXAMPLES)
def test_memo_snapshot(example):
    verdict, scenario = _checked(example)
    memo = render_memo(verdict, scenario, describe=licensing.load_library().vocabulary.describe, date=DAY)
    _check_snapshot(f"{example}.memo.md", _stable(memo, verdict))


@pytest.mark.parametrize("example", SNAPSHOT_EXAMPLES)
@pytest.mark.parametrize("fmt", ["md", "text"])
def test_notice_snapshot(example, fmt):
    verdict, scenario = _checked(example)
    parts = [NoticePart(name, c.kind, c.license) for name, c in scenario.components.items()]
    notice = render_notice(verdict, build_notice(verdict, parts), fmt=fmt, date=DAY, source=f"examples/{example}.yaml")
    _check_snapshot(f"{example}.notice.{fmt}", _stable(notice, verdict))


def _corpus() -> list[tuple[str, dict]]:
    cases = []
    for path in sorted((ROOT / "tests" / "scenarios").glob("*.cases.yaml")):
        for index, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")).get("cases") or []):
            if isinstance(case, dict) and isinstance(case.get("scenario"), dict):
                cases.append((f"{path.name}#{index}", case["scenario"]))
    return cases


CORPUS = _corpus()


def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("name,data", CORPUS, ids=[name for name, _ in CORPUS])
def test_the_one_page_shows_no_solver_notation(name, data):
    """Every golden scenario, rendered: the page a lawyer reads keeps
    solver terms, duty ids and clause ids in --detail."""
    try:
        scenario = scenario_from_dict(data)
    except licensing.LicetError:
        pytest.skip("a scenario the golden cases expect to be refused")
    try:
        verdict = licensing.Engine().check(scenario)
    except licensing.LicetError:
        pytest.skip("a scenario the golden cases expect to be refused")
    page = render_verdict(verdict)
    for pattern, what in SOLVER_NOTATION[:-1]:  # golden cases may name a component `base-1` themselves
        found = pattern.search(page)
        assert found is None, f"{what} ({found.group(0)!r}) in the page of {name}:\n{page}"
    memo = render_memo(verdict, scenario)
    assert "not (" not in memo and not re.search(r"\[[a-z0-9]+(-[a-z0-9]+)+\]", memo)


def test_quick_queries_name_components_readably(runner):
    result = runner.invoke(cli, ["check", "--weights", "llama3.1", "--base", "llama2", "--data", "CC-BY-NC-4.0", "--use", "serve",
                                 "--fact", "licensee.monthly-active-users=900000000", "--commercial"])
    assert result.exit_code == 1, result.output
    for pattern, what in SOLVER_NOTATION:
        assert pattern.search(result.stdout) is None, f"{what} in:\n{result.stdout}"
    page = " ".join(result.stdout.split())
    assert "weights (llama3.1)" in page
    assert "§ 2" in page and "700 million" in page and "900,000,000" in page


def test_detail_keeps_every_clause_path_and_rule(runner):
    plain = runner.invoke(cli, ["check", "examples/chatbot.yaml"])
    detail = runner.invoke(cli, ["check", "examples/chatbot.yaml", "--detail"])
    assert plain.exit_code == detail.exit_code == 3
    assert "rules/data/cc-by-nc-4.0.lic:" in detail.stdout and "(noncommercial)" in detail.stdout
    assert "app → model (includes) → sft-data (trained-on)" in detail.stdout
    assert "rules/data/cc-by-nc-4.0.lic:" not in plain.stdout
    assert "[include-license-text]" in detail.stdout and "[include-license-text]" not in plain.stdout


def test_partial_sources_are_said():
    verdict = licensing.check({
        "components": {"m": {"kind": "weights", "license": "llama3"}, "app": {"kind": "code", "includes": ["m"]}},
        "use": {"target": "app", "actions": ["distribute"], "commercial": True},
    })
    partial = [c for c in verdict.licenses if c.source != "full"]
    assert partial, "llama3 is written from a partial source"
    page = " ".join(render_verdict(verdict).split())
    assert f"The rules for {partial[0].title} were written from part of the license text" in page


# ---------------------------------------------------------------- the CLI


def test_check_format_memo(runner):
    result = runner.invoke(cli, ["check", "examples/chatbot.yaml", "--format", "memo"])
    assert result.exit_code == 3
    memo = result.stdout
    assert memo.startswith("# License review: app")
    for heading in ("## The question", "## Conflicts", "## Ways out", "## Obligations"):
        assert heading in memo
    assert "“reproduce and Share the Licensed Material" in memo
    assert f"on {dt.date.today().isoformat()}" in memo and "rules fingerprint" in memo


def test_check_memo_exit_codes(runner):
    assert runner.invoke(cli, ["check", "examples/llama-synthetic-data.yaml", "--format", "memo"]).exit_code == 1
    assert runner.invoke(cli, ["check", "--code", "MIT", "--use", "run", "--format", "memo"]).exit_code == 0
    assert runner.invoke(cli, ["check", "nope.yaml", "--format", "memo"]).exit_code == 2


def test_notice_of_a_scenario(runner):
    result = runner.invoke(cli, ["notice", "examples/chatbot.yaml"])
    assert result.exit_code == 3
    assert result.stdout.startswith("# Notices: app")
    assert "## model" in result.stdout and "## Missing" in result.stdout
    text = runner.invoke(cli, ["notice", "examples/chatbot.yaml", "--format", "text"])
    assert text.exit_code == 3 and text.stdout.startswith("NOTICES: app") and "MISSING" in text.stdout
    assert runner.invoke(cli, ["notice", "examples/llama-synthetic-data.yaml"]).exit_code == 1


def test_notice_bad_input(runner, tmp_path):
    assert runner.invoke(cli, ["notice"]).exit_code == 2
    assert runner.invoke(cli, ["notice", "examples/chatbot.yaml", "--scan", "."]).exit_code == 2
    assert runner.invoke(cli, ["notice", str(tmp_path / "missing.yaml")]).exit_code == 2
    assert runner.invoke(cli, ["notice", "examples/chatbot.yaml", "--format", "pdf"]).exit_code == 2


def _repo_with_a_notice(tmp_path: Path) -> Path:
    repo = tmp_path / "shop"
    info = repo / "env" / "acme_lib-1.0.dist-info"
    (info / "licenses").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "shop"\nversion = "1.0"\nlicense = "MIT"\ndependencies = ["acme-lib", "bare-lib"]\n\n'
        '[tool.licet]\nuse = { actions = ["distribute"], commercial = true }\npython = { environment = "env" }\n', encoding="utf-8")
    (info / "METADATA").write_text(
        "Metadata-Version: 2.4\nName: acme-lib\nVersion: 1.0\nLicense-Expression: Apache-2.0\nLicense-File: LICENSE\nLicense-File: NOTICE\n",
        encoding="utf-8")
    (info / "licenses" / "LICENSE").write_text("Apache License\nVersion 2.0, January 2004\n\nCopyright [yyyy] [name of copyright owner]\n", encoding="utf-8")
    (info / "licenses" / "NOTICE").write_text("Acme Lib\nCopyright 2024 Acme Corp\n\nThis product includes software developed at Acme.\n", encoding="utf-8")
    bare = repo / "env" / "bare_lib-2.0.dist-info"
    bare.mkdir()
    (bare / "METADATA").write_text("Metadata-Version: 2.1\nName: bare-lib\nVersion: 2.0\nLicense-Expression: MIT\n", encoding="utf-8")
    return repo


def test_notice_of_a_scan_reads_the_distributions_notice(runner, tmp_path):
    repo = _repo_with_a_notice(tmp_path)
    result = runner.invoke(cli, ["notice", "--scan", str(repo)])
    assert result.exit_code in (0, 1, 3), result.output
    out = result.stdout
    assert "## acme-lib" in out and "Copyright 2024 Acme Corp" in out
    assert "This product includes software developed at Acme." in out
    assert "[yyyy]" not in out.split("### License text")[0], "a template line is not a copyright line"
    assert "## bare-lib" in out
    missing = out.split("## Missing", 1)[1]
    assert "'acme-lib'" not in missing or "NOTICE" not in missing  # found, so not missing
    text = runner.invoke(cli, ["notice", "--scan", str(repo), "--format", "text", "-o", str(tmp_path / "NOTICE.txt")])
    assert text.exit_code == result.exit_code and text.stdout == ""
    assert "Acme Corp" in (tmp_path / "NOTICE.txt").read_text(encoding="utf-8")


def test_scan_format_memo(runner, tmp_path):
    repo = _repo_with_a_notice(tmp_path)
    result = runner.invoke(cli, ["scan", str(repo), "--format", "memo"])
    assert result.exit_code in (0, 1, 3), result.output
    assert result.stdout.startswith("# License review: shop") and "acme-lib" in result.stdout
