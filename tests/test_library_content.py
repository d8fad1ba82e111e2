"""Properties every rule file must keep: short quotes, cited sections, honest
source levels, and clause names unique per license."""

from __future__ import annotations


def _blocks(library):
    return [*library.licenses.values(), *library.exceptions.values()]


def test_quotes_stay_short(library):
    # a clause may carry a short quote of the operative text, never a passage
    long = [f"{lic.id}.{c.name}: {len(c.quote.split())} words" for lic in _blocks(library) for c in lic.clauses if c.quote and len(c.quote.split()) > 30]
    assert not long, long


def test_every_clause_cites_a_section(library):
    missing = [f"{lic.id}.{c.name}" for lic in _blocks(library) for c in lic.clauses if not c.section.strip()]
    assert not missing, missing


def test_library_size_and_source_levels(library):
    levels = {lic.source for lic in _blocks(library)}
    assert levels <= {"full", "partial", "secondary"}
    assert len(library.licenses) >= 70
    assert sum(len(lic.clauses) for lic in _blocks(library)) >= 400
