"""Kept for callers outside the maps until they import wargame.report.maps: render.py and the benchmark
(draw_snapshots, snapshot_steps) and the classroom server's maps (STATE_CODE, SURRENDERED,
counter_geometry). The campaign maps are drawn by wargame.report.maps.campaign."""

from wargame.report.maps.campaign import draw_snapshots, snapshot_steps
from wargame.report.maps.counters import STATE_CODE, SURRENDERED, counter_geometry

__all__ = ["STATE_CODE", "SURRENDERED", "counter_geometry", "draw_snapshots", "snapshot_steps"]
