"""A small form dialog (label → editor rows) that checks itself before it closes: the ledger entries, milestones,
statements and outcomes use it. The caller's `check(values)` returns the reason the values cannot be saved (shown
under the form, the dialog stays open) or None."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

Check = Callable[[dict[str, Any]], str | None]


class FormDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None = None, intro: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("form_dialog")
        self.editors: dict[str, QWidget] = {}
        self.check: Check | None = None
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro, self)
            label.setWordWrap(True)
            layout.addWidget(label)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.error = QLabel("", self)
        self.error.setObjectName("form_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b2182b;")
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _add(self, key: str, label: str, editor: QWidget, tip: str) -> QWidget:
        editor.setObjectName(f"field_{key}")
        if tip:
            editor.setToolTip(tip)
        self.form.addRow(label, editor)
        self.editors[key] = editor
        return editor

    def add_date(self, key: str, label: str, value: QDate | None = None, tip: str = "") -> QDateEdit:
        e = QDateEdit(value or QDate.currentDate(), self)
        e.setCalendarPopup(True)
        e.setDisplayFormat("yyyy-MM-dd")
        return self._add(key, label, e, tip)  # type: ignore[return-value]

    def add_int(self, key: str, label: str, value: int = 1, low: int = 0, high: int = 1_000_000,
                tip: str = "") -> QSpinBox:
        e = QSpinBox(self)
        e.setRange(low, high)
        e.setValue(value)
        return self._add(key, label, e, tip)  # type: ignore[return-value]

    def add_text(self, key: str, label: str, value: str = "", tip: str = "") -> QLineEdit:
        e = QLineEdit(value, self)
        return self._add(key, label, e, tip)  # type: ignore[return-value]

    def add_long_text(self, key: str, label: str, value: str = "", tip: str = "") -> QPlainTextEdit:
        e = QPlainTextEdit(value, self)
        e.setTabChangesFocus(True)
        e.setMinimumHeight(70)
        return self._add(key, label, e, tip)  # type: ignore[return-value]

    def add_choice(self, key: str, label: str, items: list[tuple[str, Any]], tip: str = "") -> QComboBox:
        e = QComboBox(self)
        for text, data in items:
            e.addItem(text, data)
        return self._add(key, label, e, tip)  # type: ignore[return-value]

    def add_check(self, key: str, label: str, checked: bool = False, tip: str = "") -> QCheckBox:
        e = QCheckBox(label, self)
        e.setChecked(checked)
        return self._add(key, "", e, tip)  # type: ignore[return-value]

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, e in self.editors.items():
            if isinstance(e, QDateEdit):
                out[key] = e.date().toString(Qt.DateFormat.ISODate)
            elif isinstance(e, QSpinBox):
                out[key] = e.value()
            elif isinstance(e, QLineEdit):
                out[key] = e.text().strip()
            elif isinstance(e, QPlainTextEdit):
                out[key] = e.toPlainText().strip()
            elif isinstance(e, QComboBox):
                out[key] = e.currentData()
            elif isinstance(e, QCheckBox):
                out[key] = e.isChecked()
        return out

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def try_accept(self) -> None:
        problem = self.check(self.values()) if self.check is not None else None
        if problem:
            self.show_error(problem)
            return
        self.accept()
