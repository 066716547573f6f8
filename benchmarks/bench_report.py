"""Time the default command's work stage by stage, and the whole command with and without its animation.

    .venv/bin/python benchmarks/bench_report.py [--repeats 3] [--scenario hts_2024] [--before DIR]

Stages are timed in one process (median of the repeats, after a warm-up run so that imports and the
theatre cache are not counted): the run, the data files, then each piece of the report drawn in this
process one after another (charts, maps, animation, report), and the whole report as `python run.py`
draws it (render_run: in worker processes, one per core, where forking is safe). The whole command
(`python run.py run SCENARIO`, a fresh process, imports included) is timed as a subprocess, with and
without --no-animation. With --before DIR (another checkout, e.g. `git archive COMMIT | tar -x -C DIR`)
its command is timed too, alternating with this one's, so that both see the same load. Issue 14 asks
for the whole command under 10 s on two cores, and under 5 s with --no-animation.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def stages(scenario: str, seed: int, directory: Path) -> dict[str, float]:
    from wargame.core.model import WarModel
    from wargame.output import RunData, write_run
    from wargame.report.aar import write_report
    from wargame.report.animation import write_animation
    from wargame.report.charts import draw_charts
    from wargame.report.maps import draw_snapshots
    from wargame.report.render import render_run
    from wargame.report.workers import drawing_workers

    times = {}
    started = time.perf_counter()
    model = WarModel(scenario, rng=seed)
    model.run()
    times["build and run"] = time.perf_counter() - started
    started = time.perf_counter()
    write_run(model, directory)
    times["data files"] = time.perf_counter() - started
    started = time.perf_counter()
    run = RunData.load(directory)
    times["load run directory"] = time.perf_counter() - started
    for name, stage in (("charts", lambda: draw_charts(run, directory / "figures")),
                        ("maps", lambda: draw_snapshots(run, directory)),
                        ("animation", lambda: write_animation(run, directory)),
                        ("report", lambda: write_report(run, directory, {}, [], []))):
        started = time.perf_counter()
        stage()
        times[name] = time.perf_counter() - started
    for name, workers in (("whole report, this process", 1), (f"whole report, {drawing_workers()} workers", None),
                          ("report without animation", None)):
        for drawn in ("figures", "maps"):
            shutil.rmtree(directory / drawn, ignore_errors=True)
        started = time.perf_counter()
        render_run(directory, workers=workers, animation="without" not in name)
        times[name] = time.perf_counter() - started
    return times


def command(source: Path, scenario: str, out: Path, *extra: str) -> tuple[float, float]:
    """The wall time of the command, and the CPU time of it and its workers (which a busy machine does not
    inflate as it does the wall time)."""
    env = {**os.environ, "PYTHONPATH": str(source), "MPLBACKEND": "Agg"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "run.py", "run", scenario, "--quiet", "--out", str(out), *extra],
                   check=True, cwd=source, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default="hts_2024")
    parser.add_argument("--before", type=Path, default=None, help="another checkout whose command to time too")
    parser.add_argument("--commands-only", action="store_true", help="time the whole commands only")
    args = parser.parse_args()
    sources = {"this checkout": ROOT} | ({"before": args.before.resolve()} if args.before else {})
    whole: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        samples = []
        if not args.commands_only:
            stages(args.scenario, 1, Path(tmp) / "warm")
            samples = [stages(args.scenario, 1, Path(tmp) / f"run{i}") for i in range(args.repeats)]
        for i in range(args.repeats):                    # alternating, so that both see the same load
            for label, source in sources.items():
                for flags in ((), ("--no-animation",)):
                    out = Path(tmp) / f"cli-{label.replace(' ', '_')}-{i}-{len(flags)}"
                    whole.setdefault((label, " ".join(flags)), []).append(command(source, args.scenario, out, *flags))
    print(f"{args.scenario}, seed 1, median of {args.repeats} ({os.cpu_count()} cores):")
    for name in samples[0] if samples else ():
        print(f"  {name:<32} {statistics.median(s[name] for s in samples):6.2f} s")
    for (label, flags), times in whole.items():
        shown = ", ".join(f"{wall:.1f}" for wall, _ in times)
        cpu = statistics.median(c for _, c in times)
        print(f"  {'python run.py ' + flags:<32} {statistics.median(w for w, _ in times):6.2f} s  (CPU {cpu:.1f} s; "
              f"{label}; each: {shown})")
    print(f"  load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
