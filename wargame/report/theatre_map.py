"""Kept for callers outside the report until they import wargame.report.maps: the `map` command (cli.py)
and the classroom server's maps. The theatre is drawn by wargame.report.maps.theatre."""

from wargame.report.maps.theatre import KEY_TOWNS, base_map, draw_places, draw_theatre_png, hex_collection

__all__ = ["KEY_TOWNS", "base_map", "draw_places", "draw_theatre_png", "hex_collection"]
