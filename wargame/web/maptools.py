"""The tools above a map on the team page and the console: zoom in and out (play.js; the map then scrolls
inside its own box, never the page), open it full size (a link: works without JavaScript), and on a team's
page, tap the map to choose a sector (play.js asks /api/map/sector what is under the tap)."""

from __future__ import annotations

import html

e = html.escape


def map_tools(full_size: str, tap: bool) -> str:
    """The toolbar; `full_size`: the picture's address; `tap`: the page has sector orders a tap can choose."""
    hint = ('<p class="hint small" id="map-pick" aria-live="polite">Tap the map to choose that sector\'s orders.</p>'
            if tap else "")
    return (f'<div class="maptools" role="group" aria-label="map zoom">'
            '<button type="button" class="quiet" data-zoom="1" aria-label="zoom in">Zoom in +</button>'
            '<button type="button" class="quiet" data-zoom="-1" aria-label="zoom out">Zoom out −</button>'
            f'<a class="button quiet" href="{e(full_size)}" target="_blank" rel="noopener">Open full size</a>'
            f"</div>{hint}")
