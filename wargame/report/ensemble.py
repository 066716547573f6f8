"""Ensembles and comparisons as analysts see them: fan charts over the runs of a scenario, the distribution
of the day each city falls, and several scenarios side by side on paired seeds.

An ensemble directory (written by `python run.py run SCENARIO --reps N`) holds:
  scenario.toml     the resolved scenario
  ensemble.json     scenario, master seed, each run's seed, overrides, versions, the reproducing command
  outcomes.csv/.parquet   one row per run (see experiments.outcomes): when each place fell, who holds what
  series.nc         every run's per-step metrics, an xarray Dataset with dims (run, step)
                    (wargame.output.load_ensemble; EnsembleData.series holds it as a long table)
  figures/          fans.png, will.png, city_falls.png
  report.html       the ensemble report
  finished/         the runs finished so far (an interrupted ensemble resumes from them)
Everything here reads those files, never a model.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from wargame.core.campaign import regime_name
from wargame.core.dates import date_of, format_date
from wargame.core.errors import WargameError
from wargame.experiments.bands import MIN_RUNS_FOR_BAND, band
from wargame.experiments.counterfactuals import MIN_PAIRS, paired_effect
from wargame.experiments.places import (
    FALL,
    OTHER,
    RETAKING,
    attacker_sides,
    capture_table,
    place_captures,
)
from wargame.output import require_files
from wargame.output.files import write_atomic, write_text_atomic
from wargame.report.charts import draw_fan
from wargame.report.html import esc, figure, page
from wargame.report.objectives import (
    BAND_HEADER,
    band_cell,
    objective_label,
    objective_sentences,
    objective_table,
    objectives_html,
    place_names,
    side_label,
    when_text,
)
from wargame.report.style import (
    date_numbers,
    faction_styles,
    fit_title,
    format_date_axis,
    save_figure,
    short_name,
    side_styles,
    theme,
)

COMPARE_COLOURS = plt.get_cmap("tab10").colors
EDGE_MARGIN = 0.015        # the share of a time axis added at its right end, so that marks on the last day show whole
MAIN_FACTIONS = 6          # fan charts show the largest factions by starting strength
MIN_SHARE_SHOWN = 0.05     # captures in fewer runs than this are left out of the tables and charts of falls


@dataclass
class EnsembleData:
    """An ensemble read back from its directory. `metrics` (the median run, step by step) and `start`
    make it usable wherever the style helpers expect a run."""

    directory: Path
    info: dict
    outcomes: pd.DataFrame
    series: pd.DataFrame
    scenario: object

    @classmethod
    def load(cls, directory: str | Path) -> EnsembleData:
        from wargame.core.scenario import load_scenario
        from wargame.output import load_ensemble
        from wargame.output.series import long_frame

        directory = require_files(directory, ("ensemble.json", "scenario.toml", "outcomes.parquet"),
                                  "an ensemble directory")
        ensemble = load_ensemble(directory)
        return cls(directory, ensemble.info, ensemble.runs, long_frame(ensemble.series),
                   load_scenario(directory / "scenario.toml").scenario)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.info["start"])

    @property
    def name(self) -> str:
        return self.info["scenario"]

    @property
    def metrics(self) -> pd.DataFrame:
        """Days of the longest run (what the date axes span)."""
        days = self.series.groupby("step")["day"].max()
        return pd.DataFrame({"day": days.to_numpy()})

    def matrix(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(days, runs x steps values): runs that ended early keep their last value to the longest run's end
        (a campaign that ended is frozen where it stopped)."""
        table = self.series.pivot(index="run", columns="step", values=column).sort_index(axis=1).ffill(axis=1)
        return self.metrics["day"].to_numpy(), table.to_numpy(dtype=float)


def write_ensemble(directory: Path, loaded, rows: pd.DataFrame, master_seed: int, command: str) -> EnsembleData:
    """Write the data files of an ensemble directory (figures and report are drawn from them after)."""
    from importlib import metadata

    import wargame
    from wargame.output.series import finish, series_dataset, write_series  # xarray: imported only to write
    from wargame.output.studies import ENSEMBLE_SERIES

    directory.mkdir(parents=True, exist_ok=True)
    outcomes = rows.drop(columns=["series"]).rename(columns={"job": "run"})
    info = {"scenario": loaded.name, "title": loaded.scenario.meta.title, "runs": len(rows),
            "master_seed": master_seed, "seeds": [int(s) for s in rows["seed"]],
            "overrides": dict(loaded.overrides), "start": loaded.scenario.meta.start.isoformat(),
            "hours_per_step": loaded.scenario.meta.hours_per_step, "wargame_version": wargame.__version__,
            "mesa_version": metadata.version("mesa"), "reproduce": command,
            "reproduce_one": "python run.py run scenario.toml --seed <seed of the run>",
            "written": dt.datetime.now().isoformat(timespec="seconds")}
    write_text_atomic(directory / "scenario.toml", loaded.to_toml())
    write_atomic(directory / "outcomes.parquet", lambda p: outcomes.to_parquet(p, index=False))
    write_atomic(directory / "outcomes.csv", lambda p: outcomes.to_csv(p, index=False))
    write_series(directory / ENSEMBLE_SERIES, finish(series_dataset(list(rows["series"]), list(outcomes["run"])),
                                                     outcomes.set_index("run")[["seed"]]))
    write_text_atomic(directory / "ensemble.json", json.dumps(info, indent=2) + "\n")
    return EnsembleData.load(directory)


# --- figures ------------------------------------------------------------------------------------------

def _fan(ax, x, values: np.ndarray, colour, label: str, linestyle="-") -> None:
    """A fan of the runs (report.charts.draw_fan); under MIN_RUNS_FOR_BAND runs the legend says why there
    is no band."""
    draw_fan(ax, x, values, colour, label, f"{label} ({runs_drawn(len(values))})", linestyle)


def runs_drawn(runs: int) -> str:
    """What a fan of too few runs draws, in words: "each of 3 runs: too few for a band", "one run: no band"."""
    return "one run: no band" if runs == 1 else f"each of {runs} runs: too few for a band"


def main_factions(ens: EnsembleData, n: int = MAIN_FACTIONS) -> list[str]:
    first = ens.series[ens.series["step"] == 0]
    sizes = {f: first[f"personnel_{f}"].mean() for f in ens.scenario.factions if f"personnel_{f}" in first}
    return [f for f, size in sorted(sizes.items(), key=lambda kv: -kv[1]) if size > 0][:n]


def _moving_sides(ens: EnsembleData) -> list[str]:
    """Sides whose territory changes in some run (the others would be flat lines)."""
    out = []
    for sid in ens.scenario.sides:
        _, values = ens.matrix(f"territory_{sid}")
        if values.size and (np.nanmax(values) - np.nanmin(values) > 1e-4 or np.nanmax(values) > 0.02):
            out.append(sid)
    return out


def figure_fans(ens: EnsembleData):
    """Territory and cities by side, strength and morale by faction: median with the 10th-90th band."""
    sides = _moving_sides(ens)
    factions = main_factions(ens)
    side_style, faction_style = side_styles(ens.scenario), faction_styles(ens.scenario)
    with theme():
        fig, axes = plt.subplots(2, 2, figsize=(13, 8.2), sharex=True)
        panels = [(axes[0, 0], "territory", sides, side_style, 100.0, "share of the theatre held (%)"),
                  (axes[0, 1], "cities", sides, side_style, 1.0, "cities and towns held"),
                  (axes[1, 0], "personnel", factions, faction_style, 1.0, "personnel"),
                  (axes[1, 1], "morale", factions, faction_style, 1.0, "mean morale (0-1)")]
        for ax, prefix, keys, styles, scale, label in panels:
            for key in keys:
                days, values = ens.matrix(f"{prefix}_{key}")
                names = ens.scenario.sides if prefix in ("territory", "cities") else ens.scenario.factions
                _fan(ax, date_numbers(ens, days), values * scale, styles[key].colour, short_name(names[key].name),
                     styles[key].linestyle)
            ax.set_ylabel(label)
            ax.set_ylim(bottom=0)                # every panel counts from none: a small change looks small
            if prefix == "morale":
                ax.set_ylim(top=1.0)
            format_date_axis(ax, ens)
            ax.set_title({"territory": "Territory", "cities": "Cities and towns", "personnel": "Strength",
                          "morale": "Morale"}[prefix])
        axes[0, 1].yaxis.set_major_locator(plt.MaxNLocator(integer=True))     # cities are counted whole
        axes[1, 0].yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        axes[0, 1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="side")
        axes[1, 1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="faction")
        fit_title(fig.suptitle(f"{ens.info['title']}: {ens.info['runs']} runs ({band_text(ens.info['runs'])})"))
    return fig


FATES = (("kept", "held by its taker at the end", "#b2182b"),
         ("retaken", "taken back by its first owner", "#2166ac"),
         ("other", "in a third side's hands at the end", "#888888"))


def _entry_label(ens: EnsembleData, entry: str) -> str:
    faction = ens.scenario.factions.get(entry)
    if faction is not None:
        return short_name(faction.name)
    return f"{regime_name(entry.removesuffix('_leadership')).capitalize()}'s leadership"


def _quantile(series: pd.Series, q: float) -> float:
    return float(series.quantile(q)) if len(series) else math.nan


def collapse_table(ens: EnsembleData) -> pd.DataFrame:
    """One row per side with a leadership: in how many runs its regime collapsed, the quantiles of the day
    (over the runs that collapsed), and its leadership's will at the end (over all runs)."""
    rows = []
    for column in (c for c in ens.outcomes.columns if c.startswith("collapsed_")):
        side = column.removeprefix("collapsed_")
        days = ens.outcomes[column]
        fell = days.dropna()
        will = ens.outcomes.get(f"will_{side}_leadership", pd.Series(dtype=float)).dropna()
        rows.append({"side": side, "runs": len(days), "collapsed": len(fell), "share": len(fell) / max(len(days), 1),
                     "median": _quantile(fell, 0.5), "p10": band(fell)[0], "p90": band(fell)[1],
                     "days": tuple(sorted(fell)), "will_median": _quantile(will, 0.5),
                     "will_p10": band(will)[0], "will_p90": band(will)[1], "wills": tuple(sorted(will))})
    return pd.DataFrame(rows, columns=["side", "runs", "collapsed", "share", "median", "p10", "p90", "days",
                                       "will_median", "will_p10", "will_p90", "wills"])


def collapse_sentences(ens: EnsembleData) -> list[str]:
    """Each regime's fate over the ensemble in a sentence (plain text): "The regime collapsed in 18 of 20
    runs (90%), on day 8.15 at the median (10th-90th percentile 7.80-8.60, 5 Dec 2024); its leadership's
    will ended at 0.10 at the median (0.02-0.14)."."""
    out = []
    for _, r in collapse_table(ens).iterrows():
        regime = regime_name(r["side"]).capitalize()
        when = when_text(r, ens.start)
        will = (f"; its leadership's will ended at {r['will_median']:.2f} at the median "
                f"({values_spread(r['will_p10'], r['will_p90'], r['wills'])})"
                if not math.isnan(r["will_median"]) else "")
        out.append(f"{regime} collapsed in {r['collapsed']} of {r['runs']} runs ({r['share']:.0%}){when}{will}.")
    return out


def values_spread(low: float, high: float, values) -> str:
    """"0.02-0.14" (10th-90th percentile), or under MIN_RUNS_FOR_BAND runs (low NaN) the runs' own values,
    "runs: 0.02, 0.10, 0.14"."""
    if not math.isnan(low):
        return f"{low:.2f}-{high:.2f}"
    return "runs: " + ", ".join(f"{v:.2f}" for v in values)


def will_at_end(ens: EnsembleData) -> list[tuple[str, float, str]]:
    """(name, median, spread) of each entry's will at the end of the runs, leaderships first; the spread is the
    10th-90th percentile, or under MIN_RUNS_FOR_BAND runs the runs' own values (values_spread)."""
    columns = sorted((c for c in ens.outcomes.columns if c.startswith("will_")), key=lambda c: not c.endswith("_leadership"))
    out = []
    for column in columns:
        values = ens.outcomes[column].dropna()
        if len(values):
            low, high = band(values)
            out.append((_entry_label(ens, column.removeprefix("will_")), _quantile(values, 0.5),
                        values_spread(low, high, sorted(values))))
    return out


def figure_will_fans(ens: EnsembleData):
    """The will to fight over the ensemble: each leadership (with the collapse threshold), then the main
    factions of each side, median with the 10th-90th band; below, the day each regime collapsed, run by run."""
    leaderships = [c.removeprefix("will_") for c in ens.series.columns
                   if c.startswith("will_") and c.endswith("_leadership")]
    factions = [f for f in main_factions(ens, 8) if f"will_{f}" in ens.series]
    sides = [sid for sid in ens.scenario.sides if any(ens.scenario.factions[f].side == sid for f in factions)]
    styles = faction_styles(ens.scenario)
    table = collapse_table(ens)
    threshold = float(ens.scenario.rules.will.collapse)
    # a side whose factions' will barely moved in any run gets a shallower panel
    def moved(sid: str) -> bool:
        return any(np.nanmax(v) - np.nanmin(v) > 0.05 for v in
                   (ens.matrix(f"will_{f}")[1] for f in factions if ens.scenario.factions[f].side == sid))

    ratios = [1.0] + [1.0 if moved(sid) else 0.6 for sid in sides] + [0.55]
    with theme():
        fig, axes = plt.subplots(len(ratios), 1, figsize=(11, 2.3 * sum(ratios) + 1.4), sharex=True,
                                 height_ratios=ratios, layout="constrained")
        lead_ax, rug = axes[0], axes[-1]
        for entry in leaderships:
            days, values = ens.matrix(f"will_{entry}")
            x = date_numbers(ens, days)
            for run in values if len(values) >= MIN_RUNS_FOR_BAND else ():   # (fewer: _fan draws each run)
                lead_ax.plot(x, run, color="#1d1d1d", alpha=0.12, linewidth=0.7)   # faintly: where a run ended, its line stops
            _fan(lead_ax, x, values, "#1d1d1d", _entry_label(ens, entry))
        lead_ax.axhline(threshold, color="#d7301f", linestyle=(0, (1.2, 1.5)), linewidth=1.0,
                        label=f"the regime collapses below {threshold:.2f}")
        lead_ax.set_title("The leadership's will (thin lines: each run)" if leaderships
                          else "No side has a leadership in this scenario")
        for ax, sid in zip(axes[1:-1], sides):
            for fid in (f for f in factions if ens.scenario.factions[f].side == sid):
                days, values = ens.matrix(f"will_{fid}")
                _fan(ax, date_numbers(ens, days), values, styles[fid].colour, short_name(ens.scenario.factions[fid].name),
                     styles[fid].linestyle)
            ax.set_title(f"{short_name(ens.scenario.sides[sid].name)}: its main factions")
        for ax in axes[:-1]:
            ax.set_ylim(0, 1.02)
            ax.set_ylabel("will (0–1)")
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        # the day each regime collapsed: a dot per run, the median a bar; how many collapsed, in the title
        for k, (_, r) in enumerate(table.iterrows()):
            fell = ens.outcomes[f"collapsed_{r['side']}"].dropna().to_numpy()
            jitter = np.random.default_rng(k).uniform(-0.25, 0.25, len(fell))    # jitter only: fixed
            rug.scatter(date_numbers(ens, fell), k + jitter, s=14, color="#d7301f", alpha=0.75, linewidths=0,
                        zorder=3)                                            # above the median's bar
            if len(fell):
                mid = date_numbers(ens, [r["median"]])[0]
                rug.plot([mid, mid], [k - 0.35, k + 0.35], color="black", linewidth=1.6, alpha=0.7, zorder=2)
        if not table["collapsed"].any():          # a sentence in the empty strip, not bare axes
            rug.text(0.5, 0.5, "No regime collapsed in any of the runs.", transform=rug.transAxes, ha="center",
                     va="center", color="#444444")
        rug.set_yticks(range(len(table)), [regime_name(s).capitalize() for s in table["side"]])
        rug.set_ylim(len(table) - 0.5 if len(table) else 0.5, -0.5)
        rug.grid(axis="y", visible=False)
        rug.set_title("When the regime collapsed: " + ("; ".join(
            f"{r['collapsed']} of {r['runs']} runs ({r['share']:.0%})" for _, r in table.iterrows()) or "no regime")
            + " (dots: runs; bar: median)")
        for ax in axes:
            format_date_axis(ax, ens)
        format_date_axis(axes[0], ens, day_axis=True)
        low, high = rug.get_xlim()               # a collapse on the last day is a whole dot, not half of one
        rug.set_xlim(low, high + EDGE_MARGIN * (high - low))
        fit_title(fig.suptitle(f"The will to fight — {ens.info['title']}: {ens.info['runs']} runs "
                               f"({band_text(ens.info['runs'])})"))
    return fig


def share_text(share: float) -> str:
    """A share as a percentage, or a dash where the ensemble does not record it."""
    return "–" if pd.isna(share) else f"{share:.0%}"


CAPTURE_STYLES = {FALL: ("o", "#b2182b"), RETAKING: ("^", "#2166ac"), OTHER: ("s", "#888888")}


def band_text(runs: int) -> str:
    """What a fan shows, for a title: the median and band, or each run when there are too few for a band."""
    if runs < MIN_RUNS_FOR_BAND:
        return f"each run drawn: under {MIN_RUNS_FOR_BAND} runs make no 10th-90th percentile band"
    return "median, band 10th-90th percentile"


def side_in_sentence(scenario, side: str) -> str:
    """A side as named inside a sentence: "the regime", or its short name."""
    if not side:
        return "no one"
    return regime_name(side) if "regime" in side.split("_") else side_label(scenario, side)


def capture_phrase(scenario, capture: str, side: str) -> str:
    """"fell to the regime", "retaken by the regime", "taken by Syrian Democratic Forces"."""
    if not side:            # outcomes written before the first owner was recorded
        return {FALL: "fell", RETAKING: "retaken by its first owner", OTHER: "taken by another side"}[capture]
    verb = {FALL: "fell to", RETAKING: "retaken by", OTHER: "taken by"}[capture]
    return f"{verb} {side_in_sentence(scenario, side)}"


def ensemble_captures(ens: EnsembleData, min_share: float = MIN_SHARE_SHOWN) -> pd.DataFrame:
    """Who took what over the ensemble (experiments.places.capture_table): a row per place and kind of
    capture, falls to the campaign's attacker first, then retakings, then falls between other sides."""
    return capture_table(ens.outcomes, place_names(ens.scenario), attacker_sides(ens.scenario), min_share)


def runs_text(share: float, runs: int) -> str:
    """"1 of 6": the runs behind a share, as a count (a share of few runs reads better as one)."""
    return f"{round(share * runs)} of {runs}"


def nothing_fell_text(ens: EnsembleData) -> str:
    """The sentence that stands for an empty table of captures, naming the count of runs that rule means."""
    runs = len(ens.outcomes)
    needed = max(math.ceil(runs * MIN_SHARE_SHOWN - 1e-9), 1)
    if needed == 1:
        text = f"No city, town or airbase changed hands in any of the {runs} runs."
    else:
        text = (f"No city, town or airbase changed hands in {needed} or more of the {runs} runs (captures in under "
                f"{MIN_SHARE_SHOWN:.0%} of the runs are not shown).")
    return text + _areas_note(ens.scenario)


def _areas_note(scenario) -> str:
    """Where a campaign is over an area (aleppo_2016's east Aleppo), no place changing hands is not "nothing
    was taken": the sentence points to the objectives, which say how often the area was."""
    areas = [oid for oid, objective in scenario.objectives.items() if objective.kind == "area"]
    if not areas:
        return ""
    names = place_names(scenario)
    labels = [objective_label(scenario, oid, names) for oid in areas]
    joined = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    one = len(areas) == 1
    return (f" The fighting was for {'an area' if one else 'areas'}, {joined}: the objectives above say who took "
            f"{'it' if one else 'them'}.")


def figure_city_falls(ens: EnsembleData, table: pd.DataFrame | None = None):
    """Each capture over the runs, a row per place and kind (falls to the campaign's attacker, retakings and
    falls between other sides apart, each its own marker): a mark per run on the day, a box over the 10th-90th
    percentile, a bar at the median, and beside it the runs in which it happened ("4 of 6")."""
    table = ensemble_captures(ens) if table is None else table
    rng = np.random.default_rng(0)            # jitter only: the picture is the same every time
    attackers = attacker_sides(ens.scenario)
    with theme():
        if table.empty:                          # a sentence, not empty axes
            fig, ax = plt.subplots(figsize=(11, 1.4))
            ax.text(0.5, 0.5, nothing_fell_text(ens), ha="center", va="center", transform=ax.transAxes,
                    color="#444444", fontsize=11)
            ax.set_ylim(0.5, -0.5)               # an empty row axis still has a height (no singular limits)
            ax.set_axis_off()
            fit_title(fig.suptitle(f"Who took what and when: {ens.info['title']}, {ens.info['runs']} runs"))
            return fig
        fig, ax = plt.subplots(figsize=(11, 0.38 * max(len(table), 3) + 1.8))
        right = date_numbers(ens, [float(ens.outcomes["end_day"].max())])[0]
        for y, row in table.iterrows():
            marker, colour = CAPTURE_STYLES[row["capture"]]
            days = place_captures(ens.outcomes, row["place"], attackers)[row["capture"]].dropna().to_numpy()
            ax.scatter(date_numbers(ens, days), y + rng.uniform(-0.18, 0.18, days.size), s=16, marker=marker,
                       color=colour, alpha=0.75, linewidths=0, zorder=3)     # above the bar and box
            mid = date_numbers(ens, [row["median"]])[0]
            if not math.isnan(row["p10"]):        # a box only over MIN_RUNS_FOR_BAND runs or more
                lo, hi = date_numbers(ens, [row["p10"], row["p90"]])
                ax.add_patch(plt.Rectangle((lo, y - 0.3), max(hi - lo, 0.02), 0.6, facecolor="none",
                                           edgecolor="#333333"))
            ax.plot([mid, mid], [y - 0.3, y + 0.3], color="black", linewidth=1.6, alpha=0.7, zorder=2)
            last = max(date_numbers(ens, [max(row["days"])])[0], mid,
                       mid if math.isnan(row["p90"]) else date_numbers(ens, [row["p90"]])[0])
            ax.annotate(runs_text(row["share"], row["runs"]), (last, y), xytext=(9, 0),   # clear of the last mark
                        textcoords="offset points", va="center", fontsize=8, color=colour)
        ax.set_yticks(range(len(table)))
        ax.set_yticklabels([f"{r['name']}: {capture_phrase(ens.scenario, r['capture'], r['by'])}"
                            for _, r in table.iterrows()])
        ax.set_ylim(len(table) - 0.5, -0.5)
        left = date_numbers(ens, [0.0])[0]
        ax.set_xlim(right=right + 0.08 * (right - left))         # room for "n of N" after the last capture
        format_date_axis(ax, ens, day_axis=True)
        handles = [plt.Line2D([], [], linestyle="", marker=CAPTURE_STYLES[c][0], markersize=5,
                              color=CAPTURE_STYLES[c][1], label=label)
                   for c, label in ((FALL, "a fall to the campaign's attacker (a run)"),
                                    (RETAKING, "a retaking: taken from the attacker (a run)"),
                                    (OTHER, "a fall between two other sides (a run)"))
                   if c in set(table["capture"])]
        if handles:
            handles.append(plt.Line2D([], [], linestyle="", marker="$n$", color="#333333",
                                      label="n of N: the runs in which it happened"))
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
        fit_title(ax.set_xlabel(f"day of the capture (marks: runs; bar: median; box: 10th-90th percentile, drawn where it "
                                f"happened in {MIN_RUNS_FOR_BAND} runs or more)"))
        fit_title(fig.suptitle(f"Who took what and when: {ens.info['title']}, {ens.info['runs']} runs"))
    return fig


def draw_ensemble(ens: EnsembleData) -> dict[str, Path]:
    figures = ens.directory / "figures"
    out = {"fans": save_figure(figure_fans(ens), figures / "fans.png")}
    if any(c.startswith("will_") for c in ens.series.columns):        # an ensemble kept before the will had none
        out["will"] = save_figure(figure_will_fans(ens), figures / "will.png")
    out["city_falls"] = save_figure(figure_city_falls(ens), figures / "city_falls.png")
    return out


def overrides_text(overrides: dict | None) -> str:
    if not overrides:
        return ""
    return "; overrides " + ", ".join(f"<code>{esc(k)}={esc(v)}</code>" for k, v in overrides.items())


def lever_text(scenario) -> str:
    lever = getattr(scenario.meta, "lever", None)
    return f"; lever: {esc(lever)}" if lever else ""


def captures_html(ens: EnsembleData, table: pd.DataFrame) -> str:
    """The table of who took what: falls to the campaign's attacker, retakings and other falls in rows of
    their own; a sentence instead of an empty table when nothing changed hands."""
    if table.empty:
        return f"<p>{esc(nothing_fell_text(ens))}</p>"
    attackers = ", ".join(side_in_sentence(ens.scenario, s) for s in sorted(attacker_sides(ens.scenario)))
    rows = "".join(f"<tr><td>{esc(r['name'])}</td><td>{esc(r['kind'])}</td>"
                   f"<td>{esc(capture_phrase(ens.scenario, r['capture'], r['by']))}</td>"
                   f"<td class='num count'>{runs_text(r['share'], r['runs'])}</td><td class='num'>{r['share']:.0%}</td>"
                   f"<td class='num'>{r['median']:.2f}</td><td class='num'>{band_cell(r)}</td>"
                   f"<td>{format_date(date_of(ens.start, r['median']))}</td>"
                   f"<td class='num'>{share_text(r['held_share'])}</td></tr>" for _, r in table.iterrows())
    return (f"<p>Who took what. The campaign's attacker is {esc(attackers or 'no side (no capture objectives)')}: "
            "a <b>fall</b> is a place it took from its first owner; a <b>retaking</b> is a place taken from it, "
            "its first owner taking back what it took or a counter-attack on its own ground; kept apart, so that a "
            "town the defence took back is not counted as the offensive's. Days are over the runs in which the "
            "capture happened; the last column is the share of all runs in which the side that made it held the "
            "place at the end.</p>"
            "<table class='captures'><tr><th>place</th><th>kind</th><th>capture</th><th>runs</th>"
            f"<th>share of runs</th><th>median day</th><th>{BAND_HEADER}</th><th>median date</th>"
            f"<th>held by that side at the end</th></tr>{rows}</table>")


def write_ensemble_report(ens: EnsembleData, figures: dict[str, Path]) -> Path:
    end = ens.outcomes["end_day"]
    fates = "".join(f"<p><b>{esc(text)}</b></p>" for text in collapse_sentences(ens))
    will = ("will", ("The will to fight", figure(figures["will"], "The will to fight over the runs: the leadership's "
                     "(each run faintly), each side's main factions, and the day the regime collapsed, run by run."))
            ) if "will" in figures else None
    sections = {
        "objectives": ("Objectives", objectives_html(objective_table(ens.scenario, ens.outcomes), ens.start)),
        "summary": ("Summary", fates + (f"<p>{ens.info['runs']} runs of <b>{esc(ens.name)}</b> with seeds drawn from "
                    f"master seed {ens.info['master_seed']} (numpy SeedSequence). Runs lasted {end.median():.2f} days "
                    f"(median; {end.min():.2f} to {end.max():.2f}).</p>")),
        "fans": ("Fan charts", figure(figures["fans"], f"Over the runs: {band_text(ens.info['runs'])}.")),
        **dict([will] if will else []),
        "falls": ("Who took what", figure(figures["city_falls"], "The day of each capture, run by run: falls to "
                                          "the campaign's attacker, retakings and other falls in rows of their own.")
                  + captures_html(ens, ensemble_captures(ens))),
        "reproduce": ("Reproduce", (f"<pre>{esc(ens.info['reproduce'])}</pre><p>One run of it: "
                      f"<code>{esc(ens.info['reproduce_one'])}</code>; the seeds are in ensemble.json and "
                      "outcomes.csv.</p>")),
    }
    text = page(f"Ensemble: {ens.info['title']}", f"Ensemble: {ens.info['title']}",
                f"Scenario <b>{esc(ens.name)}</b>, {ens.info['runs']} runs, master seed {ens.info['master_seed']}"
                f"{overrides_text(ens.info.get('overrides'))}{lever_text(ens.scenario)}. "
                f"Written {esc(ens.info['written'])}.", sections)
    return write_text_atomic(ens.directory / "report.html", text)


def objective_lines(ens: EnsembleData) -> list[str]:
    """The ensemble's objectives as sentences, for the console (the first lines it prints)."""
    return objective_sentences(objective_table(ens.scenario, ens.outcomes), ens.start)


# --- comparison -----------------------------------------------------------------------------------------

def comparison_effects(base: EnsembleData, other: EnsembleData, seed: int = 0) -> pd.DataFrame:
    """Paired effects of `other` against `base` (run i of each shares its seed): first the base scenario's
    capture and area objectives (achieved, and the days before), then for each place its falls to
    the campaign's attacker and its retakings from it as measures of their own (whether it happened, and the
    days before it did: a restricted mean to the end of the run), each regime's collapse, and each side's
    territory and cities at the end. Mean paired difference with a 95% bootstrap interval."""
    if list(base.outcomes["seed"]) != list(other.outcomes["seed"]):
        raise WargameError(f"{base.name} and {other.name} were not run on the same seeds; compare needs pairs")
    rng = np.random.default_rng(seed)
    rows = []
    a, b = base.outcomes, other.outcomes
    same_length = abs(a["end_day"].max() - b["end_day"].max()) < 1e-9

    def add(measure: str, x: pd.Series, y: pd.Series, note: str = "") -> None:
        mean, low, high = paired_effect(x.to_numpy(float), y.to_numpy(float), rng)
        rows.append({"measure": measure, "base": float(x.mean()), "other": float(y.mean()), "effect": mean,
                     "low": low, "high": high, "comparable": same_length, "note": note, "see": ""})

    def add_lost(places: list[str], label: str, taken: str, taken_a: pd.Series, taken_b: pd.Series) -> None:
        """After a capture's rows, when the places' owner is a regime that collapsed before they were taken in
        some run: the same measure counting the collapse as a loss, and a note on the capture's rows (a run
        ends at the collapse, so a capture it cut short is not a capture the other scenario caused)."""
        for side, regime in collapsing:
            columns = [f"lost_{side}_{p}" for p in places]
            if not all(c in a and c in b for c in columns):
                continue
            lost_a, lost_b = a[columns].max(axis=1, skipna=False), b[columns].max(axis=1, skipna=False)
            if not ((lost_a.notna() & taken_a.isna()).any() or (lost_b.notna() & taken_b.isna()).any()):
                continue            # every loss was a capture: the capture's rows say it all
            lost = f"{regime.capitalize()} lost {label} (taken, or by its collapse)"
            rows[-2]["note"] = rows[-1]["note"] = collapse_note(regime, taken, side)
            rows[-2]["see"] = rows[-1]["see"] = f"{lost} (share of runs)"
            if any(row["measure"] == f"{lost} (share of runs)" for row in rows):
                continue            # said already (an objective of this one place)
            add(f"{lost} (share of runs)", lost_a.notna(), lost_b.notna())
            add(f"{lost}: days before", days_before(a, lost_a), days_before(b, lost_b))

    def collapse_note(regime: str, taken: str, side: str) -> str:
        na, nb = int(a[f"collapsed_{side}"].notna().sum()), int(b[f"collapsed_{side}"].notna().sum())
        return (f"{regime.capitalize()} collapsed in {na} of {len(a)} runs of {base.name} and {nb} of {len(b)} of "
                f"{other.name}; a run ends at the collapse, so where no one had entered {taken} by then it counts as "
                f"not taken: read the row '{regime} lost {taken} (taken, or by its collapse)' for who lost it")

    def days_before(frame: pd.DataFrame, days: pd.Series) -> pd.Series:
        return days.fillna(frame["end_day"]).clip(upper=frame["end_day"])    # never: to the end of the run

    # the campaign's own objectives first, then each regime's collapse, then place by place
    names = place_names(base.scenario)
    collapsing = [(c.removeprefix("collapsed_"), regime_name(c.removeprefix("collapsed_")))
                  for c in a.columns if c.startswith("collapsed_") and c in b
                  and (a[c].notna().any() or b[c].notna().any())]
    for _, r in objective_table(base.scenario, a, names).iterrows():
        column = f"achieved_{r['objective']}"
        if r["kind"] in ("capture", "area") and column in a and column in b:
            add(f"{r['text']} (share of runs)", a[column].notna(), b[column].notna())
            add(f"{r['text']}: days before", days_before(a, a[column]), days_before(b, b[column]))
            places = base.scenario.objectives[r["objective"]].places
            if r["kind"] == "capture" and places:
                label = objective_label(base.scenario, r["objective"], names)
                add_lost(list(places), label, label, a[column], b[column])
    for column in (c for c in a.columns if c.startswith("collapsed_") and c in b):
        regime = regime_name(column.removeprefix("collapsed_")).capitalize()
        add(f"{regime}: collapsed (share of runs)", a[column].notna(), b[column].notna())
        add(f"{regime}: days before it collapsed", days_before(a, a[column]), days_before(b, b[column]))
    attackers = attacker_sides(base.scenario)
    tables = pd.concat([ensemble_captures(base), ensemble_captures(other)])
    for pid in sorted(set(tables["place"])):
        if f"fell_{pid}" not in a or f"fell_{pid}" not in b:
            continue
        ca, cb = place_captures(a, pid, attackers), place_captures(b, pid, attackers)
        for capture, what, days in ((FALL, "fell to the attacker", "days before it fell to the attacker"),
                                    (RETAKING, "retaken from the attacker", "days before it was retaken"),
                                    (OTHER, "taken between other sides", "days before it was taken by another side")):
            if ca[capture].isna().all() and cb[capture].isna().all():
                continue
            add(f"{names[pid][0]}: {what} (share of runs)", ca[capture].notna(), cb[capture].notna())
            add(f"{names[pid][0]}: {days}", days_before(a, ca[capture]), days_before(b, cb[capture]))
            if capture == FALL:
                add_lost([pid], names[pid][0], names[pid][0], ca[capture], cb[capture])
    for sid in base.scenario.sides:
        for prefix, label in (("territory", "territory at the end"), ("cities", "cities and towns at the end")):
            column = f"{prefix}_{sid}"
            if column in a and column in b:
                add(f"{short_name(base.scenario.sides[sid].name)}: {label}", a[column], b[column])
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame.insert(0, "scenario", other.name)
        frame["direction"] = np.where(~frame["comparable"], "not comparable",
                                      np.where(frame["low"] > 0, "up", np.where(frame["high"] < 0, "down",
                                                                                 "no clear change")))
        if len(a) < MIN_PAIRS:
            frame["direction"] = "too few runs"
    return frame


def compared_text(ensembles: list[EnsembleData]) -> str:
    """What a comparison compared, for its titles: "hts_2024 vs hts_2024_russia_doubles_down, 6 paired seeds"."""
    return " vs ".join(e.name for e in ensembles) + f", {ensembles[0].info['runs']} paired seeds"


def figure_compare(ensembles: list[EnsembleData]):
    """The scenarios' fans overlaid: territory of each side that moves, from 0% (a shift of a point is drawn
    as the point it is)."""
    base = ensembles[0]
    sides = _moving_sides(base)[:4]
    with theme():
        fig, axes = plt.subplots(1, len(sides), figsize=(4.2 * len(sides) + 2.5, 4.2), squeeze=False)
        for ax, sid in zip(axes[0], sides):
            for colour, ens in zip(COMPARE_COLOURS, ensembles):
                if f"territory_{sid}" not in ens.series:
                    continue
                days, values = ens.matrix(f"territory_{sid}")
                _fan(ax, date_numbers(base, days), values * 100.0, colour, ens.name)
            format_date_axis(ax, base)
            ax.set_xlim(right=max(date_numbers(base, [float(e.outcomes["end_day"].max())])[0] for e in ensembles))
            ax.set_ylim(bottom=0)
            ax.set_title(short_name(base.scenario.sides[sid].name))
            ax.set_ylabel("share of the theatre held (%)")
            ax.tick_params(axis="x", labelrotation=30)
        axes[0, -1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), title="scenario")
        fit_title(fig.suptitle(f"Territory by side: {compared_text(ensembles)} ({band_text(base.info['runs'])})"))
    return fig


def figure_compare_falls(ensembles: list[EnsembleData]):
    """For each capture (a place and whether it fell to the attacker or was retaken from it) that happened
    in some scenario: per scenario its median day and 10th-90th range, with the runs in which it happened
    written beside it ("1 of 6"), or "none" at the right edge where it did not happen."""
    tables = {ens.name: ensemble_captures(ens) for ens in ensembles}
    rows = pd.concat(tables.values()).sort_values("median").drop_duplicates(["place", "capture"])
    order = {FALL: 0, RETAKING: 1, OTHER: 2}
    rows = rows.assign(_o=rows["capture"].map(order)).sort_values(["_o", "median"]).reset_index(drop=True)
    base = ensembles[0]
    with theme():
        fig, ax = plt.subplots(figsize=(12, 0.55 * max(len(rows), 3) + 2.0))
        width = 0.8 / len(ensembles)
        right = date_numbers(base, [float(max(e.outcomes["end_day"].max() for e in ensembles))])[0]
        if rows.empty:
            ax.text(0.5, 0.5, "no place changed hands in any scenario", ha="center", va="center",
                    transform=ax.transAxes, color="#666666")
            ax.set_ylim(0.5, -0.5)
        for k, (colour, ens) in enumerate(zip(COMPARE_COLOURS, ensembles)):
            table = tables[ens.name].set_index(["place", "capture"])
            for y, (pid, capture) in enumerate(zip(rows["place"], rows["capture"])):
                yy = y - 0.4 + width * (k + 0.5)
                marker = CAPTURE_STYLES[capture][0]
                if (pid, capture) not in table.index:      # under MIN_SHARE_SHOWN of the runs: say so at the edge
                    ax.annotate(f"none of {ens.info['runs']}", (right + 0.8, yy), xytext=(-4, 0),
                                textcoords="offset points", ha="right", va="center", fontsize=7, color=colour)
                    continue
                row = table.loc[(pid, capture)]
                mid, last = date_numbers(base, [row["median"], max(row["days"])])
                if math.isnan(row["p10"]):        # under MIN_RUNS_FOR_BAND runs: each run's day, not a band
                    ax.scatter(date_numbers(base, row["days"]), [yy] * len(row["days"]), color=colour, marker="|",
                               s=40, zorder=2)
                    hi = last
                else:
                    lo, hi = date_numbers(base, [row["p10"], row["p90"]])
                    ax.plot([lo, hi], [yy, yy], color=colour, linewidth=2, alpha=0.6)
                ax.scatter([mid], [yy], color=colour, marker=marker, s=30, zorder=3)
                ax.annotate(runs_text(row["share"], row["runs"]), (max(hi, mid), yy), xytext=(5, 0),
                            textcoords="offset points", va="center", fontsize=7, color=colour)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([f"{r['name']}: {capture_phrase(base.scenario, r['capture'], r['by'])}"
                            for _, r in rows.iterrows()])
        if not rows.empty:
            ax.set_ylim(len(rows) - 0.5, -0.5)
        format_date_axis(ax, base, day_axis=True)
        ax.set_xlim(right=max(ax.get_xlim()[1], right) + 0.8)     # the longest scenario's runs, and room for "n of N"
        handles = [plt.Line2D([], [], color=c, marker="o", linewidth=2, label=e.name)
                   for c, e in zip(COMPARE_COLOURS, ensembles)]
        handles += [plt.Line2D([], [], linestyle="", marker=CAPTURE_STYLES[c][0], color="#333333", label=label)
                    for c, label in ((FALL, "fell to the attacker"), (RETAKING, "retaken from the attacker"),
                                     (OTHER, "taken between other sides")) if c in set(rows["capture"])]
        handles.append(plt.Line2D([], [], linestyle="", marker="$n$", color="#333333",
                                  label="n of N: runs in which it happened"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="scenario and capture")
        ax.set_xlabel("date of the capture")
        # the key under the whole figure (centred on it, so that fit_title can wrap it to the figure's width)
        fit_title(fig.supxlabel(f"marker: median over the runs in which it happened; line: 10th-90th "
                                f"percentile, or under {MIN_RUNS_FOR_BAND} runs a tick per run; \"none\": under "
                                f"{MIN_SHARE_SHOWN:.0%} of runs", fontsize=9))
        fit_title(ax.set_title(f"Who took what and when: {compared_text(ensembles)}"))
    return fig


def objectives_compared_html(ensembles: list[EnsembleData]) -> str:
    """The objectives of the base scenario, a row each, with each scenario's runs achieving it and median day."""
    base = ensembles[0]
    names = place_names(base.scenario)
    tables = [objective_table(base.scenario, e.outcomes, names) for e in ensembles]
    head = "".join(f"<th>{esc(e.name)}</th>" for e in ensembles)
    rows = ""
    for k, r in tables[0].iterrows():
        cells = ""
        for table in tables:
            t = table.iloc[k]
            day = "" if math.isnan(t["median"]) else f", median day {t['median']:.2f}"
            cells += f"<td>{t['achieved']} of {t['runs']}{day}</td>"
        rows += f"<tr><td>{esc(r['text'])}</td>{cells}</tr>"
    return ("<p>The base scenario's objectives and whether each regime collapsed: in how many runs each was "
            "achieved in each scenario, and the median day over those runs.</p>"
            f"<table class='objectives'><tr><th>objective</th>{head}</tr>{rows}</table>")


CONSOLE_EFFECTS = 8     # the largest effects the compare console prints (all are in report.html and effects.csv)


def compared_lines(ensembles: list[EnsembleData], effects: pd.DataFrame, top: int = CONSOLE_EFFECTS) -> list[str]:
    """The compare console: the base scenario's objectives side by side (runs achieving each, median day),
    then the `top` largest effects on shares of runs with their 95% intervals, and the notes they carry."""
    from wargame.report.summary import name_column

    base = ensembles[0]
    names = place_names(base.scenario)
    tables = [objective_table(base.scenario, e.outcomes, names) for e in ensembles]
    width = max([len(e.name) for e in ensembles] + [22])
    lines = ["  the campaign's objectives (runs that achieved each, median day over them):",
             "    " + name_column("", 60) + "".join(f"  {e.name:>{width}}" for e in ensembles)]
    for k, r in tables[0].iterrows():
        cells = "".join(f"  {cell_text(t.iloc[k]):>{width}}" for t in tables)
        lines.append(f"    {name_column(r['text'], 60)}{cells}")
    shares = effects[effects["measure"].str.endswith("(share of runs)")] if not effects.empty else effects
    if shares.empty:
        return lines
    largest = shares.reindex(shares["effect"].abs().sort_values(ascending=False).index).head(top)
    lines.append(f"  the largest effects on shares of runs (paired difference, 95% bootstrap interval; "
                 f"{len(effects)} measures in report.html and effects.csv):")
    by_measure = effects.set_index(["scenario", "measure"])
    notes = []
    for _, r in largest.iterrows():
        lines.append(f"    {r['scenario']}: {effect_text(r)}")
        if isinstance(r.get("see"), str) and (r["scenario"], r["see"]) in by_measure.index:
            lines.append(f"      counting the collapse: {effect_text(by_measure.loc[(r['scenario'], r['see'])], r['see'])}")
            notes += [r["note"].split(";")[0]] if r["note"].split(";")[0] not in notes else []
    for note in notes:
        lines.append(f"  note: {note}; a run ends at the collapse, so a place no one had entered by then counts as "
                     "not taken there: the rows 'counting the collapse' say who lost it")
    return lines


def effect_text(r, measure: str | None = None) -> str:
    """"took Damascus (share of runs) 0.00 -> 1.00, +1.00 (+1.00 to +1.00; too few runs)"."""
    return (f"{measure or r['measure']} {r['base']:.2f} -> {r['other']:.2f}, {r['effect']:+.2f} "
            f"({r['low']:+.2f} to {r['high']:+.2f}; {r['direction']})")


def cell_text(row) -> str:
    """A side-by-side cell: "4 of 6, day 9.25", or "0 of 6"."""
    day = "" if math.isnan(row["median"]) else f", day {row['median']:.2f}"
    return f"{row['achieved']} of {row['runs']}{day}"


def write_comparison(directory: Path, ensembles: list[EnsembleData], command: str) -> Path:
    """figures/compare_*.png, effects.csv and report.html in `directory`; returns the report's path."""
    figures = directory / "figures"
    fans = save_figure(figure_compare(ensembles), figures / "compare_territory.png")
    falls = save_figure(figure_compare_falls(ensembles), figures / "compare_city_falls.png")
    base = ensembles[0]
    effects = pd.concat([comparison_effects(base, other) for other in ensembles[1:]], ignore_index=True) \
        if len(ensembles) > 1 else pd.DataFrame()
    write_atomic(directory / "effects.csv", lambda p: effects.to_csv(p, index=False))
    levers = "".join(f"<tr><td>{esc(e.name)}</td><td>{esc(e.info['title'])}</td>"
                     f"<td>{esc(getattr(e.scenario.meta, 'lever', '') or '')}</td>"
                     f"<td>{overrides_text(e.info.get('overrides'))[2:]}</td></tr>" for e in ensembles)
    sections = {
        "objectives": ("Objectives", objectives_compared_html(ensembles)),
        "scenarios": ("Scenarios", (f"<p>{base.info['runs']} runs of each, on the same seeds (master seed "
                      f"{base.info['master_seed']}): run i of every scenario shares its seed, so differences are "
                      f"the scenarios', not luck's. The first, <b>{esc(base.name)}</b>, is the base.</p>"
                      f"<table><tr><th>scenario</th><th>title</th><th>lever</th><th>overrides</th></tr>{levers}</table>")),
        "territory": ("Territory", figure(fans, f"Territory by side in each scenario ({band_text(base.info['runs'])})"
                                          ", from 0%.")),
        "falls": ("Who took what", figure(falls, "Falls to the attacker and retakings from it, apart: the median day "
                                          "and 10th-90th percentile per scenario, and the runs in which each "
                                          "happened.")),
        "effects": ("Effects against the base", _effects_html(effects, base.name)),
        "reproduce": ("Reproduce", f"<pre>{esc(command)}</pre><p>Each ensemble's own report and data are in "
                      "its directory: " + ", ".join(esc(e.directory.name) for e in ensembles) + ".</p>"),
    }
    text = page("Comparison: " + ", ".join(e.name for e in ensembles), "Scenarios compared",
                esc(compared_text(ensembles)), sections)
    return write_text_atomic(directory / "report.html", text)


def is_share(measure: str) -> bool:
    """A measure that is a share (of runs, or of the theatre's territory) rather than days or a count."""
    return measure.endswith("(share of runs)") or measure.endswith("territory at the end")


def plain_number(value: float, figures: int = 3, signed: bool = False) -> str:
    """`figures` significant figures, never in scientific notation ("-8e-05" reads as noise): 13.5, 0.0417,
    1234; at most 4 decimals, so a difference of a hair is 0.0000, not 8e-05."""
    if math.isnan(value):
        return "n/a"
    magnitude = math.floor(math.log10(abs(value))) if value else 0
    decimals = min(max(figures - 1 - magnitude, 0), 4)
    return f"{value:{'+' if signed else ''}.{decimals}f}"


def measure_value(row, column: str) -> str:
    """A cell of the effects table: a share as a percentage (67.3%) and its differences in percentage points
    (-2.1 pp), days and counts in plain figures; the effect and its interval signed."""
    signed = column in ("effect", "low", "high")
    value = row[column]
    if is_share(row["measure"]):
        points = value * 100
        if math.isnan(points):
            return "n/a"
        # one decimal of a percent; two for a difference under one point, so a small one is not "0.0"
        digits = 1 if abs(points) >= 1 or points == 0 else 2
        if signed and points == 0:
            return "0\u00a0pp"
        return f"{points:+.{digits}f}\u00a0pp" if signed else f"{points:.{digits}f}%"   # "pp" kept with its figure
    return plain_number(value, signed=signed)


def _effects_html(effects: pd.DataFrame, base: str) -> str:
    if effects.empty:
        return "<p>Only one scenario: nothing to compare against.</p>"
    out = [(f"<p>Mean paired difference against {esc(base)}, with a 95% bootstrap interval; a direction is stated "
           f"only when the interval excludes zero and there are {MIN_PAIRS} paired runs or more (with fewer, a "
           "bootstrap interval means little: the direction reads \"too few runs\"). Falls to the campaign's attacker and retakings from it are "
           "measured apart; the days before a capture count a run in which it never happened as lasting to its "
           "end. Shares (of runs, of the theatre) are in percent and their differences in percentage points (pp)."
           "</p>")]
    for scenario, part in effects.groupby("scenario", sort=False):
        rows = "".join(f"<tr><td>{esc(r['measure'])}</td><td class='num'>{measure_value(r, 'base')}</td>"
                       f"<td class='num'>{measure_value(r, 'other')}</td><td class='num'>{measure_value(r, 'effect')}"
                       f"</td><td class='num interval'>{measure_value(r, 'low')} to {measure_value(r, 'high')}</td>"
                       f"<td>{esc(r['direction'])}</td></tr>"
                       + (f"<tr class='note'><td colspan='6'>&#9888; {esc(r['note'])}</td></tr>"
                          if r.get("note") and "share of runs" in r["measure"] else "")
                       for _, r in part.iterrows())
        out.append(f"<h3>{esc(scenario)}</h3><table><tr><th>measure</th><th>{esc(base)}</th><th>{esc(scenario)}</th>"
                   f"<th>effect</th><th>95% interval</th><th>direction</th></tr>{rows}</table>")
    tested = int(effects.groupby("scenario").size().max())
    out.append(f"<p>{tested} measures are tested per scenario: at 95% about one in twenty that has no real effect "
               "still shows a direction, so read a lone, small effect with care. The same table is in effects.csv.</p>")
    return "".join(out)
