"""Outreach and answers for a sent request: the notices (mail-merge CSV, letters) and the responses CSV import.

Contact details leave the store only through here, for a permitted user, with an audit entry.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core import timefmt
from app.core.permissions import Permission
from app.core.records import RecipientState, RequestState, to_iso, utc_now
from app.io.outreach_csv import RequestFacts, write_outreach_csv
from app.io.responses_csv import LineError, ResponsesFile, parse_responses
from app.services.evidence.retention import letter_lines
from app.services.requests import recipients as recipients_svc
from app.services.requests import responses as responses_svc
from app.services.requests import workflow as svc
from app.services.session import Session
from app.store import audit as audit_store
from app.store import requests as store


def _readable(iso: str | None) -> str:
    return timefmt.short(iso) if iso else "—"


def request_facts(session: Session, request_id: int) -> RequestFacts:
    session.require(Permission.CREATE_REQUEST)
    rec = store.get_request(session.conn, request_id)
    if rec is None:
        raise svc.RequestError(f"There is no footage request {request_id}.")
    agency = store.agency_name(session.conn, rec.agency_id)
    return RequestFacts(rec.public_no, rec.case_number, agency, rec.offense_category, rec.description,
                        _readable(rec.window_start), _readable(rec.window_end), _readable(rec.expires_at),
                        rec.investigator_contact)


def _sent(session: Session, request_id: int, doing: str) -> None:
    rec = store.get_request(session.conn, request_id)
    if rec is None or rec.public_no is None:
        raise svc.RequestError(f"Notices are {doing} only for a request that has been sent (its recipients are "
                               "fixed when it is sent).")


def notices_for_letters(session: Session, request_id: int) -> tuple[RequestFacts, list[recipients_svc.Notice]]:
    """Facts + notices for the PDF letters (the caller writes the PDF); audited as a contact view and export."""
    session.require(Permission.EXPORT_DATA)
    _sent(session, request_id, "printed")
    facts = request_facts(session, request_id)
    notices = recipients_svc.notices(session, request_id, purpose="outreach letters")
    return facts, [replace(n, evidence_lines=letter_lines(session.conn, n.owner_id)) for n in notices]


def export_letters(session: Session, request_id: int, path: Path, today: str,
                   render: Callable[[Path, RequestFacts, list[recipients_svc.Notice], str], int]) -> tuple[int, int]:
    """The letters as a PDF: render(path, facts, notices, today) lays them out (Qt, in the views) and returns the
    page count; the contact view and the export are audited here. Returns (owners, pages)."""
    facts, notices = notices_for_letters(session, request_id)
    pages = render(path, facts, notices, today)
    session.audit("outreach_exported", f"request:{request_id}", {"file": Path(path).name, "owners": len(notices),
                                                                 "format": "pdf", "pages": pages})
    return len(notices), pages


def export_outreach_csv(session: Session, request_id: int, path: Path) -> int:
    session.require(Permission.EXPORT_DATA)
    _sent(session, request_id, "exported")
    facts = request_facts(session, request_id)
    notices = recipients_svc.notices(session, request_id, purpose="mail-merge CSV")
    count = write_outreach_csv(path, facts, notices, audit_store.current_head(session.conn))
    session.audit("outreach_exported", f"request:{request_id}", {"file": Path(path).name, "owners": count,
                                                                 "format": "csv"})
    return count


def _expect_sent(conn: sqlite3.Connection, request_id: int) -> None:
    rec = store.get_request(conn, request_id)
    if rec is None or rec.state != RequestState.SENT:
        raise svc.RequestError("Answers can be imported only for a request that is sent and still open.")


class _Conflicts(Exception):
    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"{len(errors)} recorded answers")
        self.errors = errors


def import_responses(session: Session, request_id: int, path: Path, now: datetime | None = None) -> ResponsesFile:
    """Validate the whole file; write every answer in one transaction only when no line has an error.

    The file is not trusted over the store: an owner whose answer is recorded already (and differs) is an error on
    that line (a recorded answer changes only with a reason, in the Requests tab), so a stale or edited sheet cannot
    overwrite it. The audit entry names each answer it changed, old → new."""
    session.require(Permission.RECORD_RESPONSE)
    now = now or utc_now()
    _expect_sent(session.conn, request_id)
    mapping = {r.anonymity_no: r.owner_id for r in store.recipients(session.conn, request_id)}
    parsed = parse_responses(Path(path), mapping, now)
    details: dict[str, Any] = {"file": Path(path).name, "sha256": parsed.sha256, "rows": len(parsed.rows),
                               "errors": len(parsed.errors)}
    if not parsed.ok:
        session.audit("responses_import_refused", f"request:{request_id}", details)
        return parsed
    try:
        with session.atomic() as conn:
            _expect_sent(conn, request_id)  # again inside the write: it may have closed while the file was read
            current = {row.line: store.owner_response(conn, request_id, row.owner_id) for row in parsed.rows}
            conflicts = [LineError(row.line, f"Neighbor #{row.neighbor_no} already answered "
                                             f"“{was.value.replace('_', ' ')}”; the file says "
                                             f"“{row.state.value.replace('_', ' ')}”. Change a recorded answer in "
                                             "the Requests tab, with a reason.")
                         for row in parsed.rows if (was := current[row.line]) is not None
                         and was not in (RecipientState.PENDING, row.state)]
            if conflicts:  # before anything is written
                raise _Conflicts(conflicts)
            changed, unchanged = [], 0
            for row in parsed.rows:
                was = current[row.line]
                if was == row.state:
                    unchanged += 1
                else:
                    at = to_iso(row.responded_at) if row.responded_at else None
                    store.set_owner_response(conn, request_id, row.owner_id, row.state, at)
                    changed.append({"owner_id": row.owner_id, "neighbor_no": row.neighbor_no,
                                    "from": (was or RecipientState.PENDING).value, "to": row.state.value})
                if row.opt_out:
                    responses_svc.opt_out_owner(session, row.owner_id, now, via_request=request_id)
            session.audit("responses_imported", f"request:{request_id}",
                          {**details, "changed": changed, "unchanged": unchanged})
    except _Conflicts as exc:  # nothing was written: the transaction rolled back
        parsed.errors.extend(exc.errors)
        session.audit("responses_import_refused", f"request:{request_id}", {**details, "errors": len(exc.errors)})
    return parsed
