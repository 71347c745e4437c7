"""The request services trust no caller (issue 9, point 15): an owner's consent changes only as a recorded consent
change (who, when, how), an answers file does not overwrite recorded answers, and the audit says old → new. Over a
real store, driven as a hostile or mistaken caller would."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.core.records import Consent, RecipientState
from app.services.requests import outreach, responses
from app.services.requests import workflow as svc
from app.store import owners as owner_store
from app.store import requests as store
from app.store.db import open_store
from tests.request_world import GOOD_FENCE, NOW, World, build_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    conn = open_store(tmp_path / "s.sqlite3")
    try:
        yield build_world(conn)
    finally:
        conn.close()


def details(conn: sqlite3.Connection, action: str) -> list[dict]:
    return [json.loads(d) for (d,) in conn.execute("SELECT details FROM audit_log WHERE action = ? ORDER BY seq",
                                                   (action,))]


def sent_request(w: World) -> int:
    ana, sam = w.session("ana"), w.session("sam")
    d = svc.DraftInput(w.agency_id, "BPD-14-000123", w.incident_id, "robbery", GOOD_FENCE,
                       NOW - timedelta(hours=5), NOW - timedelta(hours=3))
    rid = svc.create_draft(ana, d, now=NOW)
    svc.submit(ana, rid, now=NOW)
    svc.approve(sam, rid, now=NOW)
    svc.send(ana, rid, now=NOW)
    return rid


def test_an_opt_out_is_a_recorded_consent_change_audited_old_to_new(world: World) -> None:
    w = world
    rid = sent_request(w)
    bob = w.owner_ids[1]
    responses.record_response(w.session("ana"), rid, bob, RecipientState.DECLINED, now=NOW, opt_out=True)
    assert owner_store.get_owner(w.conn, bob).consent == Consent.OPT_OUT
    # Who recorded it, from when, and how the owner said so: the owner's consent history has it, like any change.
    old, new, effective_at, recorded_by, how = owner_store.consent_history(w.conn, bob)[-1]
    assert (old, new, effective_at, recorded_by) == ("opt_in", "opt_out", "2026-06-01T12:00:00Z", "ana")
    assert f"request {rid}" in how
    [entry] = details(w.conn, "owner_opted_out")
    assert entry["consent"] == ["opt_in", "opt_out"] and entry["via_request"] == rid
    # Opting out an owner who is out already changes nothing and records no second change.
    responses.opt_out_owner(w.session("ana"), bob, NOW)
    assert len(owner_store.consent_history(w.conn, bob)) == 1
    assert details(w.conn, "owner_opted_out")[-1]["consent"] == ["opt_out", "opt_out"]


def test_an_answers_file_does_not_overwrite_recorded_answers(world: World, tmp_path: Path) -> None:
    w = world
    rid = sent_request(w)
    ana = w.session("ana")
    recips = {r.owner_id: r.anonymity_no for r in store.recipients(w.conn, rid)}
    alice, bob = w.owner_ids[0], w.owner_ids[1]
    responses.record_response(ana, rid, alice, RecipientState.DECLINED, now=NOW)
    # A stale or edited sheet says Alice shared: her recorded "declined" must not be overwritten silently.
    sheet = tmp_path / "answers.csv"
    sheet.write_text(f"neighbor_no,response\n{recips[bob]},no_footage\n{recips[alice]},shared\n", encoding="utf-8")
    result = outreach.import_responses(ana, rid, sheet, NOW + timedelta(hours=1))
    assert not result.ok
    assert [(e.line, "already answered" in e.reason) for e in result.errors] == [(3, True)]
    assert store.owner_response(w.conn, rid, alice) == RecipientState.DECLINED
    assert store.owner_response(w.conn, rid, bob) == RecipientState.PENDING  # all or nothing
    assert details(w.conn, "responses_imported") == []
    assert details(w.conn, "responses_import_refused")[-1]["errors"] == 1
    # The same answer again is no conflict; the entry names what changed, old → new.
    sheet.write_text(f"neighbor_no,response\n{recips[bob]},no_footage\n{recips[alice]},declined\n", encoding="utf-8")
    assert outreach.import_responses(ana, rid, sheet, NOW + timedelta(hours=2)).ok
    [entry] = details(w.conn, "responses_imported")
    assert entry["changed"] == [{"owner_id": bob, "neighbor_no": recips[bob], "from": "pending", "to": "no_footage"}]
    assert entry["unchanged"] == 1


def test_a_draft_edit_is_audited_old_to_new(world: World) -> None:
    w = world
    ana = w.session("ana")
    d = svc.DraftInput(w.agency_id, "BPD-14-000123", w.incident_id, "robbery", GOOD_FENCE,
                       NOW - timedelta(hours=5), NOW - timedelta(hours=3), investigator_contact="det. ray 555-0199")
    rid = svc.create_draft(ana, d, now=NOW)
    edited = svc.DraftInput(w.agency_id, "BPD-14-000124", w.incident_id, "burglary", GOOD_FENCE,
                            NOW - timedelta(hours=6), NOW - timedelta(hours=3), investigator_contact="det. kay")
    svc.update_draft(ana, rid, edited, now=NOW)
    [entry] = details(w.conn, "request_edited")
    assert entry["changed"] == ["case_number", "investigator_contact", "offense_category", "window_start"]
    assert entry["old_new"]["case_number"] == ["BPD-14-000123", "BPD-14-000124"]
    assert entry["old_new"]["offense_category"] == ["robbery", "burglary"]
    assert entry["old_new"]["window_start"] == ["2026-06-01T07:00:00Z", "2026-06-01T06:00:00Z"]
    # The investigator's contact is personal data: an auditor reading the log sees it masked.
    from app.services.accountability import audit_service

    masked, hit = audit_service.mask_details(json.dumps(entry))
    assert hit and "det. kay" not in masked and "BPD-14-000124" in masked


def test_the_public_log_export_writes_the_log_as_stored(world: World, tmp_path: Path) -> None:
    import dataclasses

    from app.services.requests import public_log

    w = world
    sent_request(w)
    ana = w.session("ana")
    entries = public_log.public_log(ana)
    # The caller's copy is edited: fewer owners declined than did, the overrides hidden.
    edited = [dataclasses.replace(entries[0], declined=0, overrides=0, state="resolved")]
    out = tmp_path / "log.csv"
    with pytest.raises(svc.RequestError, match="not the public log as stored"):
        public_log.export_public_log(ana, out, "csv", edited)
    assert not out.exists() and details(w.conn, "public_log_exported") == []
    assert public_log.export_public_log(ana, out, "csv", entries) == 1
    assert public_log.export_public_log(ana, tmp_path / "all.html", "html") == 1
