"""The briefing and the end of a game in a real (headless) Chromium, at a laptop's 1280x800 and a phone's
390x844: each team page opens on its briefing, which folds when clicked; when the last turn is played the
team page shows its result and no order form, and the projector, left open, comes back with every team's
result and its clock stopped. Screenshots go to the test's tmp dir.

Uses the system's Chromium (/usr/bin/chromium), not a browser downloaded by `playwright install`."""

from __future__ import annotations

import httpx
import pytest
from browser import CHROMIUM, SIZES, require_browser

sync_api = require_browser()

from classroom_server import running_server  # after the check: it needs httpx
from test_play_briefing import ONE_TURN


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("browser")) as url:
        yield url


def new_game(server: str) -> dict[str, str]:
    """A one-turn game (test_play_briefing.ONE_TURN) created as a script would: every code."""
    with httpx.Client(base_url=server, headers={"Origin": server}) as client:
        r = client.post("/games", data={"humans": ["regime", "rebels"], "turn_hours": "60"},
                        files={"scenario_file": ("one turn.toml", ONE_TURN.encode(), "application/octet-stream")})
        assert r.status_code == 303, r.text
        instructor = next(iter(r.cookies.values()))
        return client.get("/api/instructor/view", headers={"X-Game-Code": instructor}).json()["codes"]


def inside(page, selector: str, width: int) -> bool:
    """Whether the element fits the viewport's width (no horizontal scroll of its own making)."""
    return page.evaluate(f"() => document.querySelector('{selector}').getBoundingClientRect().right <= {width} + 1")


@pytest.mark.parametrize("size", SIZES)
def test_a_team_reads_its_briefing_and_at_the_end_its_result_while_the_projector_stops(server, tmp_path, size):
    codes = new_game(server)
    viewport = SIZES[size]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            def join(code: str):
                page = browser.new_context(viewport=viewport).new_page()
                page.goto(server + "/")
                page.fill("#code", code)
                page.click("#join-form button[type=submit]")
                return page

            rebels = join(codes["rebels"])
            rebels.wait_for_selector("#briefing[open]")
            assert rebels.locator("#briefing ol.objectives li").all_inner_texts() == ["Take Hama", "Take Homs"]
            assert rebels.locator("#briefing dl.levers-help dt").all_inner_texts() == ["sectors", "tempo"]
            assert inside(rebels, "#briefing", viewport["width"])
            rebels.screenshot(path=str(tmp_path / f"briefing-{size}.png"))
            rebels.click("#briefing > summary")                        # read: folded away
            assert rebels.locator("#briefing").get_attribute("open") is None
            assert rebels.locator("#orders").is_visible()

            room = join(codes["projector"])
            room.wait_for_selector("#open-for")
            room.wait_for_function("() => /^\\d+:\\d\\d$/.test(document.getElementById('open-for').textContent)")

            with httpx.Client(base_url=server, headers={"Origin": server}) as client:
                r = client.post("/api/instructor/resolve", json={}, headers={"X-Game-Code": codes["instructor"]})
                assert r.status_code == 200, r.text

            # both pages follow the game by themselves: the team page to its result, the projector to every one
            rebels.wait_for_selector("#result", timeout=30_000)
            assert "The game is over: Lost" in rebels.inner_text("#result")
            assert rebels.locator("#orders").count() == 0 and "Orders for turn" not in rebels.content()
            assert inside(rebels, "#result", viewport["width"])
            rebels.screenshot(path=str(tmp_path / f"result-{size}.png"))
            room.wait_for_selector("#results", timeout=30_000)
            assert room.locator("#open-for").count() == 0                  # the clock is gone with the turn
            verdicts = room.locator("#results td.verdict").all_inner_texts()
            assert "Held" in verdicts and "Lost" in verdicts
            room.screenshot(path=str(tmp_path / f"projector-{size}.png"))
            # read from the room: on a laptop's 1280x800 the whole end page shows without scrolling
            if size == "laptop":
                assert room.evaluate("document.documentElement.scrollHeight") <= viewport["height"]
            assert inside(room, "#results", viewport["width"])
            room.click("#to-debrief")                                      # the projector's code opens it now
            room.wait_for_selector("#turn-slider")
            assert "Debrief" in room.inner_text("header.top h1")
        finally:
            browser.close()
