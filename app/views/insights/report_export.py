"""Transparency Report…: choose a folder, compute the report off the GUI thread, then draw its plots and lay out the
PDF on the GUI thread (pyqtgraph and QTextDocument live there), write the files all together, audit the export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.records import to_iso, utc_now
from app.io.report_model import Report, ReportCancelled
from app.services.insights import service
from app.services.session import PermissionDenied
from app.views.widgets import files
from app.workers.jobs import Cancelled, JobControl, run_job


def export_report(tab: QWidget, d_from: date, d_to: date, agency_id: int | None) -> None:
    window = tab.window_  # type: ignore[attr-defined]
    session = window.ctx.session
    try:
        service.authorize_dashboards(session)
    except PermissionDenied as exc:
        QMessageBox.warning(tab, "Cannot write the report", str(exc))
        return
    if d_to < d_from:
        QMessageBox.warning(tab, "Cannot write the report", f"The period ends ({d_to}) before it starts ({d_from}): "
                            "correct the dates.")
        return
    folder = files.choose_folder(tab, "Folder for the Transparency Report", "transparency_report")
    if folder is None:
        return
    db_path = window.ctx.paths.db_path

    def work(control: JobControl) -> Report:
        try:
            return service.report_from(db_path, d_from, d_to, agency_id, control.progress,
                                       lambda: control.cancelled)
        except ReportCancelled:
            raise Cancelled from None

    def done(report: Report) -> None:
        from app.io.report_files import write_report_files
        from app.plots.report_charts import chart_images
        from app.plots.report_pdf import write_pdf

        try:
            written = write_report_files(Path(folder), report, chart_images(report.charts), to_iso(utc_now()),
                                         pdf=write_pdf)
        except OSError as exc:
            QMessageBox.critical(tab, "Report not written", f"The report could not be written to {folder}: "
                                 f"{exc.strerror or exc}\n\nCheck that the folder is writable and has space.")
            return
        service.record_report_export(session, report, written)
        gaps = "".join(f"\n• {g}" for g in report.gaps)
        box = QMessageBox(QMessageBox.Icon.Information, "Transparency report written",
                          f"The report for {d_from} to {d_to} is in {folder} ({len(written)} files: PDF, HTML and "
                          f"CSV). It was computed at audit chain head {report.head.seq}:{report.head.hash}."
                          + (f"\n\nNot recorded in this store, so not in the report:{gaps}" if gaps else ""),
                          parent=tab)
        box.setObjectName("report_written")
        box.open()

    def failed(message: str, _tb: str) -> None:
        QMessageBox.critical(tab, "Report not written", f"The report could not be computed: {message}")

    run_job(tab, "Computing the transparency report…", work, done, failed,
            lambda: window.statusBar().showMessage("Report cancelled; nothing was written.", 5000))
