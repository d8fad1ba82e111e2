"""The library, described: every license with its kinds, source and pinning
cases, and one license's clauses in plain words (`licet licenses`, `licet show`).

These are data (pydantic models); `licensing.render.library` lays them out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from . import nodes as n
from .inputs import MAX_FILE_BYTES, SAFE_YAML_LOADER
from .library import Library
from .location import Location, span_location
from .wording import clause_text


class LicenseEntry(BaseModel):
    id: str
    title: str
    aliases: list[str]
    kinds: list[str]
    source: str
    clause_count: int
    offers: list[str]
    members: list[str] = []  # a family: one of these applies, which is an open question
    exception: bool
    pinning_cases: int


class ClauseDescription(BaseModel):
    name: str
    section: str
    quote: str | None
    effect: str
    text: str
    source: str
    location: Location | None = None
    remedies: list[str] = []  # what the license offers whoever the clause stops: "words (§ section)"


class LicenseDescription(LicenseEntry):
    summary: str
    clauses: list[ClauseDescription]
    file: str


CASES_SUFFIX = ".cases.yaml"


def cases_file_for(rule_file: Path) -> Path:
    """The pinning cases beside a rule file: X.lic → X.cases.yaml."""
    return rule_file.with_name(rule_file.name.removesuffix(".lic") + CASES_SUFFIX)


def count_cases(path: Path) -> int:
    """How many cases a file holds (0 when it is missing, too large or not a
    mapping with a list of cases). Only counted, from the parser's events:
    the listing should not build every case, let alone with positions as
    `licet test` does (a third of the time, for the same count)."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return 0
        events = yaml.parse(path.read_text(encoding="utf-8"), Loader=SAFE_YAML_LOADER)  # a safe loader; nothing built
        return _count_cases(events)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return 0


def _count_cases(events: Iterator[yaml.Event]) -> int:
    """The items of the top-level mapping's `cases` sequence, from parser events."""
    # per open collection: [is a mapping, a key comes next, the last key, is the cases sequence]
    stack: list[list[Any]] = []
    count = 0
    for event in events:
        if isinstance(event, yaml.NodeEvent):
            parent = stack[-1] if stack else None
            opens = isinstance(event, yaml.CollectionStartEvent)
            is_cases = False
            if parent is None:
                if not isinstance(event, yaml.MappingStartEvent):
                    return 0  # the document is not a mapping
            elif parent[0] and parent[1]:
                if opens:
                    return 0  # a collection as a key: not a file of cases
                parent[1], parent[2] = False, getattr(event, "value", None)
                continue
            elif parent[0]:
                is_cases = len(stack) == 1 and parent[2] == "cases" and isinstance(event, yaml.SequenceStartEvent)
                parent[1] = not opens  # after a collection value, when it ends
            elif parent[3]:
                count += 1
            if opens:
                stack.append([isinstance(event, yaml.MappingStartEvent), True, None, is_cases])
        elif isinstance(event, yaml.CollectionEndEvent):
            if stack.pop()[3]:
                return count
            if stack and stack[-1][0]:
                stack[-1][1] = True
    return 0


def rule_file(library: Library, lic: n.License) -> Path:
    """The file a license was written in."""
    shown = lic.span.file
    return library.root / shown.removeprefix("rules/") if shown.startswith("rules/") else Path(shown)


def _entry_fields(library: Library, lic: n.License) -> dict[str, Any]:
    return {
        "id": lic.id,
        "title": lic.title,
        "aliases": list(lic.aliases),
        # a family covers what its members cover
        "kinds": list(lic.covers) or list(dict.fromkeys(kind for member in lic.members for kind in library.licenses[member].covers)),
        "source": lic.source,
        "clause_count": len(lic.clauses),
        "offers": list(lic.offers),
        "members": list(lic.members),
        "exception": lic.is_exception,
        "pinning_cases": count_cases(cases_file_for(rule_file(library, lic))),
    }


def list_licenses(library: Library) -> list[LicenseEntry]:
    entries = [LicenseEntry(**_entry_fields(library, lic)) for lic in [*library.licenses.values(), *library.exceptions.values()]]
    return sorted(entries, key=lambda e: (e.exception, e.id.lower()))


def describe_license(library: Library, name: str) -> LicenseDescription:
    lic = library.get(name)
    vocabulary = library.vocabulary
    return LicenseDescription(
        **_entry_fields(library, lic),
        summary=lic.summary,
        clauses=[
            ClauseDescription(
                name=c.name,
                section=c.section,
                quote=c.quote,
                effect=c.effect.kind,
                text=clause_text(c, vocabulary),
                source=str(c.span),
                location=span_location(c.span),
                remedies=[f"{r.words} (§ {r.section})" for r in c.remedies],
            )
            for c in lic.clauses
        ],
        file=lic.span.file,
    )
