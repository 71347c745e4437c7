"""The Requests tab's answer and outreach actions: answers by keyboard, opt-out, notices CSV, letters PDF, answers
import, public log. A mixin of RequestsTab (kept apart so each file stays readable); every act goes through
app.services.requests.workflow / app.services.requests.outreach, which check the role and audit it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox

from app.core.records import RecipientState
from app.models.recipient_table_model import ANSWER_LABELS, OwnerIdRole
from app.services.requests import outreach
from app.services.requests import workflow as svc
from app.services.session import PermissionDenied
from app.views.widgets import files

if TYPE_CHECKING:
    _Base = Any
else:
    _Base = object


class RequestAnswersMixin(_Base):
    """Needs from the tab: session, conn, current, recipients, recipient_model, recipient_counts, model, proxy,
    table, window_, clock, _run() and current_states()."""

    # --- answers ----------------------------------------------------------------------------------------------------
    def answer_current(self, state: RecipientState) -> None:
        """Record the selected owner's answer and move to the next row (the keyboard path)."""
        index = self.recipients.currentIndex()
        if self.current is None or not index.isValid():
            return
        row = index.row()
        owner_id = self.recipient_model.data(index, OwnerIdRole)
        try:
            svc.record_response(self.session, self.current.id, owner_id, state, self.clock())
        except (svc.RequestError, PermissionDenied) as exc:
            QMessageBox.warning(self, "Answer", str(exc))
            return
        fresh = {r.owner_id: r for r in svc.recipient_view(self.session, self.current.id)}
        self.recipient_model.replace_row(row, fresh[owner_id])
        nxt = min(row + 1, self.recipient_model.rowCount() - 1)
        self.recipients.setCurrentIndex(self.recipient_model.index(nxt, index.column()))
        self._refresh_counts_only()

    def _refresh_counts_only(self) -> None:
        rows = self.recipient_model.rows
        counts = {s: sum(r.state == s for r in rows) for s in ANSWER_LABELS}
        self.recipient_counts.setText(f"{len(rows)} owners · " + " · ".join(
            f"{ANSWER_LABELS[s]} {n}" for s, n in counts.items()))
        src = self.model.row_of(self.current.id) if self.current else -1
        if src >= 0:
            keep = self.current.id if self.current else None
            self.model.set_rows(svc.list_requests(self.session, self.current_states()))
            if keep is not None:
                index = self.proxy.mapFromSource(self.model.index(self.model.row_of(keep), 0))
                self.table.selectionModel().blockSignals(True)
                self.table.setCurrentIndex(index)
                self.table.selectionModel().blockSignals(False)

    def opt_out_selected(self) -> None:
        index = self.recipients.currentIndex()
        if self.current is None or not index.isValid():
            return
        owner_id = self.recipient_model.data(index, OwnerIdRole)
        name = self.recipient_model.rows[index.row()].name
        if QMessageBox.question(self, "Owner Opts Out", f"Record that {name} asks to receive no future requests? "
                                "It applies at once to every request not yet sent.") != QMessageBox.StandardButton.Yes:
            return
        if self._run("Opt out", lambda: svc.opt_out_owner(self.session, owner_id, self.clock(), self.current.id)):
            arrays = self.window_.registry.arrays
            if len(arrays) and arrays.set_owner_consent(owner_id, True).size:
                self.window_.registry.set_arrays(arrays)

    # --- outreach -----------------------------------------------------------------------------------------------------
    def export_notices_csv(self) -> Path | None:
        if self.current is None:
            return None
        path = files.choose_save_file(self, "Export Notices (Mail-Merge CSV)", "CSV files (*.csv)", "outreach",
                                      f"request-{self.current.public_no}-notices.csv")
        if path is not None:
            rid = self.current.id
            if self._run("Export notices", lambda: outreach.export_outreach_csv(self.session, rid, path)):
                self.window_.statusBar().showMessage(f"Notices written to {path}", 6000)
                return path
        return None

    def export_letters_pdf(self) -> Path | None:
        from app.views.requests.outreach_pdf import write_letters_pdf

        if self.current is None:
            return None
        path = files.choose_save_file(self, "Save Letters (PDF)", "PDF files (*.pdf)", "outreach",
                                      f"request-{self.current.public_no}-letters.pdf")
        if path is None:
            return None
        rid = self.current.id
        try:
            facts, notices = outreach.notices_for_letters(self.session, rid)
            pages = write_letters_pdf(path, facts, notices, self.clock().strftime("%Y-%m-%d"))
        except (svc.RequestError, PermissionDenied, OSError) as exc:
            QMessageBox.warning(self, "Letters", f"The letters were not written.\n\n{exc}")
            return None
        self.session.audit("outreach_exported", f"request:{rid}", {"file": path.name, "owners": len(notices),
                                                                   "format": "pdf", "pages": pages})
        self.window_.statusBar().showMessage(f"{len(notices)} letters ({pages} pages) written to {path}", 6000)
        return path

    def import_responses(self) -> None:
        if self.current is None:
            return
        path = files.choose_open_file(self, "Import Answers", "CSV files (*.csv);;All files (*)", "responses")
        if path is None:
            return
        rid = self.current.id
        result: list = []
        if not self._run("Import answers", lambda: result.append(outreach.import_responses(self.session, rid, path,
                                                                                              self.clock()))):
            return
        parsed = result[0]
        if parsed.errors:
            lines = "\n".join(str(e) for e in parsed.errors[:30])
            more = f"\n… and {len(parsed.errors) - 30} more" if len(parsed.errors) > 30 else ""
            QMessageBox.warning(self, "Import answers", f"Nothing was imported: fix these lines and import the file "
                                f"again.\n\n{lines}{more}")
        else:
            self.window_.statusBar().showMessage(f"{len(parsed.rows)} answers imported from {path.name}", 6000)

    def show_public_log(self) -> None:
        from app.views.requests.public_log_dialog import PublicLogDialog

        try:
            dialog = PublicLogDialog(self.session, self)
        except PermissionDenied as exc:
            QMessageBox.information(self, "Public Request Log", f"{exc}.")
            return
        self.public_log_dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

