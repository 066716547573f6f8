"""The theatre: real geography on a hex grid consistent with Mesa's HexGrid."""

import random

import numpy as np
import pytest
from mesa.discrete_space import HexGrid
from scipy.sparse import csgraph

from wargame.core.theatre import OUTSIDE, ROAD_NONE, TERRAIN, TheatreSpec, build_theatre
from wargame.core.theatre.geo import Projection, haversine_km
from wargame.core.theatre.hexmap import HexLayout, mesa_even_rows_shifted


@pytest.fixture(scope="module")
def theatre():
    return build_theatre(TheatreSpec())


def test_adjacency_matches_mesa_hexgrid_exactly():
    layout = HexLayout(9, 7, 5.0, 0.0, 0.0, mesa_even_rows_shifted())
    grid = HexGrid((9, 7), random=random.Random(0))
    ours = layout.adjacency()
    for col in range(9):
        for row in range(7):
            mesa_neighbours = {layout.index(*c.coordinate) for c in grid[(col, row)].neighborhood}
            i = layout.index(col, row)
            assert set(ours.indices[ours.indptr[i]:ours.indptr[i + 1]]) == mesa_neighbours


def test_neighbours_are_one_cell_apart_in_space():
    layout = HexLayout(12, 10, 5.0, 0.0, 0.0, mesa_even_rows_shifted())
    x, y = layout.centres()
    adj = layout.adjacency().tocoo()
    distances = np.hypot(x[adj.row] - x[adj.col], y[adj.row] - y[adj.col])
    assert np.allclose(distances, 5.0)


def test_hex_distance_equals_graph_distance():
    layout = HexLayout(15, 13, 5.0, 0.0, 0.0, mesa_even_rows_shifted())
    graph = csgraph.shortest_path(layout.adjacency(), unweighted=True)
    a, b = np.meshgrid(np.arange(layout.n), np.arange(layout.n), indexing="ij")
    assert np.array_equal(layout.distance(a, b), graph.astype(int))


def test_projection_round_trip_and_distances():
    proj = Projection(34.8, 38.4)
    lat = np.array([32.3, 36.2, 37.3, 35.5])
    lon = np.array([35.6, 37.16, 41.2, 39.0])
    back_lat, back_lon = proj.inverse(*proj.forward(lat, lon))
    assert np.allclose(back_lat, lat, atol=1e-9) and np.allclose(back_lon, lon, atol=1e-9)


def test_distances_between_cities_match_the_facts(theatre):
    # Great-circle distances from docs/history/facts.md A4 (Aleppo-Damascus 310, Aleppo-Hama 124,
    # Homs-Damascus 141, Deir ez-Zor-al-Bukamal 121 km): cell-centre distances agree within a cell.
    for a, b, km in (("aleppo", "damascus", 310), ("aleppo", "hama", 124), ("homs", "damascus", 141),
                     ("deir_ez_zor", "al_bukamal", 121), ("latakia", "khmeimim", 20)):
        assert abs(theatre.km_between(theatre.place_cell[a], theatre.place_cell[b]) - km) < theatre.layout.cell_km
        pa, pb = theatre.place(a), theatre.place(b)
        assert abs(haversine_km(pa.lat, pa.lon, pb.lat, pb.lon) - km) < 1.5


def test_places_sit_in_their_cells(theatre):
    for pid, cell in theatre.place_cell.items():
        place = theatre.place(pid)
        assert theatre.inside[cell]
        x, y = theatre.projection.forward(place.lat, place.lon)
        assert np.hypot(theatre.x[cell] - x, theatre.y[cell] - y) <= theatre.layout.cell_km / np.sqrt(3) + 1e-6


def test_terrain_classes_where_the_map_says(theatre):
    def terrain_at(lat, lon):
        return theatre.terrain[theatre.cell_at(lat, lon)]

    assert terrain_at(36.2012, 37.1612) == TERRAIN["urban"]          # Aleppo
    assert terrain_at(35.55, 36.33) == TERRAIN["river"]              # Ghab plain
    assert terrain_at(35.60, 36.10) == TERRAIN["mountain"]           # Jabal Ansariyah
    assert terrain_at(34.0, 38.5) == TERRAIN["desert"]               # Badiya
    assert terrain_at(35.79, 39.5) == TERRAIN["river"]               # Euphrates, Raqqa - Ma'dan
    assert terrain_at(35.5, 35.6) == OUTSIDE                         # the sea off Latakia
    assert terrain_at(33.9, 35.8) == OUTSIDE                         # Lebanon
    assert terrain_at(33.0, 35.72) == OUTSIDE                        # Israeli-held Golan
    assert terrain_at(36.9, 37.5) == OUTSIDE                         # Turkey


def test_m5_runs_unbroken_from_damascus_to_aleppo(theatre):
    m5 = theatre.lines["m5"]
    assert (theatre.road[m5] != ROAD_NONE).all()
    steps = theatre.layout.distance(m5[:-1], m5[1:])
    assert steps.max() <= 1                                          # consecutive cells touch
    assert theatre.place_cell["damascus"] in m5 and theatre.place_cell["aleppo"] in m5


def test_all_inside_cells_form_one_connected_theatre(theatre):
    inside = np.flatnonzero(theatre.inside)
    n, labels = csgraph.connected_components(theatre.adjacency, directed=False)
    assert len(set(labels[inside])) == 1


def test_cell_size_is_configurable():
    fine = build_theatre(TheatreSpec(cell_km=3.0))
    coarse = build_theatre(TheatreSpec(cell_km=5.0))
    assert fine.inside.sum() > 2.5 * coarse.inside.sum()
    assert fine.terrain[fine.place_cell["damascus"]] == TERRAIN["urban"]


def test_theatre_arrays_are_read_only(theatre):
    with pytest.raises(ValueError):
        theatre.terrain[0] = 1


def test_map_png_is_a_real_image(theatre, tmp_path):
    from PIL import Image

    from wargame.report.maps.theatre import draw_theatre_png

    path = draw_theatre_png(theatre, tmp_path / "theatre.png")
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.size[0] > 800 and image.size[1] > 800
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 50      # terrain, roads, labels: not a blank canvas


def test_connected_ground_by_image_labelling_matches_a_graph_search():
    from scipy.sparse import csgraph

    from wargame.core.model import WarModel

    model = WarModel("hts_2024", rng=1)
    th = model.theatre
    rng = np.random.default_rng(0)
    for share in (0.45, 0.6, 0.8):
        mask = th.inside & (rng.random(th.n) < share)
        seeds = rng.choice(np.flatnonzero(mask), 3, replace=False)
        graph = model.fields.costs(model).within(mask)
        expected = np.zeros(th.n, dtype=bool)
        for seed in seeds:
            expected[csgraph.breadth_first_order(graph, int(seed), directed=True, return_predecessors=False)] = True
        assert (th.connected(mask, seeds) == expected).all()
    assert not th.connected(mask, np.array([], dtype=np.int64)).any()


def test_supply_distances_within_a_side_are_those_of_its_own_subgraph():
    """costs_within (the whole graph, infinite costs off the side's ground) gives the subgraph's distances."""
    from scipy.sparse import csgraph

    from wargame.core.model import WarModel

    model = WarModel("hts_2024", rng=1)
    graph = model.fields.costs(model)
    rng = np.random.default_rng(1)
    for share in (0.5, 0.9):
        keep = model.theatre.inside & (rng.random(model.theatre.n) < share)
        sources = rng.choice(np.flatnonzero(keep), 4, replace=False)
        for limit in (60.0, np.inf):
            expected = csgraph.dijkstra(graph.within(keep), directed=True, indices=sources, min_only=True, limit=limit)
            got = csgraph.dijkstra(graph.costs_within(keep), directed=True, indices=sources, min_only=True, limit=limit)
            assert np.array_equal(np.isfinite(got), np.isfinite(expected))
            assert np.array_equal(got[np.isfinite(got)], expected[np.isfinite(expected)])


def test_counts_within_a_distance_are_those_of_the_unit_by_unit_test():
    from wargame.core.theatre import TheatreSpec, build_theatre

    th = build_theatre(TheatreSpec())
    rng = np.random.default_rng(3)
    inside = np.flatnonzero(th.inside)
    for size in (0, 1, 40, 300):
        centres = rng.choice(inside, size)                       # with repeats, as units stack in cells
        cells = rng.choice(inside[:500], 2 * size)
        for km in (5.0, 30.0, 200.0):
            dense = (th.km_between(centres[:, None], cells[None, :]) <= km).sum(axis=1)
            assert np.array_equal(th.count_within(centres, cells, km), dense)
    assert th.count_within(inside[:3], np.array([], dtype=np.int64), 30.0).tolist() == [0, 0, 0]
