"""A game's record by value, and the game rebuilt from it in another process.

The record in SQLite is the game (game.py): the configuration, the uploaded scenario's text, the orders of
every resolved turn and the active interventions give back the same model when replayed. A worker process
that draws the after-action report is handed this record as plain data, rebuilds the game in a private
store of its own and draws from that, so it shares no object, lock or database connection with the server,
and the server's game goes on being played meanwhile.

    record = GameRecord.of(game)                 # in the server, under the game's lock: a few reads
    draw_report(record, out, progress)           # in the worker: replay, then the run directory and report
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from wargame.play.game import Game
from wargame.play.store import GameStore


@dataclass(frozen=True)
class GameRecord:
    """What rebuilds a game as it stands: the record of its resolved turns and of the white cell's
    interventions, including those made since the last turn (they act on the model at once)."""

    game: str
    config: dict
    scenario_text: str | None
    orders: list[dict]              # the orders of each resolved turn, turn 0 first
    interventions: list[dict]       # the active ones, in the order they were made: turn, kind, params

    @classmethod
    def of(cls, game: Game) -> GameRecord:
        """The record of `game`, read from its store; call it under the game's lock, so that the record
        is the game in memory (every change to either is made under that lock)."""
        store, gid = game.store, game.id
        resolved = [x["turn"] for x in store.turns(gid)]
        return cls(game=gid, config=store.config(gid), scenario_text=store.scenario_text(gid),
                   orders=[store.orders(gid, turn) for turn in resolved],
                   interventions=[{k: x[k] for k in ("turn", "kind", "params")} for x in store.interventions(gid)])

    @property
    def turn(self) -> int:
        """The turn the game is at (turns resolved so far)."""
        return len(self.orders)

    def digest(self) -> str:
        """A fingerprint of the record: the same for the same game state, whatever the server or the day,
        and different after anything that changes the model (a turn, an intervention, a rewind and a turn
        played differently)."""
        text = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def replay(self, folder: str | Path) -> Game:
        """The game rebuilt from this record in a new store in `folder` (private to the caller): the turns
        replayed, the interventions applied where they were made. The current turn's orders are not part
        of the record, so the rebuilt game never resolves a turn on loading."""
        store = GameStore(Path(folder) / "record.sqlite")
        store.create(self.game, self.config, {}, self.scenario_text)
        for turn, orders in enumerate(self.orders):
            for team, order in orders.items():
                store.put_orders(self.game, turn, team, order)
            store.put_turn(self.game, turn, {}, {})       # replay counts the resolved turns; nothing reads these
        for entry in self.interventions:
            store.add_intervention(self.game, entry["turn"], entry["kind"], entry["params"])
        return Game(store, self.game)


def write_progress(path: Path | None, text: str) -> None:
    """Say how far a report is, in a file the server reads: replaced whole, so it is never read half-written."""
    if path is None:
        return
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def draw_report(record: GameRecord, out: str | Path, progress: str | Path | None = None,
                drawing_processes: int = 0) -> Path:
    """The run directory and after-action report of the game in `record`, written to `out` (atomically:
    the directory appears whole or not at all), its progress written to the file `progress` as it goes.
    `drawing_processes`: processes to draw in (0: this one, as a background worker should, leaving the
    other cores to the server). Returns the report's path."""
    progress_file = Path(progress) if progress is not None else None
    say: Callable[[str], None] = lambda text: write_progress(progress_file, text)   # noqa: E731
    turns = record.turn
    say(f"replaying the game's record ({turns} turn{'s' if turns != 1 else ''})")
    with tempfile.TemporaryDirectory(prefix="wargame-report-") as private:
        game = record.replay(private)
        say("writing the run's data")
        stages = {"charts": "drawing the charts", "maps": "drawing the maps", "animation": "drawing the film",
                  "report": "writing the report"}
        directory = game.write_report(out, workers=drawing_processes,
                                      progress=lambda stage: say(stages.get(stage, stage)))
        game.store.close()
    return Path(directory) / "report.html"
