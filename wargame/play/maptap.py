"""A point tapped on a team's map, as the sector (and the nearest place) under it: the page sends where the
map was tapped as fractions of the picture's width and height, and the server, which drew the picture,
knows which ground that is.

    tapped(game, "front", 0.41, 0.37) -> {"sector": "idlib", "sector_name": "Idlib",
                                           "place": "saraqib", "place_name": "Saraqib"}

The picture is drawn by wargame.report.maps.picture (draw_picture_png): its map fills AXES_RECT of a square
figure, over limits (km) that area_limits widens to the axes' box, so a fraction of the picture is a
point in km by a straight line.
"""

from __future__ import annotations

import math

from wargame.core.errors import WargameError
from wargame.report.maps.frame import area_limits
from wargame.report.maps.picture import AXES_RECT, PICTURE_SIZES

# A tap this far (km) from every place names no place (only its sector): about the spacing of towns on the
# front, so a tap names the town it was meant for, not one across the map. A display setting, not the model's.
PLACE_REACH_KM = 15.0


def picture_limits(theatre, area: str, size: str = "large") -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) in km of the map in a picture of this area and size, as draw_picture_png frames it."""
    w, h, _ = PICTURE_SIZES[size]
    ratio = (AXES_RECT[2] * w) / (AXES_RECT[3] * h)             # the axes' box, as box_ratio measures it
    return area_limits(theatre, area, ratio)


def point_km(theatre, area: str, fx: float, fy: float, size: str = "large") -> tuple[float, float]:
    """The point in km under a fraction (fx from the left, fy from the top) of the picture."""
    x0, x1, y0, y1 = picture_limits(theatre, area, size)
    left, bottom, width, height = AXES_RECT
    ax = (fx - left) / width
    ay = (1.0 - fy - bottom) / height                            # the picture's rows run down, km run up
    return x0 + ax * (x1 - x0), y0 + ay * (y1 - y0)


def tapped(game, area: str, fx, fy) -> dict:
    """The sector and nearest place under a tap; WargameError for a tap off the map or outside the theatre."""
    for name, value in (("x", fx), ("y", fy)):
        if not isinstance(value, float) or not 0.0 <= value <= 1.0:
            raise WargameError(f"{name}: give where the map was tapped as a fraction of its size, 0 to 1")
    theatre = game.model.theatre
    x, y = point_km(theatre, area, fx, fy)
    lat, lon = theatre.projection.inverse(x, y)
    cell = int(theatre.cell_at(float(lat), float(lon)))
    if not theatre.inside[cell] or math.hypot(theatre.x[cell] - x, theatre.y[cell] - y) > theatre.layout.cell_km:
        raise WargameError("that point is outside the theatre: tap the ground of Syria")
    sectors = game.sectors
    sector = sectors.ids[int(sectors.of_cell[cell])]
    out = {"sector": sector, "sector_name": sectors.names[sector], "place": None, "place_name": None}
    near = min(game.places, key=lambda p: math.hypot(theatre.x[theatre.place_cell[p]] - x,
                                                     theatre.y[theatre.place_cell[p]] - y))
    cell_of_place = theatre.place_cell[near]
    if math.hypot(theatre.x[cell_of_place] - x, theatre.y[cell_of_place] - y) <= PLACE_REACH_KM:
        out.update(place=near, place_name=game.names.place.labels[near])
    return out
