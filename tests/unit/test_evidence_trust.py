"""The evidence services trust no caller (issue 9, point 15): intake checks the answer and the user against the
store at the write, a package's custody records carry the store's hashes and a real approver, and a verification
run records only checks of the hashes the store holds. Over a real store and real files."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from app.core.records import Role
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
