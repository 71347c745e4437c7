"""A part of the window that a later release fills in: it says what will be there, and shows no fake content."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.views.features import BY_TAB

if TYPE_CHECKING:
    from app.views.main_window import MainWindow


class PlaceholderPanel(QWidget):
    def __init__(self, title: str, text: str, parent: QWidget | None = None, *, loading: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName(f"placeholder_{title.lower().replace(' ', '_')}")
        layout = QVBoxLayout(self)
        note = "Loading…" if loading else "Not built yet."
        label = QLabel(f"<h2>{title}</h2><p>{text}</p><p><i>{note}</i></p>", self)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setMinimumWidth(420)
        layout.addStretch(1)
        layout.addWidget(label)
        layout.addStretch(2)


def install_placeholder(window: MainWindow, tab: str) -> PlaceholderPanel:
    """Fill a feature's tab with what it will hold (its title and text from the feature table)."""
    feature = BY_TAB[tab]
    panel = PlaceholderPanel(feature.title, feature.about, window)
    window.add_tab(tab, panel)
    return panel
