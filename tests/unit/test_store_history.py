"""Never lose the store's history (issue 9, points 1–4): damaged, missing and unwritable stores, on real files."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app import paths as app_paths
from app.paths import DB_NAME
from app.store import audit, audit_head, backup_copies, db, write_gate

ROOT = Path(__file__).resolve().parents[2]
GOOD = "id,lat,lon,kind\nc1,39.30,-76.61,doorbell\nc2,39.31,-76.62,floodlight\n"


def _store(data: Path, cameras: int = 0) -> app_paths.Paths:
    p = app_paths.init(data)
    conn = db.open_store(p.db_path, p.backup_dir)
    with db.transaction(conn):
        audit.append(conn, "admin", "user_created", "user:admin", {})
        conn.executemany("INSERT INTO cameras (lat, lon, kind, source, registered_on, label) VALUES "
                         "(?, ?, 'doorbell', 'imported', '2026-01-01T00:00:00Z', ?)",
                         [(39 + i * 1e-5, -76, "x" * 100) for i in range(cameras)])
    backup_copies.backup_copy(conn, p.db_path, p.backup_dir, "launch")
    conn.close()
    return p


def _csv(tmp_path: Path, rows: int = 2) -> Path:
    src = tmp_path / "cams.csv"
    if rows == 2:
        src.write_text(GOOD, encoding="utf-8")
    else:
        src.write_text("id,lat,lon,kind,label\n" + "".join(f"n{i},39.{i:06d},-76.5,doorbell,{'y' * 200}\n"
                                                          for i in range(rows)), encoding="utf-8")
    return src


def _count(path: Path, sql: str = "SELECT count(*) FROM cameras") -> int:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def _cli(*argv: str, **kw) -> subprocess.CompletedProcess:  # noqa: ANN003
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "app", *argv], capture_output=True, text=True, env=env,
                          timeout=120, **kw)


# --- 1. a store that has not passed its check is never written -----------------------------------------------
def test_large_damaged_store_refuses_the_cli_import(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    p = _store(tmp_path / "data", cameras=3000)
    conn = db.connect(p.db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(p.db_path.read_bytes())
    for offset in range(len(data) * 5 // 10, len(data) * 6 // 10):  # garbage in the middle; header and schema fine
        data[offset] = 0x5A
    p.db_path.write_bytes(bytes(data))
    before = p.db_path.read_bytes()
    monkeypatch.setattr(db, "FULL_CHECK_AT_OPEN_MAX_BYTES", 0)  # "large": today only the cheap check ran
    assert cli.main(["import", str(_csv(tmp_path)), "--data-dir", str(p.data_dir)]) == 1
    err = capsys.readouterr().err
    assert "cannot be read" in err and "malformed" in err
    assert p.db_path.read_bytes() == before


def test_pending_check_lets_only_audit_entries_through(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    p = _store(tmp_path / "data", cameras=10)
    monkeypatch.setattr(db, "FULL_CHECK_AT_OPEN_MAX_BYTES", 0)
    conn = db.open_store(p.db_path, p.backup_dir, defer_full_check=True)
    try:
        with db.transaction(conn):  # signing in while the check runs is recorded
            audit.append(conn, "ana", "sign_in", "user:ana", {})
        with pytest.raises(db.StoreNotWritable, match="still being checked"):
            db.require_writable(conn)
        with pytest.raises(db.StoreNotWritable):
            with db.transaction(conn):
                conn.execute("DELETE FROM cameras")
                audit.append(conn, "ana", "camera_delete", "cameras", {})
        assert _count(p.db_path) == 10
        write_gate.mark_checked(p.db_path)
        with db.transaction(conn):
            conn.execute("DELETE FROM cameras WHERE id = 1")
        assert _count(p.db_path) == 9
    finally:
        conn.close()


# --- 2. an empty, missing or table-less store where one existed is damage -------------------------------------
@pytest.mark.parametrize("damage", ["empty", "missing", "no_tables"])
def test_lost_store_is_not_replaced_by_a_fresh_one(tmp_path: Path, damage: str, capsys) -> None:  # noqa: ANN001
    p = _store(tmp_path / "data", cameras=5)
    for suffix in ("-wal", "-shm"):
        Path(str(p.db_path) + suffix).unlink(missing_ok=True)
    if damage == "empty":
        os.truncate(p.db_path, 0)
    elif damage == "missing":
        p.db_path.unlink()
    else:
        p.db_path.unlink()
        sqlite3.connect(p.db_path).execute("PRAGMA user_version = 0").connection.close()
        sqlite3.connect(p.db_path).execute("VACUUM").connection.close()
    before = p.db_path.read_bytes() if p.db_path.exists() else None
    assert cli.main(["import", str(_csv(tmp_path)), "--data-dir", str(p.data_dir)]) == 1
    err = capsys.readouterr().err
    assert "does not start a new, empty store" in err
    assert "The latest backup is canvass-launch-" in err and "made just now" in err
    assert (p.db_path.read_bytes() if p.db_path.exists() else None) == before


def test_restoring_the_offered_backup_keeps_the_damaged_file_and_is_audited(tmp_path: Path) -> None:
    from app.startup import open_store_interactive

    p = _store(tmp_path / "data", cameras=5)
    os.truncate(p.db_path, 0)
    asked: list[str] = []

    def ask(icon, title, text, *rest):  # noqa: ANN001, ANN202
        asked.append(text)
        from PySide6.QtWidgets import QMessageBox

        return QMessageBox.StandardButton.Yes

    conn = open_store_interactive(p, ask)
    assert conn is not None
    try:
        assert "Restore the most recent backup?" in asked[0] and "made just now" in asked[0]
        assert conn.execute("SELECT count(*) FROM cameras").fetchone()[0] == 5
        assert [f.stat().st_size for f in p.data_dir.glob(f"{DB_NAME}.broken-*")] == [0]  # kept, not deleted
        last = conn.execute("SELECT action, details FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        assert last[0] == "store_restored" and "canvass-launch-" in last[1]
        assert audit.verify(conn).ok
    finally:
        conn.close()


def test_first_launch_still_opens_the_demo(tmp_path: Path) -> None:
    import argparse

    from app.gui import choose_paths

    chosen, demo = choose_paths(argparse.Namespace(data_dir=str(tmp_path / "fresh"), demo=False))
    assert demo
    p = _store(tmp_path / "used")
    p.db_path.unlink()
    chosen, demo = choose_paths(argparse.Namespace(data_dir=str(p.data_dir), demo=False))
    assert not demo and chosen.db_path == p.db_path  # a vanished store is not a first launch


# --- 3. the CLI honours the window's single-writer lock --------------------------------------------------------
def test_cli_import_is_refused_while_the_window_holds_the_folder(tmp_path: Path) -> None:
    from app.gui import acquire_lock

    p = _store(tmp_path / "data")
    lock = acquire_lock(p.lock_path)  # this test process plays the open window
    assert lock is not None
    try:
        run = _cli("import", str(_csv(tmp_path)), "--data-dir", str(p.data_dir))
    finally:
        lock.unlock()
    assert run.returncode == 1, run.stderr
    assert f"Canvass (process {os.getpid()}" in run.stderr and str(p.data_dir) in run.stderr
    assert "Traceback" not in run.stderr
    assert _count(p.db_path) == 0
    again = _cli("import", str(_csv(tmp_path)), "--data-dir", str(p.data_dir))
    assert again.returncode == 0, again.stderr
    assert _count(p.db_path) == 2


# --- 4. full disk, read-only folder, vanished file ------------------------------------------------------------
def _fsize_limit(limit: int):  # noqa: ANN202
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_full_disk_during_import_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    p = _store(tmp_path / "data", cameras=50)
    src = _csv(tmp_path, rows=4000)
    head_before = audit_head.read_head(p.db_path)
    # No file may grow past 300 kB: the import's WAL runs into it, as into a full disk.
    run = _cli("import", str(src), "--data-dir", str(p.data_dir), preexec_fn=_fsize_limit(300_000))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Nothing was saved" in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert _count(p.db_path) == 50
    conn = db.connect(p.db_path)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert audit.verify(conn).ok and audit.current_head(conn) == head_before
    finally:
        conn.close()


def _make_read_only(folder: Path) -> list[Path]:
    """The folder and its files read-only, as on a read-only mount: for root (who writes anywhere) with the immutable
    attribute, otherwise with permissions. Returns what to undo with chattr -i."""
    items = [folder, *sorted(folder.rglob("*"))]
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", *map(str, items)], check=True)
        return items
    for f in reversed(items):
        os.chmod(f, 0o555 if f.is_dir() else 0o444)
    return []


def test_read_only_folder_gives_a_message_not_a_traceback(tmp_path: Path) -> None:
    p = _store(tmp_path / "data", cameras=3)
    src = _csv(tmp_path)
    before = p.db_path.read_bytes()
    frozen = _make_read_only(p.data_dir)
    try:
        run = _cli("import", str(src), "--data-dir", str(p.data_dir))
    finally:
        if frozen:
            subprocess.run(["chattr", "-i", *map(str, frozen)], check=True)
        for f in [p.data_dir, *p.data_dir.rglob("*")]:
            os.chmod(f, 0o700 if f.is_dir() else 0o600)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert "read-only" in run.stderr, run.stderr
    assert p.db_path.read_bytes() == before and _count(p.db_path) == 3


def test_vanished_file_during_a_write_is_a_clear_message(tmp_path: Path) -> None:
    p = _store(tmp_path / "data", cameras=3)
    conn = db.open_store(p.db_path, p.backup_dir)
    try:
        for f in (p.db_path, Path(str(p.db_path) + "-wal"), Path(str(p.db_path) + "-shm")):
            f.rename(tmp_path / f.name)  # the folder's disk was unplugged, or someone moved the file
        with pytest.raises(db.StoreWriteError, match="moved or deleted while Canvass had it open"):
            with db.transaction(conn):
                conn.execute("DELETE FROM cameras")
                audit.append(conn, "ana", "camera_delete", "cameras", {})
        assert isinstance(db.StoreWriteError("x"), sqlite3.OperationalError)  # old handlers still catch it
    finally:
        conn.close()
    assert _count(tmp_path / DB_NAME) == 3


def test_disk_full_inside_the_store_is_a_clear_message(tmp_path: Path) -> None:
    p = _store(tmp_path / "data")
    conn = db.open_store(p.db_path, p.backup_dir)
    try:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own "disk full"
        with pytest.raises(db.StoreWriteError, match="is full"):
            with db.transaction(conn):
                conn.executemany("INSERT INTO settings (key, value, changed_at) VALUES (?, ?, '2026')",
                                 [(f"k{i}", "v" * 500) for i in range(200)])
        assert conn.execute("SELECT count(*) FROM settings").fetchone()[0] == 0
    finally:
        conn.close()
