"""The app-wide dialogs of the Help and Edit menus: About, Preferences, Keyboard Shortcuts, the User Guide."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app import APP_NAME, __version__

if TYPE_CHECKING:
    from app.views.main_window import MainWindow


def show_shortcuts(window: MainWindow) -> None:
    from app.views.dialogs.shortcuts import ShortcutsDialog

    ShortcutsDialog(window).exec()


def show_preferences(window: MainWindow) -> None:
    """Preferences are app-wide: accepted, the window tells every feature through preferences_changed."""
    from app.views.dialogs.preferences import PreferencesDialog

    if PreferencesDialog(window).exec():
        window.preferences_changed.emit()


def show_about(window: MainWindow) -> None:
    QMessageBox.about(window, f"About {APP_NAME}",
                      f"<h3>{APP_NAME} {__version__}</h3><p>A neighborhood camera network run with the "
                      "community's consent. Footage arrives only when an owner chooses to share it; there is "
                      "no live view, no remote access to cameras and no face or voice recognition.</p>"
                      f"<p>Data folder: {window.ctx.paths.data_dir}</p>")


def show_help(window: MainWindow, section: str = "") -> None:
    from app.views.dialogs.user_guide import open_guide

    open_guide(window, section)
