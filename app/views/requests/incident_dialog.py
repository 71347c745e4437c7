"""New Incident Here: a short form (time, category, case number) before an incident is recorded at the fence."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QDateTime, QTimeZone
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core import timefmt


class NewIncidentDialog(QDialog):
    def __init__(self, parent: QWidget | None, occurred_at: datetime, category: str, case_number: str,
                 categories: list[str], where: str) -> None:
        super().__init__(parent)
        self.setObjectName("new_incident_dialog")
        self.setWindowTitle("New Incident Here")
        self.when = QDateTimeEdit(self)
        self.when.setObjectName("incident_time")
        self.when.setTimeZone(QTimeZone.systemTimeZone())
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm t")
        self.when.setCalendarPopup(True)
        self.when.setDateTime(QDateTime.fromSecsSinceEpoch(int(occurred_at.timestamp()), QTimeZone.systemTimeZone()))
        self.when.setToolTip(f"When it happened, local time ({timefmt.zone_name()})")
        self.category = QComboBox(self)
        self.category.setObjectName("incident_category")
        self.category.setEditable(True)
        self.category.addItems(categories)
        self.category.setCurrentText(category)
        self.case_number = QLineEdit(case_number, self)
        self.case_number.setObjectName("incident_case_number")
        self.case_number.setPlaceholderText("e.g. BPD-14-000777")
        form = QFormLayout()
        form.addRow("&When:", self.when)
        form.addRow("&Category:", self.category)
        form.addRow("Case &number:", self.case_number)
        form.addRow("Where:", QLabel(where, self))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Record Incident")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> tuple[datetime, str, str]:
        at = datetime.fromtimestamp(self.when.dateTime().toSecsSinceEpoch(), timezone.utc)
        return at, self.category.currentText().strip(), self.case_number.text().strip()
