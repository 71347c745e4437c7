"""Footage requests as plain records: what app.store.requests reads and the services and views pass around."""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.core.fence import Fence, fence_from_json
from app.core.records import RecipientState, RequestState


@dataclass(frozen=True)
class RequestRecord:
    id: int
    agency_id: int
    case_number: str
    incident_id: int | None
    offense_category: str
    area_kind: str
    area_json: str
    window_start: str
    window_end: str
    description: str
    investigator_contact: str
    created_by: int | None
    created_at: str
    approved_by: int | None
    approved_at: str | None
    sent_at: str | None
    expires_at: str | None
    resolved_at: str | None
    state: RequestState
    public_no: int | None

    @property
    def fence(self) -> Fence:
        return fence_from_json(json.loads(self.area_json))


@dataclass(frozen=True)
class RequestSummary:
    """One row of the requests list."""

    id: int
    public_no: int | None
    state: RequestState
    case_number: str
    agency: str
    category: str
    created_at: str
    sent_at: str | None
    expires_at: str | None
    author: str
    notified: int
    shared: int
    declined: int
    pending: int
    approved_by: str = ""  # the approving supervisor's name; "" until approved


@dataclass(frozen=True)
class Transition:
    from_state: str | None
    to_state: str
    at: str
    actor: str
    reason: str


@dataclass(frozen=True)
class RecipientRow:
    """One notice: an owner and their cameras in the request. Identity fields are filled by the service layer."""

    owner_id: int
    anonymity_no: int
    display_name: str
    state: RecipientState
    responded_at: str | None
    best_rank: int
    cameras: int
    covers_incident: bool
    likely_overwritten: bool   # every one of the owner's cameras in the request is probably overwritten
    consent: str
