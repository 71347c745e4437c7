"""The Audit Log tab's Verify checks what `canvass verify-audit` checks: a cut-off tail shows through the head file."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.core.records import Role
from app.services.accountability import auth
from app.services.session import User
from app.store import audit as audit_store


def test_verify_button_finds_a_cut_tail_through_the_head_file(make_window, qtbot) -> None:  # noqa: ANN001
    window = make_window(role="supervisor", name="placeholder")
    conn = window.ctx.conn
    auth.ensure_demo_users(conn)
    row = conn.execute("SELECT id, name, role FROM users WHERE name = 'sue'").fetchone()
    window.ctx.session.set_user(User(row[0], row[1], Role(row[2])))
    with window.ctx.session.atomic():
        for i in range(4):
            audit_store.append(conn, "sam", "request_approved", f"request:{i}")
    last = audit_store.current_head(conn).seq
    raw = sqlite3.connect(window.ctx.paths.db_path, isolation_level=None)
    raw.execute("DROP TRIGGER audit_log_no_delete")
    raw.execute(f"DELETE FROM audit_log WHERE seq > {last - 2}")  # cut the tail: the chain alone still checks out
    raw.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, "
                "'audit_log is append-only'); END")
    raw.close()
    qtbot.mouseClick(window.features["accountability"].audit_tab.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "audit_message") is not None, timeout=10000)
    box = window.findChild(QMessageBox, "audit_message")
    assert box.windowTitle() == "Audit log is broken"
    assert f"the log ends at entry {last - 2} but its head file names entry {last}" in box.text()
    box.close()
