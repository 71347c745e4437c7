"""The real launch shows the window first and installs the heavy features right after the first paint."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app import paths as app_paths
from app.context import AppContext
from app.core.records import Role
from app.services.session import Session, User
from app.store import backup_copies, db
from app.store.backups import rotate_launch_backup
from app.views.data import store_check
from app.views.main_window import MainWindow
from app.views.widgets.placeholder import PlaceholderPanel


def _window(qtbot, tmp_path: Path, defer: bool) -> MainWindow:  # noqa: ANN001
    p = app_paths.init(tmp_path / "store")
    conn = db.open_store(p.db_path, p.backup_dir)
    window = MainWindow(AppContext(p, conn, Session(conn, User(None, "t", Role.SUPERVISOR))), defer_features=defer)
    qtbot.addWidget(window)
    return window


def test_features_install_after_the_first_paint(qtbot, qsettings, tmp_path: Path) -> None:  # noqa: ANN001
    window = _window(qtbot, tmp_path, defer=True)
    assert isinstance(window.tab("registry"), PlaceholderPanel)
    assert not window.features_ready
    seen: list[Path] = []
    window.import_requested.connect(seen.append)
    window.queue_import(tmp_path / "cams.csv")  # as from the command line, before the window shows
    with qtbot.waitSignal(window.first_shown, timeout=5000):
        window.show()
    assert window.features_ready
    assert not isinstance(window.tab("registry"), PlaceholderPanel)
    assert not isinstance(window.tab("requests"), PlaceholderPanel)
    assert not isinstance(window.tab("evidence"), PlaceholderPanel)  # built, and installed early (light)
    qtbot.waitUntil(lambda: seen == [tmp_path / "cams.csv"])
    window.close()
    window.ctx.conn.close()


def _damaged_store(tmp_path: Path) -> app_paths.Paths:
    paths = app_paths.init(tmp_path / "data")
    conn = db.open_store(paths.db_path, paths.backup_dir)
    with db.transaction(conn):
        conn.executemany("INSERT INTO settings (key, value, changed_at) VALUES (?, ?, '2026-01-01T00:00:00Z')",
                         [(f"k{i}", "x" * 200) for i in range(4000)])
    backup_copies.backup_copy(conn, paths.db_path, paths.backup_dir, "launch")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(paths.db_path.read_bytes())
    # Damage pages late in the file (the settings rows written last); the header and schema stay readable.
    for offset in range(len(data) * 6 // 10, len(data) * 8 // 10):
        data[offset] = 0xA5
    paths.db_path.write_bytes(bytes(data))
    return paths


def test_large_store_damage_found_after_start_and_never_backed_up(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    paths = _damaged_store(tmp_path)
    monkeypatch.setattr(db, "FULL_CHECK_AT_OPEN_MAX_BYTES", 0)  # treat it as large: only the cheap check at open
    conn = db.open_store(paths.db_path, paths.backup_dir, defer_full_check=True)
    try:
        # Until the full check has passed, nothing but audit entries (signing in) may be written.
        with pytest.raises(db.StoreNotWritable, match="still being checked"):
            with db.transaction(conn):
                conn.execute("INSERT INTO settings (key, value, changed_at) VALUES ('x', '1', '2026-01-02')")
        before = sorted(paths.backup_dir.glob("*.sqlite3"))
        problem = rotate_launch_backup(paths.db_path, paths.backup_dir, check=True)
        assert problem and "cannot be read" in problem
        assert sorted(paths.backup_dir.glob("*.sqlite3")) == before  # the damaged store was not copied
        with pytest.raises(db.StoreNotWritable, match="integrity check failed"):  # and never written to
            with db.transaction(conn):
                pass
    finally:
        conn.close()


def test_offer_restore_closes_and_restarts_on_the_backup(qtbot, qsettings, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    window = _window(qtbot, tmp_path, defer=False)
    window.show()
    backup_copies.backup_copy(window.ctx.conn, window.ctx.paths.db_path, window.ctx.paths.backup_dir, "launch")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    store_check.offer_restore(window, "The database cannot be read: page 20 is damaged")
    assert window.restore_on_exit == backup_copies.latest_backup(window.ctx.paths.backup_dir)
    assert window.restart_args == ["--data-dir", str(window.ctx.paths.data_dir)]
    assert not window.isVisible()
    window.ctx.conn.close()
