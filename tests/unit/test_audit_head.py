"""The audit head kept outside the database (issue 9, point 5): the head file beside the store and its backups."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from app import paths as app_paths
from app.store import audit, audit_head, backup_copies, db, write_gate
from app.store.schema import MIGRATIONS


@pytest.fixture
def p(tmp_path: Path) -> app_paths.Paths:
    return app_paths.init(tmp_path / "data")


def _append(conn: sqlite3.Connection, n: int) -> None:
    with db.transaction(conn):
        for i in range(n):
            audit.append(conn, "sue", "request_approved", f"request:{i}", {"i": i})


def _raw(path: Path, *sql: str) -> None:
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    raw.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    for s in sql:
        raw.execute(s)
    raw.close()


def test_every_commit_writes_the_head_file_private_and_synced(p: app_paths.Paths) -> None:
    conn = db.open_store(p.db_path, p.backup_dir)
    try:
        hp = audit_head.head_path(p.db_path)
        assert hp == p.data_dir / "canvass.audit-head.json" and not hp.exists()
        _append(conn, 3)
        data = json.loads(hp.read_text())
        assert (data["seq"], data["hash"]) == (3, audit.current_head(conn).hash)
        assert stat.S_IMODE(hp.stat().st_mode) == 0o600
        audit.append(conn, "sue", "sign_out", "user:sue")  # outside a transaction: committed on its own
        assert audit_head.read_head(p.db_path).seq == 4
        with pytest.raises(RuntimeError):
            with db.transaction(conn):
                audit.append(conn, "sue", "x")
                raise RuntimeError("rolled back")
        assert audit_head.read_head(p.db_path) == audit.current_head(conn)
        assert audit_head.read_head(p.db_path).seq == 4
    finally:
        conn.close()


def test_backups_carry_their_own_head(p: app_paths.Paths) -> None:
    conn = db.open_store(p.db_path, p.backup_dir)
    try:
        _append(conn, 2)
        copy = backup_copies.backup_copy(conn, p.db_path, p.backup_dir, "launch")
        _append(conn, 2)
    finally:
        conn.close()
    kept = audit_head.read_head(copy)
    assert kept is not None and kept.seq == 2
    assert audit_head.read_head(p.db_path).seq == 4


@pytest.mark.parametrize("tamper", ["cut_tail", "rechained", "emptied"])
def test_a_log_that_no_longer_reaches_its_head_closes_the_store(p: app_paths.Paths, tamper: str) -> None:
    conn = db.open_store(p.db_path, p.backup_dir)
    _append(conn, 5)
    conn.close()
    if tamper == "cut_tail":
        _raw(p.db_path, "DELETE FROM audit_log WHERE seq > 3")
    elif tamper == "emptied":
        _raw(p.db_path, "DELETE FROM audit_log")
    else:  # edit entry 2 and recompute every hash after it: the chain alone checks out again
        _raw(p.db_path, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
        raw = sqlite3.connect(p.db_path, isolation_level=None)
        prev = audit.GENESIS_HASH
        for row in raw.execute("SELECT seq, at, actor, action, object, details FROM audit_log ORDER BY seq").fetchall():
            digest = audit.entry_hash(prev, *row)
            raw.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, row[0]))
            prev = digest
        assert audit.verify(raw).ok
        raw.close()
    conn = db.open_store(p.db_path, p.backup_dir)
    try:
        state, reason = write_gate.write_refusal(conn)
        assert state == write_gate.FAILED and "does not match its head file" in reason
        with pytest.raises(db.StoreNotWritable):
            _append(conn, 1)
    finally:
        conn.close()


def test_a_store_from_before_head_files_is_anchored_once_and_says_so(p: app_paths.Paths) -> None:
    conn = db.connect(p.db_path)
    db.migrate(conn, p.db_path, p.backup_dir, migrations=MIGRATIONS[:2])
    with db.transaction(conn):
        audit.append(conn, "sue", "request_approved", "request:1")
    conn.close()
    audit_head.head_path(p.db_path).unlink()  # it did not exist before this version
    conn = db.open_store(p.db_path, p.backup_dir)
    try:
        assert write_gate.write_refusal(conn) is None
        last = conn.execute("SELECT action, details FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        assert last[0] == "audit_head_anchored" and json.loads(last[1])["anchored_seq"] == 1
        assert audit_head.read_head(p.db_path) == audit.current_head(conn)
    finally:
        conn.close()
