"""Pinning cases: scenarios with the answer a rule file must give.

Each rule file `rules/<dir>/<stem>.lic` has `<stem>.cases.yaml` beside it:

    cases:
      - name: "<clause>: what the case shows"
        scenario: {components: ..., use: ...}
        expect: {verdict: forbidden, cites: [{license: ..., clause: ..., section: ...}], ...}
        outcome:            # written by `licet test --update`; compared exactly
          verdict: forbidden
          conflicts:
            - A-1.0 §3 patent_retaliation @ parser + B-2.0 §6 no_further_restrictions @ core

`expect` holds what the case's author asserts (at least these conflicts,
these obligations, …). `outcome` is the canonical answer, written by licet
itself (as Catala's `clerk test --reset` does): a case with an `outcome`
fails on any extra or missing conflict or obligation, and `git diff` shows
every change of meaning. `licet test` runs them; the test suite runs every one.
"""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .engine import Engine
from .errors import LicetError, ScenarioError
from .inputs import read_text_limited
from .library import VOCABULARY_FILE, Library
from .paths import rules_dir
from .scenario import load_yaml, scenario_from_dict, validation_problem
from .show import CASES_SUFFIX, cases_file_for
from .verdict import Verdict

OUTCOME_KEY = "outcome"

EXPECT_KEYS = {
    "verdict", "cites", "same_conflict", "not_cites", "facts", "obligations",
    "no_obligations", "release_license", "choices", "depends_on", "error", "fixes", "no_fixes", "presumed",
}


class CasesError(ScenarioError):
    """A pinning-cases file of the wrong shape."""

    default_code = "licet.cases.invalid"


# ---------------------------------------------------------------- the schema of a case

# A conflict's clause or an obligation to look for: `{license: MIT, clause: notice}`.
_Match = dict[str, str | int | float | bool | None]


class _Expectations(BaseModel):
    """What a case's author asserts; checked for shape when the file is read,
    so that a wrong one is an error at its line, not a crash when it runs."""

    model_config = ConfigDict(extra="forbid", strict=True)

    verdict: Literal["allowed", "forbidden", "depends", "unknown", "error"]
    cites: list[_Match] = []
    same_conflict: bool = False
    not_cites: list[_Match] = []
    facts: list[str] = []
    obligations: list[_Match] = []
    no_obligations: list[str] = []
    release_license: str | None = None
    choices: dict[str, str] = {}
    depends_on: dict[str | bool, dict[str | bool, str]] = {}
    error: str = ""
    # ways out: `{kind: remedy, license: llama3.1, section: "2"}`; `fact` matches the changed fact's name
    fixes: list[_Match] = []
    no_fixes: list[_Match] = []
    # the facts the answer presumed (`presume` in the vocabulary), exactly
    presumed: list[str] = []


class _CaseShape(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1)
    scenario: dict[Any, Any]
    expect: dict[Any, Any]
    outcome: Any = None


def case_problem(data: Any) -> tuple[tuple[str, ...], str] | None:
    """What is wrong with the shape of one case (the key path under the case
    and a message), or None when it has the shape `run_case` needs."""
    if not isinstance(data, dict) or not {"name", "scenario", "expect"} <= set(data):
        return (), "each case has 'name', 'scenario' and 'expect'"
    name = data["name"]
    if not isinstance(data["expect"], dict) or "verdict" not in data["expect"]:
        return ("expect",), f"case '{name}': 'expect' is a mapping with a 'verdict'"
    unknown = set(map(str, data["expect"])) - EXPECT_KEYS
    if unknown:
        return ("expect",), f"unknown expectation '{min(unknown)}' in case '{name}'"
    for model, value, prefix in ((_CaseShape, data, ()), (_Expectations, data["expect"], ("expect",))):
        try:
            model.model_validate(value)
        except ValidationError as err:
            _, path, message = validation_problem(err)
            return (*prefix, *path), f"case '{name}': {'.'.join((*prefix, *path))}: {message}"
    return None


class CaseResult(BaseModel):
    """One case run: whether it passed, what differed, and what it decided."""

    file: str
    line: int
    name: str
    passed: bool
    verdict: str
    problems: list[str]
    outcome_problems: list[str] = Field(default_factory=list, description="the problems that are differences from the snapshot")
    outcome: dict[str, Any] = Field(default_factory=dict, description="the canonical outcome the case gave")
    snapshot: bool = Field(False, description="whether the case has an outcome to compare exactly")
    decisive: list[str] = Field(default_factory=list, description="`LICENSE/clause` of every clause cited or obliging")


@dataclass(frozen=True)
class Case:
    """A case as read from its file, with the line it starts on."""

    file: Path
    line: int
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def expect(self) -> dict[str, Any]:
        expect: dict[str, Any] = self.data["expect"]
        return expect


# ---------------------------------------------------------------- expectations


def _matches(item: dict[str, Any], wanted: dict[str, Any]) -> bool:
    for key, value in wanted.items():
        got = str(item.get(key))
        if key == "section":
            # a clause may cite several sections ("3, 9"); one match is enough
            if str(value) not in [part.strip() for part in got.split(",")]:
                return False
        elif got != str(value):
            return False
    return True


def check_expectations(verdict: dict[str, Any], expect: dict[str, Any]) -> list[str]:
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
    fixes = [{**fix, "fact": (fix.get("fact") or {}).get("name")} for fix in verdict.get("fixes", [])]
    for wanted in expect.get("fixes", []):
        if not any(_matches(f, wanted) for f in fixes):
            problems.append(f"no way out matches {wanted}; got {[f['change'] for f in fixes]}")
    for wanted in expect.get("no_fixes", []):
        if any(_matches(f, wanted) for f in fixes):
            problems.append(f"a way out matches {wanted}, which it should not")
    if "release_license" in expect and verdict["release_license"] != expect["release_license"]:
        problems.append(f"release_license is {verdict['release_license']}, expected {expect['release_license']}")
    for component, chosen in expect.get("choices", {}).items():
        got = {c["component"]: c["chosen"] for c in verdict["choices"]}
        if got.get(component) != chosen:
            problems.append(f"choice for {component} is {got.get(component)}, expected {chosen}")
    presumed = [p["fact"] for p in verdict.get("presumptions", [])]
    if "presumed" in expect and sorted(expect["presumed"]) != sorted(presumed):
        problems.append(f"presumptions used are {presumed}, expected {expect['presumed']}")
    depends = {d["assumption"]: d for d in verdict["depends_on"]}
    for assumption, values in expect.get("depends_on", {}).items():
        if assumption not in depends:
            problems.append(f"depends_on lacks {assumption}; has {sorted(depends)}")
            continue
        # yes/no for a fact; a range or a family's member for the others
        outcomes = {"yes": depends[assumption].get("yes"), "no": depends[assumption].get("no")}
        outcomes |= {case["when"]: case["verdict"] for case in depends[assumption].get("outcomes", [])}
        for key, value in values.items():
            key = {True: "yes", False: "no"}.get(key, key)
            if outcomes.get(str(key)) != value:
                problems.append(f"depends_on {assumption} {key} is {outcomes.get(str(key))}, expected {value}")
    return problems


# ---------------------------------------------------------------- canonical outcomes


def canonical_outcome(verdict: Verdict) -> dict[str, Any]:
    """The parts of a verdict a snapshot pins, in a stable order: the verdict,
    each conflict's clauses (with the components they reach), the
    obligations, the release license, the choices and the open questions."""
    outcome: dict[str, Any] = {"verdict": verdict.verdict}
    conflicts = sorted(
        " + ".join(sorted(f"{c.license} §{c.section} {c.clause} @ {', '.join(sorted([c.component, *c.also_components]))}" for c in conflict.clauses))
        for conflict in verdict.conflicts
    )
    if conflicts:
        outcome["conflicts"] = conflicts
    obligations = sorted(
        {f"{o.duty} ({o.license} §{o.section}) @ {o.component}" + (f" if {', '.join(o.when)}" if o.when else "") for o in verdict.obligations}
    )
    if obligations:
        outcome["obligations"] = obligations
    if verdict.release_license is not None:
        outcome["release"] = verdict.release_license
    if verdict.choices:
        outcome["choices"] = {c.component: c.chosen for c in verdict.choices}
    if verdict.depends_on:
        outcome["depends_on"] = {d.assumption: {c.when: c.verdict for c in d.outcomes} for d in verdict.depends_on}
    return outcome


def _error_outcome(error: LicetError) -> dict[str, Any]:
    return {"verdict": "error", "error": error.code}


def compare_outcome(got: dict[str, Any], wanted: Any) -> list[str]:
    """Every difference between a case's outcome and its snapshot."""
    if not isinstance(wanted, dict):
        return [f"'{OUTCOME_KEY}' must be a mapping; run `licet test --update` to rewrite it"]
    problems = []
    for key in sorted(set(got) | set(wanted), key=lambda k: list(got).index(k) if k in got else 99):
        mine, theirs = got.get(key), wanted.get(key)
        if mine == theirs:
            continue
        if isinstance(mine, list) or isinstance(theirs, list):
            mine_items = [str(x) for x in mine or []]
            theirs_items = [str(x) for x in theirs or []]
            extra = [x for x in mine_items if x not in theirs_items]
            missing = [x for x in theirs_items if x not in mine_items]
            for item in extra:
                problems.append(f"{key}: new {item}")
            for item in missing:
                problems.append(f"{key}: missing {item}")
            if not extra and not missing:
                problems.append(f"{key}: {mine} instead of {theirs}")
        else:
            problems.append(f"{key}: {mine} instead of {theirs}")
    return problems


# ---------------------------------------------------------------- reading


def read_cases(path: Path) -> list[Case]:
    """The cases of a file with the line each starts on; a file of the wrong
    shape raises `CasesError` at the line that is wrong."""
    if not isinstance(path, (str, os.PathLike)):
        raise CasesError(f"a cases file is named by a path, not {type(path).__name__}", code="licet.cases.not-found")
    path = Path(path)
    display = str(path)
    if not path.exists() and not path.is_symlink():
        raise CasesError(
            "no pinning cases file", code="licet.cases.not-found", file=display, hint=f"write the cases beside the rule file, named <stem>{CASES_SUFFIX}"
        )
    text = read_text_limited(path, CasesError, what="cases file", hint="a cases file is UTF-8 YAML")
    document = load_yaml(text, display, error=CasesError)
    data = document.data
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise CasesError("a cases file is a mapping with a 'cases' list", file=display, line=1, column=1, hint="cases: [{name, scenario, expect}]")
    extra = sorted(str(key) for key in data if key != "cases")
    if extra:
        line, column = document.positions.get((extra[0],), (1, 1))
        raise CasesError(f"unknown key '{extra[0]}' in a cases file", file=display, line=line, column=column, hint="a cases file has one key, 'cases'")
    out = []
    for index, case in enumerate(data["cases"]):
        where = ("cases", str(index))
        problem = case_problem(case)
        if problem is not None:
            inside, message = problem
            # a case of the wrong shape is shown at its start; a wrong expectation at its key
            line, column = _position(document.positions, (*where, *inside) if len(inside) > 1 else where)
            hint = f"expectations: {', '.join(sorted(EXPECT_KEYS))}" if inside[:1] == ("expect",) else "cases: [{name, scenario, expect}]"
            raise CasesError(message, file=display, line=line, column=column, hint=hint)
        out.append(Case(path, document.positions.get(where, (1, 1))[0], case))
    return out


def _position(positions: dict[tuple[str, ...], tuple[int, int]], path: tuple[str, ...]) -> tuple[int, int]:
    """Where the key at `path`, or its nearest written parent, is."""
    for end in range(len(path), 0, -1):
        if path[:end] in positions:
            return positions[path[:end]]
    return 1, 1


# ---------------------------------------------------------------- running


def run_case(case: Case, engine: Engine) -> CaseResult:
    """Check one case in this process and compare it with its expectations and snapshot."""
    problem = case_problem(case.data)
    if problem is not None:
        raise CasesError(problem[1], file=str(case.file), line=case.line, hint="cases: [{name, scenario, expect}]")
    wanted = case.expect
    snapshot = OUTCOME_KEY in case.data

    def result(verdict: str, problems: list[str], differences: list[str], outcome: dict[str, Any], decisive: list[str]) -> CaseResult:
        return CaseResult(
            file=str(case.file), line=case.line, name=case.name, snapshot=snapshot, passed=not problems and not differences, verdict=verdict,
            problems=problems + differences, outcome_problems=differences, outcome=outcome, decisive=decisive,
        )

    try:
        verdict = engine.check(scenario_from_dict(case.data["scenario"]), name=case.name)
    except LicetError as err:
        # `verdict: error` (with `error: "part of the message"`) pins an input error
        passed = wanted.get("verdict") == "error" and str(wanted.get("error", "")) in err.message
        outcome = _error_outcome(err)
        differences = compare_outcome(outcome, case.data[OUTCOME_KEY]) if snapshot else []
        return result("error", [] if passed else [err.message], differences, outcome, [])
    problems = check_expectations(verdict.model_dump(mode="json"), wanted)
    outcome = canonical_outcome(verdict)
    differences = compare_outcome(outcome, case.data[OUTCOME_KEY]) if snapshot else []
    decisive = sorted(
        {f"{c.license}/{c.clause}" for conflict in verdict.conflicts for c in conflict.clauses}
        | {f"{o.license}/{o.clause}" for o in verdict.obligations}
    )
    return result(verdict.verdict, problems, differences, outcome, decisive)


def run_cases(path: Path, engine: Engine) -> list[CaseResult]:
    """Check each case of a cases file in this process."""
    return [run_case(case, engine) for case in read_cases(path)]


_WORKER_ENGINE: Engine | None = None


def _start_worker(rules: str) -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = Engine(rules)


def _run_file_in_worker(path: Path) -> list[CaseResult]:
    assert _WORKER_ENGINE is not None, "the worker was started without an engine"
    return run_cases(path, _WORKER_ENGINE)


def run_files(files: Sequence[Path], engine: Engine, *, workers: int = 1) -> list[CaseResult]:
    """Run the cases of every file, in file order; with `workers` > 1 the files
    are spread over that many processes, each with its own engine."""
    if workers <= 1 or len(files) <= 1:
        return [result for path in files for result in run_cases(path, engine)]
    with futures.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(str(engine.library.root),),
    ) as pool:
        return [result for results in pool.map(_run_file_in_worker, files) for result in results]


def never_decisive(library: Library, results: Sequence[CaseResult]) -> list[tuple[str, str, str]]:
    """(license, clause, rule location) of every clause that no case's
    answer cites in a conflict or as the source of an obligation."""
    decisive = {item for result in results for item in result.decisive}
    return [
        (lic.id, clause.name, str(clause.span))
        for lic in library.licenses.values()
        for clause in lic.clauses
        if f"{lic.id}/{clause.name}" not in decisive
    ]


# ---------------------------------------------------------------- which files


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
                raise CasesError(
                    f"{path.name} has no pinning cases",
                    code="licet.cases.not-found",
                    file=str(path),
                    hint=f"write them in {cases.name} beside it: cases: [{{name, scenario, expect}}]",
                )
            files.append(cases)
        else:
            raise CasesError(
                "not a rule file, cases file or folder", code="licet.cases.not-found", file=str(path), hint=f"pass X.lic, X{CASES_SUFFIX} or a folder of them"
            )
    return files, root


# ---------------------------------------------------------------- writing snapshots


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _outcome_lines(outcome: dict[str, Any], indent: int) -> list[str]:
    body = yaml.safe_dump({OUTCOME_KEY: outcome}, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)
    return [" " * indent + line for line in body.rstrip("\n").split("\n")]


def write_outcomes(path: Path, outcomes: Sequence[dict[str, Any] | None]) -> bool:
    """Write each case's outcome into its cases file, beside `expect`,
    keeping every other line (and comment) as it is; a case whose outcome is
    None is left as it is. True when the file changed."""
    text = path.read_text(encoding="utf-8")
    document = load_yaml(text, str(path), error=CasesError)
    lines = text.split("\n")
    count = len(document.data["cases"])
    if count != len(outcomes):
        raise CasesError(f"{count} cases but {len(outcomes)} outcomes", file=str(path))
    starts = [document.positions[("cases", str(i))][0] - 1 for i in range(count)]  # 0-based line of each `- name:`
    # Work from the last case up, so earlier line numbers stay right.
    for index in reversed(range(count)):
        outcome = outcomes[index]
        if outcome is None:
            continue
        start = starts[index]
        key_indent = document.positions[("cases", str(index), "name")][1] - 1
        end = starts[index + 1] if index + 1 < count else len(lines)
        body = list(range(start, end))
        existing = next((i for i in body if lines[i].strip().startswith(f"{OUTCOME_KEY}:") and _indent(lines[i]) == key_indent), None)
        new = _outcome_lines(outcome, key_indent)
        if existing is not None:
            stop = existing + 1
            while stop < end and (not lines[stop].strip() or _indent(lines[stop]) > key_indent) and not lines[stop].lstrip().startswith("#"):
                stop += 1
            while stop > existing + 1 and not lines[stop - 1].strip():
                stop -= 1
            lines[existing:stop] = new
        else:
            last = end - 1
            while last > start and (not lines[last].strip() or (lines[last].lstrip().startswith("#") and _indent(lines[last]) <= key_indent)):
                last -= 1
            lines[last + 1 : last + 1] = new
    updated = "\n".join(lines)
    if updated == text:
        return False
    path.write_text(updated, encoding="utf-8")
    return True


def update_outcomes(results: Sequence[CaseResult]) -> tuple[list[Path], list[CaseResult]]:
    """Write the outcome of every case whose expectations hold into its file;
    a case whose expectations fail keeps the snapshot it had, so a wrong
    answer is never written down as the right one. Gives the files changed
    and the results as they stand after the update.

    A file is rewritten only when every case in it ran, so a filtered run
    never loses other cases' snapshots."""
    by_file: dict[str, list[CaseResult]] = {}
    for result in results:
        by_file.setdefault(result.file, []).append(result)
    changed = []
    updated: list[CaseResult] = []
    for file, file_results in by_file.items():
        path = Path(file)
        complete = len(file_results) == len(read_cases(path))
        outcomes: list[dict[str, Any] | None] = []
        for result in file_results:
            expectations_hold = len(result.problems) == len(result.outcome_problems)
            if complete and expectations_hold:
                outcomes.append(result.outcome)
                result = result.model_copy(update={"passed": True, "problems": [], "outcome_problems": [], "snapshot": True})
            else:
                outcomes.append(None)
            updated.append(result)
        if complete and write_outcomes(path, outcomes):
            changed.append(path)
    return changed, updated


def select(cases: Sequence[Case], pattern: str | None) -> Iterator[Case]:
    """The cases whose name matches the regular expression (all without one)."""
    try:
        compiled = re.compile(pattern) if pattern else None
    except (re.error, RecursionError, OverflowError) as err:
        raise CasesError(
            f"'{pattern}' is not a regular expression: {err}", code="licet.cases.pattern", hint="select cases with a Python regular expression, e.g. 'in-house'"
        ) from None
    for case in cases:
        if compiled is None or compiled.search(case.name):
            yield case
