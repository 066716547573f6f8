"""Independent replicate seeds from one master seed (numpy SeedSequence.spawn), so that runs are
reproducible one by one and the same replicate gets the same seed in every design point (common random
numbers across points)."""

from __future__ import annotations

import numpy as np


def replicate_seeds(master: int, n: int) -> list[int]:
    """n independent 32-bit seeds derived from `master`; seed i is the same whatever n is."""
    children = np.random.SeedSequence(master).spawn(n)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]
