"""The Evidence tab's acts besides intake: Verify (and the weekly run), custody reports, packages, legal holds,
consent withdrawal, restore and the purge. Long work runs as a job with its own connection."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app.core.permissions import Permission
from app.io.evidence_package import PackageCheck, PackageError, check_package
from app.services.evidence import browse, custody, packages, retention, verify
from app.services.session import SYSTEM, PermissionDenied, User
from app.store import audit as audit_store
from app.store.db import connect
from app.views.evidence import dialogs
from app.views.evidence.custody_pdf import write_report_pdf
from app.views.evidence.dialogs import ExportDialog, HoldDialog
from app.views.widgets import files
from app.workers.jobs import JobControl, run_job, run_task

if TYPE_CHECKING:
    from app.views.evidence.tab import EvidenceTab

log = logging.getLogger(__name__)
Icon = QMessageBox.Icon
ERRORS = (PermissionDenied, retention.RetentionError, packages.PackageExportError, custody.CustodyError)


class EvidenceCommands:
    def __init__(self, tab: EvidenceTab) -> None:
        self.tab = tab
        self.last_verify: verify.VerifyReport | None = None

    def _ids(self, what: str) -> list[int]:
        ids = self.tab.selected_ids()
        if not ids:
            self.tab.report(Icon.Information, what, "Select one or more items first.")
        return ids

    def _after_change(self, select: int | None = None) -> None:
        self.tab.reload()
        if select is not None:
            self.tab.refresh_items(select=select)
        self.tab.evidence_changed.emit()

    # --- verify -----------------------------------------------------------------------------------------------------
    def verify_request(self) -> None:
        self.verify(self.tab.request_id)

    def verify(self, request_id: int | None = None, scheduled: bool = False) -> None:
        """Re-hash the items of a request (or all) in a job; a mismatch is reported loudly."""
        tab = self.tab
        if scheduled:
            user: User = SYSTEM
        else:
            try:
                user = verify.authorize(tab.session)
            except PermissionDenied as exc:
                tab.report(Icon.Warning, "Cannot verify", str(exc))
                return
        db_path, evidence_dir = tab.window_.ctx.paths.db_path, tab.evidence_dir
        scope = f"request:{request_id}" if request_id is not None else "evidence_store"

        def work(control: JobControl) -> verify.VerifyReport:
            conn = connect(db_path)
            try:
                report = verify.verify_items(evidence_dir, verify.items_to_verify(conn, request_id),
                                             control.progress, control.check)
                verify.record_verification(conn, user, report, scope, scheduled=scheduled)
                return report
            finally:
                conn.close()

        def done(report: verify.VerifyReport) -> None:
            self.last_verify = report
            tab.refresh_items(select=tab.current_id())
            mb = report.bytes_read / 1e6
            if report.ok:
                if scheduled:
                    tab.window_.statusBar().showMessage(f"Weekly evidence verification: all {len(report.checks)} "
                                                        "items intact.", 10000)
                else:
                    tab.report(Icon.Information, "Evidence verified", f"{report.summary()}\n{mb:,.1f} MB re-hashed "
                               f"in {report.seconds:.1f} s.")
            else:
                tab.report(Icon.Critical, "EVIDENCE ALTERED OR MISSING",
                           f"{report.summary()}\n\nDo not use these items. Tell your supervisor; the mismatch is "
                           "recorded in each item's chain of custody and in the audit log.")

        def failed(message: str, _tb: str) -> None:
            tab.report(Icon.Critical, "Verification failed", f"The verification could not run: {message}")

        run_job(tab.window_, "Verifying evidence (re-hashing every file)…", work, done, failed,
                lambda: tab.window_.statusBar().showMessage("Verification cancelled; nothing was recorded.", 6000))

    def weekly_check(self) -> None:
        """Start the weekly verification if none of the whole store was audited in the last 7 days."""
        if verify.weekly_due(self.tab.conn, self.tab.clock()) and browse.live_items(self.tab.session):
            log.info("weekly evidence verification starts")
            self.verify(None, scheduled=True)

    # --- custody report ---------------------------------------------------------------------------------------------
    def custody_report(self) -> None:
        tab = self.tab
        item_id = tab.current_id() if len(tab.selected_ids()) == 1 else None
        request_id = tab.request_id if item_id is None else None
        if item_id is None and request_id is None:
            tab.report(Icon.Information, "Custody Report", "Choose a request or an item first.")
            return
        what = f"item-{item_id}" if item_id is not None else f"request-{request_id}"
        path = files.choose_save_file(tab, "Custody Report", "PDF (*.pdf);;CSV (*.csv)", "custody_report",
                                      f"custody-{what}.pdf")
        if path is None:
            return
        fmt = "csv" if path.suffix.lower() == ".csv" else "pdf"
        if path.suffix.lower() not in (".csv", ".pdf"):
            path = path.with_name(path.name + ".pdf")
        try:
            rows = custody.report_rows(tab.session, item_id, request_id)
            if fmt == "csv":
                custody.write_report_csv(path, rows)
            else:
                head = audit_store.current_head(tab.conn)
                title = f"Chain of custody — item {item_id}" if item_id is not None else \
                    f"Chain of custody — request {request_id}"
                write_report_pdf(path, title, rows, f"{head.seq}:{head.hash}")
            custody.record_report(tab.session, path, fmt, rows, item_id, request_id)
        except ERRORS as exc:
            tab.report(Icon.Warning, "Custody Report", str(exc))
            return
        except OSError as exc:
            tab.report(Icon.Critical, "Custody Report", f"{path} could not be written: {exc.strerror or exc}")
            return
        tab.report(Icon.Information, "Custody report written", f"{len(rows)} custody events written to {path}.")

    # --- packages ---------------------------------------------------------------------------------------------------
    def export_package(self) -> None:
        tab = self.tab
        ids = self._ids("Export Package")
        if not ids:
            return
        dialog = ExportDialog(tab, len(ids))
        if not dialogs.exec_dialog(dialog):
            return
        org, basis, approver, password = dialog.values()
        try:
            order = packages.authorize_export(tab.session, ids, org, basis, approver, password)
        except ERRORS as exc:
            tab.report(Icon.Warning, "Export not allowed", str(exc))
            return
        path = files.choose_save_file(tab, "Export Evidence Package", "Zip packages (*.zip)", "evidence_package",
                                      f"evidence-package-{datetime.now().strftime('%Y%m%d-%H%M')}.zip")
        if path is None:
            return
        if path.suffix.lower() != ".zip":
            path = path.with_name(path.name + ".zip")
        db_path, evidence_dir = tab.window_.ctx.paths.db_path, tab.evidence_dir

        def work(control: JobControl) -> packages.ExportResult:
            conn = connect(db_path)
            try:
                result = packages.write_package(conn, evidence_dir, order, path, control.progress, control.check)
                packages.record_package(conn, result)
                return result
            finally:
                conn.close()

        def done(result: packages.ExportResult) -> None:
            self._after_change(ids[0])
            tab.report(Icon.Information, "Package exported",
                       f"{len(result.item_hashes)} item(s) written to {result.built.path}\nSHA-256 of the package: "
                       f"{result.built.sha256}\nShared with {order.recipient_org}, approved by {order.approver.name}; "
                       "recorded in the onward-sharing register. The receiver can check it with any BagIt tool, or "
                       "`canvass verify-package FILE`.")

        def failed(message: str, _tb: str) -> None:
            tab.report(Icon.Critical, "Export failed", f"The package was not written: {message}")

        run_job(tab.window_, "Writing the evidence package…", work, done, failed,
                lambda: tab.window_.statusBar().showMessage("Export cancelled; nothing was written.", 6000))

    def verify_package(self) -> None:
        tab = self.tab
        path = files.choose_open_file(tab, "Verify Package", "Packages (*.zip);;All files (*)", "verify_package")
        if path is None:
            return

        def done(result: PackageCheck | str) -> None:
            if isinstance(result, str):
                tab.report(Icon.Critical, "Not a package", result)
            elif result.ok:
                tab.report(Icon.Information, "Package intact", "\n".join(result.lines()))
            else:
                tab.report(Icon.Critical, "PACKAGE ALTERED", "\n".join(result.lines()))

        def work() -> PackageCheck | str:
            try:
                return check_package(path)
            except (PackageError, OSError) as exc:
                return str(exc)

        run_task(work, done)

    # --- holds, consent, restore, purge -----------------------------------------------------------------------------
    def place_hold(self) -> None:
        tab = self.tab
        ids = self._ids("Place Legal Hold")
        if not ids:
            return
        if not tab.session.can(Permission.LEGAL_HOLD):
            tab.report(Icon.Warning, "Place Legal Hold", "Only a supervisor may place a legal hold.")
            return
        dialog = HoldDialog(tab, note=f"A hold on {len(ids)} item(s) and what was derived from them. Held items "
                            "are never purged; the hold is reviewed on its review date.")
        if not dialogs.exec_dialog(dialog):
            return
        reason, authority, review = dialog.values()
        try:
            with tab.session.atomic():
                for i in ids:
                    retention.place_hold(tab.session, i, reason, authority, review, tab.clock())
        except ERRORS as exc:
            tab.report(Icon.Warning, "Place Legal Hold", str(exc))
            return
        self._after_change(ids[0])
        tab.window_.statusBar().showMessage(f"Legal hold placed on {len(ids)} item(s).", 6000)

    def release_hold(self) -> None:
        tab = self.tab
        item_id = tab.current_id()
        if item_id is None:
            return
        active = [h for h in retention.holds(tab.session, item_id, active_only=True)]
        if not active:
            tab.report(Icon.Information, "Release Hold", f"Item {item_id} has no legal hold in force.")
            return
        hold = active[0]
        reason = dialogs.ask_text(tab, "Release Legal Hold", f"Why is the hold on item {item_id} released "
                                  f"(“{hold.reason}”, {hold.authority})? The release is logged.", "release_dialog")
        if reason is None:
            return
        try:
            for h in active:
                retention.release_hold(tab.session, h.id, reason, tab.clock())
        except ERRORS as exc:
            tab.report(Icon.Warning, "Release Hold", str(exc))
            return
        self._after_change(item_id)

    def withdraw_consent(self) -> None:
        tab = self.tab
        item_id = tab.current_id()
        if item_id is None:
            return
        if QMessageBox.question(tab, "Owner Withdrew Consent",
                                f"Record that the owner withdrew consent for item {item_id}? It and what was derived "
                                "from it are purged at the next purge (after the 7-day grace period) unless a legal "
                                "hold with a stated reason exists; the owner's letter then gives that reason.") != \
                QMessageBox.StandardButton.Yes:
            return
        try:
            retention.withdraw_consent(tab.session, item_id, tab.clock())
            self.run_purge(tab.session.user or SYSTEM)
        except ERRORS as exc:
            tab.report(Icon.Warning, "Consent Withdrawn", str(exc))
            return
        self._after_change(item_id)

    def restore(self) -> None:
        tab = self.tab
        item_id = tab.current_id()
        if item_id is None:
            return
        dialog = HoldDialog(tab, "Restore From Purge", f"Item {item_id} is kept: its purge mark is cleared and a "
                            "legal hold is placed with this reason, so it is not marked again.")
        if not dialogs.exec_dialog(dialog):
            return
        reason, authority, review = dialog.values()
        try:
            retention.restore(tab.session, item_id, reason, authority, review, tab.clock())
        except ERRORS as exc:
            tab.report(Icon.Warning, "Restore", str(exc))
            return
        self._after_change(item_id)

    def run_purge(self, user: User = SYSTEM) -> retention.PurgeRun:
        """Mark what is due and remove what is past its grace period (at launch, daily, and after a withdrawal)."""
        run = retention.run_purge(self.tab.conn, self.tab.evidence_dir, user, self.tab.clock())
        if run.marked or run.removed:
            log.info("purge: %d marked, %d removed, %d kept by a hold", len(run.marked), len(run.removed),
                     len(run.held))
        for problem in run.file_errors:
            log.error("purge: %s", problem)
        return run
