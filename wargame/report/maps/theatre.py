"""Drawing the theatre with matplotlib: terrain hexes (painted per pixel: cellpaint.py), border, rivers, roads, places, a lat/lon graticule.

The functions draw onto an Axes in the theatre's projected km, so later layers (control shading, unit
counters, arrows) line up. Maps do not call them per picture: base.py draws them once per frame and
keeps the result as bitmaps. ``draw_theatre_png`` is what ``python run.py map`` calls.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from wargame.core.theatre import OUTSIDE, TERRAIN_CLASSES, Theatre, TheatreSpec, build_theatre
from wargame.report.maps.cellpaint import CellPaint
from wargame.report.maps.layers import (
    Z_BORDER,
    Z_GRATICULE,
    Z_LABEL,
    Z_NEIGHBOURS,
    Z_PLACE,
    Z_RIVER,
    Z_ROAD,
    Z_SCALE,
    Z_SEA,
    Z_TERRAIN,
)

TERRAIN_COLOURS = {
    "open": "#e9e4c9",
    "urban": "#8c8c8c",
    "mountain": "#b59a73",
    "desert": "#f3dfae",
    "river": "#bfd9a8",
}
SEA_COLOUR = "#cfe3f3"
FOREIGN_COLOUR = "#ececec"
NEIGHBOURS = (("TURKEY", 37.15, 36.2), ("LEBANON", 34.05, 35.85), ("JORDAN", 32.35, 37.3), ("IRAQ", 33.6, 40.6),
              ("ISRAEL", 32.55, 35.62), ("Mediterranean", 35.05, 35.62))
ROAD_COLOUR = {"motorway": "#b2182b", "highway": "#6d4c41"}
RIVER_COLOUR = "#2b7bba"
PLACE_STYLE = {  # marker, size, colour
    "city": ("o", 40, "black"),
    "town": ("o", 12, "#333333"),
    "airbase": ("^", 40, "#1f4e9c"),
    "port": ("s", 32, "#1f4e9c"),
    "crossing": ("D", 26, "#7b3294"),
    "garrison": ("P", 40, "#444444"),
    "landmark": ("x", 20, "#444444"),
}


def paint_hexes(ax, theatre: Theatre, cells: np.ndarray, colours, zorder: float) -> CellPaint:
    """The hexes of the given cells painted in their colours (one colour, or one per cell), opaque."""
    paint = CellPaint(theatre, cells, zorder=zorder)
    paint.set_colours(np.broadcast_to(matplotlib.colors.to_rgba_array(colours), (len(cells), 4)))
    ax.add_artist(paint)
    return paint


def draw_terrain(ax, theatre: Theatre) -> None:
    cells = np.flatnonzero(theatre.terrain != OUTSIDE)
    palette = np.array([matplotlib.colors.to_rgba(TERRAIN_COLOURS[name]) for name in TERRAIN_CLASSES])
    paint_hexes(ax, theatre, cells, palette[theatre.terrain[cells]], zorder=Z_TERRAIN)


def draw_border(ax, theatre: Theatre) -> None:
    ring = np.asarray(theatre.geodata.border.ring_lon_lat)
    x, y = theatre.projection.forward(ring[:, 1], ring[:, 0])
    ax.plot(x, y, color="#222222", lw=1.2, zorder=Z_BORDER)


def _line_xy(theatre: Theatre, line):
    pts = np.asarray(theatre.geodata.line_points(line))
    return theatre.projection.forward(pts[:, 0], pts[:, 1])


def draw_rivers(ax, theatre: Theatre) -> None:
    for line in theatre.geodata.rivers.values():
        x, y = _line_xy(theatre, line)
        ax.plot(x, y, color=RIVER_COLOUR, lw=1.6, zorder=Z_RIVER, solid_capstyle="round")


def draw_roads(ax, theatre: Theatre, label_roads: bool = True) -> None:
    for rid, line in theatre.geodata.roads.items():
        x, y = _line_xy(theatre, line)
        motorway = line.klass == "motorway"
        ax.plot(x, y, color=ROAD_COLOUR[line.klass], lw=1.6 if motorway else 0.9, zorder=Z_ROAD,
                alpha=0.9, solid_capstyle="round")
        if label_roads and rid in ("m4", "m5"):
            k = len(x) // 3
            ax.text(x[k], y[k], rid.upper(), fontsize=7, color="white", weight="bold", zorder=Z_LABEL + 1,
                    ha="center", va="center",
                    bbox={"boxstyle": "round,pad=0.15", "fc": ROAD_COLOUR["motorway"], "ec": "none"})


LABEL_PRIORITY = {"city": 0, "crossing": 2, "airbase": 3, "garrison": 3, "town": 4, "port": 5, "landmark": 6}
LABEL_OFFSETS = ((4, 3, "left", "bottom"), (4, -3, "left", "top"), (-4, 3, "right", "bottom"),
                 (-4, -3, "right", "top"), (0, 6, "center", "bottom"), (0, -6, "center", "top"),
                 (9, 0, "left", "center"), (-9, 0, "right", "center"))


# how far (points) a label's box may stand from its place: the largest offset (9) and a rounding margin; a
# place farther than this outside a frame cannot have its label inside it
LABEL_REACH_PT = 12.0


def map_label(place) -> str:
    """The name a map writes beside a place: "Aleppo airport", "Khmeimim AB" (play.names accepts it typed)."""
    name = place.name.split(" (")[0]
    for long, short in ((" International Airport", " airport"), (" air base", " AB"), (" military airport", " AB"),
                        (" crossing", "")):
        name = name.replace(long, short)
    return name


def draw_places(ax, theatre: Theatre, kinds=("city", "airbase", "port", "crossing", "garrison"),
                label_kinds=("city", "airbase", "crossing", "garrison"), label_towns=(), fontsize: float = 6.5,
                within=None) -> None:
    """Markers for places of the given kinds; labels placed so that no two overlap (lower-priority
    labels that find no free spot are left out rather than drawn over another). With `within` (a
    display-space Bbox, e.g. a zoomed axes' extent) a label must also fit inside it."""
    shown = [p for p in theatre.geodata.places.values()
             if p.id in theatre.place_cell and (p.kind in kinds or p.id in label_towns)]
    for kind, (marker, size, colour) in PLACE_STYLE.items():      # one scatter per kind, towns under cities
        here = [p for p in shown if p.kind == kind]
        if not here:
            continue
        x, y = theatre.projection.forward(np.array([p.lat for p in here]), np.array([p.lon for p in here]))
        edge = None if marker == "x" else "white"            # "x" is unfilled: it has no edge to colour
        ax.scatter(x, y, marker=marker, s=size, c=colour, edgecolors=edge, linewidths=0.6, zorder=Z_PLACE)
    labelled = [p for p in shown if p.kind in label_kinds or p.id in label_towns]
    labelled.sort(key=lambda p: (LABEL_PRIORITY.get(p.kind, 9), -p.urban_km, p.id))
    items = [(p, *theatre.projection.forward(p.lat, p.lon)) for p in labelled]
    if within is not None and items:
        # a place far outside the frame can get no label inside it: trying its eight spots (each a text laid
        # out and measured) is most of a detail map's base, so only places near the frame are tried
        anchors = ax.transData.transform([(float(x), float(y)) for _, x, y in items])
        reach = LABEL_REACH_PT * ax.figure.dpi / 72
        near = ((anchors[:, 0] > within.x0 - reach) & (anchors[:, 0] < within.x1 + reach)
                & (anchors[:, 1] > within.y0 - reach) & (anchors[:, 1] < within.y1 + reach))
        items = [item for item, keep in zip(items, near) if keep]
    place_labels(ax, items, fontsize, within)


def place_labels(ax, items, fontsize: float, within=None) -> None:
    """Greedy label placement: each label takes the first offset whose box overlaps no earlier label."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    taken = []
    for place, x, y in items:
        for dx, dy, ha, va in LABEL_OFFSETS:
            text = ax.annotate(map_label(place), (float(x), float(y)), xytext=(dx, dy), textcoords="offset points",
                               ha=ha, va=va, fontsize=fontsize if place.kind != "town" else fontsize - 0.5,
                               zorder=Z_LABEL, color="#111111",
                               bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.65})
            box = text.get_window_extent(renderer).expanded(1.04, 1.1)
            if not any(box.overlaps(other) for other in taken) and (within is None or _inside(box, within)):
                taken.append(box)
                break
            text.remove()


def _inside(box, frame) -> bool:
    return box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1


def draw_graticule(ax, theatre: Theatre, step: float = 1.0) -> None:
    """Parallels and meridians every `step` degrees, labelled on the frame."""
    spec = theatre.spec
    lats = np.arange(np.ceil(spec.south / step) * step, spec.north + 1e-9, step)
    lons = np.arange(np.ceil(spec.west / step) * step, spec.east + 1e-9, step)
    t = np.linspace(0, 1, 50)
    for lat in lats:
        x, y = theatre.projection.forward(lat + 0 * t, spec.west + (spec.east - spec.west) * t)
        ax.plot(x, y, color="#555555", lw=0.4, ls=":", zorder=Z_GRATICULE)
        ax.text(x[0], y[0], f"{lat:.0f}°N", fontsize=6.5, ha="right", va="center", color="#333333", zorder=Z_RIVER)
    for lon in lons:
        x, y = theatre.projection.forward(spec.south + (spec.north - spec.south) * t, lon + 0 * t)
        ax.plot(x, y, color="#555555", lw=0.4, ls=":", zorder=Z_GRATICULE)
        ax.text(x[0], y[0], f"{lon:.0f}°E", fontsize=6.5, ha="center", va="top", color="#333333", zorder=Z_RIVER)


def draw_neighbours(ax, theatre: Theatre) -> None:
    """Names of the neighbouring countries and the sea, to orient a reader."""
    for name, lat, lon in NEIGHBOURS:
        x, y = theatre.projection.forward(lat, lon)
        ax.text(float(x), float(y), name, fontsize=8, color="#6b6b6b", style="italic", ha="center", va="center",
                zorder=Z_NEIGHBOURS)


def draw_scale_bar(ax, theatre: Theatre, km: float = 100.0, at: tuple[float, float] | None = None,
                   label_km: float = 8.0) -> None:
    """A bar of `km` with its left end at `at` (x, y in km), labelled `label_km` above it; by default in
    the theatre's lower right."""
    x0, y0 = at if at is not None else (theatre.x.max() - km - 25, theatre.y.min() + 20)
    ax.plot([x0, x0 + km], [y0, y0], color="black", lw=2.5, zorder=Z_SCALE)
    ax.text(x0 + km / 2, y0 + label_km, f"{km:.0f} km", ha="center", fontsize=7, zorder=Z_SCALE)


def base_map(theatre: Theatre, figsize=(10, 10.5), title: str | None = None, ax=None, dpi: float = 110):
    """A figure and axes with sea, terrain, border, rivers, roads and the graticule drawn (onto `ax`
    when given, e.g. an inset or one frame of a grid, else onto a new figure)."""
    if ax is None:
        import matplotlib.pyplot as plt  # here only: the report's figures are drawn without pyplot

        fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
    else:
        fig = ax.figure
    ax.set_facecolor(FOREIGN_COLOUR)
    sea = np.flatnonzero(theatre.sea)
    paint_hexes(ax, theatre, sea, SEA_COLOUR, zorder=Z_SEA)
    draw_terrain(ax, theatre)
    draw_neighbours(ax, theatre)
    draw_border(ax, theatre)
    draw_rivers(ax, theatre)
    draw_roads(ax, theatre)
    draw_graticule(ax, theatre)
    ax.set_xlim(theatre.x.min() - 5, theatre.x.max() + 5)
    ax.set_ylim(theatre.y.min() - 5, theatre.y.max() + 5)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=11)
    return fig, ax


def terrain_legend(ax) -> None:
    handles = [Patch(facecolor=TERRAIN_COLOURS[name], edgecolor="#777777", label=name) for name in TERRAIN_CLASSES]
    handles += [Patch(facecolor=SEA_COLOUR, edgecolor="#777777", label="sea"),
                Patch(facecolor=FOREIGN_COLOUR, edgecolor="#777777", label="outside Syria / Israeli-held Golan"),
                Line2D([], [], color=ROAD_COLOUR["motorway"], lw=1.6, label="motorway (M4, M5, M1)"),
                Line2D([], [], color=ROAD_COLOUR["highway"], lw=0.9, label="other main road"),
                Line2D([], [], color=RIVER_COLOUR, lw=1.6, label="river")]
    for kind in ("city", "town", "airbase", "port", "crossing", "garrison"):
        marker, _size, colour = PLACE_STYLE[kind]
        handles.append(Line2D([], [], marker=marker, color="none", markerfacecolor=colour,
                              markeredgecolor="white", markersize=6, label=kind))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, framealpha=0.95,
              title="Legend", title_fontsize=8)


KEY_TOWNS = ("saraqib", "maarat_al_numan", "khan_shaykhun", "jisr_al_shughur", "azaz", "afrin", "tal_rifaat",
             "al_bab", "raqqa", "manbij", "qusayr", "rastan", "tabqa", "mayadin")


def draw_theatre_png(theatre: Theatre, path: str | Path) -> Path:
    """Draw the theatre (terrain, roads, rivers, places) to a PNG and return its path."""
    spec = theatre.spec
    fig, ax = base_map(theatre, figsize=(11.5, 10.5),
                       title=(f"Theatre: western Syria, {spec.south:.2f}–{spec.north:.2f}°N, "
                              f"{spec.west:.2f}–{spec.east:.2f}°E; hex cells {spec.cell_km:g} km "
                              f"({int(theatre.inside.sum())} cells in play)"))
    draw_places(ax, theatre, label_towns=KEY_TOWNS)
    draw_scale_bar(ax, theatre)
    terrain_legend(ax)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def scenario_theatre(scenario) -> Theatre:
    """The theatre a scenario (or a model's spec) is played on; built once per bounds and cell size."""
    t = scenario.theatre
    return build_theatre(TheatreSpec.of(t))
