"""A whole classroom game in a real (headless) Chromium, as a class plays it (issue 16's bar): three teams
(the rebels on a laptop at 1280x800, the regime and Russia on phones at 390x844) play the classroom
scenario's 12 turns through their pages' forms, each turn's orders different (stances, an axis by the name
the map writes, the team's levers); a turn resolves when all three have sent, once by the instructor's
"Resolve the turn now" (confirmed in its dialog) with Russia's orders left standing. Asserted on the way:

- each team page opens on its briefing and objectives;
- after every turn each team page says what happened in it: the ground and cities its side gained and lost
  (as its /api/summaries says, in names, never an internal id) and its losses;
- a message the regime sends Russia reaches Russia's page and never the rebels' page or messages;
- at the end every page gives the result: each team's verdict (no order form left), the projector's
  (its clock stopped) and the console's (with the debrief a click away);
- no page scrolls sideways, at either size: each page is also looked at in the other size (its viewport
  resized) at the start, mid-game and at the end.

Screenshots go to the test's tmp dir and are copied to /tmp/play_shots/e2e-*.png for a human to look at.
Uses the system's Chromium (/usr/bin/chromium), as the other browser tests do."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from browser import CHROMIUM, SIZES, horizontal_overflow, require_browser

sync_api = require_browser()

import httpx  # noqa: E402  (after the check: the web extra)
from classroom_server import free_port, start_server, stop_server  # noqa: E402

SHOTS = Path("/tmp/play_shots")
SEATS = {"rebels": "laptop", "regime": "phone", "russia": "phone"}      # each team's own screen
TURNS = 12
BY_HAND = 7               # the turn the instructor resolves from the console, Russia's orders left standing
TALK = "Hama is about to fall: strike the columns on the M5 first."
SNAKE_ID = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")    # an internal id (maarat_al_numan, saa_t4) in a student's text


def orders_of(team: str, turn: int) -> dict:
    """The orders a team gives on a turn (1-12), varied: stances by sector, an axis by the map's name (in
    whatever case a student types it), the team's levers. Sectors not named keep last turn's orders."""
    if team == "rebels":
        plans = [{"idlib": ("attack", "saraqib"), "aleppo": ("attack", "Aleppo airport"), "tempo": "all_out"},
                 {"idlib": ("attack", "Maarat al-Numan"), "aleppo": ("hold", ""), "tempo": "steady"},
                 {"idlib": ("attack", "KHAN SHAYKHUN"), "hama": ("attack", "Hama"), "tempo": "all_out"},
                 {"idlib": ("doctrine", ""), "hama": ("attack", "Hama"), "latakia": ("hold", ""), "tempo": "cautious"}]
    elif team == "regime":
        plans = [{"aleppo": ("hold", ""), "idlib": ("withdraw", ""), "reserves_to": "hama"},
                 {"hama": ("hold", ""), "idlib": ("attack", "Saraqib"), "reserves_to": "aleppo"},
                 {"idlib": ("hold", ""), "homs": ("hold", ""), "hama": ("attack", "maarat al-numan"),
                  "reserves_to": ""},
                 {"hama": ("withdraw", ""), "aleppo": ("doctrine", ""), "reserves_to": "homs"}]
    else:
        plans = [{"air": 1, "redeploy": "6"},
                 {"air": 2, "idlib": ("hold", ""), "talks_with_turkey": True},
                 {"air": 1, "course": "double_down", "redeploy": "0"},
                 {"air": 0, "hama": ("hold", ""), "talks_with_turkey": False}]
    return plans[(turn - 1) % len(plans)]


def fill_orders(page, team: str, turn: int) -> None:
    """The turn's orders typed into the team's form (not sent)."""
    for key, value in orders_of(team, turn).items():
        if isinstance(value, tuple):
            stance, axis = value
            page.select_option(f"tr[data-sector={key}] select[name=stance]", stance)
            page.fill(f"tr[data-sector={key}] input[name=axis]", axis)
        elif key in ("tempo", "reserves_to", "course"):
            page.select_option(f"select[name={key}]", value)
        elif key == "redeploy":
            page.fill("input[name=redeploy]", value)
        elif key == "talks_with_turkey":
            box = page.locator("input[name=talks_with_turkey]")
            assert box.bounding_box()["width"] < 40, "a check box drawn as a wide field"
            box.set_checked(value)
        elif key == "air":                    # the first `value` places offered where enemies are seen, then a sector
            lists = page.locator("select[name=air_priorities]")
            seen = lists.first.locator("optgroup[label='Enemies you see'] option").evaluate_all(
                "xs => xs.map(x => x.value)")
            chosen = seen[:value] + ["hama"]
            for i in range(lists.count()):
                lists.nth(i).select_option(chosen[i] if i < len(chosen) else "")


def wait_for_turn(page, turn: int) -> None:
    """Until the page shows turn `turn` (1-12; 13: the end), reloaded by its own poll, its map loaded."""
    page.wait_for_selector(f"body[data-turn='{turn - 1}']", state="attached", timeout=60_000)
    page.wait_for_load_state()
    page.wait_for_function("() => { const m = document.getElementById('map'); "
                           "return !m || (m.complete && m.naturalWidth > 0); }", timeout=60_000)


def section_lines(page, topic: str) -> list[str]:
    return page.locator(f"#turn-summary .sum-body .sum-{topic} li").all_inner_texts()


def check_summary(page, server: str, team: str, turn: int) -> dict:
    """The summary at the top of the team page after `turn` (1-12) names what its side gained and lost, as its
    /api/summaries gives them, and its losses; returns that summary."""
    card = page.locator("#turn-summary")
    assert card.is_visible(), f"{team}: no turn summary after turn {turn}"
    assert f"What happened in turn {turn}" in card.locator("h2").first.inner_text()
    summary = page.request.get(server + "/api/summaries").json()[turn - 1]
    assert summary["turn"] == turn - 1
    ground = section_lines(page, "ground")
    expected = next(s["lines"] for s in summary["sections"] if s["topic"] == "ground")
    assert ground == expected, (team, turn, ground, expected)
    counts, text = summary["counts"], " ".join(ground)
    for count, words in (("cities_won", "Your side ("), ("cities_lost", "Your side lost")):
        assert (words in text) == bool(counts[count]), (team, turn, count, counts, ground)
    # ground is told by its net change in each sector (gained in one, lost in another, or no net change)
    told = [w for w in ("Ground your side gained", "Ground your side lost", "with no net change") if w in text]
    assert bool(told) == bool(counts["cells_gained"] or counts["cells_lost"]), (team, turn, counts, ground)
    if not any(counts[k] for k in ("cities_won", "cities_lost", "cells_gained", "cells_lost")):
        assert "No city or ground changed hands on your side" in text, (team, turn, ground)
    losses = section_lines(page, "losses")
    assert losses and losses[0].startswith("Your losses:"), (team, turn, losses)
    ids = SNAKE_ID.findall(card.locator(".sum-body").inner_text())
    assert not ids, f"{team}, turn {turn}: internal ids in the summary: {ids}"
    return summary


def wrapped(page, selector: str) -> list[str]:
    """The texts of the elements that wrap onto more than one line ("Partia" / "l")."""
    return page.locator(selector).evaluate_all("""xs => xs.filter(x => { const r = document.createRange();
        r.selectNodeContents(x); return new Set(Array.from(r.getClientRects(), c => Math.round(c.top))).size > 1; })
        .map(x => x.textContent)""")


def test_a_whole_game_with_three_teams_at_a_laptops_and_a_phones_size(tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    port = free_port()
    proc = start_server(tmp_path / "games.sqlite", port)
    server = f"http://127.0.0.1:{port}"
    wide: dict[str, dict] = {}
    problems: list[str] = []
    try:
        r = httpx.post(f"{server}/games", data={"scenario": "hts_2024_classroom", "seed": "11",
                                                "humans": list(SEATS)}, timeout=60)
        assert r.status_code == 303, r.text[:500]          # to the codes page (POST/redirect/GET)
        instructor = r.cookies.get("wargame_code")
        codes = httpx.get(f"{server}/api/instructor/view", headers={"X-Game-Code": instructor}).json()["codes"]

        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                def join(code: str, size: str, path: str = ""):
                    phone = size == "phone"
                    context = browser.new_context(viewport=SIZES[size], device_scale_factor=1,
                                                  is_mobile=phone, has_touch=phone)
                    page = context.new_page()
                    page.on("console", lambda m: m.type == "error" and problems.append(f"{code}: {m.text}"))
                    page.goto(server + "/")
                    page.fill("#code", code)
                    page.click("#join-form button[type=submit]")
                    page.wait_for_load_state()
                    if path:
                        page.goto(server + path)
                    return page

                def shot(page, name: str) -> None:
                    page.screenshot(path=str(shots / f"e2e-{name}.png"), full_page=True)

                def fits_both(page, name: str, own: str) -> None:
                    """The page at its own size and at the other, each measured and photographed."""
                    for size in (own, *(s for s in SIZES if s != own)):
                        page.set_viewport_size(SIZES[size])
                        page.wait_for_timeout(100)                         # a frame for the new layout
                        found = horizontal_overflow(page)
                        if found["scroll_width"] > found["width"]:
                            wide[f"{name}-{size}"] = found
                        shot(page, f"{name}-{size}")
                    page.set_viewport_size(SIZES[own])

                teams = {team: join(codes[team], size) for team, size in SEATS.items()}
                room = join(codes["projector"], "laptop", "/projector")
                console = join(instructor, "laptop", "/instructor")

                # -- turn 1: each team page opens on its briefing, objectives first among what it is told
                for team, page in teams.items():
                    wait_for_turn(page, 1)
                    briefing = page.locator("#briefing")
                    assert briefing.get_attribute("open") is not None, team
                    assert page.locator("#briefing ol.objectives li").count() >= 1, team
                    text = briefing.inner_text()
                    assert "Your objectives" in text and "What counts as winning" in text, team
                    assert page.locator("#turn-summary").count() == 0, team   # nothing has happened yet
                    fits_both(page, f"turn1-{team}", SEATS[team])
                fits_both(room, "turn1-projector", "laptop")
                fits_both(console, "turn1-console", "laptop")
                console.context.close()

                told: dict[str, list[dict]] = {team: [] for team in teams}
                asked: list[str] = []                  # what "Resolve the turn now" asked the instructor
                for turn in range(1, TURNS + 1):
                    if turn > 1:
                        for team, page in teams.items():
                            wait_for_turn(page, turn)
                            told[team].append(check_summary(page, server, team, turn - 1))
                            assert page.locator("#briefing").get_attribute("open") is None, team   # folded now
                            assert "stand unless you change them" in page.inner_text("#order-state"), team
                    if turn == 2:
                        # the regime writes to Russia, from its phone; Russia's page shows it by its poll
                        regime, russia, rebels = teams["regime"], teams["russia"], teams["rebels"]
                        form = regime.locator("#message-form")
                        form.locator("select[name=to]").select_option("russia")
                        form.locator("textarea[name=text]").fill(TALK)
                        form.locator("button[type=submit]").click()
                        regime.wait_for_selector("#messages li.msg.sent", timeout=15_000)
                        wait_for_turn(regime, turn)
                        russia.wait_for_selector("#messages li.msg.received", timeout=20_000)
                        wait_for_turn(russia, turn)
                        assert TALK in russia.inner_text("#messages li.msg.received")
                        assert "The Assad regime → you" in russia.inner_text("#messages li.msg.received")
                        shot(russia, "message-russia-phone")
                        rebels.reload()
                        wait_for_turn(rebels, turn)
                        assert TALK not in rebels.inner_text("body")
                        assert rebels.locator("#messages li.msg").count() == 0
                        assert TALK not in rebels.request.get(server + "/api/messages").text()
                        assert rebels.request.get(server + "/api/status").json()["inbox"] == 0
                    if turn == 6:
                        for team, page in teams.items():
                            fits_both(page, f"turn6-{team}", SEATS[team])
                    senders = [t for t in teams if not (turn == BY_HAND and t == "russia")]
                    for team in senders:
                        page = teams[team]
                        fill_orders(page, team, turn)
                        page.click("#submit-orders")
                        if team != senders[-1] or turn == BY_HAND:
                            page.wait_for_selector("#order-state.ok", timeout=30_000)
                            assert page.locator("#order-errors").is_hidden(), page.inner_text("#order-errors")
                    if turn == BY_HAND:
                        # the white cell resolves the turn without Russia, whose last orders stand
                        console = join(instructor, "laptop", "/instructor")
                        console.once("dialog", lambda d: (asked.append(d.message), d.accept()))
                        console.click("#resolve-now")
                        assert asked and asked[0].startswith(f"Resolve turn {turn} now?"), asked
                        console.wait_for_selector(f"body[data-turn='{turn}']", state="attached", timeout=60_000)
                        console.context.close()

                # -- the end: every page gives the result, and no order form is left
                verdicts = {}
                for team, page in teams.items():
                    wait_for_turn(page, TURNS + 1)
                    told[team].append(check_summary(page, server, team, TURNS))
                    result = page.locator("#result")
                    assert result.is_visible(), team
                    assert result.locator("h2").inner_text().startswith("The game is over: "), team
                    assert result.locator("ol.objectives li").count() >= 1, team
                    assert page.locator("#orders").count() == 0 and "Orders for turn" not in page.content(), team
                    assert page.inner_text("#s-turn") == "Game over"
                    verdicts[team] = result.locator("h2").inner_text().removeprefix("The game is over: ")
                    fits_both(page, f"end-{team}", SEATS[team])
                room.wait_for_selector("#results", timeout=30_000)
                # the room's end page: the results first, no clock left running, a way into the debrief
                assert room.locator("#open-for").count() == 0 or room.inner_text("#open-for") == "game over"
                assert room.locator("a#to-debrief").get_attribute("href") == "/debrief"
                shown = dict(zip(room.locator("#results tbody th").all_inner_texts(),
                                 room.locator("#results td.verdict").all_inner_texts()))
                names = httpx.get(f"{server}/api/status", headers={"X-Game-Code": instructor}).json()["names"]
                for team, verdict in verdicts.items():
                    assert shown.get(names[team]) == verdict, (team, shown, verdicts)
                fits_both(room, "end-projector", "laptop")
                for size in SIZES:
                    room.set_viewport_size(SIZES[size])
                    assert not wrapped(room, "#results td.verdict"), size
                console = join(instructor, "laptop", "/instructor")
                console.wait_for_selector("#results")
                assert console.locator("#results td.verdict").all_inner_texts() == list(shown.values())
                assert console.locator("#to-debrief").get_attribute("href") == "/debrief"
                fits_both(console, "end-console", "laptop")
            finally:
                browser.close()
    finally:
        stop_server(proc)
        SHOTS.mkdir(exist_ok=True)
        for png in shots.glob("*.png"):
            shutil.copy(png, SHOTS / png.name)

    # the game was a game: each side gained and lost things the summaries named
    said = {team: " ".join(line for s in summaries for x in s["sections"] if x["topic"] == "ground"
                           for line in x["lines"]) for team, summaries in told.items()}
    assert "Your side (" in said["rebels"] and "Your side lost" in said["regime"], said
    assert not wide, "\n".join(f"{name}: {x['scroll_width']} px wide in {x['width']}: {', '.join(x['offenders'])}"
                                for name, x in wide.items())
    assert not problems, problems
