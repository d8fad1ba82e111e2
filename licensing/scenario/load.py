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

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import (
    LicetError,
    ScenarioError,
    source_line,
    yaml_error_location,
    yaml_problem,
)
from ..inputs import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_NODES,
    MAX_NUMBER_CHARS,
    MAX_SCALAR_CHARS,
    SAFE_YAML_LOADER,
    check_text_size,
    read_text_limited,
    size_text,
)
from ..location import Location
from .model import Scenario

Positions = dict[tuple[str, ...], tuple[int, int]]


@dataclass(frozen=True)
class YamlDocument:
    """A YAML text read into plain data, with where each key and item was written."""

    data: Any
    positions: Positions
    node: yaml.Node | None


def yaml_positions(node: yaml.Node, prefix: tuple[str, ...], out: Positions, first_line: int = 1) -> None:
    """Record (line, column) of every key and list item under `prefix`; a
    node reached again through an alias is not walked again (its keys are
    found at the alias), so an alias bomb costs no more than its text."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(node, prefix)]
    while stack:
        current, path = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        # children are walked in the order written, so a node is found at
        # its anchor (&name) before any alias (*name) to it
        if isinstance(current, yaml.MappingNode):
            for key, value in reversed(current.value):
                child = path + (_key_text(key),)
                out[child] = (key.start_mark.line + first_line, key.start_mark.column + 1)
                stack.append((value, child))
        elif isinstance(current, yaml.SequenceNode):
            for index in reversed(range(len(current.value))):
                item = current.value[index]
                child = path + (str(index),)
                out[child] = (item.start_mark.line + first_line, item.start_mark.column + 1)
                stack.append((item, child))


def _key_text(key: yaml.Node) -> str:
    return str(key.value) if isinstance(key, yaml.ScalarNode) else "?"


_TAG = "tag:yaml.org,2002:"


class _Limits:
    """The front door's limits, checked on the composed nodes before any data
    is built from them: nesting depth, nodes counted with aliases expanded,
    alias uses, scalar length, number size, dates that exist, plain keys
    written once."""

    def __init__(self, error: type[LicetError], display: str, text: str, first_line: int) -> None:
        self.error = error
        self.display = display
        self.text = text
        self.first_line = first_line
        self.kind = error.default_code.rsplit(".", 1)[0]
        self.constructor = yaml.SafeLoader("")  # to build one scalar the way the document's loader would

    def fail(self, node: yaml.Node, message: str, code: str, hint: str) -> LicetError:
        line = node.start_mark.line + self.first_line
        return self.error(
            message,
            code=f"{self.kind}.{code}",
            file=self.display,
            line=line,
            column=node.start_mark.column + 1,
            text=source_line(self.text, node.start_mark.line + 1),
            hint=hint,
        )

    def check(self, root: yaml.Node) -> None:
        state: dict[int, int] = {}  # 1: on the current path, 2: done
        heights: dict[int, int] = {}
        sizes: dict[int, int] = {}
        aliases = 0
        stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
        while stack:
            node, depth, finished = stack.pop()
            key = id(node)
            if finished:
                children = _children(node)
                heights[key] = 1 + max((heights[id(c)] for c in children), default=0)
                sizes[key] = min(MAX_NODES + 1, 1 + sum(sizes[id(c)] for c in children))
                state[key] = 2
                if sizes[key] > MAX_NODES:
                    raise self.too_many(node)
                continue
            seen = state.get(key)
            if seen == 1:
                raise self.fail(node, "an alias refers to a node that contains it", "yaml-alias", "YAML aliases (*name) cannot be recursive")
            if seen == 2:  # an alias: the node was walked already
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise self.fail(node, f"more than {MAX_ALIASES} aliases", "yaml-alias", "write the values out instead of using YAML aliases (*name)")
                if depth + heights[key] - 1 > MAX_DEPTH:
                    raise self.too_deep(node)
                continue
            if depth > MAX_DEPTH:
                raise self.too_deep(node)
            if isinstance(node, yaml.ScalarNode):
                self.scalar(node)
                state[key], heights[key], sizes[key] = 2, 1, 1
                continue
            state[key] = 1
            stack.append((node, depth, True))
            if isinstance(node, yaml.MappingNode):
                self.keys(node)
            stack.extend((child, depth + 1, False) for child in reversed(_children(node)))

    def too_deep(self, node: yaml.Node) -> LicetError:
        return self.fail(node, f"nested more than {MAX_DEPTH} levels deep", "too-deep", "no licet input nests that deep; flatten the data")

    def too_many(self, node: yaml.Node) -> LicetError:
        return self.fail(
            node,
            f"more than {MAX_NODES:,} values, counting each use of an alias (*name)",
            "too-large",
            "an input this large is refused; YAML aliases that repeat aliases multiply the data",
        )

    def keys(self, node: yaml.MappingNode) -> None:
        written: dict[tuple[str, str], yaml.Node] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise self.fail(key, "a key must be a plain value, not a list or mapping", "yaml", "write 'key: value' with a word or number as the key")
            if key.tag == _TAG + "merge":
                continue
            spelled = (key.tag, key.value)
            if spelled in written:
                first = written[spelled].start_mark
                raise self.fail(
                    key,
                    f"key '{key.value}' is written twice in one mapping",
                    "duplicate-key",
                    f"the first is at line {first.line + self.first_line}; keep one (YAML would silently keep the last)",
                )
            written[spelled] = key

    def scalar(self, node: yaml.ScalarNode) -> None:
        value = node.value
        if len(value) > MAX_SCALAR_CHARS:
            raise self.fail(node, f"a value longer than {size_text(MAX_SCALAR_CHARS)}", "too-large", "no licet input needs a value that long")
        if node.tag in (_TAG + "int", _TAG + "float") and len(value) > MAX_NUMBER_CHARS:
            raise self.fail(
                node,
                f"a number of more than {MAX_NUMBER_CHARS} characters",
                "number",
                "write a number licet can reason about, or quote it to make it a string",
            )
        if node.tag == _TAG + "timestamp":
            try:
                self.constructor.construct_yaml_timestamp(node)
            except (ValueError, OverflowError, yaml.YAMLError):
                raise self.fail(node, f"'{value}' is not a date that exists", "date", "write a real date as YYYY-MM-DD") from None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def load_yaml(
    text: str,
    display: str,
    *,
    error: type[LicetError] = ScenarioError,
    first_line: int = 1,
    hint: str = "check indentation and that every 'key: value' pair has a space after the colon",
) -> YamlDocument:
    """Parse one YAML document; a syntax error becomes `error` at file:line:col.

    The front door of every YAML and JSON input: text of at most
    MAX_FILE_BYTES, nested at most MAX_DEPTH deep, at most MAX_NODES values
    counting aliases, plain keys written once, numbers of sane size and dates
    that exist (`errors` has the limits); a violation is `error` at the line
    and column that breaks it.

    `first_line` is the file line the text starts on (card front matter
    starts after its opening `---`), so positions are lines of the file."""
    if not isinstance(text, str):
        raise error(f"expected YAML or JSON text, not {type(text).__name__}", code=error.default_code.rsplit(".", 1)[0] + ".yaml", file=display)
    check_text_size(text, error, display)
    code = error.default_code.rsplit(".", 1)[0] + ".yaml"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:  # a lone surrogate, which no file can hold
        line = text.count("\n", 0, err.start)
        raise error(
            f"not valid YAML: the character {text[err.start]!r} is not Unicode text",
            code=code,
            file=display,
            line=line + first_line,
            column=err.start - (text.rfind("\n", 0, err.start) + 1) + 1,
            hint="remove the character",
        ) from None
    loader = SAFE_YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _Limits(error, display, text, first_line).check(node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        raise error(
            f"not valid YAML: {yaml_problem(err)}",
            code=code,
            file=display,
            **yaml_error_location(err, text, first_line),
            hint=hint,
        ) from None
    except RecursionError:
        raise error(f"not valid YAML: nested more than {MAX_DEPTH} levels deep", code=code, file=display, hint=hint) from None
    except (ValueError, OverflowError, TypeError) as err:
        # a value PyYAML cannot build that the checks above did not foresee
        raise error(f"not valid YAML: {err}", code=code, file=display, hint=hint) from None
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
    display = str(display)
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
    """Read a scenario file (YAML or JSON, UTF-8, a regular file of at most MAX_FILE_BYTES)."""
    if not isinstance(path, (str, os.PathLike)):
        raise ScenarioError(f"a scenario file is named by a path, not {type(path).__name__}", code="licet.scenario.not-found")
    text = read_text_limited(path, ScenarioError, what="scenario file", hint="scenarios are UTF-8 YAML or JSON")
    return read_scenario_text(text, str(path))


def scenario_from_dict(data: Mapping[str, Any], source: SourceMap | None = None) -> Scenario:
    """Validate a scenario in its file format (kebab-case keys)."""
    source = _source_map(source)
    if not isinstance(data, Mapping):
        raise source.error(
            f"a scenario is a mapping with 'components' and 'use', not {type(data).__name__}",
            (),
            hint="see examples/ for the scenario format",
            code="licet.scenario.not-a-mapping",
        )
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as err:
        kind, path, message = validation_problem(err)
        if path[:1] == ("components",) and path[2:3] == ("relations",) and not _wrote_relations(data, path[1]):
            path = path[:2] + path[3:]  # relations are written as keys of the component
        where = ".".join(path) or "scenario"
        code = {"extra_forbidden": "licet.scenario.unknown-key", "missing": "licet.scenario.missing-key"}.get(kind, "licet.scenario.invalid")
        raise source.error(f"{where}: {message}", path, hint=_validation_hint(kind, path), code=code) from None
    except RecursionError:
        raise source.error(f"the scenario is nested more than {MAX_DEPTH} levels deep", (), code="licet.scenario.too-deep") from None


def _source_map(source: object) -> SourceMap:
    """The source map given, or an empty one; anything else is refused."""
    if source is None:
        return SourceMap()
    if not isinstance(source, SourceMap):
        raise ScenarioError(f"'source' is a SourceMap, not {type(source).__name__}", code="licet.scenario.invalid", hint="leave it out")
    return source


def _wrote_relations(data: Mapping[str, Any], name: str) -> bool:
    components = data.get("components")
    component = components.get(name) if isinstance(components, Mapping) else None
    return isinstance(component, Mapping) and "relations" in component


def validation_problem(err: ValidationError) -> tuple[str, tuple[str, ...], str]:
    """The first problem pydantic found, worded for people: its type, the
    key path and a message (unknown and missing keys say which key)."""
    first = err.errors(include_url=False, include_context=False, include_input=False)[0]
    path = tuple(_loc_text(p) for p in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = f"unknown key '{path[-1]}'"
    elif first["type"] == "missing":
        message = f"'{path[-1]}' is required"
    return first["type"], path, message


def _loc_text(part: object) -> str:
    try:
        text = str(part)
    except ValueError:  # an integer too long to print
        return "<number>"
    return text if len(text) <= 200 else text[:200] + "…"


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
