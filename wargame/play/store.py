"""The game on disk: SQLite, written after every order, intervention and turn, so a server that dies
mid-turn restarts with every submitted order (the model itself is rebuilt by replaying the record).

Tables: games (the configuration), uploads (the text of a scenario file uploaded for a game: the game is
rebuilt from it, never from a file on the server's disk), codes (join codes by role), orders (one row per
team and turn; a resubmission before the turn resolves replaces it), interventions (the white cell's, in
order; a rewind marks later ones inactive but keeps them), turns (each resolved turn's summary and every
team's view, for the debrief), log (every action, by whom), messages (the talks between teams and with the
white cell, with the turn and game date each was sent in; a rewind marks later ones as said before it but
keeps them: what was said in the room was said).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS games (id TEXT PRIMARY KEY, config TEXT NOT NULL, created TEXT NOT NULL,
                                  paused INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS uploads (game TEXT PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS codes (game TEXT NOT NULL, role TEXT NOT NULL, code TEXT NOT NULL UNIQUE,
                                  PRIMARY KEY (game, role));
CREATE TABLE IF NOT EXISTS orders (game TEXT NOT NULL, turn INTEGER NOT NULL, team TEXT NOT NULL,
                                   orders TEXT NOT NULL, submitted TEXT NOT NULL, PRIMARY KEY (game, turn, team));
CREATE TABLE IF NOT EXISTS interventions (seq INTEGER PRIMARY KEY AUTOINCREMENT, game TEXT NOT NULL,
                                          turn INTEGER NOT NULL, kind TEXT NOT NULL, params TEXT NOT NULL,
                                          at TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS turns (game TEXT NOT NULL, turn INTEGER NOT NULL, resolved TEXT NOT NULL,
                                  summary TEXT NOT NULL, views TEXT NOT NULL, PRIMARY KEY (game, turn));
CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY AUTOINCREMENT, game TEXT NOT NULL, at TEXT NOT NULL,
                                who TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, game TEXT NOT NULL,
                                     turn INTEGER NOT NULL, date TEXT NOT NULL, sender TEXT NOT NULL,
                                     addressee TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL,
                                     rewound INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS messages_by_game ON messages (game, seq);
"""


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class GameStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")          # an order acknowledged is an order on disk
        self.db.executescript(SCHEMA)
        self.lock = threading.RLock()

    def _write(self, sql: str, args: tuple) -> int:
        with self.lock:
            cursor = self.db.execute(sql, args)
            return cursor.lastrowid

    def _rows(self, sql: str, args: tuple) -> list[tuple]:
        with self.lock:
            return self.db.execute(sql, args).fetchall()

    # games and codes
    def create(self, game: str, config: dict, codes: dict[str, str], scenario_text: str | None = None) -> None:
        with self.lock:
            self.db.execute("BEGIN")
            self.db.execute("INSERT INTO games (id, config, created) VALUES (?, ?, ?)", (game, json.dumps(config), now()))
            if scenario_text is not None:
                self.db.execute("INSERT INTO uploads (game, text) VALUES (?, ?)", (game, scenario_text))
            self.db.executemany("INSERT INTO codes (game, role, code) VALUES (?, ?, ?)",
                                [(game, role, code) for role, code in codes.items()])
            self.db.execute("COMMIT")

    def config(self, game: str) -> dict:
        rows = self._rows("SELECT config FROM games WHERE id = ?", (game,))
        return json.loads(rows[0][0]) if rows else {}

    def scenario_text(self, game: str) -> str | None:
        """The text of the scenario uploaded for this game; None if it plays a built-in scenario."""
        rows = self._rows("SELECT text FROM uploads WHERE game = ?", (game,))
        return rows[0][0] if rows else None

    def codes(self, game: str) -> dict[str, str]:
        return dict(self._rows("SELECT role, code FROM codes WHERE game = ?", (game,)))

    def role_of(self, code: str) -> tuple[str, str] | None:
        rows = self._rows("SELECT game, role FROM codes WHERE code = ?", (code,))
        return (rows[0][0], rows[0][1]) if rows else None

    def paused(self, game: str) -> bool:
        return bool(self._rows("SELECT paused FROM games WHERE id = ?", (game,))[0][0])

    def set_paused(self, game: str, paused: bool) -> None:
        self._write("UPDATE games SET paused = ? WHERE id = ?", (int(paused), game))

    # orders
    def put_orders(self, game: str, turn: int, team: str, orders: dict) -> None:
        self._write("INSERT OR REPLACE INTO orders (game, turn, team, orders, submitted) VALUES (?, ?, ?, ?, ?)",
                    (game, turn, team, json.dumps(orders), now()))

    def orders(self, game: str, turn: int) -> dict[str, dict]:
        return {team: json.loads(text) for team, text in
                self._rows("SELECT team, orders FROM orders WHERE game = ? AND turn = ?", (game, turn))}

    def drop_orders_from(self, game: str, turn: int) -> None:
        self._write("DELETE FROM orders WHERE game = ? AND turn >= ?", (game, turn))

    # interventions
    def add_intervention(self, game: str, turn: int, kind: str, params: dict) -> int:
        return self._write("INSERT INTO interventions (game, turn, kind, params, at) VALUES (?, ?, ?, ?, ?)",
                           (game, turn, kind, json.dumps(params), now()))

    def interventions(self, game: str, turn: int | None = None) -> list[dict]:
        sql = "SELECT seq, turn, kind, params, at FROM interventions WHERE game = ? AND active = 1"
        args: tuple = (game,)
        if turn is not None:
            sql += " AND turn = ?"
            args += (turn,)
        return [{"seq": s, "turn": t, "kind": k, "params": json.loads(p), "at": a}
                for s, t, k, p, a in self._rows(sql + " ORDER BY seq", args)]

    def deactivate_interventions_from(self, game: str, turn: int) -> None:
        self._write("UPDATE interventions SET active = 0 WHERE game = ? AND turn >= ?", (game, turn))

    # turns
    def put_turn(self, game: str, turn: int, summary: dict, views: dict) -> None:
        self._write("INSERT OR REPLACE INTO turns (game, turn, resolved, summary, views) VALUES (?, ?, ?, ?, ?)",
                    (game, turn, now(), json.dumps(summary), json.dumps(views)))

    def turns(self, game: str) -> list[dict]:
        return [{"turn": t, "resolved": r, "summary": json.loads(s)} for t, r, s in
                self._rows("SELECT turn, resolved, summary FROM turns WHERE game = ? ORDER BY turn", (game,))]

    def turn_views(self, game: str, turn: int) -> dict:
        rows = self._rows("SELECT views FROM turns WHERE game = ? AND turn = ?", (game, turn))
        return json.loads(rows[0][0]) if rows else {}

    def drop_turns_from(self, game: str, turn: int) -> None:
        self._write("DELETE FROM turns WHERE game = ? AND turn >= ?", (game, turn))

    # log
    def log(self, game: str, who: str, action: str, detail: dict | None = None) -> None:
        self._write("INSERT INTO log (game, at, who, action, detail) VALUES (?, ?, ?, ?, ?)",
                    (game, now(), who, action, json.dumps(detail or {}, default=str)))

    def entries(self, game: str) -> list[dict]:
        return [{"seq": s, "at": a, "who": w, "action": act, "detail": json.loads(d)} for s, a, w, act, d in
                self._rows("SELECT seq, at, who, action, detail FROM log WHERE game = ? ORDER BY seq", (game,))]

    # messages (who may read which is play.messages' rule, applied by its callers)
    def add_message(self, game: str, turn: int, date: str, sender: str, addressee: str, text: str) -> int:
        return self._write("INSERT INTO messages (game, turn, date, sender, addressee, text, at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)", (game, turn, date, sender, addressee, text, now()))

    def messages(self, game: str, reader: str | None = None) -> list[dict]:
        """The game's messages in the order sent: all of them (reader None), or those `reader` sent or was
        sent, a message to "all" included."""
        sql = "SELECT seq, turn, date, sender, addressee, text, at, rewound FROM messages WHERE game = ?"
        args: tuple = (game,)
        if reader is not None:
            sql += " AND (sender = ? OR addressee = ? OR addressee = 'all')"
            args += (reader, reader)
        return [{"seq": q, "turn": t, "date": d, "from": s, "to": a, "text": x, "at": at, "rewound": bool(r)}
                for q, t, d, s, a, x, at, r in self._rows(sql + " ORDER BY seq", args)]

    def count_messages(self, game: str, sender: str, turn: int) -> int:
        return self._rows("SELECT COUNT(*) FROM messages WHERE game = ? AND sender = ? AND turn = ? AND rewound = 0",
                          (game, sender, turn))[0][0]

    def inbox_size(self, game: str, reader: str) -> int:
        """How many messages `reader` has been sent (to it or to all): what a page polls to learn of a new one."""
        return self._rows("SELECT COUNT(*) FROM messages WHERE game = ? AND (addressee = ? OR addressee = 'all')",
                          (game, reader))[0][0]

    def mark_messages_rewound_from(self, game: str, turn: int) -> None:
        self._write("UPDATE messages SET rewound = 1 WHERE game = ? AND turn >= ?", (game, turn))

    def close(self) -> None:
        with self.lock:
            self.db.close()
