"""Where a study's runs execute: in this process, on local processes (all cores by default), or on a Dask
cluster. One interface, one code path: batches of jobs go out, each comes back as soon as it finishes with
its rows and the worker's process id and resident memory (so a study can show that memory stays flat).

A run's result depends only on its job (scenario, seed, overrides), never on where or in what order it
ran, so serial, local and Dask execution give identical rows.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed

from wargame.core.errors import WargameError
from wargame.experiments.runner import Job, default_workers, preload_model_code, run_job

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"


def resident_mib() -> float:
    """This process's resident memory in MiB (Linux /proc; 0 where it cannot be read)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def run_batch(jobs: list[Job]) -> dict:
    """Run a batch of jobs in whatever process this is; the rows, and who ran them with how much memory."""
    rows = [run_job(job) for job in jobs]
    return {"rows": rows, "pid": os.getpid(), "rss_mib": round(resident_mib(), 1)}


class SerialExecutor:
    name = "serial"
    workers = 1

    def run(self, batches: Iterable[list[Job]]) -> Iterator[tuple[list[Job], dict]]:
        for batch in batches:
            yield batch, run_batch(batch)

    def close(self) -> None:
        pass


class LocalExecutor:
    """Local worker processes that live for the whole study (a worker's memory is measured across its runs)."""

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = workers or default_workers()
        preload_model_code()
        self.forks = os.name == "posix"
        self.warmed = False
        context = multiprocessing.get_context("fork" if self.forks else "spawn")
        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)

    def run(self, batches: Iterable[list[Job]]) -> Iterator[tuple[list[Job], dict]]:
        batches = [batch for batch in batches if batch]
        if batches and not self.warmed and self.forks:
            # one run here before the workers fork (at the first submission): they inherit what it built
            # (the theatre, its cost fields, the loaded scenario, an idle grid) instead of each building it
            self.warmed = True
            first, rest = batches[0][:1], batches[0][1:]
            yield first, run_batch(first)
            batches = ([rest] if rest else []) + batches[1:]
        futures = {self.pool.submit(run_batch, batch): batch for batch in batches}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A Dask distributed cluster at `address` (tcp://host:8786). Its workers need wargame installed at the
    same version; the study checks by running the code fingerprint on a worker first."""

    name = "dask"

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError:
            raise WargameError("--scheduler needs Dask: pip install -e \".[distributed]\"") from None
        try:
            self.client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise WargameError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))
        from wargame.experiments.runner import code_fingerprint

        theirs = set(self.client.run(_fingerprint).values())
        if theirs and theirs != {code_fingerprint()}:
            self.client.close()
            raise WargameError(f"the Dask workers at {address} run other wargame code (fingerprints {sorted(theirs)}, "
                               f"here {code_fingerprint()}): install this version on them")

    def run(self, batches: Iterable[list[Job]]) -> Iterator[tuple[list[Job], dict]]:
        from distributed import as_completed as dask_completed

        futures = {}
        for batch in batches:
            future = self.client.submit(run_batch, batch, pure=False, retries=2)
            futures[future] = batch
        try:
            for future in dask_completed(list(futures)):
                yield futures[future], future.result()
        finally:
            self.client.cancel(list(futures))

    def close(self) -> None:
        self.client.close()


def _fingerprint() -> str:
    from wargame.experiments.runner import code_fingerprint

    return code_fingerprint()


def make_executor(workers: int | None = None, scheduler: str | None = None):
    """Dask when a scheduler is given (or DASK_SCHEDULER_ADDRESS is set), else local processes, else serial."""
    scheduler = scheduler or os.environ.get(SCHEDULER_ENV)
    if scheduler:
        return DaskExecutor(scheduler)
    workers = workers or default_workers()
    return SerialExecutor() if workers <= 1 else LocalExecutor(workers)
