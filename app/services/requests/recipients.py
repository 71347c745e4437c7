"""Who a footage request reaches: the recipient plan (opt-outs honoured), the preview before sending, and the
recipients and their contact details as each role may see them."""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from app.core.camera_arrays import CameraArrays
from app.core.permissions import Permission
from app.core.recipients import RecipientPlan, plan_recipients
from app.core.records import RecipientState, from_iso
from app.core.request_records import RequestRecord
from app.services.requests.common import get_record, now_or, request_ref
from app.services.session import Session
from app.store import owners as owner_store
from app.store import requests as store
from app.store.camera_arrays import load_arrays, opted_out_owners


@dataclass(frozen=True)
class RecipientView:
    """A notice as an agency user sees it: identity only where the owner shared."""

    owner_id: int
    name: str
    identified: bool
    state: RecipientState
    responded_at: str | None
    best_rank: int
    cameras: int
    covers_incident: bool
    likely_overwritten: bool


@dataclass(frozen=True)
class Notice:
    """What the outreach letter and the mail-merge CSV need about one owner (contact included: audited)."""

    owner_id: int
    neighbor_no: int
    display_name: str
    email: str
    phone: str
    address: str
    contact_preference: str
    cameras: int
    evidence_lines: tuple[str, ...] = ()  # deletion certificates and holds kept despite a withdrawal (the letter)


def plan_for(conn: sqlite3.Connection, record: RequestRecord, arrays: CameraArrays,
             now: datetime) -> RecipientPlan:
    lat, lon = store.incident_point(conn, record.incident_id) or (None, None)
    stale = np.isin(arrays.owner_id, opted_out_owners(conn)) & ~arrays.opted_out
    if stale.any():  # the arrays predate someone's opt-out: the store is the truth (one new column, not a copy)
        arrays = dataclasses.replace(arrays, opted_out=arrays.opted_out | stale)
    return plan_recipients(arrays, record.fence, lat, lon, from_iso(record.window_end), now)


def store_plan(conn: sqlite3.Connection, request_id: int, plan: RecipientPlan) -> None:
    rows = list(zip(plan.camera_ids.tolist(), plan.owner_ids.tolist(), plan.rank.tolist(),
                    plan.covers_incident.astype(int).tolist(), plan.likely_overwritten.astype(int).tolist(),
                    strict=True))
    store.replace_recipients(conn, request_id, rows)


def arrays_or_load(conn: sqlite3.Connection, arrays: CameraArrays | None) -> CameraArrays:
    return arrays if arrays is not None else load_arrays(conn)


@dataclass(frozen=True)
class SendPreview:
    """What sending would do now, for the confirmation: counts only, nobody named."""

    owners: int
    cameras: int
    by_preference: dict[str, int]  # contact preference → owners
    opted_out_owners: int


def send_preview(session: Session, request_id: int, arrays: CameraArrays | None = None,
                 now: datetime | None = None) -> SendPreview:
    session.require(Permission.CREATE_REQUEST)
    conn = session.conn
    record = get_record(conn, request_id)
    plan = plan_for(conn, record, arrays_or_load(conn, arrays), now_or(now))
    owners = sorted({int(o) for o in plan.owner_ids.tolist()})
    return SendPreview(plan.owners_notified, plan.contacted_cameras,
                       owner_store.contact_preference_counts(conn, owners), plan.opted_out_owners)


def recipient_view(session: Session, request_id: int) -> list[RecipientView]:
    """The recipients as an agency user may see them: "Neighbor #n" unless the owner shared."""
    session.require(Permission.CREATE_REQUEST)
    out = []
    for r in store.recipients(session.conn, request_id):
        shared = r.state == RecipientState.SHARED
        out.append(RecipientView(r.owner_id, r.display_name if shared else f"Neighbor #{r.anonymity_no}", shared,
                                 r.state, r.responded_at, r.best_rank, r.cameras, r.covers_incident,
                                 r.likely_overwritten))
    return out


def notices(session: Session, request_id: int, purpose: str = "outreach") -> list[Notice]:
    """Contact details of every recipient for the letters; the view of contact details is audited."""
    session.require(Permission.VIEW_OWNER_CONTACT)
    rows = store.notice_rows(session.conn, request_id)
    session.audit("owner_contact_viewed", request_ref(request_id), {"purpose": purpose, "owners": len(rows)})
    return [Notice(*r[:8]) for r in rows]


def recipient_points(session: Session, request_id: int) -> list[tuple[float, float, bool, str]]:
    session.require(Permission.CREATE_REQUEST)
    return store.recipient_points(session.conn, request_id)


def camera_arrays(session: Session) -> CameraArrays:
    """The registry as arrays, for the recipient preview when the window has not loaded it yet."""
    session.require(Permission.CREATE_REQUEST)
    return load_arrays(session.conn)
