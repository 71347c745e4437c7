"""The Evidence tab: a request's shared answers (drop files on one, or Attach Footage…), its items, the selected
item's custody timeline, and the legal holds past their review date. Acts are in EvidenceIntake and
EvidenceCommands; every one goes through app.services.evidence, which checks the role and audits it.

Other features connect to `viewer_requested(item_id)` (Open in Viewer: Enter or double-click on an item).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.records import utc_now
from app.core.wording import count
from app.models.evidence_table_model import CustodyTableModel, EvidenceItemTableModel, IdRole, local_time
from app.services.evidence import EvidenceService, browse, custody, retention
from app.services.session import PermissionDenied, User
from app.views.evidence.commands import EvidenceCommands
from app.views.evidence.intake_flow import EvidenceIntake

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

SETTINGS_GROUP = "evidence_tab"
RecipientRole = Qt.ItemDataRole.UserRole + 1


class AnswerList(QListWidget):
    """The shared answers of a request; files dropped on a row are attached to that answer."""

    files_dropped = Signal(int, list)  # recipient id, [Path]

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("evidence_answers")
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setToolTip("Owners who chose to share footage. Drop video files on an owner to attach them to that "
                        "answer, or select one and press Attach Footage… (Ctrl+Shift+F).")

    def _row_at(self, event: QDropEvent | QDragMoveEvent) -> QListWidgetItem | None:
        return self.itemAt(event.position().toPoint())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls() and self.count():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt override
        row = self._row_at(event)
        if event.mimeData().hasUrls() and row is not None:
            self.setCurrentItem(row)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        row = self._row_at(event)
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if row is None or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(int(row.data(RecipientRole)), paths)


class EvidenceTab(QWidget):
    viewer_requested = Signal(int)   # an item to open in the evidence viewer
    evidence_changed = Signal()      # items were added, purged or held

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("evidence_tab")
        self.window_ = window
        self.session = window.ctx.session
        self.conn = window.ctx.conn
        self.evidence_dir = window.ctx.paths.evidence_dir
        self.service = EvidenceService(self.session, self.evidence_dir)
        self.clock = utc_now
        self.request_id: int | None = None
        self._columns_sized = False
        self._custody_sized = False
        self.intake = EvidenceIntake(self)
        self.commands = EvidenceCommands(self)
        self._build()
        self.restore_layout()
        window.on_close(self.save_layout)

    # --- layout -----------------------------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Reque&st:", self))
        self.request_box = QComboBox(self)
        self.request_box.setObjectName("evidence_request")
        self.request_box.setMinimumWidth(320)
        self.request_box.setToolTip("Sent and closed requests; the count is the items received for each")
        top.itemAt(0).widget().setBuddy(self.request_box)  # type: ignore[union-attr]
        self.request_box.currentIndexChanged.connect(self._request_chosen)
        top.addWidget(self.request_box)
        top.addStretch(1)
        self.holds_label = QLabel(self)
        self.holds_label.setObjectName("evidence_overdue_holds")
        self.holds_label.setTextFormat(Qt.TextFormat.PlainText)
        self.holds_label.setWordWrap(True)
        top.addWidget(self.holds_label)
        outer.addLayout(top)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("evidence_splitter")
        left = QWidget(self.splitter)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("Shared answers (drop files here)", left))
        self.answers = AnswerList(left)
        self.answers.files_dropped.connect(self.intake.attach_paths)
        lv.addWidget(self.answers)
        self.attach_button = self._button("Attach Footage…", "Copy files into the evidence store for the selected "
                                          "answer (Ctrl+Shift+F)", self.intake.attach_from_dialog, lv, left)

        right = QSplitter(Qt.Orientation.Vertical, self.splitter)
        self.right_splitter = right
        items_box = QWidget(right)
        iv = QVBoxLayout(items_box)
        iv.setContentsMargins(0, 0, 0, 0)
        self.items_model = EvidenceItemTableModel(self)
        self.items_view = QTableView(items_box)
        self.items_view.setObjectName("evidence_items")
        self.items_view.setModel(self.items_model)
        self.items_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.items_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.items_view.setWordWrap(False)
        self.items_view.verticalHeader().hide()
        self.items_view.horizontalHeader().setStretchLastSection(True)
        self.items_view.doubleClicked.connect(lambda _i: self.open_viewer())
        self.items_view.selectionModel().selectionChanged.connect(lambda *_: self._item_chosen())
        self.items_view.installEventFilter(self)
        iv.addWidget(self.items_view)
        buttons = QHBoxLayout()
        c = self.commands
        self.viewer_button = self._button("Open in Viewer", "Play the selected item (Enter)", self.open_viewer,
                                          buttons)
        self._button("Verify", "Re-hash the items of this request against the hashes taken at intake",
                     c.verify_request, buttons)
        self._button("Custody Report…", "The chain of custody of the selected item, or of every item of the "
                     "request, as PDF or CSV", c.custody_report, buttons)
        self._button("Export Package…", "The selected items as a BagIt package for another organisation "
                     "(a supervisor approves)", c.export_package, buttons)
        buttons.addStretch(1)
        iv.addLayout(buttons)
        keeping = QHBoxLayout()  # a second row: the window's default width holds every tab's controls
        self._button("Place Hold…", "A legal hold on the selected items (supervisors)", c.place_hold, keeping)
        self._button("Release Hold…", "Release the selected item's legal hold (supervisors)", c.release_hold,
                     keeping)
        self._button("Consent Withdrawn…", "The owner withdrew consent: the item is purged at the next purge "
                     "unless a hold exists", c.withdraw_consent, keeping)
        self._button("Restore…", "Keep an item marked for purge (supervisors, within the 7-day grace period)",
                     c.restore, keeping)
        keeping.addStretch(1)
        iv.addLayout(keeping)
        self.custody_model = CustodyTableModel(self)
        self.custody_view = QTableView(right)
        self.custody_view.setObjectName("evidence_custody")
        self.custody_view.setModel(self.custody_model)
        self.custody_view.setWordWrap(False)
        self.custody_view.verticalHeader().hide()
        self.custody_view.horizontalHeader().setStretchLastSection(True)
        self.custody_view.setToolTip("The selected item's chain of custody, oldest first")
        self.splitter.setStretchFactor(1, 3)
        outer.addWidget(self.splitter, 1)

    def _button(self, text: str, tip: str, slot, layout, parent: QWidget | None = None) -> QPushButton:  # noqa: ANN001
        b = QPushButton(text, parent or self)
        b.setObjectName("evidence_" + text.lower().rstrip("…").replace(" ", "_"))
        b.setToolTip(tip)
        b.clicked.connect(lambda _=False: slot())
        layout.addWidget(b)
        return b

    def eventFilter(self, obj, event) -> bool:  # noqa: N802, ANN001 - Qt override
        if obj is self.items_view and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_viewer()
            return True
        return super().eventFilter(obj, event)

    # --- state ------------------------------------------------------------------------------------------------------
    def may_view(self) -> bool:
        return browse.may_view(self.session)

    def reload(self) -> None:
        keep = self.request_id
        self.request_box.blockSignals(True)
        self.request_box.clear()
        if self.may_view():
            for r in browse.requests(self.session):
                label = f"#{r['public_no'] or '—'} · {r['case_number']} · {r['state']} · {r['items']} item(s)"
                self.request_box.addItem(label, r["id"])
        self.request_box.blockSignals(False)
        index = self.request_box.findData(keep) if keep is not None else -1
        self.request_box.setCurrentIndex(index if index >= 0 else (0 if self.request_box.count() else -1))
        self._request_chosen()
        self._show_overdue_holds()

    def select_request(self, request_id: int) -> None:
        index = self.request_box.findData(request_id)
        if index >= 0:
            self.request_box.setCurrentIndex(index)

    def _request_chosen(self, *_: object) -> None:
        data = self.request_box.currentData()
        self.request_id = int(data) if data is not None else None
        self.answers.clear()
        if self.request_id is not None:
            for recipient_id, who, n in browse.shared_answers(self.session, self.request_id):
                row = QListWidgetItem(f"{who} — shared — {count(n, 'file')}", self.answers)
                row.setData(RecipientRole, recipient_id)
            if self.answers.count():
                self.answers.setCurrentRow(0)
        self.refresh_items()

    def refresh_items(self, select: int | None = None) -> None:
        items, held = browse.items(self.session, self.request_id)
        self.items_model.set_items(items, held)
        if items and not self._columns_sized:  # first rows and no saved widths: fit the columns once
            self._columns_sized = True
            self.items_view.resizeColumnsToContents()
        if select is not None:
            for row, it in enumerate(items):
                if it.id == select:
                    self.select_row(row)
        elif items:
            self.select_row(0)
        self._item_chosen()

    def select_row(self, row: int) -> None:
        # Not QTableView.selectRow: in extended selection it honours the keyboard modifiers held at that moment.
        sm = self.items_view.selectionModel()
        index = self.items_model.index(row, 0)
        flags = sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows
        sm.setCurrentIndex(index, flags)

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.items_view.selectionModel().selectedRows()})
        return [int(self.items_model.index(r, 0).data(IdRole)) for r in rows]

    def current_id(self) -> int | None:
        ids = self.selected_ids()
        return ids[0] if ids else None

    def current_recipient(self) -> int | None:
        row = self.answers.currentItem()
        return int(row.data(RecipientRole)) if row is not None else None

    def _item_chosen(self) -> None:
        item_id = self.current_id()
        events = custody.timeline(self.session, item_id) if item_id is not None and self.may_view() else []
        self.custody_model.set_rows(events)
        if events and not self._custody_sized:
            self._custody_sized = True
            self.custody_view.resizeColumnsToContents()
        item = self.items_model.rows[self.items_view.currentIndex().row()] if item_id is not None and \
            self.items_view.currentIndex().isValid() else None
        self.viewer_button.setEnabled(item is not None and not item.purged and item.is_media)

    def _show_overdue_holds(self) -> None:
        if not self.may_view():
            self.holds_label.setText("")
            return
        overdue = retention.overdue_holds(self.session, self.clock())
        if overdue:
            self.holds_label.setText(f"⚠ {len(overdue)} legal hold(s) past their review date: " + ", ".join(
                f"item {h.evidence_id} (review {h.review_on}, by {h.placed_by_name})" for h in overdue[:5]))
            self.holds_label.setStyleSheet("color: #a40000; font-weight: bold")
            self.holds_label.setToolTip("\n".join(f"Item {h.evidence_id}: {h.reason} — {h.authority}; placed "
                                                  f"{local_time(h.placed_at)}" for h in overdue))
        else:
            self.holds_label.setText("No legal hold is past its review date.")
            self.holds_label.setStyleSheet("")

    def open_viewer(self) -> None:
        item_id = self.current_id()
        if item_id is None:
            return
        try:
            self.service.item_path(item_id)
        except (PermissionDenied, Exception) as exc:  # noqa: BLE001 - any reason it cannot open is said plainly
            self.report(QMessageBox.Icon.Warning, "Cannot open the item", str(exc))
            return
        self.viewer_requested.emit(item_id)

    def user_changed(self, _user: User | None) -> None:
        self.reload()

    # --- messages ---------------------------------------------------------------------------------------------------
    def report(self, icon: QMessageBox.Icon, title: str, text: str, detail: str = "") -> QMessageBox:
        """A non-blocking message box named evidence_message (tests and the next message find it)."""
        old = self.window_.findChild(QMessageBox, "evidence_message")
        if old is not None:
            old.setObjectName("")
            old.close()
            old.deleteLater()
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.window_)
        box.setObjectName("evidence_message")
        if detail:
            box.setDetailedText(detail)
        box.open()
        self.window_.statusBar().showMessage(text.split("\n")[0], 8000)
        return box

    # --- layout state -----------------------------------------------------------------------------------------------
    def save_layout(self) -> None:
        s = QSettings()
        s.beginGroup(SETTINGS_GROUP)
        s.setValue("splitter", self.splitter.saveState())
        s.setValue("right", self.right_splitter.saveState())
        s.setValue("items_header", self.items_view.horizontalHeader().saveState())
        s.endGroup()

    def restore_layout(self) -> None:
        s = QSettings()
        s.beginGroup(SETTINGS_GROUP)
        for key, widget in (("splitter", self.splitter), ("right", self.right_splitter),
                            ("items_header", self.items_view.horizontalHeader())):
            value = s.value(key)
            if isinstance(value, QByteArray):
                widget.restoreState(value)
                self._columns_sized = self._columns_sized or key == "items_header"
        s.endGroup()
