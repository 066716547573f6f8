"""WarModel: the campaign (campaign.py) with every faction commanded by the doctrine AI unless told otherwise.

Plain keyword parameters make it drivable by ``mesa.batch_run`` and SolaraViz:
``WarModel(scenario="hts_2024", rng=7, **{"factions.saa.pay": 0.3})`` (or ``factions__saa__pay=0.3``).
Give ``commanders={"saa": my_commander}`` to command a faction another way (a classroom team, a test).
"""

from __future__ import annotations

from pathlib import Path

from wargame.core.campaign import Campaign, fresh_seed
from wargame.core.commanders import DOCTRINE
from wargame.core.rules.orders import Commander
from wargame.core.scenario import DEFAULT_SCENARIO, LoadedScenario

__all__ = ["WarModel", "fresh_seed"]


class WarModel(Campaign):
    """The Syrian war on a hex grid of western Syria, commanded by the doctrine AI by default."""

    def __init__(self, scenario: str | Path | LoadedScenario = DEFAULT_SCENARIO, rng=None, *,
                 overrides: dict | None = None, collect_units: bool = True, collect_metrics: bool = True,
                 commanders: dict[str, Commander] | None = None, **params):
        super().__init__(scenario, rng, overrides=overrides, collect_units=collect_units,
                         collect_metrics=collect_metrics, commanders=commanders, default_commander=DOCTRINE,
                         **params)
