"""The geographic data of the theatre (places, roads, rivers, terrain areas, the border), read from the
TOML and JSON files in ``wargame/core/theatre/data`` and validated. Each record keeps its source."""

from __future__ import annotations

import functools
import json
import tomllib
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wargame.core.errors import Problem, ScenarioError, problems_from_validation

PlaceKind = Literal["city", "town", "airbase", "port", "crossing", "garrison", "landmark"]
Latitude = Field(ge=29.0, le=40.0)
Longitude = Field(ge=33.0, le=44.0)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Place(_Strict):
    id: str
    name: str
    kind: PlaceKind
    lat: float = Latitude
    lon: float = Longitude
    urban_km: float = Field(0.0, ge=0.0, le=20.0)
    source: str
    confidence: str
    population: int = Field(0, ge=0, le=50_000_000)
    governorate_capital: bool = False
    local_to: str = Field("", description="a village or hill that matters only to one campaign's finer map: "
                          "on the map only of theatres that list this campaign in `theatre.local_places`, so "
                          "that the other campaigns' maps do not change when it is added")


class Waypoint(_Strict):
    lat: float = Latitude
    lon: float = Longitude
    name: str = ""
    source: str = ""


class Line(_Strict):
    """A road or river: a polyline of waypoints (place ids or inline points)."""

    id: str
    name: str
    source: str
    klass: Literal["motorway", "highway", "river"] = Field("river", alias="class")
    width_km: float = Field(0.0, ge=0.0, le=20.0)
    waypoints: list[str | Waypoint] = Field(min_length=2)


class Area(_Strict):
    name: str
    klass: Literal["desert", "river", "mountain", "outside", "sea"] = Field(alias="class")
    source: str
    confidence: str
    polygon: list[tuple[float, float]] = Field(min_length=3)


class Border(_Strict):
    name: str
    source: str
    note: str = ""
    ring_lon_lat: list[tuple[float, float]] = Field(min_length=3)


class GeoData(_Strict):
    places: dict[str, Place]
    roads: dict[str, Line]
    rivers: dict[str, Line]
    areas: list[Area]
    border: Border

    def line_points(self, line: Line) -> list[tuple[float, float]]:
        """The (lat, lon) of each waypoint, place ids resolved."""
        return [(self.places[w].lat, self.places[w].lon) if isinstance(w, str) else (w.lat, w.lon)
                for w in line.waypoints]


def _read(name: str):
    text = resources.files("wargame.core.theatre").joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else tomllib.loads(text)


@functools.cache
def load_geodata() -> GeoData:
    """Read and validate the theatre data files (cached: they ship with the package)."""
    raw_places, raw_roads, raw_rivers = _read("places.toml"), _read("roads.toml"), _read("rivers.toml")
    problems: list[Problem] = []

    def build(model, data, source):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, source, schema=model))
            return None

    places = {k: build(Place, {"id": k, **v}, f"theatre/data/places.toml [{k}]") for k, v in raw_places.items()}
    roads = {k: build(Line, {"id": k, **v}, f"theatre/data/roads.toml [{k}]") for k, v in raw_roads.items()}
    rivers = {k: build(Line, {"id": k, **v}, f"theatre/data/rivers.toml [{k}]") for k, v in raw_rivers.items()}
    areas = [build(Area, a, f"theatre/data/terrain.toml area {i + 1}") for i, a in enumerate(_read("terrain.toml")["area"])]
    border = build(Border, _read("borders.json"), "theatre/data/borders.json")
    for group, lines in (("roads", roads), ("rivers", rivers)):
        for key, line in lines.items():
            for i, w in enumerate(line.waypoints if line else []):
                if isinstance(w, str) and w not in places:
                    problems.append(Problem(f"theatre/data/{group}.toml [{key}]", f"waypoints[{i}]",
                                            "not a place id in places.toml", w, True))
    if problems:
        raise ScenarioError(problems)
    return GeoData(places=places, roads=roads, rivers=rivers, areas=areas, border=border)
