"""Accountability in the window: the Audit Log tab, Verify Audit Log, Users, Sign Out and the idle lock."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app.services import auth
from app.services.session import PermissionDenied, User
from app.views.actions import Action
from app.views.audit_tab import AuditTab, verify_audit
from app.views.idle_lock import IdleLock

if TYPE_CHECKING:
    from app.views.main_window import MainWindow


def user_text(user: User | None) -> str:
    return f"{user.name} ({user.role.value})" if user else "signed out"


def open_users_dialog(window: MainWindow) -> None:
    from app.views.dialogs.users_dialog import UsersDialog

    try:
        dialog = UsersDialog(window.ctx.session, window)
    except PermissionDenied as exc:
        QMessageBox.information(window, "Users", f"Only an administrator manages users.\n\n{exc}.")
        return
    dialog.finished.connect(dialog.deleteLater)
    window.users_dialog = dialog  # type: ignore[attr-defined]
    dialog.open()


def install(window: MainWindow) -> None:
    session = window.ctx.session
    window.idle_lock = IdleLock(window)  # type: ignore[attr-defined]
    tab = AuditTab(window)
    window.add_tab("audit", tab, "Audit Log", "Every sensitive act, hash-chained; filter, export and verify")
    window.audit_tab = tab  # type: ignore[attr-defined]

    window.actions[Action.SIGN_OUT].triggered.connect(lambda: window.idle_lock.sign_out())
    window.actions[Action.VERIFY_AUDIT].triggered.connect(lambda: verify_audit(window))
    window.actions[Action.USERS].triggered.connect(lambda: open_users_dialog(window))

    def user_changed(user: User | None) -> None:
        window.user_label.setText(user_text(user))
        if user is not None and tab.isVisible():
            tab.reload()

    session.on_user_changed(user_changed)

    def closing() -> None:
        # The end of a session belongs in the log as much as its start.
        if session.user is not None:
            try:
                auth.sign_out(session, "quit")
            except sqlite3.ProgrammingError:
                pass  # the store was already closed (tests tear the connection down first)

    window.on_close(closing)
