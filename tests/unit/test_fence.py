"""app.core.fence: shapes, containment (edges count as inside), JSON, jurisdiction checks, fast selection."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import shapely

from app.core import geo
from app.core.fence import (
    CircleFence,
    PointIndex,
    PolygonFence,
    RectFence,
    fence_from_json,
    fence_within,
    select_ids,
)


def _star(lat: float, lon: float, n: int, r_out: float, r_in: float) -> PolygonFence:
    """A concave star with 2n vertices (radii in metres on the ground)."""
    bearings = np.arange(2 * n) * (180.0 / n)
    radii = np.where(np.arange(2 * n) % 2 == 0, r_out, r_in)
    la, lo = geo.destination(lat, lon, bearings, radii)
    return PolygonFence(tuple(zip(la.tolist(), lo.tolist(), strict=True)))


def _brute_polygon(fence: PolygonFence, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Reference: shapely 'covers' point by point on the Mercator polygon (no prefilter, no vectorisation)."""
    poly = fence.mercator_geometry
    x, y = geo.lonlat_to_xy(lon, lat)
    return np.array([poly.covers(shapely.Point(a, b)) for a, b in zip(x, y, strict=True)], dtype=bool)


def test_circle_contains_by_ground_distance() -> None:
    c = CircleFence(60.0, 10.0, 500.0)
    # Points at 499 m and 501 m in many directions: east–west at 60° spans twice the degrees of north–south.
    bearings = np.arange(0, 360, 15.0)
    lat_in, lon_in = geo.destination(60.0, 10.0, bearings, 499.0)
    lat_out, lon_out = geo.destination(60.0, 10.0, bearings, 501.0)
    assert c.contains(lat_in, lon_in).all()
    assert not c.contains(lat_out, lon_out).any()
    # Exactly on the radius counts as inside (distance <= radius).
    on = CircleFence(0.0, 0.0, float(geo.haversine_m(0.0, 0.0, 0.0, 0.01)))
    assert on.contains(np.array([0.0]), np.array([0.01]))[0]
    s, w, n, e = c.bounds()
    assert s < float(lat_in.min()) and n > float(lat_in.max()) and w < float(lon_in.min()) and e > float(lon_in.max())


def test_rect_edges_and_corners_inside() -> None:
    r = RectFence(47.0, -122.5, 47.2, -122.2)
    lat = np.array([47.0, 47.2, 47.1, 47.1, 47.0, 47.2, 46.9999999, 47.1, 47.1])
    lon = np.array([-122.3, -122.3, -122.5, -122.2, -122.5, -122.2, -122.3, -122.5000001, -122.1999999])
    assert r.contains(lat, lon).tolist() == [True] * 6 + [False, False, False]
    with pytest.raises(ValueError):
        RectFence(47.2, -122.5, 47.0, -122.2)


def test_polygon_points_on_and_near_edges() -> None:
    # An L-shaped (concave) polygon with axis-aligned edges: points on them are exactly representable on the map.
    ring = ((47.0, -122.0), (47.0, -121.9), (47.05, -121.9), (47.05, -121.95), (47.1, -121.95), (47.1, -122.0))
    p = PolygonFence(ring)
    eps = 1e-7  # about 1 cm
    on_edges = [(47.0, -121.95), (47.025, -121.9), (47.05, -121.925), (47.075, -121.95), (47.1, -121.975),
                (47.05, -122.0)]
    vertices = list(ring)
    outside_near = [(47.0 - eps, -121.95), (47.025, -121.9 + eps), (47.05 + eps, -121.925),
                    (47.075, -121.95 + eps), (47.1 + eps, -121.975), (47.05, -122.0 - eps)]
    inside_near = [(47.0 + eps, -121.95), (47.025, -121.9 - eps), (47.05 - eps, -121.925),
                   (47.075, -121.95 - eps), (47.1 - eps, -121.975), (47.05, -122.0 + eps)]
    notch = [(47.07, -121.93)]  # inside the bounding box, in the concave notch
    pts = on_edges + vertices + outside_near + inside_near + notch
    lat = np.array([a for a, _ in pts])
    lon = np.array([b for _, b in pts])
    got = p.contains(lat, lon)
    expected = [True] * (len(on_edges) + len(vertices)) + [False] * len(outside_near) + [True] * len(inside_near) \
        + [False]
    assert got.tolist() == expected
    assert got.tolist() == _brute_polygon(p, lat, lon).tolist()


def test_concave_polygon_many_vertices_matches_reference() -> None:
    star = _star(39.74, -104.99, 60, 2000.0, 700.0)  # 120 vertices, deeply concave
    assert len(star.ring) == 120 and star.is_simple()
    rng = np.random.default_rng(3)
    lat = rng.uniform(39.71, 39.77, 5000)
    lon = rng.uniform(-105.03, -104.95, 5000)
    got = star.contains(lat, lon)
    assert 0 < got.sum() < 5000
    assert np.array_equal(got, _brute_polygon(star, lat, lon))
    # Every vertex is on the boundary, hence inside; the centre is inside.
    assert star.contains(star.lat, star.lon).all()
    assert star.contains(np.array([39.74]), np.array([-104.99]))[0]


def test_bow_tie_is_not_simple() -> None:
    assert not PolygonFence(((0.0, 0.0), (0.01, 0.01), (0.0, 0.01), (0.01, 0.0))).is_simple()
    with pytest.raises(ValueError):
        PolygonFence(((0.0, 0.0), (0.0, 0.0), (0.01, 0.01)))


@pytest.mark.parametrize("fence", [
    CircleFence(47.61, -122.33, 350.5),
    RectFence(47.60, -122.34, 47.61, -122.32),
    PolygonFence(((47.60, -122.34), (47.61, -122.34), (47.615, -122.33), (47.60, -122.32))),
])
def test_json_round_trip(fence: CircleFence | RectFence | PolygonFence) -> None:
    data = json.loads(json.dumps(fence.to_json()))
    assert data["kind"] == fence.kind
    back = fence_from_json(data)
    assert back == fence
    assert back.area_m2() == fence.area_m2()


def test_json_shapes_and_errors() -> None:
    assert CircleFence(1.0, 2.0, 3.0).to_json() == {"kind": "circle", "center": [1.0, 2.0], "radius_m": 3.0}
    assert fence_from_json({"kind": "rect", "bounds": [0, 0, 1, 1]}) == RectFence(0.0, 0.0, 1.0, 1.0)
    assert PolygonFence(((0, 0), (0, 1), (1, 1))).to_json() == {"kind": "polygon", "ring": [[0, 0], [0, 1], [1, 1]]}
    with pytest.raises(ValueError):
        fence_from_json({"kind": "hexagon"})
    with pytest.raises(ValueError):
        CircleFence(0.0, 0.0, -5.0)


def test_centroids() -> None:
    assert CircleFence(1.0, 2.0, 3.0).centroid() == (1.0, 2.0)
    lat, lon = PolygonFence(((0.0, 0.0), (0.0, 0.02), (0.02, 0.02), (0.02, 0.0))).centroid()
    assert (lat, lon) == pytest.approx((0.01, 0.01), abs=1e-9)


def test_fence_within_jurisdiction() -> None:
    juris = {"type": "Polygon", "coordinates": [[[-122.40, 47.55], [-122.25, 47.55], [-122.25, 47.70],
                                                  [-122.40, 47.70], [-122.40, 47.55]]]}
    assert fence_within(CircleFence(47.62, -122.33, 1000.0), juris)
    assert not fence_within(CircleFence(47.62, -122.26, 1000.0), juris)  # 1 km circle pokes out east
    assert fence_within(RectFence(47.55, -122.40, 47.60, -122.30), juris)  # touching the edge is within
    assert fence_within(PolygonFence(((47.6, -122.3), (47.61, -122.3), (47.61, -122.29))),
                        json.dumps({"type": "Feature", "geometry": juris}))
    ring = np.array(CircleFence(47.62, -122.33, 1000.0).ring())
    assert len(ring) == 64
    assert geo.haversine_m(47.62, -122.33, ring[:, 0], ring[:, 1]) == pytest.approx(np.full(64, 1000.0))


def _random_city(n: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lat = rng.normal(47.61, 0.05, n)
    lon = rng.normal(-122.33, 0.07, n)
    ids = rng.permutation(n).astype(np.int64) * 3 + 5  # ids unrelated to position
    return ids, lat, lon


@pytest.mark.parametrize("fence", [
    CircleFence(47.61, -122.33, 800.0),
    RectFence(47.60, -122.35, 47.62, -122.31),
    _star(47.615, -122.335, 6, 1500.0, 500.0),
])
def test_select_ids_equals_brute_force(fence: CircleFence | RectFence | PolygonFence) -> None:
    ids, lat, lon = _random_city(200_000)
    index = PointIndex.build(ids, lat, lon)
    got = select_ids(index, fence)
    if isinstance(fence, CircleFence):
        ref_mask = geo.haversine_m(fence.center_lat, fence.center_lon, lat, lon) <= fence.radius_m
    elif isinstance(fence, RectFence):
        ref_mask = (lat >= fence.south) & (lat <= fence.north) & (lon >= fence.west) & (lon <= fence.east)
    else:
        x, y = geo.lonlat_to_xy(lon, lat)
        ref_mask = shapely.intersects_xy(fence.mercator_geometry, x, y)
    assert ref_mask.sum() > 100
    assert np.array_equal(got, np.sort(ids[ref_mask]))
    assert np.array_equal(got, np.sort(ids[fence.contains(lat, lon)]))


def test_point_index_visible_rect_and_empty() -> None:
    ids, lat, lon = _random_city(10_000)
    index = PointIndex.build(ids, lat, lon)
    assert np.all(np.diff(index.x) >= 0)
    x0, y0 = geo.lonlat_to_xy(-122.35, 47.60)
    x1, y1 = geo.lonlat_to_xy(-122.31, 47.62)
    pos = index.in_rect_xy(float(x0), float(y0), float(x1), float(y1))
    assert np.array_equal(np.sort(index.ids_at(pos)), select_ids(index, RectFence(47.60, -122.35, 47.62, -122.31)))
    empty = PointIndex.empty()
    assert select_ids(empty, CircleFence(0.0, 0.0, 10.0)).size == 0


def _boundary_points(fence: CircleFence | RectFence | PolygonFence, rng: np.random.Generator,
                     offsets_m: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Points on the fence's outline (its vertices, and along its edges) and at the given ground offsets across
    it, north/south/east/west: the points a float32 index could put on the wrong side."""
    if isinstance(fence, CircleFence):
        bearings = rng.uniform(0, 360, 400)
        lat, lon = geo.destination(fence.center_lat, fence.center_lon, bearings, fence.radius_m)
    else:
        ring = np.array(fence.ring() if callable(fence.ring) else fence.ring)
        ring = np.vstack([ring, ring[:1]])
        x, y = geo.lonlat_to_xy(ring[:, 1], ring[:, 0])  # edges are straight on the map
        t = rng.random(400)
        edge = rng.integers(0, len(ring) - 1, 400)
        ex, ey = x[edge] + t * (x[edge + 1] - x[edge]), y[edge] + t * (y[edge + 1] - y[edge])
        elon, elat = geo.xy_to_lonlat(ex, ey)
        # Along a meridian or a parallel the edge's latitude/longitude is exact: keep it so, exactly on the edge.
        along_meridian = ring[edge, 1] == ring[edge + 1, 1]
        along_parallel = ring[edge, 0] == ring[edge + 1, 0]
        elon = np.where(along_meridian, ring[edge, 1], elon)
        elat = np.where(along_parallel, ring[edge, 0], elat)
        lat, lon = np.concatenate([ring[:-1, 0], elat]), np.concatenate([ring[:-1, 1], elon])
    out_lat, out_lon = [lat], [lon]
    for d in offsets_m:
        for bearing in (0.0, 90.0, 180.0, 270.0):
            la, lo = geo.destination(0.0, 0.0, bearing, d)  # offsets in degrees at the equator, scaled below
            out_lat.append(lat + la)
            out_lon.append(lon + lo / np.cos(np.radians(lat)))
    return np.concatenate(out_lat), np.concatenate(out_lon)


@pytest.mark.parametrize("spread_deg", [0.05, 60.0])  # a city (err_m ~ mm) and a continent (err_m ~ m)
@pytest.mark.parametrize("fence", [
    CircleFence(47.61, -122.33, 800.0),
    RectFence(47.60, -122.35, 47.62, -122.31),
    _star(47.615, -122.335, 6, 1500.0, 500.0),
    PolygonFence(((47.60, -122.34), (47.60, -122.32), (47.61, -122.32), (47.61, -122.33), (47.62, -122.33),
                  (47.62, -122.34))),  # L-shaped, with edges along meridians and parallels (vertical on the map)
])
def test_select_exact_at_the_boundary(fence: CircleFence | RectFence | PolygonFence, spread_deg: float) -> None:
    """The index keeps float32 map positions; the selection must still equal fence.contains on the true
    coordinates, for points on the outline and a fraction of the index's error away from it."""
    rng = np.random.default_rng(4)
    b_lat, b_lon = _boundary_points(fence, rng, (1e-6, 1e-3, 0.01, 0.3, 1.0, 3.0))
    # Background points: enough around the fence that the polygon takes the vectorised crossing path, plus a few
    # far away that set the index's extent (and so its float32 error).
    n = 60_000
    lat = np.concatenate([b_lat, rng.uniform(47.595, 47.625, n), 47.61 + rng.uniform(-1, 1, 50) * spread_deg / 2])
    lon = np.concatenate([b_lon, rng.uniform(-122.355, -122.305, n), -122.33 + rng.uniform(-1, 1, 50) * spread_deg])
    ids = np.arange(lat.size, dtype=np.int64) * 2 + 1
    index = PointIndex.build(ids, lat, lon)
    assert (index.err_m > 0.1) == (spread_deg > 1)  # the continent's index really is coarse
    got = select_ids(index, fence)
    assert np.array_equal(got, ids[fence.contains(lat, lon)])
    # Points on the outline count as inside ("covers"): checked where they are exactly on it — the vertices, and
    # every point of the rectangle's and the L's edges (along meridians and parallels).
    outline = b_lat.size // 25
    if isinstance(fence, PolygonFence):
        assert np.isin(ids[:len(fence.ring)], got).all()
        if fence.ring[0] == (47.60, -122.34):
            assert np.isin(ids[:outline], got).all()
    elif isinstance(fence, RectFence):
        assert np.isin(ids[:outline], got).all()


def _load_points(path: Path) -> tuple[np.ndarray, np.ndarray]:
    features = json.loads(path.read_text())["features"]
    coords = np.array([f["geometry"]["coordinates"][:2] for f in features if f["geometry"]["type"] == "Point"])
    return coords[:, 1], coords[:, 0]


@pytest.mark.parametrize(("city", "center"), [("seattle", (47.6097, -122.3331)), ("denver", (39.7392, -104.9903))])
def test_real_osm_cameras(shared_data: Path, city: str, center: tuple[float, float]) -> None:
    lat, lon = _load_points(shared_data / "osm-surveillance" / f"{city}_osm_surveillance.geojson")
    ids = np.arange(lat.size, dtype=np.int64) + 1
    index = PointIndex.build(ids, lat, lon)
    for radius in (300.0, 1000.0, 3000.0):
        circle = CircleFence(center[0], center[1], radius)
        ref = ids[np.array([_vector_ok(center, (a, b), radius) for a, b in zip(lat, lon, strict=True)])]
        assert np.array_equal(select_ids(index, circle), ref)
    star = _star(center[0], center[1], 9, 3000.0, 1200.0)
    ref = ids[_brute_polygon(star, lat, lon)]
    assert ref.size > 5
    assert np.array_equal(select_ids(index, star), ref)


def _vector_ok(c: tuple[float, float], p: tuple[float, float], radius: float) -> bool:
    """Point-by-point reference with the unit-vector great-circle formula (not haversine)."""
    def unit(lat: float, lon: float) -> np.ndarray:
        a, b = math.radians(lat), math.radians(lon)
        return np.array([math.cos(a) * math.cos(b), math.cos(a) * math.sin(b), math.sin(a)])
    u, v = unit(*c), unit(*p)
    return geo.MEAN_EARTH_RADIUS_M * math.atan2(float(np.linalg.norm(np.cross(u, v))), float(u @ v)) <= radius
