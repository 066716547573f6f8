"""Strategic actors and the doctrine AI."""

import numpy as np
import pytest

from tests.conftest import step_phases, units_by_key
from wargame.core.agents.unit import State
from wargame.core.events import IsraeliStrike, StrategicDecision, UnitArrived
from wargame.core.rules.orders import Orders, decide
from wargame.core.rules.strategic import run_actors

MILITIA = '''
[units.militia]
faction = "iran_axis"
name = "Militia"
type = "militia"
group = "irgc"
at = "salamiyah"
count = 3
personnel = 400
'''


def test_israeli_strikes_kill_leaders_and_depots(duel):
    model = duel(MILITIA + '[actors.israel]\nstrikes_per_week = 100.0\n')
    militia = [u for u in model.ground_units if u.key.startswith("militia")]
    cohesion = sum(u.cohesion for u in militia)
    leadership = model.spec.factions["iran_axis"].leadership
    for _ in range(8):
        step_phases(model, run_actors)
    strikes = model.events.of_kind(IsraeliStrike)
    assert len(strikes) > 15 and {s.target for s in strikes} >= {"leadership", "depot"}
    assert sum(u.cohesion for u in militia) < cohesion
    assert model.spec.factions["iran_axis"].leadership < leadership
    assert all(u.personnel < 400 for u in militia)
    assert units_by_key(model)["defender"].personnel == 1500        # Israel strikes Iran's network only


def test_no_israeli_campaign_no_strikes(duel):
    model = duel(MILITIA + '[actors.israel]\nstrikes_per_week = 0.0\n')
    for _ in range(20):
        step_phases(model, run_actors)
    assert not model.events.of_kind(IsraeliStrike)


def test_iran_recruits_arrive_after_the_delay_and_are_greener(duel):
    model = duel(MILITIA + '[actors.iran]\ncommitment = 1.0\nrecruits_per_week = 1400.0\ndelay_days = 2.0\nentry = "homs"\n'
                 'battalion = 200\n')
    arrivals = []
    for _ in range(16):
        model.step()
        arrivals += [e for e in model.events.of_kind(UnitArrived) if e not in arrivals]
    assert arrivals and arrivals[0].day >= 2.0
    recruit = units_by_key(model)[arrivals[0].unit]
    assert recruit.faction == "iran_axis" and recruit.quality == pytest.approx(0.3)
    assert model.tally["reinforced"][model.faction_index["iran_axis"]] >= 200


def test_iraqi_militias_enter_once_the_regime_loses_a_city(duel):
    extra = MILITIA + '[actors.iraqi_militias]\nwillingness = 0.5\nforce = 2000\ntrigger_cities = 1\ndelay_days = 1.0\nentry = "homs"\n'
    model = duel(extra)
    for _ in range(4):
        step_phases(model, run_actors)
    assert not model.events.of_kind(UnitArrived)                    # nothing lost yet: they stay home
    model.cities_lost[model.side_index["regime"]] = 1
    for _ in range(6):
        model.steps += 1
        run_actors(model)
    arrived = model.events.of_kind(UnitArrived)
    assert arrived and sum(units_by_key(model)[e.unit].personnel_start for e in arrived) == pytest.approx(1000)
    assert arrived[0].day - next(e for e in model.events.of_kind(StrategicDecision)).day >= 1.0 - 1e-9


def test_hezbollah_strength_scales_its_units(duel):
    unit = '[units.hzb]\nfaction = "iran_axis"\nname = "Hezbollah"\ntype = "militia"\ngroup = "hezbollah"\nat = "homs"\npersonnel = 1000\nquality = 0.7\n'
    weak = units_by_key(duel(unit + '[actors.hezbollah]\nstrength = 0.2\nentry = "homs"\n'))["hzb"]
    intact = units_by_key(duel(unit + '[actors.hezbollah]\nstrength = 1.0\nentry = "homs"\n'))["hzb"]
    assert intact.personnel == 1000 and weak.personnel == pytest.approx(1000 * (0.3 + 0.7 * 0.2))
    assert weak.quality < intact.quality


def test_russia_sends_aircraft_after_the_regime_loses_a_city(duel):
    extra = '''
[air.ru]
faction = "russia"
kind = "tactical"
name = "Russian air group"
base = "hama_airbase"
aircraft = 10
[actors.russia_hq]
reinforce_aircraft = 10
ukraine_cap = 0.4
delay_days = 1.0
wing = "ru"
'''
    model = duel(extra)
    wing = model.wings[0]
    model.cities_lost[model.side_index["regime"]] = 1
    for _ in range(3):
        step_phases(model, run_actors)
    assert wing.aircraft == 10                       # ordered, not yet arrived
    for _ in range(3):
        step_phases(model, run_actors)
    assert wing.aircraft == 14                       # 10 promised x 0.4 let go by the war in Ukraine


def test_a_russia_turkey_deal_freezes_the_north_west(duel):
    polygon = "[[35.3, 36.3], [35.3, 37.2], [35.5, 37.2], [35.5, 36.3]]"
    model = duel(f'[actors.turkey]\ndeal_day = 1.0\nfreeze_polygon = {polygon}\n')
    attacker = units_by_key(model)["attacker"]
    step_phases(model, run_actors, decide)
    assert attacker.target >= 0                       # before the deal it attacks
    for _ in range(4):
        step_phases(model, run_actors, decide)
    assert model.frozen[attacker.idx] and attacker.target == -1
    assert any("freezes" in e.decision for e in model.events.of_kind(StrategicDecision))


# ------------------------------------------------------------------ doctrine


def test_attackers_make_for_the_nearest_open_objective(duel):
    model = duel()
    attacker = units_by_key(model)["attacker"]
    step_phases(model, decide)
    hama = np.array(model.theatre.cities["hama"].cells)
    assert attacker.target in hama                   # a city is taken district by district: its nearest one
    distance = model.theatre.km_between(attacker.idx, hama)
    assert distance[list(hama).index(attacker.target)] == distance.min()
    model.set_control(list(model.theatre.cities["hama"].cells), "opposition")
    step_phases(model, decide)
    assert attacker.target == -1                     # nothing left to take


def test_attackers_fan_out_over_a_city_no_more_to_a_cell_than_it_holds(duel):
    from wargame.core.commanders.doctrine import spread_over

    model = duel()
    th = model.theatre
    hama = np.array(th.cities["hama"].cells)
    start = np.full(10, th.place_cell["homs"])          # ten units standing together south of Hama
    chosen = spread_over(model, start, hama, room=4)
    counts = np.bincount(np.searchsorted(np.sort(hama), chosen), minlength=hama.size)
    assert counts.max() <= 4 and np.unique(chosen).size >= 3
    # the nearest cells are filled first
    order = hama[np.argsort(th.km_between(th.place_cell["homs"], hama), kind="stable")]
    assert np.isin(order[:2], chosen).all()
    # with more units than room, the rest go to their nearest cell
    many = spread_over(model, np.full(4 * hama.size + 3, th.place_cell["homs"]), hama, room=4)
    assert np.isin(many, hama).all()


def test_reserves_go_to_the_threatened_city(duel):
    extra = '[units.reserve]\nfaction = "saa"\nname = "Reserve"\nat = "homs"\npersonnel = 800\nposture = "reserve"\n'
    model = duel(extra)
    units = units_by_key(model)
    units["attacker"].place(model.theatre.cells_within(model.theatre.place_cell["hama"], 20.0)[-1])
    step_phases(model, decide)
    assert units["reserve"].target == model.theatre.place_cell["hama"]
    assert units["defender"].target == -1           # holds where it stands


def test_a_surprised_command_commits_its_reserves_late(duel):
    extra = ('[units.reserve]\nfaction = "saa"\nname = "Reserve"\nat = "homs"\npersonnel = 800\nposture = "reserve"\n'
             '[actors.regime_hq]\nreaction_days = 1.0\n')
    model = duel(extra)
    units = units_by_key(model)
    units["attacker"].place(model.theatre.cells_within(model.theatre.place_cell["hama"], 20.0)[-1])
    step_phases(model, decide)
    assert units["reserve"].target == -1            # day 0.25: the HQ has not reacted yet
    while model.day < 1.0:
        step_phases(model, decide)
    assert units["reserve"].target == model.theatre.place_cell["hama"]


def test_reserves_are_not_fed_into_a_sector_that_is_breaking(duel):
    extra = ('[units.reserve]\nfaction = "saa"\nname = "Reserve"\nat = "homs"\npersonnel = 800\nposture = "reserve"\n'
             '[units.line]\nfaction = "saa"\nname = "Line"\nat = "hama"\ncount = 4\npersonnel = 400\n'
             '[actors.regime_hq]\nwithdraw_share = 0.5\n')
    model = duel(extra)
    units = units_by_key(model)
    units["attacker"].place(model.theatre.cells_within(model.theatre.place_cell["hama"], 20.0)[-1])
    line = [u for u in model.ground_units if u.key.startswith("line")]
    for unit in line[:3] + [units["defender"]]:      # four of five units at Hama broke today
        unit.state = State.ROUTING
        model.table.broke_turn[unit.row] = model.steps
    step_phases(model, decide)
    assert units["reserve"].target != model.theatre.place_cell["hama"]


def test_a_sector_that_breaks_falls_back(duel):
    extra = '''
[units.line]
faction = "saa"
name = "Line"
at = "hama"
count = 4
personnel = 400
[actors.regime_hq]
withdraw_share = 0.4
'''
    model = duel(extra)
    line = [u for u in model.ground_units if u.key.startswith("line")]
    for unit in line[:3]:
        unit.state = State.ROUTING
        model.table.broke_turn[unit.row] = model.steps
    step_phases(model, decide)
    assert line[3].withdraw and units_by_key(model)["defender"].withdraw


def test_a_commander_cannot_order_another_factions_units(duel):
    class Rogue:
        def orders(self, model, faction, rows):
            enemy = next(u for u in model.ground_units if u.faction != faction)
            return Orders(targets={enemy.row: 0, int(rows[0]): model.theatre.place_cell["homs"]},
                          withdraw={enemy.row}, postures={enemy.row: "attack"})

        def rank_air_targets(self, model, faction, candidates):
            return candidates


    model = duel()
    model.commanders["hts"] = Rogue()
    defender = units_by_key(model)["defender"]
    step_phases(model, decide)
    assert defender.target == -1 and not defender.withdraw and defender.posture == "defend"
    assert units_by_key(model)["attacker"].target == model.theatre.place_cell["homs"]
