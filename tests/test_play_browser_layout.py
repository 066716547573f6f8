"""The classroom's pages fit the screens they are used on (issue 16, deliverable 5): a laptop at 1280x800 and
a phone 390 px wide, with no horizontal scroll, on the team, instructor and projector pages, once a turn
has been played (a sector then shows "N shaken", which once pushed the team page to 1,340 px). And the map
can be zoomed, and a sector chosen by tapping it.

Screenshots are kept under the test's tmp dir and copied to /tmp/play_shots/layout-*.png for a human."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser import CHROMIUM, SIZES, horizontal_overflow, require_browser

sync_api = require_browser()

import httpx  # noqa: E402  (after the check: the web extra)
from classroom_server import free_port, start_server, stop_server  # noqa: E402

SHOTS = Path("/tmp/play_shots")
SCREENS = SIZES
HUMANS = ("regime", "rebels", "russia")


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """A server with a game two turns in (units shaken, reports, a will that moved): its URL and codes."""
    port = free_port()
    proc = start_server(tmp_path_factory.mktemp("layout") / "games.sqlite", port)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            r = client.post("/games", data={"scenario": "hts_2024_classroom", "humans": list(HUMANS), "seed": "5"},
                            follow_redirects=True)                  # to the page of the codes
            assert r.status_code == 200, r.text[:500]
            instructor = re.search(r'id="instructor-code">([A-Z0-9]+)<', r.text).group(1)
            head = {"X-Game-Code": instructor}
            codes = client.get("/api/instructor/view", headers=head).json()["codes"]
            client.post("/api/orders", json={"sectors": {"idlib": {"stance": "attack", "axis": "Saraqib"}},
                                             "tempo": "all_out"}, headers={"X-Game-Code": codes["rebels"]})
            for _ in range(2):
                assert client.post("/api/instructor/resolve", json={}, headers=head).status_code == 200
        yield url, codes
    finally:
        stop_server(proc)


def join(browser, url: str, code: str, viewport: dict):
    context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                  is_mobile=viewport["width"] < 600, has_touch=viewport["width"] < 600)
    page = context.new_page()
    page.goto(url + "/")
    page.fill("#code", code)
    page.click("#join-form button[type=submit]")
    page.wait_for_load_state()
    return page


def wait_for_map(page) -> None:
    page.wait_for_function("() => { const m = document.getElementById('map'); "
                           "return !m || (m.complete && m.naturalWidth > 0); }", timeout=60_000)


def test_every_page_fits_a_laptop_and_a_phone_without_scrolling_sideways(played, tmp_path):
    url, codes = played
    shots = tmp_path / "shots"
    shots.mkdir()
    found = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            for screen, viewport in SCREENS.items():
                for who, path in (("regime", "/team"), ("rebels", "/team"), ("russia", "/team"),
                                  ("instructor", "/instructor"), ("instructor", "/debrief"),
                                  ("projector", "/projector"), ("projector", "/")):
                    page = join(browser, url, codes[who], viewport)
                    page.goto(url + path)
                    wait_for_map(page)
                    name = f"layout-{screen}-{who}" + {"/debrief": "-debrief", "/": "-join-page"}.get(path, "")
                    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
                    found[name] = horizontal_overflow(page)
                    if who == "regime":
                        text = page.inner_text("main")
                        assert "shaken" in text, "the case that overflowed: a sector showing N shaken"
                    page.context.close()
        finally:
            browser.close()
    SHOTS.mkdir(exist_ok=True)
    for png in shots.glob("*.png"):
        shutil.copy(png, SHOTS / png.name)
    wide = {name: x for name, x in found.items() if x["scroll_width"] > x["width"]}
    assert not wide, "\n".join(f"{name}: {x['scroll_width']} px wide in {x['width']}: {', '.join(x['offenders'])}"
                                for name, x in wide.items())


def test_the_map_zooms_and_a_tap_on_it_chooses_a_sector(played, tmp_path):
    url, codes = played
    spot = {"x": 0.574, "y": 0.441}                      # Saraqib on the front's map (test_play_input checks the sums)
    expected = httpx.get(f"{url}/api/map/sector", params={"area": "front", **spot},
                         headers={"X-Game-Code": codes["rebels"]}).json()
    assert expected["sector"] == "idlib" and expected["place_name"] == "Saraqib"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = join(browser, url, codes["rebels"], SCREENS["phone"])
            wait_for_map(page)
            box = page.locator("#mapbox")
            before = page.locator("#map").bounding_box()["width"]
            page.click("button[data-zoom='1']")
            page.click("button[data-zoom='1']")
            assert "zoom-2" in box.get_attribute("class")
            assert page.locator("#map").bounding_box()["width"] > 2 * before      # larger, inside its box
            assert horizontal_overflow(page)["scroll_width"] <= SCREENS["phone"]["width"]
            page.click("button[data-zoom='-1']")
            page.click("button[data-zoom='-1']")
            assert "zoom-" not in (box.get_attribute("class") or "")
            full = page.locator(".maptools a.button").get_attribute("href")
            assert full.startswith("/api/map.png?area=front")
            assert page.request.get(url + full).headers["content-type"] == "image/png"
            size = page.locator("#map").bounding_box()
            page.locator("#map").click(position={"x": spot["x"] * size["width"], "y": spot["y"] * size["height"]})
            page.wait_for_selector("#map-pick button")
            assert "Idlib sector, near Saraqib" in page.inner_text("#map-pick")
            assert "picked" in page.locator("tr[data-sector=idlib]").get_attribute("class")
            page.click("#map-pick button:has-text('Attack towards Saraqib')")
            assert page.locator("tr[data-sector=idlib] select[name=stance]").input_value() == "attack"
            assert page.locator("tr[data-sector=idlib] input[name=axis]").input_value() == "Saraqib"
            page.screenshot(path=str(tmp_path / "layout-phone-tapped.png"))
            shutil.copy(tmp_path / "layout-phone-tapped.png", SHOTS / "layout-phone-tapped.png")
        finally:
            browser.close()


def test_resolving_the_turn_from_the_console_asks_first(played):
    url, codes = played
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = join(browser, url, codes["instructor"], SCREENS["laptop"])
            before = page.request.get(url + "/api/status").json()["turn_number"]
            asked = []

            def answer(dialog, accept: bool):
                asked.append(dialog.message)
                dialog.accept() if accept else dialog.dismiss()
            sent = []
            page.on("request", lambda r: "/api/instructor/resolve" in r.url and sent.append(r.url))
            page.once("dialog", lambda d: answer(d, False))
            # the click's handler runs to its end (the dialog, then any fetch) before click() returns
            page.click("#resolve-now")
            assert sent == [] and page.request.get(url + "/api/status").json()["turn_number"] == before
            assert asked and asked[0].startswith(f"Resolve turn {before} now?")
            page.once("dialog", lambda d: answer(d, True))
            page.click("#resolve-now")
            page.wait_for_function(f"() => document.getElementById('s-turn').innerText.includes('Turn {before + 1}')",
                                   timeout=60_000)
            assert len(sent) == 1 and page.request.get(url + "/api/status").json()["turn_number"] == before + 1
        finally:
            browser.close()


def test_the_console_fits_a_phone_and_a_team_reaches_its_order_form_at_once(played):
    """The trial's console at 390 px scrolled sideways (its will-to-fight table reached 419 px); the regime's
    "Send orders" was some 3,700 px down its page at 1280x800, with nothing to get there but scrolling."""
    url, codes = played
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            console = join(browser, url, codes["instructor"], SCREENS["phone"])
            fit = horizontal_overflow(console)
            assert fit["scroll_width"] <= SCREENS["phone"]["width"], fit
            will = console.evaluate("() => { const t = document.querySelector('#will table.will');"
                                    " const card = document.getElementById('will').getBoundingClientRect();"
                                    " return {right: t.getBoundingClientRect().right, card: card.right,"
                                    " rows: t.querySelectorAll('tbody tr').length}; }")
            assert will["rows"] >= 3 and will["right"] <= will["card"] + 1, will
            # the change still says what it is a change over, its column head hidden on a phone
            head = console.evaluate("() => getComputedStyle(document.querySelector('#will td[data-head]'), '::before')"
                                    ".content")
            assert "since the start" in head
            console.context.close()

            regime = join(browser, url, codes["regime"], SCREENS["laptop"])
            regime.wait_for_selector("#to-orders")
            form_top = regime.evaluate("() => document.getElementById('orders').getBoundingClientRect().top")
            assert form_top > SCREENS["laptop"]["height"]               # the case: far below the first screen
            regime.click("#to-orders")
            regime.wait_for_function("() => { const r = document.getElementById('orders').getBoundingClientRect();"
                                     " return r.top >= 0 && r.top < window.innerHeight / 2; }")
            assert regime.locator("#orders h2").is_visible()
        finally:
            browser.close()
