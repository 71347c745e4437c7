"""Program ▸ Agencies: the agency table, add/edit/delete (undoable), import from CSV, the first-run guidance of an
own store, and the partnership-growth plot with milestones and its exports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.fence import Fence
from app.core.permissions import Permission
from app.models.agency_table_model import AgencyTableModel, SortRole
from app.plots.growth_plot import GrowthPlot
from app.services.program import agencies as svc
from app.services.session import PermissionDenied
from app.store import agencies as store
from app.views.program.commands import ServiceCommand
from app.views.program.milestone_acts import MilestoneActs
from app.views.widgets.buttons import add_buttons
from app.views.widgets.files import choose_save_file

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

GUIDE = ("<b>Add your agency first.</b> A footage request needs a partner agency: its name, its jurisdiction (draw "
         "it on the Map tab with the polygon tool, or take it from a GeoJSON file) and its case-number format.")


class AgenciesView(QWidget):
    agencies_changed = Signal()

    def __init__(self, window: MainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.session = window.ctx.session
        self.map_fence: Fence | None = None
        self.dialog = None
        self.milestones = MilestoneActs(self, self.session, window.undo_stack, self.reload)
        self.setObjectName("program_agencies")
        layout = QVBoxLayout(self)
        self.guide = QLabel(GUIDE, self)
        self.guide.setObjectName("agency_guide")
        self.guide.setWordWrap(True)
        self.guide.setStyleSheet("background: #fff7bc; padding: 8px; border: 1px solid #d9c45f;")
        self.guide_button = QPushButton("Add &Your Agency…", self)
        self.guide_button.setObjectName("agency_guide_add")
        self.guide_button.clicked.connect(self.add_agency)
        guide_row = QHBoxLayout()
        guide_row.addWidget(self.guide, 1)
        guide_row.addWidget(self.guide_button)
        self.guide_box = QWidget(self)
        self.guide_box.setLayout(guide_row)
        layout.addWidget(self.guide_box)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        add_buttons(buttons, self, "agency", (
                ("add", "&Add…", "Add an agency", self.add_agency),
                ("edit", "Edi&t…", "Edit the selected agency (or double-click it)", self.edit_agency),
                ("delete", "De&lete", "Delete the selected agency (only if nothing refers to it; undoable)",
                 self.delete_agency),
                ("import", "Import &CSV…", "Import an agency list, with column mapping and a report of bad rows",
                 self.import_agencies)), self.buttons)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Vertical, self)
        self.model = AgencyTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = QTableView(self)
        self.table.setObjectName("agency_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(lambda _i: self.edit_agency())
        split.addWidget(self.table)
        growth = QWidget(self)
        g = QVBoxLayout(growth)
        g.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Partnership growth</b>", growth))
        row.addStretch(1)
        add_buttons(row, growth, "growth", (
                ("milestone", "Add &Milestone…", "Mark an event on the growth plot (e.g. a news report; undoable)",
                 self.add_milestone),
                ("delete_milestone", "Delete Mile&stone…", "Take a milestone off the growth plot (undoable)",
                 self.delete_milestone),
                ("png", "PNG…", "Export the plot as a PNG image", lambda: self.export("png")),
                ("svg", "SVG…", "Export the plot as an SVG drawing", lambda: self.export("svg")),
                ("csv", "CSV…", "Export the plot's data as CSV", lambda: self.export("csv"))), self.buttons)
        g.addLayout(row)
        self.plot = GrowthPlot(growth)
        g.addWidget(self.plot)
        split.addWidget(growth)
        split.setSizes([300, 260])
        layout.addWidget(split, 1)
        self.reload()

    def set_map_fence(self, fence: Fence | None) -> None:
        self.map_fence = fence

    def reload(self) -> None:
        conn = self.session.conn
        agencies = store.list_agencies(conn)
        self.model.set_rows(agencies)
        self.table.resizeColumnsToContents()
        self.guide_box.setVisible(not agencies)
        milestones = store.list_milestones(conn)
        self.plot.set_data(svc.growth(self.session), [(d, t) for _i, d, t in milestones])
        may = self.session.can(Permission.MANAGE_AGENCIES)
        for key in ("add", "edit", "delete", "import", "milestone"):
            self.buttons[key].setEnabled(may)
        self.buttons["delete_milestone"].setEnabled(may and bool(milestones))
        self.guide_button.setEnabled(may)

    def selected(self):  # noqa: ANN201 - Agency | None
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.rows[self.proxy.mapToSource(rows[0]).row()]

    def select_agency(self, agency_id: int) -> None:
        for r, a in enumerate(self.model.rows):
            if a.id == agency_id:
                self.table.selectRow(self.proxy.mapFromSource(self.model.index(r, 0)).row())

    # --- acts -------------------------------------------------------------------------------------------------------
    def _open(self, agency) -> None:  # noqa: ANN001
        from app.views.program.agency_dialog import AgencyDialog

        dialog = AgencyDialog(self.session, agency, self.map_fence, self)
        self.dialog = dialog

        def done(result: int) -> None:
            self.dialog = None
            if result and dialog.agency_id is not None:
                aid = dialog.agency_id
                if agency is None:
                    self._push_added(aid, dialog.value().name.strip())
                elif dialog.change is not None and dialog.change["before"] != dialog.change["after"]:
                    change = dialog.change
                    self.window_.undo_stack.push(ServiceCommand(
                        f"Edit Agency ‘{change['after']['name']}’",
                        lambda: svc.apply_agency_change(self.session, change, undo=False),
                        lambda: svc.apply_agency_change(self.session, change, undo=True), self._changed, self))
                self._changed()
                self.select_agency(aid)
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()

    def _push_added(self, aid: int, name: str) -> None:
        """Undo of an add deletes the agency (refused once something refers to it); redo puts the same row back."""
        held: dict[str, dict] = {}

        def undo() -> None:
            held["row"] = svc.delete_agency(self.session, aid)

        self.window_.undo_stack.push(ServiceCommand(
            f"Add Agency ‘{name}’", lambda: svc.restore_agency(self.session, held["row"]), undo, self._changed, self))

    def add_agency(self) -> None:
        self.window_.show_tab("program")
        self._open(None)

    def edit_agency(self) -> None:
        a = self.selected()
        if a is not None:
            self._open(a)

    def delete_agency(self) -> None:
        a = self.selected()
        if a is None:
            return
        try:
            row = svc.delete_agency(self.session, a.id)
        except (svc.AgencyError, PermissionDenied) as exc:
            QMessageBox.warning(self, "Delete Agency", str(exc))
            return
        self.window_.undo_stack.push(ServiceCommand(
            f"Delete Agency ‘{a.name}’", lambda: svc.delete_agency(self.session, a.id),
            lambda: svc.restore_agency(self.session, row), self._changed, self))
        self._changed()

    def _changed(self) -> None:
        self.reload()
        self.agencies_changed.emit()

    def import_agencies(self) -> None:
        from app.views.program.record_import_dialog import run_record_import

        run_record_import(self.window_, "agencies", self, lambda _ids: self._changed())

    def add_milestone(self) -> None:
        self.milestones.add()

    def delete_milestone(self) -> None:
        self.milestones.delete()

    def export(self, kind: str) -> None:
        filters = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)", "csv": "CSV (*.csv)"}[kind]
        path = choose_save_file(self, "Export Partnership Growth", filters, "growth_export",
                                f"partnership-growth.{kind}")
        if path is None:
            return
        if path.suffix.lower() != f".{kind}":
            path = path.with_suffix(f".{kind}")
        try:
            getattr(self.plot, f"export_{kind}")(path)
        except OSError as exc:
            QMessageBox.warning(self, "Export", f"{path} could not be written: {exc}")
            return
        self.window_.statusBar().showMessage(f"Partnership growth written to {path}", 5000)
