"""Requests ▸ Request Limits: the request policy's limits. Everyone who writes requests may read them; only a
supervisor may change them (app.services.requests.policy_settings.set_limit checks and audits each change)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from app.core.permissions import Permission
from app.services.requests import policy_settings as ps
from app.services.session import PermissionDenied, Session

_RANGES: dict[str, tuple[float, float, int]] = {   # key: (min, max, decimals; 0 = whole number)
    "area_min_sq_mi": (0.001, 10.0, 3), "area_max_sq_mi": (0.001, 10.0, 3), "window_min_min": (1, 1440, 0),
    "window_max_h": (0.25, 168.0, 2), "max_requests_per_incident": (1, 20, 0), "expiry_days": (1, 90, 0),
    "purge_days": (1, 3650, 0),
}


class LimitsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("limits_dialog")
        self.setWindowTitle("Request Limits")
        self.limits = ps.get_limits(session.conn)
        self.editable = session.can(Permission.CHANGE_POLICY)
        form = QFormLayout(self)
        note = ("Changes apply to every request checked from now on and are recorded in the audit log."
                if self.editable else "Only a supervisor may change these limits.")
        form.addRow(QLabel(note, self))
        self.editors: dict[str, QWidget] = {}
        for key, (lo, hi, decimals) in _RANGES.items():
            if decimals:
                spin: QSpinBox | QDoubleSpinBox = QDoubleSpinBox(self)
                spin.setDecimals(decimals)
            else:
                spin = QSpinBox(self)
            spin.setRange(lo, hi)  # type: ignore[arg-type]
            spin.setValue(self.limits[key])
            spin.setObjectName(key)
            spin.setEnabled(self.editable)
            self.editors[key] = spin
            form.addRow(ps.LABELS[key] + ":", spin)
        cats = QLineEdit("; ".join(self.limits["forbidden_categories"]), self)
        cats.setObjectName("forbidden_categories")
        cats.setToolTip("Separated by semicolons; “protest / lawful assembly” always stays")
        cats.setEnabled(self.editable)
        self.editors["forbidden_categories"] = cats
        form.addRow(ps.LABELS["forbidden_categories"] + ":", cats)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self.editors.items():
            if isinstance(w, QLineEdit):
                out[key] = [c.strip() for c in w.text().split(";") if c.strip()]
            else:
                out[key] = w.value()  # type: ignore[attr-defined]
        return out

    def apply(self) -> None:
        """Write the changed limits (each one audited by set_limit), then close."""
        if not self.editable:
            self.reject()
            return
        pending = {k: v for k, v in self.values().items() if v != self.limits[k]}
        try:
            # A pair (smallest <= largest) may need its two halves in either order: retry what failed while
            # something else succeeded; a pass with no progress reports the reason.
            while pending:
                failed: dict[str, Any] = {}
                last: ps.LimitError | None = None
                for key, value in pending.items():
                    try:
                        ps.set_limit(self.session, key, value)
                    except ps.LimitError as exc:
                        failed[key], last = value, exc
                if last is not None and len(failed) == len(pending):
                    raise last
                pending = failed
        except (ps.LimitError, PermissionDenied) as exc:
            QMessageBox.warning(self, "Request Limits", f"{exc}\n\nLimits changed before this one were kept.")
            return
        self.accept()
