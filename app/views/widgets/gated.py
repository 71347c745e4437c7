"""A page for those whose role may see it, and in its place a sentence saying who may (and what to do).

    self.stack = PermissionGate(content, "registry_denied", self)
    self.stack.deny("ana (analyst) may not view …")  /  self.stack.allow()
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget


class PermissionGate(QStackedWidget):
    def __init__(self, content: QWidget, denied_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.content = content
        self.denied = QLabel("", self)
        self.denied.setObjectName(denied_name)
        self.denied.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.denied.setWordWrap(True)
        self.addWidget(content)
        self.addWidget(self.denied)

    def allow(self) -> None:
        self.setCurrentWidget(self.content)

    def deny(self, text: str) -> None:
        self.denied.setText(text)
        self.setCurrentWidget(self.denied)

    @property
    def allowed(self) -> bool:
        return self.currentWidget() is self.content
