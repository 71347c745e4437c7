"""Opening a stored item in the viewer: the service gives the file, the offset and the recorder's start time; every
opening is a "viewed" custody event and every still, clip or redaction a derived item, through EvidenceService."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from app.io.video import VideoError
from app.services.evidence import EvidenceError, EvidenceService
from app.services.session import PermissionDenied
from app.views.evidence.viewer import EvidenceViewer, ViewerItem

log = logging.getLogger(__name__)


class ServiceBackend:
    """The viewer's backend over the evidence service (permission checks and audit entries happen there)."""

    def __init__(self, service: EvidenceService) -> None:
        self.service = service

    def viewed(self, item_id: int) -> None:
        self.service.record_custody(item_id, "viewed", {"in": "evidence viewer"})

    def add_derived(self, parent_id: int, path: Path, kind: str, details: dict[str, Any]) -> int:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return self.service.add_derived_item(parent_id, path, kind, details)
        finally:
            QGuiApplication.restoreOverrideCursor()


def recorded_start(media_info: dict[str, Any]) -> datetime | None:
    """The container's creation time (the recorder's own clock), if it states a readable one."""
    text = media_info.get("creation_time")
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        stamp = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def open_viewer(parent: QWidget | None, service: EvidenceService, item_id: int) -> EvidenceViewer | None:
    try:
        item = service.item(item_id)
        path = service.item_path(item_id)
        info = service.media_info(item_id)
        viewer_item = ViewerItem(item_id, path, f"#{item_id} {item.original_name}", item.clock_offset_s,
                                 recorded_start(info))
        viewer = EvidenceViewer(viewer_item, ServiceBackend(service), parent)
    except (EvidenceError, VideoError) as exc:
        QMessageBox.warning(parent, "Cannot play this item", f"{exc}\n\nThe stored file is unchanged.")
        return None
    except PermissionDenied as exc:
        QMessageBox.warning(parent, "Not allowed", str(exc))
        return None
    viewer.show()
    return viewer
