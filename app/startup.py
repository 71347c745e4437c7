"""Opening a data folder for the window: the store (restoring a backup if it is broken), demo data, sign-in."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox

from app import APP_NAME
from app.context import AppContext
from app.paths import Paths
from app.store import backup_copies, db, write_gate

log = logging.getLogger(__name__)
Btn = QMessageBox.StandardButton
Ask = Callable[..., QMessageBox.StandardButton]


def open_store_interactive(paths: Paths, ask: Ask) -> sqlite3.Connection | None:
    """Open the store; if it is unreadable, missing where one existed, or its audit log does not match its head
    file, offer the newest backup (with its age) instead of a traceback or a fresh, empty store."""
    while True:
        try:
            conn = db.open_store(paths.db_path, paths.backup_dir, defer_full_check=True)
        except db.CorruptStoreError as exc:
            log.error("%s", exc)
            if not _offer_backup(paths, ask, exc.problem if isinstance(exc, db.MissingStoreError) else str(exc)):
                return None
            continue
        except db.StoreError as exc:
            ask(QMessageBox.Icon.Critical, f"{APP_NAME} cannot open its database", str(exc))
            return None
        except (sqlite3.Error, OSError) as exc:
            ask(QMessageBox.Icon.Critical, f"{APP_NAME} cannot open its database",
                db.describe_failure(exc, paths.db_path) if isinstance(exc, sqlite3.Error) and
                db.describe_failure(exc, paths.db_path) else f"{paths.db_path}: {exc}")
            return None
        refusal = write_gate.write_refusal(conn)
        if refusal is None or refusal[0] != write_gate.FAILED:
            return conn
        conn.close()
        log.error("%s", refusal[1])
        if not _offer_backup(paths, ask, f"The store {paths.db_path} cannot be used: {refusal[1]}"):
            return None


def _offer_backup(paths: Paths, ask: Ask, problem: str) -> bool:
    """Ask to restore the newest backup; True if it was restored (open again), False to give up."""
    backup = backup_copies.latest_backup(paths.backup_dir)
    if backup is None:
        ask(QMessageBox.Icon.Critical, f"{APP_NAME} cannot open its database",
            f"{problem}\n\nThere is no backup to restore. Move the file aside to start afresh, or open "
            "another data folder with --data-dir.")
        return False
    answer = ask(QMessageBox.Icon.Critical, f"{APP_NAME} cannot open its database",
                 f"{problem}\n\nRestore the most recent backup?\n{backup.name}\n"
                 f"made {backup_copies.backup_age(backup)}\n\n"
                 "The damaged file is kept beside it (renamed), so nothing is deleted; the restore is recorded in "
                 "the audit log.", Btn.Yes | Btn.No, Btn.Yes)
    if answer != Btn.Yes:
        return False
    db.restore_backup(backup, paths.db_path)
    return True


def open_context(paths: Paths, demo: bool, ask: Ask) -> AppContext | None:
    conn = open_store_interactive(paths, ask)
    if conn is None:
        return None
    if demo:
        from app.store.demo import ensure_demo_city

        ensure_demo_city(conn)
    from app.views.accountability.sign_in import start_session

    session = start_session(conn, demo)
    if session is None:
        conn.close()
        return None
    if demo:  # after start_session: the demo requests are written by the demo users it creates
        from app.services.requests.demo import ensure_demo_requests

        ensure_demo_requests(conn)
    return AppContext(paths, conn, session, demo)
