"""The chain of custody: recording acts on an item, reading its timeline, and the custody report (CSV here; the
PDF is drawn by app.views.evidence from the same rows)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.evidence import CUSTODY_LABELS, CustodyEvent, EvidenceItem
from app.core.permissions import Permission
from app.core.records import CustodyKind, to_iso, utc_now
from app.io.safe_files import write_private_csv
from app.services.session import Session
from app.store import evidence as store

# Kinds a caller records through record_custody; the others are written by the act itself (intake, hold, purge…).
RECORDABLE = frozenset({CustodyKind.VIEWED, CustodyKind.EXPORTED})
REPORT_COLUMNS = ["item_id", "original_name", "item_sha256", "event_id", "at", "event", "actor", "sha256_checked",
                  "details"]


class CustodyError(Exception):
    pass


def get_item(session: Session, item_id: int) -> EvidenceItem:
    session.require(Permission.VIEW_EVIDENCE)
    item = store.get_item(session.conn, item_id)
    if item is None:
        raise CustodyError(f"There is no evidence item {item_id}.")
    return item


def record_custody(session: Session, item_id: int, kind: CustodyKind | str, details: dict[str, Any] | None = None,
                   now: datetime | None = None) -> int:
    """Record a view (or a stand-alone export) of an item: custody event + audit entry in one transaction.

    `details` is free JSON, e.g. {"from_s": 0.0, "to_s": 12.4, "speed": 1.0}. Returns the event id.
    Stills, clips and redactions are recorded by add_derived_item, not here."""
    kind = CustodyKind(kind)
    if kind not in RECORDABLE:
        raise CustodyError(f"A “{kind.value}” event is written by its own action, not through record_custody.")
    user = session.require(Permission.VIEW_EVIDENCE)
    item = get_item(session, item_id)
    if item.purged:
        raise CustodyError(f"Item {item_id} was purged on {item.purged_at}; there is nothing left to view.")
    at = to_iso(now or utc_now())
    with session.atomic() as conn:
        event_id = store.add_event(conn, item_id, kind.value, at, user.id, user.name, item.sha256, details)
        session.audit(f"evidence_{kind.value}", f"evidence:{item_id}", {**(details or {}), "sha256": item.sha256})
    return event_id


def timeline(session: Session, item_id: int) -> list[CustodyEvent]:
    """Every custody event of one item, oldest first."""
    get_item(session, item_id)
    return store.events(session.conn, item_id=item_id)


@dataclass(frozen=True)
class ReportRow:
    item: EvidenceItem
    event: CustodyEvent

    def cells(self) -> list[str]:
        return [str(self.item.id), self.item.original_name, self.item.sha256, str(self.event.id), self.event.at,
                CUSTODY_LABELS.get(CustodyKind(self.event.kind), self.event.kind), self.event.actor,
                self.event.sha256, _details_text(self.event.details)]


def _details_text(details: str) -> str:
    try:
        data = json.loads(details or "{}")
    except json.JSONDecodeError:
        return details
    return "; ".join(f"{k}={v}" for k, v in sorted(data.items())) if isinstance(data, dict) else str(data)


def report_rows(session: Session, item_id: int | None = None, request_id: int | None = None) -> list[ReportRow]:
    """The custody report's rows for one item or every item of a request (item by item, events oldest first)."""
    session.require(Permission.VIEW_EVIDENCE)
    if item_id is not None:
        chosen = [get_item(session, item_id)]
    elif request_id is not None:
        chosen = store.items(session.conn, request_id)
    else:
        raise CustodyError("Choose an item or a request for the custody report.")
    by_item = {i.id: i for i in chosen}
    events = store.events(session.conn, item_id=item_id) if item_id is not None else \
        store.events(session.conn, request_id=request_id)
    return [ReportRow(by_item[e.evidence_id], e) for e in sorted(events, key=lambda e: (e.evidence_id, e.id))
            if e.evidence_id in by_item]


def write_report_csv(path: Path, rows: list[ReportRow]) -> None:
    """Private to the user, atomic, text cells neutralised against spreadsheet formulas (app.io.safe_files)."""
    write_private_csv(path, REPORT_COLUMNS, [r.cells() for r in rows])


def record_report(session: Session, path: Path, fmt: str, rows: list[ReportRow], item_id: int | None,
                  request_id: int | None) -> None:
    session.require(Permission.VIEW_EVIDENCE)
    session.audit("custody_report_exported", f"evidence:{item_id}" if item_id is not None else
                  f"request:{request_id}", {"file": Path(path).name, "format": fmt, "events": len(rows),
                                            "items": len({r.item.id for r in rows})})


def export_report_csv(session: Session, path: Path, item_id: int | None = None,
                      request_id: int | None = None) -> int:
    rows = report_rows(session, item_id, request_id)
    write_report_csv(Path(path), rows)
    record_report(session, Path(path), "csv", rows, item_id, request_id)
    return len(rows)
