"""What the report's maps need from a run directory (RunData), prepared once as plain arrays: the theatre,
the colours, control at any step, the counters at any step, dates, captures and arrows of advance.

Everything is read from the run directory, never from a model, so any saved run can be drawn again.

    view = view_of(run)            # built once per RunData object; the snapshots and the animation share it
    view.control_at(step), view.counters(step), view.advances(from_step, to_step), view.date_line(step)
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba

from wargame.core.dates import format_date
from wargame.core.theatre import Theatre
from wargame.report.maps.arrows import Advance, advances
from wargame.report.maps.control import ControlShading, territory_share
from wargame.report.maps.counters import STATE_CODE, Counters, group_counters, no_counters
from wargame.report.maps.theatre import scenario_theatre
from wargame.report.style import faction_colours, side_colours


class CampaignView:
    """A run's maps data: the theatre, colours, the units on the map sorted by step, control snapshots."""

    def __init__(self, run):
        self.run = run
        scenario = run.scenario
        self.theatre: Theatre = scenario_theatre(scenario)
        self.side_ids = list(scenario.sides)
        self.faction_ids = list(scenario.factions)
        self.side_colour = side_colours(scenario)
        self.faction_colour = faction_colours(scenario)
        self.faction_rgba = np.array([to_rgba(self.faction_colour[f]) for f in self.faction_ids] + [to_rgba("grey")])
        self.shading = ControlShading(self.theatre, [self.side_colour[s] for s in self.side_ids])
        self.cells = self.shading.cells
        self._prepare_units(run.units)

    # -- time -----------------------------------------------------------------------------------------
    @property
    def steps(self) -> np.ndarray:
        if len(self.run.control_steps):
            return np.asarray(self.run.control_steps)
        return self.run.metrics["step"].to_numpy() if len(self.run.metrics) else np.zeros(1, dtype=int)

    @property
    def last_step(self) -> int:
        return int(self.run.metrics["step"].max()) if len(self.run.metrics) else int(self.steps.max())

    def day_at(self, step: int) -> float:
        metrics = self.run.metrics
        row = metrics.index[metrics["step"] == step] if len(metrics) else []
        if len(row):
            return float(metrics.at[row[0], "day"])
        return step * float(self.run.info.get("hours_per_step", 24)) / 24.0

    def step_at(self, day: float) -> int:
        """The first step at or after `day` (the last step if the run ended before it)."""
        metrics = self.run.metrics
        if not len(metrics):
            return round(day * 24.0 / float(self.run.info.get("hours_per_step", 24)))
        days = metrics["day"].to_numpy(dtype=float)
        later = np.flatnonzero(days >= day - 1e-9)
        return int(metrics["step"].iloc[later[0] if later.size else -1])

    def when(self, step: int):
        return self.run.dates([self.day_at(step)])[0]

    def date_line(self, step: int) -> str:
        when = self.when(step)
        return f"day {self.day_at(step):g}, {format_date(when, 'long')}"

    def short_date(self, step: int) -> str:
        when = self.when(step)
        return format_date(when, "short")

    def event_step(self, event: dict) -> int:
        if "step" in event:
            return int(event["step"])
        return round(float(event["day"]) * 24.0 / float(self.run.info.get("hours_per_step", 24)))

    # -- control --------------------------------------------------------------------------------------
    def control_at(self, step: int) -> np.ndarray:
        """The side index holding each cell at `step` (the latest snapshot at or before it)."""
        control = self.run.control
        if control.size == 0:
            return np.full(self.theatre.n, -1, dtype=np.int8)
        k = int(np.searchsorted(self.run.control_steps, step, side="right")) - 1
        return control[max(k, 0)]

    def control_colours(self, control: np.ndarray) -> np.ndarray:
        """RGBA per inside cell: its side's colour over the lightened terrain."""
        return self.shading.colours(control)

    def territory_share(self, control: np.ndarray) -> dict[str, float]:
        return territory_share(self.theatre, control, self.side_ids)

    # -- units ----------------------------------------------------------------------------------------
    def _prepare_units(self, units) -> None:
        if units is None or len(units) == 0:
            self._u = None
            return
        on_map = units[(units["cell"] >= 0) & units["state"].isin(list(STATE_CODE))]
        order = np.argsort(on_map["step"].to_numpy(), kind="stable")
        index = {f: i for i, f in enumerate(self.faction_ids)}
        self._u = {
            "step": on_map["step"].to_numpy()[order],
            "cell": on_map["cell"].to_numpy(dtype=np.int64)[order],
            "faction": on_map["faction"].map(index).fillna(len(self.faction_ids)).to_numpy(dtype=np.int64)[order],
            "state": on_map["state"].map(STATE_CODE).to_numpy(dtype=np.int64)[order],
            "personnel": on_map["personnel"].to_numpy(dtype=float)[order],
            "morale": on_map["morale"].to_numpy(dtype=float)[order],
        }

    def counters(self, step: int) -> Counters:
        u = self._u
        if u is None:
            return no_counters()
        lo, hi = np.searchsorted(u["step"], [step, step + 1])
        return group_counters(u["cell"][lo:hi], u["faction"][lo:hi], u["state"][lo:hi], u["personnel"][lo:hi],
                              u["morale"][lo:hi])

    def factions_in(self, limits, step: int | None = None) -> np.ndarray:
        """Indices of the factions with a unit on the map inside `limits` at `step` (at any step: None)."""
        u = self._u
        if u is None:
            return np.zeros(0, dtype=np.int64)
        lo, hi = np.searchsorted(u["step"], [step, step + 1]) if step is not None else (0, u["step"].size)
        x, y = self.theatre.x[u["cell"][lo:hi]], self.theatre.y[u["cell"][lo:hi]]
        seen = (x >= limits[0]) & (x <= limits[1]) & (y >= limits[2]) & (y <= limits[3])
        return np.unique(u["faction"][lo:hi][seen])

    # -- advances -------------------------------------------------------------------------------------
    def advances(self, from_step: int, to_step: int, **kwargs) -> list[Advance]:
        """A few arrows per side for the ground it took between two steps (arrows.advances)."""
        return advances(self.theatre, self.side_ids, self.control_at(from_step), self.control_at(to_step), **kwargs)

    def captures(self, from_step: int | None, to_step: int, kinds=("city", "town")) -> list[dict]:
        """city_captured events after `from_step` up to `to_step` whose place is of one of `kinds`."""
        places = self.theatre.geodata.places
        out = []
        for e in self.run.events:
            if e.get("kind") != "city_captured" or e.get("city") not in places:
                continue
            s = self.event_step(e)
            if places[e["city"]].kind in kinds and (from_step is None or s > from_step) and s <= to_step:
                out.append(e)
        return out


def view_of(run) -> CampaignView:
    """The run's CampaignView, built once per RunData object (the snapshots and the animation share it)."""
    if isinstance(run, CampaignView):
        return run
    view = run.__dict__.get("_campaign_view")
    if view is None or view.run is not run:
        view = CampaignView(run)
        run.__dict__["_campaign_view"] = view
    return view
