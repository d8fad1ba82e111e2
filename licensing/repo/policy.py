"""The project's policy: `[tool.licet]` in pyproject.toml, or `licet.yaml`.

It says what the project intends to do (the use), under which license it goes
out, which assumptions it takes, which declared licenses are wrong
(overrides), and which findings a named person accepted (waivers). Every key
keeps its line, so a finding or an error can point back at it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import LicetError, source_line, yaml_error_location, yaml_problem
from ..scenario import Waiver, validation_problem, yaml_positions

POLICY_YAML = "licet.yaml"
PYPROJECT = "pyproject.toml"
DEFAULT_ACTIONS = ("distribute",)


class ScanError(LicetError):
    """A repository file licet scan reads that is malformed or unreadable."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class PolicyUse(_Model):
    actions: tuple[str, ...] = DEFAULT_ACTIONS
    commercial: bool | None = None
    purposes: tuple[str, ...] = ()
    facts: dict[str, float | bool] = Field(default_factory=dict)

    @field_validator("actions", "purposes", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


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
    overrides: dict[str, Override] = Field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()

    @field_validator("assume", mode="before")
    @classmethod
    def _words(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: {True: "yes", False: "no"}.get(v, v) if isinstance(v, bool) else v for k, v in value.items()}
        return value


@dataclass
class LoadedPolicy:
    """The policy and where its keys were written."""

    policy: Policy
    file: str | None  # display path of the file it came from, None for defaults
    text: str = ""
    positions: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)
    project: dict[str, Any] = field(default_factory=dict)  # pyproject's [project] table
    pyproject_file: str | None = None
    pyproject_text: str = ""
    project_positions: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)

    def at(self, *path: str) -> tuple[int, int] | None:
        for end in range(len(path), 0, -1):
            position = self.positions.get(tuple(path[:end]))
            if position:
                return position
        return None


def read_policy(root: Path, display_root: str = "") -> LoadedPolicy:
    """The policy of the repository at `root`: licet.yaml wins over [tool.licet]."""
    pyproject_path = root / PYPROJECT
    project: dict[str, Any] = {}
    tool: dict[str, Any] | None = None
    pyproject_text = ""
    pyproject_display = display_root + PYPROJECT
    toml_positions: dict[tuple[str, ...], tuple[int, int]] = {}
    if pyproject_path.is_file():
        pyproject_text = _read_text(pyproject_path, pyproject_display)
        try:
            data = tomllib.loads(pyproject_text)
        except tomllib.TOMLDecodeError as err:
            line, column = _toml_error_position(str(err))
            raise ScanError(
                f"not valid TOML: {err}",
                file=pyproject_display,
                line=line,
                column=column,
                text=source_line(pyproject_text, line) if line else None,
                hint="check quoting and that each table header appears once",
            ) from None
        project = data.get("project", {}) if isinstance(data.get("project"), dict) else {}
        tool_table = data.get("tool", {}).get("licet") if isinstance(data.get("tool"), dict) else None
        tool = tool_table if isinstance(tool_table, dict) else None
        toml_positions = toml_key_positions(pyproject_text)
    project_positions = {k[1:]: v for k, v in toml_positions.items() if k[:1] == ("project",)}
    base = LoadedPolicy(Policy(), None, project=project, pyproject_file=pyproject_display if pyproject_text else None,
                        pyproject_text=pyproject_text, project_positions=project_positions)

    yaml_path = root / POLICY_YAML
    if yaml_path.is_file():
        display = display_root + POLICY_YAML
        text = _read_text(yaml_path, display)
        try:
            data = yaml.safe_load(text)
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as err:
            raise ScanError(
                f"not valid YAML: {yaml_problem(err)}",
                file=display,
                **yaml_error_location(err, text),
                hint="check indentation and that every 'key: value' pair has a space after the colon",
            ) from None
        positions: dict[tuple[str, ...], tuple[int, int]] = {}
        if node is not None:
            yaml_positions(node, (), positions)
        if data is None:
            data = {}
        return _validated(data, base, display, text, positions)
    if tool is not None:
        positions = {k[2:]: v for k, v in toml_positions.items() if k[:2] == ("tool", "licet")}
        return _validated(tool, base, pyproject_display, pyproject_text, positions)
    return base


def _validated(data: Any, base: LoadedPolicy, display: str, text: str, positions: dict[tuple[str, ...], tuple[int, int]]) -> LoadedPolicy:
    if not isinstance(data, dict):
        raise ScanError("the policy is a table of settings", file=display, line=1, hint="see `licet init` for a starter policy")
    try:
        policy = Policy.model_validate(data)
    except ValidationError as err:
        _, path, message = validation_problem(err)
        line = column = None
        for end in range(len(path), 0, -1):
            if path[:end] in positions:
                line, column = positions[path[:end]]
                break
        raise ScanError(
            f"{'.'.join(path) or 'policy'}: {message}",
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


def _policy_hint(path: tuple[str, ...]) -> str:
    if path[:1] == ("waivers",):
        return "a waiver has component, by, reason, and optionally license, clause and expires (YYYY-MM-DD)"
    if path[:1] == ("overrides",):
        return "an override is `\"<component>\": {license: <id>, reason: \"...\"}`"
    if path[:1] == ("use",):
        return "use has actions (run, modify, distribute, serve), commercial, purposes and facts"
    return ("the policy has name, kind, license, use, assume, bundle, python, cards, sbom, overrides, waivers; "
            "`licet init` writes a commented starter")


def _read_text(path: Path, display: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScanError(f"cannot read: {err}", file=display, hint="the file must be readable UTF-8 text") from None


def _toml_error_position(message: str) -> tuple[int | None, int | None]:
    found = re.search(r"line (\d+), column (\d+)", message)
    return (int(found.group(1)), int(found.group(2))) if found else (None, None)


# ---------------------------------------------------------------- TOML key lines

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*("[^"]*"|\'[^\']*\'|[A-Za-z0-9_.-]+)\s*=')
_INLINE_KEY = re.compile(r'[{,]\s*("[^"]*"|[A-Za-z0-9_-]+)\s*=')


def _toml_key_parts(key: str) -> tuple[str, ...]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', key)
    return tuple(a or b or c for a, b, c in parts)


def toml_key_positions(text: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """Where each key of a TOML file is written: tomllib keeps no positions.

    Tables, arrays of tables (indexed like lists), dotted and quoted keys, and
    the keys of one-line inline tables are found; values spread over several
    lines (arrays) are located at their key.
    """
    out: dict[tuple[str, ...], tuple[int, int]] = {}
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
