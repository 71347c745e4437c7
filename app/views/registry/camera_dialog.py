"""Add / edit a camera and its owner. Each field says what is wrong beside it; OK stays disabled until all is valid.

Stored contact details are never shown here (they are shown, audited, only in the Owner details pane): for an
existing owner the contact fields start empty and an empty field keeps what is stored.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.records import (
    CAMERA_KIND_LABELS,
    Camera,
    CameraKind,
    CameraSource,
    Consent,
    ContactPreference,
    Owner,
    OwnerSummary,
)
from app.core.validators import validate_camera, validate_owner
from app.models.camera_table_model import SOURCE_LABELS_BY_CODE

OWNER_NONE, OWNER_CURRENT, OWNER_NEW, OWNER_EXISTING = "none", "current", "new", "existing"
CONSENT_LABELS = {Consent.OPT_IN: "Opted in — may receive footage requests",
                  Consent.OPT_OUT: "Opted out — is never asked for footage"}
PREFERENCE_LABELS = {ContactPreference.EMAIL: "Email", ContactPreference.PHONE: "Phone",
                     ContactPreference.MAIL: "Mail", ContactPreference.NONE: "Do not contact"}
_NUMBER_FIELDS = ("lat", "lon", "heading_deg", "fov_deg", "range_m", "retention_days")
_OPTIONAL = {"heading_deg", "fov_deg", "range_m", "retention_days"}


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:g}" if not isinstance(value, int) else str(value)


class CameraDialog(QDialog):
    def __init__(self, parent: QWidget | None, camera: Camera | None = None, owner: OwnerSummary | None = None,
                 lookup_owner: Callable[[int], OwnerSummary | None] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("camera_dialog")
        self._editing = camera
        self._current_owner = owner
        self._lookup = lookup_owner
        self._existing: OwnerSummary | None = None
        self.setWindowTitle(f"Edit Camera {camera.id}" if camera else "Add Camera")
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self._camera_group())
        layout.addWidget(self._owner_group())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._load(camera)
        self.validate()

    # --- building -------------------------------------------------------------------------------------------
    def _field(self, form: QFormLayout, key: str, label: str, tip: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(f"edit_{key}")
        edit.setToolTip(tip)
        edit.setPlaceholderText(placeholder)
        edit.textChanged.connect(self.validate)
        error = QLabel(self)
        error.setObjectName(f"error_{key}")
        error.setStyleSheet("color: #b00020;")
        error.setWordWrap(True)
        error.hide()
        box = QWidget(self)
        edit.setMinimumHeight(edit.sizeHint().height())  # an error line below must not squeeze the field
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(1)
        col.addWidget(edit)
        col.addWidget(error)
        form.addRow(label, box)
        self.edits[key], self.errors[key] = edit, error
        return edit

    def _camera_group(self) -> QGroupBox:
        group = QGroupBox("Camera", self)
        form = QFormLayout(group)
        self._field(form, "label", "&Label:", "Address or name, e.g. “1947 Cedar Avenue”")
        self._field(form, "external_id", "E&xternal ID:", "The camera's id in another system (optional)", "optional")
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("combo_kind")
        self.kind_combo.setToolTip("What sort of camera it is")
        for kind in CameraKind:
            self.kind_combo.addItem(CAMERA_KIND_LABELS[kind], kind.value)
        form.addRow("&Kind:", self.kind_combo)
        self.source_combo = QComboBox(self)
        self.source_combo.setObjectName("combo_source")
        self.source_combo.setToolTip("How the camera came into the registry")
        for source in CameraSource:
            self.source_combo.addItem(SOURCE_LABELS_BY_CODE[source.value], source.value)
        form.addRow("&Source:", self.source_combo)
        self._field(form, "lat", "L&atitude:", "WGS84 latitude in degrees, −90 to 90", "e.g. 44.6300")
        self._field(form, "lon", "L&ongitude:", "WGS84 longitude in degrees, −180 to 180", "e.g. -124.0300")
        self._field(form, "heading_deg", "&Heading °:", "Direction it faces, 0–360° clockwise from north",
                    "unknown")
        self._field(form, "fov_deg", "&Field of view °:", "Horizontal field of view, 1–360°", "unknown")
        self._field(form, "range_m", "&Range m:", "Useful range in metres, more than 0", "unknown")
        self._field(form, "retention_days", "Re&tention days:", "Days of footage kept before overwriting, 0 or more",
                    "unknown")
        self.active_check = QCheckBox("In service", self)
        self.active_check.setObjectName("check_active")
        self.active_check.setToolTip("Clear for a camera that is gone or switched off (it stays in the record)")
        form.addRow("Active:", self.active_check)
        return group

    def _owner_group(self) -> QGroupBox:
        group = QGroupBox("Owner", self)
        form = QFormLayout(group)
        self.owner_mode = QComboBox(self)
        self.owner_mode.setObjectName("combo_owner_mode")
        self.owner_mode.setToolTip("Who owns the camera; agency and city cameras have no resident owner")
        self.owner_mode.addItem("No owner (agency or city camera)", OWNER_NONE)
        if self._current_owner is not None:
            self.owner_mode.addItem(f"This camera's owner ({self._current_owner.anonymous_name})", OWNER_CURRENT)
        self.owner_mode.addItem("New owner", OWNER_NEW)
        self.owner_mode.addItem("Existing owner, by number…", OWNER_EXISTING)
        form.addRow("O&wner:", self.owner_mode)
        self.anonymity_spin = QSpinBox(self)
        self.anonymity_spin.setObjectName("spin_anonymity")
        self.anonymity_spin.setRange(1, 2_000_000_000)
        self.anonymity_spin.setPrefix("Neighbor #")
        self.anonymity_spin.setToolTip("The owner's anonymity number")
        self.anonymity_spin.valueChanged.connect(self._existing_changed)
        self.anonymity_error = QLabel(self)
        self.anonymity_error.setObjectName("error_anonymity")
        self.anonymity_error.setStyleSheet("color: #b00020;")
        row = QHBoxLayout()
        row.addWidget(self.anonymity_spin)
        row.addWidget(self.anonymity_error, 1)
        self.anonymity_row = QWidget(self)
        self.anonymity_row.setLayout(row)
        form.addRow("Number:", self.anonymity_row)
        self._owner_form = form
        self.owner_fields = QWidget(self)
        owner_form = QFormLayout(self.owner_fields)
        owner_form.setContentsMargins(0, 0, 0, 0)
        self._field(owner_form, "display_name", "&Display name:", "How the program knows the owner (never public)")
        self.consent_combo = QComboBox(self)
        self.consent_combo.setObjectName("combo_consent")
        self.consent_combo.setToolTip("Whether the owner agreed to receive footage requests")
        for consent, label in CONSENT_LABELS.items():
            self.consent_combo.addItem(label, consent.value)
        owner_form.addRow("&Consent:", self.consent_combo)
        self.preference_combo = QComboBox(self)
        self.preference_combo.setObjectName("combo_preference")
        for pref, label in PREFERENCE_LABELS.items():
            self.preference_combo.addItem(label, pref.value)
        owner_form.addRow("Contact by:", self.preference_combo)
        for key, label in (("email", "E&mail:"), ("phone", "&Phone:"), ("address", "Addr&ess:")):
            self._field(owner_form, key, label, "Contact details: shown only in the Owner details pane, audited")
        form.addRow(self.owner_fields)
        self.owner_mode.currentIndexChanged.connect(self._mode_changed)
        return group

    def _load(self, camera: Camera | None) -> None:
        if camera is None:
            self.active_check.setChecked(True)
            self.owner_mode.setCurrentIndex(self.owner_mode.findData(OWNER_NEW))
            self._mode_changed()
            return
        self.edits["label"].setText(camera.label)
        self.edits["external_id"].setText(camera.external_id or "")
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(str(camera.kind)))
        self.source_combo.setCurrentIndex(self.source_combo.findData(str(camera.source)))
        for key in _NUMBER_FIELDS:
            self.edits[key].setText(_fmt(getattr(camera, key)))
        self.active_check.setChecked(camera.active)
        mode = OWNER_CURRENT if self._current_owner is not None else OWNER_NONE
        self.owner_mode.setCurrentIndex(self.owner_mode.findData(mode))
        self._mode_changed()

    # --- owner mode -----------------------------------------------------------------------------------------
    def _fill_owner(self, summary: OwnerSummary | None) -> None:
        self.edits["display_name"].setText(summary.display_name if summary else "")
        consent = summary.consent if summary else Consent.OPT_IN
        self.consent_combo.setCurrentIndex(self.consent_combo.findData(str(consent)))
        stored = "unchanged (stored, not shown here)"
        for key in ("email", "phone", "address"):
            self.edits[key].clear()
            self.edits[key].setPlaceholderText(stored if summary else "optional")

    def _mode_changed(self) -> None:
        mode = self.owner_mode.currentData()
        self._owner_form.setRowVisible(self.anonymity_row, mode == OWNER_EXISTING)
        self.owner_fields.setVisible(mode != OWNER_NONE)
        if mode == OWNER_CURRENT:
            self._fill_owner(self._current_owner)
        elif mode == OWNER_NEW:
            self._fill_owner(None)
        elif mode == OWNER_EXISTING:
            self._existing_changed()
        self.validate()

    def _existing_changed(self) -> None:
        if self.owner_mode.currentData() != OWNER_EXISTING:
            return
        self._existing = self._lookup(self.anonymity_spin.value()) if self._lookup else None
        self.anonymity_error.setText("" if self._existing else "No owner has this number.")
        self._fill_owner(self._existing)
        self.validate()

    # --- values and validation ----------------------------------------------------------------------------
    def _number(self, key: str, errors: dict[str, str], whole: bool = False) -> float | None:
        text = self.edits[key].text().strip().replace(",", ".")
        if not text:
            if key not in _OPTIONAL:
                errors[key] = "Required."
            return None
        try:
            value = float(text)
        except ValueError:
            errors[key] = f"“{self.edits[key].text()}” is not a number."
            return None
        if whole and value != int(value):
            errors[key] = "A whole number of days."
        return value

    def _collect(self) -> tuple[Camera, Owner | None, dict[str, str]]:
        errors: dict[str, str] = {}
        values = {key: self._number(key, errors, whole=key == "retention_days") for key in _NUMBER_FIELDS}
        retention = values["retention_days"]
        camera = Camera(
            id=self._editing.id if self._editing else None,
            lat=values["lat"] if values["lat"] is not None else math.nan,
            lon=values["lon"] if values["lon"] is not None else math.nan,
            kind=CameraKind(self.kind_combo.currentData()),
            heading_deg=values["heading_deg"], fov_deg=values["fov_deg"], range_m=values["range_m"],
            retention_days=int(retention) if retention is not None and retention == int(retention) else None,
            source=CameraSource(self.source_combo.currentData()),
            registered_on=self._editing.registered_on if self._editing else "",
            active=self.active_check.isChecked(),
            external_id=self.edits["external_id"].text().strip() or None,
            label=self.edits["label"].text().strip(),
        )
        for key, reason in validate_camera(camera).items():
            errors.setdefault(key, reason)
        owner = None
        mode = self.owner_mode.currentData()
        if mode != OWNER_NONE:
            owner_id = None
            if mode == OWNER_CURRENT and self._current_owner is not None:
                owner_id = self._current_owner.id
            elif mode == OWNER_EXISTING:
                owner_id = self._existing.id if self._existing else None
                if self._existing is None:
                    errors["anonymity"] = "No owner has this number."
            owner = Owner(owner_id, self.edits["display_name"].text().strip(),
                          self.edits["email"].text().strip(), self.edits["phone"].text().strip(),
                          self.edits["address"].text().strip(),
                          ContactPreference(self.preference_combo.currentData()),
                          Consent(self.consent_combo.currentData()))
            for key, reason in validate_owner(owner).items():
                errors.setdefault(key, reason)
        return camera, owner, errors

    def validate(self) -> bool:
        if not hasattr(self, "buttons"):
            return False
        _, _, errors = self._collect()
        for key, label in self.errors.items():
            label.setText(errors.get(key, ""))
            label.setVisible(key in errors)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not errors)
        ok.setToolTip("" if not errors else "Fix the fields marked in red first")
        return not errors

    def camera(self) -> Camera:
        return self._collect()[0]

    def owner(self) -> Owner | None:
        return self._collect()[1]

    def accept(self) -> None:
        if self.validate():
            super().accept()

