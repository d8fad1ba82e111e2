"""A realistic synthetic Hugging Face Hub, seeded, with its findings planted.

The Hub is grown from the real models and datasets of the shipped registry
(rules/registry/huggingface.yaml), each with its real license written the
way a card writes it (a Hub license id, else `other` with `license_name`).
Around them: fine-tunes, adapters, quantization mirrors (by the registry's
mirror organisations, or by users) and merges, each built on a popular base
(Zipf) or on one of its derivatives (preferential attachment, so fan-out
follows a power law); users' datasets; missing, relabelled and unreadable
licenses; pairs of repos naming each other as base model; and base models
that exist nowhere. How much of each is data: rules/registry/synthetic-hub.yaml.

The planted findings are worked out from that file's `planted` judgement
and the library (which license ids a label means), never from the engine:

- forbidden: a repo under, or derived (through any chain of derived-from
  steps) from, a license that forbids the audited use; or a repo labelled
  with one of the careless relabels whose derived-from ancestors include a
  license whose terms must stay with derivatives;
- cycles: for each repo, the repos on a cycle that its lineage reaches;
- unresolved: for each repo, the base models its lineage names that exist
  nowhere (not in the table, not in the registry).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import LicetError
from ..library import Library, load_library
from ..repo.registry import REGISTRY_FOLDER, HubEntry, Registry, load_registry
from ..scenario import load_yaml
from .table import AuditError, repo_key, table_format

SPEC_FILE = "synthetic-hub.yaml"
HUB_LIST_FILE = "hub-licenses.yaml"
HUB_PAGE = "https://huggingface.co/"
UNREADABLE = "?"  # a label licet cannot read, in the planted computation


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ShapeSpec(_Spec):
    datasets: float
    relations: dict[str, float]
    base_zipf: float = Field(alias="base-zipf")
    on_the_base: float = Field(alias="on-the-base")
    max_depth: int = Field(alias="max-depth")
    merge_parents: dict[int, float] = Field(alias="merge-parents")
    finetune_datasets: dict[int, float] = Field(alias="finetune-datasets")
    registry_dataset: float = Field(alias="registry-dataset")
    bases_not_in_table: float = Field(alias="bases-not-in-table")
    missing_parent: float = Field(alias="missing-parent")
    cycles_per_thousand: float = Field(alias="cycles-per-thousand")


class LabelSpec(_Spec):
    missing: float
    relabel: float
    relabels: list[str]
    unreadable: float
    unreadable_labels: list[str] = Field(alias="unreadable-labels")
    user_dataset_missing: float = Field(alias="user-dataset-missing")
    user_dataset_labels: list[str] = Field(alias="user-dataset-labels")


class PlantedLicense(_Spec):
    license: str
    section: str
    reading: str
    self_only: bool = Field(False, alias="self-only")


class PlantedSpec(_Spec):
    terms_stay: list[PlantedLicense] = Field(alias="terms-stay-with-derivatives")
    forbid_use: list[PlantedLicense] = Field(alias="forbid-the-audited-use")
    not_settled: list[str] = Field(default_factory=list, alias="not-settled")


class HubSpec(_Spec):
    shape: ShapeSpec
    labels: LabelSpec
    planted: PlantedSpec


@dataclass
class Planted:
    """The findings the synthetic Hub was built to contain."""

    forbidden: dict[str, str] = field(default_factory=dict)  # repo id → why
    cycles: dict[str, frozenset[str]] = field(default_factory=dict)  # repo id → ids on a cycle its lineage reaches
    unresolved: dict[str, frozenset[str]] = field(default_factory=dict)  # repo id → ids its lineage names that exist nowhere
    registry_parents: set[str] = field(default_factory=set)  # ids named as base models that only the registry knows


@dataclass
class SyntheticHub:
    rows: list[dict[str, Any]]
    planted: Planted
    seed: int

    def write(self, path: str | Path, *, row_group_size: int = 5_000) -> Path:
        """The table as Parquet or JSON Lines (by the file's suffix)."""
        return write_table(self.rows, path, row_group_size=row_group_size)


def load_spec(library: Library) -> HubSpec:
    path = Path(library.root) / REGISTRY_FOLDER / SPEC_FILE
    display = f"rules/{REGISTRY_FOLDER}/{SPEC_FILE}"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise AuditError(f"cannot read the synthetic Hub's description ({err.strerror})", file=display) from None
    document = load_yaml(text, display, error=AuditError)
    try:
        return HubSpec.model_validate(document.data)
    except ValidationError as err:
        first = err.errors()[0]
        raise AuditError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}", file=display,
                         hint="see the comments at the top of the file") from None


# ---------------------------------------------------------------- labels


class _Labels:
    """License labels as a Hub card writes them, and as the planted judgement reads them."""

    def __init__(self, library: Library) -> None:
        self.library = library
        document = load_yaml((Path(library.root) / REGISTRY_FOLDER / HUB_LIST_FILE).read_text(encoding="utf-8"),
                             f"rules/{REGISTRY_FOLDER}/{HUB_LIST_FILE}", error=AuditError)
        self.hub_id: dict[str, str] = {}
        for item in document.data.get("licenses", []):
            canonical = library.canonical_id(str(item["id"]))
            if canonical is not None:
                self.hub_id.setdefault(canonical, str(item["id"]))

    def card(self, expression: str) -> tuple[str | list[str], str | None]:
        """(license, license_name) of a card declaring `expression`."""
        leaves = self.library.parse_expression(expression).leaves
        if len(leaves) == 1 and leaves[0].exception is None:
            canonical = leaves[0].license
            return (self.hub_id[canonical], None) if canonical in self.hub_id else ("other", canonical)
        return [self.hub_id.get(leaf.license, leaf.license) for leaf in leaves], None

    def leaves(self, license_value: Any, license_name: Any) -> frozenset[str] | None:
        """The licenses a card's fields name (None: no license); an unreadable item counts as UNREADABLE."""
        if license_value is None:
            return None
        items = license_value if isinstance(license_value, list) else [license_value]
        out: set[str] = set()
        for item in items:
            text = license_name if str(item).lower() == "other" and license_name else item
            try:
                out.update(leaf.license for leaf in self.library.parse_expression(str(text)).leaves)
            except LicetError:
                out.add(UNREADABLE)
        return frozenset(out)

    def canonical(self, label: str) -> str:
        found = self.library.canonical_id(label)
        if found is None:
            raise AuditError(f"'{label}' in the synthetic Hub's description is not a license licet knows", file=SPEC_FILE)
        return found


# ---------------------------------------------------------------- the generator


@dataclass
class _Repo:
    id: str
    kind: str  # model or dataset
    license: str | list[str] | None
    license_name: str | None
    parents: list[str] = field(default_factory=list)  # keys
    parent_ids: list[str] = field(default_factory=list)
    relation: str | None = None
    datasets: list[str] = field(default_factory=list)  # ids
    depth: int = 0
    root: str | None = None  # the key of the base model of its family
    in_table: bool = True
    row_relation: bool = True  # whether the card states base_model_relation

    @property
    def key(self) -> str:
        return repo_key(self.kind, self.id)


class _Zipf:
    def __init__(self, count: int, exponent: float) -> None:
        weights = [1.0 / (rank ** exponent) for rank in range(1, count + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> int:
        return min(bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1]), len(self.cumulative) - 1)


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


_TOPICS = ("chat", "code", "math", "medical", "legal", "finance", "rp", "summarize", "translate", "sql", "vision", "tools",
           "reasoning", "story", "agent", "qa", "instruct", "dpo", "orpo", "sft")
_LANGS = ("de", "fr", "es", "ja", "ko", "zh", "pt", "it", "ar", "hi", "tr", "vi", "pl", "nl")
_SYLLABLES = ("ka", "lo", "mi", "ra", "ten", "vo", "zu", "shi", "an", "el", "or", "ix", "qu", "be", "da", "no", "pe", "sa")


def _entry_id(entry: HubEntry) -> str | None:
    """A real repo id for a registry entry: its id, or for a pattern the repo its source names (if the pattern matches it)."""
    if entry.id is not None:
        return entry.id
    if not entry.source.startswith(HUB_PAGE):
        return None
    repo = entry.source.removeprefix(HUB_PAGE).removeprefix("datasets/").strip("/")
    return repo if entry.matches(repo) else None


def registry_repos(registry: Registry, kind: str) -> list[tuple[str, str]]:
    """(id, license) of the shipped registry's repos of a kind (weights or data), each once."""
    out: dict[str, tuple[str, str]] = {}
    for entry in registry.hub:
        repo = _entry_id(entry)
        if repo is not None and entry.kind == kind:
            out.setdefault(repo.lower(), (repo, entry.license))
    return list(out.values())


def generate_hub(repos: int, *, seed: int = 0, library: Library | None = None, bases: int | None = None) -> SyntheticHub:
    """A synthetic Hub of about `repos` rows (at least the base models), seeded.

    `bases` takes that many of the registry's models as base models (one of
    each license first, so every license is in play), else all of them."""
    library = library or load_library()
    spec = load_spec(library)
    labels = _Labels(library)
    for label in spec.labels.unreadable_labels:
        try:
            library.parse_expression(label)
        except LicetError:
            continue
        raise AuditError(f"the unreadable label '{label}' of the synthetic Hub reads as a license now", file=SPEC_FILE,
                         hint="take it out of unreadable-labels")
    rng = random.Random(seed)
    registry = load_registry(library, cache=None)
    models = registry_repos(registry, "weights")
    datasets = registry_repos(registry, "data")
    if bases is not None and bases < len(models):
        by_license: dict[str, list[tuple[str, str]]] = {}
        for item in models:
            by_license.setdefault(item[1], []).append(item)
        chosen = [rng.choice(group) for _, group in sorted(by_license.items())]
        rest = [m for m in models if m not in chosen]
        rng.shuffle(rest)
        models = (chosen + rest)[: max(bases, 1)]
        datasets = datasets[: max(4, bases // 3)]
    rng.shuffle(models)  # popularity order
    rng.shuffle(datasets)

    hub: dict[str, _Repo] = {}
    order: list[str] = []

    def add(repo: _Repo) -> _Repo:
        hub[repo.key] = repo
        if repo.in_table:
            order.append(repo.key)
        return repo

    for repo_id, lic in models:
        value, name = labels.card(lic)
        add(_Repo(repo_id, "model", value, name, in_table=rng.random() >= spec.shape.bases_not_in_table)).root = repo_key("model", repo_id)
    for repo_id, lic in datasets:
        value, name = labels.card(lic)
        add(_Repo(repo_id, "dataset", value, name, in_table=rng.random() >= spec.shape.bases_not_in_table))
    base_keys = [repo_key("model", repo_id) for repo_id, _ in models]
    registry_datasets = [repo_key("dataset", repo_id) for repo_id, _ in datasets]
    base_pick = _Zipf(len(base_keys), spec.shape.base_zipf)
    registry_pick = _Zipf(len(registry_datasets), 1.0)
    users = [f"{rng.choice(_SYLLABLES)}{rng.choice(_SYLLABLES)}{rng.choice(_SYLLABLES)}{index}" for index in range(max(20, repos // 6))]
    user_pick = _Zipf(len(users), 1.05)
    families: dict[str, list[str]] = {key: [] for key in base_keys}  # each member once per (1 + its children)
    user_datasets: list[str] = []
    mirrors = [m for m in registry.mirrors if m.suffixes]
    names_taken: set[str] = set(hub)
    ghosts: dict[str, str] = {}  # key → id of base models that exist nowhere

    def unique(kind: str, repo_id: str) -> str:
        candidate, n = repo_id, 1
        while repo_key(kind, candidate) in names_taken:
            n += 1
            candidate = f"{repo_id}-v{n}"
        names_taken.add(repo_key(kind, candidate))
        return candidate

    def short(key: str, limit: int = 48) -> str:
        # a piece of a Hub id: no '--' or '..' may come of joining pieces with '-'
        return hub[key].id.rsplit("/", 1)[-1][:limit].rstrip("-._")

    def label_derivative(parent: _Repo) -> tuple[str | list[str] | None, str | None]:
        draw = rng.random()
        if draw < spec.labels.missing:
            return None, None
        draw -= spec.labels.missing
        if draw < spec.labels.relabel:
            return rng.choice(spec.labels.relabels), None
        draw -= spec.labels.relabel
        if draw < spec.labels.unreadable:
            return rng.choice(spec.labels.unreadable_labels), None
        return parent.license, parent.license_name

    def pick_parent(root: str) -> str:
        family = families[root]
        if not family or rng.random() < spec.shape.on_the_base:
            return root
        chosen = rng.choice(family)
        return chosen if hub[chosen].depth < spec.shape.max_depth else root

    def new_model(relation: str) -> _Repo:
        root = base_keys[base_pick.pick(rng)]
        parents: list[str] = []
        if relation == "merge":
            count = _weighted(rng, {int(k): v for k, v in spec.shape.merge_parents.items()})
            pool = list(dict.fromkeys([root, *families[root]]))
            if len(pool) < count:
                relation = "finetune"
            else:
                parents = []
                while len(parents) < count:
                    candidate = pick_parent(root)
                    if candidate not in parents:
                        parents.append(candidate)
        if relation != "merge":
            parents = [pick_parent(root)]
        first = hub[parents[0]]
        user = users[user_pick.pick(rng)]
        if relation == "quantized" and mirrors and rng.random() < 0.5:
            mirror = rng.choice(mirrors)
            name = f"{mirror.org}/{short(parents[0])}{rng.choice(mirror.suffixes)}"
        elif relation == "quantized":
            name = f"{user}/{short(parents[0])}-{rng.choice(('GGUF', 'AWQ', 'GPTQ', '4bit', 'exl2'))}"
        elif relation == "adapter":
            name = f"{user}/{short(parents[0])}-lora-{rng.choice(_TOPICS)}"
        elif relation == "merge":
            name = f"{user}/{short(parents[0], 20)}-{short(parents[1], 20)}-merge"
        else:
            name = f"{user}/{short(parents[0])}-{rng.choice(_TOPICS)}-{rng.choice(_LANGS)}"
        value, license_name = label_derivative(first)
        repo = _Repo(unique("model", name), "model", value, license_name, parents=list(parents),
                     parent_ids=[hub[p].id for p in parents], relation=relation, depth=1 + max(hub[p].depth for p in parents), root=root,
                     row_relation=rng.random() < 0.9)
        if relation == "finetune":
            for _ in range(_weighted(rng, {int(k): v for k, v in spec.shape.finetune_datasets.items()})):
                if user_datasets and rng.random() >= spec.shape.registry_dataset:
                    chosen = user_datasets[min(user_pick.pick(rng), len(user_datasets) - 1)]
                else:
                    chosen = registry_datasets[registry_pick.pick(rng)]
                if hub[chosen].id not in repo.datasets:
                    repo.datasets.append(hub[chosen].id)
        if rng.random() < spec.shape.missing_parent:
            ghost = f"deleted-{rng.choice(_SYLLABLES)}{rng.randrange(10**6)}/{short(parents[0])}-{rng.choice(_TOPICS)}"
            ghosts[repo_key("model", ghost)] = ghost
            repo.parent_ids.append(ghost)
            repo.parents.append(repo_key("model", ghost))
        add(repo)
        for p in parents:
            if p != root:
                families[root].append(p)  # one more child: one more ticket
        families[root].append(repo.key)
        return repo

    def new_dataset() -> _Repo:
        user = users[user_pick.pick(rng)]
        name = unique("dataset", f"{user}/{rng.choice(_TOPICS)}-{rng.choice(_LANGS)}-{rng.randrange(1000)}")
        value = None if rng.random() < spec.labels.user_dataset_missing else rng.choice(spec.labels.user_dataset_labels)
        repo = add(_Repo(name, "dataset", value, None))
        user_datasets.append(repo.key)
        return repo

    cycles = round(repos * spec.shape.cycles_per_thousand / 1000)
    cycles = max(cycles, 1 if repos >= 300 else 0)
    while len(order) < max(repos - 2 * cycles, 0):
        if rng.random() < spec.shape.datasets:
            new_dataset()
        else:
            new_model(_weighted(rng, spec.shape.relations))
    for _ in range(cycles):
        a = new_model("finetune")
        b = new_model("finetune")
        # b names a as its base, and a names b as well: a cycle of two
        b.parents, b.parent_ids, b.depth = [a.key], [a.id], a.depth + 1
        a.parents.append(b.key)
        a.parent_ids.append(b.id)

    table = [hub[key] for key in order]
    rng.shuffle(table)
    rows = [_row(repo, rng) for repo in table]
    planted = _plant(hub, ghosts, spec, labels, registry)
    return SyntheticHub(rows, planted, seed)


def _row(repo: _Repo, rng: random.Random) -> dict[str, Any]:
    day = dt.datetime(2023, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=rng.randrange(3 * 365 * 86400))
    row: dict[str, Any] = {
        "id": repo.id,
        "kind": repo.kind,
        "license": repo.license,
        "license_name": repo.license_name,
        "base_model": None,
        "base_model_relation": None,
        "datasets": repo.datasets or None,
        "downloads": int(rng.paretovariate(1.2)) - 1,
        "last_modified": day.isoformat().replace("+00:00", "Z"),
    }
    if repo.parent_ids:
        row["base_model"] = repo.parent_ids[0] if len(repo.parent_ids) == 1 and rng.random() < 0.7 else list(repo.parent_ids)
        row["base_model_relation"] = repo.relation if repo.row_relation else None
    return row


def _plant(hub: dict[str, _Repo], ghosts: dict[str, str], spec: HubSpec, labels: _Labels, registry: Registry) -> Planted:
    """The findings, from the judgement in the spec and the library's reading of labels."""
    relabels = {labels.canonical(label) for label in spec.labels.relabels}
    terms_stay = {labels.canonical(item.license): item for item in spec.planted.terms_stay}
    forbid_use = {labels.canonical(item.license): item for item in spec.planted.forbid_use}
    leaves: dict[str, frozenset[str] | None] = {}
    for key, repo in hub.items():
        leaves[key] = labels.leaves(repo.license, repo.license_name)
    edges: dict[str, list[tuple[str, str]]] = {}
    for key, repo in hub.items():
        edges[key] = [("derived-from", p) for p in repo.parents] + [("trained-on", repo_key("dataset", d)) for d in repo.datasets]
    on_cycle = _on_cycles(edges)
    planted = Planted()
    for key, repo in hub.items():
        if not repo.in_table:
            continue
        everything = _reach(key, edges, None)
        derived = _reach(key, edges, "derived-from") - {key}
        own = leaves[key] or frozenset()
        why = None
        for lic in sorted(own & forbid_use.keys()):
            why = f"its own license {lic} forbids the audited use ({forbid_use[lic].section})"
        for ancestor in sorted(derived):
            for lic in sorted((leaves.get(ancestor) or frozenset()) & forbid_use.keys()):
                if why is None and not forbid_use[lic].self_only:
                    why = f"derived from {hub[ancestor].id}, under {lic}, which forbids the audited use ({forbid_use[lic].section})"
        if why is None and repo.license in spec.labels.relabels and not repo.license_name:
            for ancestor in sorted(derived):
                for lic in sorted((leaves.get(ancestor) or frozenset()) & terms_stay.keys()):
                    if why is None:
                        why = (f"relabelled {labels.canonical(str(repo.license))} though derived from {hub[ancestor].id}, whose "
                               f"{lic} terms stay with derivatives ({terms_stay[lic].section})")
        if why is not None:
            planted.forbidden[repo.id] = why
        cyclic = frozenset(hub[k].id for k in everything & on_cycle)
        if cyclic:
            planted.cycles[repo.id] = cyclic
        lost = frozenset(ghosts[k] for k in everything & ghosts.keys())
        if lost:
            planted.unresolved[repo.id] = lost
    named = {p for repo in hub.values() for p in repo.parents}
    planted.registry_parents = {repo.id for repo in hub.values() if not repo.in_table and repo.key in named}
    return planted


def _reach(start: str, edges: dict[str, list[tuple[str, str]]], relation: str | None) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for rel, parent in edges.get(stack.pop(), []):
            if (relation is None or rel == relation) and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _on_cycles(edges: dict[str, list[tuple[str, str]]]) -> set[str]:
    """Nodes on a directed cycle: those that reach themselves (the graphs are small per family; this is the plain way)."""
    out: set[str] = set()
    for start, outgoing in edges.items():
        stack = [p for _, p in outgoing]
        seen: set[str] = set()
        while stack:
            node = stack.pop()
            if node == start:
                out.add(start)
                break
            if node in seen:
                continue
            seen.add(node)
            stack.extend(p for _, p in edges.get(node, []))
    return out


# ---------------------------------------------------------------- writing


def write_table(rows: Sequence[dict[str, Any]], path: str | Path, *, row_group_size: int = 5_000) -> Path:
    """Rows in the audit table's columns, as Parquet or JSON Lines (by suffix).
    In Parquet, `license`, `base_model` and `datasets` are lists of strings (a
    single value becomes a one-item list), as a Parquet column has one type."""
    path = Path(path)
    if table_format(path) == "jsonl":
        with path.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return path
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = pa.list_(pa.string())
    schema = pa.schema([("id", pa.string()), ("kind", pa.string()), ("license", texts), ("license_name", pa.string()),
                        ("base_model", texts), ("base_model_relation", pa.string()), ("datasets", texts), ("downloads", pa.int64()),
                        ("last_modified", pa.string())])

    def listed(value: Any) -> list[str] | None:
        return None if value is None else value if isinstance(value, list) else [value]

    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    for row in rows:
        for name in schema.names:
            value = row.get(name)
            columns[name].append(listed(value) if name in ("license", "base_model", "datasets") else value)
    pq.write_table(pa.table(columns, schema=schema), path, row_group_size=row_group_size)
    return path


def iter_ids(rows: Iterable[dict[str, Any]]) -> list[str]:
    return [str(row["id"]) for row in rows]
