"""Accountability in the real window: sign-in dialogs, idle lock with a controlled clock, sign out by shortcut,
users dialog, the audit tab's filters, export and verification."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from app.core.records import Role
from app.services.accountability import auth
from app.services.session import Session, User
from app.store import audit as audit_store
from app.views.accountability import sign_in
from app.views.actions import Action


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(auth, "_dummy", [])


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def audit_message(window):  # noqa: ANN001, ANN201
    return window.findChild(QMessageBox, "audit_message")


def demo_window(make_window, name: str = "sue"):  # noqa: ANN001, ANN201
    """A window whose session is a real user of a store holding the demo users (password "demo")."""
    window = make_window(role="analyst", name="placeholder")
    conn = window.ctx.conn
    auth.ensure_demo_users(conn)
    row = conn.execute("SELECT id, name, role FROM users WHERE name = ?", (name,)).fetchone()
    window.ctx.session.set_user(User(row[0], row[1], Role(row[2])))
    return window


def shown(qtbot, window):  # noqa: ANN001, ANN201
    with qtbot.waitActive(window):  # window shortcuts only fire in the active window
        window.show()
        window.activateWindow()
    return window


def actions(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return conn.execute("SELECT actor, action, object FROM audit_log ORDER BY seq").fetchall()


# --- start-up ------------------------------------------------------------------------------------------------------
def test_demo_signs_in_the_demo_analyst(tmp_path: Path) -> None:
    from app.store.db import open_store

    conn = open_store(tmp_path / "db.sqlite3")
    session = sign_in.start_session(conn, demo=True)
    assert session is not None and session.user.name == "ana" and session.user.role == Role.ANALYST
    assert actions(conn)[-1] == ("ana", "sign_in", "user:ana")
    conn.close()


def test_smoke_run_on_a_store_needing_a_password_returns_none(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from app.store.db import open_store

    monkeypatch.setenv(sign_in.SMOKE_ENV, "100")
    conn = open_store(tmp_path / "db.sqlite3")
    assert sign_in.start_session(conn, demo=False) is None
    conn.close()


def test_first_run_dialog_creates_the_admin(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from app.store.db import open_store

    conn = open_store(tmp_path / "db.sqlite3")
    dialog = sign_in.FirstRunDialog(conn)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name_edit, "chief")
    qtbot.keyClicks(dialog.password_edit, "long enough")
    qtbot.keyClicks(dialog.repeat_edit, "long enougH")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert "differ" in dialog.message.text() and not auth.has_users(conn)
    dialog.password_edit.setText("short")
    dialog.repeat_edit.setText("short")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert "at least 8" in dialog.message.text()
    dialog.password_edit.setText("long enough")
    dialog.repeat_edit.setText("long enough")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.user.name == "chief" and dialog.user.role == Role.ADMIN
    conn.close()


def test_sign_in_dialog_says_wrong_password_and_audits_it(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from app.store.db import open_store

    conn = open_store(tmp_path / "db.sqlite3")
    auth.ensure_demo_users(conn)
    dialog = sign_in.SignInDialog(conn, demo=True)
    qtbot.addWidget(dialog)
    assert dialog.findChild(object, "sign_in_demo_hint") is not None
    qtbot.keyClicks(dialog.form.name_edit, "sam")
    qtbot.keyClick(dialog.form.name_edit, Qt.Key.Key_Return)  # moves to the password, submits nothing
    qtbot.keyClicks(dialog.form.password_edit, "guess")
    qtbot.keyClick(dialog.form.password_edit, Qt.Key.Key_Return)
    assert "the password is wrong" in dialog.form.message.text()
    assert dialog.result() != QDialog.DialogCode.Accepted
    failed = [a for a in actions(conn) if a[1] == "sign_in_failed"]
    assert failed == [("anonymous", "sign_in_failed", "user:sam")]  # one attempt, one entry
    qtbot.keyClicks(dialog.form.password_edit, "demo")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.user.name == "sam"
    conn.close()


def window_lock(window, clock, check_interval_ms: int, idle_min: float | None = None):  # noqa: ANN001, ANN201
    """The window's own idle lock (the one Ctrl+Shift+L and the idle timer use), on a controlled clock."""
    lock = window.features["accountability"].idle_lock
    lock.clock, lock.idle_min, lock.last_activity = clock, idle_min, clock()
    lock.timer.setInterval(check_interval_ms)
    return lock


# --- idle lock and sign out ---------------------------------------------------------------------------------------
def test_idle_lock_with_a_controlled_clock(make_window, qtbot) -> None:  # noqa: ANN001
    window = shown(qtbot, demo_window(make_window, "sue"))
    clock = Clock()
    lock = window_lock(window, clock, check_interval_ms=20, idle_min=10)
    clock.t += 9 * 60
    qtbot.wait(60)
    assert not lock.locked
    qtbot.keyClick(window, Qt.Key.Key_Shift)  # activity restarts the idle time
    clock.t += 9 * 60
    qtbot.wait(60)
    assert not lock.locked
    clock.t += 61
    qtbot.waitUntil(lambda: lock.locked, timeout=2000)
    assert lock.screen.isVisible() and not window.menuBar().isEnabled()
    assert not window.actions[Action.SHOW_AUDIT].isEnabled()
    assert lock.screen.form.name_edit.text() == "sue" and lock.screen.form.name_edit.isReadOnly()
    assert actions(window.ctx.conn)[-1] == ("sue", "session_locked", "user:sue")
    # input while locked does not count as activity, and a wrong password keeps it locked
    qtbot.keyClicks(lock.screen.form.password_edit, "nope")
    qtbot.keyClick(lock.screen.form.password_edit, Qt.Key.Key_Return)
    assert lock.locked and "the password is wrong" in lock.screen.form.message.text()
    qtbot.keyClicks(lock.screen.form.password_edit, "demo")
    qtbot.keyClick(lock.screen.form.password_edit, Qt.Key.Key_Return)
    assert not lock.locked and not lock.screen.isVisible()
    assert window.menuBar().isEnabled() and window.actions[Action.SHOW_AUDIT].isEnabled()
    assert window.ctx.session.user.name == "sue"
    assert [a[1] for a in actions(window.ctx.conn)[-2:]] == ["sign_in_failed", "unlock"]


def test_idle_lock_follows_the_preference(make_window, qtbot) -> None:  # noqa: ANN001
    from app import settings

    window = demo_window(make_window, "sue")
    clock = Clock()
    lock = window_lock(window, clock, check_interval_ms=10_000)
    settings.set("session/idle_lock_min", 0)  # never
    clock.t += 10 * 3600
    lock.check()
    assert not lock.locked
    settings.set("session/idle_lock_min", 2)
    lock.check()
    assert lock.locked


def test_sign_out_shortcut_locks_and_another_user_signs_in(make_window, qtbot) -> None:  # noqa: ANN001
    window = shown(qtbot, demo_window(make_window, "sue"))
    window.undo_stack.push(__import__("PySide6.QtGui", fromlist=["QUndoCommand"]).QUndoCommand("edit"))
    lock = window.features["accountability"].idle_lock
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert lock.locked and window.ctx.session.user is None
    assert window.user_label.text() == "signed out"
    assert actions(window.ctx.conn)[-1] == ("sue", "sign_out", "user:sue")
    form = lock.screen.form
    assert not form.name_edit.isReadOnly() and lock.screen.sign_out_button.isHidden()
    qtbot.keyClicks(form.name_edit, "audrey")
    qtbot.keyClicks(form.password_edit, "demo")
    qtbot.mouseClick(lock.screen.submit_button, Qt.MouseButton.LeftButton)
    assert not lock.locked
    assert window.ctx.session.user.name == "audrey" and window.ctx.session.user.role == Role.AUDITOR
    assert window.user_label.text() == "audrey (auditor)"
    assert window.undo_stack.count() == 0  # sue's edits are not audrey's to undo
    assert actions(window.ctx.conn)[-1] == ("audrey", "sign_in", "user:audrey")


def test_sign_out_from_the_idle_lock(make_window, qtbot) -> None:  # noqa: ANN001
    window = demo_window(make_window, "sam")
    lock = window.features["accountability"].idle_lock
    lock.lock()
    qtbot.mouseClick(lock.screen.sign_out_button, Qt.MouseButton.LeftButton)
    assert lock.locked and window.ctx.session.user is None
    assert actions(window.ctx.conn)[-1][1] == "sign_out"


# --- users dialog -------------------------------------------------------------------------------------------------
def test_admin_manages_users(make_window, qtbot) -> None:  # noqa: ANN001
    window = demo_window(make_window, "admin")
    window.actions[Action.USERS].trigger()
    dialog = window.features["accountability"].users_dialog
    assert dialog.isVisible() and dialog.table.rowCount() == 5
    qtbot.keyClicks(dialog.add_name, "nora")
    dialog.add_role.setCurrentIndex(dialog.add_role.findData("auditor"))
    qtbot.keyClicks(dialog.add_password, "nora-pass-1")
    qtbot.keyClicks(dialog.add_repeat, "nora-pass-1")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "Added nora" in dialog.message.text() and dialog.table.rowCount() == 6
    assert dialog._selected().name == "nora"
    dialog.role_box.setCurrentIndex(dialog.role_box.findData("analyst"))
    qtbot.mouseClick(dialog.apply_role_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.active_button, Qt.MouseButton.LeftButton)
    dialog.reset_edit.setText("fresh-pass-2")
    dialog.reset_repeat.setText("fresh-pass-2")
    qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    acts = [a[1] for a in actions(window.ctx.conn) if a[2] == "user:nora"]
    assert acts == ["user_created", "user_role_changed", "user_deactivated", "user_password_reset"]
    dialog.select_user("admin")
    qtbot.mouseClick(dialog.active_button, Qt.MouseButton.LeftButton)
    assert "your own account" in dialog.message.text()
    dialog.close()


def test_users_dialog_is_refused_to_non_admins(make_window, monkeypatch) -> None:  # noqa: ANN001
    window = demo_window(make_window, "sue")
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    window.actions[Action.USERS].trigger()
    assert told and "Only an administrator" in told[0]
    assert getattr(window, "users_dialog", None) is None


# --- audit tab ----------------------------------------------------------------------------------------------------
def fill_log(session: Session) -> None:
    conn = session.conn
    rows = [("ana", "registry_search", "fence:circle", {"radius_m": 200}, "2026-03-01T10:00:00Z"),
            ("ana", "owner_contact_viewed", "owner:12", {"email": "kim@example.org"}, "2026-03-02T10:00:00Z"),
            ("sam", "request_approved", "request:3", {}, "2026-03-05T10:00:00Z"),
            ("sue", "policy_limit_changed", "limit:expiry_days", {"old": 7, "new": 5}, "2026-04-01T10:00:00Z")]
    with session.atomic():
        for actor, action, obj, details, at in rows:
            audit_store.append(conn, actor, action, obj, details, at=at)


def test_audit_tab_filters(make_window, qtbot) -> None:  # noqa: ANN001
    window = demo_window(make_window, "sue")
    fill_log(window.ctx.session)
    shown(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    tab = window.features["accountability"].audit_tab
    assert window.tabs.currentWidget() is tab
    model = tab.model
    total = window.ctx.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    assert model.total == total and model.rowCount() == total
    assert model.data(model.index(0, model.COL_SEQ)) == total  # newest first
    tab.actor_box.setEditText("ana")
    tab.apply_filter()
    assert [model.data(model.index(r, model.COL_ACTION)) for r in range(model.rowCount())] == [
        "Owner contact viewed", "Registry searched"]
    assert [model.data(model.index(r, model.COL_ACTION), model.StoredRole) for r in range(model.rowCount())] == [
        "owner_contact_viewed", "registry_search"]
    tab.actor_box.setEditText("")
    tab.action_box.setEditText("Request approved")  # the label, as the choices show it
    tab.apply_filter()
    assert model.rowCount() == 1 and model.data(model.index(0, model.COL_OBJECT), model.StoredRole) == "request:3"
    tab.action_box.setEditText("request_approved")  # a stored name typed in still works
    tab.apply_filter()
    assert model.rowCount() == 1
    tab.action_box.setEditText("")
    window.actions[Action.FIND].trigger()
    assert tab.text_edit.hasFocus() or window.focusWidget() is tab.text_edit
    qtbot.keyClicks(tab.text_edit, "limit:")
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=2000)
    tab.text_edit.clear()
    tab.from_check.setChecked(True)
    tab.from_edit.setDateTime(tab.from_edit.dateTime().fromString("2026-03-02T00:00:00Z", Qt.DateFormat.ISODate))
    tab.to_check.setChecked(True)
    tab.to_edit.setDateTime(tab.to_edit.dateTime().fromString("2026-03-06T00:00:00Z", Qt.DateFormat.ISODate))
    tab.apply_filter()
    assert [model.data(model.index(r, model.COL_OBJECT), model.StoredRole) for r in range(model.rowCount())] == [
        "request:3", "owner:12"]
    assert "2 matching" in tab.status.text()


def test_audit_model_fetches_lazily(make_window) -> None:  # noqa: ANN001
    window = demo_window(make_window, "sue")
    with window.ctx.session.atomic():
        for i in range(1200):
            audit_store.append(window.ctx.conn, "bot", "registry_search", f"fence:{i}")
    model = window.features["accountability"].audit_tab.model
    model.page_size = 500
    model.set_filter(audit_store.AuditFilter(actor="bot"))
    assert model.rowCount() == 500 and model.canFetchMore() and model.total == 1200
    model.fetchMore()
    assert model.rowCount() == 1000
    model.fetch_all()
    seqs = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert len(seqs) == 1200 and seqs == sorted(seqs, reverse=True) and not model.canFetchMore()


def test_auditor_sees_no_personal_data_and_analyst_sees_no_log(make_window) -> None:  # noqa: ANN001
    window = demo_window(make_window, "audrey")
    fill_log(window.ctx.session)
    tab = window.features["accountability"].audit_tab
    tab.reload()
    model = tab.model
    details = [model.data(model.index(r, model.COL_DETAILS)) for r in range(model.rowCount())]
    assert not any("kim@example.org" in d for d in details)
    assert any("personal data hidden" in d for d in details)
    window.ctx.session.set_user(User(None, "ana", Role.ANALYST))
    tab.reload()
    assert model.rowCount() == 0 and model.denied
    assert tab.stack.currentWidget() is tab.denied_label
    assert not tab.export_button.isEnabled()


def test_audit_export_csv_and_chain_head(make_window, qtbot, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    window = demo_window(make_window, "audrey")
    fill_log(window.ctx.session)
    tab = window.features["accountability"].audit_tab
    tab.reload()
    tab.actor_box.setEditText("ana")
    tab.apply_filter()
    target = tmp_path / "out" / "audit"
    target.parent.mkdir()
    monkeypatch.setattr("app.views.widgets.files.choose_save_file", lambda *a, **k: target)
    head_before = audit_store.current_head(window.ctx.conn)
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.ctx.conn.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'audit_exported'").fetchone()[0] == 1, timeout=5000)
    qtbot.waitUntil(lambda: audit_message(window) is not None, timeout=5000)  # the job's report
    csv_path = target.with_name("audit.csv")
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["action"] for r in rows] == ["registry_search", "owner_contact_viewed"]  # oldest first
    assert rows[1]["masked"] == "yes" and "kim@example.org" not in csv_path.read_text(encoding="utf-8")
    head = json.loads((tmp_path / "out" / "audit.chain-head.json").read_text(encoding="utf-8"))
    assert (head["seq"], head["hash"]) == (head_before.seq, head_before.hash)
    assert audit_store.parse_head(str(tmp_path / "out" / "audit.chain-head.json")).hash == head_before.hash
    assert not list((tmp_path / "out").glob("*.part"))
    assert "Exported 2 entries" in audit_message(window).text()
    audit_message(window).close()


def test_verify_action_reports_ok_then_the_broken_entry(make_window, qtbot) -> None:  # noqa: ANN001
    window = demo_window(make_window, "sue")
    fill_log(window.ctx.session)

    def verified(n: int) -> bool:
        return window.ctx.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'audit_verified'"
                                       ).fetchone()[0] == n

    window.actions[Action.VERIFY_AUDIT].trigger()
    qtbot.waitUntil(lambda: verified(1), timeout=5000)
    assert audit_message(window).text().startswith("OK:")
    broken_seq = window.ctx.conn.execute("SELECT seq FROM audit_log WHERE action = 'request_approved'").fetchone()[0]
    raw = sqlite3.connect(window.ctx.paths.db_path, isolation_level=None)
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute(f"UPDATE audit_log SET actor = 'ana' WHERE seq = {broken_seq}")
    raw.close()
    qtbot.mouseClick(window.features["accountability"].audit_tab.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: verified(2), timeout=5000)
    text = audit_message(window).text()
    assert f"first broken entry is {broken_seq}" in text and "append-only protection" in text
    audit_message(window).close()


def test_smoke_launch_of_a_store_with_users_exits_without_waiting(tmp_path: Path) -> None:
    """A real launch (subprocess) on a store that needs a password: no dialog can be answered, so it exits 1."""
    import os
    import subprocess
    import sys

    from app.paths import DB_NAME
    from app.store.db import open_store

    data = tmp_path / "real"
    data.mkdir()
    conn = open_store(data / DB_NAME)
    auth.create_first_admin(conn, "root", "long enough")
    conn.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CANVASS_SMOKE_EXIT_MS="500")
    result = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data)], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Sign-in needed" in result.stderr and "Traceback" not in result.stderr
