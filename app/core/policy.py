"""The request policy (DESIGN.md "Request limits") as a pure function: a draft in, one verdict per rule out.

evaluate(draft, limits, context) never raises for bad input: a missing or malformed field is a failed rule
with a reason the user can act on. The limits dict is app.services.requests.policy_settings.get_limits(conn) (keys
area_min_sq_mi, area_max_sq_mi, window_min_min, window_max_h, max_requests_per_incident, expiry_days,
forbidden_categories); nothing here hard-codes a limit.

Boundaries are inclusive: an area of exactly 0.025 or 0.5 sq mi, a window of exactly 15 min or 12 h, a window
ending exactly now, the second request for an incident — all allowed. Areas are compared with a relative
tolerance of 1e-9 so that a fence drawn to exactly the limit is not refused over float rounding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.core import geo
from app.core.fence import Fence, PolygonFence, fence_within
from app.core.wording import count

AREA = "area"
WINDOW_LENGTH = "window_length"
WINDOW_PAST = "window_not_future"
CASE_NUMBER = "case_number"
JURISDICTION = "jurisdiction"
INCIDENT_LIMIT = "requests_per_incident"
CATEGORY = "category"
EXPIRY = "expiry"

RULES: tuple[str, ...] = (AREA, WINDOW_LENGTH, WINDOW_PAST, CASE_NUMBER, JURISDICTION, INCIDENT_LIMIT, CATEGORY,
                          EXPIRY)

LABELS: dict[str, str] = {
    AREA: "Area size",
    WINDOW_LENGTH: "Time window length",
    WINDOW_PAST: "Time window not in the future",
    CASE_NUMBER: "Case number",
    JURISDICTION: "Inside the agency's jurisdiction",
    INCIDENT_LIMIT: "Requests per incident",
    CATEGORY: "Offense category",
    EXPIRY: "Expiry",
}

# A rule a supervisor may never override: requests about lawful assembly are refused by principle.
NOT_OVERRIDABLE: frozenset[str] = frozenset({CATEGORY, EXPIRY})

AREA_TOLERANCE = 1e-9


@dataclass(frozen=True)
class RequestDraft:
    """What the policy looks at. Times are aware datetimes (UTC)."""

    case_number: str = ""
    offense_category: str = ""
    fence: Fence | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    incident_id: int | None = None
    agency_id: int | None = None


@dataclass(frozen=True)
class PolicyContext:
    now: datetime
    incident_request_count: int = 0          # other requests already counted against the same incident
    case_number_pattern: str = ""            # the agency's regular expression; "" = any non-empty text
    jurisdiction_geojson: dict[str, Any] | str | None = None  # None = the agency has none configured
    agency_name: str = ""


@dataclass(frozen=True)
class RuleResult:
    rule: str
    ok: bool
    reason: str

    @property
    def label(self) -> str:
        return LABELS.get(self.rule, self.rule)

    @property
    def overridable(self) -> bool:
        return self.rule not in NOT_OVERRIDABLE


def _fmt_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    text = f"{h} h {m:02d} min" if h else f"{m} min"
    return sign + (text + f" {s:02d} s" if s else text)


def normalise_category(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def check_area(draft: RequestDraft, limits: dict[str, Any]) -> RuleResult:
    lo, hi = float(limits["area_min_sq_mi"]), float(limits["area_max_sq_mi"])
    if draft.fence is None:
        return RuleResult(AREA, False, "No area yet: draw a fence on the map or enter a circle.")
    if isinstance(draft.fence, PolygonFence) and not draft.fence.is_simple():
        # The area of a ring whose edges cross (a bow tie) nets its lobes against each other: it is not the area.
        return RuleResult(AREA, False, "The area's edges cross each other: redraw it as a simple outline.")
    area = draft.fence.area_sq_mi()
    shown = f"{area:.3f} sq mi ({geo.m2_to_km2(draft.fence.area_m2()):.3f} km²)"
    if area < lo * (1 - AREA_TOLERANCE):
        return RuleResult(AREA, False, f"{shown} is smaller than the minimum {lo:g} sq mi: widen the area.")
    if area > hi * (1 + AREA_TOLERANCE):
        return RuleResult(AREA, False, f"{shown} is larger than the maximum {hi:g} sq mi: narrow the area.")
    return RuleResult(AREA, True, f"{shown}, within {lo:g}–{hi:g} sq mi.")


def check_window_length(draft: RequestDraft, limits: dict[str, Any]) -> RuleResult:
    lo = timedelta(minutes=float(limits["window_min_min"]))
    hi = timedelta(hours=float(limits["window_max_h"]))
    if draft.window_start is None or draft.window_end is None:
        return RuleResult(WINDOW_LENGTH, False, "Set the start and end of the time window.")
    length = draft.window_end - draft.window_start
    if length <= timedelta(0):
        return RuleResult(WINDOW_LENGTH, False, "The window ends before it starts: swap or correct the times.")
    limits_text = f"{_fmt_duration(lo)} to {_fmt_duration(hi)}"
    if length < lo:
        return RuleResult(WINDOW_LENGTH, False, f"{_fmt_duration(length)} is shorter than {_fmt_duration(lo)}: "
                                                "widen the window.")
    if length > hi:
        return RuleResult(WINDOW_LENGTH, False, f"{_fmt_duration(length)} is longer than {_fmt_duration(hi)}: "
                                                "narrow the window.")
    return RuleResult(WINDOW_LENGTH, True, f"{_fmt_duration(length)}, within {limits_text}.")


def check_window_past(draft: RequestDraft, now: datetime) -> RuleResult:
    if draft.window_end is None:
        return RuleResult(WINDOW_PAST, False, "Set the end of the time window.")
    if draft.window_end > now:
        return RuleResult(WINDOW_PAST, False, f"The window ends {_fmt_duration(draft.window_end - now)} in the "
                                              "future: footage can only be asked for what has been recorded.")
    return RuleResult(WINDOW_PAST, True, "The window has already passed.")


def check_case_number(draft: RequestDraft, pattern: str, agency_name: str = "") -> RuleResult:
    case = (draft.case_number or "").strip()
    if not case:
        return RuleResult(CASE_NUMBER, False, "A case number is required.")
    if not pattern:
        return RuleResult(CASE_NUMBER, True, f"“{case}” (the agency sets no format).")
    try:
        matched = re.fullmatch(pattern, case) is not None
    except re.error as exc:
        return RuleResult(CASE_NUMBER, False, f"The agency's case number format cannot be read ({exc}): an "
                                              "administrator must correct it.")
    who = agency_name or "the agency"
    if not matched:
        return RuleResult(CASE_NUMBER, False, f"“{case}” does not match {who}'s format {pattern}.")
    return RuleResult(CASE_NUMBER, True, f"“{case}” matches {who}'s format.")


def check_jurisdiction(draft: RequestDraft, jurisdiction: dict[str, Any] | str | None,
                       agency_name: str = "") -> RuleResult:
    who = agency_name or "the agency"
    if draft.agency_id is None and not agency_name:
        return RuleResult(JURISDICTION, False, "Choose the requesting agency.")
    if jurisdiction is None or jurisdiction == "":
        return RuleResult(JURISDICTION, False, f"{who} has no jurisdiction boundary on record, so the area cannot "
                                               "be checked: an administrator must add it.")
    if draft.fence is None:
        return RuleResult(JURISDICTION, False, "No area yet.")
    try:
        inside = fence_within(draft.fence, jurisdiction)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return RuleResult(JURISDICTION, False, f"{who}'s jurisdiction boundary cannot be read ({exc}).")
    if not inside:
        return RuleResult(JURISDICTION, False, f"Part of the area lies outside {who}'s jurisdiction.")
    return RuleResult(JURISDICTION, True, f"The whole area lies inside {who}'s jurisdiction.")


def check_incident_limit(draft: RequestDraft, limits: dict[str, Any], existing: int) -> RuleResult:
    most = int(limits["max_requests_per_incident"])
    if draft.incident_id is None:
        return RuleResult(INCIDENT_LIMIT, False, "Pick the incident (or create it): requests are counted per "
                                                 "incident.")
    if existing + 1 > most:
        return RuleResult(INCIDENT_LIMIT, False, f"This incident already has {count(existing, 'request')}; at most "
                                                 f"{most} are allowed.")
    return RuleResult(INCIDENT_LIMIT, True, f"Request {existing + 1} of at most {most} for this incident.")


def check_category(draft: RequestDraft, limits: dict[str, Any]) -> RuleResult:
    category = " ".join((draft.offense_category or "").split())
    if not category:
        return RuleResult(CATEGORY, False, "Choose the offense category.")
    forbidden = {normalise_category(c) for c in limits.get("forbidden_categories", [])}
    if normalise_category(category) in forbidden:
        return RuleResult(CATEGORY, False, f"“{category}” can never be requested: footage is not sought about "
                                           "lawful assembly or other forbidden categories.")
    return RuleResult(CATEGORY, True, f"“{category}” may be requested.")


def expires_at(sent_at: datetime, limits: dict[str, Any]) -> datetime:
    return sent_at + timedelta(days=float(limits["expiry_days"]))


def check_expiry(limits: dict[str, Any], now: datetime) -> RuleResult:
    days = limits["expiry_days"]
    until = expires_at(now, limits).strftime("%Y-%m-%d %H:%M UTC")
    return RuleResult(EXPIRY, True, f"Expires {days:g} days after it is sent (sent now: {until}).")


def evaluate(draft: RequestDraft, limits: dict[str, Any], context: PolicyContext) -> list[RuleResult]:
    """One result per rule, in RULES order."""
    return [
        check_area(draft, limits),
        check_window_length(draft, limits),
        check_window_past(draft, context.now),
        check_case_number(draft, context.case_number_pattern, context.agency_name),
        check_jurisdiction(draft, context.jurisdiction_geojson, context.agency_name),
        check_incident_limit(draft, limits, context.incident_request_count),
        check_category(draft, limits),
        check_expiry(limits, context.now),
    ]


def failures(results: list[RuleResult]) -> list[RuleResult]:
    return [r for r in results if not r.ok]


def unresolved(results: list[RuleResult], overridden: set[str] | frozenset[str]) -> list[RuleResult]:
    """Failed rules not covered by an override (rules that cannot be overridden stay unresolved)."""
    return [r for r in results if not r.ok and (r.rule not in overridden or not r.overridable)]
