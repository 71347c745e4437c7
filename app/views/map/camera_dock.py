"""The map's Camera dock: details of the clicked camera. The owner appears only as "Neighbor #n"."""

from __future__ import annotations

import math
import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFormLayout, QLabel, QWidget

from app.core.camera_arrays import CameraArrays
from app.core.records import CAMERA_KIND_LABELS, KIND_CODES, SOURCE_CODES, CameraKind
from app.store.map_features import camera_public_label, owner_anonymity_no

FIELDS = [("kind", "Kind"), ("label", "Label"), ("position", "Position"), ("heading", "Heading"),
          ("fov", "Field of view"), ("range", "Range"), ("retention", "Retention"), ("source", "Source"),
          ("owner", "Owner"), ("consent", "Requests"), ("active", "Status")]


def _num(value: float, unit: str, digits: int = 0) -> str:
    return "unknown" if value is None or not math.isfinite(value) else f"{value:.{digits}f} {unit}".strip()


def camera_details(arrays: CameraArrays, camera_id: int, conn: sqlite3.Connection | None) -> dict[str, str]:
    """Display texts for one camera. Owner contact details are deliberately not read."""
    pos = arrays.positions_of([camera_id])
    if pos.size == 0:
        return {}
    i = int(pos[0])
    kind = KIND_CODES[arrays.kind[i]] if 0 <= arrays.kind[i] < len(KIND_CODES) else "?"
    source = SOURCE_CODES[arrays.source[i]] if 0 <= arrays.source[i] < len(SOURCE_CODES) else "?"
    owner_id = int(arrays.owner_id[i])
    number = owner_anonymity_no(conn, owner_id) if conn is not None and owner_id >= 0 else None
    return {
        "title": f"Camera {camera_id}",
        # What the camera sees; a label naming an address is withheld (it would unmask "Neighbor #n").
        "label": camera_public_label(conn, camera_id) if conn is not None else "",
        "kind": CAMERA_KIND_LABELS.get(CameraKind(kind), kind) if kind in KIND_CODES else kind,
        "position": f"{arrays.lat[i]:.6f}, {arrays.lon[i]:.6f}",
        "heading": _num(float(arrays.heading_deg[i]), "°"),
        "fov": _num(float(arrays.fov_deg[i]), "°"),
        "range": _num(float(arrays.range_m[i]), "m"),
        "retention": _num(float(arrays.retention_days[i]), "days"),
        "source": source.replace("_", " ").capitalize(),
        "owner": f"Neighbor #{number}" if number is not None else "no owner on record",
        "consent": "opted out — never contacted" if arrays.opted_out[i] else "accepts requests",
        "active": "active" if arrays.active[i] else "inactive",
    }


class MapCameraDock(QDockWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Camera", parent)
        self.setObjectName("map_camera_dock")
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        body = QWidget(self)
        form = QFormLayout(body)
        self.title = QLabel("Click a camera on the map to see its details.", body)
        self.title.setWordWrap(True)
        form.addRow(self.title)
        self.labels: dict[str, QLabel] = {}
        for key, text in FIELDS:
            label = QLabel("", body)
            label.setObjectName(f"camera_{key}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.labels[key] = label
            form.addRow(f"{text}:", label)
        self.setWidget(body)
        self.details: dict[str, str] = {}

    def show_details(self, details: dict[str, str]) -> None:
        self.details = details
        self.title.setText(details.get("title", "Click a camera on the map to see its details."))
        for key, label in self.labels.items():
            label.setText(details.get(key, ""))
