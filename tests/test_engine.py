"""The engine as an embedder uses it: built once, shared by threads, batched
over processes, deterministic, versioned."""

from __future__ import annotations

import concurrent.futures as futures
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import licensing
from licensing import Engine, LicetError, Verdict
from licensing.cases import read_cases
from licensing.cli.main import cli
from licensing.paths import schema_path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _golden_scenarios() -> list[tuple[str, dict]]:
    out = []
    for path in sorted((ROOT / "tests" / "scenarios").rglob("*.cases.yaml")):
        for case in read_cases(path):
            if case.expect.get("verdict") != "error":
                out.append((case.name, case.data["scenario"]))
    return out


GOLDEN = _golden_scenarios()


def _answer(verdict: Verdict) -> str:
    """Everything of a verdict but the name of the question."""
    return verdict.model_dump_json(exclude={"scenario"})


def test_threads_share_one_engine_and_agree_with_sequential_checks(library):
    """8 threads × 50 mixed checks on one engine: every answer is the one a
    sequential check gives (before each check had its own z3 context, 4
    threads crashed the interpreter in 3 runs of 4). The budget is an hour:
    8 threads on two cores can make one check outrun the default 20 s, and
    an answer cut short by the budget (`incomplete`) is right but different."""
    import yaml

    engine = Engine(library=library, timeout_ms=3_600_000)

    questions = [scenario for _, scenario in GOLDEN] + [yaml.safe_load(p.read_text(encoding="utf-8")) for p in EXAMPLES]
    # mixed: every question, with and without the explanation (conflicts, plan, obligations, ways out)
    work = [(index % len(questions), index % 2 == 0) for index in range(8 * 50)]
    sequential = {item: _answer(engine.check(questions[item[0]], explain=item[1])) for item in set(work)}
    with futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda item: _answer(engine.check(questions[item[0]], explain=item[1])), work))
    mismatches = [item for item, answer in zip(work, answers, strict=True) if answer != sequential[item]]
    assert not mismatches, f"{len(mismatches)} of {len(work)} answers differ from the sequential ones"


def test_the_review_thread_reproducer_passes():
    """threads.py from the design review: 4 threads × the examples on one library."""
    code = (
        "import licensing, concurrent.futures as cf\n"
        "from pathlib import Path\n"
        "lib = licensing.load_library()\n"
        "files = sorted(Path('examples').glob('*.yaml'))\n"
        "seq = {f.name: licensing.check_file(f, library=lib).verdict for f in files}\n"
        "def run(f): return f.name, licensing.check_file(f, library=lib).verdict\n"
        "with cf.ThreadPoolExecutor(4) as ex:\n"
        "    out = list(ex.map(run, files * 8))\n"
        "print('ok', len(out), 'mismatches', sum(v != seq[n] for n, v in out))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == f"ok {len(EXAMPLES) * 8} mismatches 0"


def test_check_many_in_two_processes_gives_the_sequential_verdicts(engine):
    scenarios = [scenario for _, scenario in GOLDEN]
    sequential = [_answer(v) for v in engine.check_many(scenarios, workers=1)]
    parallel = [_answer(v) for v in engine.check_many(scenarios, workers=2)]
    assert parallel == sequential


def test_the_same_question_gets_the_same_answer_in_one_process(engine):
    for _, scenario in GOLDEN:
        assert _answer(engine.check(scenario)) == _answer(engine.check(scenario))


def test_the_same_question_gets_the_same_answer_across_processes(tmp_path):
    """Other hash seeds, other processes: the same verdicts, choices,
    obligations and fixes, in the same order."""
    code = (
        "import json, sys, yaml\n"
        "from licensing import Engine\n"
        "from licensing.cases import read_cases\n"
        "from pathlib import Path\n"
        "engine = Engine()\n"
        "out = [engine.check(c.data['scenario']).model_dump_json(exclude={'scenario'}) for p in sorted(Path('tests/scenarios').rglob('*.cases.yaml')) for c in read_cases(p) if c.expect['verdict'] != 'error']\n"
        "print(json.dumps(out))\n"
    )
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        runs.append(json.loads(result.stdout))
    assert runs[0] == runs[1]


def test_an_engine_cannot_be_changed_once_built(engine):
    with pytest.raises(AttributeError):
        engine._library = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        engine.library.licenses["MIT"] = None  # type: ignore[index]


def test_an_engine_on_another_rules_folder(tmp_path):
    import shutil

    root = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", root)
    other = Engine(rules=root, timeout_ms=5000)
    assert other.library.root == root.resolve()
    assert other.timeout_ms == 5000
    assert other.rules_fingerprint == Engine().rules_fingerprint  # same files, same digest
    (root / "code" / "mit.lic").write_text((root / "code" / "mit.lic").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    licensing.library._load_cached.cache_clear()
    assert Engine(rules=root).rules_fingerprint != other.rules_fingerprint


def test_verdicts_carry_their_versions(engine):
    verdict = engine.check_file(EXAMPLES[0])
    assert verdict.schema_version == licensing.SCHEMA_VERSION == 1
    assert verdict.licet_version == licensing.__version__
    assert len(verdict.rules_fingerprint) == 32 and verdict.rules_fingerprint == engine.rules_fingerprint


def test_the_published_schema_is_the_verdict_model():
    """A change to the verdict's shape must come with its schema (and, if it
    removes or retypes a field, a new schema version)."""
    published = json.loads(schema_path().read_text(encoding="utf-8"))
    assert published == json.loads(json.dumps(Verdict.model_json_schema())), "run: python -c 'import json; from licensing.verdict import Verdict; print(json.dumps(Verdict.model_json_schema(), indent=2, sort_keys=True))' > licensing/schemas/verdict-1.json"


def test_licet_schema_prints_it_and_verdicts_validate(runner, engine):
    jsonschema = pytest.importorskip("jsonschema")
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    for path in EXAMPLES:
        jsonschema.validate(json.loads(engine.check_file(path).model_dump_json()), schema)


def test_structured_values_in_the_verdict(engine):
    verdict = engine.check_file(ROOT / "examples" / "gpl2-apache.yaml")
    conflict = verdict.conflicts[0]
    ref = conflict.clauses[0]
    assert ref.location is not None and str(ref.location) == ref.source
    fact = conflict.fact_refs[0]
    assert fact.kind == "action" and fact.name == "distribute" and fact.value is True
    assert fact.source is not None and fact.source.file.endswith("gpl2-apache.yaml") and fact.source.line
    assert conflict.facts == [f.key for f in conflict.fact_refs]
    leave_out = [f for f in verdict.fixes if f.kind == "leave-out"]
    assert leave_out and all(f.components and f"'{f.components[0]}'" in f.change for f in leave_out)
    stop = next(f for f in verdict.fixes if f.kind == "stop-action")
    assert stop.fact is not None and stop.fact.name == "distribute"


def test_depends_on_lists_every_outcome(engine):
    verdict = engine.check_file(ROOT / "examples" / "chatbot.yaml")
    for item in verdict.depends_on:
        assert item.kind == "assumption" and item.question
        assert [c.when for c in item.outcomes] == ["yes", "no"]
        assert {c.verdict for c in item.outcomes} == {item.yes, item.no}


def test_errors_carry_codes_and_all_of_them_are_collected(tmp_path):
    import shutil

    root = tmp_path / "rules"
    root.mkdir()
    shutil.copy(ROOT / "rules" / "vocabulary.lic", root / "vocabulary.lic")
    (root / "x.lic").write_text(
        'license "X" {\n  clause a § "1"\n    forbid any when role == derivitive\n  clause b § "2"\n    forbid any when purpose in {medical-advise}\n}\n',
        encoding="utf-8",
    )
    with pytest.raises(LicetError) as caught:
        Engine(rules=root)
    errors = caught.value.errors
    assert [e.code for e in errors] == ["licet.rule.unknown-word", "licet.rule.unknown-word"]
    assert [(e.line, e.column) for e in errors] == [(3, 29), (5, 33)]  # at the misspelt words
    assert "did you mean 'derivative'" in errors[0].render() and "did you mean 'medical-advice'" in errors[1].render()
    assert [e["code"] for e in caught.value.as_dict()["errors"]] == ["licet.rule.unknown-word"] * 2
    with pytest.raises(LicetError) as unknown:
        licensing.check({"components": {"a": {"kind": "code", "license": "Nope-1.0"}}, "use": {"target": "a", "actions": ["run"]}})
    assert unknown.value.code == "licet.scenario.unknown-license"


def test_errors_cross_process_boundaries_intact():
    import pickle

    error = LicetError("x", code="licet.test", file="f", line=2, column=3, hint="h")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.location, copy.hint, type(copy)) == ("licet.test", "f:2:3", "h", LicetError)


def test_the_verdict_alone_is_the_explained_verdict(engine):
    """`explain=False` compiles a stated release license alone (no way out
    will try another): the verdict must be the one the full check gives,
    on every pinning case that states a release license and on matrix cells."""
    from licensing.matrix import cell_scenario, matrix_licenses

    scenarios = [
        case.data["scenario"]
        for path in sorted((Path(__file__).resolve().parents[1] / "rules").rglob("*.cases.yaml"))
        for case in read_cases(path)
        if case.expect.get("verdict") != "error" and "release-license" in case.data["scenario"].get("use", {})
    ]
    ids = matrix_licenses(engine.library, "code")[:12]
    scenarios += [cell_scenario(engine.library, outbound, inbound) for outbound in ids for inbound in ids if outbound != inbound]
    assert len(scenarios) > 150
    for scenario in scenarios:
        assert engine.check(scenario, explain=False).verdict == engine.check(scenario).verdict, scenario


def test_pruning_unsat_combinations_by_their_core_keeps_the_answer(engine, library, monkeypatch):
    """Past `PRUNE_ABOVE` combinations of open questions, a verdict alone (or
    a way out being tried) lets an unsat combination prune those that agree
    with it on its core's open questions. Four components under the `bsd`
    family and a GPL-3.0 library make 1,296 combinations: the verdict and
    what it depends on are those of the unpruned search and of the reference
    evaluator, and the explained answer (never pruned) agrees."""
    from licensing import solver
    from licensing.reference import reference_verdict

    libraries = {name: {"kind": "code", "license": "bsd"} for name in "abcd"}
    for gpl in (True, False):
        components = {**libraries, **({"g": {"kind": "code", "license": "GPL-3.0-only"}} if gpl else {})}
        components["app"] = {"kind": "code", "license": "LicenseRef-Proprietary", "includes": sorted(set(components) - {"app"})}
        scenario = licensing.Scenario.model_validate(
            {"components": components, "use": {"target": "app", "actions": ["distribute"], "commercial": True, "release-license": "LicenseRef-Proprietary"}}
        )
        pruned = engine.check(scenario, explain=False)
        monkeypatch.setattr(solver, "PRUNE_ABOVE", 10**9)
        full = engine.check(scenario, explain=False)
        monkeypatch.undo()
        assert pruned.verdict == full.verdict == engine.check(scenario).verdict == reference_verdict(scenario, library)
        assert pruned.depends_on == full.depends_on
        assert pruned.verdict == ("forbidden" if gpl else "allowed")
