"""The evidence services trust no caller (issue 9, point 15): intake checks the answer and the user against the
store at the write, a package's custody records carry the store's hashes and a real approver, and a verification
run records only checks of the hashes the store holds. Over a real store and real files."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from app.services.evidence import intake
from app.services.session import PermissionDenied
from app.store import evidence as store
from tests.evidence_world import EvidenceWorld, build_evidence_world
from tests.media import write_not_media
from tests.request_world import NOW


@pytest.fixture
def ew(tmp_path: Path) -> EvidenceWorld:
    e = build_evidence_world(tmp_path)
    yield e
    e.conn.close()


def count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def stored_files(ew: EvidenceWorld) -> list[Path]:
    return [p for p in ew.evidence_dir.rglob("*") if p.is_file()] if ew.evidence_dir.exists() else []


def test_intake_checks_the_answer_and_the_user_at_the_write(ew: EvidenceWorld, tmp_path: Path) -> None:
    ana = ew.world.users["ana"]
    src = write_not_media(tmp_path / "clip.bin")
    # An answer still pending (the owner has not chosen to share), and a shared answer of another request.
    with pytest.raises(intake.IntakeError, match="marked “shared”"):
        intake.intake_file(ew.conn, ew.evidence_dir, src, ana, ew.request_id, ew.pending_recipient,
                           accept_non_media=True, now=NOW)
    with pytest.raises(intake.IntakeError, match="belongs to request"):
        intake.intake_file(ew.conn, ew.evidence_dir, src, ana, ew.request_id, ew.other_recipient,
                           accept_non_media=True, now=NOW)
    # The worker holds the User checked on the GUI thread; an administrator demoted ana to auditor meanwhile.
    ew.conn.execute("UPDATE users SET role = 'auditor' WHERE id = ?", (ana.id,))
    with pytest.raises(PermissionDenied):
        intake.intake_file(ew.conn, ew.evidence_dir, src, ana, ew.request_id, ew.recipients[0],
                           accept_non_media=True, now=NOW)
    assert count(ew.conn, "evidence_items") == count(ew.conn, "custody_events") == 0
    assert stored_files(ew) == []
    ew.conn.execute("UPDATE users SET role = 'analyst' WHERE id = ?", (ana.id,))
    res = intake.intake_file(ew.conn, ew.evidence_dir, src, ana, ew.request_id, ew.recipients[0],
                             accept_non_media=True, now=NOW)
    assert store.get_item(ew.conn, res.item_id).sha256 == res.sha256


def _items(ew: EvidenceWorld, tmp_path: Path) -> list[int]:
    ana = ew.world.users["ana"]
    ids = [intake.intake_file(ew.conn, ew.evidence_dir, write_not_media(tmp_path / f"{n}.bin", size=size), ana,
                              ew.request_id, ew.recipients[0], accept_non_media=True, now=NOW).item_id
           for n, size in (("a", 4096), ("b", 5000))]
    assert len(set(ids)) == 2
    return ids


@pytest.fixture
def with_passwords(ew: EvidenceWorld) -> EvidenceWorld:
    from app.services.accountability import auth

    for name in ("sam", "sue", "ana"):
        ew.conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", (auth.DEMO_HASHER.hash("pw-" + name),
                                                                              name))
    return ew


def test_a_package_is_recorded_only_as_approved_with_the_stores_hashes(with_passwords: EvidenceWorld,
                                                                      tmp_path: Path) -> None:
    from app.services.evidence import packages

    ew = with_passwords
    ids = _items(ew, tmp_path)
    ana, sam = ew.world.users["ana"], ew.world.users["sam"]
    dest = tmp_path / "out.zip"
    # An order made up by the caller: sam never typed his password.
    forged = packages.ExportOrder(tuple(ids), "SAO", "Subpoena 2026-CR-114", ana, sam)
    with pytest.raises(packages.PackageExportError, match="not approved through Canvass"):
        packages.write_package(ew.conn, ew.evidence_dir, forged, dest)
    assert not dest.exists()
    order = packages.authorize_export(ew.session("ana"), ids, "SAO", "Subpoena 2026-CR-114", "sam", "pw-sam")
    result = packages.write_package(ew.conn, ew.evidence_dir, order, dest)
    # The result's hashes edited (the custody log would carry them), or an item swapped for another.
    for bad in (dataclasses.replace(result, item_hashes={**result.item_hashes, ids[0]: "0" * 64}),
                dataclasses.replace(result, item_hashes={ids[0]: result.item_hashes[ids[0]]})):
        with pytest.raises(packages.PackageExportError, match="nothing was recorded"):
            packages.record_package(ew.conn, bad)
    with pytest.raises(packages.PackageExportError, match="not approved through Canvass"):
        packages.record_package(ew.conn, dataclasses.replace(result, order=dataclasses.replace(order, approver=ana)))
    # The approver was deactivated after approving: the record is refused at the act.
    ew.conn.execute("UPDATE users SET active = 0 WHERE id = ?", (sam.id,))
    with pytest.raises(packages.PackageExportError, match="not an active user"):
        packages.record_package(ew.conn, result)
    assert store.shares(ew.conn) == []
    assert [e.kind for e in store.events(ew.conn, item_id=ids[0])] == ["received"]
    ew.conn.execute("UPDATE users SET active = 1 WHERE id = ?", (sam.id,))
    share_id = packages.record_package(ew.conn, result)
    exported = [e for e in store.events(ew.conn, item_id=ids[0]) if e.kind == "exported"]
    assert [e.sha256 for e in exported] == [store.get_item(ew.conn, ids[0]).sha256]
    assert json.loads(exported[0].details)["share_id"] == share_id
    with pytest.raises(packages.PackageExportError, match="not approved through Canvass"):
        packages.record_package(ew.conn, result)  # one approval, one package


def test_a_verification_report_is_checked_against_the_store(ew: EvidenceWorld, tmp_path: Path) -> None:
    from app.services.evidence import verify

    a, b = _items(ew, tmp_path)
    ana = ew.world.users["ana"]
    stored = ew.evidence_dir / store.get_item(ew.conn, a).stored_path
    stored.chmod(0o600)
    stored.write_bytes(b"altered after intake")
    report = verify.verify_items(ew.evidence_dir, verify.items_to_verify(ew.conn))
    assert [c.status for c in report.checks] == ["altered", "ok"]
    # A caller "fixes" the report: the altered file marked ok, or checked against a hash of its own choosing.
    altered = report.checks[0]
    for bad in (dataclasses.replace(altered, status="ok"),
                dataclasses.replace(altered, expected=altered.found, status="ok")):
        forged = verify.VerifyReport([bad, report.checks[1]], report.bytes_read)
        with pytest.raises(verify.VerifyError, match="does not agree with the store"):
            verify.record_verification(ew.conn, ana, forged, "evidence_store", now=NOW)
    assert [e.kind for e in store.events(ew.conn, item_id=a)] == ["received"]
    assert store.get_item(ew.conn, a).last_verified_at is None
    ew.conn.execute("UPDATE users SET active = 0 WHERE id = ?", (ana.id,))  # deactivated while the job ran
    with pytest.raises(PermissionDenied):
        verify.record_verification(ew.conn, ana, report, "evidence_store", now=NOW)
    assert store.get_item(ew.conn, a).last_verified_at is None
    ew.conn.execute("UPDATE users SET active = 1 WHERE id = ?", (ana.id,))
    verify.record_verification(ew.conn, ana, report, "evidence_store", now=NOW)
    assert store.get_item(ew.conn, a).last_verified_ok is False and store.get_item(ew.conn, b).last_verified_ok
