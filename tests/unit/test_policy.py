"""The request policy, rule by rule, at and around each limit."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from app.core import geo, policy
from app.core.fence import CircleFence, PolygonFence, RectFence
from app.core.policy import PolicyContext, RequestDraft
from app.services.requests.policy_settings import DEFAULT_LIMITS

NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
LAT, LON = 39.29, -76.61
# A square jurisdiction of about 0.2° around the point (≈ 22 km x 17 km).
JURISDICTION = {"type": "Polygon", "coordinates": [[[LON - 0.1, LAT - 0.1], [LON + 0.1, LAT - 0.1],
                                                    [LON + 0.1, LAT + 0.1], [LON - 0.1, LAT + 0.1],
                                                    [LON - 0.1, LAT - 0.1]]]}
PATTERN = r"^BPD-\d{2}-\d{6}$"


def radius_for_area_sq_mi(area_sq_mi: float) -> float:
    """The radius whose circle has this ground area by the fence's own measure (area ∝ r², a few fixed-point steps)."""
    r = math.sqrt(area_sq_mi * geo.SQ_M_PER_SQ_MI / math.pi)
    for _ in range(4):
        r *= math.sqrt(area_sq_mi / CircleFence(LAT, LON, r).area_sq_mi())
    return r


def circle(area_sq_mi: float, lat: float = LAT, lon: float = LON) -> CircleFence:
    return CircleFence(lat, lon, radius_for_area_sq_mi(area_sq_mi))


def good_draft(**changes: object) -> RequestDraft:
    base = RequestDraft(case_number="BPD-14-000123", offense_category="robbery", fence=circle(0.1),
                        window_start=NOW - timedelta(hours=5), window_end=NOW - timedelta(hours=3), incident_id=1,
                        agency_id=1)
    return replace(base, **changes)


def ctx(**changes: object) -> PolicyContext:
    base = PolicyContext(now=NOW, incident_request_count=0, case_number_pattern=PATTERN,
                         jurisdiction_geojson=JURISDICTION, agency_name="Baltimore PD")
    return replace(base, **changes)


def result(draft: RequestDraft, rule: str, context: PolicyContext | None = None,
           limits: dict | None = None) -> policy.RuleResult:
    results = policy.evaluate(draft, limits or DEFAULT_LIMITS, context or ctx())
    assert [r.rule for r in results] == list(policy.RULES)
    return next(r for r in results if r.rule == rule)


def test_a_good_draft_passes_every_rule() -> None:
    results = policy.evaluate(good_draft(), DEFAULT_LIMITS, ctx())
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    assert policy.failures(results) == []


# --- area ---------------------------------------------------------------------------------------------------------
def test_circle_inversion_is_exact_enough() -> None:
    assert circle(0.025).area_sq_mi() == pytest.approx(0.025, rel=1e-12)


@pytest.mark.parametrize(("area", "ok"), [
    (0.0249, False), (0.025 * (1 - 1e-6), False), (0.025, True), (0.025 * (1 + 1e-6), True), (0.0251, True),
    (0.25, True),
    (0.4999, True), (0.5 * (1 - 1e-6), True), (0.5, True), (0.5 * (1 + 1e-6), False), (0.5001, False), (2.0, False),
])
def test_area_limits_are_inclusive(area: float, ok: bool) -> None:
    r = result(good_draft(fence=circle(area)), policy.AREA)
    assert r.ok is ok, r.reason
    if not ok:
        assert ("smaller" in r.reason) == (area < 0.025)


def test_area_of_a_rectangle_and_polygon() -> None:
    # ~0.01° x 0.01° at 39° N ≈ 1.11 km x 0.86 km ≈ 0.37 sq mi: allowed; 0.02° square ≈ 1.5 sq mi: refused.
    small = RectFence(LAT, LON, LAT + 0.01, LON + 0.01)
    big = RectFence(LAT, LON, LAT + 0.02, LON + 0.02)
    assert result(good_draft(fence=small), policy.AREA).ok
    assert not result(good_draft(fence=big), policy.AREA).ok
    tri = PolygonFence(((LAT, LON), (LAT + 0.01, LON), (LAT, LON + 0.01)))  # half of `small`
    assert result(good_draft(fence=tri), policy.AREA).ok


def test_no_area_fails_area_and_jurisdiction() -> None:
    d = good_draft(fence=None)
    assert not result(d, policy.AREA).ok
    assert not result(d, policy.JURISDICTION).ok


def test_area_limits_come_from_the_limits_dict() -> None:
    limits = dict(DEFAULT_LIMITS, area_max_sq_mi=0.05)
    assert not result(good_draft(fence=circle(0.06)), policy.AREA, limits=limits).ok
    assert result(good_draft(fence=circle(0.05)), policy.AREA, limits=limits).ok


# --- window length --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("length", "ok"), [
    (timedelta(minutes=14, seconds=59), False), (timedelta(minutes=15), True), (timedelta(minutes=15, seconds=1), True),
    (timedelta(hours=11, minutes=59, seconds=59), True), (timedelta(hours=12), True),
    (timedelta(hours=12, seconds=1), False), (timedelta(days=2), False),
])
def test_window_length_limits_are_inclusive(length: timedelta, ok: bool) -> None:
    end = NOW - timedelta(days=1)
    r = result(good_draft(window_start=end - length, window_end=end), policy.WINDOW_LENGTH)
    assert r.ok is ok, r.reason


@pytest.mark.parametrize("length", [timedelta(0), timedelta(minutes=-30)])
def test_an_empty_or_reversed_window_fails(length: timedelta) -> None:
    end = NOW - timedelta(days=1)
    r = result(good_draft(window_start=end - length, window_end=end), policy.WINDOW_LENGTH)
    assert not r.ok and "before it starts" in r.reason


def test_a_missing_window_fails_both_window_rules() -> None:
    d = good_draft(window_start=None, window_end=None)
    assert not result(d, policy.WINDOW_LENGTH).ok
    assert not result(d, policy.WINDOW_PAST).ok


# --- window not in the future ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("end_offset", "ok"), [
    (timedelta(seconds=-1), True), (timedelta(0), True), (timedelta(seconds=1), False), (timedelta(hours=2), False),
])
def test_window_must_have_ended_by_now(end_offset: timedelta, ok: bool) -> None:
    end = NOW + end_offset
    r = result(good_draft(window_start=end - timedelta(hours=1), window_end=end), policy.WINDOW_PAST)
    assert r.ok is ok, r.reason


# --- case number ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("case", "ok"), [
    ("BPD-14-000123", True), ("  BPD-14-000123 ", True), ("", False), ("   ", False), ("BPD-14-00012", False),
    ("BPD-14-0001234", False), ("bpd-14-000123", False), ("XBPD-14-000123", False), ("BPD-14-000123\nx", False),
])
def test_case_number_required_and_in_the_agency_format(case: str, ok: bool) -> None:
    r = result(good_draft(case_number=case), policy.CASE_NUMBER)
    assert r.ok is ok, r.reason


def test_case_number_without_an_agency_format_needs_only_text() -> None:
    assert result(good_draft(case_number="anything 1"), policy.CASE_NUMBER, ctx(case_number_pattern="")).ok
    assert not result(good_draft(case_number=""), policy.CASE_NUMBER, ctx(case_number_pattern="")).ok


def test_an_unreadable_agency_format_fails_with_a_reason() -> None:
    r = result(good_draft(), policy.CASE_NUMBER, ctx(case_number_pattern="BPD-(\\d"))
    assert not r.ok and "cannot be read" in r.reason


# --- jurisdiction -----------------------------------------------------------------------------------------------------
def test_area_inside_the_jurisdiction_passes_and_crossing_it_fails() -> None:
    r_m = radius_for_area_sq_mi(0.1)  # ≈ 287 m
    edge_lon = LON + 0.1
    m_per_deg_lon = 111_320 * math.cos(math.radians(LAT))
    inside = CircleFence(LAT, edge_lon - (r_m + 20) / m_per_deg_lon, r_m)
    crossing = CircleFence(LAT, edge_lon - (r_m - 20) / m_per_deg_lon, r_m)
    outside = CircleFence(LAT, edge_lon + 0.05, r_m)
    assert result(good_draft(fence=inside), policy.JURISDICTION).ok
    assert not result(good_draft(fence=crossing), policy.JURISDICTION).ok
    assert not result(good_draft(fence=outside), policy.JURISDICTION).ok


def test_jurisdiction_given_as_text_or_feature() -> None:
    feature = {"type": "Feature", "properties": {}, "geometry": JURISDICTION}
    assert result(good_draft(), policy.JURISDICTION, ctx(jurisdiction_geojson=json.dumps(feature))).ok


def test_an_agency_without_a_jurisdiction_cannot_pass() -> None:
    r = result(good_draft(), policy.JURISDICTION, ctx(jurisdiction_geojson=None))
    assert not r.ok and "no jurisdiction" in r.reason


def test_no_agency_fails_jurisdiction() -> None:
    r = result(good_draft(agency_id=None), policy.JURISDICTION, ctx(agency_name=""))
    assert not r.ok and "agency" in r.reason


# --- requests per incident ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("existing", "ok"), [(0, True), (1, True), (2, False), (5, False)])
def test_at_most_two_requests_per_incident(existing: int, ok: bool) -> None:
    r = result(good_draft(), policy.INCIDENT_LIMIT, ctx(incident_request_count=existing))
    assert r.ok is ok, r.reason


def test_the_incident_is_required() -> None:
    assert not result(good_draft(incident_id=None), policy.INCIDENT_LIMIT).ok


def test_incident_limit_follows_the_setting() -> None:
    limits = dict(DEFAULT_LIMITS, max_requests_per_incident=3)
    assert result(good_draft(), policy.INCIDENT_LIMIT, ctx(incident_request_count=2), limits).ok
    assert not result(good_draft(), policy.INCIDENT_LIMIT, ctx(incident_request_count=3), limits).ok


# --- category ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("category", "ok"), [
    ("robbery", True), ("protest / lawful assembly", False), ("  Protest  /  Lawful ASSEMBLY ", False),
    ("protest", True), ("", False), ("   ", False),
])
def test_protest_category_is_forbidden(category: str, ok: bool) -> None:
    r = result(good_draft(offense_category=category), policy.CATEGORY)
    assert r.ok is ok, r.reason


def test_category_and_expiry_cannot_be_overridden() -> None:
    results = policy.evaluate(good_draft(offense_category="protest / lawful assembly", case_number=""),
                              DEFAULT_LIMITS, ctx())
    left = policy.unresolved(results, {policy.CATEGORY, policy.CASE_NUMBER})
    assert [r.rule for r in left] == [policy.CATEGORY]


# --- expiry -----------------------------------------------------------------------------------------------------------
def test_expiry_is_seven_days_after_sending() -> None:
    sent = datetime(2026, 6, 1, 9, 30, tzinfo=timezone.utc)
    assert policy.expires_at(sent, DEFAULT_LIMITS) == datetime(2026, 6, 8, 9, 30, tzinfo=timezone.utc)
    assert policy.expires_at(sent, dict(DEFAULT_LIMITS, expiry_days=3)) == sent + timedelta(days=3)
    r = result(good_draft(), policy.EXPIRY)
    assert r.ok and "2026-06-08 12:00" in r.reason


def test_a_self_crossing_polygon_fails_the_area_rule() -> None:
    # A bow tie within the jurisdiction: its lobes would cancel in the shoelace sum and slip under the maximum.
    d = 0.02
    bow_tie = PolygonFence(((LAT - d, LON - d), (LAT + d, LON + d), (LAT - d, LON + d), (LAT + d, LON - d)))
    assert not bow_tie.is_simple()
    r = result(good_draft(fence=bow_tie), policy.AREA)
    assert not r.ok and "cross" in r.reason
