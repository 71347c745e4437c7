"""Which store is open and whether it is sound: File ▸ Open Demo City / Open My Data (app.views.data.switch), and
the launch check and backup with the offer to restore a damaged store (app.views.data.store_check, deferred)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.views.data import switch

if TYPE_CHECKING:
    from app.views.main_window import MainWindow


def install(window: MainWindow) -> None:
    switch.install(window)
