"""`licet registry refresh --online`: the local registry cache, rebuilt from
the Hugging Face Hub for the repos and organisations a user names.

For each repo, the card metadata the Hub API returns (`license`, or
`license_name` when it is `other`; a list of licenses means all of them) is
read the way `licet scan` reads a card (`licensing.repo.cards.Card`) and
checked against the library. Only a license licet knows becomes an entry; an
id licet cannot read, `other` without a name, or no license at all stays out
of the cache and is reported with what the card says: never guessed.

Entries are written in the schema of rules/registry/huggingface.yaml, each
with `source:` the repo's page and a `note:` saying when it was fetched and
what the card says (`license_link` and `base_model` included: the registry
records a repo's own license, so an upstream named there is not followed). An
existing cache is updated: an entry fetched again replaces the old one (a
card that no longer names a known license removes it), one the Hub did not
answer for is kept, and entries written by hand (patterns, mirrors) stay.

`licet scan` reads the cache after the shipped registry, and the shipped
entries win (`licensing.repo.registry.Registry.resolve`); an entry the
shipped file overrides is still written, and the report says so.

huggingface_hub is imported only by `default_refresh_api`; tests pass an
object with the same four methods. Nothing here prints: progress goes through
a callback, and failures of single repos are `RefreshProblem`s in the report.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml
from pydantic import BaseModel, ConfigDict

from ..errors import LicetError
from ..library import Library
from ..scenario import load_yaml
from .cards import Card, HubApi, hub_id, shown_id
from .policy import missing_dependency
from .registry import (
    CACHE_ENV,
    CACHE_HINT,
    HubEntry,
    MirrorEntry,
    MirrorMatch,
    RegistryError,
    load_registry,
    read_cache_file,
    read_hub_file,
    registry_cache_path,
)

DEFAULT_LIMIT = 100  # repos listed per organisation
HUB = "https://huggingface.co"
CACHE_HEADER = f"""\
# licet's local registry cache: licenses of Hugging Face repos, written by
# `licet registry refresh --online` from each repo's card metadata on the Hub.
# Same schema as rules/registry/huggingface.yaml. `licet scan` reads it after
# that file, whose entries win when both match a repo. Entries may be edited
# or deleted by hand; a refresh replaces only the entries it fetches again.
# {CACHE_ENV} names another file (empty: no cache is read).
"""

Reason = Literal[
    "invalid-id", "unknown-license", "missing-license", "not-found", "gated", "unauthorized", "rate-limited", "network",
    "hub-error", "empty-org",
]


class RefreshApi(HubApi, Protocol):
    """The part of huggingface_hub.HfApi that `licet registry refresh` uses."""

    def list_models(self, *, author: str, limit: int | None) -> Iterable[Any]: ...
    def list_datasets(self, *, author: str, limit: int | None) -> Iterable[Any]: ...


def default_refresh_api() -> RefreshApi:
    """huggingface_hub's HfApi (it reads HF_TOKEN or a saved login, for gated repos)."""
    try:  # imported here: only `registry refresh --online` needs it
        from huggingface_hub import HfApi
    except ImportError:
        raise missing_dependency("huggingface_hub", "the Hugging Face Hub (registry refresh)") from None
    api: RefreshApi = HfApi()
    return api


class RefreshedEntry(BaseModel):
    """A repo whose card names a license licet knows: written to the cache."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    license: str
    declared: str  # what the card says, e.g. "license: other, license_name: qwen-research"
    change: Literal["added", "updated", "unchanged"]
    previous: str | None = None  # the cache's license before, when it changed
    shipped: str | None = None  # the shipped registry's license for this repo, which wins over the cache


class RefreshProblem(BaseModel):
    """A repo or organisation that gave no entry, and why."""

    model_config = ConfigDict(frozen=True)

    target: str  # the repo id or organisation, as named or listed
    kind: str
    organisation: bool = False  # the target is an organisation whose repos were to be listed
    reason: Reason
    message: str
    declared: str | None = None  # what the card says, when it names no license licet knows
    kept: bool = False  # the cache's earlier entry for the repo stays (the Hub did not answer)
    removed: bool = False  # the cache's earlier entry was removed (the card no longer names a known license)


class RefreshReport(BaseModel):
    """What a refresh fetched, wrote and could not use."""

    model_config = ConfigDict(frozen=True)

    output: str
    fetched: str  # the date (UTC) the cards were read
    entries: list[RefreshedEntry]
    problems: list[RefreshProblem]
    written: bool  # whether the cache file was written
    total: int  # entries in the cache file after the refresh

    @property
    def refreshed(self) -> bool:
        """Whether anything could be refreshed: an entry written or a stale one removed."""
        return bool(self.entries) or any(p.removed for p in self.problems)


class CacheListing(BaseModel):
    """The local registry cache as it stands, for `licet registry show`."""

    model_config = ConfigDict(frozen=True)

    path: str | None  # None: the cache is turned off
    exists: bool
    entries: list[HubEntry]
    mirrors: list[MirrorEntry]


@dataclass(frozen=True)
class _Repo:
    id: str
    kind: str  # weights or data

    @property
    def repo_type(self) -> str:
        return "dataset" if self.kind == "data" else "model"

    @property
    def page(self) -> str:
        return f"{HUB}/{'datasets/' if self.kind == 'data' else ''}{self.id}"

    @property
    def key(self) -> tuple[str, str]:
        return self.id.lower(), self.kind


def cache_path(output: str | Path | None = None) -> Path:
    """The cache file a refresh writes: `output`, else the one `licet scan` reads."""
    if output is not None:
        return Path(output).expanduser()
    path = registry_cache_path()
    if path is None:
        raise RegistryError(f"the registry cache is turned off ({CACHE_ENV} is set but empty), so there is no file to refresh",
                            code="licet.registry.no-cache", hint=f"give --output FILE, or unset {CACHE_ENV}")
    return path


def read_cache(library: Library, output: str | Path | None = None) -> CacheListing:
    """The entries of the local registry cache (`output`, else the default one)."""
    try:
        path = cache_path(output)
    except RegistryError:
        return CacheListing(path=None, exists=False, entries=[], mirrors=[])
    found = read_cache_file(path, library)
    entries, mirrors = found if found is not None else ([], ())
    return CacheListing(path=str(path), exists=found is not None, entries=entries, mirrors=list(mirrors))


def refresh_registry(
    targets: Sequence[str],
    *,
    library: Library,
    api: RefreshApi,
    output: str | Path | None = None,
    kind: str = "weights",
    limit: int = DEFAULT_LIMIT,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RefreshReport:
    """Fetch the card metadata of each target and update the cache file.

    A target is a repo id (`org/name`; `datasets/org/name` for a dataset) or
    an organisation (`org`, `datasets/org`: its first `limit` repos). `kind`
    (weights or data) says what a target without a `datasets/` or `models/`
    prefix names. `progress(done, total)` is called after each repo. Failures
    of single repos are problems in the report; a cache that cannot be read
    or written is a `RegistryError`.
    """
    if kind not in ("weights", "data"):
        raise RegistryError(f"unknown kind '{kind}'", code="licet.registry.unknown-kind", hint="weights (models) or data (datasets)")
    if limit < 1:
        raise RegistryError(f"the limit must be at least 1, not {limit}", code="licet.registry.invalid", hint="e.g. --limit 100")
    if not targets:
        raise RegistryError("nothing to refresh", code="licet.registry.no-targets",
                            hint="name repo ids (org/name, datasets/org/name) or organisations (org)")
    path = cache_path(output)
    existing = read_cache_file(path, library)  # a cache that does not read is an error, never overwritten
    old_entries, mirrors = existing if existing is not None else ([], ())
    shipped = load_registry(library, cache=None)
    fetched = (today or dt.datetime.now(dt.UTC).date()).isoformat()

    problems: list[RefreshProblem] = []
    repos = _expand(targets, kind, limit, api, problems)
    old = {(e.id.lower(), e.kind): e for e in old_entries if e.id is not None}
    new: dict[tuple[str, str], HubEntry] = {}
    removed: set[tuple[str, str]] = set()
    refreshed: list[RefreshedEntry] = []
    for done, repo in enumerate(repos, 1):
        outcome = _fetch(repo, api, library, fetched)
        if isinstance(outcome, RefreshProblem):
            before = old.get(repo.key)
            if before is not None and outcome.reason in ("unknown-license", "missing-license"):
                removed.add(repo.key)
                outcome = outcome.model_copy(update={"removed": True})
            elif before is not None:
                outcome = outcome.model_copy(update={"kept": True})
            problems.append(outcome)
        else:
            entry, declared = outcome
            before = old.get(repo.key)
            change: Literal["added", "updated", "unchanged"] = (
                "added" if before is None else "unchanged" if _same(library, before.license, entry.license) else "updated")
            new[repo.key] = entry
            refreshed.append(RefreshedEntry(
                id=repo.id, kind=repo.kind, license=entry.license, declared=declared, change=change,
                previous=before.license if change == "updated" and before is not None else None,
                shipped=_shipped_license(shipped.resolve(repo.id, repo.kind, mirrors=repo.kind == "weights")),
            ))
        if progress is not None:
            progress(done, len(repos))

    replaced = new.keys() | removed
    merged = [e for e in old_entries if e.id is None or (e.id.lower(), e.kind) not in replaced]
    merged += new.values()
    merged.sort(key=lambda e: ((e.id or e.pattern or "").lower(), e.kind))
    written = bool(new) or bool(removed)
    if written:
        _write(path, _cache_text(merged, mirrors), library)
    return RefreshReport(output=str(path), fetched=fetched, entries=refreshed, problems=problems, written=written,
                         total=len(merged) if written else len(old_entries))


# ---------------------------------------------------------------- targets


def _expand(targets: Sequence[str], kind: str, limit: int, api: RefreshApi, problems: list[RefreshProblem]) -> list[_Repo]:
    """The repos the targets name, organisations listed, each once."""
    out: dict[tuple[str, str], _Repo] = {}
    for target in targets:
        text = target.strip().strip("/")
        repo_kind = kind
        for prefix, prefix_kind in (("datasets/", "data"), ("models/", "weights")):
            if text.startswith(prefix):
                text, repo_kind = text[len(prefix):], prefix_kind
                break
        if hub_id(text) is None:
            problems.append(RefreshProblem(
                target=shown_id(target), kind=repo_kind, reason="invalid-id",
                message="not a Hugging Face repo id (org/name, datasets/org/name) or organisation name",
            ))
            continue
        if "/" in text:
            repo = _Repo(text, repo_kind)
            out.setdefault(repo.key, repo)
            continue
        for repo in _listed(text, repo_kind, limit, api, problems):
            out.setdefault(repo.key, repo)
    return list(out.values())


def _listed(org: str, kind: str, limit: int, api: RefreshApi, problems: list[RefreshProblem]) -> list[_Repo]:
    what = "datasets" if kind == "data" else "models"
    try:
        listing = api.list_datasets(author=org, limit=limit) if kind == "data" else api.list_models(author=org, limit=limit)
        found = []
        for item in listing:
            repo_id = getattr(item, "id", None) or getattr(item, "modelId", None)
            if isinstance(repo_id, str) and hub_id(repo_id) is not None:
                found.append(_Repo(repo_id, kind))
            if len(found) >= limit:
                break
    except Exception as err:  # noqa: BLE001 - any Hub failure (offline, rate limit) is this organisation's problem only
        reason, message = _failure(err)
        problems.append(RefreshProblem(target=org, kind=kind, organisation=True, reason=reason,
                                       message=f"its {what} cannot be listed: {message}"))
        return []
    if not found:
        problems.append(RefreshProblem(target=org, kind=kind, organisation=True, reason="empty-org",
                                       message=f"the Hub lists no public {what} under '{org}' (is it a user or organisation name?)"))
    return found


# ---------------------------------------------------------------- one repo


def _fetch(repo: _Repo, api: RefreshApi, library: Library, fetched: str) -> tuple[HubEntry, str] | RefreshProblem:
    """The cache entry for one repo, with what its card says; else the problem."""
    try:
        info = api.dataset_info(repo.id) if repo.kind == "data" else api.model_info(repo.id)
    except Exception as err:  # noqa: BLE001 - any Hub failure leaves this repo out, and the others go on
        reason, message = _failure(err)
        return RefreshProblem(target=repo.id, kind=repo.kind, reason=reason, message=message)
    data = card_data(info)
    if data is None:
        return RefreshProblem(target=repo.id, kind=repo.kind, reason="hub-error", message="the Hub API's card metadata cannot be read")
    says = _card_says(data)
    license_id, why = _license(library, data)
    if license_id is None:
        return RefreshProblem(target=repo.id, kind=repo.kind, reason="missing-license" if not says else "unknown-license",
                              message=why, declared=says or None)
    note = f"fetched from the Hub on {fetched}; card metadata: {says}"
    entry = HubEntry(id=repo.id, kind=repo.kind, license=license_id, source=repo.page, note=note)
    return entry, says


def card_data(info: Any) -> dict[str, Any] | None:
    """The card metadata of a Hub API answer ({} when the repo has no card); None when it is not a mapping."""
    card_data = getattr(info, "card_data", None) or getattr(info, "cardData", None)
    if card_data is None:
        return {}
    try:
        data = card_data.to_dict() if hasattr(card_data, "to_dict") else dict(card_data)
    except Exception:  # noqa: BLE001 - an answer of the wrong shape is no answer
        return None
    return data if isinstance(data, dict) else None


def _card_says(data: dict[str, Any]) -> str:
    """The license keys of the card metadata as written, then its base_model, for notes and reports."""
    keys = [f"{key}: {_shown(data[key])}" for key in ("license", "license_name", "license_link") if data.get(key) is not None]
    if not keys:
        return ""
    base = data.get("base_model")
    return ", ".join(keys) + (f"; base_model: {_shown(base)}" if base is not None else "")


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(shown_id(v) for v in value) + "]"
    return shown_id(value)


def _license(library: Library, data: dict[str, Any]) -> tuple[str | None, str]:
    """The card's license as an expression over the library's ids, or None and why not.

    Read as `licet scan` reads a card: a list means all of its licenses; `other`
    stands for `license_name` when there is one. Any part licet cannot read, or
    reads as terms unknown (`other`, `unknown`), leaves the whole card out."""
    items, _ = Card(data, "", "").licenses()
    if not items:
        return None, "its card declares no license"
    parts: list[str] = []
    for text, _ in items:
        shown = shown_id(text)
        try:
            expression = library.parse_expression(text)
        except LicetError as err:
            why = "" if err.code.endswith("unknown-license") else f" ({err.message})"
            return None, f"'{shown}' is not a license licet knows{why}; left out, not guessed"
        if library.fallback is not None and any(leaf.license == library.fallback for leaf in expression.leaves):
            return None, f"'{shown}' names no license licet knows (it reads as terms unknown); left out, not guessed"
        parts.append(library.canonical_id(text) or text.strip())
    parts = list(dict.fromkeys(parts))
    return " AND ".join(f"({p})" if " " in p and len(parts) > 1 else p for p in parts), ""


def _same(library: Library, written: str, fetched: str) -> bool:
    """Whether a cache entry's license, as written (an alias, say), is the one fetched."""
    return (library.canonical_id(written) or written.strip()) == fetched


def _shipped_license(found: HubEntry | MirrorMatch | None) -> str | None:
    if isinstance(found, MirrorMatch):
        return found.upstream.license
    return found.license if found is not None else None


def _failure(err: BaseException) -> tuple[Reason, str]:
    """A Hub failure in words. huggingface_hub is not imported here: its
    errors are told apart by their class names and HTTP status."""
    names = {cls.__name__ for cls in type(err).__mro__}
    response = getattr(err, "response", None)
    status = getattr(response, "status_code", None)
    detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    login = "log in (`hf auth login`, or set HF_TOKEN)"
    if "GatedRepoError" in names:
        return "gated", f"the repo is gated: {login} with an account that accepted its terms, then refresh again"
    if status == 429:
        return "rate-limited", f"the Hub is limiting the rate of requests (HTTP 429); wait and refresh again, or {login}"
    if status in (401, 403):
        return "unauthorized", f"the Hub refused the request (HTTP {status}): the repo may be private or gated; {login}"
    if "RepositoryNotFoundError" in names or status == 404:
        return "not-found", "no such repo on the Hub (or it is private): check the id"
    if isinstance(status, int):
        return "hub-error", f"the Hub answered HTTP {status} ({detail})"
    if isinstance(err, (ConnectionError, TimeoutError)) or names & {"ConnectError", "ConnectTimeout", "TimeoutException", "NetworkError",
                                                                     "OfflineModeIsEnabled", "Timeout"}:
        return "network", f"the Hub cannot be reached ({type(err).__name__}: {detail}); check the network, then refresh again"
    return "hub-error", f"the Hub API failed ({type(err).__name__}: {detail})"


# ---------------------------------------------------------------- the file


def _cache_text(entries: Sequence[HubEntry], mirrors: Sequence[MirrorEntry]) -> str:
    data: dict[str, Any] = {"repos": [e.model_dump(exclude={"line", "file"}, exclude_none=True) for e in entries]}
    if mirrors:
        data["mirrors"] = [m.model_dump(exclude={"line", "file"}, exclude_none=True) for m in mirrors]
    return CACHE_HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)


def _write(path: Path, text: str, library: Library) -> None:
    """Check the text reads back as a cache, then replace the file at once (a reader sees the old file or the new one)."""
    display = str(path)
    read_hub_file(load_yaml(text, display, error=RegistryError, hint=CACHE_HINT), text, display, library, hint=CACHE_HINT)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".registry-", suffix=".tmp")  # created 0600
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise RegistryError(f"cannot write the registry cache: {err.strerror or type(err).__name__}", code="licet.registry.unwritable",
                            file=display, hint="give --output FILE in a folder you can write") from None
