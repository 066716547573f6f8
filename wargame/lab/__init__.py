"""The modelling lab: a SolaraViz page for exploring a scenario outside a game.

``python run.py lab [SCENARIO]`` serves it (see cli.cmd_lab); ``solara run wargame.lab:page`` does the same,
the scenario taken from $WARGAME_LAB_SCENARIO. The page holds:

- in the sidebar, Mesa's controls (Reset, Play, Step; the seed) and our card with the scenario and its
  main levers: sliders whose ranges, defaults and notes come from the scenario's parameter metadata.
  A lever takes effect at the next Reset, as any SolaraViz model parameter does; a new scenario is
  loaded at once, with its own levers.
- the live map (terrain, control shading, the front line, units coloured by faction), charts of
  territory and cities by side, the will to fight of each faction and leadership, and morale by faction,
  and the day, date, will to fight and cities taken so far.

Modules: model (LabModel, the seed box, the levers), live (the map, drawn by the shared renderer
wargame.report.maps, and the charts, as PNGs), app (the Solara components and the page).

Everything the browser loads comes from this server (solara-assets; see the `web` extra), so the lab
runs on a network with no internet.
"""

from __future__ import annotations

import os

from wargame.lab import app
from wargame.lab.app import make_page, side_label, status_html, will_html
from wargame.lab.live import LiveCharts, LiveMap, live_charts, live_map
from wargame.lab.model import (
    DEFAULT_SCENARIO,
    DEFAULT_SEED,
    LEVERS,
    SCENARIO_ENV,
    LabModel,
    date_line,
    is_whole,
    lever_params,
    parse_seed,
    show,
    slider_step,
)

__all__ = [
    "DEFAULT_SCENARIO", "DEFAULT_SEED", "LEVERS", "SCENARIO_ENV", "LabModel", "LiveCharts", "LiveMap", "app",
    "date_line", "is_whole", "lever_params", "live_charts", "live_map", "make_page", "page", "parse_seed", "show",
    "side_label", "slider_step", "status_html", "will_html",
]

page = make_page(os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO)
