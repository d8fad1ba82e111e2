"""Pinning cases: scenarios with the answer a rule file must give.

Each rule file `rules/<dir>/<stem>.lic` may have `<stem>.cases.yaml` beside it:

    cases:
      - name: "<clause>: what the case shows"
        scenario: {components: ..., use: ...}
        expect: {verdict: forbidden, cites: [{license: ..., clause: ..., section: ...}], ...}

`licet test` runs them, so whoever edits a license sees at once what changed;
the test suite runs every one of them too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from .errors import ScenarioError
from .library import VOCABULARY_FILE, Library
from .paths import rules_dir
from .verdict import Verdict

CASES_SUFFIX = ".cases.yaml"

EXPECT_KEYS = {
    "verdict", "cites", "same_conflict", "not_cites", "facts", "obligations",
    "no_obligations", "release_license", "choices", "depends_on", "error",
}


class CaseResult(BaseModel):
    file: str
    line: int
    name: str
    passed: bool
    verdict: str
    problems: list[str]


def cases_file_for(rule_file: Path) -> Path:
    return rule_file.with_name(rule_file.name.removesuffix(".lic") + CASES_SUFFIX)


def _matches(item: dict, wanted: dict) -> bool:
    for key, value in wanted.items():
        got = str(item.get(key))
        if key == "section":
            # a clause may cite several sections ("3, 9"); one match is enough
            if str(value) not in [part.strip() for part in got.split(",")]:
                return False
        elif got != str(value):
            return False
    return True


def check_expectations(verdict: dict, expect: dict) -> list[str]:
    """What in `expect` does not hold of the verdict (JSON form); empty when all holds."""
    problems = []
    if expect["verdict"] == "error":
        return [f"expected an input error, got the verdict {verdict['verdict']}"]
    if verdict["verdict"] != expect["verdict"]:
        problems.append(f"verdict is {verdict['verdict']}, expected {expect['verdict']}")
    clauses = [c for conflict in verdict["conflicts"] for c in conflict["clauses"]]
    for wanted in expect.get("cites", []):
        if not any(_matches(c, wanted) for c in clauses):
            problems.append(f"no conflict cites {wanted}; cited: {[(c['license'], c['clause'], c['section']) for c in clauses]}")
    if expect.get("same_conflict"):
        if not any(all(any(_matches(c, w) for c in conflict["clauses"]) for w in expect["cites"]) for conflict in verdict["conflicts"]):
            problems.append("the cited clauses are not in one conflict")
    for wanted in expect.get("not_cites", []):
        if any(_matches(c, wanted) for c in clauses):
            problems.append(f"a conflict cites {wanted}, which it should not")
    facts = [f for conflict in verdict["conflicts"] for f in conflict["facts"]]
    for fact in expect.get("facts", []):
        if fact not in facts:
            problems.append(f"fact {fact!r} is not in any conflict; facts: {facts}")
    for wanted in expect.get("obligations", []):
        if not any(_matches(o, wanted) for o in verdict["obligations"]):
            problems.append(f"obligation {wanted} missing; got {[(o['duty'], o['license'], o['component']) for o in verdict['obligations']]}")
    for duty in expect.get("no_obligations", []):
        if any(o["duty"] == duty for o in verdict["obligations"]):
            problems.append(f"obligation {duty} should not be there")
    if "release_license" in expect and verdict["release_license"] != expect["release_license"]:
        problems.append(f"release_license is {verdict['release_license']}, expected {expect['release_license']}")
    for component, chosen in expect.get("choices", {}).items():
        got = {c["component"]: c["chosen"] for c in verdict["choices"]}
        if got.get(component) != chosen:
            problems.append(f"choice for {component} is {got.get(component)}, expected {chosen}")
    depends = {d["assumption"]: d for d in verdict["depends_on"]}
    for assumption, values in expect.get("depends_on", {}).items():
        if assumption not in depends:
            problems.append(f"depends_on lacks {assumption}; has {sorted(depends)}")
            continue
        for key, value in values.items():
            key = {True: "yes", False: "no"}.get(key, key)
            if depends[assumption].get(key) != value:
                problems.append(f"depends_on {assumption} {key} is {depends[assumption].get(key)}, expected {value}")
    return problems


def read_cases(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """The cases of a file with the line each starts on; malformed files raise ScenarioError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("no pinning cases file", file=str(path), hint=f"write the cases beside the rule file, named <stem>{CASES_SUFFIX}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"cannot read cases: {err}", file=str(path)) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise ScenarioError(
            f"not valid YAML: {getattr(err, 'problem', None) or err}",
            file=str(path),
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("cases"), list):
        raise ScenarioError("a cases file is a mapping with a 'cases' list", file=str(path), line=1, column=1, hint="cases: [{name, scenario, expect}]")
    lines = [1] * len(document["cases"])
    for key, value in node.value if node is not None else ():
        if key.value == "cases":
            lines = [item.start_mark.line + 1 for item in value.value]
    out = []
    for line, case in zip(lines, document["cases"], strict=True):
        if not isinstance(case, dict) or not {"name", "scenario", "expect"} <= set(case):
            raise ScenarioError("each case has 'name', 'scenario' and 'expect'", file=str(path), line=line, column=1)
        unknown = set(case["expect"]) - EXPECT_KEYS
        if unknown:
            raise ScenarioError(
                f"unknown expectation '{sorted(unknown)[0]}' in case '{case['name']}'",
                file=str(path), line=line, column=1, hint=f"expectations: {', '.join(sorted(EXPECT_KEYS))}",
            )
        out.append((line, case))
    return out


_CASE_START = re.compile(r"^\s*- name:", re.MULTILINE)


def count_cases(path: Path) -> int:
    """How many cases a file holds (0 when it is missing), by counting the
    `- name:` lines: parsing every cases file would make `licet licenses` slow.
    A test checks the count against `read_cases` for every shipped file."""
    try:
        return len(_CASE_START.findall(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return 0


def run_cases(path: Path, library: Library, *, timeout_ms: int = 20_000) -> Iterable[CaseResult]:
    """Check each case of a cases file and compare the verdict with its expectations."""
    from . import check
    from .scenario import scenario_from_dict

    for line, case in read_cases(path):
        try:
            scenario = scenario_from_dict(case["scenario"])
            verdict: Verdict = check(scenario, library=library, timeout_ms=timeout_ms, name=case["name"])
        except ScenarioError as err:
            # `verdict: error` (with `error: "part of the message"`) pins an input error
            wanted = case["expect"]
            passed = wanted.get("verdict") == "error" and str(wanted.get("error", "")) in err.message
            yield CaseResult(file=str(path), line=line, name=case["name"], passed=passed, verdict="error", problems=[] if passed else [err.message])
            continue
        problems = check_expectations(verdict.model_dump(mode="json", by_alias=True), case["expect"])
        yield CaseResult(file=str(path), line=line, name=case["name"], passed=not problems, verdict=verdict.verdict, problems=problems)


def _rules_root_of(path: Path) -> Path | None:
    for folder in [path, *path.resolve().parents]:
        if (folder / VOCABULARY_FILE).is_file():
            return folder
    return None


def pinning_files(paths: list[Path], rules: str | Path | None = None) -> tuple[list[Path], Path]:
    """The cases files to run for the given rule files, cases files or folders,
    and the rules folder to load: `rules` if given, else the one the first path
    lies in (so a checkout's edited rules are tested, not the installed ones)."""
    root = Path(rules) if rules else next((r for r in map(_rules_root_of, paths) if r), None) or rules_dir()
    if not paths:
        return sorted(root.rglob("*" + CASES_SUFFIX)), root
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.rglob("*" + CASES_SUFFIX))
        elif path.name.endswith(CASES_SUFFIX):
            files.append(path)
        elif path.suffix == ".lic":
            cases = cases_file_for(path)
            if not cases.is_file():
                raise ScenarioError(
                    f"{path.name} has no pinning cases",
                    file=str(path),
                    hint=f"write them in {cases.name} beside it: cases: [{{name, scenario, expect}}]",
                )
            files.append(cases)
        else:
            raise ScenarioError("not a rule file, cases file or folder", file=str(path), hint=f"pass X.lic, X{CASES_SUFFIX} or a folder of them")
    return files, root


def render_case_results(results: list[CaseResult], *, verbose: bool = False) -> str:
    lines = []
    for r in results:
        if r.passed and not verbose:
            continue
        lines.append(f"{r.file}:{r.line}: {'ok  ' if r.passed else 'FAIL'} {r.name}")
        lines += [f"    {problem}" for problem in r.problems]
    failed = sum(not r.passed for r in results)
    files = len({r.file for r in results})
    lines.append(f"{len(results) - failed} passed, {failed} failed ({len(results)} cases in {files} files)")
    return "\n".join(lines)
