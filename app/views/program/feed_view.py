"""Program ▸ Feed: residents' posts and agency alerts, newest first, filtered by category, time, status and area
(the map's fence); the moderation queue (approve, reject with a reason — both audited); posting from the app
(after the notice that the partner agency can read the feed); import from CSV; placing unmapped posts with the
base map's address search."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.feed_filter import FeedFilter, filter_positions
from app.core.fence import Fence
from app.core.permissions import Permission
from app.models.feed_table_model import FeedTableModel
from app.services.program import feed as svc
from app.services.session import PermissionDenied
from app.store import feed as store
from app.store.feed import MODERATION
from app.views.widgets.buttons import add_buttons

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

TIMES = (("Any time", None), ("Last 24 hours", 86400), ("Last 7 days", 7 * 86400), ("Last 30 days", 30 * 86400),
         ("Last 365 days", 365 * 86400))
STATUSES = (("Published", "published"), ("Awaiting moderation", "pending"), ("Held for detail", "held"),
            ("Rejected", "rejected"), ("Any status", None))
AREAS = (("Anywhere", "any"), ("Inside the map's fence", "fence"), ("Unmapped only", "unmapped"))


class FeedView(QWidget):
    posts_changed = Signal()

    def __init__(self, window: MainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.session = window.ctx.session
        self.map_fence: Fence | None = None
        self.dialog = None
        self.setObjectName("program_feed")
        layout = QVBoxLayout(self)
        self.notice = QLabel(self)
        self.notice.setText("Note: the partner agency can read this feed: every published post, where and when, "
                            "and the poster's display name.")
        self.notice.setObjectName("feed_notice")
        self.notice.setWordWrap(True)
        layout.addWidget(self.notice)
        filters = QHBoxLayout()
        self.category = QComboBox(self)
        self.category.setObjectName("feed_category")
        self.when = QComboBox(self)
        self.when.setObjectName("feed_time")
        for text, value in TIMES:
            self.when.addItem(text, value)
        self.status = QComboBox(self)
        self.status.setObjectName("feed_status")
        for text, value in STATUSES:
            self.status.addItem(text, value)
        self.area = QComboBox(self)
        self.area.setObjectName("feed_area")
        for text, value in AREAS:
            self.area.addItem(text, value)
        self.source = QComboBox(self)
        self.source.setObjectName("feed_source")
        self.source.addItem("Posts and alerts", None)
        self.source.addItem("Residents' posts", 0)
        self.source.addItem("Agency alerts", 1)
        for label, box in (("Categor&y", self.category), ("&Time", self.when), ("&Status", self.status),
                           ("Area", self.area), ("", self.source)):
            if label:
                lab = QLabel(label, self)
                lab.setBuddy(box)
                filters.addWidget(lab)
            filters.addWidget(box)
            box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        filters.addStretch(1)
        self.count = QLabel("", self)
        self.count.setObjectName("feed_count")
        filters.addWidget(self.count)
        layout.addLayout(filters)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        add_buttons(buttons, self, "feed", (
                ("post", "New Post…", "Write a post or an agency alert (it goes to the moderation queue)",
                 self.new_post),
                ("approve", "&Approve", "Publish the selected posts awaiting moderation", self.approve),
                ("reject", "Re&ject…", "Reject the selected post, with a reason", self.reject),
                ("detail", "Add &Detail…", "Add what the person did and wore to a held post", self.add_detail),
                ("import", "Import &CSV…", "Import posts or incident records from CSV", self.import_posts),
                ("place", "Place &Unmapped", "Place posts without coordinates by their block address, with the "
                 "base map's address search", self.place_unmapped)), self.buttons)
        buttons.addStretch(1)
        self.unmapped_label = QLabel("", self)
        self.unmapped_label.setObjectName("feed_unmapped")
        buttons.addWidget(self.unmapped_label)
        layout.addLayout(buttons)
        self.model = FeedTableModel(self.session.conn, self)
        self.table = QTableView(self)
        self.table.setObjectName("feed_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((150, 150, 110, 150, 230)):
            header.resizeSection(col, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.table, 1)
        self.arrays = None
        self.last_filter_ms = 0.0
        self.reload()

    # --- data ----------------------------------------------------------------------------------------------------
    def set_map_fence(self, fence: Fence | None) -> None:
        self.map_fence = fence
        if self.area.currentData() == "fence":
            self.apply_filter()

    def reload(self) -> None:
        self.arrays = store.load_feed(self.session.conn)
        current = self.category.currentText()
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem("All categories", None)
        for i, c in enumerate(self.arrays.categories):
            self.category.addItem(c, i)
        i = self.category.findText(current)
        self.category.setCurrentIndex(max(i, 0))
        self.category.blockSignals(False)
        self.model.set_arrays(self.arrays, filter_positions(self.arrays, self.current_filter()))
        self._after_filter()

    def current_filter(self) -> FeedFilter:
        since = self.when.currentData()
        status = self.status.currentData()
        area = self.area.currentData()
        return FeedFilter(self.category.currentData(), int(time.time()) - since if since else None,
                          MODERATION.index(status) if status else None, self.source.currentData(),
                          self.map_fence if area == "fence" else None, area == "unmapped")

    def apply_filter(self) -> None:
        if self.arrays is None:
            return
        t0 = time.perf_counter()
        f = self.current_filter()
        if self.area.currentData() == "fence" and self.map_fence is None:
            self.count.setText("Draw a fence on the map to filter by area.")
        self.model.set_positions(filter_positions(self.arrays, f))
        self.last_filter_ms = (time.perf_counter() - t0) * 1000
        self._after_filter()

    def _after_filter(self) -> None:
        n, total = self.model.rowCount(), len(self.arrays) if self.arrays is not None else 0
        if not (self.area.currentData() == "fence" and self.map_fence is None):
            self.count.setText(f"{n:,} of {total:,} posts")
        # From the arrays, not SQL: a filter change over 200,000 posts must not scan the table twice.
        a = self.arrays
        queue = int((a.moderation == MODERATION.index("pending")).sum()) if a is not None else 0
        unmapped = int(np.isnan(a.lat).sum()) if a is not None else 0
        self.unmapped_label.setText((f"{unmapped:,} unmapped" if unmapped else "") +
                                    (f" · {queue:,} awaiting moderation" if queue else ""))
        self._update_buttons()

    def _selected_ids(self) -> list[int]:
        return [self.model.post_id(i.row()) for i in self.table.selectionModel().selectedRows()]

    def _selected_states(self) -> set[str]:
        assert self.arrays is not None
        return {MODERATION[int(self.arrays.moderation[self.model.positions[i.row()]])]
                for i in self.table.selectionModel().selectedRows()}

    def _update_buttons(self) -> None:
        states = self._selected_states() if self.arrays is not None else set()
        moderate = self.session.can(Permission.MODERATE_FEED)
        self.buttons["approve"].setEnabled(moderate and states == {"pending"})
        self.buttons["reject"].setEnabled(moderate and states == {"pending"} and len(self._selected_ids()) == 1)
        self.buttons["detail"].setEnabled(self.session.can(Permission.POST_FEED) and states == {"held"}
                                          and len(self._selected_ids()) == 1)
        self.buttons["post"].setEnabled(self.session.can(Permission.POST_FEED))
        self.buttons["import"].setEnabled(self.session.can(Permission.IMPORT_DATA))
        self.buttons["place"].setEnabled(self.session.can(Permission.POST_FEED))

    def focus_filter(self) -> None:
        self.category.setFocus()

    def show_queue(self) -> None:
        self.status.setCurrentIndex(self.status.findData("pending"))

    def _changed(self) -> None:
        self.reload()
        self.posts_changed.emit()

    # --- acts ----------------------------------------------------------------------------------------------------
    def new_post(self) -> None:
        from app.views.program.post_dialog import PostDialog

        if not self.session.can(Permission.POST_FEED):
            QMessageBox.information(self, "New Post", "Your role may not post to the feed.")
            return
        dialog = PostDialog(self.session, self.map_fence, self)
        self.dialog = dialog

        def done(result: int) -> None:
            self.dialog = None
            if result:
                self._changed()
                if dialog.screening is not None and dialog.screening.verdict == "held":
                    QMessageBox.information(self, "Post held", dialog.screening.prompt)
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()

    def approve(self) -> None:
        ids = self._selected_ids()
        try:
            svc.approve_many(self.session, ids)
        except (svc.PostError, PermissionDenied) as exc:
            QMessageBox.warning(self, "Approve", str(exc))
        self._changed()

    def reject(self, reason: str | None = None) -> None:
        ids = self._selected_ids()
        if len(ids) != 1:
            return
        if reason is None:
            reason, ok = QInputDialog.getText(self, "Reject Post", "Reason (the poster is told it):")
            if not ok:
                return
        try:
            svc.reject(self.session, ids[0], reason)
        except (svc.PostError, PermissionDenied) as exc:
            QMessageBox.warning(self, "Reject", str(exc))
            return
        self._changed()

    def add_detail(self, text: str | None = None) -> None:
        ids = self._selected_ids()
        if len(ids) != 1:
            return
        post = store.get_post(self.session.conn, ids[0])
        if post is None:
            return
        if text is None:
            text, ok = QInputDialog.getMultiLineText(
                self, "Add Detail", "Add what the person did and what they wore (clothing, build, hair, a "
                "vehicle) — or take the description out:", post.text)
            if not ok:
                return
        try:
            verdict = svc.revise_held(self.session, ids[0], text)
        except (svc.PostError, PermissionDenied) as exc:
            QMessageBox.warning(self, "Add Detail", str(exc))
            return
        if verdict.verdict == "held":
            QMessageBox.information(self, "Still held", verdict.prompt)
        self._changed()

    def import_posts(self) -> None:
        from app.views.program.record_import_dialog import run_record_import

        def done(_ids: list[int]) -> None:
            self.place_unmapped(quiet=True)
            self._changed()

        run_record_import(self.window_, "posts", self, done)

    def place_unmapped(self, quiet: bool = False) -> None:
        try:
            placed = svc.place_with_base_map(self.session)
        except PermissionDenied as exc:
            if not quiet:
                QMessageBox.warning(self, "Place Unmapped", str(exc))
            return
        if placed is None:
            msg = ("Posts without coordinates stay unmapped: load a base map with addresses (Map tab) to place them "
                   "by their block address.")
        else:
            msg = f"Placed {placed[0]:,} posts by their block address; {placed[1]:,} could not be found."
            self._changed()
        self.window_.statusBar().showMessage(msg, 8000)
        if not quiet:
            QMessageBox.information(self, "Place Unmapped", msg)
