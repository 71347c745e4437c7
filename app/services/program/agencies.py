"""Agencies and milestones as acts of a signed-in user: permission, validation, the audit entry. No Qt."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from app.core.agencies import Agency, GrowthSeries, growth_series, normalise_jurisdiction, parse_date, validate_agency
from app.core.permissions import Permission
from app.core.records import to_iso, utc_now
from app.services.session import Session
from app.store import agencies as store


class AgencyError(ValueError):
    """The agency cannot be stored; errors maps field -> reason (str() joins them)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _clean(agency: Agency) -> Agency:
    a = dataclasses.replace(agency, name=agency.name.strip(), city=agency.city.strip(), state=agency.state.strip(),
                            download_code=agency.download_code.strip(), terms=agency.terms.strip())
    errors = validate_agency(a)
    if errors:
        raise AgencyError(errors)
    if a.jurisdiction_geojson:
        a.jurisdiction_geojson = normalise_jurisdiction(a.jurisdiction_geojson)
    return a


def _details(a: Agency) -> dict[str, Any]:
    return {"name": a.name, "kind": a.kind, "status": a.status, "partnered_on": a.partnered_on,
            "jurisdiction": bool(a.jurisdiction_geojson), "case_number_pattern": a.case_number_pattern}


def add_agency(session: Session, agency: Agency) -> int:
    session.require(Permission.MANAGE_AGENCIES)
    a = _clean(agency)
    with session.atomic() as conn:
        agency_id = store.add_agency(conn, dataclasses.replace(a, id=None))
        session.audit("agency_added", f"agency:{agency_id}", _details(a))
    return agency_id


def update_agency(session: Session, agency: Agency) -> dict[str, Any]:
    """Store an edit; returns the change {"id", "before", "after"} (whole rows), for undo (apply_agency_change)."""
    session.require(Permission.MANAGE_AGENCIES)
    if agency.id is None:
        raise AgencyError({"name": "this agency is not stored yet"})
    a = _clean(agency)
    with session.atomic() as conn:
        before = store.agency_row(conn, a.id)
        if before is None:
            raise AgencyError({"name": f"there is no agency {a.id}"})
        store.update_agency(conn, a)
        after = store.agency_row(conn, a.id) or {}
        session.audit("agency_changed", f"agency:{a.id}", _change_details(a, before, after))
    change = {"id": a.id, "before": before, "after": after}
    session.remember("agency_changed", change)
    return change


def _change_details(a: Agency, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changed = sorted(k for k in after if after[k] != before.get(k))
    old_new = {k: [_shown(k, before.get(k)), _shown(k, after[k])] for k in changed}
    return {"changed": changed, **_details(a), "old_new": old_new}


def apply_agency_change(session: Session, change: dict[str, Any], undo: bool) -> None:
    """Undo (back to the values before) or redo (the values after) of an edit update_agency made in this session,
    audited old -> new like the edit. Only a change it returned, unaltered, is taken (the caller's copy is not
    trusted), and only while the agency holds the values of the other side (an edit made since is not overwritten)."""
    session.require(Permission.MANAGE_AGENCIES)
    if not session.issued("agency_changed", change):
        raise AgencyError({"name": "this is not an agency edit Canvass made in this session (or its values were "
                                   "altered); nothing was changed"})
    expect, put = (change["after"], change["before"]) if undo else (change["before"], change["after"])
    verb = "undo" if undo else "redo"
    with session.atomic() as conn:
        now = store.agency_row(conn, change["id"])
        if now is None:
            raise AgencyError({"name": f"agency {change['id']} no longer exists; nothing was changed"})
        if now != expect:
            raise AgencyError({"name": f"{now['name']} was changed since this edit; the {verb} stops here (nothing "
                                       "was changed)"})
        a = Agency(**put)
        store.update_agency(conn, a)
        session.audit(f"agency_changed_{verb}", f"agency:{a.id}", _change_details(a, now, put))


def _shown(key: str, value: Any) -> Any:
    """A value as the audit entry names it: a jurisdiction (a whole polygon) by its SHA-256, the rest as stored."""
    if key == "jurisdiction_geojson" and value:
        return "sha256:" + hashlib.sha256(str(value).encode("utf-8")).hexdigest()
    return value


def delete_agency(session: Session, agency_id: int) -> dict[str, Any]:
    """Delete an agency nothing refers to; returns its row (for undo)."""
    session.require(Permission.MANAGE_AGENCIES)
    with session.atomic() as conn:
        row = store.agency_row(conn, agency_id)
        if row is None:
            raise AgencyError({"name": f"there is no agency {agency_id}"})
        used = store.agency_in_use(conn, agency_id)
        if used:
            raise AgencyError({"name": f"{row['name']} has {used} on record: set its status to 'ended' instead of "
                                       "deleting it"})
        store.delete_agency(conn, agency_id)
        session.audit("agency_deleted", f"agency:{agency_id}", {"name": row["name"]})
    session.remember("agency_deleted", row)
    return row


def restore_agency(session: Session, row: dict[str, Any]) -> None:
    """Undo of delete_agency: only the row it returned in this session, unaltered, and only while no agency has
    its id (the caller's copy is not trusted: it cannot bring back a partnership with other values)."""
    session.require(Permission.MANAGE_AGENCIES)
    if not session.issued("agency_deleted", row):
        raise AgencyError({"name": "this is not an agency Canvass deleted in this session (or its values were "
                                   "altered); nothing was restored"})
    with session.atomic() as conn:
        if store.get_agency(conn, row["id"]) is not None:
            raise AgencyError({"name": f"agency {row['id']} exists already; nothing was restored"})
        store.restore_agency(conn, row)
        session.audit("agency_restored", f"agency:{row['id']}", {"name": row["name"]})


def list_agencies(session: Session) -> list[Agency]:
    return store.list_agencies(session.conn)


def growth(session: Session) -> GrowthSeries:
    return growth_series(store.partnerships(session.conn))


def add_milestone(session: Session, on_date: str, label: str) -> int:
    session.require(Permission.MANAGE_AGENCIES)
    day = parse_date(on_date, "milestone date")
    if not label.strip():
        raise ValueError("a milestone needs a label")
    with session.atomic() as conn:
        mid = store.add_milestone(conn, day, label, session.actor, to_iso(utc_now()))
        session.audit("milestone_added", f"milestone:{mid}", {"on": day, "label": label.strip()})
    return mid


def delete_milestone(session: Session, milestone_id: int) -> dict[str, Any]:
    """Delete a milestone; returns its row (for undo: restore_milestone)."""
    session.require(Permission.MANAGE_AGENCIES)
    with session.atomic() as conn:
        row = store.milestone_row(conn, milestone_id)
        if row is None:
            raise AgencyError({"milestone": f"there is no milestone {milestone_id}"})
        store.delete_milestone(conn, milestone_id)
        session.audit("milestone_deleted", f"milestone:{milestone_id}", {"on": row["on_date"], "label": row["label"]})
    session.remember("milestone_deleted", row)
    return row


def restore_milestone(session: Session, row: dict[str, Any]) -> None:
    """Undo of delete_milestone: only the row it returned in this session, unaltered (who marked it and when
    included), and only while no milestone has its id."""
    session.require(Permission.MANAGE_AGENCIES)
    if not session.issued("milestone_deleted", row):
        raise AgencyError({"milestone": "this is not a milestone Canvass deleted in this session (or its values were "
                                        "altered); nothing was restored"})
    with session.atomic() as conn:
        if store.milestone_row(conn, row["id"]) is not None:
            raise AgencyError({"milestone": f"milestone {row['id']} exists already; nothing was restored"})
        store.restore_milestone(conn, row)
        session.audit("milestone_restored", f"milestone:{row['id']}", {"on": row["on_date"], "label": row["label"]})
