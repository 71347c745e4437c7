"""Recipient planning: inside the fence, opt-outs counted not contacted, overwritten footage, field of view, one
notice per owner; and the generalised public-log circle."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from app.core import geo
from app.core.camera_arrays import CameraArrays
from app.core.fence import CircleFence, PolygonFence, RectFence
from app.core.public_log import generalised_circle
from app.core.recipients import bearing_deg, covers_point, plan_recipients

LAT, LON = 39.29, -76.61
NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
NAN = float("nan")


def offset(north_m: float, east_m: float) -> tuple[float, float]:
    """A point north_m / east_m from (LAT, LON)."""
    lat = LAT + north_m / 111_195.0
    lon = LON + east_m / (111_195.0 * np.cos(np.radians(LAT)))
    return lat, lon


def arrays(rows: list[dict]) -> CameraArrays:
    a = CameraArrays.allocate(len(rows))
    for i, r in enumerate(rows):
        lat, lon = offset(r.get("n", 0.0), r.get("e", 0.0))
        a.ids[i] = r["id"]
        a.lat[i], a.lon[i] = lat, lon
        a.kind[i] = 0
        a.source[i] = 0
        a.owner_id[i] = r.get("owner", r["id"])
        a.opted_out[i] = r.get("opted_out", False)
        a.heading_deg[i] = r.get("heading", NAN)
        a.fov_deg[i] = r.get("fov", NAN)
        a.range_m[i] = r.get("range", NAN)
        a.retention_days[i] = r.get("retention", NAN)
        a.active[i] = r.get("active", True)
    return a


FENCE = CircleFence(LAT, LON, 300.0)


def test_bearing_known_values() -> None:
    assert bearing_deg(0, 0, 1, 0) == pytest.approx(0.0)
    assert bearing_deg(0, 0, 0, 1) == pytest.approx(90.0)
    assert bearing_deg(0, 0, -1, 0) == pytest.approx(180.0)
    assert bearing_deg(0, 0, 0, -1) == pytest.approx(270.0)


def test_field_of_view_covers_at_and_around_its_edges() -> None:
    # Cameras 50 m south of the incident (so the incident is due north, bearing 0).
    lat, lon = offset(-50, 0)
    heading = np.array([0, 44, 46, 316, 314, 180, NAN, 0, 0], dtype=np.float64)
    fov = np.array([90, 90, 90, 90, 90, 90, 90, 360, 90], dtype=np.float64)
    rng = np.array([60, 60, 60, 60, 60, 60, 60, 60, 40], dtype=np.float64)
    n = heading.shape[0]
    covers, dist = covers_point(np.full(n, lat), np.full(n, lon), heading, fov, rng, LAT, LON)
    assert dist == pytest.approx(np.full(n, 50.0), rel=1e-3)
    assert covers.tolist() == [True, True, False, True, False, False, False, True, False]


def test_inside_opted_out_ownerless_and_inactive() -> None:
    a = arrays([
        {"id": 1, "n": 10},
        {"id": 2, "n": 100, "opted_out": True, "owner": 20},
        {"id": 3, "n": 120, "opted_out": True, "owner": 20},
        {"id": 4, "n": 200, "owner": -1},
        {"id": 5, "n": 250, "active": False},
        {"id": 6, "n": 400},  # outside the 300 m circle
    ])
    plan = plan_recipients(a, FENCE, LAT, LON, NOW - timedelta(days=1), NOW)
    assert sorted(plan.camera_ids.tolist()) == [1]
    assert plan.cameras_inside == 4
    assert plan.opted_out_cameras == 2 and plan.opted_out_owners == 1
    assert plan.ownerless_cameras == 1
    assert plan.owners_notified == 1


def test_overwritten_flag_by_retention_against_the_window_end() -> None:
    a = arrays([{"id": 1, "retention": 3}, {"id": 2, "retention": 5}, {"id": 3, "retention": 4}, {"id": 4}])
    end = NOW - timedelta(days=4)  # the window ended exactly 4 days ago
    plan = plan_recipients(a, FENCE, None, None, end, NOW)
    flags = dict(zip(plan.camera_ids.tolist(), plan.likely_overwritten.tolist(), strict=True))
    assert flags == {1: True, 2: False, 3: False, 4: False}  # 4 days kept is still just there; unknown: no flag


def test_ranking_covering_first_then_kept_then_nearer() -> None:
    a = arrays([
        {"id": 1, "n": -20},                                              # near, unknown view
        {"id": 2, "n": -150, "heading": 0, "fov": 90, "range": 200},     # covers, far
        {"id": 3, "n": -60, "heading": 0, "fov": 90, "range": 100},      # covers, nearer
        {"id": 4, "n": -30, "heading": 180, "fov": 90, "range": 100},    # looks away
        {"id": 5, "n": -10, "retention": 1},                              # nearest but overwritten
        {"id": 6, "n": -200, "heading": 0, "fov": 90, "range": 300, "retention": 1},  # covers but overwritten
    ])
    plan = plan_recipients(a, FENCE, LAT, LON, NOW - timedelta(days=2), NOW)
    assert plan.camera_ids.tolist() == [3, 2, 6, 1, 4, 5]
    assert plan.rank.tolist() == [1, 2, 3, 4, 5, 6]
    assert plan.covers_incident.tolist() == [True, True, True, False, False, False]


def test_one_notice_per_owner_at_their_best_rank() -> None:
    a = arrays([
        {"id": 1, "n": -100, "owner": 7},
        {"id": 2, "n": -10, "owner": 8},
        {"id": 3, "n": -5, "owner": 7, "heading": 0, "fov": 60, "range": 50},
        {"id": 4, "n": -50, "owner": 9},
        {"id": 5, "n": -60, "owner": 8},
    ])
    plan = plan_recipients(a, FENCE, LAT, LON, NOW - timedelta(hours=3), NOW)
    assert plan.notice_owner_ids().tolist() == [7, 8, 9]
    assert plan.owners_notified == 3 and plan.contacted_cameras == 5


def test_given_positions_skip_the_containment_pass() -> None:
    a = arrays([{"id": 1}, {"id": 2, "n": 50}, {"id": 3, "n": 5000}])
    plan = plan_recipients(a, FENCE, None, None, NOW, NOW, positions=np.array([0, 2]))
    assert sorted(plan.camera_ids.tolist()) == [1, 3]


@pytest.mark.parametrize("fence", [
    CircleFence(LAT + 0.00037, LON - 0.00041, 287.0),
    RectFence(LAT, LON, LAT + 0.004, LON + 0.005),
    PolygonFence(((LAT, LON), (LAT + 0.005, LON + 0.001), (LAT + 0.001, LON + 0.006))),
])
def test_generalised_circle_is_coarse_and_contains_the_fence(fence) -> None:  # noqa: ANN001
    lat, lon, radius = generalised_circle(fence)
    assert round(lat, 3) == lat and round(lon, 3) == lon
    assert radius % 100 == 0
    ring = np.asarray(fence.ring() if callable(fence.ring) else fence.ring)
    far = geo.haversine_m(lat, lon, ring[:, 0], ring[:, 1])
    assert np.all(far <= radius)
    assert radius - 100 < float(np.max(far)) + (0 if not isinstance(fence, CircleFence) else 1.0)
