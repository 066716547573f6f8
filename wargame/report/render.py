"""Everything an analyst reads about one run, drawn from its directory: charts, campaign maps, the
animation and the after-action report. `python run.py` calls it on the run it has just written;
`python run.py report DIR` calls it on any run directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from wargame.core.dates import date_of, format_date
from wargame.output import RunData
from wargame.report.aar import write_report
from wargame.report.charts import draw_charts

STAGES = ("charts", "maps", "animation", "report")


def map_caption(run: RunData, label: str, step: int) -> str:
    day = float(run.metrics.loc[run.metrics["step"] == step, "day"].iloc[0]) if "step" in run.metrics else 0.0
    when = f"{format_date(date_of(run.start, day), 'minute')} (day {day:g})"
    if label.startswith("fall_"):
        names = {e["city"]: e["name"] for e in run.events if e["kind"] == "city_captured"}
        city = next((c for c in sorted(names, key=len, reverse=True) if label[5:].startswith(c)), label[5:])
        return f"The fall of {names.get(city, city)}, {when}: arrows show the advances since the previous map."
    if step == 0:
        return f"{when}: the start: who holds what, and every unit as a counter filled to its morale."
    return f"{when}: control, units (counters by faction, filled to their morale) and the advances since the previous map."


def render_run(directory: str | Path, maps: bool = True, animation: bool = True,
               progress: Callable[[str], None] | None = None) -> dict[str, object]:
    """Draw the figures and write report.html into a run directory; returns what was written by stage."""
    directory = Path(directory)
    run = RunData.load(directory)
    say = progress or (lambda stage: None)
    say("charts")
    charts = draw_charts(run, directory / "figures")
    captioned: list[tuple[Path, str]] = []
    if maps and run.control.size:
        from wargame.report.maps import draw_snapshots, snapshot_steps

        say("maps")
        steps = snapshot_steps(run)
        paths = draw_snapshots(run, directory)
        captioned = [(path, map_caption(run, label, step)) for path, (step, label) in zip(paths, steps)]
    films: list[Path] = []
    if animation and run.control.size:
        from wargame.report.animation import write_animation

        say("animation")
        films = list(write_animation(run, directory))
    say("report")
    report = write_report(run, directory, charts, captioned, films)
    return {"charts": list(charts.values()), "maps": [p for p, _ in captioned], "animation": films, "report": report}
