"""A world for evidence tests: the request world plus sent requests whose owners shared footage.

Plain SQL (like tests.request_world), so the evidence tests do not depend on the request services' layout.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from app.core.records import to_iso
from app.services.session import Session
from app.store.db import open_store, transaction
from tests.request_world import GOOD_FENCE, NOW, World, build_world


@dataclass
class EvidenceWorld:
    world: World
    evidence_dir: Path
    request_id: int
    recipients: list[int]          # shared answers of request_id, one per owner A, B, C
    other_request_id: int
    other_recipient: int           # a shared answer of the second request (owner A again)
    pending_recipient: int         # an answer that is still pending (files may not be attached)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.world.conn

    def session(self, name: str) -> Session:
        return self.world.session(name)


def add_sent_request(conn: sqlite3.Connection, w: World, case: str, public_no: int,
                     sent_at: datetime = NOW) -> int:
    cur = conn.execute(
        "INSERT INTO footage_requests (agency_id, case_number, incident_id, offense_category, area_kind, area_json, "
        "window_start, window_end, created_by, created_at, approved_by, approved_at, sent_at, expires_at, state, "
        "public_no) VALUES (?, ?, ?, 'robbery', 'circle', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?)",
        (w.agency_id, case, w.incident_id, json.dumps(GOOD_FENCE.to_json()), to_iso(sent_at - timedelta(hours=5)),
         to_iso(sent_at - timedelta(hours=3)),
         w.users["ana"].id, to_iso(sent_at), w.users["sam"].id, to_iso(sent_at), to_iso(sent_at),
         to_iso(sent_at + timedelta(days=7)), public_no))
    return int(cur.lastrowid or 0)


def add_recipient(conn: sqlite3.Connection, request_id: int, owner_id: int, state: str = "shared") -> int:
    cam = conn.execute("SELECT id FROM cameras WHERE owner_id = ? ORDER BY id LIMIT 1", (owner_id,)).fetchone()[0]
    cur = conn.execute("INSERT INTO recipients (request_id, camera_id, owner_id, state, responded_at) VALUES "
                       "(?, ?, ?, ?, ?)", (request_id, cam, owner_id, state, to_iso(NOW) if state != "pending"
                                           else None))
    return int(cur.lastrowid or 0)


def resolve(conn: sqlite3.Connection, request_id: int, at: datetime) -> None:
    with transaction(conn):
        conn.execute("UPDATE footage_requests SET state = 'resolved', resolved_at = ? WHERE id = ?",
                     (to_iso(at), request_id))


def build_evidence_world(tmp_path: Path) -> EvidenceWorld:
    conn = open_store(tmp_path / "canvass.sqlite3")
    w = build_world(conn)
    a, b, c, d, _e = w.owner_ids
    with transaction(conn):
        rid = add_sent_request(conn, w, "BPD-14-000123", 1)
        recips = [add_recipient(conn, rid, o) for o in (a, b, c)]
        pending = add_recipient(conn, rid, d, "pending")
        rid2 = add_sent_request(conn, w, "BPD-14-000999", 2)
        other = add_recipient(conn, rid2, a)
    evidence_dir = tmp_path / "evidence"
    return EvidenceWorld(w, evidence_dir, rid, recips, rid2, other, pending)
