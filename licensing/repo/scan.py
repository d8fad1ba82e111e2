"""`licet scan`: read what a repository declares, build the scenario, check it.

The target is what the repository ships: the model or dataset of its card
(README.md front matter), else the Python project of pyproject.toml, else the
component an SBOM describes. Upstream models and datasets, Python
dependencies and SBOM components hang under it. The scenario's source map
points every component's license at the file and line that declared it, so a
conflict names the card line, the pyproject line or the lock-file entry.

Nothing read is dropped: a license licet cannot read is the fallback license
(terms unknown) on the component that declared it, the target included
(`licensing.repo.gather`); every component of an SBOM is checked
(`licensing.repo.sbom`); relations that close a cycle are left out with a note
so the scenario is a graph (`Gathering.break_cycles`). Files are read only
when they are regular files inside the scanned folder, up to a size
(`licensing.repo.files`); one that is not read is a `skipped-file` warning,
and what it would have declared stands as a component with unknown terms
(`Gathering.skip`), so a skipped file never makes the answer `allowed`. The target's license
becomes `use.release-license` only when it is one id licet can release under;
a card's license list is all of its licenses (AND), never a choice of one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..engine import Engine, engine_for
from ..library import Library, load_library
from ..location import Location
from ..scenario import Scenario, SourceMap, scenario_from_dict, scenario_to_dict
from ..verdict import Verdict
from .cards import CardReader, HubApi, default_hub_api, has_front_matter, parse_card
from .files import (
    MAX_DOCUMENT_BYTES,
    MAX_TEXT_BYTES,
    ScanError,
    SkippedFile,
    check_file,
    exists,
)
from .gather import FoundComponent, Gathering, ScanNote
from .policy import PYPROJECT, check_policy, read_policy
from .python_env import read_python
from .sbom import load_sbom, read_cyclonedx, read_spdx

SBOM_GLOBS = ("*.cdx.json", "bom.json", "*.spdx.json", "sbom*.json")
CARD_KEYS = {"license", "license_name", "base_model", "datasets", "pipeline_tag", "library_name", "task_categories"}


class ScanReport(BaseModel):
    """What the scan read and built, and the verdict on it."""

    model_config = ConfigDict(frozen=True)

    root: str
    target: str
    files: list[str]
    components: list[FoundComponent]
    notes: list[ScanNote]
    scenario: dict[str, Any]
    verdict: Verdict
    unknown_terms: str | None = None  # the license id that stands for terms nobody knows (the library's fallback)

    @property
    def exit_code(self) -> int:
        return self.verdict.exit_code

    def component(self, name: str) -> FoundComponent | None:
        return next((c for c in self.components if c.name == name), None)


def build_scenario(
    path: str | Path, *, library: Library | None = None, online: bool = False, hub_api: HubApi | None = None
) -> tuple[Gathering, Scenario, SourceMap]:
    """Read the repository at `path` (a folder, a card, an SBOM or a pyproject.toml)."""
    library = library or load_library()
    path = Path(path)
    if not exists(path):
        raise ScanError("nothing to scan: the path does not exist", code="licet.scan.not-found", file=str(path),
                        hint="give a repository folder, a README.md card, an SBOM or a pyproject.toml")
    only = None if path.is_dir() else path
    if only is not None:  # a file the user named: read wherever it leads, if it is a regular file within the caps
        check_file(only, str(only), root=None, limit=MAX_DOCUMENT_BYTES if only.suffix.lower() == ".json" else MAX_TEXT_BYTES)
    root = path.parent if only else path
    display_root = "" if root.resolve() == Path.cwd().resolve() else root.as_posix().rstrip("/") + "/"
    policy = read_policy(root, display_root, named=only)
    check_policy(policy, library)
    g = Gathering(root, display_root, library, policy)
    for loaded in (policy.file, policy.pyproject_file):
        if loaded:
            g.read(root, loaded, policy.text if loaded == policy.file else policy.pyproject_text)
    if online and hub_api is None:
        hub_api = default_hub_api()
    cards = CardReader(g, online=hub_api if online else None)
    name = policy.policy.name or policy.project.get("name") or root.resolve().name

    card_path = only if only is not None and only.suffix.lower() == ".md" else (root / "README.md" if only is None else None)
    if card_path is not None and exists(card_path):
        card_display = g.display(card_path)
        try:
            text = g.read_file(card_path, card_display, MAX_TEXT_BYTES, named=only is not None)
        except SkippedFile as skipped:
            # it may be the deliverable's own card: whatever it declares stands as unknown terms
            g.skip(skipped, "declares (if it is a model or dataset card)", kind=policy.policy.kind or "weights")
        else:
            if has_front_matter(text):
                card = parse_card(text, card_display)
                if set(card.data) & CARD_KEYS:
                    g.read(card_path, card.display, text)
                    g.target = cards.read_target(card, name, policy.policy.kind).name
    if g.target is None and (only is None or only.name == PYPROJECT) and policy.project:
        g.target = _project_component(g, name).name
    if g.target is None and only is None and _python_project_files(root):
        g.target = _unpackaged_project(g, name, root).name

    for sbom_path in _sbom_files(g, root, only):
        display = g.display(sbom_path)
        try:
            text = g.read_file(sbom_path, display, MAX_DOCUMENT_BYTES, named=only is not None)
        except SkippedFile as skipped:
            g.skip(skipped, "lists")
            continue
        g.read(sbom_path, display, text)
        sbom = load_sbom(text, display)
        reader = read_cyclonedx if sbom.kind == "cyclonedx" else read_spdx
        root_name = reader(g, sbom_path, display, text, g.target, sbom)
        if g.target is None:
            g.target = root_name

    if g.target is None and g.skipped:
        not_read = "; ".join(f"{c.origin.file if c.origin else c.name}: {c.evidence}" for c in g.skipped)
        raise ScanError(
            f"nothing to scan: the files that could say what the repository ships were not read ({not_read})",
            code="licet.scan.nothing-to-scan",
            file=str(path),
            hint="licet scan reads only regular files inside the scanned folder, up to a size; put the card or SBOM itself in the "
                 "folder, or name it on the command line",
        )
    if g.target is None:
        raise ScanError(
            "nothing to scan: no model or dataset card, no pyproject.toml [project], no SBOM",
            code="licet.scan.nothing-to-scan",
            file=str(path),
            hint="licet scan reads README.md front matter, pyproject.toml, requirements*.txt, uv.lock, poetry.lock and CycloneDX/SPDX JSON",
        )
    target = g.components[g.target]
    if policy.policy.license is not None:
        target.license = target.declared = policy.policy.license
        target.resolved_by = "policy"
        target.origin = policy.locate("license") or Location(file=policy.file or "")
    if policy.policy.kind is not None:
        target.kind = policy.policy.kind
    if only is None or only.name == PYPROJECT:
        read_python(g, g.target, "includes" if policy.policy.bundle else "depends-on")
    g.attach_skipped()
    g.break_cycles()
    scenario, source = _scenario(g)
    return g, scenario, source


def scan(
    path: str | Path,
    *,
    library: Library | None = None,
    online: bool = False,
    hub_api: HubApi | None = None,
    today: dt.date | None = None,
    timeout_ms: int | None = None,
    engine: Engine | None = None,
) -> ScanReport:
    """Scan a repository and check the scenario it declares.

    The check runs on `engine` (default: an engine on `library`, or the shared
    one on the shipped rules); `timeout_ms` overrides the engine's budget."""
    if engine is None:
        engine = engine_for(library)
    elif library is not None and library is not engine.library:
        raise ValueError("give library or engine, not both")
    g, scenario, source = build_scenario(path, library=engine.library, online=online, hub_api=hub_api)
    verdict = engine.check(scenario, source=source, name=str(path), today=today, timeout_ms=timeout_ms)
    return ScanReport(
        root=str(path),
        target=g.target or "",
        files=g.files,
        components=list(g.components.values()),
        notes=g.notes,
        scenario=scenario_to_dict(scenario),
        verdict=verdict,
        unknown_terms=engine.library.fallback,
    )


# ---------------------------------------------------------------- helpers


def _project_component(g: Gathering, name: str) -> FoundComponent:
    """The Python project of pyproject.toml; its license from [project]."""
    project = g.policy.project
    value = project.get("license-expression") or project.get("license")
    license_file = None
    if isinstance(value, dict):
        license_file = value.get("file") if not value.get("text") else None
        value = value.get("text")
    origin = g.policy.locate_project("license-expression" if "license-expression" in project else "license")
    component = FoundComponent(name=name, kind="code", declared=value if isinstance(value, str) else None, resolved_by="pyproject", origin=origin)
    if isinstance(value, str) and value.strip():
        component.license = g.license_text(value, name, origin, "[project] license")
    elif isinstance(license_file, str) and g.policy.policy.license is None:
        # the license is a text licet does not read: unknown terms, not "no license"
        component.declared = f"file {license_file}"
        component.license = g.unknown_terms
        g.note("warning", "unknown-license",
               f"'{name}': [project] license points at the file '{license_file}', which licet does not read; its terms are treated as unknown",
               name, origin, hint="set [project] license = \"<SPDX expression>\" (PEP 639), or license in the licet policy")
    elif g.policy.policy.license is None:
        g.note("warning", "missing-license", f"'{name}': pyproject.toml declares no license for the project", name, origin,
               hint="set [project] license = \"<SPDX expression>\", or license in the licet policy")
    return g.add(component)


# A Python project without pyproject.toml [project]: requirements or lock files
# name its dependencies; setup.py and setup.cfg are never run.
_REQUIREMENT_GLOBS = ("requirements*.txt", "uv.lock", "poetry.lock")
_SETUP_FILES = ("setup.py", "setup.cfg")


def _python_project_files(root: Path) -> list[Path]:
    found = [p for pattern in _REQUIREMENT_GLOBS for p in sorted(root.glob(pattern))]
    return found + [root / f for f in _SETUP_FILES if exists(root / f)]


def _unpackaged_project(g: Gathering, name: str, root: Path) -> FoundComponent:
    """The project of a folder with requirements files or setup.py but no
    [project] table: its own license is not declared anywhere licet reads."""
    setup = [f for f in _SETUP_FILES if exists(root / f)]
    origin = Location(file=g.display(root / setup[0])) if setup else None
    component = g.add(FoundComponent(name=name, kind="code", resolved_by="requirements", origin=origin))
    if g.policy.policy.license is None:
        g.note("warning", "missing-license", f"'{name}': no pyproject.toml [project] declares the project's license", name, origin,
               hint="set license in the licet policy (licet.yaml), or add a [project] table with license = \"<SPDX expression>\"")
    if setup:
        g.note("note", "setup-not-run", f"'{name}': {setup[0]} is not run, so the dependencies it declares are not read; "
               "requirements and lock files are", name, origin, hint="list the dependencies in requirements.txt or [project] dependencies")
    return component


def _sbom_files(g: Gathering, root: Path, only: Path | None) -> list[Path]:
    if only is not None:
        return [only] if only.suffix.lower() == ".json" else []
    configured = g.policy.policy.sbom
    if configured is not None:
        # each is read only if it stays inside the folder (`Gathering.read_file`), else reported
        paths = [root / p for p in configured]
        for p in paths:
            if not exists(p):
                raise ScanError(f"SBOM '{p.name}' not found", code="licet.scan.not-found", file=g.policy.file,
                                hint="sbom lists files relative to the repository")
        return paths
    found: list[Path] = []
    for pattern in SBOM_GLOBS:
        found += [p for p in sorted(root.glob(pattern)) if p not in found]
    return found


def _scenario(g: Gathering) -> tuple[Scenario, SourceMap]:
    """The scenario, and a source map that points each key at its file."""
    assert g.target is not None
    policy = g.policy
    source = SourceMap(file=policy.file, text=policy.text, texts=dict(g.texts))
    components: dict[str, Any] = {}
    for found in g.components.values():
        entry: dict[str, Any] = {"kind": found.kind}
        if found.license is not None:
            entry["license"] = found.license
        elif found.name != g.target and g.library.fallback is not None:
            # what a scan found without a license is not the user's own work
            # (a Hub model whose card has none, an SBOM element): its terms
            # are unknown even when it names a base model or contains others
            entry["license"] = g.library.fallback
        entry.update({relation: list(targets) for relation, targets in found.relations.items()})
        components[found.name] = entry
        if found.origin is not None and found.origin.line:
            for key in (("components", found.name), ("components", found.name, "license")):
                source.positions[key] = (found.origin.line, found.origin.column or 1)
                source.files[key] = found.origin.file
    use = policy.policy.use.scenario_use(g.target)
    target = g.components[g.target]
    canonical = g.library.canonical_id(target.license.strip()) if target.license else None
    if canonical is not None and canonical in g.library.release_domain:
        use["release-license"] = target.license
        if target.origin is not None and target.origin.line:
            source.positions[("use", "release-license")] = (target.origin.line, target.origin.column or 1)
            source.files[("use", "release-license")] = target.origin.file
    for path, position in policy.positions.items():
        if path[:1] in (("use",), ("assume",), ("waivers",)):
            source.positions[path] = position
    data: dict[str, Any] = {"components": components, "use": use}
    if policy.policy.assume:
        data["assume"] = dict(policy.policy.assume)
    if policy.policy.waivers:
        data["waivers"] = [w.model_dump(exclude_none=True) for w in policy.policy.waivers]
    return scenario_from_dict(data, source), source
