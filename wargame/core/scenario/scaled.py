"""A scenario's order of battle scaled to a given number of ground units, for measuring how the model's
cost grows with its size (benchmarks/bench_scale.py).

Every unit entry keeps its place, faction and make-up; only its `count` changes, in proportion, so the
scaled scenario is the same war with more (or fewer) of each formation. A `count` is at most 100, so a
larger formation is split into copies of the entry at the same place (keys `<key>_part2`, `_part3`, ...).
The result goes through `load_scenario` like any other override, so it is validated as a user's file is.
"""

from __future__ import annotations

import math

from wargame.core.scenario.limits import MAX_UNITS
from wargame.core.scenario.loader import LoadedScenario, load_scenario

MAX_COUNT = 100            # the most units one entry may stand for (UnitSpec.count)


def apportion(counts: list[int], total: int) -> list[int]:
    """`counts` scaled to sum to `total`, each at least 1, by largest remainders (so the sum is exact)."""
    if total < len(counts):
        raise ValueError(f"{total} units cannot keep each of the {len(counts)} entries")
    scale = total / sum(counts)
    shares = [max(1.0, c * scale) for c in counts]
    scaled = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(counts)), key=lambda i: (scaled[i] - shares[i], i))
    shortfall = total - sum(scaled)
    for i in by_remainder[:shortfall] if shortfall > 0 else ():
        scaled[i] += 1
    for i in sorted(range(len(counts)), key=lambda i: -scaled[i])[:max(0, -shortfall)]:
        scaled[i] -= 1      # only when the floor of 1 pushed the sum over: take from the largest
    return scaled


def split_count(count: int) -> list[int]:
    """A count as the counts of entries of at most MAX_COUNT units each: 240 -> [100, 100, 40]."""
    return [min(MAX_COUNT, count - start) for start in range(0, count, MAX_COUNT)]


def scaled_units(loaded: LoadedScenario, units: int) -> dict:
    """The `units` table of `loaded` with `units` ground units in all (after `count` expansion)."""
    if not 1 <= units <= MAX_UNITS:
        raise ValueError(f"units must be between 1 and {MAX_UNITS:,} (the loader's limit), not {units}")
    entries = loaded.scenario.units
    counts = apportion([spec.count for spec in entries.values()], units)
    table = {}
    for (key, spec), count in zip(entries.items(), counts):
        entry = spec.model_dump(mode="python", exclude_none=True, by_alias=True)
        for part, part_count in enumerate(split_count(count), start=1):
            part_key = key if part == 1 else f"{key}_part{part}"
            if part_key in table or (part > 1 and part_key in entries):
                raise ValueError(f"unit key {part_key!r} is taken; cannot split {key!r}")
            table[part_key] = {**entry, "count": part_count}
    return table


def with_units(loaded: LoadedScenario, units: int) -> LoadedScenario:
    """`loaded` (with its overrides, e.g. another `theatre.cell_km`) with its order of battle scaled to
    `units` ground units. The new table is an override, so a model built from the result and further
    overrides keeps it."""
    return load_scenario(loaded.path, {**loaded.overrides, "units": scaled_units(loaded, units)})
