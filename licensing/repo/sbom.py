"""SBOMs: CycloneDX 1.5/1.6 JSON (with ML-BOM components) and SPDX 2.3 JSON.

Both are read through their maintained libraries (cyclonedx-python-lib,
spdx-tools). cyclonedx-python-lib does not model `modelCard`, so the datasets
a model was trained on are read from the JSON itself. Relationships map onto
our relations: dependencies are `depends-on`; nested or contained components
are `includes`; pedigree ancestors, DESCENDANT_OF and VARIANT_OF are
`derived-from`; a model card's datasets are `trained-on`. Build, test and
development dependencies are not part of what ships and are left out.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from ..location import Location
from .gather import FoundComponent, Gathering
from .policy import ScanError, missing_dependency

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


def sbom_format(text: str) -> str | None:
    """'cyclonedx', 'spdx' or None, from the JSON's own markers."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if data.get("bomFormat") == "CycloneDX":
        return "cyclonedx"
    if str(data.get("spdxVersion", "")).startswith("SPDX-"):
        return "spdx"
    return None


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return None


def _unique_name(name: str, version: str | None, key: str, names: dict[str, str]) -> str:
    """The component's name, made unique within one SBOM; a name another
    source already found (the same package in the Python environment) is
    shared, and its first finding kept."""
    if name not in names.values():
        return name
    return f"{name}@{version}" if version else f"{name}#{key}"


# ---------------------------------------------------------------- CycloneDX


def read_cyclonedx(g: Gathering, path: Path, display: str, text: str, target: str | None) -> str:
    """Add the BOM's components; returns the name of its root component."""
    try:  # imported here: only CycloneDX BOMs need it
        from cyclonedx.model.bom import Bom
        from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
    except ImportError:
        raise missing_dependency("cyclonedx-python-lib", "a CycloneDX BOM", display) from None

    data = json.loads(text)
    spec = str(data.get("specVersion", ""))
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

    def licenses_of(component: Any) -> str | None:
        texts = []
        for item in component.licenses:
            if isinstance(item, LicenseExpression):
                texts.append(item.value)
            elif isinstance(item, DisjunctiveLicense):
                texts.append(str(item.id or item.name))
        if len(texts) > 1:
            return " AND ".join(f"({t})" for t in texts)
        return texts[0] if texts else None

    def add(component: Any, is_root: bool) -> str:
        ref = component.bom_ref.value if component.bom_ref and component.bom_ref.value else component.name
        if ref in names:
            return names[ref]
        name = target if (is_root and target) else _unique_name(component.name, component.version, ref, names)
        names[ref] = name
        line = _line_of(text, f'"bom-ref": "{ref}"') or _line_of(text, f'"name": "{component.name}"')
        origin = Location(file=display, line=line, column=1)
        declared = licenses_of(component)
        kind = CDX_KINDS.get(component.type.value if component.type else "", "code")
        if name not in g.components:
            found = g.add(FoundComponent(name=name, kind=kind, declared=declared, resolved_by="CycloneDX", origin=origin))
            override = g.policy.policy.overrides.get(name)
            if override is not None:
                found.license, found.resolved_by, found.evidence = override.license, "override", override.reason
            elif declared:
                found.license = g.license_text(declared, name, origin, "the BOM's license")
            else:
                g.note("warning", "missing-license", f"'{name}': the BOM gives no license; its terms are treated as unknown", name, origin,
                       hint="add licenses to the BOM component, or an override to the policy")
        for ancestor in (component.pedigree.ancestors if component.pedigree else []):
            g.relate(name, "derived-from", add(ancestor, False))
        for child in component.components:
            g.relate(name, "includes", add(child, False))
        return name

    root = add(bom.metadata.component, True) if bom.metadata.component else None
    for component in bom.components:
        scope = getattr(component, "scope", None)
        if scope is not None and str(getattr(scope, "value", scope)) == "excluded":
            continue
        add(component, False)
    for dependency in bom.dependencies:
        source = names.get(dependency.ref.value)
        if source is None:
            continue
        for other in dependency.dependencies:
            if other.ref.value in names:
                g.relate(source, "depends-on", names[other.ref.value])
    # modelCard is not modelled by the library: read the datasets from the JSON
    for raw in _all_components(data):
        datasets = ((raw.get("modelCard") or {}).get("modelParameters") or {}).get("datasets") or []
        model = names.get(str(raw.get("bom-ref") or raw.get("name")))
        if model is None:
            continue
        for dataset in datasets:
            if isinstance(dataset, dict) and dataset.get("ref") in names:
                g.relate(model, "trained-on", names[dataset["ref"]])
            elif isinstance(dataset, dict) and dataset.get("name"):
                name = str(dataset["name"])
                line = _line_of(text, f'"name": "{name}"')
                g.add(FoundComponent(name=name, kind="data", resolved_by="CycloneDX", origin=Location(file=display, line=line)))
                g.note("warning", "missing-license", f"'{name}': a dataset of the model card with no license; its terms are treated as unknown",
                       name, Location(file=display, line=line))
                g.relate(model, "trained-on", name)
    if root is None:
        raise ScanError("the BOM has no metadata.component, so nothing says what the BOM describes", code="licet.scan.sbom", file=display,
                        hint="set metadata.component to the application or model the BOM is for")
    return root


def _all_components(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    stack = list(data.get("components") or [])
    if isinstance((data.get("metadata") or {}).get("component"), dict):
        stack.append(data["metadata"]["component"])
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            out.append(item)
            stack.extend(item.get("components") or [])
    return out


# ---------------------------------------------------------------- SPDX


def read_spdx(g: Gathering, path: Path, display: str, text: str, target: str | None) -> str:
    try:  # imported here: only SPDX documents need it
        from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
        from spdx_tools.spdx.model.spdx_none import SpdxNone
        from spdx_tools.spdx.parser.error import SPDXParsingError
        from spdx_tools.spdx.parser.json import json_parser
    except ImportError:
        raise missing_dependency("spdx-tools", "an SPDX document", display) from None

    try:
        document = json_parser.parse_from_file(str(path))
    except SPDXParsingError as err:
        messages = "; ".join(err.messages[:3])
        raise ScanError(f"not an SPDX document spdx-tools can read: {messages}", code="licet.scan.sbom", file=display,
                        hint="validate it with `pyspdxtools -i FILE`") from None
    except (ValueError, KeyError, TypeError) as err:
        raise ScanError(f"not an SPDX document spdx-tools can read: {err}", code="licet.scan.sbom", file=display) from None

    names: dict[str, str] = {}
    described = [str(r.related_spdx_element_id) for r in document.relationships
                 if r.relationship_type.name == "DESCRIBES" and r.spdx_element_id == "SPDXRef-DOCUMENT"]
    root_id = described[0] if described else (document.packages[0].spdx_id if document.packages else None)
    for package in document.packages:
        is_root = package.spdx_id == root_id
        name = target if (is_root and target) else _unique_name(package.name, package.version, package.spdx_id, names)
        names[package.spdx_id] = name
        line = _line_of(text, f'"SPDXID": "{package.spdx_id}"')
        origin = Location(file=display, line=line, column=1)
        if name in g.components:
            continue
        concluded, declared_value = package.license_concluded, package.license_declared
        chosen = None
        for value in (concluded, declared_value):
            if value is not None and not isinstance(value, (SpdxNoAssertion, SpdxNone)):
                chosen = str(value)
                break
        found = g.add(FoundComponent(name=name, kind="code", declared=chosen, resolved_by="SPDX", origin=origin))
        override = g.policy.policy.overrides.get(name)
        if override is not None:
            found.license, found.resolved_by, found.evidence = override.license, "override", override.reason
        elif chosen:
            found.license = g.license_text(chosen, name, origin, "the SPDX license")
        else:
            g.note("warning", "missing-license", f"'{name}': the SPDX document asserts no license; its terms are treated as unknown",
                   name, origin, hint="add an override to the policy with the license its files state")
    for relationship in document.relationships:
        kind = relationship.relationship_type.name
        left, right = str(relationship.spdx_element_id), str(relationship.related_spdx_element_id)
        if kind in SPDX_NOT_SHIPPED or kind not in SPDX_RELATIONS:
            continue
        relation, reverse = SPDX_RELATIONS[kind]
        if reverse:
            left, right = right, left
        if left in names and right in names:
            g.relate(names[left], relation, names[right])
    if root_id is None or root_id not in names:
        raise ScanError("the SPDX document describes no package", code="licet.scan.sbom", file=display,
                        hint="add a DESCRIBES relationship from SPDXRef-DOCUMENT to the main package")
    return names[root_id]
