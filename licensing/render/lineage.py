"""The lineage of a question drawn as a graph: components as nodes, relations
as edges, the parts in conflict marked, and the path from the target to each
clause in a conflict.

`lineage()` builds the graph from a scenario and (optionally) its verdict;
`mermaid()` writes it as a Mermaid flowchart, which GitHub and GitLab draw in
pull-request comments (`licet check --format markdown`, `licet scan --format
markdown`); the web page (`licensing.web.graph`) draws the same graph as SVG.
Nothing here decides anything: conflicts and paths come from the verdict.

A graph past `limit` nodes would not be readable: it keeps the target, every
component on a conflict's path, then the others nearest the target, and says
how many it left out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..scenario import Scenario
from ..verdict import Verdict

# Past this many components a drawing stops being readable.
DEFAULT_LIMIT = 24
# Longest text of a node's license shown in full.
LICENSE_CHARS = 48


@dataclass(frozen=True)
class Node:
    name: str
    kind: str
    license: str | None
    layer: int  # steps from the target along relations (the longest such walk); unreached components come last
    target: bool = False
    conflict: bool = False  # a clause in a conflict reaches it
    reached: bool = True  # the target reaches it through relations


@dataclass(frozen=True)
class Edge:
    source: str
    relation: str
    target: str
    conflict: bool = False  # on the path from the target to a clause in a conflict


@dataclass(frozen=True)
class ConflictPath:
    """The path by which one clause of one conflict reaches its component."""

    conflict: int  # index of the conflict in the verdict, from 0
    license: str
    section: str
    component: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class Lineage:
    target: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    paths: tuple[ConflictPath, ...] = ()
    left_out: int = 0  # components not drawn (past the limit)
    layers: tuple[tuple[str, ...], ...] = field(default=())

    def node(self, name: str) -> Node | None:
        return next((n for n in self.nodes if n.name == name), None)


def relation_words(relation: str) -> str:
    """`derived-from` → `derived from`: how an edge is labelled."""
    return relation.replace("-", " ")


def _conflict_paths(verdict: Verdict | None) -> list[ConflictPath]:
    out: list[ConflictPath] = []
    if verdict is None:
        return out
    for index, conflict in enumerate(verdict.conflicts):
        for ref in conflict.clauses:
            out.append(ConflictPath(index, ref.license, ref.section, ref.component, tuple(ref.path)))
            for other in ref.also_components:
                out.append(ConflictPath(index, ref.license, ref.section, other, (other,)))
    return out


def _edges_of(scenario: Scenario) -> list[tuple[str, str, str]]:
    return [
        (name, relation, other)
        for name, component in scenario.components.items()
        for relation, targets in component.relations.items()
        for other in targets
        if other in scenario.components and other != name
    ]


def _distances(target: str, edges: Sequence[tuple[str, str, str]]) -> dict[str, int]:
    """Fewest steps from the target to each component it reaches."""
    following: dict[str, list[str]] = {}
    for source, _, other in edges:
        following.setdefault(source, []).append(other)
    seen = {target: 0}
    queue = deque([target])
    while queue:
        name = queue.popleft()
        for other in following.get(name, ()):
            if other not in seen:
                seen[other] = seen[name] + 1
                queue.append(other)
    return seen


def _layers(target: str, names: Iterable[str], edges: Sequence[tuple[str, str, str]]) -> dict[str, int]:
    """Each drawn node's layer: the longest walk from the target to it along
    drawn edges (so every edge points down), computed on the graph without
    edges that close a cycle; unreached nodes go below all the others."""
    keep = set(names)
    following: dict[str, list[str]] = {}
    for source, _, other in edges:
        if source in keep and other in keep:
            following.setdefault(source, []).append(other)
    # a topological order of what the target reaches, by depth-first search without recursion
    order: list[str] = []
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    stack: list[tuple[str, int]] = [(target, 0)]
    state[target] = 1
    while stack:
        name, index = stack.pop()
        children = following.get(name, [])
        if index < len(children):
            stack.append((name, index + 1))
            child = children[index]
            if state.get(child) == 1:
                back.add((name, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, 0))
        else:
            state[name] = 2
            order.append(name)
    order.reverse()
    layer = {target: 0}
    for name in order:
        for child in following.get(name, []):
            if (name, child) not in back and name in layer:
                layer[child] = max(layer.get(child, 0), layer[name] + 1)
    bottom = max(layer.values(), default=0) + 1
    for name in keep:
        layer.setdefault(name, bottom)
    return layer


def lineage(scenario: Scenario, verdict: Verdict | None = None, *, limit: int = DEFAULT_LIMIT) -> Lineage:
    """The graph of a scenario, marked with its verdict's conflicts."""
    target = scenario.use.target
    edges = _edges_of(scenario)
    paths = _conflict_paths(verdict)
    in_conflict = {p.component for p in paths}
    on_path = {(a, b) for p in paths for a, b in zip(p.path, p.path[1:], strict=False)}
    distance = _distances(target, edges)
    # what is drawn: the target, every component on a conflict's path, then the nearest others
    wanted: dict[str, None] = {}
    if target in scenario.components:
        wanted[target] = None
    for p in paths:
        for name in p.path:
            if name in scenario.components:
                wanted.setdefault(name, None)
    rest = sorted((n for n in scenario.components if n not in wanted), key=lambda n: (distance.get(n, len(scenario.components)), n))
    for name in rest:
        if len(wanted) >= max(limit, 1):
            break
        wanted.setdefault(name, None)
    layer = _layers(target, wanted, edges)
    nodes = []
    for name in wanted:
        component = scenario.components[name]
        nodes.append(Node(
            name=name, kind=component.kind, license=component.license, layer=layer[name], target=name == target,
            conflict=name in in_conflict, reached=name in distance,
        ))
    drawn = [
        Edge(source, relation, other, conflict=(source, other) in on_path)
        for source, relation, other in edges
        if source in wanted and other in wanted
    ]
    by_layer: dict[int, list[str]] = {}
    for node in nodes:
        by_layer.setdefault(node.layer, []).append(node.name)
    return Lineage(
        target=target,
        nodes=tuple(nodes),
        edges=tuple(drawn),
        paths=tuple(p for p in paths if all(name in wanted for name in p.path)),
        left_out=len(scenario.components) - len(wanted),
        layers=tuple(tuple(by_layer[k]) for k in sorted(by_layer)),
    )


# ---------------------------------------------------------------- Mermaid


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: quotes and angle brackets as entity codes."""
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
            .replace("`", "#96;").replace("\n", " "))


def short_license(text: str | None, limit: int = LICENSE_CHARS) -> str:
    if not text:
        return "no license of its own"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mermaid(graph: Lineage) -> str:
    """The graph as a Mermaid flowchart, top to bottom from the target. Nodes
    in conflict are drawn red with a thick border and say so in words too;
    edges on a conflict's path are drawn thick and red."""
    ids = {node.name: f"n{index}" for index, node in enumerate(graph.nodes)}
    lines = ["flowchart TD"]
    for node in graph.nodes:
        parts = [node.name, f"{node.kind} · {short_license(node.license)}"]
        marks = [mark for mark, on in (("target", node.target), ("in conflict", node.conflict)) if on]
        if marks:
            parts.append(f"({', '.join(marks)})")
        lines.append(f'  {ids[node.name]}["{"<br/>".join(_mermaid_text(part) for part in parts)}"]')
    conflict_links = []
    for index, edge in enumerate(graph.edges):
        arrow = "==>" if edge.conflict else "-->"
        lines.append(f'  {ids[edge.source]} {arrow}|"{_mermaid_text(relation_words(edge.relation))}"| {ids[edge.target]}')
        if edge.conflict:
            conflict_links.append(str(index))
    if graph.left_out:
        lines.append(f'  more["… and {graph.left_out:,} more components"]')
        if graph.target in ids:
            lines.append(f"  {ids[graph.target]} -.- more")
    lines.append("  classDef target stroke-width:3px")
    lines.append("  classDef conflict fill:#fde8e8,stroke:#b42318,stroke-width:3px,color:#5c1010")
    targets = [ids[n.name] for n in graph.nodes if n.target and not n.conflict]
    conflicts = [ids[n.name] for n in graph.nodes if n.conflict]
    if targets:
        lines.append(f"  class {','.join(targets)} target")
    if conflicts:
        lines.append(f"  class {','.join(conflicts)} conflict")
    if conflict_links:
        lines.append(f"  linkStyle {','.join(conflict_links)} stroke:#b42318,stroke-width:3px")
    return "\n".join(lines)


def mermaid_block(scenario: Scenario, verdict: Verdict | None = None, *, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Markdown lines: a fenced Mermaid diagram of the lineage, with a line
    saying how many components were left out of it."""
    graph = lineage(scenario, verdict, limit=limit)
    out = ["```mermaid", mermaid(graph), "```"]
    if graph.left_out:
        out.append("")
        out.append(f"The drawing shows {len(graph.nodes)} of {len(scenario.components):,} components: the target, "
                   "those on a conflict's path, then those nearest the target.")
    return out
