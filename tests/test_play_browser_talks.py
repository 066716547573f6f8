"""Talks in a real (headless) Chromium: a team writes to another through its page's form, the addressee's
page learns of it by its poll and shows it, a third team's page never does, the white cell reads it on the
console, answers, and adjudicates the surrender they agreed through the console's form (confirming it).
The messages card fits its column on a laptop (1280x800) and a phone (390x844), with no sideways scroll.
Uses the system's Chromium (/usr/bin/chromium), as test_play_browser.py does."""

from __future__ import annotations

import httpx
from browser import CHROMIUM, SIZES, require_browser

sync_api = require_browser()

from classroom_server import free_port, start_server, stop_server  # after the check: it needs httpx

LAPTOP, PHONE = SIZES["laptop"], SIZES["phone"]


def fits(page, selector: str) -> bool:
    """Whether the element is no wider than its column and scrolls nothing sideways inside itself (the page's
    own fit to the window is test_play_browser.py's)."""
    return page.evaluate("(sel) => { const n = document.querySelector(sel); const r = n.getBoundingClientRect();"
                         " const col = n.parentElement.getBoundingClientRect();"
                         " return n.scrollWidth <= n.clientWidth + 1 && r.right <= col.right + 1; }", selector)


def test_teams_talk_and_the_white_cell_adjudicates_in_the_browser(tmp_path):
    port = free_port()
    proc = start_server(tmp_path / "games.sqlite", port)
    server = f"http://127.0.0.1:{port}"
    try:
        r = httpx.post(f"{server}/games", data={"scenario": "hts_2024_classroom", "seed": "4",
                                                "humans": ["regime", "rebels", "iran"]}, timeout=60)
        assert r.status_code == 303, r.text
        instructor = r.cookies.get("wargame_code")
        codes = httpx.get(f"{server}/api/instructor/view", headers={"X-Game-Code": instructor}).json()["codes"]
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                def join(code: str, viewport: dict):
                    page = browser.new_context(viewport=viewport).new_page()
                    page.goto(server + "/")
                    page.fill("#code", code)
                    page.click("#join-form button[type=submit]")
                    page.wait_for_selector("#statusbar")
                    return page

                regime, rebels, iran = (join(codes["regime"], LAPTOP), join(codes["rebels"], PHONE),
                                        join(codes["iran"], LAPTOP))
                teacher = join(instructor, LAPTOP)

                # the rebels change their orders, do not send them yet, and write to the regime through
                # their page's form: the page reloads to show the message, and the unsent orders stay
                idlib = rebels.locator('#orders tr[data-sector="idlib"]')
                idlib.locator("select[name=stance]").select_option("attack")
                idlib.locator("input[name=axis]").fill("Saraqib")
                form = rebels.locator("#message-form")
                form.locator("select[name=to]").select_option("regime")
                form.locator("textarea[name=text]").fill("Lay down your arms at Saraqib and walk out.")
                form.locator("button[type=submit]").click()
                rebels.wait_for_selector("#messages li.msg.sent", timeout=15_000)        # the page reloads
                assert "you → The Assad regime" in rebels.inner_text("#messages")
                assert idlib.locator("select[name=stance]").input_value() == "attack"
                assert idlib.locator("input[name=axis]").input_value() == "Saraqib"
                assert "not sent yet" in rebels.inner_text("#order-state")
                assert fits(rebels, "#messages")

                # an empty message is refused beside the form, naming the field
                rebels.locator("#message-form textarea[name=text]").fill("   ")
                rebels.locator("#message-form button[type=submit]").click()
                rebels.wait_for_selector("#message-form .result.error")
                assert "text: the message is empty" in rebels.inner_text("#message-form .result")

                # the regime's page learns of it by its poll; Iran's never shows it
                regime.wait_for_selector("#messages li.msg.received", timeout=20_000)
                assert "Lay down your arms at Saraqib" in regime.inner_text("#messages")
                assert fits(regime, "#messages")
                iran.reload()
                assert "Saraqib and walk out" not in iran.inner_text("body")

                # the white cell reads it, answers every team, and adjudicates the surrender
                teacher.reload()
                assert "Lay down your arms at Saraqib" in teacher.inner_text("#messages")
                talk = teacher.locator("#message-form")
                talk.locator("select[name=to]").select_option("all")
                talk.locator("textarea[name=text]").fill("The white cell will rule on Saraqib.")
                talk.locator("button[type=submit]").click()
                teacher.wait_for_selector("text=The white cell will rule on Saraqib.", timeout=15_000)
                teacher.on("dialog", lambda dialog: dialog.accept())                   # the confirmation
                surrender = teacher.locator("form[data-kind=surrender]")
                surrender.locator("input[name=place]").fill("Saraqib")
                surrender.locator("select[name=side]").select_option("regime")
                surrender.locator("select[name=to]").select_option("opposition")
                surrender.locator("button[type=submit]").click()
                teacher.wait_for_selector("text=surrender negotiated at Saraqib", timeout=15_000)
                iran.reload()
                assert "The white cell will rule on Saraqib." in iran.inner_text("#messages")
                truth = httpx.get(f"{server}/api/instructor/view", headers={"X-Game-Code": instructor}).json()
                assert [x["kind"] for x in truth["interventions"]] == ["surrender"]
            finally:
                browser.close()
    finally:
        stop_server(proc)
