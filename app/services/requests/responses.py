"""Owners' answers to a sent request and their consent: record an answer, change it with a reason (the old
one stays on record), the history of changes, and opting an owner out of every future request."""

from __future__ import annotations

import json
from datetime import datetime

from app.core.permissions import Permission
from app.core.records import Consent, RecipientState, RequestState, to_iso
from app.services.requests.common import AnswerRecorded, RequestError, expect_state, get_record, now_or, request_ref
from app.services.session import Session
from app.store import owners as owner_store
from app.store import requests as store

S = RequestState
RESPONSES = (RecipientState.SHARED, RecipientState.DECLINED, RecipientState.NO_FOOTAGE, RecipientState.NO_RESPONSE)


def record_response(session: Session, request_id: int, owner_id: int, state: RecipientState,
                    now: datetime | None = None, opt_out: bool = False) -> None:
    session.require(Permission.RECORD_RESPONSE)
    state = RecipientState(state)
    if state not in RESPONSES:
        raise RequestError(f"“{state.value}” is not an answer.")
    now = now_or(now)
    with session.atomic() as conn:
        record = get_record(conn, request_id)
        expect_state(record, (S.SENT,), "answered")
        current = store.owner_response(conn, request_id, owner_id)
        if current is None:
            raise RequestError(f"Owner {owner_id} is not a recipient of request {request_id}.")
        if current != RecipientState.PENDING and current != state:
            raise AnswerRecorded(current)
        responded_at = None if state == RecipientState.NO_RESPONSE else to_iso(now)
        store.set_owner_response(conn, request_id, owner_id, state, responded_at)
        session.audit("response_recorded", request_ref(request_id), {"owner_id": owner_id, "state": state.value})
        if opt_out:
            opt_out_owner(session, owner_id, now, via_request=request_id)


def change_response(session: Session, request_id: int, owner_id: int, state: RecipientState, reason: str,
                    now: datetime | None = None) -> None:
    """Correct a recorded answer: a new answer, audited with the old one and the reason, that supersedes it. The
    old answer stays in the audit log and in the request's history."""
    session.require(Permission.RECORD_RESPONSE)
    state = RecipientState(state)
    if state not in RESPONSES:
        raise RequestError(f"“{state.value}” is not an answer.")
    if not reason.strip():
        raise RequestError("Say why the answer is changed: the reason is kept with the old and the new answer.")
    now = now_or(now)
    with session.atomic() as conn:
        record = get_record(conn, request_id)
        expect_state(record, (S.SENT,), "answered")
        old = store.owner_response(conn, request_id, owner_id)
        if old is None:
            raise RequestError(f"Owner {owner_id} is not a recipient of request {request_id}.")
        if old == state:
            raise RequestError(f"The answer is already “{state.value.replace('_', ' ')}”.")
        responded_at = None if state == RecipientState.NO_RESPONSE else to_iso(now)
        store.set_owner_response(conn, request_id, owner_id, state, responded_at)
        session.audit("response_changed", request_ref(request_id), {"owner_id": owner_id, "from": old.value,
                                                             "to": state.value, "reason": reason.strip()})


def answer_history(session: Session, request_id: int) -> list[tuple[str, str, str]]:
    """The request's changed answers as (at, actor, text): "Neighbor #12: declined → shared — reason"."""
    session.require(Permission.RECORD_RESPONSE)
    out = []
    for at, actor, details in store.answer_changes(session.conn, request_id):
        d = json.loads(details)
        owner = owner_store.owner_summary(session.conn, int(d["owner_id"]))
        who = f"Neighbor #{owner.anonymity_no}" if owner else f"owner {d['owner_id']}"
        out.append((at, actor, f"{who}: answer changed {d['from'].replace('_', ' ')} → {d['to'].replace('_', ' ')}"
                               f" — {d.get('reason', '')}"))
    return out


def opt_out_owner(session: Session, owner_id: int, now: datetime | None = None,
                  via_request: int | None = None) -> list[int]:
    """Honour "opt out of all future requests" at once: consent off, and off every request not yet sent.

    The consent is changed as a recorded consent change (who recorded it, from when, how the owner said so), the one
    way an owner's consent changes; the audit entry says old → new."""
    session.require(Permission.RECORD_RESPONSE)
    now = now_or(now)
    at = to_iso(now)
    with session.atomic() as conn:
        owner = owner_store.get_owner(conn, owner_id)
        if owner is None:
            raise RequestError(f"There is no owner {owner_id}.")
        old = str(owner.consent)
        how = (f"opted out in answering request {via_request}" if via_request is not None
               else "opted out of all future requests")
        if old != Consent.OPT_OUT.value:
            owner_store.record_consent_change(conn, owner_id, Consent.OPT_OUT.value, effective_at=at,
                                              recorded_by=session.actor, how=how)
        dropped = store.drop_owner_from_unsent(conn, owner_id)
        session.audit("owner_opted_out", f"owner:{owner_id}", {"via_request": via_request,
                                                                "removed_from_requests": dropped,
                                                                "consent": [old, Consent.OPT_OUT.value],
                                                                "effective_at": at, "how": how})
    return dropped
