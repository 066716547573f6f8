"""The report's campaign maps of a finished run: who holds the ground, where the forces stand and how
steady they are, where each side advanced since the previous map; a detail inset around a fallen city.

    draw_map(run, step, "map.png", arrows_from_step=0)            # the whole theatre
    draw_map(run, step, "aleppo.png", zoom=("aleppo", 40))        # 40 km around a place
    draw_snapshots(run, run.directory)                            # maps/day_00.png ... maps/fall_aleppo.png

The layers that change with the step (control shading, the front line, the counters) are built once as
artists and updated in place by `CampaignMap.update`; the animation relies on that to redraw only them
(and the base's overlays) per frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from matplotlib.patches import Rectangle

from wargame.report.maps.arrows import draw_advances, mark_captures
from wargame.report.maps.base import PlaceStyle
from wargame.report.maps.canvas import new_figure
from wargame.report.maps.counters import CounterLayer, Counters
from wargame.report.maps.frame import places_in, zoom_limits
from wargame.report.maps.layers import Z_LABEL
from wargame.report.maps.legend import legend_column, legend_sections
from wargame.report.maps.mapaxes import MapAxes
from wargame.report.maps.runview import CampaignView, view_of
from wargame.report.maps.theatre import KEY_TOWNS, draw_scale_bar
from wargame.report.png import write_png

MAP_DPI = 160              # the whole theatre ~1550 px tall: a 5 km hex's counter is ~11 px
INSET_SIZE = 0.41          # share of the map's width and height
# An inset that does not at least double the map's scale shows nothing the map does not: on a campaign's own
# small theatre (Idlib, 110 km across) a fall map's inset takes a smaller radius than on the whole west.
INSET_MAGNIFICATION = 2.0
SCALE_BAR_SHARE = 0.2      # a scale bar: the longest round length within this share of the map's width
SCALE_MARGIN = 0.04        # its gap from the map's edges, as a share of the map's width


class CampaignMap:
    """A run's map on an Axes: the theatre's base, control shading, front line and counters.
    `update(step)` shows the run at that step."""

    def __init__(self, view: CampaignView, ax, limits, places: PlaceStyle, animated: bool = False):
        self.view = view
        self.map = MapAxes(ax, view.theatre, limits, places, shading=view.shading, animated=animated)
        self.counters = CounterLayer(ax, view.faction_rgba, view.theatre.layout.cell_km, self.map.px_per_km,
                                     animated=animated)

    @property
    def changing(self) -> list:
        """What a frame of the animation redraws."""
        return [*self.map.changing, *self.counters.artists]

    def update(self, step: int) -> Counters:
        self.map.control.update(self.view.control_at(step))
        c = self.view.counters(step)
        self.counters.update(self.view.theatre, c)
        return c


def prepare_axes(view: CampaignView, ax=None, zoom=None, figsize=(13.2, 10.6), dpi: float = MAP_DPI,
                 animated: bool = False, label_fontsize: float = 6.5):
    """A map of the run on `ax` (or a new figure with room for the legend column), not yet at a step.
    Returns the figure, the axes, the CampaignMap and the limits."""
    th = view.theatre
    if ax is None:
        fig = new_figure(figsize, dpi)
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.02, right=0.72, bottom=0.035, top=0.92)   # the legend column on the right
    fig = ax.figure
    limits = zoom_limits(th, zoom)
    if zoom is None:
        places = PlaceStyle(label_towns=_key_towns(view), fontsize=label_fontsize)
    else:
        places = PlaceStyle(kinds=("city", "town", "airbase", "port", "crossing", "garrison"),
                            label_towns=places_in(th, limits, ("town", "landmark", "port")),
                            fontsize=label_fontsize + 1.5, fit=True, trim=True)
    layers = CampaignMap(view, ax, limits, places, animated=animated)
    if zoom is not None:
        scale_bar(ax, th, limits)
    return fig, ax, layers, limits


def scale_bar_km(span_km: float) -> float:
    """The longest round length (1, 2 or 5 times a power of ten, in km) within SCALE_BAR_SHARE of a map
    `span_km` wide: 100 km on the whole west of Syria, 20 km on Idlib's 110 km, 10 km on 90 km around a city."""
    limit = SCALE_BAR_SHARE * span_km
    power = 10.0 ** math.floor(math.log10(limit))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= limit)


def scale_bar(ax, theatre, limits, top: bool = False) -> float:
    """A scale bar sized to the map (scale_bar_km), in its lower right corner (upper right with `top`), on a
    white backing, as counters may stand under it. Returns its length in km."""
    x0, x1, y0, y1 = limits
    span = x1 - x0
    km = scale_bar_km(span)
    margin = SCALE_MARGIN * span
    at = (x1 - km - margin, y1 - margin - 0.045 * span if top else y0 + margin)
    draw_scale_bar(ax, theatre, km=km, at=at, label_km=span * 0.018)
    pad = span * 0.012
    ax.add_patch(Rectangle((at[0] - pad, at[1] - pad), km + 2 * pad, span * 0.045, fc="white", ec="none",
                           alpha=0.8, zorder=Z_LABEL - 0.05))   # over counters, under place names
    return km


def _key_towns(view: CampaignView) -> tuple[str, ...]:
    """Towns worth a label on the whole-theatre map: the theatre's list plus every town that changed
    hands in the run (a fight the reader will look for)."""
    taken = {e["city"] for e in view.run.events if e.get("kind") == "city_captured"}
    return tuple(dict.fromkeys([*KEY_TOWNS, *sorted(taken)]))


def draw_map(run, step: int, path: str | Path | None = None, title: str | None = None, ax=None,
             arrows_from_step: int | None = None, zoom=None, inset=None, legend: bool = True,
             label: str | None = None):
    """Draw the campaign at `step`: terrain, roads, places, control shading with the front line, one
    counter per occupied hex, and (with `arrows_from_step`) arrows of advance and rings on the places
    taken since then.

    zoom: None (the whole theatre), (place id, radius km) or (south, north, west, east) in degrees.
    inset: the same kinds of zoom, drawn as an inset in the lower right (e.g. around a fallen city).
    label: a line for the title (e.g. "Fall of Aleppo"). Returns `path` when given (the figure is
    saved), else the Axes (the caller owns the figure).
    """
    view = view_of(run)
    step = int(step)
    own_figure = ax is None
    fig, ax, layers, limits = prepare_axes(view, ax=ax, zoom=zoom,
                                           figsize=(13.2, 10.6) if zoom is None else (11.5, 9.2))
    counters = layers.update(step)
    arrows = view.advances(arrows_from_step, step) if arrows_from_step is not None else []
    draw_advances(ax, view.side_colour, arrows, limits)
    taken = view.captures(arrows_from_step, step) if arrows_from_step is not None else []
    mark_captures(ax, view.theatre, view.side_colour, taken)
    since = view.short_date(arrows_from_step) if arrows_from_step is not None else None
    if legend:
        share = view.territory_share(view.control_at(step))
        sections = legend_sections(view.run.scenario, view.shading, share, view.factions_in(limits, step), since,
                                   [a.side for a in arrows], bool(taken))
        legend_column(ax, sections, fontsize=8.0)
    heading = title if title is not None else view.run.scenario.meta.title
    lines = [heading] if heading else []
    date = view.date_line(step)
    lines.append(f"{label}: {date}" if label else date[0].upper() + date[1:])
    if own_figure:
        ax.set_title("\n".join(lines), fontsize=12, loc="left", pad=8)
        fig.text(0.02, 0.012, _footnote(view), fontsize=7, color="#555555", ha="left", va="bottom")
    else:
        ax.set_title(lines[-1] if not title else title, fontsize=8, loc="left", pad=3)
    if inset is not None:
        corner = _draw_inset(ax, view, step, inset, arrows_from_step, limits, counters)
    if zoom is None:                                 # the scale bar keeps clear of an inset in the lower right
        scale_bar(ax, view.theatre, limits, top=inset is not None and corner[1] < 0.3 and corner[0] > 0.3)
    if path is None:
        return ax
    # not style.save_figure: a map wants its own resolution and the tight box around the legend column
    return write_png(fig, path, tight_pad_in=0.12)


def _footnote(view: CampaignView) -> str:
    info = view.run.info
    return (f"Simulated campaign, not a record of events: wargame run of scenario {info.get('scenario', '?')}, "
            f"seed {info.get('seed')}. Control shaded per {view.theatre.layout.cell_km:g} km hex; one counter per "
            "occupied hex (its leading unit's faction), filled to the morale of that faction's units there.")


def _draw_inset(ax, view: CampaignView, step: int, zoom, arrows_from_step, limits, counters: Counters):
    """A zoomed inset in the corner of the map that hides least (fewest theatre cells and counters,
    never the zoomed area itself), with its area outlined on the main map. Returns the corner's lower
    left in axes fractions."""
    th = view.theatre
    x0, x1, y0, y1 = limits
    zx0, zx1, zy0, zy1 = zoom_limits(th, zoom)
    w, h = INSET_SIZE * (x1 - x0), INSET_SIZE * (y1 - y0)
    best = None
    for fx, fy in ((0.585, 0.005), (0.005, 0.005), (0.585, 0.585), (0.005, 0.585)):
        cx, cy = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
        hidden = (th.inside & (th.x > cx) & (th.x < cx + w) & (th.y > cy) & (th.y < cy + h)).sum()
        ux, uy = th.x[counters.cell], th.y[counters.cell]
        hidden += 30 * ((ux > cx) & (ux < cx + w) & (uy > cy) & (uy < cy + h)).sum()
        if zx0 < cx + w and zx1 > cx and zy0 < cy + h and zy1 > cy:
            hidden += 10 ** 9
        if best is None or hidden < best[0]:
            best = (hidden, (fx, fy))
    corner = best[1]
    inset_ax = ax.inset_axes([corner[0], corner[1], INSET_SIZE, INSET_SIZE], zorder=Z_LABEL + 0.5)   # over the map
    draw_map(view, step, ax=inset_ax, arrows_from_step=arrows_from_step, zoom=zoom, legend=False,
             title=_zoom_title(view, zoom))
    ax.add_patch(Rectangle((zx0, zy0), zx1 - zx0, zy1 - zy0, fc="none", ec="#111111", lw=1.1, ls="--", zorder=9))
    for spine in inset_ax.spines.values():
        spine.set_linewidth(1.2)
    return corner


def _zoom_title(view: CampaignView, zoom) -> str:
    if len(zoom) == 2 and isinstance(zoom[0], str):
        return f"{view.theatre.geodata.places[zoom[0]].name} and {zoom[1]:g} km around"
    return "detail"


# -- snapshots --------------------------------------------------------------------------------------------
def snapshot_steps(run, days=None) -> list[tuple[int, str]]:
    """The steps to map, as (step, label) pairs in step order: the chosen days (by default the start,
    every ~5 days and the end: "day_05") and the step at which each city (not town) fell
    ("fall_aleppo"; "fall_aleppo_2" if it fell again)."""
    view = view_of(run)
    last = view.last_step
    last_day = view.day_at(last)
    if days is None:
        every = 5 if last_day >= 8 else max(1, round(last_day / 3))
        days = [d for d in range(0, int(last_day) + 1, every) if last_day - d >= every / 2 or d == 0] + [last_day]
    chosen: dict[int, str] = {}
    for day in days:
        s = min(view.step_at(float(day)), last)
        label = f"day_{round(view.day_at(s)):02d}"
        if label in chosen.values():                   # two chosen steps round to one day: keep the fraction
            label = f"day_{view.day_at(s):05.2f}".replace(".", "_")
        chosen.setdefault(s, label)
    out = [(s, lab) for s, lab in chosen.items()]
    seen: dict[str, int] = {}
    for e in view.captures(None, last, kinds=("city",)):
        seen[e["city"]] = seen.get(e["city"], 0) + 1
        n = seen[e["city"]]
        out.append((view.event_step(e), f"fall_{e['city']}" + (f"_{n}" if n > 1 else "")))
    out.sort(key=lambda pair: (pair[0], pair[1].startswith("fall_")))
    return out


@dataclass(frozen=True)
class Snapshot:
    """One map of `draw_snapshots`: its step, file label, the step its arrows start from, its inset and
    the line under its title."""

    step: int
    label: str
    arrows_from_step: int | None
    inset: tuple | None
    caption: str | None


def inset_radius(theatre, inset_km: float) -> float:
    """The radius of a fall map's inset: `inset_km`, or less on a theatre too small for the inset to show
    its city at INSET_MAGNIFICATION times the map's scale (whole km, at least one)."""
    x0, x1, y0, y1 = zoom_limits(theatre, None)
    widest = INSET_SIZE * min(x1 - x0, y1 - y0) / (2 * INSET_MAGNIFICATION)
    return float(max(1, math.floor(min(inset_km, widest))))


def snapshot_plan(run, days=None, inset_km: float = 45.0) -> list[Snapshot]:
    """The maps `draw_snapshots` draws, each independent of the others (so they can be drawn in any
    order, or side by side): arrows of advance from the previous snapshot; a city's fall map with an
    inset of the city and its surroundings (`inset_km` around it, less on a small theatre: inset_radius)."""
    view = view_of(run)
    inset_km = inset_radius(view.theatre, inset_km)
    names = {e["city"]: e["name"] for e in run.events if e.get("kind") == "city_captured"}
    plan, drawn = [], []
    for step, label in snapshot_steps(run, days):
        if label.startswith("fall_"):
            city = label[5:] if label[5:] in view.theatre.geodata.places else label[5:].rsplit("_", 1)[0]
            caption = f"Fall of {names.get(city, city)}"
            inset = (city, inset_km)
        else:
            caption, inset = ("Start" if step == 0 else None), None
        earlier = [s for s in drawn if s < step]       # a fall on a snapshot day still gets that day's arrows
        plan.append(Snapshot(step, label, max(earlier) if earlier else None, inset, caption))
        drawn.append(step)
    return plan


def draw_snapshot(run, snapshot: Snapshot, out_dir: str | Path) -> Path:
    """Write one map of the plan as maps/<label>.png under `out_dir`."""
    return draw_map(view_of(run), snapshot.step, Path(out_dir) / "maps" / f"{snapshot.label}.png",
                    arrows_from_step=snapshot.arrows_from_step, inset=snapshot.inset, label=snapshot.caption)


def draw_snapshots(run, out_dir: str | Path, days=None, inset_km: float = 45.0) -> list[Path]:
    """Write maps/day_XX.png and maps/fall_<city>.png under `out_dir`, each with arrows of advance from
    the previous snapshot; a city's fall map has an inset of the city and its surroundings."""
    return [draw_snapshot(run, snapshot, out_dir) for snapshot in snapshot_plan(run, days, inset_km)]
