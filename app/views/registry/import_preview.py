"""The import preview: map source columns to camera fields, see how many rows are valid, and every bad row with why.

The dialog never reads or writes data itself: when the mapping changes it emits mapping_changed, the import
controller re-validates off the GUI thread and hands the result back with set_validation().
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.records import CAMERA_KIND_LABELS, CameraKind
from app.io.mapping import FIELD_LABELS, FIELDS, columns_of, signature
from app.io.pipeline_types import SAMPLE_ROWS, RowIssue, Validation
from app.models.import_sample_table_model import ImportSampleTableModel
from app.views.dialogs.user_guide import help_button
from app.views.widgets.state import PreservedState

SETTINGS_GROUP = "import_preview"
ENCODINGS = [("UTF-8", "utf-8-sig"), ("Windows-1252", "cp1252"), ("Latin-1", "latin-1")]
_FIELD_TIPS = {
    "location": "A column holding the whole point: WKT such as POINT (-76.61 39.29), or 'lat, lon'",
    "kind": "Several columns can be used (OSM: surveillance:type and camera:type); a row any of them says is not a "
            "camera (ALPR, gunshot detector, dummy) is rejected",
    "heading_deg": "Degrees clockwise from north; compass points (NE) and ranges (90-180, midpoint) are understood",
    "external_id": "The camera's id in the file: duplicates in the file or already in the registry are rejected",
    "owner_consent": "opt-in / opt-out (yes/no); owners without it are recorded as opted out",
}


def mapping_key(columns: list[str]) -> str:
    return hashlib.sha1(signature(columns).encode("utf-8")).hexdigest()


def remembered_mapping(columns: list[str]) -> dict[str, Any] | None:
    """The mapping last used for a file with this set of columns, if any (QSettings is safe from any thread)."""
    text = QSettings().value(f"{SETTINGS_GROUP}/mappings/{mapping_key(columns)}", "")
    if not text:
        return None
    try:
        value = json.loads(str(text))
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def remember_mapping(columns: list[str], mapping: dict[str, Any]) -> None:
    mapping = {k: v for k, v in mapping.items() if k != "split_directions"}  # off by default, every time
    QSettings().setValue(f"{SETTINGS_GROUP}/mappings/{mapping_key(columns)}", json.dumps(mapping, sort_keys=True))


class ImportIssueTableModel(QAbstractTableModel):
    """Rejected rows and notes: where, what happens to the row, and why."""

    COL_WHERE, COL_OUTCOME, COL_REASON = range(3)
    HEADERS = ["Line", "Outcome", "Reason"]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bad: list[RowIssue] = []
        self._notes: list[RowIssue] = []

    def set_issues(self, bad: list[RowIssue], notes: list[RowIssue]) -> None:
        self.beginResetModel()
        self._bad, self._notes = bad, notes
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._bad) + len(self._notes)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else 3

    def issue(self, row: int) -> tuple[RowIssue, bool]:
        if row < len(self._bad):
            return self._bad[row], True
        return self._notes[row - len(self._bad)], False

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: ANN401
        if not index.isValid():
            return None
        issue, rejected = self.issue(index.row())
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_WHERE:
                return issue.where.removeprefix("line ")
            if col == self.COL_OUTCOME:
                return "rejected" if rejected else "imported (note)"
            return issue.reason
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{issue.where}: {issue.reason}"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: ANN401
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


class ImportPreviewDialog(QDialog):
    mapping_changed = Signal(object)  # the new mapping dict

    def __init__(self, parent: QWidget | None, columns: list[str], fmt: str, mapping: dict[str, Any],
                 validation: Validation) -> None:
        super().__init__(parent)
        self.setObjectName("import_preview")
        self.setWindowTitle(f"Import {validation.file_name}")
        self.columns = columns
        self.format = fmt
        self.validation = validation
        self._mapping = dict(mapping)
        self._checking = False
        layout = QVBoxLayout(self)
        self.file_label = QLabel(self)
        self.file_label.setWordWrap(True)
        layout.addWidget(self.file_label)
        layout.addWidget(self._mapping_box())
        self.count_label = QLabel(self)
        self.count_label.setObjectName("import_valid_count")
        self.count_label.setToolTip("Rows that would be imported with this mapping")
        layout.addWidget(self.count_label)
        self.sample_model = ImportSampleTableModel(self)
        self.sample_table = QTableView(self)
        self.sample_table.setObjectName("import_sample")
        self.sample_table.setModel(self.sample_model)
        self.sample_table.setToolTip(f"The first {SAMPLE_ROWS} valid rows as they will be stored (directions in "
                                     "degrees, kinds resolved, text cleaned)")
        self.sample_table.setAlternatingRowColors(True)
        self.sample_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # at most SAMPLE_ROWS rows: sizing the columns to their contents is cheap and shows whole values
        self.sample_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.issue_model = ImportIssueTableModel(self)
        self.issue_table = QTableView(self)
        self.issue_table.setObjectName("import_issues")
        self.issue_table.setModel(self.issue_model)
        self.issue_table.setToolTip("Every bad row with its line number and the reason it is rejected")
        self.issue_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.issue_table.setAlternatingRowColors(True)
        self.issue_table.verticalHeader().setVisible(False)
        self.issue_table.horizontalHeader().setStretchLastSection(True)
        self.sample_label = QLabel(self)
        self.issue_label = QLabel(self)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("import_tables")
        for label, table in ((self.sample_label, self.sample_table), (self.issue_label, self.issue_table)):
            pane = QWidget(self.splitter)
            box = QVBoxLayout(pane)
            box.setContentsMargins(0, 0, 0, 0)
            label.setBuddy(table)
            box.addWidget(label)
            box.addWidget(table, 1)
            self.splitter.addWidget(pane)
        layout.addWidget(self.splitter, 1)
        buttons = QDialogButtonBox(self)
        self.import_button = QPushButton("Import", self)
        self.import_button.setObjectName("import_rows")
        self.import_button.setDefault(True)
        self.nothing_button = QPushButton("Import &Nothing", self)
        self.nothing_button.setObjectName("import_nothing")
        self.nothing_button.setToolTip("Close without changing the registry")
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.nothing_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(help_button(self, "import", "importing cameras: formats, columns, kinds"),
                          QDialogButtonBox.ButtonRole.HelpRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._restore_layout()
        self.set_validation(validation)

    # --- mapping widgets -------------------------------------------------------------------------------------------
    def _mapping_box(self) -> QWidget:
        box = QGroupBox("Source column for each field", self)
        grid = QGridLayout(box)  # two columns of 'field: column' pairs, so nothing hides behind a scroll bar
        half = (len(FIELDS) + 1) // 2
        self.field_combos: dict[str, QComboBox] = {}
        for n, fld in enumerate(FIELDS):
            combo = QComboBox(box)
            combo.setObjectName(f"map_{fld}")
            combo.addItem("(not used)", None)
            for col in self.columns:
                combo.addItem(col, col)
            current = columns_of(self._mapping.get(fld))
            if len(current) > 1:
                combo.addItem(" | ".join(current), current)
                combo.setCurrentIndex(combo.count() - 1)
            elif current:
                combo.setCurrentIndex(max(0, combo.findData(current[0])))
            combo.setToolTip(_FIELD_TIPS.get(fld, f"The column that holds the camera's {FIELD_LABELS[fld].lower()}"))
            combo.currentIndexChanged.connect(self._on_changed)
            self.field_combos[fld] = combo
            label = QLabel(FIELD_LABELS[fld] + ":", box)
            label.setBuddy(combo)
            row, col = n % half, 2 * (n // half)
            grid.addWidget(label, row, col)
            grid.addWidget(combo, row, col + 1)
        self.kind_combo = QComboBox(box)
        self.kind_combo.setObjectName("map_default_kind")
        self.kind_combo.setToolTip("The kind of camera for rows whose file does not say (e.g. City CCTV for a city "
                                   "registry)")
        self.kind_combo.addItem("(none: reject rows without a kind)", None)
        for kind in CameraKind:
            self.kind_combo.addItem(CAMERA_KIND_LABELS[kind], kind.value)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(self._mapping.get("default_kind"))))
        self.kind_combo.currentIndexChanged.connect(self._on_changed)
        kind_label = QLabel("&Kind when the file has none:", box)
        kind_label.setBuddy(self.kind_combo)
        grid.addWidget(kind_label, half, 0)
        grid.addWidget(self.kind_combo, half, 1)
        self.encoding_combo: QComboBox | None = None
        if self.format == "csv":
            self.encoding_combo = QComboBox(box)
            self.encoding_combo.setObjectName("map_encoding")
            self.encoding_combo.setToolTip("The file's text encoding. Rows not valid in it are rejected as 'wrong "
                                           "encoding'; choose another only if you know the file's encoding")
            for label, codec in ENCODINGS:
                self.encoding_combo.addItem(label, codec)
            self.encoding_combo.setCurrentIndex(max(0, self.encoding_combo.findData(
                self._mapping.get("encoding", "utf-8-sig"))))
            self.encoding_combo.currentIndexChanged.connect(self._on_changed)
            enc_label = QLabel("&Encoding:", box)
            enc_label.setBuddy(self.encoding_combo)
            grid.addWidget(enc_label, half, 2)
            grid.addWidget(self.encoding_combo, half, 3)
        self.split_check = QCheckBox("One camera per &direction", box)
        self.split_check.setObjectName("map_split_directions")
        self.split_check.setToolTip("A row whose direction lists several (0;90;180, as OpenStreetMap writes a camera "
                                    "cluster) becomes one camera per direction. Off: such rows are rejected")
        self.split_check.setChecked(bool(self._mapping.get("split_directions")))
        self.split_check.toggled.connect(self._on_changed)
        grid.addWidget(self.split_check, half + 1, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        return box

    def mapping(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for fld, combo in self.field_combos.items():
            value = combo.currentData()
            if value:
                out[fld] = value
        kind = self.kind_combo.currentData()
        if kind:
            out["default_kind"] = kind
        if self.encoding_combo is not None and self.encoding_combo.currentData() != "utf-8-sig":
            out["encoding"] = self.encoding_combo.currentData()
        if self.split_check.isChecked():
            out["split_directions"] = True
        return out

    def set_field(self, fld: str, column: str | None) -> None:
        """Choose a field's source column (as a user would with the combo box)."""
        combo = self.field_combos[fld]
        combo.setCurrentIndex(max(0, combo.findData(column)) if column else 0)

    def set_default_kind(self, kind: str | None) -> None:
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)) if kind else 0)

    def _on_changed(self) -> None:
        self._mapping = self.mapping()
        self.set_checking(True)
        self.mapping_changed.emit(dict(self._mapping))

    # --- results ---------------------------------------------------------------------------------------------------
    def set_checking(self, checking: bool, error: str = "") -> None:
        self._checking = checking
        if checking:
            self.count_label.setText("Checking the rows with this mapping…")
        elif error:
            self.count_label.setText(error)
        self.import_button.setEnabled(not checking and not error and self.validation.valid > 0)

    def set_validation(self, validation: Validation) -> None:
        self.validation = validation
        v = validation
        self.file_label.setText(f"<b>{v.file_name}</b> ({v.format.upper()}): {v.rows_total} rows"
                                + ("".join(f"<br>{note}" for note in v.file_notes)))
        self.count_label.setText(f"<b>{v.valid}</b> of {v.rows_total} rows are valid; {v.bad_count} bad"
                                 + (f"; {v.notes_count} imported with a note" if v.notes_count else ""))
        self.sample_model.set_rows(v.sample_columns, v.sample)
        self.sample_label.setText(f"&Rows to import: the first {len(v.sample)} of {v.valid}, as they will be stored"
                                  if v.sample else "&Rows to import: none")
        listed = len(v.bad) + len(v.notes)
        self.issue_label.setText(f"Bad rows and &notes ({listed} listed" + (
            f"; only the first of each are shown, {v.bad_dropped + v.notes_dropped} more" if listed <
            v.bad_count + v.notes_count else "") + ")")
        self.issue_model.set_issues(v.bad, v.notes)
        self.import_button.setText(f"&Import {v.valid} Valid Rows" if v.bad else f"&Import {v.valid} Rows")
        self.import_button.setToolTip("Import the valid rows in one step; the bad rows are left out" if v.bad
                                      else "Import every row")
        self._checking = False
        self.import_button.setEnabled(v.valid > 0)

    def accept(self) -> None:
        if self._checking or self.validation.valid == 0:
            return
        remember_mapping(self.columns, self.mapping())
        self._save_layout()
        super().accept()

    def reject(self) -> None:
        self._save_layout()
        super().reject()

    # --- layout memory ---------------------------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        self._state = PreservedState(SETTINGS_GROUP, geometry=self, issues_header=self.issue_table.horizontalHeader(),
                                     tables_splitter=self.splitter)
        restored = self._state.restore()
        if "geometry" not in restored:
            self.resize(720, 680)
        if "issues_header" not in restored:
            self.issue_table.setColumnWidth(ImportIssueTableModel.COL_WHERE, 130)
            self.issue_table.setColumnWidth(ImportIssueTableModel.COL_OUTCOME, 110)
        self.issue_table.horizontalHeader().setSectionResizeMode(ImportIssueTableModel.COL_REASON,
                                                                 QHeaderView.ResizeMode.Stretch)

    def _save_layout(self) -> None:
        self._state.save()

