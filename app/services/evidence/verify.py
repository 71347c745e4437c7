"""Verify: re-hash stored items and compare with the hash taken at intake. Any mismatch is reported loudly.

verify_items() does the reading (a worker, with its own connection); record_verification() writes a "verified"
custody event per item (with the hash found) and one audit entry for the run. The weekly run is the same job,
started by the Evidence feature when verification_due() says so.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.core.evidence import EvidenceItem, verification_due
from app.core.permissions import Permission
from app.core.records import CustodyKind, from_iso, to_iso, utc_now
from app.io.evidence_copy import hash_file
from app.services.session import Session, User
from app.store import audit as audit_store
from app.store import evidence as store
from app.store.db import transaction

AUDIT_ACTION = "evidence_verified"
STATUSES = ("ok", "altered", "missing")


class VerifyError(Exception):
    """A verification report the store contradicts; nothing of it was recorded."""


@dataclass(frozen=True)
class ItemCheck:
    item_id: int
    original_name: str
    stored_path: str
    expected: str
    found: str            # "" when the file is missing or unreadable
    status: str           # "ok", "altered", "missing"
    detail: str = ""


@dataclass
class VerifyReport:
    checks: list[ItemCheck] = field(default_factory=list)
    bytes_read: int = 0
    seconds: float = 0.0

    @property
    def failures(self) -> list[ItemCheck]:
        return [c for c in self.checks if c.status != "ok"]

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        if self.ok:
            return f"All {len(self.checks)} items match the SHA-256 taken when they were received."
        lines = [f"{len(self.failures)} of {len(self.checks)} items do NOT match what was received:"]
        for c in self.failures:
            what = "the file is missing" if c.status == "missing" else f"now hashes to {c.found[:16]}…"
            lines.append(f"  item {c.item_id} ({c.original_name}, {c.stored_path}): {what}")
        return "\n".join(lines)


def authorize(session: Session) -> User:
    """Analysts and supervisors verify their evidence; auditors may too (hashes show nothing of the footage)."""
    if session.can(Permission.VIEW_AUDIT) and not session.can(Permission.VIEW_EVIDENCE):
        return session.require(Permission.VIEW_AUDIT)
    return session.require(Permission.VIEW_EVIDENCE)


def items_to_verify(conn: sqlite3.Connection, request_id: int | None = None) -> list[EvidenceItem]:
    return store.items(conn, request_id, include_purged=False)


def verify_items(evidence_dir: Path, items: list[EvidenceItem], progress: Callable[[int, int], None] | None = None,
                 check: Callable[[], None] | None = None) -> VerifyReport:
    """Re-hash each item's file. Progress is in bytes over all items."""
    import time

    start = time.perf_counter()
    total = sum(i.size_bytes for i in items) or 1
    report = VerifyReport()
    done = 0
    for item in items:
        path = Path(evidence_dir) / item.stored_path
        base = done

        def sub(n: int, _size: int, base: int = base) -> None:
            if progress is not None:
                progress(base + n, total)

        try:
            found = hash_file(path, sub, check)
        except FileNotFoundError:
            report.checks.append(ItemCheck(item.id, item.original_name, item.stored_path, item.sha256, "", "missing",
                                           "the stored file is missing"))
        except OSError as exc:
            report.checks.append(ItemCheck(item.id, item.original_name, item.stored_path, item.sha256, "", "missing",
                                           f"the stored file cannot be read: {exc.strerror or exc}"))
        else:
            status = "ok" if found == item.sha256 else "altered"
            report.checks.append(ItemCheck(item.id, item.original_name, item.stored_path, item.sha256, found, status))
            report.bytes_read += item.size_bytes
        done += item.size_bytes
        if check is not None:
            check()
        if progress is not None:
            progress(done, total)
    report.seconds = time.perf_counter() - start
    return report


def record_verification(conn: sqlite3.Connection, user: User, report: VerifyReport, scope: str,
                        scheduled: bool = False, now: datetime | None = None) -> None:
    """One "verified" custody event per item and one audit entry for the run, in one transaction.

    The report is not trusted: the user is checked as the user record is now, and each check against the store —
    a live item, the hash it was received with, and a status that follows from the hash found — or nothing is
    recorded (VerifyError): a report cannot mark an altered or missing file as verified."""
    authorize(Session(conn, user))
    at = to_iso(now or utc_now())
    with transaction(conn):
        for c in report.checks:
            _check_against_store(conn, c)
            store.add_event(conn, c.item_id, CustodyKind.VERIFIED.value, at, user.id, user.name, c.found,
                            {"ok": c.status == "ok", "status": c.status, "expected": c.expected,
                             **({"detail": c.detail} if c.detail else {})})
            store.set_verified(conn, c.item_id, at, c.status == "ok")
        audit_store.append(conn, user.name, AUDIT_ACTION, scope,
                           {"ok": report.ok, "items": len(report.checks), "failed": [
                               {"item_id": c.item_id, "status": c.status, "found": c.found} for c in report.failures],
                            "bytes": report.bytes_read, "scheduled": scheduled}, at=at)


def _check_against_store(conn: sqlite3.Connection, c: ItemCheck) -> None:
    item = store.get_item(conn, c.item_id)
    if item is None or item.purged:
        raise VerifyError(f"Item {c.item_id} is not a live item of the store: nothing was recorded.")
    consistent = c.status in STATUSES and (c.status == "ok") == (c.found == item.sha256) \
        and (c.status == "missing") == (c.found == "")
    if c.expected != item.sha256 or not consistent:
        raise VerifyError(f"The check of item {c.item_id} does not agree with the store (received with "
                          f"{item.sha256[:16]}…; the report says expected {c.expected[:16]}…, found "
                          f"{c.found[:16] or 'nothing'}…, {c.status}): nothing was recorded.")


def verify_now(session: Session, evidence_dir: Path, request_id: int | None = None,
               now: datetime | None = None) -> VerifyReport:
    """Check, verify and record on the session's connection (scripts and tests; the window uses a job)."""
    user = authorize(session)
    report = verify_items(evidence_dir, items_to_verify(session.conn, request_id))
    record_verification(session.conn, user, report, f"request:{request_id}" if request_id else "evidence_store",
                        now=now)
    return report


def weekly_due(conn: sqlite3.Connection, now: datetime | None = None) -> bool:
    """True when no verification of the whole store was audited in the last VERIFY_EVERY_DAYS days."""
    row = conn.execute("SELECT max(at) FROM audit_log WHERE action = ? AND object = 'evidence_store'",
                       (AUDIT_ACTION,)).fetchone()
    last = from_iso(row[0]) if row and row[0] else None
    return verification_due(last, now or utc_now())
