"""The "Owner details" dock: the selected camera's owner — name, anonymity number, consent — and, only after an
explicit, permission-checked and audited click, their contact details. The registry table never shows contact."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QFormLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from app.core.records import Consent, OwnerSummary
from app.services.registry.service import RegistryService
from app.services.session import PermissionDenied
from app.views.registry.camera_dialog import PREFERENCE_LABELS


class OwnerDock(QDockWidget):
    consent_recorded = Signal(int)  # owner id: their cameras' consent changed in the store

    def __init__(self, parent: QWidget, service: Callable[[], RegistryService]) -> None:
        super().__init__("Owner details", parent)
        self.setObjectName("dock_owner_details")
        self.setToolTip("The selected camera's owner; contact details only on request, and every view is audited")
        self._service = service
        self.owner_id: int | None = None
        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.heading = QLabel("Select one camera to see its owner.", body)
        self.heading.setObjectName("owner_heading")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key, label in (("display_name", "Name:"), ("anonymity", "Public name:"), ("consent", "Consent:"),
                           ("cameras", "Cameras:")):
            value = QLabel(body)
            value.setObjectName(f"owner_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, value)
            self.fields[key] = value
        layout.addLayout(form)
        self.show_contact_button = QPushButton("Show contact details", body)
        self.show_contact_button.setObjectName("button_show_contact")
        self.show_contact_button.setToolTip("Shows email, phone and address. Your view is recorded in the audit log.")
        self.show_contact_button.clicked.connect(self.show_contact)
        layout.addWidget(self.show_contact_button)
        self.consent_button = QPushButton("Record &Consent Change…", body)
        self.consent_button.setObjectName("button_record_consent")
        self.consent_button.setToolTip("The owner opted in or out: record how they said so and from when (the only "
                                       "way an owner's consent changes; audited)")
        self.consent_button.clicked.connect(self.record_consent)
        layout.addWidget(self.consent_button)
        self.contact_box = QWidget(body)
        contact_form = QFormLayout(self.contact_box)
        contact_form.setContentsMargins(0, 0, 0, 0)
        self.contact: dict[str, QLabel] = {}
        for key, label in (("email", "Email:"), ("phone", "Phone:"), ("address", "Address:"),
                           ("preference", "Contact by:")):
            value = QLabel(self.contact_box)
            value.setObjectName(f"contact_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            contact_form.addRow(label, value)
            self.contact[key] = value
        layout.addWidget(self.contact_box)
        layout.addStretch(1)
        self.setWidget(body)
        self.show_owner(None)

    def _hide_contact(self) -> None:
        for value in self.contact.values():
            value.clear()
        self.contact_box.hide()

    def show_owner(self, summary: OwnerSummary | None, message: str = "") -> None:
        """Show an owner (contact hidden again), or a message when there is none to show."""
        self._hide_contact()
        self.owner_id = summary.id if summary else None
        self.summary = summary
        self.show_contact_button.setEnabled(summary is not None)
        self.consent_button.setEnabled(summary is not None)
        if summary is None:
            self.heading.setText(message or "Select one camera to see its owner.")
            for value in self.fields.values():
                value.clear()
            return
        self.heading.setText(f"<b>{summary.anonymous_name}</b>")
        self.fields["display_name"].setText(summary.display_name)
        self.fields["anonymity"].setText(f"{summary.anonymous_name} (used in the public request log)")
        opted = "Opted in — may receive footage requests" if summary.consent == Consent.OPT_IN else \
            "Opted out — is never asked for footage"
        since = f" (since {summary.consent_changed_on[:10]})" if summary.consent_changed_on else ""
        self.fields["consent"].setText(opted + since)
        self.fields["cameras"].setText(f"{summary.camera_count:,}")

    def show_contact(self) -> None:
        if self.owner_id is None:
            return
        try:
            contact = self._service().owner_contact(self.owner_id)
        except PermissionDenied as exc:
            QMessageBox.warning(self, "Contact details not shown",
                                f"{exc}.\n\nAsk a supervisor or analyst if you need to reach this owner.")
            return
        if contact is None:
            self.show_owner(None, "This owner no longer exists.")
            return
        self.contact["email"].setText(contact.email or "—")
        self.contact["phone"].setText(contact.phone or "—")
        self.contact["address"].setText(contact.address or "—")
        self.contact["preference"].setText(PREFERENCE_LABELS.get(contact.contact_preference, "—"))
        self.contact_box.show()

    def record_consent(self) -> None:
        if self.summary is None:
            return
        from app.services.registry.service import RegistryError
        from app.views.registry.consent_dialog import ConsentDialog

        dialog = ConsentDialog(self.summary, self)
        if dialog.exec() != ConsentDialog.DialogCode.Accepted:
            return
        consent, how, at = dialog.choice()
        owner_id = self.summary.id
        try:
            self._service().record_consent_change(owner_id, consent, how=how, effective_at=at)
        except (PermissionDenied, RegistryError) as exc:
            QMessageBox.warning(self, "Consent change not recorded", f"{exc}")
            return
        self.show_owner(self._service().owner_summary(owner_id))
        self.consent_recorded.emit(owner_id)
