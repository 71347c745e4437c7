"""app.core.geo: projection, haversine distance, areas — against independent references."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.core import geo
from app.core.fence import CircleFence, PolygonFence


def _vector_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance via unit vectors and atan2(|a×b|, a·b): a different formula than haversine."""
    def unit(lat: float, lon: float) -> np.ndarray:
        p, la = math.radians(lat), math.radians(lon)
        return np.array([math.cos(p) * math.cos(la), math.cos(p) * math.sin(la), math.sin(p)])
    a, b = unit(lat1, lon1), unit(lat2, lon2)
    return geo.MEAN_EARTH_RADIUS_M * math.atan2(np.linalg.norm(np.cross(a, b)), float(a @ b))


CITY_PAIRS = [
    # (name, lat1, lon1, lat2, lon2, published haversine km (R = 6371 km family), tolerance km)
    ("London–Paris", 51.5074, -0.1278, 48.8566, 2.3522, 343.5, 0.2),
    ("New York–Los Angeles", 40.7128, -74.0060, 34.0522, -118.2437, 3936.0, 1.0),
    ("Seattle–Denver", 47.6062, -122.3321, 39.7392, -104.9903, 1641.0, 2.0),
    ("Sydney–Santiago (crosses the antimeridian)", -33.8688, 151.2093, -33.4489, -70.6693, 11347.0, 15.0),
]


@pytest.mark.parametrize(("name", "lat1", "lon1", "lat2", "lon2", "km", "tol_km"), CITY_PAIRS)
def test_haversine_city_pairs(name: str, lat1: float, lon1: float, lat2: float, lon2: float, km: float,
                              tol_km: float) -> None:
    d = float(geo.haversine_m(lat1, lon1, lat2, lon2))
    assert d == pytest.approx(_vector_distance_m(lat1, lon1, lat2, lon2), abs=0.01), name  # 1 cm
    assert abs(d / 1000 - km) <= tol_km, name
    assert float(geo.haversine_m(lat2, lon2, lat1, lon1)) == pytest.approx(d, abs=1e-6)


def test_haversine_vectorised_and_small_distances() -> None:
    lat = np.array([0.0, 45.0, 60.0])
    d = geo.haversine_m(lat, 10.0, lat + 1e-5, 10.0)  # 1e-5° of latitude = 1.1119 m on the sphere
    assert d == pytest.approx(np.full(3, math.radians(1e-5) * geo.MEAN_EARTH_RADIUS_M), rel=1e-6)
    assert float(geo.haversine_m(12.3, 45.6, 12.3, 45.6)) == 0.0
    # One degree of longitude at 60° is half of one at the equator.
    assert float(geo.haversine_m(60, 0, 60, 0.001)) == pytest.approx(float(geo.haversine_m(0, 0, 0, 0.001)) / 2,
                                                                    rel=1e-6)


def test_destination_round_trip() -> None:
    lat, lon = geo.destination(47.6, -122.3, np.array([0.0, 90.0, 200.0]), 1500.0)
    assert geo.haversine_m(47.6, -122.3, lat, lon) == pytest.approx(np.full(3, 1500.0), abs=1e-6)
    assert float(lat[0]) > 47.6 and float(lon[1]) > -122.3


def test_mercator_round_trip_and_known_values() -> None:
    x, y = geo.lonlat_to_xy(np.array([0.0, 180.0, -180.0, 2.3522]), np.array([0.0, 0.0, 0.0, 48.8566]))
    assert x[:3] == pytest.approx([0.0, geo.MERCATOR_HALF_WORLD_M, -geo.MERCATOR_HALF_WORLD_M])
    assert y[0] == pytest.approx(0.0, abs=1e-6)
    # Paris in EPSG:3857 (epsg.io): 261845.7, 6250564.3
    assert (x[3], y[3]) == pytest.approx((261845.7, 6250564.3), abs=1.0)
    _, ytop = geo.lonlat_to_xy(0.0, geo.MERCATOR_MAX_LAT)
    assert float(ytop) == pytest.approx(geo.MERCATOR_HALF_WORLD_M, rel=1e-12)  # the world is square

    rng = np.random.default_rng(7)
    lon = rng.uniform(-180, 180, 10_000)
    lat = rng.uniform(-85, 85, 10_000)
    lon2, lat2 = geo.xy_to_lonlat(*geo.lonlat_to_xy(lon, lat))
    assert np.max(np.abs(lon2 - lon)) < 1e-9
    assert np.max(np.abs(lat2 - lat)) < 1e-9


def test_mercator_scale_factor() -> None:
    assert geo.mercator_scale(0.0) == pytest.approx(1.0)
    assert geo.mercator_scale(60.0) == pytest.approx(2.0)
    # The local stretch of the projection equals 1/cos φ (numerically, north–south; sphere of radius a).
    lat = 47.0
    _, y1 = geo.lonlat_to_xy(0, lat)
    _, y2 = geo.lonlat_to_xy(0, lat + 1e-6)
    ground = math.radians(1e-6) * geo.WGS84_A_M
    assert float(y2 - y1) / ground == pytest.approx(geo.mercator_scale(lat), rel=1e-5)


@pytest.mark.parametrize("lat", [0.0, 60.0])
def test_one_km_circle_area_is_pi_km2_at_any_latitude(lat: float) -> None:
    c = CircleFence(lat, 10.0, 1000.0)
    assert c.area_m2() / 1e6 == pytest.approx(math.pi, rel=1e-6)
    assert c.area_sq_mi() == pytest.approx(math.pi * 1e6 / geo.SQ_M_PER_SQ_MI, rel=1e-6)
    # A finely traced polygon round the circle has the same ground area (equal-area method)…
    ring = np.array(c.ring(4096))
    assert geo.polygon_area_m2(ring[:, 0], ring[:, 1]) / 1e6 == pytest.approx(math.pi, rel=1e-5)
    # …while its area on the Mercator plane grows with 1/cos²φ: 1× at the equator, 4× at 60°.
    x, y = geo.lonlat_to_xy(ring[:, 1], ring[:, 0])
    merc_km2 = geo.shoelace(x, y) / 1e6
    # The Mercator sphere has radius a, the haversine sphere R1: a factor (a/R1)² besides the 1/cos²φ.
    expected = math.pi * (geo.WGS84_A_M / geo.MEAN_EARTH_RADIUS_M) ** 2 * geo.mercator_scale(lat) ** 2
    assert merc_km2 == pytest.approx(expected, rel=1e-3)


def test_box_area_closed_form_and_densified_polygon() -> None:
    s, w, n, e = 47.0, -122.5, 47.2, -122.2
    k = 200
    lat = np.concatenate([np.full(k, s), np.linspace(s, n, k), np.full(k, n), np.linspace(n, s, k)])
    lon = np.concatenate([np.linspace(w, e, k), np.full(k, e), np.linspace(e, w, k), np.full(k, w)])
    for ellipsoidal in (False, True):
        exact = geo.lat_lon_box_area_m2(s, w, n, e, ellipsoidal)
        assert geo.polygon_area_m2(lat, lon, ellipsoidal) == pytest.approx(exact, rel=1e-6)
    # On the sphere: R²·Δλ·(sin φn − sin φs)
    r = geo.MEAN_EARTH_RADIUS_M
    assert geo.lat_lon_box_area_m2(s, w, n, e) == pytest.approx(
        r * r * math.radians(e - w) * (math.sin(math.radians(n)) - math.sin(math.radians(s))), rel=1e-12)


def test_ellipsoidal_area_against_numerical_integration() -> None:
    # WGS84 1°×1° cell at the equator: ∫ M(φ)·N(φ)·cos φ dφ dλ, integrated numerically here (≈ 12,308.46 km²).
    a, e2 = geo.WGS84_A_M, geo.WGS84_E2
    phi = np.radians(np.linspace(0.0, 1.0, 20_001))
    s = np.sin(phi)
    integrand = a * (1 - e2) / (1 - e2 * s * s) ** 1.5 * a / np.sqrt(1 - e2 * s * s) * np.cos(phi)
    reference = float(np.sum((integrand[1:] + integrand[:-1]) / 2 * np.diff(phi))) * math.radians(1.0)
    assert geo.lat_lon_box_area_m2(0, 0, 1, 1, ellipsoidal=True) == pytest.approx(reference, rel=1e-8)
    assert reference / 1e6 == pytest.approx(12308.46, abs=0.01)


def test_polygon_area_independent_of_orientation_and_closure() -> None:
    ring = [(47.60, -122.34), (47.61, -122.34), (47.61, -122.32), (47.60, -122.32)]
    p = PolygonFence(tuple(ring))
    q = PolygonFence(tuple(reversed(ring)) + (ring[-1],))  # reversed and explicitly closed
    assert p.area_m2() == pytest.approx(q.area_m2(), rel=1e-12)
    assert p.area_m2() == pytest.approx(geo.lat_lon_box_area_m2(47.60, -122.34, 47.61, -122.32), rel=1e-6)


def test_unit_constants() -> None:
    assert geo.SQ_M_PER_SQ_MI == pytest.approx(geo.M_PER_MI ** 2, rel=1e-15)
    assert geo.MEAN_EARTH_RADIUS_M == 6_371_008.8
    assert geo.ground_m_per_map_m(60.0) == pytest.approx(0.5)
