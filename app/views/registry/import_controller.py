"""File ▸ Import (Ctrl+I, drag and drop, files on the command line) and File ▸ Export as CSV / GeoJSON.

Reading and validating run in the default pool, writing in the single 'writer' pool with the worker's own
connection; each step has a progress dialog with Cancel. A cancelled import rolls back whole.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from app.io.camera_import import ImportResult, validate_source
from app.io.mapping import MappingError, guess_mapping, merge_mapping
from app.io.pipeline_types import Validation
from app.io.readers import Source, SourceError, open_source
from app.services.registry import imports
from app.services.session import PermissionDenied
from app.store.camera_arrays import load_arrays
from app.store.db import connect
from app.views.actions import Action
from app.views.registry.import_preview import ImportPreviewDialog, remembered_mapping
from app.views.widgets import files
from app.workers.jobs import JobControl, run_job

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

log = logging.getLogger(__name__)

OPEN_FILTERS = ("Camera lists (*.csv *.tsv *.txt *.geojson *.json *.kml);;CSV files (*.csv *.tsv *.txt);;"
                "GeoJSON files (*.geojson *.json);;KML files (*.kml);;All files (*)")


class ImportController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: ImportPreviewDialog | None = None
        self.source: Source | None = None
        self.busy = False
        self.pending: list[Path] = []  # files dropped while an import was running: taken one after another
        self.last_result: ImportResult | None = None
        self.last_export: tuple[Path, int] | None = None
        self.message: QMessageBox | None = None
        self._generation = 0

    # --- messages ----------------------------------------------------------------------------------------------
    def report(self, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
        """A non-blocking message box kept on the controller (tests, and the next message, find it)."""
        if self.message is not None:
            self.message.close()
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("import_message")
        box.open()
        self.message = box
        return box

    def confirm_demo_import(self, path: Path) -> bool:
        """The demo city is fictional: importing real cameras into it mixes them with made-up ones. Asked each time."""
        text = ("This window has the demo city open — a fictional city with made-up cameras and owners.\n\n"
                f"Cameras imported from {path.name} would be mixed with them. To keep real data apart, choose "
                "File ▸ Open My Data and import there.")
        box = QMessageBox(QMessageBox.Icon.Warning, "Import into the demo city?", text,
                          QMessageBox.StandardButton.Cancel, self.window)
        box.setObjectName("demo_import_warning")
        go = box.addButton("Import into the Demo", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is go

    def _db_path(self) -> Path:
        return self.window.ctx.paths.db_path

    # --- import --------------------------------------------------------------------------------------------------
    def choose_and_import(self) -> None:
        path = files.choose_open_file(self.window, "Import Cameras", OPEN_FILTERS, "import")
        if path is not None:
            self.start(path)

    def start(self, path: Path) -> None:
        """Read and validate `path` off the GUI thread, then show the preview."""
        try:
            imports.import_actor(self.window.ctx.session)
        except PermissionDenied as exc:
            self.report(QMessageBox.Icon.Warning, "Cannot import", f"{exc}.\n\nAsk an analyst or supervisor to "
                        "import the file.")
            return
        if self.window.ctx.demo and not self.busy and not self.confirm_demo_import(Path(path)):
            return
        if self.busy:
            self.pending.append(Path(path))
            self.window.statusBar().showMessage(f"{Path(path).name} will be imported after the current import.",
                                                5000)
            return
        self.busy = True
        db_path = self._db_path()

        def work(control: JobControl) -> tuple[Source, dict[str, Any], Validation]:
            source = open_source(path)
            mapping = remembered_mapping(source.columns) or guess_mapping(source.columns)
            if source.format == "csv" and mapping.get("encoding"):
                source = open_source(path, "csv", mapping["encoding"])
            try:
                validation = self._validate(source, mapping, db_path, control)
            except MappingError:
                mapping = guess_mapping(source.columns)  # the remembered one no longer fits this file
                validation = self._validate(source, mapping, db_path, control)
            return source, mapping, validation

        run_job(self.window, f"Reading {Path(path).name}…", work, self._show_preview,
                on_error=lambda msg, _tb: self._read_failed(path, msg), on_cancelled=self._idle)

    @staticmethod
    def _validate(source: Source, mapping: dict[str, Any], db_path: Path, control: JobControl) -> Validation:
        conn = connect(db_path)
        try:
            return validate_source(source, mapping, conn, control.progress, control.check)
        finally:
            conn.close()

    def _idle(self) -> None:
        """The current import is over (done, cancelled or failed): start the next queued file, if any."""
        self.busy = False
        self.source = None
        if self.pending:
            QTimer.singleShot(0, self._next)

    def _next(self) -> None:
        if not self.busy and self.pending:
            self.start(self.pending.pop(0))

    def _read_failed(self, path: Path, message: str) -> None:
        self._idle()
        self.report(QMessageBox.Icon.Warning, "Cannot read the file",
                    f"{Path(path).name} could not be read as a camera list:\n\n{message}\n\nCheck that it is a CSV "
                    "file with a header row, a GeoJSON FeatureCollection of points, or a KML file with placemarks.")

    def _show_preview(self, result: tuple[Source, dict[str, Any], Validation]) -> None:
        source, mapping, validation = result
        self.source = source
        dialog = ImportPreviewDialog(self.window, source.columns, source.format, mapping, validation)
        dialog.mapping_changed.connect(self._revalidate)
        dialog.accepted.connect(self._write)
        dialog.rejected.connect(self._preview_closed)
        dialog.finished.connect(dialog.deleteLater)  # it holds every parsed row, owners' contacts included
        self.dialog = dialog
        dialog.open()

    def _preview_closed(self) -> None:
        self.dialog = None
        self._idle()
        self.window.statusBar().showMessage("Import cancelled: nothing was imported.", 5000)

    def _revalidate(self, mapping: dict[str, Any]) -> None:
        dialog, source = self.dialog, self.source
        if dialog is None or source is None:
            return
        self._generation += 1
        generation = self._generation
        db_path = self._db_path()
        if source.format == "csv" and getattr(source, "encoding", None) != mapping.get("encoding", "utf-8-sig"):
            try:
                source = open_source(source.path, "csv", mapping.get("encoding", "utf-8-sig"))
                self.source = source
            except (SourceError, OSError, LookupError) as exc:
                dialog.set_checking(False, str(exc))
                return
        base = merge_mapping({}, mapping)

        def done(validation: Validation) -> None:
            if generation == self._generation and self.dialog is dialog:
                dialog.set_validation(validation)

        def failed(message: str, _tb: str) -> None:
            if generation == self._generation and self.dialog is dialog:
                dialog.set_checking(False, f"This mapping cannot be used: {message}")

        run_job(dialog, "Checking the rows…", lambda control: self._validate(source, base, db_path, control),
                done, failed, on_cancelled=lambda: failed("checking was cancelled", ""))

    def _write(self) -> None:
        dialog = self.dialog
        self.dialog = None
        if dialog is None:
            return
        validation = dialog.validation
        session = self.window.ctx.session
        try:
            actor = imports.import_actor(session)
        except PermissionDenied as exc:
            self._idle()
            self.report(QMessageBox.Icon.Warning, "Cannot import", str(exc))
            return
        db_path = self._db_path()

        def work(control: JobControl) -> tuple[ImportResult, Any]:
            conn = connect(db_path)
            try:
                result = imports.import_cameras(conn, validation, actor, control.progress, control.check)
                return result, load_arrays(conn)
            finally:
                conn.close()

        run_job(self.window, f"Importing {validation.valid} cameras…", work, self._imported,
                on_error=self._write_failed, on_cancelled=self._write_cancelled, pool_name="writer")

    def _imported(self, outcome: tuple[ImportResult, Any]) -> None:
        result, arrays = outcome
        self._idle()
        self.last_result = result
        self.window.registry.set_arrays(arrays)
        self.window.statusBar().showMessage(result.summary(), 10000)

    def _write_failed(self, message: str, _tb: str) -> None:
        self._idle()
        self.report(QMessageBox.Icon.Critical, "Import failed",
                    f"The import failed and nothing was written:\n\n{message}\n\nThe details are in the log file. "
                    "Try again; if it fails again, import the file with `canvass import FILE` to see a full report.")

    def _write_cancelled(self) -> None:
        self._idle()
        self.window.statusBar().showMessage("Import cancelled: nothing was written.", 8000)

    # --- export --------------------------------------------------------------------------------------------------
    def export(self, fmt: str) -> None:
        session = self.window.ctx.session
        try:
            grant = imports.export_grant(session)
        except PermissionDenied as exc:
            self.report(QMessageBox.Icon.Warning, "Cannot export", f"{exc}.")
            return
        ids = self.window.camera_selection.ids
        selection = len(ids) > 0
        label = "CSV" if fmt == "csv" else "GeoJSON"
        suffix = ".csv" if fmt == "csv" else ".geojson"
        what = f"{len(ids)} selected cameras" if selection else "the registry"
        path = files.choose_save_file(self.window, f"Export {what} as {label}",
                                      f"{label} files (*{suffix})", "export",
                                      ("selected-cameras" if selection else "cameras") + suffix)
        if path is None:
            return
        if not path.suffix:
            path = path.with_suffix(suffix)
        chosen = [int(i) for i in ids.tolist()] if selection else None
        db_path = self._db_path()

        def work(control: JobControl) -> int:
            conn = connect(db_path)
            try:
                count = imports.export_registry(conn, path, fmt, chosen, control.progress, control.check, grant)
                imports.record_export(conn, grant.actor, path, fmt, count, selection, grant.labels)
                return count
            finally:
                conn.close()

        def done(count: int) -> None:
            self.last_export = (path, count)
            self.window.statusBar().showMessage(f"Exported {count} cameras to {path}.", 10000)

        def failed(message: str, _tb: str) -> None:
            self.report(QMessageBox.Icon.Critical, "Export failed",
                        f"{path.name} was not written:\n\n{message}\n\nChoose a folder you can write to and try "
                        "again.")

        run_job(self.window, f"Exporting {what}…", work, done, failed,
                on_cancelled=lambda: self.window.statusBar().showMessage("Export cancelled: no file written.", 5000),
                pool_name="writer")  # it ends with the audit entry: a store write


def install(window: MainWindow) -> ImportController:
    controller = ImportController(window)
    window.actions[Action.IMPORT].triggered.connect(controller.choose_and_import)
    window.actions[Action.EXPORT_CSV].triggered.connect(lambda: controller.export("csv"))
    window.actions[Action.EXPORT_GEOJSON].triggered.connect(lambda: controller.export("geojson"))
    window.import_requested.connect(controller.start)
    return controller
