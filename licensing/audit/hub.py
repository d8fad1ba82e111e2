"""`licet audit --online --author ORG`: the audit table, built from the Hugging Face Hub.

For each author (an organisation or user), its models and datasets are
listed through huggingface_hub's `list_models` / `list_datasets`, with their
card metadata, tags, downloads and last modification. The Hub pages the
listing; each page is one request. A row takes the card's `license`,
`license_name`, `base_model`, `base_model_relation` and `datasets`; where the
card says nothing, the Hub's computed tags fill in (`license:…`,
`base_model:<relation>:<id>`, `dataset:…`).

The build is

- *rate-limited*: at most `requests_per_second` pages are requested (a page
  is `page_size` repos), and a Hub answer of HTTP 429 waits (its Retry-After,
  else an exponential back-off) and tries the listing again;
- *resumable*: rows are appended to the JSON Lines table as they come, and a
  state file beside it (`<table>.state.json`) records the (kind, author)
  listings finished. A build that stops (a network failure, Ctrl-C) and is
  run again skips the finished listings and, in the one it stopped in, the
  repos already written: no repo is fetched into the table twice. The state
  file goes when the build completes; a new build then starts afresh.

Nothing here runs without `--online`; huggingface_hub is imported only by
`default_listing_api`, and the tests pass a fake API with the same methods.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..repo.cards import hub_id
from ..repo.policy import missing_dependency
from ..repo.refresh import card_data
from .table import AuditError

LISTED_FIELDS = ["cardData", "tags", "downloads", "lastModified"]
DEFAULT_RATE = 2.0  # pages per second
DEFAULT_PAGE_SIZE = 1000  # repos per page, as the Hub's listing pages them
MAX_RETRIES = 6
STATE_SUFFIX = ".state.json"


class ListingApi(Protocol):
    """The part of huggingface_hub.HfApi the builder uses."""

    def list_models(self, *, author: str, expand: Any, limit: int | None) -> Iterable[Any]: ...
    def list_datasets(self, *, author: str, expand: Any, limit: int | None) -> Iterable[Any]: ...


def default_listing_api() -> ListingApi:
    """huggingface_hub's HfApi (it reads HF_TOKEN or a saved login)."""
    try:  # imported here: only --online needs it
        from huggingface_hub import HfApi
    except ImportError:
        raise missing_dependency("huggingface_hub", "the Hugging Face Hub (licet audit --online)") from None
    api: ListingApi = HfApi()
    return api


@dataclass
class Pacer:
    """At most `rate` pages a second: waits before a page that would come too soon."""

    rate: float = DEFAULT_RATE
    page_size: int = DEFAULT_PAGE_SIZE
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = None
    _items: int = 0
    waited: float = 0.0

    def page(self) -> None:
        """A request is about to be made: wait if it would break the rate."""
        now = self.clock()
        if self._last is not None and self.rate > 0:
            wait = self._last + 1.0 / self.rate - now
            if wait > 0:
                self.sleep(wait)
                self.waited += wait
                now += wait
        self._last = now

    def item(self) -> None:
        """A repo came in; every `page_size` repos the next page is a request."""
        self._items += 1
        if self._items % self.page_size == 0:
            self.page()


@dataclass
class BuildReport:
    output: str
    rows: int  # rows in the table
    fetched: int  # rows written by this run
    skipped: int  # repos listed again after a resume and not written twice
    resumed: bool
    retries: int
    problems: list[str] = field(default_factory=list)


def build_table(
    authors: Sequence[str],
    output: str | Path,
    *,
    api: ListingApi,
    kinds: Sequence[str] = ("model", "dataset"),
    limit: int | None = None,
    pacer: Pacer | None = None,
    max_retries: int = MAX_RETRIES,
    progress: Callable[[str, int], None] | None = None,
) -> BuildReport:
    """List every author's repos into the JSON Lines table `output` (resuming a stopped build)."""
    output = Path(output)
    if output.suffix.lower() not in (".jsonl", ".ndjson"):
        raise AuditError("the table built from the Hub is JSON Lines: name it *.jsonl", code="licet.audit.invalid", file=str(output),
                         hint="e.g. --table hub.jsonl")
    names = []
    for author in authors:
        author = author.strip().strip("/")
        if hub_id(author) is None or "/" in author:
            raise AuditError(f"'{author}' is not a Hugging Face user or organisation name", code="licet.audit.invalid",
                             hint="e.g. --author meta-llama")
        names.append(author)
    if not names:
        raise AuditError("--online needs at least one --author", code="licet.audit.invalid", hint="e.g. --online --author meta-llama")
    pacer = pacer or Pacer()
    state_path = output.with_name(output.name + STATE_SUFFIX)
    state = _read_state(state_path) if output.exists() else None
    resumed = state is not None
    done: set[str] = set(state.get("done", [])) if state is not None else set()
    written: set[str] = _written_keys(output) if resumed else set()
    if not resumed:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text("", encoding="utf-8")
    _write_state(state_path, done)
    report = BuildReport(output=str(output), rows=len(written), fetched=0, skipped=0, resumed=resumed, retries=0)
    with output.open("a", encoding="utf-8") as table:
        for kind in kinds:
            for author in names:
                listing = f"{kind}:{author}"
                if listing in done:
                    continue
                attempt = 0
                while True:
                    try:
                        _list_author(api, kind, author, limit, pacer, table, written, report, progress)
                        break
                    except Exception as err:  # noqa: BLE001 - told apart below: rate limits are waited out, the rest stop the build
                        retry_after = _rate_limited(err)
                        if retry_after is None or attempt >= max_retries:
                            table.flush()
                            raise AuditError(f"listing the {kind}s of '{author}' failed: {_describe(err)}", code="licet.audit.hub-error",
                                             hint="run the same command again: the build resumes where it stopped") from None
                        attempt += 1
                        report.retries += 1
                        pacer.sleep(retry_after if retry_after > 0 else min(60.0, 2.0 ** attempt))
                done.add(listing)
                table.flush()
                _write_state(state_path, done)
    state_path.unlink(missing_ok=True)
    report.rows = len(written)
    return report


def _list_author(api: ListingApi, kind: str, author: str, limit: int | None, pacer: Pacer, table: Any, written: set[str],
                 report: BuildReport, progress: Callable[[str, int], None] | None) -> None:
    pacer.page()
    listing = api.list_models if kind == "model" else api.list_datasets
    for info in listing(author=author, expand=list(LISTED_FIELDS), limit=limit):
        pacer.item()
        row = row_of(info, kind)
        if row is None:
            continue
        key = f"{kind}:{row['id'].lower()}"
        if key in written:
            report.skipped += 1
            continue
        table.write(json.dumps(row, ensure_ascii=False) + "\n")
        written.add(key)
        report.fetched += 1
        if progress is not None and report.fetched % 100 == 0:
            table.flush()
            progress(author, report.fetched)


def row_of(info: Any, kind: str) -> dict[str, Any] | None:
    """A table row from a Hub API answer (a ModelInfo or DatasetInfo); None without a usable id."""
    repo = getattr(info, "id", None) or getattr(info, "modelId", None)
    if not isinstance(repo, str) or hub_id(repo) is None:
        return None
    card = card_data(info) or {}  # a card of the wrong shape counts as none
    tags = [t for t in (getattr(info, "tags", None) or []) if isinstance(t, str)]
    row: dict[str, Any] = {"id": repo, "kind": kind, "license": card.get("license"), "license_name": card.get("license_name")}
    if row["license"] is None:
        from_tags = [t.removeprefix("license:") for t in tags if t.startswith("license:")]
        row["license"] = from_tags[0] if len(from_tags) == 1 else from_tags or None
    if kind == "model":
        base, relation = card.get("base_model"), card.get("base_model_relation")
        tagged = [t.removeprefix("base_model:").split(":", 1) for t in tags if t.startswith("base_model:")]
        if base is None:
            base = [parts[-1] for parts in tagged] or None
        if relation is None:
            relations = {parts[0] for parts in tagged if len(parts) == 2}
            relation = relations.pop() if len(relations) == 1 else None
        datasets = card.get("datasets")
        if datasets is None:
            datasets = [t.removeprefix("dataset:") for t in tags if t.startswith("dataset:")] or None
        row.update(base_model=base, base_model_relation=relation, datasets=datasets)
    downloads = getattr(info, "downloads", None)
    row["downloads"] = downloads if isinstance(downloads, int) and not isinstance(downloads, bool) else None
    modified = getattr(info, "last_modified", None) or getattr(info, "lastModified", None)
    row["last_modified"] = modified.isoformat() if isinstance(modified, (dt.datetime, dt.date)) else modified if isinstance(modified, str) else None
    return row


def _rate_limited(err: BaseException) -> float | None:
    """Seconds to wait when the Hub limited the rate (HTTP 429): its Retry-After, else 0 (back off); None for any other failure."""
    response = getattr(err, "response", None)
    if getattr(response, "status_code", None) != 429:
        return None
    headers = getattr(response, "headers", None) or {}
    try:
        return max(0.0, float(headers.get("Retry-After", 0)))
    except (TypeError, ValueError):
        return 0.0


def _describe(err: BaseException) -> str:
    status = getattr(getattr(err, "response", None), "status_code", None)
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return f"HTTP {status} ({text})" if isinstance(status, int) else f"{type(err).__name__}: {text}"


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise AuditError(f"the build's state file cannot be read ({err})", code="licet.audit.unreadable", file=str(path),
                         hint="delete it (and the table) to build afresh") from None
    return data if isinstance(data, dict) else None


def _write_state(path: Path, done: set[str]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps({"version": 1, "done": sorted(done)}), encoding="utf-8")
    temporary.replace(path)


def _written_keys(path: Path) -> set[str]:
    """The repos a stopped build wrote already (a line cut short by the stop is dropped)."""
    keys: set[str] = set()
    good: list[str] = []
    with path.open(encoding="utf-8") as table:
        for line in table:
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and isinstance(row.get("id"), str):
                keys.add(f"{row.get('kind', 'model')}:{row['id'].lower()}")
                good.append(line if line.endswith("\n") else line + "\n")
    path.write_text("".join(good), encoding="utf-8")
    return keys
