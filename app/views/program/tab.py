"""The Program tab: Agencies, Ledger, Feed and Operations, one sub-view each. It tells the other features when
agencies or posts changed (requests list agencies; the map draws agencies and published posts) and takes the
map's fence (a drawn jurisdiction, an operation's area, the feed's area filter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.core.fence import Fence
from app.views.program.agencies_view import AgenciesView
from app.views.program.feed_view import FeedView
from app.views.program.ledger_view import LedgerView
from app.views.program.operations_view import OperationsView

if TYPE_CHECKING:
    from app.views.main_window import MainWindow


class ProgramTab(QWidget):
    agencies_changed = Signal()
    posts_changed = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("tab_program")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.views = QTabWidget(self)
        self.views.setObjectName("program_views")
        self.agencies = AgenciesView(window, self)
        self.ledger = LedgerView(window, self)
        self.feed = FeedView(window, self)
        self.operations = OperationsView(window, self)
        for view, title, tip in (
                (self.agencies, "&Agencies", "Partner agencies, their jurisdictions and terms; partnership growth"),
                (self.ledger, "&Ledger", "Cameras shipped, handed out and installed; downloads and units earned"),
                (self.feed, "&Feed", "Residents' posts and agency alerts, and the moderation queue"),
                (self.operations, "&Operations", "Operations with the goal stated before they start, statements "
                 "and outcomes")):
            i = self.views.addTab(view, title)
            self.views.setTabToolTip(i, tip)
        layout.addWidget(self.views)
        self.agencies.agencies_changed.connect(self._agencies_changed)
        self.feed.posts_changed.connect(self.posts_changed)

    def _agencies_changed(self) -> None:
        self.ledger.reload_agencies()
        self.operations.reload()
        self.agencies_changed.emit()

    def set_map_fence(self, fence: Fence | None) -> None:
        for view in (self.agencies, self.feed, self.operations):
            view.set_map_fence(fence)

    def show_view(self, view: QWidget) -> None:
        self.window_.show_tab("program")
        self.views.setCurrentWidget(view)

    def reload(self) -> None:
        self.agencies.reload()
        self.ledger.reload_agencies()
        self.feed.reload()
        self.operations.reload()

    def focus_filter(self) -> None:
        if self.views.currentWidget() is self.feed:
            self.feed.focus_filter()
