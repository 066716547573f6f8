"""A classroom server killed mid-turn (SIGKILL: no chance to clean up) and started again on the same file
resumes the game at the same turn with the orders already submitted."""

from __future__ import annotations

import signal

import pytest

pytest.importorskip("starlette", reason="the classroom server needs the web extra (starlette)")
pytest.importorskip("uvicorn", reason="the classroom server needs the web extra (uvicorn)")
httpx = pytest.importorskip("httpx")

from classroom_server import free_port, start_server, stop_server  # after the skips: it needs httpx


def test_a_killed_server_resumes_the_game_with_its_orders(tmp_path):
    db, port = tmp_path / "games.sqlite", free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(db, port)
    try:
        r = httpx.post(f"{url}/games", data={"scenario": "hts_2024_classroom", "humans": ["regime", "rebels"],
                                             "seed": "5"}, timeout=60)
        assert r.status_code == 200, r.text
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
