"""Supervisor override of one failed policy rule for one request, with the written reason the log keeps."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QPlainTextEdit, QWidget

from app.core.policy import RuleResult
from app.services.requests.approval import MIN_REASON_LEN


class OverrideDialog(QDialog):
    def __init__(self, failed: list[RuleResult], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("override_dialog")
        self.setWindowTitle("Override a Policy Rule")
        self.rule = QComboBox(self)
        self.rule.setObjectName("override_rule")
        for r in failed:
            self.rule.addItem(f"{r.label}: {r.reason}", r.rule)
        self.reason = QPlainTextEdit(self)
        self.reason.setObjectName("override_reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(f"Why this rule may be broken for this request (at least {MIN_REASON_LEN} "
                                       "characters). Kept in the audit log, counted in the transparency report.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Override")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(QLabel("Only a supervisor may override a rule, and the reason is public to auditors.", self))
        form.addRow("&Rule:", self.rule)
        form.addRow("R&eason:", self.reason)
        form.addRow(buttons)

    def chosen(self) -> tuple[str, str]:
        return self.rule.currentData(), self.reason.toPlainText()
