"""What students type and read in the classroom: names of places and sectors as the map shows them, join
codes as typed, one turn number everywhere, orders that carry over, the hot-seat's help and map, and the
instructor's refusals and confirmations (issue 16, deliverables 5 and 7)."""

from __future__ import annotations

import pytest

from wargame.core.errors import ScenarioError, WargameError
from wargame.play.game import Game, authenticate
from wargame.play.hotseat import parse_line
from wargame.play.names import fold
from wargame.play.store import GameStore


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = GameStore(tmp_path_factory.mktemp("input") / "games.sqlite")
    yield store
    store.close()


@pytest.fixture
def game(store) -> Game:
    return Game.create(store, humans=("regime", "rebels", "russia"))


def test_places_and_sectors_are_known_by_their_ids_names_and_map_labels_in_any_case(game):
    names = game.names
    for typed, place in [("Aleppo airport", "aleppo_airport"), ("ALEPPO INTERNATIONAL AIRPORT", "aleppo_airport"),
                         ("saraqib", "saraqib"), ("Saraqib", "saraqib"), ("maarat al-numan", "maarat_al_numan"),
                         ("Kobani", "ayn_al_arab"), ("Ayn al-Arab", "ayn_al_arab"), ("Atarib", "atarib"),
                         ("Khmeimim AB", "khmeimim"), ("  deir   ez-zor ", "deir_ez_zor")]:
        assert names.place(typed) == place, typed
    # the town, not the crossing the map also labels "Jarablus": an id beats a looser label
    assert names.place("Jarablus") == "jarablus"
    for typed, sector in [("Idlib", "idlib"), ("IDLIB", "idlib"), ("Deir ez-Zor", "deir_ez_zor"), ("Palmyra", "palmyra")]:
        assert names.sector(typed) == sector, typed
    assert names.sector("Saraqib") is None and names.place("Paris") is None
    assert fold("Deir_ez-Zor") == fold("deir ez zor")


def test_orders_name_sectors_and_places_as_the_map_does_and_are_stored_by_id(game, store):
    game.submit("rebels", {"sectors": {"Idlib": {"stance": "attack", "axis": "Aleppo airport"}}, "tempo": "steady"})
    game.submit("russia", {"air_priorities": ["Idlib", "HAMA"]})
    game.submit("regime", {"reserves_to": "Hama"})
    orders = store.orders(game.id, 0)
    assert orders["rebels"]["sectors"] == {"idlib": {"stance": "attack", "axis": "aleppo_airport"}}
    assert orders["russia"]["air_priorities"] == ["idlib", "hama"]
    assert game.turn == 1                                  # every team submitted: the stored ids resolved


def test_a_name_not_known_is_refused_with_close_names_offered(game):
    with pytest.raises(ScenarioError, match=r"'Sarakib' is not a place on the map; did you mean saraqib \(Saraqib\)"):
        game.submit("rebels", {"sectors": {"idlib": {"stance": "attack", "axis": "Sarakib"}}})
    with pytest.raises(ScenarioError, match=r"no such sector; did you mean idlib \(Idlib\)"):
        game.submit("rebels", {"sectors": {"Idleb": {"stance": "hold"}}})
    with pytest.raises(ScenarioError, match="'Mars' is not a sector"):
        game.submit("regime", {"reserves_to": "Mars"})
    assert game.submitted() == []


def test_the_hot_seat_takes_the_web_examples_and_names_of_several_words(game, store):
    assert parse_line("rebels", "idlib attack Saraqib") == {"sectors": {"idlib": {"stance": "attack",
                                                                                   "axis": "Saraqib"}}}
    assert parse_line("rebels", "Deir ez-Zor HOLD; Idlib attack Maarat al-Numan; Tempo=All_Out") == {
        "sectors": {"Deir ez-Zor": {"stance": "hold"}, "Idlib": {"stance": "attack", "axis": "Maarat al-Numan"}},
        "tempo": "all_out"}
    with pytest.raises(WargameError, match="an axis only with attack"):
        parse_line("rebels", "idlib hold saraqib")
    game.submit("rebels", parse_line("rebels", "Idlib attack Saraqib; aleppo hold"))
    assert store.orders(game.id, 0)["rebels"]["sectors"]["idlib"] == {"stance": "attack", "axis": "saraqib"}


def test_a_join_code_is_accepted_with_spaces_hyphens_and_in_lower_case(game, store):
    code = store.codes(game.id)["rebels"]
    for typed in (code.lower(), f" {code[:3]} {code[3:]} ", f"{code[:3]}-{code[3:].lower()}"):
        assert authenticate(store, typed) == (game.id, "rebels"), typed
    assert authenticate(store, f"{code[:3]} X{code[3:]}") is None
