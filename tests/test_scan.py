"""`licet scan` and `licet init` on fixture repositories (tests/fixtures/scan/).

The answers each fixture must give are data in tests/fixtures/scan/expected.yaml;
the rest are properties of the sources, the policy and the outputs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
import yaml

from licensing import load_library
from licensing.render.scan import render_scan, scan_sarif
from licensing.repo import ScanError, build_scenario, scan
from licensing.repo.registry import RegistryError, load_registry

FIXTURES = Path(__file__).parent / "fixtures" / "scan"
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))
SARIF_SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def library():
    return load_library()


LICET = Path(sys.executable).parent / "licet"


def licet(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command, as CI and users run it (a whole process, real exit codes)."""
    command = str(LICET) if LICET.exists() else (shutil.which("licet") or "licet")
    return subprocess.run([command, *args], capture_output=True, text=True, cwd=cwd)


def copy_fixture(name: str, tmp_path: Path) -> Path:
    """A fixture copied next to the shared Python environment it points at."""
    shutil.copytree(FIXTURES / name, tmp_path / name)
    if (FIXTURES / "python-env").exists() and not (tmp_path / "python-env").exists():
        shutil.copytree(FIXTURES / "python-env", tmp_path / "python-env")
    return tmp_path / name


# ---------------------------------------------------------------- the fixtures' answers


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_answer(name, library):
    expected = EXPECTED[name]
    report = scan(FIXTURES / name, library=library)
    verdict = report.verdict
    assert verdict.verdict == expected["verdict"], render_scan(report, "text")
    if "target" in expected:
        assert report.target == expected["target"]
    for component, want in expected.get("components", {}).items():
        found = report.component(component)
        assert found is not None, f"{component} not found; have {[c.name for c in report.components]}"
        assert found.license == want["license"], component
        assert found.resolved_by == want["resolved_by"], component
    cited = {f"{ref.license}/{ref.clause}": ref for conflict in verdict.conflicts for ref in conflict.clauses}
    for cite in expected.get("cites", []):
        assert cite["clause"] in cited, f"{cite['clause']} not among {sorted(cited)}"
    assert sorted(d.assumption for d in verdict.depends_on) == sorted(expected.get("depends_on", []))
    duties = {ob.duty for ob in verdict.obligations}
    assert set(expected.get("obligations", [])) <= duties
    scenario = report.scenario["components"]
    if "relation" in expected:
        target = scenario[report.target]
        assert "pyqt6" in target.get(expected["relation"], [])
        other = "depends-on" if expected["relation"] == "includes" else "includes"
        assert "pyqt6" not in target.get(other, [])
    for absent in expected.get("not_components", []):
        assert absent not in scenario, f"{absent} is installed but not a dependency of the project"
    for source, relation, target in expected.get("relations", []):
        assert target in scenario[source].get(relation, []), (source, relation, target)
    assert set(expected.get("notes", [])) <= {note.rule for note in report.notes}
    assert report.exit_code == {"allowed": 0, "forbidden": 1, "depends": 3, "unknown": 3}[expected["verdict"]]


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if any("declared_at" in c for c in EXPECTED[n].get("cites", []))))
def test_sarif_points_at_the_declaring_line(name, library):
    report = scan(FIXTURES / name, library=library)
    sarif = scan_sarif(report)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    results = sarif["runs"][0]["results"]
    for cite in EXPECTED[name]["cites"]:
        if "declared_at" not in cite:
            continue
        file, line = cite["declared_at"].rsplit(":", 1)
        hits = [r for r in results if r["ruleId"] == cite["clause"]]
        assert hits, cite
        location = hits[0]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].endswith(file)
        assert location["region"]["startLine"] == int(line)
        assert hits[0]["level"] == ("error" if report.verdict.verdict == "forbidden" else "warning")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_fixture_gives_schema_valid_sarif(name, library):
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(scan_sarif(scan(FIXTURES / name, library=library)))


def test_sarif_with_an_invalid_level_fails_the_schema(library):
    # the schema check can fail: a wrong level is caught
    sarif = scan_sarif(scan(FIXTURES / "llama2-lora-apache", library=library))
    sarif["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)


# ---------------------------------------------------------------- the command


def test_cli_formats_and_exit_codes(tmp_path):
    repo = FIXTURES / "llama2-lora-apache"
    text = licet("scan", str(repo))
    assert text.returncode == 1, text.stderr
    assert "llama2 § 1.b.i (derivatives_stay)" in text.stdout
    assert "README.md:2" in text.stdout
    data = json.loads(licet("scan", str(repo), "--format", "json").stdout)
    assert data["verdict"] == "forbidden"
    assert data["scan"]["scenario"]["use"]["release-license"] == "Apache-2.0"
    markdown = licet("scan", str(repo), "--format", "markdown").stdout
    assert markdown.startswith("### licet: **FORBIDDEN**")
    assert "| `meta-llama/Llama-2-7b-hf` | weights | llama2 | registry |" in markdown
    out = tmp_path / "licet.sarif"
    done = licet("scan", str(repo), "--format", "sarif", "-o", str(out))
    assert done.returncode == 1 and done.stdout == ""
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(out.read_text()))


@pytest.mark.parametrize("name", ["llama2-lora-apache", "python-gpl-linked", "cyclonedx-mlbom", "card-license-list", "cyclonedx-cycle",
                                  "cyclonedx-unreached", "spdx-spec-example"])
def test_printed_scenario_rechecks_to_the_same_verdict(name, tmp_path):
    repo = FIXTURES / name
    printed = licet("scan", str(repo), "--print-scenario")
    assert printed.returncode == 0, printed.stderr
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(printed.stdout)
    checked = json.loads(licet("check", str(scenario), "--format", "json").stdout)
    assert checked["verdict"] == EXPECTED[name]["verdict"]


def test_scan_of_this_repository_is_allowed():
    root = Path(__file__).parent.parent
    done = licet("scan", str(root), "--format", "json")
    data = json.loads(done.stdout)
    assert data["verdict"] == "allowed", done.stdout[-3000:]
    assert done.returncode == 0
    names = {c["name"] for c in data["scan"]["components"]}
    assert {"lark", "z3-solver", "pydantic", "click"} <= names
    assert "pytest" not in names  # a test tool, not a dependency of the project


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("files", "message", "where"),
    [
        ({"licet.yaml": "use:\n  actions: [distribute]\n  comercial: true\n"}, "unknown key 'comercial'", "licet.yaml:3"),
        ({"licet.yaml": "use: [\n"}, "not valid YAML", "licet.yaml:"),
        ({"pyproject.toml": "[project\nname = 'x'\n"}, "not valid TOML", "pyproject.toml:1"),
        ({"README.md": "---\nlicense: [apache\n---\n# x\n"}, "front matter does not parse", "README.md:2"),
        # an override is checked even when nothing it names is found (issue 11)
        ({"README.md": "---\nlicense: mit\n---\n", "licet.yaml": "overrides:\n  a/b: {license: not-a-license}\n"},
         "unknown license 'not-a-license'", "licet.yaml:2"),
        ({"README.md": "---\nlicense: mit\n---\n", "licet.yaml": "use:\n  actions: [sell]\n"}, "unknown action 'sell'", "licet.yaml:2"),
        ({"README.md": "---\nlicense: mit\n---\n", "licet.yaml": "waivers:\n  - {component: nope, by: A, reason: b}\n"}, "not a component", "licet.yaml:2"),
        ({"notes.txt": "nothing here\n"}, "nothing to scan", None),
    ],
)
def test_bad_input_is_exit_2_with_a_location(tmp_path, files, message, where):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    done = licet("scan", str(tmp_path))
    if message is None:  # an override nobody refers to is harmless
        assert done.returncode in (0, 1, 3), done.stderr
        return
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    if where:
        assert where in done.stderr
    assert "help:" in done.stderr


def test_an_unknown_license_in_an_override_points_at_the_policy(tmp_path):
    (tmp_path / "README.md").write_text("---\nlicense: mit\nbase_model: acme/base\n---\n")
    (tmp_path / "licet.yaml").write_text("overrides:\n  acme/base: {license: apache-3.0}\n")
    done = licet("scan", str(tmp_path))
    assert done.returncode == 2
    assert "licet.yaml:2" in done.stderr and "unknown license 'apache-3.0'" in done.stderr


# ---------------------------------------------------------------- cards and ids


def test_unresolved_id_is_unknown_and_says_so(tmp_path, library):
    (tmp_path / "README.md").write_text("---\nlicense: apache-2.0\nbase_model: nobody/never-heard-of\n---\n")
    report = scan(tmp_path, library=library)
    assert report.verdict.verdict == "unknown"
    assert report.component("nobody/never-heard-of").license is None
    note = next(n for n in report.notes if n.rule == "unresolved-license")
    assert "--online" in note.message and note.origin.line == 3


def test_hf_cache_card_resolves_and_is_followed(tmp_path, monkeypatch, library):
    cache = tmp_path / "hub"
    snapshot = cache / "models--acme--tuned" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (cache / "models--acme--tuned" / "refs").mkdir()
    (cache / "models--acme--tuned" / "refs" / "main").write_text("abc123")
    (snapshot / "README.md").write_text("---\nlicense: llama2\nbase_model: meta-llama/Llama-2-7b-hf\n---\n")
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("---\nlicense: mit\nbase_model: acme/tuned\n---\n")
    report = scan(repo, library=library)
    assert report.component("acme/tuned").resolved_by == "hf cache"
    assert report.component("meta-llama/Llama-2-7b-hf").resolved_by == "registry"
    assert "meta-llama/Llama-2-7b-hf" in report.scenario["components"]["acme/tuned"]["derived-from"]
    assert report.verdict.verdict == "forbidden"  # a Llama 2 derivative released as MIT


def test_online_uses_the_hub_api_when_nothing_on_disk_resolves(tmp_path, library):
    class FakeHub:
        def __init__(self):
            self.asked = []

        def model_info(self, repo_id, **kwargs):
            self.asked.append(repo_id)
            return SimpleNamespace(card_data=SimpleNamespace(to_dict=lambda: {"license": "cc-by-nc-4.0"}))

        def dataset_info(self, repo_id, **kwargs):
            raise ConnectionError("offline")

    (tmp_path / "README.md").write_text("---\nlicense: apache-2.0\nbase_model: acme/secret-base\ndatasets: [acme/data]\n---\n")
    (tmp_path / "licet.yaml").write_text("use: {actions: [serve], commercial: true}\n")
    hub = FakeHub()
    report = scan(tmp_path, library=library, online=True, hub_api=hub)
    assert hub.asked == ["acme/secret-base"]
    assert report.component("acme/secret-base").license == "CC-BY-NC-4.0"
    assert report.component("acme/secret-base").resolved_by == "hub api"
    assert any(n.rule == "hub-error" and n.component == "acme/data" for n in report.notes)
    assert report.verdict.verdict == "forbidden"


def test_dataset_card_is_data(tmp_path, library):
    (tmp_path / "README.md").write_text("---\nlicense: cc-by-sa-4.0\ntask_categories: [text-classification]\nsize_categories: [1K<n<10K]\n---\n")
    gathering, scenario, _ = build_scenario(tmp_path, library=library)
    assert scenario.components[gathering.target].kind == "data"


def test_license_other_uses_license_name(tmp_path, library):
    (tmp_path / "README.md").write_text("---\nlicense: other\nlicense_name: llama3\nlicense_link: LICENSE\n---\n")
    gathering, _, _ = build_scenario(tmp_path, library=library)
    assert gathering.components[gathering.target].license == "llama3"


# ---------------------------------------------------------------- unreadable licenses are unknown terms


def test_an_unknown_license_id_on_the_card_is_unknown_never_allowed(library):
    repo = FIXTURES / "card-unknown-license"
    done = licet("scan", str(repo))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "UNKNOWN" in done.stdout.splitlines()[0]
    assert "unreadable license at" in done.stdout and "README.md:2:10" in done.stdout
    report = scan(repo, library=library)
    note = next(n for n in report.notes if n.rule == "unknown-license")
    assert "'acme-research-eula'" in note.message and note.origin.line == 2 and note.level == "warning"
    assert "release-license" not in report.scenario["use"]
    assert report.scenario["components"][report.target]["license"] == "NOASSERTION"


def test_a_license_list_keeps_the_ids_it_can_read(library):
    report = scan(FIXTURES / "card-license-list", library=library)
    notes = [n for n in report.notes if n.rule == "unknown-license"]
    assert len(notes) == 1 and "'acme-research-eula'" in notes[0].message and notes[0].origin.line == 4
    assert report.component(report.target).license_origins["CC-BY-NC-4.0"].line == 3
    # the unknown terms stay: dropping the commercial use does not make it allowed
    assert [f.then for f in report.verdict.fixes if f.kind == "fact"] in ([], ["unknown"])
    assert all(f.then != "allowed" for f in report.verdict.fixes)
    markdown = render_scan(report, "markdown")
    assert "declared at `" in markdown and "README.md:3:5" in markdown


def test_a_license_list_is_all_of_them_not_a_release_license_choice(tmp_path, library):
    (tmp_path / "README.md").write_text("---\nlicense:\n  - mit\n  - apache-2.0\n---\n")
    gathering, scenario, _ = build_scenario(tmp_path, library=library)
    target = gathering.components[gathering.target]
    assert target.license == "MIT AND Apache-2.0"
    assert scenario.use.release_license is None
    (tmp_path / "README.md").write_text("---\nlicense: [mit]\n---\n")
    gathering, scenario, _ = build_scenario(tmp_path, library=library)
    assert scenario.use.release_license == "MIT"  # one license is the release license, as before


def test_other_in_a_license_list_is_the_license_name(tmp_path, library):
    (tmp_path / "README.md").write_text("---\nlicense: [apache-2.0, other]\nlicense_name: llama3\n---\n")
    gathering, _, _ = build_scenario(tmp_path, library=library)
    assert gathering.components[gathering.target].license == "Apache-2.0 AND llama3"


def test_unreadable_terms_inside_an_expression_are_replaced_in_place(tmp_path, library):
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n")
    gathering, _, _ = build_scenario(tmp_path, library=library)
    read = gathering.license_text
    assert read("mit and acme-eula", "x", None, "t") == "MIT AND NOASSERTION"
    assert read("(LGPL-2.0-only OR LicenseRef-3)", "x", None, "t") == "(LGPL-2.0-only OR NOASSERTION)"
    assert read("GPL-2.0+ WITH classpath-exception-2.0", "x", None, "t") == "GPL-2.0-or-later WITH Classpath-exception-2.0"
    assert read("GPL-2.0-only WITH acme-exception", "x", None, "t") == "NOASSERTION"
    assert read("MIT AND (", "x", None, "t") == "NOASSERTION"
    assert read("Apache License, Version 2.0", "x", None, "t") == "NOASSERTION"
    assert {"acme-eula", "LicenseRef-3", "acme-exception"} <= {
        word.strip("',") for n in gathering.notes if n.rule == "unknown-license" for word in n.message.split()}


def test_an_unreadable_project_license_is_unknown(tmp_path, library):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "acme"\nversion = "1"\nlicense = "Acme-EULA"\n'
                                             '[tool.licet.python]\nenabled = false\n')
    report = scan(tmp_path, library=library)
    assert report.verdict.verdict == "unknown"
    assert report.component("acme").license == "NOASSERTION"
    assert any(n.rule == "unknown-license" and n.origin.line == 4 for n in report.notes)


def test_a_project_license_file_is_unknown_terms_not_no_license(tmp_path, library):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "acme"\nversion = "1"\nlicense = {file = "LICENSE"}\n'
                                             '[tool.licet.python]\nenabled = false\n')
    report = scan(tmp_path, library=library)
    assert report.verdict.verdict == "unknown"
    note = next(n for n in report.notes if n.rule == "unknown-license")
    assert "'LICENSE'" in note.message and note.origin.line == 4


def test_an_unreadable_license_expression_in_python_metadata_keeps_the_known_part(tmp_path, library):
    site = tmp_path / "site"
    info = site / "acme_lib-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.4\nName: acme-lib\nVersion: 1.0\nLicense-Expression: MIT AND LicenseRef-Acme\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "acme"\nversion = "1"\nlicense = "MIT"\ndependencies = ["acme-lib"]\n'
                                             '[tool.licet.python]\nenvironment = "site"\n')
    report = scan(tmp_path, library=library)
    assert report.component("acme-lib").license == "MIT AND NOASSERTION"
    assert report.verdict.verdict == "unknown"


def test_an_unreadable_cyclonedx_license_entry_is_unknown_and_the_others_kept(tmp_path, library):
    bom = json.loads((FIXTURES / "cyclonedx-unreached" / "bom.cdx.json").read_text())
    bom["components"][0]["licenses"] = [{"license": {"id": "MIT"}}, {"license": {"name": "Acme Commercial License v2"}}]
    (tmp_path / "bom.cdx.json").write_text(json.dumps(bom, indent=2))
    report = scan(tmp_path, library=library)
    assert report.component("library-a").license == "MIT AND NOASSERTION"
    assert any(n.rule == "unknown-license" and "Acme Commercial License v2" in n.message for n in report.notes)
    assert report.verdict.verdict == "unknown"


# ---------------------------------------------------------------- SBOMs: every component is checked


def test_sbom_components_the_root_does_not_reach_are_checked(library):
    report = scan(FIXTURES / "cyclonedx-unreached", library=library)
    note = next(n for n in report.notes if n.rule == "sbom-unreached")
    assert note.message.startswith("1 component of ") and "not reached from metadata.component" in note.message
    assert "checked as parts of the deliverable" in note.message
    assert report.verdict.conflicts[0].clauses[0].component == "library-a"


def test_sbom_scope_reachable_checks_only_what_the_root_reaches(tmp_path, library):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "cyclonedx-unreached", repo)
    (repo / "licet.yaml").write_text('sbom-scope: reachable\n')
    report = scan(repo, library=library)
    assert report.verdict.verdict == "allowed"
    assert "library-a" not in report.scenario["components"]
    assert any(n.rule == "sbom-unreached" and "left out (sbom-scope = reachable)" in n.message for n in report.notes)
    (repo / "licet.yaml").write_text('sbom-scope: some\n')
    done = licet("scan", str(repo))
    assert done.returncode == 2 and "licet.yaml:1" in done.stderr and "sbom-scope" in done.stderr


def test_a_bom_without_metadata_component_checks_every_component(tmp_path, library):
    # the dependency example, which has no metadata.component at all
    bom = json.loads((FIXTURES / "cyclonedx-unreached" / "bom.cdx.json").read_text())
    del bom["metadata"]
    bom["dependencies"] = [d for d in bom["dependencies"] if d["ref"] != "acme-app"]
    (tmp_path / "valid-dependency-1.6.json").write_text(json.dumps(bom, indent=2))
    (tmp_path / "licet.yaml").write_text("license: Apache-2.0\n")
    report = scan(tmp_path / "valid-dependency-1.6.json", library=library)
    assert report.target == "valid-dependency-1.6.json"
    target = report.scenario["components"][report.target]
    assert target["includes"] == ["library-a", "library-b"]  # library-c is reached through library-b
    assert report.verdict.verdict == "forbidden"  # library-a is GPL-3.0-only, the deliverable Apache-2.0
    # a dependency stated by an element that is not a component marks it as a dependency
    bom["dependencies"].append({"ref": "some-service", "dependsOn": ["library-a"]})
    (tmp_path / "valid-dependency-1.6.json").write_text(json.dumps(bom, indent=2))
    report = scan(tmp_path / "valid-dependency-1.6.json", library=library)
    assert report.scenario["components"][report.target]["depends-on"] == ["library-a"]


def test_a_bom_without_metadata_component_joins_the_card_target(tmp_path, library):
    shutil.copy(FIXTURES / "cyclonedx-no-root" / "bom.cdx.json", tmp_path / "bom.cdx.json")
    (tmp_path / "README.md").write_text("---\nlicense: apache-2.0\npipeline_tag: text-to-image\n---\n")
    report = scan(tmp_path, library=library)
    assert report.target == tmp_path.name
    assert "stable-diffusion" in report.scenario["components"][report.target]["includes"]


def test_sbom_cycles_are_broken_deterministically_and_everything_is_checked(tmp_path, library):
    first = scan(FIXTURES / "cyclonedx-cycle", library=library)
    again = scan(FIXTURES / "cyclonedx-cycle", library=library)
    notes = [n.message for n in first.notes if n.rule == "dependency-cycle"]
    assert notes == [n.message for n in again.notes if n.rule == "dependency-cycle"]
    assert "'library-c' depends-on 'library-b'" in notes[0]
    assert set(first.scenario["components"]) == {"acme-app", "library-a", "library-b", "library-c"}
    # an SPDX document with a cycle: numpy depends back on doc-search
    spdx = json.loads((FIXTURES / "spdx-pipeline" / "pipeline.spdx.json").read_text())
    spdx["relationships"].append({"spdxElementId": "SPDXRef-Package-pypi-numpy", "relationshipType": "DEPENDS_ON",
                                  "relatedSpdxElement": "SPDXRef-Package-doc-search"})
    (tmp_path / "pipeline.spdx.json").write_text(json.dumps(spdx, indent=2))
    report = scan(tmp_path, library=library)
    assert report.verdict.verdict == EXPECTED["spdx-pipeline"]["verdict"]
    assert any(n.rule == "dependency-cycle" and "'numpy' depends-on 'doc-search'" in n.message for n in report.notes)


def test_spdx_packages_marked_only_as_build_tools_are_left_out(tmp_path, library):
    spdx = json.loads((FIXTURES / "spdx-pipeline" / "pipeline.spdx.json").read_text())
    spdx["packages"].append({"SPDXID": "SPDXRef-Package-gcc", "name": "gcc", "versionInfo": "13.2", "downloadLocation": "NOASSERTION",
                             "filesAnalyzed": False, "licenseConcluded": "GPL-3.0-or-later", "copyrightText": "NOASSERTION"})
    spdx["relationships"].append({"spdxElementId": "SPDXRef-Package-gcc", "relationshipType": "BUILD_TOOL_OF",
                                  "relatedSpdxElement": "SPDXRef-Package-doc-search"})
    (tmp_path / "pipeline.spdx.json").write_text(json.dumps(spdx, indent=2))
    report = scan(tmp_path, library=library)
    assert "gcc" not in report.scenario["components"]
    assert any(n.rule == "not-shipped" and "'gcc'" in n.message for n in report.notes)
    assert report.verdict.verdict == EXPECTED["spdx-pipeline"]["verdict"]


def test_spdx_none_is_no_license_and_noassertion_is_unknown_terms(tmp_path, library):
    # SPDX 2.3 §7.13: NONE concludes there is no license (all rights reserved);
    # NOASSERTION says nothing, so the declared license is read instead.
    spdx = json.loads((FIXTURES / "spdx-pipeline" / "pipeline.spdx.json").read_text())
    spdx["packages"].append({"SPDXID": "SPDXRef-Package-blob", "name": "blob", "versionInfo": "1", "downloadLocation": "NOASSERTION",
                             "filesAnalyzed": False, "licenseConcluded": "NONE", "licenseDeclared": "MIT", "copyrightText": "NOASSERTION"})
    spdx["packages"].append({"SPDXID": "SPDXRef-Package-lib", "name": "lib", "versionInfo": "1", "downloadLocation": "NOASSERTION",
                             "filesAnalyzed": False, "licenseConcluded": "NOASSERTION", "licenseDeclared": "MIT", "copyrightText": "NOASSERTION"})
    for package in ("blob", "lib"):
        spdx["relationships"].append({"spdxElementId": "SPDXRef-Package-doc-search", "relationshipType": "CONTAINS",
                                      "relatedSpdxElement": f"SPDXRef-Package-{package}"})
    (tmp_path / "pipeline.spdx.json").write_text(json.dumps(spdx, indent=2))
    report = scan(tmp_path, library=library)
    assert report.component("blob").license == "NONE"
    assert report.component("lib").license == "MIT"
    assert report.verdict.verdict == "forbidden"
    assert any(c.license == "NONE" for conflict in report.verdict.conflicts for c in conflict.clauses)


def test_spdx_document_describing_a_file_first_uses_its_described_package(library):
    report = scan(FIXTURES / "spdx-spec-example", library=library)
    note = next(n for n in report.notes if n.rule == "sbom-root")
    assert "SPDXRef-File" in note.message and "SPDXRef-Package" in note.message
    unreached = next(n for n in report.notes if n.rule == "sbom-unreached")
    assert unreached.message.startswith("2 components of ")
    sarif = scan_sarif(report)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)


# ---------------------------------------------------------------- Python metadata


def test_ambiguous_classifier_is_reported_not_guessed(tmp_path, library):
    repo = copy_fixture("python-gpl-linked", tmp_path)
    text = (repo / "pyproject.toml").read_text()
    (repo / "pyproject.toml").write_text(text.split("[tool.licet.overrides]")[0])
    report = scan(repo, library=library)
    assert report.component("click").license is None
    note = next(n for n in report.notes if n.component == "click")
    assert note.rule == "ambiguous-license" and "BSD-3-Clause" in note.message and "override" in note.hint
    assert report.verdict.verdict == "unknown"


def test_without_lock_files_the_declared_dependencies_are_followed(tmp_path, library):
    repo = copy_fixture("python-gpl-linked", tmp_path)
    (repo / "requirements.txt").unlink()
    report = scan(repo, library=library)
    names = set(report.scenario["components"])
    assert {"fastapi", "starlette", "pydantic-core", "pyqt6", "pyqt6-sip"} <= names
    assert not names & {"pytest", "ruff", "numpy", "pluggy"}
    assert report.verdict.verdict == "depends"


def test_platform_markers_and_dev_groups_in_uv_lock(tmp_path, library):
    repo = copy_fixture("python-gpl-bundled", tmp_path)
    lock = (repo / "uv.lock").read_text()
    lock = lock.replace('[[package]]\nname = "ticket-desk"', '[[package]]\nname = "winonly"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\n\n[[package]]\nname = "ticket-desk"', 1)
    lock = lock.replace('{ name = "fastapi" },', '{ name = "fastapi" },\n    { name = "winonly", marker = "sys_platform == \'win32\' and sys_platform == \'never\'" },', 1)
    (repo / "uv.lock").write_text(lock)
    report = scan(repo, library=library)
    assert "winonly" not in report.scenario["components"]
    assert any(n.rule == "other-platform" and n.component == "winonly" for n in report.notes)


# ---------------------------------------------------------------- policy: waivers


def test_waivers_apply_until_they_expire(tmp_path, library):
    import datetime as dt

    repo = copy_fixture("python-gpl-bundled", tmp_path)
    with (repo / "pyproject.toml").open("a") as f:
        f.write('\n[[tool.licet.waivers]]\ncomponent = "pyqt6"\nclause = "copyleft"\nby = "Dana Legal <legal@northwind.example>"\n'
                'reason = "commercial PyQt license, order 4711"\nexpires = 2027-06-30\n')
    before = scan(repo, library=library, today=dt.date(2027, 1, 1))
    assert before.verdict.verdict == "allowed"
    assert before.verdict.waivers[0].status == "in effect"
    after = scan(repo, library=library, today=dt.date(2027, 7, 1))
    assert after.verdict.verdict == "forbidden"
    assert after.verdict.waivers[0].status == "expired"
    assert any("expired on 2027-06-30" in note for note in after.verdict.notes)


def test_a_waiver_naming_a_clause_the_component_lacks_is_an_error(tmp_path):
    repo = copy_fixture("python-gpl-bundled", tmp_path)
    with (repo / "pyproject.toml").open("a") as f:
        f.write('\n[[tool.licet.waivers]]\ncomponent = "pyqt6"\nclause = "copyleftt"\nby = "A"\nreason = "b"\n')
    done = licet("scan", str(repo))
    assert done.returncode == 2
    assert "copyleftt" in done.stderr and "did you mean 'copyleft'" in done.stderr


# ---------------------------------------------------------------- init


def test_init_writes_a_policy_that_scans(tmp_path):
    repo = copy_fixture("python-gpl-linked", tmp_path)
    text = (repo / "pyproject.toml").read_text()
    (repo / "pyproject.toml").write_text(text.split("[tool.licet]")[0])
    (repo / ".venv").symlink_to(tmp_path / "python-env" / "site-packages")  # found without a policy
    done = licet("init", str(repo))
    assert done.returncode == 0, done.stderr
    written = (repo / "pyproject.toml").read_text()
    assert "[tool.licet]" in written and "ticket-desk" in written
    assert '# "click" = { license = "...", reason = "..." }' in written  # the ambiguous ones, listed for overrides
    import tomllib

    tomllib.loads(written)
    assert licet("scan", str(repo)).returncode in (0, 1, 3)
    again = licet("init", str(repo))
    assert again.returncode == 2 and "already has a [tool.licet] table" in again.stderr


def test_init_on_a_model_repo_writes_licet_yaml(tmp_path):
    repo = copy_fixture("gemma-finetune-mit", tmp_path)
    done = licet("init", str(repo))
    assert done.returncode == 0, done.stderr
    policy = yaml.safe_load((repo / "licet.yaml").read_text())
    assert policy["use"]["actions"] == ["distribute"]
    assert licet("scan", str(repo)).returncode == 1


# ---------------------------------------------------------------- the registry data


def test_registry_loads_and_covers_the_families(library):
    registry = load_registry(library)
    for repo_id, license_id in [("meta-llama/Llama-2-7b-hf", "llama2"), ("google/gemma-2b", "gemma"),
                                ("tatsu-lab/alpaca", "CC-BY-NC-4.0"), ("mistralai/Mistral-7B-v0.1", "Apache-2.0")]:
        entry = registry.hub_entry(repo_id)
        assert entry is not None and library.canonical_id(entry.license) == library.canonical_id(license_id), repo_id
    assert all(entry.source.startswith("https://") for entry in registry.hub)
    assert registry.classifier("License :: OSI Approved :: MIT License").license == "MIT"
    assert registry.classifier("License :: OSI Approved :: BSD License").candidates


def test_a_broken_registry_entry_is_a_located_error(tmp_path, library):
    rules = tmp_path / "rules"
    shutil.copytree(Path(library.root), rules)
    (rules / "registry" / "huggingface.yaml").write_text(
        "repos:\n  - id: a/b\n    kind: weights\n    license: llama2\n    source: https://x.example\n"
        "  - id: c/d\n    kind: weights\n    license: no-such-license\n    source: https://x.example\n"
    )
    with pytest.raises(RegistryError) as err:
        load_registry(load_library(rules))
    assert err.value.line == 6 and "no-such-license" in err.value.message


def test_scan_error_is_a_licet_error():
    from licensing.errors import LicetError

    assert issubclass(ScanError, LicetError)


# ---------------------------------------------------------------- mirrors of upstream models (issue 13, item 5)


@pytest.mark.parametrize(("folder", "base", "upstream", "license_id"), [
    ("card-unsloth-base", "unsloth/meta-llama-3.1-8b-bnb-4bit", "meta-llama/Meta-Llama-3.1-*", "llama3.1"),
    ("card-unsloth-distill", "unsloth/deepseek-r1-distill-llama-8b-unsloth-bnb-4bit", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "MIT AND llama3.1"),
])
def test_a_base_model_from_a_quantization_org_resolves_to_its_upstream(library, folder, base, upstream, license_id):
    report = scan(FIXTURES / folder, library=library)
    component = report.component(base)
    assert component.resolved_by == "registry (mirror)" and component.license == license_id
    [note] = [n for n in report.notes if n.rule == "mirror"]
    assert upstream in note.message and note.component == base


def test_a_mirror_org_name_that_matches_no_upstream_is_not_guessed(library):
    registry = load_registry(library)
    assert registry.mirrored("NousResearch/Hermes-2-Pro-Llama-3-8B") is None  # the org's own fine-tune
    assert registry.mirrored("TheBloke/Some-Unknown-Model-GGUF") is None
    assert registry.mirrored("meta-llama/Llama-2-7b-hf") is None  # not a mirror org
    match = registry.mirrored("TheBloke/Llama-2-7B-Chat-GGUF")
    assert match is not None and match.name == "Llama-2-7B-Chat" and match.upstream.license == "llama2"


# ---------------------------------------------------------------- every valid file is read (issue 13, item 6)


def test_a_card_with_crlf_line_endings_is_read_like_any_other(library):
    crlf = scan(FIXTURES / "card-crlf", library=library)
    plain = scan(FIXTURES / "card-unsloth-base", library=library)
    assert (FIXTURES / "card-crlf" / "README.md").read_bytes().count(b"\r\n") > 10
    # the same components and licenses; only the target's name (its folder's) differs
    assert [(c.name, c.license) for c in crlf.components][1:] == [(c.name, c.license) for c in plain.components][1:]
    assert crlf.components[0].license == plain.components[0].license == "Apache-2.0"
    assert crlf.verdict.verdict == plain.verdict.verdict


def test_a_card_whose_front_matter_follows_blank_lines_is_read(tmp_path, library):
    (tmp_path / "README.md").write_text("\n\n---\nlicense: mit\n---\n# a model\n")
    report = scan(tmp_path, library=library)
    assert report.component(tmp_path.name).license == "MIT"


def test_a_peft_card_with_a_local_base_model_path_is_an_unresolved_upstream(library):
    report = scan(FIXTURES / "card-peft-local-base", library=library)
    base = "/home/hyeondojang/log_teams/opt-model/elsa_iclr26/save/opt-125m_wanda/0.6"
    component = report.component(base)
    assert component.license == library.fallback and component.resolved_by == "not a Hub id"
    assert any(n.rule == "invalid-id" and n.component == base and n.origin.line == 3 for n in report.notes)
    assert report.verdict.verdict == "unknown"
    c4 = report.component("c4")  # the legacy short dataset id Trainer cards write
    assert c4.license == "ODC-By-1.0" and c4.resolved_by == "registry"


def test_setup_py_with_requirements_reads_the_requirements_and_never_runs_setup(library):
    report = scan(FIXTURES / "setup-py-requirements", library=library)
    names = {c.name for c in report.components}
    assert {"pyyaml", "click"} <= names
    assert any(n.rule == "setup-not-run" for n in report.notes)


def test_a_project_that_declares_no_dependencies_scans_none(tmp_path, library):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "tiny"\nlicense = "MIT"\n')
    report = scan(tmp_path, library=library)
    assert [c.name for c in report.components] == ["tiny"]
    assert report.verdict.verdict == "allowed"
