"""The public request log: its entries (areas generalised), the audit chain head it carries, and its export."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from app.core.permissions import Permission
from app.core.public_log import PublicLogEntry, generalised_circle
from app.core.records import to_iso, utc_now
from app.services.requests.common import RequestError
from app.services.session import Session
from app.store import audit as audit_store
from app.store import requests as store


def public_log(session: Session) -> list[PublicLogEntry]:
    session.require(Permission.VIEW_PUBLIC_LOG)
    return public_log_entries(session.conn)


def public_log_head(session: Session) -> audit_store.ChainHead:
    """The audit chain head a published copy of the log carries (anyone holding it can check the log later)."""
    session.require(Permission.VIEW_PUBLIC_LOG)
    return audit_store.current_head(session.conn)


def export_public_log(session: Session, path: Path, fmt: str, entries: list[PublicLogEntry] | None = None) -> int:
    """Write the public request log as CSV or HTML, carrying the audit chain head, and audit the export.
    Returns the number of entries written.

    `entries` (what the window shows, perhaps a selection) is not trusted: each must be the stored log's entry as it
    is now, or nothing is written — a file that carries the chain head must hold the log as stored."""
    from app.io.public_log_export import write_public_log_csv, write_public_log_html

    session.require(Permission.VIEW_PUBLIC_LOG)
    stored = public_log(session)
    if entries is None:
        entries = stored
    else:
        known = set(stored)
        wrong = [e.public_no for e in entries if e not in known]
        if wrong:
            raise RequestError(f"The entries to export are not the public log as stored (no. "
                               f"{', '.join(map(str, wrong[:5]))}{'…' if len(wrong) > 5 else ''} differ or changed "
                               "since they were read): nothing was written. Refresh the log and export again.")
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
