"""Requests ▸ Public Request Log: every sent request, as the public sees it, with CSV and HTML export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget

from app.core.permissions import Permission
from app.core.wording import count
from app.models.public_log_table_model import PublicLogTableModel
from app.services.requests import public_log as public_log_svc
from app.services.session import Session
from app.views.widgets import files
from app.views.widgets.state import PreservedState

SETTINGS_GROUP = "public_log_dialog"


class PublicLogDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("public_log_dialog")
        self.setWindowTitle("Public Request Log")
        self.resize(1100, 500)
        self.model = PublicLogTableModel(self)
        self.model.set_rows(public_log_svc.public_log(session))  # raises PermissionDenied for a role without access
        self.table = QTableView(self)
        self.table.setObjectName("public_log_table")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.resizeColumnsToContents()
        self._state = PreservedState(SETTINGS_GROUP, header=self.table.horizontalHeader())
        self._state.restore()
        self.csv_button = QPushButton("Export &CSV…", self)
        self.csv_button.setObjectName("export_public_csv")
        self.html_button = QPushButton("Export &HTML…", self)
        self.html_button.setObjectName("export_public_html")
        for b in (self.csv_button, self.html_button):
            b.setToolTip("Save the public log to publish it (no owner is named, areas are generalised)")
        self.csv_button.clicked.connect(lambda: self.export("csv"))
        self.html_button.clicked.connect(lambda: self.export("html"))
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        sent = count(len(self.model.entries), "sent request")
        row.addWidget(QLabel(f"{sent}. Entries can be resolved, never deleted. "
                             "Areas are circles that contain the real area, rounded to about 100 m.", self), 1)
        row.addWidget(self.csv_button)
        row.addWidget(self.html_button)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(row)
        self.finished.connect(self._save)

    def _save(self) -> None:
        self._state.save()

    def export(self, fmt: str) -> Path | None:
        self.session.require(Permission.VIEW_PUBLIC_LOG)
        filters = "CSV files (*.csv)" if fmt == "csv" else "HTML pages (*.html)"
        path = files.choose_save_file(self, "Export Public Request Log", filters, "public_log",
                                      f"public-request-log.{fmt}")
        if path is None:
            return None
        try:
            public_log_svc.export_public_log(self.session, path, fmt, self.model.entries)
        except OSError as exc:
            QMessageBox.warning(self, "Export", f"The log could not be written to {path}:\n{exc}\n\n"
                                "Choose another folder.")
            return None
        return path
