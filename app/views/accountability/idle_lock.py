"""The lock screen: after idle minutes, and after Sign Out, the window is covered until someone signs in.

An application-wide event filter notes the last user input; a QTimer compares it with an injectable clock
(a callable returning monotonic seconds), so tests move time instead of waiting. Locked after idle time, only
the same user's password unlocks (or they sign out); signed out, any user may sign in and the window carries
on with that user's role.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, settings
from app.services.accountability import auth
from app.services.session import User
from app.views.accountability.sign_in import SignInForm

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

IDLE_PREF = "session/idle_lock_min"
ACTIVITY = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
                      QEvent.Type.TouchBegin, QEvent.Type.TabletPress})
IDLE, SIGNED_OUT = "idle", "signed_out"


class LockScreen(QFrame):
    """Covers the whole window: who is locked out, the sign-in form, Sign Out and Quit."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("lock_screen")
        self.setAutoFillBackground(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.title = QLabel("", self)
        self.title.setObjectName("lock_title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.form = SignInForm(window.ctx.conn, window.ctx.demo, self)
        self.submit_button = QPushButton("&Unlock", self)
        self.submit_button.setObjectName("lock_submit")
        self.sign_out_button = QPushButton("Sign &Out", self)
        self.sign_out_button.setObjectName("lock_sign_out")
        self.sign_out_button.setToolTip("Sign out, so that another user can sign in")
        self.quit_button = QPushButton("&Quit", self)
        self.quit_button.setObjectName("lock_quit")
        self.quit_button.setToolTip(f"Close {APP_NAME}")
        self.submit_button.clicked.connect(self.form.submit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.sign_out_button)
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        panel = QWidget(self)
        panel.setFixedWidth(440)  # word-wrapped labels need a set width to take their full height
        inner = QVBoxLayout(panel)
        inner.addWidget(self.title)
        inner.addWidget(self.form)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel)
        row.addStretch(1)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def show_mode(self, mode: str, user: User | None) -> None:
        if mode == IDLE and user is not None:
            self.title.setText(f"<h2>Locked</h2><p>{APP_NAME} locked itself after a while without use. "
                               f"<b>{user.name}</b>, enter your password to carry on, or sign out.</p>")
            self.submit_button.setText("&Unlock")
            self.form.action = "unlock"
            self.form.set_fixed_name(user.name)
            self.sign_out_button.show()
        else:
            self.title.setText(f"<h2>Signed out</h2><p>Sign in to use {APP_NAME}.</p>")
            self.submit_button.setText("&Sign In")
            self.form.action = "sign_in"
            self.form.set_fixed_name(None)
            self.sign_out_button.hide()


class IdleLock(QObject):
    """Locks `window` after idle minutes (Pref session/idle_lock_min; 0 = never) and on sign out."""

    locked_changed = Signal(bool)

    def __init__(self, window: MainWindow, clock: Callable[[], float] = time.monotonic,
                 check_interval_ms: int = 5000, idle_min: float | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.clock = clock
        self.idle_min = idle_min  # None: read the preference at every check, so a change applies at once
        self.last_activity = clock()
        self.mode: str | None = None
        self.previous_user: User | None = None  # who was signed in when the cover went up
        self.screen = LockScreen(window)
        self.screen.hide()
        self.screen.form.signed_in.connect(self._signed_in)
        self.screen.sign_out_button.clicked.connect(lambda: self.sign_out("at lock screen"))
        self.screen.quit_button.clicked.connect(window.close)
        self._disabled_actions: list = []
        self._hidden_dialogs: list[QDialog] = []
        self.timer = QTimer(self)
        self.timer.setInterval(check_interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        window.on_close(self.stop)

    @property
    def locked(self) -> bool:
        return self.mode is not None

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def idle_limit_s(self) -> float:
        minutes = self.idle_min if self.idle_min is not None else settings.get(IDLE_PREF)
        return float(minutes) * 60.0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind in ACTIVITY and self.mode is None:
            self.last_activity = self.clock()
        elif kind == QEvent.Type.Resize and obj is self.window and self.mode is not None:
            self.screen.setGeometry(self.window.rect())
        return False

    def check(self) -> None:
        limit = self.idle_limit_s()
        if self.mode is None and limit > 0 and self.window.ctx.session.user is not None \
                and self.clock() - self.last_activity >= limit:
            self.lock()

    # --- locking ------------------------------------------------------------------------------------------------------
    def lock(self, reason: str = "idle") -> None:
        session = self.window.ctx.session
        if self.mode is not None or session.user is None:
            return
        auth.record_lock(session, reason)
        self._cover(IDLE, session.user)

    def sign_out(self, reason: str = "user") -> None:
        """Audited sign-out; the window stays covered until someone signs in."""
        before = self.window.ctx.session.user
        auth.sign_out(self.window.ctx.session, reason)
        self._cover(SIGNED_OUT, None, before)

    def _cover(self, mode: str, user: User | None, before: User | None = None) -> None:
        first = self.mode is None
        if first:
            self.previous_user = before or user
        self.mode = mode
        if first:
            self._block(True)
        self.screen.show_mode(mode, user)
        self.screen.setGeometry(self.window.rect())
        self.screen.show()
        self.screen.raise_()
        self.screen.form.setFocus()
        (self.screen.form.password_edit if mode == IDLE else self.screen.form.name_edit).setFocus()
        if first:
            self.locked_changed.emit(True)

    def _block(self, block: bool, restore_dialogs: bool = True) -> None:
        """Everything but the lock screen stops taking input (menus, toolbars, docks, tabs, action shortcuts)."""
        w = self.window
        widgets: list[QWidget] = [w.menuBar(), *w.findChildren(QToolBar), *w.findChildren(QDockWidget)]
        if w.centralWidget() is not None:
            widgets.append(w.centralWidget())
        for widget in widgets:
            widget.setEnabled(not block)
        if block:
            self._disabled_actions = [a for a in w.actions.values() if a.isEnabled()]
            for a in self._disabled_actions:
                a.setEnabled(False)
            # Dialogs left open would stay usable above the cover: put them away until unlocked.
            self._hidden_dialogs = [d for d in w.findChildren(QDialog) if d.isVisible()]
            for d in self._hidden_dialogs:
                d.hide()
        else:
            for a in self._disabled_actions:
                a.setEnabled(True)
            self._disabled_actions = []
            for d in self._hidden_dialogs:
                # Another user signed in: what the previous one had open is closed, not handed over.
                if restore_dialogs:
                    d.show()
                else:
                    d.reject()
            self._hidden_dialogs = []

    def _signed_in(self, user: User) -> None:
        session = self.window.ctx.session
        if self.mode == IDLE and session.user is not None and user.id != session.user.id:
            return  # the form's name is fixed in this mode; never switch users without a sign-out
        same_user = self.previous_user is not None and self.previous_user.id == user.id
        self.mode = None
        self.screen.hide()
        # Unblock first: features then re-enable what the (new) role allows when told the user changed.
        self._block(False, restore_dialogs=same_user)
        if session.user != user:
            session.set_user(user)
        if not same_user:
            self.window.undo_stack.clear()  # nobody undoes another user's edits under their own name
        self.last_activity = self.clock()
        self.locked_changed.emit(False)
