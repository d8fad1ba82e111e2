"""Hugging Face model and dataset cards: the YAML front matter of README.md.

The front matter is found as huggingface_hub finds it and read with licet's
one YAML loader, so every key and list item keeps its file line: findings can
point at `license:` or at the `base_model:` entry. `base_model` and `datasets`
ids resolve to licenses, in order, through the policy's overrides, cards on
disk (the policy's card folders, then the local Hugging Face cache), the
registry in rules/registry/huggingface.yaml (then the local registry cache
`licet registry refresh` writes), and with `online` the Hub API. An
id that resolves nowhere becomes a component with no license, and a note says so.

A card's `license:` may be a list: every license in it applies to the work
(AND), each read at its own line; an id licet cannot read is the library's
fallback license (terms unknown) in its place, with a note at that line, and the ids it can
read are still checked (`Gathering.license_text`). That holds for the
repository's own card too: an unreadable license is never "no license".

huggingface_hub is imported only where it is needed (the local cache, the Hub
API), so reading a card does not load it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from ..errors import source_line
from ..location import Location
from ..scenario import load_yaml
from ..scenario.load import Positions
from .files import (
    MAX_TEXT_BYTES,
    ScanError,
    SkippedFile,
    exists,
    json_type,
    read_inside,
)
from .gather import FoundComponent, Gathering
from .policy import missing_dependency
from .registry import HubEntry, MirrorMatch

# base_model_relation values (Hub docs); each makes the card's model a
# derivative of its base in the sense of our `derived-from` relation.
BASE_MODEL_RELATIONS = {"adapter", "merge", "quantized", "finetune"}
# Keys only dataset cards carry (the Hub's dataset card metadata).
DATASET_KEYS = {"task_categories", "task_ids", "size_categories", "configs", "dataset_info", "source_datasets",
                "annotations_creators", "language_creators", "multilinguality", "pretty_name"}
MODEL_KEYS = {"base_model", "pipeline_tag", "library_name", "model-index", "model_name"}
MAX_DEPTH = 8  # a chain of fine-tunes longer than this is cut, with a note

# The front matter block as huggingface_hub's REGEX_YAML_BLOCK finds it: at the
# start of the text (blank lines before it allowed), any line ending.
FRONT_MATTER = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
CARD_YAML_HINT = "the block between the two '---' lines must be YAML"
# A Hugging Face repo id: `name` or `owner/name`, of ASCII letters, digits, `.`, `_`
# and `-`, at most 96 characters a part, no part starting or ending with `.` or
# `-`, no `--` or `..`, not ending in `.git` (huggingface_hub's validate_repo_id,
# restricted to ASCII). Only such an id is looked up anywhere: as a path on disk
# it cannot lead out of a card folder (`../x`, `/etc/...`), and huggingface_hub
# never sees a value it would refuse.
_HUB_PART = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?"
_HUB_ID = re.compile(rf"(?:{_HUB_PART}/)?{_HUB_PART}")
MAX_ID_SHOWN = 80  # an invalid id is named by its first characters
HUB_ID_HINT = ("a Hub id is `name` or `owner/name`: letters, digits, '.', '_' and '-', at most 96 characters each, "
               "e.g. base_model: meta-llama/Llama-2-7b-hf")


def hub_id(value: object) -> str | None:
    """`value` if it is a valid Hugging Face repo id, else None."""
    if not isinstance(value, str) or not _HUB_ID.fullmatch(value):
        return None
    if "--" in value or ".." in value or value.endswith(".git"):
        return None
    return value


class HubApi(Protocol):
    """The part of huggingface_hub.HfApi that `--online` uses."""

    def model_info(self, repo_id: str) -> Any: ...
    def dataset_info(self, repo_id: str) -> Any: ...


def default_hub_api() -> HubApi:
    """huggingface_hub's HfApi, for `--online`."""
    try:  # imported here: only --online needs it
        from huggingface_hub import HfApi
    except ImportError:
        raise missing_dependency("huggingface_hub", "the Hugging Face Hub (--online)") from None
    return HfApi()


@dataclass(frozen=True)
class Card:
    """A card's front matter: its data, and where each key, item and value was written."""

    data: dict[str, Any]
    text: str
    display: str
    positions: Positions = field(default_factory=dict)  # (key,), (key, index), … → (line, column) of keys and list items
    values: Positions = field(default_factory=dict)  # (key,), (key, index) → (line, column) of a top-level key's plain values

    @property
    def kind(self) -> str:
        keys = set(self.data)
        if keys & DATASET_KEYS and not keys & MODEL_KEYS:
            return "data"
        return "weights"

    def _at(self, position: tuple[int, int] | None) -> Location:
        line, column = position or (1, 1)
        return Location(file=self.display, line=line, column=column)

    def key_origin(self, key: str) -> Location:
        """Where a top-level key of the front matter is written (line 1 when it is not)."""
        return self._at(self.positions.get((key,)))

    def entry_origin(self, key: str, index: int | None) -> Location:
        """Where entry `index` of a key's list (None: the key's one value) is written."""
        position = self.values.get((key,) if index is None else (key, str(index)))
        return self._at(position) if position else self.key_origin(key)

    def item_origin(self, key: str, value: str) -> Location:
        """Where one entry of a key's value is written (a list item or the value itself)."""
        items = self.data.get(key)
        if isinstance(items, list):
            index = next((i for i, item in enumerate(items) if str(item) == value), None)
            position = self.values.get((key, str(index))) if index is not None else None
        else:
            position = self.values.get((key,))
        return self._at(position) if position else self.key_origin(key)

    def license(self) -> tuple[str | None, Location]:
        """The declared license as written, for display: `license` (a list
        joined with AND), or `license_name` when it is `other`."""
        items, origin = self.licenses()
        if not items:
            return None, origin
        if len(items) == 1:
            return items[0][0], origin
        return " AND ".join(f"({text})" if " " in text.strip() else text for text, _ in items), origin

    def licenses(self) -> tuple[list[tuple[str, Location]], Location]:
        """Each license the card declares, at its own line, and where the key is.

        `license` is one id or a list; a list means all its licenses apply to
        the work together (AND), never a choice. An entry `other` stands for
        `license_name` when the card gives one (as huggingface_hub reads it)."""
        value = self.data.get("license")
        name = self.data.get("license_name")
        key = "license"
        if value is None or (isinstance(value, str) and value.lower() == "other" and name):
            if not name:
                return [], self.key_origin("license")
            return [(str(name), self.item_origin("license_name", str(name)))], self.key_origin("license_name")
        entries = [str(v) for v in value if v is not None] if isinstance(value, list) else [str(value)]
        items: list[tuple[str, Location]] = []
        for entry in entries:
            if entry.lower() == "other" and name:
                items.append((str(name), self.item_origin("license_name", str(name))))
            else:
                items.append((entry, self.item_origin(key, entry)))
        return items, self.key_origin(key)


def has_front_matter(text: str) -> bool:
    # blank lines may come first: huggingface_hub's metadata pattern starts with \s*---
    return text.lstrip("\ufeff").lstrip().startswith("---")


def parse_card(text: str, display: str) -> Card:
    """Read the front matter: a YAML mapping (nothing: no data); errors point into the file."""
    found = FRONT_MATTER.search(text) if has_front_matter(text) else None
    if found is None:
        return Card({}, text, display)
    block = found.group(2)
    first_line = len(_LINE_BREAK.findall(text, 0, found.start(2))) + 1
    try:
        document = load_yaml(block, display, error=ScanError, first_line=first_line, hint=CARD_YAML_HINT)
    except ScanError as err:
        line, column = _within_block(block, first_line, err.line, err.column)
        raise ScanError(
            f"the card's YAML front matter does not parse: {err.message.removeprefix('not valid YAML: ')}",
            code=err.code,
            file=display,
            line=line,
            column=column,
            text=source_line(text, line) if line else None,
            hint=CARD_YAML_HINT,
        ) from None
    data = {} if document.data is None else document.data
    if not isinstance(data, dict):
        raise ScanError("the card's front matter cannot be read: repo card metadata block should be a dict", code="licet.scan.not-a-mapping",
                        file=display, line=1, hint="the block between the two '---' lines must be a YAML mapping")
    # keys without a value are left out, as huggingface_hub's CardData.to_dict does
    data = {key: value for key, value in data.items() if value is not None}
    return Card(data, text, display, document.positions, _value_positions(document.node, first_line))


def _within_block(block: str, first_line: int, line: int | None, column: int | None) -> tuple[int | None, int | None]:
    """An error at the end of the block (an unclosed bracket or quote), put at
    the end of its last written line rather than on the closing `---`."""
    lines = _LINE_BREAK.split(block)
    written = [number for number, content in enumerate(lines, first_line) if content.strip()]
    if line is None or not written or line <= written[-1]:
        return line, column
    return written[-1], len(lines[written[-1] - first_line]) + 1


def _value_positions(node: yaml.Node | None, first_line: int) -> Positions:
    """Where each scalar value of a top-level key, or of its list, starts."""
    out: Positions = {}

    def at(value: yaml.Node, path: tuple[str, ...]) -> None:
        if isinstance(value, yaml.ScalarNode):
            quoted = 1 if value.style in ("'", '"') else 0  # the value itself, not its opening quote
            out[path] = (value.start_mark.line + first_line, value.start_mark.column + 1 + quoted)

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            at(value, (str(key.value),))
            if isinstance(value, yaml.SequenceNode):
                for index, item in enumerate(value.value):
                    at(item, (str(key.value), str(index)))
    return out


def read_card_file(path: Path, display: str, root: Path | None) -> Card:
    """A card on disk: inside `root` only (anywhere when None: the local
    Hugging Face cache), a regular file of at most 1 MiB (`SkippedFile` else)."""
    return parse_card(read_inside(path, display, root=root, limit=MAX_TEXT_BYTES), display)


def _entries(value: Any) -> list[tuple[int | None, Any]]:
    """The entries of `base_model` or `datasets` (one id or a list), as written,
    with their index in the list (None for a single value); null entries are
    left out, as huggingface_hub leaves out null keys."""
    if value is None:
        return []
    if isinstance(value, list):
        return [(index, item) for index, item in enumerate(value) if item is not None]
    return [(None, value)]


def shown_id(value: Any) -> str:
    """An entry that is not a Hub id, as a name for its component: printable,
    one line, at most `MAX_ID_SHOWN` characters; never empty."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    if len(text) > MAX_ID_SHOWN:
        text = text[: MAX_ID_SHOWN - 1] + "…"
    return text or "(empty)"


class CardReader:
    """Adds a card's component and, through its ids, its upstream components."""

    def __init__(self, gathering: Gathering, *, online: HubApi | None = None) -> None:
        self.g = gathering
        self.online = online
        self._folders_refused: set[str] = set()

    # ------------------------------------------------------------ the repo's own card

    def read_target(self, card: Card, name: str, kind: str | None) -> FoundComponent:
        declared, origin = card.license()
        component = FoundComponent(name=name, kind=kind or card.kind, declared=declared, origin=origin, resolved_by="card")
        if declared is not None:
            component.license = self.g.license_list(card.licenses()[0], name, "the card's license", component)
        else:
            self.g.note("warning", "missing-license", f"'{name}': the card declares no license", name, origin,
                        hint="add `license:` to the card's front matter")
        self.g.add(component)
        self.upstream(card, name, 0)
        return component

    def upstream(self, card: Card, name: str, depth: int) -> None:
        relation = str(card.data.get("base_model_relation") or "").lower()
        if relation and relation not in BASE_MODEL_RELATIONS:
            self.g.note("note", "unknown-relation", f"'{name}': base_model_relation '{relation}' is not one the Hub defines; read as derived-from",
                        name, card.key_origin("base_model_relation"))
        keys = [("base_model", "model", "derived-from")] + ([("datasets", "dataset", "trained-on")] if card.kind == "weights" else [])
        for key, repo_type, relation in keys:
            for index, entry in _entries(card.data.get(key)):
                valid = hub_id(str(entry) if isinstance(entry, int) and not isinstance(entry, bool) else entry)
                origin = card.entry_origin(key, index)
                if valid is None:
                    upstream = self.not_an_id(entry, key, repo_type, origin)
                else:
                    upstream = self.resolve(valid, repo_type, origin, depth + 1)
                self.g.relate(name, relation, upstream)

    # ------------------------------------------------------------ ids

    def not_an_id(self, entry: Any, key: str, repo_type: str, origin: Location) -> str:
        """An entry of `base_model` or `datasets` that is not a Hub repo id (a
        mapping, a path, words with spaces...): looked up nowhere, not even in
        huggingface_hub. It stands as a component whose terms are unknown, with
        a note at its line, unless the policy overrides it by that very text."""
        kind = "data" if repo_type == "dataset" else "weights"
        if isinstance(entry, str) and entry in self.g.policy.policy.overrides:
            if entry not in self.g.components:
                self._override(entry, kind)
            return entry
        name = shown_id(entry)
        if name in self.g.components:
            return name
        what = (f"'{name}'" if entry else "an empty string") if isinstance(entry, str) else f"{name} ({json_type(entry, 'a mapping')})"
        self.g.add(FoundComponent(name=name, kind=kind, license=self.g.unknown_terms, resolved_by="not a Hub id", origin=origin,
                                  evidence=f"{key} entry that is not a Hub repo id"))
        self.g.note("warning", "invalid-id", f"{key}: {what} is not a Hugging Face repo id, so licet cannot look it up; its terms are "
                    f"treated as unknown ({self.g.unknown_terms})", name, origin,
                    hint=HUB_ID_HINT + "; or add an override for it to the policy")
        return name

    def resolve(self, repo_id: str, repo_type: str, origin: Location, depth: int) -> str:
        """Add the component for a Hub id (once) and return its name."""
        if repo_id in self.g.components:
            return repo_id
        kind = "data" if repo_type == "dataset" else "weights"
        override = self.g.policy.policy.overrides.get(repo_id)
        if override is not None:
            self._override(repo_id, kind)
            return repo_id
        if depth > MAX_DEPTH:
            self.g.note("warning", "unresolved-license", f"'{repo_id}': the chain of base models is longer than {MAX_DEPTH}; not followed",
                        repo_id, origin)
            self.g.add(FoundComponent(name=repo_id, kind=kind, origin=origin))
            return repo_id
        on_disk = self._card_on_disk(repo_id, repo_type)
        if on_disk is not None:
            card_path, card_display, how = on_disk
            try:
                parsed = read_card_file(card_path, card_display, self.g.root if how == "card folder" else None)
            except SkippedFile as skipped:
                self.g.add(FoundComponent(name=repo_id, kind=kind, resolved_by="not read", origin=origin, evidence=skipped.reason))
                self.g.note("warning", "skipped-file", f"'{repo_id}': its card {card_display} is not read: {skipped.reason}; "
                            "its terms are treated as unknown", repo_id, origin, hint=skipped.hint)
                return repo_id
            self.g.read(card_path, card_display, parsed.text)
            self._from_card(repo_id, kind, parsed, how, depth)
            return repo_id
        registry = self.g.registry
        found = registry.resolve(repo_id, kind, mirrors=repo_type == "model")
        if isinstance(found, HubEntry):
            self.g.add(FoundComponent(
                name=repo_id, kind=found.kind, license=found.license, declared=found.license,
                resolved_by="registry cache" if registry.in_cache(found) else "registry",
                origin=origin, evidence=f"{found.file or registry.hub_file}:{found.line} ({found.source})",
            ))
            return repo_id
        if isinstance(found, MirrorMatch):
            upstream = found.upstream
            self.g.add(FoundComponent(
                name=repo_id, kind=upstream.kind, license=upstream.license, declared=upstream.license,
                resolved_by="registry cache (mirror)" if registry.in_cache(upstream) else "registry (mirror)",
                origin=origin, evidence=f"{found.mirror.file or registry.hub_file}:{found.mirror.line} ({found.mirror.source})",
            ))
            self.g.note("note", "mirror", f"'{repo_id}': {found.mirror.org} republishes upstream models under their license; read as "
                        f"'{found.name}', which matches {upstream.id or upstream.pattern} ({upstream.license}, {upstream.source})",
                        repo_id, origin, hint="if this copy is not what it seems, add an override for it to the policy")
            return repo_id
        if self.online is not None:
            data = self._from_hub(repo_id, repo_type, origin)
            if data is not None:
                hub_card = Card(data, "", f"https://huggingface.co/{'datasets/' if repo_type == 'dataset' else ''}{repo_id}")
                self._from_card(repo_id, kind, hub_card, "hub api", depth, origin)
                return repo_id
        self.g.add(FoundComponent(name=repo_id, kind=kind, origin=origin))
        self.g.note(
            "warning",
            "unresolved-license",
            f"'{repo_id}' resolves nowhere: no override, no card on disk, not in the registry"
            + ("" if self.online is not None else ", and --online was not given") + "; its terms are treated as unknown",
            repo_id,
            origin,
            hint="add an override to the policy (`licet init` shows where), put its card in a card folder, or run with --online",
        )
        return repo_id

    def _override(self, repo_id: str, kind: str) -> None:
        override = self.g.policy.policy.overrides[repo_id]
        origin = self.g.policy.locate("overrides", repo_id, "license")
        self.g.add(FoundComponent(
            name=repo_id, kind=override.kind or kind, license=override.license, declared=override.license,
            resolved_by="override", origin=origin, evidence=override.reason,
        ))

    def _from_card(self, repo_id: str, kind: str, card: Card, how: str, depth: int, origin: Location | None = None) -> None:
        declared, in_card = card.license()
        where: Location | None = in_card if card.text else origin  # a Hub answer has no lines
        component = FoundComponent(name=repo_id, kind=kind, declared=declared, resolved_by=how, origin=where, evidence=card.display)
        if declared is not None:
            items = card.licenses()[0] if card.text else [(text, where) for text, _ in card.licenses()[0]]
            component.license = self.g.license_list(items, repo_id, "its card's license", component)
        else:
            self.g.note("warning", "missing-license", f"'{repo_id}': its card declares no license; its terms are treated as unknown",
                        repo_id, where)
        self.g.add(component)
        self.upstream(card, repo_id, depth)

    def _card_on_disk(self, repo_id: str, repo_type: str) -> tuple[Path, str, str] | None:
        if hub_id(repo_id) is None:
            return None  # not a Hub id: no card on disk has its name
        for folder in self.g.policy.policy.cards:
            base = self.g.root / folder
            why = self.g.outside(base)
            if why is not None:
                self._refuse_folder(folder, why)
                continue
            for candidate in (base / repo_id / "README.md", base / repo_id.replace("/", "--") / "README.md"):
                if exists(candidate):
                    return candidate, self.g.display(candidate), "card folder"
        try:
            from huggingface_hub import try_to_load_from_cache
        except ImportError:  # without the scan extra there is no Hugging Face cache to read
            return None
        try:
            cached = try_to_load_from_cache(repo_id, "README.md", repo_type=repo_type)
        except Exception:  # noqa: BLE001 - an id huggingface_hub refuses has no card in its cache
            return None
        if isinstance(cached, str) and exists(Path(cached)):
            return Path(cached), cached, "hf cache"
        return None

    def _refuse_folder(self, folder: str, why: str) -> None:
        """A `cards` folder of the policy that leads out of the scanned folder: not read, said once."""
        if folder in self._folders_refused:
            return
        self._folders_refused.add(folder)
        self.g.note("warning", "skipped-file", f"the card folder '{folder}' is not read: {why}; "
                    "the ids it would resolve are resolved otherwise, or their terms are unknown", origin=self.g.policy.locate("cards"),
                    hint="card folders are read only inside the scanned folder; copy the cards into it")

    def _from_hub(self, repo_id: str, repo_type: str, origin: Location) -> dict[str, Any] | None:
        assert self.online is not None
        if hub_id(repo_id) is None:
            return None  # never handed to the Hub API
        try:
            info = self.online.dataset_info(repo_id) if repo_type == "dataset" else self.online.model_info(repo_id)
        except Exception as err:  # noqa: BLE001 - any Hub failure (offline, gated, missing) leaves the id unresolved
            self.g.note("warning", "hub-error", f"'{repo_id}': the Hub API did not answer ({type(err).__name__}: {err})",
                        repo_id, origin)
            return None
        card_data = getattr(info, "card_data", None) or getattr(info, "cardData", None)
        if card_data is None:
            return {}
        try:
            data = card_data.to_dict() if hasattr(card_data, "to_dict") else dict(card_data)
        except Exception as err:  # noqa: BLE001 - an answer of the wrong shape is no answer
            self.g.note("warning", "hub-error", f"'{repo_id}': the Hub API's card data cannot be read ({type(err).__name__})", repo_id, origin)
            return None
        return data if isinstance(data, dict) else None
