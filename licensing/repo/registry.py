"""License knowledge that is data, not rules: the registry of well-known
Hugging Face repos and the Python trove-classifier table, both under
`rules/registry/`, each entry checked against the library when loaded.

The registry answers "which license does `meta-llama/Llama-2-7b-hf` declare?"
when no card for it is on disk; the classifier table answers "which license
does a `License :: OSI Approved :: …` classifier name?", and says so when a
classifier names a family rather than one license.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import LicetError, source_line
from ..library import Library
from ..scenario import YamlDocument, load_yaml

REGISTRY_FOLDER = "registry"
HUB_REGISTRY_FILE = "huggingface.yaml"
CLASSIFIER_FILE = "python-classifiers.yaml"


class RegistryError(LicetError):
    """A registry data file under rules/registry/ that is malformed."""

    default_code = "licet.registry.invalid"


class HubEntry(BaseModel):
    """One upstream repo (or a glob over a family of repos) and its license."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str | None = None
    pattern: str | None = None
    kind: str
    license: str
    source: str = Field(min_length=8)
    note: str | None = None
    line: int = 0

    @model_validator(mode="after")
    def _id_or_pattern(self) -> HubEntry:
        if (self.id is None) == (self.pattern is None):
            raise ValueError("give exactly one of 'id' and 'pattern'")
        return self

    def matches(self, repo_id: str) -> bool:
        if self.id is not None:
            return self.id.lower() == repo_id.lower()
        assert self.pattern is not None
        return fnmatch.fnmatchcase(repo_id.lower(), self.pattern.lower())

    def matches_name(self, name: str) -> bool:
        """Whether a repo called `name`, in the org this entry names, would match."""
        written = self.id if self.id is not None else self.pattern
        assert written is not None
        org = written.partition("/")[0] if "/" in written else ""
        return self.matches(f"{org}/{name}" if org else name)


class MirrorEntry(BaseModel):
    """An organisation that republishes other organisations' models under
    their upstream's license (quantizations, format conversions, mirrors):
    `TheBloke/Llama-2-7B-Chat-GGUF` is Meta's Llama 2 7B Chat, converted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    org: str = Field(min_length=1)
    suffixes: tuple[str, ...] = Field(description="what the org appends to the upstream name (-GGUF, -bnb-4bit ...)")
    source: str = Field(min_length=8)
    note: str | None = None
    line: int = 0

    def upstream_name(self, repo_id: str) -> str | None:
        """The upstream repo's name, if `repo_id` is this org's copy: the name
        with the org's suffixes taken off (several may be stacked), else None."""
        org, _, name = repo_id.partition("/")
        if org.lower() != self.org.lower() or not name:
            return None
        stripped = True
        while stripped:
            stripped = False
            for suffix in sorted(self.suffixes, key=len, reverse=True):
                if len(name) > len(suffix) and name.lower().endswith(suffix.lower()):
                    name, stripped = name[: -len(suffix)], True
                    break
        return name


@dataclass(frozen=True)
class MirrorMatch:
    """A mirrored repo resolved to the registry entry of its upstream."""

    mirror: MirrorEntry
    name: str  # the upstream name the mirror's name was read as
    upstream: HubEntry


class ClassifierEntry(BaseModel):
    """A trove classifier: one license, or candidates when it names a family."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    license: str | None = None
    candidates: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Registry:
    hub: tuple[HubEntry, ...]
    hub_file: str
    classifiers: dict[str, ClassifierEntry]
    classifier_file: str
    mirrors: tuple[MirrorEntry, ...] = ()

    def hub_entry(self, repo_id: str) -> HubEntry | None:
        """The exact entry for a repo id, else the first pattern that matches."""
        exact = [e for e in self.hub if e.id is not None and e.matches(repo_id)]
        if exact:
            return exact[0]
        return next((e for e in self.hub if e.pattern is not None and e.matches(repo_id)), None)

    def mirrored(self, repo_id: str) -> MirrorMatch | None:
        """The upstream of a mirror org's copy: the entry whose repo name (any
        org) is the copy's name without the org's suffixes. None when no
        mirror org matches, when no entry has that name, or when entries of
        different licenses do (then the copy is not guessed)."""
        for mirror in self.mirrors:
            name = mirror.upstream_name(repo_id)
            if name is None:
                continue
            found = [e for e in self.hub if e.kind == "weights" and e.matches_name(name)]
            if found and len({e.license for e in found}) == 1:
                exact = [e for e in found if e.id is not None]
                return MirrorMatch(mirror, name, (exact or found)[0])
        return None

    @cached_property
    def _classifiers_lower(self) -> dict[str, ClassifierEntry]:
        return {" ".join(k.lower().split()): v for k, v in self.classifiers.items()}

    def classifier(self, text: str) -> ClassifierEntry | None:
        return self._classifiers_lower.get(" ".join(text.lower().split()))


def _read(path: Path, display: str) -> tuple[YamlDocument | None, str]:
    """A registry file read with the position of each key; (None, "") when it is missing."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, ""
    except (OSError, UnicodeDecodeError) as err:
        raise RegistryError(f"cannot read: {err}", code="licet.registry.unreadable", file=display, hint="registry files are UTF-8 YAML") from None
    return load_yaml(text, display, error=RegistryError, hint="registry files are YAML; see the header comment of the file"), text


def _check_license(library: Library, name: str, display: str, line: int, text: str) -> None:
    try:
        library.parse_expression(name)
    except LicetError as err:
        raise RegistryError(err.message, code="licet.registry.unknown-license", file=display, line=line, text=source_line(text, line),
                            hint=err.hint) from None


def _line(document: YamlDocument, *path: str) -> int:
    position = document.positions.get(path)
    return position[0] if position else 0


def load_registry(library: Library) -> Registry:
    """Read rules/registry/ beside the library's rules; missing files are empty."""
    folder = Path(library.root) / REGISTRY_FOLDER
    hub_display = f"rules/{REGISTRY_FOLDER}/{HUB_REGISTRY_FILE}"
    document, text = _read(folder / HUB_REGISTRY_FILE, hub_display)
    hub: list[HubEntry] = []
    mirrors: tuple[MirrorEntry, ...] = ()
    if document is not None and document.data is not None:
        data = document.data
        items = data.get("repos") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise RegistryError("expected a 'repos:' list", code="licet.registry.not-a-list", file=hub_display, line=1,
                                hint="see the header comment of the file")
        for index, item in enumerate(items):
            line = _line(document, "repos", str(index))
            try:
                entry = HubEntry.model_validate({**(item if isinstance(item, dict) else {"?": item}), "line": line})
            except ValidationError as err:
                first = err.errors()[0]
                raise RegistryError(
                    f"repos[{index}]: {first['msg']}",
                    file=hub_display,
                    line=line,
                    text=source_line(text, line),
                    hint="an entry has id (or pattern), kind, license and source",
                ) from None
            if not library.vocabulary.has("kind", entry.kind):
                raise RegistryError(f"unknown kind '{entry.kind}'", code="licet.registry.unknown-kind", file=hub_display, line=line,
                                    hint="weights or data")
            _check_license(library, entry.license, hub_display, line, text)
            hub.append(entry)
        mirrors = _mirrors(document, hub_display, text)

    classifier_display = f"rules/{REGISTRY_FOLDER}/{CLASSIFIER_FILE}"
    document, text = _read(folder / CLASSIFIER_FILE, classifier_display)
    classifiers: dict[str, ClassifierEntry] = {}
    if document is not None and document.data is not None:
        data = document.data
        table = data.get("classifiers") if isinstance(data, dict) else None
        if not isinstance(table, dict):
            raise RegistryError("expected a 'classifiers:' mapping", code="licet.registry.not-a-mapping", file=classifier_display, line=1)
        for key, value in table.items():
            line = _line(document, "classifiers", str(key))
            raw = {"license": value} if isinstance(value, str) else value
            try:
                classifier = ClassifierEntry.model_validate(raw)
            except ValidationError as err:
                raise RegistryError(
                    f"'{key}': {err.errors()[0]['msg']}",
                    file=classifier_display,
                    line=line,
                    hint="a classifier maps to a license id, or to 'candidates:' and a 'note:'",
                ) from None
            for name in ([classifier.license] if classifier.license else []) + list(classifier.candidates):
                _check_license(library, name, classifier_display, line, text)
            classifiers[str(key)] = classifier
    return Registry(tuple(hub), hub_display, classifiers, classifier_display, mirrors)


def _mirrors(document: YamlDocument, display: str, text: str) -> tuple[MirrorEntry, ...]:
    """The registry's `mirrors:` list (orgs that republish upstream models)."""
    data = document.data if isinstance(document.data, dict) else {}
    items = data.get("mirrors") or []
    if not isinstance(items, list):
        raise RegistryError("expected a 'mirrors:' list", code="licet.registry.not-a-list", file=display, line=_line(document, "mirrors"),
                            hint="see the header comment of the file")
    out = []
    for index, item in enumerate(items):
        line = _line(document, "mirrors", str(index))
        try:
            out.append(MirrorEntry.model_validate({**(item if isinstance(item, dict) else {"?": item}), "line": line}))
        except ValidationError as err:
            raise RegistryError(f"mirrors[{index}]: {err.errors()[0]['msg']}", file=display, line=line, text=source_line(text, line),
                                hint="a mirror has org, suffixes and source") from None
    return tuple(out)
