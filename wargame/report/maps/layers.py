"""The order of a map's layers (matplotlib zorders), shared by every module that draws on a map.

From the bottom: the theatre's background (sea, terrain), the control shading (which tints the terrain
only), the lines that stay above it (neighbours' names, rivers, border, roads, graticule), the front
line, the unit symbols, the place markers, rings on places taken, arrows of advance, the place names and
the scale bar. base.py keeps the theatre's layers as bitmaps in the bands these numbers define.
"""

Z_SEA, Z_TERRAIN = 0.5, 1.0
Z_CONTROL = 1.5
Z_NEIGHBOURS, Z_RIVER, Z_BORDER, Z_ROAD = 2.0, 3.0, 4.0, 5.0
Z_FRONT = 5.6
Z_GRATICULE = 6.0
Z_COUNTER = 6.3            # unit counters (and the markers of a team's picture, just below and above)
Z_PLACE = 7.0
Z_TAKEN = 7.3
Z_ARROW = 7.6
Z_LABEL = 8.0
Z_SCALE = 9.0

# The bands of the cached base (base.py): drawn at these zorders, each holding the theatre's artists
# whose zorder lies in [low, high).
BANDS = {
    "background": (float("-inf"), Z_CONTROL + 1e-9, 0.0),
    "under": (Z_CONTROL + 1e-9, Z_COUNTER, Z_FRONT - 0.01),   # under the front line and the units
    "places": (Z_COUNTER, Z_TAKEN, Z_PLACE),                  # markers: under rings and arrows
    "labels": (Z_TAKEN, float("inf"), Z_LABEL),               # names: over everything but the scale bar
}
