"""What the project holds, written for people: the built-in scenarios, a scenario's tunable parameters, a
scenario checked, the places scenarios may name, and the theatre drawn to a file.

The text functions return lines (the `scenarios`, `validate` and `places` commands print them); none of
them prints.
"""

from __future__ import annotations

from pathlib import Path

from wargame.core.dates import format_date
from wargame.core.errors import WargameError

MAP_SUFFIXES = (".png", ".svg", ".pdf")


def scenario_list_lines() -> list[str]:
    """Every built-in scenario: name, start, length, title and the scenario it extends."""
    from wargame.core.scenario import builtin_names, load_scenario

    lines = ["Built-in scenarios (python run.py scenarios NAME shows the parameters):"]
    for name in builtin_names():
        loaded = load_scenario(name)
        meta = loaded.scenario.meta
        parent = f"  (extends {loaded.files[-2]})" if len(loaded.files) > 1 else ""
        lines.append(f"  {name:<28} {format_date(meta.start, pad_day=True)}, {meta.duration_days:g} days  "
                     f"{meta.title}{parent}")
    return lines


def parameter_lines(scenario: str, assumptions_only: bool = False) -> list[str]:
    """A scenario's tunable parameters (only those that are assumptions, if asked): value, range, note."""
    from wargame.core.scenario import load_scenario

    loaded = load_scenario(scenario)
    params = [p for p in loaded.params.values() if p.assumption or not assumptions_only]
    lines = [f"{loaded.scenario.meta.title} ({loaded.name}; files: {', '.join(loaded.files)})",
             (f"{len(params)} tunable parameters{' that are assumptions' if assumptions_only else ''} "
              "(override any with --set PATH=VALUE):\n")]
    width = max(len(p.path) for p in params) if params else 10
    lines.append(f"  {'parameter':<{width}}  {'value':>9}  {'range':<17}  note")
    for p in params:
        rng = f"[{p.range[0]:g}, {p.range[1]:g}]"
        lines.append(f"  {p.path:<{width}}  {p.value:>9g}  {rng:<17}  {p.note}")
    return lines


def validation_lines(scenario: str, overrides: dict | None = None) -> list[str]:
    """A scenario (and overrides) checked: a note for each questionable value, then what it holds. A
    problem raises a ScenarioError naming file, field and value."""
    from wargame.core.scenario import load_scenario, param_warnings

    loaded = load_scenario(scenario, overrides)
    s = loaded.scenario
    units = sum(u.count for u in s.units.values())
    ok = (f"OK: {scenario} is a valid scenario ({s.meta.title}): {len(s.sides)} sides, {len(s.factions)} "
          f"factions, {units} units, {len(loaded.params)} tunable parameters.")
    return [f"note: {warning}" for warning in param_warnings(loaded)] + [ok]


def place_lines(kind: str | None = None) -> list[str]:
    """The places scenarios can refer to (of one kind, if given): id, kind, coordinates, name and source."""
    from wargame.core.theatre.features import load_geodata

    places = [p for p in load_geodata().places.values() if kind in (None, p.kind)]
    return [f"{'id':<22} {'kind':<9} {'lat':>8} {'lon':>8}  name / source"] + [
        f"{p.id:<22} {p.kind:<9} {p.lat:8.4f} {p.lon:8.4f}  {p.name} / {p.source} [{p.confidence}]"
        for p in places]


def draw_theatre_map(scenario: str, out: str | Path, cell_km: float | None = None) -> Path:
    """The theatre of a scenario (terrain, roads, rivers, places) at its cell size, or `cell_km`, drawn to
    `out` (.png, .svg or .pdf). Returns the path written."""
    from wargame.core.scenario import load_scenario
    from wargame.core.theatre import TheatreSpec, build_theatre
    from wargame.report.maps.theatre import draw_theatre_png

    out = Path(out)
    if out.is_dir():
        raise WargameError(f"--out {out}: is a directory; give a file name such as {out / 'theatre.png'}")
    if out.suffix.lower() not in MAP_SUFFIXES:
        raise WargameError(f"--out {out}: the map is written as .png, .svg or .pdf; give one of those suffixes")
    overrides = {} if cell_km is None else {"theatre.cell_km": cell_km}
    t = load_scenario(scenario, overrides).scenario.theatre
    try:
        return draw_theatre_png(build_theatre(TheatreSpec.of(t)), out)
    except OSError as exc:
        raise WargameError(f"--out {out}: cannot write there ({exc.strerror})") from None
