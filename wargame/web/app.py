"""The classroom app: its routes, one small function each, grouped by who may call them (anyone, any code
of a game, a team, the instructor), the app built from them (`make_app`) and `serve`.

Every route derives its game and role from the request's join code through the Gate (security.py), and
from nothing else: see the package's docstring.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from wargame.core.errors import WargameError
from wargame.play.fog import truth as true_picture
from wargame.play.game import INJECTS, OVERRIDES, Game, StaleTurn, authenticate, typed_code
from wargame.play.maptap import tapped
from wargame.play.messages import WHITE_CELL, label
from wargame.play.outcomes import OUTCOMES
from wargame.play.record import GameRecord
from wargame.play.teams import TEAMS
from wargame.report.maps import PictureCache, draw_picture_png
from wargame.web.confirm import confirm_page, confirmed
from wargame.web.dates import day_to_date
from wargame.web.forms import MAX_TURN, area_of, intervention_params, new_game, page_turn, whole
from wargame.web.hub import Hub
from wargame.web.instructor_pages import debrief_page, instructor_page
from wargame.web.pages import created_page, error_page, home_page, page, projector_page, team_page
from wargame.web.reports import ReportDesk, report_state_page
from wargame.web.security import (
    COOKIE,
    COOKIE_HOURS,
    CREATE_LIMIT,
    JSON,
    MAX_FORM,
    Gate,
    SameOrigin,
    SecurityHeaders,
    errors_of,
    host_of,
    read_body,
)

STATIC = Path(__file__).parent / "static"
logger = logging.getLogger(__name__)


def hub_of(request: Request) -> Hub:
    return request.app.state.hub


def gate_of(request: Request) -> Gate:
    return request.app.state.gate


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


def join_page(request: Request, message: str = "", errors: list[str] | None = None,
              status: int = 200) -> HTMLResponse:
    """The join page, offering to continue the game this browser is already in."""
    return home_page(gate_of(request).cookie_role(request), message, errors, status=status)


def with_code(response: Response, code: str) -> Response:
    """The response, logging its browser in with this code (see the package's docstring)."""
    response.set_cookie(COOKIE, code, max_age=COOKIE_HOURS * 3600, httponly=True, samesite="strict", path="/")
    return response


async def map_png(request: Request, gid: str, look) -> Response:
    """A map as a PNG, drawn once per key: `look(game)`, under the game's lock, gives the key, the picture,
    whether it is the truth, and the area and size."""
    hub, maps = hub_of(request), request.app.state.maps

    def draw():
        game = hub.loaded(gid)
        with hub.lock(gid):
            key, picture, truth, area, size = look(game)
            theatre, spec, side_ids = game.model.theatre, game.model.spec, list(game.model.side_ids)
        # the theatre's base is drawn once per frame and size by the shared renderer (wargame.report.maps)
        return maps.get(key, lambda: draw_picture_png(theatre, spec, side_ids, picture, truth=truth, area=area,
                                                      size=size))

    await hub.call(gid, lambda g: None)          # loads the game if the server has just started
    return Response(await run_in_threadpool(draw), media_type="image/png")


# ---------------------------------------------------------------------------------------------- anyone

async def home(request: Request):
    return join_page(request)


async def join(request: Request):
    gate = gate_of(request)
    body = await read_body(request)
    code = typed_code(str(body.get("code", ""))[:64])
    host = host_of(request)
    found = authenticate(gate.store, code)
    if found is None and gate.failed.exceeded(host):
        return join_page(request, "Too many wrong codes from this computer: wait a few minutes.", status=429)
    if found is None:
        gate.failed.note(host)
        return join_page(request, f"No game has the code {code[:20]!r}: check it with your instructor.", status=401)
    return with_code(RedirectResponse({"instructor": "/instructor", "projector": "/projector"}.get(found[1], "/team"),
                                      status_code=303), code)


async def logout(request: Request):
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


async def create_game(request: Request):
    hub = hub_of(request)
    created = gate_of(request).created                 # games made, not attempts: a mistake costs nothing
    if created.exceeded(host_of(request)):
        limit = f"{CREATE_LIMIT} games an hour from one computer at most: use one of the games already made"
        return join_page(request, errors=[limit], status=429)
    settings, problems = new_game(await read_body(request, MAX_FORM, files=True))
    if problems:
        return join_page(request, errors=problems, status=400)
    try:
        game = await run_in_threadpool(lambda: Game.create(hub.store, **settings))
    except WargameError as exc:
        return join_page(request, errors=errors_of(exc), status=400)
    except Exception as exc:
        if settings["scenario_text"] is None:
            raise                                  # a built-in scenario that fails is a bug: a 500
        # an uploaded file is anyone's: whatever it breaks, say so rather than fail
        logger.exception("an uploaded scenario validated but the game could not be built")
        return join_page(request, errors=[f"{settings['scenario']} (uploaded): the game could not be built from "
                                          f"it: {type(exc).__name__}: {str(exc)[:300]}"], status=400)
    created.note(host_of(request))
    await hub.add(game)
    codes = hub.store.codes(game.id)
    # POST/redirect/GET: the codes are shown by a GET page behind the instructor's code, so reloading the
    # page that shows them cannot send the form again and make a second game
    return with_code(RedirectResponse("/instructor/codes", status_code=303), codes["instructor"])


async def instructor_codes(request: Request):
    """The page a new game opens on (and that the console links to): every join code, to give out."""
    hub = hub_of(request)
    gid, _ = gate_of(request).instructor(request)
    game = await hub.call(gid, lambda g: g)
    shown = game.config["scenario"] + (" (uploaded)" if game.config.get("uploaded") else "")
    return created_page(gid, shown, hub.store.codes(gid), join_url(request))


# ---------------------------------------------------------------------------------------------- any code
# of the game: public information only

async def api_status(request: Request):
    gid, role = gate_of(request).who(request)
    status = await hub_of(request).status(gid)
    if role not in ("instructor", "projector"):     # how many messages this team has been sent: a page polls it
        status = {**status, "inbox": hub_of(request).store.inbox_size(gid, role)}
    return JSON(status)


async def projector(request: Request):
    gid, _ = gate_of(request).who(request)
    status = await hub_of(request).status(gid)
    return page("Projector", projector_page(status, join_url(request)), kind="projector",
                data={"turn": status["turn"], "version": status["version"], "open-for": status["open_for"] or 0,
                      **({"finished": 1} if status["finished"] else {})})


# ---------------------------------------------------------------------------------------------- a team

async def team_home(request: Request):
    hub = hub_of(request)
    gid, role = gate_of(request).who(request)
    if role in ("instructor", "projector"):
        return RedirectResponse(f"/{role}", status_code=303)
    area = area_of(request)
    game, view = await hub.call(gid, lambda g: (g, g.view(role)))
    status = await hub.status(gid)
    html_ = await run_in_threadpool(team_page, game, role, view, status, area, status["view_version"])
    return page(f"Team {TEAMS[role].name}", html_, kind="team",
                data={"turn": status["turn"], "version": status["view_version"], "team": role,
                      "inbox": hub.store.inbox_size(gid, role)})            # counted as /api/status counts it


async def api_view(request: Request):
    gid, team = gate_of(request).team(request)
    return JSON(await hub_of(request).call(gid, lambda g: g.view(team)))


async def api_summaries(request: Request):
    """The team's summaries of every turn resolved so far, the first first (its own only)."""
    gid, team = gate_of(request).team(request)
    return JSON(await hub_of(request).call(gid, lambda g: g.summaries.get(team, [])))


async def api_orders(request: Request):
    hub = hub_of(request)
    gid, team = gate_of(request).team(request)
    body = await read_body(request)
    turn = page_turn(request)
    try:
        result = await hub.call(gid, lambda g: g.submit(team, body, turn=turn), change=True)
    except StaleTurn as exc:
        return JSON({"errors": [str(exc)]}, status_code=409)
    except WargameError as exc:
        return JSON({"errors": errors_of(exc)}, status_code=400)
    result["status"] = await hub.status(gid)
    return JSON(result)


async def send_message(request: Request, gid: str, sender: str):
    """A message from the sender the code is (a team, or the white cell): never from a field of the body."""
    body = await read_body(request)
    try:
        sent = await hub_of(request).call(gid, lambda g: g.send_message(sender, body.get("to"), body.get("text")),
                                          change=True)
    except WargameError as exc:
        return JSON({"errors": errors_of(exc)}, status_code=400)
    names = (await hub_of(request).status(gid))["names"]
    return JSON({**sent, "result": f"message sent to {label(sent['to'], names)}"})


async def api_messages(request: Request):
    """GET: the team's talks (what it sent, what was sent to it or to all); POST: a message from it."""
    gid, team = gate_of(request).team(request)
    if request.method == "POST":
        return await send_message(request, gid, team)
    return JSON(await hub_of(request).call(gid, lambda g: g.messages(team)))


async def map_sector(request: Request):
    """The sector and nearest place under a point tapped on the map (x, y: fractions of its width and height).
    Geography only, the same for every team: any code of the game may ask."""
    gid, _ = gate_of(request).who(request)
    area = area_of(request)
    try:
        fx, fy = (float(request.query_params.get(k, "")) for k in ("x", "y"))
    except ValueError:
        return JSON({"errors": ["x, y: give where the map was tapped as fractions of its size, 0 to 1"]},
                    status_code=400)
    try:
        return JSON(await hub_of(request).call(gid, lambda g: tapped(g, area, fx, fy)))
    except WargameError as exc:
        return JSON({"errors": errors_of(exc)}, status_code=400)


async def team_map(request: Request):
    hub = hub_of(request)
    gid, team = gate_of(request).team(request)
    area = area_of(request)
    return await map_png(request, gid, lambda game: (
        (gid, team, hub.view_version(gid), area), game.view(team), False, area, "large"))


# ---------------------------------------------------------------------------------------------- the instructor

async def instructor_home(request: Request):
    hub = hub_of(request)
    gid, _ = gate_of(request).instructor(request)
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
    gid, _ = gate_of(request).instructor(request)
    return JSON(await hub_of(request).call(gid, lambda g: g.instructor_view()))


async def api_debrief(request: Request):
    gid, _ = gate_of(request).instructor(request)
    return JSON(await hub_of(request).call(gid, lambda g: g.debrief()))


async def instructor_map(request: Request):
    hub = hub_of(request)
    gid, _ = gate_of(request).instructor(request)
    area = area_of(request)
    return await map_png(request, gid, lambda game: (
        (gid, "truth", hub.view_version(gid), area), true_picture(game.model), True, area, "large"))


async def api_instructor_messages(request: Request):
    """GET: every message of the game; POST: a message from the white cell to a team or to all."""
    gid, _ = gate_of(request).instructor(request)
    if request.method == "POST":
        return await send_message(request, gid, WHITE_CELL)
    return JSON(await hub_of(request).call(gid, lambda g: g.messages(WHITE_CELL)))


async def debrief_reader(request: Request) -> tuple[str, str]:
    """(game id, role) of whoever may read the debrief: the instructor at any time; once the game is over,
    every code of the game (the class debriefs together, and nothing is left to hide)."""
    gid, role = gate_of(request).who(request)
    if role != "instructor" and not (await hub_of(request).status(gid))["finished"]:
        raise HTTPException(403, "the debrief opens to the teams when the game is over; until then only the "
                                 "instructor may see it")
    return gid, role


async def debrief_map(request: Request):
    hub = hub_of(request)
    gid, _ = await debrief_reader(request)
    try:
        turn = whole(request.query_params.get("turn", ""), "turn", 0, MAX_TURN)
    except WargameError as exc:
        raise HTTPException(400, f"give turn=N, a turn of the game: {exc}") from None
    which = request.query_params.get("picture", "truth")

    def look(game: Game):
        views = hub.store.turn_views(gid, turn)
        resolved = next((x["resolved"] for x in hub.store.turns(gid) if x["turn"] == turn), None)
        if which not in views:
            raise HTTPException(404, f"no picture {which!r} for turn {turn}")
        return (gid, "debrief", turn, which, resolved), views[which], which == "truth", "front", "small"

    return await map_png(request, gid, look)


async def report(request: Request):
    """The analysts' after-action report of the game as played so far, drawn once per state of the game by a
    background worker process (web/reports.py): until it is ready, a page that says how far it is and
    reloads itself. Only the game's record is read here, under its lock, so the game goes on meanwhile."""
    gid, _ = gate_of(request).instructor(request)
    record = await hub_of(request).call(gid, GameRecord.of)
    state = await run_in_threadpool(request.app.state.reports.request, record)
    if state.state != "ready":
        return report_state_page(state)
    return HTMLResponse(await run_in_threadpool(state.path.read_text, encoding="utf-8"))


async def debrief(request: Request):
    gid, role = await debrief_reader(request)
    game, turns = await hub_of(request).call(gid, lambda g: (g, g.debrief()))
    return page("Debrief", debrief_page(game, turns, instructor=role == "instructor"), kind="debrief")


def white_cell(action: str, body: dict, request: Request):
    """What an instructor's action does to the game, as a function of the game; WargameError if the body
    asks for something that cannot be done."""
    if action == "resolve":
        turn = page_turn(request)
        return lambda g: {"result": g.resolve(by="instructor", turn=turn)}
    if action == "pause":
        return lambda g: {"result": g.pause(True)}
    if action == "resume":
        return resume
    if action == "rewind":
        turn = whole(body.get("turn"), "turn")
        return lambda g: {"result": g.rewind(turn)}
    kind = str(body.get("kind", ""))
    allowed = {"inject": INJECTS, "override": OVERRIDES, "adjudicate": OUTCOMES}[action]
    if kind not in allowed:
        raise WargameError(f"{action}: kind must be one of {', '.join(allowed)}")
    params = intervention_params(kind, body.get("params", {}))
    return lambda g: g.intervene(kind, params)


def resume(g: Game) -> dict:
    g.pause(False)
    # the rule "the turn resolves when every human team has submitted" waits on a pause; honour it now
    if not g.finished and set(g.submitted()) >= set(g.config["humans"]):
        return {"result": g.resolve(by="all teams submitted")}
    return {"result": None}


async def instructor_action(request: Request):
    hub = hub_of(request)
    gid, _ = gate_of(request).instructor(request)
    action = request.path_params["action"]
    if action not in ("resolve", "pause", "resume", "rewind", "inject", "override", "adjudicate"):
        raise HTTPException(404, f"no instructor action {action[:40]!r}")
    body = await read_body(request)
    try:
        fn = white_cell(action, body, request)
        result = await hub.call(gid, fn, change=True, views=action in ("inject", "override", "adjudicate", "rewind"))
    except StaleTurn as exc:
        return JSON({"errors": [str(exc)]}, status_code=409)
    except WargameError as exc:
        return JSON({"errors": errors_of(exc)}, status_code=400)
    return JSON({"ok": True, "action": action, **(result or {}), "status": await hub.status(gid)})


# ---------------------------------------------------------------------------------------------- the app

async def favicon(request: Request):
    """The icon browsers ask every site for: served from the package (the room may have no internet)."""
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")


async def http_error(request: Request, exc: HTTPException):
    """A refusal: JSON {"errors": [...]} on the API, else a page (the join page for a missing code)."""
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if request.url.path.startswith("/api/"):
        return JSON({"errors": [detail]}, status_code=exc.status_code)
    if exc.status_code == 401:
        return join_page(request, detail[:1].upper() + detail[1:] + ".", status=401)
    return error_page(exc.status_code, detail)


class Static(StaticFiles):
    """The pages' assets: a path no file can have (a NUL byte, say) is not found, not an error."""

    def lookup_path(self, path: str):
        try:
            return super().lookup_path(path)
        except (ValueError, OSError):
            return "", None


def routes() -> list:
    return [
        Route("/", home, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/join", join, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/games", create_game, methods=["POST"]),
        Route("/team", team_home, methods=["GET"]),
        Route("/projector", projector, methods=["GET"]),
        Route("/instructor", instructor_home, methods=["GET"]),
        Route("/debrief", debrief, methods=["GET"]),
        Route("/instructor/codes", instructor_codes, methods=["GET"]),
        Route("/instructor/report", report, methods=["GET"]),
        Route("/instructor/confirm", confirm_page, methods=["GET"]),
        Route("/instructor/confirm", confirmed, methods=["POST"]),
        Route("/api/status", api_status, methods=["GET"]),
        Route("/api/view", api_view, methods=["GET"]),
        Route("/api/summaries", api_summaries, methods=["GET"]),
        Route("/api/map.png", team_map, methods=["GET"]),
        Route("/api/map/sector", map_sector, methods=["GET"]),
        Route("/api/orders", api_orders, methods=["POST"]),
        Route("/api/messages", api_messages, methods=["GET", "POST"]),
        Route("/api/instructor/view", api_instructor_view, methods=["GET"]),
        Route("/api/instructor/debrief", api_debrief, methods=["GET"]),
        Route("/api/instructor/map.png", instructor_map, methods=["GET"]),
        Route("/api/instructor/debrief/map.png", debrief_map, methods=["GET"]),
        Route("/api/instructor/messages", api_instructor_messages, methods=["GET", "POST"]),
        Route("/api/instructor/{action:str}", instructor_action, methods=["POST"]),
        Mount("/static", Static(directory=STATIC), name="static"),
    ]


def make_app(store_path: str | Path) -> Starlette:
    """The classroom app over the games of one SQLite file."""
    app = Starlette(routes=routes(), exception_handlers={HTTPException: http_error},
                    middleware=[Middleware(SecurityHeaders), Middleware(SameOrigin, refuse=http_error)],
                    lifespan=lifespan)
    app.state.hub = hub = Hub(store_path)
    app.state.gate = Gate(hub.store)
    app.state.maps = PictureCache()
    app.state.reports = ReportDesk(Path(hub.store.path).parent / "reports")
    return app


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    """The server's life: when it stops, the report worker stops with it."""
    try:
        yield
    finally:
        await run_in_threadpool(app.state.reports.close)


def serve(store_path: str | Path, host: str = "0.0.0.0", port: int = 8000) -> None:
    """Run the classroom server until interrupted (one process: the games live in its memory)."""
    import uvicorn

    app = make_app(store_path)
    app.state.listen_host = host
    # proxy_headers=False: the client's address is the socket's peer, never an X-Forwarded-For header that a
    # client on this computer writes itself (the throttles count per address)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=False)
