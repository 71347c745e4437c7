"""Reading, exporting and verifying the audit log, with the role checks and the audit of those acts.

Auditors and administrators see the log but not personal data: detail fields that carry it are masked
for anyone who may not view owners' contact details. The heavy parts (write_export, audit.verify) take a
connection of their own so they can run off the GUI thread; the checks and the audit entries happen on the
session's connection.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.audit_actions import Resolver
from app.core.permissions import Permission
from app.core.records import to_iso, utc_now
from app.io.safe_files import csv_writer
from app.services.session import Session
from app.store import audit as audit_store
from app.store import owners as owner_store
from app.store import requests as request_store
from app.store import users as user_store
from app.store.audit import AuditFilter, ChainHead, StoreCheck, VerifyResult
from app.store.db import connect, transaction

__all__ = ["AuditFilter", "ChainHead", "VerifyResult"]  # the records the views pass back in (they live in the store)

PERSONAL_KEYS = frozenset({"email", "phone", "address", "contact", "display_name", "owner_name",
                           "investigator_contact", "owner_contact"})
MASK = "[personal data hidden]"
CSV_COLUMNS = ["seq", "at", "actor", "action", "object", "details", "hash", "masked"]
EXPORT_CHUNK = 5000


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: str
    actor: str
    action: str
    object: str
    details: str
    hash: str
    masked: bool = False


def must_mask(session: Session) -> bool:
    return not session.can(Permission.VIEW_OWNER_CONTACT)


def _mask_value(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict):
        out, hit = {}, False
        for k, v in value.items():
            if str(k).lower() in PERSONAL_KEYS:
                out[k], hit = MASK, True
            else:
                out[k], sub = _mask_value(v)
                hit = hit or sub
        return out, hit
    if isinstance(value, list):
        items = [_mask_value(v) for v in value]
        return [v for v, _ in items], any(h for _, h in items)
    return value, False


def mask_details(details: str) -> tuple[str, bool]:
    """Details JSON with personal fields replaced by MASK, and whether anything was masked."""
    try:
        data = json.loads(details)
    except (json.JSONDecodeError, TypeError):
        return details, False
    masked, hit = _mask_value(data)
    return (audit_store.canonical_details(masked), True) if hit else (details, False)


def to_row(raw: tuple, mask: bool) -> AuditRow:
    seq, at, actor, action, obj, details, digest = raw
    hit = False
    if mask:
        details, hit = mask_details(details)
    return AuditRow(seq, at, actor, action, obj, details, digest, hit)


def read_page(session: Session, flt: audit_store.AuditFilter, before_seq: int | None = None,
              limit: int = 500) -> list[AuditRow]:
    """One page of the log, newest first, for someone allowed to read it (masked where they must not see)."""
    session.require(Permission.VIEW_AUDIT)
    mask = must_mask(session)
    return [to_row(r, mask) for r in audit_store.page(session.conn, flt, before_seq, limit)]


def reference_resolver(session: Session) -> Resolver:
    """Names for the ids in audit entries, as an auditor may see them: owners by their anonymous number ("Neighbor
    #12", never a name), requests by id and public log number, users by name. Cached per resolver (one view)."""
    session.require(Permission.VIEW_AUDIT)
    conn = session.conn
    cache: dict[tuple[str, str], str | None] = {}

    def lookup(kind: str, ident: str) -> str | None:
        if not ident.isdigit():
            return None
        number = int(ident)
        if kind == "owner":
            owner = owner_store.owner_summary(conn, number)
            return f"Neighbor #{owner.anonymity_no}" if owner is not None else None
        if kind == "request":
            request = request_store.get_request(conn, number)
            if request is None:
                return None
            public = f" · public log no. {request.public_no}" if request.public_no else " (not sent)"
            return f"#{number}{public} · case {request.case_number}"
        if kind == "user":
            user = user_store.get(conn, number)
            return user.name if user is not None else None
        return None

    def resolve(kind: str, ident: str) -> str | None:
        key = (kind, ident)
        if key not in cache:
            cache[key] = lookup(kind, ident)
        return cache[key]

    return resolve


def count(session: Session, flt: AuditFilter) -> int:
    session.require(Permission.VIEW_AUDIT)
    return audit_store.count(session.conn, flt)


def filter_choices(session: Session) -> tuple[list[str], list[str]]:
    """(actors, actions) for the filter boxes. Actors from the users table (cheap), not DISTINCT over a log of
    millions of rows; "system" and "anonymous" write entries too."""
    session.require(Permission.VIEW_AUDIT)
    return ([*user_store.names(session.conn), "system", "anonymous"],
            audit_store.distinct(session.conn, "action"))


def parse_head(text: str) -> ChainHead:
    """A kept chain head: HASH, SEQ:HASH or a head file's path. Raises ValueError or OSError."""
    return audit_store.parse_head(text)


# --- export ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportResult:
    rows: int
    csv_path: Path
    head_path: Path
    head: audit_store.ChainHead


def head_path_for(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.stem + ".chain-head.json")


def authorize_export(session: Session) -> bool:
    """Check the right to export the log; returns whether personal data must be masked."""
    session.require(Permission.VIEW_AUDIT)
    return must_mask(session)


def write_export(conn: sqlite3.Connection, flt: audit_store.AuditFilter, csv_path: Path, mask: bool,
                 progress: Callable[[int, int], None] | None = None,
                 check: Callable[[], None] | None = None) -> ExportResult:
    """Write the filtered log (oldest first) as CSV and the whole log's chain head beside it.

    Both go to temporary names first and are renamed at the end, so a cancelled export leaves nothing.
    """
    head_path = head_path_for(csv_path)
    head = audit_store.current_head(conn)
    total = audit_store.count(conn, flt)
    where, params = flt.where()
    tmp_csv = csv_path.with_name(csv_path.name + ".part")
    tmp_head = head_path.with_name(head_path.name + ".part")
    written, after = 0, 0
    try:
        fd = os.open(tmp_csv, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it names people: private from the start
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            out = csv_writer(fh)  # text cells neutralised: an actor named "=HYPERLINK(…)" stays text
            out.writerow(CSV_COLUMNS)
            while True:
                # Keyset by seq, up to the head seen at the start: entries appended meanwhile are not half-included.
                rows = conn.execute(
                    f"SELECT seq, at, actor, action, object, details, hash FROM audit_log WHERE {where} "
                    "AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?", [*params, after, head.seq or 0, EXPORT_CHUNK]
                ).fetchall()
                if not rows:
                    break
                for raw in rows:
                    r = to_row(raw, mask)
                    out.writerow([r.seq, r.at, r.actor, r.action, r.object, r.details, r.hash,
                                  "yes" if r.masked else ""])
                written += len(rows)
                after = rows[-1][0]
                if check:
                    check()
                if progress:
                    progress(written, total)
        exported = dict(json.loads(head.to_json()), exported_at=to_iso(utc_now()),
                        note="Keep this file apart from the data. `canvass verify-audit --data-dir DIR --head "
                             "THIS_FILE` checks that the log still holds this entry unchanged.")
        tmp_head.write_text(json.dumps(exported, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp_csv, csv_path)
        os.replace(tmp_head, head_path)
    except BaseException:
        tmp_csv.unlink(missing_ok=True)
        tmp_head.unlink(missing_ok=True)
        raise
    return ExportResult(written, csv_path, head_path, head)


def record_export(conn: sqlite3.Connection, actor: str, flt: audit_store.AuditFilter, result: ExportResult) -> None:
    """The audit entry for a written export. The worker that wrote the file records it on its own connection, as
    the user who started it: signing out or closing the window meanwhile cannot lose or re-attribute it."""
    with transaction(conn):
        audit_store.append(conn, actor, "audit_exported", f"file:{result.csv_path.name}",
                           {"rows": result.rows, "filter": flt.__dict__, "head_seq": result.head.seq,
                            "head_hash": result.head.hash})


def export_log(session: Session, flt: audit_store.AuditFilter, csv_path: Path) -> ExportResult:
    """Check, write and audit an export in one go (scripts and tests; the window runs write_export in a worker)."""
    mask = authorize_export(session)
    result = write_export(session.conn, flt, csv_path, mask)
    record_export(session.conn, session.actor, flt, result)
    return result


def export_in_worker(db_path: Path, actor: str, flt: AuditFilter, csv_path: Path, mask: bool,
                     progress: Callable[[int, int], None] | None = None,
                     check: Callable[[], None] | None = None) -> ExportResult:
    """The window's export job: on a connection of its own (off the GUI thread), written and then audited as the
    user who started it (authorize_export first, on the GUI thread)."""
    conn = connect(db_path)
    try:
        result = write_export(conn, flt, csv_path, mask, progress, check)
        record_export(conn, actor, flt, result)
        return result
    finally:
        conn.close()


# --- verification ---------------------------------------------------------------------------------------------------
def authorize_verify(session: Session) -> None:
    session.require(Permission.VIEW_AUDIT)


def record_verification(session: Session, result: audit_store.VerifyResult) -> None:
    authorize_verify(session)  # at the act: the entry says this user verified the log
    session.audit("audit_verified", "audit_log", {"ok": result.ok, "entries": result.entries,
                                                  "broken_seq": result.broken_seq, "reason": result.reason})


def verify_in_worker(db_path: Path, head: ChainHead | None = None,
                     progress: Callable[[int, int], None] | None = None) -> VerifyResult:
    """The window's verification job, on a connection of its own (authorize_verify first; record_verification with
    the result on the GUI thread)."""
    conn = connect(db_path)
    try:
        return audit_store.verify(conn, head, progress)
    finally:
        conn.close()


def check_store_file(db_path: Path, given: ChainHead | None = None,
                     progress: Callable[[int, int], None] | None = None) -> StoreCheck:
    """What `canvass verify-audit` checks (pages, triggers, chain, the head file beside the store, a given head), on
    a connection of its own (for a worker)."""
    from app.store import audit_head

    file_head, file_problem = None, ""
    try:
        file_head = audit_head.read_head(db_path)
    except ValueError as exc:
        file_problem = str(exc)
    conn = connect(db_path)
    try:
        return audit_store.check_store(conn, file_head, head_file_name=f"the head file "
                                       f"{audit_head.head_path(db_path).name}", given=given,
                                       file_problem=file_problem, progress=progress)
    finally:
        conn.close()


def record_store_check(session: Session, result: StoreCheck) -> None:
    authorize_verify(session)
    chain = result.chain
    session.audit("audit_verified", "audit_log", {"ok": result.ok, "entries": chain.entries,
                                                  "broken_seq": chain.broken_seq, "reason": chain.reason,
                                                  "problems": list(result.problems)})


def verify_log(session: Session, head: audit_store.ChainHead | str | None = None) -> audit_store.VerifyResult:
    authorize_verify(session)
    result = audit_store.verify(session.conn, head)
    record_verification(session, result)
    return result
