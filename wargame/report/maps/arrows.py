"""Arrows of advance: where each side pushed between two control snapshots, and how to draw them.

    arrows = advances(theatre, side_ids, before, after)      # control arrays of the two snapshots
    draw_advances(ax, side_colour, arrows, limits)           # wide for the big gains, sized to the view
    mark_captures(ax, theatre, side_colour, events)          # rings on the places taken, in the taker's colour

Each taken cell is traced back to the nearest cell the side held before (where the push came from);
taken cells are grouped by connected patch, and a wide patch is split along the old front by those
origins, so one arrow stands for one thrust.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib import patheffects
from matplotlib.patches import Polygon
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from wargame.core.theatre import Theatre
from wargame.report.maps.layers import Z_ARROW, Z_TAKEN


@dataclass
class Advance:
    """An arrow of advance: `side` took `cells` cells pushing from `tail` towards `head` (km)."""

    side: str
    tail: tuple[float, float]
    head: tuple[float, float]
    cells: int


def advances(theatre: Theatre, side_ids, before: np.ndarray, after: np.ndarray, max_per_side: int = 4,
             min_cells: int = 4, spacing_km: float = 45.0) -> list[Advance]:
    """A few arrows per side for the ground it took between two control arrays.

    The arrow runs from the mean origin of a thrust to the depth reached by most (the 85th percentile)
    of its cells; shallow nibbles are left out.
    """
    th = theatre
    xy = np.stack([th.x, th.y], axis=1)
    arrows: list[Advance] = []
    for i, side in enumerate(side_ids):
        gained = np.flatnonzero(th.inside & (after == i) & (before != i))
        held = np.flatnonzero(th.inside & (before == i))
        if gained.size < min_cells or held.size == 0:
            continue
        _, nearest = cKDTree(xy[held]).query(xy[gained])
        origin = xy[held[nearest]]
        sub = th.adjacency[gained][:, gained]
        _, patch = csgraph.connected_components(sub, directed=False)
        found = []
        for p in np.unique(patch):
            members = np.flatnonzero(patch == p)
            if members.size < min_cells:
                continue
            spread = np.ptp(origin[members], axis=0).max() if members.size > 1 else 0.0
            k = int(min(3, max(1, math.ceil(spread / spacing_km)), members.size // min_cells))
            labels = _cluster(origin[members], max(k, 1))
            for c in np.unique(labels):
                cluster = members[labels == c]
                if cluster.size < min_cells:
                    continue
                arrow = _arrow(side, origin[cluster], xy[gained[cluster]], th.layout.cell_km)
                if arrow is not None:
                    found.append(arrow)
        found.sort(key=lambda a: -a.cells)
        arrows += found[:max_per_side]
    return arrows


def _cluster(points: np.ndarray, k: int, rounds: int = 8) -> np.ndarray:
    """k-means with a farthest-point start: deterministic, and enough for the two or three thrusts of
    one patch of taken ground."""
    if k <= 1 or len(points) <= k:
        return np.zeros(len(points), dtype=int)
    centres = [points[np.argmax(np.linalg.norm(points - points.mean(axis=0), axis=1))]]
    for _ in range(1, k):
        dist = np.min([np.linalg.norm(points - c, axis=1) for c in centres], axis=0)
        centres.append(points[np.argmax(dist)])
    centres = np.array(centres)
    for _ in range(rounds):
        labels = np.argmin(np.linalg.norm(points[:, None, :] - centres[None], axis=2), axis=1)
        centres = np.array([points[labels == j].mean(axis=0) if np.any(labels == j) else centres[j]
                            for j in range(k)])
    return labels


def _arrow(side: str, origins: np.ndarray, taken: np.ndarray, cell_km: float) -> Advance | None:
    tail = origins.mean(axis=0)
    direction = taken.mean(axis=0) - tail
    norm = float(np.linalg.norm(direction))
    if norm < 1e-6:
        return None
    unit = direction / norm
    depth = float(np.percentile((taken - tail) @ unit, 85))
    if depth < 2.5 * cell_km:                                 # a nibble at the front, not an advance
        return None
    tail = tail - unit * cell_km                              # start just inside the old front
    head = tail + unit * (depth + cell_km)
    return Advance(side, (float(tail[0]), float(tail[1])), (float(head[0]), float(head[1])), len(taken))


def arrow_polygon(tail, head, neck: float, bend: float = 0.12, n: int = 20) -> np.ndarray:
    """Vertices of a campaign-map arrow from `tail` to `head`: a gently curved body widening from the
    tail to a `neck` width, then a broad head (in the units of the points)."""
    p0, p2 = np.asarray(tail, float), np.asarray(head, float)
    length = float(np.linalg.norm(p2 - p0))
    along = (p2 - p0) / length
    normal = np.array([-along[1], along[0]])
    control = (p0 + p2) / 2 + normal * bend * length
    head_len = min(1.7 * neck, 0.45 * length)
    end_dir = (p2 - control) / np.linalg.norm(p2 - control)
    neck_at = p2 - end_dir * head_len
    t = np.linspace(0.0, 1.0, n)[:, None]
    body = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * control + t ** 2 * neck_at
    tangent = 2 * (1 - t) * (control - p0) + 2 * t * (neck_at - control)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    side = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    half = (0.35 + 0.65 * t) * neck / 2
    end_side = np.array([-end_dir[1], end_dir[0]])
    return np.concatenate([body + side * half, [neck_at + end_side * neck * 1.15, p2, neck_at - end_side * neck * 1.15],
                           (body - side * half)[::-1]])


def draw_advances(ax, side_colour: dict[str, str], arrows: list[Advance], limits) -> list:
    """The arrows, widest for the biggest gains, in the side's colour with a dark edge and a white halo
    so they read on any shading; sized to the view, so a zoomed map's arrows are not huge."""
    if not arrows:
        return []
    span = min(limits[1] - limits[0], limits[3] - limits[2])
    biggest = max(a.cells for a in arrows)
    out = []
    for a in arrows:
        length = math.dist(a.tail, a.head)
        # a short thrust keeps an arrow's proportions rather than becoming a fat triangle
        neck = min(span * (0.011 + 0.009 * math.sqrt(a.cells / biggest)), 0.28 * length)
        patch = Polygon(arrow_polygon(a.tail, a.head, neck), closed=True, fc=side_colour[a.side], ec="#111111",
                        lw=0.8, alpha=0.9, zorder=Z_ARROW, joinstyle="round",
                        path_effects=[patheffects.withStroke(linewidth=2.6, foreground="white")])
        ax.add_patch(patch)
        out.append(patch)
    return out


def mark_captures(ax, theatre: Theatre, side_colour: dict[str, str], captures: list[dict]) -> None:
    """A ring on each place taken (city_captured events), in the taker's colour with a dark edge."""
    th = theatre
    for e in captures:
        place = th.geodata.places[e["city"]]
        x, y = th.projection.forward(place.lat, place.lon)
        big = place.kind == "city"
        ax.scatter([x], [y], s=260 if big else 140, facecolors="none", edgecolors=side_colour[e["side"]],
                   linewidths=2.2, zorder=Z_TAKEN)
        ax.scatter([x], [y], s=260 if big else 140, facecolors="none", edgecolors="#111111", linewidths=0.6,
                   zorder=Z_TAKEN)
