"""The Evidence feature's dialogs: the recorder's clock at intake, a legal hold, a package export with its
approval, and the custody report's format. Each only gathers input; the services check it."""

from __future__ import annotations

from datetime import date, datetime, timezone

from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core.evidence import clock_offset_s, describe_offset
from app.services.evidence.intake import ClockOffset


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class ClockOffsetDialog(QDialog):
    """How far the recorder's clock is off: correct, entered in seconds, or measured from a reference frame (the
    time the footage shows at some moment against the true time of that moment)."""

    def __init__(self, parent: QWidget | None, files: int, non_media: int) -> None:
        super().__init__(parent)
        self.setObjectName("clock_offset_dialog")
        self.setWindowTitle("Attach Footage — Recorder Clock")
        layout = QVBoxLayout(self)
        text = f"{files} file(s) will be copied into the evidence store, hashed (SHA-256) and made read-only."
        if non_media:
            text += f"\n{non_media} of them are not video, audio or images and will be kept as plain files."
        layout.addWidget(QLabel(text, self))
        self.correct = QRadioButton("The recorder's clock is correct (or not known)", self)
        self.entered = QRadioButton("The recorder's clock is off by (seconds, + fast / − slow):", self)
        self.reference = QRadioButton("Measure it from a reference frame:", self)
        group = QButtonGroup(self)
        for b in (self.correct, self.entered, self.reference):
            group.addButton(b)
            layout.addWidget(b)
        self.correct.setChecked(True)
        self.seconds = QDoubleSpinBox(self)
        self.seconds.setObjectName("offset_seconds")
        self.seconds.setRange(-10 * 365 * 86400.0, 10 * 365 * 86400.0)
        self.seconds.setDecimals(1)
        layout.addWidget(self.seconds)
        form = QFormLayout()
        now = QDateTime.currentDateTime()
        self.shown = QDateTimeEdit(now, self)
        self.shown.setObjectName("offset_shown")
        self.true = QDateTimeEdit(now, self)
        self.true.setObjectName("offset_true")
        for w in (self.shown, self.true):
            w.setDisplayFormat("yyyy-MM-dd HH:mm:ss")
            w.setCalendarPopup(True)
        zone = datetime.now().astimezone().tzname()
        form.addRow("Time shown in the footage:", self.shown)
        form.addRow(f"True time of that moment ({zone}):", self.true)
        layout.addLayout(form)
        self.preview = QLabel(self)
        layout.addWidget(self.preview)
        for sig in (self.seconds.valueChanged, self.shown.dateTimeChanged, self.true.dateTimeChanged):
            sig.connect(self._update)
        for b in (self.correct, self.entered, self.reference):
            b.toggled.connect(self._update)
        layout.addWidget(_buttons(self, "Attach"))
        self._update()

    def offset(self) -> ClockOffset:
        if self.entered.isChecked():
            return ClockOffset(float(self.seconds.value()), "entered")
        if self.reference.isChecked():
            shown = self.shown.dateTime().toPython().astimezone(timezone.utc)
            true = self.true.dateTime().toPython().astimezone(timezone.utc)
            return ClockOffset(clock_offset_s(shown, true), "reference")
        return ClockOffset(0.0, "")

    def _update(self, *_: object) -> None:
        self.seconds.setEnabled(self.entered.isChecked())
        self.shown.setEnabled(self.reference.isChecked())
        self.true.setEnabled(self.reference.isChecked())
        self.preview.setText(describe_offset(self.offset().seconds).capitalize() + ".")


class HoldDialog(QDialog):
    """A legal hold: reason, case or authority, review date (a supervisor places it)."""

    def __init__(self, parent: QWidget | None, title: str = "Place Legal Hold", note: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("hold_dialog")
        self.setWindowTitle(title)
        form = QFormLayout(self)
        if note:
            label = QLabel(note, self)
            label.setWordWrap(True)
            form.addRow(label)
        self.reason = QPlainTextEdit(self)
        self.reason.setObjectName("hold_reason")
        self.reason.setPlaceholderText("Why the footage must be kept (at least 10 characters)")
        self.reason.setTabChangesFocus(True)
        self.authority = QLineEdit(self)
        self.authority.setObjectName("hold_authority")
        self.authority.setPlaceholderText("Case number or legal authority, e.g. Court order 2026-117")
        self.review = QDateEdit(QDate.currentDate().addDays(90), self)
        self.review.setObjectName("hold_review")
        self.review.setCalendarPopup(True)
        self.review.setMinimumDate(QDate.currentDate().addDays(1))
        form.addRow("&Reason:", self.reason)
        form.addRow("&Case or authority:", self.authority)
        form.addRow("Re&view on:", self.review)
        form.addRow(_buttons(self, "Place Hold"))

    def values(self) -> tuple[str, str, date]:
        return self.reason.toPlainText(), self.authority.text(), self.review.date().toPython()


class ExportDialog(QDialog):
    """Who receives the package, on what legal basis, and the approving supervisor's sign-in."""

    def __init__(self, parent: QWidget | None, items: int) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export Evidence Package")
        form = QFormLayout(self)
        note = QLabel(f"{items} item(s) will be written as a BagIt package (SHA-256 and SHA-512 manifests) that the "
                      "receiver can check with any BagIt tool. The export is recorded in the onward-sharing register "
                      "and needs a supervisor's approval (not yours).", self)
        note.setWordWrap(True)
        form.addRow(note)
        self.org = QLineEdit(self)
        self.org.setObjectName("export_org")
        self.basis = QLineEdit(self)
        self.basis.setObjectName("export_basis")
        self.basis.setPlaceholderText("e.g. Subpoena 2026-CR-114, District Court")
        self.approver = QLineEdit(self)
        self.approver.setObjectName("export_approver")
        self.password = QLineEdit(self)
        self.password.setObjectName("export_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Recipient &organisation:", self.org)
        form.addRow("&Legal basis:", self.basis)
        form.addRow("Approving &supervisor:", self.approver)
        form.addRow("Supervisor's &password:", self.password)
        form.addRow(_buttons(self, "Choose File and Export…"))

    def values(self) -> tuple[str, str, str, str]:
        return self.org.text(), self.basis.text(), self.approver.text(), self.password.text()


def ask_text(parent: QWidget | None, title: str, label: str, object_name: str) -> str | None:
    """A short required text (a reason), or None if cancelled."""
    dialog = QDialog(parent)
    dialog.setObjectName(object_name)
    dialog.setWindowTitle(title)
    layout = QVBoxLayout(dialog)
    text = QLabel(label, dialog)
    text.setWordWrap(True)
    layout.addWidget(text)
    edit = QLineEdit(dialog)
    edit.setObjectName(f"{object_name}_text")
    layout.addWidget(edit)
    layout.addWidget(_buttons(dialog, "OK"))
    edit.setFocus(Qt.FocusReason.OtherFocusReason)
    return edit.text() if exec_dialog(dialog) else None


def exec_dialog(dialog: QDialog) -> bool:
    """Run a dialog modally: the one seam tests replace to fill a dialog in and accept it."""
    return dialog.exec() == QDialog.DialogCode.Accepted
