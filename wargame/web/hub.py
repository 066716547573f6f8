"""The games of one SQLite file held in memory for the server: one lock per game, the public status of each
as a snapshot, and the least recently used games let go.

A loaded Game is guarded by its own lock; game calls block (SQLite writes, a turn's model steps), so they
run in the thread pool. The public status of each game is kept as a snapshot refreshed after every change,
so the room's polling never waits for a turn being resolved.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from wargame.core.errors import WargameError
from wargame.play.game import Game
from wargame.play.store import GameStore
from wargame.report.style import short_name

MAX_LOADED = 8          # games kept in memory at once (about 20 MB each)


class Hub:
    """The games of one SQLite file: loaded Game objects, one lock each, and their public status."""

    def __init__(self, store_path: str | Path):
        self.store = GameStore(store_path)
        self.games: dict[str, Game] = {}
        self.locks: dict[str, threading.Lock] = {}
        self.registry = threading.Lock()
        self.snapshots: dict[str, dict] = {}
        self.versions: dict[str, int] = {}      # every change (a submission, a pause): the status bar
        self.view_versions: dict[str, int] = {}  # changes to what teams see (a turn, an inject): maps, reports
        self.boot = secrets.token_hex(3)       # versions restart with the server: tell clients apart
        self.used: dict[str, float] = {}       # when each loaded game was last used

    def lock(self, gid: str) -> threading.Lock:
        with self.registry:
            return self.locks.setdefault(gid, threading.Lock())

    def _run(self, gid: str, fn, change: bool, views: bool):
        with self.lock(gid):
            game = self.games.get(gid)
            if game is None:                       # first use since the server started: replay the record
                game = self.games[gid] = Game(self.store, gid)
                self._snapshot(gid, game)
            self.used[gid] = time.monotonic()
            self._evict(keep=gid)
            if not change:
                return fn(game)
            turn = game.turn
            try:
                result = fn(game)
            except WargameError:
                raise                              # a refused request changes nothing
            except Exception:
                self.view_versions[gid] = self.view_versions.get(gid, 0) + 1
                self._snapshot(gid, game)
                raise
            self.versions[gid] = self.versions.get(gid, 0) + 1
            if views or game.turn != turn:
                self.view_versions[gid] = self.view_versions.get(gid, 0) + 1
            self._snapshot(gid, game)
            return result

    def _evict(self, keep: str) -> None:
        """Keep at most MAX_LOADED games in memory: the least recently used go (they replay from the file
        when next asked for). A game busy in another request is left alone."""
        with self.registry:
            idle = sorted((t, g) for g, t in self.used.items() if g != keep and g in self.games)
        for _, gid in idle[: max(0, len(self.games) - MAX_LOADED)]:
            lock = self.lock(gid)
            if lock.acquire(blocking=False):
                try:
                    self.games.pop(gid, None)
                    self.used.pop(gid, None)
                finally:
                    lock.release()

    def loaded(self, gid: str) -> Game:
        """The game, loaded (replayed) if it is not in memory."""
        with self.lock(gid):
            game = self.games.get(gid)
            if game is None:
                game = self.games[gid] = Game(self.store, gid)
                self._snapshot(gid, game)
            self.used[gid] = time.monotonic()
            return game

    async def add(self, game: Game) -> None:
        """A game just created: kept in memory, its status taken."""
        with self.registry:
            self.games[game.id] = game
        await self.call(game.id, lambda g: self._snapshot(g.id, g))

    async def call(self, gid: str, fn, change: bool = False, views: bool = False):
        """fn(game) in the thread pool under the game's lock; `change`: it may change the game (the status
        is refreshed after it), `views`: it may change what teams see even within a turn (an inject)."""
        return await run_in_threadpool(self._run, gid, fn, change, views)

    def _snapshot(self, gid: str, game: Game) -> None:
        status = game.status()
        turns = self.store.turns(gid)
        opened = turns[-1]["resolved"] if turns else next(
            (x["at"] for x in self.store.entries(gid) if x["action"] == "created"), None)
        status.update(version=f"{self.boot}-{self.versions.get(gid, 0)}", view_version=self.view_version(gid),
                      opened=opened,
                      names={t: game.teams[t].name for t in game.teams}, title=game.model.spec.meta.title,
                      side_names={s: v.name for s, v in game.model.spec.sides.items()},
                      faction_names={f: short_name(v.name) for f, v in game.model.spec.factions.items()})
        self.snapshots[gid] = status

    async def status(self, gid: str) -> dict:
        """The game's public status (what the room's status bar and projector show), with how long the turn
        has been open."""
        snap = self.snapshots.get(gid)
        if snap is None:
            await self.call(gid, lambda g: None)
            snap = self.snapshots[gid]
        opened = snap.get("opened")
        open_for = None
        if opened and not snap.get("finished"):          # a finished game's clock has stopped
            try:
                open_for = max(0, round((dt.datetime.now() - dt.datetime.fromisoformat(opened)).total_seconds()))
            except ValueError:
                pass
        return {**snap, "open_for": open_for}

    def view_version(self, gid: str) -> str:
        return f"{self.boot}-{self.view_versions.get(gid, 0)}"
