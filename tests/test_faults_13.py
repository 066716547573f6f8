"""Faults of round 13, each pinned by a test that failed before its fix:
1. a retreat through ground the enemy holds counted as a fast advance and shocked the enemy (rules.movement);
2. one battalion passing through the enemy's rear took the open country around it (rules.control);
3. a town its first owner took back still read only as "fallen" (experiments.outcomes, the reports)."""

import re

import numpy as np
import pandas as pd
import pytest

from tests.conftest import step_phases, units_by_key
from wargame.cli import main
from wargame.core.agents.unit import State, fighting
from wargame.core.errors import WargameError
from wargame.core.model import WarModel
from wargame.core.rules.control import linked_ground, update_control
from wargame.core.rules.morale import shock
from wargame.core.rules.movement import move_units
from wargame.core.scenario import load_scenario
from wargame.experiments.outcomes import campaign_outcome
from wargame.experiments.places import FALL, RETAKING, attacker_sides, place_captures
from wargame.report.ensemble import (
    EnsembleData,
    ensemble_captures,
    figure_city_falls,
    write_ensemble_report,
)
from wargame.report.style import save_figure
from wargame.study.outputs import label, output_values

# ------------------------------------------------------------------ 1. a retreat is no advance


def _regime_unit_behind_the_enemy(duel):
    """The duel with all ground but Homs handed to the opposition: the regime's defender at Hama can only
    fall back to Homs across ground the enemy holds, with the opposition's attacker next to it."""
    model = duel()
    th = model.theatre
    units = units_by_key(model)
    defender, attacker = units["defender"], units["attacker"]
    model.set_control(np.flatnonzero(th.inside), "opposition")
    model.set_control([th.place_cell["homs"]], "regime")
    hama = th.place_cell["hama"]
    defender.place(hama)
    attacker.place(th.place_cell["morek"])                          # within shock_km of Hama, off the way south
    model.table.progress_km[defender.row] = model.spec.rules.movement.max_banked_km   # movement for a cell or two
    return model, defender, attacker


def test_a_routing_unit_crossing_enemy_ground_does_not_shock_the_enemy(duel):
    model, defender, attacker = _regime_unit_behind_the_enemy(duel)
    defender.state = State.ROUTING
    start = defender.idx
    step_phases(model, move_units)
    assert defender.idx != start                                   # it did run, across enemy ground
    assert model.table.advance_km[defender.row] == 0.0
    assert shock(model, np.array([attacker.row]))[0] == 0.0


def test_a_withdrawing_unit_crossing_enemy_ground_does_not_shock_the_enemy(duel):
    model, defender, attacker = _regime_unit_behind_the_enemy(duel)
    model.table.withdraw[defender.row] = True
    start = defender.idx
    step_phases(model, move_units)
    assert defender.idx != start
    assert model.table.advance_km[defender.row] == 0.0
    assert shock(model, np.array([attacker.row]))[0] == 0.0


def test_a_unit_that_falls_back_forgets_its_earlier_advance(duel):
    model, defender, attacker = _regime_unit_behind_the_enemy(duel)
    model.table.advance_km[defender.row] = 60.0                   # it had been advancing fast
    defender.state = State.ROUTING
    step_phases(model, move_units)
    assert model.table.advance_km[defender.row] == 0.0
    assert shock(model, np.array([attacker.row]))[0] == 0.0


def test_an_advance_into_enemy_ground_still_counts(duel):
    model, defender, attacker = _regime_unit_behind_the_enemy(duel)
    defender.target = model.theatre.place_cell["khan_shaykhun"]  # attacking northwards, into the enemy's ground
    defender.place(model.theatre.place_cell["homs"])
    step_phases(model, move_units)
    assert model.table.advance_km[defender.row] > 0.0


# ------------------------------------------------------------------ 2. control needs presence or supply


def _opposition_ground(model):
    return model.control == model.side_index["opposition"]


def test_a_lone_unit_in_the_enemys_rear_takes_only_the_cell_it_stands_in(duel):
    model = duel()
    th = model.theatre
    attacker = units_by_key(model)["attacker"]
    target = th.place_cell["salamiyah"]          # deep in the regime's ground, far from the opposition's own
    before = _opposition_ground(model).copy()
    attacker.place(target)
    step_phases(model, update_control)
    taken = _opposition_ground(model) & ~before
    assert np.flatnonzero(taken).tolist() == [target]


def test_ground_cut_off_from_its_holder_falls_to_a_lone_unit_nearby(duel):
    model = duel()
    th = model.theatre
    attacker = units_by_key(model)["attacker"]
    target = th.place_cell["salamiyah"]
    # a ring of opposition ground cuts the regime's ground around Salamiyah off from Homs, its source
    ring = np.setdiff1d(th.cells_within(target, 25.0), th.cells_within(target, 18.0))
    model.set_control(ring, "opposition")
    attacker.place(target)
    step_phases(model, update_control)
    around = th.cells_within(target, model.spec.rules.control.influence_km)
    open_ground = around[~th.key_cells[around]]
    assert (model.control[open_ground] == model.side_index["opposition"]).all()


def test_a_regime_battalion_in_the_rear_of_the_idlib_pocket_holds_only_its_own_cell():
    model = WarModel("hts_2024", rng=1)
    th = model.theatre
    opposition, regime = model.side_index["opposition"], model.side_index["regime"]
    units = fighting(model.table)
    rebels = np.flatnonzero(units & (model.table.side == opposition))
    reach = model.spec.rules.control.influence_km
    # open opposition ground in Idlib (west of 37°E) joined to its crossings, with no opposition unit within
    # twice the reach of influence and no regime ground within 30 km: the pocket's empty rear
    rear = ((model.control == opposition) & th.inside & ~th.key_cells & (th.lon < 37.0)
            & linked_ground(model, opposition)
            & ~th.near_mask(model.table.idx[rebels], 2 * reach)
            & ~th.near_mask(np.flatnonzero(model.control == regime), 30.0))
    cell = int(np.flatnonzero(rear)[0])
    battalion = next(u for u in model.ground_units if u.faction == "saa" and u.fighting)
    battalion.place(cell)
    before = model.control.copy()
    step_phases(model, update_control)
    around = th.cells_within(cell, 2 * reach)
    changed = around[model.control[around] != before[around]]
    assert changed.tolist() == [cell]


# ------------------------------------------------------------------ 3. a fall and a retaking told apart


def _hama_lost_on_day_1_and_retaken_on_day_2(duel):
    model = duel()
    per_day = model.spec.steps_per_day
    model.steps = per_day
    model.give_city("hama", "opposition")
    model.steps = 2 * per_day
    model.give_city("hama", "regime")
    return model


def test_a_town_retaken_by_its_first_owner_is_not_read_as_lost(duel):
    out = campaign_outcome(_hama_lost_on_day_1_and_retaken_on_day_2(duel))
    assert out["fell_hama"] == 1.0                  # the first fall, as the historical targets read it
    assert out["taken_by_hama"] == "opposition"
    assert out["retaken_hama"] == 2.0
    assert out["held_hama"] == "regime"
    # a town that never fell: no taker, no retaking, its first owner holds it
    assert np.isnan(out["fell_homs"]) and out["taken_by_homs"] == "" and np.isnan(out["retaken_homs"])
    assert out["held_homs"] == "regime"


def test_an_airbase_taken_and_kept_says_who_took_it(duel):
    model = duel()
    attacker = units_by_key(model)["attacker"]
    attacker.place(model.theatre.place_cell["hama_airbase"])
    step_phases(model, update_control)
    out = campaign_outcome(model)
    assert out["fell_hama_airbase"] == model.day
    assert out["taken_by_hama_airbase"] == "opposition" and out["held_hama_airbase"] == "opposition"
    assert np.isnan(out["retaken_hama_airbase"])


def test_outcome_rows_make_columns_of_one_type_in_parquet(duel, tmp_path):
    rows = [campaign_outcome(_hama_lost_on_day_1_and_retaken_on_day_2(duel)), campaign_outcome(duel())]
    pd.DataFrame(rows).to_parquet(tmp_path / "outcomes.parquet", index=False)
    back = pd.read_parquet(tmp_path / "outcomes.parquet")
    assert back["taken_by_hama"].tolist() == ["opposition", ""]        # strings in every run, "" for none
    assert back["taken_by_homs"].tolist() == ["", ""]
    assert back["held_hama"].tolist() == ["regime", "regime"]
    assert back["retaken_hama"].dtype == float and back["retaken_homs"].isna().all()


def _ensemble(duel_file, tmp_path, outcomes: pd.DataFrame) -> EnsembleData:
    info = {"scenario": "duel", "title": "Duel", "runs": len(outcomes), "start": "2024-11-27T06:00:00",
            "master_seed": 1, "reproduce": "python run.py run duel.toml --reps 4", "reproduce_one": "-",
            "written": "2024-11-27T06:00:00"}
    series = pd.DataFrame({"run": [0], "step": [0], "day": [5.0]})
    return EnsembleData(tmp_path, info, outcomes, series, load_scenario(duel_file).scenario)


def _report(ens: EnsembleData) -> str:
    """The ensemble report with its chart of falls (the fan charts need runs' series: the same picture stands in)."""
    falls = save_figure(figure_city_falls(ens), ens.directory / "figures" / "city_falls.png")
    return write_ensemble_report(ens, {"fans": falls, "city_falls": falls}).read_text(encoding="utf-8")


# Hama falls to the opposition in every run: kept (0, 1), retaken and still the regime's (2), retaken and lost
# again to its taker (3)
HAMA = pd.DataFrame({"run": range(4), "end_day": [5.0] * 4, "fell_hama": [1.0, 1.5, 2.0, 2.5],
                     "taken_by_hama": ["opposition"] * 4, "held_hama": ["opposition", "opposition", "regime", "opposition"],
                     "retaken_hama": [np.nan, np.nan, 3.0, 3.5]})


def test_the_ensemble_tells_the_fall_from_the_retaking(duel_file, tmp_path):
    ens = _ensemble(duel_file, tmp_path, HAMA)
    rows = ensemble_captures(ens).set_index(["place", "capture"])
    fall, retaking = rows.loc[("hama", FALL)], rows.loc[("hama", RETAKING)]
    assert fall["share"] == 1.0 and fall["by"] == "opposition"
    assert fall["held_share"] == 0.75                  # its taker held it at the end in runs 0, 1 and 3
    assert retaking["share"] == 0.5                    # runs 2 and 3: its first owner took it back
    assert retaking["by"] == "" and np.isnan(retaking["held_share"])  # that owner not recorded (no first_owner_)
    runs = place_captures(ens.outcomes, "hama", attacker_sides(ens.scenario))
    assert (runs["held"] == runs["fall_by"]).tolist() == [True, True, False, True]   # kept by its taker
    assert runs["retaking"].notna().tolist() == [False, False, True, True]
    report = _report(ens)
    # the fall and the retaking in rows of their own (the ensemble predates first_owner_: its first owner)
    assert re.search(r"<td>Hama</td><td>city</td><td>fell to [^<]+</td><td class='num count'>4 of 4</td>", report)
    assert "<td>Hama</td><td>city</td><td>retaken by its first owner</td><td class='num count'>2 of 4</td>" in report


def test_an_ensemble_written_before_the_takers_were_recorded_still_reports(duel_file, tmp_path):
    ens = _ensemble(duel_file, tmp_path, HAMA[["run", "end_day", "fell_hama"]])
    rows = ensemble_captures(ens)
    assert rows[["place", "capture", "share"]].values.tolist() == [["hama", FALL, 1.0]]     # no retaking known
    assert np.isnan(rows["held_share"].iloc[0])                                         # who held it: not recorded
    report = _report(ens)
    assert "<td>Hama</td><td>city</td><td>fell</td><td class='num count'>4 of 4</td><td class='num'>100%</td>" in report
    assert "<td class='num'>–</td></tr>" in report      # who held it at the end: not recorded


def test_the_console_summary_says_who_took_what(duel_file, tmp_path, capsys):
    assert main(["run", str(duel_file), "--reps", "2", "--workers", "1", "--no-report",
                 "--out", str(tmp_path / "ens")]) == 0
    printed = capsys.readouterr().out
    # falls and retakings in rows of their own, with who held the place at the end; or a sentence for none
    assert ("who took what (falls to the campaign's attacker, then retakings from it" in printed
            and "held at the end" in printed) or "No city, town or airbase changed hands" in printed


def test_study_outputs_read_the_retaking_as_days_and_refuse_side_columns():
    frame = HAMA.assign(fell_homs=np.nan, retaken_homs=np.nan, held_homs="regime")
    assert output_values(frame, "retaken_hama").tolist() == [5.0, 5.0, 3.0, 3.5]     # never: the run's end
    assert output_values(frame, "fell_hama").tolist() == [1.0, 1.5, 2.0, 2.5]
    with pytest.raises(WargameError, match="names a side"):
        output_values(frame, "held_hama")
    with pytest.raises(WargameError, match="names a side"):
        output_values(frame, "taken_by_hama")
    assert label("retaken_hama") == "day Hama retaken"


def test_the_chart_of_falls_draws_a_percentile_box_only_over_enough_runs(duel_file, tmp_path):
    """Hama falls in every run and is retaken in two: over 4 runs neither gets a 10th-90th box (the
    percentiles would be the runs themselves); over 5 the fall gets one, the two retakings still none."""
    from matplotlib.patches import Rectangle

    def boxes(outcomes: pd.DataFrame) -> int:
        fig = figure_city_falls(_ensemble(duel_file, tmp_path, outcomes))
        return sum(isinstance(patch, Rectangle) for patch in fig.axes[0].patches)

    fifth = HAMA.iloc[[0]].assign(run=4, fell_hama=1.2)
    assert boxes(HAMA) == 0
    assert boxes(pd.concat([HAMA, fifth], ignore_index=True)) == 1
