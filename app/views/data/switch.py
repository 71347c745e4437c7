"""File ▸ Open Demo City / Open My Data: restart on the other store (each store has its own lock and sign-in)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app.paths import DB_NAME, make_private_dir
from app.store import db
from app.views.actions import Action

if TYPE_CHECKING:
    from app.views.main_window import MainWindow


def base_data_dir(window: MainWindow) -> str:
    paths = window.ctx.paths
    return str(paths.data_dir.parent if window.ctx.demo else paths.data_dir)


def switch_to_demo(window: MainWindow) -> None:
    window.restart_args = ["--data-dir", base_data_dir(window), "--demo"]
    window.close()


def switch_to_own_data(window: MainWindow) -> None:
    base = base_data_dir(window)
    real = Path(base) / DB_NAME
    if not real.exists():
        answer = QMessageBox.question(
            window, "Start your own registry?",
            f"There is no registry of your own yet. Create an empty one in\n{base}\n\nYou will create the first "
            "administrator account next. The demo city stays available under File ▸ Open Demo City.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        make_private_dir(Path(base))
        db.open_store(real).close()
    window.restart_args = ["--data-dir", base]
    window.close()


def install(window: MainWindow) -> None:
    window.actions[Action.OPEN_DEMO].setEnabled(not window.ctx.demo)
    window.actions[Action.OPEN_MY_DATA].setEnabled(window.ctx.demo)
    window.actions[Action.OPEN_DEMO].triggered.connect(lambda: switch_to_demo(window))
    window.actions[Action.OPEN_MY_DATA].triggered.connect(lambda: switch_to_own_data(window))
