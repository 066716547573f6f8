"""WarModel: construction, the phase loop, determinism, batch_run, end conditions, run directories."""

import json

import mesa
import pandas as pd
import pytest

from wargame.cli import main
from wargame.core.agents.unit import GroundUnit
from wargame.core.model import WarModel
from wargame.output import RUN_FILES, RunData, metrics_frame, write_run


@pytest.fixture(scope="module")
def finished():
    model = WarModel("hts_2024", rng=3)
    model.run()
    return model


def test_model_builds_from_the_default_scenario():
    model = WarModel("hts_2024", rng=1)
    units = model.units_on_map()
    assert len(units) == sum(u.count for u in model.spec.units.values() if u.arrives_day == 0 and not u.rises_when)
    assert len(model.dormant_units) == sum(1 for u in model.spec.units.values() if u.rises_when)
    assert all(isinstance(u, GroundUnit) for u in units)
    assert all(u.cell is model.cells[u.idx] and model.theatre.inside[u.idx] for u in units)
    # the whole-map layers are Mesa property layers, viewed flat by the rules
    assert model.grid.control.data.shape == model.theatre.shape
    model.control[0] = 2
    assert model.grid.control.data[0, 0] == 2
    assert {"terrain", "control", "supply_regime", "influence_opposition"} <= set(model.grid._mesa_property_layers)


def test_initial_control_follows_the_scenario():
    model = WarModel("hts_2024", rng=1)
    th, s = model.theatre, model.side_index
    assert model.control[th.place_cell["idlib"]] == s["opposition"]
    assert model.control[th.place_cell["aleppo"]] == s["regime"]
    assert model.control[th.place_cell["afrin"]] == s["opposition"]
    assert model.control[th.place_cell["tal_rifaat"]] == s["sdf"]
    assert model.control[th.place_cell["raqqa"]] == s["sdf"]
    assert (model.control[~th.inside] == -1).all()


def test_run_reaches_an_end_and_logs_events(finished):
    assert not finished.running and finished.end_reason
    assert finished.steps <= finished.spec.total_steps
    kinds = {e.kind for e in finished.events}
    assert "campaign_ended" in kinds and "city_captured" in kinds
    frame = finished.datacollector.get_model_vars_dataframe()
    assert len(frame) == finished.steps + 1
    assert frame["personnel_saa"].iloc[-1] < frame["personnel_saa"].iloc[0]


def test_same_seed_same_results_different_seed_differs():
    def run(seed):
        model = WarModel("hts_2024", rng=seed)
        for _ in range(24):
            model.step()
        return model.datacollector.get_model_vars_dataframe(), model.events.to_jsonl()

    metrics_a, events_a = run(11)
    metrics_b, events_b = run(11)
    metrics_c, events_c = run(12)
    pd.testing.assert_frame_equal(metrics_a, metrics_b)
    assert events_a == events_b
    assert not metrics_a.equals(metrics_c) or events_a != events_c


def test_keyword_overrides_reach_the_scenario():
    model = WarModel("hts_2024", rng=1, factions__saa__pay=0.4, **{"rules.combat.attrition_per_day": 0.03})
    assert model.spec.factions["saa"].pay == 0.4
    assert model.spec.rules.combat.attrition_per_day == 0.03
    assert model.loaded.overrides == {"factions.saa.pay": 0.4, "rules.combat.attrition_per_day": 0.03}


def test_batch_run_drives_the_model():
    results = mesa.batch_run(WarModel, parameters={"scenario": "tests/data/duel.toml",
                                                   "rules.combat.attrition_per_day": [0.01, 0.03]},
                             rng=[1, 2], max_steps=8, number_processes=1, data_collection_period=-1,
                             display_progress=False)
    frame = pd.DataFrame(results)
    assert frame["RunId"].nunique() == 4 and (frame["Step"] == 8).all()   # a row per unit per run
    assert {"rules.combat.attrition_per_day", "personnel_saa", "territory_regime"} <= set(frame.columns)


def test_end_condition_objective_ends_the_campaign(duel_file):
    model = WarModel(duel_file, rng=1, **{"objectives.hama.ends_campaign": True})
    model.set_control(model.theatre.place_cell["hama"], "opposition")
    model._check_end()
    assert model.running                    # its centre alone is not the city: most of its districts are
    model.set_control(list(model.theatre.cities["hama"].cells), "opposition")
    model._check_end()
    assert not model.running and "objective hama achieved" in model.end_reason


def test_run_directory_is_complete_and_reproducible(finished, tmp_path):
    from wargame.output import run_info
    from wargame.report.summary import summarise

    summary = summarise(finished.spec, run_info(finished), metrics_frame(finished), finished.events.to_dicts())
    directory = write_run(finished, tmp_path / "run", summary)
    assert sorted(p.name for p in directory.iterdir()) == sorted(RUN_FILES)
    assert not (tmp_path / "run.partial").exists()
    data = RunData.load(directory)
    assert data.info["seed"] == 3 and data.info["scenario"] == "hts_2024"
    assert len(data.metrics) == finished.steps + 1 and {"step", "day", "date"} <= set(data.metrics.columns)
    assert {"personnel", "morale", "state", "cell"} <= set(data.units.columns)
    assert [e["kind"] for e in data.events] == [e.kind for e in finished.events]
    # re-created from its saved scenario and seed, the run gives identical metrics
    again = WarModel(str(directory / "scenario.toml"), rng=data.info["seed"])
    again.run()
    pd.testing.assert_frame_equal(metrics_frame(again).drop(columns="date"),
                                  data.metrics.drop(columns="date"), check_dtype=False)


def test_cli_default_run_writes_the_run_directory(tmp_path, capsys):
    out = tmp_path / "cli-run"
    assert main(["--quiet", "--out", str(out)]) == 0
    assert (out / "metrics.csv").exists() and (out / "events.jsonl").exists()
    info = json.loads((out / "run.json").read_text())
    assert info["scenario"] == "hts_2024" and info["seed"] == 1 and "reproduce" in info


def test_cli_map_writes_png(tmp_path, capsys):
    out = tmp_path / "map.png"
    assert main(["map", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_model_can_be_rebuilt_the_way_solaraviz_does(duel_file):
    # SolaraViz rebuilds with type(model)(**params) and, when a model carries Mesa's experimental scenario
    # object, swaps the "scenario" argument for a new one of those: ours must not expose one.
    model = WarModel(str(duel_file), rng=3, **{"factions.saa.pay": 0.5})
    assert getattr(model, "scenario", None) is None
    params = {"scenario": str(duel_file), "rng": 3, "factions.saa.pay": 0.5}
    again = type(model)(**params)
    assert again.spec == model.spec and again.seed == 3
