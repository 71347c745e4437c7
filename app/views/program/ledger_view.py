"""Program ▸ Ledger: one agency's shipments, handouts and download credits with running balances; recording each
(refused with the reason when impossible), marking a handout installed, and undo for every ledger edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.ledger import CREDIT, DISTRIBUTION, SHIPMENT, LedgerRefused
from app.core.permissions import Permission
from app.models.ledger_table_model import LedgerTableModel, ledger_lines
from app.services.program import ledger as svc
from app.services.session import PermissionDenied
from app.store import agencies as agency_store
from app.store import ledger as store
from app.views.program.commands import ServiceCommand
from app.views.program.form_dialog import FormDialog
from app.views.widgets.buttons import add_buttons

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

REFUSALS = (LedgerRefused, PermissionDenied, ValueError)


class LedgerView(QWidget):
    def __init__(self, window: MainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.session = window.ctx.session
        self.dialog: QWidget | None = None
        self.setObjectName("program_ledger")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("&Agency:", self))
        self.agency = QComboBox(self)
        self.agency.setObjectName("ledger_agency")
        top.itemAt(0).widget().setBuddy(self.agency)
        self.agency.currentIndexChanged.connect(lambda _i: self.reload())
        top.addWidget(self.agency, 1)
        layout.addLayout(top)
        self.totals = QLabel("", self)
        self.totals.setObjectName("ledger_totals")
        layout.addWidget(self.totals)
        self.problems = QLabel("", self)
        self.problems.setObjectName("ledger_problems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b2182b;")
        layout.addWidget(self.problems)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        add_buttons(buttons, self, "ledger", (
                ("shipment", "Record &Shipment…", "Cameras received from the company", self.record_shipment),
                ("handout", "Record Hand&out…", "Cameras handed to a resident, with the terms shown to them",
                 self.record_handout),
                ("credit", "Record &Downloads…", "App downloads credited to the agency's code for a month",
                 self.record_downloads),
                ("installed", "Mark Insta&lled…", "Link the selected handout to the camera it became",
                 self.mark_installed),
                ("delete", "Re&move Entry", "Remove the selected entry (undoable; refused if others depend on it)",
                 self.delete_entry)), self.buttons)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.model = LedgerTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("ledger_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.reload_agencies()

    # --- data ------------------------------------------------------------------------------------------------------
    def reload_agencies(self) -> None:
        current = self.agency.currentData()
        self.agency.blockSignals(True)
        self.agency.clear()
        for a in agency_store.list_agencies(self.session.conn):
            self.agency.addItem(a.name, a.id)
        i = self.agency.findData(current)
        self.agency.setCurrentIndex(i if i >= 0 else 0)
        self.agency.blockSignals(False)
        self.reload()

    def agency_id(self) -> int | None:
        return self.agency.currentData()

    def reload(self) -> None:
        aid = self.agency_id()
        may = self.session.can(Permission.MANAGE_PROGRAM) and aid is not None
        for b in self.buttons.values():
            b.setEnabled(may)
        if aid is None:
            self.model.set_rows([])
            self.totals.setText("No agency yet: add one on the Agencies tab.")
            self.problems.setText("")
            return
        conn = self.session.conn
        details: dict[tuple[str, int], str] = {}
        for sid, _on, _u, model, notes in store.shipments(conn, aid):
            details[(SHIPMENT, sid)] = " — ".join(p for p in (model, notes) if p)
        for cid, period, downloads, earned, _on in store.credits(conn, aid):
            details[(CREDIT, cid)] = f"{period}: {downloads} downloads → {earned} unit{'s' * (earned != 1)}"
        for d in store.distributions(conn, aid):
            who = d.owner_name or (f"owner {d.owner_id}" if d.owner_id else "resident not recorded")
            cam = f", camera {d.camera_id} installed {d.installed_on[:10]}" if d.installed_on else ", not installed"
            details[(DISTRIBUTION, d.id)] = f"{who}{cam}; terms: {d.terms_shown}"
        b = svc.balances(self.session, aid)
        self.model.set_rows(ledger_lines(b, details))
        f = b.final()
        conditional = store.conditional_handouts(conn, aid)
        self.totals.setText(f"Received <b>{f['received']}</b> · earned by downloads <b>{f['earned']}</b> · handed "
                            f"out <b>{f['distributed']}</b> (installed {f['installed']}) · on hand "
                            f"<b>{f['on_hand']}</b>" + (f" · <span style='color:#b2182b'>⚠ {conditional} handed out "
                                                        "on condition of sharing footage</span>" if conditional
                                                        else ""))
        problems = svc.problems(self.session, aid)
        self.problems.setText("The stored ledger has problems: " + " ".join(problems) if problems else "")
        self.problems.setVisible(bool(problems))
        for col in range(self.model.COL_DETAIL):
            self.table.resizeColumnToContents(col)

    def selected_line(self):  # noqa: ANN201
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    # --- recording -----------------------------------------------------------------------------------------------
    def _record(self, dialog: FormDialog, title: str, add, kind: str) -> None:  # noqa: ANN001
        """Open a form whose OK calls add(values) -> new id; a refusal stays in the dialog; success is undoable."""
        made: list[int] = []

        def check(values: dict) -> str | None:
            try:
                made.append(add(values))
            except REFUSALS as exc:
                return str(exc)
            return None

        dialog.check = check
        self.dialog = dialog

        def done(result: int) -> None:
            self.dialog = None
            if result and made:
                entry_id = made[0]
                holder: dict[str, dict] = {}

                def undo() -> None:
                    holder["row"] = svc.delete_entry(self.session, kind, entry_id)

                def redo() -> None:
                    svc.restore_entry(self.session, kind, holder["row"])

                self.window_.undo_stack.push(ServiceCommand(title, redo, undo, self.reload, self))
                self.reload()
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()

    def record_shipment(self) -> None:
        aid = self.agency_id()
        if aid is None:
            return
        d = FormDialog("Record Shipment", self)
        d.add_date("on", "&Received on")
        d.add_int("units", "&Cameras", 10, 1)
        d.add_text("model", "&Model", tip="e.g. Doorbell Cam 2")
        d.add_text("notes", "&Notes")
        self._record(d, "Record Shipment", lambda v: svc.add_shipment(self.session, aid, v["on"], v["units"],
                                                                      v["model"], v["notes"]), SHIPMENT)

    def record_downloads(self) -> None:
        aid = self.agency_id()
        if aid is None:
            return
        agency = agency_store.get_agency(self.session.conn, aid)
        per = agency.downloads_per_unit if agency else None
        d = FormDialog("Record Downloads", self, f"Under {agency.name if agency else 'the'} terms, "
                       + (f"{per} downloads earn one camera (remainders carry over to the next month)." if per
                          else "downloads earn no cameras (no 'downloads per camera' in the agency's terms)."))
        d.add_text("period", "&Month", tip="YYYY-MM, e.g. 2025-03")
        d.add_int("downloads", "&Downloads", 0, 0)
        d.add_date("on", "&Recorded on")
        self._record(d, "Record Downloads", lambda v: svc.add_credit(self.session, aid, v["period"], v["downloads"],
                                                                     v["on"]), CREDIT)

    def record_handout(self) -> None:
        from app.views.program.distribution_dialog import DistributionDialog

        aid = self.agency_id()
        if aid is None:
            return
        d = DistributionDialog(self.session, aid, self)
        self._record(d, "Record Handout", lambda v: svc.add_distribution(self.session, d.value()), DISTRIBUTION)

    def mark_installed(self) -> None:
        line = self.selected_line()
        if line is None or line.kind != DISTRIBUTION:
            QMessageBox.information(self, "Mark Installed", "Select a handout in the ledger first.")
            return
        d = FormDialog("Mark Installed", self, "The handed-out camera is installed: link it to its registered camera.")
        d.add_int("camera", "Registered &camera id", 1, 1, 2_000_000_000)
        d.add_date("on", "&Installed on")

        def check(v: dict) -> str | None:
            try:
                svc.mark_installed(self.session, line.id, v["camera"], v["on"])
            except REFUSALS as exc:
                return str(exc)
            return None

        d.check = check
        if d.exec():
            self.reload()

    def delete_entry(self) -> None:
        line = self.selected_line()
        if line is None:
            return
        try:
            row = svc.delete_entry(self.session, line.kind, line.id)
        except REFUSALS as exc:
            QMessageBox.warning(self, "Remove Entry", str(exc))
            return
        kind, entry_id = line.kind, line.id
        self.window_.undo_stack.push(ServiceCommand(
            f"Remove {kind} {entry_id}", lambda: svc.delete_entry(self.session, kind, entry_id),
            lambda: svc.restore_entry(self.session, kind, row), self.reload, self))
        self.reload()
