"""After-action reports drawn in a background worker process, so that the game never waits for one.

A report takes some 15-20 s of matplotlib drawing. Drawn in the server's thread pool it held the game's
lock (every page and order of that game waited) and, since drawing holds the GIL most of the time, slowed
every other request of every game too. Here the server only reads the game's record (a few SQLite
reads, under the game's lock) and hands it by value to a worker process, which rebuilds the game from it
(the record is the game: play/record.py) and draws the report there, at a lower priority than the
server. The report's page answers at once: "being drawn", with how far it is, until the finished file is
there; the run directory is written whole or not at all (output.write_run), so a half-written report is
never served.

Every path is made here from the game's id and its record's fingerprint, never from the request. The
worker pool starts with the first report and is shut down with the server (`close`).
"""

from __future__ import annotations

import html
import logging
import multiprocessing
import os
import re
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from starlette.responses import HTMLResponse

from wargame.play.record import GameRecord, draw_report

REPORT_PROCESSES = 1        # reports drawn at once: one core draws, the other is left to the server
REPORT_NICENESS = 10        # the worker's scheduling niceness: the server's pages come first on a busy laptop
DRAWING_PROCESSES = 0       # a report's pieces drawn in the worker itself, not in processes of its own
REFRESH_SECONDS = 2         # the "being drawn" page reloads itself this often
FINGERPRINT_CHARS = 12      # of the record's SHA-256, in the report's folder name

logger = logging.getLogger(__name__)
e = html.escape


def start_method() -> str:
    """How worker processes are started: a fork server where there is one (it forks from a clean
    single-threaded process: forking the server itself, with its threads and locks, is unsafe), else a
    fresh interpreter."""
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods and sys.platform != "darwin" else "spawn"


def _lower_priority() -> None:
    """The worker's initializer: it yields the CPU to the server and runs without transparent huge pages
    (report/workers.py says why a drawing process should)."""
    from wargame.report.workers import without_huge_pages

    try:
        os.nice(REPORT_NICENESS)
    except (AttributeError, OSError):
        pass                                    # no niceness on this system: the report only competes harder
    without_huge_pages()


@dataclass(frozen=True)
class ReportState:
    """Where a report stands: `ready` (at `path`), `drawing` (with `progress` and the reports ahead of it
    in the queue), or `failed` (with a `message` that says why)."""

    state: str
    path: Path | None = None
    progress: str = ""
    ahead: int = 0
    seconds: float = 0.0
    message: str = ""


class ReportDesk:
    """The reports of one server: drawn once per state of a game, in a worker process, under `folder`."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.job = draw_report                 # what the worker runs: (record, out, progress, processes)
        self.pool: ProcessPoolExecutor | None = None
        self.jobs: dict[str, tuple[Future, float]] = {}       # by report name: the job and when it was asked
        self.lock = threading.Lock()
        self.closed = False

    def name(self, record: GameRecord) -> str:
        """The report's folder name: the game, its turn and its record's fingerprint. The server makes game
        ids of letters and digits; anything else in one (a game made by a script) is replaced, so the name
        is always a plain file name in `folder`."""
        game = re.sub(r"[^A-Za-z0-9]", "_", record.game)[:40]
        return f"game-{game}-turn{record.turn:02d}-{record.digest()[:FINGERPRINT_CHARS]}"

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:
            context = multiprocessing.get_context(start_method())
            self.pool = ProcessPoolExecutor(REPORT_PROCESSES, mp_context=context, initializer=_lower_priority)
        return self.pool

    def request(self, record: GameRecord) -> ReportState:
        """The report of the game in `record`: ready, or being drawn (the job started if it was not), or
        failed (said once; asked again, it is drawn again)."""
        name = self.name(record)
        out = self.folder / name
        report = out / "report.html"
        with self.lock:
            if report.is_file():
                self.jobs.pop(name, None)
                self.progress_file(name).unlink(missing_ok=True)
                return ReportState("ready", path=report)
            job = self.jobs.get(name)
            if job is not None and job[0].done():
                del self.jobs[name]
                error = job[0].exception()
                if error is not None:
                    logger.error("the report %s could not be drawn", name, exc_info=error)
                    return ReportState("failed", message=failure(error))
                job = None                     # finished, but its file is gone (removed by hand): again
            if job is None:
                if self.closed:
                    return ReportState("failed", message="the server is shutting down")
                try:
                    job = self.jobs[name] = (self._submit(record, name), time.monotonic())
                except (OSError, RuntimeError) as exc:   # no folder to write in, no process to start
                    logger.error("the report %s could not be started", name, exc_info=exc)
                    return ReportState("failed", message=f"the report could not be started: {failure(exc)}")
            ahead = sum(1 for other, (f, asked) in self.jobs.items()
                        if other != name and not f.done() and asked < job[1])
        return ReportState("drawing", progress=self.progress(name) if not ahead else "waiting for the worker",
                           ahead=ahead, seconds=time.monotonic() - job[1])

    def _submit(self, record: GameRecord, name: str) -> Future:
        """The job handed to the worker (a pool whose worker died is replaced first)."""
        from concurrent.futures.process import BrokenProcessPool

        self.folder.mkdir(parents=True, exist_ok=True)
        self.progress_file(name).unlink(missing_ok=True)            # an earlier attempt's
        args = (self.job, record, str(self.folder / name), str(self.progress_file(name)), DRAWING_PROCESSES)
        try:
            future = self._pool().submit(*args)
        except BrokenProcessPool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
            future = self._pool().submit(*args)
        # once drawn or failed, what the worker said of its progress is of no more use
        future.add_done_callback(lambda _: self.progress_file(name).unlink(missing_ok=True))
        return future

    def progress_file(self, name: str) -> Path:
        return self.folder / f"{name}.progress"

    def progress(self, name: str) -> str:
        """What the worker last said of this report ("starting" before it says anything)."""
        try:
            return self.progress_file(name).read_text(encoding="utf-8")[:200]
        except OSError:
            return "starting"

    def busy(self) -> bool:
        """Whether a report is being drawn or waits to be."""
        with self.lock:
            return any(not f.done() for f, _ in self.jobs.values())

    def close(self) -> None:
        """Stop with the server: reports waiting are dropped, one being drawn is stopped (its directory is
        written whole or not at all, so nothing half-drawn is left to serve), the worker ends."""
        with self.lock:
            self.closed = True
            pool, self.pool = self.pool, None
            self.jobs.clear()                   # abandoned: a server started again draws them afresh
        if pool is None:
            return
        # the pool's own shutdown waits for a drawing in progress (up to 20 s) before a server may stop:
        # the worker is ended instead, through the pool's table of its processes (Python 3.14 has a
        # public terminate_workers for this)
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=10)


def failure(error: BaseException) -> str:
    """A worker's failure as a sentence for the instructor."""
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(error, BrokenProcessPool):
        return "the worker drawing it stopped (out of memory, or killed): ask for the report again"
    text = str(error).strip() or type(error).__name__
    return f"{type(error).__name__}: {text[:400]}"


# ---------------------------------------------------------------------------------------------- its pages
# served under the report's own CSP (security.REPORT_CSP: inline style, no script, no other asset), so they
# carry their style and reload by a meta refresh

PAGE_STYLE = ("body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#222}"
              "h1{font-size:1.4em}.dim{color:#666}.error{color:#a00}")


def report_state_page(state: ReportState) -> HTMLResponse:
    """While the report is drawn: what the worker is doing, reloading itself; once it failed: why, and how
    to ask again. Never the report itself (served as its file)."""
    if state.state == "failed":
        title, refresh = "The after-action report could not be drawn", ""
        body = (f'<p class="error">{e(state.message)}</p>'
                '<p><a href="/instructor/report">Draw it again</a> · <a href="/instructor">Back to the console</a></p>')
    else:
        title, refresh = "The after-action report is being drawn", f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">'
        queue = (f"{state.ahead} other report{'s' if state.ahead != 1 else ''} first, then this one"
                 if state.ahead else e(state.progress))
        body = (f'<p>Now: <b id="progress">{queue}</b> ({state.seconds:.0f} s so far; a report takes about half a '
                "minute).</p><p class=dim>The game goes on meanwhile: this page reloads itself and shows the "
                "report when it is ready.</p>")
    return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">{refresh}<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · Syria wargame</title><style>{PAGE_STYLE}</style></head>
<body class="report-{e(state.state)}"><h1>{e(title)}</h1>{body}</body></html>""",
                        status_code=202 if state.state == "drawing" else 200)
