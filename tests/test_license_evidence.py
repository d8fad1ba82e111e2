"""The license evidence a Python distribution carries besides a readable
License-Expression (issue 13, the ML stack benchmark): a LicenseRef-
expression read from the license files, agreements the matcher has no text
for named by their heading, copyright lines inside a license's wording, a
license file installed in the package folder, and a family classifier
narrowed by a whole license text or by the distribution's own SBOM.
Fixtures: tests/fixtures/license-files/SOURCES; no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from licensing.repo import scan
from licensing.repo.license_text import identify_text, identify_title

pytest.importorskip("licenseclassifier")

FIXTURES = Path(__file__).parent / "fixtures"
TEXTS = FIXTURES / "license-files"
JUPYTER = (TEXTS / "jupyter-server-terminals-0.5.4-LICENSE").read_text(encoding="utf-8")
NCCL = (TEXTS / "nvidia-nccl-cu13-2.30.7-License.txt").read_text(encoding="utf-8")
CUDA = (TEXTS / "nvidia-cuda-eula-outline.txt").read_text(encoding="utf-8")
CUSPARSELT = (TEXTS / "nvidia-sdk-2020-cusparselt-outline.txt").read_text(encoding="utf-8")
KIWI = (TEXTS / "kiwisolver-1.5.1-LICENSE").read_text(encoding="utf-8")
SBOM = (FIXTURES / "sboms" / "tokenizers-0.23.3-tokenizers-python.cyclonedx.json").read_text(encoding="utf-8")
NVIDIA_REF = "License-Expression: LicenseRef-NVIDIA-Proprietary\n"
BSD_FAMILY = "Classifier: License :: OSI Approved :: BSD License\n"
APACHE_FAMILY = "Classifier: License :: OSI Approved :: Apache Software License\n"


def _project(tmp_path: Path, metadata: str, files: dict[str, str] | None = None, *, name: str = "acme-lib") -> Path:
    """A project depending on `name`, installed in site/ with `metadata` and
    license `files` in its .dist-info/licenses/ (PEP 639 layout)."""
    files = files or {}
    dist = name.replace("-", "_")
    info = tmp_path / "site" / f"{dist}-1.0.dist-info"
    (info / "licenses").mkdir(parents=True)
    entries = "".join(f"License-File: {f}\n" for f in files)
    (info / "METADATA").write_text(f"Metadata-Version: 2.4\nName: {name}\nVersion: 1.0\n{entries}{metadata}", encoding="utf-8")
    for file, text in files.items():
        (info / "licenses" / file).write_text(text, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "acme"\nversion = "1"\nlicense = "MIT"\ndependencies = ["{name}"]\n'
                                             '[tool.licet.python]\nenvironment = "site"\n', encoding="utf-8")
    return tmp_path


def _notes(report, rule: str) -> list[str]:
    return [n.message for n in report.notes if n.rule == rule]


# ---------------------------------------------------------------- the matcher and titles


def test_copyright_lines_inside_a_license_do_not_break_the_match():
    # jupyter-server-terminals puts "All rights reserved." between the BSD preamble and its clauses
    found = identify_text(JUPYTER)
    assert found.confident and found.ids == ("BSD-3-Clause",)


def test_a_wrapped_numbered_underlined_heading_names_the_agreement():
    titles = {"CUDA Toolkit Supplement to Software License Agreement for NVIDIA Software Development Kits": "LicenseRef-Acme-EULA"}
    found = identify_title(CUDA, titles)
    assert found.confident and found.ids == ("LicenseRef-Acme-EULA",) and found.method == "title"
    assert found.heading.startswith("2. CUDA Toolkit Supplement") and found.describe().startswith("title '2. CUDA")


def test_titles_of_spdx_licenses_and_short_titles_name_nothing():
    # an SPDX license is read by its text, never by a heading over some other text
    assert not identify_title("MIT License\n\nAnything at all may follow here.\n", {"MIT License": "MIT"}).confident
    # two words are too general to stand for one agreement
    assert not identify_title("Acme License\n\nTerms.\n", {"Acme License": "LicenseRef-Acme"}).confident
    # a heading must be the whole title, not contain it
    assert not identify_title("About the Acme Software License Agreement\n", {"Acme Software License Agreement": "LicenseRef-Acme"}).confident


# ---------------------------------------------------------------- licet scan


def test_a_licenseref_expression_is_read_from_the_agreement_the_license_file_names(tmp_path, library):
    report = scan(_project(tmp_path, NVIDIA_REF, {"License.txt": CUDA}), library=library)
    found = report.component("acme-lib")
    assert found.license == "LicenseRef-NVIDIA-CUDA-EULA"
    assert found.declared == "LicenseRef-NVIDIA-Proprietary"
    assert found.resolved_by.startswith("License-Expression 'LicenseRef-NVIDIA-Proprietary' as license file License.txt (title '2. CUDA")
    assert not _notes(report, "unknown-license")
    # the third-party BSD text the agreement carries is named, not added
    assert any("BSD-3-Clause" in m and "not added" in m for m in _notes(report, "license-by-title"))


def test_the_same_licenseref_over_a_bsd_file_is_bsd(tmp_path, library):
    # NVIDIA writes LicenseRef-NVIDIA-Proprietary on NCCL too, whose file is BSD-3-Clause: the file decides
    report = scan(_project(tmp_path, NVIDIA_REF, {"License.txt": NCCL}), library=library)
    assert report.component("acme-lib").license == "BSD-3-Clause"


def test_a_licenseref_whose_file_names_nothing_stays_unknown_terms(tmp_path, library):
    report = scan(_project(tmp_path, NVIDIA_REF, {"License.txt": "Proprietary. Ask Acme for terms.\n"}), library=library)
    found = report.component("acme-lib")
    assert found.license == library.fallback and found.resolved_by == "License-Expression"
    assert _notes(report, "unknown-license") and _notes(report, "ambiguous-license")


def test_a_license_file_at_the_top_of_the_package_folder_is_read(tmp_path, library):
    # nvidia-cusparselt-cu13: no License-File, its LICENSE.txt in nvidia/cusparselt/ (top_level.txt), listed in RECORD
    project = _project(tmp_path, "License: NVIDIA Proprietary Software\n", name="acme-sparse")
    site = project / "site"
    info = site / "acme_sparse-1.0.dist-info"
    (info / "licenses").rmdir()
    (site / "nvidia" / "cusparselt" / "lib").mkdir(parents=True)
    (site / "nvidia" / "cusparselt" / "LICENSE.txt").write_text(CUSPARSELT, encoding="utf-8")
    (site / "nvidia" / "cusparselt" / "lib" / "LICENSE.vendored").write_text(NCCL, encoding="utf-8")
    (info / "top_level.txt").write_text("nvidia/cusparselt\n", encoding="utf-8")
    (info / "RECORD").write_text("nvidia/cusparselt/LICENSE.txt,,\nnvidia/cusparselt/lib/LICENSE.vendored,,\n"
                                 "acme_sparse-1.0.dist-info/METADATA,,\n", encoding="utf-8")
    report = scan(project, library=library)
    found = report.component("acme-sparse")
    assert found.license == "LicenseRef-NVIDIA-SDK-2020"
    assert found.resolved_by.startswith("license file nvidia/cusparselt/LICENSE.txt (title 'cuSPARSELt SUPPLEMENT")
    assert [Path(p).name for p in found.license_files] == ["LICENSE.txt"]  # a deeper, vendored file is not the distribution's


def test_a_family_classifier_is_narrowed_by_a_whole_license_text_the_matcher_covers_in_part(tmp_path, library):
    # kiwisolver: the three BSD clauses amid an account of the team's copyright policy (48%)
    report = scan(_project(tmp_path, BSD_FAMILY, {"LICENSE": KIWI}), library=library)
    found = report.component("acme-lib")
    assert found.license == "BSD-3-Clause"
    assert found.resolved_by.startswith("classifier 'License :: OSI Approved :: BSD License' narrowed to BSD-3-Clause by license file LICENSE")
    assert any("the rest of the text is not read as license terms" in m for m in _notes(report, "partial-license-text"))
    assert not _notes(report, "ambiguous-license")


def test_without_a_classifier_to_agree_a_partial_text_is_not_a_guess(tmp_path, library):
    report = scan(_project(tmp_path, "", {"LICENSE": KIWI}), library=library)
    assert report.component("acme-lib").license is None
    assert any("BSD-3-Clause" in m for m in _notes(report, "ambiguous-license"))


def _with_sbom(project: Path, text: str, dist: str = "acme_lib") -> Path:
    folder = project / "site" / f"{dist}-1.0.dist-info" / "sboms"
    folder.mkdir()
    (folder / "bom.cyclonedx.json").write_text(text, encoding="utf-8")
    return project


def test_a_family_classifier_is_narrowed_by_the_sbom_the_wheel_ships(tmp_path, library):
    # tokenizers: only "Apache Software License"; its SBOM gives the tokenizers crate Apache-2.0
    report = scan(_with_sbom(_project(tmp_path, APACHE_FAMILY, name="tokenizers"), SBOM, "tokenizers"), library=library)
    found = report.component("tokenizers")
    assert found.license == "Apache-2.0"
    assert "narrowed to Apache-2.0 by its SBOM (sboms/bom.cyclonedx.json, component tokenizers 0.23.2: Apache-2.0)" in found.resolved_by


@pytest.mark.parametrize("classifier", [APACHE_FAMILY, BSD_FAMILY])
def test_an_sbom_that_names_no_candidate_or_another_component_narrows_nothing(tmp_path, library, classifier):
    # the same SBOM under another distribution name, and (BSD family) a license outside the family
    name = "acme-lib" if classifier == APACHE_FAMILY else "tokenizers"
    report = scan(_with_sbom(_project(tmp_path, classifier, name=name), SBOM, name.replace("-", "_")), library=library)
    assert report.component(name).license is None
    assert _notes(report, "ambiguous-license")


def test_an_unreadable_sbom_is_no_evidence(tmp_path, library):
    report = scan(_with_sbom(_project(tmp_path, APACHE_FAMILY, name="tokenizers"), "{not json", "tokenizers"), library=library)
    assert report.component("tokenizers").license is None


def test_the_sbom_fixture_is_the_wheel_s_cyclonedx_shape():
    data = json.loads(SBOM)
    assert data["bomFormat"] == "CycloneDX" and data["metadata"]["component"]["name"] == "tokenizers-python"
    assert "licenses" not in data["metadata"]["component"]  # the distribution itself declares none


# ---------------------------------------------------------------- a License field that names a family


def test_a_license_field_naming_a_family_is_narrowed_by_the_license_file(tmp_path, library):
    # jupyter, mpmath, nest-asyncio: `License: BSD`, and a LICENSE that is one BSD license
    report = scan(_project(tmp_path, "License: BSD\n", {"LICENSE": JUPYTER}), library=library)
    found = report.component("acme-lib")
    assert found.license == "BSD-3-Clause"
    assert found.resolved_by.startswith("License field 'BSD' (the BSD license family) narrowed by license file LICENSE")


def test_a_license_field_naming_a_family_stays_an_open_question_without_a_text_that_settles_it(tmp_path, library):
    report = scan(_project(tmp_path, "License: BSD\n"), library=library)
    found = report.component("acme-lib")
    assert found.license == "bsd" and found.resolved_by == "License field"
    # the answer names the question rather than guessing a member
    assert any(item.kind == "license" and "acme-lib" in item.name for item in report.verdict.assumptions)


def test_a_license_file_outside_the_family_does_not_narrow_it(tmp_path, library):
    # the field says BSD and the file is a vendor agreement: no member of the family, so the family stands
    report = scan(_project(tmp_path, "License: BSD\n", {"LICENSE": CUDA}), library=library)
    assert report.component("acme-lib").license == "bsd"
