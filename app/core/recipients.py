"""Who a footage request goes to: the cameras in the fence, ranked, grouped into one notice per owner. numpy, no Qt.

- Cameras inside the fence and active are the candidates.
- Owners who opted out are counted (so the request shows how many were left out) but never contacted; so are
  cameras without a known owner (nobody to ask).
- A camera's footage is flagged as probably overwritten when the *end* of the window is older than the camera's
  retention (then nothing of the window is left); unknown retention is not flagged.
- A camera covers the incident when the incident point lies within range_m of it and the bearing from the
  camera to the incident is within heading ± fov/2 (unknown heading/fov/range: not covering; fov ≥ 360: all
  round). Ranking: covering first, then not overwritten, then nearer the incident, then camera id.
- One owner with several cameras gets one notice, placed at the rank of their best camera.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from app.core import geo
from app.core.camera_arrays import CameraArrays
from app.core.fence import Fence


def bearing_deg(lat1: np.ndarray | float, lon1: np.ndarray | float, lat2: np.ndarray | float,
                lon2: np.ndarray | float) -> np.ndarray:
    """Initial great-circle bearing from point 1 to point 2, degrees clockwise from north in [0, 360)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.degrees(np.arctan2(y, x)) % 360.0


def covers_point(cam_lat: np.ndarray, cam_lon: np.ndarray, heading_deg: np.ndarray, fov_deg: np.ndarray,
                 range_m: np.ndarray, lat: float, lon: float) -> tuple[np.ndarray, np.ndarray]:
    """(covers, distance_m) for each camera against one point. NaN heading/fov/range never cover."""
    dist = geo.haversine_m(cam_lat, cam_lon, lat, lon)
    bearing = bearing_deg(cam_lat, cam_lon, lat, lon)
    heading = np.asarray(heading_deg, dtype=np.float64)
    fov = np.asarray(fov_deg, dtype=np.float64)
    off = np.abs((bearing - heading + 180.0) % 360.0 - 180.0)  # smallest angle between the two, 0..180
    with np.errstate(invalid="ignore"):
        in_range = dist <= np.asarray(range_m, dtype=np.float64)
        in_view = (fov >= 360.0) | (off <= fov / 2.0)
        # A camera standing on the incident point sees it whatever its heading.
        in_view |= dist < 0.5
        known = ~np.isnan(heading) | (fov >= 360.0)
    return in_range & in_view & known & ~np.isnan(fov), dist


@dataclass
class RecipientPlan:
    """Contacted cameras in rank order (rank 1 = best), plus what was left out and why."""

    camera_ids: np.ndarray          # int64, contacted cameras, best first
    owner_ids: np.ndarray           # int64, their owners
    rank: np.ndarray                # int32, 1..n
    covers_incident: np.ndarray     # bool
    likely_overwritten: np.ndarray  # bool
    distance_m: np.ndarray          # float64, camera to incident (NaN without an incident point)
    cameras_inside: int
    opted_out_cameras: int
    opted_out_owners: int
    ownerless_cameras: int

    @property
    def contacted_cameras(self) -> int:
        return int(self.camera_ids.shape[0])

    def notice_owner_ids(self) -> np.ndarray:
        """One entry per owner, in the order of their best camera's rank."""
        _, first = np.unique(self.owner_ids, return_index=True)
        return self.owner_ids[np.sort(first)]

    @property
    def owners_notified(self) -> int:
        return int(np.unique(self.owner_ids).shape[0])


def plan_recipients(arrays: CameraArrays, fence: Fence, incident_lat: float | None, incident_lon: float | None,
                    window_end: datetime, now: datetime, positions: np.ndarray | None = None) -> RecipientPlan:
    """The recipients of a request over `arrays`. `positions` (rows of `arrays` already known to be in the fence,
    e.g. index.rows(select_positions(index, fence)) on a PointIndex) skips the containment pass."""
    if positions is None:
        inside = np.flatnonzero(fence.contains(arrays.lat, arrays.lon) & arrays.active)
    else:
        inside = np.asarray(positions, dtype=np.int64)
        inside = inside[arrays.active[inside]]
    owner = arrays.owner_id[inside]
    opted = arrays.opted_out[inside]
    ownerless = owner < 0
    contact = inside[~opted & ~ownerless]
    opted_owners = np.unique(owner[opted & ~ownerless])

    age_days = (now - window_end).total_seconds() / 86400.0
    retention = arrays.retention_days[contact].astype(np.float64)
    with np.errstate(invalid="ignore"):
        overwritten = retention < age_days  # NaN (unknown) compares False: not flagged
    if incident_lat is not None and incident_lon is not None:
        covers, dist = covers_point(arrays.lat[contact], arrays.lon[contact], arrays.heading_deg[contact],
                                    arrays.fov_deg[contact], arrays.range_m[contact], incident_lat, incident_lon)
    else:
        covers = np.zeros(contact.shape[0], dtype=bool)
        dist = np.full(contact.shape[0], np.nan)
    ids = arrays.ids[contact]
    # lexsort: last key is primary. NaN distances sort last within their group.
    order = np.lexsort((ids, np.nan_to_num(dist, nan=np.inf), overwritten, ~covers))
    return RecipientPlan(
        camera_ids=ids[order],
        owner_ids=arrays.owner_id[contact][order],
        rank=np.arange(1, order.shape[0] + 1, dtype=np.int32),
        covers_incident=covers[order],
        likely_overwritten=overwritten[order],
        distance_m=dist[order],
        cameras_inside=int(inside.shape[0]),
        opted_out_cameras=int(np.count_nonzero(opted & ~ownerless)),
        opted_out_owners=int(opted_owners.shape[0]),
        ownerless_cameras=int(np.count_nonzero(ownerless)),
    )
