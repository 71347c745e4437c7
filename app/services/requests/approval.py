"""The two-person rule and policy overrides, as service-layer checks other features call.

- A footage request is approved by a supervisor who is not its author: check_approver(session, author_id).
- A policy override needs a supervisor and a written reason, and is recorded with the reason:
  record_override(session, request_id, rule, reason).
"""

from __future__ import annotations

from datetime import datetime

from app.core.permissions import Permission
from app.core.records import to_iso, utc_now
from app.services.session import PermissionDenied, Session, User
from app.store import requests as request_store

MIN_REASON_LEN = 10


class TwoPersonRuleError(PermissionDenied):
    """The approver is the author (or cannot be told apart from them)."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)
        self.permission = Permission.APPROVE_REQUEST


class OverrideReasonError(ValueError):
    pass


def check_approver(session: Session, author_user_id: int | None) -> User:
    """The approving user, or PermissionDenied: not a supervisor, or the request's own author."""
    user = session.require(Permission.APPROVE_REQUEST)
    if user.id is None:
        raise TwoPersonRuleError(f"{user.name} has no user account, so the two-person rule cannot be checked.")
    if author_user_id is None:
        raise TwoPersonRuleError("The request has no recorded author, so the two-person rule cannot be checked.")
    if user.id == author_user_id:
        raise TwoPersonRuleError(f"{user.name} wrote this request and cannot approve it: another supervisor must.")
    return user


def check_request_approver(session: Session, request_id: int) -> User:
    """check_approver for a stored footage request (its created_by)."""
    row = request_store.request_author(session.conn, request_id)
    if row is None:
        raise LookupError(f"There is no footage request {request_id}.")
    return check_approver(session, row[0])


def check_override(session: Session, reason: str) -> tuple[User, str]:
    """A supervisor, and a written reason of a few words: else PermissionDenied / OverrideReasonError."""
    user = session.require(Permission.OVERRIDE_POLICY)
    text = " ".join((reason or "").split())
    if len(text) < MIN_REASON_LEN:
        raise OverrideReasonError(f"Write why this limit is overridden (at least {MIN_REASON_LEN} characters): the "
                                  "reason is kept in the audit log and shown to auditors.")
    if user.id is None:
        raise PermissionDenied(user.name, user.role.value, Permission.OVERRIDE_POLICY)
    return user, text


def record_override(session: Session, request_id: int, rule: str, reason: str, now: datetime | None = None) -> int:
    """Record a supervisor's override of one rule for one request, with the reason, and audit it. Returns its id.

    Joins the caller's transaction if one is open, so the override and the act it allows land together.
    """
    user, text = check_override(session, reason)
    with session.atomic() as conn:
        override_id = request_store.insert_override(conn, request_id, rule, text, user.id, to_iso(now or utc_now()))
        session.audit("policy_override", f"request:{request_id}", {"rule": rule, "reason": text,
                                                                   "override_id": override_id})
    return override_id
