"""The public request log's records and the generalised area it shows. Pure Python + numpy.

The public sees where a canvass happened only roughly: the centre rounded to 3 decimals (about 110 m) and a
radius rounded *up* to the next 100 m, measured from the rounded centre to the farthest point of the fence,
so the published circle always contains the whole real area and never reveals its exact shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.core import geo
from app.core.fence import CircleFence, Fence

CENTER_DECIMALS = 3
RADIUS_STEP_M = 100.0


def generalised_circle(fence: Fence, decimals: int = CENTER_DECIMALS,
                       step_m: float = RADIUS_STEP_M) -> tuple[float, float, float]:
    """(lat, lon, radius_m) of a coarse circle that contains the fence."""
    lat0, lon0 = fence.centroid()
    lat_r, lon_r = round(lat0, decimals), round(lon0, decimals)
    if isinstance(fence, CircleFence):
        # The farthest point of a circle from an offset centre: offset + radius.
        far = float(geo.haversine_m(lat_r, lon_r, fence.center_lat, fence.center_lon)) + fence.radius_m
    else:
        ring = np.asarray(fence.ring(), dtype=np.float64) if callable(fence.ring) else np.asarray(fence.ring)
        far = float(np.max(geo.haversine_m(lat_r, lon_r, ring[:, 0], ring[:, 1])))
    radius = math.ceil(far / step_m - 1e-9) * step_m
    return lat_r, lon_r, max(radius, step_m)


@dataclass(frozen=True)
class PublicLogEntry:
    public_no: int
    case_number: str
    agency: str
    category: str
    center_lat: float
    center_lon: float
    radius_m: float
    window_start: str
    window_end: str
    sent_at: str
    expires_at: str
    closed_at: str           # resolved / expired / withdrawn time, "" while open
    state: str
    notified: int            # owners sent a notice
    shared: int              # owners who shared
    declined: int            # owners who declined
    overrides: int           # policy rules a supervisor overrode for this request

    COLUMNS = ("public_no", "case_number", "agency", "category", "center_lat", "center_lon", "radius_m",
               "window_start", "window_end", "sent_at", "expires_at", "closed_at", "state", "notified", "shared",
               "declined", "overrides")

    def values(self) -> list[object]:
        return [getattr(self, c) for c in self.COLUMNS]
