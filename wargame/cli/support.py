"""What the commands share: progress bars on stderr (the workflows only call back), the check for an
optional extra, and the check that a server can listen where it was asked to."""

from __future__ import annotations

import contextlib
import importlib.util
import sys

from wargame.core.errors import WargameError

STEP_BAR = "{l_bar}{bar}| {n}/{total} steps [{elapsed}<{remaining}] {postfix}"


def require_extra(modules: str | tuple[str, ...], extra: str, command: str) -> None:
    """A one-line error naming the extra to install when any of `modules` is missing (the command then exits
    with status 2, never a traceback)."""
    missing = [name for name in ((modules,) if isinstance(modules, str) else modules) if not _installed(name)]
    if missing:
        raise WargameError(f"{command!r} needs the {extra} extra ({', '.join(missing)} not installed): "
                           f'pip install -e ".[{extra}]"')


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:                  # a dotted name whose parent is missing
        return False
    except ValueError:                   # imported already, without a spec
        return True


class LazyBar:
    """A tqdm bar on stderr drawn only once there is progress to show (an error before the first step
    leaves no empty bar behind). `disable` draws nothing."""

    def __init__(self, disable: bool = False, **options) -> None:
        self.options = {"file": sys.stderr, "disable": disable, **options}
        self.bar = None

    def get(self):
        if self.bar is None:
            from tqdm import tqdm

            # no monitor thread (it only nudges bars that stall): with another thread alive the report
            # would not fork its drawing workers (report.workers.fork_is_safe)
            tqdm.monitor_interval = 0
            self.bar = tqdm(**self.options)
        return self.bar

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()          # closing twice is harmless


def step_bar(desc: str, total: int, disable: bool = False) -> tuple[LazyBar, object]:
    """A bar of a run's steps, and the on_step(day) callback that moves it."""
    lazy = LazyBar(disable, total=total, unit="step", desc=desc, bar_format=STEP_BAR)

    def on_step(day: float) -> None:
        bar = lazy.get()
        bar.update(1)
        bar.set_postfix_str(f"day {day:.1f}", refresh=False)

    return lazy, on_step


def stage_bar(bar_format: str, disable: bool = False, after: LazyBar | None = None) -> tuple[LazyBar, object]:
    """A bar of the report's four stages, and the on_stage(name) callback that moves it (and closes the
    bar `after`, of the work before the report). Call `finish(lazy)` once the report is drawn."""
    lazy = LazyBar(disable, total=4, desc="report", unit="stage", bar_format=bar_format)
    begun: list[str] = []

    def on_stage(name: str) -> None:
        if after is not None:
            after.close()
        bar = lazy.get()
        bar.set_postfix_str(name)
        bar.update(1 if begun else 0)            # a stage counts once the next one begins
        begun.append(name)

    return lazy, on_stage


def study_bar(kind: str) -> tuple[LazyBar, object, object]:
    """A bar of a study's runs, the started(executor, workers) callback that draws it (naming where the
    runs go) and the progress(done, total, seconds) callback that moves it."""
    lazy = LazyBar(total=1, unit="run")

    def started(executor: str, workers: int) -> None:
        lazy.options["desc"] = f"{kind} ({executor}, {workers} workers)"
        lazy.get()

    def progress(done: int, total: int, seconds: float) -> None:
        move_bar(lazy.get(), done, total)

    return lazy, started, progress


def move_bar(bar, done: int, total: int) -> None:
    """Show `done` of `total` runs. The first call fixes the starting count (runs a resumed study or
    ensemble had already finished) and the clock, so the rate shown is that of the runs made since."""
    bar.total = total
    if not getattr(bar, "wargame_started", False):
        bar.wargame_started = True
        bar.initial = bar.n = bar.last_print_n = done
        bar.start_t = bar.last_print_t = bar._time()
        bar.refresh()
    elif done > bar.n:
        bar.update(done - bar.n)


def finish(lazy: LazyBar) -> None:
    """Fill a bar that was drawn (the last stage has no successor to move it) and close it."""
    if lazy.bar is not None:
        lazy.bar.update(lazy.bar.total - lazy.bar.n)
    lazy.close()


@contextlib.contextmanager
def ensemble_progress():
    """A progress(scenario, done, total) callback drawing one bar per scenario on stderr (drawn when the
    runs start, at the runs already done, and moved as each run finishes); a bar is closed once its
    scenario's runs are all done."""
    from tqdm import tqdm

    bars: dict = {}

    def progress(scenario: str, done: int, total: int) -> None:
        if scenario not in bars:
            bars[scenario] = tqdm(total=total, unit="run", desc=scenario, file=sys.stderr)
        bar = bars[scenario]
        move_bar(bar, done, total)
        if done >= total:
            bars.pop(scenario).close()

    try:
        yield progress
    finally:
        for bar in bars.values():
            bar.close()


def check_port(host: str, port: int) -> None:
    """A clear message before a server starts, not the server's traceback, when it cannot listen there."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise WargameError(f"--host {host} --port {port}: cannot serve there ({exc.strerror or exc}); "
                               "give another --port") from None
