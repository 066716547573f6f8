"""The theatre: western Syria on a hex grid, as read-only numpy arrays indexed by flat cell index.

Built once per (bounds, cell size) and shared by every model with that spec; models copy what they
change (control, supply). Terrain, roads, rivers and places come from ``features.load_geodata``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
from matplotlib.path import Path as MplPath
from scipy import ndimage, sparse
from scipy.spatial import cKDTree

from wargame.core.theatre.features import GeoData, Place, load_geodata
from wargame.core.theatre.geo import Projection
from wargame.core.theatre.hexmap import HexLayout, mesa_even_rows_shifted

TERRAIN_CLASSES = ("open", "urban", "mountain", "desert", "river")
TERRAIN = {name: code for code, name in enumerate(TERRAIN_CLASSES)}
OUTSIDE = -1  # terrain code of cells outside the theatre (sea, neighbouring countries, Israeli-held Golan)
ROAD_NONE, ROAD_HIGHWAY, ROAD_MOTORWAY = 0, 1, 2


@dataclass(frozen=True)
class TheatreSpec:
    """Bounds in degrees, cell size (centre-to-centre distance) in km, and the campaigns whose local places
    (places.toml `local_to`) the map shows."""

    south: float = 32.25
    north: float = 37.35
    west: float = 35.55
    east: float = 41.30
    cell_km: float = 5.0
    local_places: tuple[str, ...] = ()

    @classmethod
    def of(cls, config) -> TheatreSpec:
        """The spec of a scenario's `theatre` table."""
        return cls(config.south, config.north, config.west, config.east, config.cell_km,
                   tuple(getattr(config, "local_places", ())))

    def shows(self, place: Place) -> bool:
        """Whether a place is on this theatre's map (its bounds aside): every place but another campaign's
        local ones."""
        return not place.local_to or place.local_to in self.local_places


@dataclass(frozen=True)
class City:
    """A place with a built-up area: its centre cell and all its urban cells."""

    id: str
    name: str
    kind: str
    cell: int
    cells: tuple[int, ...]


HEX_STENCIL = np.array([[0, 1, 1], [1, 1, 1], [1, 1, 0]], dtype=bool)   # axial (dq, dr) neighbours and itself
# count_within tests every pair of (centre, cell) at once up to this many pairs; above it, once per pair of
# distinct cells. Not a rule (both give the same counts): where the sort that finds the distinct cells
# starts to pay, measured on the calls of hts_2024 (most ask about one centre and a few dozen units).
PAIRS_TESTED_DIRECTLY = 16384


@dataclass(eq=False)
class Theatre:
    spec: TheatreSpec
    geodata: GeoData
    projection: Projection
    layout: HexLayout
    x: np.ndarray
    y: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    inside: np.ndarray          # bool: part of the playable theatre
    sea: np.ndarray             # bool: the Mediterranean (for drawing; sea cells are outside the theatre)
    terrain: np.ndarray         # int8: TERRAIN code, OUTSIDE for cells not in the theatre
    road: np.ndarray            # int8: ROAD_* class
    river: np.ndarray           # bool: on a river line
    adjacency: sparse.csr_matrix  # bool, neighbours among inside cells only
    place_cell: dict[str, int]          # places within the bounds only
    cities: dict[str, City]
    lines: dict[str, np.ndarray] = field(default_factory=dict)  # road/river id -> ordered cells
    _tree: cKDTree | None = None

    def steps_for(self, km: float) -> int:
        """Hex steps that cover a distance (rounded to the nearest whole cell)."""
        return max(0, int(round(km / self.layout.cell_km)))

    def ball(self, steps: int) -> np.ndarray:
        """(cells, m) int32: every cell within `steps` hex steps of each cell (itself included), padded
        with -1 (the hex ball has 3k(k+1)+1 cells, fewer at the edges). Cached per theatre."""
        cache = self.__dict__.setdefault("_balls", {})
        if steps not in cache:
            reach = sparse.identity(self.n, dtype=np.int8, format="csr")
            step = (self.adjacency.astype(np.int8) + sparse.identity(self.n, dtype=np.int8, format="csr")).tocsr()
            for _ in range(steps):
                reach = (reach @ step).astype(bool).astype(np.int8).tocsr()
            counts = np.diff(reach.indptr)
            table = np.full((self.n, max(1, int(counts.max()))), -1, dtype=np.int32)
            rows = np.repeat(np.arange(self.n), counts)
            slot = np.arange(reach.indices.size) - np.repeat(reach.indptr[:-1], counts)
            table[rows, slot] = reach.indices
            table.flags.writeable = False
            cache[steps] = table
        return cache[steps]

    def count_near(self, cells: np.ndarray, km: float, weights: np.ndarray | None = None) -> np.ndarray:
        """For every cell, how many of `cells` (or their summed `weights`) lie within `km` of it."""
        cells = np.asarray(cells, dtype=np.int64)
        if cells.size == 0:
            return np.zeros(self.n)
        ball = self.ball(self.steps_for(km))[cells]
        w = np.ones(cells.size) if weights is None else np.asarray(weights, dtype=float)
        flat = ball.ravel()
        keep = flat >= 0
        return np.bincount(flat[keep], weights=np.repeat(w, ball.shape[1])[keep], minlength=self.n)

    @functools.cached_property
    def _axial_grid(self) -> tuple[np.ndarray, tuple[int, int]]:
        """Each cell's place in a rectangle of axial coordinates, where hex neighbours are a fixed stencil,
        as a flat index into the rectangle (flat indexing is several times cheaper than a pair of arrays)."""
        q, r = self.layout.axial(np.arange(self.n))
        q = q - q.min()
        shape = (int(q.max()) + 1, int(r.max()) + 1)
        return np.ravel_multi_index((q, r), shape), shape

    def connected(self, mask: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        """Bool over cells: the inside cells of `mask` joined to any of `seeds` through cells of `mask`.
        Image labelling (scipy.ndimage) on the axial rectangle, where the six hex neighbours of (q, r) are
        (q±1, r), (q, r±1), (q+1, r-1) and (q-1, r+1): one pass over the map instead of a graph search."""
        flat, shape = self._axial_grid
        grid = np.zeros(shape, dtype=bool)
        grid.ravel()[flat] = mask & self.inside
        labels, count = ndimage.label(grid, structure=HEX_STENCIL)
        label = labels.ravel()[flat]
        hit = label[np.asarray(seeds, dtype=np.int64)]
        keep = np.zeros(count + 1, dtype=bool)
        keep[hit[hit > 0]] = True
        keep[0] = False
        return keep[label]

    def near_mask(self, cells: np.ndarray, km: float) -> np.ndarray:
        """Bool over cells: within `km` of any of `cells`."""
        mask = np.zeros(self.n + 1, dtype=bool)
        cells = np.asarray(cells, dtype=np.int64)
        if cells.size:
            mask[self.ball(self.steps_for(km))[cells].ravel()] = True
        return mask[:-1]

    def max_near(self, cells: np.ndarray, km: float, values: np.ndarray) -> np.ndarray:
        """For every cell, the largest of `values` among `cells` within `km` of it (0 if none)."""
        out = np.zeros(self.n + 1)
        cells = np.asarray(cells, dtype=np.int64)
        if cells.size:
            ball = self.ball(self.steps_for(km))[cells]
            np.maximum.at(out, ball.ravel(), np.repeat(np.asarray(values, dtype=float), ball.shape[1]))
        return out[:-1]

    @functools.cached_property
    def city_index(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(city ids, city number of each urban cell listed, those cells): for vectorised city counts."""
        ids = list(self.cities)
        owner = np.concatenate([np.full(len(c.cells), i) for i, c in enumerate(self.cities.values())]) if ids else np.zeros(0, int)
        cells = np.concatenate([np.array(c.cells) for c in self.cities.values()]) if ids else np.zeros(0, int)
        return ids, owner.astype(np.int64), cells.astype(np.int64)

    @functools.cached_property
    def key_cells(self) -> np.ndarray:
        """Bool: built-up cells and the cells of airbases, ports and crossings, which change hands only
        when an enemy unit stands in them."""
        mask = self.terrain == TERRAIN["urban"]
        for pid, cell in self.place_cell.items():
            if self.geodata.places[pid].kind in ("airbase", "port", "crossing"):
                mask[cell] = True
        return mask

    @functools.cached_property
    def neighbours(self) -> np.ndarray:
        """(cells, 6) neighbour indices, padded with -1 where a cell has fewer (edges, outside)."""
        table = np.full((self.n, 6), -1, dtype=np.int64)
        counts = np.diff(self.adjacency.indptr)
        slot = np.arange(self.adjacency.indices.size) - np.repeat(self.adjacency.indptr[:-1], counts)
        table[self.edge_rows, slot] = self.adjacency.indices
        return table

    @functools.cached_property
    def reach(self) -> sparse.csr_matrix:
        """Adjacency plus the identity, as float: a cell and its neighbours."""
        return (self.adjacency.astype(np.float32) + sparse.identity(self.n, dtype=np.float32, format="csr")).tocsr()

    @functools.cached_property
    def km_to_golan(self) -> np.ndarray:
        """Distance (km) from each cell centre to the nearest cell of the Israeli-held Golan."""
        area = next((a for a in self.geodata.areas if a.klass == "outside" and "Golan" in a.name), None)
        if area is None:
            return np.full(self.n, np.inf)
        path = _project_ring(self.projection, area.polygon)
        golan = np.column_stack([self.x, self.y])[path.contains_points(np.column_stack([self.x, self.y]))]
        if golan.size == 0:
            return np.full(self.n, np.inf)
        distance, _ = cKDTree(golan).query(np.column_stack([self.x, self.y]))
        return distance

    @functools.cached_property
    def edge_rows(self) -> np.ndarray:
        """Source cell of every edge of the adjacency matrix, aligned with adjacency.indices."""
        return np.repeat(np.arange(self.n), np.diff(self.adjacency.indptr))

    @property
    def n(self) -> int:
        return self.layout.n

    @property
    def shape(self) -> tuple[int, int]:
        """(ncols, nrows): the shape of the Mesa grid and its property layers."""
        return (self.layout.ncols, self.layout.nrows)

    def cell_at(self, lat, lon) -> np.ndarray | int:
        """Flat index of the cell nearest to lat/lon (scalar or arrays)."""
        x, y = self.projection.forward(lat, lon)
        _, index = self._tree.query(np.stack([np.ravel(x), np.ravel(y)], axis=-1))
        return int(index[0]) if np.ndim(lat) == 0 else index

    def place(self, place_id: str) -> Place:
        return self.geodata.places[place_id]

    def as_grid(self, flat: np.ndarray) -> np.ndarray:
        """A flat per-cell array viewed as (ncols, nrows), the layout of Mesa property layers."""
        return flat.reshape(self.shape)

    def km_between(self, a, b):
        """Straight-line distance in km between cell centres."""
        return np.hypot(self.x[a] - self.x[b], self.y[a] - self.y[b])

    def count_within(self, centres, cells, km: float) -> np.ndarray:
        """For each of `centres` (cells), how many entries of `cells` (repeats count: one per unit) lie within
        `km` of it, by km_between <= km. The same test is made once per pair of distinct cells rather than
        once per pair of units (units stack several to a cell), so the cost grows with the cells occupied."""
        centres = np.asarray(centres, dtype=np.int64)
        cells = np.asarray(cells, dtype=np.int64)
        if centres.size == 0 or cells.size == 0:
            return np.zeros(centres.size, dtype=np.int64)
        if centres.size * cells.size <= PAIRS_TESTED_DIRECTLY:      # few pairs: sorting out repeats costs more
            return np.count_nonzero(self.km_between(centres[:, None], cells[None, :]) <= km, axis=1)
        distinct_centres, back = np.unique(centres, return_inverse=True)
        distinct_cells, repeats = np.unique(cells, return_counts=True)
        near = self.km_between(distinct_centres[:, None], distinct_cells[None, :]) <= km
        return (near @ repeats)[back]

    def cells_in_polygon(self, polygon_lat_lon) -> np.ndarray:
        """Bool mask of inside cells whose centre lies in a polygon of (lat, lon) points (a new array; the
        masks are kept per theatre, since every run of a scenario asks for the same areas)."""
        cache = self.__dict__.setdefault("_polygons", {})
        key = tuple(tuple(float(v) for v in point) for point in polygon_lat_lon)
        if key not in cache:
            path = _project_ring(self.projection, polygon_lat_lon)
            cache[key] = path.contains_points(np.column_stack([self.x, self.y])) & self.inside
        return cache[key].copy()

    def cells_within(self, cell: int, km: float) -> np.ndarray:
        """Inside cells whose centre lies within km of the centre of cell."""
        found = np.array(self._tree.query_ball_point([self.x[cell], self.y[cell]], km), dtype=np.int64)
        return np.sort(found[self.inside[found]])


def _project_ring(projection: Projection, ring_lat_lon) -> MplPath:
    pts = np.asarray(ring_lat_lon, dtype=float)
    x, y = projection.forward(pts[:, 0], pts[:, 1])
    return MplPath(np.column_stack([x, y]))


def _sample_polyline(projection: Projection, points_lat_lon, step_km: float) -> np.ndarray:
    """Points every step_km along a polyline, in projected km."""
    pts = np.asarray(points_lat_lon, dtype=float)
    x, y = projection.forward(pts[:, 0], pts[:, 1])
    out = []
    for (xa, ya), (xb, yb) in zip(zip(x[:-1], y[:-1]), zip(x[1:], y[1:])):
        k = max(2, int(math.ceil(math.hypot(xb - xa, yb - ya) / step_km)) + 1)
        t = np.linspace(0.0, 1.0, k)
        out.append(np.column_stack([xa + t * (xb - xa), ya + t * (yb - ya)]))
    return np.concatenate(out)


def _ordered_unique(values: np.ndarray) -> np.ndarray:
    _, first = np.unique(values, return_index=True)
    return values[np.sort(first)]


@functools.lru_cache(maxsize=8)
def build_theatre(spec: TheatreSpec = TheatreSpec()) -> Theatre:
    """Build the theatre for a spec. Cached: models with the same spec share the read-only arrays."""
    geodata = load_geodata()
    projection = Projection(lat0=(spec.south + spec.north) / 2, lon0=(spec.west + spec.east) / 2)

    # Bounding box, in km, of the lat/lon rectangle (its edges are curves once projected).
    t = np.linspace(0.0, 1.0, 64)
    edge_lat = np.concatenate([spec.south + 0 * t, spec.north + 0 * t, spec.south + (spec.north - spec.south) * t,
                               spec.south + (spec.north - spec.south) * t])
    edge_lon = np.concatenate([spec.west + (spec.east - spec.west) * t, spec.west + (spec.east - spec.west) * t,
                               spec.west + 0 * t, spec.east + 0 * t])
    ex, ey = projection.forward(edge_lat, edge_lon)
    cell = spec.cell_km
    ncols = int(math.ceil((ex.max() - ex.min()) / cell)) + 1
    nrows = int(math.ceil((ey.max() - ey.min()) / (cell * math.sqrt(3) / 2))) + 1
    layout = HexLayout(ncols, nrows, cell, float(ex.min()), float(ey.min()), mesa_even_rows_shifted())
    x, y = layout.centres()
    lat, lon = projection.inverse(x, y)
    xy = np.column_stack([x, y])
    tree = cKDTree(xy)

    border = np.asarray(geodata.border.ring_lon_lat)[:, ::-1]  # to (lat, lon)
    inside = _project_ring(projection, border).contains_points(xy)
    inside &= (lat >= spec.south) & (lat <= spec.north) & (lon >= spec.west) & (lon <= spec.east)

    terrain = np.full(layout.n, TERRAIN["open"], dtype=np.int8)
    sea = np.zeros(layout.n, dtype=bool)
    for area in (a for a in geodata.areas if a.klass == "sea"):
        sea |= _project_ring(projection, area.polygon).contains_points(xy)
    for klass in ("desert", "river", "mountain", "outside"):
        for area in (a for a in geodata.areas if a.klass == klass):
            hit = _project_ring(projection, area.polygon).contains_points(xy)
            if klass == "outside":
                inside &= ~hit
            else:
                terrain[hit] = TERRAIN[klass]

    lines: dict[str, np.ndarray] = {}
    river = np.zeros(layout.n, dtype=bool)
    for rid, line in geodata.rivers.items():
        samples = _sample_polyline(projection, geodata.line_points(line), cell / 4)
        _, nearest = tree.query(samples)
        lines[rid] = _ordered_unique(nearest)
        river[lines[rid]] = True
        reach = max(line.width_km / 2, cell * 0.45)
        for hits in tree.query_ball_point(samples, reach):
            terrain[hits] = TERRAIN["river"]

    road = np.zeros(layout.n, dtype=np.int8)
    for rid, line in geodata.roads.items():
        samples = _sample_polyline(projection, geodata.line_points(line), cell / 4)
        _, nearest = tree.query(samples)
        lines[rid] = _ordered_unique(nearest)
        level = ROAD_MOTORWAY if line.klass == "motorway" else ROAD_HIGHWAY
        road[lines[rid]] = np.maximum(road[lines[rid]], level)

    place_cell: dict[str, int] = {}
    cities: dict[str, City] = {}
    for pid, place in geodata.places.items():
        if not (spec.south <= place.lat <= spec.north and spec.west <= place.lon <= spec.east):
            continue  # outside this theatre's bounds: not on the map
        if not spec.shows(place):
            continue  # another campaign's local place
        px, py = projection.forward(place.lat, place.lon)
        _, centre = tree.query([float(px), float(py)])
        centre = int(centre)
        place_cell[pid] = centre
        inside[centre] = True  # a coastal or border place whose nearest centre falls just outside
        if place.urban_km > 0:
            near = np.array(tree.query_ball_point([float(px), float(py)], place.urban_km), dtype=np.int64)
            cells = np.union1d(near[inside[near]], [centre]).astype(np.int64)
            terrain[cells] = TERRAIN["urban"]
            cities[pid] = City(pid, place.name, place.kind, centre, tuple(int(c) for c in cells))
    terrain[~inside] = OUTSIDE
    sea &= ~inside

    adjacency = layout.adjacency()
    keep = sparse.diags(inside.astype(np.int8), dtype=np.int8)
    adjacency = (keep @ adjacency.astype(np.int8) @ keep).astype(bool).tocsr()
    adjacency.eliminate_zeros()

    for arr in (x, y, lat, lon, inside, sea, terrain, road, river):
        arr.flags.writeable = False
    return Theatre(spec, geodata, projection, layout, x, y, lat, lon, inside, sea, terrain, road, river,
                   adjacency, place_cell, cities, lines, tree)
