"""Reading YAML (and JSON, which is YAML) with the position of every key.

One loader, `load_yaml`, serves every YAML file licet reads — scenarios,
policies, card front matter, the registry and pinning cases — so that each
error and each finding can point at file:line:col. The text is parsed once
(composed into nodes, then constructed), with PyYAML's C loader when it is
installed, and never with a loader that can build Python objects.

Scenarios are read here too: text → `Scenario`, with a `SourceMap` that keeps
where each key was written, for explanations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import LicetError, ScenarioError, source_line, yaml_error_location, yaml_problem
from ..location import Location
from .model import Scenario

# The C loader composes the same nodes with the same marks, several times faster.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Positions = dict[tuple[str, ...], tuple[int, int]]


@dataclass(frozen=True)
class YamlDocument:
    """A YAML text read into plain data, with where each key and item was written."""

    data: Any
    positions: Positions
    node: yaml.Node | None


def yaml_positions(node: yaml.Node, prefix: tuple[str, ...], out: Positions, first_line: int = 1) -> None:
    """Record (line, column) of every key and list item under `prefix`."""
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(node, prefix)]
    while stack:
        current, path = stack.pop()
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                child = path + (str(key.value),)
                out[child] = (key.start_mark.line + first_line, key.start_mark.column + 1)
                stack.append((value, child))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                child = path + (str(index),)
                out[child] = (item.start_mark.line + first_line, item.start_mark.column + 1)
                stack.append((item, child))


def load_yaml(
    text: str,
    display: str,
    *,
    error: type[LicetError] = ScenarioError,
    first_line: int = 1,
    hint: str = "check indentation and that every 'key: value' pair has a space after the colon",
) -> YamlDocument:
    """Parse one YAML document; a syntax error becomes `error` at file:line:col.

    `first_line` is the file line the text starts on (card front matter
    starts after its opening `---`), so positions are lines of the file."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        raise error(
            f"not valid YAML: {yaml_problem(err)}",
            code=error.default_code.rsplit(".", 1)[0] + ".yaml",
            file=display,
            **yaml_error_location(err, text, first_line),
            hint=hint,
        ) from None
    finally:
        loader.dispose()
    positions: Positions = {}
    if node is not None:
        yaml_positions(node, (), positions, first_line)
    return YamlDocument(data, positions, node)


@dataclass
class SourceMap:
    """Where each key of a scenario was written, by key path.

    A scenario read from one file has one `file`; a scenario built from a
    repository (`licet scan`) gathers keys from many files, so a key path may
    name its own file in `files`, with that file's text in `texts`.
    """

    file: str | None = None
    positions: Positions = field(default_factory=dict)
    text: str = ""
    files: dict[tuple[str, ...], str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def _find(self, path: tuple[str, ...]) -> tuple[str | None, int | None, int | None]:
        for end in range(len(path), 0, -1):
            key = tuple(path[:end])
            position = self.positions.get(key)
            if position:
                return self.files.get(key, self.file), position[0], position[1]
        return self.file, None, None

    def locate(self, *path: str) -> Location | None:
        """Where the key at `path` (or its nearest written parent) is, if known."""
        file, line, column = self._find(path)
        if file is None:
            return None
        return Location(file=file, line=line, column=column)

    def error(
        self, message: str, path: tuple[str, ...], hint: str | None = None, cls: type[ScenarioError] = ScenarioError, code: str | None = None
    ) -> ScenarioError:
        file, line, column = self._find(path)
        text = self.texts.get(file, "") if file is not None and file != self.file else self.text
        return cls(
            message,
            code=code,
            file=file,
            line=line,
            column=column,
            text=source_line(text, line) if line and text else None,
            hint=hint,
        )


def read_scenario_text(text: str, display: str) -> tuple[Scenario, SourceMap]:
    """Parse scenario YAML or JSON text; errors carry file:line:col."""
    document = load_yaml(text, display)
    source = SourceMap(display, document.positions, text)
    if not isinstance(document.data, Mapping):
        raise ScenarioError(
            "a scenario is a mapping with 'components' and 'use'",
            code="licet.scenario.not-a-mapping",
            file=display,
            line=1,
            hint="see examples/ for the scenario format",
        )
    return scenario_from_dict(document.data, source), source


def read_scenario_file(path: str | Path) -> tuple[Scenario, SourceMap]:
    """Read a scenario file (YAML or JSON, UTF-8)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("scenario file not found", code="licet.scenario.not-found", file=str(path), hint="check the path") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(
            f"cannot read scenario: {err}", code="licet.scenario.unreadable", file=str(path), hint="scenarios are UTF-8 YAML or JSON"
        ) from None
    return read_scenario_text(text, str(path))


def scenario_from_dict(data: Mapping[str, Any], source: SourceMap | None = None) -> Scenario:
    """Validate a scenario in its file format (kebab-case keys)."""
    source = source or SourceMap()
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as err:
        kind, path, message = validation_problem(err)
        where = ".".join(path) or "scenario"
        code = {"extra_forbidden": "licet.scenario.unknown-key", "missing": "licet.scenario.missing-key"}.get(kind, "licet.scenario.invalid")
        raise source.error(f"{where}: {message}", path, hint=_validation_hint(kind, path), code=code) from None


def validation_problem(err: ValidationError) -> tuple[str, tuple[str, ...], str]:
    """The first problem pydantic found, worded for people: its type, the
    key path and a message (unknown and missing keys say which key)."""
    first = err.errors()[0]
    path = tuple(str(p) for p in first["loc"])
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = f"unknown key '{path[-1]}'"
    elif first["type"] == "missing":
        message = f"'{path[-1]}' is required"
    return first["type"], path, message


def _validation_hint(kind: str, path: tuple[str, ...]) -> str:
    if kind == "extra_forbidden":
        return (
            "the scenario has 'components', 'use', 'assume' and 'waivers'; 'use' has target, actions, commercial, purposes, "
            "facts, release-license; a waiver has component, license, clause, by, reason, expires"
        )
    if path and path[0] == "assume":
        return "assumptions take yes, no or unknown"
    if path and path[0] == "waivers":
        return "a waiver names a component, who accepted it ('by'), why ('reason'), and optionally license, clause and expires (YYYY-MM-DD)"
    if path[:2] == ("use", "actions"):
        return "actions are a list such as [distribute] or [serve, modify]"
    return "see examples/ for the scenario format"
