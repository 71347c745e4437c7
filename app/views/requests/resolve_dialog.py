"""Resolve a sent request with its outcome: was the footage useful, did it lead to an arrest."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QPlainTextEdit, QWidget

_CHOICES = [("Not known", None), ("Yes", True), ("No", False)]


class ResolveDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resolve_dialog")
        self.setWindowTitle("Resolve Request")
        self.useful = self._combo("footage_useful", "Did the shared footage help the investigation?")
        self.arrest = self._combo("led_to_arrest", "Did the request lead to an arrest?")
        self.notes = QPlainTextEdit(self)
        self.notes.setObjectName("outcome_notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText("Notes on the outcome (no names of owners)")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Resolve")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Footage &useful?", self.useful)
        form.addRow("Led to an &arrest?", self.arrest)
        form.addRow("&Notes:", self.notes)
        form.addRow(buttons)

    def _combo(self, name: str, tip: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setToolTip(tip)
        for text, value in _CHOICES:
            combo.addItem(text, value)
        return combo

    def outcome(self) -> tuple[bool | None, bool | None, str]:
        return self.useful.currentData(), self.arrest.currentData(), self.notes.toPlainText()
