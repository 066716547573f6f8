"""The classroom server's answers to a class's browsers while an after-action report is drawn.

    .venv/bin/python benchmarks/bench_classroom.py [--games 6] [--turns 12] [--before DIR] [--json FILE]

Starts the server as an instructor does (`python run.py serve`, a fresh process) on a free port with a new
games file, creates GAMES games of the classroom scenario with every team played by students (6 games of
5 teams: 30 teams), plays TURNS turns of the first (whose report is drawn) and one of each other, and loads
every team's page once (so that each map is drawn before the clock starts, as it would be in class). Then
one browser per team, each in a thread of this process, does what play.js and a reload do every POLL_S:
/api/status, /api/view, /team and its map; each team but the last of its game also sends its orders once
while the report is drawn (the turn does not resolve: resolving is a turn's work, not the report's).
Meanwhile the instructor of the first game asks for the after-action report and follows its page until
the report is there.

Every answer's time is recorded, from the request sent to the whole answer read. Printed: per route, the
answers, median, 95th percentile and slowest while the report was being drawn, and how long the report
took. Issue 16 asks every answer under 1 s while a report is drawn. With --before DIR (another checkout,
e.g. `git worktree add DIR COMMIT` or `git archive COMMIT | tar -x -C DIR`) the same load is run against
that checkout's server afterwards, for comparison.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.classroom_server import free_port, start_server, stop_server  # noqa: E402

SCENARIO = "hts_2024_classroom"
TEAMS = ("russia", "iran", "regime", "rebels", "turkey")    # the scenario's five seats, all played by students
POLL_S = 3.0               # play.js polls the status every 3 s (POLL_MS)
BAR_S = 1.0                # issue 16: every answer under 1 s while a report is drawn
AFTER_S = 3.0              # the browsers go on polling this long after the report is ready
REPORT_PATIENCE_S = 600.0  # a report not there by then is a failure of the run, not a figure


def server_at(source: Path, db: Path, port: int) -> subprocess.Popen:
    """start_server (tests/classroom_server.py) with `source`'s code on the path."""
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(source)
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        if source == ROOT:
            return start_server(db, port)
        proc = subprocess.Popen([sys.executable, "run.py", "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--db", str(db)], cwd=source, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        given_up = time.monotonic() + 60
        while time.monotonic() < given_up:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                    return proc
            except httpx.HTTPError:
                time.sleep(0.2)
        proc.kill()
        raise SystemExit(f"the server of {source} did not answer within a minute")
    finally:
        if previous is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = previous


def create_games(base: str, games: int, turns: int) -> tuple[list[dict], int]:
    """Each game's instructor code and team codes, and the turns played in the first: `turns` turns resolved
    in the first game (whose report is drawn; at most all but its last, so that its teams may still give
    orders), one in each of the others."""
    made, played = [], 0
    with httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(games):
            r = client.post("/games", data={"scenario": SCENARIO, "humans": list(TEAMS), "seed": "1",
                                            "turn_hours": ""})
            r.raise_for_status()
            instructor = r.cookies.get("wargame_code") or next(v for v in client.cookies.values())
            client.cookies.clear()
            headers = {"X-Game-Code": instructor}
            codes = client.get("/api/instructor/view", headers=headers).json()["codes"]
            for _ in range(turns if not made else 1):
                status = client.post("/api/instructor/resolve", headers=headers).raise_for_status().json()["status"]
                if status["finished"] or status["turn"] >= status["turns"] - 1:
                    break
            played = played if made else status["turn"]
            made.append(codes)
    return made, played


class Browser(threading.Thread):
    """One team's browser: polls until `stop`, every answer's time recorded as (route, start, seconds)."""

    def __init__(self, base: str, code: str, orders: bool, drawing: threading.Event, stop: threading.Event,
                 start_at: float):
        super().__init__(daemon=True)
        self.base, self.code, self.orders, self.start_at = base, code, orders, start_at
        self.drawing, self.stop = drawing, stop
        self.times: list[tuple[str, float, float]] = []
        self.failures: list[str] = []

    def ask(self, client: httpx.Client, method: str, path: str, **kwargs) -> None:
        started = time.perf_counter()
        try:
            r = client.request(method, path, **kwargs)
            r.read()
            if r.status_code != 200:
                self.failures.append(f"{method} {path}: {r.status_code}")
        except httpx.HTTPError as exc:
            self.failures.append(f"{method} {path}: {type(exc).__name__}")
        self.times.append((f"{method} {path.split('?')[0]}", started, time.perf_counter() - started))

    def run(self) -> None:
        time.sleep(self.start_at)                          # the class's polls spread over a poll's interval
        with httpx.Client(base_url=self.base, timeout=120, headers={"X-Game-Code": self.code}) as client:
            while not self.stop.is_set():
                cycle = time.perf_counter()
                self.ask(client, "GET", "/api/status")
                self.ask(client, "GET", "/api/view")
                self.ask(client, "GET", "/team")
                self.ask(client, "GET", "/api/map.png?area=front")
                if self.orders and self.drawing.is_set():      # its orders, once the report is being drawn
                    self.ask(client, "POST", "/api/orders", json={})
                    self.orders = False
                self.stop.wait(max(0.0, POLL_S - (time.perf_counter() - cycle)))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load(source: Path, games: int, turns: int) -> dict:
    """The load run against `source`'s server: the figures."""
    with tempfile.TemporaryDirectory(prefix="bench-classroom-") as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = server_at(source, Path(tmp) / "games.sqlite", port)
        try:
            made, played = create_games(base, games, turns)
            for codes in made:                             # every page and map drawn once, as in class
                for team in TEAMS:
                    headers = {"X-Game-Code": codes[team]}
                    httpx.get(f"{base}/team", headers=headers, timeout=120)
                    httpx.get(f"{base}/api/map.png?area=front", headers=headers, timeout=120)
            drawing, stop = threading.Event(), threading.Event()
            browsers = [Browser(base, codes[team], orders=team != TEAMS[-1], drawing=drawing, stop=stop,
                                start_at=POLL_S * k / (games * len(TEAMS)))
                        for k, (codes, team) in enumerate((c, t) for c in made for t in TEAMS)]
            for b in browsers:
                b.start()
            time.sleep(POLL_S)                             # every browser polling
            asked = time.perf_counter()
            drawing.set()
            pages, stages = 0, {}
            with httpx.Client(base_url=base, timeout=REPORT_PATIENCE_S,
                              headers={"X-Game-Code": made[0]["instructor"]}) as instructor:
                while True:
                    r = instructor.get("/instructor/report")
                    pages += 1
                    if r.status_code == 200 and "After-action report" in r.text:
                        break
                    if r.status_code not in (200, 202) or time.perf_counter() - asked > REPORT_PATIENCE_S:
                        raise SystemExit(f"the report failed: {r.status_code} {r.text[:300]}")
                    said = re.search(r'<b id="progress">(.*?)</b>', r.text)      # the worker's progress
                    if said:
                        stages.setdefault(html.unescape(said.group(1)), round(time.perf_counter() - asked, 1))
                    time.sleep(2.0)                        # the "being drawn" page reloads every 2 s
            ready = time.perf_counter()
            time.sleep(AFTER_S)
            stop.set()
            for b in browsers:
                b.join()
        finally:
            stop_server(proc)
    during = [(route, s) for b in browsers for route, start, s in b.times if asked <= start < ready]
    routes = sorted({route for route, _ in during})
    return {
        "source": str(source), "games": games, "teams": games * len(TEAMS), "turns": played,
        "report_s": round(ready - asked, 2), "report_pages": pages, "report_stages": stages,
        "answers_during": len(during), "over_bar": sum(1 for _, s in during if s >= BAR_S),
        "slowest_s": round(max((s for _, s in during), default=0.0), 3),
        "failures": [f for b in browsers for f in b.failures][:20],
        "routes": {route: {"n": len(xs), "median_ms": round(1000 * statistics.median(xs), 1),
                           "p95_ms": round(1000 * percentile(xs, 0.95), 1), "max_ms": round(1000 * max(xs), 1)}
                   for route in routes for xs in [[s for r, s in during if r == route]]},
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def show(label: str, figures: dict) -> None:
    print(f"{label} ({figures['source']}): {figures['teams']} teams' browsers in {figures['games']} games, "
          f"the report of {figures['turns']} turns drawn in {figures['report_s']:.1f} s ({figures['report_pages']} "
          "requests of its page)")
    if figures["report_stages"]:
        print("  its page said: " + "; ".join(f"{t:g} s {text}" for text, t in figures["report_stages"].items()))
    print(f"  {'while it was drawn':<24} {'answers':>8} {'median':>9} {'95 %':>9} {'slowest':>9}")
    for route, r in figures["routes"].items():
        print(f"  {route:<24} {r['n']:>8} {r['median_ms']:>7.1f}ms {r['p95_ms']:>7.1f}ms {r['max_ms']:>7.1f}ms")
    verdict = "met" if not figures["over_bar"] else "NOT met"
    print(f"  every answer under {BAR_S:g} s: {verdict} ({figures['over_bar']} of {figures['answers_during']} "
          f"over; the slowest {figures['slowest_s']:.3f} s)")
    if figures["failures"]:
        print(f"  answers that were not 200: {', '.join(figures['failures'])}")
    print(f"  load average at the end: {', '.join(f'{x:.2f}' for x in figures['load_average'])} "
          f"({os.cpu_count()} cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--games", type=int, default=6, help="games of five teams (default 6: 30 teams)")
    parser.add_argument("--turns", type=int, default=12, help="turns played before the report (default 12: a "
                        "whole game of the classroom scenario)")
    parser.add_argument("--before", type=Path, default=None, help="another checkout whose server to load too")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    args = parser.parse_args()
    results = {"this checkout": load(ROOT, args.games, args.turns)}
    show("this checkout", results["this checkout"])
    if args.before:
        results["before"] = load(args.before.resolve(), args.games, args.turns)
        show("before", results["before"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
