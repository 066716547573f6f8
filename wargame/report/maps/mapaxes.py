"""A map in an Axes: its frame, the theatre's base in its bands (base.py) and the control layer, to which a
caller adds its unit symbols. The report's maps, the animation, the lab and the classroom's pictures
all start from one:

    m = MapAxes(ax, theatre, limits, PlaceStyle(label_towns=KEY_TOWNS), shading=ControlShading(...))
    m.control.update(control)
    counters = CounterLayer(ax, faction_rgba, theatre.layout.cell_km, m.px_per_km)

With `animated=True` the base's overlays and the control layer are left out of a full draw, for a Blit
(canvas.py) to redraw them per frame over the kept background: `m.changing` lists them.
"""

from __future__ import annotations

from wargame.core.theatre import Theatre
from wargame.report.maps.base import BaseImage, PlaceStyle
from wargame.report.maps.control import ControlLayer, ControlShading
from wargame.report.maps.frame import set_frame
from wargame.report.maps.layers import BANDS

DEFAULT_PLACES = PlaceStyle()


class MapAxes:
    """The frame (limits, equal aspect) and the layers every map has, on an existing Axes."""

    def __init__(self, ax, theatre: Theatre, limits, places: PlaceStyle = DEFAULT_PLACES,
                 shading: ControlShading | None = None, front_lw: float | None = None, animated: bool = False):
        self.ax, self.theatre = ax, theatre
        set_frame(ax, limits)
        self.limits = tuple(float(v) for v in limits)
        self.px_per_km = ax.get_window_extent().width / (self.limits[1] - self.limits[0])
        self.base = {band: BaseImage(theatre, places, band, animated=animated and band != "background")
                     for band in BANDS}
        for image in self.base.values():
            ax.add_artist(image)
        if animated:                      # a blitted frame draws the frame over its shading, once
            for spine in ax.spines.values():
                spine.set_animated(True)
        self.control = None
        if shading is not None:
            lw = front_lw if front_lw is not None else min(max(self.px_per_km / 2.2, 0.8), 2.2)
            self.control = ControlLayer(ax, shading, front_lw=lw, animated=animated)

    @property
    def changing(self) -> list:
        """The artists a blitted frame redraws (the units' layers are the caller's to add)."""
        control = self.control.artists if self.control is not None else []
        return [*control, *(image for band, image in self.base.items() if band != "background")]

    @property
    def spines(self) -> list:
        """The axes' frame, to draw over a blitted frame's shading."""
        return list(self.ax.spines.values())
