"""The request lifecycle through the service layer: permissions, two-person rule, overrides, expiry, responses,
opt-out, anonymity and the public log."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from app.core import policy
from app.core.fence import CircleFence
from app.core.records import PROTEST_CATEGORY, RecipientState, RequestState, to_iso
from app.services.requests import public_log as public_log_svc
from app.services.requests import recipients as recipients_svc
from app.services.requests import responses as responses_svc
from app.services.requests import workflow as svc
from app.services.requests.approval import OverrideReasonError, TwoPersonRuleError
from app.services.session import PermissionDenied
from app.store import requests as store
from app.store.db import open_store
from tests.request_world import GOOD_FENCE, NOW, World, build_world

S = RequestState


@pytest.fixture
def world(tmp_path: Path) -> World:
    conn = open_store(tmp_path / "canvass.sqlite3")
    yield build_world(conn)
    conn.close()


def draft(w: World, **changes: object) -> svc.DraftInput:
    base = svc.DraftInput(w.agency_id, "BPD-14-000123", w.incident_id, "robbery", GOOD_FENCE,
                          NOW - timedelta(hours=5), NOW - timedelta(hours=3), "Street robbery, suspect fled north",
                          "Det. Smith, 410-555-0199")
    return replace(base, **changes)


def audit_actions(conn: sqlite3.Connection, obj: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT action FROM audit_log WHERE object = ? ORDER BY seq", (obj,))]


def send_one(w: World, d: svc.DraftInput | None = None, now=NOW) -> int:  # noqa: ANN001
    rid = svc.create_draft(w.session("ana"), d or draft(w), now=now)
    svc.submit(w.session("ana"), rid, now=now)
    svc.approve(w.session("sam"), rid, now=now)
    svc.send(w.session("ana"), rid, now=now)
    return rid


def test_full_lifecycle_with_transitions_and_audit(world: World) -> None:
    w = world
    ana, sam = w.session("ana"), w.session("sam")
    rid = svc.create_draft(ana, draft(w), now=NOW)
    assert store.get_request(w.conn, rid).state == S.DRAFT
    assert svc.submit(ana, rid, now=NOW) == []
    svc.approve(sam, rid, now=NOW + timedelta(minutes=5))
    plan = svc.send(ana, rid, now=NOW + timedelta(minutes=10))
    rec = store.get_request(w.conn, rid)
    assert rec.state == S.SENT and rec.public_no == 1 and rec.approved_by == w.users["sam"].id
    assert rec.expires_at == "2026-06-08T12:10:00Z"
    # Owners A (2 cameras), B, C, D notified; E opted out; the city camera has nobody to ask.
    assert plan.owners_notified == 4 and plan.contacted_cameras == 5
    assert plan.opted_out_owners == 1 and plan.ownerless_cameras == 1
    rows = store.recipients(w.conn, rid)
    assert [r.owner_id for r in rows][0] == w.owner_ids[0]  # the owner whose camera looks at the incident
    assert rows[0].covers_incident and rows[0].cameras == 2
    carol = next(r for r in rows if r.owner_id == w.owner_ids[2])
    assert carol.likely_overwritten

    responses_svc.record_response(ana, rid, w.owner_ids[0], RecipientState.SHARED, now=NOW + timedelta(days=1))
    responses_svc.record_response(ana, rid, w.owner_ids[1], RecipientState.DECLINED, now=NOW + timedelta(days=1))
    svc.resolve(ana, rid, footage_useful=True, led_to_arrest=False, notes="clip showed the car",
                now=NOW + timedelta(days=2))
    rec = store.get_request(w.conn, rid)
    assert rec.state == S.RESOLVED and rec.resolved_at == "2026-06-03T12:00:00Z"
    assert store.get_outcome(w.conn, rid) == (True, False, "clip showed the car")
    states = {r.owner_id: r.state for r in store.recipients(w.conn, rid)}
    assert states[w.owner_ids[2]] == RecipientState.NO_RESPONSE  # pending closed on resolve

    steps = [(t.from_state, t.to_state, t.actor) for t in store.transitions(w.conn, rid)]
    assert steps == [(None, "draft", "ana"), ("draft", "awaiting_approval", "ana"),
                     ("awaiting_approval", "awaiting_approval", "sam"), ("awaiting_approval", "sent", "ana"),
                     ("sent", "resolved", "ana")]
    assert audit_actions(w.conn, f"request:{rid}") == [
        "request_created", "request_awaiting_approval", "request_approved", "request_sent", "request_recipients",
        "response_recorded", "response_recorded", "request_resolved", "request_outcome"]


def test_two_person_rule_and_roles(world: World) -> None:
    w = world
    sam = w.session("sam")
    rid = svc.create_draft(sam, draft(w), now=NOW)  # a supervisor may write a request too…
    svc.submit(sam, rid, now=NOW)
    with pytest.raises(TwoPersonRuleError):
        svc.approve(sam, rid, now=NOW)                # …but not approve their own
    with pytest.raises(PermissionDenied):
        svc.approve(w.session("ana"), rid, now=NOW)   # an analyst never approves
    with pytest.raises(svc.RequestError, match="approval"):
        svc.send(sam, rid, now=NOW)                   # nor can it go out unapproved
    svc.approve(w.session("sue"), rid, now=NOW)
    svc.send(sam, rid, now=NOW)
    with pytest.raises(PermissionDenied):
        svc.create_draft(w.session("aud"), draft(w), now=NOW)
    with pytest.raises(PermissionDenied):
        responses_svc.record_response(w.session("aud"), rid, w.owner_ids[0], RecipientState.SHARED, now=NOW)


def test_a_request_breaking_a_rule_cannot_be_approved_or_sent_until_overridden(world: World) -> None:
    w = world
    ana, sam = w.session("ana"), w.session("sam")
    rid = svc.create_draft(ana, draft(w, case_number="14-123"), now=NOW)
    failed = svc.submit(ana, rid, now=NOW)
    assert [r.rule for r in failed] == [policy.CASE_NUMBER]
    with pytest.raises(svc.RequestError, match="Case number"):
        svc.approve(sam, rid, now=NOW)
    with pytest.raises(PermissionDenied):
        svc.override_rule(ana, rid, policy.CASE_NUMBER, "the analyst would like to", now=NOW)
    with pytest.raises(OverrideReasonError):
        svc.override_rule(sam, rid, policy.CASE_NUMBER, "ok", now=NOW)
    with pytest.raises(svc.RequestError, match="nothing to override"):
        svc.override_rule(sam, rid, policy.AREA, "the area is fine anyway, really", now=NOW)
    svc.override_rule(sam, rid, policy.CASE_NUMBER, "Legacy case number issued before the new format", now=NOW)
    svc.approve(w.session("sue"), rid, now=NOW)
    svc.send(ana, rid, now=NOW)
    assert store.get_request(w.conn, rid).state == S.SENT
    row = w.conn.execute("SELECT rule, reason, supervisor_id, at FROM policy_overrides WHERE request_id = ?",
                         (rid,)).fetchone()
    assert row == (policy.CASE_NUMBER, "Legacy case number issued before the new format", w.users["sam"].id,
                   to_iso(NOW))  # stamped with the workflow's clock, like every transition
    assert "policy_override" in audit_actions(w.conn, f"request:{rid}")
    assert public_log_svc.public_log_entries(w.conn)[0].overrides == 1


def test_an_edit_after_an_override_voids_it(world: World) -> None:
    """An override is for the request as the supervisor saw it: enlarge the area after "area size" was overridden
    and the request cannot be approved until a supervisor overrides it again, for the area as it is now."""
    w = world
    ana, sam = w.session("ana"), w.session("sam")
    rid = svc.create_draft(ana, draft(w, fence=CircleFence(39.29, -76.61, 1_200.0)), now=NOW)
    assert [r.rule for r in svc.submit(ana, rid, now=NOW)] == [policy.AREA]
    svc.override_rule(sam, rid, policy.AREA, "a wide car park on one side: the area is mostly empty", now=NOW)
    svc.return_to_draft(ana, rid, "widen it", now=NOW)
    svc.update_draft(ana, rid, draft(w, fence=CircleFence(39.29, -76.61, 6_000.0)), now=NOW + timedelta(minutes=5))
    assert store.overridden_rules(w.conn, rid) == set()
    voided = w.conn.execute("SELECT rule, voided_at FROM policy_overrides WHERE request_id = ?", (rid,)).fetchall()
    assert voided == [(policy.AREA, to_iso(NOW + timedelta(minutes=5)))]  # kept, and marked
    assert audit_actions(w.conn, f"request:{rid}")[-1] == "policy_overrides_voided"
    assert [r.rule for r in svc.submit(ana, rid, now=NOW)] == [policy.AREA]
    with pytest.raises(svc.RequestError, match="Area size"):
        svc.approve(w.session("sue"), rid, now=NOW)
    svc.override_rule(sam, rid, policy.AREA, "the whole estate, seen and agreed at this size", now=NOW)
    svc.approve(w.session("sue"), rid, now=NOW)
    svc.send(ana, rid, now=NOW)
    assert public_log_svc.public_log_entries(w.conn)[0].overrides == 2  # the public log counts both, voided or not


def test_an_edit_that_changes_nothing_keeps_the_overrides(world: World) -> None:
    w = world
    ana, sam = w.session("ana"), w.session("sam")
    rid = svc.create_draft(ana, draft(w, case_number="14-123"), now=NOW)
    svc.submit(ana, rid, now=NOW)
    svc.override_rule(sam, rid, policy.CASE_NUMBER, "Legacy case number issued before the new format", now=NOW)
    svc.return_to_draft(ana, rid, "look again", now=NOW)
    svc.update_draft(ana, rid, draft(w, case_number="14-123"), now=NOW)  # saved as it was
    assert store.overridden_rules(w.conn, rid) == {policy.CASE_NUMBER}


def test_a_request_or_incident_naming_no_agency_or_incident_is_refused_in_words(world: World) -> None:
    w = world
    ana = w.session("ana")
    with pytest.raises(svc.RequestError, match="There is no agency 999"):
        svc.create_draft(ana, draft(w, agency_id=999), now=NOW)
    with pytest.raises(svc.RequestError, match="There is no incident 4242"):
        svc.create_draft(ana, draft(w, incident_id=4242), now=NOW)
    rid = svc.create_draft(ana, draft(w), now=NOW)
    with pytest.raises(svc.RequestError, match="There is no agency 999"):
        svc.update_draft(ana, rid, draft(w, agency_id=999), now=NOW)
    with pytest.raises(svc.RequestError, match="There is no agency 999"):
        svc.create_incident(ana, NOW, 39.29, -76.61, "robbery", agency_id=999, now=NOW)
    assert store.get_request(w.conn, rid).agency_id == w.agency_id


def test_protest_category_cannot_be_overridden_or_sent(world: World) -> None:
    w = world
    rid = svc.create_draft(w.session("ana"), draft(w, offense_category=PROTEST_CATEGORY), now=NOW)
    svc.submit(w.session("ana"), rid, now=NOW)
    with pytest.raises(svc.RequestError, match="cannot be overridden"):
        svc.override_rule(w.session("sam"), rid, policy.CATEGORY, "an urgent reason of some length", now=NOW)
    with pytest.raises(svc.RequestError, match="Offense category"):
        svc.approve(w.session("sam"), rid, now=NOW)


def test_rules_are_checked_again_when_sending(world: World) -> None:
    """Approved while fine, but the incident's limit was used up by others before sending: refused."""
    w = world
    ana, sam = w.session("ana"), w.session("sam")
    late = svc.create_draft(ana, draft(w), now=NOW)
    svc.submit(ana, late, now=NOW)
    svc.approve(sam, late, now=NOW)
    send_one(w)
    send_one(w)
    with pytest.raises(svc.RequestError, match="Requests per incident"):
        svc.send(ana, late, now=NOW)


def test_third_request_for_an_incident_needs_an_override(world: World) -> None:
    w = world
    send_one(w)
    send_one(w)
    results = svc.check_draft(w.conn, draft(w), now=NOW)
    assert not next(r for r in results if r.rule == policy.INCIDENT_LIMIT).ok
    # A draft withdrawn before sending does not use up the incident's allowance; a sent one does.
    w2_incident = w.conn.execute("INSERT INTO incidents (occurred_at, lat, lon, category, source, created_at) VALUES "
                                 "('2026-06-01T08:00:00Z', 39.29, -76.61, 'robbery', 'agency_report', "
                                 "'2026-06-01T08:00:00Z')").lastrowid
    d2 = draft(w, incident_id=w2_incident)
    rid = svc.create_draft(w.session("ana"), d2, now=NOW)
    svc.withdraw(w.session("ana"), rid, "wrong incident", now=NOW)
    assert store.incident_request_count(w.conn, w2_incident) == 0
    sent = send_one(w, d2)
    svc.withdraw(w.session("ana"), sent, "suspect arrested", now=NOW)
    assert store.incident_request_count(w.conn, w2_incident) == 1


def test_expiry_with_a_controlled_clock(world: World) -> None:
    w = world
    rid = send_one(w)
    assert svc.expire_due(w.conn, NOW + timedelta(days=7) - timedelta(seconds=1)) == []
    assert store.get_request(w.conn, rid).state == S.SENT
    assert svc.expire_due(w.conn, NOW + timedelta(days=7)) == [rid]
    assert store.get_request(w.conn, rid).state == S.EXPIRED
    assert svc.expire_due(w.conn, NOW + timedelta(days=30)) == []
    t = store.transitions(w.conn, rid)[-1]
    assert (t.from_state, t.to_state, t.actor, t.at) == ("sent", "expired", "system", "2026-06-08T12:00:00Z")
    assert "request_expired" in audit_actions(w.conn, f"request:{rid}")
    assert {r.state for r in store.recipients(w.conn, rid)} == {RecipientState.NO_RESPONSE}
    with pytest.raises(svc.RequestError, match="expired"):
        svc.resolve(w.session("ana"), rid, True, True, now=NOW + timedelta(days=8))


def test_opt_out_is_honoured_in_a_later_request_and_in_unsent_drafts(world: World) -> None:
    w = world
    ana = w.session("ana")
    first = send_one(w)
    pending_draft = svc.create_draft(ana, draft(w), now=NOW)
    bob = w.owner_ids[1]
    assert bob in {r.owner_id for r in store.recipients(w.conn, pending_draft)}
    responses_svc.record_response(ana, first, bob, RecipientState.DECLINED, now=NOW + timedelta(hours=1), opt_out=True)
    consent, changed = w.conn.execute("SELECT consent, consent_changed_on FROM owners WHERE id = ?", (bob,)).fetchone()
    assert consent == "opt_out" and changed == "2026-06-01T13:00:00Z"
    assert bob not in {r.owner_id for r in store.recipients(w.conn, pending_draft)}
    assert "owner_opted_out" in audit_actions(w.conn, f"owner:{bob}")
    # A later request, planned from arrays loaded *before* the opt-out, still leaves Bob out.
    from app.store.camera_arrays import load_arrays

    w.conn.execute("UPDATE owners SET consent = 'opt_in' WHERE id = ?", (bob,))
    stale = load_arrays(w.conn)
    w.conn.execute("UPDATE owners SET consent = 'opt_out' WHERE id = ?", (bob,))
    other = svc.create_draft(ana, draft(w, incident_id=None), arrays=stale, now=NOW)
    assert bob not in {r.owner_id for r in store.recipients(w.conn, other)}


def test_anonymity_until_shared(world: World) -> None:
    w = world
    rid = send_one(w)
    view = recipients_svc.recipient_view(w.session("ana"), rid)
    assert all(v.name.startswith("Neighbor #") and not v.identified for v in view)
    responses_svc.record_response(w.session("ana"), rid, w.owner_ids[0], RecipientState.SHARED, now=NOW)
    responses_svc.record_response(w.session("ana"), rid, w.owner_ids[1], RecipientState.DECLINED, now=NOW)
    names = {v.owner_id: v.name for v in recipients_svc.recipient_view(w.session("ana"), rid)}
    assert names[w.owner_ids[0]] == "Alice Adams"
    assert names[w.owner_ids[1]].startswith("Neighbor #")
    with pytest.raises(PermissionDenied):
        recipients_svc.notices(w.session("aud"), rid)
    notices = recipients_svc.notices(w.session("ana"), rid)
    assert len(notices) == 4 and notices[0].email == "alice.adams@example.org"
    assert "owner_contact_viewed" in audit_actions(w.conn, f"request:{rid}")


def test_public_log_counts_generalised_area_and_never_deletable(world: World) -> None:
    w = world
    draft_only = svc.create_draft(w.session("ana"), draft(w), now=NOW)
    rid = send_one(w)
    responses_svc.record_response(w.session("ana"), rid, w.owner_ids[0], RecipientState.SHARED, now=NOW)
    responses_svc.record_response(w.session("ana"), rid, w.owner_ids[1], RecipientState.DECLINED, now=NOW)
    responses_svc.record_response(w.session("ana"), rid, w.owner_ids[3], RecipientState.NO_FOOTAGE, now=NOW)
    log = public_log_svc.public_log(w.session("aud"))
    assert len(log) == 1
    e = log[0]
    assert (e.public_no, e.case_number, e.state, e.notified, e.shared, e.declined) == (1, "BPD-14-000123", "sent",
                                                                                      4, 1, 1)
    assert (e.center_lat, e.center_lon) == (39.29, -76.61) and e.radius_m == 300
    with pytest.raises(sqlite3.IntegrityError, match="public log"):
        w.conn.execute("DELETE FROM footage_requests WHERE id = ?", (rid,))
    svc.resolve(w.session("ana"), rid, None, None, now=NOW + timedelta(days=1))
    assert public_log_svc.public_log(w.session("aud"))[0].state == "resolved"
    assert public_log_svc.public_log(w.session("aud"))[0].closed_at == "2026-06-02T12:00:00Z"
    w.conn.execute("DELETE FROM recipients WHERE request_id = ?", (draft_only,))  # an unsent draft is not public


def test_only_drafts_are_edited_and_edits_are_audited(world: World) -> None:
    w = world
    ana = w.session("ana")
    rid = svc.create_draft(ana, draft(w, fence=CircleFence(39.29, -76.61, 50.0)), now=NOW)
    assert not next(r for r in svc.check_request(w.conn, rid, NOW) if r.rule == policy.AREA).ok
    svc.update_draft(ana, rid, draft(w), now=NOW)
    assert svc.check_request(w.conn, rid, NOW)[0].ok
    assert json.loads(store.get_request(w.conn, rid).area_json)["radius_m"] == 300.0
    svc.submit(ana, rid, now=NOW)
    with pytest.raises(svc.RequestError, match="edited"):
        svc.update_draft(ana, rid, draft(w), now=NOW)
    svc.return_to_draft(ana, rid, "fix the description", now=NOW)
    svc.update_draft(ana, rid, draft(w, description="Corrected"), now=NOW)
    assert "request_edited" in audit_actions(w.conn, f"request:{rid}")
