"""SBOMs: CycloneDX 1.5/1.6 JSON (with ML-BOM components) and SPDX 2.3 JSON.

Both are read through their maintained libraries (cyclonedx-python-lib,
spdx-tools). cyclonedx-python-lib does not model `modelCard`, so the datasets
a model was trained on are read from the JSON itself. Relationships map onto
our relations: dependencies are `depends-on`; nested or contained components
are `includes`; pedigree ancestors, DESCENDANT_OF and VARIANT_OF are
`derived-from`; a model card's datasets are `trained-on`. Build, test and
development dependencies are not part of what ships and are left out.

An SBOM's components are all part of the deliverable (policy `sbom-scope`,
default `all`). The root is `metadata.component` (CycloneDX) or the first
package the document DESCRIBES (SPDX; a described file is not a package, so
the first described package is the root). Components the root does not reach
through the mapped relations are attached to it, each at the top of what it
reaches itself (so the relations between them keep their meaning): with
`depends-on` when the BOM states a dependency on it from an element licet does
not model as a component (a CycloneDX `dependencies` entry whose ref is a
service or is missing from the BOM, an SPDX DEPENDS_ON from a file or the
document), else with `includes`; a note says how many. A BOM with no root (no
`metadata.component`, or an SPDX document that describes no package) gets a
synthetic target named after the policy's `name`, else the file, and every
top-level component is attached to it the same way. With
`sbom-scope = "reachable"` components the root does not reach are left out,
with a note. SPDX packages that the document marks only as build, test or
development dependencies are left out, with a note. Cycles in a BOM's
dependency graph are broken later, for the whole scan
(`Gathering.break_cycles`).

A license entry licet cannot read is the library's fallback license (terms
unknown) in its place, never dropped: a CycloneDX `licenses` array is read entry by entry and
joined with AND; an SPDX expression term by term (`Gathering.license_text`).
"""

from __future__ import annotations

import bisect
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import source_line
from ..location import Location
from .files import ScanError, json_type
from .gather import FoundComponent, Gathering
from .policy import missing_dependency

CDX_KINDS = {"machine-learning-model": "weights", "data": "data"}

# SPDX 2.3 relationship types: (our relation, whether the SPDX element order is reversed)
SPDX_RELATIONS = {
    "CONTAINS": ("includes", False),
    "CONTAINED_BY": ("includes", True),
    "STATIC_LINK": ("includes", False),
    "PACKAGE_OF": ("includes", True),
    "DEPENDS_ON": ("depends-on", False),
    "DEPENDENCY_OF": ("depends-on", True),
    "DYNAMIC_LINK": ("depends-on", False),
    "RUNTIME_DEPENDENCY_OF": ("depends-on", True),
    "HAS_PREREQUISITE": ("depends-on", False),
    "PREREQUISITE_FOR": ("depends-on", True),
    "DESCENDANT_OF": ("derived-from", False),
    "ANCESTOR_OF": ("derived-from", True),
    "VARIANT_OF": ("derived-from", False),
    "GENERATED_FROM": ("derived-from", False),
    "GENERATES": ("derived-from", True),
}
SPDX_NOT_SHIPPED = {"BUILD_DEPENDENCY_OF", "DEV_DEPENDENCY_OF", "TEST_DEPENDENCY_OF", "BUILD_TOOL_OF", "DEV_TOOL_OF",
                    "TEST_TOOL_OF", "TEST_OF", "TEST_CASE_OF", "OPTIONAL_DEPENDENCY_OF"}


MAX_JSON_DEPTH = 100  # arrays and objects nested in an SBOM: real ones nest a few per level of components
SBOM_HINT = "licet reads CycloneDX 1.5/1.6 JSON and SPDX 2.3 JSON"


def sbom_format(text: str) -> str | None:
    """'cyclonedx', 'spdx' or None, from the JSON's own markers."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return _format_of(data)


def _format_of(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    if data.get("bomFormat") == "CycloneDX":
        return "cyclonedx"
    version = data.get("spdxVersion")
    if isinstance(version, str) and version.startswith("SPDX-"):
        return "spdx"
    return None


@dataclass(frozen=True)
class LoadedSbom:
    """An SBOM read and checked: its format, its JSON data and where its keys are written."""

    kind: str
    data: dict[str, Any]
    lines: JsonLines


def load_sbom(text: str, display: str) -> LoadedSbom:
    """Read an SBOM's JSON: valid JSON nested at most `MAX_JSON_DEPTH` deep, a
    CycloneDX or SPDX document, and every field licet reads of the JSON type
    its specification gives it. Anything else is a `ScanError` naming the
    field, at its line when it can be found."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ScanError(f"not valid JSON: {err.msg}", code="licet.scan.json", file=display, line=err.lineno, column=err.colno,
                        text=source_line(text, err.lineno), hint=SBOM_HINT) from None
    except RecursionError:
        raise _too_deep(text, display) from None
    except ValueError as err:  # an integer of more than 4,300 digits
        raise ScanError(f"not JSON licet reads: {err}", code="licet.scan.json", file=display, hint=SBOM_HINT) from None
    kind = _format_of(data)
    if kind is None:
        raise ScanError("not a CycloneDX or SPDX JSON document", code="licet.scan.sbom", file=display, line=1,
                        hint=f"{SBOM_HINT}: an object with \"bomFormat\": \"CycloneDX\" or \"spdxVersion\": \"SPDX-2.3\"")
    if _depth_over(data, MAX_JSON_DEPTH):
        raise _too_deep(text, display)
    lines = JsonLines(text)
    shape = _Shape(display, text, lines, kind)
    if kind == "cyclonedx":
        _check_cyclonedx(data, shape)
    else:
        _check_spdx(data, shape)
    return LoadedSbom(kind, data, lines)


def _depth_over(data: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep(text: str, display: str) -> ScanError:
    """The error for a document nested past the limit, at the bracket that goes past it."""
    depth, line, column = 0, None, None
    for token in _JSON_TOKEN.finditer(text):
        mark = token.group(0)
        if mark in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                line = text.count("\n", 0, token.start()) + 1
                column = token.start() - (text.rfind("\n", 0, token.start()) + 1) + 1
                break
        elif mark in "]}":
            depth -= 1
    return ScanError(f"the document nests arrays and objects more than {MAX_JSON_DEPTH} deep", code="licet.scan.too-deep", file=display,
                     line=line, column=column, hint=f"{SBOM_HINT}; no SBOM nests that deep")


_KEY_COLON = re.compile(r'"\s*:\s*')
# "key": value, the value a string, a number/true/false/null, or the opening of an array or object
_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)": ("(?:[^"\\]|\\.)*"|[^\s,\]}\[{]+|[\[{])')


class JsonLines:
    """Where a JSON text writes each `"key": value`, found in one pass.

    Findings point at the line of a component's `bom-ref` or `SPDXID`; a
    lookup here is a dictionary access, so reading an SBOM of n components
    takes time in proportion to n, not n squared."""

    def __init__(self, text: str) -> None:
        self.lines = [_KEY_COLON.sub('": ', line) for line in text.splitlines()]
        self._pairs: dict[tuple[str, str], int] | None = None
        self._keys: dict[str, list[int]] | None = None

    def _index(self) -> None:
        pairs: dict[tuple[str, str], int] = {}
        keys: dict[str, list[int]] = {}
        for number, line in enumerate(self.lines, 1):
            for found in _PAIR.finditer(line):
                pairs.setdefault((found.group(1), found.group(2)), number)
                numbers = keys.setdefault(found.group(1), [])
                if not numbers or numbers[-1] != number:
                    numbers.append(number)
        self._pairs, self._keys = pairs, keys

    def pair(self, key: str, value: Any) -> int | None:
        """The first line that writes `"key": value` (a string value as JSON writes it, escaped or not)."""
        if self._pairs is None:
            self._index()
        assert self._pairs is not None
        if isinstance(value, dict):
            forms = ["{"]
        elif isinstance(value, list):
            forms = ["["]
        else:
            try:
                forms = list(dict.fromkeys([json.dumps(value, ensure_ascii=False), json.dumps(value)]))
            except (TypeError, ValueError):
                return None
        for form in forms:
            line = self._pairs.get((key, form))
            if line is not None:
                return line
        return None

    def key(self, key: str) -> list[int]:
        """The lines that write `"key":`, in order."""
        if self._keys is None:
            self._index()
        assert self._keys is not None
        return self._keys.get(key, [])

    def first(self, key: str) -> int | None:
        found = self.key(key)
        return found[0] if found else None

    def within(self, start: int | None, key: str, boundary: str) -> int | None:
        """The first line after `start` that writes `key`, unless a line that
        writes `boundary` (where the next element begins) comes first; else `start`."""
        if start is None:
            return None
        keys, bounds = self.key(key), self.key(boundary)
        at = bisect.bisect_right(keys, start)
        if at == len(keys):
            return start
        stop = bisect.bisect_right(bounds, start)
        if stop < len(bounds) and bounds[stop] < keys[at]:
            return start
        return keys[at]


def _unique_name(name: str, version: str | None, key: str, used: set[str]) -> str:
    """The component's name, made unique within one SBOM; a name another
    source already found (the same package in the Python environment) is
    shared, and its first finding kept."""
    if name not in used:
        return name
    return f"{name}@{version}" if version else f"{name}#{key}"


# ---------------------------------------------------------------- the JSON types of the fields licet reads


Path_ = list[str | int]


def _path_text(path: Path_) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out or "the document"


_PLURAL = {"null": "nulls", "a boolean": "booleans", "a number": "numbers", "a string": "strings", "an array": "arrays", "an object": "objects"}


class _Shape:
    """Checks that the fields licet reads have their JSON types, before any
    library or licet's own code walks them."""

    def __init__(self, display: str, text: str, lines: JsonLines, kind: str) -> None:
        self.display, self.text, self.lines = display, text, lines
        self.hint = ("see the CycloneDX JSON reference, https://cyclonedx.org/docs/1.6/json/" if kind == "cyclonedx"
                     else "see the SPDX 2.3 JSON schema, https://spdx.github.io/spdx-spec/v2.3/")

    def error(self, path: Path_, expected: str, value: Any) -> ScanError:
        key = next((step for step in reversed(path) if isinstance(step, str)), None)
        line = None
        if key is not None:
            line = self.lines.pair(key, value) if isinstance(path[-1], str) else None
            line = line or self.lines.first(key)
        return ScanError(f"{_path_text(path)} is {json_type(value)}, not {expected}", code="licet.scan.sbom-field", file=self.display,
                         line=line, text=source_line(self.text, line) if line else None, hint=self.hint)

    def mixed(self, path: Path_, kinds: list[str]) -> ScanError:
        key = next((step for step in reversed(path) if isinstance(step, str)), None)
        line = self.lines.first(key) if key is not None else None
        return ScanError(f"{_path_text(path)} mixes {' and '.join(_PLURAL.get(k, k) for k in kinds)}: each array holds one type",
                         code="licet.scan.sbom-field", file=self.display, line=line, text=source_line(self.text, line) if line else None,
                         hint=self.hint)

    def mapping(self, value: Any, path: Path_, *, required: bool = False) -> dict[str, Any]:
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.error(path, "an object", value)
        return value

    def items(self, value: Any, path: Path_) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(path, "an array", value)
        return value

    def string(self, value: Any, path: Path_, *, required: bool = False) -> None:
        if (value is not None or required) and not isinstance(value, str):
            raise self.error(path, "a string", value)


def _check_cyclonedx(data: dict[str, Any], shape: _Shape) -> None:
    shape.string(data.get("specVersion"), ["specVersion"])
    metadata = shape.mapping(data.get("metadata"), ["metadata"])
    stack: list[tuple[Any, Path_]] = []
    if metadata.get("component") is not None:
        stack.append((metadata["component"], ["metadata", "component"]))
    stack += [(item, ["components", i]) for i, item in enumerate(shape.items(data.get("components"), ["components"]))]
    while stack:
        value, path = stack.pop()
        component = shape.mapping(value, path, required=True)
        for key in ("name", "bom-ref", "type", "version", "scope"):
            shape.string(component.get(key), [*path, key])
        for i, entry in enumerate(shape.items(component.get("licenses"), [*path, "licenses"])):
            entry = shape.mapping(entry, [*path, "licenses", i], required=True)
            shape.string(entry.get("expression"), [*path, "licenses", i, "expression"])
            license_ = shape.mapping(entry.get("license"), [*path, "licenses", i, "license"])
            for key in ("id", "name"):
                shape.string(license_.get(key), [*path, "licenses", i, "license", key])
        stack += [(item, [*path, "components", i]) for i, item in enumerate(shape.items(component.get("components"), [*path, "components"]))]
        pedigree = shape.mapping(component.get("pedigree"), [*path, "pedigree"])
        ancestors = shape.items(pedigree.get("ancestors"), [*path, "pedigree", "ancestors"])
        stack += [(item, [*path, "pedigree", "ancestors", i]) for i, item in enumerate(ancestors)]
        card = shape.mapping(component.get("modelCard"), [*path, "modelCard"])
        parameters = shape.mapping(card.get("modelParameters"), [*path, "modelCard", "modelParameters"])
        where = [*path, "modelCard", "modelParameters", "datasets"]
        for i, dataset in enumerate(shape.items(parameters.get("datasets"), where)):
            dataset = shape.mapping(dataset, [*where, i], required=True)
            shape.string(dataset.get("ref"), [*where, i, "ref"])
            shape.string(dataset.get("name"), [*where, i, "name"])
    for i, dependency in enumerate(shape.items(data.get("dependencies"), ["dependencies"])):
        dependency = shape.mapping(dependency, ["dependencies", i], required=True)
        shape.string(dependency.get("ref"), ["dependencies", i, "ref"], required=True)
        for j, other in enumerate(shape.items(dependency.get("dependsOn"), ["dependencies", i, "dependsOn"])):
            shape.string(other, ["dependencies", i, "dependsOn", j], required=True)


def _check_spdx(data: dict[str, Any], shape: _Shape) -> None:
    for i, package in enumerate(shape.items(data.get("packages"), ["packages"])):
        package = shape.mapping(package, ["packages", i], required=True)
        for key in ("SPDXID", "name"):
            shape.string(package.get(key), ["packages", i, key], required=True)
        for key in ("versionInfo", "licenseConcluded", "licenseDeclared"):
            shape.string(package.get(key), ["packages", i, key])
    for i, relationship in enumerate(shape.items(data.get("relationships"), ["relationships"])):
        relationship = shape.mapping(relationship, ["relationships", i], required=True)
        for key in ("spdxElementId", "relationshipType", "relatedSpdxElement"):
            shape.string(relationship.get(key), ["relationships", i, key], required=True)
    for i, described in enumerate(shape.items(data.get("documentDescribes"), ["documentDescribes"])):
        shape.string(described, ["documentDescribes", i], required=True)
    # Every array of SPDX 2.3 JSON holds objects only or strings only. spdx-tools
    # type-checks (with beartype) one element of an array, picked at random: an
    # array that mixes types would be refused on one run and read on the next.
    stack: list[tuple[Any, Path_]] = [(data, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            stack.extend((value, [*path, str(key)]) for key, value in node.items() if isinstance(value, (dict, list)))
        elif isinstance(node, list):
            kinds = {json_type(item) for item in node}
            if len(kinds) > 1:
                raise shape.mixed(path, sorted(kinds))
            stack.extend((item, [*path, i]) for i, item in enumerate(node) if isinstance(item, (dict, list)))


# ---------------------------------------------------------------- CycloneDX


def read_cyclonedx(g: Gathering, path: Path, display: str, text: str, target: str | None, sbom: LoadedSbom | None = None) -> str:
    """Add the BOM's components; returns the name of its root component.
    `sbom` is the text already read by `load_sbom` (read here when None)."""
    try:  # imported here: only CycloneDX BOMs need it
        from cyclonedx.model.bom import Bom
        from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
    except ImportError:
        raise missing_dependency("cyclonedx-python-lib", "a CycloneDX BOM", display) from None

    sbom = sbom or load_sbom(text, display)
    data, lines = sbom.data, sbom.lines
    spec = str(data.get("specVersion") or "")
    if spec not in ("1.5", "1.6"):
        g.note("note", "sbom-version", f"{display}: CycloneDX {spec or '(no specVersion)'} is read as 1.6", origin=Location(file=display, line=1))
    try:
        with warnings.catch_warnings():
            # deprecations of the BOM's own fields (1.6 `author`) are the BOM
            # author's business, not a finding
            warnings.simplefilter("ignore")
            bom = Bom.from_json(data)  # type: ignore[attr-defined]
    except Exception as err:  # noqa: BLE001 - the library raises many types for a malformed BOM
        raise ScanError(f"not a CycloneDX BOM the library can read: {type(err).__name__}: {err}", code="licet.scan.sbom", file=display,
                        hint="validate it with `cyclonedx validate`") from None

    names: dict[str, str] = {}  # bom-ref → component name
    used: set[str] = set()  # the names given in this BOM
    added: list[str] = []  # the components this BOM added, in the order found
    excluded: set[str] = set()

    def licenses_of(component: Any) -> list[str]:
        texts = []
        for item in component.licenses:
            if isinstance(item, LicenseExpression):
                texts.append(str(item.value))
            elif isinstance(item, DisjunctiveLicense) and (item.id or item.name):
                texts.append(str(item.id or item.name))
        return texts

    def add(component: Any, is_root: bool) -> str:
        own = str(component.name) if component.name else None
        ref = str(component.bom_ref.value) if component.bom_ref and component.bom_ref.value else own
        if ref is None:  # neither a bom-ref nor a name: named after its place in the BOM
            ref = own = f"(component {len(names) + 1} of {Path(display).name})"
        if ref in names:
            return names[ref]
        name = target if (is_root and target) else _unique_name(own or ref, component.version, ref, used)
        names[ref] = name
        used.add(name)
        line = lines.pair("bom-ref", ref) or (lines.pair("name", component.name) if component.name else None)
        origin = Location(file=display, line=line, column=1)
        items = licenses_of(component)
        license_origin = Location(file=display, line=lines.within(line, "licenses", "bom-ref"), column=1) if items else origin
        declared = " AND ".join(f"({t})" if " " in t.strip() else t for t in items) if items else None
        kind = CDX_KINDS.get(component.type.value if component.type else "", "code")
        if name not in g.components:
            found = g.add(FoundComponent(name=name, kind=kind, declared=declared, resolved_by="CycloneDX", origin=license_origin))
            added.append(name)
            override = g.policy.policy.overrides.get(name)
            if override is not None:
                found.license, found.resolved_by, found.evidence = override.license, "override", override.reason
            elif items:
                found.license = g.license_list([(t, license_origin) for t in items], name, "the BOM's license")
            else:
                _missing_license(g, name, origin, is_root, "the BOM gives no license")
        for ancestor in (component.pedigree.ancestors if component.pedigree else []):
            g.relate(name, "derived-from", add(ancestor, False))
        for child in component.components:
            g.relate(name, "includes", add(child, False))
        return name

    root = add(bom.metadata.component, True) if bom.metadata.component else None
    for component in bom.components:
        scope = getattr(component, "scope", None)
        if scope is not None and str(getattr(scope, "value", scope)) == "excluded":
            if component.bom_ref and component.bom_ref.value:
                excluded.add(str(component.bom_ref.value))
            continue
        add(component, False)
    marked: dict[str, str] = {}  # components a non-component element of the BOM depends on
    for dependency in bom.dependencies:
        source = names.get(str(dependency.ref.value))
        for other in dependency.dependencies:
            if str(other.ref.value) not in names:
                continue
            if source is not None:
                g.relate(source, "depends-on", names[str(other.ref.value)])
            elif str(dependency.ref.value) not in excluded:
                marked.setdefault(names[str(other.ref.value)], "depends-on")
    # modelCard is not modelled by the library: read the datasets from the JSON
    # (load_sbom checked the JSON types of these fields)
    for raw in _all_components(data):
        datasets = ((raw.get("modelCard") or {}).get("modelParameters") or {}).get("datasets") or []
        model = names.get(str(raw.get("bom-ref") or raw.get("name")))
        if model is None:
            continue
        for dataset in datasets:
            ref = dataset.get("ref") if isinstance(dataset, dict) else None
            if isinstance(ref, str) and ref in names:
                g.relate(model, "trained-on", names[ref])
            elif isinstance(dataset, dict) and dataset.get("name"):
                name = str(dataset["name"])
                line = lines.pair("name", name)
                if name not in g.components:
                    g.add(FoundComponent(name=name, kind="data", resolved_by="CycloneDX", origin=Location(file=display, line=line)))
                    added.append(name)
                    g.note("warning", "missing-license", f"'{name}': a dataset of the model card with no license; its terms are treated as unknown",
                           name, Location(file=display, line=line))
                g.relate(model, "trained-on", name)
    if root is None:
        root = _synthetic_root(g, display, target, "CycloneDX", "the BOM has no metadata.component")
        _attach_unreached(g, display, root, added, marked, "its root", force=True)
    else:
        metadata_line = lines.first("component")
        _attach_unreached(g, display, root, added, marked, "metadata.component", origin=Location(file=display, line=metadata_line, column=1))
    return root


def _missing_license(g: Gathering, name: str, origin: Location, is_root: bool, said: str) -> None:
    if is_root and g.policy.policy.license is None:
        g.note("warning", "missing-license", f"'{name}': {said} for the component it describes; licet looks for a license to release it under",
               name, origin, hint="state the outbound license with `license` in the policy, or add it to the SBOM")
    elif not is_root:
        g.note("warning", "missing-license", f"'{name}': {said}; its terms are treated as unknown", name, origin,
               hint="add the license to the SBOM, or an override to the policy")


def _synthetic_root(g: Gathering, display: str, target: str | None, resolved_by: str, why: str) -> str:
    """The deliverable of an SBOM that names none: the scan's target if it has
    one, else a component named after the policy's `name`, else the file."""
    if target is not None:
        g.note("note", "sbom-root", f"{display}: {why}; its components are checked as parts of '{target}'", target,
               Location(file=display, line=1))
        return target
    name = g.policy.policy.name or Path(display).name
    while name in g.components:
        name = f"{name} ({Path(display).name})" if not name.endswith(")") else name + "'"
    root = FoundComponent(name=name, kind=g.policy.policy.kind or "code", resolved_by=resolved_by, origin=Location(file=display, line=1, column=1))
    g.components = {name: root, **g.components}  # the target first, as the other readers find it
    g.note("note", "sbom-root", f"{display}: {why}; checked as one deliverable '{name}' made of its components", name,
           Location(file=display, line=1, column=1), hint=None if g.policy.policy.name else "set `name` in the policy to name the deliverable")
    return name


def _attach_unreached(g: Gathering, display: str, root: str, added: list[str], marked: dict[str, str], what: str,
                      origin: Location | None = None, force: bool = False) -> None:
    """Attach the components of one SBOM that `root` does not reach, or leave
    them out when the policy's sbom-scope is `reachable` (unless `force`: a
    synthetic root reaches nothing by itself)."""
    reached = g.reach(root)
    unreached = [name for name in added if name not in reached and name != root]
    if not unreached:
        return
    count = f"{len(unreached)} component{'s' if len(unreached) != 1 else ''} of {display}"
    are = "are" if len(unreached) != 1 else "is"
    if g.policy.policy.sbom_scope == "reachable" and not force:
        g.remove(set(unreached))
        g.note("note", "sbom-unreached", f"{count} {are} not reached from {what}; left out (sbom-scope = reachable): "
               + _some(unreached), root, origin or Location(file=display, line=1, column=1))
        return
    inner = {other for name in unreached for targets in g.components[name].relations.values() for other in targets if other != name}
    attached: dict[str, list[str]] = {}
    for name in [n for n in unreached if n not in inner] + [n for n in unreached if n in inner]:
        if name in reached:
            continue
        relation = marked.get(name, "includes")
        g.relate(root, relation, name)
        attached.setdefault(relation, []).append(name)
        g.reach(name, reached)
    how = "; ".join(f"'{root}' {relation} {_some(names)}" for relation, names in attached.items())
    if force:
        message = f"{count} {are} checked as parts of the deliverable: {how}"
    else:
        message = f"{count} {are} not reached from {what}; checked as parts of the deliverable: {how}"
    g.note("note", "sbom-unreached", message, root, origin or Location(file=display, line=1, column=1),
           hint="set sbom-scope = \"reachable\" in the policy to check only what the root reaches")


def _some(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _all_components(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    stack = list(data.get("components") or [])
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("component"), dict):
        stack.append(metadata["component"])
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            out.append(item)
            children = item.get("components")
            stack.extend(children if isinstance(children, list) else [])
    return out


# ---------------------------------------------------------------- SPDX


def read_spdx(g: Gathering, path: Path, display: str, text: str, target: str | None, sbom: LoadedSbom | None = None) -> str:
    try:  # imported here: only SPDX documents need it
        from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
        from spdx_tools.spdx.parser.error import SPDXParsingError
        from spdx_tools.spdx.parser.json.json_parser import (
            remove_json_control_chars_hook,
        )
        from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import (
            JsonLikeDictParser,
        )
    except ImportError:
        raise missing_dependency("spdx-tools", "an SPDX document", display) from None

    sbom = sbom or load_sbom(text, display)
    lines = sbom.lines
    try:
        # the text the scan read (inside the folder, within the size cap), never the path again:
        # what json_parser.parse_from_file does, on that text
        document = JsonLikeDictParser().parse(json.loads(text, object_pairs_hook=remove_json_control_chars_hook))  # type: ignore[no-untyped-call]
    except SPDXParsingError as err:
        messages = "; ".join(err.messages[:3])
        raise ScanError(f"not an SPDX document spdx-tools can read: {messages}", code="licet.scan.sbom", file=display,
                        hint="validate it with `pyspdxtools -i FILE`") from None
    except Exception as err:  # noqa: BLE001 - the library raises many types for a malformed document
        raise ScanError(f"not an SPDX document spdx-tools can read: {type(err).__name__}: {err}", code="licet.scan.sbom", file=display,
                        hint="validate it with `pyspdxtools -i FILE`") from None

    names: dict[str, str] = {}
    used: set[str] = set()
    added: list[str] = []
    packages = {package.spdx_id for package in document.packages}
    described = [str(r.related_spdx_element_id) for r in document.relationships
                 if r.relationship_type.name == "DESCRIBES" and r.spdx_element_id == "SPDXRef-DOCUMENT"]
    described_packages = [d for d in described if d in packages]
    if described:
        root_id = described_packages[0] if described_packages else None
    else:
        root_id = document.packages[0].spdx_id if document.packages else None
    if described and described[0] not in packages and root_id is not None:
        g.note("note", "sbom-root", f"{display}: the first element the document describes, {described[0]}, is not a package; "
               f"checked from the first described package, {root_id}", origin=Location(file=display, line=lines.first("documentDescribes") or 1))
    for package in document.packages:
        is_root = package.spdx_id == root_id
        name = target if (is_root and target) else _unique_name(package.name, package.version, package.spdx_id, used)
        names[package.spdx_id] = name
        used.add(name)
        line = lines.pair("SPDXID", package.spdx_id)
        origin = Location(file=display, line=line, column=1)
        if name in g.components:
            continue
        chosen = None
        for key, value in (("licenseConcluded", package.license_concluded), ("licenseDeclared", package.license_declared)):
            # NOASSERTION says nothing, so the next field is read; NONE is an
            # answer (SPDX 2.3 §7.13-7.15: no license at all), which the rules
            # read as "all rights reserved".
            if value is not None and not isinstance(value, SpdxNoAssertion):
                chosen = str(value)  # SpdxNone prints as the SPDX keyword NONE
                origin = Location(file=display, line=lines.within(line, key, "SPDXID"), column=1)
                break
        found = g.add(FoundComponent(name=name, kind="code", declared=chosen, resolved_by="SPDX", origin=origin))
        added.append(name)
        override = g.policy.policy.overrides.get(name)
        if override is not None:
            found.license, found.resolved_by, found.evidence = override.license, "override", override.reason
        elif chosen:
            found.license = g.license_text(chosen, name, origin, "the SPDX license")
        else:
            _missing_license(g, name, origin, is_root, "the SPDX document asserts no license")
    marked: dict[str, str] = {}
    shipped: set[str] = set()
    not_shipped: dict[str, str] = {}
    for relationship in document.relationships:
        kind = relationship.relationship_type.name
        left, right = str(relationship.spdx_element_id), str(relationship.related_spdx_element_id)
        if kind in SPDX_NOT_SHIPPED:
            if left in names:
                not_shipped.setdefault(names[left], kind)
            continue
        if kind not in SPDX_RELATIONS:
            continue
        relation, reverse = SPDX_RELATIONS[kind]
        if reverse:
            left, right = right, left
        if left in names and right in names:
            g.relate(names[left], relation, names[right])
            shipped.update((names[left], names[right]))
        elif right in names and relation == "depends-on":
            marked.setdefault(names[right], relation)  # a file or the document depends on it
    left_out = [name for name in not_shipped if name not in shipped and name in added and name != (names.get(root_id) if root_id else None)]
    if left_out:
        g.remove(set(left_out))
        added = [name for name in added if name not in left_out]
        g.note("note", "not-shipped", f"{display}: {len(left_out)} package{'s' if len(left_out) != 1 else ''} marked only as build, test "
               f"or development dependencies ({not_shipped[left_out[0]]}) {'are' if len(left_out) != 1 else 'is'} not part of what ships; "
               f"not checked: {_some(left_out)}", origin=Location(file=display, line=1, column=1))
    if root_id is None:
        root = _synthetic_root(g, display, target, "SPDX", "the document describes no package")
        _attach_unreached(g, display, root, added, marked, "its root", force=True)
        return root
    root = names[root_id]
    _attach_unreached(g, display, root, added, marked, f"the package it describes ({root_id})",
                      origin=Location(file=display, line=lines.pair("SPDXID", root_id), column=1))
    return root
