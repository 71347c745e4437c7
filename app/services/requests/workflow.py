"""The footage-request lifecycle with its safeguards: draft → awaiting approval → sent → resolved | expired | withdrawn.

Every act checks the acting user's permission here (not in the view), writes a request_transitions row for a
state change, and appends an audit entry in the same transaction. The policy (app.core.policy) is evaluated
again at approval and at sending, against the current limits and clock: a rule that fails must have been
overridden by a supervisor with a written reason (policy_overrides) or the request cannot go out. Approval
must come from a supervisor other than the author (app.services.requests.approval).

Alongside: recipients (the plan, the send preview, who sees whom), responses (owners' answers and opt-outs),
reads (the list and a request's history) and public_log; common holds the errors and the state-change steps.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from app.core import policy
from app.core.camera_arrays import CameraArrays
from app.core.fence import Fence
from app.core.permissions import Permission
from app.core.recipients import RecipientPlan
from app.core.records import IncidentSource, RequestState, from_iso, to_iso
from app.core.request_records import RequestRecord
from app.services.requests.approval import check_request_approver, record_override
from app.services.requests.common import RequestError, expect_state, get_record, now_or, request_ref, transition
from app.services.requests.policy_settings import get_limits
from app.services.requests.recipients import arrays_or_load, plan_for, store_plan
from app.services.session import Session
from app.store import audit as audit_store
from app.store import requests as store
from app.store.db import transaction

S = RequestState
EDITABLE = (S.DRAFT,)
OPEN_FOR_OVERRIDE = (S.DRAFT, S.AWAITING_APPROVAL)
WITHDRAWABLE = (S.DRAFT, S.AWAITING_APPROVAL, S.SENT)


@dataclass(frozen=True)
class DraftInput:
    agency_id: int | None
    case_number: str
    incident_id: int | None
    offense_category: str
    fence: Fence | None
    window_start: datetime | None
    window_end: datetime | None
    description: str = ""
    investigator_contact: str = ""

    def as_policy_draft(self) -> policy.RequestDraft:
        return policy.RequestDraft(self.case_number, self.offense_category, self.fence, self.window_start,
                                   self.window_end, self.incident_id, self.agency_id)

    def values(self) -> dict[str, object]:
        if self.agency_id is None or self.fence is None or self.window_start is None or self.window_end is None:
            raise RequestError("A request needs at least an agency, an area and a time window before it is saved.")
        return {"agency_id": self.agency_id, "case_number": self.case_number.strip(),
                "incident_id": self.incident_id, "offense_category": " ".join(self.offense_category.split()),
                "area_kind": self.fence.kind, "area_json": json.dumps(self.fence.to_json()),
                "window_start": to_iso(self.window_start), "window_end": to_iso(self.window_end),
                "description": self.description.strip(), "investigator_contact": self.investigator_contact.strip()}

    @classmethod
    def from_record(cls, r: RequestRecord) -> DraftInput:
        return cls(r.agency_id, r.case_number, r.incident_id, r.offense_category, r.fence, from_iso(r.window_start),
                   from_iso(r.window_end), r.description, r.investigator_contact)


# --- policy ---------------------------------------------------------------------------------------------------------
def policy_context(conn: sqlite3.Connection, agency_id: int | None, incident_id: int | None,
                   exclude_request_id: int | None, now: datetime) -> policy.PolicyContext:
    pattern, jurisdiction, name = "", None, ""
    if agency_id is not None:
        row = store.agency_policy(conn, agency_id)
        if row:
            pattern, jurisdiction, name = row
    count = store.incident_request_count(conn, incident_id, exclude_request_id) if incident_id is not None else 0
    return policy.PolicyContext(now, count, pattern, jurisdiction, name)


def check_draft(conn: sqlite3.Connection, draft: DraftInput, now: datetime | None = None,
                request_id: int | None = None) -> list[policy.RuleResult]:
    """The live checklist: every rule against the current limits."""
    now = now_or(now)
    ctx = policy_context(conn, draft.agency_id, draft.incident_id, request_id, now)
    return policy.evaluate(draft.as_policy_draft(), get_limits(conn), ctx)


def check_request(conn: sqlite3.Connection, request_id: int, now: datetime | None = None) -> list[policy.RuleResult]:
    return check_draft(conn, DraftInput.from_record(get_record(conn, request_id)), now, request_id)


def blocking_rules(conn: sqlite3.Connection, request_id: int, now: datetime) -> list[policy.RuleResult]:
    """Failed rules without a supervisor's override."""
    return policy.unresolved(check_request(conn, request_id, now), store.overridden_rules(conn, request_id))


def _refuse_if_blocked(conn: sqlite3.Connection, request_id: int, now: datetime, doing: str) -> None:
    blocked = blocking_rules(conn, request_id, now)
    if blocked:
        lines = "\n".join(f"• {r.label}: {r.reason}" for r in blocked)
        hint = ("" if all(r.overridable for r in blocked)
                else " Some of these rules cannot be overridden: correct the draft.")
        raise RequestError(f"Request {request_id} cannot be {doing}; it breaks the policy:\n{lines}\n"
                           f"Correct the draft, or a supervisor may override a rule with a written reason.{hint}")


# --- lifecycle ------------------------------------------------------------------------------------------------------
def create_draft(session: Session, draft: DraftInput, arrays: CameraArrays | None = None,
                 now: datetime | None = None) -> int:
    user = session.require(Permission.CREATE_REQUEST)
    now = now_or(now)
    values = draft.values()
    with session.atomic() as conn:
        _refuse_missing_refs(conn, values)
        request_id = store.insert_request(conn, values, user.id, to_iso(now))
        store.add_transition(conn, request_id, None, S.DRAFT, to_iso(now), user.id, "created")
        record = get_record(conn, request_id)
        plan = plan_for(conn, record, arrays_or_load(conn, arrays), now)
        store_plan(conn, request_id, plan)
        session.audit("request_created", request_ref(request_id), {
            "case_number": values["case_number"], "agency_id": values["agency_id"], "area": json.loads(
                str(values["area_json"])), "window": [values["window_start"], values["window_end"]],
            "cameras_inside": plan.cameras_inside, "owners": plan.owners_notified})
    return request_id


def _refuse_missing_refs(conn: sqlite3.Connection, values: dict[str, object]) -> None:
    """A clear refusal, not a constraint error, for an agency or incident that does not exist (any more)."""
    missing = store.missing_refs(conn, values["agency_id"], values["incident_id"])  # type: ignore[arg-type]
    if "agency" in missing:
        raise RequestError(f"There is no agency {values['agency_id']}: choose one of the partner agencies.")
    if "incident" in missing:
        raise RequestError(f"There is no incident {values['incident_id']}: choose the incident again, or none.")


def update_draft(session: Session, request_id: int, draft: DraftInput, arrays: CameraArrays | None = None,
                 now: datetime | None = None) -> None:
    session.require(Permission.CREATE_REQUEST)
    now = now_or(now)
    values = draft.values()
    with session.atomic() as conn:
        before = get_record(conn, request_id)
        expect_state(before, EDITABLE, "edited")
        _refuse_missing_refs(conn, values)
        store.update_request(conn, request_id, values)
        plan = plan_for(conn, get_record(conn, request_id), arrays_or_load(conn, arrays), now)
        store_plan(conn, request_id, plan)
        changed = {k: v for k, v in values.items() if getattr(before, k) != v}
        # Old → new for each field changed (the area as JSON; the investigator's contact is masked for readers who
        # may not see personal data, by its key).
        session.audit("request_edited", request_ref(request_id), {
            "changed": sorted(changed), "old_new": {k: [getattr(before, k), v] for k, v in changed.items()}})
        # An override was given for the request as it stood: after an edit (a larger area, a longer window) the
        # rule must be overridden again, by a supervisor who sees the request as it is now.
        voided = store.void_overrides(conn, request_id, to_iso(now)) if changed else []
        if voided:
            session.audit("policy_overrides_voided", request_ref(request_id), {
                "rules": voided, "reason": "the request was edited after the overrides were given"})


def submit(session: Session, request_id: int, now: datetime | None = None) -> list[policy.RuleResult]:
    """Draft → awaiting approval. Allowed with failed rules (a supervisor decides); returns them."""
    session.require(Permission.CREATE_REQUEST)
    now = now_or(now)
    with session.atomic() as conn:
        record = get_record(conn, request_id)
        expect_state(record, (S.DRAFT,), "submitted")
        failed = policy.failures(check_request(conn, request_id, now))
        reason = "; ".join(f"{r.label}: {r.reason}" for r in failed)
        transition(session, record, S.AWAITING_APPROVAL, now, reason and f"failed rules — {reason}")
    return failed


def return_to_draft(session: Session, request_id: int, reason: str = "", now: datetime | None = None) -> None:
    """Awaiting approval → draft, for corrections. Any approval given is cleared."""
    session.require(Permission.CREATE_REQUEST)
    now = now_or(now)
    with session.atomic():
        record = get_record(session.conn, request_id)
        expect_state(record, (S.AWAITING_APPROVAL,), "returned to draft")
        transition(session, record, S.DRAFT, now, reason or "returned for corrections", approved_by=None,
                    approved_at=None)


def override_rule(session: Session, request_id: int, rule: str, reason: str, now: datetime | None = None) -> int:
    """A supervisor lets one failed rule pass for this request, with a written reason (recorded and audited)."""
    now = now_or(now)
    session.require(Permission.OVERRIDE_POLICY)  # before saying anything about the request's rules
    with session.atomic() as conn:
        record = get_record(conn, request_id)
        expect_state(record, OPEN_FOR_OVERRIDE, "overridden")
        if rule not in policy.RULES:
            raise RequestError(f"There is no rule {rule!r}.")
        if rule in policy.NOT_OVERRIDABLE:
            raise RequestError(f"“{policy.LABELS[rule]}” cannot be overridden.")
        result = next(r for r in check_request(conn, request_id, now) if r.rule == rule)
        if result.ok:
            raise RequestError(f"“{result.label}” is met; there is nothing to override.")
        return record_override(session, request_id, rule, reason, now)


def approve(session: Session, request_id: int, now: datetime | None = None) -> None:
    """A supervisor other than the author approves; every failed rule must be overridden first."""
    now = now_or(now)
    with session.atomic() as conn:
        record = get_record(conn, request_id)
        user = check_request_approver(session, request_id)
        expect_state(record, (S.AWAITING_APPROVAL,), "approved")
        if record.approved_by is not None:
            raise RequestError(f"Request {request_id} is already approved.")
        _refuse_if_blocked(conn, request_id, now, "approved")
        at = to_iso(now)
        store.set_state(conn, request_id, S.AWAITING_APPROVAL, approved_by=user.id, approved_at=at)
        store.add_transition(conn, request_id, S.AWAITING_APPROVAL, S.AWAITING_APPROVAL, at, user.id, "approved")
        session.audit("request_approved", request_ref(request_id), {"author_id": record.created_by})


def send(session: Session, request_id: int, arrays: CameraArrays | None = None,
         now: datetime | None = None) -> RecipientPlan:
    """Approved → sent: recipients fixed (opt-outs up to this moment honoured), public number, expiry date."""
    session.require(Permission.CREATE_REQUEST)
    now = now_or(now)
    with session.atomic() as conn:
        record = get_record(conn, request_id)
        expect_state(record, (S.AWAITING_APPROVAL,), "sent")
        if record.approved_by is None:
            raise RequestError(f"Request {request_id} needs a supervisor's approval (not its author's) before it "
                               "is sent.")
        _refuse_if_blocked(conn, request_id, now, "sent")
        plan = plan_for(conn, record, arrays_or_load(conn, arrays), now)
        store_plan(conn, request_id, plan)
        limits = get_limits(conn)
        public_no = store.next_public_no(conn)
        transition(session, record, S.SENT, now, f"public log #{public_no}; {plan.owners_notified} owners notified",
                    sent_at=to_iso(now), expires_at=to_iso(policy.expires_at(now, limits)), public_no=public_no)
        session.audit("request_recipients", request_ref(request_id), {
            "public_no": public_no, "owners_notified": plan.owners_notified, "cameras": plan.contacted_cameras,
            "opted_out_cameras": plan.opted_out_cameras, "opted_out_owners": plan.opted_out_owners,
            "ownerless_cameras": plan.ownerless_cameras})
    return plan


def withdraw(session: Session, request_id: int, reason: str, now: datetime | None = None) -> None:
    session.require(Permission.CREATE_REQUEST)
    if not reason.strip():
        raise RequestError("Say why the request is withdrawn: the reason is kept with it.")
    now = now_or(now)
    with session.atomic() as conn:
        record = get_record(conn, request_id)
        expect_state(record, WITHDRAWABLE, "withdrawn")
        if record.state == S.SENT:
            store.close_pending(conn, request_id)
        transition(session, record, S.WITHDRAWN, now, reason.strip())


def resolve(session: Session, request_id: int, footage_useful: bool | None, led_to_arrest: bool | None,
            notes: str = "", now: datetime | None = None) -> None:
    """Sent → resolved, with the outcome (so the program's effectiveness is measured, not asserted)."""
    user = session.require(Permission.CREATE_REQUEST)
    now = now_or(now)
    with session.atomic() as conn:
        record = get_record(conn, request_id)
        expect_state(record, (S.SENT,), "resolved")
        store.close_pending(conn, request_id)
        store.set_outcome(conn, request_id, footage_useful, led_to_arrest, notes.strip(), to_iso(now), user.id)
        transition(session, record, S.RESOLVED, now, notes.strip(), resolved_at=to_iso(now))
        session.audit("request_outcome", request_ref(request_id), {"footage_useful": footage_useful,
                                                            "led_to_arrest": led_to_arrest})


def expire_due(conn: sqlite3.Connection, now: datetime | None = None) -> list[int]:
    """Expire every sent request past its expiry date (called at launch and on a timer). Returns their ids."""
    now = now_or(now)
    at = to_iso(now)
    if not store.due_for_expiry(conn, at):
        return []
    with transaction(conn):
        due = store.due_for_expiry(conn, at)
        for request_id in due:
            store.close_pending(conn, request_id)
            store.set_state(conn, request_id, S.EXPIRED)
            store.add_transition(conn, request_id, S.SENT, S.EXPIRED, at, None, "expired")
            audit_store.append(conn, "system", "request_expired", request_ref(request_id), {"at": at}, at=at)
    return due


# --- incidents --------------------------------------------------------------------------------------------------------
def create_incident(session: Session, occurred_at: datetime, lat: float | None, lon: float | None, category: str,
                    case_number: str = "", agency_id: int | None = None, text: str = "",
                    now: datetime | None = None) -> int:
    session.require(Permission.CREATE_REQUEST)
    now = now_or(now)
    with session.atomic() as conn:
        if agency_id is not None and "agency" in store.missing_refs(conn, agency_id, None):
            raise RequestError(f"There is no agency {agency_id}: choose one of the partner agencies.")
        incident_id = store.insert_incident(conn, to_iso(occurred_at), lat, lon, category.strip(), text.strip(),
                                            IncidentSource.AGENCY_REPORT.value, case_number.strip(), agency_id,
                                            to_iso(now))
        session.audit("incident_created", f"incident:{incident_id}", {"case_number": case_number.strip()})
    return incident_id
