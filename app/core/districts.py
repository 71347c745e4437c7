"""Districts for equity figures and public outputs: a fixed world grid of 0.02° cells. Pure Python + numpy.

The store has no neighbourhood boundaries, so "district" means one cell of a grid fixed to the world (not to
the data): about 2.2 km north–south and 1.7 km east–west at 40° latitude. The same place always falls in the
same district in every report, and a district is coarse enough to say where requests went without saying
where any home is. A district is named by its south-west corner, e.g. "39.28N 76.62W".
"""

from __future__ import annotations

import math

import numpy as np

DISTRICT_DEG = 0.02
_COLS = 18_000                   # 360° / 0.02°
NO_DISTRICT = -1


def district_codes(lat: np.ndarray | float, lon: np.ndarray | float) -> np.ndarray:
    """int64 code per point (row * 18,000 + column); NO_DISTRICT where a coordinate is missing."""
    lat_a = np.asarray(lat, dtype=np.float64)
    lon_a = np.asarray(lon, dtype=np.float64)
    ok = np.isfinite(lat_a) & np.isfinite(lon_a)
    # A hair added before flooring: 39.28 / 0.02 is 1963.9999999999998 in binary floating point.
    row = np.floor(np.where(ok, lat_a + 90.0, 0.0) / DISTRICT_DEG + 1e-9).astype(np.int64)
    col = np.floor(np.where(ok, lon_a + 180.0, 0.0) / DISTRICT_DEG + 1e-9).astype(np.int64) % _COLS
    return np.where(ok, row * _COLS + col, NO_DISTRICT)


def district_code(lat: float | None, lon: float | None) -> int:
    """One point's district (plain Python: numpy on a scalar costs 30 µs, and the report asks per request)."""
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return NO_DISTRICT
    row = math.floor((lat + 90.0) / DISTRICT_DEG + 1e-9)
    col = math.floor((lon + 180.0) / DISTRICT_DEG + 1e-9) % _COLS
    return row * _COLS + col


def district_bounds(code: int) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a district."""
    row, col = divmod(int(code), _COLS)
    south = round(row * DISTRICT_DEG - 90.0, 6)
    west = round(col * DISTRICT_DEG - 180.0, 6)
    return south, west, round(south + DISTRICT_DEG, 6), round(west + DISTRICT_DEG, 6)


def district_label(code: int) -> str:
    if code == NO_DISTRICT:
        return "(no location)"
    s, w, _, _ = district_bounds(code)
    return f"{abs(s):.2f}{'N' if s >= 0 else 'S'} {abs(w):.2f}{'E' if w >= 0 else 'W'}"
