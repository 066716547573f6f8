"""Scenario discovery over a finished study: where in parameter space does an outcome hold?

Two analyses of the EMA Workbench (Kwakkel's scenario-discovery toolkit) over the study's runs, one row a
run, the study's parameters as the inputs and the outcome (study/outcome.py) as a yes/no:

- feature scores: how much each parameter helps an extra-trees classifier (scikit-learn, through
  `ema_workbench.analysis.feature_scoring.get_ex_feature_scores`) tell the runs where the outcome holds
  from the others; seeded from the study's master seed, so the same study gives the same scores.
- PRIM (the Patient Rule Induction Method, `ema_workbench.analysis.prim.Prim`): starting from the box that
  holds every run, it peels a small slice (`peel_alpha` of the runs) off one side of one parameter at a
  time, the slice whose removal raises the share of runs of interest most, and records each box it
  passes through (the peeling trajectory). Each box has a *coverage* (the share of all runs where the
  outcome holds that fall in the box), a *density* (the share of the box's runs where it holds) and a
  *mass* (the share of all runs in the box). Peeling trades coverage for density; the box chosen here is
  the one of highest coverage whose density reaches `threshold` (fewer restricted parameters breaking a
  tie), or, if none does, the densest, flagged as short of the threshold. Its restrictions that chance
  explains (PRIM's quasi-p-value, a one-sided binomial test of each limit, above `significance`) are then
  dropped one at a time, least significant first, and the box reported is the wider one that remains; if
  that box falls short of the threshold, PRIM peels again on the parameters it still restricts (`_repeel`).

Further boxes (`boxes` > 1) are searched among the runs the earlier boxes left out, as PRIM does, and kept
only while they reach the threshold.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wargame.core.errors import WargameError
from wargame.study.outcome import columns_of, evaluate, names_taken, parse_outcome
from wargame.study.roles import LEVER, override_roles, study_roles

if TYPE_CHECKING:                        # the loader needs xarray: imported when a study is read, not with the parser
    from wargame.output import StudyData

# the EMA Workbench's own defaults for PRIM (Bryant and Lempert 2010 use 0.05 too) and for extra trees
THRESHOLD = 0.8           # the density a chosen box must reach
PEEL_ALPHA = 0.05         # share of the box's runs peeled off at each step
PASTE_ALPHA = 0.05        # share pasted back at each step of the pasting phase
MASS_MIN = 0.05           # the smallest box, as a share of all runs
TREES = 100               # extra trees in the feature-scoring forest
SIGNIFICANCE = 0.05       # a restriction whose quasi-p-value is above this is dropped as chance (Bryant and Lempert)
MIN_RUNS = 10             # fewer runs than this: no box or score would mean anything
BOOKKEEPING = ("job", "point", "replicate", "seed")


def _ema():
    """The EMA Workbench's analysis modules; it warns at import that ipyparallel (a cluster back end this
    analysis does not use) is missing: that one warning is silenced, nothing else."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
            from ema_workbench.analysis import feature_scoring, prim
    except ImportError:
        raise WargameError('scenario discovery needs the EMA Workbench: pip install -e ".[analysis]"') from None
    return prim, feature_scoring


def outcome_columns(study: StudyData) -> list[str]:
    """The columns an outcome may name: the runs' outcomes and outputs, and the parameters."""
    return [c for c in study.runs.columns if c not in BOOKKEEPING]


@dataclass
class Box:
    number: int                          # 1, 2, ... in the order PRIM found them
    chosen: int                          # its index on the peeling trajectory
    coverage: float
    density: float
    mass: float
    runs: int                            # runs in the box
    runs_of_interest: int                # of which the outcome holds
    meets_threshold: bool
    limits: pd.DataFrame                 # per restricted parameter: role, low, high, study_low, study_high, qp
    trajectory: pd.DataFrame             # coverage, density, mass, res_dim, n at every step
    peeled: int                          # steps of peeling and pasting; those after drop chance restrictions
    picked: int                          # the step chosen on the trajectory, before chance restrictions went
    dropped: list[str]                   # restrictions dropped as chance, in order
    repeeled: list[str] = field(default_factory=list)   # the parameters peeled again once chance ones went (_repeel)
    density_before: float = math.nan     # the density before that second peeling


@dataclass
class Discovery:
    study: StudyData
    roles: dict[str, str]                # each parameter's role: the study's, as overridden at analysis time
    outcome: str
    holds: np.ndarray                    # per run
    threshold: float
    scores: pd.DataFrame                 # parameter, role, score, rank (ranked)
    boxes: list[Box] = field(default_factory=list)
    # what the outcome's columns cannot say (collapse_cutoffs) and what the design cannot (single_run_caution)
    cautions: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return float(self.holds.mean())


def outcome_of(study: StudyData, outcome: str) -> np.ndarray:
    """Where the outcome holds, one boolean a run; an outcome that holds nowhere or everywhere is an error
    (there is nothing to tell apart)."""
    tree = parse_outcome(outcome)
    holds = evaluate(tree, study.runs, outcome_columns(study), str(study.directory))
    n, k = len(holds), int(holds.sum())
    if k in (0, n):
        taken = names_taken(tree, study.runs)
        raise WargameError(f"{study.directory}: the outcome {outcome!r} holds in {k} of {n} runs: nothing to "
                           f"discover (it must hold in some runs and not in others); "
                           + (f"{taken}; " if taken else "")
                           + f"the values of {', '.join(columns_of(tree))} are in runs.csv")
    return holds


def collapse_cutoffs(outcome: str, runs: pd.DataFrame) -> list[str]:
    """For each `fell_<place>` the outcome names: in how many runs it is empty because the run ended at the
    collapse of the place's owner's regime before anyone entered it (a run ends when a regime collapses), so
    "never fell" there means "was lost by collapse"; and the `lost_<side>_<place>` column that counts both.
    Sides are those with a `collapsed_<side>` column; a place is named by the column, not guessed from it."""
    sides = [c.removeprefix("collapsed_") for c in runs.columns if c.startswith("collapsed_")]
    cautions = []
    for column in columns_of(parse_outcome(outcome)):
        if not column.startswith("fell_") or column not in runs.columns:
            continue
        place = column.removeprefix("fell_")
        for side in sides:
            lost = f"lost_{side}_{place}"
            if lost not in runs.columns:
                continue
            cut = int((runs[column].isna() & runs[lost].notna()).sum())
            if cut:
                cautions.append(f"{column} is empty in {cut} of {len(runs)} runs that ended at the {side}'s collapse "
                                f"before anyone entered {place} (a run ends when a regime collapses); to count the "
                                f"collapse as the loss, use {lost}")
    return cautions


def single_run_caution(runs: pd.DataFrame) -> list[str]:
    """A study of one run a point: every point ran on the same seed (common random numbers), so a box can
    follow that one seed's luck across the parameter rather than the parameter itself; replicates, or an
    ensemble at each end of the box, tell the two apart."""
    if "point" not in runs.columns or runs.groupby("point").size().max() > 1:
        return []
    return ["each design point was run once, all on the same seed: a box may follow that seed's luck rather "
            "than the parameter; check it with --reps 2 or more, or an ensemble at each end of the box"]


def feature_scores(study: StudyData, holds: np.ndarray, roles: dict[str, str], trees: int = TREES
                   ) -> pd.DataFrame:
    """Extra-trees feature scores (impurity-based importances, summing to 1), ranked, with each
    parameter's role."""
    _, feature_scoring = _ema()
    x = study.runs[study.parameters].astype(float)
    scores, _ = feature_scoring.get_ex_feature_scores(
        x, holds.astype(int), mode=feature_scoring.RuleInductionType.CLASSIFICATION, nr_trees=trees,
        # the Workbench's default, a third of the features (Jaxa-Rozen and Kwakkel 2018), at least one
        max_features=max(1, round(len(study.parameters) / 3)), random_state=study.seed)
    table = pd.DataFrame({"parameter": scores.index.astype(str), "score": scores.iloc[:, 0].to_numpy(float)})
    table["role"] = table["parameter"].map(roles)
    table = table.sort_values(["score", "parameter"], ascending=[False, True], kind="stable").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return table[["parameter", "role", "score", "rank"]]


def choose(trajectory: pd.DataFrame, threshold: float, significant=None) -> tuple[int, bool]:
    """The step of the peeling trajectory to report: the highest coverage among the boxes whose density
    reaches the threshold (then fewer restricted parameters, then the earlier step), and of those the first
    whose every restriction is `significant(step)` (chance does not explain it), if any is; if none reaches
    the threshold, the densest (then the higher coverage). Returns (step, whether it meets the threshold).

    Why the significance: the widest box at the threshold is often one peel short of a clear one (density
    0.80 over 10 runs, its limit's quasi-p 0.055), and dropping that limit as chance would report "nothing
    stands out" while the next box (density 0.89, quasi-p 0.02) answers the question."""
    steps = trajectory.assign(step=np.arange(len(trajectory)))
    meeting = steps[steps["density"] >= threshold]
    if len(meeting):
        best = meeting.sort_values(["coverage", "res_dim", "step"], ascending=[False, True, True], kind="stable")
        ordered = [int(step) for step in best["step"]]
        clear = [step for step in ordered if significant is None or significant(step)]
        return (clear or ordered)[0], True
    best = steps.sort_values(["density", "coverage", "step"], ascending=[False, False, True], kind="stable")
    return int(best["step"].iloc[0]), False


def find_boxes(study: StudyData, holds: np.ndarray, roles: dict[str, str] | None = None, threshold: float = THRESHOLD, boxes: int = 1,
               peel_alpha: float = PEEL_ALPHA, paste_alpha: float = PASTE_ALPHA, mass_min: float = MASS_MIN,
               significance: float = SIGNIFICANCE) -> list[Box]:
    """Up to `boxes` PRIM boxes where `holds` is true, each chosen on its trajectory (`choose`) and then
    shorn of the restrictions chance explains; the second and later only while they reach the threshold.
    `roles` defaults to the study's own."""
    prim, _ = _ema()
    roles = study_roles(study.manifest) if roles is None else roles
    x = study.runs[study.parameters].astype(float).reset_index(drop=True)
    with warnings.catch_warnings():
        # the Workbench calls DataFrame.drop(inplace=True), which pandas 3 deprecates: its concern, not the analyst's
        warnings.filterwarnings("ignore", message="The inplace keyword in DataFrame.drop is deprecated")
        finder = prim.Prim(x, holds.astype(int), peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
    found: list[Box] = []
    while len(found) < boxes:
        box = finder.find_box()
        if box is None:
            break
        peeled = len(box.peeling_trajectory)
        step, meets = choose(box.peeling_trajectory, threshold, functools.partial(_significant, box, significance))
        if found and not meets:
            break                        # a further box that does not reach the threshold tells nothing new
        box.select(step)
        dropped = _drop_chance_restrictions(box, step, significance)
        before = float(box.density)
        repeeled = _repeel(prim, finder, box, threshold, significance, peel_alpha, paste_alpha, mass_min) \
            if dropped and before < threshold else []
        final = len(box.peeling_trajectory) - 1 if dropped else step
        trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim", "n", "k"]].copy()
        found.append(Box(len(found) + 1, final, float(box.coverage), float(box.density), float(box.mass),
                         int(trajectory["n"].iloc[final]), int(trajectory["k"].iloc[final]),
                         float(box.density) >= threshold, _limits(study, roles, box, final), trajectory, peeled, step,
                         dropped, repeeled, before))
    return found


def _significant(box, significance: float, step: int) -> bool:
    """Whether chance explains none of the restrictions of the box at `step` (each quasi-p at most
    `significance`; a box of no restriction is the whole study, and qualifies)."""
    return all(p <= significance for p in _quasi_p(box, step).values())


def _quasi_p(box, step: int) -> dict[str, float]:
    """Each restricted parameter's quasi-p-value: the smaller of its two sides' (a side not restricted has
    none)."""
    [(_, table)] = box.inspect(step, style="data")
    values = table.iloc[:, 2:].replace(-1, np.nan).astype(float)
    return {path: float(np.nanmin(row)) if np.isfinite(row).any() else 1.0 for path, row in values.iterrows()}


def _drop_chance_restrictions(box, step: int, significance: float) -> list[str]:
    """Drop, one at a time and least significant first, each restriction whose quasi-p-value is above
    `significance`: on a few dozen runs PRIM peels off slices that chance alone explains, and a box that
    names them would send the analyst after parameters that do not matter. Each drop appends the wider
    box to the trajectory (the Workbench's drop_restriction). Returns the parameters dropped."""
    dropped = []
    while True:
        values = _quasi_p(box, step)
        if not values:
            return dropped
        worst = max(values, key=lambda path: (values[path], path))
        if values[worst] <= significance:
            return dropped
        box.drop_restriction(worst, step)
        dropped.append(worst)
        step = len(box.peeling_trajectory) - 1          # the wider box, appended to the trajectory


def _repeel(prim, finder, box, threshold: float, significance: float, peel_alpha: float, paste_alpha: float,
            mass_min: float) -> list[str]:
    """PRIM again over the parameters the box still restricts once chance ones were dropped, when that box
    falls short of the threshold; returns those parameters if the second box is kept, else [].

    Why: PRIM peels the runs of no interest off whichever side gains most, and on a few dozen runs that is
    often a parameter chance explains; dropping its restriction puts those runs back, and the box left is
    short of the threshold although the parameter that remains alone would separate them. Peeling anew on
    that parameter alone (over the same runs, with the same alphas, chosen and shorn of chance as the first)
    finds the limit it would have. It never adds a parameter, so an outcome chance explains stays without a
    box. The second box is kept if it reaches the threshold or is denser; it is appended to the box's
    trajectory (the Workbench's PrimBox.update, as drop_restriction does), so later boxes leave out its runs."""
    current = len(box.peeling_trajectory) - 1
    kept = list(_quasi_p(box, current))
    if not kept:
        return []
    rows = finder.yi_remaining                     # the runs this box was searched over
    x = finder.x.loc[rows, kept].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The inplace keyword in DataFrame.drop is deprecated")
        inner = prim.Prim(x, finder.y[rows], peel_alpha=peel_alpha, paste_alpha=paste_alpha,
                          mass_min=mass_min).find_box()
    if inner is None:
        return []
    step, _ = choose(inner.peeling_trajectory, threshold, functools.partial(_significant, inner, significance))
    inner.select(step)
    dropped = _drop_chance_restrictions(inner, step, significance)
    inner_step = len(inner.peeling_trajectory) - 1 if dropped else step
    density = float(inner.peeling_trajectory["density"].iloc[inner_step])
    if not (density >= threshold or density > float(box.density)):
        return []
    limits = box.box_lims[0].copy()
    found = inner.box_lims[inner_step]
    for path in kept:
        for side in (0, 1):
            # a side at the data's extreme over these runs is not restricted: left at the whole study's
            if found.loc[side, path] != inner.prim.box_init.loc[side, path]:
                limits.loc[side, path] = found.loc[side, path]
    every = finder.x.loc[rows, kept]
    inside = np.ones(len(rows), dtype=bool)
    for path in kept:
        inside &= ((every[path] >= limits.loc[0, path]) & (every[path] <= limits.loc[1, path])).to_numpy()
    box.update(limits, rows[inside])
    return kept


def _limits(study: StudyData, roles: dict[str, str], box, step: int) -> pd.DataFrame:
    """Each parameter the box restricts: the box's limits, the study's range and PRIM's quasi-p-values
    (a one-sided binomial test of each limit, Bryant and Lempert 2010; empty where that side is not
    restricted)."""
    [(_, table)] = box.inspect(step, style="data")
    data_range = box.prim.box_init          # the runs' own extremes: a side at one is not restricted
    rows = []
    for path, row in table.iterrows():
        low, high, qp_low, qp_high = (float(v) for v in row.to_numpy())
        study_low, study_high = study.ranges[path]
        # an unrestricted side is open to the study's bound, not shut at the extreme run that happened to be drawn
        low = study_low if low <= float(data_range[path].iloc[0]) else low
        high = study_high if high >= float(data_range[path].iloc[1]) else high
        rows.append({"parameter": path, "role": roles[path], "low": low, "high": high,
                     "study_low": study_low, "study_high": study_high,
                     "qp_low": qp_low if math.isfinite(qp_low) else np.nan,
                     "qp_high": qp_high if math.isfinite(qp_high) else np.nan})
    columns = ["parameter", "role", "low", "high", "study_low", "study_high", "qp_low", "qp_high"]
    frame = pd.DataFrame(rows, columns=columns)
    order = {p: i for i, p in enumerate(study.parameters)}
    return frame.sort_values("parameter", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def discover(directory: str | Path, outcome: str, threshold: float = THRESHOLD, boxes: int = 1,
             levers=(), uncertainties=()) -> Discovery:
    """Scenario discovery of `outcome` over the study in `directory`: feature scores and PRIM box(es)."""
    if not 0 < threshold <= 1:
        raise WargameError(f"--threshold {threshold}: a density, above 0 and at most 1")
    from wargame.output import load_study

    study = load_study(directory)
    roles = override_roles(study_roles(study.manifest), levers, uncertainties)
    if len(study.runs) < MIN_RUNS:
        raise WargameError(f"{study.directory}: {len(study.runs)} runs; scenario discovery needs at least "
                           f"{MIN_RUNS} (a sweep of more points)")
    holds = outcome_of(study, outcome)
    return Discovery(study, roles, outcome, holds, threshold, feature_scores(study, holds, roles),
                     find_boxes(study, holds, roles, threshold, boxes),
                     collapse_cutoffs(outcome, study.runs) + single_run_caution(study.runs))


def restricted_levers(box: Box) -> list[str]:
    return [p for p, role in zip(box.limits["parameter"], box.limits["role"]) if role == LEVER]
