"""Dialogs are finished through their own buttons, as a user does (not accept()): a disabled or unwired button
fails the test."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDialog, QDialogButtonBox, QPushButton


def accept_button(dialog: QDialog) -> QAbstractButton:
    box = dialog.findChild(QDialogButtonBox)
    if box is not None:
        for button in box.buttons():
            if box.buttonRole(button) in (QDialogButtonBox.ButtonRole.AcceptRole, QDialogButtonBox.ButtonRole.YesRole):
                return button
    closing = [b for b in dialog.findChildren(QPushButton) if b.text().replace("&", "") in ("Close", "OK")]
    assert closing, f"{dialog.objectName() or type(dialog).__name__} has no accept or close button"
    return closing[0]


def press_accept(qtbot, dialog: QDialog) -> None:  # noqa: ANN001 - pytest-qt fixture
    button = accept_button(dialog)
    assert button.isEnabled() and button.isVisible(), f"{button.text()} cannot be pressed"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
