"""A classroom picture as PNG bytes: what one team knows (fog of war) or the truth, from the plain dicts
the game hands out (play/fog.py), drawn like the report's maps.

    png = draw_picture_png(theatre, spec, side_ids, picture, truth=False, area="front", size="large")
    cache = PictureCache(); cache.get((game, team, version, area), lambda: draw_picture_png(...))
    legend.picture_legend_html(spec, side_ids, picture, truth)      # its key, in HTML beside it

A team's picture has `control` (a side index per cell as the team last saw it, -1 not seen: grey), `own`
(its units in full: counters filled to morale), `friendly` (its side's other units: circles), `enemies`
(in sight: diamonds) and `last_seen` (hollow diamonds); the truth has `control` and every unit in
`units`, all as counters. The theatre's base is drawn once per area and size (base.py); a picture then
takes a few tens of milliseconds. Thread-safe: each picture has its own figure (no pyplot).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from matplotlib.colors import to_rgba

from wargame.report.maps.base import PlaceStyle
from wargame.report.maps.canvas import encode_png, new_figure
from wargame.report.maps.control import UNKNOWN_COLOUR, ControlShading
from wargame.report.maps.counters import CounterLayer, counters_from_dicts
from wargame.report.maps.frame import area_limits, box_ratio
from wargame.report.maps.layers import Z_COUNTER
from wargame.report.maps.mapaxes import MapAxes
from wargame.report.maps.markers import UnitMarkers
from wargame.report.maps.theatre import KEY_TOWNS
from wargame.report.style import faction_colours, side_colours

# inches wide, high, dpi; the map fills the figure (the key is the page's, in HTML)
PICTURE_SIZES = {"large": (9.0, 9.0, 110), "small": (4.6, 4.4, 100)}
AXES_RECT = (0.005, 0.005, 0.99, 0.99)
FRONT_TOWNS = ("saraqib", "maarat_al_numan", "khan_shaykhun", "jisr_al_shughur", "azaz", "afrin", "tal_rifaat",
               "al_bab", "manbij", "rastan", "morek", "suran", "taftanaz", "darat_izza", "atarib")
OTHER_FACTION = "#444444"


def picture_places(area: str, size: str) -> PlaceStyle:
    """The places a picture marks and names: cities only on a small one; on a large one the front's towns
    (or the theatre's key towns), with larger names on the front."""
    if size == "small":
        return PlaceStyle(kinds=("city", "airbase", "crossing"), label_kinds=("city",), fontsize=7.0, fit=True)
    return PlaceStyle(label_kinds=("city", "airbase", "crossing"),
                      label_towns=FRONT_TOWNS if area == "front" else KEY_TOWNS,
                      fontsize=10.5 if area == "front" else 8.5, fit=True)


def draw_picture_png(theatre, spec, side_ids: list[str], picture: dict, *, truth: bool, area: str = "front",
                     size: str = "large") -> bytes:
    """A team's picture (known control, its own units with their morale, allied units, enemies in sight
    and where others were last seen) or the truth (true control, every unit with its morale) as PNG.

    theatre: the game's Theatre; spec: its scenario (colours and names); side_ids: the sides in the
    order of the control indices; area: "front" (Latakia to Aleppo and Hama) or "all" (the whole
    theatre; so is any other value); size: "large" or "small"."""
    w, h, dpi = PICTURE_SIZES[size]
    fig = new_figure((w, h), dpi)
    ax = fig.add_axes(AXES_RECT)
    limits = area_limits(theatre, area, box_ratio(ax))
    sides, factions = side_colours(spec), faction_colours(spec)
    shading = ControlShading(theatre, [sides[s] for s in side_ids], unknown=None if truth else UNKNOWN_COLOUR)
    m = MapAxes(ax, theatre, limits, picture_places(area, size), shading=shading)
    control = np.asarray(picture.get("control", []), dtype=np.int64)
    m.control.update(control if control.size == theatre.n else np.full(theatre.n, -1))

    faction_ids = list(factions)
    f_rgba = np.array([to_rgba(factions[f]) for f in faction_ids])
    large = size == "large"
    # a counter at least 9 px (6 on the small map) wide: at the whole theatre a cell is only ~8 px
    counters = CounterLayer(ax, f_rgba, theatre.layout.cell_km, m.px_per_km, min_px=9 if large else 6,
                            edge_lw=0.7 if large else 0.5)
    if truth:
        counters.update(theatre, counters_from_dicts(picture.get("units", []), faction_ids))
    else:
        counters.update(theatre, counters_from_dicts(picture.get("own", []), faction_ids))
        marker_px = 8 if large else 5
        for key, marker, px, z, hollow in (("last_seen", "D", marker_px, Z_COUNTER - 0.2, True),
                                           ("friendly", "o", 6 if large else 4, Z_COUNTER - 0.1, False),
                                           ("enemies", "D", marker_px, Z_COUNTER + 0.1, False)):
            cells, rgba = _one_per_cell(picture.get(key, []), factions)
            layer = UnitMarkers(ax, marker, px, zorder=z, hollow=hollow,
                                linewidth=(1.6 if large else 1.0) if hollow else 0.6)
            layer.update(theatre, cells, rgba)
    fig.canvas.draw()
    return encode_png(np.asarray(fig.canvas.buffer_rgba()), compress_level=3)


def _one_per_cell(units: list[dict], factions: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """The cells of units on the map, one per cell and faction, and their factions' colours."""
    seen: dict = {}
    for u in units:
        if u.get("cell", -1) >= 0:
            seen.setdefault((int(u["cell"]), u["faction"]), u)
    cells = np.array([c for c, _ in seen], dtype=np.int64)
    rgba = np.array([to_rgba(factions.get(f, OTHER_FACTION)) for _, f in seen]).reshape(-1, 4)
    return cells, rgba


class PictureCache:
    """Rendered pictures by key (game, what, version, area...), least recently used dropped; one render at
    a time (`get` draws under its lock, so a picture asked for twice at once is drawn once)."""

    def __init__(self, size: int = 96):
        self.size = size
        self.pngs: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, draw) -> bytes:
        with self.lock:
            if key in self.pngs:
                self.pngs.move_to_end(key)
                return self.pngs[key]
            png = draw()
            self.pngs[key] = png
            while len(self.pngs) > self.size:
                self.pngs.popitem(last=False)
            return png
