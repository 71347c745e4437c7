"""The Registry tab: the camera table with its filters, the Owner details dock, and add/edit/delete with undo.

The table is a CameraTableModel straight over the shared CameraArrays (window.registry); selection is shared with
the map through window.camera_selection by camera id. Searches are audited once the filter settles.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.permissions import Permission
from app.core.records import CAMERA_KIND_LABELS, KIND_CODES, CameraKind, Consent, OwnerSummary
from app.models.camera_table_model import (
    CONSENT_ANY,
    CONSENT_NO_OWNER,
    CONSENT_OPT_IN,
    CONSENT_OPT_OUT,
    SOURCE_LABELS,
    CameraTableModel,
)
from app.services.registry.service import RegistryError, RegistryService, ids_matching_in_worker, load_arrays_in_worker
from app.services.session import PermissionDenied
from app.views.actions import Action
from app.views.registry.camera_dialog import CameraDialog
from app.views.registry.commands import AddCameraCommand, CommandContext, DeleteCamerasCommand, EditCameraCommand
from app.views.registry.owner_dock import OwnerDock
from app.views.widgets.gated import PermissionGate
from app.views.widgets.state import PreservedState
from app.workers.jobs import run_task

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

log = logging.getLogger(__name__)

SETTINGS_GROUP = "registry"
FILTER_DELAY_MS = 250        # apply the text filter once typing pauses
AUDIT_DELAY_MS = 1000        # audit a search once the filter has settled, not on every keystroke
ASYNC_TEXT_FILTER_ROWS = 100_000  # above this, the text search runs off the GUI thread


class RegistryTab(QWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("tab_registry")
        self.window_ = window
        self.ctx = window.ctx
        self.loaded = False
        self._syncing = False
        self._pending_changed: np.ndarray | None = None
        self._text_generation = 0
        self._last_logged: dict[str, Any] | None = None
        self.model = CameraTableModel(self.ctx.conn, window.registry.arrays, self)
        self._build()
        self.owner_dock = OwnerDock(window, self.service)
        self.owner_dock.consent_recorded.connect(self._consent_recorded)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.owner_dock)
        # The dock belongs with the camera views: shown on the Map and Registry tabs unless the user closed it.
        self._owner_dock_wanted = True
        toggle = self.owner_dock.toggleViewAction()
        toggle.setText("&Owner Details")
        toggle.setToolTip("Show the owner of the selected camera (Map and Registry tabs)")
        toggle.triggered.connect(self._owner_dock_toggled)
        window.menus["View"].addAction(toggle)
        window.tabs.currentChanged.connect(self._follow_tab)
        self.commands = CommandContext(self.service(), window.registry, self._note_patched, self._show_failure)
        self._restore_columns()
        window.registry.reloaded.connect(self._on_reloaded)
        window.camera_selection.selection_changed.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._after_reset)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection)
        self.table.activated.connect(lambda _index: self.edit_camera())
        self.apply_permissions()

    def _owner_dock_toggled(self, checked: bool) -> None:
        self._owner_dock_wanted = checked

    def _follow_tab(self, index: int) -> None:
        keys = self.window_.tab_keys
        key = keys[index] if 0 <= index < len(keys) else ""
        self.owner_dock.setVisible(self._owner_dock_wanted and key in ("map", "registry"))

    # --- building -------------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("registry_filter")
        self.filter_edit.setPlaceholderText("Filter by id, external id or label (Ctrl+F)")
        self.filter_edit.setToolTip("Show cameras whose id, external id or label contains this text. "
                                    "Searches of the registry are recorded in the audit log.")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(140)
        bar.addWidget(self.filter_edit, 3)
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("registry_kind")
        self.kind_combo.setToolTip("Show one kind of camera")
        self.kind_combo.addItem("All kinds", None)
        for i, code in enumerate(KIND_CODES):
            self.kind_combo.addItem(CAMERA_KIND_LABELS[CameraKind(code)], i)
        self.source_combo = QComboBox(self)
        self.source_combo.setObjectName("registry_source")
        self.source_combo.setToolTip("Show cameras from one source")
        self.source_combo.addItem("All sources", None)
        for i, label in enumerate(SOURCE_LABELS):
            self.source_combo.addItem(label, i)
        self.consent_combo = QComboBox(self)
        self.consent_combo.setObjectName("registry_consent")
        self.consent_combo.setToolTip("Show cameras by their owner's consent to footage requests")
        for label, value in (("Any consent", CONSENT_ANY), ("Opted in", CONSENT_OPT_IN),
                             ("Opted out", CONSENT_OPT_OUT), ("No owner", CONSENT_NO_OWNER)):
            self.consent_combo.addItem(label, value)
        for combo in (self.kind_combo, self.source_combo, self.consent_combo):
            # Narrow windows (and small screens) must still fit the tab: combos may shrink and elide.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
            bar.addWidget(combo)
            combo.currentIndexChanged.connect(self._combo_filter_changed)
        self.count_label = QLabel("Loading cameras…", self)
        self.count_label.setObjectName("registry_count")
        self.count_label.setToolTip("Cameras shown / in the registry, and how many are selected")
        self.count_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.count_label.setMinimumWidth(90)
        bar.addWidget(self.count_label, 1)
        layout.addLayout(bar)

        self.table = QTableView(self)
        self.table.setObjectName("registry_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setToolTip("Double-click or press Enter to edit a camera; Delete removes the selected cameras")
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        # Fixed row heights keep scrolling O(1) at a million rows (no per-row size hints).
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionsMovable(True)
        self.table.horizontalHeader().setHighlightSections(False)
        self.stack = PermissionGate(self.table, "registry_denied", self)
        self.denied = self.stack.denied
        layout.addWidget(self.stack, 1)

        self.filter_timer = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self.filter_timer.timeout.connect(self._apply_text_filter)
        self.audit_timer = QTimer(self, singleShot=True, interval=AUDIT_DELAY_MS)
        self.audit_timer.timeout.connect(self.log_search)
        self.filter_edit.textChanged.connect(lambda _t: self.filter_timer.start())
        self.filter_edit.returnPressed.connect(self._apply_text_filter)

    def service(self) -> RegistryService:
        return RegistryService(self.ctx.session)

    # --- permissions ----------------------------------------------------------------------------------------
    def user_changed(self, _user: object) -> None:
        self.apply_permissions()

    def apply_permissions(self) -> None:
        session = self.ctx.session
        can_view = session.can(Permission.VIEW_REGISTRY)
        user = session.user
        if can_view:
            self.stack.allow()
        else:
            self.stack.deny(f"{user.name} ({user.role.value}) may not view the camera registry." if user
                            else "Sign in to see the camera registry.")
        for w in (self.filter_edit, self.kind_combo, self.source_combo, self.consent_combo):
            w.setEnabled(can_view)
        can_edit = session.can(Permission.EDIT_REGISTRY)
        for action in (Action.ADD_CAMERA, Action.EDIT_CAMERA, Action.DELETE_CAMERA):
            self.window_.actions[action].setEnabled(can_edit)
        self.owner_dock.setEnabled(can_view)
        self._update_owner()

    # --- loading and model updates --------------------------------------------------------------------------
    def start_loading(self) -> None:
        path = self.ctx.paths.db_path
        run_task(lambda: load_arrays_in_worker(path), self.window_.registry.set_arrays, self._load_failed)

    def _load_failed(self, message: str, _trace: str) -> None:
        self.count_label.setText("Could not load the cameras")
        QMessageBox.critical(self, "Camera registry not loaded",
                             f"The camera registry could not be read: {message}\n\nThe log file has the details.")

    def _consent_recorded(self, owner_id: int) -> None:
        """A recorded consent change reaches every camera of the owner in the shared arrays (map and table)."""
        arrays = self.window_.registry.arrays
        if arrays is None:
            return
        summary = self.service().owner_summary(owner_id)
        if summary is None:
            return
        positions = arrays.set_owner_consent(owner_id, summary.consent == Consent.OPT_OUT)
        self._note_patched(arrays.ids[positions])
        self.window_.registry.set_arrays(arrays)

    def _note_patched(self, ids: np.ndarray) -> None:
        self._pending_changed = ids

    def _on_reloaded(self) -> None:
        changed, self._pending_changed = self._pending_changed, None
        arrays = self.window_.registry.arrays
        self.model.set_arrays(arrays, changed_ids=None if changed is None else changed.tolist())
        if changed is not None and arrays is self.model.arrays:
            self._update_count()
            self._update_owner()
        self.loaded = True

    def _after_reset(self) -> None:
        self._select_ids(self.window_.camera_selection.ids, scroll=False)
        self._update_count()

    def _update_count(self) -> None:
        total = len(self.model.arrays)
        shown = self.model.rowCount()
        text = f"{total:,} cameras" if shown == total else f"{shown:,} of {total:,} cameras"
        selected = len(self.window_.camera_selection)
        self.count_label.setText(text + (f", {selected:,} selected" if selected else ""))

    # --- filters --------------------------------------------------------------------------------------------
    def focus_filter(self) -> None:
        self.window_.show_tab("registry")
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _combo_filter_changed(self) -> None:
        self.model.set_filter(kinds=None if self.kind_combo.currentData() is None else [self.kind_combo.currentData()],
                              source=self.source_combo.currentData(), consent=self.consent_combo.currentData())
        self.audit_timer.start()

    def _apply_text_filter(self) -> None:
        self.filter_timer.stop()
        text = self.filter_edit.text().strip()
        self._text_generation += 1
        if not text or len(self.model.arrays) < ASYNC_TEXT_FILTER_ROWS:
            self.model.set_filter(text=text)
            self.audit_timer.start()
            return
        generation, path = self._text_generation, self.ctx.paths.db_path
        self.count_label.setText("Searching…")

        def search() -> np.ndarray:
            return ids_matching_in_worker(path, text)

        def done(ids: np.ndarray) -> None:
            if generation == self._text_generation:  # a later keystroke superseded this search
                self.model.set_filter(text=text, text_ids=ids)
                self.audit_timer.start()

        run_task(search, done)

    def current_filter(self) -> dict[str, Any]:
        f = self.model.filter
        kinds = f["kinds"]
        return {"text": f["text"], "kind": KIND_CODES[kinds[0]] if kinds else None,
                "source": None if f["source"] is None else SOURCE_LABELS[f["source"]], "consent": f["consent"]}

    def log_search(self) -> None:
        """Audit the settled filter (once per distinct filter; clearing the filter is not a search)."""
        self.audit_timer.stop()
        filters = self.current_filter()
        if filters == self._last_logged:
            return
        if not filters["text"] and filters["kind"] is None and filters["source"] is None \
                and filters["consent"] == CONSENT_ANY:
            self._last_logged = filters
            return
        try:
            self.service().log_search(filters, self.model.rowCount())
        except PermissionDenied:
            return
        self._last_logged = filters

    def flush_search_audit(self) -> None:
        if self.audit_timer.isActive() or self.filter_timer.isActive():
            if self.filter_timer.isActive():
                self._apply_text_filter()
            self.log_search()

    # --- selection ------------------------------------------------------------------------------------------
    def _on_table_selection(self) -> None:
        if self._syncing:
            return
        parts = [np.arange(r.top(), r.bottom() + 1) for r in self.table.selectionModel().selection()]
        rows = np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int64)
        self.window_.camera_selection.set_ids(self.model.ids_of_rows(rows), source=self)
        self._update_count()
        self._update_owner()

    def _on_selection_changed(self, source: object) -> None:
        if source is self:
            return
        self._select_ids(self.window_.camera_selection.ids, scroll=True)
        self._update_count()
        self._update_owner()

    def _select_ids(self, ids: np.ndarray, scroll: bool) -> None:
        rows = self.model.rows_of_ids(ids)
        selection = QItemSelection()
        if rows.size:
            # One range per run of consecutive rows: a big selection costs its runs, not its rows.
            breaks = np.flatnonzero(np.diff(rows) != 1)
            starts = np.concatenate([[rows[0]], rows[breaks + 1]])
            ends = np.concatenate([rows[breaks], [rows[-1]]])
            last = self.model.columnCount() - 1
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
                selection.select(self.model.index(a, 0), self.model.index(b, last))
        self._syncing = True
        try:
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.table.selectionModel().select(selection, flags)
            if rows.size:
                self.table.selectionModel().setCurrentIndex(self.model.index(int(rows[0]), 0),
                                                            QItemSelectionModel.SelectionFlag.NoUpdate)
                if scroll:
                    self.table.scrollTo(self.model.index(int(rows[0]), 0))
        finally:
            self._syncing = False

    def _update_owner(self) -> None:
        ids = self.window_.camera_selection.ids
        if not self.ctx.session.can(Permission.VIEW_REGISTRY):
            self.owner_dock.show_owner(None, "Your role may not view the registry.")
            return
        if len(ids) != 1:
            self.owner_dock.show_owner(None, "Select one camera to see its owner." if len(ids) == 0 else
                                       f"{len(ids):,} cameras selected. Select one to see its owner.")
            return
        pos = self.model.arrays.positions_of(ids)
        owner_id = int(self.model.arrays.owner_id[pos[0]]) if pos.size else -1
        if owner_id < 0:
            self.owner_dock.show_owner(None, f"Camera {int(ids[0])} has no resident owner (agency or city camera).")
            return
        if owner_id == self.owner_dock.owner_id and self.owner_dock.contact_box.isVisible():
            return  # the same owner: keep the contact details the user asked to see
        self.owner_dock.show_owner(self.service().owner_summary(owner_id))

    # --- add / edit / delete --------------------------------------------------------------------------------
    def _show_failure(self, message: str) -> None:
        QMessageBox.warning(self.window_, "Registry", message)

    def _refused(self, title: str, exc: Exception) -> None:
        QMessageBox.warning(self.window_, title, f"{exc}." if isinstance(exc, PermissionDenied) else str(exc))

    def _lookup_owner(self, anonymity_no: int) -> OwnerSummary | None:
        return self.service().owner_by_anonymity(anonymity_no)

    def add_camera(self) -> None:
        try:
            self.ctx.session.require(Permission.EDIT_REGISTRY)
        except PermissionDenied as exc:
            self._refused("Cannot add a camera", exc)
            return
        dialog = CameraDialog(self.window_, lookup_owner=self._lookup_owner)
        if dialog.exec() != CameraDialog.DialogCode.Accepted:
            return
        try:
            change = self.service().add_camera(dialog.camera(), dialog.owner())
        except (PermissionDenied, RegistryError) as exc:
            self._refused("Camera not added", exc)
            return
        self.window_.undo_stack.push(AddCameraCommand(self.commands, change))
        self.window_.camera_selection.set_ids(change.camera_ids, source=None)

    def _camera_to_edit(self) -> int | None:
        ids = self.window_.camera_selection.ids
        if len(ids) == 0:
            self.window_.statusBar().showMessage("Select a camera to edit.", 4000)
            return None
        current = self.table.currentIndex()
        if current.isValid() and self.model.id_of_row(current.row()) in set(ids.tolist()[:10_000]):
            return self.model.id_of_row(current.row())
        return int(ids[0])

    def edit_camera(self) -> None:
        camera_id = self._camera_to_edit()
        if camera_id is None:
            return
        try:
            self.ctx.session.require(Permission.EDIT_REGISTRY)
        except PermissionDenied as exc:
            self._refused("Cannot edit the camera", exc)
            return
        camera = self.service().get_camera(camera_id)
        if camera is None:
            self._show_failure(f"Camera {camera_id} no longer exists.")
            return
        owner = self.service().owner_summary(camera.owner_id) if camera.owner_id is not None else None
        dialog = CameraDialog(self.window_, camera, owner, lookup_owner=self._lookup_owner)
        if dialog.exec() != CameraDialog.DialogCode.Accepted:
            return
        try:
            change = self.service().edit_camera(dialog.camera(), dialog.owner())
        except (PermissionDenied, RegistryError) as exc:
            self._refused("Camera not changed", exc)
            return
        if change.cameras_before == change.cameras_after and change.owners_before == change.owners_after:
            return  # nothing changed: nothing to undo
        self.window_.undo_stack.push(EditCameraCommand(self.commands, change))
        self._update_owner()

    def delete_cameras(self) -> None:
        ids = self.window_.camera_selection.ids
        if len(ids) == 0:
            self.window_.statusBar().showMessage("Select the cameras to delete.", 4000)
            return
        try:
            self.ctx.session.require(Permission.EDIT_REGISTRY)
        except PermissionDenied as exc:
            self._refused("Cannot delete cameras", exc)
            return
        n = len(ids)
        what = f"camera {int(ids[0])}" if n == 1 else f"{n:,} cameras"
        answer = QMessageBox.question(
            self.window_, "Delete cameras?",
            f"Delete {what} from the registry?\n\nOwners left without a camera are removed too. "
            "You can undo this with Edit ▸ Undo.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.setCursor(Qt.CursorShape.WaitCursor)
        try:
            change = self.service().delete_cameras(ids)
        except (PermissionDenied, RegistryError) as exc:
            self._refused("Cameras not deleted", exc)
            return
        finally:
            self.unsetCursor()
        self.window_.undo_stack.push(DeleteCamerasCommand(self.commands, change))
        self.window_.camera_selection.clear(source=None)

    # --- column widths ----------------------------------------------------------------------------------------
    def _restore_columns(self) -> None:
        self._state = PreservedState(SETTINGS_GROUP, header=self.table.horizontalHeader())
        if "header" not in self._state.restore():
            for col, width in ((0, 80), (2, 200), (5, 120), (7, 100), (8, 110)):
                self.table.setColumnWidth(col, width)

    def save_columns(self) -> None:
        self._state.save()
