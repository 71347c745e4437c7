"""Operations as acts of a signed-in user: the plan stated before the start and locked after it (changes become
audited revisions), statements with their organisation, cameras and partners, and the outcome. No Qt."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from app.core import operations as core
from app.core.agencies import parse_date
from app.core.fence import Fence
from app.core.operations import OperationError
from app.core.permissions import Permission
from app.core.records import to_iso, utc_now
from app.services.session import Session
from app.store import agencies as agency_store
from app.store import cameras as camera_store
from app.store import operations as store
from app.store.operations import OperationRow


def _now() -> str:
    return to_iso(utc_now())


def _get(session: Session, op_id: int) -> OperationRow:
    op = store.get_operation(session.conn, op_id)
    if op is None:
        raise OperationError(f"There is no operation {op_id}.")
    return op


def _shown(key: str, value: object) -> object:
    """A value as an audit entry names it: an area (a whole polygon) by its SHA-256, the rest as stored."""
    if key == "area_json" and value:
        return "sha256:" + hashlib.sha256(str(value).encode("utf-8")).hexdigest()
    return value


def _old_new(op: OperationRow, values: dict[str, object]) -> dict[str, list[object]]:
    """What an edit changes, old → new (fields whose value stays are left out)."""
    return {k: [_shown(k, getattr(op, k)), _shown(k, v)] for k, v in values.items() if getattr(op, k) != v}


def _check_cameras(session: Session, camera_ids: list[int]) -> list[int]:
    ids = sorted({int(c) for c in camera_ids})
    known = {r["id"] for r in camera_store.camera_rows(session.conn, ids)}
    missing = [c for c in ids if c not in known]
    if missing:
        raise OperationError(f"There is no camera {', '.join(map(str, missing[:5]))}"
                             f"{'…' if len(missing) > 5 else ''} in the registry: nothing was changed.")
    return ids


def create(session: Session, agency_id: int, name: str, kind: str, started_on: str, goal: str,
           success_measure: str, ended_on: str | None = None, description: str = "", area: Fence | None = None,
           camera_ids: list[int] | None = None, partners: list[tuple[str, int | None]] | None = None,
           today: str | None = None) -> int:
    """A new operation. Its goal and success measure must be stated now; once its start date has passed they are
    locked. An operation cannot be recorded after the fact with a fresh plan: its start must not be in the past."""
    session.require(Permission.MANAGE_PROGRAM)
    start = parse_date(started_on, "start date") if started_on else ""
    end = parse_date(ended_on, "end date") if ended_on else None
    problems = core.check_new(goal, success_measure, name, start, end)
    today = today or date.today().isoformat()
    if start and start < today:
        problems.append(f"The start date {start} is in the past: state an operation's goal and success measure "
                        "before it starts.")
    if problems:
        raise OperationError(" ".join(problems))
    op = OperationRow(None, agency_id, name.strip(), kind.strip(), start, end, description.strip(), goal.strip(),
                      success_measure.strip(), json.dumps(area.to_json()) if area is not None else None,
                      created_at=_now())
    with session.atomic() as conn:
        if agency_store.get_agency(conn, agency_id) is None:
            raise OperationError(f"There is no agency {agency_id}.")
        if camera_ids:
            _check_cameras(session, camera_ids)
        op_id = store.add_operation(conn, op)
        if camera_ids:
            store.set_cameras(conn, op_id, camera_ids)
        if partners:
            store.set_partners(conn, op_id, partners)
        session.audit("operation_created", f"operation:{op_id}", {
            "name": op.name, "goal": op.goal, "success_measure": op.success_measure, "started_on": start,
            "cameras": len(camera_ids or []), "partners": [p[0] for p in partners or []]})
    return op_id


def is_locked(op: OperationRow, now: str | None = None) -> bool:
    return core.is_started(op.started_on, now or _now())


def change_plan(session: Session, op_id: int, goal: str, success_measure: str, reason: str = "",
                now: str | None = None) -> bool:
    """Change the goal/success measure. Before the start: an edit. After: a revision per field with the reason,
    the old wording kept. Returns True when revisions were written."""
    session.require(Permission.MANAGE_PROGRAM)
    now = now or _now()
    with session.atomic() as conn:
        op = _get(session, op_id)
        old = {"goal": op.goal, "success_measure": op.success_measure}
        new = {"goal": goal.strip(), "success_measure": success_measure.strip()}
        check = core.check_plan_change(old, new, op.started_on, now, reason)
        if not check.changed:
            return False
        store.update_fields(conn, op_id, {f: new[f] for f in check.changed})
        if check.locked:
            for f in check.changed:
                store.add_revision(conn, op_id, f, old[f], new[f], reason.strip(), session.actor, now)
        session.audit("operation_plan_revised" if check.locked else "operation_plan_edited", f"operation:{op_id}",
                      {"fields": list(check.changed), "old": {f: old[f] for f in check.changed},
                       "new": {f: new[f] for f in check.changed}, "reason": reason.strip()})
    return check.locked


def edit_details(session: Session, op_id: int, **values: object) -> None:
    """Dates, description, kind, name, area — not the plan (change_plan) nor the outcome (record_outcome)."""
    session.require(Permission.MANAGE_PROGRAM)
    allowed = {"name", "kind", "ended_on", "description", "area_json"}
    bad = set(values) - allowed
    if bad:
        raise OperationError(f"Use the plan or outcome steps for: {', '.join(sorted(bad))}.")
    if "name" in values:
        values["name"] = str(values["name"] or "").strip()
        if not values["name"]:
            raise OperationError("An operation needs a name.")
    with session.atomic() as conn:
        op = _get(session, op_id)
        if values.get("ended_on"):
            values["ended_on"] = parse_date(str(values["ended_on"]), "end date")
            if str(values["ended_on"]) < op.started_on[:10]:
                raise OperationError(f"The end date {values['ended_on']} is before the start {op.started_on[:10]}.")
        old_new = _old_new(op, values)
        store.update_fields(conn, op_id, values)
        session.audit("operation_changed", f"operation:{op_id}", {"fields": sorted(values), "old_new": old_new})


def add_statement(session: Session, op_id: int, made_on: str, organisation: str, text: str, speaker: str = "",
                  url: str = "") -> int:
    session.require(Permission.MANAGE_PROGRAM)
    if not organisation.strip():
        raise OperationError("Name the organisation that made the statement.")
    if not text.strip():
        raise OperationError("A statement needs its text (quote it).")
    day = parse_date(made_on, "statement date")
    with session.atomic() as conn:
        _get(session, op_id)
        sid = store.add_statement(conn, op_id, day, organisation, speaker, text, url)
        session.audit("operation_statement_added", f"operation:{op_id}", {"statement": sid,
                                                                          "organisation": organisation.strip()})
    return sid


def record_outcome(session: Session, op_id: int, result: str, arrests: int, recoveries: int, notes: str) -> None:
    """The outcome against the stated measure; a null result is recorded like any other."""
    session.require(Permission.MANAGE_PROGRAM)
    core.check_outcome(result, arrests, recoveries)
    if not result:
        raise OperationError("Choose a result: success, partly met, null result or inconclusive.")
    with session.atomic() as conn:
        op = _get(session, op_id)
        if not core.is_started(op.started_on, _now()):
            raise OperationError("The operation has not started yet: record its outcome after it ran.")
        values: dict[str, object] = {"result": result, "arrests": arrests, "recoveries": recoveries,
                                     "outcome": notes.strip()}
        old_new = _old_new(op, values) if op.outcome_recorded_at else {}
        store.update_fields(conn, op_id, {**values, "outcome_recorded_at": _now()})
        session.audit("operation_outcome_recorded", f"operation:{op_id}", {
            "result": result, "arrests": arrests, "recoveries": recoveries, "previous": op.result or None,
            **({"old_new": old_new} if old_new else {})})


def set_cameras(session: Session, op_id: int, camera_ids: list[int]) -> None:
    session.require(Permission.MANAGE_PROGRAM)
    with session.atomic() as conn:
        _get(session, op_id)
        ids = _check_cameras(session, camera_ids)
        before = set(store.cameras(conn, op_id))
        store.set_cameras(conn, op_id, ids)
        session.audit("operation_cameras_set", f"operation:{op_id}", {
            "cameras": len(ids), "added": sorted(set(ids) - before), "removed": sorted(before - set(ids))})

