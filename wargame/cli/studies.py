"""`sweep`, `sensitivity` and `calibrate`: a study from a study file and options, run by
wargame.study.launch; this command checks the extras it needs, draws its progress bar and prints what
the study wrote."""

from __future__ import annotations

import os
import sys

from wargame.cli.support import require_extra, study_bar

# the extra a study needs beyond the base install, by kind: (modules, extra)
EXTRAS = {"sensitivity": (("SALib",), "analysis"), "calibrate": (("optuna",), "analysis")}
STUDY_TITLES = {"sweep": "Sweep", "sensitivity": "Sensitivity analysis", "calibrate": "Calibration"}
SETTINGS = {"sweep": {"kind": "design", "points": "points", "levels": "levels", "file": "points_file"},
            "sensitivity": {"method": "method", "samples": "samples"},
            "calibrate": {"trials": "trials", "targets": "targets"}}


def cmd_study(args) -> int:
    from wargame.study.launch import run_study

    if getattr(args, "write_targets", None):
        return _write_targets(args)
    spec, source = _study(args)
    command = "python run.py " + " ".join(map(typed_again, sys.argv[1:])) if sys.argv[1:] else \
        f"python run.py {args.command}"
    if args.command == "calibrate" and spec.calibrate.targets:
        from wargame.study.calibrate import fitted_targets

        fitted_targets(spec)              # a bad targets file: its error before the progress bar, not under it
    bar, started, progress = study_bar(args.command)
    try:
        done = run_study(spec, source, args.out, workers=args.workers, scheduler=args.scheduler,
                         resume=args.resume, command=command, progress=progress, started=started)
    finally:
        bar.close()
    _print_study(args.command, spec.scenario, done)
    return 0


def _write_targets(args) -> int:
    """`calibrate SCENARIO --write-targets FILE`: the campaign's built-in targets, to edit and pass back."""
    from wargame.experiments.history import campaign_of
    from wargame.study.targets import write_default_targets

    if not args.scenario:
        from wargame.core.errors import WargameError

        raise WargameError("calibrate --write-targets: give the scenario whose campaign's targets to write, "
                           "e.g. python run.py calibrate hts_2024 --write-targets my_targets.toml")
    written = write_default_targets(campaign_of(args.scenario), args.write_targets)
    print(f"wrote {written}: edit it, then python run.py calibrate {args.scenario} --targets {written} --param ...")
    return 0


def _study(args):
    """The extras the study needs, then the study itself from --study and the options, validated."""
    from wargame.study.execute import SCHEDULER_ENV
    from wargame.study.launch import study_from_options

    if args.command in EXTRAS:
        require_extra(*EXTRAS[args.command], args.command)
    if args.scheduler or os.environ.get(SCHEDULER_ENV):
        require_extra("distributed", "distributed", "--scheduler" if args.scheduler else SCHEDULER_ENV)
    outputs = None if not args.outputs else [o.strip() for o in args.outputs.split(",") if o.strip()]
    settings = {name: getattr(args, option) for name, option in SETTINGS[args.command].items()}
    return study_from_options(args.command, scenario=args.scenario, study_file=args.study, parameters=args.param,
                              replicates=args.reps, seed=args.seed, outputs=outputs, overrides=args.overrides,
                              settings=settings, levers=args.lever, uncertainties=args.uncertainty,
                              series=args.series)


def typed_again(word: str, cwd: str | None = None) -> str:
    """A word of the command as the study's report shows it: an absolute path as the same path relative to
    the working directory (os.path.relpath, "../data/t.toml" included: the command still runs from where it
    was typed, and names no directory of this machine), or, where there is none (another drive), its last
    part."""
    option, equals, value = word.partition("=") if word.startswith("--") else ("", "", word)
    if not value.startswith("/"):
        return word
    from wargame.output.rundir import relative_path

    return f"{option}{equals}{relative_path(value, cwd)}"


def _print_study(kind: str, scenario: str, done) -> None:

    print(f"{kind} of {scenario} finished: {done.directory}/")
    print(f"  files    {', '.join(done.files)}")
    for output, ranked in done.ranking.items():
        # significant figures: a share's mu* of 0.0036 is not "0.00"
        # the index named ("mu*" for Morris, "ST" for Sobol): a bare 1.12 tells the analyst nothing
        named = f"{done.index} " if done.index else ""
        print(f"  {output}: {named}" + ", ".join(f"{p} {v:.3g}" for p, v in ranked))
    if done.targets:
        print("  loss     " + ", ".join(f"{target} {share:.0%}" for target, share in done.targets)
              + " of the best trial's (loss.csv)")
    cautions = done.directory / "warnings.txt"          # written by the study: what its results cannot bear
    for line in (cautions.read_text(encoding="utf-8").splitlines() if cautions.is_file() else []):
        print(f"  WARNING  {line}")
    if done.best is not None:
        from wargame.study.calibrate import run_best_command  # only a calibration has a best.toml
        print(f"  best     {done.best}  ({run_best_command(done.best)})")
    elif (done.directory / "best_set.txt").is_file():
        print(f"  best     {done.directory / 'best.toml'} (rules); to try them: python run.py validate-history "
              + (done.directory / "best_set.txt").read_text().strip())
    print(f"  report   {done.report}")


def cmd_fans(args) -> int:
    """`fans`: a study's metric over time by groups of its design points, drawn to a PNG."""
    from wargame.core.errors import WargameError
    from wargame.output import load_study
    from wargame.report.style import save_figure
    from wargame.study.charts import figure_series_fans

    if args.out is not None and args.out.suffix.lower() != ".png":
        raise WargameError(f"--out {args.out}: a fan chart is written as a PNG; give a file name ending in .png")
    study = load_study(args.directory)
    points = None
    if args.points:
        try:
            points = [int(p) for p in args.points.split(",") if p.strip()]
        except ValueError:
            raise WargameError(f"--points {args.points!r}: give design point numbers, e.g. 0,3,7") from None
    series = study.series
    if args.metric not in series.data_vars and args.metric in study.runs.columns:
        raise WargameError(f"--metric {args.metric!r} is an outcome, one value per run (runs.parquet), not a "
                           "per-step series: see it in the study's report and points.csv, or where in parameter "
                           f"space it holds with: python run.py discover {args.directory} --outcome "
                           f"\"{args.metric} < VALUE\"")
    title = f"{STUDY_TITLES.get(study.kind, study.kind)} of {study.manifest['spec']['scenario']}"
    figure = figure_series_fans(series, args.metric, title, by=args.by, points=points)
    name = f"fans-{args.metric}" + (f"-by-{args.by}" if args.by else "") + \
        (f"-points-{'-'.join(map(str, points))}" if points else "")
    out = save_figure(figure, args.out or study.directory / "figures" / f"{name}.png")
    print(f"fan chart: {out}")
    return 0
