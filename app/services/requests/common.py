"""What every footage-request service shares: the errors it raises and the steps of one state change
(load the request, check its state, write the transition row and the audit entry)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from app.core.records import RecipientState, RequestState, to_iso, utc_now
from app.core.request_records import RequestRecord
from app.services.session import Session
from app.store import requests as store


class RequestError(Exception):
    """A lifecycle step that cannot happen now; the message says why and what to do."""


class AnswerRecorded(RequestError):
    """The owner has answered already: a different answer is a change (change_response), with a reason."""

    def __init__(self, current: RecipientState) -> None:
        super().__init__(f"This owner has already answered “{current.value.replace('_', ' ')}”: change the answer "
                         "with a reason, so the old one stays on record.")
        self.current = current


def now_or(now: datetime | None) -> datetime:
    return now or utc_now()


def request_ref(request_id: int) -> str:
    return f"request:{request_id}"


def get_record(conn: sqlite3.Connection, request_id: int) -> RequestRecord:
    record = store.get_request(conn, request_id)
    if record is None:
        raise RequestError(f"There is no footage request {request_id}.")
    return record


def expect_state(record: RequestRecord, states: tuple[RequestState, ...], doing: str) -> None:
    if record.state not in states:
        names = " or ".join(s.value.replace("_", " ") for s in states)
        raise RequestError(f"Request {record.id} is {record.state.value.replace('_', ' ')}: it can be {doing} only "
                           f"when {names}.")


def transition(session: Session, record: RequestRecord, to: RequestState, now: datetime, reason: str = "",
                **stamps: object) -> None:
    """State change + transition row + audit entry: the caller holds the transaction."""
    conn = session.conn
    at = to_iso(now)
    store.set_state(conn, record.id, to, **stamps)
    user = session.user
    store.add_transition(conn, record.id, record.state, to, at, user.id if user else None, reason)
    session.audit(f"request_{to.value}", request_ref(record.id), {"from": record.state.value, "to": to.value,
                                                           "reason": reason, "case_number": record.case_number})
