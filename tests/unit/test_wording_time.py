"""Counts that read right, local times with the zone named, and the audit log's labels (app.core)."""

from __future__ import annotations

import json
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.core import audit_actions, timefmt, wording


@pytest.fixture
def pacific():
    timefmt.set_zone(ZoneInfo("America/Los_Angeles"))
    yield
    timefmt.set_zone(None)


def test_counts_read_right() -> None:
    assert wording.count(1, "opted-out owner") == "1 opted-out owner"
    assert wording.count(2, "opted-out owner") == "2 opted-out owners"
    assert wording.count(2, "rule") == "2 rules"
    assert wording.count(1, "rule") == "1 rule"
    assert wording.count(3, "entry") == "3 entries"
    assert wording.count(2, "day") == "2 days"
    assert wording.count(2, "match") == "2 matches"
    assert wording.count(1_500, "camera") == "1,500 cameras"
    assert wording.count(0, "camera", zero="no cameras") == "no cameras"
    assert wording.count(0, "camera") == "0 cameras"
    assert wording.count(2, "person") == "2 people"
    assert wording.join(["e-mail", "letter", "phone"], "or") == "e-mail, letter or phone"


def test_local_time_names_its_zone(pacific) -> None:  # noqa: ANN001
    assert timefmt.short("2026-11-29T06:40:00Z") == "2026-11-28 22:40 PST"
    assert timefmt.short("2026-07-01T19:00:00Z") == "2026-07-01 12:00 PDT"  # daylight time named as such
    assert timefmt.readable("2026-11-29T06:40:00Z") == "Sat 28 Nov 2026, 22:40 PST"
    assert timefmt.readable("2026-11-29T06:40:00Z", time=False) == "Sat 28 Nov 2026"
    assert timefmt.zone_name("2026-11-29T06:40:00Z") == "PST (UTC−08:00)"
    assert timefmt.span("2026-11-29T06:00:00Z", "2026-11-29T07:30:00Z") == "2026-11-28 22:00 – 23:30 PST"
    assert timefmt.short("") == "" and timefmt.short(None) == ""


def test_zone_without_letters_shows_its_offset() -> None:
    timefmt.set_zone(timezone(timedelta(hours=5, minutes=30)))
    try:
        assert timefmt.short("2026-11-29T06:40:00Z") == "2026-11-29 12:10 UTC+05:30"
    finally:
        timefmt.set_zone(None)
    timefmt.set_zone(timezone.utc)
    try:
        assert timefmt.short("2026-11-29T06:40:00Z") == "2026-11-29 06:40 UTC"
    finally:
        timefmt.set_zone(None)


def test_audit_actions_read_as_labels_and_the_two_contact_names_are_one() -> None:
    assert audit_actions.label("request_sent") == "Request sent"
    assert audit_actions.label("owner_contact_viewed") == "Owner contact viewed"
    assert audit_actions.label("view_owner_contact") == "Owner contact viewed"
    assert audit_actions.names_for("owner_contact_viewed") == ["owner_contact_viewed", "view_owner_contact"]
    assert "view_owner_contact" not in audit_actions.known_actions()
    assert audit_actions.label("something_new") == "Something new"


def test_audit_details_are_named_fields_with_references_resolved() -> None:
    def resolve(kind: str, ident: str) -> str | None:
        return {("owner", "7"): "Neighbor #3", ("request", "4"): "PR-2026-0004"}.get((kind, ident))

    details = json.dumps({"owner_id": 7, "state": "no_footage", "ok": True, "matches": 1200})
    assert audit_actions.detail_fields(details, resolve) == [
        ("Owner", "Neighbor #3"), ("Answer", "no footage"), ("Intact", "yes"), ("Matches", "1,200")]
    assert audit_actions.details_summary(details, resolve, limit=2) == "Owner: Neighbor #3 · Answer: no footage · " \
        "2 more fields"
    assert audit_actions.object_text("request:4", resolve) == "Request PR-2026-0004"
    assert audit_actions.object_text("user:ana") == "User ana"
    assert audit_actions.object_text("registry") == "Registry"
    assert audit_actions.detail_fields("not json") == [("Note", "not json")]
    assert audit_actions.value_text([[1, 3], [7, 7]]) == "1–3, 7"


def test_audit_detail_times_read_in_the_users_zone(pacific) -> None:  # noqa: ANN001
    assert audit_actions.detail_fields({"at": "2026-11-29T06:40:00Z"}) == [("At", "2026-11-28 22:40:00 PST")]
