"""The classroom web server: teams play from their laptops, the instructor runs the white cell, a projector
shows the room what everyone may know. Starlette on uvicorn, over the plain-Python game (game.py).

Authorisation: the join code is the only credential. POST /join puts it in an HttpOnly, SameSite=Strict
cookie (API clients may send it in an X-Game-Code header instead); every request derives its game and role
(a team id or "instructor") from that code and from nothing else: no route takes a game, team or role from
its URL, query or body, so a team can only ever read and order for itself. A missing or unknown code is a
401, a team's code on an instructor route a 403. SameSite=Strict keeps other sites from posting with the
cookie; a Content-Security-Policy of 'self' keeps every page to the assets served here (and enforces the
rule that pages work on a network with no internet).

One server hosts every game of one SQLite file. A loaded Game is kept in memory and guarded by its own
lock; game calls block (SQLite writes, a turn's model steps), so they run in the thread pool. The public
status of each game is kept as a snapshot refreshed after every change, so the room's polling never waits
for a turn being resolved. Maps are drawn with matplotlib (object API, one render at a time: pyplot's
global state is not thread-safe) over a cached base raster, and cached per game version.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import math
import secrets
import threading
import time
import types
from collections import OrderedDict, deque
from pathlib import Path
from typing import Literal, Union, get_args, get_origin
from urllib.parse import parse_qs

import numpy as np
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from wargame.core.errors import ScenarioError, WargameError
from wargame.play.fog import truth as true_picture
from wargame.play.game import DEFAULT_SCENARIO, INJECTS, OVERRIDES, Game, StaleTurn, authenticate
from wargame.play.news import describe
from wargame.play.orders import ORDER_TYPES, STANCES
from wargame.play.store import GameStore
from wargame.play.teams import DEFAULT_TEAMS, TEAMS

COOKIE = "wargame_code"
COOKIE_HOURS = 24                    # a class day: a laptop that sleeps over lunch stays logged in
STATIC = Path(__file__).parent / "static"
MAX_BODY = 64_000                    # orders and injects are small; refuse anything larger
FAILED_LIMIT, FAILED_WINDOW = 100, 300.0   # unknown codes per client per 5 minutes before 429
e = html.escape


# ---------------------------------------------------------------------------------------------- helpers

def _json_default(value):
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _finite(value):
    """NaN and infinities as null: JSON has no such numbers and a browser's JSON.parse rejects them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


class JSON(JSONResponse):
    def render(self, content) -> bytes:
        try:
            text = json.dumps(content, default=_json_default, allow_nan=False, separators=(",", ":"))
        except ValueError:
            text = json.dumps(_finite(content), default=_json_default, separators=(",", ":"))
        return text.encode("utf-8")


def errors_of(exc: Exception) -> list[str]:
    if isinstance(exc, ScenarioError):
        return [str(p) for p in exc.problems]
    return [str(exc)]


def bad_request(problems: list[str]) -> JSON:
    return JSON({"errors": problems}, status_code=400)


async def read_body(request: Request) -> dict:
    """A JSON object or a url-encoded form (the pages' plain forms) as a dict; HTTPException 400 if it is
    neither. Repeated form fields (checkboxes) become lists."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise HTTPException(413, "request too large")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        fields = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v if len(v) > 1 or k in ("humans",) else v[0] for k, v in fields.items()}
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"the request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "the request body must be a JSON object { ... }")
    return body


def lan_address() -> str | None:
    """This computer's address on its local network, found with no network traffic: connect() on a UDP
    socket sends nothing, it only asks the kernel which interface routes to the (documentation-only)
    address. None on a computer with no network."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def join_url(request: Request) -> str:
    """The address students type: as this page was reached, unless that was this laptop's loopback."""
    host, port = request.url.hostname or "localhost", request.url.port
    listening = getattr(request.app.state, "listen_host", None)          # set by serve()
    loopback = ("127.0.0.1", "localhost", "::1")
    if host in loopback and listening not in loopback:                 # reachable from the network too
        host = lan_address() or host
    return f"http://{host}{f':{port}' if port and port != 80 else ''}/"


def day_to_date(start: dt.datetime, day: float) -> str:
    return f"{start + dt.timedelta(days=float(day)):%d %b %H:%M}"


# ---------------------------------------------------------------------------------------------- the hub

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
        self.maps = MapCache()
        self.failed: dict[str, deque] = {}
        self.created: dict[str, deque] = {}    # games created per computer (a runaway script cannot fill memory)
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

    def may_create(self, host: str) -> bool:
        times = self.created.setdefault(host, deque())
        while times and times[0] < time.monotonic() - 3600:
            times.popleft()
        if len(times) >= CREATE_LIMIT:
            return False
        times.append(time.monotonic())
        return True

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
                      side_names={s: v.name for s, v in game.model.spec.sides.items()})
        self.snapshots[gid] = status

    async def status(self, gid: str) -> dict:
        snap = self.snapshots.get(gid)
        if snap is None:
            await self.call(gid, lambda g: None)
            snap = self.snapshots[gid]
        opened = snap.get("opened")
        open_for = None
        if opened:
            try:
                open_for = max(0, round((dt.datetime.now() - dt.datetime.fromisoformat(opened)).total_seconds()))
            except ValueError:
                pass
        return {**snap, "open_for": open_for}

    def view_version(self, gid: str) -> str:
        return f"{self.boot}-{self.view_versions.get(gid, 0)}"

    # -- authorisation

    def who(self, request: Request) -> tuple[str, str]:
        """(game id, role) from the request's code: the X-Game-Code header, else the cookie."""
        code = request.headers.get("x-game-code") or request.cookies.get(COOKIE)
        host = request.client.host if request.client else "?"
        found = authenticate(self.store, code) if code else None
        if found is not None:                   # a valid code is never locked out by someone's guessing
            return found
        if self._throttled(host):
            raise HTTPException(429, "too many unknown codes from this computer: wait a few minutes")
        if code:
            self._fail(host)
        raise HTTPException(401, "no valid join code: join the game with your code first" if not code
                            else "that join code is not known here")

    def _throttled(self, host: str) -> bool:
        times = self.failed.get(host)
        if not times:
            return False
        while times and times[0] < time.monotonic() - FAILED_WINDOW:
            times.popleft()
        return len(times) >= FAILED_LIMIT

    def _fail(self, host: str) -> None:
        self.failed.setdefault(host, deque()).append(time.monotonic())

    def team(self, request: Request) -> tuple[str, str]:
        gid, role = self.who(request)
        if role == "instructor":
            raise HTTPException(403, "this is a team's page: the instructor has the console at /instructor")
        if role == "projector":
            raise HTTPException(403, "the projector's code opens the public view only")
        return gid, role

    def instructor(self, request: Request) -> tuple[str, str]:
        gid, role = self.who(request)
        if role != "instructor":
            raise HTTPException(403, "only the instructor may do this")
        return gid, role


# ---------------------------------------------------------------------------------------------- maps

MAP_SIZES = {  # inches wide, high, dpi; the axes' rectangle in the figure (the legend is the page's: HTML
    # stays legible however the browser scales the image)
    "large": (9.0, 9.0, 110, (0.005, 0.005, 0.99, 0.99)),
    "small": (4.6, 4.4, 100, (0.005, 0.005, 0.99, 0.99)),
}
# The front of the 2024 campaign (and of 2016): Latakia to Aleppo and al-Bab, down to Hama.
FRONT_PLACES = ("aleppo", "idlib", "hama", "latakia", "al_bab", "jisr_al_shughur")
UNKNOWN = "#8a8a8a"
CONTROL_ALPHA, UNKNOWN_ALPHA = 0.36, 0.62
FRONT_TOWNS = ("saraqib", "maarat_al_numan", "khan_shaykhun", "jisr_al_shughur", "azaz", "afrin", "tal_rifaat",
               "al_bab", "manbij", "rastan", "morek", "suran", "taftanaz", "darat_izza", "atarib")


class MapCache:
    """Rendered PNGs by key (game, what, version, area), least recently used dropped, and the base rasters
    (terrain, border, rivers, roads below; place markers and names above) by theatre and frame."""

    def __init__(self, size: int = 96):
        self.size = size
        self.pngs: OrderedDict = OrderedDict()
        self.bases: dict = {}
        self.lock = threading.Lock()          # one render at a time (see the module's docstring)

    def get(self, key, draw) -> bytes:
        with self.lock:
            if key in self.pngs:
                self.pngs.move_to_end(key)
                return self.pngs[key]
            png = draw()
            self.pngs[key] = png
            while len(self.pngs) > self.size:
                self.pngs.popitem(last=False)
            return png


def _figure(size: str):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    w, h, dpi, rect = MAP_SIZES[size]
    fig = Figure(figsize=(w, h), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig, fig.add_axes(rect)


def _frame(ax, theatre, area: str) -> None:
    """The map's limits: the front (Latakia to Aleppo, Hama) or the whole theatre; the aspect is kept by
    widening the limits to fill the axes, so a base raster and its overlay share one frame."""
    cells = [theatre.place_cell[p] for p in FRONT_PLACES if p in theatre.place_cell]
    if area == "front" and len(cells) >= 3:
        x, y, margin = theatre.x[cells], theatre.y[cells], 30.0
    else:
        x, y, margin = theatre.x, theatre.y, 5.0
    x0, x1, y0, y1 = x.min() - margin, x.max() + margin, y.min() - margin, y.max() + margin
    box = ax.get_position(original=True)         # not the active one: that would apply the old aspect
    w_in, h_in = ax.figure.get_size_inches()
    ratio = (box.width * w_in) / (box.height * h_in)           # the axes' width / height on the page
    if (x1 - x0) / (y1 - y0) < ratio:                           # widen whichever way the box is longer
        grow = ((y1 - y0) * ratio - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) / ratio - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.apply_aspect()


def _bases(cache: MapCache, key, theatre, area: str, size: str):
    """The two cached rasters of a frame: the base map, and the places (markers and names) on a
    transparent layer to lay over the control shading and the units."""
    if key in cache.bases:
        return cache.bases[key]
    from wargame.report.theatre_map import KEY_TOWNS, base_map, draw_places

    fig, ax = _figure(size)
    base_map(theatre, ax=ax)
    _frame(ax, theatre, area)
    fig.canvas.draw()
    under = np.asarray(fig.canvas.buffer_rgba()).copy()

    fig, ax = _figure(size)
    fig.patch.set_alpha(0)
    ax.set_facecolor("none")
    for spine in ax.spines.values():
        spine.set_visible(False)
    _frame(ax, theatre, area)
    small = size == "small"
    towns = () if small else (FRONT_TOWNS if area == "front" else KEY_TOWNS)
    draw_places(ax, theatre, label_towns=towns, fontsize=7 if small else (10.5 if area == "front" else 8.5),
                kinds=("city", "airbase", "crossing") if small else ("city", "airbase", "port", "crossing",
                                                                      "garrison"),
                label_kinds=("city",) if small else ("city", "airbase", "crossing"),
                within=ax.get_window_extent())
    fig.canvas.draw()
    over = np.asarray(fig.canvas.buffer_rgba()).copy()
    cache.bases[key] = (under, over)
    return under, over


def _counters(theatre, units: list[dict], faction_index: dict[str, int]):
    """One counter per occupied cell (its strongest unit's faction; morale weighted by personnel; the best
    state there), as campaign_map.counter_geometry wants them."""
    from wargame.report.campaign_map import STATE_CODE

    by_cell: dict[int, list[dict]] = {}
    for u in units:
        if u.get("cell", -1) >= 0 and u.get("state", "active") in STATE_CODE:
            by_cell.setdefault(int(u["cell"]), []).append(u)
    cells = np.array(sorted(by_cell), dtype=int)
    faction, state, morale, stack = [], [], [], []
    for c in cells:
        here = by_cell[int(c)]
        lead = max(here, key=lambda u: (-STATE_CODE[u.get("state", "active")], u.get("personnel", 0)))
        weights = np.array([max(u.get("personnel", 1), 1) for u in here], dtype=float)
        faction.append(faction_index.get(lead["faction"], 0))
        state.append(min(STATE_CODE[u.get("state", "active")] for u in here))
        morale.append(float(np.average([u.get("morale", 0.5) for u in here], weights=weights)))
        stack.append(len(here))
    return cells, np.array(faction, dtype=int), np.array(state, dtype=int), np.array(morale), np.array(stack)


def draw_picture(cache: MapCache, game_key: str, theatre, spec, side_ids: list[str], picture: dict, *,
                 truth: bool, area: str = "front", size: str = "large") -> bytes:
    """A team's picture (known control, its own units with their morale, friendly units, enemies seen and
    where others were last seen) or the truth (true control, every unit with its morale), as a PNG."""
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import to_rgba

    from wargame.report.campaign_map import SURRENDERED, counter_geometry
    from wargame.report.style import faction_colours, side_colours
    from wargame.report.theatre_map import hex_collection

    under, over = _bases(cache, (game_key, area, size), theatre, area, size)
    control = np.asarray(picture.get("control", []), dtype=int)
    sides = side_colours(spec)
    fig, ax = _figure(size)
    _frame(ax, theatre, area)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    px_per_km = ax.get_window_extent().width / (x1 - x0)
    rim = theatre.layout.cell_km
    cells = np.flatnonzero(theatre.inside & (theatre.x > x0 - rim) & (theatre.x < x1 + rim)
                           & (theatre.y > y0 - rim) & (theatre.y < y1 + rim))
    held = control[cells] if control.size == theatre.n else np.full(cells.size, -1)

    # control: each inside cell in view in its side's colour (unknown grey), drawn opaque on a layer of its
    # own (edges in the fill colour close the hairline gaps between hexes) and blended into the base with
    # one weight per colour: translucent hexes drawn one by one would darken every shared edge into a grid
    layer, ax2 = _figure(size)
    layer.patch.set_alpha(0)
    ax2.set_facecolor("none")
    ax2.axis("off")
    _frame(ax2, theatre, area)
    palette = np.array([to_rgba(sides[s]) for s in side_ids] + [to_rgba(UNKNOWN)])
    rgba = palette[np.where(held >= 0, held, len(side_ids))]
    hexes = hex_collection(theatre, cells, rgba)
    hexes.set_edgecolor(rgba)
    hexes.set_linewidth(0.8)
    ax2.add_collection(hexes, autolim=False)
    layer.canvas.draw()
    tint = np.asarray(layer.canvas.buffer_rgba())
    unknown = np.all(tint[..., :3] == (np.array(to_rgba(UNKNOWN)[:3]) * 255).round().astype(np.uint8), axis=-1)
    a = np.where(tint[..., 3] == 0, 0.0, np.where(unknown, UNKNOWN_ALPHA, CONTROL_ALPHA))[..., None]
    blended = under.astype(np.float32) / 255.0
    blended[..., :3] = blended[..., :3] * (1 - a) + tint[..., :3].astype(np.float32) / 255.0 * a
    fig.figimage((blended * 255).round().astype(np.uint8), zorder=-1)
    ax.set_facecolor("none")

    factions = faction_colours(spec)
    faction_ids = list(factions)
    f_index = {f: i for i, f in enumerate(faction_ids)}
    f_rgba = np.array([to_rgba(factions[f]) for f in faction_ids])
    # a counter at least 7 px (9 on the large map) wide: at the whole theatre a cell is only ~9 px
    counter_km = max(0.74 * theatre.layout.cell_km, (9 if size == "large" else 6) / px_per_km)
    lw = 0.7 if size == "large" else 0.5

    def counters(units, z):
        cells_, fac, state, morale, stack = _counters(theatre, units, f_index)
        if not cells_.size:
            return
        shadows, boxes, fills, marks, _ = counter_geometry(theatre.x[cells_], theatre.y[cells_], counter_km,
                                                           morale, state, stack)
        face = np.where((state == SURRENDERED)[:, None], to_rgba("#bdbdbd"), to_rgba("white"))
        for verts, fc, zz in ((shadows, f_rgba[fac[stack > 1]] * [0.7, 0.7, 0.7, 1], z),
                              (boxes, face, z + 0.01), (fills, f_rgba[fac], z + 0.02)):
            if len(verts):
                ax.add_collection(PolyCollection(verts, facecolors=fc, edgecolors="#1a1a1a" if zz != z + 0.02
                                                 else "none", linewidths=lw, zorder=zz), autolim=False)
        if len(marks):
            from matplotlib.collections import LineCollection
            ax.add_collection(LineCollection(marks, colors="#1a1a1a", linewidths=lw * 2, zorder=z + 0.03),
                              autolim=False)

    def points(units, marker, size_px, z, hollow=False):
        seen = {}
        for u in units:
            if u.get("cell", -1) >= 0:
                seen.setdefault((int(u["cell"]), u["faction"]), u)
        if not seen:
            return
        cells_ = np.array([c for c, _ in seen], dtype=int)
        colour = np.array([to_rgba(factions.get(f, "#444444")) for _, f in seen])
        kw = {"marker": marker, "s": size_px ** 2, "zorder": z}
        if hollow:
            ax.scatter(theatre.x[cells_], theatre.y[cells_], facecolors="none", edgecolors=colour,
                       linewidths=1.6 if size == "large" else 1.0, **kw)
        else:
            ax.scatter(theatre.x[cells_], theatre.y[cells_], c=colour, edgecolors="#1a1a1a",
                       linewidths=0.6, **kw)

    big = size == "large"
    if truth:
        counters(picture.get("units", []), 3)
    else:
        points(picture.get("last_seen", []), "D", 8 if big else 5, 2.6, hollow=True)
        points(picture.get("friendly", []), "o", 6 if big else 4, 2.8)
        counters(picture.get("own", []), 3)
        points(picture.get("enemies", []), "D", 8 if big else 5, 3.5)
    fig.figimage(over, zorder=5)

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


def _svg(shape: str, fill: str = "#ffffff", opacity: float = 1.0) -> str:
    """A small symbol as inline SVG (presentation attributes, not style: the CSP allows them)."""
    f = e(fill)
    body = {
        "counter": f'<rect x="2" y="2" width="14" height="14" fill="#fff" stroke="#1a1a1a"/>'
                   f'<rect x="2" y="9" width="14" height="7" fill="{f}"/>'
                   f'<rect x="2" y="2" width="14" height="14" fill="none" stroke="#1a1a1a"/>',
        "circle": f'<circle cx="9" cy="9" r="5" fill="{f}" stroke="#1a1a1a"/>',
        "diamond": f'<polygon points="9,2 16,9 9,16 2,9" fill="{f}" stroke="#1a1a1a"/>',
        "hollow": f'<polygon points="9,3 15,9 9,15 3,9" fill="none" stroke="{f}" stroke-width="2"/>',
        "swatch": f'<rect x="1" y="3" width="16" height="12" fill="{f}" fill-opacity="{opacity:g}" stroke="#999"/>',
    }[shape]
    return f'<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">{body}</svg>'


def legend_html(spec, side_ids: list[str], picture: dict, truth: bool, own: str = "your units") -> str:
    """The map's key: the symbols, the colours of the factions on the map, the ground."""
    from wargame.report.style import faction_colours, short_name, side_colours

    factions, sides = faction_colours(spec), side_colours(spec)
    if truth:
        symbols = [("counter", "#888888", "a unit, filled to its morale (a slash: routing; a cross: surrendered)")]
    else:
        symbols = [("counter", "#888888", f"{own}, filled to their morale"),
                   ("circle", "#bbbbbb", "allied units"), ("diamond", "#bbbbbb", "enemy units in sight"),
                   ("hollow", "#555555", "enemy units last seen there")]
    present = {u["faction"] for key in ("units", "own", "friendly", "enemies", "last_seen")
               for u in picture.get(key, [])}
    colours = [(factions[f], short_name(spec.factions[f].name)) for f in factions if f in present]
    held = set(picture.get("control", []))
    ground = [(sides[s], CONTROL_ALPHA + 0.15, f"held by {short_name(spec.sides[s].name)}")
              for i, s in enumerate(side_ids) if i in held]
    if not truth and -1 in held:
        ground.append((UNKNOWN, UNKNOWN_ALPHA, "not seen: who holds it is unknown"))
    item = "<li>{}<span>{}</span></li>".format
    return ('<div class="legend">'
            f'<ul>{"".join(item(_svg(shape, colour), e(text)) for shape, colour, text in symbols)}</ul>'
            f'<ul>{"".join(item(_svg("swatch", colour), e(name)) for colour, name in colours)}</ul>'
            f'<ul>{"".join(item(_svg("swatch", colour, alpha), e(text)) for colour, alpha, text in ground)}</ul>'
            "</div>")


# ---------------------------------------------------------------------------------------------- words

def when(event: dict) -> str:
    t = event.get("time")
    if t:
        try:
            return f"{dt.datetime.fromisoformat(t):%d %b %H:%M}"
        except ValueError:
            pass
    return f"day {event.get('day', 0):.2f}"


def orders_text(orders: dict | None, game: Game) -> str:
    """A team's orders in a line: "Idlib: attack towards Saraqib; tempo all_out"."""
    if orders is None:
        return "no orders: the doctrine AI played this team"
    places = game.model.theatre.geodata.places
    parts = []
    for sector, order in (orders.get("sectors") or {}).items():
        text = f"{game.sectors.names.get(sector, sector)}: {order.get('stance', 'doctrine')}"
        if order.get("axis"):
            axis = order["axis"]
            text += f" towards {places[axis].name.split(' (')[0] if axis in places else axis}"
        parts.append(text)
    sector = lambda x: game.sectors.names.get(x, x) if isinstance(x, str) else x
    parts += [f"{k.replace('_', ' ')} {', '.join(map(sector, v)) if isinstance(v, list) else sector(v)}"
              for k, v in orders.items() if k != "sectors"]
    return "; ".join(parts) or "all sectors left to doctrine"


LEVER_HELP = {
    "air_priorities": "Sectors whose spotted enemies your aircraft strike first (ids, comma-separated, "
                      "first first)",
    "redeploy": "Aircraft to ask of Moscow (0-30); they arrive after a delay",
    "talks_with_turkey": "Offer Turkey a deal freezing the north-west",
    "commitment": "Share of Iran's means put into Syria (0-1)",
    "recruits_per_week": "Recruiting drive: recruits a week (0-2000)",
    "iraqi_militias": "Pressure on the Iraqi militias to cross (0-1)",
    "reserves_to": "Commit the regime's reserves to a sector at once",
    "tempo": "How many of your units attack: cautious (a third), steady (two thirds), all_out (all)",
    "support": "Turkish support to the SNA (0.3-1)",
    "accept_talks": "Accept Russia's offer of a deal (when one is open)",
    "strikes_per_week": "Strikes a week on Iranian and Hezbollah targets (0-14)",
}


def lever_fields(team: str) -> list[dict]:
    """The team's levers (every order field but the sectors), with a widget kind and limits, read from its
    order model so the form and the validation cannot drift apart."""
    out = []
    for name, field in ORDER_TYPES[team].model_fields.items():
        if name == "sectors":
            continue
        base = field.annotation
        if get_origin(base) in (Union, types.UnionType):           # Optional[X]: the widget is X's
            base = next(a for a in get_args(base) if a is not type(None))
        info = {"name": name, "help": LEVER_HELP.get(name, name.replace("_", " ")), "default": field.default}
        for meta in field.metadata:
            if hasattr(meta, "ge"):
                info["min"] = meta.ge
            if hasattr(meta, "le"):
                info["max"] = meta.le
        if base is bool:
            info["kind"] = "bool"
        elif get_origin(base) is Literal:
            info.update(kind="choice", choices=list(get_args(base)))
        elif base is int:
            info["kind"] = "int"
        elif base is float:
            info["kind"] = "float"
        elif get_origin(base) is list:
            info["kind"] = "sector-list"
        else:
            info["kind"] = "sector"
        out.append(info)
    return out


# ---------------------------------------------------------------------------------------------- pages

def page(title: str, body: str, *, kind: str = "", data: dict | None = None, status: int = 200) -> HTMLResponse:
    attrs = "".join(f' data-{k}="{e(str(v))}"' for k, v in (data or {}).items())
    return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · Syria wargame</title>
<link rel="stylesheet" href="/static/play.css"><script src="/static/play.js" defer></script></head>
<body class="page-{e(kind)}" data-page="{e(kind)}"{attrs}>
{body}
</body></html>""", status_code=status)


def topbar(title: str, subtitle: str = "", logout: bool = True) -> str:
    out = f'<header class="top"><div><h1>{e(title)}</h1>'
    if subtitle:
        out += f'<p class="sub">{subtitle}</p>'
    out += "</div>"
    if logout:
        out += ('<form method="post" action="/logout" class="logout"><button type="submit" class="quiet">'
                "Leave this game</button></form>")
    return out + "</header>"


def status_bar(s: dict, team: str | None = None) -> str:
    """The big bar every page carries: turn, date, who has submitted, paused. JS redraws it on each poll
    with the same markup (play.js renderStatus)."""
    over = s["finished"]
    turn = "Game over" if over else f"Turn <b>{s['turn'] + 1}</b> of {s['turns']}"
    teams = "".join(
        f'<li class="{"done" if t in s["submitted"] else "waiting"}{" me" if t == team else ""}">'
        f'{e(s["names"].get(t, t))}<span class="mark">{"✓ orders in" if t in s["submitted"] else "waiting"}'
        f"</span></li>" for t in s["humans"])
    flags = '<span class="badge paused">PAUSED</span>' if s["paused"] else ""
    return (f'<section class="statusbar" id="statusbar" aria-live="polite">'
            f'<div class="clock"><span class="turn" id="s-turn">{turn}</span>'
            f'<span class="date" id="s-date">{e(s["date"])}</span></div>'
            f'<ul class="teams" id="s-teams">{teams}</ul><div class="flags" id="s-flags">{flags}</div></section>')


def home_page(hub: Hub, request: Request, message: str = "", errors: list[str] | None = None,
              status: int = 200) -> HTMLResponse:
    from wargame.core.scenario import builtin_names

    who = None
    code = request.cookies.get(COOKIE)
    if code:
        who = authenticate(hub.store, code)
    resume = ""
    if who:
        where = {"instructor": "/instructor", "projector": "/projector"}.get(who[1], "/team")
        role = {"instructor": "the instructor", "projector": "the projector"}.get(
            who[1], f"team {TEAMS[who[1]].name}" if who[1] in TEAMS else who[1])
        resume = (f'<p class="resume">You are in game <b>{e(who[0])}</b> as {e(role)}. '
                  f'<a class="button" href="{where}">Continue</a></p>')
    scenarios = "".join(f'<option value="{e(n)}"{" selected" if n == DEFAULT_SCENARIO else ""}>{e(n)}</option>'
                        for n in builtin_names())
    teams = "".join(
        f'<label class="check"><input type="checkbox" name="humans" value="{t}"'
        f'{" checked" if t in DEFAULT_TEAMS else ""}> {e(team.name)}</label>' for t, team in TEAMS.items())
    err = "".join(f"<li>{e(x)}</li>" for x in errors or [])
    body = f"""{topbar("Syria wargame", "Classroom play: join your team with its code", logout=bool(who))}
<main class="home">
{resume}
<section class="card join">
  <h2>Join a game</h2>
  <p>Type the code your instructor gave your team.</p>
  <form method="post" action="/join" id="join-form">
    <label for="code">Join code</label>
    <input id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false"
           maxlength="16" required class="code-input" placeholder="7KQ2RM">
    <button type="submit">Join</button>
  </form>
  {f'<p class="error" role="alert">{e(message)}</p>' if message else ""}
</section>
<section class="card newgame">
  <h2>New game (instructor)</h2>
  <form method="post" action="/games" id="new-game">
    <label for="scenario">Scenario</label>
    <select id="scenario" name="scenario">{scenarios}</select>
    <fieldset><legend>Teams played by students (the others are played by the AI)</legend>{teams}</fieldset>
    <div class="row">
      <label>Hours per turn <input type="number" name="turn_hours" min="1" step="1" placeholder="2 model steps"></label>
      <label>Seed <input type="number" name="seed" min="0" step="1" value="1"></label>
    </div>
    <button type="submit">Create the game</button>
    {f'<ul class="errors" role="alert">{err}</ul>' if err else ""}
  </form>
  <p class="hint">You become the instructor of the new game; the next page shows every team's join code.</p>
</section>
</main>"""
    return page("Join", body, kind="home", status=status)


def sector_rows(game: Game, view: dict, submitted: dict | None) -> str:
    sectors = game.sectors
    counts: dict[str, list] = {s: [] for s in sectors.ids}
    for u in view["own"]:
        if u["cell"] >= 0:
            counts[sectors.ids[int(sectors.of_cell[u["cell"]])]].append(u)
    given = (submitted or {}).get("sectors", {})
    rows = []
    for s in sectors.ids:
        units = counts[s]
        if units:
            morale = sum(u["morale"] for u in units) / len(units)
            shaky = sum(u["state"] in ("shaken", "routing") for u in units)
            here = (f'<b>{len(units)}</b> units<br><span class="dim small">morale {morale:.2f}'
                    f'{f" · {shaky} shaken" if shaky else ""}</span>')
        else:
            here = '<span class="dim">none</span>'
        order = given.get(s, {})
        stance = order.get("stance", "doctrine")
        options = "".join(f'<option value="{x}"{" selected" if x == stance else ""}>{x}</option>' for x in STANCES)
        rows.append(f'<tr data-sector="{e(s)}"><th scope="row">{e(sectors.names[s])}</th><td>{here}</td>'
                    f'<td><select name="stance" aria-label="stance in {e(sectors.names[s])}">{options}</select></td>'
                    f'<td><input name="axis" list="places" value="{e(order.get("axis") or "")}" '
                    f'placeholder="e.g. Saraqib" aria-label="axis in {e(sectors.names[s])}"></td></tr>')
    return "".join(rows)


def lever_inputs(team: str, game: Game, submitted: dict | None) -> str:
    out = []
    sectors = game.sectors
    for f in lever_fields(team):
        name, kind = f["name"], f["kind"]
        value = (submitted or {}).get(name, None)
        label = f'<span class="lever-name">{e(name.replace("_", " "))}</span><span class="dim">{e(f["help"])}</span>'
        if kind == "bool":
            widget = f'<input type="checkbox" name="{name}" data-kind="bool"{" checked" if value else ""}>'
            out.append(f'<label class="lever check">{widget} {label}</label>')
            continue
        if kind == "choice":
            current = value or f["default"]
            options = "".join(f'<option value="{e(c)}"{" selected" if c == current else ""}>{e(c)}</option>'
                              for c in f["choices"])
            if f["default"] is None:                  # not given: the doctrine AI's way
                options = f'<option value=""{"" if current else " selected"}>as the AI would</option>' + options
            widget = f'<select name="{name}" data-kind="choice">{options}</select>'
        elif kind in ("int", "float"):
            limits = "".join(f' {k}="{f[k]:g}"' for k in ("min", "max") if k in f)
            step = "1" if kind == "int" else "any"
            placeholder = "0" if kind == "int" else "unchanged"
            widget = (f'<input type="number" name="{name}" data-kind="{kind}" step="{step}"{limits} '
                      f'value="{"" if value is None else e(str(value))}" placeholder="{placeholder}">')
        elif kind == "sector":
            options = '<option value="">(none)</option>' + "".join(
                f'<option value="{s}"{" selected" if s == value else ""}>{e(sectors.names[s])}</option>'
                for s in sectors.ids)
            widget = f'<select name="{name}" data-kind="sector">{options}</select>'
        else:
            widget = (f'<input name="{name}" data-kind="sector-list" value="{e(", ".join(value or []))}" '
                      f'placeholder="e.g. {", ".join(sectors.ids[:2])}">')
        out.append(f'<label class="lever">{label}{widget}</label>')
    return "".join(out)


def reports_list(view: dict, status: dict, limit: int = 150) -> str:
    items = list(reversed(view.get("reports", [])))
    if not items:
        return '<p class="dim">No reports yet.</p>'
    names = {x["unit"]: x["name"] for x in view.get("reports", []) if "unit" in x and "name" in x}
    names.update({u["unit"]: u["name"] for key in ("own", "friendly", "enemies") for u in view.get(key, [])})
    lis = "".join(f'<li class="ev-{e(x.get("kind", ""))}"><time>{e(when(x))}</time> {e(describe(x, status, names))}'
                  "</li>" for x in items[:limit])
    more = f'<p class="dim">and {len(items) - limit} older reports (see /api/view)</p>' if len(items) > limit else ""
    return f'<ol class="reports">{lis}</ol>{more}'


def units_table(units: list[dict], game: Game) -> str:
    sectors = game.sectors
    rows = sorted(units, key=lambda u: (int(sectors.of_cell[u["cell"]]) if u["cell"] >= 0 else 99, u["morale"]))
    body = "".join(
        f'<tr class="st-{e(u["state"])}"><td class="key">{e(u["unit"])}</td><td>{e(u["name"])}</td><td>{e(u["type"])}</td>'
        f'<td>{e(sectors.names[sectors.ids[int(sectors.of_cell[u["cell"]])]]) if u["cell"] >= 0 else ""}</td>'
        f'<td class="num">{u["personnel"]}</td><td class="num">{u["morale"]:.2f}</td>'
        f'<td class="num">{u["cohesion"]:.2f}</td><td class="num">{u["supply"]:.2f}</td><td>{e(u["state"])}</td></tr>'
        for u in rows)
    return ('<table class="units"><thead><tr><th>id</th><th>unit</th><th>type</th><th>sector</th><th>men</th>'
            f'<th>morale</th><th>cohesion</th><th>supply</th><th>state</th></tr></thead><tbody>{body}</tbody></table>')


def area_switch(path: str, area: str) -> str:
    return ('<nav class="area" aria-label="map area">'
            + "".join(f'<a href="{path}?area={a}"{" class=on" if a == area else ""}>{label}</a>'
                      for a, label in (("front", "The front (north-west)"), ("all", "Whole theatre")))
            + "</nav>")


def team_page(game: Game, team: str, view: dict, status: dict, area: str, version: str) -> str:
    submitted = view.get("orders_submitted")
    places = sorted(game.places, key=lambda p: game.model.theatre.geodata.places[p].name)
    datalist = "".join(f'<option value="{p}" label="{e(game.model.theatre.geodata.places[p].name)}">'
                       for p in places)
    has_sectors = "sectors" in ORDER_TYPES[team].model_fields
    turn = status["turn"] + 1
    state = (f"Orders for turn {turn} received. You can change them until the turn resolves."
             if submitted is not None else f"No orders sent for turn {turn} yet.")
    if status["finished"]:
        state = "The game is over."
    sector_table = f"""<table class="sectors"><thead><tr><th>Sector</th><th>Your units</th><th>Stance</th>
<th>Axis of attack</th></tr></thead><tbody>{sector_rows(game, view, submitted)}</tbody></table>""" if has_sectors else ""
    levers = lever_inputs(team, game, submitted)
    own = view["own"]
    sight = (f'{len(view["enemies"])} enemy units in sight, {len(view["last_seen"])} more last seen elsewhere; '
             f'{len(view["friendly"])} allied units.')
    return f"""{topbar(f"Team: {TEAMS[team].name}", f"Game {e(game.id)} · {e(status['title'])}")}
{status_bar(status, team)}
<main class="team">
<section class="mapcol">
  <div class="maphead"><h2>Your picture of the war</h2>{area_switch("/team", area)}</div>
  <img id="map" class="map" src="/api/map.png?area={area}&amp;v={e(version)}" data-base="/api/map.png?area={area}"
       alt="Map: your units, what you know of the ground and the enemies you have seen" width="990" height="990">
  {legend_html(game.model.spec, list(game.model.side_ids), view, truth=False)}
  <p class="dim">{e(sight)}</p>
  <section class="card reportscol">
    <h2>Reports <span class="dim">(newest first)</span></h2>
    {reports_list(view, status)}
  </section>
</section>
<section class="ordercol">
  <form id="orders" class="card" novalidate>
    <h2>Orders for turn {turn}</h2>
    <p class="hint">For each sector: <b>doctrine</b> lets the AI command as it would; <b>hold</b> digs in;
      <b>attack</b> advances, towards the place you name as its axis (else the AI's target); <b>withdraw</b>
      falls back. You can send again until the turn resolves: the last orders count.</p>
    {sector_table}
    {f'<fieldset class="levers"><legend>Your levers</legend>{levers}</fieldset>' if levers else ""}
    <div class="actions"><button type="submit" id="submit-orders"{" disabled" if status["finished"] else ""}>
      Send orders for turn {turn}</button>
      <p id="order-state" class="{"ok" if submitted is not None else "dim"}">{e(state)}</p></div>
    <ul id="order-errors" class="errors" role="alert" hidden></ul>
  </form>
  <datalist id="places">{datalist}</datalist>
  <section class="card unitscol">
    <h2>Your forces: {len(own)} units, {sum(u["personnel"] for u in own):,} men</h2>
    <details><summary>Every unit (weakest first in each sector)</summary>{units_table(own, game)}</details>
  </section>
</section>
</main>"""


def injects_forms(game: Game, truth: dict) -> str:
    model = game.model
    cities = "".join(f'<option value="{e(c)}">{e(city.name) if hasattr(city, "name") else e(c)}</option>'
                     for c, city in sorted(model.theatre.cities.items()))
    sides = "".join(f'<option value="{e(s)}">{e(model.spec.sides[s].name)}</option>' for s in model.side_ids)
    wings = "".join(f'<option value="{e(w.key)}">{e(w.key)}</option>' for w in model.wings)
    units = "".join(f'<option value="{e(u["unit"])}">' for u in truth["units"])

    def form(kind: str, title: str, fields: str, api: str = "inject") -> str:
        return (f'<form class="api card mini" data-endpoint="/api/instructor/{api}" data-kind="{kind}">'
                f'<h3>{title}</h3>{fields}<button type="submit">Apply</button><p class="result" hidden></p></form>')

    return f"""<datalist id="unit-keys">{units}</datalist>
<div class="forms">
{form("israeli_strike", "Israeli strike", '<label>Target <select name="target"><option>leadership</option>'
      '<option>depot</option><option>convoy</option></select></label>')}
{form("russian_aircraft", "Russian aircraft arrive", '<label>Aircraft <input type="number" name="aircraft" min="1" '
      f'max="60" value="6" required></label><label>Wing <select name="wing">{wings}</select></label>')}
{form("weather", "Weather", '<label>Weather <select name="weather"><option value="bad">bad: aircraft grounded'
      '</option><option value="clear">clear</option></select></label>')}
{form("defection", "A unit defects", '<label>Unit id <input name="unit" list="unit-keys" required></label>')}
{form("parameter", "Set a parameter", '<label>Path <input name="path" placeholder="factions.saa.pay" required>'
      '</label><label>Value <input name="value" required></label>')}
{form("note", "Note to the record", '<label>Text <input name="text" maxlength="500" required></label>')}
{form("city", "Override: give a city", f'<label>City <select name="city">{cities}</select></label>'
      f'<label>To <select name="side">{sides}</select></label>', api="override")}
{form("unit", "Override: a unit's state", '<label>Unit id <input name="unit" list="unit-keys" required></label>'
      '<label>Morale <input type="number" name="morale" min="0" max="1" step="0.05"></label>'
      '<label>Cohesion <input type="number" name="cohesion" min="0" max="1" step="0.05"></label>'
      '<label>Supply <input type="number" name="supply" min="0" max="1" step="0.05"></label>', api="override")}
</div>"""


def instructor_page(game: Game, iv: dict, status: dict, area: str, version: str, rewind_dates: list[str]) -> str:
    codes = iv["codes"]
    rows = []
    for t, team in game.teams.items():
        human = t in game.config["humans"]
        orders = iv["orders"].get(t)
        state = ("✓ orders in" if orders is not None else "waiting") if human else "AI"
        rows.append(f'<tr class="{"done" if orders is not None else ("waiting" if human else "ai")}">'
                    f'<th scope="row">{e(team.name)}</th><td class="code">{e(codes.get(t, "-"))}</td>'
                    f'<td>{state}</td><td>{e(orders_text(orders, game)) if orders is not None else ""}</td></tr>')
    log = "".join(f'<li><time>{e(x["at"][11:])}</time> <b>{e(x["who"])}</b> {e(x["action"])} '
                  f'<span class="dim">{e(json.dumps(x["detail"], default=str)[:160])}</span></li>'
                  for x in reversed(iv["log"]))
    interventions = "".join(f'<li>turn {x["turn"] + 1}: <b>{e(x["kind"])}</b> '
                            f'{e(json.dumps(x["params"], default=str))}</li>' for x in iv["interventions"])
    back = max(0, len(rewind_dates) - 2)           # the start of the last turn played: "undo that turn"
    options = "".join(f'<option value="{k}"{" selected" if k == back else ""}>turn {k + 1} (start, {e(d)})</option>'
                      for k, d in enumerate(rewind_dates))
    paused = status["paused"]
    return f"""{topbar("Instructor console", f"Game {e(game.id)} · {e(status['title'])} · "
                       f"seed {game.config['seed']} · {game.config['turn_hours']:g} h turns")}
{status_bar(status)}
<main class="instructor">
<section class="mapcol">
  <div class="maphead"><h2>The truth</h2>{area_switch("/instructor", area)}</div>
  <img id="map" class="map" src="/api/instructor/map.png?area={area}&amp;v={e(version)}"
       data-base="/api/instructor/map.png?area={area}" alt="Map: true control and every unit" width="990" height="990">
  {legend_html(game.model.spec, list(game.model.side_ids), iv["truth"], truth=True)}
  <p><a href="/projector" target="_blank">Projector view</a> · <a href="/debrief">Debrief</a> ·
     <a href="/instructor/report" target="_blank">After-action report</a> (drawn on request: about half a
     minute) · <a href="/api/instructor/view">instructor JSON</a></p>
</section>
<section class="ordercol">
  <div class="card">
    <h2>Teams and join codes</h2>
    <details class="codes"><summary>Show the join codes (not on the projector)</summary>
    <table class="codes"><thead><tr><th>Team</th><th>Code</th><th>This turn</th><th>Orders</th></tr></thead>
    <tbody>{"".join(rows)}</tbody></table>
    <p class="dim">Instructor code: <span class="code">{e(codes.get("instructor", ""))}</span> (keep it to yourself);
       projector code: <span class="code">{e(codes.get("projector", ""))}</span> (the room's public view only)</p>
    </details>
  </div>
  <div class="card controls">
    <h2>The turn</h2>
    <form class="api inline" data-endpoint="/api/instructor/resolve"><button type="submit">Resolve the turn now</button>
      <span class="dim">teams without orders are played by the AI</span><p class="result" hidden></p></form>
    <form class="api inline" data-endpoint="/api/instructor/{"resume" if paused else "pause"}">
      <button type="submit" class="{"" if paused else "quiet"}">{"Resume" if paused else "Pause"} the game</button>
      <p class="result" hidden></p></form>
    <form class="api inline" data-endpoint="/api/instructor/rewind" data-confirm="Rewind? Later turns, orders and
      interventions are set aside (they stay in the log).">
      <label>Rewind to <select name="turn">{options}</select></label><button type="submit" class="quiet">Rewind</button>
      <p class="result" hidden></p></form>
  </div>
  <h2>Inject and override</h2>
  {injects_forms(game, iv["truth"])}
  <div class="card"><h2>Interventions</h2>{f"<ol>{interventions}</ol>" if interventions else '<p class="dim">None yet.</p>'}</div>
  <div class="card"><h2>Log <span class="dim">(newest first)</span></h2><ol class="log">{log}</ol></div>
</section>
</main>"""


def projector_page(status: dict, url: str) -> str:
    news = "".join(f'<li><time>{e(when(x))}</time> {e(describe(x, status))}</li>' for x in reversed(status["news"]))
    return f"""<main class="projector">
<div class="phead"><h1 class="ptitle">{e(status["title"])}</h1><p class="pjoin">Join at <b>{e(url)}</b></p></div>
{status_bar(status)}
<section class="pclock"><div><span class="label">Turn open for</span> <span id="open-for">–</span></div>
<div><span class="label">Time now</span> <span id="wall-clock">–</span></div></section>
<section class="pnews"><h2>News</h2><ol id="news" class="news">{news or '<li class="dim">No city has changed hands yet.</li>'}</ol></section>
</main>"""


def debrief_page(game: Game, turns: list[dict]) -> str:
    spec = game.model.spec
    status = {"side_names": {s: v.name for s, v in spec.sides.items()}}
    sections = []
    for k, entry in enumerate(turns):
        t = entry["turn"]
        humans = game.config["humans"]
        seats = sorted(game.teams, key=lambda tid: tid not in humans)          # the students' teams first
        seat = {tid: "students" if tid in humans else "AI" for tid in seats}
        orders = "".join(f'<li><b>{e(game.teams[tid].name)}</b> <span class="dim">({seat[tid]})</span>: '
                         f'{e(orders_text(entry["orders"].get(tid), game))}</li>' for tid in seats)
        caps = "".join(f"<li>{e(describe(x, status))}</li>" for x in entry["captures"]) or "<li>no city changed hands</li>"
        breaks = ", ".join(f"{e(spec.factions[f].name.split(' (')[0])}: {n}" for f, n in entry["breaks"].items() if n)
        decisions = "".join(f"<li>{e(describe(x, status))}</li>" for x in entry["decisions"])
        pictures = [("truth", "The truth", "every unit and who really holds the ground")]
        for tid in seats:
            v = entry["views"].get(tid)
            if v is not None:
                note = (f'{len(v.get("own", []))} own units, {len(v.get("enemies", []))} enemies in sight, '
                        f'{len(v.get("last_seen", []))} last seen')
                pictures.append((tid, f"Seen by {game.teams[tid].name} ({seat[tid]})", note))
        figures = "".join(
            f'<figure><img data-src="/api/instructor/debrief/map.png?turn={t}&amp;picture={p}" alt="{e(title)}, '
            f'end of turn {t + 1}" width="460" height="440"><figcaption><b>{e(title)}</b><br>{e(note)}</figcaption></figure>'
            for p, title, note in pictures)
        end = day_to_date(spec.meta.start, entry["day"])
        sections.append(f"""<section class="dturn" data-index="{k}"{"" if k == 0 else " hidden"}>
<h2>Turn {t + 1} <span class="dim">· to {e(end)} · resolved {e(entry["resolved"][11:])}</span></h2>
<div class="dcols"><div><h3>Orders given</h3><ul>{orders}</ul></div>
<div><h3>What followed</h3><ul>{caps}</ul><p>Units broken: {breaks or "none"}</p>
{f"<h3>Decisions</h3><ul>{decisions}</ul>" if decisions else ""}</div></div>
<div class="pictures">{figures}</div></section>""")
    # one key for every picture: in a team's picture the counters are that team's own units
    first = turns[0]["truth"] if turns else {}
    key = {"units": first.get("units", []), "control": sorted(set(first.get("control", []))) + [-1]}
    if not sections:
        body = '<p class="card">No turn has been resolved yet: the debrief fills as the game is played.</p>'
    else:
        n = len(sections)
        body = f"""<div class="slider card"><button type="button" id="prev" class="quiet">◀ Previous</button>
<label>Turn <input type="range" id="turn-slider" min="0" max="{n - 1}" value="0" step="1"></label>
<output id="turn-label">turn 1 of {n}</output><button type="button" id="next" class="quiet">Next ▶</button></div>
{legend_html(spec, list(game.model.side_ids), key, truth=False, own="the team's own units (in the truth: every unit)")}
{"".join(sections)}"""
    return f"""{topbar("Debrief", f"Game {e(game.id)} · {e(spec.meta.title)} · "
                       "the truth beside each team's picture, turn by turn")}
<main class="debrief"><p><a href="/instructor">Back to the console</a> ·
<a href="/api/instructor/debrief">debrief JSON</a></p>{body}</main>"""


# ---------------------------------------------------------------------------------------------- the app

def page_turn(request: Request) -> int | None:
    """The turn the page was showing (X-Game-Turn), so that a request meant for a resolved turn is refused."""
    text = request.headers.get("x-game-turn", "")
    return int(text) if text.isdigit() else None


def make_app(store_path: str | Path) -> Starlette:
    hub = Hub(store_path)

    def area_of(request: Request) -> str:
        return "all" if request.query_params.get("area") == "all" else "front"

    def spec_args(game: Game):
        return game.model.theatre, game.model.spec, list(game.model.side_ids)

    # -- public

    async def home(request: Request):
        return home_page(hub, request)

    async def join(request: Request):
        body = await read_body(request)
        code = str(body.get("code", "")).strip().upper()
        host = request.client.host if request.client else "?"
        found = authenticate(hub.store, code)
        if found is None and hub._throttled(host):
            return home_page(hub, request, "Too many wrong codes from this computer: wait a few minutes.", status=429)
        if found is None:
            hub._fail(host)
            return home_page(hub, request, f"No game has the code {code!r}: check it with your instructor.",
                             status=401)
        response = RedirectResponse({"instructor": "/instructor", "projector": "/projector"}.get(found[1], "/team"),
                                    status_code=303)
        response.set_cookie(COOKIE, code, max_age=COOKIE_HOURS * 3600, httponly=True, samesite="strict", path="/")
        return response

    async def logout(request: Request):
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    async def create_game(request: Request):
        host = request.client.host if request.client else "?"
        if not hub.may_create(host):
            return home_page(hub, request, errors=[f"{CREATE_LIMIT} games an hour from one computer at most: "
                                                   "use one of the games already made"], status=429)
        body = await read_body(request)
        humans = body.get("humans", [])
        humans = [humans] if isinstance(humans, str) else list(humans)
        problems = []
        if not humans:
            problems.append("choose at least one team to be played by students")
        unknown = [h for h in humans if h not in TEAMS]
        if unknown:
            problems.append(f"unknown teams {unknown}; teams: {', '.join(TEAMS)}")

        def number(name, kind, default):
            value = body.get(name, "")
            if value in ("", None):
                return default
            try:
                out = kind(value)
            except (TypeError, ValueError):
                problems.append(f"{name.replace('_', ' ')}: {value!r} is not a {'whole ' if kind is int else ''}number")
                return default
            if out < 0:
                problems.append(f"{name.replace('_', ' ')}: must be 0 or more")
            return out

        seed = number("seed", int, 1)
        turn_hours = number("turn_hours", float, None)
        scenario = str(body.get("scenario") or DEFAULT_SCENARIO)
        if problems:
            return home_page(hub, request, errors=problems, status=400)

        def make():
            return Game.create(hub.store, scenario=scenario, seed=seed, turn_hours=turn_hours or None,
                               humans=tuple(t for t in TEAMS if t in humans))

        try:
            game = await run_in_threadpool(make)
        except WargameError as exc:
            return home_page(hub, request, errors=errors_of(exc), status=400)
        with hub.registry:
            hub.games[game.id] = game
        await hub.call(game.id, lambda g: hub._snapshot(g.id, g))
        codes = hub.store.codes(game.id)
        rows = "".join(f'<tr><th scope="row">{e(TEAMS[t].name)}</th><td class="code big">{e(c)}</td></tr>'
                       for t, c in codes.items() if t in TEAMS)
        body_html = f"""{topbar("Game created", f"Game {e(game.id)} · {e(scenario)}")}
<main class="created"><section class="card">
<h2>Join codes: give each team its own</h2>
<p>Students open <b class="url">{e(join_url(request))}</b> and type their team's code.
A code is the team's only key: anyone who has it plays as that team.</p>
<table class="codes big" id="team-codes"><tbody>{rows}</tbody></table>
<h2>Your instructor code</h2>
<p class="code big" id="instructor-code">{e(codes["instructor"])}</p>
<p class="hint">Keep it to yourself: it opens the console, the truth and the debrief. You are logged in with it
on this browser. The codes are also in the console.</p>
<h2>The projector's code</h2>
<p class="code big" id="projector-code">{e(codes.get("projector", ""))}</p>
<p class="hint">For the machine driving the projector: it opens the room's public view and nothing else.</p>
<p><a class="button" href="/instructor" id="to-console">Go to the instructor console</a>
<a class="button quiet" href="/projector" target="_blank">Open the projector view</a></p>
</section></main>"""
        response = page("Game created", body_html, kind="created")
        response.set_cookie(COOKIE, codes["instructor"], max_age=COOKIE_HOURS * 3600, httponly=True,
                            samesite="strict", path="/")
        return response

    # -- any code of the game: public information only

    async def api_status(request: Request):
        gid, _ = hub.who(request)
        return JSON(await hub.status(gid))

    async def projector(request: Request):
        gid, _ = hub.who(request)
        status = await hub.status(gid)
        return page("Projector", projector_page(status, join_url(request)), kind="projector",
                    data={"turn": status["turn"], "version": status["version"], "open-for": status["open_for"] or 0})

    # -- a team

    async def team_home(request: Request):
        gid, role = hub.who(request)
        if role in ("instructor", "projector"):
            return RedirectResponse(f"/{role}", status_code=303)
        area = area_of(request)
        game, view = await hub.call(gid, lambda g: (g, g.view(role)))
        status = await hub.status(gid)
        html_ = await run_in_threadpool(team_page, game, role, view, status, area, status["view_version"])
        return page(f"Team {TEAMS[role].name}", html_, kind="team",
                    data={"turn": status["turn"], "version": status["view_version"], "team": role})

    async def api_view(request: Request):
        gid, team = hub.team(request)
        return JSON(await hub.call(gid, lambda g: g.view(team)))

    async def api_orders(request: Request):
        gid, team = hub.team(request)
        try:
            body = await read_body(request)
        except HTTPException as exc:
            return bad_request([exc.detail])
        turn = page_turn(request)
        try:
            result = await hub.call(gid, lambda g: g.submit(team, body, turn=turn), change=True)
        except StaleTurn as exc:
            return JSON({"errors": [str(exc)]}, status_code=409)
        except WargameError as exc:
            return bad_request(errors_of(exc))
        result["status"] = await hub.status(gid)
        return JSON(result)

    async def team_map(request: Request):
        gid, team = hub.team(request)
        area = area_of(request)

        def draw():
            game = hub.loaded(gid)
            with hub.lock(gid):
                view, version = game.view(team), hub.view_version(gid)
                theatre, spec, side_ids = spec_args(game)
            return hub.maps.get((gid, team, version, area), lambda: draw_picture(
                hub.maps, game.config["scenario"], theatre, spec, side_ids, view, truth=False, area=area))

        await hub.call(gid, lambda g: None)          # loads the game if the server has just started
        return Response(await run_in_threadpool(draw), media_type="image/png")

    # -- the instructor

    async def instructor_home(request: Request):
        gid, _ = hub.instructor(request)
        area = area_of(request)

        def gather(g: Game):
            dates = [day_to_date(g.model.spec.meta.start, 0)] + [
                day_to_date(g.model.spec.meta.start, x["summary"]["day"]) for x in g.store.turns(g.id)]
            return g, g.instructor_view(), dates[: g.turn + 1]

        game, iv, dates = await hub.call(gid, gather)
        status = await hub.status(gid)
        html_ = await run_in_threadpool(instructor_page, game, iv, status, area, status["view_version"], dates)
        return page("Instructor", html_, kind="instructor", data={"turn": status["turn"], "version": status["version"]})

    async def api_instructor_view(request: Request):
        gid, _ = hub.instructor(request)
        return JSON(await hub.call(gid, lambda g: g.instructor_view()))

    async def api_debrief(request: Request):
        gid, _ = hub.instructor(request)
        return JSON(await hub.call(gid, lambda g: g.debrief()))

    async def instructor_map(request: Request):
        gid, _ = hub.instructor(request)
        area = area_of(request)

        def draw():
            game = hub.loaded(gid)
            with hub.lock(gid):
                picture, version = true_picture(game.model), hub.view_version(gid)
                theatre, spec, side_ids = spec_args(game)
            return hub.maps.get((gid, "truth", version, area), lambda: draw_picture(
                hub.maps, game.config["scenario"], theatre, spec, side_ids, picture, truth=True, area=area))

        await hub.call(gid, lambda g: None)
        return Response(await run_in_threadpool(draw), media_type="image/png")

    async def debrief_map(request: Request):
        gid, _ = hub.instructor(request)
        try:
            turn = int(request.query_params.get("turn", ""))
        except ValueError:
            raise HTTPException(400, "give turn=N") from None
        which = request.query_params.get("picture", "truth")

        def draw():
            game = hub.loaded(gid)
            with hub.lock(gid):
                views = hub.store.turn_views(gid, turn)
                resolved = next((x["resolved"] for x in hub.store.turns(gid) if x["turn"] == turn), None)
                theatre, spec, side_ids = spec_args(game)
            if which not in views:
                raise HTTPException(404, f"no picture {which!r} for turn {turn}")
            return hub.maps.get((gid, "debrief", turn, which, resolved), lambda: draw_picture(
                hub.maps, game.config["scenario"], theatre, spec, side_ids, views[which], truth=which == "truth",
                area="front", size="small"))

        await hub.call(gid, lambda g: None)
        return Response(await run_in_threadpool(draw), media_type="image/png")

    async def report(request: Request):
        """The analysts' after-action report of the game as played so far, drawn once per state of the game."""
        gid, _ = hub.instructor(request)
        folder = Path(hub.store.path).parent / "reports"

        def write(g: Game) -> Path:
            out = folder / f"game-{g.id}-turn{g.turn:02d}-{hub.view_version(g.id)}"
            if not (out / "report.html").is_file():
                g.write_report(out)
            return out / "report.html"

        path = await hub.call(gid, write)
        return HTMLResponse(path.read_text(encoding="utf-8"))

    async def debrief(request: Request):
        gid, _ = hub.instructor(request)
        game, turns = await hub.call(gid, lambda g: (g, g.debrief()))
        return page("Debrief", debrief_page(game, turns), kind="debrief")

    async def instructor_action(request: Request):
        gid, _ = hub.instructor(request)
        action = request.path_params["action"]
        if action not in ("resolve", "pause", "resume", "rewind", "inject", "override"):
            raise HTTPException(404, f"no instructor action {action!r}")
        try:
            body = await read_body(request)
        except HTTPException as exc:
            return bad_request([exc.detail])

        try:
            if action == "resolve":
                turn = page_turn(request)
                fn = lambda g: {"result": g.resolve(by="instructor", turn=turn)}
            elif action == "pause":
                fn = lambda g: {"result": g.pause(True)}
            elif action == "resume":
                fn = resume
            elif action == "rewind":
                turn = _whole(body.get("turn"), "turn")
                fn = lambda g: {"result": g.rewind(turn)}
            else:
                kind = str(body.get("kind", ""))
                allowed = INJECTS if action == "inject" else OVERRIDES
                if kind not in allowed:
                    return bad_request([f"{action}: kind must be one of {', '.join(allowed)}"])
                params = intervention_params(kind, body.get("params", {}))
                fn = lambda g: g.intervene(kind, params)
            result = await hub.call(gid, fn, change=True, views=action in ("inject", "override", "rewind"))
        except StaleTurn as exc:
            return JSON({"errors": [str(exc)]}, status_code=409)
        except WargameError as exc:
            return bad_request(errors_of(exc))
        return JSON({"ok": True, "action": action, **(result or {}), "status": await hub.status(gid)})

    def resume(g: Game) -> dict:
        g.pause(False)
        # the rule "the turn resolves when every human team has submitted" waits on a pause; honour it now
        if not g.finished and set(g.submitted()) >= set(g.config["humans"]):
            return {"result": g.resolve(by="all teams submitted")}
        return {"result": None}

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/join", join, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/games", create_game, methods=["POST"]),
        Route("/team", team_home, methods=["GET"]),
        Route("/projector", projector, methods=["GET"]),
        Route("/instructor", instructor_home, methods=["GET"]),
        Route("/debrief", debrief, methods=["GET"]),
        Route("/instructor/report", report, methods=["GET"]),
        Route("/api/status", api_status, methods=["GET"]),
        Route("/api/view", api_view, methods=["GET"]),
        Route("/api/map.png", team_map, methods=["GET"]),
        Route("/api/orders", api_orders, methods=["POST"]),
        Route("/api/instructor/view", api_instructor_view, methods=["GET"]),
        Route("/api/instructor/debrief", api_debrief, methods=["GET"]),
        Route("/api/instructor/map.png", instructor_map, methods=["GET"]),
        Route("/api/instructor/debrief/map.png", debrief_map, methods=["GET"]),
        Route("/api/instructor/{action:str}", instructor_action, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]

    async def http_error(request: Request, exc: HTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if request.url.path.startswith("/api/"):
            return JSON({"errors": [detail]}, status_code=exc.status_code)
        if exc.status_code == 401:
            return home_page(hub, request, detail[:1].upper() + detail[1:] + ".", status=401)
        body = (f'{topbar("Syria wargame", logout=False)}<main class="home"><section class="card">'
                f'<h2>{exc.status_code}</h2><p class="error">{e(detail)}</p><p><a href="/">Back to the join page</a>'
                "</p></section></main>")
        return page(str(exc.status_code), body, kind="error", status=exc.status_code)

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error},
                    middleware=[Middleware(SecurityHeaders)])
    app.state.hub = hub
    return app


def _whole(value, name: str) -> int:
    try:
        out = int(value)
    except (TypeError, ValueError):
        raise WargameError(f"{name}: {value!r} is not a whole number") from None
    if isinstance(value, float) and value != out:
        raise WargameError(f"{name}: {value!r} is not a whole number")
    return out


def _fraction(value, name: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise WargameError(f"{name}: {value!r} is not a number") from None
    if not 0.0 <= out <= 1.0:
        raise WargameError(f"{name}: {out:g} must lie between 0 and 1")
    return out


def intervention_params(kind: str, raw) -> dict:
    """The form's fields (strings from a page, or typed JSON from an API client) as the params Game expects,
    with a clear error for a value of the wrong type (rather than an exception deep in the model)."""
    if not isinstance(raw, dict):
        raise WargameError("params must be a JSON object { ... }")
    if kind == "israeli_strike":
        return {"target": str(raw.get("target", "leadership"))}
    if kind == "russian_aircraft":
        out = {"aircraft": _whole(raw.get("aircraft"), "aircraft")}
        if raw.get("wing"):
            out["wing"] = str(raw["wing"])
        return out
    if kind == "weather":
        value = raw.get("weather", raw.get("bad"))
        if isinstance(value, bool):
            return {"bad": value}
        if value not in ("bad", "clear"):
            raise WargameError("weather: choose bad or clear")
        return {"bad": value == "bad"}
    if kind in ("defection",):
        return {"unit": str(raw.get("unit", "")).strip()}
    if kind == "parameter":
        value = raw.get("value")
        if isinstance(value, str):                 # a form sends text: a number or true/false is meant as one
            try:
                value = json.loads(value)
            except ValueError:
                pass
        return {"path": str(raw.get("path", "")).strip(), "value": value}
    if kind == "note":
        return {"text": str(raw.get("text", ""))[:500]}
    if kind == "city":
        return {"city": str(raw.get("city", "")), "side": str(raw.get("side", ""))}
    if kind == "unit":
        out = {"unit": str(raw.get("unit", "")).strip()}
        for field in ("morale", "cohesion", "supply"):
            if raw.get(field) not in (None, ""):
                out[field] = _fraction(raw[field], field)
        if len(out) == 1:
            raise WargameError("unit: give a morale, cohesion or supply between 0 and 1")
        return out
    return dict(raw)


MAX_LOADED = 8          # games kept in memory at once (about 20 MB each)
CREATE_LIMIT = 20       # games one computer may create in an hour

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# The after-action report is one self-contained file (its images embedded, its style inline) and runs no
# script: it may style itself, and nothing else.
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"


class SecurityHeaders:
    """Pure ASGI wrapper: every response gets the CSP (no asset from anywhere but here), no framing, no
    referrer, and no caching of pages and API answers (a shared classroom laptop keeps no team's data)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith("/static/")

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                policy = REPORT_CSP if scope["path"] == "/instructor/report" else CSP
                headers += [(b"content-security-policy", policy.encode()), (b"x-frame-options", b"DENY"),
                            (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def serve(store_path: str | Path, host: str = "0.0.0.0", port: int = 8000) -> None:
    """Run the classroom server until interrupted (one process: the games live in its memory)."""
    import uvicorn

    app = make_app(store_path)
    app.state.listen_host = host
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
