"""Lineage at scale: every repo's ancestors, over the whole table, with Dask.

An ancestor is anything a repo's card names as `base_model` (a fine-tune,
adapter, merge or quantization is `derived-from` its base) or as `datasets`
(`trained-on`), and, transitively, their ancestors. The step is relational,
so no worker ever holds the whole table:

1. `canonical_rows`: the table's rows and the rows of local cards, hashed by
   repo key; a key the table gives twice keeps its first row (the others
   become error rows), and a card never replaces a table row.
2. `upstream_edges`: one edge per `base_model` and `datasets` entry, joined
   (hash join on the parent's key) with the parent's row for its license. A
   parent that is not in the table is looked up in the registry
   (rules/registry/huggingface.yaml and the local registry cache) on the
   workers; one found nowhere is *missing*, an entry that is not a Hub id is
   *invalid*: both stand for terms nobody knows.
3. `ancestor_edges`: a frontier join, one level per step. The frontier holds
   (repo, node) pairs first reached at the last level; joining it with the
   edges on node = child gives the next level's edges, and the pairs not
   visited before (an anti-join with the visited pairs) the next frontier.
   It stops when the frontier is empty or at the depth bound (`DEFAULT_DEPTH`
   levels). A node at the bound whose own parents are not followed marks its
   repo *cut*: the audit puts terms nobody knows beyond it, so a cut repo is
   never `allowed`. Every edge out of a reached node is kept, so each repo
   gets its whole ancestor subgraph, diamonds and cycles included.

Per repo, `RepoLineage` (plain Python, on the worker that gathers the repo's
edges) finds the repos on cycles (strongly connected components), drops the
edges that close them (depth-first back edges from the repo, so every
ancestor stays reachable) and lists what could not be resolved.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..repo.cards import hub_id
from .table import ROW_COLUMNS, repo_key

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

DEFAULT_DEPTH = 8  # levels of ancestors followed (base of a base … eight deep); the Hub's longest real chains are shorter
DERIVED, TRAINED = "derived-from", "trained-on"
# How a node of a lineage was found: in the table, a local card, the registry,
# a mirror organisation's copy of a registry entry; or not at all.
FOUND = ("table", "card")
UNRESOLVED = ("missing", "invalid-id")

EDGE_COLUMNS: dict[str, str] = {
    "child_key": "object",
    "parent_key": "object",
    "parent_id": "object",
    "relation": "object",   # derived-from or trained-on
    "licenses": "object",   # the parent's licenses: JSON list, as written (None: none declared)
    "status": "object",     # table, card, registry, registry-mirror, missing, invalid-id
}
NODE_COLUMNS: dict[str, str] = {"parent_key": "object", "licenses": "object", "found": "object"}
REACH_COLUMNS: dict[str, str] = {"repo_key": "object", **EDGE_COLUMNS, "depth": "int64"}
RECORD_COLUMNS: dict[str, str] = {"repo_key": "object", "record": "object", "data": "object"}


@dataclass
class LevelStats:
    depth: int
    frontier: int  # (repo, node) pairs first reached at this depth
    edges: int  # edges found at this depth
    frontier_bytes: int  # in-memory size of the frontier that is shuffled to the next join
    edge_bytes: int


@dataclass
class LineageStats:
    """What the lineage step did: its levels and the sizes its joins shuffled."""

    depth_bound: int
    table_rows: int = 0
    edges: int = 0
    edge_bytes: int = 0
    levels: list[LevelStats] = field(default_factory=list)
    cut_repos: int = 0

    @property
    def shuffled_bytes(self) -> int:
        """Bytes moved by the frontier joins: each level shuffles its frontier and the edges it joins with."""
        return sum(level.frontier_bytes + self.edge_bytes + level.edge_bytes for level in self.levels)


# ---------------------------------------------------------------- pandas steps (one partition each)


def _frame(rows: Iterable[Sequence[Any]], columns: dict[str, str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(list(rows), columns=list(columns)).astype(columns)


def dedupe_partition(part: pd.DataFrame) -> pd.DataFrame:
    """One hash partition of the rows: per key, the table's first row wins;
    later table rows with that key become errors, cards under it are dropped."""
    part = part.sort_values(["priority", "row"], kind="stable").reset_index(drop=True)
    keyed = part["key"].notna()
    repeated = keyed & part.duplicated("key", keep="first")
    first_row = part.loc[keyed].groupby("key")["row"].transform("first")
    drop = repeated & (part["priority"] > 0)
    dup_table = repeated & (part["priority"] == 0) & part["error"].isna()
    for index in part.index[dup_table]:
        where = "line" if part.at[index, "where"] == "line" else "row"
        part.at[index, "error"] = f"{where} {part.at[index, 'row']}: id {part.at[index, 'id']!r} is in the table already ({where} {first_row[index]})"
    return part.loc[~drop]


def edges_partition(part: pd.DataFrame) -> pd.DataFrame:
    """The upstream edges the rows of a partition name (rows with errors name none)."""
    out: list[tuple[Any, ...]] = []
    for key, parents, datasets, error in zip(part["key"], part["parents"], part["datasets"], part["error"], strict=True):
        if not isinstance(key, str) or isinstance(error, str):
            continue
        seen: set[str] = set()
        for text, kind, relation in ((parents, "model", DERIVED), (datasets, "dataset", TRAINED)):
            if not isinstance(text, str):
                continue
            for entry in json.loads(text):
                valid = hub_id(entry)
                parent_key = repo_key(kind, valid) if valid is not None else f"invalid:{kind}:{entry}"
                if parent_key in seen:
                    continue
                seen.add(parent_key)
                out.append((key, parent_key, entry, relation, None, None if valid is not None else "invalid-id"))
    return _frame(out, EDGE_COLUMNS)


def nodes_partition(part: pd.DataFrame) -> pd.DataFrame:
    """The repos of a partition that can be someone's parent: keyed rows without errors."""
    usable = part.loc[part["key"].notna() & part["error"].isna()]
    return _frame(zip(usable["key"], usable["licenses"], ["table" if p == 0 else "card" for p in usable["priority"]], strict=True),
                  NODE_COLUMNS)


def resolve_partition(part: pd.DataFrame, resolve: Callable[[str, str], tuple[str | None, str]]) -> pd.DataFrame:
    """Edges whose parent is not in the table: `resolve(kind, id)` (the
    registry, on the worker) gives (licenses JSON or None, status)."""
    part = part.reset_index(drop=True)
    unknown = part["status"].isna()
    for index in part.index[unknown]:
        kind = str(part.at[index, "parent_key"]).partition(":")[0]
        licenses, status = resolve(kind, str(part.at[index, "parent_id"]))
        part.at[index, "licenses"] = licenses
        part.at[index, "status"] = status
    return part


def self_records(part: pd.DataFrame) -> pd.DataFrame:
    """Each table row as the record its repo's lineage starts from."""
    out = []
    for row in part.loc[part["priority"] == 0].itertuples(index=False):
        data = {column: _plain(getattr(row, column)) for column in ROW_COLUMNS}
        data["where"] = row.where
        key = row.key if isinstance(row.key, str) and not isinstance(row.error, str) else f"row:{row.row}"
        out.append((key, "self", json.dumps(data, ensure_ascii=False)))
    return _frame(out, RECORD_COLUMNS)


def edge_records(part: pd.DataFrame) -> pd.DataFrame:
    out = [(row.repo_key, "edge", json.dumps([row.child_key, row.parent_key, row.parent_id, row.relation, _plain(row.licenses),
                                                row.status, int(row.depth)], ensure_ascii=False))
           for row in part.itertuples(index=False)]
    return _frame(out, RECORD_COLUMNS)


def cut_records(part: pd.DataFrame) -> pd.DataFrame:
    return _frame([(row.repo_key, "cut", json.dumps(row.node_key)) for row in part.itertuples(index=False)], RECORD_COLUMNS)


def _plain(value: Any) -> Any:
    """A pandas cell as JSON: NaN and pandas' missing values are None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


# ---------------------------------------------------------------- the distributed steps


def canonical_rows(rows: dd.DataFrame, cards: pd.DataFrame | None, where: str, npartitions: int) -> dd.DataFrame:
    """The table's rows and the local cards' rows, one row per key, hashed by key."""
    import dask.dataframe as dd

    table = rows.assign(priority=0, where=where)
    frames = [table]
    if cards is not None and len(cards):
        frames.append(dd.from_pandas(cards.assign(priority=1, where="card"), npartitions=1))
    both = dd.concat(frames) if len(frames) > 1 else table
    meta = both._meta
    return both.shuffle("key", npartitions=npartitions).map_partitions(dedupe_partition, meta=meta)


def upstream_edges(canon: dd.DataFrame, resolve: Callable[[str, str], tuple[str | None, str]]) -> dd.DataFrame:
    """Every edge of the table, with its parent's licenses and how the parent was found."""
    edges = canon.map_partitions(edges_partition, meta=_frame([], EDGE_COLUMNS))
    nodes = canon.map_partitions(nodes_partition, meta=_frame([], NODE_COLUMNS))
    joined = edges.drop(columns=["licenses"]).merge(nodes, on="parent_key", how="left")
    joined = joined.assign(status=joined["status"].fillna(joined["found"]))[list(EDGE_COLUMNS)]
    return joined.map_partitions(resolve_partition, resolve, meta=_frame([], EDGE_COLUMNS))


def ancestor_edges(
    edges: dd.DataFrame,
    *,
    depth: int = DEFAULT_DEPTH,
    npartitions: int,
    on_level: Callable[[LevelStats], None] | None = None,
    persist: Callable[[dd.DataFrame], dd.DataFrame] | None = None,
) -> tuple[dd.DataFrame, dd.DataFrame, LineageStats]:
    """The frontier join: (every edge of every repo's ancestor subgraph, the
    (repo, node) pairs cut at the depth bound, the statistics). `persist`
    keeps each level's frames on the cluster (a distributed client's persist)."""
    import dask.dataframe as dd

    if depth < 1:
        raise ValueError("the depth bound must be at least 1")
    keep = persist or (lambda frame: frame.persist())
    import dask

    edges = keep(edges)
    stats = LineageStats(depth_bound=depth)
    count, size = dask.compute(edges.shape[0], _bytes(edges))
    stats.edges, stats.edge_bytes = int(count), int(size)
    by_child = _renamed(edges, {"child_key": "node_key"})

    level = keep(edges.assign(repo_key=edges["child_key"], depth=1)[list(REACH_COLUMNS)])
    reach = [level]
    starts = edges[["child_key"]].drop_duplicates(split_out=npartitions)
    visited = _renamed(starts.assign(node_key=starts["child_key"]), {"child_key": "repo_key"})
    frontier = keep(_new_pairs(level, visited, npartitions))
    visited = keep(dd.concat([visited, frontier]))
    count = _record(stats, 1, frontier, level, on_level)
    reached = 1
    while count and reached < depth:
        reached += 1
        joined = frontier.merge(by_child, on="node_key", how="inner", npartitions=npartitions)
        level = keep(_renamed(joined, {"node_key": "child_key"}).assign(depth=reached)[list(REACH_COLUMNS)])
        frontier = keep(_new_pairs(level, visited, npartitions))
        visited = keep(dd.concat([visited, frontier]))
        count = _record(stats, reached, frontier, level, on_level)
        reach.append(level)
    if count:
        # nodes at the bound: those with parents of their own are where the lineage is cut
        parents = by_child[["node_key"]].drop_duplicates(split_out=npartitions)
        cut = keep(frontier.merge(parents, on="node_key", how="inner", npartitions=npartitions)[["repo_key", "node_key"]])
        stats.cut_repos = int(cut["repo_key"].nunique().compute())
    else:
        cut = dd.from_pandas(_frame([], {"repo_key": "object", "node_key": "object"}), npartitions=1)
    return dd.concat(reach), cut, stats


def _new_pairs(level: dd.DataFrame, visited: dd.DataFrame, npartitions: int) -> dd.DataFrame:
    """The (repo, parent) pairs of a level that were not visited before."""
    pairs = _renamed(level[["repo_key", "parent_key"]], {"parent_key": "node_key"}).drop_duplicates(split_out=npartitions)
    marked = pairs.merge(visited.assign(seen=True), on=["repo_key", "node_key"], how="left", npartitions=npartitions)
    return marked.loc[marked["seen"].isna(), ["repo_key", "node_key"]]


def _rename_partition(part: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    return part.rename(columns=columns)


def _renamed(frame: dd.DataFrame, columns: dict[str, str]) -> dd.DataFrame:
    """`frame` with columns renamed, partition by partition (dask's own rename
    trips over its record of how a shuffled frame is partitioned)."""
    return frame.map_partitions(_rename_partition, columns, meta=frame._meta.rename(columns=columns))


def _bytes(frame: dd.DataFrame) -> Any:
    """The in-memory size of a frame, to be computed."""
    return frame.memory_usage(deep=True, index=False).sum()


def _record(stats: LineageStats, depth: int, frontier: dd.DataFrame, level: dd.DataFrame,
            on_level: Callable[[LevelStats], None] | None) -> int:
    """Count a level's frontier and edges and their sizes, in one round trip to the cluster; the frontier's size."""
    import dask

    count, frontier_bytes, edges, edge_bytes = dask.compute(frontier.shape[0], _bytes(frontier), level.shape[0], _bytes(level))
    found = LevelStats(depth=depth, frontier=int(count), edges=int(edges), frontier_bytes=int(frontier_bytes), edge_bytes=int(edge_bytes))
    stats.levels.append(found)
    if on_level is not None:
        on_level(found)
    return found.frontier


def gathered(canon: dd.DataFrame, reach: dd.DataFrame, cut: dd.DataFrame, npartitions: int) -> dd.DataFrame:
    """Every repo's records (its row, its ancestor edges, its cut nodes) in one partition, hashed by repo."""
    import dask.dataframe as dd

    meta = _frame([], RECORD_COLUMNS)
    parts = [canon.map_partitions(self_records, meta=meta), reach.map_partitions(edge_records, meta=meta),
             cut.map_partitions(cut_records, meta=meta)]
    return dd.concat(parts).shuffle("repo_key", npartitions=npartitions)


# ---------------------------------------------------------------- one repo's lineage


@dataclass(frozen=True)
class Node:
    key: str
    id: str
    licenses: tuple[str, ...] | None  # as written; None: none declared
    status: str

    @property
    def kind(self) -> str:
        """model or dataset: the Hub namespace of the key."""
        return self.key.split(":", 2)[1] if self.key.startswith("invalid:") else self.key.partition(":")[0]


@dataclass
class RepoLineage:
    """A repo's ancestor subgraph, as the frontier join found it."""

    target: str
    nodes: dict[str, Node]
    parents: dict[str, list[tuple[str, str]]]  # child key → [(relation, parent key)], sorted
    cut: set[str] = field(default_factory=set)

    @classmethod
    def from_records(cls, target: Node, edges: Iterable[Sequence[Any]], cut: Iterable[str]) -> RepoLineage:
        nodes = {target.key: target}
        parents: dict[str, set[tuple[str, str]]] = {}
        for child, parent, parent_id, relation, licenses, status, _depth in edges:
            if parent not in nodes:
                nodes[parent] = Node(parent, parent_id, tuple(json.loads(licenses)) if licenses else None, status)
            parents.setdefault(child, set()).add((relation, parent))
        return cls(target.key, nodes, {child: sorted(found) for child, found in parents.items()}, set(cut))

    def on_cycles(self) -> set[str]:
        """The keys of nodes on a cycle (Tarjan's strongly connected components; a self-loop counts)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        out: set[str] = set()
        counter = 0
        for root in sorted(self.nodes):
            if root in index:
                continue
            work: list[tuple[str, int]] = [(root, 0)]
            while work:
                node, position = work.pop()
                if position == 0:
                    index[node] = low[node] = counter
                    counter += 1
                    stack.append(node)
                    on_stack.add(node)
                edges = self.parents.get(node, [])
                if position < len(edges):
                    work.append((node, position + 1))
                    nxt = edges[position][1]
                    if nxt not in index:
                        work.append((nxt, 0))
                    elif nxt in on_stack:
                        low[node] = min(low[node], index[nxt])
                    continue
                if work:
                    caller = work[-1][0]
                    low[caller] = min(low[caller], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    looped = len(component) > 1 or any(p == node for _, p in self.parents.get(node, []))
                    if looped:
                        out.update(component)
        return out

    def acyclic_parents(self) -> dict[str, list[tuple[str, str]]]:
        """The parents without the edges that close a cycle: the back edges of
        a depth-first walk from the repo, taken in sorted order."""
        kept: dict[str, list[tuple[str, str]]] = {}
        state: dict[str, int] = {self.target: 1}  # 1 on the walk's stack, 2 done
        work: list[tuple[str, int]] = [(self.target, 0)]
        while work:
            node, position = work.pop()
            edges = self.parents.get(node, [])
            if position >= len(edges):
                state[node] = 2
                continue
            work.append((node, position + 1))
            relation, parent = edges[position]
            if state.get(parent) == 1:
                continue  # closes a cycle: left out
            kept.setdefault(node, []).append((relation, parent))
            if parent not in state:
                state[parent] = 1
                work.append((parent, 0))
        return kept

    def depth(self, parents: dict[str, list[tuple[str, str]]]) -> int:
        """The longest of the shortest paths from the repo to its ancestors."""
        distance = {self.target: 0}
        queue = [self.target]
        for node in queue:
            for _, parent in parents.get(node, []):
                if parent not in distance:
                    distance[parent] = distance[node] + 1
                    queue.append(parent)
        return max(distance.values())

    def unresolved(self) -> list[str]:
        return sorted({node.id for node in self.nodes.values() if node.status in UNRESOLVED})
