"""The Audit Log tab: the hash-chained log, newest first, with filters, lazy paging, export and verification.

Reading goes through app.services.accountability.audit_service (role check, personal data masked for auditors); the
log grows without bound, so the model (app.models.audit_table_model) fetches pages by seq as the view scrolls.
Export and verification run off the GUI thread on a connection of their own, with progress and Cancel.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    QTimeZone,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core import audit_actions, timefmt
from app.core.permissions import Permission
from app.models.audit_table_model import AuditTableModel
from app.services.accountability import audit_service
from app.services.session import PermissionDenied, User
from app.views.accountability.audit_detail import AuditDetailPane
from app.views.widgets import files
from app.views.widgets.gated import PermissionGate
from app.views.widgets.state import PreservedState
from app.workers.jobs import JobControl, run_job

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex
SETTINGS_GROUP = "audit_tab"
RELOAD_KEY = QKeySequence.StandardKey.Refresh  # F5; listed in Help ▸ Keyboard Shortcuts
ISO_FORMAT = "yyyy-MM-dd'T'HH:mm:ss'Z'"


def _combo(tip: str, name: str, parent: QWidget) -> QComboBox:
    box = QComboBox(parent)
    box.setObjectName(name)
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    box.setToolTip(tip)
    box.setMinimumContentsLength(6)
    box.lineEdit().setPlaceholderText("any")
    return box


class AuditTab(QWidget):
    filter_changed = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("tab_audit")
        self.model = AuditTableModel(window.ctx.session, parent=self)
        self.actor_box = _combo("Only entries by this user (exact name)", "audit_actor", self)
        self.action_box = _combo("Only entries of this act, e.g. “Sign-in failed”", "audit_action", self)
        self.action_box.setMinimumContentsLength(18)
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("audit_text")
        self.text_edit.setPlaceholderText("Object or details contain…")
        self.text_edit.setToolTip("Only entries whose object or details contain this text (Ctrl+F)")
        self.text_edit.setClearButtonEnabled(True)
        now = QDateTime.currentDateTimeUtc()
        self.from_check = QCheckBox("Fro&m", self)
        self.from_check.setObjectName("audit_from_on")
        self.from_check.setToolTip(f"Only entries at or after this time ({timefmt.zone_name()})")
        self.from_edit = self._date_edit(now.addDays(-30), "audit_from")
        self.to_check = QCheckBox("&To", self)
        self.to_check.setObjectName("audit_to_on")
        self.to_check.setToolTip(f"Only entries before this time ({timefmt.zone_name()})")
        self.to_edit = self._date_edit(now.addDays(1), "audit_to")
        self.refresh_button = QPushButton("Refre&sh", self)
        self.refresh_button.setObjectName("audit_refresh")
        self.refresh_button.setToolTip("Read the newest entries (F5)")
        self.export_button = QPushButton("E&xport CSV…", self)
        self.export_button.setObjectName("audit_export")
        self.export_button.setToolTip("Save the matching entries as CSV, with a chain-head file to keep apart")
        self.verify_button = QPushButton("Verif&y…", self)
        self.verify_button.setObjectName("audit_verify")
        self.verify_button.setToolTip("Walk the whole hash chain and report the first broken entry, if any")
        self.verify_head_button = QPushButton("Verify with &Kept Head…", self)
        self.verify_head_button.setObjectName("audit_verify_head")
        self.verify_head_button.setToolTip("Also check that the log still holds the entry of a chain-head file "
                                           "exported earlier (catches entries cut off the end)")
        self.status = QLabel("", self)
        self.status.setObjectName("audit_status")
        # A long status must not widen the window: it is cut instead.
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.table = QTableView(self)
        self.table.setObjectName("audit_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.detail = AuditDetailPane(self)
        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        self.split.setObjectName("audit_split")
        self.split.addWidget(self.table)
        self.split.addWidget(self.detail)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([900, 340])
        self.stack = PermissionGate(self.split, "audit_denied", self)
        self.denied_label = self.stack.denied

        bar = QHBoxLayout()
        for label, widget in (("&Actor:", self.actor_box), ("A&ction:", self.action_box)):
            lab = QLabel(label, self)
            lab.setBuddy(widget)
            bar.addWidget(lab)
            bar.addWidget(widget)
        bar.addWidget(self.text_edit, 1)
        period = QHBoxLayout()
        for widget in (self.from_check, self.from_edit, self.to_check, self.to_edit):
            period.addWidget(widget)
        period.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for widget in (self.refresh_button, self.export_button, self.verify_button, self.verify_head_button):
            buttons.addWidget(widget)
        # The controls live in two panels of their own, so a role that may not read the log sees only the message.
        self.filters = QWidget(self)
        self.filters.setObjectName("audit_filters")
        filters = QVBoxLayout(self.filters)
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addLayout(bar)
        filters.addLayout(period)
        self.controls = QWidget(self)
        self.controls.setObjectName("audit_controls")
        self.controls.setLayout(buttons)
        buttons.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.controls)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filter)
        self.text_edit.textChanged.connect(self._debounce.start)
        for box in (self.actor_box, self.action_box):
            box.currentTextChanged.connect(self._debounce.start)
        for check in (self.from_check, self.to_check):
            check.toggled.connect(self._debounce.start)
        for edit in (self.from_edit, self.to_edit):
            edit.dateTimeChanged.connect(self._debounce.start)
        self.refresh_button.clicked.connect(lambda: self.reload())
        QShortcut(QKeySequence(RELOAD_KEY), self, lambda: self.reload(),
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.export_button.clicked.connect(lambda: export_audit(window, self.current_filter()))
        self.verify_button.clicked.connect(lambda: verify_audit(window))
        self.verify_head_button.clicked.connect(lambda: verify_audit_with_head(window))
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        self.model.modelReset.connect(lambda: self.detail.show_row(None))
        self.model.modelReset.connect(self._update_status)
        self.model.rowsInserted.connect(self._update_status)
        self._restore_columns()
        window.on_close(self._save_columns)
        self._loaded = False
        self._action_names: list[str] = []

    def _date_edit(self, value: QDateTime, name: str) -> QDateTimeEdit:
        edit = QDateTimeEdit(value, self)
        edit.setObjectName(name)
        edit.setTimeZone(QTimeZone.systemTimeZone())
        edit.setDisplayFormat("yyyy-MM-dd HH:mm t")
        edit.setCalendarPopup(True)
        edit.setToolTip(f"Local time, {timefmt.zone_name()}")
        return edit

    # --- filters --------------------------------------------------------------------------------------------------
    def current_filter(self) -> audit_service.AuditFilter:
        def iso(edit: QDateTimeEdit) -> str:
            return edit.dateTime().toUTC().toString(ISO_FORMAT)

        return audit_service.AuditFilter(
            actor=self.actor_box.currentText().strip(),
            actions=tuple(self._chosen_actions()),
            text=self.text_edit.text().strip(),
            since=iso(self.from_edit) if self.from_check.isChecked() else "",
            until=iso(self.to_edit) if self.to_check.isChecked() else "",
        )

    def _chosen_actions(self) -> list[str]:
        """Every stored name of the act chosen (by its label, or typed as a stored name)."""
        text = self.action_box.currentText().strip()
        if not text:
            return []
        by_label = {audit_actions.label(a).casefold(): a for a in self._action_names}
        return audit_actions.names_for(by_label.get(text.casefold(), text))

    def _show_detail(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.rows[current.row()] if current.isValid() and current.row() < len(self.model.rows) else None
        self.detail.show_row(row, self.model.resolve)

    def apply_filter(self) -> None:
        self._debounce.stop()
        self.model.set_filter(self.current_filter())
        self.filter_changed.emit()

    def reload(self, choices: bool = True) -> None:
        """Re-read the entries, and the filter choices (new entries arrive all the time)."""
        session = self.window_.ctx.session
        allowed = session.can(Permission.VIEW_AUDIT)
        for button in (self.export_button, self.verify_button, self.verify_head_button):
            button.setEnabled(allowed)
        if allowed and (choices or not self._loaded):
            self._fill_choices()
            self._loaded = True  # only once the choices were really filled (not for a role that may not read)
        self.apply_filter()

    def _fill_choices(self) -> None:
        actors, actions = audit_service.filter_choices(self.window_.ctx.session)
        stored = {audit_actions.canonical(a) for a in actions}
        self._action_names = sorted(stored, key=lambda a: audit_actions.label(a).casefold())
        choices = ((self.actor_box, ["", *actors]),
                   (self.action_box, ["", *(audit_actions.label(a) for a in self._action_names)]))
        for box, items in choices:
            text = box.currentText()
            box.blockSignals(True)
            box.clear()
            box.addItems(items)
            box.setEditText(text)
            box.blockSignals(False)

    def user_changed(self, user: User | None) -> None:
        if user is not None and self.isVisible():
            self.reload()

    def focus_filter(self) -> None:
        self.text_edit.setFocus()
        self.text_edit.selectAll()

    def _update_status(self, *_: object) -> None:
        if self.model.denied:
            role = self.window_.ctx.session.user
            who = f"You are signed in as {role.name} ({role.role.value})." if role else "Nobody is signed in."
            self.stack.deny("<h3>The audit log is for auditors, supervisors and administrators.</h3>"
                            f"<p>{who} Ask one of them, or sign in with such an account (File ▸ Sign Out).</p>")
            self.status.setText("")
            self.filters.hide()
            self.controls.hide()
            return
        self.filters.show()
        self.controls.show()
        self.stack.allow()
        shown, total = self.model.rowCount(), self.model.total
        more = " (scroll for more)" if self.model.canFetchMore() else ""
        self.status.setText(f"{total:,} matching entries; {shown:,} loaded{more}")

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().showEvent(event)
        self.reload(choices=False)  # the log moved on while the tab was hidden

    # --- column widths --------------------------------------------------------------------------------------------
    def _restore_columns(self) -> None:
        self._state = PreservedState(SETTINGS_GROUP, header=self.table.horizontalHeader())
        if "header" not in self._state.restore():
            for col, width in enumerate([60, 200, 90, 210, 240]):
                self.table.setColumnWidth(col, width)

    def _save_columns(self) -> None:
        self._state.save()


# --- export and verification (also reached from the Insights menu) ------------------------------------------------
def _report(window: MainWindow, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    """A non-blocking message box named audit_message, so tests (and the next report) can find it."""
    old = window.findChild(QMessageBox, "audit_message")
    if old is not None:
        old.setObjectName("")
        old.close()
        old.deleteLater()
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, window)
    box.setObjectName("audit_message")
    box.open()
    window.statusBar().showMessage(text.split("\n")[0], 8000)
    return box


def export_audit(window: MainWindow, flt: audit_service.AuditFilter) -> None:
    session = window.ctx.session
    try:
        mask = audit_service.authorize_export(session)
    except PermissionDenied as exc:
        _report(window, QMessageBox.Icon.Warning, "Cannot export the audit log", str(exc))
        return
    actor = session.actor
    stamp = QDateTime.currentDateTimeUtc().toString("yyyyMMdd-HHmm")
    path = files.choose_save_file(window, "Export Audit Log", "CSV files (*.csv)", "audit_export",
                                  f"audit-log-{stamp}.csv")
    if path is None:
        return
    if path.suffix.lower() != ".csv":
        path = path.with_name(path.name + ".csv")
    db_path = window.ctx.paths.db_path

    def work(control: JobControl) -> audit_service.ExportResult:
        return audit_service.export_in_worker(db_path, actor, flt, path, mask, control.progress, control.check)

    def done(result: audit_service.ExportResult) -> None:
        _report(window, QMessageBox.Icon.Information, "Audit log exported",
                f"Exported {result.rows:,} entries to {result.csv_path}.\n\nThe chain head (entry {result.head.seq}, "
                f"SHA-256 {result.head.hash}) is saved in {result.head_path.name}. Keep that file apart from this "
                "computer: later, “Verify with Kept Head” or `canvass verify-audit --head FILE` proves that no "
                "entry up to it was changed or removed.")

    def failed(message: str, _tb: str) -> None:
        _report(window, QMessageBox.Icon.Critical, "Export failed",
                f"The audit log could not be exported: {message}\n\nCheck that the folder is writable and has space.")

    run_job(window, "Exporting the audit log…", work, done, failed,
            lambda: window.statusBar().showMessage("Export cancelled; nothing was written.", 5000))


def verify_audit(window: MainWindow, head: audit_service.ChainHead | None = None) -> None:
    session = window.ctx.session
    try:
        audit_service.authorize_verify(session)
    except PermissionDenied as exc:
        _report(window, QMessageBox.Icon.Warning, "Cannot verify the audit log", str(exc))
        return
    db_path = window.ctx.paths.db_path

    def work(control: JobControl) -> audit_service.StoreCheck:
        def progress(done: int, total: int) -> None:
            control.check()
            control.progress(done, total)

        return audit_service.check_store_file(db_path, head, progress)

    def done(result: audit_service.StoreCheck) -> None:
        audit_service.record_store_check(session, result)
        chain = result.chain
        notes = "".join(f"\n\nNote: {n}." for n in result.notes)
        if result.ok:
            kept = f" It still holds the kept head (entry {head.seq or '?'})." if head is not None else ""
            _report(window, QMessageBox.Icon.Information, "Audit log verified",
                    f"OK: all {chain.entries:,} entries check out, and the log reaches the head kept beside the "
                    f"store.{kept}\nChain head: entry {chain.head_seq}, SHA-256 {chain.head_hash}{notes}")
        else:
            first = (f"The first broken entry is {chain.broken_seq}: {chain.reason}.\n\nThe {chain.entries:,} "
                     "entries before it check out." if not chain.ok and chain.broken_seq is not None else
                     "The entries check out one by one, but:")
            others = [p for p in result.problems if not p.startswith(f"entry {chain.broken_seq}:")]
            listed = "".join(f"\n• {p}" for p in others)
            _report(window, QMessageBox.Icon.Critical, "Audit log is broken",
                    f"{first}{listed}\n\nKeep this store as it is and tell your oversight body; restoring a backup "
                    f"does not hide what happened.{notes}")

    def failed(message: str, _tb: str) -> None:
        _report(window, QMessageBox.Icon.Critical, "Verification failed", f"The audit log could not be read: {message}")

    run_job(window, "Verifying the audit log…", work, done, failed)


def verify_audit_with_head(window: MainWindow) -> None:
    path = files.choose_open_file(window, "Open a Kept Chain Head", "Chain head (*.json);;All files (*)",
                                  "audit_export")
    if path is None:
        return
    try:
        head = audit_service.parse_head(str(Path(path)))
    except (ValueError, OSError) as exc:
        _report(window, QMessageBox.Icon.Warning, "Not a chain-head file", f"{path.name}: {exc}")
        return
    verify_audit(window, head)
