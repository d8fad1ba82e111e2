"""The front door (issue 11, items 1 and 2): every scenario, rule file, license
expression and pinning-cases file passes one loader with limits and a schema.

A violation is a `LicetError` with a `code`, file:line:col where there is one,
and a hint; no other exception leaves the public API, whatever the input.
One test per root cause the robustness review found, and a bounded fuzz test
(`LICET_FUZZ_EXAMPLES` raises its count for a longer local run).
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import licensing
from licensing import LicetError, RuleError, ScenarioError, UnknownLicenseError
from licensing.cases import Case, CasesError, read_cases, run_case, select
from licensing.inputs import (
    MAX_COMPONENTS,
    MAX_CONDITION_DEPTH,
    MAX_DEPTH,
    MAX_EXPRESSION_CHARS,
    MAX_FILE_BYTES,
    MAX_RULE_FILE_BYTES,
    MAX_SCALAR_CHARS,
)
from licensing.scenario import load_yaml, read_scenario_text
from licensing.scenario.graph import Reach
from licensing.syntax import parse_rules

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
MIT_RULE = (RULES / "code" / "mit.lic").read_text(encoding="utf-8")
MIT_CONDITION = "when distribute and role in {self, derivative, bundled, aggregated}"

BASE = "components:\n  a: {kind: code, license: MIT}\nuse:\n  target: a\n  actions: [distribute]\n"
USERS = "licensee.monthly-active-users"


def _refused(call, code: str | None = None, *, located: bool = True) -> LicetError:
    """Run `call`, which must raise a LicetError (with `code`, and a line when `located`)."""
    with pytest.raises(LicetError) as caught:
        call()
    error = caught.value
    if code is not None:
        assert error.code == code, error.render()
    if located:
        assert error.line, error.render()
    assert error.hint or error.more or not located, error.render()
    return error


def _chain(n: int, relation: str = "includes") -> str:
    lines = ["components:"]
    for i in range(n):
        link = f", {relation}: [c{i + 1}]" if i < n - 1 else ""
        license_id = "GPL-2.0-only" if i == n - 1 else "MIT"
        lines.append(f"  c{i}: {{kind: code, license: {license_id}{link}}}")
    return "\n".join([*lines, "use:", "  target: c0", "  actions: [distribute]", ""])


# ---------------------------------------------------------------- YAML: aliases, nesting, size


def test_an_alias_bomb_is_refused_at_once(engine):
    text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 12):
        text += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    assert len(text) < 1024  # expanded, it would be 9**12 values: without the limit this never returns
    error = _refused(lambda: engine.check_text(text + BASE, "bomb.yaml"), "licet.scenario.too-large")
    assert error.file == "bomb.yaml" and "alias" in error.message


def test_aliases_in_moderation_still_work_and_are_not_walked_twice(engine):
    text = "components:\n  a: &shape {kind: code, license: MIT}\n  b: *shape\nuse:\n  target: a\n  actions: [distribute]\n"
    assert engine.check_text(text).verdict == "allowed"
    document = load_yaml(text, "x")
    assert document.positions[("components", "b")] == (3, 3)
    assert ("components", "b", "kind") not in document.positions  # the alias is located at its use


def test_a_recursive_alias_is_refused():
    _refused(lambda: load_yaml("a: &x [1, *x]\n", "x"), "licet.scenario.yaml-alias")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 1_000, 10_000])
def test_yaml_nested_too_deep_is_refused(engine, depth):
    text = "x: " + "[" * depth + "]" * depth + "\n" + BASE
    error = _refused(lambda: engine.check_text(text, "deep.yaml"), located=depth < 1_000)
    assert error.code in ("licet.scenario.too-deep", "licet.scenario.yaml")


def test_yaml_nested_within_the_limit_reads():
    depth = MAX_DEPTH - 2
    assert load_yaml("x: " + "[" * depth + "]" * depth + "\n", "x").data is not None


def test_a_key_written_twice_is_an_error_not_a_silent_replacement():
    text = "components:\n  a: {kind: code, license: MIT}\n  a: {kind: code, license: GPL-2.0-only}\nuse: {target: a, actions: [distribute]}\n"
    error = _refused(lambda: read_scenario_text(text, "twice.yaml"), "licet.scenario.duplicate-key")
    assert (error.line, error.column) == (3, 3) and "line 2" in (error.hint or "")


def test_size_caps_for_text_files_and_values(engine, tmp_path):
    padding = "# " + "x" * 1_000 + "\n"
    big = BASE + padding * (MAX_FILE_BYTES // len(padding) + 1)
    _refused(lambda: engine.check_text(big), "licet.scenario.too-large", located=False)
    path = tmp_path / "big.yaml"
    path.write_text(big, encoding="utf-8")
    _refused(lambda: engine.check_file(path), "licet.scenario.too-large", located=False)
    long_value = BASE.replace("kind: code", "kind: code, description: '" + "x" * (MAX_SCALAR_CHARS + 1) + "'")
    _refused(lambda: engine.check_text(long_value), "licet.scenario.too-large")


def test_a_scenario_file_that_is_not_a_regular_file_is_refused_without_waiting(engine, tmp_path):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)  # with no writer, a blocking open would wait forever
    _refused(lambda: engine.check_file(fifo), "licet.scenario.unreadable", located=False)
    _refused(lambda: engine.check_file(tmp_path), "licet.scenario.unreadable", located=False)


def test_a_scenario_file_that_is_not_utf8_is_refused_at_its_line(engine, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(BASE.encode() + b"# caf\xe9\n")
    error = _refused(lambda: engine.check_file(path), "licet.scenario.unreadable")
    assert error.line == 6


def test_a_control_character_is_located():
    error = _refused(lambda: read_scenario_text(BASE + "x: \x00\n", "nul.yaml"), "licet.scenario.yaml")
    assert (error.line, error.column) == (6, 4)


# ---------------------------------------------------------------- the graph: long chains


def test_a_chain_of_includes_1000_deep_is_checked(engine):
    verdict = engine.check_text(_chain(1_000))  # past Python's recursion limit for any recursive walk
    assert verdict.verdict == "forbidden"
    [conflict] = verdict.conflicts
    paths = [clause.path for clause in conflict.clauses]
    assert max(len(path) for path in paths) == 1_000  # the whole path, from the target to the GPL part


def test_reaches_share_their_paths():
    start = Reach.start("t")
    far = start
    for i in range(5_000):
        far = far.extend("bundled", f"c{i}", "includes")
    assert far.path[0] == "t" and len(far.path) == 5_001 and len(far.via) == 5_000
    copy = pickle.loads(pickle.dumps(far))  # flat, not one frame per step
    assert copy == far and hash(copy) == hash(far)


def test_too_many_components_are_refused(engine):
    components = {f"c{i}": {"kind": "code", "license": "MIT"} for i in range(MAX_COMPONENTS + 1)}
    scenario = {"components": components, "use": {"target": "c0", "actions": ["distribute"]}}
    _refused(lambda: engine.check(scenario), "licet.scenario.invalid", located=False)


# ---------------------------------------------------------------- numbers and dates


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1e400", "1.0e400", "'5'", "9" * 5_000, "0x" + "f" * 200], ids=lambda v: v[:12])
def test_a_number_fact_is_a_finite_number(engine, value):
    text = BASE + f"  facts: {{{USERS}: {value}}}\n"
    error = _refused(lambda: engine.check_text(text, "n.yaml"))
    assert error.line == 6 and error.code in ("licet.scenario.invalid", "licet.scenario.number")


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), 10**400, 10**5_000, "1e400", None, [1]], ids=["nan", "inf", "1e400-int", "5000-digits", "text", "none", "list"]
)
def test_a_number_fact_from_python_is_a_finite_number(engine, value):
    scenario = yaml.safe_load(BASE)
    scenario["use"]["facts"] = {USERS: value}
    _refused(lambda: engine.check(scenario), "licet.scenario.invalid", located=False)


def test_large_but_finite_numbers_are_answered(engine):
    verdict = engine.check_text(BASE + f"  facts: {{{USERS}: 1.0e+300}}\n")
    assert verdict.verdict == "allowed"


@pytest.mark.parametrize("date", ["2024-02-30", "2023-13-01", "0000-01-01"])
def test_an_impossible_date_is_located(engine, date):
    text = BASE + f"waivers:\n  - {{component: a, by: me, reason: x, expires: {date}}}\n"
    error = _refused(lambda: engine.check_text(text, "w.yaml"))
    assert error.line == 7 and error.code in ("licet.scenario.date", "licet.scenario.invalid")


def test_an_impossible_date_from_python_is_refused(engine):
    scenario = yaml.safe_load(BASE)
    scenario["waivers"] = [{"component": "a", "by": "me", "reason": "x", "expires": "2024-02-30"}]
    _refused(lambda: engine.check(scenario), located=False)
    _refused(lambda: engine.check(yaml.safe_load(BASE), today="tomorrow"), located=False)


# ---------------------------------------------------------------- license expressions


@pytest.mark.parametrize(
    "expression",
    ["()", "MIT AND ()", "(", ")(", "MIT WITH", "WITH", "AND", "MIT OR OR MIT", "((MIT)", "MIT\tOR\x01Apache-2.0", "'; (assert false)"],
)
def test_a_malformed_expression_is_an_expression_error(engine, expression):
    scenario = yaml.safe_load(BASE)
    scenario["components"]["a"]["license"] = expression
    error = _refused(lambda: engine.check(scenario), located=False)
    assert isinstance(error, UnknownLicenseError), error.render()
    assert error.code in ("licet.scenario.invalid-expression", "licet.scenario.unknown-license")


def test_the_malformed_expression_that_reached_the_parser_is_located(engine):
    error = _refused(lambda: engine.check_text(BASE.replace("MIT", "'()'"), "p.yaml"), "licet.scenario.invalid-expression")
    assert (error.line, error.column) == (2, 19)


def test_expressions_of_absurd_length_or_depth_are_refused(engine, library):
    long = " AND ".join(["MIT"] * (MAX_EXPRESSION_CHARS // 5 + 1))
    deep = "(" * 1_000 + "MIT" + ")" * 1_000
    for expression in (long, deep):
        _refused(lambda expression=expression: library.parse_expression(expression), "licet.scenario.expression-too-large", located=False)
    _refused(lambda: engine.check_text(BASE.replace("MIT", deep), "d.yaml"), "licet.scenario.expression-too-large")
    assert library.parse_expression("(" * 10 + "MIT OR Apache-2.0" + ")" * 10).tree is not None


@pytest.mark.parametrize("value", [5, None, ["MIT"], {"MIT": 1}])
def test_an_expression_that_is_not_text_is_refused(library, value):
    _refused(lambda: library.parse_expression(value), "licet.scenario.invalid-expression", located=False)
    assert library.canonical_id(value) is None
    _refused(lambda: library.get(value), located=False)


# ---------------------------------------------------------------- rule files


@pytest.mark.parametrize("condition", ["(" * 600 + "distribute" + ")" * 600, "not " * 600 + "distribute", "not (" * 300 + "distribute" + ")" * 300])
def test_a_condition_nested_too_deep_is_a_located_rule_error(condition):
    text = MIT_RULE.replace(MIT_CONDITION, "when " + condition)
    error = _refused(lambda: parse_rules(text, "rules/code/mit.lic"), "licet.rule.too-deep")
    assert error.line == 11 and error.column and error.file == "rules/code/mit.lic"


def test_a_condition_nested_within_the_limit_parses():
    levels = MAX_CONDITION_DEPTH // 2 - 1
    text = MIT_RULE.replace(MIT_CONDITION, "when " + "(" * levels + "distribute" + ")" * levels)
    assert parse_rules(text, "x.lic")


@pytest.mark.parametrize("number", ["9" * 400, "9" * 5_000, "1" + "0" * 16], ids=["400-digits", "5000-digits", "1e16"])
def test_a_number_too_large_in_a_rule_is_located(number):
    text = MIT_RULE.replace(MIT_CONDITION, f"when distribute and {USERS} > {number}")
    error = _refused(lambda: parse_rules(text, "x.lic"), "licet.rule.number")
    assert error.line == 11


def _rules_copy(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(RULES, root, ignore=shutil.ignore_patterns("*.cases.yaml"))
    return root


def test_a_second_license_block_with_the_same_id_names_both_places(tmp_path):
    root = _rules_copy(tmp_path)
    (root / "code" / "zz-mit.lic").write_text('license "MIT" {\n  title "Not MIT"\n  covers code\n}\n', encoding="utf-8")
    error = _refused(lambda: licensing.load_library(root), "licet.rule.duplicate")
    assert error.file == "rules/code/zz-mit.lic" and error.line == 1
    assert "rules/code/mit.lic:1:1" in (error.hint or "")


def test_rule_files_over_the_size_cap_or_not_regular_are_refused(tmp_path):
    root = _rules_copy(tmp_path)
    (root / "code" / "huge.lic").write_text("# " + "x" * MAX_RULE_FILE_BYTES + "\n", encoding="utf-8")
    os.mkfifo(root / "code" / "pipe.lic")
    error = _refused(lambda: licensing.load_library(root), located=False)
    codes = {e.code for e in error.errors}
    assert codes == {"licet.rule.too-large", "licet.rule.unreadable"}, error.render()


@pytest.mark.parametrize("root", [5, ["rules"], "bad\x00path"])
def test_a_rules_folder_that_is_not_a_path_is_refused(root):
    _refused(lambda: licensing.load_library(root), located=False)


# ---------------------------------------------------------------- pinning cases


@pytest.mark.parametrize(
    "text, line",
    [
        ("- 1\n- 2\n", 1),
        ("cases: 5\n", 1),
        ("cases: {a: 1}\n", 1),
        ("cases: [1, 2]\n", 1),
        ("cases: []\nextra: 1\n", 2),
        ("cases:\n  - 5\n", 2),
        ("cases:\n  - name: x\n    scenario: {}\n    expect: {verdict: allowed, cites: 5}\n", 4),
        ("cases:\n  - name: x\n    scenario: {}\n    expect: {verdict: allowed, cites: [1]}\n", 4),
        ("cases:\n  - name: x\n    scenario: {}\n    expect: {verdict: allowed, depends_on: [1]}\n", 4),
        ("cases:\n  - name: x\n    scenario: {}\n    expect: {verdict: maybe}\n", 4),
        ("cases:\n  - name: x\n    scenario: {}\n    expect: {verdict: allowed, choices: {a: [1]}}\n", 4),
        ("cases:\n  - name: {a: 1}\n    scenario: {}\n    expect: {verdict: allowed}\n", 2),
        ("cases:\n  - name: x\n    scenario: [1]\n    expect: {verdict: allowed}\n", 2),
        ("cases:\n  - name: x\n    scenario: {}\n    expect: {verdict: allowed}\n    surprise: 1\n", 2),
    ],
)
def test_cases_files_of_the_wrong_shape_are_located_errors(tmp_path, text, line):
    path = tmp_path / "x.cases.yaml"
    path.write_text(text, encoding="utf-8")
    error = _refused(lambda: read_cases(path))
    assert isinstance(error, CasesError) and error.line == line, error.render()


def test_a_case_built_by_hand_is_checked_before_it_runs(engine, tmp_path):
    scenario = yaml.safe_load(BASE)
    for data in (
        {"name": "x", "scenario": scenario, "expect": {"verdict": "allowed", "cites": [1]}},
        {"name": "x", "scenario": scenario, "expect": [1]},
        {"name": "x", "scenario": 5, "expect": {"verdict": "allowed"}},
        [1],
    ):
        _refused(lambda data=data: run_case(Case(tmp_path / "x.cases.yaml", 1, data), engine), "licet.cases.invalid", located=False)
    good = Case(tmp_path / "x.cases.yaml", 1, {"name": "x", "scenario": scenario, "expect": {"verdict": "allowed"}})
    assert run_case(good, engine).passed


def test_a_case_whose_scenario_is_not_a_mapping_at_run_time_is_an_error_result(engine, tmp_path):
    path = tmp_path / "x.cases.yaml"
    path.write_text("cases:\n  - name: x\n    scenario: {components: 5, use: 1}\n    expect: {verdict: error}\n", encoding="utf-8")
    [case] = read_cases(path)
    assert run_case(case, engine).verdict == "error"


def test_cases_files_that_are_missing_or_not_files(tmp_path):
    _refused(lambda: read_cases(tmp_path / "none.cases.yaml"), "licet.cases.not-found", located=False)
    fifo = tmp_path / "pipe.cases.yaml"
    os.mkfifo(fifo)
    _refused(lambda: read_cases(fifo), "licet.cases.unreadable", located=False)
    _refused(lambda: read_cases(5), "licet.cases.not-found", located=False)


def test_a_case_pattern_that_is_not_a_regular_expression(tmp_path):
    _refused(lambda: list(select([], "(")), "licet.cases.pattern", located=False)


# ---------------------------------------------------------------- wrong shapes through the API


@pytest.mark.parametrize(
    "change",
    [
        ("components", "a", "kind", {"a": 1}),
        ("components", "a", "license", ["MIT"]),
        ("components", "a", "includes", 5),
        ("components", "a", "includes", [None]),
        ("components", "a", "relations", [1]),
        ("components", "a", "description", 5),
        ("use", "actions", {"a": 1}),
        ("use", "purposes", 5),
        ("use", "facts", [1]),
        ("use", "target", ["a"]),
        ("use", "release-license", 5),
        ("assume", {"x": [1]}),
        ("waivers", 5),
        ("waivers", [{"component": "a"}]),
    ],
)
def test_scenario_fields_of_the_wrong_type_are_scenario_errors(engine, change):
    scenario = yaml.safe_load(BASE)
    *path, key, value = change
    target = scenario
    for part in path:
        target = target[part]
    target[key] = value
    error = _refused(lambda: engine.check(scenario), located=False)
    assert isinstance(error, ScenarioError)
    text = yaml.safe_dump(scenario)
    _refused(lambda: engine.check_text(text, "x.yaml"))


@pytest.mark.parametrize("value", [5, None, [1, 2], "text", b"bytes"])
def test_inputs_of_the_wrong_type_are_licet_errors(engine, value):
    _refused(lambda: engine.check(value), located=False)
    _refused(lambda: engine.check_text(value), located=False)
    if not isinstance(value, (str, bytes)):
        _refused(lambda: engine.check_file(value), located=False)
        _refused(lambda: licensing.check_file(value), located=False)


def test_a_name_of_absurd_length_is_refused(engine):
    name = "c" * 2_000
    scenario = {"components": {name: {"kind": "code", "license": "MIT"}}, "use": {"target": name, "actions": ["distribute"]}}
    _refused(lambda: engine.check(scenario), "licet.scenario.invalid", located=False)


# ---------------------------------------------------------------- fuzz


def _examples() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in EXAMPLES] + [BASE, _chain(3), _chain(3, "derived-from")]


# Pieces that broke the loaders: YAML structure, aliases, numbers, dates,
# expressions, control and unicode characters.
_PIECES = [
    "&a ", "*a", "[", "]", "{", "}", ": ", "- ", "\n", "  ", "? ", "!!binary ", "!!python/object:os.system ", "<<: *a",
    ".nan", ".inf", "1e400", "1.0e400", "9" * 120, "2024-02-30", "0x", "null", "yes", "no", "~", "''", '"\\x00"',
    "()", "MIT AND ()", "WITH", "OR", "GPL-2.0-only", "(" * 40, ")" * 40, "not ", "\x00", "\x85", "\ufeff", "é", "🦙", "\t",
    "components:", "use:", "includes:", "waivers:", "expires: ", "facts: ", "license: ", "kind: ", "target: ",
    "not (", " and ", " or ", "when ", "§", '"', 'license "MIT" {', "purpose only in", "role in {", USERS + " > ",
]


@st.composite
def _mutated(draw: st.DrawFn, sources: list[str] | None = None) -> str:
    text = draw(st.sampled_from(sources or _examples()))
    for _ in range(draw(st.integers(1, 4))):
        cut = draw(st.integers(0, len(text)))
        match draw(st.sampled_from(["insert", "delete", "replace", "duplicate-line", "repeat"])):
            case "insert":
                text = text[:cut] + draw(st.sampled_from(_PIECES)) + text[cut:]
            case "delete":
                text = text[:cut] + text[cut + draw(st.integers(1, 20)):]
            case "replace":
                text = text[:cut] + draw(st.text(max_size=8)) + text[cut + draw(st.integers(0, 8)):]
            case "duplicate-line":
                lines = text.split("\n")
                index = draw(st.integers(0, len(lines) - 1))
                lines.insert(index, lines[index])
                text = "\n".join(lines)
            case "repeat":
                text = text[:cut] + draw(st.sampled_from(_PIECES)) * draw(st.integers(2, 200)) + text[cut:]
    return text


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.sampled_from(["MIT", "GPL-2.0-only OR Apache-2.0", "code", "weights", "distribute", "a", "()", "2024-02-30", USERS]),
)
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=20)


@st.composite
def _random_yaml(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        data = draw(_values)
    else:  # shaped like a scenario, with anything in its places
        data = {
            "components": draw(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.dictionaries(st.sampled_from(["kind", "license", "includes", "derived-from", "description"]), _values, max_size=4), max_size=3)),
            "use": draw(st.dictionaries(st.sampled_from(["target", "actions", "purposes", "facts", "commercial", "release-license"]), _values, max_size=5)),
        }
        if draw(st.booleans()):
            data["waivers"] = draw(_values)
    return yaml.safe_dump(data, allow_unicode=draw(st.booleans()))


FUZZ_EXAMPLES = int(os.environ.get("LICET_FUZZ_EXAMPLES", "100"))


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=st.one_of(_mutated(), _random_yaml()))
def test_fuzzed_scenarios_give_a_verdict_or_a_licet_error(engine, text):
    try:
        verdict = engine.check_text(text, "fuzz.yaml", today=dt.date(2025, 1, 1))
    except LicetError as error:
        assert error.code.startswith("licet."), error.code
        error.render()
        error.as_dict()
    else:
        assert verdict.verdict in ("allowed", "forbidden", "depends", "unknown")


RULE_TEXTS = [MIT_RULE, *(path.read_text(encoding="utf-8") for path in sorted((RULES / "code").glob("gpl-*.lic")))]


@settings(max_examples=FUZZ_EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=_mutated(RULE_TEXTS))
def test_fuzzed_rule_files_parse_or_give_a_rule_error(text):
    try:
        parse_rules(text, "rules/code/fuzz.lic")
    except RuleError as error:
        assert error.code.startswith("licet.rule."), error.code
        error.render()


CASES_TEXTS = [(RULES / "code" / name).read_text(encoding="utf-8") for name in ("mit.cases.yaml", "gpl-2.0-only.cases.yaml")]


@settings(max_examples=FUZZ_EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(text=_mutated(CASES_TEXTS))
def test_fuzzed_cases_files_run_or_give_a_licet_error(engine, tmp_path, text):
    path = tmp_path / "fuzz.cases.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        for case in read_cases(path)[:2]:
            run_case(case, engine)
    except LicetError as error:
        assert error.code.startswith("licet."), error.code
        error.render()
