"""Russia's seat in a real (headless) Chromium: its air card, air priorities picked from the lists offered
and its patron's course sent through the order form, at a laptop's width and a phone's.

Uses the system's Chromium (/usr/bin/chromium), not a browser downloaded by `playwright install`."""

from __future__ import annotations

import pytest
from browser import CHROMIUM, SIZES, require_browser

sync_api = require_browser()

import httpx  # noqa: E402  (after the check: the module is skipped without it)
from classroom_server import running_server  # noqa: E402

from wargame.web.security import COOKIE  # noqa: E402

SARAQIB = {"x": 0.574, "y": 0.441}       # Saraqib on the front's map (as tests/test_play_browser_layout.py)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("browser-russia")) as url:
        yield url


def russia_game(server: str) -> tuple[str, str]:
    """A game with Russia and the rebels played by students, one turn resolved: (Russia's code, the
    instructor's)."""
    with httpx.Client(base_url=server, headers={"Origin": server}) as client:
        r = client.post("/games", data={"scenario": "hts_2024_classroom", "humans": ["russia", "rebels"],
                                        "seed": "1"})
        assert r.status_code == 303, r.text
        instructor = r.cookies[COOKIE]
        codes = client.get("/api/instructor/view", headers={"X-Game-Code": instructor}).json()["codes"]
        assert client.post("/api/instructor/resolve", json={}, headers={"X-Game-Code": instructor}).status_code == 200
    return codes["russia"], instructor


@pytest.mark.parametrize("size", list(SIZES))
def test_russia_picks_its_air_targets_and_course_in_the_browser(server, size):
    code, _ = russia_game(server)
    problems: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_context(viewport=SIZES[size]).new_page()
            # a script error is a problem; so is any failed request but the favicon's (deliverable 5's)
            page.on("pageerror", lambda exc: problems.append(f"script: {exc}"))
            page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                    and problems.append(f"{r.status} {r.url}"))
            page.goto(server + "/")
            page.fill("#code", code)
            page.click("#join-form button[type=submit]")
            page.wait_for_selector("#air")
            assert "Russian air group, Khmeimim" in page.locator("#air table.air").inner_text()
            assert "Coordination with the ground" in page.locator("#air").inner_text()
            # the air card fits its column: nothing sticks out of it
            assert page.evaluate("() => { const a = document.getElementById('air'); "
                                 "return a.scrollWidth <= a.clientWidth + 1; }")
            firsts = page.locator("select[name=air_priorities]")
            assert firsts.count() == 3
            offered = firsts.first.locator("optgroup[label='Enemies you see'] option")
            assert offered.count() > 0
            place = offered.first.get_attribute("value")
            firsts.nth(0).select_option(place)
            firsts.nth(1).select_option("hama")
            firsts.nth(2).select_option(place)                       # the same twice counts once
            page.select_option("select[name=course]", "double_down")
            page.click("#submit-orders")
            page.wait_for_selector("#order-state.ok")
            view = page.request.get(server + "/api/view").json()
            assert view["orders_submitted"] == {"air_priorities": [place, "hama"], "course": "double_down"}
            # a target chosen on the map: a tap near Saraqib puts it first, the earlier choices after it
            page.wait_for_function("() => { const m = document.getElementById('map'); "
                                   "return m && m.complete && m.naturalWidth > 0; }", timeout=60_000)
            box = page.locator("#map").bounding_box()
            page.locator("#map").click(position={"x": SARAQIB["x"] * box["width"], "y": SARAQIB["y"] * box["height"]})
            page.click("#map-pick button:has-text('Strike near Saraqib first')")
            assert [firsts.nth(k).input_value() for k in range(3)] == ["saraqib", place, "hama"]
            with page.expect_response(lambda r: r.url.endswith("/api/orders")) as sent:
                page.click("#submit-orders")
            assert sent.value.ok
            view = page.request.get(server + "/api/view").json()
            assert view["orders_submitted"]["air_priorities"] == ["saraqib", place, "hama"]
        finally:
            browser.close()
    assert not problems, problems
