"""Sign-in at launch: a first-run dialog creating the first administrator, or the sign-in dialog.

The checks live in app.services.accountability.auth; these widgets only collect a name and password and show what went
wrong. SignInForm is shared with the lock screen (app.views.accountability.idle_lock), so signing in after a sign-out or
unlocking after idle time looks and behaves the same.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.services.accountability import auth
from app.services.session import Session, User

log = logging.getLogger(__name__)
SMOKE_ENV = "CANVASS_SMOKE_EXIT_MS"  # same variable as app.gui: a smoke run must never wait on a dialog

DEMO_HINT = ("Demo city users: <b>ana</b> (analyst), <b>sam</b> and <b>sue</b> (supervisors), <b>audrey</b> "
             "(auditor), <b>admin</b> (administrator) — each with the password <b>demo</b>.")


class SignInForm(QWidget):
    """Name + password + message line. Emits signed_in(User) after auth.sign_in succeeds."""

    signed_in = Signal(object)

    def __init__(self, conn: sqlite3.Connection, demo: bool = False, parent: QWidget | None = None,
                 fixed_name: str | None = None, action: str = "sign_in") -> None:
        super().__init__(parent)
        self.conn = conn
        self.action = action
        self.setObjectName("sign_in_form")
        form = QFormLayout()
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("sign_in_name")
        self.name_edit.setToolTip("Your user name (not case-sensitive)")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("sign_in_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setToolTip("Your password (case-sensitive)")
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Password:", self.password_edit)
        self.message = QLabel("", self)
        self.message.setObjectName("sign_in_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.message)
        if demo:
            hint = QLabel(DEMO_HINT, self)
            hint.setObjectName("sign_in_demo_hint")
            hint.setWordWrap(True)
            hint.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(hint)
        self.set_fixed_name(fixed_name)
        self.name_edit.returnPressed.connect(self.password_edit.setFocus)
        self.password_edit.returnPressed.connect(self.submit)

    def set_fixed_name(self, name: str | None) -> None:
        """The lock screen asks the same user for their password: the name is shown but cannot change."""
        self.name_edit.setText(name or "")
        self.name_edit.setReadOnly(name is not None)
        self.password_edit.clear()
        self.message.clear()
        (self.password_edit if name else self.name_edit).setFocus()

    def submit(self) -> User | None:
        if not self.name_edit.text().strip():
            self.message.setText("Enter your user name.")
            self.name_edit.setFocus()
            return None
        if not self.password_edit.text():
            self.message.setText("Enter your password.")
            self.password_edit.setFocus()
            return None
        try:
            user = auth.sign_in(self.conn, self.name_edit.text(), self.password_edit.text(), action=self.action)
        except auth.SignInError as exc:
            self.message.setText(str(exc))
            self.password_edit.clear()
            self.password_edit.setFocus()
            return None
        self.message.clear()
        self.password_edit.clear()
        self.signed_in.emit(user)
        return user


class SignInDialog(QDialog):
    def __init__(self, conn: sqlite3.Connection, demo: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sign_in_dialog")
        self.setWindowTitle(f"Sign in to {APP_NAME}")
        self.user: User | None = None
        self.form = SignInForm(conn, demo, self)
        buttons = QDialogButtonBox(self)
        self.ok_button = buttons.addButton("&Sign In", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("sign_in_ok")
        self.ok_button.setToolTip("Check the name and password")
        quit_button = buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setToolTip(f"Close {APP_NAME} without signing in")
        # Return in the fields submits through the form; a default button would submit a second time.
        for button in (self.ok_button, quit_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        # A plain clicked connection: the dialog stays open on a wrong password.
        self.ok_button.clicked.connect(self.form.submit)
        quit_button.clicked.connect(self.reject)
        self.form.signed_in.connect(self._accept_user)
        layout = QVBoxLayout(self)
        intro = QLabel("Sign in with the account an administrator gave you. Every sign-in, and every failed "
                       "attempt, is recorded in the audit log.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)

    def _accept_user(self, user: User) -> None:
        self.user = user
        self.accept()


class FirstRunDialog(QDialog):
    """A fresh store has no users: create the first administrator."""

    def __init__(self, conn: sqlite3.Connection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conn = conn
        self.user: User | None = None
        self.setObjectName("first_run_dialog")
        self.setWindowTitle(f"Welcome to {APP_NAME}")
        intro = QLabel("This registry has no users yet. Create the first <b>administrator</b> account; the "
                       "administrator then adds analysts, supervisors and auditors under Insights ▸ Users.", self)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("first_run_name")
        self.name_edit.setToolTip("The administrator's user name")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("first_run_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setToolTip(f"At least {auth.MIN_PASSWORD_LEN} characters")
        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setObjectName("first_run_repeat")
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit.setToolTip("The same password again")
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("&Repeat password:", self.repeat_edit)
        self.message = QLabel(f"Passwords need at least {auth.MIN_PASSWORD_LEN} characters.", self)
        self.message.setObjectName("first_run_message")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self.create_button: QPushButton = buttons.addButton("&Create Administrator",
                                                            QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("first_run_create")
        self.create_button.setDefault(True)
        quit_button = buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.create_button.clicked.connect(self.submit)
        quit_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def submit(self) -> User | None:
        if self.password_edit.text() != self.repeat_edit.text():
            self.message.setText("The two passwords differ. Type the same password twice.")
            self.repeat_edit.clear()
            self.repeat_edit.setFocus()
            return None
        try:
            self.user = auth.create_first_admin(self.conn, self.name_edit.text(), self.password_edit.text())
        except auth.AuthError as exc:
            self.message.setText(str(exc))
            return None
        self.accept()
        return self.user


def start_session(conn: sqlite3.Connection, demo: bool) -> Session | None:
    """The signed-in session for the window, or None when the user quits (the app then exits).

    --demo signs the demo analyst in without a dialog. In a smoke run (CANVASS_SMOKE_EXIT_MS) nobody can
    answer a dialog, so a store that needs a password returns None and the app exits with status 1.
    """
    if demo:
        auth.ensure_demo_users(conn)
        try:
            return auth.demo_session(conn)
        except auth.SignInError as exc:
            log.warning("demo sign-in: %s", exc)  # e.g. the demo admin deactivated "ana": ask who it is
    if os.environ.get(SMOKE_ENV):
        print("Sign-in needed: a smoke run cannot answer the sign-in dialog; use --demo.", file=sys.stderr)
        return None
    dialog: FirstRunDialog | SignInDialog = SignInDialog(conn, demo) if auth.has_users(conn) else FirstRunDialog(conn)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.user is None:
        return None
    if isinstance(dialog, FirstRunDialog):
        return auth.first_run_session(conn, dialog.user)
    return Session(conn, dialog.user)
