"""`licet licenses`, `licet show` and `licet vocabulary` as text."""

from __future__ import annotations

from ..library import Library
from ..show import LicenseDescription, LicenseEntry


def render_licenses(entries: list[LicenseEntry]) -> str:
    """A table: id, kinds, how the text was read (full, partial, secondary, unread),
    pinning cases, title; aliases below."""
    width = max([len(e.id) for e in entries] + [2])
    lines = [f"{'ID':<{width}}  {'KINDS':<26} {'SOURCE':<9} {'CASES':>5}  TITLE"]
    for e in entries:
        kinds = ",".join(e.kinds) or "-"
        extra = f" (choice of {', '.join(e.offers)})" if e.offers else ""
        extra += " [exception]" if e.exception else ""
        lines.append(f"{e.id:<{width}}  {kinds:<26} {e.source:<9} {e.pinning_cases:>5}  {e.title}{extra}")
        if e.aliases:
            lines.append(f"{'':<{width}}  {'':<26} {'':<9} {'':>5}  aliases: {', '.join(e.aliases)}")
    licenses = [e for e in entries if not e.exception]
    lines.append(
        f"{len(licenses)} licenses, {len(entries) - len(licenses)} exceptions; "
        f"{sum(e.clause_count for e in entries)} clauses; {sum(e.pinning_cases for e in entries)} pinning cases"
    )
    return "\n".join(lines)


def render_license(d: LicenseDescription) -> str:
    lines = [f"{d.id}: {d.title}"]
    if d.summary:
        lines.append(d.summary)
    if d.aliases:
        lines.append("aliases: " + ", ".join(d.aliases))
    lines.append(f"kinds: {', '.join(d.kinds) or '-'}; rules written from the {d.source} text; file {d.file}; {d.pinning_cases} pinning cases")
    if d.offers:
        lines.append("the licensee chooses one of: " + ", ".join(d.offers))
    if d.members:
        lines.append("a family: the work is under one of " + ", ".join(d.members) + " (which one is an open question, checked under each)")
    for clause in d.clauses:
        lines.append("")
        lines.append(f"§ {clause.section} — {clause.name}")
        if clause.quote:
            lines.append(f'  "{clause.quote}"')
        lines.append(f"  {clause.text}")
    return "\n".join(lines)


def render_vocabulary(library: Library) -> str:
    vocabulary = library.vocabulary
    lines = []
    for category, words in vocabulary.words.items():
        lines.append(f"{category}:")
        for word in words.values():
            lines.append(f"  {word.name:<36} {word.description}")
    lines.append("relation:")
    for relation in vocabulary.relations.values():
        lines.append(f"  {relation.name:<36} {relation.description} (role: {relation.role})")
    return "\n".join(lines)
