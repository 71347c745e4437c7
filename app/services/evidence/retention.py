"""Retention, legal holds, the two-step purge, consent withdrawal and deletion certificates.

- Shared footage is purged `purge_days` (a request limit, default 90) after its last request closes; an item in
  several requests keeps the longest period (core.evidence.retention_due).
- A legal hold is a record (reason, case or authority, supervisor, review date) and is released with a logged
  reason. Held items are never marked or removed.
- Purge is two-step: run_purge() marks what is due, and removes a marked item's file only after the 7-day grace
  period; within it a supervisor restores the item, which places a hold (so it is not simply marked again).
  Removal keeps the item's row and writes a "purged" custody event with the hash; the file is unlinked after the
  commit (a kill in between leaves a file cleanup_leftovers() removes at the next launch).
- An owner's withdrawal of consent marks the item at the next purge unless a hold exists; the owner's letter
  then gives the hold's reason. Every removed item has a deletion certificate for the owner.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.core import evidence as rules
from app.core.evidence import LegalHold
from app.core.permissions import Permission
from app.core.records import CustodyKind, from_iso, to_iso, utc_now
from app.services.session import Session, User
from app.store import audit as audit_store
from app.store import evidence as store
from app.store.db import transaction

log = logging.getLogger(__name__)
MIN_REASON_LEN = 10


class RetentionError(Exception):
    pass


def purge_days(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM settings WHERE key = 'limits/purge_days'").fetchone()
    try:
        return int(row[0]) if row else rules.DEFAULT_RETENTION_DAYS
    except (TypeError, ValueError):
        return rules.DEFAULT_RETENTION_DAYS


def _reason(text: str, what: str) -> str:
    text = " ".join((text or "").split())
    if len(text) < MIN_REASON_LEN:
        raise RetentionError(f"Write {what} (at least {MIN_REASON_LEN} characters): it is kept with the record and "
                             "shown to auditors.")
    return text


def _family(conn: sqlite3.Connection, item_id: int) -> list[int]:
    """The item and everything derived from it (stills, clips, redactions, and theirs)."""
    out, todo = [], [item_id]
    while todo:
        i = todo.pop(0)
        out.append(i)
        todo.extend(store.children(conn, i))
    return out


# --- legal holds ----------------------------------------------------------------------------------------------------
def place_hold(session: Session, item_id: int, reason: str, authority: str, review_on: date,
               now: datetime | None = None) -> list[int]:
    """A supervisor places a hold on an item and its derived items. Returns the hold ids."""
    user = session.require(Permission.LEGAL_HOLD)
    if user.id is None:
        raise RetentionError("A legal hold needs a signed-in supervisor with an account.")
    reason = _reason(reason, "the reason for the hold")
    authority = " ".join((authority or "").split())
    if not authority:
        raise RetentionError("Give the case number or the legal authority for the hold.")
    at_dt = now or utc_now()
    if review_on <= at_dt.date():
        raise RetentionError("The review date must be in the future.")
    at = to_iso(at_dt)
    ids: list[int] = []
    with session.atomic() as conn:
        for i in _family(conn, item_id):
            item = store.get_item(conn, i)
            if item is None or item.purged:
                if i == item_id:
                    raise RetentionError(f"Item {item_id} is not in the store (or was purged).")
                continue
            hold_id = store.insert_hold(conn, i, reason, authority, user.id, at, review_on.isoformat())
            cleared = item.purge_marked_at is not None
            if cleared:
                store.clear_purge_mark(conn, i)
            store.add_event(conn, i, CustodyKind.HELD.value, at, user.id, user.name, item.sha256,
                            {"hold_id": hold_id, "reason": reason, "authority": authority,
                             "review_on": review_on.isoformat(), "purge_mark_cleared": cleared})
            session.audit("legal_hold_placed", f"evidence:{i}", {"hold_id": hold_id, "reason": reason,
                                                                  "authority": authority,
                                                                  "review_on": review_on.isoformat()})
            ids.append(hold_id)
    return ids


def release_hold(session: Session, hold_id: int, reason: str, now: datetime | None = None) -> None:
    user = session.require(Permission.LEGAL_HOLD)
    if user.id is None:
        raise RetentionError("Releasing a legal hold needs a signed-in supervisor with an account.")
    reason = _reason(reason, "why the hold is released")
    at = to_iso(now or utc_now())
    with session.atomic() as conn:
        hold = store.get_hold(conn, hold_id)
        if hold is None or not hold.active:
            raise RetentionError("That hold does not exist or was released already.")
        store.release_hold(conn, hold_id, at, user.id, reason)
        item = store.get_item(conn, hold.evidence_id)
        store.add_event(conn, hold.evidence_id, CustodyKind.RELEASED.value, at, user.id, user.name,
                        item.sha256 if item else "", {"hold_id": hold_id, "reason": reason})
        session.audit("legal_hold_released", f"evidence:{hold.evidence_id}", {"hold_id": hold_id, "reason": reason})


def holds(session: Session, item_id: int | None = None, active_only: bool = False) -> list[LegalHold]:
    session.require(Permission.VIEW_EVIDENCE)
    return store.holds(session.conn, item_id, active_only=active_only)


def overdue_holds(session: Session, now: datetime | None = None) -> list[LegalHold]:
    """Holds in force whose review date has passed."""
    now = now or utc_now()
    return [h for h in holds(session, active_only=True)
            if rules.hold_overdue(date.fromisoformat(h.review_on), False, now)]


# --- consent withdrawal ---------------------------------------------------------------------------------------------
def withdraw_consent(session: Session, item_id: int, now: datetime | None = None) -> list[int]:
    """The owner withdrew consent for a shared item: recorded on it and its derived items; the next purge marks
    them unless a hold exists."""
    user = session.require(Permission.RECORD_RESPONSE)
    at = to_iso(now or utc_now())
    done: list[int] = []
    with session.atomic() as conn:
        if store.get_item(conn, item_id) is None:
            raise RetentionError(f"There is no evidence item {item_id}.")
        for i in _family(conn, item_id):
            item = store.get_item(conn, i)
            if item is None or item.purged or item.consent_withdrawn_at:
                continue
            store.set_consent_withdrawn(conn, i, at, user.id)
            store.add_event(conn, i, CustodyKind.CONSENT_WITHDRAWN.value, at, user.id, user.name, item.sha256, {})
            session.audit("evidence_consent_withdrawn", f"evidence:{i}", {"sha256": item.sha256})
            done.append(i)
    return done


# --- the purge ------------------------------------------------------------------------------------------------------
@dataclass
class PurgeRun:
    marked: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)       # due, but kept by a legal hold
    file_errors: list[str] = field(default_factory=list)


def _states(conn: sqlite3.Connection, days: int) -> list[rules.PurgeState]:
    out = []
    for item_id, closed_at, withdrawn, marked, active_holds, _n in store.retention_rows(conn):
        due = rules.retention_due([from_iso(closed_at)], days) if closed_at else None
        out.append(rules.PurgeState(item_id, due, withdrawn is not None, active_holds > 0,
                                    from_iso(marked) if marked else None, False))
    return out


def run_purge(conn: sqlite3.Connection, evidence_dir: Path, user: User, now: datetime | None = None,
              grace_days: int = rules.PURGE_GRACE_DAYS) -> PurgeRun:
    """Mark what is due and remove what is past its grace period. Runs as `user` (the system at launch)."""
    now = now or utc_now()
    at = to_iso(now)
    days = purge_days(conn)
    run = PurgeRun()
    to_unlink: list[Path] = []
    with transaction(conn):
        for s in _states(conn, days):
            item = store.get_item(conn, s.item_id)
            if item is None:
                continue
            reason = rules.purge_candidate(s, now)
            if reason is not None:
                due = to_iso(rules.purge_due(now, grace_days))
                store.mark_purge(conn, s.item_id, at, due, user.id, reason)
                store.add_event(conn, s.item_id, CustodyKind.PURGE_MARKED.value, at, user.id, user.name, item.sha256,
                                {"reason": reason, "remove_after": due, "retention_days": days})
                audit_store.append(conn, user.name, "evidence_purge_marked", f"evidence:{s.item_id}",
                                   {"reason": reason, "remove_after": due, "sha256": item.sha256}, at=at)
                run.marked.append(s.item_id)
            elif rules.may_remove(s, now, grace_days):
                store.set_purged(conn, s.item_id, at, user.id)
                store.add_event(conn, s.item_id, CustodyKind.PURGED.value, at, user.id, user.name, item.sha256,
                                {"reason": item.purge_reason, "size_bytes": item.size_bytes,
                                 "marked_at": item.purge_marked_at, "stored_path": item.stored_path})
                audit_store.append(conn, user.name, "evidence_purged", f"evidence:{s.item_id}",
                                   {"reason": item.purge_reason, "sha256": item.sha256,
                                    "size_bytes": item.size_bytes}, at=at)
                run.removed.append(s.item_id)
                to_unlink.append(Path(evidence_dir) / item.stored_path)
            elif s.held and (s.consent_withdrawn or (s.retention_due is not None and now >= s.retention_due)):
                run.held.append(s.item_id)
    for path in to_unlink:
        try:
            os.chmod(path, 0o600)
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:  # left for cleanup_leftovers at the next launch
            run.file_errors.append(f"{path.name}: {exc.strerror or exc}")
            log.error("purge: could not remove %s: %s", path, exc)
    return run


def restore(session: Session, item_id: int, reason: str, authority: str, review_on: date,
            now: datetime | None = None) -> None:
    """Within the grace period a supervisor keeps a marked item: the mark is cleared and a hold placed (with its
    reason and review date), so the next purge does not mark it again."""
    session.require(Permission.LEGAL_HOLD)
    item = store.get_item(session.conn, item_id)
    if item is None or item.purged:
        raise RetentionError(f"Item {item_id} is not in the store any more: a purged file cannot be restored.")
    if item.purge_marked_at is None:
        raise RetentionError(f"Item {item_id} is not marked for purge.")
    with session.atomic() as conn:
        user = session.require(Permission.LEGAL_HOLD)
        at = to_iso(now or utc_now())
        store.clear_purge_mark(conn, item_id)
        store.add_event(conn, item_id, CustodyKind.RESTORED.value, at, user.id, user.name, item.sha256,
                        {"reason": " ".join(reason.split()), "was_marked_at": item.purge_marked_at,
                         "purge_reason": item.purge_reason})
        session.audit("evidence_restored", f"evidence:{item_id}", {"reason": " ".join(reason.split())})
        place_hold(session, item_id, reason, authority, review_on, now)


def marked_items(session: Session) -> list[int]:
    session.require(Permission.VIEW_EVIDENCE)
    return [i.id for i in store.items(session.conn, include_purged=False) if i.purge_marked_at]


# --- letters to owners ----------------------------------------------------------------------------------------------
def deletion_certificate(conn: sqlite3.Connection, item_id: int) -> dict[str, Any] | None:
    """What the owner is told about a purged item (None if it is not purged)."""
    item = store.get_item(conn, item_id)
    if item is None or not item.purged:
        return None
    policy = ("the owner withdrew consent" if item.purge_reason == rules.PurgeReason.CONSENT_WITHDRAWN.value
              else f"retention limit: shared footage is deleted {purge_days(conn)} days after its request closes")
    return {"item_id": item.id, "original_name": item.original_name, "sha256": item.sha256,
            "size_bytes": item.size_bytes, "received_at": item.received_at, "marked_at": item.purge_marked_at,
            "purged_at": item.purged_at, "policy": policy, "derived": item.derived_kind or ""}


def owner_letter_facts(conn: sqlite3.Connection, owner_id: int, request_id: int | None = None) -> dict[str, list]:
    """For an owner's letter: deletion certificates of their purged items, and items they withdrew consent for
    that are kept under a legal hold (with the hold's reason)."""
    certificates, kept = [], []
    for i in store.items_of_owner(conn, owner_id, request_id):
        cert = deletion_certificate(conn, i)
        if cert is not None:
            certificates.append(cert)
            continue
        item = store.get_item(conn, i)
        if item is not None and item.consent_withdrawn_at:
            active = store.holds(conn, i, active_only=True)
            if active:
                kept.append({"item_id": i, "original_name": item.original_name, "sha256": item.sha256,
                             "reason": active[0].reason, "authority": active[0].authority,
                             "review_on": active[0].review_on})
    return {"certificates": certificates, "kept_under_hold": kept}


def letter_lines(conn: sqlite3.Connection, owner_id: int, request_id: int | None = None) -> tuple[str, ...]:
    """The owner letter's sentences about their shared footage: a deletion certificate for each purged item, and the
    stated reason for each item kept under a legal hold after they withdrew consent."""
    facts = owner_letter_facts(conn, owner_id, request_id)
    lines = [f"Deletion certificate: the footage you shared (“{c['original_name']}”, {c['size_bytes']:,} bytes, "
             f"SHA-256 {c['sha256']}) was received {c['received_at']} and deleted {c['purged_at']} ({c['policy']}; "
             f"marked for deletion {c['marked_at']}, deleted after a 7-day grace period)."
             for c in facts["certificates"]]
    lines += [f"You withdrew your consent for “{k['original_name']}” (SHA-256 {k['sha256']}). It is kept under a "
              f"legal hold: {k['reason']} ({k['authority']}); the hold is reviewed on {k['review_on']}."
              for k in facts["kept_under_hold"]]
    return tuple(lines)
