"""The classroom web server: teams play from their laptops, the instructor runs the white cell, a projector
shows the room what everyone may know. Starlette on uvicorn, a layer over the plain-Python game
(wargame.play imports nothing from here).

Authorisation: the join code is the only credential. POST /join puts it in an HttpOnly, SameSite=Strict
cookie (API clients may send it in an X-Game-Code header instead); every request derives its game and role
(a team id or "instructor") from that code and from nothing else: no route takes a game, team or role from
its URL, query or body, so a team can only ever read and order for itself. A missing or unknown code is a
401, a team's code on an instructor route a 403. SameSite=Strict keeps other sites from posting with the
cookie, and a change (POST) that a browser sends from another site's page is refused (its Origin is
checked, security.py); a Content-Security-Policy of 'self' keeps every page to the assets served here
(and enforces the rule that pages work on a network with no internet). A game is made from a built-in
scenario or from a file uploaded with the form, kept in the game's record: the server reads no file that a
request names.

The modules, one job each:
    app              the routes by audience, the app (`make_app`) and `serve`
    security         the door: join codes, origins, throttling, bodies (read within limits), security
                     headers, JSON answers
    hub              the games of one SQLite file in memory: locks, snapshots of their status, eviction
    forms            what the pages' forms ask for, and their fields as the values Game expects
    pages            the page shell, the join, projector and team pages
    instructor_pages the instructor's console and the debrief
    maps             the classroom maps (matplotlib PNGs) and their HTML key
    dates            dates as the pages print them
"""
