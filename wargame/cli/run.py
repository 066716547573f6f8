"""`run` (one run or an ensemble), `compare` and `report`: the work is in wargame.report.runs and
wargame.report.ensemble_runs; these commands check their arguments, call it and print what was written."""

from __future__ import annotations

import sys
from pathlib import Path

from wargame.cli.support import ensemble_progress, finish, stage_bar, step_bar

RUN_STAGES = "{desc}: {n}/{total} {postfix} [{elapsed}]"
REPORT_STAGES = "{desc}: {n}/{total} {postfix}"
# the console's "who took what" lists every capture of an objective's place and every retaking, then other
# falls up to this many rows; the rest are counted and left to report.html and outcomes.csv
CONSOLE_OTHER_CAPTURES = 12


def cmd_run(args) -> int:
    from wargame.core.scenario import load_scenario, param_warnings, parse_overrides
    from wargame.report.runs import run_to_directory

    loaded = load_scenario(args.scenario, parse_overrides(args.overrides))
    for warning in param_warnings(loaded):
        print(f"note: {warning}", file=sys.stderr)
    if args.reps > 1:
        return _run_ensemble(args, loaded)
    steps, on_step = step_bar(f"{loaded.name} seed {args.seed}", loaded.scenario.total_steps, args.quiet)
    stages, on_stage = stage_bar(RUN_STAGES, args.quiet, after=steps)
    try:
        written = run_to_directory(loaded, args.seed, args.out, report=not args.no_report,
                                   animation=not args.no_animation, workers=args.workers, on_step=on_step,
                                   on_stage=on_stage)
        if written.report_error is None:
            finish(stages)
    finally:
        steps.close()
        stages.close()
    if written.report_error is not None:          # the figures failed: the run's data is kept
        _warn_no_report(written.report_error, written.directory)
    if not args.quiet:
        print(written.summary)
        _print_written(written.directory, written.rendered)
        from wargame.output.rundir import reproduce_command

        command, note = reproduce_command(written.directory, args.seed, loaded=loaded)
        print(f"Reproduce with: {command}" + (f"  ({note})" if note else ""))
    return 0


def _warn_no_report(exc: Exception, directory: Path) -> None:
    print(f"warning: the report could not be drawn ({type(exc).__name__}: {exc}); the run's data is "
          f"written; draw it again with: python run.py report {directory}", file=sys.stderr)


def _run_ensemble(args, loaded) -> int:
    from wargame.experiments.bands import MIN_RUNS_FOR_BAND
    from wargame.report.ensemble import (
        capture_phrase,
        collapse_sentences,
        ensemble_captures,
        nothing_fell_text,
        objective_lines,
        runs_text,
        share_text,
        will_at_end,
    )
    from wargame.report.ensemble_runs import run_ensemble_to_directory
    from wargame.report.objectives import spread_text
    from wargame.report.summary import name_column

    with ensemble_progress() as progress:
        ens = run_ensemble_to_directory(loaded, args.scenario, args.reps, args.seed, overrides=args.overrides,
                                        out=args.out, workers=args.workers, report=not args.no_report,
                                        progress=None if args.quiet else progress)
    if not args.quiet:
        out = ens.directory
        print(f"{ens.info['title']}: {args.reps} runs (master seed {args.seed})")
        print("  the campaign's objectives (runs that achieved each; median day over those runs):")
        for sentence in objective_lines(ens):
            print(f"    {sentence}")
        for sentence in collapse_sentences(ens):
            print(f"  {sentence}")
        ends = will_at_end(ens)
        if ends:
            print("  the will to fight at the end (median over the runs, 10th-90th percentile or under "
                  f"{MIN_RUNS_FOR_BAND} runs each run's):")
            for name, mid, spread in ends:
                print(f"    {name_column(name, 44)} {mid:.2f}  ({spread})")
        captures = ensemble_captures(ens)
        if captures.empty:
            print(f"  {nothing_fell_text(ens)}")
        else:
            print("  who took what (falls to the campaign's attacker, then retakings from it; runs in which it "
                  f"happened, median day and 10th-90th percentile over them (under {MIN_RUNS_FOR_BAND} runs: the "
                  "days), and the share of all runs in which that side held the place at the end):")
            shown = console_captures(ens.scenario, captures, CONSOLE_OTHER_CAPTURES)
            for _, r in shown.iterrows():
                what = f"{r['name']}: {capture_phrase(ens.scenario, r['capture'], r['by'])}"
                print(f"    {name_column(what, 56)} {runs_text(r['share'], r['runs']):>8}   day {r['median']:5.2f}"
                      f"  ({spread_text(r).removeprefix('10th-90th percentile ')})  held at the end {share_text(r['held_share']):>5}")
            if len(shown) < len(captures):
                print(f"    and {len(captures) - len(shown)} more (report.html, outcomes.csv)")
        print(f"Written to {out}/: {', '.join(written_files(out))}"
              + ("" if args.no_report else f"\n  report   {out / 'report.html'}"))
    return 0


def written_files(directory: Path) -> list[str]:
    """The files and folders an ensemble wrote, as they are on disk (its data format may change: the console
    names what is there), folders with a slash; the "finished" marker left out."""
    return [p.name + ("/" if p.is_dir() else "") for p in sorted(directory.iterdir()) if p.name != "finished"]


def console_captures(scenario, captures, others: int):
    """The rows of `captures` (ensemble_captures) the console prints, in its order: every row of a place an
    objective names and every retaking or other fall, then falls elsewhere up to `others` rows."""
    from wargame.experiments.places import FALL
    from wargame.report.objectives import objective_places

    always = captures["place"].isin(objective_places(scenario)) | (captures["capture"] != FALL)
    rest = captures.index[~always][:others]
    return captures.loc[captures.index[always].union(rest).sort_values()]


def cmd_compare(args) -> int:
    from wargame.report.ensemble_runs import compare_scenarios

    with ensemble_progress() as progress:
        done = compare_scenarios(args.scenarios, args.reps, args.seed, overrides=args.overrides, out=args.out,
                                 workers=args.workers, progress=progress)
    print(f"Compared {', '.join(done.names)} on {args.reps} paired runs each.")
    if done.ensembles:
        import pandas as pd

        from wargame.report.ensemble import compared_lines

        effects_csv = done.directory / "effects.csv"
        effects = pd.read_csv(effects_csv, keep_default_na=False, na_values=[""]) \
            if effects_csv.stat().st_size > 1 else pd.DataFrame()
        for line in compared_lines(done.ensembles, effects):
            print(line)
    print(f"Written to {done.directory}/: report.html, effects.csv, figures/, and one ensemble directory (with "
          "its own report) per scenario")
    print(f"  report   {done.report}")
    return 0


def cmd_report(args) -> int:
    from wargame.report.runs import redraw

    stages, on_stage = stage_bar(REPORT_STAGES)
    try:
        done = redraw(args.directory, animation=not args.no_animation, workers=args.workers, on_stage=on_stage)
        finish(stages)
    finally:
        stages.close()
    if done.ensemble_report is not None:
        print(f"Ensemble report written: {done.ensemble_report}")
    else:
        _print_written(done.directory, done.rendered)
    return 0


def _print_written(directory: Path, rendered: dict) -> None:
    from wargame.output import RUN_FILES

    print(f"Written to {directory}/:")
    print(f"  data     {', '.join(RUN_FILES)}")
    if rendered:
        charts = [p.name for p in rendered["charts"]] + (["why.png"] if (directory / "figures" / "why.png").is_file() else [])
        print(f"  charts   figures/: {', '.join(charts)}")
        if rendered["maps"]:
            print(f"  maps     maps/: {len(rendered['maps'])} maps ({rendered['maps'][0].name} ... "
                  f"{rendered['maps'][-1].name})")
        if rendered["animation"]:
            print(f"  film     {', '.join(p.name for p in rendered['animation'])}")
        print(f"  report   {directory / 'report.html'}  <- open this in a browser")
