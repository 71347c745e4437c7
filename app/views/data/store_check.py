"""After the first paint: the launch backup, preceded by the full page check for a large store.

A small store is checked in full when it is opened; a large one only gets the cheap check then (the full one
reads every page), so the full check runs here, in the background, before a copy could overwrite a good backup.
If it finds damage, the user is offered the latest backup; Canvass restores it after letting go of the store
and starts again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app import APP_NAME
from app.store import backup_copies, db
from app.store.backups import rotate_launch_backup
from app.workers.jobs import run_task

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

LARGE_STORE_BACKUP_INTERVAL_S = 6 * 3600


def install(window: MainWindow) -> None:
    window.first_shown.connect(lambda: start(window))


def start(window: MainWindow) -> None:
    paths = window.ctx.paths
    large = db.full_check_deferred(paths.db_path)
    run_task(lambda: rotate_launch_backup(paths.db_path, paths.backup_dir, check=large,
                                          min_age_s=LARGE_STORE_BACKUP_INTERVAL_S if large else 0.0),
             lambda problem: offer_restore(window, problem) if problem else None)


def offer_restore(window: MainWindow, problem: str) -> None:
    paths = window.ctx.paths
    backup = backup_copies.latest_backup(paths.backup_dir)
    if backup is None:
        QMessageBox.critical(window, f"{APP_NAME}: the database is damaged",
                             f"{problem}\n\nThere is no backup to restore. Export what you need now (File ▸ Export), "
                             "then move the database aside and start afresh.")
        return
    answer = QMessageBox.question(
        window, f"{APP_NAME}: the database is damaged",
        f"{problem}\n\nRestore the most recent backup?\n{backup.name}\n\nCanvass will close, restore it and start "
        "again. The damaged file is kept beside it (renamed), so nothing is deleted.")
    if answer != QMessageBox.StandardButton.Yes:
        return
    window.restore_on_exit = backup
    base = paths.data_dir.parent if window.ctx.demo else paths.data_dir
    window.restart_args = ["--data-dir", str(base)] + (["--demo"] if window.ctx.demo else [])
    window.close()
