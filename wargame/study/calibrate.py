"""Calibration against the historical targets (experiments.history) with Optuna's TPE sampler.

Each trial is a parameter set run on `replicates` seeds (common to every trial); its loss is
history.calibration_loss: each checked target's median error in days scaled by its window, the error of its
spread, plus a penalty for every target that fails its bar. Trials go out in batches of `parallel` at a time.

One scenario is fitted to its campaign's targets. `scenario = "history"` (spec.JOINT) fits the rules jointly:
every trial runs every historical campaign on the same seeds, and the loss sums all their targets.

The targets are the campaign's target file (wargame/experiments/targets) unless the study gives its own
(`targets`, study/targets.py). Only checked targets of positive weight are in the loss; the others are
reported beside it with loss 0.

Repeatable and resumable. Every finished trial is kept in an Optuna study in SQLite (<out>/optuna.db, which
optuna-dashboard opens), added as COMPLETE once all its runs are in the store of finished runs, with user
attributes `trial` (its number k), `batch` and `loss_<target id>`. Before each batch the sampler is seeded
from the master seed and the batch number and shown the finished trials read from that study in trial
order, so trial k gets the same parameters whether the study ran straight through, was killed and resumed,
or ran on another executor. A trial whose runs were stored but which was not yet in the SQLite study when
the process died is added on resume. Outputs: best.toml (a scenario file that extends the calibrated one
with the best values), trials.csv (each trial's loss and its loss per target), loss.csv (the best trial's
loss target by target, with each target's share, and the reported targets), optuna.db and a report of the
fit target by target. A joint calibration's best.toml holds the fitted rules only, to be set as the defaults
of wargame/core/scenario/rules.py (docs/CALIBRATION.md) or passed with --set (best_set.txt).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tomli_w

from wargame.core.errors import WargameError
from wargame.core.scenario.paths import set_path
from wargame.experiments.history import campaign_of, campaigns, loss_breakdown, score
from wargame.experiments.runner import Job
from wargame.output.files import write_atomic, write_text_atomic
from wargame.output.rundir import relative_path
from wargame.report.charts import count_ticks
from wargame.report.html import esc
from wargame.report.style import save_figure, theme
from wargame.report.words import count
from wargame.study.plan import execute, make_plan, write_study_series
from wargame.study.report import table_html, write_study_report
from wargame.study.spec import JOINT, StudySpec, resolve_parameters, study_scenarios
from wargame.study.store import ResultStore
from wargame.study.targets import (
    calibration_targets,
    check_columns,
    ignored_weights,
    targets_record,
    targets_title,
)

PARALLEL = 4          # trials per batch: fixed, so that results do not depend on the number of workers
OPTUNA_DB = "optuna.db"
TOP_TARGETS = 3       # the targets of the largest share printed after a calibration


def run_best_command(best: Path, cwd: str | Path | None = None) -> str:
    """The command that runs a calibration's best.toml, typed from the working directory: its path relative
    to it ("../runs/cal/best.toml" included, os.path.relpath), or, where there is none (another drive), its
    name. "best.toml" alone fails from the checkout, where the command is typed."""
    return f"python run.py run {relative_path(best, cwd)}"


def _optuna():
    try:
        import optuna
    except ImportError:
        raise WargameError('calibration needs Optuna: pip install -e ".[analysis]"') from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def historical_base(scenario: str) -> str:
    """The historical campaign a scenario is (or extends): its targets are the ones to fit."""
    base = campaign_of(scenario)
    known = sorted(campaigns())
    if base not in known:
        raise WargameError(f"{scenario}: no historical targets to calibrate against; calibrate a scenario that is "
                           f"or extends one of {', '.join(known)}")
    return base


def _distributions(parameters):
    optuna = _optuna()
    return {p.path: (optuna.distributions.IntDistribution(int(p.low), int(p.high)) if p.integer
                     else optuna.distributions.FloatDistribution(p.low, p.high)) for p in parameters}


def study_name(spec: StudySpec) -> str:
    """The Optuna study's name in optuna.db: from the study, not the directory (which may be moved)."""
    return f"calibrate-{Path(spec.scenario).stem}-seed{spec.seed}"


def _open_study(spec: StudySpec, directory: Path):
    """The calibration's Optuna study in <directory>/optuna.db, created or (on resume) loaded."""
    optuna = _optuna()
    return optuna.create_study(storage=f"sqlite:///{directory / OPTUNA_DB}", study_name=study_name(spec),
                               direction="minimize", load_if_exists=True)


def _recorded(study) -> dict[int, object]:
    """The finished trials in the SQLite study, by trial number k."""
    optuna = _optuna()
    trials = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    return {int(t.user_attrs["trial"]): t for t in trials if "trial" in t.user_attrs}


def _batch_trials(spec: StudySpec, parameters, history: list[tuple[dict, float]], batch: int, size: int) -> list[dict]:
    """The parameters of the next `size` trials, given every finished trial (in order)."""
    optuna = _optuna()
    distributions = _distributions(parameters)
    sampler = optuna.samplers.TPESampler(seed=spec.seed * 100_003 + batch, n_startup_trials=max(8, size),
                                         multivariate=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")             # multivariate TPE is flagged experimental
        study = optuna.create_study(direction="minimize", sampler=sampler)
        for params, loss in history:
            study.add_trial(optuna.trial.create_trial(params=params, distributions=distributions, value=loss))
        return [study.ask(distributions).params for _ in range(size)]


def fitted_targets(spec: StudySpec):
    """(the scenarios each trial runs, the campaigns whose targets they are scored on, those targets), a
    modeller's targets file checked (valid, of a campaign fitted, its columns outcomes of the runs): called
    by the command before its progress bar too, so that a bad file is an error before anything is drawn."""
    runs = study_scenarios(spec.scenario)
    bases = runs if spec.scenario == JOINT else [historical_base(spec.scenario)]
    targets = calibration_targets(bases, spec.calibrate.targets)
    check_columns({run: targets[base] for run, base in zip(runs, bases) if targets[base] != campaigns()[base].targets},
                  spec.overrides)
    return runs, bases, targets


def run_calibration(spec: StudySpec, source: str, out: Path, executor, progress=None, resume: bool = False,
                    command: str = "") -> Path:
    parameters = resolve_parameters(spec, source)
    runs, bases, targets = fitted_targets(spec)
    trials = spec.calibrate.trials
    reps = spec.replicates
    per_trial = reps * len(runs)
    every_target = [t for base in bases for t in targets[base]]
    ids = [t.id for t in every_target]
    if len(set(ids)) < len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise WargameError(f"{spec.calibrate.targets}: target id {', '.join(twice)} is also a target of another "
                           "campaign; ids name the loss columns of trials.csv (loss_<id>): give it another id")
    plan = make_plan(spec, parameters, np.zeros((0, len(parameters))))
    store = ResultStore(out, plan.manifest({"targets": targets_record(targets), "parallel": PARALLEL}), resume)
    study = _open_study(spec, store.directory)
    distributions = _distributions(parameters)
    recorded = _recorded(study)
    history: list[tuple[dict, float]] = []
    per_target: list[dict[str, float]] = []
    frames: list[pd.DataFrame] = []
    done_runs = 0
    for batch in range(math.ceil(trials / PARALLEL)):
        size = min(PARALLEL, trials - batch * PARALLEL)
        chosen = _batch_trials(spec, parameters, history, batch, size)
        first = batch * PARALLEL
        points = np.array([[params[p.path] for p in parameters] for params in chosen], dtype=float)
        batch_plan = make_plan(spec, parameters, points)
        jobs = [_trial_job(batch_plan, first, i, runs, k, r) for i in range(size)
                for k in range(len(runs)) for r in range(reps)]

        def batch_progress(done, total, seconds, before=done_runs):
            if progress:
                progress(before + done, trials * per_trial, seconds)

        execute(jobs, store, executor, batch_progress)
        done_runs += len(jobs)
        rows = store.frame()
        for i, params in enumerate(chosen):
            mine = jobs[i * per_trial:(i + 1) * per_trial]
            by_base = {}
            for k, base in enumerate(bases):
                ids = {job.index for job in mine[k * reps:(k + 1) * reps]}
                by_base[base] = rows[rows["job"].isin(ids)].sort_values("job")
            table = loss_breakdown(by_base, every_target)
            loss = float(table["loss"].sum())
            parts = {f"loss_{row.target}": float(row.loss) for row in table.itertuples()}
            k = first + i
            if k in recorded:        # the SQLite study is the history; the runs must agree with it
                if recorded[k].params != params:
                    raise WargameError(f"{store.directory / OPTUNA_DB}: trial {k} has other parameters than its runs "
                                       "in results/; the files were changed by hand: choose another --out")
                loss = float(recorded[k].value)
            else:                    # its runs are all stored: now it is a finished trial of the study
                study.add_trial(_optuna().trial.create_trial(
                    params=params, distributions=distributions, value=loss,
                    user_attrs={"trial": k, "batch": batch, **parts}))
            history.append((params, loss))
            per_target.append(parts)
            frames.extend(frame.copy().assign(trial=first + i, campaign=base, loss=loss, **params)   # copy: one block
                          for base, frame in by_base.items())
    all_runs = pd.concat(frames, ignore_index=True)
    write_study_series(store, series_labels(all_runs, parameters, reps))
    return _report(spec, parameters, bases, targets, store.directory, history, per_target, all_runs, command)


def series_labels(runs: pd.DataFrame, parameters, reps: int) -> pd.DataFrame:
    """What labels each run of the series: its trial (as "point": a trial is a point of the search), replicate,
    seed, campaign and parameter values."""
    labels = runs[["job", "trial", "seed", "campaign", *(p.path for p in parameters)]].copy()
    labels.insert(1, "point", labels["trial"])
    labels.insert(2, "replicate", labels["job"] % reps)
    return labels


def _trial_job(plan, first: int, trial: int, runs: list[str], campaign: int, replicate: int) -> Job:
    """Trial `first + trial`'s run of scenario `runs[campaign]` on replicate seed `replicate`: the same seeds
    for every trial and every campaign (common random numbers), job ids numbered trial by trial (with one
    scenario, as they always were)."""
    job = plan.job(trial, replicate)
    reps = len(plan.seeds)
    index = (first + trial) * reps * len(runs) + campaign * reps + replicate
    return Job(index, runs[campaign], job.seed, job.overrides, series=job.series)


def _report(spec, parameters, bases: list[str], targets, directory: Path, history, per_target, runs: pd.DataFrame,
            command: str) -> Path:
    joint = spec.scenario == JOINT
    trials = pd.DataFrame([{"trial": k, "loss": loss, **params, **parts}
                           for k, ((params, loss), parts) in enumerate(zip(history, per_target))])
    best = int(trials["loss"].idxmin())
    best_params = history[best][0]
    write_atomic(directory / "trials.csv", lambda p: trials.to_csv(p, index=False))
    write_atomic(directory / "runs.parquet", lambda p: runs.to_parquet(p, index=False))
    fitted = {**spec.overrides, **best_params}
    if joint:
        tree: dict = {}
        for path, value in fitted.items():
            set_path(tree, path, value)
        header = (f"# Jointly calibrated by `{command}`: trial {best} of {len(trials)}, loss {trials['loss'][best]:.4g}\n"
                  f"# over {', '.join(bases)}. These are rules: set them as the defaults in\n"
                  "# wargame/core/scenario/rules.py (docs/CALIBRATION.md), or pass best_set.txt's --set options.\n")
        write_text_atomic(directory / "best_set.txt", " ".join(f"--set {k}={v:.6g}" if isinstance(v, float)
                                                              else f"--set {k}={v}" for k, v in fitted.items()) + "\n")
    else:
        tree = {"extends": spec.scenario if not Path(spec.scenario).suffix else str(Path(spec.scenario).resolve())}
        for path, value in fitted.items():
            set_path(tree, path, value) if "." in path else tree.__setitem__(path, value)
        header = (f"# Calibrated by `{command}`: trial {best} of {len(trials)}, loss {trials['loss'][best]:.4g}\n"
                  f"# against the historical targets of {bases[0]} "
                  # the file by name: its path as typed is in the command above; this machine's is not for others
                  f"({Path(spec.calibrate.targets).name if spec.calibrate.targets else 'wargame/experiments/targets'}).\n")
    write_text_atomic(directory / "best.toml", header + tomli_w.dumps(tree))

    fit = runs[runs["trial"] == best]
    frames = {base: fit[fit["campaign"] == base] for base in bases}
    rows = []
    for target in (t for base in bases for t in targets[base]):
        s = score(target, frames[target.scenario])
        rows.append({"campaign": target.scenario, "target": f"{target.id} {target.label}", "conf.": target.confidence,
                     "history": "not" if target.never else target.historical, "median": s.median,
                     "p10": s.p10, "p90": s.p90, "in window": s.hit,
                     "result": {True: "PASS", False: "FAIL", None: "(reported)"}[s.passed]})
    fit_table = pd.DataFrame(rows)
    if not joint:
        fit_table = fit_table.drop(columns=["campaign"])
    write_atomic(directory / "fit.csv", lambda p: fit_table.to_csv(p, index=False))
    losses = loss_breakdown(frames, [t for base in bases for t in targets[base]], reported=True)
    write_atomic(directory / "loss.csv", lambda p: losses.to_csv(p, index=False))
    cautions = ignored_weights(targets)        # the console prints warnings.txt after the study
    write_text_atomic(directory / "warnings.txt", "".join(f"{w}\n" for w in cautions))
    what = f"jointly over {', '.join(bases)}" if joint else f"against {bases[0]}"
    fitted_to = sum(t.in_loss for base in bases for t in targets[base])
    fig = figure_loss(trials, chart_title(spec, len(trials), len(parameters), fitted_to,
                                          targets_title(bases, spec.calibrate.targets)))
    drawn = {"loss": save_figure(fig, directory / "figures" / "loss.png")}
    values = pd.DataFrame([{"parameter": p.path, "best": best_params[p.path], "low": p.low, "high": p.high}
                           for p in parameters])
    runs_each = f"{count(spec.replicates, 'run')} of each campaign" if joint else f"{count(spec.replicates, 'run')} each"
    use = ("set them as the defaults in wargame/core/scenario/rules.py, or pass the options of <b>best_set.txt</b>"
           if joint else f"<code>{esc(run_best_command(directory / 'best.toml'))}</code>")
    intro = (f"<p>{len(trials)} Optuna (TPE) trials {'of the rules' if joint else 'of <b>' + esc(spec.scenario) + '</b>'}, "
             f"{runs_each} on common seeds (master seed {spec.seed}), fitted to {fitted_to} historical targets "
             f"{esc(what)}" + (f" from <b>{esc(spec.calibrate.targets)}</b>" if spec.calibrate.targets else "") + ". "
             f"Best: trial {best}, loss {trials['loss'][best]:.4g}. The best values are in <b>best.toml</b> ({use}), "
             "every trial and its loss per target in trials.csv, the best trial's loss target by target in loss.csv "
             f"(targets outside the loss listed with loss 0), the Optuna study in {OPTUNA_DB} "
             f"(<code>optuna-dashboard sqlite:///{esc(str(directory / OPTUNA_DB))}</code>).</p>"
             + "".join(f"<p class='warning'><b>Warning:</b> {esc(w)}</p>" for w in cautions))
    loss_rows = losses[["scenario", "target", "label", "median", "spread", "penalty", "loss", "share", "note"]]
    extra = {"best": ("Best parameters", table_html(values)),
             "fit": ("Fit to history at the best parameters", table_html(fit_table, {"in window": ".0%"})),
             "loss_by_target": ("The loss at the best parameters, target by target",
                                table_html(loss_rows, {"share": ".0%", "loss": ".3f", "median": ".3f",
                                                       "spread": ".3f", "penalty": ".1f"}))}
    title = f"Joint calibration over {len(bases)} campaigns" if joint else f"Calibration of {spec.scenario}"
    return write_study_report(directory, title, intro, drawn, extra, command)


def figure_loss(trials: pd.DataFrame, title: str):
    """Each trial's loss and the best so far. The axis starts at 0 (a loss is never negative): from the data's
    own minimum, a loss of 7.4 against 10.2 would look like a factor of ten."""
    with theme():
        fig, ax = plt.subplots(figsize=(9, 4))
        ax.scatter(trials["trial"], trials["loss"], s=14, color="#888888", label="trial")
        ax.plot(trials["trial"], trials["loss"].cummin(), color="#b2182b", drawstyle="steps-post", label="best so far")
        ax.set_ylim(0, max(ax.get_ylim()[1], float(trials["loss"].max())))
        ax.set_xlabel("trial")
        ax.xaxis.set_major_locator(count_ticks())              # trials are numbered 0, 1, 2...
        ax.set_ylabel("loss (scaled median error + penalties)")
        ax.legend(loc="lower left")
        ax.set_title(title)
    return fig


def chart_title(spec: StudySpec, trials: int, parameters: int, targets: int, of: str) -> str:
    """What was compared with what: the runs, the parameters fitted, and the targets they were fitted to."""
    return (f"{spec.scenario}: {count(trials, 'trial')} of {count(parameters, 'parameter')} "
            f"fitted to {count(targets, 'target')}\nof {of}")


def top_targets(directory: Path, n: int = TOP_TARGETS) -> list[tuple[str, float]]:
    """The best trial's targets of the largest share of its loss (loss.csv), largest first."""
    losses = pd.read_csv(directory / "loss.csv")
    ranked = losses[losses["loss"] > 0].sort_values("share", ascending=False, kind="stable").head(n)
    return [(str(row.target), float(row.share)) for row in ranked.itertuples()]
