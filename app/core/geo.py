"""Geodesy for the map and the fences. Pure numpy, no Qt.

Conventions
- Coordinates are WGS84 latitude/longitude in degrees; map coordinates are Web Mercator (EPSG:3857) metres.
- Ground distance is the haversine great-circle distance on a sphere of the IUGG mean Earth radius
  R1 = 6,371,008.8 m. Against the WGS84 ellipsoid this is within about 0.5 % (worst case north–south near the
  equator), which is far below how well anyone places a doorbell camera.
- Ground *areas* use the same mean-radius sphere by default, so a fence's distances and areas agree (a polygon
  traced around a 1 km circle has the circle's area, π km², at any latitude). Polygons are projected to a
  Lambert azimuthal equal-area projection centred on them and measured with the shoelace formula: exact for
  the polygon whose edges are straight in that local projection; for fence-sized polygons (up to tens of km)
  the difference from geodesic or Mercator-straight edges is below 1e-6 relative (tests compare a densified
  latitude/longitude box with its closed form). Against the WGS84 ellipsoid the sphere is within about
  ±0.5 % (−0.45 % at the equator, +0.56 % at 60°); pass ellipsoidal=True for WGS84 areas (authalic latitude,
  exact equal-area mapping of the ellipsoid onto the authalic sphere).
"""

from __future__ import annotations

import math

import numpy as np

MEAN_EARTH_RADIUS_M = 6_371_008.8          # IUGG mean radius R1, used for haversine distances
WGS84_A_M = 6_378_137.0                    # semi-major axis; also the Web Mercator sphere radius
WGS84_F = 1 / 298.257223563
WGS84_E2 = WGS84_F * (2 - WGS84_F)         # first eccentricity squared
WGS84_E = math.sqrt(WGS84_E2)
MERCATOR_MAX_LAT = 85.051128779806604      # atan(sinh(pi)): the square world of Web Mercator
MERCATOR_HALF_WORLD_M = math.pi * WGS84_A_M  # 20,037,508.34 m

SQ_M_PER_SQ_MI = 2_589_988.110336
SQ_M_PER_KM2 = 1_000_000.0
M_PER_FT = 0.3048
M_PER_MI = 1609.344


# --- Web Mercator --------------------------------------------------------------------------------------------
def lonlat_to_xy(lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 degrees → Web Mercator metres. Latitudes beyond ±85.0511° are clamped (the map's square edge)."""
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.clip(np.asarray(lat, dtype=np.float64), -MERCATOR_MAX_LAT, MERCATOR_MAX_LAT)
    x = np.radians(lon_a) * WGS84_A_M
    y = np.log(np.tan(np.pi / 4 + np.radians(lat_a) / 2)) * WGS84_A_M
    return x, y


def xy_to_lonlat(x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator metres → WGS84 degrees (lon, lat)."""
    x_a = np.asarray(x, dtype=np.float64)
    y_a = np.asarray(y, dtype=np.float64)
    lon = np.degrees(x_a / WGS84_A_M)
    lat = np.degrees(2 * np.arctan(np.exp(y_a / WGS84_A_M)) - np.pi / 2)
    return lon, lat


def mercator_scale(lat: np.ndarray | float) -> np.ndarray | float:
    """Web Mercator scale factor k = 1/cos φ: map metres per ground metre at that latitude (sphere model)."""
    return 1.0 / np.cos(np.radians(lat))


def ground_m_per_map_m(lat: float) -> float:
    """Ground metres represented by one Web Mercator metre at a latitude (for the scale bar)."""
    return float(math.cos(math.radians(lat)))


# --- distances -----------------------------------------------------------------------------------------------
def haversine_m(lat1: np.ndarray | float, lon1: np.ndarray | float,
                lat2: np.ndarray | float, lon2: np.ndarray | float) -> np.ndarray:
    """Great-circle distance in metres on the mean-radius sphere (vectorised; broadcasting)."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * MEAN_EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def destination(lat: float, lon: float, bearing_deg: np.ndarray | float,
                distance_m: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """The point(s) reached from (lat, lon) along a bearing over a ground distance (sphere). Returns (lat, lon)."""
    d = np.asarray(distance_m, dtype=np.float64) / MEAN_EARTH_RADIUS_M
    b = np.radians(bearing_deg)
    p1 = math.radians(lat)
    l1 = math.radians(lon)
    p2 = np.arcsin(math.sin(p1) * np.cos(d) + math.cos(p1) * np.sin(d) * np.cos(b))
    l2 = l1 + np.arctan2(np.sin(b) * np.sin(d) * math.cos(p1), np.cos(d) - math.sin(p1) * np.sin(p2))
    lon2 = (np.degrees(l2) + 540.0) % 360.0 - 180.0
    return np.degrees(p2), lon2


def degree_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """A (south, west, north, east) box surely containing every point within radius_m of (lat, lon)."""
    dlat = math.degrees(radius_m / MEAN_EARTH_RADIUS_M)
    south, north = lat - dlat, lat + dlat
    if north >= 90.0 or south <= -90.0:
        return max(south, -90.0), -180.0, min(north, 90.0), 180.0
    # Widest longitude extent of a spherical cap: asin(sin r / cos φ), valid while the cap misses the pole.
    s = math.sin(radius_m / MEAN_EARTH_RADIUS_M) / math.cos(math.radians(lat))
    dlon = 180.0 if s >= 1.0 else math.degrees(math.asin(s))
    return south, lon - dlon, north, lon + dlon


# --- areas ---------------------------------------------------------------------------------------------------
def _q(sin_phi: np.ndarray) -> np.ndarray:
    """The authalic 'q' function of the ellipsoid (Snyder 1987, eq. 3-12)."""
    e = WGS84_E
    es = e * sin_phi
    return (1 - WGS84_E2) * (sin_phi / (1 - es * es) - np.log((1 - es) / (1 + es)) / (2 * e))


_Q_POLE = float(_q(np.array(1.0)))
AUTHALIC_RADIUS_M = WGS84_A_M * math.sqrt(_Q_POLE / 2)  # 6,371,007.18 m


def authalic_lat_rad(lat_deg: np.ndarray | float) -> np.ndarray:
    """Authalic latitude β (radians): the sphere of AUTHALIC_RADIUS_M in (β, λ) has the ellipsoid's areas."""
    return np.arcsin(np.clip(_q(np.sin(np.radians(lat_deg))) / _Q_POLE, -1.0, 1.0))


def laea_xy(lat_deg: np.ndarray, lon_deg: np.ndarray, lat0_deg: float, lon0_deg: float,
            ellipsoidal: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Lambert azimuthal equal-area centred at (lat0, lon0), metres: on the mean sphere, or on WGS84."""
    if ellipsoidal:
        b, b0, radius = authalic_lat_rad(lat_deg), float(authalic_lat_rad(lat0_deg)), AUTHALIC_RADIUS_M
    else:
        b, b0, radius = np.radians(lat_deg), math.radians(lat0_deg), MEAN_EARTH_RADIUS_M
    dl = np.radians(np.asarray(lon_deg, dtype=np.float64) - lon0_deg)
    dl = (dl + np.pi) % (2 * np.pi) - np.pi
    denom = 1 + math.sin(b0) * np.sin(b) + math.cos(b0) * np.cos(b) * np.cos(dl)
    k = np.sqrt(2 / np.maximum(denom, 1e-300))
    x = radius * k * np.cos(b) * np.sin(dl)
    y = radius * k * (math.cos(b0) * np.sin(b) - math.sin(b0) * np.cos(b) * np.cos(dl))
    return x, y


def shoelace(x: np.ndarray, y: np.ndarray) -> float:
    """Absolute planar area of a ring (closed or not) by the shoelace formula, centred for precision."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.size < 3:
        return 0.0
    x = x - x.mean()
    y = y - y.mean()
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2


def polygon_area_m2(lat: np.ndarray | list[float], lon: np.ndarray | list[float], ellipsoidal: bool = False) -> float:
    """Ground area (m²) of a simple polygon ring given as latitude/longitude degrees (mean sphere or WGS84)."""
    lat_a = np.asarray(lat, dtype=np.float64)
    lon_a = np.asarray(lon, dtype=np.float64)
    if lat_a.size < 3:
        return 0.0
    lat0 = float((lat_a.min() + lat_a.max()) / 2)
    lon0 = float((lon_a.min() + lon_a.max()) / 2)
    x, y = laea_xy(lat_a, lon_a, lat0, lon0, ellipsoidal)
    return shoelace(x, y)


def lat_lon_box_area_m2(south: float, west: float, north: float, east: float, ellipsoidal: bool = False) -> float:
    """Exact area of the region between two parallels and two meridians (mean sphere or WGS84)."""
    dl = math.radians(east - west)
    if ellipsoidal:
        b_n, b_s, radius = float(authalic_lat_rad(north)), float(authalic_lat_rad(south)), AUTHALIC_RADIUS_M
    else:
        b_n, b_s, radius = math.radians(north), math.radians(south), MEAN_EARTH_RADIUS_M
    return abs(radius ** 2 * dl * (math.sin(b_n) - math.sin(b_s)))


def cap_area_m2(radius_m: float) -> float:
    """Area of a spherical cap of ground radius r on the mean sphere: 2πR²(1−cos(r/R)) ≈ πr² for small r."""
    r = MEAN_EARTH_RADIUS_M
    # 2πR²(1 − cos θ) = 4πR² sin²(θ/2): no cancellation for small θ.
    return 4 * math.pi * r * r * math.sin(radius_m / (2 * r)) ** 2


def m2_to_sq_mi(area_m2: float) -> float:
    return area_m2 / SQ_M_PER_SQ_MI


def m2_to_km2(area_m2: float) -> float:
    return area_m2 / SQ_M_PER_KM2
