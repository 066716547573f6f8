"""What students type and read in the classroom: names of places and sectors as the map shows them, join
codes as typed, one turn number everywhere, orders that carry over, the hot-seat's help and map, and the
instructor's refusals and confirmations (issue 16, deliverables 5 and 7)."""

from __future__ import annotations

import re

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
    # the field in words, close names as the map writes them: no internal path, id or team id
    with pytest.raises(ScenarioError, match=r"\n  Idlib sector, axis: 'Sarakib' is not a place on the map; "
                                            r"did you mean Saraqib\?$"):
        game.submit("rebels", {"sectors": {"idlib": {"stance": "attack", "axis": "Sarakib"}}})
    with pytest.raises(ScenarioError, match=r"sector 'Idleb': no such sector; did you mean Idlib\?; "
                                            r"sectors: Aleppo, Idlib, .*Deir ez-Zor"):
        game.submit("rebels", {"sectors": {"Idleb": {"stance": "hold"}}})
    with pytest.raises(ScenarioError, match="reserves to: 'Mars' is not a sector"):
        game.submit("regime", {"reserves_to": "Mars"})
    with pytest.raises(ScenarioError, match="Aleppo sector, stance: 'charge' is not allowed"):
        game.submit("regime", {"sectors": {"aleppo": {"stance": "charge"}}})
    with pytest.raises(ScenarioError, match=r"air priorities, choice 2: .* must be a text string"):
        game.submit("russia", {"air_priorities": ["idlib", 5]})
    with pytest.raises(ScenarioError, match="^1 problem:\n  redeploy: ") as refused:
        game.submit("russia", {"redeploy": 99})
    assert "orders of" not in str(refused.value) and "sectors." not in str(refused.value)
    assert game.submitted() == []


def test_places_are_listed_by_names_of_their_own_that_resolve_back_to_them(game):
    """Jarablus the town and Jarablus the crossing, both labelled "Jarablus" on the map, are told apart in
    the hot-seat's `places` and in messages, and each name given is the place it names."""
    from wargame.play.hotseat import places_text

    labels = game.names.place.labels
    assert labels["jarablus"] == "Jarablus" and labels["jarablus_crossing"] == "Jarablus crossing (Turkey)"
    assert len(set(labels.values())) == len(labels)
    assert all(game.names.place(label) == pid for pid, label in labels.items())
    listed = places_text(game)
    assert listed.count("Jarablus (jarablus)") == 1 and "Jarablus crossing (Turkey) (jarablus_crossing)" in listed


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


def test_one_turn_number_in_the_status_the_log_and_the_hot_seat(store):
    from wargame.play.hotseat import picture_lines

    game = Game.create(store, humans=("regime", "rebels"))
    assert game.status()["turn_number"] == 1 and game.status()["turn"] == 0     # "turn": the record's index
    game.submit("rebels", {})
    game.resolve()
    status = game.status()
    assert status["turn_number"] == 2
    log = store.entries(game.id)
    assert [x["detail"]["turn_number"] for x in log if x["action"] in ("orders", "turn resolved")] == [1, 1]
    assert picture_lines(game.view("rebels"), game.sectors.names)[0].startswith("== HTS-led rebels: turn 2 of 12")
    game.rewind(1)
    assert store.entries(game.id)[-1]["detail"] == {"to_turn_number": 2}
    while not game.finished:
        game.resolve()
    assert game.status()["turn_number"] == game.config["turns"]           # the last turn played, not one past it


def test_orders_carry_over_to_the_next_turn_unless_changed_one_shot_levers_excepted(store):
    game = Game.create(store, humans=("regime", "rebels", "russia"))
    rebels = {"sectors": {"idlib": {"stance": "attack", "axis": "saraqib"}}, "tempo": "all_out"}
    game.submit("rebels", rebels)
    game.submit("russia", {"air_priorities": ["idlib"], "redeploy": 6})
    assert game.view("rebels")["orders_standing"] is None                # nothing before the first turn
    game.resolve()
    assert game.view("rebels")["orders_standing"] == {"turn_number": 1, "orders": rebels}
    assert game.view("russia")["orders_standing"] == {"turn_number": 1, "orders": {"air_priorities": ["idlib"]}}
    assert game.view("regime")["orders_standing"] is None                # it gave none: the AI went on
    game.submit("russia", {})                                            # sent: its own new orders count
    game.resolve()
    orders = store.orders(game.id, 1)
    assert orders["rebels"] == rebels and orders["russia"] == {} and "regime" not in orders
    carried = [x for x in store.entries(game.id) if x["action"] == "orders carried over"]
    assert [(x["who"], x["detail"]) for x in carried] == [("rebels", {"turn_number": 2, "from_turn_number": 1})]
    replayed = Game(store, game.id)                                      # the record is the game
    assert replayed.model.day == game.model.day and store.orders(game.id, 1)["rebels"] == rebels
    assert replayed.view("rebels")["orders_standing"]["turn_number"] == 2


def test_the_hot_seat_help_lists_sectors_places_levers_and_values_with_examples(store):
    from wargame.play.hotseat import help_text, places_text

    game = Game.create(store, humans=("regime", "rebels", "russia"))
    text = help_text("rebels", game)
    for needed in ("Idlib (idlib)", "Deir ez-Zor (deir_ez_zor)", "Aleppo airport", "doctrine", "withdraw",
                   "tempo", "cautious | steady | all_out", "e.g. idlib attack Saraqib", "map", "places"):
        assert needed in text, needed
    russia = help_text("russia", game)
    assert "redeploy           a whole number from 0 to 30" in russia and "talks_with_turkey  yes | no" in russia
    assert "Maarat al-Numan (maarat_al_numan)" in places_text(game)
    assert max(len(line) for line in (text + "\n" + places_text(game)).splitlines()) <= 100


def test_the_hot_seat_writes_the_teams_map_and_deletes_it_when_the_laptop_passes_on(store, tmp_path):
    from wargame.play.hotseat import play

    game = Game.create(store, humans=("regime", "rebels"))
    seen = []

    def ask(prompt):
        seen.append(sorted(p.name for p in tmp_path.glob("*.png")))
        return next(answers)
    answers = iter(["", "map", "hama hold", "", "idlib attack Saraqib; tempo=steady", "", "", "", "", "", "quit"])
    said = []
    play(game, ask=ask, say=said.append, clear=lambda: None, map_folder=tmp_path)
    name = f"map-{game.id}-regime-turn01.png"
    assert seen[2] == [name] and any(name in line for line in said)     # written while the regime plays
    assert seen[3] == []                                                 # gone before the rebels sit down
    assert any("Turn 1 resolved" in line for line in said) and game.turn == 2
    # turn 2: each team's empty line keeps its turn-1 orders, and it was told so
    assert sum("your orders from turn 1 stand unless you change them" in line for line in said) == 2
    assert store.orders(game.id, 1) == store.orders(game.id, 0) == {
        "regime": {"sectors": {"hama": {"stance": "hold"}}},
        "rebels": {"sectors": {"idlib": {"stance": "attack", "axis": "saraqib"}}, "tempo": "steady"}}


def test_counts_take_the_number_of_their_noun():
    from wargame.play.news import describe
    from wargame.play.words import count

    assert [count(1, "unit"), count(3, "unit"), count(1, "enemy unit"), count(2, "enemy"), count(1200, "man"),
            count(1, "man"), count(2.0, "unit")] == ["1 unit", "3 units", "1 enemy unit", "2 enemies", "1,200 men",
                                                      "1 man", "2 units"]
    deal = {"kind": "local_deal", "units": 1, "faction": "saa", "personnel": 1, "place": "idlib", "why": "cut off"}
    assert describe(deal, {}).startswith("1 unit of saa (1 man) settle")


def test_giving_a_city_to_the_side_that_holds_it_is_refused_and_changes_nothing(store):
    game = Game.create(store, humans=("regime", "rebels"))
    holder = game.model.side_ids[int(game.model.control[game.model.theatre.cities["hama"].cells[0]])]
    with pytest.raises(WargameError, match="Hama is already held by .*choose another side"):
        game.intervene("city", {"city": "hama", "side": holder})
    assert store.interventions(game.id) == []
    other = next(s for s in game.model.side_ids if s != holder)
    assert game.intervene("city", {"city": "hama", "side": other})["applied"] == "city"


def test_a_tap_on_the_map_names_the_sector_and_place_drawn_there(game):
    """The fractions the page sends are turned into ground by the same frame the picture is drawn with."""
    from wargame.play.maptap import picture_limits, tapped
    from wargame.report.maps.canvas import new_figure
    from wargame.report.maps.frame import set_frame
    from wargame.report.maps.picture import AXES_RECT, PICTURE_SIZES

    theatre = game.model.theatre
    w, h, dpi = PICTURE_SIZES["large"]
    for area in ("front", "all"):
        fig = new_figure((w, h), dpi)
        ax = fig.add_axes(AXES_RECT)
        set_frame(ax, picture_limits(theatre, area))
        for place, sector in (("saraqib", "idlib"), ("aleppo_airport", "aleppo"), ("hama", "hama")):
            cell = theatre.place_cell[place]
            px, py = ax.transData.transform((theatre.x[cell], theatre.y[cell]))
            got = tapped(game, area, float(px / (w * dpi)), float(1 - py / (h * dpi)))
            assert (got["sector"], got["place"]) == (sector, place), (area, place)
    assert tapped(game, "front", 0.574, 0.441)["place_name"] == "Saraqib"     # the browser test's spot
    for bad in ((0.01, 0.01), (1.5, 0.5), (float("nan"), 0.5)):
        with pytest.raises(WargameError, match="outside the theatre|fraction"):
            tapped(game, "front", *bad)


def test_the_hot_seat_draws_a_small_map_of_the_front_in_the_terminal(store):
    from wargame.play.hotseat import play

    game = Game.create(store, humans=("regime", "rebels"))
    answers = iter(["", "textmap", "quit"])
    said = []
    play(game, ask=lambda prompt: next(answers), say=said.append, clear=lambda: None)
    frame = [i for i, line in enumerate(said) if line.startswith("+---")]
    assert len(frame) == 2
    rows = said[frame[0] + 1: frame[1]]
    text = "".join(rows)
    assert all(len(r) == len(said[frame[0]]) <= 80 for r in rows)          # fits an 80-column terminal
    assert "@" in text and "#" in text and "IDL" in text and "ALE" in text   # own units and ground, sectors
    assert said[frame[1] + 2].startswith("other sides' ground: O HTS-led coalition")   # the regime's enemy


def test_the_hot_seat_lets_the_room_read_the_news_and_says_what_it_did_not_take(store):
    """The hand-over prompt comes before the screen is cleared (the room reads the turn's news), the last
    team's picture was cleared before it; text typed at the prompt is said not to be taken; orders are
    echoed in words, reports dated as the pages date them (trial 16, items 3 and 8)."""
    from wargame.play.hotseat import play

    game = Game.create(store, humans=("regime", "rebels"))
    tape: list[tuple[str, str]] = []
    answers = iter(["", "hama hold", "idlib attack saraqib", "idlib attack Saraqib; tempo=steady", "", "quit"])

    def ask(prompt):
        tape.append(("ask", prompt))
        return next(answers)
    play(game, ask=ask, say=lambda line: tape.append(("say", line)), clear=lambda: tape.append(("clear", "")))
    handovers = [k for k, (what, text) in enumerate(tape) if what == "ask" and text.startswith("Pass the laptop")]
    news = next(k for k, (what, text) in enumerate(tape) if text.startswith("Turn 1 resolved"))
    # the news is on the screen when the next hand-over is asked for: no clear between them
    after = next(k for k in handovers if k > news)
    assert all(what != "clear" for what, _ in tape[news:after])
    # every team's picture is cleared before the next hand-over, and the screen after it
    for k in handovers:
        assert tape[k + 1][0] == "clear"
        last_picture = max(j for j in range(k) if tape[j][1].startswith("== ")) if k != handovers[0] else None
        if last_picture is not None:
            assert any(what == "clear" for what, _ in tape[last_picture:k])
    # what was typed at the hand-over was not taken, and the rebels' orders are the ones typed after it
    said = [text for what, text in tape if what == "say"]
    assert "  ('idlib attack saraqib' typed at the hand-over was not taken: type your orders at the prompt below)" in said
    assert store.orders(game.id, 0)["rebels"] == {"sectors": {"idlib": {"stance": "attack", "axis": "saraqib"}},
                                                   "tempo": "steady"}
    # orders read back in words, never JSON; reports dated like the pages, never "day 0.25"
    assert "  orders accepted: Hama: hold" in said
    assert "  orders accepted: Idlib: attack towards Saraqib; tempo: steady; the turn resolves" in said
    assert any(line.endswith("stand unless you change them: Hama: hold") for line in said)
    assert not any("{" in line or re.search(r"\bday \d", line) for line in said), [
        line for line in said if "{" in line or re.search(r"\bday \d", line)]
    assert any(re.match(r"   \d\d [A-Z][a-z]{2} \d\d:\d\d: ", line) for line in said)


def test_the_hot_seat_map_marks_the_objectives_and_a_unit_that_came_over_reads_as_one(store):
    from wargame.play.hotseat import unit_line
    from wargame.play.textmap import text_map

    game = Game.create(store, humans=("regime", "rebels"))
    lines = text_map(game, "rebels", game.view("rebels"))
    assert any("*SAR" in line for line in lines if line.startswith("|"))                 # Saraqib, no sector town
    key = " ".join(line for line in lines if not line.startswith(("|", "+")))
    assert "*SAR Saraqib" in key and "*AIA Aleppo International Airport" in key        # tags told apart
    assert unit_line({"name": "4th Brigade (defected)", "state": "active"}) == "4th Brigade (came over to your side; active)"
    assert unit_line({"name": "4th Brigade", "state": "shaken"}) == "4th Brigade (shaken)"
