"""The project's policy: `[tool.licet]` in pyproject.toml, or `licet.yaml`.

It says what the project intends to do (the use), under which license it goes
out, which assumptions it takes, which declared licenses are wrong
(overrides), and which findings a named person accepted (waivers). Every key
keeps its line, so a finding or an error can point back at it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import LicetError, source_line
from ..library import Library
from ..location import Location
from ..scenario import Waiver, load_yaml, validation_problem
from ..scenario.load import Positions
from ..scenario.model import FactValue, yes_no
from .files import (
    MAX_TEXT_BYTES,
    ScanError,
    SkippedFile,
    exists,
    json_type,
    read_inside,
)

POLICY_YAML = "licet.yaml"
PYPROJECT = "pyproject.toml"
DEFAULT_ACTIONS = ("distribute",)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class PolicyUse(_Model):
    """The scenario's `use` as a policy states it: the scan finds the target
    (and the target's license is the release license), so neither is written
    here; the actions default to distributing."""

    actions: tuple[str, ...] = DEFAULT_ACTIONS
    commercial: bool | None = None
    purposes: tuple[str, ...] = ()
    facts: dict[str, FactValue] = Field(default_factory=dict)  # yes/no or a finite number, as in a scenario

    @field_validator("actions", "purposes", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value  # one word or a list, as the scenario's `use` reads them

    def scenario_use(self, target: str) -> dict[str, Any]:
        """The scenario's `use` (its file format) for this target; the
        release license is the target's, which the scan adds."""
        use: dict[str, Any] = {"target": target, "actions": list(self.actions)}
        stated = self.model_dump(by_alias=True, exclude={"actions"}, exclude_defaults=True)  # what is left unsaid stays unsaid
        use.update({key: list(value) if isinstance(value, tuple) else value for key, value in stated.items()})
        return use


class PythonSettings(_Model):
    enabled: bool = True
    environment: str | None = None
    requirements: tuple[str, ...] | None = None


class Override(_Model):
    license: str
    kind: str | None = None
    reason: str | None = None


class Policy(_Model):
    name: str | None = None
    kind: str | None = None
    license: str | None = None
    use: PolicyUse = PolicyUse()
    assume: dict[str, str] = Field(default_factory=dict)
    bundle: bool = False
    python: PythonSettings = PythonSettings()
    cards: tuple[str, ...] = ()
    sbom: tuple[str, ...] | None = None
    # all: every component of an SBOM is part of the deliverable (those its root
    # does not reach are attached to it); reachable: only what the root reaches
    sbom_scope: Literal["all", "reachable"] = Field(default="all", alias="sbom-scope")
    overrides: dict[str, Override] = Field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()

    @field_validator("assume", mode="before")
    @classmethod
    def _words(cls, value: Any) -> Any:
        # YAML and TOML read yes/no as booleans; the policy means the words, as the
        # scenario does (whose `assume` then checks them: yes, no or unknown)
        if isinstance(value, Mapping):
            return {k: yes_no(v) for k, v in value.items()}
        return value


@dataclass
class LoadedPolicy:
    """The policy and where its keys were written."""

    policy: Policy
    file: str | None  # display path of the file it came from, None for defaults
    text: str = ""
    positions: Positions = field(default_factory=dict)
    project: dict[str, Any] = field(default_factory=dict)  # pyproject's [project] table
    pyproject_file: str | None = None
    pyproject_text: str = ""
    project_positions: Positions = field(default_factory=dict)

    def at(self, *path: str) -> tuple[int, int] | None:
        """(line, column) of the key at `path` or of its nearest written parent."""
        return _nearest(self.positions, path)

    def locate(self, *path: str) -> Location | None:
        """Where the key at `path` (or its nearest written parent) is in the policy file, if known."""
        position = self.at(*path)
        if position is None:
            return None
        return Location(file=self.file or "", line=position[0], column=position[1])

    def locate_project(self, key: str) -> Location:
        """Where a key of pyproject's [project] table is (the file alone when the key is not written)."""
        position = self.project_positions.get((key,))
        return Location(file=self.pyproject_file or PYPROJECT, line=position[0] if position else None, column=position[1] if position else None)


def _nearest(positions: Positions, path: tuple[str, ...]) -> tuple[int, int] | None:
    for end in range(len(path), 0, -1):
        position = positions.get(path[:end])
        if position:
            return position
    return None


def read_policy(root: Path, display_root: str = "", named: Path | None = None) -> LoadedPolicy:
    """The policy of the repository at `root`: licet.yaml wins over [tool.licet].

    Both are read only when they are regular files inside `root` (`named`, a
    file the user gave on the command line, is read wherever it leads)."""
    pyproject_path = root / PYPROJECT
    project: dict[str, Any] = {}
    tool: dict[str, Any] | None = None
    pyproject_text = ""
    pyproject_display = display_root + PYPROJECT
    toml_positions: Positions = {}
    if exists(pyproject_path):
        trusted = named is not None and named.name == PYPROJECT
        pyproject_text = read_policy_file(pyproject_path, pyproject_display, None if trusted else root)
        data = _toml(pyproject_text, pyproject_display)
        toml_positions = toml_key_positions(pyproject_text)
        project, tool = _pyproject_tables(data, pyproject_display, pyproject_text, toml_positions)
    project_positions = {k[1:]: v for k, v in toml_positions.items() if k[:1] == ("project",)}
    base = LoadedPolicy(Policy(), None, project=project, pyproject_file=pyproject_display if pyproject_text else None,
                        pyproject_text=pyproject_text, project_positions=project_positions)

    yaml_path = root / POLICY_YAML
    if exists(yaml_path):
        display = display_root + POLICY_YAML
        text = read_policy_file(yaml_path, display, root)
        document = load_yaml(text, display, error=ScanError)
        return _validated({} if document.data is None else document.data, base, display, text, document.positions)
    if tool is not None:
        positions = {k[2:]: v for k, v in toml_positions.items() if k[:2] == ("tool", "licet")}
        return _validated(tool, base, pyproject_display, pyproject_text, positions)
    return base


def _toml(text: str, display: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ScanError("not TOML licet reads: arrays or inline tables nested too deep", code="licet.scan.toml", file=display,
                        hint="no pyproject.toml nests values that deep") from None
    except ValueError as err:
        if isinstance(err, tomllib.TOMLDecodeError):
            raise _toml_error(err, text, display) from None
        # tomllib reads integers with int(): one of more than 4,300 digits is refused there
        raise ScanError(f"not TOML licet reads: {err}", code="licet.scan.toml", file=display,
                        hint="numbers in pyproject.toml are at most a few digits long") from None


def _toml_error(err: tomllib.TOMLDecodeError, text: str, display: str) -> ScanError:
    line, column = toml_error_position(str(err))
    return ScanError(f"not valid TOML: {err}", code="licet.scan.toml", file=display, line=line, column=column,
                     text=source_line(text, line) if line else None, hint="check quoting and that each table header appears once")


# [project] keys the scan reads, and the TOML types PEP 621 / PEP 639 give them
PROJECT_TYPES: dict[str, tuple[type, ...]] = {"name": (str,), "license": (str, dict), "license-expression": (str,), "dependencies": (list,)}


def _pyproject_tables(data: dict[str, Any], display: str, text: str, positions: Positions) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """pyproject's [project] table and [tool.licet] (None when absent), each of
    the type it must have: a value of another type is an error at its line,
    never a policy silently ignored."""

    def wrong(path: tuple[str, ...], value: Any, expected: str, hint: str) -> ScanError:
        line, column = _nearest(positions, path) or (None, None)
        return ScanError(f"{'.'.join(path)} is {json_type(value, 'a table')}, not {expected}", code="licet.scan.invalid", file=display, line=line,
                         column=column, text=source_line(text, line) if line else None, hint=hint)

    tool_hint = "[tool.licet] is a table: `licet init` writes a commented starter"
    project = data.get("project", {})
    if not isinstance(project, dict):
        raise wrong(("project",), project, "a table", "[project] is the table of PEP 621 (name, license, dependencies...)")
    for key, types in PROJECT_TYPES.items():
        value = project.get(key)
        if value is not None and not isinstance(value, types):
            expected = "a string or a table" if types == (str, dict) else "an array of strings" if types == (list,) else "a string"
            raise wrong(("project", key), value, expected, "see PEP 621 and PEP 639 for the [project] table")
    dependencies = project.get("dependencies") or []
    for index, dependency in enumerate(dependencies):
        if not isinstance(dependency, str):
            raise wrong(("project", "dependencies"), dependency, "a string", "each dependency is a requirement string, e.g. \"requests>=2.32\"")
    license_table = project.get("license")
    if isinstance(license_table, dict):
        for key in ("text", "file"):
            if license_table.get(key) is not None and not isinstance(license_table[key], str):
                raise wrong(("project", "license", key), license_table[key], "a string", "license = { text = \"...\" } or { file = \"LICENSE\" }")
    tools = data.get("tool")
    if tools is None:
        return project, None
    if not isinstance(tools, dict):
        raise wrong(("tool",), tools, "a table", tool_hint)
    tool = tools.get("licet")
    if tool is not None and not isinstance(tool, dict):
        raise wrong(("tool", "licet"), tool, "a table", tool_hint)
    return project, tool


_VALIDATION_CODES = {"extra_forbidden": "licet.scan.unknown-key", "missing": "licet.scan.missing-key"}


def _validated(data: Any, base: LoadedPolicy, display: str, text: str, positions: Positions) -> LoadedPolicy:
    if not isinstance(data, dict):
        raise ScanError("the policy is a table of settings", code="licet.scan.not-a-mapping", file=display, line=1,
                        hint="see `licet init` for a starter policy")
    try:
        policy = Policy.model_validate(data)
    except RecursionError:
        raise ScanError("the policy nests values too deep", code="licet.scan.too-deep", file=display, line=1,
                        hint="see `licet init` for a starter policy") from None
    except ValidationError as err:
        kind, path, message = validation_problem(err)
        line, column = _nearest(positions, path) or (None, None)
        raise ScanError(
            f"{'.'.join(path) or 'policy'}: {message}",
            code=_VALIDATION_CODES.get(kind, "licet.scan.invalid"),
            file=display,
            line=line,
            column=column,
            text=source_line(text, line) if line else None,
            hint=_policy_hint(path),
        ) from None
    base.policy = policy
    base.file = display
    base.text = text
    base.positions = positions
    return base


def check_policy(loaded: LoadedPolicy, library: Library) -> None:
    """What the policy names must be known to the library, whether or not the
    scan meets it: each override's license and kind (an override of a package
    that is not installed is checked too), the policy's own kind and license.
    A mistake is an error at the key, as it would be in a scenario."""
    policy = loaded.policy
    for name, override in policy.overrides.items():
        _check_license(loaded, library, override.license, ("overrides", name, "license"))
        if override.kind is not None:
            _check_kind(loaded, library, override.kind, ("overrides", name, "kind"))
    if policy.kind is not None:
        _check_kind(loaded, library, policy.kind, ("kind",))
    if policy.license is not None:
        _check_license(loaded, library, policy.license, ("license",))


def _at_key(loaded: LoadedPolicy, path: tuple[str, ...], message: str, code: str, hint: str | None) -> ScanError:
    line, column = loaded.at(*path) or (None, None)
    return ScanError(f"{'.'.join(path)}: {message}", code=code, file=loaded.file, line=line, column=column,
                     text=source_line(loaded.text, line) if line else None, hint=hint)


def _check_license(loaded: LoadedPolicy, library: Library, text: str, path: tuple[str, ...]) -> None:
    try:
        library.parse_expression(text)
    except LicetError as err:
        raise _at_key(loaded, path, err.message, err.code, err.hint) from None


def _check_kind(loaded: LoadedPolicy, library: Library, kind: str, path: tuple[str, ...]) -> None:
    if not library.vocabulary.has("kind", kind):
        kinds = ", ".join(sorted(library.vocabulary.words.get("kind", {})))
        raise _at_key(loaded, path, f"unknown kind '{kind}'", "licet.scan.unknown-kind", f"kinds: {kinds}" if kinds else None)


def _policy_hint(path: tuple[str, ...]) -> str:
    if path[:1] == ("waivers",):
        return "a waiver has component, by, reason, and optionally license, clause and expires (YYYY-MM-DD)"
    if path[:1] == ("overrides",):
        return "an override is `\"<component>\": {license: <id>, reason: \"...\"}`"
    if path[:1] == ("use",):
        return "use has actions (run, modify, distribute, serve), commercial, purposes and facts"
    if path[:1] == ("sbom-scope",):
        return "sbom-scope is \"all\" (the default: every component of an SBOM is checked) or \"reachable\""
    return ("the policy has name, kind, license, use, assume, bundle, python, cards, sbom, sbom-scope, overrides, waivers; "
            "`licet init` writes a commented starter")


def missing_dependency(package: str, what: str, file: str | None = None) -> ScanError:
    """The error for a format whose reader is not installed (the `scan` extra)."""
    return ScanError(f"reading {what} needs {package}, which is not installed", code="licet.scan.missing-dependency", file=file,
                     hint="install licet's scan extra: pip install 'licet[scan]'")


def read_policy_file(path: Path, display: str, root: Path | None) -> str:
    """A policy file's text (pyproject.toml, licet.yaml), read only inside
    `root` (anywhere when None: the user named it). A policy licet must not
    read is an error, not a note: it states the question the scan answers
    (the use, `bundle`, the outbound license, waivers), and answering without
    it would answer another question, possibly a more permissive one."""
    try:
        return read_inside(path, display, root=root, limit=MAX_TEXT_BYTES)
    except SkippedFile as err:
        raise ScanError(
            f"the policy file is not read: {err.reason}", code=err.code, file=display,
            hint="the policy and [project] say what the scan checks, so licet stops rather than guess them; "
                 "put the file itself in the folder (a regular file, at most 1 MiB)",
        ) from None


def toml_error_position(message: str) -> tuple[int | None, int | None]:
    found = re.search(r"line (\d+), column (\d+)", message)
    return (int(found.group(1)), int(found.group(2))) if found else (None, None)


# ---------------------------------------------------------------- TOML key lines

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*("[^"]*"|\'[^\']*\'|[A-Za-z0-9_.-]+)\s*=')
_INLINE_KEY = re.compile(r'[{,]\s*("[^"]*"|[A-Za-z0-9_-]+)\s*=')


def _toml_key_parts(key: str) -> tuple[str, ...]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', key)
    return tuple(a or b or c for a, b, c in parts)


def toml_key_positions(text: str) -> Positions:
    """Where each key of a TOML file is written: tomllib keeps no positions.

    Tables, arrays of tables (indexed like lists), dotted and quoted keys, and
    the keys of one-line inline tables are found; values spread over several
    lines (arrays) are located at their key.
    """
    out: Positions = {}
    table: tuple[str, ...] = ()
    counts: dict[tuple[str, ...], int] = {}
    depth = 0  # open brackets of a multi-line array, whose lines hold no keys
    for number, line in enumerate(text.splitlines(), 1):
        if depth > 0:
            depth += line.count("[") - line.count("]")
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            name = _toml_key_parts(header.group(2))
            if header.group(1) == "[[":
                index = counts.get(name, 0)
                counts[name] = index + 1
                table = name + (str(index),)
            else:
                table = name
            out.setdefault(table, (number, line.index("[") + 1))
            continue
        key = _KEY.match(line)
        if not key:
            continue
        path = table + _toml_key_parts(key.group(1))
        out.setdefault(path, (number, key.start(1) + 1))
        rest = line[key.end():]
        stripped = rest.split("#", 1)[0]
        if stripped.strip().startswith("{"):
            offset = key.end()
            for inner in _INLINE_KEY.finditer(rest):
                out.setdefault(path + _toml_key_parts(inner.group(1)), (number, offset + inner.start(1) + 1))
        depth = max(0, stripped.count("[") - stripped.count("]"))
    return out
