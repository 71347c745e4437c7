"""New / edit footage request: the form, and a live checklist of every policy rule (met or not, and why).

The checklist is app.services.requests.workflow.check_draft on the current form, re-run shortly after each change; the
recipient preview is app.core.recipients.plan_recipients on the registry arrays. Saving goes through the
service layer (permission checks, audit); nothing here decides what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import numpy as np
from PySide6.QtCore import QDateTime, Qt, QTimer, QTimeZone
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core import geo, timefmt
from app.core.camera_arrays import CameraArrays
from app.core.fence import CircleFence, Fence
from app.core.recipients import plan_recipients
from app.core.records import from_iso, utc_now
from app.core.request_records import RequestRecord
from app.core.wording import count
from app.services.requests import reads as reads_svc
from app.services.requests import recipients as recipients_svc
from app.services.requests import workflow as svc
from app.services.session import PermissionDenied, Session
from app.views.dialogs.user_guide import help_button

SAVE_DRAFT_KEY = "Ctrl+S"  # keep the draft without submitting; listed in Help ▸ Keyboard Shortcuts
CATEGORIES = ["robbery", "burglary", "aggravated assault", "homicide", "shooting", "carjacking", "vehicle theft",
              "package theft", "hit and run", "vandalism", "arson", "missing person"]
AREA_CIRCLE, AREA_MAP = 0, 1
OK_MARK, FAIL_MARK = "✔", "✘"


def _qdt(dt: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(dt.timestamp()), QTimeZone.utc())


def _py(edit: QDateTimeEdit) -> datetime:
    return datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), tz=timezone.utc)


class RequestDialog(QDialog):
    def __init__(self, session: Session, arrays: CameraArrays | None, map_fence: Fence | None = None,
                 record: RequestRecord | None = None, parent: QWidget | None = None,
                 clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(parent)
        self.session = session
        self.conn = session.conn
        # The registry the window holds; if it is not loaded yet, read it once for the recipient preview.
        self.arrays = arrays if arrays is not None else recipients_svc.camera_arrays(session)
        self.map_fence = map_fence
        self.record = record
        self.clock = clock
        self.request_id: int | None = record.id if record else None
        self.submitted = False
        self.setObjectName("request_dialog")
        self.setWindowTitle(f"Edit Footage Request {record.id}" if record else "New Footage Request")
        self.setMinimumWidth(760)
        self._recheck_timer = QTimer(self)
        self._recheck_timer.setSingleShot(True)
        self._recheck_timer.setInterval(120)
        self._recheck_timer.timeout.connect(self.recheck)
        self._build()
        self._load(record)
        self.recheck()

    # --- form ---------------------------------------------------------------------------------------------------
    def _build(self) -> None:
        form = QFormLayout()
        self.agency = QComboBox(self)
        self.agency.setObjectName("agency")
        self.agency.setToolTip("The agency asking for footage: its case-number format and jurisdiction apply")
        for agency_id, name in reads_svc.agencies(self.session):
            self.agency.addItem(name, agency_id)
        form.addRow("&Agency:", self.agency)

        self.case_number = QLineEdit(self)
        self.case_number.setObjectName("case_number")
        self.case_number.setToolTip("Required, in the agency's format")
        form.addRow("&Case number:", self.case_number)

        row = QHBoxLayout()
        self.incident = QComboBox(self)
        self.incident.setObjectName("incident")
        self.incident.setToolTip("The incident this request is about (at most a few requests per incident)")
        self.incident.setMinimumContentsLength(34)
        self.new_incident = QPushButton("New &Incident Here", self)
        self.new_incident.setObjectName("new_incident")
        self.new_incident.setToolTip("Record a new incident at the area's centre: asks its time, category and case "
                                     "number first")
        self.incident_search = QLineEdit(self)
        self.incident_search.setObjectName("incident_search")
        self.incident_search.setPlaceholderText("Search…")
        self.incident_search.setClearButtonEnabled(True)
        self.incident_search.setToolTip("Narrow the incident list by case number, category or date; those in or near "
                                        "the area come first, newest first")
        self.incident_search.setMaximumWidth(160)
        row.addWidget(self.incident_search)
        row.addWidget(self.incident, 1)
        row.addWidget(self.new_incident)
        self.incident_search.textChanged.connect(lambda _t: self._fill_incidents())
        form.addRow(self._buddy("I&ncident:", self.incident), row)

        self.category = QComboBox(self)
        self.category.setObjectName("category")
        self.category.setEditable(True)
        self.category.addItems(CATEGORIES)
        self.category.setToolTip("The offense category; “protest / lawful assembly” can never be requested")
        form.addRow("Offense ca&tegory:", self.category)

        self.area_source = QComboBox(self)
        self.area_source.setObjectName("area_source")
        self.area_source.addItem("Circle: centre and radius", AREA_CIRCLE)
        if self.map_fence is not None:
            self.area_source.addItem(f"Fence drawn on the map ({self.map_fence.kind}, "
                                     f"{self.map_fence.area_sq_mi():.3f} sq mi)", AREA_MAP)
        self.area_source.setToolTip("Use the fence drawn on the map, or enter a circle")
        form.addRow("A&rea:", self.area_source)
        self.area_info = QLabel(self)
        self.area_info.setObjectName("area_info")
        self.area_info.setWordWrap(True)

        circle = QHBoxLayout()
        self.center_lat = self._spin("center_lat", -90, 90, 6, "Latitude of the circle's centre (WGS84)")
        self.center_lon = self._spin("center_lon", -180, 180, 6, "Longitude of the circle's centre (WGS84)")
        self.radius_m = QSpinBox(self)
        self.radius_m.setObjectName("radius_m")
        self.radius_m.setRange(10, 50_000)
        self.radius_m.setSingleStep(25)
        self.radius_m.setSuffix(" m")
        self.radius_m.setValue(300)
        self.radius_m.setToolTip("Radius on the ground, metres (0.025–0.5 sq mi is about 114–508 m)")
        for label, w in (("lat", self.center_lat), ("lon", self.center_lon), ("radius", self.radius_m)):
            circle.addWidget(QLabel(label, self))
            circle.addWidget(w)
        self.circle_row = QWidget(self)
        self.circle_row.setLayout(circle)
        circle.setContentsMargins(0, 0, 0, 0)
        form.addRow("", self.circle_row)
        form.addRow("", self.area_info)

        now = self.clock().replace(second=0, microsecond=0)
        self.window_start = self._date_edit("window_start", now - timedelta(hours=2))
        self.window_end = self._date_edit("window_end", now - timedelta(hours=1))
        times = QHBoxLayout()
        times.addWidget(self.window_start)
        times.addWidget(QLabel("to", self))
        times.addWidget(self.window_end)
        times.addWidget(QLabel(timefmt.zone_name(), self))
        times.addStretch(1)
        form.addRow(self._buddy("&Window:", self.window_start), times)

        self.description = QPlainTextEdit(self)
        self.description.setObjectName("description")
        self.description.setPlaceholderText("Why this footage is asked for (shown to the owners in the letter)")
        self.description.setFixedHeight(70)
        self.description.setTabChangesFocus(True)
        form.addRow("&Description:", self.description)

        self.contact = QLineEdit(self)
        self.contact.setObjectName("investigator_contact")
        self.contact.setToolTip("Who owners contact to share footage (shown in the letter)")
        form.addRow("Investigator c&ontact:", self.contact)

        self.checklist = QListWidget(self)
        self.checklist.setObjectName("policy_checklist")
        self.checklist.setToolTip("Each rule of the request policy, checked as you type")
        self.checklist.setMinimumHeight(190)
        self.checklist.setWordWrap(True)
        self.preview = QLabel(self)
        self.preview.setObjectName("recipient_preview")
        self.preview.setWordWrap(True)

        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("&Save Draft", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save_draft")
        self.submit_button = self.buttons.addButton("Save and Su&bmit for Approval",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.submit_button.setObjectName("submit")
        self.submit_button.setToolTip("A supervisor other than you must approve it before it can be sent")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(help_button(self, "request-dialog", "footage requests: the incident, the area, the "
                                           "limits"), QDialogButtonBox.ButtonRole.HelpRole)
        self.buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(lambda: self.save(submit=False))
        self.submit_button.clicked.connect(lambda: self.save(submit=True))
        QShortcut(QKeySequence(SAVE_DRAFT_KEY), self, activated=lambda: self.save(submit=False))

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Request policy</b>", self))
        layout.addWidget(self.checklist)
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)

        self.agency.currentIndexChanged.connect(self._agency_changed)
        self.incident.currentIndexChanged.connect(self._incident_changed)
        self.new_incident.clicked.connect(self.create_incident)
        self.area_source.currentIndexChanged.connect(self._area_source_changed)
        for sig in (self.case_number.textChanged, self.category.currentTextChanged, self.center_lat.valueChanged,
                    self.center_lon.valueChanged, self.radius_m.valueChanged, self.window_start.dateTimeChanged,
                    self.window_end.dateTimeChanged):
            sig.connect(self.schedule_recheck)

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(widget)
        return label

    def _spin(self, name: str, lo: float, hi: float, decimals: int, tip: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setObjectName(name)
        spin.setRange(lo, hi)
        spin.setDecimals(decimals)
        spin.setSingleStep(0.0005)
        spin.setToolTip(tip)
        return spin

    def _date_edit(self, name: str, value: datetime) -> QDateTimeEdit:
        edit = QDateTimeEdit(self)
        edit.setObjectName(name)
        edit.setTimeZone(QTimeZone.systemTimeZone())
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        edit.setCalendarPopup(True)
        edit.setDateTime(_qdt(value))
        edit.setToolTip(f"Local time ({timefmt.zone_name()}; stored in UTC). The window must be 15 min to 12 h long "
                        "and already over")
        return edit

    def _load(self, record: RequestRecord | None) -> None:
        if record is None:
            self._agency_changed()
            if self.map_fence is not None:
                self.area_source.setCurrentIndex(self.area_source.findData(AREA_MAP))
            self._area_source_changed()
            return
        self.agency.setCurrentIndex(max(0, self.agency.findData(record.agency_id)))
        self._agency_changed()
        self.incident.setCurrentIndex(max(0, self.incident.findData(record.incident_id)))
        self.case_number.setText(record.case_number)
        self.category.setCurrentText(record.offense_category)
        fence = record.fence
        if isinstance(fence, CircleFence):
            self.center_lat.setValue(fence.center_lat)
            self.center_lon.setValue(fence.center_lon)
            self.radius_m.setValue(round(fence.radius_m))
        else:
            self.map_fence = fence
            self.area_source.addItem(f"The request's {fence.kind} ({fence.area_sq_mi():.3f} sq mi)", AREA_MAP)
            self.area_source.setCurrentIndex(self.area_source.findData(AREA_MAP))
        self._area_source_changed()
        self.window_start.setDateTime(_qdt(from_iso(record.window_start)))
        self.window_end.setDateTime(_qdt(from_iso(record.window_end)))
        self.description.setPlainText(record.description)
        self.contact.setText(record.investigator_contact)

    # --- reactions ----------------------------------------------------------------------------------------------
    def _agency_changed(self) -> None:
        if self.record is None and self.area_source.currentData() == AREA_CIRCLE and self.center_lat.value() == 0:
            # Until an incident is chosen, a new circle starts at the agency's own location, not at 0°, 0°.
            point = reads_svc.agency_point(self.session, self.agency.currentData())
            if point is not None:
                self.center_lat.setValue(point[0])
                self.center_lon.setValue(point[1])
        self._incidents = reads_svc.recent_incidents(self.session, self.agency.currentData())
        self._fill_incidents()
        self.schedule_recheck()

    NEAR_M = 500.0  # an incident this close to the area's edge counts as near it

    def _fill_incidents(self, select: int | None = None) -> None:
        """Incidents inside or near the area first, newest first within each group; filtered by the search text."""
        current = select if select is not None else self.incident.currentData()
        fence = self.fence() if hasattr(self, "circle_row") else None
        needle = self.incident_search.text().casefold().strip()

        def near(lat: float | None, lon: float | None) -> bool:
            if fence is None or lat is None or lon is None:
                return False
            if bool(fence.contains(np.array([lat]), np.array([lon]))[0]):
                return True
            c_lat, c_lon = fence.centroid()
            reach = math.sqrt(fence.area_m2() / math.pi) + self.NEAR_M
            return float(geo.haversine_m(c_lat, c_lon, lat, lon)) <= reach

        rows = []
        for iid, at, category, case, lat, lon in self._incidents:
            text = f"#{iid} · {timefmt.short(at)} · {category}" + (f" · {case}" if case else "")
            is_near = near(lat, lon)
            if is_near:
                text += " · in or near the area"
            if needle and needle not in text.casefold() and needle not in (at or ""):
                continue
            rows.append((not is_near, -(from_iso(at).timestamp() if at else 0), text, iid))
        rows.sort()
        self.incident.blockSignals(True)
        self.incident.clear()
        self.incident.addItem("— choose the incident —" if rows or not needle else "— no incident matches —", None)
        for _far, _t, text, iid in rows:
            self.incident.addItem(text, iid)
        self.incident.setCurrentIndex(max(0, self.incident.findData(current)))
        self.incident.blockSignals(False)
        if self.incident.currentData() != current:
            self._incident_changed()

    def _incident_changed(self) -> None:
        iid = self.incident.currentData()
        point = reads_svc.incident_point(self.session, iid)
        if point is not None and self.area_source.currentData() == AREA_CIRCLE:
            self.center_lat.setValue(point[0])
            self.center_lon.setValue(point[1])
        self.schedule_recheck()

    def _area_source_changed(self) -> None:
        use_map = self.area_source.currentData() == AREA_MAP and self.map_fence is not None
        self.circle_row.setEnabled(not use_map)
        if use_map:
            self._show_fence_values(self.map_fence)
        else:
            self.area_info.setText("")
        self.schedule_recheck()

    def _show_fence_values(self, fence: Fence) -> None:
        """The area fields show the fence's own values (its radius, not a default)."""
        if isinstance(fence, CircleFence):
            for spin, value in ((self.center_lat, fence.center_lat), (self.center_lon, fence.center_lon),
                                (self.radius_m, round(fence.radius_m))):
                spin.blockSignals(True)
                spin.setValue(value)
                spin.blockSignals(False)
            self.area_info.setText(f"The map's circle: radius {fence.radius_m:.0f} m, "
                                   f"{fence.area_sq_mi():.3f} sq mi.")
        else:
            lat, lon = fence.centroid()
            self.area_info.setText(f"The map's {fence.kind}: {fence.area_sq_mi():.3f} sq mi "
                                   f"({geo.m2_to_km2(fence.area_m2()):.3f} km²), centred at {lat:.5f}, {lon:.5f}.")

    def schedule_recheck(self, *_: object) -> None:
        self._recheck_timer.start()

    def fence(self) -> Fence | None:
        if self.area_source.currentData() == AREA_MAP and self.map_fence is not None:
            return self.map_fence
        try:
            return CircleFence(self.center_lat.value(), self.center_lon.value(), float(self.radius_m.value()))
        except ValueError:
            return None

    def draft(self) -> svc.DraftInput:
        return svc.DraftInput(self.agency.currentData(), self.case_number.text(), self.incident.currentData(),
                              self.category.currentText(), self.fence(), _py(self.window_start), _py(self.window_end),
                              self.description.toPlainText(), self.contact.text())

    def recheck(self) -> list:
        self._recheck_timer.stop()
        if hasattr(self, "_incidents"):
            self._fill_incidents()  # the area may have moved: what is near it comes first
        draft = self.draft()
        now = self.clock()
        results = svc.check_draft(self.conn, draft, now, self.request_id)
        self.checklist.clear()
        for r in results:
            item = QListWidgetItem(f"{OK_MARK if r.ok else FAIL_MARK}  {r.label}: {r.reason}")
            item.setData(Qt.ItemDataRole.UserRole, r.rule)
            item.setData(Qt.ItemDataRole.UserRole + 1, r.ok)
            item.setForeground(QBrush(QColor("#1b7f3b" if r.ok else "#b00020")))
            item.setToolTip(r.reason)
            self.checklist.addItem(item)
        failed = sum(not r.ok for r in results)
        self.preview.setText(self._preview_text(draft, now) + (
            f"<br><b>{count(failed, 'rule')} not met</b>: a request can be sent only when every rule is met or a "
            "supervisor has overridden it with a written reason." if failed else "<br>Every rule is met."))
        return results

    def _preview_text(self, draft: svc.DraftInput, now: datetime) -> str:
        if draft.fence is None or draft.window_end is None:
            return ""
        point = reads_svc.incident_point(self.session, draft.incident_id)
        plan = plan_recipients(self.arrays, draft.fence, point[0] if point else None, point[1] if point else None,
                               draft.window_end, now)
        on_map = int(np.count_nonzero(draft.fence.contains(self.arrays.lat, self.arrays.lon)))
        differs = ""
        if on_map != plan.cameras_inside:
            inactive = on_map - plan.cameras_inside
            differs = (f" (the map counts {on_map}: {count(inactive, 'inactive camera')} in the area "
                       f"{'is' if inactive == 1 else 'are'} not asked)")
        return (f"{count(plan.cameras_inside, 'camera')} in the area{differs} · "
                f"<b>{count(plan.owners_notified, 'owner')} would be asked</b> "
                f"({count(plan.contacted_cameras, 'camera')}) · "
                f"{count(plan.opted_out_owners, 'opted-out owner')} not contacted · "
                f"{count(int(plan.covers_incident.sum()), 'camera')} see the incident · "
                f"{int(plan.likely_overwritten.sum())} probably overwritten")

    def rule_states(self) -> dict[str, bool]:
        """{rule id: met} as the checklist shows it (for tests and the status line)."""
        return {self.checklist.item(i).data(Qt.ItemDataRole.UserRole):
                bool(self.checklist.item(i).data(Qt.ItemDataRole.UserRole + 1)) for i in range(self.checklist.count())}

    # --- actions --------------------------------------------------------------------------------------------------
    def create_incident(self) -> None:
        from app.views.requests.incident_dialog import NewIncidentDialog

        fence = self.fence()
        lat, lon = fence.centroid() if fence is not None else (None, None)
        where = f"the area's centre, {lat:.5f}, {lon:.5f}" if lat is not None else "not placed (no area yet)"
        form = NewIncidentDialog(self, _py(self.window_start), self.category.currentText(), self.case_number.text(),
                                 CATEGORIES, where)
        self.incident_form = form
        if not form.exec():
            self.incident_form = None
            return
        self.incident_form = None
        at, category, case = form.values()
        try:
            iid = svc.create_incident(self.session, at, lat, lon, category, case, self.agency.currentData())
        except PermissionDenied as exc:
            QMessageBox.warning(self, "New incident", f"{exc}.")
            return
        self.incident_search.clear()
        self._agency_changed()
        self.incident.setCurrentIndex(self.incident.findData(iid))

    def save(self, submit: bool) -> None:
        draft = self.draft()
        try:
            if self.request_id is None:
                self.request_id = svc.create_draft(self.session, draft, self.arrays, self.clock())
            else:
                svc.update_draft(self.session, self.request_id, draft, self.arrays, self.clock())
            if submit:
                svc.submit(self.session, self.request_id, self.clock())
                self.submitted = True
        except (svc.RequestError, PermissionDenied) as exc:
            QMessageBox.warning(self, "Footage request", f"The request was not saved.\n\n{exc}")
            return
        self.accept()
