"""Everything an analyst reads about one run, drawn from its directory: charts, campaign maps, the
animation and the after-action report. `python run.py` calls it on the run it has just written;
`python run.py report DIR` calls it on any run directory.

The pieces (each chart, each map, the animation's frames) are drawn in worker processes, one per core,
where that is possible (report.workers), and otherwise here one after another; the files are the same
either way. The animation goes first, being the longest piece: on two cores one worker makes the whole
film while the other draws the maps and charts; with more, its frames are drawn in shares and made into
the film here. report.html is written once every piece is in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from wargame.core.dates import date_of, format_date
from wargame.output import RunData
from wargame.report.aar import draw_why, write_report
from wargame.report.animation import frame_steps, render_frames, write_animation
from wargame.report.charts import FIGURES
from wargame.report.maps import draw_snapshot, snapshot_plan
from wargame.report.style import save_figure
from wargame.report.workers import DrawingPool

STAGES = ("animation", "maps", "charts", "report")     # the order the report waits on its pieces


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


# -- the pieces: module-level functions of the run and small arguments (what a worker is sent); the modules
# they use are imported above, before the workers are forked, so that no worker imports them again ---------
def _draw_chart(run: RunData, name: str, directory: Path) -> Path:
    return save_figure(FIGURES[name](run), directory / "figures" / f"{name}.png")


def _draw_why(run: RunData, directory: Path) -> Path | None:
    return draw_why(run, directory)


def _draw_snapshot(run: RunData, snapshot, directory: Path) -> Path:
    return draw_snapshot(run, snapshot, directory)


def _draw_frames(run: RunData, steps: list[int]) -> list:
    return render_frames(run, steps=steps)


def _draw_film(run: RunData, directory: Path) -> list[Path]:
    return write_animation(run, directory)


def film_shares(steps: list[int], workers: int) -> list[list[int]]:
    """The animation's frames split into contiguous shares, one per pair of workers: each share pays for
    setting up the film's figure and base map (about as long as a dozen frames), so on two cores one
    worker draws the film while the other draws the maps and charts."""
    count = max(1, min(len(steps), workers // 2))
    size = -(-len(steps) // count)
    return [steps[i:i + size] for i in range(0, len(steps), size)]


def render_run(directory: str | Path, maps: bool = True, animation: bool = True,
               progress: Callable[[str], None] | None = None, workers: int | None = None) -> dict[str, object]:
    """Draw the figures and write report.html into a run directory; returns what was written by stage.

    workers: processes to draw in (None: one per core; 0 or 1: this process only). A piece that fails
    raises report.workers.DrawingFailed naming it, and report.html is not written."""
    directory = Path(directory)
    run = RunData.load(directory)
    say = progress or (lambda stage: None)
    mapped = maps and bool(run.control.size)
    filmed = animation and bool(run.control.size)
    with DrawingPool(run, workers) as pool:
        pieces: dict[str, list] = {}

        def submit(stage: str) -> None:
            if stage == "animation" and filmed:
                shares = film_shares(frame_steps(run), pool.workers)
                if len(shares) == 1:              # the film made where it is drawn: its frames stay there
                    pieces[stage] = [pool.submit("the animation", _draw_film, directory)]
                else:
                    pieces[stage] = [pool.submit(f"frames of the animation from step {share[0]}", _draw_frames,
                                                 share) for share in shares]
            elif stage == "maps" and mapped:
                pieces[stage] = [(s, pool.submit(f"maps/{s.label}.png", _draw_snapshot, s, directory))
                                 for s in snapshot_plan(run)]
            elif stage == "charts":
                pieces[stage] = [(name, pool.submit(f"figures/{name}.png", _draw_chart, name, directory))
                                 for name in FIGURES]
                pieces["why"] = [pool.submit("figures/why.png", _draw_why, directory)]

        if pool.workers:                          # everything queued at once, the longest pieces first
            for stage in STAGES:
                submit(stage)
        films: list[Path] = []
        captioned: list[tuple[Path, str]] = []
        charts: dict[str, Path] = {}
        for stage in STAGES[:-1]:
            if stage == "animation" and not filmed or stage == "maps" and not mapped:
                continue
            say(stage)
            if not pool.workers:                  # in this process: each stage drawn as it comes
                submit(stage)
            if stage == "animation":
                if len(pieces[stage]) == 1:
                    films = list(pieces[stage][0].result())
                else:                             # shares of frames from several workers, made into a film here
                    frames = [frame for piece in pieces[stage] for frame in piece.result()]
                    films = list(write_animation(run, directory, frames=frames))
            elif stage == "maps":
                captioned = [(piece.result(), map_caption(run, s.label, s.step)) for s, piece in pieces[stage]]
            else:
                charts = {name: piece.result() for name, piece in pieces[stage]}
        why_png = pieces["why"][0].result()
    say("report")
    report = write_report(run, directory, charts, captioned, films, why_png=why_png,
                          animation_left_out=not animation and bool(run.control.size))
    return {"charts": list(charts.values()), "maps": [p for p, _ in captioned], "animation": films, "report": report}
