"""Talks in a classroom game, without a web page: messages between teams and with the white cell (who reads
what, bad input, a restart and a rewind), and the negotiated outcomes the white cell adjudicates (a local
surrender, a Russia-Turkey freeze) as interventions of the record that a replay gives back identically."""

from __future__ import annotations

import re

import numpy as np
import pytest

from wargame.core.agents.unit import on_map
from wargame.core.errors import WargameError
from wargame.play.game import Game
from wargame.play.messages import MAX_MESSAGE_CHARS, MAX_MESSAGES_PER_TURN, WHITE_CELL
from wargame.play.news import describe
from wargame.play.outcomes import SURRENDER_KM
from wargame.play.store import GameStore

HUMANS = ("regime", "rebels", "iran")


@pytest.fixture
def store(tmp_path):
    store = GameStore(tmp_path / "games.sqlite")
    yield store
    store.close()


def new_game(store) -> Game:
    return Game.create(store, humans=HUMANS, teams=(*HUMANS, "turkey"))


def play_turn(game: Game) -> None:
    for team in HUMANS:
        game.submit(team, {})


def texts(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages]


def test_a_message_is_read_by_its_addressee_and_the_white_cell_only(store):
    game = new_game(store)
    sent = game.send_message("rebels", "regime", "Hand over Saraqib and your men walk out.")
    assert sent["to"] == "regime" and sent["turn"] == 0 and sent["date"] == game.status()["date"]
    game.send_message("iran", "The white cell", "Can the militias cross at al-Bukamal?")       # a name, any case
    game.send_message(WHITE_CELL, "all", "Talks at the next turn: one envoy a team.")
    game.send_message(WHITE_CELL, "rebels", "The regime has asked for a ceasefire.")

    assert texts(game.messages("regime")) == ["Hand over Saraqib and your men walk out.",
                                              "Talks at the next turn: one envoy a team."]
    assert texts(game.messages("rebels")) == ["Hand over Saraqib and your men walk out.",
                                              "Talks at the next turn: one envoy a team.",
                                              "The regime has asked for a ceasefire."]
    assert texts(game.messages("iran")) == ["Can the militias cross at al-Bukamal?",
                                            "Talks at the next turn: one envoy a team."]
    assert len(game.messages(WHITE_CELL)) == 4
    everything = game.instructor_view()["messages"]
    assert [(m["from"], m["to"]) for m in everything] == [("rebels", "regime"), ("iran", WHITE_CELL),
                                                         (WHITE_CELL, "all"), (WHITE_CELL, "rebels")]
    # a team's view carries its own talks, never another's
    assert texts(game.view("iran")["messages"]) == texts(game.messages("iran"))
    assert "Hand over Saraqib" not in str(game.view("iran"))
    actions = [(x["who"], x["action"]) for x in store.entries(game.id)]
    assert ("rebels", "message") in actions and ("instructor", "message") in actions


@pytest.mark.parametrize("sender, to, text, words", [
    ("rebels", "narnia", "hello", ["to:", "'narnia' is not someone you can write to", "the white cell (white_cell)",
                                   "The Assad regime (regime)"]),
    ("rebels", "rebels", "hello", ["to:", "you cannot write to yourself"]),
    ("rebels", "HTS-led Rebels", "hello", ["to:", "you cannot write to yourself"]),
    ("rebels", "turkey", "hello", ["to:", "'turkey' is not someone"]),                # the AI plays Turkey here
    ("rebels", "all", "hello", ["to:", "'all' is not someone"]),                      # only the white cell writes to all
    ("rebels", "", "hello", ["to:", "say whom the message is for"]),
    ("rebels", None, "hello", ["to:", "say whom"]),
    ("rebels", "regime", "   \n ", ["text:", "empty"]),
    ("rebels", "regime", None, ["text:", "must be text"]),
    ("rebels", "regime", "x" * (MAX_MESSAGE_CHARS + 1), ["text:", f"{MAX_MESSAGE_CHARS:,} at most"]),
    ("turkey", "regime", "hello", ["no human seat"]),
    (WHITE_CELL, "the white cell", "hello", ["to:", "you cannot write to yourself", "every team (all)"]),
])
def test_a_message_that_cannot_be_sent_is_refused_naming_the_field_and_nothing_is_stored(store, sender, to, text,
                                                                                      words):
    game = new_game(store)
    with pytest.raises(WargameError) as refused:
        game.send_message(sender, to, text)
    for word in words:
        assert word in str(refused.value)
    assert game.messages(WHITE_CELL) == []


def test_messages_are_cleaned_and_limited_per_turn(store):
    game = new_game(store)
    game.send_message("regime", "rebels", "  line one\r\nline two\x00\x07  ")
    assert texts(game.messages("rebels")) == ["line one\nline two"]
    for k in range(MAX_MESSAGES_PER_TURN - 1):
        game.send_message("regime", "iran", f"note {k}")
    with pytest.raises(WargameError, match=f"{MAX_MESSAGES_PER_TURN} messages a turn"):
        game.send_message("regime", "iran", "one too many")
    play_turn(game)
    game.send_message("regime", "iran", "a new turn, a new allowance")
    assert game.messages("iran")[-1]["turn"] == 1


def test_messages_survive_a_restart_and_a_rewind(store, tmp_path):
    game = new_game(store)
    game.send_message("rebels", "regime", "before the first turn")
    play_turn(game)
    game.send_message("regime", "rebels", "during the second turn")
    play_turn(game)
    assert game.debrief()[1]["messages"][0]["text"] == "during the second turn"

    reopened = GameStore(tmp_path / "games.sqlite")                   # a server started again on the file
    try:
        again = Game(reopened, game.id)
        assert texts(again.messages("rebels")) == ["before the first turn", "during the second turn"]
        assert [m["turn"] for m in again.messages(WHITE_CELL)] == [0, 1]
    finally:
        reopened.close()

    game.rewind(1)                                   # back to the start of the second turn
    kept = game.messages("rebels")
    assert texts(kept) == ["before the first turn", "during the second turn"]
    assert [m["rewound"] for m in kept] == [False, True]          # what was said was said, before the rewind
    assert [d["turn"] for d in game.debrief()] == [0]
    assert texts(game.debrief()[0]["messages"]) == ["before the first turn"]


def holder(game: Game, place: str) -> str:
    model = game.model
    return model.side_ids[model.control[model.theatre.place_cell[place]]]


def test_an_adjudicated_local_surrender_hands_the_town_over_and_replays_identically(store):
    game = new_game(store)
    model = game.model
    assert holder(game, "saraqib") == "regime"
    play_turn(game)
    t = model.table
    before = {"saa_men": float(t.personnel[t.side == model.side_index["regime"]].sum())}
    result = game.intervene("surrender", {"place": "Saraqib", "side": "regime", "to": "opposition"})["result"]
    assert "surrender negotiated at Saraqib" in result and "hand their heavy weapons" in result
    assert holder(game, "saraqib") == "opposition"
    assert model.city_owner["saraqib"] == model.side_index["opposition"]
    # the regime's units there are gone from the map (withdrawn, not killed), and nothing of it is left there
    area = model.theatre.km_between(model.theatre.place_cell["saraqib"], t.idx) <= SURRENDER_KM
    assert not ((t.side == model.side_index["regime"]) & on_map(t) & area).any()
    assert float(t.personnel[t.side == model.side_index["regime"]].sum()) < before["saa_men"]
    with pytest.raises(WargameError, match="no units and holds no ground at Saraqib"):
        game.intervene("surrender", {"place": "saraqib", "side": "regime", "to": "opposition"})
    assert [x["kind"] for x in store.interventions(game.id)] == ["surrender"]      # a refusal is not recorded
    play_turn(game)

    # every team hears of it, and the debrief lists it with the turn's decisions
    for team in HUMANS:
        heard = [describe(x, {}) for x in game.view(team)["reports"]]
        assert any("surrender negotiated at Saraqib" in line for line in heard), team
        assert any(line.startswith("Saraqib taken by opposition") for line in heard), team
    turn = game.debrief()[1]
    assert any("surrender negotiated at Saraqib" in d["decision"] for d in turn["decisions"])
    assert any(c["city"] == "saraqib" for c in turn["captures"])

    again = Game(store, game.id)                                       # a restarted server replays the record
    np.testing.assert_array_equal(again.model.control, model.control)
    np.testing.assert_array_equal(again.model.table.personnel, model.table.personnel)
    np.testing.assert_array_equal(again.model.table.state, model.table.state)
    np.testing.assert_array_equal(again.model.table.armour, model.table.armour)
    game.rewind(1)                          # the surrender was adjudicated at the start of turn 2: set aside
    assert holder(game, "saraqib") == "regime" and store.interventions(game.id) == []


def test_a_sector_surrenders_whole_and_bad_requests_are_refused_naming_why(store):
    game = new_game(store)
    model = game.model
    idlib = game.sectors.of_cell == game.sectors.index("idlib")
    opposition = model.side_index["opposition"]
    assert (model.control[idlib] == opposition).any()
    refusals = [({"place": "atlantis", "side": "regime", "to": "opposition"}, "'atlantis' is not a place"),
                ({"sector": "narnia", "side": "regime", "to": "opposition"}, "'narnia' is not a sector"),
                ({"place": "saraqib", "sector": "idlib", "side": "regime", "to": "opposition"}, "not both"),
                ({"side": "regime", "to": "opposition"}, "give the town (place) or the sector"),
                ({"place": "saraqib", "side": "regime", "to": "regime"}, "not at war"),
                ({"place": "saraqib", "side": "martians", "to": "regime"}, "each one of regime, opposition"),
                ({"place": "hasakah", "side": "opposition", "to": "regime"}, "no units and holds no ground")]
    for params, words in refusals:
        with pytest.raises(WargameError, match=re.escape(words)):
            game.intervene("surrender", params)
    assert store.interventions(game.id) == []
    game.intervene("surrender", {"sector": "Idlib", "side": "opposition", "to": "regime"})
    assert not (model.control[idlib & model.theatre.inside] == opposition).any()


def test_an_adjudicated_freeze_freezes_the_north_west_once_and_replays(store):
    game = new_game(store)
    assert not game.model.frozen.any()
    result = game.intervene("freeze", {})["result"]
    assert "freeze the north-west" in result and game.model.frozen.any()
    assert game.offer_open is False
    with pytest.raises(WargameError, match="frozen the north-west already"):
        game.intervene("freeze", {})
    play_turn(game)
    assert any("freeze the north-west" in describe(x, {}) for x in game.view("rebels")["reports"])
    again = Game(store, game.id)
    np.testing.assert_array_equal(again.model.frozen, game.model.frozen)
    np.testing.assert_array_equal(again.model.control, game.model.control)
    assert [e["action"] for e in store.entries(game.id)].count("outcome: freeze") == 1
