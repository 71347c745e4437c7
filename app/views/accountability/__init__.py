"""The Accountability feature: sign-in, users, the idle lock and the Audit Log tab (Verify Audit Log, export)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app.services.accountability import auth
from app.services.session import PermissionDenied
from app.views.actions import Action

if TYPE_CHECKING:
    from app.views.accountability.audit_tab import AuditTab
    from app.views.accountability.users_dialog import UsersDialog
    from app.views.main_window import MainWindow


class Accountability:
    """What the feature keeps: the Audit Log tab, the idle lock, and the Users dialog while it is open."""

    def __init__(self, window: MainWindow) -> None:
        # Imported here, not at the top: the launch imports this package for the sign-in dialog before the first
        # paint, and the Audit Log tab (its models and services) is not needed until the feature installs after it.
        from app.views.accountability.audit_tab import AuditTab
        from app.views.accountability.idle_lock import IdleLock

        self.window = window
        self.idle_lock = IdleLock(window)
        self.audit_tab: AuditTab = AuditTab(window)
        self.users_dialog: UsersDialog | None = None

    def open_users_dialog(self) -> None:
        from app.views.accountability.users_dialog import UsersDialog

        try:
            dialog = UsersDialog(self.window.ctx.session, self.window)
        except PermissionDenied as exc:
            QMessageBox.information(self.window, "Users", f"Only an administrator manages users.\n\n{exc}.")
            return
        dialog.finished.connect(dialog.deleteLater)
        self.users_dialog = dialog
        dialog.open()


def install(window: MainWindow) -> Accountability:
    session = window.ctx.session
    feature = Accountability(window)
    tab = feature.audit_tab
    window.add_tab("audit", tab)

    window.actions[Action.SIGN_OUT].triggered.connect(lambda: feature.idle_lock.sign_out())
    from app.views.accountability.audit_tab import verify_audit

    window.actions[Action.VERIFY_AUDIT].triggered.connect(lambda: verify_audit(window))
    window.actions[Action.USERS].triggered.connect(feature.open_users_dialog)

    def closing() -> None:
        # The end of a session belongs in the log as much as its start.
        if session.user is not None:
            try:
                auth.sign_out(session, "quit")
            except sqlite3.ProgrammingError:
                pass  # the store was already closed (tests tear the connection down first)

    window.on_close(closing)
    return feature
