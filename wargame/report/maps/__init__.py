"""One map renderer for the report, the lab and the classroom.

Every map is the theatre's base (drawn once per frame and size, kept as bitmaps: base.py) with control
shading and the front line (control.py) and unit symbols (counters.py, markers.py) over it, all drawn
from plain arrays: the theatre, a side index per cell, units' cells, factions, states, personnel and
morale, colours. Who reads what:

- the report reads run directories: campaign.py (snapshots, arrows of advance: arrows.py, insets) through
  runview.py, and animation.py (the film, by blitting: canvas.Blit);
- the lab reads a live model (wargame.lab.live: a MapAxes and DotLayer, blitted);
- the classroom reads a team's fog-of-war picture, dicts of units: picture.draw_picture_png, with
  legend.picture_legend_html for its key.

Modules: layers (zorders and the base's bands), theatre (drawing the theatre itself), frame (limits,
zoom, areas), base (the cached bitmaps), control, counters, markers, mapaxes (a map on an Axes), canvas
(figures without pyplot, PNG bytes, blitting), legend, arrows, runview, campaign, picture.
"""

from wargame.report.maps.base import BaseImage, PlaceStyle, base_layers
from wargame.report.maps.campaign import (
    CampaignMap,
    Snapshot,
    draw_map,
    draw_snapshot,
    draw_snapshots,
    prepare_axes,
    snapshot_plan,
    snapshot_steps,
)
from wargame.report.maps.canvas import Blit, encode_png, new_figure
from wargame.report.maps.control import ControlLayer, ControlShading, front_segments, territory_share
from wargame.report.maps.counters import (
    STATE_CODE,
    CounterLayer,
    Counters,
    counters_from_dicts,
    group_counters,
)
from wargame.report.maps.frame import area_limits, fighting_area, zoom_limits
from wargame.report.maps.legend import picture_legend_html
from wargame.report.maps.mapaxes import MapAxes
from wargame.report.maps.markers import DotLayer, UnitMarkers
from wargame.report.maps.picture import PictureCache, draw_picture_png
from wargame.report.maps.runview import CampaignView, view_of

__all__ = [
    "STATE_CODE", "BaseImage", "Blit", "CampaignMap", "CampaignView", "Snapshot", "ControlLayer", "ControlShading", "CounterLayer",
    "Counters", "DotLayer", "MapAxes", "PictureCache", "PlaceStyle", "UnitMarkers", "area_limits", "base_layers",
    "counters_from_dicts", "draw_map", "draw_picture_png", "draw_snapshot", "draw_snapshots", "encode_png", "fighting_area",
    "front_segments", "group_counters", "new_figure", "picture_legend_html", "prepare_axes", "snapshot_plan", "snapshot_steps",
    "territory_share", "view_of", "zoom_limits",
]
