"""Write a post or an agency alert. The notice that the partner agency can read the feed is at the top and must be
acknowledged; the feed's rules run on Post: a refused post stays in the dialog with the reason (what to change), a
post describing someone by race alone is kept as held with the prompt to add what they did and wore."""

from __future__ import annotations

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.fence import Fence
from app.core.moderation import PARTNER_NOTICE, Screening
from app.core.permissions import Permission
from app.core.posts import CATEGORIES, Post
from app.core.records import to_iso
from app.services.program import feed as svc
from app.services.session import PermissionDenied, Session
from app.store import agencies as agency_store


class PostDialog(QDialog):
    def __init__(self, session: Session, map_fence: Fence | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.map_fence = map_fence
        self.post_id: int | None = None
        self.screening: Screening | None = None
        self.setObjectName("post_dialog")
        self.setWindowTitle("New Post")
        layout = QVBoxLayout(self)
        self.notice = QLabel(PARTNER_NOTICE, self)
        self.notice.setObjectName("post_notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background: #deebf7; padding: 8px; border: 1px solid #9ecae1;")
        layout.addWidget(self.notice)
        self.understood = QCheckBox("I understand the partner agency can read what I post", self)
        self.understood.setObjectName("post_understood")
        layout.addWidget(self.understood)
        form = QFormLayout()
        layout.addLayout(form)
        self.source = QComboBox(self)
        self.source.addItem("Resident's post", "resident_post")
        if session.can(Permission.MODERATE_FEED) or session.can(Permission.MANAGE_PROGRAM):
            self.source.addItem("Agency alert", "agency_report")
        self.agency = QComboBox(self)
        self.agency.addItem("(none)", None)
        for a in agency_store.list_agencies(session.conn):
            self.agency.addItem(a.name, a.id)
        self.category = QComboBox(self)
        self.category.setEditable(True)
        self.category.addItems(CATEGORIES)
        self.when = QDateTimeEdit(QDateTime.currentDateTime(), self)
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        zone = QDateTime.currentDateTime().timeZoneAbbreviation()
        self.when.setToolTip(f"Local time ({zone})")
        self.address = QLineEdit(self)
        self.address.setObjectName("post_address")
        self.address.setPlaceholderText("e.g. 1200 block of Union Av (not a house number)")
        self.own_address = QCheckBox("This address is my own", self)
        self.at_fence = QCheckBox("Place it at the centre of the fence drawn on the map", self)
        self.at_fence.setEnabled(map_fence is not None)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("post_text")
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("What happened? Describe what people did and wore — never a victim's name, "
                                     "never someone's exact address.")
        self.media = QLineEdit(self)
        self.media.setPlaceholderText("https://… (optional)")
        for label, w in (("Kind", self.source), ("Agency", self.agency), ("&Category", self.category),
                         (f"&When ({zone})", self.when), ("&Block address", self.address), ("", self.own_address),
                         ("", self.at_fence), ("&Text", self.text), ("&Media link", self.media)):
            form.addRow(label, w)
        self.error = QLabel("", self)
        self.error.setObjectName("post_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b2182b;")
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.post_button = self.buttons.addButton("&Post for Moderation", QDialogButtonBox.ButtonRole.AcceptRole)
        self.post_button.setObjectName("post_submit")
        self.post_button.setEnabled(False)
        self.understood.toggled.connect(self.post_button.setEnabled)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def value(self) -> Post:
        lat = lon = None
        if self.at_fence.isChecked() and self.map_fence is not None:
            s, w, n, e = self.map_fence.bounds()
            lat, lon = (s + n) / 2, (w + e) / 2
        when = self.when.dateTime().toSecsSinceEpoch()
        from datetime import datetime, timezone

        return Post(None, to_iso(datetime.fromtimestamp(when, timezone.utc)), self.category.currentText().strip(),
                    self.text.toPlainText(), self.source.currentData(), lat, lon, self.address.text().strip(),
                    self.media.text().strip(), agency_id=self.agency.currentData())

    def submit(self) -> None:
        try:
            self.post_id, self.screening = svc.submit_post(self.session, self.value(), self.own_address.isChecked(),
                                                           notice_shown=self.understood.isChecked())
        except svc.PostError as exc:
            self.error.setText("Not posted: " + "; ".join(exc.reasons) + ".")
            return
        except PermissionDenied as exc:
            self.error.setText(str(exc))
            return
        self.accept()
