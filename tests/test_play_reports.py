"""The after-action report drawn by a background worker process (wargame/web/reports.py) from the game's
record (wargame/play/record.py): the game replayed from its record is the game; the report's page answers
at once while the report is drawn, and pages and orders answer meanwhile; the finished file is served
whole; a failure in the worker is a message, never a 500; the worker stops with the server.

No assertion here is about time: a stand-in job (tests/report_jobs.py) is held by a flag file until the
test has made its requests, so "while the report is being drawn" is a fact, not a race."""

from __future__ import annotations

import time

import numpy as np
import pytest

from wargame.play.game import Game
from wargame.play.record import GameRecord
from wargame.play.store import GameStore

starlette = pytest.importorskip("starlette", reason="the classroom server needs the web extra (starlette)")
pytest.importorskip("httpx", reason="starlette's TestClient needs httpx")

from starlette.testclient import TestClient  # noqa: E402

from tests import report_jobs  # noqa: E402
from wargame.web.app import make_app  # noqa: E402
from wargame.web.security import COOKIE  # noqa: E402

HUMANS = ("regime", "rebels")
PATIENCE_S = 600.0            # how long a test waits for the worker before it fails (never a measure of speed)


# ---------------------------------------------------------------------------------------------- the record

@pytest.fixture
def store(tmp_path):
    store = GameStore(tmp_path / "games.sqlite")
    yield store
    store.close()


def test_a_game_replayed_from_its_record_is_the_game_as_it_stands(store, tmp_path):
    game = Game.create(store, humans=HUMANS)
    game.submit("regime", {"sectors": {"aleppo": {"stance": "hold"}}})
    game.submit("rebels", {"tempo": "all_out", "sectors": {"idlib": {"stance": "attack", "axis": "saraqib"}}})
    game.intervene("israeli_strike", {"target": "depot"})                   # made since the last turn
    game.submit("regime", {"sectors": {"hama": {"stance": "withdraw"}}})   # this turn's orders: not yet the game
    record = GameRecord.of(game)
    assert record.turn == game.turn == 1

    copy = record.replay(tmp_path / "private")
    assert copy.turn == game.turn and copy.submitted() == []            # nothing resolved on loading
    np.testing.assert_array_equal(game.model.control, copy.model.control)
    np.testing.assert_array_equal(game.model.table.morale, copy.model.table.morale)
    np.testing.assert_array_equal(game.model.table.personnel, copy.model.table.personnel)
    assert copy.model.events.to_dicts() == game.model.events.to_dicts()
    assert copy.view("rebels")["own"] == game.view("rebels")["own"]
    assert store.turns(game.id)[0]["summary"]                             # the server's record is untouched
    copy.store.close()


def test_the_records_fingerprint_names_a_state_of_the_game(store):
    game = Game.create(store, humans=HUMANS)
    first = GameRecord.of(game).digest()
    assert GameRecord.of(game).digest() == first                        # the same state, the same name
    game.submit("regime", {"sectors": {"aleppo": {"stance": "hold"}}})
    assert GameRecord.of(game).digest() == first                        # orders not yet resolved change nothing
    game.intervene("weather", {"bad": True})
    after_inject = GameRecord.of(game).digest()
    assert after_inject != first
    game.submit("rebels", {})
    played = GameRecord.of(game).digest()
    assert played != after_inject
    game.rewind(0)
    assert GameRecord.of(game).digest() == first                        # back where it was, inject set aside


# ---------------------------------------------------------------------------------------------- the server

@pytest.fixture
def server(tmp_path):
    app = make_app(tmp_path / "games.sqlite")
    client = TestClient(app, follow_redirects=False)
    r = client.post("/games", data={"scenario": "hts_2024_classroom", "humans": list(HUMANS), "seed": "3",
                                    "turn_hours": ""})
    assert r.status_code == 303, r.text
    codes = client.get("/api/instructor/view").json()["codes"]
    yield app, client, codes
    app.state.reports.close()


def as_code(client: TestClient, code: str) -> TestClient:
    client.cookies.clear()
    client.cookies.set(COOKIE, code)
    return client


def wait_for(condition, what: str) -> None:
    given_up = time.monotonic() + PATIENCE_S
    while not condition():
        if time.monotonic() > given_up:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


def report_page(client: TestClient, code: str):
    return as_code(client, code).get("/instructor/report")


def test_pages_and_orders_answer_while_a_report_is_drawn_then_the_finished_report_is_served(server):
    app, client, codes = server
    desk = app.state.reports
    desk.job = report_jobs.held_report
    instructor = codes["instructor"]

    r = report_page(client, instructor)
    assert r.status_code == 202 and "is being drawn" in r.text                # at once, not the report
    assert '<meta http-equiv="refresh"' in r.text and "script-src" not in r.headers["content-security-policy"]
    wait_for(lambda: (desk.folder / report_jobs.STARTED).exists(), "the worker starts the report")

    # the report is held in the worker until released below: everything here happens while it is drawn
    team = as_code(client, codes["regime"])
    assert team.get("/team").status_code == 200
    assert team.get("/api/view").json()["status"]["turn"] == 0
    assert team.get("/api/status").status_code == 200
    r = team.post("/api/orders", json={"sectors": {"aleppo": {"stance": "hold"}}})
    assert r.status_code == 200, r.text
    r = as_code(client, codes["rebels"]).post("/api/orders", json={"sectors": {"idlib": {"stance": "attack"}}})
    assert r.status_code == 200 and r.json()["status"]["turn"] == 1           # the turn resolved meanwhile
    assert as_code(client, codes["rebels"]).get("/team").status_code == 200
    assert as_code(client, instructor).get("/instructor").status_code == 200
    assert desk.busy()

    # the game moved on: its report is a new one, queued behind the one still being drawn
    r = report_page(client, instructor)
    assert r.status_code == 202 and "1 other report first" in r.text
    (desk.folder / report_jobs.RELEASE).touch()
    wait_for(lambda: not desk.busy(), "the worker finishes both reports")
    r = report_page(client, instructor)
    assert r.status_code == 200 and "Held report" in r.text and "turn 1" in r.text
    assert "style-src 'unsafe-inline'" in r.headers["content-security-policy"]
    drawn = [p for p in desk.folder.iterdir() if p.is_dir()]
    assert len(drawn) == 2 and all((p / "report.html").is_file() for p in drawn)     # each whole, none partial


def test_the_report_page_says_how_far_the_drawing_is(server):
    app, client, codes = server
    desk = app.state.reports
    desk.job = report_jobs.held_report
    report_page(client, codes["instructor"])
    wait_for(lambda: (desk.folder / report_jobs.STARTED).exists(), "the worker starts the report")
    r = report_page(client, codes["instructor"])
    assert r.status_code == 202 and "held by the test" in r.text                  # what the worker last said
    (desk.folder / report_jobs.RELEASE).touch()


def said_and_drawn_again(server, job, waited: str, *words: str) -> str:
    """Ask for the report with a job that goes wrong in the worker: once the worker is done, the page says so
    (with `words`); asked again, the report is drawn again. The page's text."""
    app, client, codes = server
    desk = app.state.reports
    desk.job = job
    assert report_page(client, codes["instructor"]).status_code == 202
    wait_for(lambda: not desk.busy(), waited)
    r = report_page(client, codes["instructor"])
    assert r.status_code == 200 and all(w in r.text for w in words)
    desk.job = report_jobs.held_report                                           # asked again: drawn again
    assert report_page(client, codes["instructor"]).status_code == 202
    wait_for(lambda: (desk.folder / report_jobs.STARTED).exists(), "a worker starts the report again")
    (desk.folder / report_jobs.RELEASE).touch()
    return r.text


def test_a_report_that_fails_in_the_worker_is_a_message_and_can_be_asked_for_again(server):
    text = said_and_drawn_again(server, report_jobs.failing_report, "the worker gives up",
                                "could not be drawn", "the fake report always fails")
    assert "Traceback" not in text and 'href="/instructor/report"' in text


def test_a_report_that_cannot_be_started_is_a_message(server):
    app, client, codes = server
    desk = app.state.reports
    desk.folder = desk.folder.parent / "games.sqlite"          # a file where the reports' folder should be
    r = report_page(client, codes["instructor"])
    assert r.status_code == 200 and "could not be started" in r.text and "Traceback" not in r.text


def test_a_worker_that_dies_is_said_so_and_replaced_at_the_next_request(server):
    app, client, codes = server
    said_and_drawn_again(server, report_jobs.dying_report, "the worker dies", "the worker drawing it stopped")
    wait_for(lambda: not app.state.reports.busy(), "the new worker finishes")
    assert "Held report" in report_page(client, codes["instructor"]).text


def test_the_report_is_the_instructors_and_its_path_is_never_the_requests(server):
    app, client, codes = server
    desk = app.state.reports
    desk.job = report_jobs.held_report
    for code in (codes["regime"], codes["rebels"]):
        assert report_page(client, code).status_code == 403
    assert not desk.jobs                                                          # a team starts no drawing
    client = as_code(client, codes["instructor"])
    for query in ("?path=../../etc/passwd", "?game=other", "?turn=5&name=x"):
        assert client.get(f"/instructor/report{query}").status_code == 202
    assert len(desk.jobs) == 1                                                   # one state of one game: one job
    (desk.folder / report_jobs.RELEASE).touch()


def test_a_reports_name_is_a_plain_file_name_whatever_the_game_id(tmp_path):
    from wargame.web.reports import ReportDesk

    desk = ReportDesk(tmp_path)
    for game in ("abc123", "../../etc", "a/b\\c", "\x00x", "."):
        name = desk.name(GameRecord(game=game, config={}, scenario_text=None, orders=[{}], interventions=[]))
        assert (tmp_path / name).parent == tmp_path and name.startswith("game-") and "/" not in name
        assert "-turn01-" in name


def test_the_worker_stops_with_the_server_even_in_the_middle_of_a_report(tmp_path):
    app = make_app(tmp_path / "games.sqlite")
    app.state.reports.job = report_jobs.held_report
    with TestClient(app, follow_redirects=False) as client:                      # runs the app's lifespan
        client.post("/games", data={"scenario": "hts_2024_classroom", "humans": list(HUMANS), "turn_hours": ""})
        assert client.get("/instructor/report").status_code == 202
        desk = app.state.reports
        wait_for(lambda: (desk.folder / report_jobs.STARTED).exists(), "the worker starts the report")
        workers = list(desk.pool._processes.values())
        assert workers and all(w.is_alive() for w in workers)
    # never released: the server's end stopped it, and nothing of it is left to be served
    assert desk.pool is None and not any(w.is_alive() for w in workers)
    assert not [p for p in desk.folder.iterdir() if (p / "report.html").is_file()]
    r = TestClient(app).get("/instructor/report", headers={"X-Game-Code": client.cookies.get(COOKIE)})
    assert r.status_code == 200 and "shutting down" in r.text

