"""GUI start-up: application object, logging, single instance, store, sign-in, main window."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QLockFile, QMessageLogContext, QThread, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_ID, APP_NAME, ORG_NAME, __version__, paths
from app.log_setup import setup_logging
from app.resources_path import resource

log = logging.getLogger(__name__)

# Set by the smoke test: quit this many milliseconds after the window is shown, answering any dialog.
SMOKE_ENV = "CANVASS_SMOKE_EXIT_MS"


def _qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }.get(mode, logging.INFO)
    logging.getLogger("qt").log(level, "%s", message)


def install_excepthook(log_file: Path) -> None:
    def hook(exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("Unexpected error:\n%s", text)
        app = QApplication.instance()
        if app is None or os.environ.get(SMOKE_ENV) or QApplication.closingDown():
            sys.__excepthook__(exc_type, exc, tb)
            return

        from app.services.session import PermissionDenied
        from app.store.db import StoreError

        def show() -> None:
            if isinstance(exc, StoreError | PermissionDenied):
                # Expected refusals (a store closed to writes, a full disk, an ended session): the message says it
                # all, with no traceback.
                QMessageBox(QMessageBox.Icon.Warning, APP_NAME, str(exc)).exec()
                return
            box = QMessageBox(QMessageBox.Icon.Critical, f"{APP_NAME} — unexpected error",
                              f"Something went wrong: {exc}\n\nYour data is safe: every change is saved in a "
                              f"transaction.\nThe details are in the log file:\n{log_file}")
            box.setDetailedText(text)
            box.exec()

        if QThread.currentThread() != app.thread():
            # Widgets belong to the GUI thread: a modal box in a worker thread never closes and hangs the exit.
            QTimer.singleShot(0, app, show)
            return
        show()

    sys.excepthook = hook


def show_message(icon: QMessageBox.Icon, title: str, text: str,
                 buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
                 default: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok) -> QMessageBox.StandardButton:
    """A modal message; in smoke runs it is logged and answered with its default button."""
    log.warning("%s: %s", title, text)
    if os.environ.get(SMOKE_ENV):
        print(f"{title}: {text}", file=sys.stderr)
        return default
    box = QMessageBox(icon, title, text, buttons)
    box.setDefaultButton(default)
    return QMessageBox.StandardButton(box.exec())


def make_application(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(resource("canvass.svg"))))
    from app.workers import gui_gc

    gui_gc.install()  # cyclic garbage (windows, dialogs) is freed on this thread, never on a worker's
    return app  # type: ignore[return-value]


def acquire_lock(lock_path: Path) -> QLockFile | None:
    """One instance per data folder; a stale lock left by a killed process is taken over (app.instance_lock, which
    `canvass import` honours too)."""
    from app import instance_lock

    return instance_lock.acquire(lock_path)


def choose_paths(args: argparse.Namespace) -> tuple[paths.Paths, bool]:
    """The real store, or the demo city when asked for or when there is no data yet (first launch)."""
    real = paths.init(args.data_dir)
    if args.demo:
        return paths.init(args.data_dir, demo=True), True
    if not real.db_path.exists():
        from app.store.db import prior_store_evidence

        if not prior_store_evidence(real.db_path, real.backup_dir):  # a vanished store is damage, not a first run
            return paths.init(args.data_dir, demo=True), True
    return real, False


def run_gui(args: argparse.Namespace) -> int:
    try:
        chosen, demo = choose_paths(args)
    except OSError as exc:  # a read-only or vanished data folder: say so, no traceback
        print(f"{APP_NAME} cannot use its data folder: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return 1
    log_file = setup_logging(chosen.log_dir)
    qInstallMessageHandler(_qt_message_handler)
    install_excepthook(log_file)
    log.info("%s %s starting on %s (demo=%s)", APP_NAME, __version__, chosen.data_dir, demo)
    app = make_application(sys.argv[:1])

    from app.instance_lock import LockUnavailable
    from app.startup import open_context

    try:
        lock = acquire_lock(chosen.lock_path)
    except LockUnavailable as exc:
        show_message(QMessageBox.Icon.Critical, f"{APP_NAME} cannot use its data folder",
                     f"{str(exc)[0].upper()}{str(exc)[1:]}.\n\nMake the folder writable, or open another one with "
                     "--data-dir.")
        return 1
    if lock is None:
        from app.instance_lock import holder

        show_message(QMessageBox.Icon.Warning, f"{APP_NAME} is already running",
                     f"{holder(chosen.lock_path)} is already using the data folder\n{chosen.data_dir}\n\n"
                     "Switch to that window (or let its import finish), or close it first. Two writers on one "
                     "store could overwrite each other's work, so this window will not open.")
        return 1
    try:
        ctx = open_context(chosen, demo, show_message)
        if ctx is None:
            return 1
        from app.views.main_window import MainWindow

        window = MainWindow(ctx, defer_features=True)
        window.show()
        for name in args.files:
            window.queue_import(Path(name))
        smoke_ms = os.environ.get(SMOKE_ENV)
        if smoke_ms:
            QTimer.singleShot(int(smoke_ms), window.close)
        app.setQuitOnLastWindowClosed(True)
        code = app.exec()
        from app.workers.jobs import wait_for_jobs

        wait_for_jobs()
        ctx.conn.close()
        log.info("%s exited with %s", APP_NAME, code)
        if window.restore_on_exit is not None:
            from app.store.db import restore_backup

            restore_backup(window.restore_on_exit, chosen.db_path)
            log.warning("restored %s from %s", chosen.db_path, window.restore_on_exit)
    finally:
        lock.unlock()
    if window.restart_args is not None:
        # Started only after this process let go of its store and lock.
        subprocess.Popen([sys.executable, "-m", "app", *window.restart_args], start_new_session=True)
    return int(code)


__all__ = ["run_gui", "show_message", "make_application", "acquire_lock"]
