"""The after-action report in a real (headless) Chromium: the instructor's browser gets the "being drawn"
page at once, which reloads itself under the report's strict CSP (no script: a meta refresh) until the
report drawn by the server's worker process is there. Uses the system's Chromium (/usr/bin/chromium), as
test_play_browser.py does."""

from __future__ import annotations

import time

from browser import CHROMIUM, require_browser

sync_api = require_browser()

import httpx  # noqa: E402
from classroom_server import free_port, start_server, stop_server  # noqa: E402  (after the check: needs httpx)

PATIENCE_S = 600.0            # how long the test waits for the report before it fails (never a measure of speed)


def test_the_report_page_reloads_itself_until_the_report_is_there(tmp_path):
    port = free_port()
    proc = start_server(tmp_path / "games.sqlite", port)
    server = f"http://127.0.0.1:{port}"
    try:
        r = httpx.post(server + "/games", data={"scenario": "hts_2024_classroom", "humans": ["regime"],
                                                "turn_hours": ""}, timeout=120)
        instructor = r.cookies.get("wargame_code")
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                page = browser.new_context().new_page()
                page.goto(server + "/")
                page.fill("input[name=code]", instructor)
                page.press("input[name=code]", "Enter")
                page.wait_for_url("**/instructor")
                page.goto(server + "/instructor/report")
                assert "being drawn" in page.title()                 # at once: the report was only now asked for
                seen = {page.inner_text("#progress")}
                loads = []
                page.on("load", lambda _: loads.append(page.url))
                given_up = time.monotonic() + PATIENCE_S
                while time.monotonic() < given_up:
                    try:                        # the page reloads itself: a read may land mid-navigation
                        # the report, or its failure page (mid-reload the title is "" or "Loading ...")
                        if page.title().startswith(("After-action report", "The after-action report could not")):
                            break
                        if progress := page.query_selector("#progress"):     # gone once the page is the report
                            seen.add(progress.inner_text())
                    except sync_api.Error:
                        pass                    # read again once the new page is in
                    page.wait_for_timeout(300)
                page.wait_for_load_state()
                assert page.title().startswith("After-action report"), page.title()
                assert page.locator("#why").count() == 1                     # the whole report, not a piece
                assert loads and set(loads) == {server + "/instructor/report"}   # it reloaded itself, no script
                assert "starting" in seen or any("replaying" in x for x in seen), seen
            finally:
                browser.close()
    finally:
        stop_server(proc)
