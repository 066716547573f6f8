"""A classroom server killed mid-turn (SIGKILL: no chance to clean up) and started again on the same file
resumes the game at the same turn with the orders already submitted."""

from __future__ import annotations

import signal

import pytest

pytest.importorskip("starlette", reason="the classroom server needs the web extra (starlette)")
pytest.importorskip("uvicorn", reason="the classroom server needs the web extra (uvicorn)")
httpx = pytest.importorskip("httpx")

from classroom_server import free_port, start_server, stop_server  # noqa: E402  (after the skips: it needs httpx)


def test_a_killed_server_resumes_the_game_with_its_orders(tmp_path):
    db, port = tmp_path / "games.sqlite", free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(db, port)
    try:
        r = httpx.post(f"{url}/games", data={"scenario": "hts_2024_classroom", "humans": ["regime", "rebels"],
                                             "seed": "5"}, timeout=60)
        assert r.status_code == 303, r.text       # to the codes page (POST/redirect/GET)
        instructor = r.cookies.get("wargame_code")
        codes = httpx.get(f"{url}/api/instructor/view", headers={"X-Game-Code": instructor}).json()["codes"]
        orders = {"sectors": {"aleppo": {"stance": "hold"}, "hama": {"stance": "attack", "axis": "khan_shaykhun"}},
                  "reserves_to": "hama"}
        r = httpx.post(f"{url}/api/orders", json=orders, headers={"X-Game-Code": codes["regime"]}, timeout=60)
        assert r.status_code == 200 and r.json()["turn_resolved"] is False
        before = httpx.get(f"{url}/api/status", headers={"X-Game-Code": codes["rebels"]}).json()
        assert before["turn"] == 0 and before["submitted"] == ["regime"]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    proc = start_server(db, port)
    try:
        status = httpx.get(f"{url}/api/status", headers={"X-Game-Code": codes["rebels"]}, timeout=60).json()
        assert status["game"] == before["game"] and status["turn"] == 0 and status["submitted"] == ["regime"]
        view = httpx.get(f"{url}/api/view", headers={"X-Game-Code": codes["regime"]}).json()
        assert view["orders_submitted"] == orders
        assert httpx.get(f"{url}/api/instructor/view", headers={"X-Game-Code": instructor}).json()["orders"] == \
            {"regime": orders}
        r = httpx.post(f"{url}/api/orders", json={"tempo": "all_out"}, headers={"X-Game-Code": codes["rebels"]},
                       timeout=60)
        assert r.status_code == 200 and r.json()["turn_resolved"] is True
        assert r.json()["status"]["turn"] == 1 and r.json()["status"]["submitted"] == []
        debrief = httpx.get(f"{url}/api/instructor/debrief", headers={"X-Game-Code": instructor}).json()
        assert [d["turn"] for d in debrief] == [0] and debrief[0]["orders"] == {"regime": orders,
                                                                                 "rebels": {"tempo": "all_out"}}
    finally:
        stop_server(proc)


def interrupted_game(db, orders: dict[str, dict], paused: bool = False) -> tuple[str, str]:
    """A game whose every human team's orders for turn 0 are on disk but the turn is not resolved: the state
    a server killed between the last order and the resolve leaves (built in the SQLite file directly)."""
    from wargame.play.game import Game
    from wargame.play.store import GameStore

    store = GameStore(db)
    game = Game.create(store, "hts_2024_classroom", seed=5, humans=tuple(orders))
    for team, team_orders in orders.items():
        store.put_orders(game.id, 0, team, team_orders)
        store.log(game.id, team, "orders", {"turn": 0})
    store.set_paused(game.id, paused)
    assert store.turns(game.id) == []
    codes = store.codes(game.id)
    store.close()
    return game.id, codes["instructor"]


def test_a_turn_every_team_had_ordered_before_a_crash_resolves_when_the_server_starts_again(tmp_path):
    from starlette.testclient import TestClient

    from wargame.web.app import make_app

    orders = {"regime": {"sectors": {"aleppo": {"stance": "hold"}}}, "rebels": {"tempo": "all_out"}}
    gid, instructor = interrupted_game(tmp_path / "games.sqlite", orders)
    client = TestClient(make_app(tmp_path / "games.sqlite"))           # the server started again
    status = client.get("/api/status", headers={"X-Game-Code": instructor}).json()
    assert status["turn"] == 1 and status["submitted"] == [] and not status["paused"]
    debrief = client.get("/api/instructor/debrief", headers={"X-Game-Code": instructor}).json()
    assert [d["turn"] for d in debrief] == [0] and debrief[0]["orders"] == orders
    log = client.get("/api/instructor/view", headers={"X-Game-Code": instructor}).json()["log"]
    assert log[-1]["action"] == "turn resolved" and "loaded again" in log[-1]["detail"]["by"]


def test_a_paused_game_waits_and_a_turn_that_cannot_resolve_pauses_with_a_note(tmp_path):
    from starlette.testclient import TestClient

    from wargame.web.app import make_app

    db = tmp_path / "games.sqlite"
    paused, code_paused = interrupted_game(db, {"regime": {}, "rebels": {}}, paused=True)
    # orders that no longer parse (say, written by another version): the turn cannot be resolved
    broken, code_broken = interrupted_game(db, {"regime": {"sectors": {"narnia": {"stance": "hold"}}}, "rebels": {}})
    client = TestClient(make_app(db))
    status = client.get("/api/status", headers={"X-Game-Code": code_paused}).json()
    assert status["turn"] == 0 and status["paused"] and status["submitted"] == ["rebels", "regime"]
    status = client.get("/api/status", headers={"X-Game-Code": code_broken}).json()
    assert status["turn"] == 0 and status["paused"]                  # the game loads, paused, at its turn
    view = client.get("/api/instructor/view", headers={"X-Game-Code": code_broken}).json()
    assert view["log"][-1]["action"] == "paused" and "could not be resolved" in view["log"][-1]["detail"]["note"]
    page = client.get("/instructor", headers={"X-Game-Code": code_broken})
    assert page.status_code == 200 and "could not be resolved" in page.text     # the note, in the console
