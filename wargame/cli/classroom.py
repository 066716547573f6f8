"""`play` (a hot-seat game on one laptop), `lab` (the modelling lab's page) and `serve` (the classroom
server). The games are wargame.play's; the lab is wargame.lab's page, served by Solara in a process of
its own; these commands check the web extra and the port, start them and say where to look."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from wargame.cli.support import check_port, require_extra

# what the web extra brings: solara-assets carries the lab page's scripts and fonts (without it the browser
# fetches them from a CDN); altair stands for the rest of Mesa's visualisation extra
LAB_MODULES = ("solara", "solara_assets", "altair")
SERVER_MODULES = ("starlette", "uvicorn")
ANY_ADDRESS = ("0.0.0.0", "::")


def cmd_play(args) -> int:
    from wargame.play.game import Game
    from wargame.play.hotseat import play
    from wargame.play.store import GameStore

    store = GameStore(args.db)
    if args.game:
        game = Game(store, args.game)
    else:
        humans = tuple(h.strip() for h in args.humans.split(",")) if args.humans else None
        game = Game.create(store, args.scenario, seed=args.seed, turn_hours=args.turn_hours, humans=humans)
        print(f"Game {game.id} created in {args.db}: {', '.join(game.config['humans'])} human; "
              f"{game.config['turns']} turns of {game.config['turn_hours']:g} h.")
    try:
        play(game)
    except (EOFError, KeyboardInterrupt):
        print(f"\nSaved. Resume with: python run.py play --game {game.id} --db {args.db}")
        return 0
    if game.finished:
        out = game.write_report(Path("runs") / f"game-{game.id}")
        print(f"After-action report: {out / 'report.html'}")
    return 0


def cmd_lab(args) -> int:
    from wargame.core.scenario import load_scenario

    require_extra(LAB_MODULES, "web", "lab")
    scenario = args.scenario
    load_scenario(scenario)                        # a bad name or file is reported before the server starts
    if Path(scenario).is_file():
        scenario = str(Path(scenario).resolve())
    check_port(args.host, args.port)
    shown = "localhost" if args.host in ANY_ADDRESS else args.host
    print(f"The modelling lab of {args.scenario}: open http://{shown}:{args.port}/ in a browser "
          "(Ctrl+C stops it).", flush=True)
    return _serve_lab(scenario, args.host, args.port)


def _serve_lab(scenario: str, host: str, port: int) -> int:
    """Solara serving wargame.lab's page until it stops or Ctrl+C; returns its exit status."""
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ,
           "WARGAME_LAB_SCENARIO": scenario,                 # wargame.lab.SCENARIO_ENV
           "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",      # solara would report usage to mixpanel.com
           "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    command = [sys.executable, "-m", "solara", "run", "wargame.lab:page", "--host", host, "--port", str(port),
               "--production", "--no-open",
               "--theme-loader", "plain",                 # no "runs on Solara" banner over the page
               "--no-check-version"]                       # else it asks pypi.org for a newer solara
    server = subprocess.Popen(command, env=env)
    # stopped by a process manager, the command stops its server rather than leave it running
    previous = signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        return server.wait()
    except KeyboardInterrupt:                      # the server had the Ctrl+C too, and is stopping
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.terminate()
            server.wait()
        print("The lab has stopped.")
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_serve(args) -> int:
    require_extra(SERVER_MODULES, "web", "serve")
    check_port(args.host, args.port)
    from wargame.web.app import serve

    print(f"Classroom server, games in {args.db}. {_where(args.host, args.port)}\nThe instructor creates a "
          "game on that page; each team joins with its code. Ctrl+C stops the server (every game is saved as "
          "it is played).", flush=True)
    serve(args.db, args.host, args.port)
    return 0


def _where(host: str, port: int) -> str:
    """Where students (and this computer) open the classroom server."""
    from wargame.web.app import lan_address

    local = f"http://127.0.0.1:{port}/"
    if host in ANY_ADDRESS:
        lan = lan_address()
        return (f"Students open http://{lan}:{port}/ (this laptop: {local})" if lan else
                f"No network found: on this laptop open {local}; once on the classroom's network, students "
                f"open http://<this laptop's address>:{port}/")
    if host.startswith("127.") or host == "localhost":
        return f"Open {local} (this computer only: --host 0.0.0.0 opens it to the classroom)"
    return f"Students open http://{host}:{port}/"
