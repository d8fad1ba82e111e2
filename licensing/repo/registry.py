"""License knowledge that is data, not rules: the registry of well-known
Hugging Face repos and the Python trove-classifier table, both under
`rules/registry/`, each entry checked against the library when loaded.

The registry answers "which license does `meta-llama/Llama-2-7b-hf` declare?"
when no card for it is on disk; the classifier table answers "which license
does a `License :: OSI Approved :: …` classifier name?", and says so when a
classifier names a family rather than one license.

Beside the shipped file, a local registry cache (same schema, written by
`licet registry refresh --online`, see `licensing.repo.refresh`) is read from
`registry_cache_path()`. The shipped entries win: the cache is consulted only
for ids the shipped registry does not match at all, so it adds repos and never
changes the answer for one the shipped file covers. The cache decides
verdicts, so it is read only when it is a regular file that no one but its
owner (the user running licet) can write.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import LicetError, source_line
from ..library import Library
from ..scenario import YamlDocument, load_yaml
from .files import MAX_DOCUMENT_BYTES, ScanError, read_inside

REGISTRY_FOLDER = "registry"
HUB_REGISTRY_FILE = "huggingface.yaml"
CLASSIFIER_FILE = "python-classifiers.yaml"
# The local registry cache: this variable names the file; set but empty, no
# cache is read (the tests set it so). Unset: registry.yaml in licet's cache
# folder ($LICET_CACHE_DIR, else $XDG_CACHE_HOME/licet, else ~/.cache/licet).
CACHE_ENV = "LICET_REGISTRY_CACHE"
CACHE_FILE = "registry.yaml"
CACHE_HINT = (f"run `licet registry refresh --online` again, fix or delete the file, or set {CACHE_ENV} to an empty value "
              "to read no cache")


def registry_cache_path() -> Path | None:
    """Where the local registry cache is, or None when it is turned off."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit is not None:
        return Path(explicit).expanduser() if explicit.strip() else None
    folder = os.environ.get("LICET_CACHE_DIR")
    if folder:
        return Path(folder) / CACHE_FILE
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "licet" / CACHE_FILE


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
    file: str = ""  # the registry file it was read from (set by the loader, as `line` is)

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
    file: str = ""  # the registry file it was read from (set by the loader)

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
    cache: tuple[HubEntry, ...] = ()  # the local registry cache's entries, read after the shipped ones
    cache_file: str | None = None

    def resolve(self, repo_id: str, kind: str | None = None, *, mirrors: bool = True) -> HubEntry | MirrorMatch | None:
        """What the registry says about a repo id, in this order: the shipped
        entries (an exact id, then a pattern, then with `mirrors` a mirror
        org's copy of one), then the same in the local cache. So the cache
        only adds ids; it never changes the answer for one the shipped file
        covers. With `kind` (weights or data), a cache entry must be of that
        kind: the Hub has separate namespaces for models and datasets, and the
        cache may hold both (shipped entries match whatever the kind, as ever)."""
        for entries, of_kind in ((self.hub, None), (self.cache, kind)):
            found: HubEntry | MirrorMatch | None = _entry_in(entries, repo_id, of_kind)
            if found is None and mirrors:
                found = self._mirror_in(entries, repo_id)
            if found is not None:
                return found
        return None

    def hub_entry(self, repo_id: str) -> HubEntry | None:
        """The exact entry for a repo id, else the first pattern that matches;
        in the shipped registry first, then in the local cache."""
        return _entry_in(self.hub, repo_id) or _entry_in(self.cache, repo_id)

    def in_cache(self, entry: HubEntry) -> bool:
        """Whether `entry` comes from the local registry cache."""
        return any(entry is cached for cached in self.cache)

    def mirrored(self, repo_id: str) -> MirrorMatch | None:
        """The upstream of a mirror org's copy: the entry whose repo name (any
        org) is the copy's name without the org's suffixes. None when no
        mirror org matches, when no entry has that name, or when entries of
        different licenses do (then the copy is not guessed). The shipped
        entries are searched first, the local cache's only when none matches."""
        return self._mirror_in(self.hub, repo_id) or self._mirror_in(self.cache, repo_id)

    def _mirror_in(self, entries: tuple[HubEntry, ...], repo_id: str) -> MirrorMatch | None:
        for mirror in self.mirrors:
            name = mirror.upstream_name(repo_id)
            if name is None:
                continue
            found = [e for e in entries if e.kind == "weights" and e.matches_name(name)]
            if found and len({e.license for e in found}) == 1:
                exact = [e for e in found if e.id is not None]
                return MirrorMatch(mirror, name, (exact or found)[0])
        return None

    @cached_property
    def _classifiers_lower(self) -> dict[str, ClassifierEntry]:
        return {" ".join(k.lower().split()): v for k, v in self.classifiers.items()}

    def classifier(self, text: str) -> ClassifierEntry | None:
        return self._classifiers_lower.get(" ".join(text.lower().split()))


def _entry_in(entries: tuple[HubEntry, ...], repo_id: str, kind: str | None = None) -> HubEntry | None:
    """The exact entry for a repo id among `entries`, else the first pattern
    that matches; only of `kind` when given."""
    found = [e for e in entries if e.matches(repo_id) and (kind is None or e.kind == kind)]
    return next((e for e in found if e.id is not None), None) or next((e for e in found if e.pattern is not None), None)


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


def read_hub_file(document: YamlDocument, text: str, display: str, library: Library,
                  hint: str = "see the header comment of the file") -> tuple[list[HubEntry], tuple[MirrorEntry, ...]]:
    """The `repos:` entries and `mirrors:` of a registry file in the schema of
    rules/registry/huggingface.yaml, each checked against the library."""
    data = document.data
    items = data.get("repos") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise RegistryError("expected a 'repos:' list", code="licet.registry.not-a-list", file=display, line=1, hint=hint)
    hub: list[HubEntry] = []
    for index, item in enumerate(items):
        line = _line(document, "repos", str(index))
        try:
            entry = HubEntry.model_validate({**(item if isinstance(item, dict) else {"?": item}), "line": line, "file": display})
        except ValidationError as err:
            first = err.errors()[0]
            raise RegistryError(
                f"repos[{index}]: {first['msg']}",
                file=display,
                line=line,
                text=source_line(text, line),
                hint="an entry has id (or pattern), kind, license and source",
            ) from None
        if not library.vocabulary.has("kind", entry.kind):
            raise RegistryError(f"unknown kind '{entry.kind}'", code="licet.registry.unknown-kind", file=display, line=line,
                                hint="weights or data")
        _check_license(library, entry.license, display, line, text)
        hub.append(entry)
    return hub, _mirrors(document, display, text)


def read_cache_file(path: Path, library: Library) -> tuple[list[HubEntry], tuple[MirrorEntry, ...]] | None:
    """The local registry cache at `path`, or None when there is none. It must
    be a regular file owned by the user that no one else can write; else, or
    when it is malformed, a `RegistryError` names the file and the way out."""
    display = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise RegistryError(f"the registry cache cannot be examined ({err.strerror or type(err).__name__})",
                            code="licet.registry.unreadable", file=display, hint=CACHE_HINT) from None
    _check_cache_owner(info, display)
    try:
        text = read_inside(path, display, root=None, limit=MAX_DOCUMENT_BYTES)
    except ScanError as err:
        raise RegistryError(f"the registry cache is {err.message}", code="licet.registry.unreadable", file=display,
                            hint=CACHE_HINT) from None
    document = load_yaml(text, display, error=RegistryError, hint=CACHE_HINT)
    if document.data is None:
        return [], ()
    return read_hub_file(document, text, display, library, hint=CACHE_HINT)


def _check_cache_owner(info: os.stat_result, display: str) -> None:
    """The cache decides verdicts: a file another user wrote, or could write, is not read."""
    getuid = getattr(os, "getuid", None)
    if getuid is None or not stat.S_ISREG(info.st_mode):
        return  # no POSIX owners here; a file that is not regular is refused by read_inside
    if info.st_uid != getuid():
        raise RegistryError("the registry cache belongs to another user, so licet does not read it: its entries decide verdicts",
                            code="licet.registry.unsafe-cache", file=display, hint=CACHE_HINT)
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise RegistryError("the registry cache can be written by other users, so licet does not read it: its entries decide verdicts",
                            code="licet.registry.unsafe-cache", file=display, hint=f"chmod go-w {display}; or {CACHE_HINT}")


def load_registry(library: Library, *, cache: Path | Literal["default"] | None = "default") -> Registry:
    """Read rules/registry/ beside the library's rules (missing files are
    empty), and the local registry cache: by default the one
    `registry_cache_path()` names, `cache` when it is a path, none when None."""
    folder = Path(library.root) / REGISTRY_FOLDER
    hub_display = f"rules/{REGISTRY_FOLDER}/{HUB_REGISTRY_FILE}"
    document, text = _read(folder / HUB_REGISTRY_FILE, hub_display)
    hub: list[HubEntry] = []
    mirrors: tuple[MirrorEntry, ...] = ()
    if document is not None and document.data is not None:
        hub, mirrors = read_hub_file(document, text, hub_display, library)

    cache_path = registry_cache_path() if cache == "default" else cache
    cached = read_cache_file(cache_path, library) if cache_path is not None else None
    cache_entries: tuple[HubEntry, ...] = ()
    if cached is not None:
        cache_entries, mirrors = tuple(cached[0]), mirrors + cached[1]

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
    return Registry(tuple(hub), hub_display, classifiers, classifier_display, mirrors, cache_entries,
                    str(cache_path) if cached is not None else None)


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
            out.append(MirrorEntry.model_validate({**(item if isinstance(item, dict) else {"?": item}), "line": line, "file": display}))
        except ValidationError as err:
            raise RegistryError(f"mirrors[{index}]: {err.errors()[0]['msg']}", file=display, line=line, text=source_line(text, line),
                                hint="a mirror has org, suffixes and source") from None
    return tuple(out)
