"""The store on real SQLite files: pragmas, private files, migrations with a backup, refusals, recovery, guards."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from app import paths as app_paths
from app.store import audit
from app.store.backup_copies import backup_copy
from app.store.db import (
    NewerStoreError,
    connect,
    migrate,
    open_store,
    transaction,
    user_version,
)
from app.store.schema import MIGRATIONS, SCHEMA_VERSION

NOW = "2025-01-01T00:00:00Z"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _add_owner_and_camera(conn: sqlite3.Connection, name: str = "Avery Abbott") -> None:
    conn.execute("INSERT INTO owners (id, display_name, anonymity_no, created_at) VALUES (1, ?, 1, ?)", (name, NOW))
    conn.execute("INSERT INTO cameras (owner_id, lat, lon, kind, source, registered_on) "
                 "VALUES (1, 44.63, -124.03, 'doorbell', 'self_registered', ?)", (NOW,))


def test_fresh_store_is_current_wal_with_foreign_keys_and_private(tmp_path: Path) -> None:
    paths = app_paths.init(tmp_path / "data")
    conn = open_store(paths.db_path, paths.backup_dir)
    try:
        assert user_version(conn) == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        conn.execute("INSERT INTO settings (key, value, changed_at) VALUES ('k', '1', ?)", (NOW,))
        for f in (paths.db_path, Path(str(paths.db_path) + "-wal")):
            assert _mode(f) == 0o600, f
        assert _mode(paths.data_dir) == 0o700
        with pytest.raises(sqlite3.IntegrityError):  # foreign keys are enforced, not just declared
            conn.execute("INSERT INTO cameras (owner_id, lat, lon, kind, source, registered_on) "
                         "VALUES (99, 1, 1, 'doorbell', 'imported', ?)", (NOW,))
    finally:
        conn.close()


def test_upgrading_a_version_1_store_keeps_rows_and_backs_up_first(tmp_path: Path) -> None:
    path, backups = tmp_path / "old.sqlite3", tmp_path / "backups"
    conn = connect(path)
    assert migrate(conn, path, backups, migrations=MIGRATIONS[:1]) == 1
    assert user_version(conn) == 1
    _add_owner_and_camera(conn)
    conn.execute("INSERT INTO audit_log (seq, at, actor, action, prev_hash, hash) VALUES (1, ?, 'a', 'x', '0', '1')",
                 (NOW,))
    conn.execute("DELETE FROM audit_log")  # version 1 had no append-only guard yet
    conn.close()
    assert not backups.exists() or not list(backups.iterdir())

    conn = open_store(path, backups)
    try:
        assert user_version(conn) == SCHEMA_VERSION
        assert conn.execute("SELECT display_name FROM owners").fetchall() == [("Avery Abbott",)]
        assert conn.execute("SELECT COUNT(*) FROM cameras").fetchone()[0] == 1
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")}
        assert {"cameras_owner", "audit_log_no_update"} <= indexes
    finally:
        conn.close()
    copies = list(backups.glob("*.sqlite3"))
    assert len(copies) == 1
    old = sqlite3.connect(copies[0])
    try:  # the copy is the database as it was before the step, rows included
        assert user_version(old) == 1
        assert old.execute("SELECT COUNT(*) FROM cameras").fetchone()[0] == 1
    finally:
        old.close()
    assert _mode(copies[0]) == 0o600


def test_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    conn = open_store(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(NewerStoreError, match="newer Canvass"):
        open_store(path).close()
    check = sqlite3.connect(path)
    assert user_version(check) == SCHEMA_VERSION + 1  # left alone
    check.close()


def test_corrupt_store_offers_the_latest_backup_and_keeps_the_broken_file(tmp_path: Path, qapp) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QMessageBox

    from app.startup import open_store_interactive

    paths = app_paths.init(tmp_path / "data")
    conn = open_store(paths.db_path, paths.backup_dir)
    _add_owner_and_camera(conn, "Backed Up")
    backup_copy(conn, paths.db_path, paths.backup_dir, "launch")
    conn.execute("UPDATE owners SET display_name = 'After backup'")
    conn.close()
    size = paths.db_path.stat().st_size
    paths.db_path.write_bytes(bytes((i * 37 + 11) % 256 for i in range(size)))

    asked: list[tuple] = []

    def ask(icon, title, text, buttons=None, default=None):  # noqa: ANN001, ANN202 - show_message's signature
        asked.append((icon, title, text, buttons))
        return QMessageBox.StandardButton.Yes

    restored = open_store_interactive(paths, ask)
    assert restored is not None
    try:
        assert len(asked) == 1
        assert "Restore the most recent backup" in asked[0][2] and "launch" in asked[0][2]
        assert asked[0][3] & QMessageBox.StandardButton.Yes
        assert restored.execute("SELECT display_name FROM owners").fetchall() == [("Backed Up",)]
        assert user_version(restored) == SCHEMA_VERSION
    finally:
        restored.close()
    broken = list(paths.data_dir.glob("canvass.sqlite3.broken-*"))
    assert len(broken) == 1 and broken[0].stat().st_size == size


def test_corrupt_store_declined_restore_returns_none(tmp_path: Path, qapp) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QMessageBox

    from app.startup import open_store_interactive

    paths = app_paths.init(tmp_path / "data")
    conn = open_store(paths.db_path, paths.backup_dir)
    backup_copy(conn, paths.db_path, paths.backup_dir, "launch")
    conn.close()
    paths.db_path.write_bytes(b"not a database at all" * 300)
    assert open_store_interactive(paths, lambda *a, **k: QMessageBox.StandardButton.No) is None
    assert paths.db_path.read_bytes().startswith(b"not a database")  # untouched when the user says No


def test_audit_log_is_append_only(tmp_path: Path) -> None:
    conn = open_store(tmp_path / "s.sqlite3")
    try:
        with transaction(conn):
            audit.append(conn, "tester", "camera_added", "camera:1", {"k": 1})
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE audit_log SET actor = 'someone else'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit_log")
        assert conn.execute("SELECT actor FROM audit_log").fetchall() == [("tester",)]
    finally:
        conn.close()


def test_request_in_the_public_log_cannot_be_deleted(tmp_path: Path) -> None:
    conn = open_store(tmp_path / "s.sqlite3")
    try:
        conn.execute("INSERT INTO agencies (id, name, kind) VALUES (1, 'HFPD', 'police')")
        for rid, public_no in ((1, None), (2, 1)):
            conn.execute(
                "INSERT INTO footage_requests (id, agency_id, case_number, offense_category, area_kind, area_json,"
                " window_start, window_end, created_at, state, public_no) VALUES (?, 1, 'HF-2025-00001', 'burglary',"
                " 'circle', '{}', ?, ?, ?, ?, ?)", (rid, NOW, NOW, NOW, "draft" if public_no is None else "sent",
                                                   public_no))
        conn.execute("DELETE FROM footage_requests WHERE id = 1")  # a draft may go
        with pytest.raises(sqlite3.IntegrityError, match="public log"):
            conn.execute("DELETE FROM footage_requests WHERE id = 2")
        assert conn.execute("SELECT id FROM footage_requests").fetchall() == [(2,)]
    finally:
        conn.close()


def test_transaction_rolls_back_on_exception(tmp_path: Path) -> None:
    conn = open_store(tmp_path / "s.sqlite3")
    try:
        with pytest.raises(RuntimeError), transaction(conn):
            _add_owner_and_camera(conn)
            raise RuntimeError("interrupted half-way")
        assert not conn.in_transaction
        assert conn.execute("SELECT COUNT(*) FROM owners").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM cameras").fetchone()[0] == 0
        with transaction(conn):
            _add_owner_and_camera(conn)
        assert conn.execute("SELECT COUNT(*) FROM cameras").fetchone()[0] == 1
    finally:
        conn.close()
