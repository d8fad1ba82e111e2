"""The license a Python distribution ships (issue 13, item 4): license files
and free-text License fields matched by licensing.repo.license_text, the
classifier kept as a cross-check. The texts are real license files copied
from installed wheels (tests/fixtures/license-files/SOURCES); no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from licensing.repo import scan
from licensing.repo.license_text import THRESHOLD, identify_name, identify_text

pytest.importorskip("licenseclassifier")

TEXTS = Path(__file__).parent / "fixtures" / "license-files"
MIT = (TEXTS / "execnet-2.1.2-LICENSE").read_text(encoding="utf-8")
BSD3 = (TEXTS / "click-8.5.1-LICENSE.txt").read_text(encoding="utf-8")
APACHE = (TEXTS / "hf-xet-1.8.0-LICENSE").read_text(encoding="utf-8")
KIWI = (TEXTS / "kiwisolver-1.5.1-LICENSE").read_text(encoding="utf-8")
BSD_FAMILY = "Classifier: License :: OSI Approved :: BSD License\n"
APACHE_FAMILY = "Classifier: License :: OSI Approved :: Apache Software License\n"


# ---------------------------------------------------------------- the matcher


@pytest.mark.parametrize(("text", "expected"), [(MIT, "MIT"), (BSD3, "BSD-3-Clause"), (APACHE, "Apache-2.0")])
def test_real_license_files_are_identified(text, expected):
    found = identify_text(text)
    assert found.confident and found.ids == (expected,) and found.score >= THRESHOLD


def test_a_text_below_the_threshold_is_named_not_guessed():
    found = identify_text(KIWI)
    assert not found.confident and found.ids == ()
    assert "BSD-3-Clause" in found.candidates and 0 < found.score < THRESHOLD


def test_a_text_that_is_no_license_is_no_answer():
    found = identify_text("Copyright (c) 2024 Acme. See the project's web site for its terms.\n")
    assert not found.confident and found.ids == () and found.candidates == ()


@pytest.mark.parametrize(("name", "expected"), [
    ("Apache 2.0 License", "Apache-2.0"), ("Apache License, Version 2.0", "Apache-2.0"), ("Apache-2", "Apache-2.0"),
    ("3-Clause BSD License", "BSD-3-Clause"), ("BSD 3-Clause License", "BSD-3-Clause"), ("MIT license", "MIT"),
    ("ISC License", "ISC"), ("MPL 2.0", "MPL-2.0"),
])
def test_short_names_as_real_metadata_writes_them(name, expected):
    assert identify_name(name).ids == (expected,)


@pytest.mark.parametrize("name", ["BSD", "Apache Software License", "Dual License", "Artistic License", ""])
def test_a_family_or_vague_name_is_no_answer(name):
    assert not identify_name(name).confident


# ---------------------------------------------------------------- licet scan


def _project(tmp_path: Path, metadata: str, files: dict[str, str]) -> Path:
    """A project depending on acme-lib, installed in site/ with `metadata` and license `files` (PEP 639 layout)."""
    info = tmp_path / "site" / "acme_lib-1.0.dist-info"
    (info / "licenses").mkdir(parents=True)
    entries = "".join(f"License-File: {name}\n" for name in files)
    (info / "METADATA").write_text(f"Metadata-Version: 2.4\nName: acme-lib\nVersion: 1.0\n{entries}{metadata}", encoding="utf-8")
    for name, text in files.items():
        (info / "licenses" / name).write_text(text, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "acme"\nversion = "1"\nlicense = "MIT"\ndependencies = ["acme-lib"]\n'
                                             '[tool.licet.python]\nenvironment = "site"\n', encoding="utf-8")
    return tmp_path


def test_a_family_classifier_is_settled_by_the_license_file(tmp_path, library):
    report = scan(_project(tmp_path, BSD_FAMILY, {"LICENSE.txt": BSD3}), library=library)
    found = report.component("acme-lib")
    assert found.license == "BSD-3-Clause"
    assert found.resolved_by == "license file LICENSE.txt (matcher 100%)"
    assert not [n for n in report.notes if n.component == "acme-lib"]  # the classifier agrees: nothing to say
    assert report.verdict.verdict == "allowed"


def test_several_license_files_all_apply(tmp_path, library):
    report = scan(_project(tmp_path, "", {"LICENSE": MIT, "LICENSE.APACHE": APACHE}), library=library)
    found = report.component("acme-lib")
    assert found.license == "MIT AND Apache-2.0"
    assert found.resolved_by.startswith("license files LICENSE, LICENSE.APACHE (matcher ")


def test_license_files_beside_metadata_without_license_file_entries(tmp_path, library):
    project = _project(tmp_path, BSD_FAMILY, {})
    (project / "site" / "acme_lib-1.0.dist-info" / "COPYING").write_text(MIT, encoding="utf-8")
    report = scan(project, library=library)
    assert report.component("acme-lib").license == "MIT"


def test_a_license_expression_still_comes_first(tmp_path, library):
    report = scan(_project(tmp_path, "License-Expression: Apache-2.0\n", {"LICENSE": MIT}), library=library)
    assert report.component("acme-lib").license == "Apache-2.0"
    assert report.component("acme-lib").resolved_by == "License-Expression"


def test_an_ambiguous_file_is_named_with_candidates_and_score(tmp_path, library):
    # a family classifier the partial text does not fall in (the BSD family narrows it: tests/test_license_evidence.py)
    report = scan(_project(tmp_path, APACHE_FAMILY, {"LICENSE": KIWI}), library=library)
    found = report.component("acme-lib")
    assert found.license is None  # the family classifier decides: unknown terms, never a guess
    note = next(n for n in report.notes if n.rule == "ambiguous-license" and "license file LICENSE" in n.message)
    assert "BSD-3-Clause" in note.message and f"under the {THRESHOLD:.0f}%" in note.message
    assert note.origin.file.endswith("licenses/LICENSE")
    assert report.verdict.verdict != "allowed"


def test_a_free_text_license_field_name(tmp_path, library):
    report = scan(_project(tmp_path, "License: Apache 2.0 License\n" + APACHE_FAMILY, {}), library=library)
    found = report.component("acme-lib")
    assert found.license == "Apache-2.0"
    assert found.resolved_by == "License field 'Apache 2.0 License' (name)"
    assert found.declared == "Apache 2.0 License"


def test_a_full_license_text_in_the_license_field(tmp_path, library):
    field = "\n        ".join(MIT.splitlines())  # as METADATA folds a multi-line field
    report = scan(_project(tmp_path, f"License: {field}\nClassifier: License :: OSI Approved :: MIT License\n", {}), library=library)
    found = report.component("acme-lib")
    assert found.license == "MIT" and found.resolved_by.startswith("License field's text (matcher ")


def test_a_file_that_disagrees_with_the_classifier_gets_a_note(tmp_path, library):
    report = scan(_project(tmp_path, APACHE_FAMILY, {"LICENSE": MIT}), library=library)
    assert report.component("acme-lib").license == "MIT"  # the text the distribution ships
    note = next(n for n in report.notes if n.rule == "license-disagreement")
    assert "license file LICENSE reads as MIT" in note.message and "Apache Software License" in note.message


def test_an_id_licet_does_not_know_is_unknown_terms_named(tmp_path, library, monkeypatch):
    # other SPDX ids are being added to rules/ all the time: which real text licet lacks rules for
    # changes, so the matcher is made to name an id that no rule file will ever have
    from licensing.repo import license_text

    monkeypatch.setattr(license_text, "identify_text", lambda text: license_text.Identified(ids=("Acme-Obscure-1.0",), score=97.0,
                                                                                           confident=True))
    report = scan(_project(tmp_path, "", {"LICENSE.txt": MIT}), library=library)
    found = report.component("acme-lib")
    assert found.license == library.fallback and found.resolved_by == "license file LICENSE.txt (matcher 97%)"
    assert any(n.rule == "unknown-license" and "Acme-Obscure-1.0" in n.message for n in report.notes)
    assert report.verdict.verdict == "unknown"
