"""The Requests tab's answer and outreach actions: answers by keyboard, opt-out, notices CSV, letters PDF, answers
import, public log. A helper object composed into RequestsTab (tab.answers); every act goes through
app.services.requests.responses / app.services.requests.outreach, which check the role and audit it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.core.records import RecipientState
from app.core.wording import count
from app.models.recipient_table_model import ANSWER_LABELS, OwnerIdRole
from app.services.requests import common as common_svc
from app.services.requests import outreach
from app.services.requests import reads as reads_svc
from app.services.requests import recipients as recipients_svc
from app.services.requests import responses as responses_svc
from app.services.requests import workflow as svc
from app.services.session import PermissionDenied, Session, worker_session
from app.views.widgets import files
from app.workers.jobs import JobControl, run_job

if TYPE_CHECKING:
    from app.views.requests.public_log_dialog import PublicLogDialog
    from app.views.requests.tab import RequestsTab


class RequestAnswers:
    """Answers and outreach for the selected request, composed into the Requests tab (tab.answers)."""

    def __init__(self, tab: RequestsTab) -> None:
        self.tab = tab
        self.public_log_dialog: PublicLogDialog | None = None
        self.change_dialog: QInputDialog | None = None  # open while an answer change is asked (tests answer it)
        self.last_outreach: str | None = None  # what the last notices/letters job said ("" while it runs)

    # --- answers ----------------------------------------------------------------------------------------------------
    def answer_current(self, state: RecipientState) -> None:
        """Record the selected owner's answer and move to the next row (the keyboard path)."""
        tab = self.tab
        index = tab.recipients.currentIndex()
        if tab.current is None or not index.isValid():
            return
        row = index.row()
        owner_id = tab.recipient_model.data(index, OwnerIdRole)
        try:
            responses_svc.record_response(tab.session, tab.current.id, owner_id, state, tab.clock())
        except common_svc.AnswerRecorded as exc:
            if not self.change_answer(owner_id, tab.recipient_model.rows[row].name, exc.current, state):
                return
        except (svc.RequestError, PermissionDenied) as exc:
            QMessageBox.warning(tab, "Answer", str(exc))
            return
        fresh = {r.owner_id: r for r in recipients_svc.recipient_view(tab.session, tab.current.id)}
        tab.recipient_model.replace_row(row, fresh[owner_id])
        nxt = min(row + 1, tab.recipient_model.rowCount() - 1)
        tab.recipients.setCurrentIndex(tab.recipient_model.index(nxt, index.column()))
        self._refresh_counts_only()

    def change_answer(self, owner_id: int, who: str, old: RecipientState, new: RecipientState) -> bool:
        """A recorded answer is changed only on purpose, with a reason: a new audited answer supersedes the old,
        which stays in the request's history."""
        tab = self.tab
        dialog = QInputDialog(tab)
        dialog.setObjectName("change_answer")
        dialog.setWindowTitle("Change Answer")
        dialog.setLabelText(f"{who} answered “{ANSWER_LABELS[old]}”. Change it to “{ANSWER_LABELS[new]}”?\n\n"
                            "Why? (kept with both answers in the history and the audit log)")
        dialog.setOkButtonText("Change Answer")
        self.change_dialog = dialog
        accepted = dialog.exec()
        self.change_dialog = None
        if not accepted:
            return False
        try:
            responses_svc.change_response(tab.session, tab.current.id, owner_id, new, dialog.textValue(), tab.clock())
        except (svc.RequestError, PermissionDenied) as exc:
            QMessageBox.warning(tab, "Change Answer", str(exc))
            return False
        tab.refresh_history()
        return True

    def _refresh_counts_only(self) -> None:
        tab = self.tab
        rows = tab.recipient_model.rows
        counts = {s: sum(r.state == s for r in rows) for s in ANSWER_LABELS}
        tab.recipient_counts.setText(f"{count(len(rows), 'owner')} · " + " · ".join(
            f"{ANSWER_LABELS[s]} {n}" for s, n in counts.items()))
        src = tab.model.row_of(tab.current.id) if tab.current else -1
        if src >= 0:
            keep = tab.current.id if tab.current else None
            tab.model.set_rows(reads_svc.list_requests(tab.session, tab.current_states()))
            if keep is not None:
                index = tab.proxy.mapFromSource(tab.model.index(tab.model.row_of(keep), 0))
                tab.table.selectionModel().blockSignals(True)
                tab.table.setCurrentIndex(index)
                tab.table.selectionModel().blockSignals(False)

    def opt_out_selected(self) -> None:
        tab = self.tab
        index = tab.recipients.currentIndex()
        if tab.current is None or not index.isValid():
            return
        owner_id = tab.recipient_model.data(index, OwnerIdRole)
        name = tab.recipient_model.rows[index.row()].name
        if QMessageBox.question(tab, "Owner Opts Out", f"Record that {name} asks to receive no future requests? "
                                "It applies at once to every request not yet sent.") != QMessageBox.StandardButton.Yes:
            return
        if tab.run_step("Opt out",
                        lambda: responses_svc.opt_out_owner(tab.session, owner_id, tab.clock(), tab.current.id)):
            arrays = tab.window_.registry.arrays
            if len(arrays) and arrays.set_owner_consent(owner_id, True).size:
                tab.window_.registry.set_arrays(arrays)

    # --- outreach -----------------------------------------------------------------------------------------------------
    def export_notices_csv(self) -> Path | None:
        tab = self.tab
        if tab.current is None:
            return None
        path = files.choose_save_file(tab, "Export Notices (Mail-Merge CSV)", "CSV files (*.csv)", "outreach",
                                      f"request-{tab.current.id}-notices.csv")
        if path is None:
            return None
        rid = tab.current.id
        self._outreach_job("Writing the notices…", "Notices",
                           lambda s: outreach.export_outreach_csv(s, rid, path),
                           lambda owners: f"{owners} notices written to {path}")
        return path

    def export_letters_pdf(self) -> Path | None:
        from app.views.requests.outreach_pdf import write_letters_pdf

        tab = self.tab
        if tab.current is None:
            return None
        path = files.choose_save_file(tab, "Save Letters (PDF)", "PDF files (*.pdf)", "outreach",
                                      f"request-{tab.current.id}-letters.pdf")
        if path is None:
            return None
        rid, today = tab.current.id, tab.clock().strftime("%Y-%m-%d")
        self._outreach_job("Writing the letters…", "Letters",
                           lambda s: outreach.export_letters(s, rid, path, today, write_letters_pdf),
                           lambda done: f"{done[0]} letters ({done[1]} pages) written to {path}")
        return path

    def _outreach_job(self, title: str, what: str, work: Callable[[Session], Any],
                      said: Callable[[Any], str]) -> None:
        """Notices and letters are written off the GUI thread on the writer pool (each ends in an audit entry),
        as the user who asked, on a connection of the job's own."""
        tab = self.tab
        db_path, user = tab.window_.ctx.paths.db_path, tab.session.user

        def job(control: JobControl) -> Any:
            control.progress(0, 1)
            with worker_session(db_path, user) as session:
                result = work(session)
            control.progress(1, 1)
            return result

        def done(result: Any) -> None:
            self.last_outreach = said(result)
            tab.window_.statusBar().showMessage(self.last_outreach, 6000)

        def failed(message: str, _trace: str) -> None:
            self.last_outreach = f"{what} not written: {message}"
            QMessageBox.warning(tab, what, f"The {what.lower()} were not written.\n\n{message}")

        self.last_outreach = ""
        run_job(tab, title, job, done, failed, pool_name="writer")

    def import_responses(self) -> None:
        tab = self.tab
        if tab.current is None:
            return
        path = files.choose_open_file(tab, "Import Answers", "CSV files (*.csv);;All files (*)", "responses")
        if path is None:
            return
        rid = tab.current.id
        result: list = []
        if not tab.run_step("Import answers", lambda: result.append(outreach.import_responses(tab.session, rid, path,
                                                                                              tab.clock()))):
            return
        parsed = result[0]
        if parsed.errors:
            lines = "\n".join(str(e) for e in parsed.errors[:30])
            more = f"\n… and {len(parsed.errors) - 30} more" if len(parsed.errors) > 30 else ""
            QMessageBox.warning(tab, "Import answers", f"Nothing was imported: fix these lines and import the file "
                                f"again.\n\n{lines}{more}")
        else:
            tab.window_.statusBar().showMessage(f"{len(parsed.rows)} answers imported from {path.name}", 6000)

    def show_public_log(self) -> None:
        from app.views.requests.public_log_dialog import PublicLogDialog

        tab = self.tab
        try:
            dialog = PublicLogDialog(tab.session, tab)
        except PermissionDenied as exc:
            QMessageBox.information(tab, "Public Request Log", f"{exc}.")
            return
        self.public_log_dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

