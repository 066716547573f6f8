"""Building blocks shared by the scenario schema modules."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from wargame.core.scenario.limits import check_polygon

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
UNIT01 = {"ge": 0.0, "le": 1.0}
Point = Annotated[list[float], Field(min_length=2, max_length=2, description="[lat, lon]")]
Polygon = Annotated[list[Point], AfterValidator(check_polygon)]     # 3 to MAX_POLYGON_POINTS points on the globe


class Strict(BaseModel):
    """Base of all scenario models: unknown keys are errors; assignment is validated too; no number is NaN or
    infinite (nothing in a scenario is, and one would poison every sum it enters)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True, allow_inf_nan=False)


def check_colour(value: str) -> str:
    if not COLOUR.match(value):
        raise ValueError('must be a colour "#rrggbb"')
    return value


def check_identifiers(value: dict) -> dict:
    for key in value:
        if not IDENT.match(key):
            raise ValueError(f"id {key!r} must be lower-case letters, digits and _ , starting with a letter")
    return value
