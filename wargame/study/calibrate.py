"""Calibration against the historical targets (experiments.history) with Optuna's TPE sampler.

Each trial is a parameter set run on `replicates` seeds (common to every trial); its loss is
history.calibration_loss: each target's median error in days scaled by its window, plus a penalty for
every target that fails its bar. Trials go out in batches of `parallel` at a time.

Repeatable and resumable: the store of finished runs is the record. Before each batch the Optuna study is
rebuilt from the finished batches and the sampler seeded from the master seed and the batch number, so
trial k gets the same parameters whether the study ran straight through, was resumed, or ran on another
executor. Outputs: best.toml (a scenario file that extends the calibrated one with the best values),
trials.csv, and a report of the fit target by target.
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
from wargame.experiments.history import TARGETS, calibration_loss, score
from wargame.output.files import write_atomic, write_text_atomic
from wargame.report.html import esc
from wargame.report.style import save_figure, theme
from wargame.study.plan import execute, make_plan
from wargame.study.report import table_html, write_study_report
from wargame.study.spec import StudySpec, resolve_parameters
from wargame.study.store import ResultStore

PARALLEL = 4          # trials per batch: fixed, so that results do not depend on the number of workers


def _optuna():
    try:
        import optuna
    except ImportError:
        raise WargameError('calibration needs Optuna: pip install -e ".[analysis]"') from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def historical_base(scenario: str) -> str:
    """The historical campaign a scenario is (or extends): its targets are the ones to fit."""
    from wargame.core.scenario import load_scenario

    base = Path(load_scenario(scenario).files[0]).stem
    known = sorted({t.scenario for t in TARGETS})
    if base not in known:
        raise WargameError(f"{scenario}: no historical targets to calibrate against; calibrate a scenario that is "
                           f"or extends one of {', '.join(known)}")
    return base


def _distributions(parameters):
    optuna = _optuna()
    return {p.path: (optuna.distributions.IntDistribution(int(p.low), int(p.high)) if p.integer
                     else optuna.distributions.FloatDistribution(p.low, p.high)) for p in parameters}


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


def run_calibration(spec: StudySpec, source: str, out: Path, executor, progress=None, resume: bool = False,
                    command: str = "") -> Path:
    parameters = resolve_parameters(spec, source)
    base = historical_base(spec.scenario)
    trials = spec.calibrate.trials
    reps = spec.replicates
    plan = make_plan(spec, parameters, np.zeros((0, len(parameters))))
    store = ResultStore(out, plan.manifest({"targets": base, "parallel": PARALLEL}), resume)
    history: list[tuple[dict, float]] = []
    frames: list[pd.DataFrame] = []
    done_runs = 0
    for batch in range(math.ceil(trials / PARALLEL)):
        size = min(PARALLEL, trials - batch * PARALLEL)
        chosen = _batch_trials(spec, parameters, history, batch, size)
        first = batch * PARALLEL
        points = np.array([[params[p.path] for p in parameters] for params in chosen], dtype=float)
        batch_plan = make_plan(spec, parameters, points)
        jobs = [batch_plan.job(i, r, first_id=first * reps) for i in range(size) for r in range(reps)]

        def batch_progress(done, total, seconds, before=done_runs):
            if progress:
                progress(before + done, trials * reps, seconds)

        execute(jobs, store, executor, batch_progress)
        done_runs += len(jobs)
        rows = store.frame()
        for i, params in enumerate(chosen):
            ids = {job.index for job in jobs[i * reps:(i + 1) * reps]}
            frame = rows[rows["job"].isin(ids)].sort_values("job")
            loss = calibration_loss({base: frame})
            history.append((params, loss))
            frames.append(frame.assign(trial=first + i, loss=loss, **params))
    all_runs = pd.concat(frames, ignore_index=True)
    return _report(spec, parameters, base, store.directory, history, all_runs, command)


def _report(spec, parameters, base, directory: Path, history, runs: pd.DataFrame, command: str) -> Path:
    trials = pd.DataFrame([{"trial": k, "loss": loss, **params} for k, (params, loss) in enumerate(history)])
    best = int(trials["loss"].idxmin())
    best_params = history[best][0]
    write_atomic(directory / "trials.csv", lambda p: trials.to_csv(p, index=False))
    write_atomic(directory / "runs.parquet", lambda p: runs.to_parquet(p, index=False))
    tree: dict = {"extends": spec.scenario if not Path(spec.scenario).suffix else str(Path(spec.scenario).resolve())}
    for path, value in {**spec.overrides, **best_params}.items():
        set_path(tree, path, value) if "." in path else tree.__setitem__(path, value)
    header = (f"# Calibrated by `{command}`: trial {best} of {len(trials)}, loss {trials['loss'][best]:.4g}\n"
              f"# against the historical targets of {base} (experiments/history.py).\n")
    write_text_atomic(directory / "best.toml", header + tomli_w.dumps(tree))

    fit = runs[runs["trial"] == best]
    rows = []
    for target in (t for t in TARGETS if t.scenario == base):
        s = score(target, fit)
        rows.append({"target": target.label, "historical day": target.historical, "median": s.median,
                     "p10": s.p10, "p90": s.p90, "in window": s.hit,
                     "result": {True: "PASS", False: "FAIL", None: "(reported)"}[s.passed]})
    fit_table = pd.DataFrame(rows)
    write_atomic(directory / "fit.csv", lambda p: fit_table.to_csv(p, index=False))
    with theme():
        fig, ax = plt.subplots(figsize=(9, 4))
        ax.scatter(trials["trial"], trials["loss"], s=14, color="#888888", label="trial")
        ax.plot(trials["trial"], trials["loss"].cummin(), color="#b2182b", label="best so far")
        ax.set_xlabel("trial")
        ax.set_ylabel("loss (scaled median error + penalties)")
        ax.legend()
        ax.set_title(f"Calibration of {spec.scenario} against {base}")
    drawn = {"loss": save_figure(fig, directory / "figures" / "loss.png")}
    values = pd.DataFrame([{"parameter": p.path, "best": best_params[p.path], "low": p.low, "high": p.high}
                           for p in parameters])
    intro = (f"<p>{len(trials)} Optuna (TPE) trials of <b>{esc(spec.scenario)}</b>, {spec.replicates} runs each on "
             f"common seeds (master seed {spec.seed}), fitted to the historical targets of {esc(base)}. Best: trial "
             f"{best}, loss {trials['loss'][best]:.4g}. The best values are in <b>best.toml</b> "
             f"(<code>python run.py run best.toml</code>), every trial in trials.csv.</p>")
    extra = {"best": ("Best parameters", table_html(values)),
             "fit": ("Fit to history at the best parameters", table_html(fit_table, {"in window": ".0%"}))}
    return write_study_report(directory, f"Calibration of {spec.scenario}", intro, drawn, extra, command)
