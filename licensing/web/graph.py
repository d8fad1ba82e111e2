"""The lineage drawn as SVG on the server: a layered drawing, the target on
top and each component below what reaches it, so the page needs no graph
library. The graph (nodes, edges, conflict marks, the paths to each clause)
is `licensing.render.lineage`'s, which also writes it as Mermaid for
markdown; this module only places it and writes the SVG.

Marks never rest on colour alone: a node in conflict has a thick border, a
warning sign and the words "in conflict"; an edge on a conflict's path is
thick and dashed. Every node is focusable, and the page highlights the path
from the target to it on hover or focus.
"""

from __future__ import annotations

import json
from collections import Counter
from html import escape

from ..render.lineage import Lineage, Node, relation_words, short_license

NODE_WIDTH = 200
NODE_HEIGHT = 62
GAP_X = 28
GAP_Y = 64
MARGIN = 16
MAX_ROW = 6  # nodes side by side before a layer wraps onto another row
NAME_CHARS = 26
LICENSE_CHARS = 30
CHAR_WIDTH = 6.4  # of the 12px label font, to size the label's backing
MORE = "\u0000more"  # where the box that counts the components left out goes (no component has this name)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _order(graph: Lineage) -> list[list[str]]:
    """Nodes of each layer in an order that keeps edges short: each layer
    sorted by the mean position of its parents (one sweep down)."""
    position: dict[str, float] = {}
    parents: dict[str, list[str]] = {}
    for edge in graph.edges:
        parents.setdefault(edge.target, []).append(edge.source)
    rows = []
    for layer in graph.layers:
        keyed = []
        for index, name in enumerate(layer):
            placed = [position[p] for p in parents.get(name, []) if p in position]
            keyed.append((sum(placed) / len(placed) if placed else float("inf"), index, name))
        ordered = [name for _, _, name in sorted(keyed)]
        for index, name in enumerate(ordered):
            position[name] = index - (len(ordered) - 1) / 2
        rows.append(ordered)
    return rows


def _place(graph: Lineage) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Top-left corner of every node (and of the box that counts those left
    out, under `MORE`), and the drawing's width and height."""
    rows: list[list[str]] = []
    for layer in _order(graph):
        rows += [layer[i : i + MAX_ROW] for i in range(0, len(layer), MAX_ROW)] or [[]]
    if graph.left_out:
        rows.append([MORE])
    widest = max((len(row) for row in rows), default=1)
    width = MARGIN * 2 + widest * NODE_WIDTH + (widest - 1) * GAP_X
    where: dict[str, tuple[float, float]] = {}
    for index, row in enumerate(rows):
        row_width = len(row) * NODE_WIDTH + (len(row) - 1) * GAP_X
        left = (width - row_width) / 2
        top = MARGIN + index * (NODE_HEIGHT + GAP_Y)
        for column, name in enumerate(row):
            where[name] = (left + column * (NODE_WIDTH + GAP_X), top)
    height = MARGIN * 2 + len(rows) * NODE_HEIGHT + (len(rows) - 1) * GAP_Y
    return where, width, height


def _node(node: Node, x: float, y: float) -> str:
    classes = ["node"] + (["target"] if node.target else []) + (["conflict"] if node.conflict else []) + ([] if node.reached else ["unreached"])
    marks = [m for m, on in (("the target", node.target), ("in conflict", node.conflict), ("not reached from the target", not node.reached)) if on]
    label = f"{node.name}: {node.kind}, {node.license or 'no license of its own'}" + (f" ({', '.join(marks)})" if marks else "")
    third = " · ".join(("⚠ in conflict" if m == "in conflict" else m) for m in marks)
    lines = [
        f'<g class="{" ".join(classes)}" data-name="{escape(node.name)}" tabindex="0" role="button" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="8"/>',
        f'<text x="{x + 10:.1f}" y="{y + 20:.1f}" class="name">{escape(_short(node.name, NAME_CHARS))}</text>',
        f'<text x="{x + 10:.1f}" y="{y + 37:.1f}">{escape(node.kind)} · {escape(short_license(node.license, LICENSE_CHARS))}</text>',
    ]
    if third:
        lines.append(f'<text x="{x + 10:.1f}" y="{y + 54:.1f}" class="mark{" conflict-mark" if node.conflict else ""}">{escape(third)}</text>')
    lines.append("</g>")
    return "".join(lines)


_MARKERS = (
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
    '<path d="M 0 0 L 10 5 L 0 10 z" class="arrow"/></marker>'
    '<marker id="arrow-conflict" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
    '<path d="M 0 0 L 10 5 L 0 10 z" class="arrow conflict"/></marker></defs>'
)


def lineage_svg(graph: Lineage, *, title: str = "The lineage") -> str:
    """The graph as an SVG element for the page (and the memo)."""
    where, width, height = _place(graph)
    paths = [{"conflict": p.conflict, "license": p.license, "section": p.section, "component": p.component, "path": list(p.path)}
             for p in graph.paths]
    description = (f"{len(graph.nodes)} components, {len(graph.edges)} relations"
                   + (f"; {sum(n.conflict for n in graph.nodes)} in conflict" if any(n.conflict for n in graph.nodes) else "")
                   + (f"; {graph.left_out} more not drawn" if graph.left_out else ""))
    out = [
        (f'<svg class="lineage" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
         f'role="group" aria-labelledby="lineage-title lineage-desc" data-target="{escape(graph.target)}" data-paths="{escape(json.dumps(paths))}">'),
        f'<title id="lineage-title">{escape(title)}</title><desc id="lineage-desc">{escape(description)}</desc>',
        _MARKERS,
        '<g class="edges">',
    ]
    labels = []
    fan = Counter((edge.source, edge.relation) for edge in graph.edges)
    labelled: set[tuple[str, str]] = set()
    for edge in graph.edges:
        if edge.source not in where or edge.target not in where:
            continue
        (sx, sy), (tx, ty) = where[edge.source], where[edge.target]
        x1, y1 = sx + NODE_WIDTH / 2, sy + NODE_HEIGHT
        x2, y2 = tx + NODE_WIDTH / 2, ty
        if ty <= sy:  # an edge that does not point down (a cycle the scenario check refuses): from side to side
            x1, y1, y2 = sx + NODE_WIDTH, sy + NODE_HEIGHT / 2, ty + NODE_HEIGHT / 2
            x2 = tx + NODE_WIDTH
        bend = max(abs(y2 - y1) / 2, 30)
        d = f"M {x1:.1f} {y1:.1f} C {x1:.1f} {y1 + bend:.1f}, {x2:.1f} {y2 - bend:.1f}, {x2:.1f} {y2:.1f}"
        marker = "arrow-conflict" if edge.conflict else "arrow"
        words = relation_words(edge.relation)
        out.append(f'<path class="edge{" conflict" if edge.conflict else ""}" d="{d}" marker-end="url(#{marker})" '
                   f'data-from="{escape(edge.source)}" data-to="{escape(edge.target)}"><title>{escape(edge.source)} {escape(words)} {escape(edge.target)}</title></path>')
        group = (edge.source, edge.relation)
        if fan[group] > 1:
            # many edges of one relation from one node: one label, under the node, not one on each edge
            if group in labelled:
                continue
            labelled.add(group)
            mx, my, to = x1, y1 + 12, ""
        else:
            mx, my, to = (x1 + x2) / 2, (y1 + y2) / 2, edge.target
        box = len(words) * CHAR_WIDTH + 8
        labels.append(f'<g class="edge-label" data-from="{escape(edge.source)}" data-to="{escape(to)}">'
                      f'<rect x="{mx - box / 2:.1f}" y="{my - 9:.1f}" width="{box:.1f}" height="16" rx="3"/>'
                      f'<text x="{mx:.1f}" y="{my + 3:.1f}" text-anchor="middle">{escape(words)}</text></g>')
    if graph.left_out and MORE in where and graph.target in where:
        (sx, sy), (mx, my) = where[graph.target], where[MORE]
        out.append(f'<path class="edge more" d="M {sx + NODE_WIDTH / 2:.1f} {sy + NODE_HEIGHT:.1f} L {mx + NODE_WIDTH / 2:.1f} {my:.1f}"/>')
    out.append("</g>")
    out.append('<g class="labels">' + "".join(labels) + "</g>")
    out.append('<g class="nodes">')
    for node in graph.nodes:
        x, y = where[node.name]
        out.append(_node(node, x, y))
    if graph.left_out and MORE in where:
        x, y = where[MORE]
        count = f"… and {graph.left_out:,} more"
        out.append(f'<g class="node more"><rect x="{x:.1f}" y="{y:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="8"/>'
                   f'<text x="{x + 10:.1f}" y="{y + 24:.1f}" class="name">{escape(count)} components</text>'
                   f'<text x="{x + 10:.1f}" y="{y + 42:.1f}">not drawn; all are checked</text></g>')
    out.append("</g></svg>")
    return "".join(out)
