"""The command line's parser: every command, its options, help and examples (`python run.py --help`,
`python run.py COMMAND --help`). The commands themselves are in the other modules of this package."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from wargame.core.scenario import CLASSROOM_SCENARIO, DEFAULT_SCENARIO

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
          python run.py validate-history --only south_2018 --runs 40   # one campaign
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
    "fans": """\
        examples:
          python run.py fans runs/sweep-hts_2024-seed2024 --metric territory_regime --by factions.saa.pay
          python run.py fans runs/sweep-hts_2024-seed2024 --metric personnel_saa --points 0,5,9
        Draws a metric over time: the median and 10th-90th percentile band of each group of runs (only a
        group of 5 runs or more; a smaller group's runs are drawn one by one). Metrics are the columns of
        the study's series.nc (python -c "from wargame.output import load_study; ..." lists them).""",
    "calibrate": """\
        examples:
          python run.py calibrate hts_2024 --param rules.morale.contagion_weight --param rules.morale.force_ratio_weight \\
              --trials 40 --reps 8
          python run.py run runs/calibrate-hts_2024-seed2024/best.toml   # run the best parameter set
          python run.py calibrate history --param rules.friction.tempo_sd --param rules.will.breaks --trials 40 --reps 8
        Fits the historical targets of the scenario's campaign (validate-history lists them). "history" fits
        rules (rules.*) jointly over every historical campaign; its best.toml holds the fitted rules.
        Your own targets, replacing the campaign's built-in ones (same schema; "place" is short for column "fell_<place>"):
          python run.py calibrate hts_2024 --write-targets my_targets.toml   # the built-in ones, to edit
          python run.py calibrate hts_2024 --targets my_targets.toml --param rules.morale.contagion_weight
            # my_targets.toml, one key a line (docs/STUDIES.md):  campaign = "hts_2024"  title = "Aleppo only"  facts = "docs/history/facts.md"
            #   [[targets]]  id = "aleppo"  label = "Aleppo falls on day 2 to 5"  place = "aleppo"
            #   historical = 3.0  window = [2.0, 5.0]  confidence = "H"  weight = 1  source = "facts.md A1"
        Every trial is also in an Optuna study in SQLite: optuna-dashboard sqlite:///<out>/optuna.db""",
    "discover": """\
        examples:
          python run.py discover runs/sweep-hts_2024-seed2024 --outcome "fell_hama < 10"
          python run.py discover runs/sweep-hts_2024-seed2024 --outcome "not fell_hama" --threshold 0.9
          python run.py discover runs/my-sweep --outcome "fell_aleppo <= 4 and collapsed_regime" --boxes 2
          python run.py discover runs/my-sweep --outcome "held_hama == opposition" --lever factions.saa.pay
        OUTCOME is COLUMN OP NUMBER (OP: < <= > >= == !=) or a bare COLUMN ("it happened"), joined by
        and / or / not; held_/taken_by_ columns hold side ids (opposition, regime), not factions; an empty value (never happened) satisfies no comparison. Parameters under actors.*
        and air.* are levers, the others uncertainties, unless the study file or --lever / --uncertainty
        says otherwise. Writes STUDY_DIR/discover-<outcome>/ (discover.html, boxes.csv, scores.csv).""",
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


def build_parser() -> argparse.ArgumentParser:
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
                          run every historical campaign as seeded ensembles and score them against history
              counterfactuals
                          run each counterfactual against its base on paired seeds: each lever's effect
              serve       the classroom server: teams play from their laptops' browsers, the instructor runs
                          the game from a console
              places      list the place ids scenarios can refer to
              lab         the modelling lab: a browser page with levers, the live map and charts
              sweep       run a design of parameter points (grid, Latin hypercube, Sobol, CSV) x replicates
              sensitivity Sobol or Morris sensitivity indices (SALib) of chosen outputs to chosen parameters
              calibrate   fit parameters to the historical targets with Optuna; write the best as a scenario
              discover    scenario discovery over a study: where in parameter space an outcome holds (PRIM
                          boxes, feature scores; the EMA Workbench)
              fans        a study's metric over time (median and 10th-90th band) by groups of its design points

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
    run.add_argument("--workers", type=_positive, default=None,
                     help="processes for --reps, and for drawing the report (default: all cores; 1: no worker processes)")
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
    rp.add_argument("--workers", type=_positive, default=None,
                    help="processes drawing the charts, maps and animation (default: all cores; 1: no worker processes)")

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

    vh = add("validate-history", "Run seeded ensembles of every historical campaign and score them against the "
                                 "historical targets (wargame/experiments/targets) and Dupuy's attrition "
                                 "regularities; December 2024 is reported apart, never scored.")
    vh.add_argument("--runs", type=_positive, default=200, help="runs of each campaign (default 200)")
    vh.add_argument("--seed", type=_seed, default=2024, help="master seed of the ensembles (default 2024)")
    vh.add_argument("--workers", type=_positive, default=None, help="processes (default: all cores)")
    vh.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                    help="override a parameter in every campaign; repeatable")
    vh.add_argument("--only", action="append", default=None, metavar="SCENARIO",
                    help="only this campaign; repeatable (default: all of them)")
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
        st.add_argument("--lever", action="append", default=[], metavar="PATH",
                        help="a parameter varied here that is a lever (an actor's policy) for `discover`; repeatable "
                        "(default: actors.* and air.* are levers)")
        st.add_argument("--uncertainty", action="append", default=[], metavar="PATH",
                        help="a parameter varied here that is an uncertainty for `discover`; repeatable")
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
            st.add_argument("--targets", type=Path, default=None, metavar="FILE",
                            help="a target file replacing the campaign's built-in targets (the schema of "
                                 "wargame/experiments/targets/*.toml)")
            st.add_argument("--write-targets", type=Path, default=None, metavar="FILE",
                            help="write the campaign's built-in targets to FILE, to edit for --targets, and stop")
        st.add_argument("--workers", type=_positive, default=None, help="local processes (default: all cores)")
        st.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                        help="a Dask scheduler (or set DASK_SCHEDULER_ADDRESS)")
        st.add_argument("--resume", action="store_true", help="finish an interrupted study in --out")
        st.add_argument("--no-series", dest="series", action="store_false", default=None,
                        help="keep no per-step metrics of the runs (no series.nc; the runs some 10%% quicker)")
        st.add_argument("--out", type=Path, default=None, help="study directory (default runs/<kind>-<scenario>-seed<seed>)")

    add_discover(add)
    fa = add("fans", "Draw a study's per-step metric over time for groups of its runs (fan chart).")
    fa.add_argument("directory", type=Path, help="a study directory (sweep, sensitivity or calibrate)")
    fa.add_argument("--metric", default="territory_regime", help="a per-step metric (default territory_regime)")
    group = fa.add_mutually_exclusive_group()
    group.add_argument("--by", default=None, metavar="PATH",
                       help="group the design's points by terciles of this parameter (low, middle, high)")
    group.add_argument("--points", default=None, metavar="I,J,...", help="one fan for each of these design points")
    fa.add_argument("--out", type=Path, default=None,
                    help="the PNG (default DIRECTORY/figures/fans-<metric>[-by-<parameter>].png)")

    pa = add("play", "Play a classroom game on one laptop (hot-seat), turn by turn, without a browser.")
    pa.add_argument("scenario", nargs="?", default=CLASSROOM_SCENARIO, help=f"scenario (default {CLASSROOM_SCENARIO})")
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


def add_discover(add) -> None:
    from wargame.study.discover import THRESHOLD

    di = add("discover", "Scenario discovery over a finished study: the boxes of parameter space where an outcome "
             "holds (PRIM), with coverage and density, and each parameter's feature score.")
    di.add_argument("directory", type=Path, metavar="STUDY_DIR", help="a finished study's directory (sweep, "
                    "sensitivity or calibrate)")
    di.add_argument("--outcome", required=True, metavar="EXPR",
                    help='where the outcome holds, e.g. "fell_hama < 10" (see below)')
    di.add_argument("--threshold", type=float, default=THRESHOLD, help="the density the reported box must reach: "
                    f"the box of highest coverage that does (default {THRESHOLD:g})")
    di.add_argument("--boxes", type=_positive, default=1,
                    help="boxes to find; each further one among the runs the earlier left out, kept only if it "
                    "reaches the threshold (default 1)")
    di.add_argument("--lever", action="append", default=[], metavar="PATH",
                    help="treat this parameter as a lever (an actor's policy); repeatable")
    di.add_argument("--uncertainty", action="append", default=[], metavar="PATH",
                    help="treat this parameter as an uncertainty; repeatable")
    di.add_argument("--out", type=Path, default=None, help="directory (default STUDY_DIR/discover-<outcome>)")


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _seed(text: str) -> int:
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; seeds are 0 or more")
    return value


def _positive(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: must be 1 or more")
    return value
