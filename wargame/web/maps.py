"""The classroom maps: a picture of the war as a PNG for the web pages, and the map's key as HTML.

`draw_picture` draws one picture over the theatre's base map: the ground shaded by the side that holds it
(or, in a team's picture, by what the team knows: unseen ground is grey), the units as counters filled to
their morale (the truth: every unit; a team's picture: its own units, with allied units as dots, enemies in
sight as diamonds and enemies last seen as hollow diamonds), and the places on top. `area` frames the front
in the north-west or the whole theatre; `size` is the console's large map or the debrief's small one.
`legend_html` is the key to a picture, in HTML so that it stays legible however the browser scales the map.

Maps are drawn with matplotlib (object API, one render at a time: pyplot's global state is not
thread-safe) over a cached base raster, and cached per game version (`MapCache`).
"""

from __future__ import annotations

import html
import io
import threading
from collections import OrderedDict

import numpy as np

e = html.escape

MAP_SIZES = {  # inches wide, high, dpi; the axes' rectangle in the figure (the legend is the page's: HTML
    # stays legible however the browser scales the image)
    "large": (9.0, 9.0, 110, (0.005, 0.005, 0.99, 0.99)),
    "small": (4.6, 4.4, 100, (0.005, 0.005, 0.99, 0.99)),
}
# The front of the 2024 campaign (and of 2016): Latakia to Aleppo and al-Bab, down to Hama.
FRONT_PLACES = ("aleppo", "idlib", "hama", "latakia", "al_bab", "jisr_al_shughur")
UNKNOWN = "#8a8a8a"
CONTROL_ALPHA, UNKNOWN_ALPHA = 0.36, 0.62
FRONT_TOWNS = ("saraqib", "maarat_al_numan", "khan_shaykhun", "jisr_al_shughur", "azaz", "afrin", "tal_rifaat",
               "al_bab", "manbij", "rastan", "morek", "suran", "taftanaz", "darat_izza", "atarib")


class MapCache:
    """Rendered PNGs by key (game, what, version, area), least recently used dropped, and the base rasters
    (terrain, border, rivers, roads below; place markers and names above) by theatre and frame."""

    def __init__(self, size: int = 96):
        self.size = size
        self.pngs: OrderedDict = OrderedDict()
        self.bases: dict = {}
        self.lock = threading.Lock()          # one render at a time (see the module's docstring)

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


def _figure(size: str):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    w, h, dpi, rect = MAP_SIZES[size]
    fig = Figure(figsize=(w, h), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig, fig.add_axes(rect)


def _frame(ax, theatre, area: str) -> None:
    """The map's limits: the front (Latakia to Aleppo, Hama) or the whole theatre; the aspect is kept by
    widening the limits to fill the axes, so a base raster and its overlay share one frame."""
    cells = [theatre.place_cell[p] for p in FRONT_PLACES if p in theatre.place_cell]
    if area == "front" and len(cells) >= 3:
        x, y, margin = theatre.x[cells], theatre.y[cells], 30.0
    else:
        x, y, margin = theatre.x, theatre.y, 5.0
    x0, x1, y0, y1 = x.min() - margin, x.max() + margin, y.min() - margin, y.max() + margin
    box = ax.get_position(original=True)         # not the active one: that would apply the old aspect
    w_in, h_in = ax.figure.get_size_inches()
    ratio = (box.width * w_in) / (box.height * h_in)           # the axes' width / height on the page
    if (x1 - x0) / (y1 - y0) < ratio:                           # widen whichever way the box is longer
        grow = ((y1 - y0) * ratio - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) / ratio - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.apply_aspect()


def _bases(cache: MapCache, key, theatre, area: str, size: str):
    """The two cached rasters of a frame: the base map, and the places (markers and names) on a
    transparent layer to lay over the control shading and the units."""
    if key in cache.bases:
        return cache.bases[key]
    from wargame.report.theatre_map import KEY_TOWNS, base_map, draw_places

    fig, ax = _figure(size)
    base_map(theatre, ax=ax)
    _frame(ax, theatre, area)
    fig.canvas.draw()
    under = np.asarray(fig.canvas.buffer_rgba()).copy()

    fig, ax = _figure(size)
    fig.patch.set_alpha(0)
    ax.set_facecolor("none")
    for spine in ax.spines.values():
        spine.set_visible(False)
    _frame(ax, theatre, area)
    small = size == "small"
    towns = () if small else (FRONT_TOWNS if area == "front" else KEY_TOWNS)
    draw_places(ax, theatre, label_towns=towns, fontsize=7 if small else (10.5 if area == "front" else 8.5),
                kinds=("city", "airbase", "crossing") if small else ("city", "airbase", "port", "crossing",
                                                                      "garrison"),
                label_kinds=("city",) if small else ("city", "airbase", "crossing"),
                within=ax.get_window_extent())
    fig.canvas.draw()
    over = np.asarray(fig.canvas.buffer_rgba()).copy()
    cache.bases[key] = (under, over)
    return under, over


def _counters(theatre, units: list[dict], faction_index: dict[str, int]):
    """One counter per occupied cell (its strongest unit's faction; morale weighted by personnel; the best
    state there), as campaign_map.counter_geometry wants them."""
    from wargame.report.campaign_map import STATE_CODE

    by_cell: dict[int, list[dict]] = {}
    for u in units:
        if u.get("cell", -1) >= 0 and u.get("state", "active") in STATE_CODE:
            by_cell.setdefault(int(u["cell"]), []).append(u)
    cells = np.array(sorted(by_cell), dtype=int)
    faction, state, morale, stack = [], [], [], []
    for c in cells:
        here = by_cell[int(c)]
        lead = max(here, key=lambda u: (-STATE_CODE[u.get("state", "active")], u.get("personnel", 0)))
        weights = np.array([max(u.get("personnel", 1), 1) for u in here], dtype=float)
        faction.append(faction_index.get(lead["faction"], 0))
        state.append(min(STATE_CODE[u.get("state", "active")] for u in here))
        morale.append(float(np.average([u.get("morale", 0.5) for u in here], weights=weights)))
        stack.append(len(here))
    return cells, np.array(faction, dtype=int), np.array(state, dtype=int), np.array(morale), np.array(stack)


def draw_picture(cache: MapCache, game_key: str, theatre, spec, side_ids: list[str], picture: dict, *,
                 truth: bool, area: str = "front", size: str = "large") -> bytes:
    """A team's picture (known control, its own units with their morale, friendly units, enemies seen and
    where others were last seen) or the truth (true control, every unit with its morale), as a PNG."""
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import to_rgba

    from wargame.report.campaign_map import SURRENDERED, counter_geometry
    from wargame.report.style import faction_colours, side_colours
    from wargame.report.theatre_map import hex_collection

    under, over = _bases(cache, (game_key, area, size), theatre, area, size)
    control = np.asarray(picture.get("control", []), dtype=int)
    sides = side_colours(spec)
    fig, ax = _figure(size)
    _frame(ax, theatre, area)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    px_per_km = ax.get_window_extent().width / (x1 - x0)
    rim = theatre.layout.cell_km
    cells = np.flatnonzero(theatre.inside & (theatre.x > x0 - rim) & (theatre.x < x1 + rim)
                           & (theatre.y > y0 - rim) & (theatre.y < y1 + rim))
    held = control[cells] if control.size == theatre.n else np.full(cells.size, -1)

    # control: each inside cell in view in its side's colour (unknown grey), drawn opaque on a layer of its
    # own (edges in the fill colour close the hairline gaps between hexes) and blended into the base with
    # one weight per colour: translucent hexes drawn one by one would darken every shared edge into a grid
    layer, ax2 = _figure(size)
    layer.patch.set_alpha(0)
    ax2.set_facecolor("none")
    ax2.axis("off")
    _frame(ax2, theatre, area)
    palette = np.array([to_rgba(sides[s]) for s in side_ids] + [to_rgba(UNKNOWN)])
    rgba = palette[np.where(held >= 0, held, len(side_ids))]
    hexes = hex_collection(theatre, cells, rgba)
    hexes.set_edgecolor(rgba)
    hexes.set_linewidth(0.8)
    ax2.add_collection(hexes, autolim=False)
    layer.canvas.draw()
    tint = np.asarray(layer.canvas.buffer_rgba())
    unknown = np.all(tint[..., :3] == (np.array(to_rgba(UNKNOWN)[:3]) * 255).round().astype(np.uint8), axis=-1)
    a = np.where(tint[..., 3] == 0, 0.0, np.where(unknown, UNKNOWN_ALPHA, CONTROL_ALPHA))[..., None]
    blended = under.astype(np.float32) / 255.0
    blended[..., :3] = blended[..., :3] * (1 - a) + tint[..., :3].astype(np.float32) / 255.0 * a
    fig.figimage((blended * 255).round().astype(np.uint8), zorder=-1)
    ax.set_facecolor("none")

    factions = faction_colours(spec)
    faction_ids = list(factions)
    f_index = {f: i for i, f in enumerate(faction_ids)}
    f_rgba = np.array([to_rgba(factions[f]) for f in faction_ids])
    # a counter at least 7 px (9 on the large map) wide: at the whole theatre a cell is only ~9 px
    counter_km = max(0.74 * theatre.layout.cell_km, (9 if size == "large" else 6) / px_per_km)
    lw = 0.7 if size == "large" else 0.5

    def counters(units, z):
        cells_, fac, state, morale, stack = _counters(theatre, units, f_index)
        if not cells_.size:
            return
        shadows, boxes, fills, marks, _ = counter_geometry(theatre.x[cells_], theatre.y[cells_], counter_km,
                                                           morale, state, stack)
        face = np.where((state == SURRENDERED)[:, None], to_rgba("#bdbdbd"), to_rgba("white"))
        for verts, fc, zz in ((shadows, f_rgba[fac[stack > 1]] * [0.7, 0.7, 0.7, 1], z),
                              (boxes, face, z + 0.01), (fills, f_rgba[fac], z + 0.02)):
            if len(verts):
                ax.add_collection(PolyCollection(verts, facecolors=fc, edgecolors="#1a1a1a" if zz != z + 0.02
                                                 else "none", linewidths=lw, zorder=zz), autolim=False)
        if len(marks):
            from matplotlib.collections import LineCollection
            ax.add_collection(LineCollection(marks, colors="#1a1a1a", linewidths=lw * 2, zorder=z + 0.03),
                              autolim=False)

    def points(units, marker, size_px, z, hollow=False):
        seen = {}
        for u in units:
            if u.get("cell", -1) >= 0:
                seen.setdefault((int(u["cell"]), u["faction"]), u)
        if not seen:
            return
        cells_ = np.array([c for c, _ in seen], dtype=int)
        colour = np.array([to_rgba(factions.get(f, "#444444")) for _, f in seen])
        kw = {"marker": marker, "s": size_px ** 2, "zorder": z}
        if hollow:
            ax.scatter(theatre.x[cells_], theatre.y[cells_], facecolors="none", edgecolors=colour,
                       linewidths=1.6 if size == "large" else 1.0, **kw)
        else:
            ax.scatter(theatre.x[cells_], theatre.y[cells_], c=colour, edgecolors="#1a1a1a",
                       linewidths=0.6, **kw)

    big = size == "large"
    if truth:
        counters(picture.get("units", []), 3)
    else:
        points(picture.get("last_seen", []), "D", 8 if big else 5, 2.6, hollow=True)
        points(picture.get("friendly", []), "o", 6 if big else 4, 2.8)
        counters(picture.get("own", []), 3)
        points(picture.get("enemies", []), "D", 8 if big else 5, 3.5)
    fig.figimage(over, zorder=5)

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


def _svg(shape: str, fill: str = "#ffffff", opacity: float = 1.0) -> str:
    """A small symbol as inline SVG (presentation attributes, not style: the CSP allows them)."""
    f = e(fill)
    body = {
        "counter": f'<rect x="2" y="2" width="14" height="14" fill="#fff" stroke="#1a1a1a"/>'
                   f'<rect x="2" y="9" width="14" height="7" fill="{f}"/>'
                   f'<rect x="2" y="2" width="14" height="14" fill="none" stroke="#1a1a1a"/>',
        "circle": f'<circle cx="9" cy="9" r="5" fill="{f}" stroke="#1a1a1a"/>',
        "diamond": f'<polygon points="9,2 16,9 9,16 2,9" fill="{f}" stroke="#1a1a1a"/>',
        "hollow": f'<polygon points="9,3 15,9 9,15 3,9" fill="none" stroke="{f}" stroke-width="2"/>',
        "swatch": f'<rect x="1" y="3" width="16" height="12" fill="{f}" fill-opacity="{opacity:g}" stroke="#999"/>',
    }[shape]
    return f'<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">{body}</svg>'


def legend_html(spec, side_ids: list[str], picture: dict, truth: bool, own: str = "your units") -> str:
    """The map's key: the symbols, the colours of the factions on the map, the ground."""
    from wargame.report.style import faction_colours, short_name, side_colours

    factions, sides = faction_colours(spec), side_colours(spec)
    if truth:
        symbols = [("counter", "#888888", "a unit, filled to its morale (a slash: routing; a cross: surrendered)")]
    else:
        symbols = [("counter", "#888888", f"{own}, filled to their morale"),
                   ("circle", "#bbbbbb", "allied units"), ("diamond", "#bbbbbb", "enemy units in sight"),
                   ("hollow", "#555555", "enemy units last seen there")]
    present = {u["faction"] for key in ("units", "own", "friendly", "enemies", "last_seen")
               for u in picture.get(key, [])}
    colours = [(factions[f], short_name(spec.factions[f].name)) for f in factions if f in present]
    held = set(picture.get("control", []))
    ground = [(sides[s], CONTROL_ALPHA + 0.15, f"held by {short_name(spec.sides[s].name)}")
              for i, s in enumerate(side_ids) if i in held]
    if not truth and -1 in held:
        ground.append((UNKNOWN, UNKNOWN_ALPHA, "not seen: who holds it is unknown"))
    item = "<li>{}<span>{}</span></li>".format
    return ('<div class="legend">'
            f'<ul>{"".join(item(_svg(shape, colour), e(text)) for shape, colour, text in symbols)}</ul>'
            f'<ul>{"".join(item(_svg("swatch", colour), e(name)) for colour, name in colours)}</ul>'
            f'<ul>{"".join(item(_svg("swatch", colour, alpha), e(text)) for colour, alpha, text in ground)}</ul>'
            "</div>")

