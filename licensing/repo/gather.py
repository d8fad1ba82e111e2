"""What the readers of a repository share: the components they found, where
each license was declared, and the notes on what could not be settled.

Every reader (cards, Python metadata, SBOMs) adds `Found` components to one
`Gathering`; `licensing.repo.scan` turns it into a scenario whose source map
points each key at the file and line it came from. Places in files are
`licensing.location.Location`s, as everywhere else in licet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import LicetError
from ..library import Library
from ..location import Location
from .policy import LoadedPolicy
from .registry import Registry, load_registry


class ScanNote(BaseModel):
    """Something the scan could not settle, said instead of guessed."""

    model_config = ConfigDict(frozen=True)

    level: Literal["warning", "note"]
    rule: str  # a stable id for SARIF: unresolved-license, ambiguous-license, …
    message: str
    component: str | None = None
    origin: Location | None = None
    hint: str | None = None


class FoundComponent(BaseModel):
    """A component as the scan found it, and how its license was settled."""

    model_config = ConfigDict(frozen=False)

    name: str
    kind: str
    license: str | None = None  # an expression the library parses; None: no license found
    declared: str | None = None  # what the source wrote, verbatim
    resolved_by: str = "none"  # card, override, registry, card folder, hf cache, hub api, License-Expression, …
    origin: Location | None = None  # where the license (or the component) was declared
    evidence: str | None = None  # e.g. the registry entry's source
    relations: dict[str, list[str]] = Field(default_factory=dict)


@dataclass
class Gathering:
    root: Path
    display_root: str
    library: Library
    policy: LoadedPolicy
    components: dict[str, FoundComponent] = field(default_factory=dict)
    notes: list[ScanNote] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # what was read, in order
    texts: dict[str, str] = field(default_factory=dict)  # display path → text, for error lines
    target: str | None = None
    _registry: Registry | None = None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = load_registry(self.library)
        return self._registry

    def display(self, path: Path) -> str:
        """A path as findings show it: relative to the scanned folder when inside it."""
        try:
            return self.display_root + path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def read(self, path: Path, display: str, text: str) -> None:
        if display not in self.texts:
            self.files.append(display)
            self.texts[display] = text

    def add(self, component: FoundComponent) -> FoundComponent:
        """Add a component; a name already found keeps its first finding."""
        return self.components.setdefault(component.name, component)

    def relate(self, source: str, relation: str, target: str) -> None:
        if source == target:
            return
        targets = self.components[source].relations.setdefault(relation, [])
        if target not in targets:
            targets.append(target)

    def note(self, level: Literal["warning", "note"], rule: str, message: str, component: str | None = None,
             origin: Location | None = None, hint: str | None = None) -> None:
        self.notes.append(ScanNote(level=level, rule=rule, message=message, component=component, origin=origin, hint=hint))

    def license_text(self, declared: str, component: str, origin: Location | None, what: str) -> str | None:
        """`declared` if the library can read it as a license expression; else
        None and a note saying so (the component is then treated as declaring
        no license, which no answer can call allowed)."""
        try:
            self.library.parse_expression(declared)
        except LicetError as err:
            self.note(
                "warning",
                "unknown-license",
                f"'{component}': {what} '{declared}' is not a license licet knows ({err.message}); its terms are treated as unknown",
                component,
                origin,
                hint=(err.hint + "; " if err.hint else "") + "add an override in the policy if you know the license",
            )
            return None
        return self.canonical(declared)

    def canonical(self, expression: str | None) -> str:
        """The expression with ids for aliases, for display."""
        if expression is None:
            return self.library.fallback or "no license"
        canonical = self.library.canonical_id(expression.strip())
        return canonical or expression
