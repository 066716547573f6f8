"""Phase 1b: the strategic actors act (see wargame.core.actors for their rules)."""

from __future__ import annotations


def run_actors(model) -> None:
    for actor in model.actors.values():
        actor.step()
