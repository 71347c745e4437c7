"""The distribution ledger as acts of a signed-in user. Every edit is checked against the whole ledger
(app.core.ledger.check_ledger) inside its transaction, so an impossible ledger is never written; every edit is
audited; delete/restore make undo possible. No Qt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.core import ledger as core
from app.core.agencies import parse_date
from app.core.ledger import CREDIT, DISTRIBUTION, SHIPMENT, Balances, Entry, LedgerRefused
from app.core.permissions import Permission
from app.services.session import Session
from app.store import agencies as agency_store
from app.store import cameras as camera_store
from app.store import ledger as store
from app.store import owners as owner_store

CONDITIONAL_WARNING = ("Making footage sharing a condition of a free camera undermines voluntary consent: a resident "
                       "who must share to keep the camera cannot freely decline a request. The handout will be "
                       "counted as conditional in the transparency report.")


@dataclass(frozen=True)
class DistributionInput:
    agency_id: int
    distributed_on: str
    units: int = 1
    shipment_id: int | None = None
    owner_id: int | None = None
    camera_id: int | None = None
    terms_shown: str = ""
    terms_accepted: bool = True
    sharing_condition: bool = False
    installed_on: str | None = None


def _today() -> str:
    return date.today().isoformat()


def _check(session: Session, agency_id: int, entries: list[Entry]) -> None:
    """Refuse the edit when the ledger after it has a problem the stored ledger did not have (a store imported
    with an inconsistency must not block every later edit; that problem is shown in the view instead)."""
    problems = core.check_ledger(entries, _today())
    if problems:
        before = set(core.check_ledger(store.entries(session.conn, agency_id), _today()))
        new = [p for p in problems if p not in before]
        if new:
            raise LedgerRefused(new)


def _agency(session: Session, agency_id: int) -> None:
    if agency_store.get_agency(session.conn, agency_id) is None:
        raise LedgerRefused([f"There is no agency {agency_id}."])


def _records_exist(session: Session, owner_id: int | None, camera_id: int | None) -> None:
    """The resident and the camera a handout names are records of the store (not ids the caller made up)."""
    problems = []
    if owner_id is not None and owner_store.get_owner(session.conn, owner_id) is None:
        problems.append(f"There is no owner {owner_id} in the registry.")
    if camera_id is not None and camera_store.get_camera(session.conn, camera_id) is None:
        problems.append(f"There is no camera {camera_id} in the registry.")
    if problems:
        raise LedgerRefused(problems)


def _entry(kind: str, row: dict[str, Any]) -> Entry:
    if kind == SHIPMENT:
        return Entry(SHIPMENT, row["id"], row["shipped_on"], row["units"])
    if kind == CREDIT:
        return Entry(CREDIT, row["id"], row["recorded_on"], row["units_earned"], downloads=row["downloads"])
    return Entry(DISTRIBUTION, row["id"], row["distributed_on"], row["units"], row["shipment_id"],
                 row["installed_on"], conditional=bool(row["sharing_condition"]))


def problems(session: Session, agency_id: int) -> list[str]:
    """What is wrong with the stored ledger (e.g. from an import), for the view to show."""
    return core.check_ledger(store.entries(session.conn, agency_id), _today())


def balances(session: Session, agency_id: int) -> Balances:
    return core.balances(store.entries(session.conn, agency_id))


def add_shipment(session: Session, agency_id: int, shipped_on: str, units: int, model: str, notes: str = "") -> int:
    session.require(Permission.MANAGE_PROGRAM)
    day = parse_date(shipped_on, "shipped on")
    with session.atomic() as conn:
        _agency(session, agency_id)
        _check(session, agency_id, [*store.entries(conn, agency_id), Entry(SHIPMENT, 0, day, units)])
        sid = store.add_shipment(conn, agency_id, day, units, model.strip(), notes.strip())
        session.audit("shipment_recorded", f"shipment:{sid}", {"agency_id": agency_id, "on": day, "units": units,
                                                               "model": model.strip()})
    return sid


def add_distribution(session: Session, d: DistributionInput) -> int:
    session.require(Permission.MANAGE_PROGRAM)
    day = parse_date(d.distributed_on, "handed out on")
    installed = parse_date(d.installed_on, "installed on") if d.installed_on else None
    if not d.terms_shown.strip():
        raise LedgerRefused(["Record the terms the resident was shown (the text of the handout agreement)."])
    if installed and d.camera_id is None:
        raise LedgerRefused(["An installed camera must be linked to its registered camera."])
    with session.atomic() as conn:
        _agency(session, d.agency_id)
        _records_exist(session, d.owner_id, d.camera_id)
        new = Entry(DISTRIBUTION, 0, day, d.units, d.shipment_id, installed, conditional=d.sharing_condition)
        _check(session, d.agency_id, [*store.entries(conn, d.agency_id), new])
        did = store.add_distribution(conn, d.agency_id, d.shipment_id, d.owner_id, d.camera_id, day, d.units,
                                     d.terms_shown.strip(), d.terms_accepted, d.sharing_condition, installed)
        session.audit("distribution_recorded", f"distribution:{did}", {
            "agency_id": d.agency_id, "on": day, "units": d.units, "shipment_id": d.shipment_id,
            "owner_id": d.owner_id, "camera_id": d.camera_id, "sharing_condition": d.sharing_condition})
    return did


def mark_installed(session: Session, distribution_id: int, camera_id: int, installed_on: str) -> None:
    session.require(Permission.MANAGE_PROGRAM)
    day = parse_date(installed_on, "installed on")
    with session.atomic() as conn:
        row = store.row(conn, DISTRIBUTION, distribution_id)
        if row is None:
            raise LedgerRefused([f"There is no distribution {distribution_id}."])
        _records_exist(session, None, camera_id)
        entries = [e if not (e.kind == DISTRIBUTION and e.id == distribution_id) else
                   Entry(DISTRIBUTION, e.id, e.on, e.units, e.shipment_id, day, conditional=e.conditional)
                   for e in store.entries(conn, row["agency_id"])]
        _check(session, row["agency_id"], entries)
        store.set_installed(conn, distribution_id, camera_id, day)
        old_new = {k: [row[k], v] for k, v in (("camera_id", camera_id), ("installed_on", day)) if row[k] != v}
        session.audit("distribution_installed", f"distribution:{distribution_id}", {"camera_id": camera_id,
                                                                                    "on": day, "old_new": old_new})


def add_credit(session: Session, agency_id: int, period: str, downloads: int, recorded_on: str | None = None) -> int:
    """Downloads credited to the agency's code for a month; the units earned follow from its terms (N per unit,
    remainders carried over between months)."""
    session.require(Permission.MANAGE_PROGRAM)
    month = core.period_of(period)
    day = parse_date(recorded_on, "recorded on") if recorded_on else _today()
    if downloads < 0:
        raise LedgerRefused(["Downloads cannot be negative."])
    with session.atomic() as conn:
        agency = agency_store.get_agency(conn, agency_id)
        if agency is None:
            raise LedgerRefused([f"There is no agency {agency_id}."])
        if store.has_credit(conn, agency_id, month):
            raise LedgerRefused([f"Downloads for {month} are already recorded for {agency.name}: delete that entry "
                                 "first to correct it."])
        before = store.credit_downloads(conn, agency_id, month)
        earned = core.units_earned([before, downloads], agency.downloads_per_unit)[1]
        _check(session, agency_id, [*store.entries(conn, agency_id), Entry(CREDIT, 0, day, earned,
                                                                           downloads=downloads)])
        cid = store.add_credit(conn, agency_id, month, downloads, earned, day)
        session.audit("download_credit_recorded", f"credit:{cid}", {"agency_id": agency_id, "period": month,
                                                                    "downloads": downloads, "units_earned": earned})
    return cid


def _kind(kind: str) -> str:
    if kind not in (SHIPMENT, DISTRIBUTION, CREDIT):
        raise LedgerRefused([f"There are no ledger entries of kind {kind!r} (only {SHIPMENT}, {DISTRIBUTION} and "
                             f"{CREDIT})."])
    return kind


def delete_entry(session: Session, kind: str, entry_id: int) -> dict[str, Any]:
    """Remove a ledger entry (refused if the rest would be impossible, e.g. a shipment units came from)."""
    session.require(Permission.MANAGE_PROGRAM)
    _kind(kind)
    with session.atomic() as conn:
        row = store.row(conn, kind, entry_id)
        if row is None:
            raise LedgerRefused([f"There is no {kind} {entry_id}."])
        rest = [e for e in store.entries(conn, row["agency_id"]) if not (e.kind == kind and e.id == entry_id)]
        if kind == SHIPMENT:
            users = [e.id for e in rest if e.kind == DISTRIBUTION and e.shipment_id == entry_id]
            if users:
                raise LedgerRefused([f"Shipment {entry_id} cannot be removed: distributions "
                                     f"{', '.join(map(str, users[:5]))} came from it."])
        _check(session, row["agency_id"], rest)
        store.delete(conn, kind, entry_id)
        session.audit(f"{kind}_deleted", f"{kind}:{entry_id}", {"row": row})
    session.remember(f"ledger_{kind}_deleted", row)
    return row


def restore_entry(session: Session, kind: str, row: dict[str, Any]) -> None:
    """Put a deleted entry back exactly as it was (undo of delete_entry), checked like any other edit. Only a row
    delete_entry returned in this session, unaltered, comes back (the caller's copy is not trusted: a handout made on
    condition of sharing footage cannot come back unconditional), and only while no entry has its id."""
    session.require(Permission.MANAGE_PROGRAM)
    _kind(kind)
    if not session.issued(f"ledger_{kind}_deleted", row):
        raise LedgerRefused(["This is not an entry Canvass removed in this session (or its values were altered): "
                             "nothing was restored."])
    with session.atomic() as conn:
        if store.row(conn, kind, row["id"]) is not None:
            raise LedgerRefused([f"The {kind} {row['id']} is in the ledger already: nothing was restored."])
        kept = store.entries(conn, row["agency_id"])
        _check(session, row["agency_id"], [*kept, _entry(kind, row)])
        store.restore(conn, kind, row)
        session.audit(f"{kind}_restored", f"{kind}:{row['id']}", {"row": row})


def owner_choices(session: Session, limit: int = 5000) -> list[tuple[int, str]]:
    """Residents a handout can be recorded to (names only, no contact details: not an owner-contact view)."""
    session.require(Permission.MANAGE_PROGRAM)
    return store.owner_choices(session.conn, limit)
