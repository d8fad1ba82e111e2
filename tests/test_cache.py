"""The JSON cache of the checked library: same library back, and never trusted blindly."""

from __future__ import annotations

import shutil

from licensing import cache
from licensing.library import _load_cached, _parse_and_check, load_library
from licensing.paths import rules_dir


def _fresh_rules(tmp_path):
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    return root


def test_cached_library_equals_parsed_library(tmp_path, monkeypatch):
    monkeypatch.setenv("LICET_CACHE_DIR", str(tmp_path / "cache"))
    root = _fresh_rules(tmp_path)
    parsed = _parse_and_check(root)
    _load_cached.cache_clear()
    first = load_library(root)  # writes the cache
    assert list((tmp_path / "cache").glob("library-*.json"))
    _load_cached.cache_clear()
    second = load_library(root)  # reads it
    assert second.licenses == parsed.licenses == first.licenses
    assert second.exceptions == parsed.exceptions
    assert second.sets == parsed.sets
    assert second.vocabulary.words == parsed.vocabulary.words
    assert second.vocabulary.compose == parsed.vocabulary.compose
    # spans are left out of equality, so compare them on their own
    for lic_id, lic in parsed.licenses.items():
        assert [c.span for c in second.licenses[lic_id].clauses] == [c.span for c in lic.clauses]


def test_editing_a_rule_file_misses_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LICET_CACHE_DIR", str(tmp_path / "cache"))
    root = _fresh_rules(tmp_path)
    _load_cached.cache_clear()
    load_library(root)
    mit = root / "code" / "mit.lic"
    mit.write_text(mit.read_text(encoding="utf-8").replace('title   "MIT License"', 'title   "MIT License (edited)"'), encoding="utf-8")
    _load_cached.cache_clear()
    assert load_library(root).licenses["MIT"].title == "MIT License (edited)"


def test_a_corrupt_or_foreign_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("LICET_CACHE_DIR", str(tmp_path / "cache"))
    root = _fresh_rules(tmp_path)
    _load_cached.cache_clear()
    load_library(root)
    for path in (tmp_path / "cache").glob("library-*.json"):
        path.write_text('{"@": "os.system", "command": "echo no"}', encoding="utf-8")
    _load_cached.cache_clear()
    assert "MIT" in load_library(root).licenses


def test_cache_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("LICET_NO_CACHE", "1")
    assert cache.cache_dir() is None
