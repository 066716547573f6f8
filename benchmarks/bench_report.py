"""Time the default command's work stage by stage: the run, the data files, charts, maps, animation, report.

    .venv/bin/python benchmarks/bench_report.py [--repeats 3] [--scenario hts_2024]

Each stage is timed on its own (median of the repeats) in one process, after a warm-up run so that
imports and the theatre cache are not counted; the whole command (`python run.py`, fresh process,
imports included) is timed separately as a subprocess. Issue 5 asks for the whole under a minute.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def stages(scenario: str, seed: int, directory: Path) -> dict[str, float]:
    from wargame.core.model import WarModel
    from wargame.output import RunData, write_run
    from wargame.report.aar import write_report
    from wargame.report.animation import write_animation
    from wargame.report.charts import draw_charts
    from wargame.report.maps import draw_snapshots

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
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default="hts_2024")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stages(args.scenario, 1, Path(tmp) / "warm")
        samples = [stages(args.scenario, 1, Path(tmp) / f"run{i}") for i in range(args.repeats)]
        whole = []
        for i in range(args.repeats):
            started = time.perf_counter()
            subprocess.run([sys.executable, "run.py", "run", args.scenario, "--quiet", "--out", str(Path(tmp) / f"cli{i}")],
                           check=True, cwd=Path(__file__).resolve().parents[1])
            whole.append(time.perf_counter() - started)
    print(f"{args.scenario}, seed 1, median of {args.repeats}:")
    for name in samples[0]:
        print(f"  {name:<20} {statistics.median(s[name] for s in samples):6.2f} s")
    print(f"  {'whole command':<20} {statistics.median(whole):6.2f} s  (python run.py, a fresh process)")


if __name__ == "__main__":
    main()
