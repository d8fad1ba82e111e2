"""Python dependencies: installed distributions and the licenses their
metadata declares.

Which distributions count: those the repository's lock or requirements files
name (requirements*.txt, uv.lock, poetry.lock, or the policy's list), else
those [project].dependencies reach through Requires-Dist, else every
distribution of the environment. The license is, in order, PEP 639
`License-Expression` (one id the library does not know, such as a
`LicenseRef-`, stands for the license files: they are read for it), a
one-line `License` field the library reads as an expression, the license
files the distribution ships (`License-File`, or LICENSE*/COPYING* beside
METADATA, else at the top of its package folders) as `license_text`'s
matcher reads them or, for a license the matcher has no text for, as a
heading names one of the library's titles, a free-text `License` field (a
license's name and version, or a whole text) matched the same way, then
trove classifiers from rules/registry/python-classifiers.yaml. A text the
matcher is not sure of, or a classifier that names a family ("BSD
License"), is reported, not guessed, unless the two agree: a family is
narrowed to one of its licenses by a whole text of it the matcher found
in the license files (a note says the rest was not read), or by the
license the SBOM the wheel ships (PEP 770) gives a component of the
distribution's own name. A text that disagrees with the classifiers gets a
note.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path, PurePosixPath

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement

from ..errors import LicetError
from ..expression import Expression
from ..location import Location
from .files import (
    MAX_DOCUMENT_BYTES,
    MAX_TEXT_BYTES,
    ScanError,
    SkippedFile,
    check_file,
    exists,
)
from . import license_text
from .gather import FoundComponent, Gathering
from .policy import toml_error_position

LOCK_FILES = ("uv.lock", "poetry.lock")
METADATA_PLACEHOLDERS = ("unknown", "none")
MAX_LICENSE_FIELD = 100  # longer License fields hold license text, not a name


def normalize(name: str) -> str:
    """PEP 503 normalized distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Named:
    """A distribution a repository file names, and where."""

    name: str
    origin: Location


# ---------------------------------------------------------------- the environment


def _field(meta: metadata.PackageMetadata, name: str) -> str | None:
    values = meta.get_all(name)
    return str(values[0]) if values else None


def environment_paths(root: Path, setting: str | None) -> list[str] | None:
    """The folders to read distributions from; None means the running Python's."""
    if setting is None:
        for guess in (".venv", "venv"):
            if (root / guess).is_dir():
                return _site_packages(root / guess)
        return None
    path = (root / setting).resolve()
    if not path.is_dir():
        raise ScanError(f"python environment '{setting}' is not a folder", code="licet.scan.not-found", file=setting,
                        hint="python.environment names a virtualenv or a site-packages folder, relative to the repository")
    return _site_packages(path)


def _site_packages(path: Path) -> list[str]:
    if any(path.glob("*.dist-info")) or any(path.glob("*.egg-info")):
        return [str(path)]
    found = sorted(str(p) for p in path.glob("lib/python*/site-packages")) + sorted(str(p) for p in path.glob("Lib/site-packages"))
    if not found:
        raise ScanError(f"no site-packages folder under '{path}'", code="licet.scan.not-found", file=str(path),
                        hint="python.environment names a virtualenv (with lib/python3.X/site-packages) or a site-packages folder")
    return found


def installed(paths: list[str] | None, g: Gathering | None = None) -> tuple[dict[str, metadata.Distribution], list[SkippedFile]]:
    """The distributions of the environment, by normalized name, and the
    metadata files not read. With `g`, a distribution whose METADATA licet
    must not read (not a regular file, over 16 MiB, or, in an environment
    inside the scanned folder, a link out of it) is left out: it counts as not
    installed, and `read_python` reports it."""
    dists: dict[str, metadata.Distribution] = {}
    refused: list[SkippedFile] = []
    found = metadata.distributions(path=paths) if paths is not None else metadata.distributions(path=sys.path)
    for dist in found:
        skipped = _metadata_refused(g, dist) if g is not None else None
        if skipped is not None:
            refused.append(skipped)
            continue
        name = _field(dist.metadata, "Name")
        if name:
            dists.setdefault(normalize(name), dist)
    return dists, refused


def _metadata_refused(g: Gathering, dist: metadata.Distribution) -> SkippedFile | None:
    """Why the metadata file of `dist` is not to be read, if it is not."""
    where = getattr(dist, "_path", None)
    if where is None:
        return None
    folder = Path(where)
    # what importlib.metadata reads of it: METADATA, else PKG-INFO (requires.txt for an egg), or the egg-info file itself
    candidates = [folder / n for n in ("METADATA", "PKG-INFO", "requires.txt")] if folder.is_dir() else [folder]
    try:  # a distribution inside the scanned folder (a committed .venv) is a repository file: it must stay inside
        in_repo = folder.resolve().is_relative_to(g.root.resolve())
    except (OSError, RuntimeError):
        in_repo = True
    for meta in candidates:
        if not exists(meta):
            continue
        try:
            check_file(meta, g.display(meta), root=g.root if in_repo else None, limit=MAX_DOCUMENT_BYTES)
        except SkippedFile as skipped:
            return skipped
        except ScanError as err:  # vanished meanwhile
            return SkippedFile(g.display(meta), err.message, code=err.code)
    return None


# ---------------------------------------------------------------- what the repository names


_INCLUDE = re.compile(r"(-r|--requirement)(?:\s*=\s*|\s*)(\S+)")


def named_in_requirements(g: Gathering, path: Path, display: str, text: str, seen: set[Path] | None = None) -> list[Named]:
    """The packages a requirements file names, following its `-r` includes
    inside the scanned folder only; an include that leads out of it, is not
    a regular file, is too large, is missing or is a URL is not read, and
    what it would name stands as unknown terms (`Gathering.skip`)."""
    seen = seen if seen is not None else set()
    seen.add(path.resolve())
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.split(" #", 1)[0].strip()
        if not stripped or stripped.startswith("#"):
            continue
        include = _INCLUDE.match(stripped)
        if include:
            out += _included(g, path, display, number, include.group(1), include.group(2), seen)
            continue
        if stripped.startswith("-"):
            continue
        found = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)", stripped)
        marker = stripped.split(";", 1)[1].strip() if ";" in stripped else None
        if found and not _marker_holds(marker):
            continue  # a requirement for another platform or Python
        if found:
            out.append(Named(normalize(found.group(1)), Location(file=display, line=number, column=1)))
    return out


def _included(g: Gathering, path: Path, display: str, number: int, option: str, name: str, seen: set[Path]) -> list[Named]:
    """The packages an `-r` include names, when it may be read."""
    origin = Location(file=display, line=number, column=1)
    what = f"{display}:{number}: the include '{option} {name}'"
    if "://" in name:
        g.skip(SkippedFile(name, "licet scan does not fetch requirement files", code="licet.scan.remote"), "names", origin=origin, what=what)
        return []
    other = path.parent / name
    other_display = g.display(other)
    if not exists(other):
        g.skip(SkippedFile(other_display, "there is no such file", code="licet.scan.not-found"), "names", origin=origin, what=what)
        return []
    try:
        other_text = g.read_file(other, other_display, MAX_TEXT_BYTES)
    except SkippedFile as skipped:
        g.skip(skipped, "names", origin=origin, what=what)
        return []
    if other.resolve() in seen:
        return []
    g.read(other, other_display, other_text)
    return named_in_requirements(g, other, other_display, other_text, seen)


def _marker_holds(marker: str | None) -> bool:
    """Whether an environment marker holds for the Python running the scan."""
    if not marker:
        return True
    try:
        return bool(Marker(marker).evaluate())
    except InvalidMarker:
        return True  # unreadable: keep the package rather than drop it silently


def named_in_lock(g: Gathering, display: str, text: str, own_name: str | None) -> list[Named]:
    """The packages a uv.lock or poetry.lock installs on this platform.

    uv.lock: walked from the project's own entry through each package's
    `dependencies` (not its dev groups), skipping edges whose marker is false
    here (colorama on Windows only). poetry.lock: every package but those
    marked `category = "dev"` or whose `markers` are false here.
    """
    try:
        data = tomllib.loads(text)
    except (ValueError, RecursionError) as err:  # TOMLDecodeError; an integer of 4,300 digits; nesting past the interpreter's limit
        line, column = toml_error_position(str(err))
        raise ScanError(f"lock file is not TOML licet reads: {err if str(err) else type(err).__name__}", code="licet.scan.toml", file=display,
                        line=line, column=column, hint="regenerate it with uv lock or poetry lock") from None
    listed = data.get("package")
    packages = [p for p in (listed if isinstance(listed, list) else []) if isinstance(p, dict) and isinstance(p.get("name"), str)]
    # the line of each `name = "..."`, found in one pass: a lock of thousands of packages stays linear
    name_lines: dict[str, int] = {}
    for number, text_line in enumerate(text.splitlines(), 1):
        found = _NAME_LINE.match(text_line)
        if found:
            name_lines.setdefault(found.group(1), number)

    def origin(name: str) -> Location:
        return Location(file=display, line=name_lines.get(name), column=1)

    def listed_in(package: dict[str, object], key: str) -> list[object]:
        value = package.get(key)
        return value if isinstance(value, list) else []

    def is_project(package: dict[str, object]) -> bool:
        source = package.get("source")
        own = bool(own_name) and normalize(str(package["name"])) == normalize(own_name or "")
        return own or (isinstance(source, dict) and (source.get("editable") == "." or source.get("virtual") == "."))

    roots = [p for p in packages if is_project(p)]
    if roots and any("dependencies" in p or "optional-dependencies" in p for p in roots):
        by_name = {normalize(str(p["name"])): p for p in packages}
        reached: dict[str, None] = {}  # in the order reached
        queue = deque(dep for root in roots for dep in listed_in(root, "dependencies"))
        for root in roots:
            optional = root.get("optional-dependencies")
            for deps in (optional.values() if isinstance(optional, dict) else []):
                queue.extend(deps if isinstance(deps, list) else [])
        while queue:
            dep = queue.popleft()
            if not isinstance(dep, dict) or not isinstance(dep.get("name"), str):
                continue
            name = normalize(dep["name"])
            if not _marker_holds(dep.get("marker") if isinstance(dep.get("marker"), str) else None):
                g.note("note", "other-platform", f"'{name}' is locked only for other platforms ({dep.get('marker')}); not checked",
                       name, origin(dep["name"]))
                continue
            if name in reached or name not in by_name:
                continue
            reached[name] = None
            queue.extend(listed_in(by_name[name], "dependencies"))
        return [Named(name, origin(str(by_name[name]["name"]))) for name in reached]
    out = []
    for package in packages:
        if is_project(package) or package.get("category") == "dev":
            continue
        if not _marker_holds(package.get("markers") if isinstance(package.get("markers"), str) else None):
            continue
        out.append(Named(normalize(str(package["name"])), origin(str(package["name"]))))
    return out


def _declared_dependencies(g: Gathering) -> list[Named]:
    """[project].dependencies, each at its line in pyproject.toml."""
    deps = g.policy.project.get("dependencies") or []  # read_policy checked: a list of strings
    quoted: dict[str, int] = {}  # each quoted string of pyproject.toml → its first line, found in one pass
    for number, text_line in enumerate(g.policy.pyproject_text.splitlines(), 1):
        for found in _QUOTED.finditer(text_line):
            quoted.setdefault(found.group(2), number)
    out = []
    for dep in deps:
        if not isinstance(dep, str):
            continue
        try:
            Requirement(dep)
        except InvalidRequirement:
            continue  # pip would refuse it too; the scan reads what it can
        out.append(Named(dep, Location(file=g.policy.pyproject_file or "pyproject.toml", line=quoted.get(dep), column=1)))
    return out


_QUOTED = re.compile(r"""(["'])(.*?)\1""")
_NAME_LINE = re.compile(r'name\s*=\s*"((?:[^"\\]|\\.)*)"\s*$')


def _closure(direct: list[Named], dists: dict[str, metadata.Distribution]) -> tuple[list[Named], list[Named]]:
    """Follow Requires-Dist (with markers for this Python) from the direct requirements."""
    reached: dict[str, Named] = {}
    missing: list[Named] = []
    missing_names: set[str] = set()
    queue: deque[tuple[str, frozenset[str], Location]] = deque()
    for named in direct:
        requirement = Requirement(named.name)
        queue.append((normalize(requirement.name), frozenset(requirement.extras), named.origin))
    done: set[tuple[str, frozenset[str]]] = set()
    while queue:
        name, extras, origin = queue.popleft()
        if (name, extras) in done:
            continue
        done.add((name, extras))
        dist = dists.get(name)
        if dist is None:
            if name not in reached and name not in missing_names:
                missing.append(Named(name, origin))
                missing_names.add(name)
            continue
        reached.setdefault(name, Named(name, origin))
        for text in dist.requires or []:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            if requirement.marker is not None:
                environments = [{"extra": e} for e in extras] or [{"extra": ""}]
                if not any(requirement.marker.evaluate(env) for env in environments):
                    continue
            queue.append((normalize(requirement.name), frozenset(requirement.extras), origin))
    return list(reached.values()), missing


# ---------------------------------------------------------------- licenses


def _metadata_origin(dist: metadata.Distribution, field: str) -> Location:
    path = getattr(dist, "_path", None)
    file = str(Path(path) / "METADATA") if path else f"{_field(dist.metadata, 'Name')} metadata"
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(field + ":"):
            return Location(file=file, line=number, column=1)
    return Location(file=file)


def dist_license(g: Gathering, name: str, dist: metadata.Distribution, origin: Location) -> FoundComponent:
    """The component for one distribution, its license settled from its metadata."""
    meta = dist.metadata
    component = FoundComponent(name=name, kind="code", origin=origin, license_files=license_files(dist))
    expression = _field(meta, "License-Expression")
    evidence: list[Partial] = []
    if expression and _one_unknown_term(g, expression):
        # PEP 639: a LicenseRef- names a text the distribution ships in its
        # license files; read them for it (a vendor may write one LicenseRef
        # on wheels under different agreements)
        if _license_from_texts(g, name, dist, component, "", origin, evidence):
            component.resolved_by = f"License-Expression '{expression}' as {component.resolved_by}"
            component.declared = expression
            return component
        _ambiguous_all(g, name, evidence)
    if expression:
        component.declared = expression
        component.resolved_by = "License-Expression"
        component.evidence = str(_metadata_origin(dist, "License-Expression"))
        component.license = g.license_text(expression, name, origin, "License-Expression")
        return component
    field = (_field(meta, "License") or "").strip()
    # "UNKNOWN" is setuptools' placeholder and "None" a stringified `license=None`:
    # both mean the field was left empty, not "no license" (classifiers decide).
    if field and "\n" not in field and len(field) <= MAX_LICENSE_FIELD and field.lower() not in METADATA_PLACEHOLDERS:
        try:
            parsed = g.library.parse_expression(field)
        except LicetError:
            pass
        else:
            if _family_narrowed(g, name, dist, component, field, parsed, origin):
                return component
            component.declared, component.resolved_by, component.license = field, "License field", g.canonical(field)
            component.evidence = str(_metadata_origin(dist, "License"))
            return component
    if _license_from_texts(g, name, dist, component, field, origin, evidence):
        return component
    classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    known: list[str] = []
    narrowed: list[str] = []  # how a family classifier was narrowed to one of its candidates
    texts_used = False
    for classifier in classifiers:
        entry = g.registry.classifier(classifier)
        if entry is None:
            continue
        if entry.license:
            known.append(entry.license)
            continue
        found = _narrowed(g, name, dist, entry.candidates, evidence)
        if found is not None:
            license_id, how, from_texts = found
            known.append(license_id)
            narrowed.append(f"classifier '{classifier}' narrowed to {license_id} by {how}")
            texts_used = texts_used or from_texts
            continue
        g.note(
            "warning",
            "ambiguous-license",
            f"'{name}': the classifier '{classifier}' names no single license ({entry.note or 'a family of licenses'}): "
            f"it could be {', '.join(entry.candidates)}; its terms are treated as unknown",
            name,
            origin,
            hint=f"read the package's license file and add an override, e.g. {name} = {{license = \"{entry.candidates[0]}\", reason = \"…\"}}",
        )
    if texts_used:
        for part in evidence:
            g.note("note", "partial-license-text",
                   f"'{name}': {part.what} holds the whole text of {part.result.candidates[0]}, but the matcher covers only "
                   f"{part.result.score:.0f}% of it; the classifier names the same license, so it is read as "
                   f"{part.result.candidates[0]}; the rest of the text is not read as license terms",
                   name, part.where, hint=f"read the rest of it: if it adds terms, add an override for '{name}' to the policy")
    else:
        _ambiguous_all(g, name, evidence)
    unmapped = [c for c in classifiers if g.registry.classifier(c) is None]
    if known and len(known) == len(classifiers):
        component.declared = "; ".join(classifiers)
        component.resolved_by = "; ".join(narrowed) if narrowed else "classifier"
        component.evidence = str(_metadata_origin(dist, "Classifier"))
        component.license = " OR ".join(dict.fromkeys(known))
        if len(set(known)) > 1:
            g.note("note", "several-classifiers", f"'{name}' lists several license classifiers; read as a choice ({component.license})",
                   name, origin, hint="add an override if the package means all of them at once")
        return component
    if field or unmapped or not classifiers:
        what = f"License field '{_short(field)}'" if field else "no License-Expression, License field or license classifier"
        if unmapped:
            what = f"classifier '{unmapped[0]}'"
        if not any(note.component == name and note.rule == "ambiguous-license" for note in g.notes):
            g.note("warning", "unresolved-license", f"'{name}': {what}, which licet cannot read as a license; its terms are treated as unknown",
                   name, origin, hint=f"add an override for '{name}' to the policy with the license its files state")
    component.declared = field or None
    return component


# Files a distribution without License-File metadata ships its license and notices in.
LICENSE_FILE_NAMES = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE|AUTHORS|COPYRIGHT)([._-].*)?$", re.IGNORECASE)


def license_files(dist: metadata.Distribution) -> list[str]:
    """The license and NOTICE files a distribution ships, as paths: the
    `License-File` entries of its metadata (under `.dist-info/licenses/` for
    metadata 2.4, else beside METADATA), else the files beside METADATA named
    like license files. Only paths are taken here; `licet notice` reads them."""
    where = getattr(dist, "_path", None)
    if where is None or not Path(where).is_dir():
        return []
    folder = Path(where)
    found: list[str] = []
    for entry in dist.metadata.get_all("License-File") or []:
        for candidate in (folder / "licenses" / str(entry), folder / str(entry)):
            if candidate.is_file() and candidate.resolve().is_relative_to(folder.resolve()):
                found.append(str(candidate))
                break
    if not found:
        for place in (folder, folder / "licenses"):
            if place.is_dir():
                found += sorted(str(p) for p in place.iterdir() if p.is_file() and LICENSE_FILE_NAMES.match(p.name))
    if not found:
        found = _package_license_files(dist, folder)
    return list(dict.fromkeys(found))


def _package_license_files(dist: metadata.Distribution, folder: Path) -> list[str]:
    """The license files a distribution with none in its .dist-info installs
    at the top of its own package folders: the folders its top_level.txt
    names (`vendor/lib` for a namespace package), files its RECORD
    lists as its own. Deeper files are left out: a license file inside a
    package's subfolders is a vendored component's, not the distribution's."""
    tops = {t.strip().strip("/") for t in (dist.read_text("top_level.txt") or "").splitlines() if t.strip()}
    if not tops:
        return []
    site = folder.parent
    found = []
    for entry in dist.files or []:
        path = PurePosixPath(str(entry))
        if str(path.parent) in tops and LICENSE_FILE_NAMES.match(path.name) and ".." not in path.parts:
            candidate = site / path
            if candidate.is_file() and candidate.resolve().is_relative_to(site.resolve()):
                found.append(str(candidate))
    return sorted(found)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


# ---------------------------------------------------------------- the texts a distribution ships (issue 13)


# Of `license_files`, those that hold a license text (a NOTICE or AUTHORS file names none)
LICENSE_TEXT_NAMES = re.compile(r"^(LICEN[CS]E|COPYING|UNLICENSE)([._-].*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Partial:
    """A license text the matcher read below its threshold: what it was, its
    result and where; reported unless it settles a family classifier."""

    what: str
    result: license_text.Identified
    where: Location


def _titles(g: Gathering) -> dict[str, str]:
    """The library's license titles and aliases, for `license_text.identify_title`."""
    titles = {lic.title: license_id for license_id, lic in g.library.licenses.items() if lic.title}
    for alias, license_id in g.library.alias_index.items():
        titles.setdefault(alias, license_id)
    if g.library.fallback:  # "terms unknown" is no license a heading names
        titles = {k: v for k, v in titles.items() if v != g.library.fallback}
    return titles


def _identify(g: Gathering, text: str) -> license_text.Identified:
    """A license text as the matcher reads it, else as its headings name a
    license of the library the matcher has no text for."""
    result = license_text.identify_text(text)
    if result.confident:
        return result
    titled = license_text.identify_title(text, _titles(g))
    # the matcher's regions stay as candidates: third-party texts the agreement carries
    return replace(titled, candidates=result.candidates) if titled.confident else result


def _license_from_texts(g: Gathering, name: str, dist: metadata.Distribution, component: FoundComponent, field: str,
                        origin: Location, evidence: list[Partial]) -> bool:
    """Settle `component` from the license files the distribution ships, else
    from a free-text License field (a license's name and version, or a
    whole license text), with `license_text`'s matcher, or by a title of the
    library's that heads the text. True when settled. A file or field the
    matcher reads below its threshold settles nothing: it is added to
    `evidence` (the caller names it, its candidates and score, unless it
    narrows a family classifier), and the classifiers decide."""
    folder = Path(str(getattr(dist, "_path", "")))
    files = [Path(p) for p in component.license_files if LICENSE_TEXT_NAMES.match(Path(p).name)]
    if files and license_text.available():
        found: list[tuple[str, license_text.Identified]] = []
        for path in files:
            # as the License-File entry names it (PEP 639 puts it under licenses/), or as RECORD does
            if path.is_relative_to(folder):
                shown = path.relative_to(folder).as_posix().removeprefix("licenses/")
            elif path.is_relative_to(folder.parent):
                shown = path.relative_to(folder.parent).as_posix()
            else:
                shown = path.name
            try:
                in_repo = path.resolve().is_relative_to(g.root.resolve())
                text = g.read_file(path, g.display(path), MAX_TEXT_BYTES, named=not in_repo)
            except SkippedFile as skipped:
                g.note("warning", "skipped-file", f"'{name}': license file {shown}: not read: {skipped.reason}", name,
                       Location(file=str(path)), hint=skipped.hint)
                found = []
                break
            except (OSError, RuntimeError) as err:
                g.note("warning", "skipped-file", f"'{name}': license file {shown}: not read: {err}", name, Location(file=str(path)))
                found = []
                break
            found.append((shown, _identify(g, text)))
        unsure = [(shown, result) for shown, result in found if not result.confident]
        for shown, result in unsure:
            evidence.append(Partial(f"license file {shown}", result, Location(file=next(str(p) for p in files if str(p).endswith(shown)))))
        if found and not unsure:
            ids = list(dict.fromkeys(i for _, result in found for i in result.ids))
            scores = [result.score for _, result in found if result.method == "text"]
            hows = ([f"matcher {min(scores):.0f}%"] if scores else []) + [r.describe() for _, r in found if r.method == "title"]
            shown_all = ", ".join(shown for shown, _ in found)
            what = f"license file{'s' if len(found) > 1 else ''} {shown_all}"
            where = Location(file=str(files[0]))
            component.declared = " AND ".join(ids)
            component.resolved_by = f"{what} ({', '.join(dict.fromkeys(hows))})"
            component.evidence = ", ".join(str(p) for p in files)
            component.license = g.license_text(component.declared, name, where, what)
            _cross_check(g, name, dist, component.license, what, where)
            for shown, result in found:
                if result.method == "title" and result.candidates:
                    g.note("note", "license-by-title",
                           f"'{name}': license file {shown} is named by its heading '{result.heading}'; the license texts the matcher "
                           f"also finds in it ({', '.join(result.candidates)}) are not added to it, as an agreement's third-party notices",
                           name, where, hint=f"if they cover '{name}' itself, not only components the agreement names, add an override")
            return True
    if not field or field.lower() in METADATA_PLACEHOLDERS:
        return False
    where = _metadata_origin(dist, "License")
    if "\n" not in field and len(field) <= MAX_LICENSE_FIELD:
        result = license_text.identify_name(field, dict(g.library.alias_index))
        how = f"License field '{field}'"
    elif license_text.available():
        result = _identify(g, field)
        how = "License field's text"
        if not result.confident:
            evidence.append(Partial("the License field's text", result, where))
    else:
        return False
    if not result.confident:
        return False
    component.declared = field
    component.resolved_by = f"{how} ({result.describe()})"
    component.evidence = str(where)
    component.license = g.license_text(result.expression, name, where, how)
    _cross_check(g, name, dist, component.license, how, where)
    return True


def _family_narrowed(g: Gathering, name: str, dist: metadata.Distribution, component: FoundComponent, field: str,
                     parsed: Expression, origin: Location) -> bool:
    """A License field that names a family ("BSD") leaves open which member
    applies; the license files the distribution ships usually say. True when
    they settle it to members of the families the field names (`component`
    then holds that); otherwise the field stands, and the answer names the
    open question."""
    families = [g.library.licenses[leaf.license] for leaf in parsed.leaves if g.library.licenses[leaf.license].is_family]
    if not families:
        return False
    trial = component.model_copy(deep=True)
    if not _license_from_texts(g, name, dist, trial, "", origin, []) or trial.license is None:
        return False
    members = {member for family in families for member in g.library.covered_by(family.id)}
    found = {leaf.license for leaf in g.library.parse_expression(trial.license).leaves}
    if not found <= members:
        return False
    titles = " and ".join(f"the {family.title}" for family in families)
    component.declared, component.license, component.evidence = field, trial.license, trial.evidence
    component.resolved_by = f"License field '{field}' ({titles}) narrowed by {trial.resolved_by}"
    return True


def _ambiguous_all(g: Gathering, name: str, evidence: list[Partial]) -> None:
    for part in evidence:
        _ambiguous(g, name, part.what, part.result, part.where)
    evidence.clear()


_ONE_TERM = re.compile(r"[A-Za-z0-9.+-]+(?::[A-Za-z0-9.+-]+)?")


def _one_unknown_term(g: Gathering, expression: str) -> bool:
    """Whether a License-Expression is one id (no operator) the library cannot read."""
    if not _ONE_TERM.fullmatch(expression.strip()):
        return False
    try:
        g.library.parse_expression(expression)
    except LicetError:
        return True
    return False


def _narrowed(g: Gathering, name: str, dist: metadata.Distribution, candidates: tuple[str, ...],
              evidence: list[Partial]) -> tuple[str, str, bool] | None:
    """The one license of a family classifier's `candidates` that the
    distribution's other evidence names, how, and whether it was its license
    texts; None when no evidence names exactly one of them. Evidence: the
    license texts the matcher read below its threshold, when the only license
    text found in all of them is one candidate, whole (the matcher finds
    whole license texts only; the rest is other prose); else the SBOM the
    distribution ships (PEP 770), when the components it lists under the
    distribution's own name all declare the same one candidate."""
    allowed = {g.library.canonical_id(c) or c: c for c in candidates}
    seen = {g.library.canonical_id(i) or i for part in evidence for i in part.result.candidates}
    if evidence and len(seen) == 1 and all(part.result.candidates for part in evidence):
        (only,) = seen
        if only in allowed:
            parts = ", ".join(f"{part.what} (a whole {only} text, matcher {part.result.score:.0f}%)" for part in evidence)
            return only, parts, True
    declared = _sbom_licenses(g, name, dist)
    if declared:
        expressions = {g.library.canonical_id(e) or e for e, _ in declared}
        if len(expressions) == 1:
            (only,) = expressions
            if only in allowed:
                where = "; ".join(dict.fromkeys(w for _, w in declared))
                return only, f"its SBOM ({where}: {only})", False
    return None


MAX_SBOM_FILES = 8


def _sbom_licenses(g: Gathering, name: str, dist: metadata.Distribution) -> list[tuple[str, str]]:
    """The licenses the SBOMs a distribution ships in .dist-info/sboms/ (PEP
    770; CycloneDX or SPDX JSON) declare for components named as the
    distribution is: (expression, 'file, component name version')."""
    folder = Path(str(getattr(dist, "_path", ""))) / "sboms"
    if not folder.is_dir():
        return []
    out: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.json"))[:MAX_SBOM_FILES]:
        try:
            in_repo = path.resolve().is_relative_to(g.root.resolve())
            data = json.loads(g.read_file(path, g.display(path), MAX_DOCUMENT_BYTES, named=not in_repo))
        except (SkippedFile, OSError, RuntimeError, ValueError, RecursionError):
            continue  # an SBOM is extra evidence: one that cannot be read adds none
        shown = f"sboms/{path.name}"
        for component, expression in _sbom_components(data):
            if normalize(str(component.get("name", ""))) == normalize(name):
                label = " ".join(str(component.get(k)) for k in ("name", "version", "versionInfo") if component.get(k))
                out.append((expression, f"{shown}, component {label}"))
    return out


def _sbom_components(data: object) -> list[tuple[dict[str, object], str]]:
    """(component, declared license expression) of a CycloneDX or SPDX JSON document."""
    out: list[tuple[dict[str, object], str]] = []
    if not isinstance(data, dict):
        return out
    if isinstance(data.get("packages"), list):  # SPDX
        for package in data["packages"]:
            # SPDX's "no assertion" and "none" are license ids of the library too: no family lists them
            declared = package.get("licenseDeclared") if isinstance(package, dict) else None
            if isinstance(declared, str) and declared.strip():
                out.append((package, declared))
        return out
    stack: list[object] = [data.get("components"), (data.get("metadata") or {}).get("component") if isinstance(data.get("metadata"), dict) else None]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        stack.append(item.get("components"))
        for choice in item.get("licenses") or []:
            if not isinstance(choice, dict):
                continue
            if isinstance(choice.get("expression"), str):
                out.append((item, " ".join(choice["expression"].split())))
            elif isinstance(choice.get("license"), dict) and isinstance(choice["license"].get("id"), str):
                out.append((item, choice["license"]["id"]))
    return out


def _ambiguous(g: Gathering, name: str, what: str, result: license_text.Identified, where: Location) -> None:
    if result.candidates:
        seen = f"the matcher's best candidates are {', '.join(result.candidates)}, covering {result.score:.0f}% of it"
    else:
        seen = "the matcher recognises no license text in it"
    g.note("warning", "ambiguous-license",
           f"'{name}': {what}: {seen}, under the {license_text.THRESHOLD:.0f}% it needs to name a license; not read as one",
           name, where, hint=f"read the file and add an override for '{name}' to the policy with the license it states")


def _cross_check(g: Gathering, name: str, dist: metadata.Distribution, license: str, what: str, where: Location) -> None:
    """A note when the license read from a text shares no id with what the
    distribution's trove classifiers name (one license, or a family's candidates)."""
    classifiers = [c for c in dist.metadata.get_all("Classifier") or [] if c.startswith("License ::")]
    said: set[str] = set()
    for classifier in classifiers:
        entry = g.registry.classifier(classifier)
        if entry is not None:
            said |= {entry.license} if entry.license else set(entry.candidates)
    said = {g.library.canonical_id(i) or i for i in said}
    try:
        read = {leaf.license for leaf in g.library.parse_expression(license).leaves}
    except LicetError:
        return
    read.discard(g.library.fallback or "")
    if said and read and not read & said:
        g.note("warning", "license-disagreement",
               f"'{name}': {what} reads as {license}, but its classifiers say {'; '.join(classifiers)}; {license} is used",
               name, where, hint=f"check which applies; an override for '{name}' in the policy settles it")


# ---------------------------------------------------------------- the reader


def read_python(g: Gathering, target: str, relation: str) -> int:
    """Add the repository's Python dependencies under `target`; the count added."""
    settings = g.policy.policy.python
    if not settings.enabled:
        return 0
    named = _named_by_files(g)
    direct = _declared_dependencies(g)
    if named is None and not direct and not g.policy.pyproject_file:
        return 0
    if named is None and not direct and "dependencies" not in (g.policy.project.get("dynamic") or []):
        # [project] declares its dependencies, and there are none: the interpreter's
        # other packages are not the project's (only dynamic dependencies, which
        # setup.py computes, are looked for in the environment)
        return 0
    dists, refused = installed(environment_paths(g.root, settings.environment), g)
    for skipped in refused:
        if named is None and not direct:  # every distribution counts: what it declares stands as unknown terms
            g.skip(skipped, "declares")
        else:
            g.note("warning", "skipped-file", f"{skipped.display}: not read: {skipped.reason}; the distribution counts as not installed",
                   origin=Location(file=skipped.display), hint=skipped.hint)
    own = normalize(g.policy.project.get("name", "")) if g.policy.project.get("name") else None
    missing: list[Named] = []
    if named is not None:
        chosen = [n for n in named if n.name != own]
    elif direct:
        chosen, missing = _closure(direct, dists)
    else:
        chosen = [Named(name, Location(file=str(getattr(d, "_path", name)))) for name, d in sorted(dists.items()) if name != own]
    seen: set[str] = set()
    for item in chosen:
        if item.name in seen:
            continue
        seen.add(item.name)
        override = g.policy.policy.overrides.get(item.name)
        dist = dists.get(item.name)
        if override is not None:
            origin = g.policy.locate("overrides", item.name, "license") or item.origin
            g.add(FoundComponent(name=item.name, kind=override.kind or "code", license=override.license, declared=override.license,
                                 resolved_by="override", origin=origin, evidence=override.reason))
        elif dist is None:
            missing.append(item)
            continue
        else:
            g.add(dist_license(g, item.name, dist, item.origin))
        g.relate(target, relation, item.name)
    for item in missing:
        if item.name in g.components:
            continue
        g.add(FoundComponent(name=item.name, kind="code", origin=item.origin))
        g.relate(target, relation, item.name)
        g.note("warning", "not-installed", f"'{item.name}' is named but not installed in the scanned environment; its license is unknown",
               item.name, item.origin, hint="install the project's dependencies first, or set python.environment in the policy")
    return len(seen)


def _named_by_files(g: Gathering) -> list[Named] | None:
    settings = g.policy.policy.python
    files: Iterable[Path]
    if settings.requirements is not None:
        # each is read only if it stays inside the folder (`Gathering.read_file`), else reported
        files = [g.root / f for f in settings.requirements]
        for path in files:
            if not exists(path):
                raise ScanError(f"requirements file '{path.name}' not found", code="licet.scan.not-found", file=g.policy.file,
                                hint="python.requirements lists files relative to the repository")
    else:
        files = sorted(g.root.glob("requirements*.txt")) + [g.root / f for f in LOCK_FILES if exists(g.root / f)]
    files = list(files)
    if not files:
        return None
    out: list[Named] = []
    own_name = g.policy.project.get("name")
    for path in files:
        display = g.display(path)
        lock = path.name in LOCK_FILES
        try:
            text = g.read_file(path, display, MAX_DOCUMENT_BYTES if lock else MAX_TEXT_BYTES)
        except SkippedFile as skipped:
            g.skip(skipped, "names")
            continue
        g.read(path, display, text)
        if lock:
            out += named_in_lock(g, display, text, own_name)
        else:
            out += named_in_requirements(g, path, display, text)
    return out
