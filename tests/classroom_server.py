"""Starting and stopping a real classroom server (`python run.py serve`) for the tests that need one."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    """The server on 127.0.0.1:port with its games in db, once it answers (AssertionError if it never does)."""
    proc = subprocess.Popen([sys.executable, "run.py", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--db", str(db)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited: {proc.stdout.read().decode()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not answer within a minute")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def running_server(folder: Path) -> Iterator[str]:
    """A classroom server on a free port with its games in `folder`, for a module's tests: its address."""
    port = free_port()
    proc = start_server(folder / "games.sqlite", port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)
