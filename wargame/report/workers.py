"""The report's pieces (charts, maps, the animation's frames) drawn side by side in worker processes.

Each piece is a call `draw(run, *args)` of a module-level function that depends on the run and its
arguments only, so the files are the same whether the pieces are drawn here one after another or in
workers in any order. The workers are forked from this process after the run directory is loaded: they
start with the run, matplotlib and the caches already in memory, and only the small arguments and the
results cross between processes.

    with DrawingPool(run, workers=None) as pool:        # None: one worker per core (0 or 1: this process)
        chart = pool.submit("figures/forces.png", draw_chart, "forces")
        path = chart.result()                            # a failed piece raises DrawingFailed naming it

Workers are used only where forking is safe: on POSIX but not macOS (whose system libraries may not
survive a fork, which is why Python does not fork there by default), from the main thread, with no other
thread alive (a lock another thread held at the fork would stay locked in the child), and with more
than one core.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from wargame.core.errors import WargameError


class DrawingFailed(RuntimeError):
    """A piece of the report could not be drawn; the message names the piece and the cause."""


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def fork_is_safe() -> bool:
    """Whether worker processes may be forked from here (see the module's notes)."""
    return (os.name == "posix" and sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods()
            and threading.current_thread() is threading.main_thread() and threading.active_count() == 1)


def drawing_workers(requested: int | None = None) -> int:
    """How many worker processes to draw with: `requested` (None: one per core), or 0 (draw in this
    process) where there is one core or forking is not safe."""
    wanted = available_cores() if requested is None else requested
    return wanted if wanted > 1 and fork_is_safe() else 0


_adopted_run = None          # in a worker: the run it draws, inherited from the parent at the fork
PR_SET_THP_DISABLE = 41      # linux/prctl.h


def _adopt(run) -> None:
    global _adopted_run
    _adopted_run = run
    without_huge_pages()


def without_huge_pages() -> bool:
    """Turn transparent huge pages off for this process (Linux; elsewhere, or if refused, nothing), and say
    whether it was done. Where they are always on, a forked drawing worker's fresh memory (canvases and
    bitmaps of a few megabytes, made per map) faults in as huge pages at 100-200 µs a fault: measured on
    `python run.py --no-animation`, the workers spent 1.9-2.7 s in the kernel with them and 0.6-0.7 s
    without, for the same user time. A worker lives for one report, so nothing else is affected."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _draw_adopted(draw: Callable, args: tuple):
    """In a worker: draw, and keep the warnings raised (e.g. "campaign.mp4 not written") to be raised again
    in the parent, where drawing in one process would have raised them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = draw(_adopted_run, *args)
    return result, [(w.category, str(w.message)) for w in caught]


def _failure(label: str, exc: Exception) -> DrawingFailed:
    if isinstance(exc, BrokenProcessPool):
        return DrawingFailed(f"a worker process drawing the report stopped (killed, or out of memory) while "
                             f"{label} was being drawn")
    return DrawingFailed(f"drawing {label} failed: {type(exc).__name__}: {exc}")


class Piece:
    """One submitted piece: `result()` waits for it and returns what its function returned."""

    def __init__(self, label: str, future: Future, in_worker: bool):
        self.label, self.future, self.in_worker = label, future, in_worker

    def result(self):
        try:
            result = self.future.result()
        except (WargameError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 -- whatever broke, the error names the piece
            raise _failure(self.label, exc) from exc
        if not self.in_worker:
            return result
        result, caught = result
        for category, message in caught:
            warnings.warn(message, category, stacklevel=2)
        return result


class DrawingPool:
    """Draws pieces of one run in worker processes, or in this process when `workers` comes to 0.

    Leaving the `with` block waits for the workers; after a failure it cancels the pieces not yet
    begun, so an error is not followed by minutes of drawing nobody will see."""

    def __init__(self, run, workers: int | None = None):
        self.run = run
        self.workers = drawing_workers(workers)
        self._executor: ProcessPoolExecutor | None = None
        self._froze = False
        if self.workers:
            # the objects alive now (the run, a model the command has just run) are left out of the garbage
            # collector's passes: in a forked worker a pass writes to every object it visits, copying page
            # after page of memory the worker only reads (about 400 MB after `python run.py`'s model)
            gc.freeze()
            self._froze = True
            self._executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                                 initializer=_adopt, initargs=(run,))

    def submit(self, label: str, draw: Callable, *args) -> Piece:
        """Draw `draw(run, *args)`, a module-level function (its name and `args` are sent to a worker)."""
        if self._executor is not None:
            with warnings.catch_warnings():
                # Python counts the threads of native pools too (numpy's BLAS, Arrow's reader), which
                # re-create themselves in a forked child; the Python threads that could leave a lock
                # held are ruled out by fork_is_safe
                warnings.filterwarnings("ignore", message=r".*is multi-threaded, use of fork\(\)",
                                        category=DeprecationWarning)
                return Piece(label, self._executor.submit(_draw_adopted, draw, args), in_worker=True)
        future: Future = Future()
        try:                                    # in this process: drawn now, in the order submitted
            future.set_result(draw(self.run, *args))
        except (WargameError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 -- the same error as a worker's, and nothing more is drawn
            raise _failure(label, exc) from exc
        return Piece(label, future, in_worker=False)

    def __enter__(self) -> DrawingPool:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=kind is not None)
        if self._froze:
            gc.unfreeze()
