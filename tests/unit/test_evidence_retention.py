"""Verify (tamper), retention and purge with the grace period, legal holds, restore, consent withdrawal and the
deletion certificate — time driven by an injected clock."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.services.evidence import intake, retention, verify
from app.services.session import SYSTEM, PermissionDenied
from app.store import evidence as store
from tests.evidence_world import EvidenceWorld, build_evidence_world, resolve
from tests.media import write_not_media
from tests.request_world import NOW


@pytest.fixture
def ew(tmp_path: Path) -> EvidenceWorld:
    e = build_evidence_world(tmp_path)
    yield e
    e.conn.close()


def add(ew: EvidenceWorld, tmp_path: Path, name: str, recipient: int | None = None) -> int:
    src = write_not_media(tmp_path / name, size=2048)
    src.write_bytes(name.encode() + src.read_bytes())  # each name its own bytes (the same bytes would be linked)
    user, rid = intake.check_intake(ew.session("ana"), recipient or ew.recipients[0])
    return intake.intake_file(ew.conn, ew.evidence_dir, src, user, rid, recipient or ew.recipients[0],
                              accept_non_media=True, now=NOW).item_id


def actions(ew: EvidenceWorld, action: str) -> int:
    return ew.conn.execute("SELECT count(*) FROM audit_log WHERE action = ?", (action,)).fetchone()[0]


def test_verify_names_the_altered_and_the_missing_item(ew: EvidenceWorld, tmp_path: Path) -> None:
    a, b, c = (add(ew, tmp_path, n) for n in ("a.bin", "b.bin", "c.bin"))
    assert verify.verify_now(ew.session("ana"), ew.evidence_dir, now=NOW).ok
    pa = ew.evidence_dir / store.get_item(ew.conn, a).stored_path
    os.chmod(pa, 0o600)
    data = bytearray(pa.read_bytes())
    data[100] ^= 0x01                                 # one byte changed
    pa.write_bytes(bytes(data))
    (ew.evidence_dir / store.get_item(ew.conn, c).stored_path).unlink()
    report = verify.verify_now(ew.session("aud"), ew.evidence_dir, now=NOW)   # an auditor may verify too
    assert not report.ok
    assert [(f.item_id, f.status) for f in report.failures] == [(a, "altered"), (c, "missing")]
    assert f"item {a} (a.bin" in report.summary() and "missing" in report.summary()
    last = store.events(ew.conn, item_id=a)[-1]
    assert last.kind == "verified" and '"ok": false' in last.details
    assert store.get_item(ew.conn, b).last_verified_ok is True and store.get_item(ew.conn, a).last_verified_ok is False
    assert actions(ew, "evidence_verified") == 2
    assert not verify.weekly_due(ew.conn, NOW + timedelta(days=6))
    assert verify.weekly_due(ew.conn, NOW + timedelta(days=7))


def test_purge_two_steps_with_grace_and_longest_period(ew: EvidenceWorld, tmp_path: Path) -> None:
    one = add(ew, tmp_path, "one.bin")
    both = add(ew, tmp_path, "both.bin")
    again = intake.intake_file(ew.conn, ew.evidence_dir, tmp_path / "both.bin", ew.world.users["ana"],
                               ew.other_request_id, ew.other_recipient, accept_non_media=True, now=NOW)
    assert again.linked and again.item_id == both
    t_resolved = NOW + timedelta(days=1)
    resolve(ew.conn, ew.request_id, t_resolved)
    run = retention.run_purge(ew.conn, ew.evidence_dir, SYSTEM, now=t_resolved + timedelta(days=89))
    assert run.marked == [] and run.removed == []
    t_mark = t_resolved + timedelta(days=90)
    run = retention.run_purge(ew.conn, ew.evidence_dir, SYSTEM, now=t_mark)
    assert run.marked == [one]                       # "both" waits: its other request is still open
    path = ew.evidence_dir / store.get_item(ew.conn, one).stored_path
    run = retention.run_purge(ew.conn, ew.evidence_dir, SYSTEM, now=t_mark + timedelta(days=7) - timedelta(seconds=1))
    assert run.removed == [] and path.exists()
    run = retention.run_purge(ew.conn, ew.evidence_dir, SYSTEM, now=t_mark + timedelta(days=7))
    assert run.removed == [one] and not path.exists()
    item = store.get_item(ew.conn, one)
    assert item.purged and item.stored_path == ""
    purged = store.events(ew.conn, item_id=one)[-1]
    assert (purged.kind, purged.sha256) == ("purged", item.sha256)
    cert = retention.deletion_certificate(ew.conn, one)
    assert cert["sha256"] == item.sha256 and cert["size_bytes"] == item.size_bytes and "90 days" in cert["policy"]
    resolve(ew.conn, ew.other_request_id, t_resolved + timedelta(days=30))
    run = retention.run_purge(ew.conn, ew.evidence_dir, SYSTEM, now=t_resolved + timedelta(days=119))
    assert run.marked == []
    run = retention.run_purge(ew.conn, ew.evidence_dir, SYSTEM, now=t_resolved + timedelta(days=120))
    assert run.marked == [both]
    assert verify.verify_now(ew.session("ana"), ew.evidence_dir).ok    # purged items are not "missing"


def test_hold_blocks_purge_restore_needs_a_supervisor_and_release_is_logged(ew: EvidenceWorld,
                                                                            tmp_path: Path) -> None:
    item = add(ew, tmp_path, "held.bin")
    resolve(ew.conn, ew.request_id, NOW)
    t = NOW + timedelta(days=90)
    assert retention.run_purge(ew.conn, ew.evidence_dir, SYSTEM, now=t).marked == [item]
    with pytest.raises(PermissionDenied):
        retention.restore(ew.session("ana"), item, "needed for trial", "BPD-14-000123", date(2027, 1, 1), now=t)
    with pytest.raises(retention.RetentionError, match="at least"):
        retention.restore(ew.session("sam"), item, "short", "BPD-14-000123", date(2027, 1, 1), now=t)
    retention.restore(ew.session("sam"), item, "Defence asked to keep it for trial", "Court order 2026-117",
                      date(2026, 10, 1), now=t + timedelta(days=2))
    rec = store.get_item(ew.conn, item)
    assert rec.purge_marked_at is None
    assert [e.kind for e in store.events(ew.conn, item_id=item)][-3:] == ["purge_marked", "restored", "held"]
    run = retention.run_purge(ew.conn, ew.evidence_dir, SYSTEM, now=t + timedelta(days=400))
    assert run.marked == [] and run.removed == [] and run.held == [item]
    (hold,) = retention.holds(ew.session("ana"), item)
    assert ew.conn.execute("SELECT legal_hold FROM evidence_items WHERE id = ?", (item,)).fetchone()[0] == 1
    assert hold.placed_by_name == "sam" and hold.authority == "Court order 2026-117"
    assert retention.overdue_holds(ew.session("ana"), now=t + timedelta(days=10)) == []
    assert [h.id for h in retention.overdue_holds(ew.session("ana"), now=t + timedelta(days=60))] == [hold.id]
    with pytest.raises(PermissionDenied):
        retention.release_hold(ew.session("ana"), hold.id, "case closed by the court")
    retention.release_hold(ew.session("sue"), hold.id, "case closed by the court", now=t + timedelta(days=61))
    assert retention.overdue_holds(ew.session("ana"), now=t + timedelta(days=62)) == []
    assert ew.conn.execute("SELECT legal_hold FROM evidence_items WHERE id = ?", (item,)).fetchone()[0] == 0
    assert actions(ew, "legal_hold_released") == 1
    assert retention.run_purge(ew.conn, ew.evidence_dir, SYSTEM, now=t + timedelta(days=62)).marked == [item]


def test_consent_withdrawal_purges_unless_held_and_the_letter_says_why(ew: EvidenceWorld, tmp_path: Path) -> None:
    gone = add(ew, tmp_path, "gone.bin", ew.recipients[1])
    kept = add(ew, tmp_path, "kept.bin", ew.recipients[2])
    retention.withdraw_consent(ew.session("ana"), gone, now=NOW)
    retention.withdraw_consent(ew.session("ana"), kept, now=NOW)
    retention.place_hold(ew.session("sam"), kept, "Evidence in an open homicide case", "BPD-14-000123",
                         date(2026, 12, 1), now=NOW)
    run = retention.run_purge(ew.conn, ew.evidence_dir, SYSTEM, now=NOW + timedelta(hours=1))
    assert run.marked == [gone] and run.held == [kept]    # the request is still open: withdrawal alone marks it
    retention.run_purge(ew.conn, ew.evidence_dir, SYSTEM, now=NOW + timedelta(days=8))
    owner_b, owner_c = ew.world.owner_ids[1], ew.world.owner_ids[2]
    facts_b = retention.owner_letter_facts(ew.conn, owner_b)
    assert [c["item_id"] for c in facts_b["certificates"]] == [gone]
    assert facts_b["certificates"][0]["policy"] == "the owner withdrew consent"
    facts_c = retention.owner_letter_facts(ew.conn, owner_c)
    assert facts_c["certificates"] == []
    assert facts_c["kept_under_hold"][0]["reason"] == "Evidence in an open homicide case"


def test_the_owners_letters_carry_the_certificate_and_the_hold_reason(ew: EvidenceWorld, tmp_path: Path) -> None:
    from app.services.requests import outreach

    gone = add(ew, tmp_path, "gone.bin", ew.recipients[1])
    kept = add(ew, tmp_path, "kept.bin", ew.recipients[2])
    for item in (gone, kept):
        retention.withdraw_consent(ew.session("ana"), item, now=NOW)
    retention.place_hold(ew.session("sam"), kept, "Evidence in an open homicide case", "BPD-14-000123",
                         date(2026, 12, 1), now=NOW)
    retention.run_purge(ew.conn, ew.evidence_dir, SYSTEM, now=NOW)
    retention.run_purge(ew.conn, ew.evidence_dir, SYSTEM, now=NOW + timedelta(days=7))
    _facts, notices = outreach.notices_for_letters(ew.session("ana"), ew.request_id)
    by_owner = {n.owner_id: n.evidence_lines for n in notices}
    b, c = ew.world.owner_ids[1], ew.world.owner_ids[2]
    sha_gone = store.get_item(ew.conn, gone).sha256
    assert len(by_owner[b]) == 1 and by_owner[b][0].startswith("Deletion certificate") and sha_gone in by_owner[b][0]
    assert "the owner withdrew consent" in by_owner[b][0]
    assert len(by_owner[c]) == 1 and "Evidence in an open homicide case" in by_owner[c][0]
    assert by_owner[ew.world.owner_ids[0]] == ()
