"""The footage-request lifecycle with its safeguards: draft → awaiting approval → sent → resolved | expired | withdrawn.

Every act checks the acting user's permission here (not in the view), writes a request_transitions row for a
state change, and appends an audit entry in the same transaction. The policy (app.core.policy) is evaluated
again at approval and at sending, against the current limits and clock: a rule that fails must have been
overridden by a supervisor with a written reason (policy_overrides) or the request cannot go out. Approval
must come from a supervisor other than the author (app.services.requests.approval).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from app.core import policy
from app.core.camera_arrays import CameraArrays
from app.core.fence import Fence
from app.core.permissions import Permission
from app.core.public_log import PublicLogEntry, generalised_circle
from app.core.recipients import RecipientPlan, plan_recipients
from app.core.records import IncidentSource, RecipientState, RequestState, from_iso, to_iso, utc_now
from app.core.request_records import RequestRecord, RequestSummary, Transition
from app.services.requests.approval import check_request_approver, record_override
from app.services.requests.policy_settings import get_limits
from app.services.session import Session
from app.store import audit as audit_store
from app.store import owners as owner_store
from app.store import requests as store
from app.store.camera_arrays import load_arrays, opted_out_owners
from app.store.db import transaction

S = RequestState
EDITABLE = (S.DRAFT,)
OPEN_FOR_OVERRIDE = (S.DRAFT, S.AWAITING_APPROVAL)
WITHDRAWABLE = (S.DRAFT, S.AWAITING_APPROVAL, S.SENT)
RESPONSES = (RecipientState.SHARED, RecipientState.DECLINED, RecipientState.NO_FOOTAGE, RecipientState.NO_RESPONSE)


class RequestError(Exception):
    """A lifecycle step that cannot happen now; the message says why and what to do."""


class AnswerRecorded(RequestError):
    """The owner has answered already: a different answer is a change (change_response), with a reason."""

    def __init__(self, current: RecipientState) -> None:
        super().__init__(f"This owner has already answered “{current.value.replace('_', ' ')}”: change the answer "
                         "with a reason, so the old one stays on record.")
        self.current = current


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


def _now(now: datetime | None) -> datetime:
    return now or utc_now()


def _obj(request_id: int) -> str:
    return f"request:{request_id}"


def _get(conn: sqlite3.Connection, request_id: int) -> RequestRecord:
    record = store.get_request(conn, request_id)
    if record is None:
        raise RequestError(f"There is no footage request {request_id}.")
    return record


def _expect(record: RequestRecord, states: tuple[RequestState, ...], doing: str) -> None:
    if record.state not in states:
        names = " or ".join(s.value.replace("_", " ") for s in states)
        raise RequestError(f"Request {record.id} is {record.state.value.replace('_', ' ')}: it can be {doing} only "
                           f"when {names}.")


def _transition(session: Session, record: RequestRecord, to: RequestState, now: datetime, reason: str = "",
                **stamps: object) -> None:
    """State change + transition row + audit entry: the caller holds the transaction."""
    conn = session.conn
    at = to_iso(now)
    store.set_state(conn, record.id, to, **stamps)
    user = session.user
    store.add_transition(conn, record.id, record.state, to, at, user.id if user else None, reason)
    session.audit(f"request_{to.value}", _obj(record.id), {"from": record.state.value, "to": to.value,
                                                           "reason": reason, "case_number": record.case_number})


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
    now = _now(now)
    ctx = policy_context(conn, draft.agency_id, draft.incident_id, request_id, now)
    return policy.evaluate(draft.as_policy_draft(), get_limits(conn), ctx)


def check_request(conn: sqlite3.Connection, request_id: int, now: datetime | None = None) -> list[policy.RuleResult]:
    return check_draft(conn, DraftInput.from_record(_get(conn, request_id)), now, request_id)


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


# --- recipients -----------------------------------------------------------------------------------------------------
def plan_for(conn: sqlite3.Connection, record: RequestRecord, arrays: CameraArrays,
             now: datetime) -> RecipientPlan:
    lat, lon = store.incident_point(conn, record.incident_id) or (None, None)
    stale = np.isin(arrays.owner_id, opted_out_owners(conn)) & ~arrays.opted_out
    if stale.any():  # the arrays predate someone's opt-out: the store is the truth (one new column, not a copy)
        arrays = dataclasses.replace(arrays, opted_out=arrays.opted_out | stale)
    return plan_recipients(arrays, record.fence, lat, lon, from_iso(record.window_end), now)


def _store_plan(conn: sqlite3.Connection, request_id: int, plan: RecipientPlan) -> None:
    rows = list(zip(plan.camera_ids.tolist(), plan.owner_ids.tolist(), plan.rank.tolist(),
                    plan.covers_incident.astype(int).tolist(), plan.likely_overwritten.astype(int).tolist(),
                    strict=True))
    store.replace_recipients(conn, request_id, rows)


def _arrays(conn: sqlite3.Connection, arrays: CameraArrays | None) -> CameraArrays:
    return arrays if arrays is not None else load_arrays(conn)


# --- lifecycle ------------------------------------------------------------------------------------------------------
def create_draft(session: Session, draft: DraftInput, arrays: CameraArrays | None = None,
                 now: datetime | None = None) -> int:
    user = session.require(Permission.CREATE_REQUEST)
    now = _now(now)
    values = draft.values()
    with session.atomic() as conn:
        request_id = store.insert_request(conn, values, user.id, to_iso(now))
        store.add_transition(conn, request_id, None, S.DRAFT, to_iso(now), user.id, "created")
        record = _get(conn, request_id)
        plan = plan_for(conn, record, _arrays(conn, arrays), now)
        _store_plan(conn, request_id, plan)
        session.audit("request_created", _obj(request_id), {
            "case_number": values["case_number"], "agency_id": values["agency_id"], "area": json.loads(
                str(values["area_json"])), "window": [values["window_start"], values["window_end"]],
            "cameras_inside": plan.cameras_inside, "owners": plan.owners_notified})
    return request_id


def update_draft(session: Session, request_id: int, draft: DraftInput, arrays: CameraArrays | None = None,
                 now: datetime | None = None) -> None:
    session.require(Permission.CREATE_REQUEST)
    now = _now(now)
    values = draft.values()
    with session.atomic() as conn:
        before = _get(conn, request_id)
        _expect(before, EDITABLE, "edited")
        store.update_request(conn, request_id, values)
        plan = plan_for(conn, _get(conn, request_id), _arrays(conn, arrays), now)
        _store_plan(conn, request_id, plan)
        changed = {k: v for k, v in values.items() if getattr(before, k) != v}
        session.audit("request_edited", _obj(request_id), {"changed": sorted(changed)})


def submit(session: Session, request_id: int, now: datetime | None = None) -> list[policy.RuleResult]:
    """Draft → awaiting approval. Allowed with failed rules (a supervisor decides); returns them."""
    session.require(Permission.CREATE_REQUEST)
    now = _now(now)
    with session.atomic() as conn:
        record = _get(conn, request_id)
        _expect(record, (S.DRAFT,), "submitted")
        failed = policy.failures(check_request(conn, request_id, now))
        reason = "; ".join(f"{r.label}: {r.reason}" for r in failed)
        _transition(session, record, S.AWAITING_APPROVAL, now, reason and f"failed rules — {reason}")
    return failed


def return_to_draft(session: Session, request_id: int, reason: str = "", now: datetime | None = None) -> None:
    """Awaiting approval → draft, for corrections. Any approval given is cleared."""
    session.require(Permission.CREATE_REQUEST)
    now = _now(now)
    with session.atomic():
        record = _get(session.conn, request_id)
        _expect(record, (S.AWAITING_APPROVAL,), "returned to draft")
        _transition(session, record, S.DRAFT, now, reason or "returned for corrections", approved_by=None,
                    approved_at=None)


def override_rule(session: Session, request_id: int, rule: str, reason: str, now: datetime | None = None) -> int:
    """A supervisor lets one failed rule pass for this request, with a written reason (recorded and audited)."""
    now = _now(now)
    session.require(Permission.OVERRIDE_POLICY)  # before saying anything about the request's rules
    with session.atomic() as conn:
        record = _get(conn, request_id)
        _expect(record, OPEN_FOR_OVERRIDE, "overridden")
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
    now = _now(now)
    with session.atomic() as conn:
        record = _get(conn, request_id)
        user = check_request_approver(session, request_id)
        _expect(record, (S.AWAITING_APPROVAL,), "approved")
        if record.approved_by is not None:
            raise RequestError(f"Request {request_id} is already approved.")
        _refuse_if_blocked(conn, request_id, now, "approved")
        at = to_iso(now)
        store.set_state(conn, request_id, S.AWAITING_APPROVAL, approved_by=user.id, approved_at=at)
        store.add_transition(conn, request_id, S.AWAITING_APPROVAL, S.AWAITING_APPROVAL, at, user.id, "approved")
        session.audit("request_approved", _obj(request_id), {"author_id": record.created_by})


def send(session: Session, request_id: int, arrays: CameraArrays | None = None,
         now: datetime | None = None) -> RecipientPlan:
    """Approved → sent: recipients fixed (opt-outs up to this moment honoured), public number, expiry date."""
    session.require(Permission.CREATE_REQUEST)
    now = _now(now)
    with session.atomic() as conn:
        record = _get(conn, request_id)
        _expect(record, (S.AWAITING_APPROVAL,), "sent")
        if record.approved_by is None:
            raise RequestError(f"Request {request_id} needs a supervisor's approval (not its author's) before it "
                               "is sent.")
        _refuse_if_blocked(conn, request_id, now, "sent")
        plan = plan_for(conn, record, _arrays(conn, arrays), now)
        _store_plan(conn, request_id, plan)
        limits = get_limits(conn)
        public_no = store.next_public_no(conn)
        _transition(session, record, S.SENT, now, f"public log #{public_no}; {plan.owners_notified} owners notified",
                    sent_at=to_iso(now), expires_at=to_iso(policy.expires_at(now, limits)), public_no=public_no)
        session.audit("request_recipients", _obj(request_id), {
            "public_no": public_no, "owners_notified": plan.owners_notified, "cameras": plan.contacted_cameras,
            "opted_out_cameras": plan.opted_out_cameras, "opted_out_owners": plan.opted_out_owners,
            "ownerless_cameras": plan.ownerless_cameras})
    return plan


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
    record = _get(conn, request_id)
    plan = plan_for(conn, record, _arrays(conn, arrays), _now(now))
    owners = sorted({int(o) for o in plan.owner_ids.tolist()})
    return SendPreview(plan.owners_notified, plan.contacted_cameras,
                       owner_store.contact_preference_counts(conn, owners), plan.opted_out_owners)


def withdraw(session: Session, request_id: int, reason: str, now: datetime | None = None) -> None:
    session.require(Permission.CREATE_REQUEST)
    if not reason.strip():
        raise RequestError("Say why the request is withdrawn: the reason is kept with it.")
    now = _now(now)
    with session.atomic() as conn:
        record = _get(conn, request_id)
        _expect(record, WITHDRAWABLE, "withdrawn")
        if record.state == S.SENT:
            store.close_pending(conn, request_id)
        _transition(session, record, S.WITHDRAWN, now, reason.strip())


def resolve(session: Session, request_id: int, footage_useful: bool | None, led_to_arrest: bool | None,
            notes: str = "", now: datetime | None = None) -> None:
    """Sent → resolved, with the outcome (so the program's effectiveness is measured, not asserted)."""
    user = session.require(Permission.CREATE_REQUEST)
    now = _now(now)
    with session.atomic() as conn:
        record = _get(conn, request_id)
        _expect(record, (S.SENT,), "resolved")
        store.close_pending(conn, request_id)
        store.set_outcome(conn, request_id, footage_useful, led_to_arrest, notes.strip(), to_iso(now), user.id)
        _transition(session, record, S.RESOLVED, now, notes.strip(), resolved_at=to_iso(now))
        session.audit("request_outcome", _obj(request_id), {"footage_useful": footage_useful,
                                                            "led_to_arrest": led_to_arrest})


def expire_due(conn: sqlite3.Connection, now: datetime | None = None) -> list[int]:
    """Expire every sent request past its expiry date (called at launch and on a timer). Returns their ids."""
    now = _now(now)
    at = to_iso(now)
    if not store.due_for_expiry(conn, at):
        return []
    with transaction(conn):
        due = store.due_for_expiry(conn, at)
        for request_id in due:
            store.close_pending(conn, request_id)
            store.set_state(conn, request_id, S.EXPIRED)
            store.add_transition(conn, request_id, S.SENT, S.EXPIRED, at, None, "expired")
            audit_store.append(conn, "system", "request_expired", _obj(request_id), {"at": at}, at=at)
    return due


# --- responses and consent --------------------------------------------------------------------------------------------
def record_response(session: Session, request_id: int, owner_id: int, state: RecipientState,
                    now: datetime | None = None, opt_out: bool = False) -> None:
    session.require(Permission.RECORD_RESPONSE)
    state = RecipientState(state)
    if state not in RESPONSES:
        raise RequestError(f"“{state.value}” is not an answer.")
    now = _now(now)
    with session.atomic() as conn:
        record = _get(conn, request_id)
        _expect(record, (S.SENT,), "answered")
        current = store.owner_response(conn, request_id, owner_id)
        if current is None:
            raise RequestError(f"Owner {owner_id} is not a recipient of request {request_id}.")
        if current != RecipientState.PENDING and current != state:
            raise AnswerRecorded(current)
        responded_at = None if state == RecipientState.NO_RESPONSE else to_iso(now)
        store.set_owner_response(conn, request_id, owner_id, state, responded_at)
        session.audit("response_recorded", _obj(request_id), {"owner_id": owner_id, "state": state.value})
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
    now = _now(now)
    with session.atomic() as conn:
        record = _get(conn, request_id)
        _expect(record, (S.SENT,), "answered")
        old = store.owner_response(conn, request_id, owner_id)
        if old is None:
            raise RequestError(f"Owner {owner_id} is not a recipient of request {request_id}.")
        if old == state:
            raise RequestError(f"The answer is already “{state.value.replace('_', ' ')}”.")
        responded_at = None if state == RecipientState.NO_RESPONSE else to_iso(now)
        store.set_owner_response(conn, request_id, owner_id, state, responded_at)
        session.audit("response_changed", _obj(request_id), {"owner_id": owner_id, "from": old.value,
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
    """Honour "opt out of all future requests" at once: consent off, and off every request not yet sent."""
    session.require(Permission.RECORD_RESPONSE)
    now = _now(now)
    with session.atomic() as conn:
        if not store.set_owner_opted_out(conn, owner_id, to_iso(now)):
            raise RequestError(f"There is no owner {owner_id}.")
        dropped = store.drop_owner_from_unsent(conn, owner_id)
        session.audit("owner_opted_out", f"owner:{owner_id}", {"via_request": via_request,
                                                                "removed_from_requests": dropped})
    return dropped


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
    session.audit("owner_contact_viewed", _obj(request_id), {"purpose": purpose, "owners": len(rows)})
    return [Notice(*r[:8]) for r in rows]


def list_requests(session: Session, states: list[RequestState] | None = None) -> list[RequestSummary]:
    session.require(Permission.CREATE_REQUEST)
    return store.list_requests(session.conn, states)


def timeline(session: Session, request_id: int) -> list[Transition]:
    session.require(Permission.CREATE_REQUEST)
    return store.transitions(session.conn, request_id)


# --- reads for the Requests tab and the request dialog (the same permission as the list) -------------------------
def get_request(session: Session, request_id: int) -> RequestRecord | None:
    session.require(Permission.CREATE_REQUEST)
    return store.get_request(session.conn, request_id)


def agencies(session: Session) -> list[tuple[int, str]]:
    """(id, name) of the partner agencies whose partnership has not ended."""
    session.require(Permission.CREATE_REQUEST)
    return store.agencies(session.conn)


def agency_name(session: Session, agency_id: int) -> str:
    session.require(Permission.CREATE_REQUEST)
    return store.agency_name(session.conn, agency_id)


def agency_point(session: Session, agency_id: int | None) -> tuple[float, float] | None:
    session.require(Permission.CREATE_REQUEST)
    return store.agency_point(session.conn, agency_id)


def recent_incidents(session: Session, agency_id: int | None) -> list[tuple]:
    session.require(Permission.CREATE_REQUEST)
    return store.recent_incidents(session.conn, agency_id)


def incident_point(session: Session, incident_id: int | None) -> tuple[float, float] | None:
    session.require(Permission.CREATE_REQUEST)
    return store.incident_point(session.conn, incident_id)


def recipient_points(session: Session, request_id: int) -> list[tuple[float, float, bool, str]]:
    session.require(Permission.CREATE_REQUEST)
    return store.recipient_points(session.conn, request_id)


def overrides(session: Session, request_id: int) -> list[tuple[str, str, str, str]]:
    """(rule, reason, who, at) of every rule a supervisor let pass on this request."""
    session.require(Permission.CREATE_REQUEST)
    return store.overrides(session.conn, request_id)


def overridden_rules(session: Session, request_id: int) -> set[str]:
    session.require(Permission.CREATE_REQUEST)
    return store.overridden_rules(session.conn, request_id)


def camera_arrays(session: Session) -> CameraArrays:
    """The registry as arrays, for the recipient preview when the window has not loaded it yet."""
    session.require(Permission.CREATE_REQUEST)
    return load_arrays(session.conn)


# --- incidents --------------------------------------------------------------------------------------------------------
def create_incident(session: Session, occurred_at: datetime, lat: float | None, lon: float | None, category: str,
                    case_number: str = "", agency_id: int | None = None, text: str = "",
                    now: datetime | None = None) -> int:
    session.require(Permission.CREATE_REQUEST)
    now = _now(now)
    with session.atomic() as conn:
        incident_id = store.insert_incident(conn, to_iso(occurred_at), lat, lon, category.strip(), text.strip(),
                                            IncidentSource.AGENCY_REPORT.value, case_number.strip(), agency_id,
                                            to_iso(now))
        session.audit("incident_created", f"incident:{incident_id}", {"case_number": case_number.strip()})
    return incident_id


# --- public log -------------------------------------------------------------------------------------------------------
def public_log(session: Session) -> list[PublicLogEntry]:
    session.require(Permission.VIEW_PUBLIC_LOG)
    return public_log_entries(session.conn)


def public_log_head(session: Session) -> audit_store.ChainHead:
    """The audit chain head a published copy of the log carries (anyone holding it can check the log later)."""
    session.require(Permission.VIEW_PUBLIC_LOG)
    return audit_store.current_head(session.conn)


def export_public_log(session: Session, path: Path, fmt: str, entries: list[PublicLogEntry] | None = None) -> int:
    """Write the public request log as CSV or HTML, carrying the audit chain head, and audit the export.
    Returns the number of entries written."""
    from app.io.public_log_export import write_public_log_csv, write_public_log_html

    session.require(Permission.VIEW_PUBLIC_LOG)
    entries = public_log(session) if entries is None else entries
    head = public_log_head(session)
    if fmt == "csv":
        n = write_public_log_csv(path, entries, head)
    else:
        n = write_public_log_html(path, entries, generated_at=to_iso(utc_now()), head=head)
    session.audit("public_log_exported", "public_log", {"file": path.name, "format": fmt, "entries": n,
                                                        "head_seq": head.seq, "head_hash": head.hash})
    return n


def public_log_entries(conn: sqlite3.Connection) -> list[PublicLogEntry]:
    from app.core.fence import fence_from_json

    out = []
    for row in store.public_log_rows(conn):
        lat, lon, radius = generalised_circle(fence_from_json(json.loads(row[4])))
        out.append(PublicLogEntry(row[0], row[1], row[2], row[3], lat, lon, radius, row[5], row[6], row[7], row[8],
                                  row[9], row[10], row[11], row[12], row[13], row[14]))
    return out
