"""The map: western Syria on a hex grid (real coordinates, terrain, roads, rivers, places)."""

from wargame.core.theatre.theatre import (
                                     OUTSIDE,
                                     ROAD_HIGHWAY,
                                     ROAD_MOTORWAY,
                                     ROAD_NONE,
                                     TERRAIN,
                                     TERRAIN_CLASSES,
                                     City,
                                     Theatre,
                                     TheatreSpec,
                                     build_theatre,
)

__all__ = ["OUTSIDE", "ROAD_HIGHWAY", "ROAD_MOTORWAY", "ROAD_NONE", "TERRAIN", "TERRAIN_CLASSES", "City",
           "Theatre", "TheatreSpec", "build_theatre"]
