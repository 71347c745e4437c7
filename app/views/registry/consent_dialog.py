"""Record a consent change: an owner opted in or out, said how and from when. The one way consent changes."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, Qt, QTimeZone
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

from app.core.records import Consent, OwnerSummary

CHOICES = {Consent.OPT_IN: "Opted in — may receive footage requests",
           Consent.OPT_OUT: "Opted out — is never asked for footage"}


class ConsentDialog(QDialog):
    def __init__(self, summary: OwnerSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("consent_dialog")
        self.setWindowTitle(f"Record a consent change — {summary.anonymous_name}")
        layout = QVBoxLayout(self)
        note = QLabel(f"Record what {summary.anonymous_name} told you. The change, who recorded it and how the owner "
                      "said so go into the owner's consent record and the audit log.", self)
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.consent_combo = QComboBox(self)
        self.consent_combo.setObjectName("consent_new")
        for consent, label in CHOICES.items():
            self.consent_combo.addItem(label, consent.value)
        other = Consent.OPT_OUT if summary.consent == Consent.OPT_IN else Consent.OPT_IN
        self.consent_combo.setCurrentIndex(self.consent_combo.findData(other.value))
        form.addRow("&New choice:", self.consent_combo)
        self.how_edit = QLineEdit(self)
        self.how_edit.setObjectName("consent_how")
        self.how_edit.setPlaceholderText("e.g. reply “opt out R3-N12”, letter, phone call, form")
        self.how_edit.setToolTip("How the owner made this choice (required)")
        form.addRow("&How the owner said so:", self.how_edit)
        self.since_edit = QDateTimeEdit(QDateTime.currentDateTime(), self)
        self.since_edit.setObjectName("consent_since")
        self.since_edit.setCalendarPopup(True)
        zone = QTimeZone.systemTimeZone().displayName(QDateTime.currentDateTime(), QTimeZone.NameType.ShortName)
        self.since_edit.setDisplayFormat(f"yyyy-MM-dd HH:mm '{zone}'")  # local time, the zone named
        self.since_edit.setMaximumDateTime(QDateTime.currentDateTime().addSecs(60))
        self.since_edit.setToolTip("When the owner made the choice (your local time)")
        form.addRow("&Since:", self.since_edit)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Record")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.how_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        self.how_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.how_edit.text().strip()))

    def choice(self) -> tuple[Consent, str, str]:
        """(new consent, how, effective_at as UTC ISO)."""
        at = self.since_edit.dateTime().toUTC().toString("yyyy-MM-ddTHH:mm:ssZ")
        return Consent(self.consent_combo.currentData()), self.how_edit.text().strip(), at
