"""What the readers of a repository share: the components they found, where
each license was declared, and the notes on what could not be settled.

Every reader (cards, Python metadata, SBOMs) adds `Found` components to one
`Gathering`; `licensing.repo.scan` turns it into a scenario whose source map
points each key at the file and line it came from. Places in files are
`licensing.location.Location`s, as everywhere else in licet.

A scan never drops what it read. A license licet cannot read is *unknown
terms*, never "no license":

- `Gathering.license_text` reads a declared expression term by term. Every id
  (or `id WITH exception`) the library knows is kept, under its canonical id;
  every term it cannot read is replaced, in place, by the library's fallback
  license (the one marked `fallback yes` in rules/: terms unknown), with an
  `unknown-license` note naming the term and the file line that wrote it.
  `A AND acme-eula` becomes `A AND <fallback>`: A is still checked, and
  nothing that depends on the component can be `allowed`. An expression that
  does not even parse becomes the fallback as a whole. In an `OR`, the
  unreadable term is one option among others, as the licensor offered it:
  licet may choose a known one and reports that choice. The result always
  parses, so it is never `None`. Rules without a fallback license cannot say
  "unknown", so an unreadable license is then a scan error.
- This holds for the target too. A target *without* a license means "mine, to
  be released under whatever works"; a target whose license cannot be read
  carries the fallback, exactly as a card's `license: other` does, so the
  answer is `unknown` and the finding on the fallback points at the line of the
  unreadable id (the `unknown-license` note's origin). Keeping the unknown terms on the component that declared them (rather than
  on an extra `<target>-license-<id>` component) means no "leave out" fix can
  make them disappear: a license that applies to your own work cannot be left
  out.
- `Gathering.license_list` reads a license *list* (a Hugging Face card's
  `license: [a, b]`, a CycloneDX `licenses` array): every entry applies, so the
  entries are joined with `AND`, each read by `license_text` at its own line.
  A list is never a choice of release license: `use.release-license` is only
  set from a target whose license is one id (`licensing.repo.scan`).

`break_cycles` keeps the scenario a graph: relations that close a cycle
(common in npm and Go SBOMs) are left out, deterministically, with a note,
and every component on the cycle is still checked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import LicetError
from ..library import Library
from ..location import Location
from .files import ScanError, SkippedFile, outside_reason, read_inside
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
    license_origins: dict[str, Location] | None = None  # license id → where a license list wrote it, when not at `origin`
    license_files: list[str] = Field(default_factory=list)  # a distribution's license and NOTICE files (its metadata's License-File), for `licet notice`
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
    skipped: list[FoundComponent] = field(default_factory=list)  # stand-ins for files not read, attached to the target at the end
    _registry: Registry | None = None
    # (source, relation, target) of every relation in `components`: `relate` stays O(1) for a component with thousands
    _related: set[tuple[str, str, str]] = field(default_factory=set)

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = load_registry(self.library)
        return self._registry

    def display(self, path: Path) -> str:
        """A path as findings show it: relative to the scanned folder when
        inside it (a link that leads out shows as the link's own path)."""
        try:
            return self.display_root + path.resolve().relative_to(self.root.resolve()).as_posix()
        except (ValueError, OSError, RuntimeError):
            pass
        try:
            return self.display_root + Path(os.path.abspath(path)).relative_to(os.path.abspath(self.root)).as_posix()
        except ValueError:
            return str(path)

    # ------------------------------------------------------------ reading files, inside the folder only

    def read_file(self, path: Path, display: str, limit: int, *, named: bool = False) -> str:
        """The text of a repository file (`licensing.repo.files.read_inside`):
        a regular file inside the scanned folder, at most `limit` bytes;
        `named`: a file the user gave on the command line, read wherever it
        is. Else `SkippedFile`, which the caller reports with `skip`."""
        return read_inside(path, display, root=None if named else self.root, limit=limit)

    def outside(self, path: Path) -> str | None:
        """Why a path a repository file names (a policy key, a `-r` include)
        leads out of the scanned folder; None when it stays inside."""
        return outside_reason(self.root, path)

    def skip(self, skipped: SkippedFile, verb: str, *, kind: str = "code", origin: Location | None = None,
             what: str | None = None) -> None:
        """Report a file the scan did not read. What it `verb`s (the
        components an SBOM lists, the packages a requirements file names, what
        a card declares) is not dropped in silence: it stands in the scenario
        as one component named after the file, whose terms are unknown,
        included in the target, so the answer cannot be `allowed` because a
        file was not read."""
        name = f"{skipped.display} (not read)"
        where = origin or Location(file=skipped.display)
        self.note("warning", "skipped-file",
                  f"{what or skipped.display}: not read: {skipped.reason}; whatever it {verb} is checked as '{name}', "
                  "a component whose terms are unknown", name, where, hint=skipped.hint)
        if name not in self.components and all(c.name != name for c in self.skipped):
            # the library's license for terms nobody knows (no license at all when the rules have none: also unknown)
            self.skipped.append(FoundComponent(name=name, kind=kind, license=self.library.fallback, resolved_by="not read", origin=where,
                                               evidence=skipped.reason))

    def attach_skipped(self) -> None:
        """Put the stand-ins for files not read under the target (see `skip`)."""
        assert self.target is not None
        for stand_in in self.skipped:
            if stand_in.name not in self.components:
                self.add(stand_in)
                self.relate(self.target, "includes", stand_in.name)
        self.skipped = []

    def read(self, path: Path, display: str, text: str) -> None:
        if display not in self.texts:
            self.files.append(display)
            self.texts[display] = text

    def add(self, component: FoundComponent) -> FoundComponent:
        """Add a component; a name already found keeps its first finding."""
        found = self.components.setdefault(component.name, component)
        if found is component:
            self._related.update((component.name, relation, other) for relation, targets in component.relations.items() for other in targets)
        return found

    def relate(self, source: str, relation: str, target: str) -> None:
        if source == target or (source, relation, target) in self._related:
            return
        self.components[source].relations.setdefault(relation, []).append(target)
        self._related.add((source, relation, target))

    def note(self, level: Literal["warning", "note"], rule: str, message: str, component: str | None = None,
             origin: Location | None = None, hint: str | None = None) -> None:
        self.notes.append(ScanNote(level=level, rule=rule, message=message, component=component, origin=origin, hint=hint))

    @property
    def unknown_terms(self) -> str:
        """The license id for terms nobody knows: the library's fallback."""
        if self.library.fallback is None:
            raise ScanError("the rules mark no license `fallback yes`, so licet cannot say that a license it cannot read has unknown terms",
                            code="licet.scan.no-fallback", hint="add a fallback license to the rules, as the shipped rules have")
        return self.library.fallback

    def license_text(self, declared: str, component: str, origin: Location | None, what: str) -> str:
        """`declared` as an expression the library reads, ids canonical. Each
        term the library cannot read becomes the fallback license (terms
        unknown) in its place, with a note naming it at `origin`; an
        expression that does not parse at all becomes the fallback. Never
        None: an unreadable license is unknown terms, not "no license"."""
        try:
            self.library.parse_expression(declared)
        except LicetError:
            pass
        else:
            return self._normalized(declared) or self.canonical(declared)
        tokens = _tokens(declared)
        if tokens is None:
            self._unreadable(declared, declared, component, origin, what, "it does not read as a license expression")
            return self.unknown_terms
        out: list[str] = []
        for kind, text in tokens:
            if kind != "term":
                out.append(text)
                continue
            try:
                self.library.parse_expression(text)
            except LicetError as err:
                self._unreadable(declared, text, component, origin, what, err.message, err.hint)
                out.append(self.unknown_terms)
            else:
                out.append(self._term(text))
        result = _joined(out)
        try:
            self.library.parse_expression(result)
        except LicetError:  # pragma: no cover - every term was checked; kept as a guard
            return self.unknown_terms
        return result

    def license_list(self, items: Sequence[tuple[str, Location | None]], component: str, what: str,
                     found: FoundComponent | None = None) -> str | None:
        """Licenses that all apply (a card's `license:` list, a BOM's
        `licenses`): each read by `license_text` at its own place, joined with
        AND. None when the list is empty. With `found`, each id read is
        recorded in its `license_origins` at the place its entry was written."""
        parts = []
        for text, origin in items:
            part = self.license_text(text, component, origin, what)
            parts.append(part)
            if found is not None and origin is not None and len(items) > 1:
                for leaf in self.library.parse_expression(part).leaves:
                    if leaf.license != self.library.fallback:
                        found.license_origins = found.license_origins or {}
                        found.license_origins.setdefault(leaf.license, origin)
        parts = list(dict.fromkeys(parts))
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return " AND ".join(f"({p})" if _has_operator(p, "OR") else p for p in parts)

    def _unreadable(self, declared: str, term: str, component: str, origin: Location | None, what: str, reason: str,
                    hint: str | None = None) -> None:
        named = f"'{declared}'" if term == declared else f"'{declared}' names '{term}', which"
        self.note(
            "warning",
            "unknown-license",
            f"'{component}': {what} {named} is not a license licet knows ({reason}); its terms are treated as unknown "
            f"({self.unknown_terms})",
            component,
            origin,
            hint=(hint + "; " if hint else "") + "add an override in the policy if you know the license",
        )

    def _term(self, text: str) -> str:
        """One term (`id` or `id WITH exception`) with canonical ids."""
        words = text.split()
        upper = [w.upper() for w in words]
        if "WITH" in upper:
            at = upper.index("WITH")
            left, right = " ".join(words[:at]), " ".join(words[at + 1:])
            return f"{self.library.canonical_id(left) or left} WITH {self.library.canonical_id(right) or right}"
        return self.library.canonical_id(text) or text

    def _normalized(self, declared: str) -> str | None:
        """A readable expression with canonical ids, or None if it cannot be tokenised."""
        tokens = _tokens(declared)
        if tokens is None:
            return None
        result = _joined([self._term(text) if kind == "term" else text for kind, text in tokens])
        try:
            self.library.parse_expression(result)
        except LicetError:
            return None
        return result

    # ------------------------------------------------------------ the graph

    def reach(self, start: str, seen: set[str] | None = None) -> set[str]:
        """The components reached from `start` through any relation (itself
        included). With `seen`, what is already in it is not walked again, and
        what is reached is added to it."""
        seen = set() if seen is None else seen
        if start in seen:
            return seen
        seen.add(start)
        stack = [start]
        while stack:
            current = self.components.get(stack.pop())
            if current is None:
                continue
            for targets in current.relations.values():
                for other in targets:
                    if other not in seen and other in self.components:
                        seen.add(other)
                        stack.append(other)
        return seen

    def remove(self, names: set[str]) -> None:
        """Leave components out, and every relation to them."""
        for name in names:
            self.components.pop(name, None)
        for component in self.components.values():
            for relation in list(component.relations):
                kept = [t for t in component.relations[relation] if t not in names]
                if kept:
                    component.relations[relation] = kept
                else:
                    del component.relations[relation]
        self._related = {edge for edge in self._related if edge[0] not in names and edge[2] not in names}

    def break_cycles(self) -> None:
        """Leave out the relations that close a cycle, so the scenario is a graph.

        Depth-first from the target, then from every other component in the
        order found; a relation to a component still on the path closes a
        cycle and is left out. The order is the order of the files, so the
        same repository always loses the same relations. Every component stays
        and is reached as before; one note per file lists what was left out."""
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        dropped: list[tuple[str, str, str]] = []
        starts = ([self.target] if self.target in self.components else []) + list(self.components)
        for start in starts:
            if start is None or start in state:
                continue
            state[start] = 1
            stack: list[tuple[str, list[tuple[str, str]]]] = [(start, self._edges(start))]
            while stack:
                name, edges = stack[-1]
                if not edges:
                    stack.pop()
                    state[name] = 2
                    continue
                relation, other = edges.pop()  # _edges lists them last first
                if other not in self.components:
                    continue
                if state.get(other) == 1:
                    dropped.append((name, relation, other))
                    continue
                if other not in state:
                    state[other] = 1
                    stack.append((other, self._edges(other)))
        if not dropped:
            return
        cut = set(dropped)
        for name, relation in dict.fromkeys((name, relation) for name, relation, _ in dropped):
            kept = [other for other in self.components[name].relations[relation] if (name, relation, other) not in cut]
            if kept:
                self.components[name].relations[relation] = kept
            else:
                del self.components[name].relations[relation]
        self._related -= cut
        by_file: dict[str, list[tuple[str, str, str]]] = {}
        for edge in dropped:
            origin = self.components[edge[0]].origin
            by_file.setdefault(origin.file if origin is not None else "", []).append(edge)
        for file, left_out in by_file.items():
            shown = ", ".join(f"'{a}' {r} '{b}'" for a, r, b in left_out[:5]) + (f" and {len(left_out) - 5} more" if len(left_out) > 5 else "")
            first = self.components[left_out[0][0]]
            self.note(
                "note",
                "dependency-cycle",
                f"{file or 'the scan'}: {len(left_out)} relation{'s' if len(left_out) != 1 else ''} closed a cycle and "
                f"{'were' if len(left_out) != 1 else 'was'} left out so the components form a graph ({shown}); "
                "every component on the cycle is still checked",
                first.name,
                first.origin,
            )

    def _edges(self, name: str) -> list[tuple[str, str]]:
        """The relations of `name`, last first (they are popped from the end)."""
        edges = [(relation, other) for relation, targets in self.components[name].relations.items() for other in targets]
        edges.reverse()
        return edges

    def canonical(self, expression: str | None) -> str:
        """The expression with ids for aliases, for display."""
        if expression is None:
            return self.library.fallback or "no license"
        canonical = self.library.canonical_id(expression.strip())
        return canonical or expression


# ---------------------------------------------------------------- expressions, term by term

_TOKEN = re.compile(r"\(|\)|[^\s()]+")
_OPERATORS = {"AND", "OR"}


def _tokens(text: str) -> list[tuple[str, str]] | None:
    """An SPDX-style expression as ('(' | ')' | 'op' | 'term', text) tokens, a
    term being the words between operators and parentheses (`Acme License
    2.0`, `A WITH E`); None when the structure is
    not an expression (unbalanced parentheses, an operator with no operand)."""
    out: list[tuple[str, str]] = []
    words: list[str] = []
    depth = 0
    expect_operand = True

    def flush() -> bool:
        nonlocal expect_operand
        if not words:
            return True
        upper = [w.upper() for w in words]
        if upper[0] == "WITH" or upper[-1] == "WITH" or upper.count("WITH") > 1 or not expect_operand:
            return False
        out.append(("term", " ".join(words)))
        words.clear()
        expect_operand = False
        return True

    for word in _TOKEN.findall(text):
        upper = word.upper()
        if word == "(":
            if words or not expect_operand:
                return None
            out.append(("(", "("))
            depth += 1
        elif word == ")":
            if not flush() or expect_operand or depth == 0:
                return None
            out.append((")", ")"))
            depth -= 1
        elif upper in _OPERATORS:
            if not flush() or expect_operand:
                return None
            out.append(("op", upper))
            expect_operand = True
        else:
            words.append(word)
    if not flush() or expect_operand or depth != 0:
        return None
    return out


def _joined(parts: list[str]) -> str:
    return " ".join(parts).replace("( ", "(").replace(" )", ")")


def _has_operator(expression: str, operator: str) -> bool:
    return any(kind == "op" and text == operator for kind, text in (_tokens(expression) or []))
