"""`licet init`: a starter policy from what the repository declares.

It asks nothing: what the scan can detect is written as settings or as
comments saying where it was found; the choices only the project can make
(is the use commercial? what purposes? does the deliverable bundle its
dependencies?) are written commented out, with what each one means.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import LicetError
from ..library import Library
from .files import ScanError, exists
from .policy import POLICY_YAML, PYPROJECT, read_policy_file
from .scan import build_scenario


@dataclass(frozen=True)
class Starter:
    file: Path
    text: str
    append: bool  # add to an existing pyproject.toml rather than create a file


def _toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid TOML basic string


def starter_policy(path: str | Path, *, library: Library) -> Starter:
    root = Path(path)
    pyproject = root / PYPROJECT
    if exists(root / POLICY_YAML):  # a dangling link too: writing through it would create a file outside the folder
        raise ScanError("a policy already exists", code="licet.scan.policy-exists", file=str(root / POLICY_YAML), hint="edit it, or remove it to start again")
    # a pyproject.toml licet may not read (a link out of the folder, a pipe) is an error: init never writes through it
    if exists(pyproject) and "[tool.licet" in read_policy_file(pyproject, str(pyproject), root):
        raise ScanError("pyproject.toml already has a [tool.licet] table", code="licet.scan.policy-exists", file=str(pyproject),
                        hint="edit it, or remove the table to start again")

    detected: list[str] = []
    unresolved: list[tuple[str, str]] = []
    target_license: str | None = None
    try:
        gathering, _, _ = build_scenario(root, library=library)
    except LicetError as err:
        detected.append(f"nothing the scan can read yet ({err.message})")
    else:
        assert gathering.target is not None
        target = gathering.components[gathering.target]
        # a license with unknown terms in it is no license to suggest releasing under
        unknown = target.license is not None and any(
            license_id == gathering.library.fallback
            for license_id in (leaf.license for leaf in library.parse_expression(target.license).leaves))
        target_license = None if unknown else target.license
        where = f" from {target.origin}" if target.origin else ""
        detected.append(f"target '{target.name}' ({target.kind}), license {target.license or 'not declared'}{where}")
        upstream = [c for c in gathering.components.values() if c.name != target.name]
        by_source: dict[str, int] = {}
        for c in upstream:
            by_source[c.resolved_by] = by_source.get(c.resolved_by, 0) + 1
        if upstream:
            detected.append(f"{len(upstream)} other components: " + ", ".join(f"{n} by {how}" for how, n in sorted(by_source.items())))
        for note in gathering.notes:
            if note.component and note.rule in ("unresolved-license", "ambiguous-license", "unknown-license", "missing-license", "not-installed"):
                unresolved.append((note.component, note.message))
    assumptions = [(name, library.vocabulary.describe("assumption", name)) for name in library.vocabulary.names("assumption")]
    if exists(pyproject):
        return Starter(pyproject, _toml(detected, unresolved, assumptions, target_license), append=True)
    return Starter(root / POLICY_YAML, _yaml(detected, unresolved, assumptions, target_license), append=False)


def _toml(detected: list[str], unresolved: list[tuple[str, str]], assumptions: list[tuple[str, str]], license_: str | None) -> str:
    out = ["", "[tool.licet]", "# Written by `licet init` from what the repository declares. Detected:"]
    out += [f"#   {line}" for line in detected]
    out.append(f"# license = {_toml_string(license_ or '<license id>')}   # the outbound license; default: [project] license or the card's")
    out.append("bundle = false   # true when the deliverable ships its Python dependencies (container image, frozen app)")
    out += ["", "[tool.licet.use]", 'actions = ["distribute"]   # run | modify | distribute | serve',
            "# commercial = true   # left out, both answers are checked",
            "# purposes = []       # `licet vocabulary` lists them, e.g. medical-advice",
            '# facts = { "licensee.monthly-active-users" = 0 }',
            "", "[tool.licet.assume]   # yes | no | unknown (default unknown: both answers are checked)"]
    out += [f'# {name} = "unknown"   # {text}' for name, text in assumptions]
    out += ["", "[tool.licet.overrides]   # components whose declared license is wrong or missing"]
    if unresolved:
        for name, why in unresolved:
            out.append(f"# {_toml_string(name)} = {{ license = \"...\", reason = \"...\" }}   # {why}")
    else:
        out.append('# "org/model" = { license = "<license id>", reason = "the card says other; its LICENSE file says which" }')
    out += ["", "# [[tool.licet.waivers]]   # a finding a named person accepted", '# component = "..."',
            '# clause = "..."        # optional; license = "..." also optional', '# by = "Name <email>"',
            '# reason = "..."', "# expires = 2027-06-30", ""]
    return "\n".join(out)


def _yaml(detected: list[str], unresolved: list[tuple[str, str]], assumptions: list[tuple[str, str]], license_: str | None) -> str:
    out = ["# licet policy, written by `licet init` from what the repository declares. Detected:"]
    out += [f"#   {line}" for line in detected]
    out.append(f"# license: {license_ or '<license id>'}   # the outbound license; default: [project] license or the card's")
    out.append("bundle: false   # true when the deliverable ships its Python dependencies (container image, frozen app)")
    out += ["use:", "  actions: [distribute]   # run | modify | distribute | serve",
            "  # commercial: true      # left out, both answers are checked",
            "  # purposes: []          # `licet vocabulary` lists them, e.g. medical-advice",
            "  # facts: {licensee.monthly-active-users: 0}",
            "assume: {}   # yes | no | unknown (default unknown: both answers are checked)"]
    out += [f"  # {name}: unknown   # {text}" for name, text in assumptions]
    out.append("overrides: {}   # components whose declared license is wrong or missing")
    if unresolved:
        for name, why in unresolved:
            out.append(f"  # {json.dumps(name)}: {{license: ..., reason: ...}}   # {why}")
    else:
        out.append("  # org/model: {license: <license id>, reason: \"the card says other; its LICENSE file says which\"}")
    out += ["waivers: []   # findings a named person accepted",
            "  # - {component: ..., clause: ..., by: \"Name <email>\", reason: ..., expires: 2027-06-30}", ""]
    return "\n".join(out)


def write_policy(starter: Starter) -> Path:
    if starter.append:
        existing = read_policy_file(starter.file, str(starter.file), starter.file.parent)  # still a regular file inside the folder
        separator = "" if existing.endswith("\n") else "\n"
        with open(starter.file, "a", encoding="utf-8") as out:
            out.write(separator + starter.text)
    else:
        try:
            with open(starter.file, "x", encoding="utf-8") as out:  # never through a link or over a file that appeared meanwhile
                out.write(starter.text)
        except FileExistsError:
            raise ScanError("a policy already exists", code="licet.scan.policy-exists", file=str(starter.file),
                            hint="edit it, or remove it to start again") from None
    return starter.file
