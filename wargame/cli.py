"""The command line: ``python run.py [command] ...``. With no command it runs the default scenario.

Every user mistake (bad scenario, bad override, missing file) is printed as a clear message naming the
file, the field and what is allowed, and the command exits with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import textwrap
from pathlib import Path

from wargame.core.errors import WargameError
from wargame.output.files import write_csv_atomic, write_text_atomic

DEFAULT_SCENARIO = "hts_2024"
DEFAULT_SEED = 1

EXAMPLES = {
    "run": """\
        examples:
          python run.py                                    # hts_2024, seed 1, outputs in runs/hts_2024-seed1
          python run.py run aleppo_2016 --seed 7
          python run.py run hts_2024 --set factions.saa.pay=0.6 --set factions.saa.professionalism=0.6
          python run.py run my_scenario.toml --out runs/mine
          python run.py run runs/hts_2024-seed1/scenario.toml --seed 1   # reproduce a saved run
          python run.py run hts_2024 --reps 50             # an ensemble: fan charts, when each city fell
          python run.py run hts_2024 --no-report           # data only (metrics, units, events): fastest
        A run directory holds the scenario, seed and versions (run.json), metrics and unit records (CSV and
        Parquet), the event log (events.jsonl), charts and maps (figures/, maps/), the animation
        (campaign.gif, and campaign.mp4 where ffmpeg is installed) and the after-action report (report.html).""",
    "compare": """\
        examples:
          python run.py compare hts_2024 hts_2024_professional_saa
          python run.py compare hts_2024 hts_2024_russia_turkey_deal hts_2024_hezbollah_intact --reps 40
        The first scenario is the base; all are run on the same seeds, so each difference is paired.
        Writes report.html and effects.csv, and each scenario's ensemble beside them.""",
    "report": """\
        examples:
          python run.py report runs/hts_2024-seed1         # redraw the charts, maps and report of a run
          python run.py report runs/hts_2024-seed1 --no-animation""",
    "map": """\
        examples:
          python run.py map                                # theatre.png at the default 5 km cells
          python run.py map --cell-km 3 --out theatre-3km.png""",
    "scenarios": """\
        examples:
          python run.py scenarios                          # list the built-in scenarios
          python run.py scenarios hts_2024                 # every tunable parameter: value, range, note
          python run.py scenarios hts_2024 --assumptions   # only the parameters that are assumptions""",
    "validate": """\
        examples:
          python run.py validate my_scenario.toml
          python run.py validate hts_2024 --set rules.combat.attrition_per_day=0.05""",
    "validate-history": """\
        examples:
          python run.py validate-history                   # 200 seeded runs of each campaign (a few minutes)
          python run.py validate-history --runs 40         # a quicker look
          python run.py validate-history --set rules.morale.contagion_weight=0.05   # a rule changed
        An interrupted validation resumes: finished runs are kept in the output directory.""",
    "counterfactuals": """\
        examples:
          python run.py counterfactuals                    # every counterfactual of hts_2024, 100 paired runs each
          python run.py counterfactuals --runs 40 --only hts_2024_professional_saa
        Writes report.md (effects with 95% intervals) and effects.csv; interrupted work resumes.""",
    "sweep": """\
        examples:
          python run.py sweep hts_2024 --param factions.saa.pay --param rules.morale.contagion_weight --points 20
          python run.py sweep hts_2024 --param factions.saa.pay=0.05,0.15,0.3 --param factions.saa.professionalism \\
              --design grid --levels 4 --reps 4 --outputs aleppo_days,regime_territory
          python run.py sweep --study my_sweep.toml --workers 2        # a study file (see docs/STUDIES.md)
          python run.py sweep --study my_sweep.toml --resume           # finish an interrupted study
          python run.py sweep --study my_sweep.toml --scheduler tcp://10.0.0.5:8786   # on a Dask cluster
        A parameter's range comes from the scenario (python run.py scenarios hts_2024) unless given as
        PATH=LOW:HIGH; PATH=A,B,C gives grid levels.""",
    "sensitivity": """\
        examples:
          python run.py sensitivity hts_2024 --param factions.saa.pay --param factions.saa.professionalism \\
              --param rules.morale.contagion_weight --samples 32
          python run.py sensitivity hts_2024 --method morris --samples 10 --param ... --param ...
          python run.py sensitivity --study docs/studies/sobol8.toml --resume""",
    "calibrate": """\
        examples:
          python run.py calibrate hts_2024 --param rules.morale.contagion_weight --param rules.morale.force_ratio_weight \\
              --trials 40 --reps 8
          python run.py run runs/calibrate-hts_2024-seed2024/best.toml   # run the best parameter set
        Fits the historical targets of the scenario's campaign (validate-history lists them).""",
    "play": """\
        examples:
          python run.py play                               # hts_2024_classroom, every team human, half-day turns
          python run.py play --humans regime,rebels        # two teams; Russia, Iran and Turkey on doctrine AI
          python run.py play --game k3x9qa                 # resume a saved game (games.sqlite)
        One laptop, no browser: the laptop passes from team to team (the screen is cleared between them).
        At the end the after-action report is written to runs/game-<id>/.""",
    "lab": """\
        examples:
          python run.py lab                                # hts_2024's lab at http://127.0.0.1:8765/
          python run.py lab aleppo_2016 --port 8800
          python run.py lab hts_2024 --host 0.0.0.0        # open to the classroom's network
        A browser page: sliders for the scenario's main levers (they apply at Reset), Play and Step, the
        live map and charts. Needs the web extra (pip install -e ".[web]"); the page loads nothing from
        the internet. Ctrl+C stops the server.""",
    "serve": """\
        examples:
          python run.py serve                              # the classroom server on port 8000, games.sqlite
          python run.py serve --port 8080 --db class-2025-03.sqlite
        Prints the address to give the class (students open it and type their team's join code). One file
        holds every game; a server stopped (or killed) and started again on it resumes every game where it
        was, submitted orders included. See docs/CLASSROOM.md.""",
    "places": """\
        examples:
          python run.py places                             # every place id a scenario may use
          python run.py places --kind airbase""",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python run.py",
        description="wargame: an agent-based strategic wargame of the Syrian war on Mesa.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=textwrap.dedent("""\
            commands:
              run         run a scenario (or an ensemble of it) and write its directory, report included
                          (the default command)
              compare     run several scenarios on the same seeds and report them side by side
              report      redraw the charts, maps, animation and report of a run directory
              map         draw the theatre (terrain, roads, rivers, places) to a PNG
              scenarios   list the scenarios, or one scenario's tunable parameters
              validate    check a scenario file (and overrides) and report every problem
              validate-history
                          run both historical campaigns as seeded ensembles and score them against history
              counterfactuals
                          run each counterfactual against its base on paired seeds: each lever's effect
              serve       the classroom server: teams play from their laptops' browsers, the instructor runs
                          the game from a console
              places      list the place ids scenarios can refer to
              lab         the modelling lab: a browser page with levers, the live map and charts
              sweep       run a design of parameter points (grid, Latin hypercube, Sobol, CSV) x replicates
              sensitivity Sobol or Morris sensitivity indices (SALib) of chosen outputs to chosen parameters
              calibrate   fit parameters to the historical targets with Optuna; write the best as a scenario

            python run.py COMMAND --help shows each command's options and examples.
            With no command, `python run.py` runs hts_2024 (seed 1) and writes runs/hts_2024-seed1,
            with its after-action report in runs/hts_2024-seed1/report.html."""))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text,
                              epilog=textwrap.dedent(EXAMPLES[name]),
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    run = add("run", "Run a scenario to its end; print a summary; write the run directory.")
    run.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                     help=f"built-in scenario name or path to a .toml file (default {DEFAULT_SCENARIO})")
    run.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"random seed, 0 or more (default {DEFAULT_SEED})")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                     help="override a parameter by its dotted path; repeatable")
    run.add_argument("--out", type=Path, default=None,
                     help="run directory (default runs/<scenario>-seed<seed>, or runs/<scenario>-reps<N>-seed<seed>)")
    run.add_argument("--reps", type=_positive, default=1,
                     help="runs of the scenario with seeds drawn from --seed (default 1: one run)")
    run.add_argument("--workers", type=_positive, default=None, help="processes for --reps (default: all cores)")
    run.add_argument("--no-report", action="store_true", help="write the data only: no charts, maps or report")
    run.add_argument("--no-animation", action="store_true", help="everything but the animation (quicker)")
    run.add_argument("--quiet", action="store_true", help="no progress bar and no summary on screen")

    co = add("compare", "Run several scenarios on the same seeds and put them side by side in one report.")
    co.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="the base first, then the others")
    co.add_argument("--reps", type=_positive, default=20, help="runs of each scenario (default 20)")
    co.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"master seed (default {DEFAULT_SEED})")
    co.add_argument("--workers", type=_positive, default=None, help="processes (default: all cores)")
    co.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                    help="override a parameter in every scenario; repeatable")
    co.add_argument("--out", type=Path, default=None, help="directory (default runs/compare-<base>-...)")

    rp = add("report", "Redraw the charts, maps, animation and after-action report of a run directory.")
    rp.add_argument("directory", type=Path, help="a run directory (written by `python run.py run`)")
    rp.add_argument("--no-animation", action="store_true", help="skip the animation")

    mp = add("map", "Draw the theatre to a PNG you can check against a real map.")
    mp.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, help="scenario whose theatre bounds to use")
    mp.add_argument("--cell-km", type=float, default=None, help="cell size in km (default: the scenario's)")
    mp.add_argument("--out", type=Path, default=Path("theatre.png"), help="output PNG (default theatre.png)")

    sc = add("scenarios", "List the built-in scenarios, or show one scenario's tunable parameters.")
    sc.add_argument("name", nargs="?", help="a scenario name or file: show its parameters")
    sc.add_argument("--assumptions", action="store_true", help="only parameters whose note is an assumption")

    va = add("validate", "Check a scenario file and report every problem, naming file, field and value.")
    va.add_argument("file", help="scenario file or built-in name")
    va.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                    help="also check these overrides")

    vh = add("validate-history", "Run seeded ensembles of aleppo_2016 and hts_2024 and score them against the "
                                 "historical targets and Dupuy's attrition regularities.")
    vh.add_argument("--runs", type=_positive, default=200, help="runs of each campaign (default 200)")
    vh.add_argument("--seed", type=_seed, default=2024, help="master seed of the ensembles (default 2024)")
    vh.add_argument("--workers", type=_positive, default=None, help="processes (default: all cores)")
    vh.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                    help="override a parameter in both campaigns; repeatable")
    vh.add_argument("--out", type=Path, default=Path("runs/validation"),
                    help="directory for the report, tables and finished runs (default runs/validation)")
    vh.add_argument("--fresh", action="store_true", help="ignore runs finished earlier in --out")

    cf = add("counterfactuals", "Run every counterfactual scenario against its base on paired seeds and report "
                                "each lever's effect on the fall of Aleppo and on the campaign, with intervals.")
    cf.add_argument("--base", default="hts_2024", help="base scenario (default hts_2024)")
    cf.add_argument("--only", action="append", default=None, metavar="SCENARIO",
                    help="only this counterfactual; repeatable (default: every one that extends the base)")
    cf.add_argument("--runs", type=_positive, default=100, help="paired runs of each (default 100)")
    cf.add_argument("--seed", type=_seed, default=2024, help="master seed (default 2024)")
    cf.add_argument("--workers", type=_positive, default=None, help="processes (default: all cores)")
    cf.add_argument("--out", type=Path, default=Path("runs/counterfactuals"),
                    help="directory for the report, tables and finished runs (default runs/counterfactuals)")
    cf.add_argument("--fresh", action="store_true", help="ignore runs finished earlier in --out")

    for kind, text in (("sweep", "Run a design of parameter points, each with replicates; stream results to disk."),
                       ("sensitivity", "Sobol or Morris sensitivity analysis (SALib) of outputs to parameters."),
                       ("calibrate", "Fit parameters to the historical targets with Optuna.")):
        st = add(kind, text)
        st.add_argument("scenario", nargs="?", default=None, help="scenario name or file (or give --study)")
        st.add_argument("--study", type=Path, default=None, help="a study file (TOML); options below override it")
        st.add_argument("--param", action="append", default=[], metavar="PATH[=LOW:HIGH|=A,B,C]",
                        help="a parameter to vary, by dotted path; repeatable")
        st.add_argument("--reps", type=_positive, default=None, help="replicates per point (default 2)")
        st.add_argument("--seed", type=_seed, default=None, help="master seed (default 2024)")
        st.add_argument("--outputs", default=None, help="comma-separated outputs (default aleppo_days,"
                        "regime_territory,saa_collapsed)")
        st.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                        help="a fixed override for every run; repeatable")
        if kind == "sweep":
            st.add_argument("--design", choices=("grid", "lhs", "sobol", "csv"), default=None, help="default lhs")
            st.add_argument("--points", type=_positive, default=None, help="points of an lhs or sobol design (default 20)")
            st.add_argument("--levels", type=_positive, default=None, help="grid levels per parameter (default 5)")
            st.add_argument("--points-file", type=Path, default=None, help="a CSV of points (design csv)")
        if kind == "sensitivity":
            st.add_argument("--method", choices=("sobol", "morris"), default=None, help="default sobol")
            st.add_argument("--samples", type=_positive, default=None,
                            help="Sobol base sample N (runs N x (parameters + 2) x reps) or Morris trajectories")
        if kind == "calibrate":
            st.add_argument("--trials", type=_positive, default=None, help="Optuna trials (default 40)")
        st.add_argument("--workers", type=_positive, default=None, help="local processes (default: all cores)")
        st.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                        help="a Dask scheduler (or set DASK_SCHEDULER_ADDRESS)")
        st.add_argument("--resume", action="store_true", help="finish an interrupted study in --out")
        st.add_argument("--out", type=Path, default=None, help="study directory (default runs/<kind>-<scenario>-seed<seed>)")

    pa = add("play", "Play a classroom game on one laptop (hot-seat), turn by turn, without a browser.")
    pa.add_argument("scenario", nargs="?", default="hts_2024_classroom", help="scenario (default hts_2024_classroom)")
    pa.add_argument("--humans", default=None, help="comma-separated human teams (default: every team)")
    pa.add_argument("--turn-hours", type=float, default=None, help="hours a turn (default two model steps)")
    pa.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"seed (default {DEFAULT_SEED})")
    pa.add_argument("--db", type=Path, default=Path("games.sqlite"), help="the game file (default games.sqlite)")
    pa.add_argument("--game", default=None, help="resume this saved game")

    lb = add("lab", "Serve the modelling lab: a browser page to explore a scenario (levers, live map, charts).")
    lb.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                    help=f"built-in scenario name or path to a .toml file (default {DEFAULT_SCENARIO})")
    lb.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765)")
    lb.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1: this computer only; 0.0.0.0: the network)")

    sv = add("serve", "Serve classroom games on the local network: team pages, instructor console, projector.")
    sv.add_argument("--host", default="0.0.0.0",
                    help="address to listen on (default 0.0.0.0: the classroom's network; 127.0.0.1: this computer)")
    sv.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    sv.add_argument("--db", type=Path, default=Path("games.sqlite"), help="the games file (default games.sqlite)")

    pl = add("places", "List the places (ids, coordinates, sources) scenarios can refer to.")
    pl.add_argument("--kind", default=None, choices=("city", "town", "airbase", "port", "crossing", "garrison",
                                                     "landmark"), help="only places of this kind")
    return parser


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; seeds are 0 or more")
    return value


def _positive(text: str) -> int:
    value = _seed(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _overrides(pairs: list[str]) -> dict:
    """Parse every --set; report all the malformed ones at once."""
    from wargame.core.errors import ScenarioError
    from wargame.core.scenario import parse_override

    parsed, problems = {}, []
    for pair in pairs:
        try:
            key, value = parse_override(pair)
            parsed[key] = value
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return parsed


def cmd_run(args) -> int:
    from tqdm import tqdm

    from wargame.core.model import WarModel
    from wargame.output import check_run_directory, metrics_frame, run_info, write_run
    from wargame.report.summary import summarise
    from wargame.core.scenario import load_scenario, param_warnings

    loaded = load_scenario(args.scenario, _overrides(args.overrides))
    for warning in param_warnings(loaded):
        print(f"note: {warning}", file=sys.stderr)
    if args.reps > 1:
        return _run_ensemble(args, loaded)
    out = check_run_directory(args.out or Path("runs") / f"{loaded.name}-seed{args.seed}")
    model = WarModel(loaded, rng=args.seed)
    bar = tqdm(total=model.spec.total_steps, unit="step", disable=args.quiet, file=sys.stderr,
               desc=f"{loaded.name} seed {args.seed}", bar_format="{l_bar}{bar}| {n}/{total} steps [{elapsed}<{remaining}] {postfix}")

    def progress(m) -> None:
        bar.update(1)
        bar.set_postfix_str(f"day {m.day:.1f}", refresh=False)

    try:
        model.run(progress)
    finally:
        bar.close()
    summary = summarise(model.spec, run_info(model), metrics_frame(model), model.events.to_dicts())
    rendered: dict = {}

    def render(partial: Path) -> None:
        if args.no_report:
            return
        from wargame.report.render import render_run

        stages = tqdm(total=4, desc="report", unit="stage", disable=args.quiet, file=sys.stderr,
                      bar_format="{desc}: {n}/{total} {postfix} [{elapsed}]")

        def stage(name: str) -> None:
            stages.set_postfix_str(name)
            stages.update(0 if stages.n == 0 and name == "charts" else 1)

        try:
            rendered.update(render_run(partial, animation=not args.no_animation, progress=stage))
            stages.update(stages.total - stages.n)
        except (WargameError, KeyboardInterrupt):
            raise
        except Exception as exc:          # the figures failed: keep the run's data, say so, and how to retry
            print(f"warning: the report could not be drawn ({type(exc).__name__}: {exc}); the run's data is "
                  f"written; draw it again with: python run.py report {out}", file=sys.stderr)
        finally:
            stages.close()

    directory = write_run(model, out, summary, render=render)
    if not args.quiet:
        print(summary)
        _print_written(directory, rendered)
        print(f"Reproduce with: python run.py run {directory / 'scenario.toml'} --seed {args.seed}")
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


def _ensemble_rows(scenario: str, reps: int, seed: int, workers, overrides: dict, out: Path, quiet: bool):
    from wargame.experiments.runner import run_ensemble

    with ensemble_progress() as progress:
        return run_ensemble(scenario, reps, master_seed=seed, overrides=overrides, workers=workers,
                            progress=None if quiet else (lambda d, t: progress(Path(scenario).stem, d, t)),
                            checkpoint=out / "finished" / "runs.jsonl", series=True)


def _run_ensemble(args, loaded) -> int:
    from wargame.report.ensemble import draw_ensemble, write_ensemble, write_ensemble_report

    out = (args.out or Path("runs") / f"{loaded.name}-reps{args.reps}-seed{args.seed}").resolve()
    _check_new_or_ours(out, "finished", "an ensemble directory")
    rows = _ensemble_rows(args.scenario, args.reps, args.seed, args.workers, _overrides(args.overrides), out,
                          args.quiet)
    command = (f"python run.py run {args.scenario} --reps {args.reps} --seed {args.seed}"
               + _set_flags(args.overrides))
    ens = write_ensemble(out, loaded, rows, args.seed, command)
    if not args.no_report:
        write_ensemble_report(ens, draw_ensemble(ens))
    if not args.quiet:
        from wargame.report.ensemble import city_fall_table

        table = city_fall_table(ens)
        print(f"{ens.info['title']}: {args.reps} runs (master seed {args.seed})")
        print("  when cities and towns fell (share of runs; median day, 10th-90th percentile):")
        for _, r in table.head(12).iterrows():
            print(f"    {r['name']:<22} {r['fell_share']:>5.0%}   day {r['median']:5.2f}  ({r['p10']:.2f}-{r['p90']:.2f})")
        print(f"Written to {out}/: ensemble.json, scenario.toml, outcomes.csv/.parquet, series.parquet"
              + ("" if args.no_report else f", figures/, report.html\n  report   {out / 'report.html'}"))
    return 0


def _set_flags(pairs: list[str]) -> str:
    import shlex

    return "".join(f" --set {shlex.quote(pair)}" for pair in pairs)


def _check_new_or_ours(out: Path, marker: str, what: str) -> None:
    """An output directory must be new, empty, or one this command wrote before (it holds `marker`)."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / marker).exists())):
        raise WargameError(f"--out {out}: exists and is not {what}; choose a new or empty directory")


def cmd_compare(args) -> int:
    from wargame.report.ensemble import draw_ensemble, write_comparison, write_ensemble, write_ensemble_report
    from wargame.core.scenario import load_scenario

    if len(args.scenarios) < 2:
        raise WargameError("compare needs at least two scenarios: the base first, then the others")
    overrides = _overrides(args.overrides)
    loaded = [load_scenario(name, overrides) for name in args.scenarios]     # every error before any run
    stems = []
    for name in args.scenarios:                      # one subdirectory each, distinct even for same-named files
        stem = Path(name).stem
        stems.append(stem if stem not in stems else f"{stem}-{len(stems) + 1}")
    out = (args.out or Path("runs") / ("compare-" + "-".join(stems))[:120]).resolve()
    _check_new_or_ours(out, "comparison.json", "a comparison directory")
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "comparison.json", json.dumps({"scenarios": args.scenarios, "reps": args.reps,
                                                           "seed": args.seed, "overrides": args.overrides}) + "\n")
    ensembles = []
    for name, stem, scenario in zip(args.scenarios, stems, loaded):
        rows = _ensemble_rows(name, args.reps, args.seed, args.workers, overrides, out / stem, False)
        command = f"python run.py run {name} --reps {args.reps} --seed {args.seed}" + _set_flags(args.overrides)
        ens = write_ensemble(out / stem, scenario, rows, args.seed, command)
        write_ensemble_report(ens, draw_ensemble(ens))
        ensembles.append(ens)
    report = write_comparison(out, ensembles, "python run.py compare " + " ".join(args.scenarios)
                              + f" --reps {args.reps} --seed {args.seed}" + _set_flags(args.overrides))
    print(f"Compared {', '.join(stems)} on {args.reps} paired runs each.")
    print(f"Written to {out}/: report.html, effects.csv, figures/, and one ensemble directory (with its own "
          "report) per scenario")
    print(f"  report   {report}")
    return 0


def cmd_report(args) -> int:
    from tqdm import tqdm

    directory = args.directory.resolve()
    if (directory / "ensemble.json").is_file():
        from wargame.report.ensemble import EnsembleData, draw_ensemble, write_ensemble_report

        ens = EnsembleData.load(directory)
        print(f"Ensemble report written: {write_ensemble_report(ens, draw_ensemble(ens))}")
        return 0
    from wargame.output import RunData
    from wargame.report.render import render_run

    RunData.load(directory)                                   # a clear error for a directory that is not a run
    if args.no_animation:
        for old in ("campaign.gif", "campaign.mp4"):          # not left beside a report that no longer shows them
            (directory / old).unlink(missing_ok=True)
    with tqdm(total=4, desc="report", unit="stage", file=sys.stderr, bar_format="{desc}: {n}/{total} {postfix}") as bar:
        def stage(name: str) -> None:
            bar.set_postfix_str(name)
            bar.update(0 if bar.n == 0 and name == "charts" else 1)

        rendered = render_run(directory, animation=not args.no_animation, progress=stage)
        bar.update(bar.total - bar.n)
    _print_written(directory, rendered)
    return 0


def cmd_map(args) -> int:
    from wargame.report.theatre_map import draw_theatre_png
    from wargame.core.scenario import load_scenario
    from wargame.core.theatre import TheatreSpec, build_theatre

    out = Path(args.out)
    if out.is_dir():
        raise WargameError(f"--out {out}: is a directory; give a file name such as {out / 'theatre.png'}")
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise WargameError(f"--out {out}: the map is written as .png, .svg or .pdf; give one of those suffixes")
    overrides = {} if args.cell_km is None else {"theatre.cell_km": args.cell_km}
    t = load_scenario(args.scenario, overrides).scenario.theatre
    try:
        path = draw_theatre_png(build_theatre(TheatreSpec(t.south, t.north, t.west, t.east, t.cell_km)), out)
    except OSError as exc:
        raise WargameError(f"--out {out}: cannot write there ({exc.strerror})") from None
    print(f"Theatre map written to {path}")
    return 0


def cmd_scenarios(args) -> int:
    from wargame.core.scenario import builtin_names, load_scenario

    if args.name is None:
        print("Built-in scenarios (python run.py scenarios NAME shows the parameters):")
        for name in builtin_names():
            loaded = load_scenario(name)
            meta = loaded.scenario.meta
            parent = f"  (extends {loaded.files[-2]})" if len(loaded.files) > 1 else ""
            print(f"  {name:<28} {meta.start:%d %b %Y}, {meta.duration_days:g} days  {meta.title}{parent}")
        return 0
    loaded = load_scenario(args.name)
    params = [p for p in loaded.params.values() if p.assumption or not args.assumptions]
    print(f"{loaded.scenario.meta.title} ({loaded.name}; files: {', '.join(loaded.files)})")
    print(f"{len(params)} tunable parameters{' that are assumptions' if args.assumptions else ''} "
          "(override any with --set PATH=VALUE):\n")
    width = max(len(p.path) for p in params) if params else 10
    print(f"  {'parameter':<{width}}  {'value':>9}  {'range':<17}  note")
    for p in params:
        rng = f"[{p.range[0]:g}, {p.range[1]:g}]"
        print(f"  {p.path:<{width}}  {p.value:>9g}  {rng:<17}  {p.note}")
    return 0


def cmd_validate(args) -> int:
    from wargame.core.scenario import load_scenario, param_warnings

    loaded = load_scenario(args.file, _overrides(args.overrides))
    for warning in param_warnings(loaded):
        print(f"note: {warning}")
    s = loaded.scenario
    units = sum(u.count for u in s.units.values())
    print(f"OK: {args.file} is a valid scenario ({s.meta.title}): {len(s.sides)} sides, {len(s.factions)} factions, "
          f"{units} units, {len(loaded.params)} tunable parameters.")
    return 0


@contextlib.contextmanager
def ensemble_progress():
    """A progress(scenario, done, total) callback drawing one bar per scenario on stderr."""
    from tqdm import tqdm

    bars: dict = {}

    def progress(scenario: str, done: int, total: int) -> None:
        if scenario not in bars:
            bars[scenario] = tqdm(total=total, unit="run", desc=scenario, file=sys.stderr)
        bar = bars[scenario]
        bar.n = done
        bar.refresh()

    try:
        yield progress
    finally:
        for bar in bars.values():
            bar.close()


def cmd_validate_history(args) -> int:
    from wargame.experiments.validation import SCENARIOS, summary_table, validate_history
    from wargame.core.scenario import load_scenario

    overrides = _overrides(args.overrides)
    for scenario in SCENARIOS:                         # a bad override is reported before any run starts
        load_scenario(scenario, overrides)
    out = args.out.resolve()
    if out.exists() and not out.is_dir():
        raise WargameError(f"--out {out}: is a file; give a directory")
    checkpoints = out / "finished"
    if args.fresh:
        for old in checkpoints.glob("*.jsonl"):
            old.unlink()
    with ensemble_progress() as progress:
        report, frames = validate_history(args.runs, args.seed, args.workers, overrides, checkpoints, progress)
    text = "\n".join(report.lines())
    print(text)
    for scenario, frame in frames.items():
        write_csv_atomic(out / f"{scenario}_outcomes.csv", frame)
    write_csv_atomic(out / "summary.csv", summary_table(report))
    write_text_atomic(out / "report.txt", text + "\n")               # last: its date says the set is whole
    print(f"\nWritten to {out}/: report.txt, summary.csv, " + ", ".join(f"{s}_outcomes.csv" for s in frames))
    return 0 if report.passed else 1


def cmd_counterfactuals(args) -> int:
    from wargame.experiments.counterfactuals import (
        check_extends,
        checkpoint_name,
        counterfactuals_of,
        effects_table,
        report_lines,
        run_counterfactuals,
    )
    from wargame.core.scenario import load_scenario

    load_scenario(args.base)
    names = args.only or counterfactuals_of(args.base)
    if not names:
        raise WargameError(f"no built-in scenario extends {args.base!r}; name one with --only")
    for name in names:
        check_extends(args.base, name)
    out = args.out.resolve()
    if out.exists() and not out.is_dir():
        raise WargameError(f"--out {out}: is a file; give a directory")
    if args.fresh:
        for name in [args.base, *names]:
            (out / "finished" / checkpoint_name(name)).unlink(missing_ok=True)
    with ensemble_progress() as progress:
        effects, _ = run_counterfactuals(args.base, args.runs, args.seed, args.workers, out / "finished", progress,
                                         names)
    text = "\n".join(report_lines(args.base, args.runs, effects))
    print(text)
    write_csv_atomic(out / "effects.csv", effects_table(effects))
    write_text_atomic(out / "report.md", text + "\n")
    print(f"\nWritten to {out}/: report.md, effects.csv")
    return 0


def _study_spec(args):
    """The study from --study and the options (options win), validated; every problem named."""
    from wargame.core.errors import Problem, ScenarioError
    from wargame.study.spec import StudySpec, load_study

    if args.study:
        spec, source = load_study(args.study)
        raw = spec.model_dump(mode="python")
    else:
        if not args.scenario:
            raise WargameError(f"{args.command}: give a scenario (or --study FILE)")
        raw, source = {"kind": args.command, "scenario": args.scenario, "parameters": {}}, "the command line"
    raw["kind"] = args.command
    if args.scenario:
        raw["scenario"] = args.scenario
    problems = []
    for text in args.param:
        path, _, given = text.partition("=")
        entry = {}
        try:
            if ":" in given:
                low, high = given.split(":")
                entry["range"] = [float(low), float(high)]
            elif given:
                entry["values"] = [float(v) for v in given.split(",")]
        except ValueError:
            problems.append(Problem("--param", path, f"{given!r}: give LOW:HIGH or A,B,C (numbers)"))
        raw["parameters"][path] = entry
    if problems:
        raise ScenarioError(problems)
    for key, value in (("replicates", args.reps), ("seed", args.seed)):
        if value is not None:
            raw[key] = value
    if args.outputs:
        raw["outputs"] = [o.strip() for o in args.outputs.split(",") if o.strip()]
    if args.overrides:
        raw["overrides"] = {**raw.get("overrides", {}), **_overrides(args.overrides)}
    section = {"sweep": "design", "sensitivity": "sensitivity", "calibrate": "calibrate"}[args.command]
    options = {"design": [("kind", "design"), ("points", "points"), ("levels", "levels"), ("file", "points_file")],
               "sensitivity": [("method", "method"), ("samples", "samples")],
               "calibrate": [("trials", "trials")]}[section]
    for field, attr in options:
        value = getattr(args, attr, None)
        if value is not None:
            raw.setdefault(section, {})[field] = str(value) if isinstance(value, Path) else value
    if args.command == "sweep" and getattr(args, "points_file", None) and "kind" not in raw.get("design", {}):
        raw["design"]["kind"] = "csv"
    from pydantic import ValidationError

    from wargame.core.errors import problems_from_validation
    try:
        return StudySpec.model_validate(raw), source
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, source, schema=StudySpec)) from None


def cmd_study(args) -> int:
    from tqdm import tqdm

    from wargame.study.calibrate import run_calibration
    from wargame.study.execute import make_executor
    from wargame.study.plan import study_directory
    from wargame.study.sensitivity import run_sensitivity
    from wargame.study.spec import resolve_parameters
    from wargame.study.sweep import run_sweep

    spec, source = _study_spec(args)
    resolve_parameters(spec, source)                      # every bad parameter before any run
    out = study_directory(spec, args.out).resolve()
    command = "python run.py " + " ".join(sys.argv[1:]) if sys.argv[1:] else f"python run.py {args.command}"
    executor = make_executor(args.workers, args.scheduler)
    bar = tqdm(total=1, unit="run", file=sys.stderr, desc=f"{args.command} ({executor.name}, {executor.workers} workers)")

    def progress(done: int, total: int, seconds: float) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    runner = {"sweep": run_sweep, "sensitivity": run_sensitivity, "calibrate": run_calibration}[args.command]
    try:
        report = runner(spec, source, out, executor, progress, resume=args.resume, command=command)
    finally:
        bar.close()
        executor.close()
    files = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    print(f"{args.command} of {spec.scenario} finished: {out}/")
    print(f"  files    {', '.join(files)}")
    if args.command == "sensitivity":
        import pandas as pd

        indices = pd.read_csv(out / "indices.csv")
        key = "ST" if spec.sensitivity.method == "sobol" else "mu_star"
        for output, part in indices.groupby("output", sort=False):
            ranked = ", ".join(f"{p.split('.', 1)[-1]} {v:.2f}" for p, v in zip(part["parameter"], part[key]))
            print(f"  {output}: {ranked}")
    if args.command == "calibrate":
        print(f"  best     {out / 'best.toml'}  (python run.py run {out / 'best.toml'})")
    print(f"  report   {report}")
    return 0


def _check_port(host: str, port: int) -> None:
    """A clear message before a server starts, not the server's traceback, when it cannot listen there."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise WargameError(f"--host {host} --port {port}: cannot serve there ({exc.strerror or exc}); "
                               "give another --port") from None


def cmd_play(args) -> int:
    from wargame.play.game import Game
    from wargame.play.hotseat import play
    from wargame.play.store import GameStore

    store = GameStore(args.db)
    if args.game:
        game = Game(store, args.game)
    else:
        humans = tuple(h.strip() for h in args.humans.split(",")) if args.humans else None
        game = Game.create(store, args.scenario, seed=args.seed, turn_hours=args.turn_hours, humans=humans)
        print(f"Game {game.id} created in {args.db}: {', '.join(game.config['humans'])} human; "
              f"{game.config['turns']} turns of {game.config['turn_hours']:g} h.")
    try:
        play(game)
    except (EOFError, KeyboardInterrupt):
        print(f"\nSaved. Resume with: python run.py play --game {game.id} --db {args.db}")
        return 0
    if game.finished:
        out = game.write_report(Path("runs") / f"game-{game.id}")
        print(f"After-action report: {out / 'report.html'}")
    return 0


def cmd_lab(args) -> int:
    import importlib.util
    import os
    import signal
    import subprocess

    from wargame.core.scenario import load_scenario

    # solara-assets carries the page's scripts and fonts (without it the browser fetches them from a CDN);
    # altair stands for the rest of Mesa's visualisation extra
    missing = [name for name in ("solara", "solara_assets", "altair") if importlib.util.find_spec(name) is None]
    if missing:
        raise WargameError(f"the lab needs the web extra ({', '.join(missing)} not installed): "
                           'pip install -e ".[web]"')
    scenario = args.scenario
    load_scenario(scenario)                        # a bad name or file is reported before the server starts
    if Path(scenario).is_file():
        scenario = str(Path(scenario).resolve())
    _check_port(args.host, args.port)
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ,
           "WARGAME_LAB_SCENARIO": scenario,                 # wargame.lab.SCENARIO_ENV
           "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",      # solara would report usage to mixpanel.com
           "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    command = [sys.executable, "-m", "solara", "run", "wargame.lab:page", "--host", args.host,
               "--port", str(args.port), "--production", "--no-open",
               "--theme-loader", "plain",                 # no "runs on Solara" banner over the page
               "--no-check-version"]                       # else it asks pypi.org for a newer solara
    shown = "localhost" if args.host in ("0.0.0.0", "::") else args.host
    print(f"The modelling lab of {args.scenario}: open http://{shown}:{args.port}/ in a browser "
          "(Ctrl+C stops it).", flush=True)
    server = subprocess.Popen(command, env=env)
    # stopped by a process manager, the command stops its server rather than leave it running
    previous = signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        return server.wait()
    except KeyboardInterrupt:                      # the server had the Ctrl+C too, and is stopping
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.terminate()
            server.wait()
        print("The lab has stopped.")
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_serve(args) -> int:
    import importlib.util

    missing = [name for name in ("starlette", "uvicorn") if importlib.util.find_spec(name) is None]
    if missing:
        raise WargameError(f"the classroom server needs the web extra ({', '.join(missing)} not installed): "
                           'pip install -e ".[web]"')
    _check_port(args.host, args.port)
    from wargame.web.app import lan_address, serve

    local = f"http://127.0.0.1:{args.port}/"
    if args.host in ("0.0.0.0", "::"):
        lan = lan_address()
        where = (f"Students open http://{lan}:{args.port}/ (this laptop: {local})" if lan else
                 f"No network found: on this laptop open {local}; once on the classroom's network, students "
                 f"open http://<this laptop's address>:{args.port}/")
    elif args.host.startswith("127.") or args.host == "localhost":
        where = f"Open {local} (this computer only: --host 0.0.0.0 opens it to the classroom)"
    else:
        where = f"Students open http://{args.host}:{args.port}/"
    print(f"Classroom server, games in {args.db}. {where}\nThe instructor creates a game on that page; "
          "each team joins with its code. Ctrl+C stops the server (every game is saved as it is played).",
          flush=True)
    serve(args.db, args.host, args.port)
    return 0


def cmd_places(args) -> int:
    from wargame.core.theatre.features import load_geodata

    places = [p for p in load_geodata().places.values() if args.kind in (None, p.kind)]
    print(f"{'id':<22} {'kind':<9} {'lat':>8} {'lon':>8}  name / source")
    for p in places:
        print(f"{p.id:<22} {p.kind:<9} {p.lat:8.4f} {p.lon:8.4f}  {p.name} / {p.source} [{p.confidence}]")
    return 0


COMMANDS = {"run": cmd_run, "compare": cmd_compare, "report": cmd_report, "map": cmd_map, "scenarios": cmd_scenarios, "validate": cmd_validate,
            "validate-history": cmd_validate_history, "counterfactuals": cmd_counterfactuals, "places": cmd_places,
            "sweep": cmd_study, "sensitivity": cmd_study, "calibrate": cmd_study, "play": cmd_play,
            "lab": cmd_lab}
COMMANDS["serve"] = cmd_serve


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["run", *argv]   # `python run.py [run options]` runs the default command
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except WargameError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: no result file was left half-written; ensembles and studies keep their finished "
              "runs (run the same command again to resume; a sweep, sensitivity or calibrate study with --resume)",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
