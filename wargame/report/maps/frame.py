"""What a map shows: its limits in the theatre's km, from a zoom, an area or the ground fought over.

    zoom_limits(theatre, None)                      # the whole theatre, 5 km margins
    zoom_limits(theatre, ("aleppo", 40))            # 40 km around a place
    zoom_limits(theatre, (35.5, 36.8, 36.3, 37.6))  # a (south, north, west, east) box in degrees
    area_limits(theatre, "front", 1.0)              # the classroom's areas ("front", "all"), widened to a box
    fighting_area(theatre, control)                 # a box around every cell that changed hands

Limits are (x0, x1, y0, y1). `set_frame` puts them on an Axes with the equal aspect applied, so the
pixel box the base bitmaps are drawn for (base.py) is known before anything is drawn.
"""

from __future__ import annotations

import numpy as np

from wargame.core.theatre import Theatre

# The front of the 2024 campaign (and of 2016): Latakia to Aleppo and al-Bab, down to Hama.
FRONT_PLACES = ("aleppo", "idlib", "hama", "latakia", "al_bab", "jisr_al_shughur")


def zoom_limits(theatre: Theatre, zoom) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) in km: the whole theatre for None; (place id, radius km) around a place; or a
    (south, north, west, east) box in degrees."""
    if zoom is None:
        return (float(theatre.x.min()) - 5, float(theatre.x.max()) + 5,
                float(theatre.y.min()) - 5, float(theatre.y.max()) + 5)
    if len(zoom) == 2 and isinstance(zoom[0], str):
        place = theatre.geodata.places[zoom[0]]
        x, y = theatre.projection.forward(place.lat, place.lon)
        r = float(zoom[1])
        return float(x) - r, float(x) + r, float(y) - r, float(y) + r
    south, north, west, east = (float(v) for v in zoom)
    lat = np.array([south, south, north, north, south, north])
    lon = np.array([west, east, west, east, (west + east) / 2, (west + east) / 2])
    x, y = theatre.projection.forward(lat, lon)
    return float(np.min(x)), float(np.max(x)), float(np.min(y)), float(np.max(y))


def fill_box(limits, ratio: float) -> tuple[float, float, float, float]:
    """The limits widened (never cut) to a box of width / height `ratio`, about the same centre."""
    x0, x1, y0, y1 = limits
    if (x1 - x0) / (y1 - y0) < ratio:                           # widen whichever way the box is longer
        grow = ((y1 - y0) * ratio - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) / ratio - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    return float(x0), float(x1), float(y0), float(y1)


def area_limits(theatre: Theatre, area: str, ratio: float) -> tuple[float, float, float, float]:
    """The classroom's areas: "front" (Latakia to Aleppo and Hama, 30 km around; the whole theatre if the
    scenario lacks those places) or "all" (the whole theatre, as is any other value), widened to fill a
    box of width / height `ratio`."""
    cells = [theatre.place_cell[p] for p in FRONT_PLACES if p in theatre.place_cell]
    if area == "front" and len(cells) >= 3:
        x, y, margin = theatre.x[cells], theatre.y[cells], 30.0
    else:
        x, y, margin = theatre.x, theatre.y, 5.0
    return fill_box((x.min() - margin, x.max() + margin, y.min() - margin, y.max() + margin), ratio)


def fighting_area(theatre: Theatre, control: np.ndarray, margin_km: float = 35.0, min_km: float = 200.0,
                  full_share: float = 0.7):
    """A (south, north, west, east) box around every cell that changed hands in `control` (snapshots x
    cells), with a margin; None (the whole theatre) when that box would be most of the theatre anyway or
    nothing changed."""
    if control.size == 0:
        return None
    changed = np.flatnonzero((control != control[0]).any(axis=0) & theatre.inside)
    if changed.size == 0:
        return None
    x0, x1, y0, y1 = zoom_limits(theatre, None)
    cx0, cx1 = theatre.x[changed].min() - margin_km, theatre.x[changed].max() + margin_km
    cy0, cy1 = theatre.y[changed].min() - margin_km, theatre.y[changed].max() + margin_km
    grow_x, grow_y = max(0.0, min_km - (cx1 - cx0)) / 2, max(0.0, min_km - (cy1 - cy0)) / 2
    cx0, cx1 = max(x0, cx0 - grow_x), min(x1, cx1 + grow_x)
    cy0, cy1 = max(y0, cy0 - grow_y), min(y1, cy1 + grow_y)
    if (cx1 - cx0) * (cy1 - cy0) > full_share * (x1 - x0) * (y1 - y0):
        return None
    lat, lon = theatre.projection.inverse(np.array([cx0, cx1, cx0, cx1]), np.array([cy0, cy0, cy1, cy1]))
    return float(lat.min()), float(lat.max()), float(lon.min()), float(lon.max())


def set_frame(ax, limits) -> None:
    """Limits, the equal aspect (applied now: the axes' pixel box is final) and no ticks."""
    ax.set_xlim(limits[0], limits[1])
    ax.set_ylim(limits[2], limits[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.apply_aspect()


def box_ratio(ax) -> float:
    """The width / height of the axes' box as laid out (before an aspect shrinks it)."""
    box = ax.get_position(original=True)
    w_in, h_in = ax.figure.get_size_inches()
    return (box.width * w_in) / (box.height * h_in)


def places_in(theatre: Theatre, limits, kinds) -> tuple[str, ...]:
    """Ids of the places of `kinds` within the limits."""
    x0, x1, y0, y1 = limits
    out = []
    for p in theatre.geodata.places.values():
        if p.kind in kinds and p.id in theatre.place_cell:
            x, y = theatre.projection.forward(p.lat, p.lon)
            if x0 <= x <= x1 and y0 <= y <= y1:
                out.append(p.id)
    return tuple(out)


def hide_outside(ax, limits, margin: float = 0.04) -> None:
    """Texts anchored outside the view or at its very edge (graticule labels, country names) are not
    clipped by matplotlib; hide them so a detail map shows no stray or half-cut words at its margins."""
    x0, x1, y0, y1 = limits
    mx, my = margin * (x1 - x0), margin * (y1 - y0)
    for text in ax.texts:
        x, y = text.xy if hasattr(text, "xy") else text.get_position()
        if not (x0 + mx <= x <= x1 - mx and y0 + my <= y <= y1 - my):
            text.set_visible(False)
