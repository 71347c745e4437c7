"""What the Evidence tab lists, for a user allowed to see evidence (an empty list otherwise)."""

from __future__ import annotations

from typing import Any

from app.core.evidence import EvidenceItem
from app.core.permissions import Permission
from app.core.records import CAMERA_KIND_LABELS
from app.services.session import Session
from app.store import evidence as store


def may_view(session: Session) -> bool:
    return session.can(Permission.VIEW_EVIDENCE)


def requests(session: Session) -> list[dict[str, Any]]:
    return store.sent_requests(session.conn) if may_view(session) else []


def shared_answers(session: Session, request_id: int) -> list[tuple[int, str, int]]:
    """(recipient id, whose camera answered — "Neighbor #7 · Doorbell #12" —, files attached) of a request's shared
    answers; an owner with several cameras answers once per camera."""
    if not may_view(session):
        return []
    counts = store.items_per_answer(session.conn, request_id)
    return [(r, f"Neighbor #{anon} · {CAMERA_KIND_LABELS.get(kind, 'Camera')} #{camera_id}", counts.get(r, 0))
            for r, anon, camera_id, kind in store.shared_recipients(session.conn, request_id)]


def items(session: Session, request_id: int | None) -> tuple[list[EvidenceItem], set[int]]:
    """A request's items and the ids of those on legal hold."""
    if request_id is None or not may_view(session):
        return [], set()
    held = {h.evidence_id for h in store.holds(session.conn, active_only=True)}
    return store.items(session.conn, request_id), held


def live_items(session: Session) -> int:
    return store.live_item_count(session.conn)
