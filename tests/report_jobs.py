"""Stand-ins for the report worker's job (wargame.play.record.draw_report) for the tests of the classroom's
background reports: module-level functions, so that a worker process can import and run them."""

from __future__ import annotations

import os
import time
from pathlib import Path

from wargame.core.errors import WargameError
from wargame.play.record import write_progress

STARTED, RELEASE = "started", "release"     # flag files beside the reports: the job has begun; it may finish
NEVER_RELEASED_S = 600.0                     # a job nobody releases gives up rather than hold a worker for ever


def held_report(record, out, progress, processes) -> Path:
    """A report that is drawn only when the test says so: it flags that it has started, then waits for the
    release flag before writing a report whole (a folder renamed into place, as write_run does)."""
    out = Path(out)
    write_progress(Path(progress), "held by the test")
    (out.parent / STARTED).touch()
    given_up = time.monotonic() + NEVER_RELEASED_S
    while not (out.parent / RELEASE).exists():
        if time.monotonic() > given_up:
            raise RuntimeError("the test never released the report")
        time.sleep(0.02)
    partial = out.with_name(out.name + ".partial")
    partial.mkdir()
    (partial / "report.html").write_text(f"<h1>Held report</h1><p>turn {record.turn}</p>", encoding="utf-8")
    partial.rename(out)
    return out / "report.html"


def failing_report(record, out, progress, processes) -> Path:
    """A report whose drawing fails in the worker."""
    raise WargameError(f"no figures for game {record.game}: the fake report always fails")


def dying_report(record, out, progress, processes) -> Path:
    """A worker that dies while drawing (as one killed for its memory would)."""
    os._exit(3)


def quick_report(record, out, progress, processes) -> Path:
    """A report written at once, whole (a folder renamed into place, as write_run does)."""
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    partial.mkdir()
    (partial / "report.html").write_text(f"<p>report of turn {record.turn}</p>", encoding="utf-8")
    partial.rename(out)
    return out / "report.html"
