"""One home for per-unit state, Mesa's step counter, commanders injected, and the white cell's methods."""

import numpy as np
import pytest
from conftest import units_by_key

from wargame.core.agents.table import COLUMNS, UnitTable
from wargame.core.agents.unit import GroundUnit, State
from wargame.core.campaign import Campaign
from wargame.core.errors import WargameError
from wargame.core.events import Weather
from wargame.core.rules.morale import faction_column
from wargame.core.rules.orders import Orders

SHOWN = [c for c in COLUMNS if c.exposure not in ("hidden", "object")]


def test_every_declared_column_is_an_agent_attribute_that_reads_and_writes_its_row(duel):
    model = duel()
    unit = next(iter(model.ground_units))
    t = model.table
    for column in SHOWN:
        assert isinstance(getattr(GroundUnit, column.name), property) or hasattr(GroundUnit, column.name)
        raw = getattr(t, column.name)
        if column.exposure == "number":
            setattr(unit, column.name, 0.25)
            assert raw[unit.row] == 0.25 and getattr(unit, column.name) == 0.25
        elif column.exposure == "flag":
            setattr(unit, column.name, True)
            assert raw[unit.row] and getattr(unit, column.name) is True
        elif column.exposure == "codes":
            setattr(unit, column.name, column.codes[1])
            assert raw[unit.row] == 1 and getattr(unit, column.name) == column.codes[1]
    unit.state = State.ROUTING
    assert t.state[unit.row] == list(State).index(State.ROUTING) and unit.state is State.ROUTING
    assert unit.faction in model.faction_ids and unit.side in model.side_ids
    for hidden in (c.name for c in COLUMNS if c.exposure == "hidden"):
        assert not hasattr(unit, hidden)


def test_a_unit_is_added_with_declared_columns_only(duel):
    model = duel()
    with pytest.raises(TypeError, match="unknown unit column.*moral\\b.*agents/table.py"):
        model.add_unit(key="x", name="x", faction="hts", utype="infantry", personnel=300, quality=0.5,
                       morale=0.5, cohesion=0.5, moral=0.4, idx=0)


def test_rows_added_as_a_block_are_those_added_one_by_one():
    values = {"personnel": np.arange(100.0, 1100.0, 10.0), "side": np.arange(100) % 3, "elite": np.arange(100) % 2 == 0}
    one_by_one, block = UnitTable(("a", "b"), window=2), UnitTable(("a", "b"), window=2)
    one_by_one.add(personnel=5.0)
    block.add(personnel=5.0)
    for row in range(100):
        one_by_one.add(**{name: column[row] for name, column in values.items()})
    assert block.extend(100, **values) == range(1, 101)
    assert block.n == one_by_one.n and block._capacity == one_by_one._capacity
    for column in COLUMNS:
        assert repr(block.raw(column.name).tolist()) == repr(one_by_one.raw(column.name).tolist()), column.name
    with pytest.raises(TypeError, match="unknown unit column.*moral\\b"):
        block.extend(1, moral=np.zeros(1))


def test_units_live_in_the_table_and_one_agentset_and_no_per_unit_array_is_kept_on_the_model():
    from wargame.core.model import WarModel

    model = WarModel("hts_2024", rng=3, collect_units=False)
    for _ in range(3):
        model.step()
    n = model.table.n
    assert list(model.ground_units) == list(model.table.agent) == list(model.agents_by_type[GroundUnit])
    assert all(agent.row == row for row, agent in enumerate(model.table.agent))
    per_unit = [name for name, value in vars(model).items()
                if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == n]
    assert per_unit == [], f"per-unit arrays kept on the model instead of the table: {per_unit}"
    assert not hasattr(model, "unit_agents") and not hasattr(model, "turn")


def test_the_model_counts_steps_with_mesa(duel):
    model = duel()
    for _ in range(3):
        model.step()
    assert model.steps == 3 and model.day == pytest.approx(3 / model.spec.steps_per_day)


def test_a_misspelt_faction_parameter_is_an_error_not_a_default(duel):
    model = duel()
    rows = np.arange(model.table.n)
    assert faction_column(model, rows, "pay", 1.0).shape == rows.shape
    with pytest.raises(KeyError, match="no faction parameter 'legitimacy_'"):
        faction_column(model, rows, "legitimacy_", 0.5)


class Recorder:
    """A commander that sends every unit it is given to one cell and remembers what it was asked."""

    def __init__(self, cell):
        self.cell, self.asked = cell, []

    def orders(self, model, faction, rows):
        self.asked.append((faction, rows.copy()))
        return Orders(targets={int(r): self.cell for r in rows})

    def rank_air_targets(self, model, faction, candidates):
        return candidates


def test_commanders_are_injected_and_a_faction_without_one_holds(duel_file):
    base = Campaign(duel_file, rng=5)                       # no commanders at all: every unit holds
    base.step()
    assert (base.table.target == -1).all()
    probe = Campaign(duel_file, rng=5)
    cell = int(probe.theatre.place_cell[next(iter(probe.theatre.place_cell))])
    recorder = Recorder(cell)
    model = Campaign(duel_file, rng=5, commanders={"hts": recorder})
    model.step()
    ((faction, rows),) = recorder.asked
    assert faction == "hts" and (model.table.faction[rows] == model.faction_index["hts"]).all()
    others = np.setdiff1d(np.arange(model.table.n), rows)
    assert (model.table.target[others] == -1).all()


def test_the_white_cell_changes_a_model_only_through_its_methods(duel):
    model = duel()
    model.impose_weather(True, days=1.0)
    assert model.bad_weather and model.events.of_kind(Weather)[-1].bad
    for _ in range(model.spec.steps_per_day - 1):
        model.step()
        assert model.bad_weather                             # the day's weather holds, whatever the dice
    unit = next(iter(units_by_key(model).values()))
    model.adjust_unit(unit.key, morale=0.2)
    assert unit.morale == 0.2
    with pytest.raises(WargameError, match="must lie in"):
        model.adjust_unit(unit.key, morale=2.0)
    with pytest.raises(WargameError, match="cannot be adjusted"):
        model.adjust_unit(unit.key, personnel=2.0)
    with pytest.raises(WargameError, match="no unit"):
        model.defect_unit("nobody")
    with pytest.raises(WargameError, match="give a city id"):
        model.give_city("atlantis", model.side_ids[0])
