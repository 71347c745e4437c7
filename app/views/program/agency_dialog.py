"""Add or edit an agency: every field checked as you type (app.core.agencies.validate_agency, the same rules as the
importer), the jurisdiction from a GeoJSON file or from the fence drawn on the map with the polygon tool."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core import geo
from app.core.agencies import KIND_LABELS, STATUS_LABELS, Agency, jurisdiction_problem, validate_agency
from app.core.fence import CircleFence, Fence
from app.services.program import agencies as svc
from app.services.session import PermissionDenied, Session
from app.views.widgets.files import choose_open_file


def fence_geojson(fence: Fence) -> dict[str, Any]:
    """A map fence as a GeoJSON Polygon (lon/lat); a circle becomes a 64-gon."""
    if isinstance(fence, CircleFence):
        bearings = [i * 360.0 / 64 for i in range(64)]
        lat, lon = geo.destination(fence.center_lat, fence.center_lon, bearings, fence.radius_m)
        ring = [[float(x), float(y)] for x, y in zip(lon, lat, strict=True)]
    else:
        g = fence.geometry
        ring = [[float(x), float(y)] for x, y in list(g.exterior.coords)[:-1]]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def geojson_from_file(text: str) -> dict[str, Any]:
    """The first Polygon/MultiPolygon in a GeoJSON text (a geometry, a Feature or a FeatureCollection)."""
    data = json.loads(text)
    if data.get("type") == "FeatureCollection":
        for f in data.get("features") or []:
            g = (f or {}).get("geometry") or {}
            if g.get("type") in ("Polygon", "MultiPolygon"):
                return g
        raise ValueError("the file has no Polygon or MultiPolygon feature")
    if data.get("type") == "Feature":
        data = data.get("geometry") or {}
    return data


class AgencyDialog(QDialog):
    def __init__(self, session: Session, agency: Agency | None, map_fence: Fence | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.agency = agency
        self.map_fence = map_fence
        self.agency_id: int | None = agency.id if agency else None
        self.change: dict[str, Any] | None = None  # an edit as the service stored it (for undo)
        self.jurisdiction: str | None = agency.jurisdiction_geojson if agency else None
        self.setObjectName("agency_dialog")
        self.setWindowTitle("Edit Agency" if agency else "Add Agency")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        a = agency or Agency(None, "")
        self.name = QLineEdit(a.name, self)
        self.name.setPlaceholderText("e.g. Harbor Falls Police Department")
        self.kind = QComboBox(self)
        for value, label in KIND_LABELS.items():
            self.kind.addItem(label, value)
        self.kind.setCurrentIndex(self.kind.findData(a.kind))
        self.city = QLineEdit(a.city, self)
        self.state = QLineEdit(a.state, self)
        self.located = QCheckBox("Headquarters at", self)
        self.located.setChecked(a.lat is not None)
        self.lat = QDoubleSpinBox(self)
        self.lat.setRange(-90, 90)
        self.lat.setDecimals(6)
        self.lon = QDoubleSpinBox(self)
        self.lon.setRange(-180, 180)
        self.lon.setDecimals(6)
        if a.lat is not None and a.lon is not None:
            self.lat.setValue(a.lat)
            self.lon.setValue(a.lon)
        elif map_fence is not None:
            s, w, n, e = map_fence.bounds()
            self.lat.setValue((s + n) / 2)
            self.lon.setValue((w + e) / 2)
        hq = QHBoxLayout()
        hq.addWidget(self.located)
        hq.addWidget(self.lat)
        hq.addWidget(self.lon)
        self.status = QComboBox(self)
        for value, label in STATUS_LABELS.items():
            self.status.addItem(label, value)
        self.status.setCurrentIndex(self.status.findData(a.status))
        self.partnered = QDateEdit(QDate.fromString(a.partnered_on, "yyyy-MM-dd") if a.partnered_on
                                   else QDate.currentDate(), self)
        self.partnered.setCalendarPopup(True)
        self.partnered.setDisplayFormat("yyyy-MM-dd")
        self.case_pattern = QLineEdit(a.case_number_pattern, self)
        self.case_pattern.setPlaceholderText(r"e.g. ^HF-\d{4}-\d{5}$ (empty: any non-empty case number)")
        self.case_pattern.setToolTip("A regular expression every case number of this agency must match")
        self.terms = QPlainTextEdit(a.terms, self)
        self.terms.setTabChangesFocus(True)
        self.terms.setMaximumHeight(70)
        self.terms.setPlaceholderText("The program agreement, e.g. '20 app downloads earn one camera'")
        self.code = QLineEdit(a.download_code, self)
        self.code.setToolTip("The code residents' app downloads are credited to")
        self.per_unit = QSpinBox(self)
        self.per_unit.setRange(0, 100_000)
        self.per_unit.setSpecialValueText("downloads earn nothing")
        self.per_unit.setValue(a.downloads_per_unit or 0)
        self.per_unit.setToolTip("Under the program terms, this many app downloads earn one camera (0: none)")
        self.jurisdiction_label = QLabel(self)
        self.jurisdiction_label.setObjectName("jurisdiction_label")
        self.from_map = QPushButton("Use the &Fence Drawn on the Map", self)
        self.from_map.setObjectName("jurisdiction_from_map")
        self.from_map.setToolTip("Draw the boundary on the Map tab with the polygon tool (P), then use it here")
        self.from_map.setEnabled(map_fence is not None)
        self.from_file = QPushButton("From &GeoJSON File…", self)
        self.from_file.setObjectName("jurisdiction_from_file")
        self.clear_jurisdiction = QPushButton("Clear", self)
        j = QHBoxLayout()
        for w in (self.from_map, self.from_file, self.clear_jurisdiction):
            j.addWidget(w)
        rows: list[tuple[str, Any, str]] = [
            ("&Name", self.name, "name"), ("&Kind", self.kind, "kind"), ("&City", self.city, "city"),
            ("S&tate", self.state, "state"), ("Location", hq, "lat"), ("Stat&us", self.status, "status"),
            ("&Partnered on", self.partnered, "partnered_on"), ("Case-number &format", self.case_pattern,
                                                                 "case_number_pattern"),
            ("Program &terms", self.terms, "terms"), ("App download &code", self.code, "download_code"),
            ("Downloads per camera", self.per_unit, "downloads_per_unit"),
            ("Jurisdiction", self.jurisdiction_label, "jurisdiction_geojson"), ("", j, ""),
        ]
        self.errors: dict[str, QLabel] = {}
        for label, widget, key in rows:
            if isinstance(widget, QHBoxLayout):
                form.addRow(label, widget)
            else:
                form.addRow(label, widget)
            if key:
                err = QLabel("", self)
                err.setObjectName(f"error_{key}")
                err.setStyleSheet("color: #b2182b;")
                err.setWordWrap(True)
                err.hide()
                form.addRow("", err)
                self.errors[key] = err
        self.error_general = QLabel("", self)
        self.error_general.setStyleSheet("color: #b2182b;")
        self.error_general.setWordWrap(True)
        layout.addWidget(self.error_general)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("agency_save")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for sig in (self.name.textChanged, self.city.textChanged, self.state.textChanged,
                    self.case_pattern.textChanged, self.code.textChanged):
            sig.connect(self.revalidate)
        for sig in (self.kind.currentIndexChanged, self.status.currentIndexChanged, self.per_unit.valueChanged):
            sig.connect(self.revalidate)
        self.partnered.dateChanged.connect(self.revalidate)
        self.located.toggled.connect(self.revalidate)
        self.lat.valueChanged.connect(self.revalidate)
        self.lon.valueChanged.connect(self.revalidate)
        self.from_map.clicked.connect(self.use_map_fence)
        self.from_file.clicked.connect(self.choose_geojson)
        self.clear_jurisdiction.clicked.connect(lambda: self.set_jurisdiction(None))
        self.set_jurisdiction(self.jurisdiction)

    # --- values ---------------------------------------------------------------------------------------------------
    def value(self) -> Agency:
        status = self.status.currentData()
        located = self.located.isChecked()
        return Agency(self.agency_id, self.name.text(), self.kind.currentData(), self.city.text().strip(),
                      self.state.text().strip(), self.lat.value() if located else None,
                      self.lon.value() if located else None, self.jurisdiction, self.case_pattern.text().strip(),
                      None if status == "prospective" else self.partnered.date().toString("yyyy-MM-dd"), status,
                      self.terms.toPlainText().strip(), self.code.text().strip(), self.per_unit.value() or None)

    def revalidate(self) -> dict[str, str]:
        errors = validate_agency(self.value())
        for key, label in self.errors.items():
            text = errors.get(key) or (errors.get("lon") if key == "lat" else None) or ""
            label.setText(text)
            label.setVisible(bool(text))
        self.save_button.setEnabled(not errors)
        self.partnered.setEnabled(self.status.currentData() != "prospective")
        return errors

    def set_jurisdiction(self, geojson: str | None) -> None:
        self.jurisdiction = geojson
        if geojson:
            problem = jurisdiction_problem(geojson)
            if problem:
                self.jurisdiction_label.setText(f"✘ {problem}")
            else:
                from shapely.geometry import shape

                g = shape(json.loads(geojson))
                minx, miny, maxx, maxy = g.bounds
                km = geo.haversine_m(miny, minx, maxy, maxx) / 1000
                self.jurisdiction_label.setText(f"✔ {g.geom_type} set, {km:.1f} km corner to corner")
        else:
            self.jurisdiction_label.setText("none: requests are not checked against a boundary")
        self.revalidate()

    def use_map_fence(self) -> None:
        if self.map_fence is not None:
            self.set_jurisdiction(json.dumps(fence_geojson(self.map_fence)))

    def choose_geojson(self) -> None:
        path = choose_open_file(self, "Jurisdiction from GeoJSON", "GeoJSON (*.geojson *.json)", "jurisdiction")
        if path is None:
            return
        try:
            geometry = geojson_from_file(path.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError, AttributeError) as exc:
            self.errors["jurisdiction_geojson"].setText(f"{path.name} cannot be used: {exc}")
            self.errors["jurisdiction_geojson"].show()
            return
        self.set_jurisdiction(json.dumps(geometry))

    def save(self) -> None:
        if self.revalidate():
            return
        try:
            if self.agency_id is None:
                self.agency_id = svc.add_agency(self.session, self.value())
            else:
                self.change = svc.update_agency(self.session, self.value())
        except (svc.AgencyError, PermissionDenied) as exc:
            self.error_general.setText(str(exc))
            return
        self.accept()

    def keyPressEvent(self, event) -> None:  # noqa: N802, ANN001 - Enter in a field saves only when valid
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.save_button.isEnabled():
            return
        super().keyPressEvent(event)
