"""Server-side layout of the actor network, drawn by the template as inline SVG.

Only numbers and fixed colour names leave this module as geometry; actor names
travel as plain ``str`` and are escaped by Jinja inside ``<text>``/``<title>``.
"""

from __future__ import annotations

import math
from typing import Any

from crossread.analyze.coverage import Edge, Node

WIDTH = 640
HEIGHT = 440
NODE_RADIUS = 9
LABEL_MAX = 28
COLOURS = {"cooperation": "#1b873f", "conflict": "#d0312d", "neutral": "#8a8a8f"}


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def _short(name: str) -> str:
    return name if len(name) <= LABEL_MAX else name[: LABEL_MAX - 1] + "…"


def edge_width(weight: int) -> float:
    return min(1.5 + 1.5 * (weight - 1), 9.0)


def layout(nodes: list[Node], edges: list[Edge], centre: str | None = None) -> dict[str, Any]:
    """Circle layout: nodes evenly on a circle (first node at the top, clockwise); with ``centre`` (a node
    id: an actor's neighbourhood), that node in the middle and the others around it.

    Parallel edges between one pair (both directions, several kinds) are drawn as
    quadratic curves bent apart so that none hides another; each ends at the rim of
    its target node, where the arrow marker sits.
    """
    cx, cy = WIDTH / 2, HEIGHT / 2
    radius = min(WIDTH, HEIGHT) / 2 - 60
    pos: dict[str, tuple[float, float]] = {}
    placed = []
    ring = {node.id: i for i, node in enumerate(n for n in nodes if n.id != centre)}
    n = len(ring)
    for node in nodes:
        at_centre = node.id not in ring or (n == 1 and len(nodes) == 1)
        angle = 0.0 if node.id not in ring else -math.pi / 2 + 2 * math.pi * ring[node.id] / n
        x, y = (cx, cy) if at_centre else (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
        pos[node.id] = (x, y)
        c = math.cos(angle) if not at_centre else 0.0
        s = math.sin(angle) if not at_centre else 1.0
        anchor = "start" if c > 0.2 else "end" if c < -0.2 else "middle"
        lx = x + (NODE_RADIUS + 5) * c
        ly = y + (NODE_RADIUS + 5) * s + (4 if abs(s) < 0.5 else (14 if s > 0 else -6))
        placed.append({"id": node.id, "name": node.name, "label": _short(node.name), "events": node.events,
                       "type": node.type, "cx": _fmt(x), "cy": _fmt(y), "r": NODE_RADIUS,
                       "lx": _fmt(lx), "ly": _fmt(ly), "anchor": anchor})

    groups: dict[tuple[str, str], list[Edge]] = {}
    for e in edges:
        groups.setdefault(tuple(sorted((e.source, e.target))), []).append(e)  # type: ignore[arg-type]
    names = {node.id: node.name for node in nodes}
    drawn = []
    for (a, b), group in groups.items():
        ax, ay = pos[a]
        bx, by = pos[b]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy) or 1.0
        px, py = -dy / length, dx / length  # perpendicular of the canonical a→b direction
        k = len(group)
        for i, e in enumerate(group):
            offset = (i - (k - 1) / 2) * 28.0
            sx, sy = pos[e.source]
            tx, ty = pos[e.target]
            qx, qy = (sx + tx) / 2 + px * offset, (sy + ty) / 2 + py * offset
            # End on the target's rim, along the curve's end tangent (control point → target).
            vx, vy = tx - qx, ty - qy
            vl = math.hypot(vx, vy) or 1.0
            ex, ey = tx - vx / vl * (NODE_RADIUS + 2), ty - vy / vl * (NODE_RADIUS + 2)
            drawn.append({"d": f"M {_fmt(sx)} {_fmt(sy)} Q {_fmt(qx)} {_fmt(qy)} {_fmt(ex)} {_fmt(ey)}",
                          "kind": e.kind, "colour": COLOURS[e.kind], "width": _fmt(edge_width(e.weight)),
                          "weight": e.weight, "source": e.source, "target": e.target,
                          "title": f"{names[e.source]} → {names[e.target]}: {e.kind}, "
                                   f"{e.weight} event{'s' if e.weight != 1 else ''}"})
    return {"width": WIDTH, "height": HEIGHT, "nodes": placed, "edges": drawn, "colours": COLOURS}
