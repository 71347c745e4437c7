"""Intake through the services: copy + SHA-256 in one read, read-only, media info, dedupe, refusals, derived items,
custody, the CSV and PDF reports, leftovers cleaned at launch, and the v3 → v4 migration."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from app.core.records import CustodyKind
from app.services.evidence import EvidenceError, EvidenceService, custody, intake
from app.services.session import PermissionDenied
from app.store import evidence as store
from app.store.db import migrate
from app.store.schema import MIGRATIONS, V6_EVIDENCE
from tests.evidence_world import EvidenceWorld, build_evidence_world
from tests.media import write_not_media, write_video
from tests.request_world import NOW


@pytest.fixture
def ew(tmp_path: Path) -> EvidenceWorld:
    e = build_evidence_world(tmp_path)
    yield e
    e.conn.close()


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_video(tmp_path_factory.mktemp("media") / "Front door 14-03.mp4", seconds=1.0, fps=25,
                       width=160, height=120)


def take(ew: EvidenceWorld, src: Path, recipient: int | None = None, **kw: object) -> intake.IntakeResult:
    session = ew.session("ana")
    user, request_id = intake.check_intake(session, recipient or ew.recipients[0])
    return intake.intake_file(ew.conn, ew.evidence_dir, src, user, request_id, recipient or ew.recipients[0],
                              now=NOW, **kw)


def test_intake_copies_hashes_and_records_one_read_only_item(ew: EvidenceWorld, video: Path) -> None:
    seen: list[tuple[int, int]] = []
    res = take(ew, video, offset=intake.ClockOffset(192.0, "reference"), progress=lambda d, t: seen.append((d, t)))
    assert not res.linked and res.is_media
    digest = hashlib.sha256(video.read_bytes()).hexdigest()
    assert res.sha256 == digest and res.size_bytes == video.stat().st_size
    item = store.get_item(ew.conn, res.item_id)
    stored = ew.evidence_dir / item.stored_path
    assert item.stored_path == f"{digest[:2]}/{digest}.mp4"        # named by its hash, not by the sender
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == digest
    assert stat.S_IMODE(stored.stat().st_mode) == 0o400
    assert item.original_name == "Front door 14-03.mp4" and item.received_by_name == "ana"
    assert item.clock_offset_s == 192.0 and item.clock_offset_source == "reference"
    info = json.loads(item.media_info)
    assert (info["kind"], info["width"], info["height"], info["fps"]) == ("video", 160, 120, 25.0)
    assert (info["video_codec"], info["audio_codec"]) == ("h264", "aac")
    assert info["creation_time"].startswith("2026-03-14T21:07")
    assert abs(info["duration_s"] - 1.0) < 0.1
    assert seen and seen[-1] == (res.size_bytes, res.size_bytes)
    ev = store.events(ew.conn, item_id=res.item_id)
    assert [(e.kind, e.actor, e.sha256) for e in ev] == [("received", "ana", digest)]
    assert ew.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'evidence_received' AND object = ?",
                           (f"evidence:{res.item_id}",)).fetchone()[0] == 1
    assert list((ew.evidence_dir / intake.INCOMING).iterdir()) == []


def test_same_file_again_is_linked_not_stored_twice(ew: EvidenceWorld, video: Path) -> None:
    first = take(ew, video)
    again = take(ew, video, recipient=ew.other_recipient)
    assert again.linked and again.item_id == first.item_id
    files = [p for p in ew.evidence_dir.rglob("*") if p.is_file()]
    assert len(files) == 1
    assert store.links(ew.conn, first.item_id) == [(ew.request_id, ew.recipients[0]),
                                                  (ew.other_request_id, ew.other_recipient)]
    assert [e.kind for e in store.events(ew.conn, item_id=first.item_id)] == ["received", "linked"]
    assert [i.id for i in store.items(ew.conn, ew.other_request_id)] == [first.item_id]


def test_non_media_only_when_accepted_and_only_on_a_shared_answer(ew: EvidenceWorld, tmp_path: Path) -> None:
    junk = write_not_media(tmp_path / "notes.bin")
    assert intake.not_media([junk]) == [junk]
    with pytest.raises(intake.NotMediaError):
        take(ew, junk)
    assert ew.conn.execute("SELECT count(*) FROM evidence_items").fetchone()[0] == 0
    res = take(ew, junk, accept_non_media=True)
    item = store.get_item(ew.conn, res.item_id)
    assert not item.is_media and item.media_info == "{}" and item.stored_path.endswith(".bin")
    with pytest.raises(intake.IntakeError, match="shared"):
        intake.check_intake(ew.session("ana"), ew.pending_recipient)
    with pytest.raises(PermissionDenied):
        intake.check_intake(ew.session("aud"), ew.recipients[0])


def test_cancel_leaves_nothing(ew: EvidenceWorld, video: Path) -> None:
    class Stop(Exception):
        pass

    def check() -> None:
        raise Stop()

    with pytest.raises(Stop):
        take(ew, video, check=check)
    assert [p for p in ew.evidence_dir.rglob("*") if p.is_file()] == []
    assert ew.conn.execute("SELECT count(*) FROM evidence_items").fetchone()[0] == 0


def test_derived_item_is_stored_linked_and_recorded_on_both(ew: EvidenceWorld, video: Path, tmp_path: Path) -> None:
    parent = take(ew, video, offset=intake.ClockOffset(-5.0, "entered")).item_id
    svc = EvidenceService(ew.session("ana"), ew.evidence_dir)
    assert svc.item_path(parent).is_file()
    assert svc.media_info(parent)["fps"] == 25.0
    still = tmp_path / "still.png"
    still.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
    child = svc.add_derived_item(parent, still, "still", {"position_s": 0.4, "frame": 10})
    assert still.exists()  # the source is left alone
    item = svc.item(child)
    assert (item.derived_from, item.derived_kind, item.clock_offset_s) == (parent, "still", -5.0)
    assert json.loads(item.derivation) == {"frame": 10, "position_s": 0.4}
    assert store.links(ew.conn, child) == store.links(ew.conn, parent)
    assert [e.kind for e in store.events(ew.conn, item_id=parent)] == ["received", "still"]
    child_events = store.events(ew.conn, item_id=child)
    assert [e.kind for e in child_events] == ["received"]
    assert json.loads(child_events[0].details)["derived_from"] == parent
    svc.record_custody(parent, "viewed", {"from_s": 0.0, "to_s": 0.8})
    with pytest.raises(custody.CustodyError):
        svc.record_custody(parent, "purged", {})
    assert [e.kind for e in custody.timeline(ew.session("ana"), parent)] == ["received", "still", "viewed"]
    with pytest.raises(EvidenceError):
        svc.item(9999)


def test_custody_report_csv_per_request(ew: EvidenceWorld, video: Path, tmp_path: Path) -> None:
    a = take(ew, video).item_id
    custody.record_custody(ew.session("ana"), a, CustodyKind.VIEWED, {"to_s": 1.0}, now=NOW)
    out = tmp_path / "custody.csv"
    assert custody.export_report_csv(ew.session("ana"), out, request_id=ew.request_id) == 2
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == custody.REPORT_COLUMNS
    assert [r[5] for r in rows[1:]] == ["Received", "Viewed"]
    assert rows[1][2] == rows[1][7] == store.get_item(ew.conn, a).sha256
    assert ew.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'custody_report_exported'").fetchone()[0] == 1


def test_custody_report_pdf_is_landscape_letter_pages(qapp, ew: EvidenceWorld, video: Path,  # noqa: ANN001
                                                      tmp_path: Path) -> None:
    from app.views.evidence.custody_pdf import write_report_pdf

    a = take(ew, video).item_id
    for i in range(60):  # enough events for a second page
        custody.record_custody(ew.session("ana"), a, CustodyKind.VIEWED, {"to_s": i / 10}, now=NOW)
    rows = custody.report_rows(ew.session("ana"), request_id=ew.request_id)
    out = tmp_path / "custody.pdf"
    pages = write_report_pdf(out, "Chain of custody — request 1", rows, "62:" + "ab" * 32)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and pages >= 2
    assert f"/Count {pages}".encode() in data
    assert data.count(b"/MediaBox [0 0 792.000000 612.000000]") == pages  # US Letter, landscape


def test_cleanup_removes_part_files_and_unrecorded_files_and_logs(ew: EvidenceWorld, video: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    kept = take(ew, video)
    inc = ew.evidence_dir / intake.INCOMING
    (inc / "dead.part").write_bytes(b"half")
    orphan = ew.evidence_dir / "ff" / ("f" * 64 + ".mp4")
    orphan.parent.mkdir()
    orphan.write_bytes(b"renamed but never recorded")
    with caplog.at_level("WARNING"):
        report = intake.cleanup_leftovers(ew.conn, ew.evidence_dir)
    assert report.part_files == ["dead.part"] and report.orphans == [f"ff/{'f' * 64}.mp4"]
    assert not orphan.exists() and (ew.evidence_dir / store.get_item(ew.conn, kept.item_id).stored_path).exists()
    assert "dead.part" in caplog.text and "no evidence item records" in caplog.text
    assert intake.cleanup_leftovers(ew.conn, ew.evidence_dir).count == 0


def test_migration_to_the_evidence_step_keeps_custody_rows_and_widens_the_kinds(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "old.sqlite3", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    step = MIGRATIONS.index(V6_EVIDENCE)
    migrate(conn, tmp_path / "old.sqlite3", None, MIGRATIONS[:step])
    conn.execute("INSERT INTO agencies (name, kind) VALUES ('A', 'police')")
    conn.execute("INSERT INTO footage_requests (agency_id, case_number, offense_category, area_kind, area_json, "
                 "window_start, window_end, created_at) VALUES (1, 'C', 'x', 'circle', '{}', 'a', 'b', 'c')")
    conn.execute("INSERT INTO evidence_items (request_id, original_name, stored_path, sha256, size_bytes, "
                 "received_at) VALUES (1, 'a.mp4', 'x', 'h', 1, 't')")
    conn.execute("INSERT INTO custody_events (evidence_id, kind, at, details) VALUES (1, 'viewed', 't', '')")
    assert migrate(conn, tmp_path / "old.sqlite3", None) == len(MIGRATIONS) - step
    assert conn.execute("SELECT kind, details, actor FROM custody_events").fetchall() == [("viewed", "{}", "")]
    conn.execute("INSERT INTO custody_events (evidence_id, kind, at) VALUES (1, 'redacted', 't')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO custody_events (evidence_id, kind, at) VALUES (1, 'teleported', 't')")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM custody_events")
    conn.close()
