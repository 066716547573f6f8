"""An instructor creates a game from a scenario file of their own through the home page's form, in a real
(headless) Chromium: the browser's multipart form reaches the server, which builds the game from the file's
text. Uses the system's Chromium (/usr/bin/chromium), as test_play_browser.py does."""

from __future__ import annotations

from browser import CHROMIUM, require_browser

sync_api = require_browser()

from classroom_server import free_port, start_server, stop_server  # after the check: it needs httpx


def test_a_game_from_an_uploaded_scenario_file(tmp_path):
    scenario = tmp_path / "our class.toml"
    scenario.write_text('extends = "hts_2024_classroom"\n\n[meta]\ntitle = "Our own Idlib offensive"\n',
                        encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "/etc/passwd"\n', encoding="utf-8")
    port = free_port()
    proc = start_server(tmp_path / "games.sqlite", port)
    server = f"http://127.0.0.1:{port}"
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                page = browser.new_context().new_page()
                page.goto(server + "/")
                page.set_input_files("#scenario-file", str(bad))
                page.click("#new-game button[type=submit]")
                page.wait_for_selector("#new-game ul.errors")
                assert "an uploaded scenario may extend a built-in scenario only" in page.inner_text("ul.errors")
                page.set_input_files("#scenario-file", str(scenario))
                for box in page.locator("input[name=humans]").all():
                    box.set_checked(box.get_attribute("value") in ("regime", "rebels"))
                page.click("#new-game button[type=submit]")
                page.wait_for_selector("#team-codes")
                assert "our_class (uploaded)" in page.inner_text("header")
                page.click("#to-console")
                page.wait_for_selector("text=Instructor console")
                assert "Our own Idlib offensive" in page.inner_text("header")
                # the console's own forms still pass the server's origin checks
                page.click("form[data-endpoint='/api/instructor/pause'] button[type=submit]")
                page.wait_for_selector("#s-flags .paused", timeout=15_000)
            finally:
                browser.close()
    finally:
        stop_server(proc)
