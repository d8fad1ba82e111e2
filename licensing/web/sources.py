"""Where a question on the page starts: an example, an uploaded file (a
scenario, a model or dataset card, an SBOM) or a pasted Hugging Face id.

Each becomes a scenario in its file format, read by the same code as the
command line: `read_scenario_text` for scenarios, `licensing.repo` (the
readers of `licet scan`) for cards and SBOMs, the shipped registry for Hub ids
(offline). Nothing a request carries names a file on the server: examples are
looked up by name among those found at start, and an upload is written under
a name the server picks, in a fresh temporary folder that is removed after.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine import Engine
from ..errors import LicetError, ScenarioError
from ..inputs import MAX_FILE_BYTES, check_text_size, size_text
from ..library import Library
from ..location import Location
from ..paths import examples_dir
from ..repo.cards import CardReader, has_front_matter, hub_id, parse_card
from ..repo.gather import Gathering, ScanNote
from ..repo.policy import LoadedPolicy, Policy
from ..repo.sbom import sbom_format
from ..repo.scan import CARD_KEYS, build_scenario
from ..scenario import Scenario, read_scenario_text, scenario_to_dict
from ..verdict import Verdict
from .edit import rename_component

# What a file is named in messages when its name is missing or unprintable.
UPLOAD_NAME = "upload"
MAX_SHOWN_NAME = 100


class UploadError(ScenarioError):
    default_code = "licet.web.upload"


@dataclass(frozen=True)
class Example:
    name: str  # the file's stem: how the page asks for it
    display: str  # examples/<file>: how `licet check` names it, run from a checkout
    title: str
    text: str


def _title(text: str, fallback: str) -> str:
    """The example's opening comment, as one sentence."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines).strip() or fallback


def find_examples(folder: Path | None = None) -> dict[str, Example]:
    """The example scenarios shipped with licet, by name."""
    folder = folder or examples_dir()
    out: dict[str, Example] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        out[path.stem] = Example(path.stem, f"examples/{path.name}", _title(text, path.stem), text)
    return out


@dataclass
class Loaded:
    """A question read from a source, ready for the composer."""

    kind: str  # scenario, card, sbom, hub
    scenario: dict[str, Any]
    name: str  # how errors and the answer name it
    text: str | None = None  # for a scenario file: its text, checked as it is until the question is changed
    notes: list[ScanNote] = field(default_factory=list)
    target: str | None = None
    # a card or SBOM checked as `licet scan` checks it, when an engine was given
    checked: Scenario | None = None
    verdict: Verdict | None = None
    engine_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "scenario": self.scenario,
            "name": self.name,
            "yaml": self.text,
            "target": self.target,
            "notes": [note.model_dump(mode="json", exclude_none=True) for note in self.notes],
        }


def shown_name(filename: str | None) -> str:
    """An uploaded file's name as messages show it: its last part, printable
    characters only, shortened. Only ever shown, never used as a path."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(base) > MAX_SHOWN_NAME:
        base = base[: MAX_SHOWN_NAME - 1] + "…"
    return base or UPLOAD_NAME


def read_upload(data: bytes, filename: str | None, library: Library, engine: Engine | None = None) -> Loaded:
    """An uploaded scenario (YAML or JSON), model or dataset card (README.md
    with front matter) or SBOM (CycloneDX or SPDX JSON), as a question. With
    `engine`, a card or SBOM is also checked, as `licet scan FILE` checks it."""
    display = shown_name(filename)
    if len(data) > MAX_FILE_BYTES:
        raise UploadError(f"the file is larger than {size_text(MAX_FILE_BYTES)}", code="licet.web.too-large", file=display,
                          hint="licet reads inputs up to that size; split the input")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise UploadError(f"cannot read the file: not UTF-8 text ({err.reason})", file=display, line=line,
                          hint="upload a scenario (YAML or JSON), a model card (README.md) or an SBOM (CycloneDX or SPDX JSON)") from None
    check_text_size(text, UploadError, display, what="file")
    sbom = sbom_format(text)
    if sbom is not None:
        return _scanned("sbom", text, display, "sbom.json", library, engine)
    if has_front_matter(text) and _is_card(text, display):
        return _scanned("card", text, display, "README.md", library, engine)
    scenario, _ = read_scenario_text(text, display)
    return Loaded("scenario", scenario_to_dict(scenario), display, text=text, target=scenario.use.target)


def _is_card(text: str, display: str) -> bool:
    """Whether the text is a model or dataset card: front matter with a key
    cards carry. Front matter that does not parse is the card's error."""
    return bool(set(parse_card(text, display).data) & CARD_KEYS)


def _scanned(kind: str, text: str, display: str, filename: str, library: Library, engine: Engine | None) -> Loaded:
    """A card or SBOM read by `licet scan`'s readers (and checked, with an
    engine), from a copy the server names in a folder of its own; the paths in
    what they say are the upload's name."""
    verdict = None
    engine_ms = 0.0
    with tempfile.TemporaryDirectory(prefix="licet-upload-") as folder:
        root = Path(folder) / UPLOAD_NAME
        root.mkdir()
        path = root / filename
        path.write_text(text, encoding="utf-8")
        prefixes = [(f"{root.as_posix()}/{filename}", display), (f"{root.as_posix()}/", ""), (root.as_posix(), display)]
        try:
            gathering, scenario, source = build_scenario(path, library=library)
            if engine is not None:
                started = time.perf_counter()
                verdict = engine.check(scenario, source=source, name=display)
                engine_ms = (time.perf_counter() - started) * 1000
        except LicetError as err:
            raise _renamed_error(err, prefixes) from None
    if verdict is not None:
        verdict = Verdict.model_validate_json(_replace(verdict.model_dump_json(), prefixes) or "")
    data = scenario_to_dict(scenario)
    target = gathering.target or scenario.use.target
    notes = [_renamed_note(note, prefixes) for note in gathering.notes]
    if kind == "card" and target == UPLOAD_NAME:
        # the scan names a card's model after its folder, which here is the server's: name it after the upload instead
        wanted = _component_name(display, "dataset" if scenario.components[target].kind == "data" else "model", set(data["components"]))
        data = rename_component(data, target, wanted)
        notes = [note.model_copy(update={"component": wanted if note.component == target else note.component,
                                         "message": note.message.replace(f"'{target}'", f"'{wanted}'")}) for note in notes]
        if verdict is not None:
            verdict = None  # the names changed: the question is checked again under them
        target = wanted
    checked = scenario if verdict is not None else None
    return Loaded(kind, data, display, notes=notes, target=target, checked=checked, verdict=verdict, engine_ms=engine_ms)


def _component_name(display: str, fallback: str, taken: set[str]) -> str:
    stem = display.rsplit(".", 1)[0] if "." in display else display
    name = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-.")
    if not name or name in ("readme", UPLOAD_NAME) or name in taken:
        name = fallback
    while name in taken:
        name += "-card"
    return name


def _replace(text: str | None, prefixes: list[tuple[str, str]]) -> str | None:
    if text is None:
        return None
    for old, new in prefixes:
        text = text.replace(old, new)
    return text


def _renamed_note(note: ScanNote, prefixes: list[tuple[str, str]]) -> ScanNote:
    origin = note.origin
    if origin is not None:
        origin = Location(file=_replace(origin.file, prefixes) or "", line=origin.line, column=origin.column)
    return note.model_copy(update={"message": _replace(note.message, prefixes), "hint": _replace(note.hint, prefixes), "origin": origin})


def _renamed_error(err: LicetError, prefixes: list[tuple[str, str]]) -> LicetError:
    for error in err.errors:
        error.file = _replace(error.file, prefixes)
        error.message = _replace(error.message, prefixes) or ""
        error.hint = _replace(error.hint, prefixes)
    return err


# ---------------------------------------------------------------- Hugging Face ids


def resolve_hub(text: str, library: Library) -> Loaded:
    """A pasted Hugging Face model id (or `datasets/org/name`), resolved as
    `licet scan` resolves a card's `base_model`, offline: the shipped
    registry, its mirrors, cards already in the local Hugging Face cache, and
    the base models they name in turn."""
    repo = text.strip().removeprefix("https://huggingface.co/").strip("/")
    repo_type = "model"
    if repo.startswith("datasets/"):
        repo, repo_type = repo.removeprefix("datasets/"), "dataset"
    valid = hub_id(repo)
    if valid is None:
        raise ScenarioError(f"'{shown_name(text)}' is not a Hugging Face repo id", code="licet.web.hub-id", file="Hugging Face id",
                            hint="paste an id such as org/model-name (or datasets/org/name for a dataset)")
    with tempfile.TemporaryDirectory(prefix="licet-hub-") as folder:
        gathering = Gathering(Path(folder), "", library, LoadedPolicy(Policy(), None))
        CardReader(gathering).resolve(valid, repo_type, Location(file="Hugging Face id"), 0)
    components: dict[str, Any] = {}
    for found in gathering.components.values():
        entry: dict[str, Any] = {"kind": found.kind}
        license_text = found.license if found.license is not None else library.fallback
        if license_text is not None:
            entry["license"] = license_text
        if found.evidence:
            entry["description"] = f"{found.resolved_by}: {found.evidence}"
        entry.update({relation: list(targets) for relation, targets in found.relations.items()})
        components[found.name] = entry
    return Loaded("hub", {"components": components}, valid, notes=list(gathering.notes), target=valid)


__all__ = ["Example", "Loaded", "UploadError", "find_examples", "read_upload", "resolve_hub", "shown_name"]
