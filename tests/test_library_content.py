"""Properties every rule file must keep, and the loader refusing rule files
that break them (so the shipped library, which loads, keeps them)."""

from __future__ import annotations

import shutil

import pytest

from licensing import RuleError, load_library
from licensing.paths import rules_dir


def _blocks(library):
    return [*library.licenses.values(), *library.exceptions.values()]


def _load(tmp_path, text: str):
    root = tmp_path / "rules"
    root.mkdir()
    shutil.copy(rules_dir() / "vocabulary.lic", root / "vocabulary.lic")
    (root / "x.lic").write_text(text, encoding="utf-8")
    return load_library(root)


def test_every_clause_cites_a_section(library):
    missing = [f"{lic.id}.{c.name}" for lic in _blocks(library) for c in lic.clauses if not c.section.strip()]
    assert not missing, missing


def test_library_size(library):
    assert len(library.licenses) >= 70
    assert sum(len(lic.clauses) for lic in _blocks(library)) >= 400


def test_a_long_quote_is_refused(tmp_path):
    with pytest.raises(RuleError) as caught:
        _load(tmp_path, 'license "X" {\n  clause c § "1" > "' + "word " * 31 + '"\n    forbid any\n}\n')
    assert caught.value.code == "licet.rule.quote-too-long" and caught.value.line == 2


def test_an_unknown_source_level_is_refused(tmp_path):
    with pytest.raises(RuleError) as caught:
        _load(tmp_path, 'license "X" {\n  source guessed\n  clause c § "1"\n    forbid any\n}\n')
    assert "unknown source 'guessed'" in caught.value.render()
    assert "full, partial, secondary" in caught.value.render()


def test_the_source_levels_of_the_library(library):
    by_level = {level: [lic.id for lic in _blocks(library) if lic.source == level] for level in ("full", "partial", "secondary", "unread")}
    assert sum(map(len, by_level.values())) == len(_blocks(library))
    assert by_level["full"] and by_level["partial"]
    # a license known by name only writes no terms: whatever reaches it is unknown
    for license_id in by_level["unread"]:
        lic = library.licenses[license_id]
        assert [clause.effect.kind for clause in lic.clauses] == ["undecided"], license_id
        assert not lic.outbound
