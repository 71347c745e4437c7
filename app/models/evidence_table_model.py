"""The evidence items of a request, and one item's custody timeline. Times are shown in local time with the zone
named; the recorder-corrected time is in the tooltip where the item has a clock offset."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt

from app.core.evidence import CUSTODY_LABELS, CustodyEvent, EvidenceItem, describe_offset
from app.core.records import CustodyKind, from_iso
from app.io.media_info import summary
from app.models.row_list_model import Index, RowListTableModel

IdRole = Qt.ItemDataRole.UserRole + 1


def local_time(iso: str | None) -> str:
    """'2026-06-01T12:00:00Z' → '2026-06-01 08:00:00 EDT' (this computer's zone, named)."""
    if not iso:
        return ""
    return from_iso(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def size_text(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n} B"


def status_text(item: EvidenceItem, held: bool) -> str:
    if item.purged:
        return "Purged"
    parts = []
    if held:
        parts.append("On legal hold")
    if item.purge_marked_at:
        parts.append("Marked for purge")
    if item.consent_withdrawn_at:
        parts.append("Consent withdrawn")
    if item.last_verified_ok is False:
        parts.append("ALTERED OR MISSING")
    elif item.last_verified_ok:
        parts.append("Verified")
    return ", ".join(parts) or "Stored"


COL_ID, COL_NAME, COL_KIND, COL_SIZE, COL_SHA, COL_RECEIVED, COL_BY, COL_MEDIA, COL_CLOCK, COL_STATUS = range(10)
ITEM_HEADERS = [
    ("ID", "The evidence item's number"),
    ("Original name", "The name the file had when it was received (it is stored under its hash)"),
    ("Kind", "Original, or a still / clip / redaction derived from another item"),
    ("Size", "Bytes as received"),
    ("SHA-256", "Taken while the file was copied in; Verify re-hashes the stored file against it"),
    ("Received", "When it was received (local time)"),
    ("By", "Who received it"),
    ("Media", "Read from the container: kind, duration, resolution, frame rate, codecs"),
    ("Recorder clock", "The recorder's clock against the true time, recorded at intake"),
    ("Status", "Stored, verified, on legal hold, marked for purge, purged"),
]


class EvidenceItemTableModel(RowListTableModel[EvidenceItem]):
    headers = ITEM_HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.held: set[int] = set()

    def set_items(self, items: list[EvidenceItem], held: set[int]) -> None:
        self.held = set(held)
        self.set_rows(items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        it = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            info = json.loads(it.media_info or "{}")
            kind = f"{it.derived_kind} of #{it.derived_from}" if it.derived_kind else "original"
            return [str(it.id), it.original_name, kind, size_text(it.size_bytes), it.sha256[:16] + "…",
                    local_time(it.received_at), it.received_by_name, summary(info) if info else "not media",
                    describe_offset(it.clock_offset_s), status_text(it, it.id in self.held)][col]
        if role == IdRole:
            return it.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_SHA:
                return it.sha256
            if col == COL_MEDIA:
                return json.dumps(json.loads(it.media_info or "{}"), indent=1)
            if col == COL_CLOCK:
                src = {"entered": "entered by hand", "reference": "measured from a reference frame"}.get(
                    it.clock_offset_source, "not measured")
                return f"{it.clock_offset_s:+.1f} s ({src}); footage times are shown corrected by this offset"
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_ID, COL_SIZE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATUS and it.last_verified_ok is False:
            return Qt.GlobalColor.red
        return None


CUSTODY_HEADERS = [
    ("When", "Local time, zone named"),
    ("Event", "What was done with the item"),
    ("Who", "The user (or “system” for automatic runs)"),
    ("SHA-256", "The item's hash as checked or known at this event"),
    ("Details", "What the event recorded"),
]


class CustodyTableModel(RowListTableModel[CustodyEvent]):
    headers = CUSTODY_HEADERS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            label = CUSTODY_LABELS.get(CustodyKind(e.kind), e.kind)
            if e.kind == CustodyKind.VERIFIED.value and '"ok": false' in e.details:
                label = "VERIFY FAILED"
            return [local_time(e.at), label, e.actor, (e.sha256[:16] + "…") if e.sha256 else "",
                    _details(e.details)][col]
        if role == Qt.ItemDataRole.ToolTipRole and col in (3, 4):
            return e.sha256 if col == 3 else e.details
        return None


def _details(text: str) -> str:
    try:
        data = json.loads(text or "{}")
    except json.JSONDecodeError:
        return text
    if not isinstance(data, dict):
        return str(data)
    return ", ".join(f"{k}: {v}" for k, v in sorted(data.items()) if v not in (None, "", [], {}))
