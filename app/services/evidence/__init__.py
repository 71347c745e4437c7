"""Evidence services: intake, chain of custody, verification, retention and legal hold, packages.

For the viewer and redaction features (and anything else that touches footage), use EvidenceService:

    svc = EvidenceService(ctx.session, ctx.paths.evidence_dir)
    path = svc.item_path(item_id)            # the stored file (read-only); raises EvidenceError if purged/missing
    info = svc.media_info(item_id)           # dict from app.io.media_info.probe (duration_s, fps, width, ...)
    offset = svc.item(item_id).clock_offset_s  # recorder clock minus true time; core.evidence.corrected()
    svc.record_custody(item_id, "viewed", {"from_s": 0.0, "to_s": 4.2})           # custody event + audit entry
    child = svc.add_derived_item(item_id, png_path, "still", {"position_s": 1.24, "frame": 31})

add_derived_item stores the new file exactly like an intake (copied and hashed in one read, read-only, named by
its hash), links it to its parent (derived_from) and to the parent's requests, and writes a custody event on the
parent (still / clip / redacted) and a "received" one on the child, with the audit entry, in one transaction.
The source file is not touched (write it in a temporary folder and delete it afterwards). It runs on the calling
thread; for a large clip call it from a worker with a Session over the worker's own connection.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.core.evidence import DerivedKind, EvidenceItem
from app.core.permissions import Permission
from app.core.records import CustodyKind
from app.services.evidence import custody, intake
from app.services.session import Session


class EvidenceError(Exception):
    pass


class EvidenceService:
    def __init__(self, session: Session, evidence_dir: Path) -> None:
        self.session = session
        self.evidence_dir = Path(evidence_dir)

    def item(self, item_id: int) -> EvidenceItem:
        try:
            return custody.get_item(self.session, item_id)
        except custody.CustodyError as exc:
            raise EvidenceError(str(exc)) from exc

    def item_path(self, item_id: int) -> Path:
        item = self.item(item_id)
        if item.purged:
            raise EvidenceError(f"Item {item_id} was purged on {item.purged_at}; its file is gone.")
        path = self.evidence_dir / item.stored_path
        if not path.is_file():
            raise EvidenceError(f"The file of item {item_id} is missing from the evidence store ({path}). Run "
                                "Verify: it reports every missing or altered file.")
        return path

    def media_info(self, item_id: int) -> dict[str, Any]:
        """The media information recorded at intake ({} for a file that is not media)."""
        return json.loads(self.item(item_id).media_info or "{}")  # type: ignore[no-any-return]

    def record_custody(self, item_id: int, kind: CustodyKind | str, details: dict[str, Any] | None = None) -> int:
        return custody.record_custody(self.session, item_id, kind, details)

    def add_derived_item(self, parent_id: int, src_path: Path, kind: DerivedKind | str,
                         details: dict[str, Any]) -> int:
        """Store a still, clip or redaction made from `parent_id`; returns the new item's id."""
        derived_kind = DerivedKind(kind)
        user = self.session.require(Permission.VIEW_EVIDENCE)
        parent = self.item(parent_id)
        if parent.purged:
            raise EvidenceError(f"Item {parent_id} was purged; nothing can be derived from it.")
        staged = intake.stage(self.evidence_dir, Path(src_path), accept_non_media=True)
        try:
            if self.session.conn.in_transaction:
                raise EvidenceError("add_derived_item must not run inside an open transaction.")
            result = intake.commit_staged(self.session.conn, self.evidence_dir, staged, user, parent.request_id,
                                          parent.recipient_id, intake.ClockOffset(parent.clock_offset_s,
                                                                                  parent.clock_offset_source),
                                          derived=(parent_id, derived_kind, dict(details)))
        finally:
            intake.discard(staged)
        return result.item_id


__all__ = ["EvidenceService", "EvidenceError"]
