"""Import agencies or posts from a file: the columns mapped to fields (guessed, editable), every bad row with its
line and reason before anything is written, then all rows — or, if asked, the valid ones — in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.permissions import Permission
from app.io.mapping import MappingError
from app.io.pipeline import validate_file, write_validation
from app.io.pipeline_types import Validation
from app.io.readers import Source, SourceError, open_source
from app.io.record_kinds import KINDS, SPECS
from app.services.session import PermissionDenied, Session
from app.views.widgets.files import choose_open_file

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

NONE = "(not in the file)"
JOIN = " + "


class RecordImportDialog(QDialog):
    def __init__(self, session: Session, kind: str, source: Source, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.spec = SPECS[kind]
        self.source = source
        self.validation: Validation | None = None
        self.result_ids: list[int] = []
        self.setObjectName("record_import_dialog")
        self.setWindowTitle(f"Import {self.spec.noun.title()} — {source.path.name}")
        self.resize(760, 640)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Map the file's columns to the fields of {self.spec.noun}. Several columns can "
                                f"feed one field: write them joined with “{JOIN.strip()}”.", self))
        form = QFormLayout()
        layout.addLayout(form)
        guessed = self.spec.guess(source.columns)
        self.field_boxes: dict[str, QComboBox] = {}
        for fld in self.spec.fields:
            box = QComboBox(self)
            box.setEditable(True)
            box.setObjectName(f"map_{fld}")
            box.addItem(NONE)
            box.addItems(source.columns)
            value = guessed.get(fld)
            if isinstance(value, list):
                box.setCurrentText(JOIN.join(value))
            elif value:
                box.setCurrentText(value)
            box.currentTextChanged.connect(self.revalidate_later)
            form.addRow(self.spec.labels.get(fld, fld), box)
            self.field_boxes[fld] = box
        self.option_edits: dict[str, QLineEdit] = {}
        for opt, default in self.spec.options.items():
            edit = QLineEdit(str(default), self)
            edit.setObjectName(f"option_{opt}")
            if opt == "timezone":
                edit.setPlaceholderText("this computer's zone (or e.g. America/New_York)")
            edit.editingFinished.connect(self.revalidate)
            form.addRow(opt.replace("_", " ").capitalize(), edit)
            self.option_edits[opt] = edit
        self.summary = QLabel("", self)
        self.summary.setObjectName("import_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.report = QListWidget(self)
        self.report.setObjectName("import_report")
        layout.addWidget(self.report, 1)
        self.valid_only = QCheckBox("Import the valid rows and leave the bad ones out", self)
        self.valid_only.setObjectName("import_valid_only")
        self.valid_only.toggled.connect(self._update_buttons)
        layout.addWidget(self.valid_only)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.check_button = QPushButton("&Check Again", self)
        self.import_button = QPushButton("&Import", self)
        self.import_button.setObjectName("import_go")
        self.buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.check_button.clicked.connect(self.revalidate)
        self.import_button.clicked.connect(self.do_import)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._dirty = False
        self.revalidate()

    def mapping(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for fld, box in self.field_boxes.items():
            text = box.currentText().strip()
            if not text or text == NONE:
                continue
            parts = [p.strip() for p in text.split(JOIN.strip()) if p.strip()]
            out[fld] = parts if len(parts) > 1 else parts[0]
        for opt, edit in self.option_edits.items():
            if edit.text().strip():
                out[opt] = edit.text().strip()
        return out

    def revalidate_later(self) -> None:
        self._dirty = True
        self.import_button.setEnabled(False)
        self.summary.setText("The mapping changed: press Check Again.")

    def revalidate(self) -> None:
        self._dirty = False
        self.report.clear()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.validation = validate_file(open_source(self.source.path, self.source.format),
                                            KINDS[self.spec.kind], self.mapping(), self.session.conn)
        except (MappingError, SourceError, OSError) as exc:
            self.validation = None
            self.summary.setText(f"✘ {exc}")
        finally:
            QApplication.restoreOverrideCursor()
        if self.validation is not None:
            lines = list(self.validation.report_lines())
            self.summary.setText(lines[0])
            self.report.addItems(lines[1:])
        self._update_buttons()

    def _update_buttons(self) -> None:
        v = self.validation
        ok = v is not None and v.valid > 0 and (not v.bad or self.valid_only.isChecked()) and not self._dirty
        self.import_button.setEnabled(ok)
        self.import_button.setToolTip("" if ok else "Fix the bad rows, or choose to import only the valid ones")

    def do_import(self) -> None:
        v = self.validation
        if v is None:
            return
        try:
            self.session.require(Permission.IMPORT_DATA)
            result = write_validation(self.session.conn, KINDS[self.spec.kind], v, self.session.actor)
        except (PermissionDenied, ValueError) as exc:
            QMessageBox.warning(self, "Import", str(exc))
            return
        self.result_ids = list(range(result.first_id, result.last_id + 1)) if result.first_id else []
        self.result_summary = result.summary()
        self.accept()


def run_record_import(window: MainWindow, kind: str, parent: QWidget,
                      on_done: Callable[[list[int]], None]) -> RecordImportDialog | None:
    """Choose a file and open the preview (window-modal; tests find it by its name, record_import_dialog).
    on_done(ids) runs after an import."""
    session = window.ctx.session
    if not session.can(Permission.IMPORT_DATA):
        QMessageBox.information(parent, "Import", "Your role may not import data.")
        return None
    path = choose_open_file(parent, f"Import {SPECS[kind].noun.title()}", "CSV files (*.csv *.tsv *.txt);;All files "
                            "(*)", f"import_{kind}")
    if path is None:
        return None
    try:
        source = open_source(path)
    except (SourceError, OSError, LookupError) as exc:
        QMessageBox.warning(parent, "Import", f"{path.name} cannot be read: {exc}")
        return None
    dialog = RecordImportDialog(session, kind, source, parent)

    def finished(result: int) -> None:
        dialog.setObjectName("")  # no longer the open one
        if result:
            window.statusBar().showMessage(dialog.result_summary, 8000)
            on_done(dialog.result_ids)
        dialog.deleteLater()

    dialog.finished.connect(finished)
    dialog.open()
    return dialog
