"""The maps' keys: matplotlib legends for the report's maps and an HTML key for the classroom's pictures,
both in the colours the maps are drawn in.

    legend_column(ax, legend_sections(...), fontsize=8)     # stacked down the right of a report map
    picture_legend_html(spec, side_ids, picture, truth)      # beside a classroom picture (HTML stays
                                                             # legible however the browser scales the image)
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np
from matplotlib.colors import to_hex, to_rgba
from matplotlib.legend import Legend
from matplotlib.legend_handler import HandlerBase
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle

from wargame.report.maps.arrows import arrow_polygon
from wargame.report.maps.control import FRONT_COLOUR, UNKNOWN_ALPHA, UNKNOWN_COLOUR, ControlShading, swatch
from wargame.report.maps.counters import (
    COUNTER_EDGE,
    GOOD_ORDER,
    ROUTING,
    SHADOW_SHADE,
    STACK_OFFSET,
    SURRENDERED,
    SURRENDERED_FACE,
)
from wargame.report.style import STATE_COLOURS, faction_colours, short_name, side_colours


@dataclass
class CounterKey:
    colour: str
    morale: float = 1.0
    state: int = GOOD_ORDER
    stacked: bool = False


@dataclass
class ArrowKey:
    colour: str


class _CounterHandler(HandlerBase):
    def create_artists(self, legend, key, x0, y0, width, height, fontsize, trans):
        side = min(width, height) * 1.15
        x, y = x0 + (width - side) / 2, y0 + (height - side) / 2
        out = []
        if key.stacked:
            d = side * STACK_OFFSET * 1.4
            out.append(Rectangle((x + d, y + d), side, side, fc=np.array(to_rgba(key.colour)) * SHADOW_SHADE,
                                 ec=COUNTER_EDGE, lw=0.6, transform=trans))
        face = SURRENDERED_FACE if key.state == SURRENDERED else "white"
        out.append(Rectangle((x, y), side, side, fc=face, ec=COUNTER_EDGE, lw=0.6, transform=trans))
        if key.state != SURRENDERED:
            out.append(Rectangle((x, y), side, side * key.morale, fc=key.colour, ec="none", transform=trans))
        if key.state >= ROUTING:
            colour = STATE_COLOURS["routing"] if key.state == ROUTING else "#111111"
            out.append(Line2D([x, x + side], [y, y + side], color=colour, lw=1.4, transform=trans))
        if key.state == SURRENDERED:
            out.append(Line2D([x, x + side], [y + side, y], color="#111111", lw=1.4, transform=trans))
        out.append(Rectangle((x, y), side, side, fc="none", ec=COUNTER_EDGE, lw=0.6, transform=trans))
        return out


class _ArrowHandler(HandlerBase):
    def create_artists(self, legend, key, x0, y0, width, height, fontsize, trans):
        verts = arrow_polygon((x0 - 2, y0 + height * 0.35), (x0 + width + 2, y0 + height * 0.5), height * 0.55,
                              bend=0.1)
        return [Polygon(verts, closed=True, fc=key.colour, ec="#111111", lw=0.6, transform=trans)]


HANDLERS = {CounterKey: _CounterHandler(), ArrowKey: _ArrowHandler()}


def legend_column(ax, sections, fontsize: float, x: float = 1.01, top: float = 1.0) -> list[Legend]:
    """Legends stacked down the right of the map, one per (title, handles, labels) section."""
    renderer = ax.figure.canvas.get_renderer()
    legends = []
    for title, handles, labels in sections:
        if not handles:
            continue
        legend = Legend(ax, handles, labels, loc="upper left", bbox_to_anchor=(x, top), fontsize=fontsize,
                        title=title, title_fontproperties={"weight": "bold", "size": fontsize + 0.5},
                        handler_map=HANDLERS, frameon=False, borderaxespad=0, alignment="left",
                        handlelength=1.6, handleheight=1.1, labelspacing=0.45)
        ax.add_artist(legend)
        legend.set_clip_on(False)           # add_artist clips to the axes, and bbox_inches="tight" then drops it
        legends.append(legend)
        box = legend.get_window_extent(renderer).transformed(ax.transAxes.inverted())
        top = box.y0 - 0.025
    return legends


def legend_sections(scenario, shading: ControlShading, share: dict[str, float] | None, factions,
                    since: str | None = None, arrow_sides=(), taken: bool = False) -> list:
    """(title, handles, labels) of a report map's legend: ground held (with each side's share, if given),
    the forces of `factions` (indices into the scenario's factions, those with a counter in view), and
    the counter key; arrows of advance of `arrow_sides` and rings on places taken `since` a date."""
    side_ids, faction_ids = list(scenario.sides), list(scenario.factions)
    sides, forces = side_colours(scenario), faction_colours(scenario)
    ground_h = [Patch(fc=shading.swatch(i), ec="#777777") for i in range(len(side_ids))]
    ground_l = [short_name(scenario.sides[s].name) + (f": {100 * share[s]:.0f}%" if share else "") for s in side_ids]
    ground_h.append(Line2D([], [], color=FRONT_COLOUR, lw=1.4))
    ground_l.append("front line")
    for s in dict.fromkeys(arrow_sides):
        ground_h.append(ArrowKey(sides[s]))
        ground_l.append(f"{short_name(scenario.sides[s].name)}: advance since {since}")
    if taken:
        ground_h.append(Line2D([], [], marker="o", color="none", markerfacecolor="none", markeredgecolor="#111111",
                               markeredgewidth=1.6, markersize=9))
        ground_l.append(f"city or town taken since {since} (ring in the taker's colour)")
    present = [i for i in sorted({int(f) for f in factions}) if i < len(faction_ids)]
    forces_h = [CounterKey(forces[faction_ids[i]]) for i in present]
    forces_l = [short_name(scenario.factions[faction_ids[i]].name) for i in present]
    key_colour = "#555555"
    key_h = [CounterKey(key_colour, 1.0), CounterKey(key_colour, 0.5), CounterKey(key_colour, 0.15),
             CounterKey(key_colour, 0.6, stacked=True), CounterKey(key_colour, 0.1, ROUTING),
             CounterKey(key_colour, 0.0, SURRENDERED)]
    key_l = ["morale high (counter full)", "morale half", "morale low (nearly empty)", "several units in the hex",
             "routing", "surrendered"]
    return [("Ground held (share of territory)" if share else "Ground held", ground_h, ground_l),
            ("Forces (counter: the hex's leading unit)", forces_h, forces_l),
            ("Counters: fill = morale", key_h, key_l)]


# -- the classroom's key ----------------------------------------------------------------------------------
def _svg(shape: str, fill: str = "#ffffff") -> str:
    """A small symbol as inline SVG (presentation attributes, not style: the classroom's CSP allows them)."""
    f = escape(fill)
    body = {
        "counter": f'<rect x="2" y="2" width="14" height="14" fill="#fff" stroke="#1a1a1a"/>'
                   f'<rect x="2" y="9" width="14" height="7" fill="{f}"/>'
                   f'<rect x="2" y="2" width="14" height="14" fill="none" stroke="#1a1a1a"/>',
        "circle": f'<circle cx="9" cy="9" r="5" fill="{f}" stroke="#1a1a1a"/>',
        "diamond": f'<polygon points="9,2 16,9 9,16 2,9" fill="{f}" stroke="#1a1a1a"/>',
        "hollow": f'<polygon points="9,3 15,9 9,15 3,9" fill="none" stroke="{f}" stroke-width="2"/>',
        "line": f'<line x1="1" y1="9" x2="17" y2="9" stroke="{f}" stroke-width="2"/>',
        "swatch": f'<rect x="1" y="3" width="16" height="12" fill="{f}" stroke="#999"/>',
    }[shape]
    return f'<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">{body}</svg>'


def picture_legend_html(spec, side_ids: list[str], picture: dict, truth: bool, own: str = "your units") -> str:
    """The key of a classroom picture (picture.draw_picture_png): the symbols, the colours of the factions
    on the map, the ground as the map shades it."""
    factions, sides = faction_colours(spec), side_colours(spec)
    if truth:
        symbols = [("counter", "#888888", "a unit, filled to its morale (a slash: routing; a cross: surrendered)")]
    else:
        symbols = [("counter", "#888888", f"{own}, filled to their morale"),
                   ("circle", "#bbbbbb", "allied units"), ("diamond", "#bbbbbb", "enemy units in sight"),
                   ("hollow", "#555555", "enemy units last seen there")]
    symbols.append(("line", FRONT_COLOUR, "the front: where ground held by two sides meets"))
    present = {u["faction"] for key in ("units", "own", "friendly", "enemies", "last_seen")
               for u in picture.get(key, [])}
    colours = [(factions[f], short_name(spec.factions[f].name)) for f in factions if f in present]
    held = set(picture.get("control", []))
    ground = [(to_hex(swatch(sides[s])), f"held by {short_name(spec.sides[s].name)}")
              for i, s in enumerate(side_ids) if i in held]
    if not truth and -1 in held:
        ground.append((to_hex(swatch(UNKNOWN_COLOUR, UNKNOWN_ALPHA)), "not seen: who holds it is unknown"))
    item = "<li>{}<span>{}</span></li>".format
    return ('<div class="legend">'
            f'<ul>{"".join(item(_svg(shape, colour), escape(text)) for shape, colour, text in symbols)}</ul>'
            f'<ul>{"".join(item(_svg("swatch", colour), escape(name)) for colour, name in colours)}</ul>'
            f'<ul>{"".join(item(_svg("swatch", colour), escape(text)) for colour, text in ground)}</ul>'
            "</div>")
