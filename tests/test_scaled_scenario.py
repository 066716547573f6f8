"""The scaled order of battle used to measure how cost grows (benchmarks/bench_scale.py): a valid scenario
with exactly the asked number of units, the same formations in the same proportions, and a model that
deploys them. Behaviour only; the timing lives in the benchmark."""

import pytest

from wargame.core.model import WarModel
from wargame.core.scenario import load_scenario
from wargame.core.scenario.limits import MAX_UNITS
from wargame.core.scenario.scaled import apportion, split_count, with_units


def total_units(loaded) -> int:
    return sum(spec.count for spec in loaded.scenario.units.values())


def test_apportion_is_exact_and_keeps_every_entry():
    assert apportion([18, 4, 1], 46) == [36, 8, 2]
    assert sum(apportion([24, 15, 1, 1, 3], 1234)) == 1234
    assert apportion([10, 1, 1], 3) == [1, 1, 1]          # each entry keeps at least one unit
    with pytest.raises(ValueError):
        apportion([1, 1, 1], 2)


def test_split_count_respects_the_largest_count():
    assert split_count(240) == [100, 100, 40]
    assert split_count(100) == [100]


@pytest.mark.parametrize("units", [500, 2000, MAX_UNITS])
def test_scaled_scenario_is_valid_with_the_asked_number_of_units(units):
    base = load_scenario("hts_2024")
    scaled = with_units(base, units)
    assert total_units(scaled) == units
    assert all(spec.count <= 100 for spec in scaled.scenario.units.values())
    # every formation is still there, in proportion, with its faction and place
    for key, spec in base.scenario.units.items():
        parts = [s for k, s in scaled.scenario.units.items() if k == key or k.startswith(f"{key}_part")]
        assert {(s.faction, s.at, s.type) for s in parts} == {(spec.faction, spec.at, spec.type)}
        assert sum(s.count for s in parts) == pytest.approx(spec.count * units / total_units(base), abs=1.5)


def test_scaled_scenario_keeps_its_other_overrides_and_builds():
    base = load_scenario("hts_2024", {"theatre.cell_km": 6.0})
    scaled = with_units(base, 900)
    assert scaled.scenario.theatre.cell_km == 6.0
    model = WarModel(scaled, rng=1, collect_units=False)
    at_start = sum(s.count for s in scaled.scenario.units.values() if s.arrives_day == 0 and s.rises_when is None)
    assert model.table.n == at_start
    model.step()


def test_too_many_units_are_refused():
    with pytest.raises(ValueError, match="5,000"):
        with_units(load_scenario("hts_2024"), MAX_UNITS + 1)
