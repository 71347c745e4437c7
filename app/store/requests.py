"""Footage requests in the store: drafts, transitions, recipients, responses, outcomes, public log. sqlite3 only.

No permission checks here (app.services.requests.workflow does them); every function runs inside the caller's
transaction when one is open.
"""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from typing import Any

from app.core.records import RecipientState, RequestState
from app.core.request_records import RecipientRow, RequestRecord, RequestSummary, Transition

DRAFT_FIELDS = ("agency_id", "case_number", "incident_id", "offense_category", "area_kind", "area_json",
                "window_start", "window_end", "description", "investigator_contact")

# What counts against an incident's limit: requests that went out to residents, whatever happened to them
# afterwards. Drafts do not (an abandoned draft must not block the incident); the rule is checked again at
# sending, so two approved drafts cannot both go out past the limit.
_COUNTED = "sent_at IS NOT NULL"


_REQUEST_COLUMNS = ", ".join(f.name for f in fields(RequestRecord))


def _record(row: tuple) -> RequestRecord:
    values = list(row)
    values[18] = RequestState(values[18])
    return RequestRecord(*values)


# --- requests -----------------------------------------------------------------------------------------------------
def insert_request(conn: sqlite3.Connection, values: dict[str, Any], created_by: int | None, created_at: str) -> int:
    cols = [c for c in DRAFT_FIELDS if c in values]
    sql = (f"INSERT INTO footage_requests ({', '.join(cols)}, created_by, created_at, state) "
           f"VALUES ({', '.join('?' * len(cols))}, ?, ?, 'draft')")
    cur = conn.execute(sql, [values[c] for c in cols] + [created_by, created_at])
    return int(cur.lastrowid or 0)


def update_request(conn: sqlite3.Connection, request_id: int, values: dict[str, Any]) -> None:
    cols = [c for c in DRAFT_FIELDS if c in values]
    if cols:
        conn.execute(f"UPDATE footage_requests SET {', '.join(c + ' = ?' for c in cols)} WHERE id = ?",
                     [values[c] for c in cols] + [request_id])


def get_request(conn: sqlite3.Connection, request_id: int) -> RequestRecord | None:
    row = conn.execute(f"SELECT {_REQUEST_COLUMNS} FROM footage_requests WHERE id = ?", (request_id,)).fetchone()
    return _record(row) if row else None


def set_state(conn: sqlite3.Connection, request_id: int, state: RequestState, **stamps: Any) -> None:
    allowed = {"approved_by", "approved_at", "sent_at", "expires_at", "resolved_at", "public_no"}
    bad = set(stamps) - allowed
    if bad:
        raise ValueError(f"not a request stamp: {sorted(bad)}")
    cols = ["state"] + list(stamps)
    conn.execute(f"UPDATE footage_requests SET {', '.join(c + ' = ?' for c in cols)} WHERE id = ?",
                 [state.value] + list(stamps.values()) + [request_id])


def next_public_no(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT IFNULL(MAX(public_no), 0) + 1 FROM footage_requests").fetchone()[0])


def incident_request_count(conn: sqlite3.Connection, incident_id: int, exclude_request_id: int | None = None) -> int:
    row = conn.execute(f"SELECT count(*) FROM footage_requests WHERE incident_id = ? AND id IS NOT ? AND {_COUNTED}",
                       (incident_id, exclude_request_id)).fetchone()
    return int(row[0])


def list_requests(conn: sqlite3.Connection, states: list[RequestState] | None = None) -> list[RequestSummary]:
    where = ""
    params: list[Any] = []
    if states:
        where = f"WHERE r.state IN ({', '.join('?' * len(states))})"
        params = [s.value for s in states]
    sql = f"""
        SELECT r.id, r.public_no, r.state, r.case_number, IFNULL(a.name, ''), r.offense_category, r.created_at,
               r.sent_at, r.expires_at, IFNULL(u.name, ''),
               IFNULL(c.notified, 0), IFNULL(c.shared, 0), IFNULL(c.declined, 0), IFNULL(c.pending, 0),
               IFNULL(ap.name, '')
        FROM footage_requests r
        LEFT JOIN agencies a ON a.id = r.agency_id
        LEFT JOIN users u ON u.id = r.created_by
        LEFT JOIN users ap ON ap.id = r.approved_by
        LEFT JOIN ({_OWNER_COUNTS}) c ON c.request_id = r.id
        {where}
        ORDER BY r.id DESC"""
    return [RequestSummary(r[0], r[1], RequestState(r[2]), *r[3:]) for r in conn.execute(sql, params)]


# Counts per request of owners (not cameras): an owner's notice takes the state of their cameras' rows.
_OWNER_COUNTS = """
    SELECT request_id, count(*) AS notified, sum(st = 'shared') AS shared, sum(st = 'declined') AS declined,
           sum(st = 'pending') AS pending
    FROM (SELECT request_id, owner_id, max(state) AS st FROM recipients GROUP BY request_id, owner_id)
    GROUP BY request_id"""


# --- transitions --------------------------------------------------------------------------------------------------
def add_transition(conn: sqlite3.Connection, request_id: int, from_state: RequestState | None, to_state: RequestState,
                   at: str, actor_id: int | None, reason: str = "") -> int:
    cur = conn.execute("INSERT INTO request_transitions (request_id, from_state, to_state, at, actor_id, reason) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       (request_id, from_state.value if from_state else None, to_state.value, at, actor_id, reason))
    return int(cur.lastrowid or 0)


def transitions(conn: sqlite3.Connection, request_id: int) -> list[Transition]:
    rows = conn.execute("SELECT t.from_state, t.to_state, t.at, IFNULL(u.name, 'system'), t.reason "
                        "FROM request_transitions t LEFT JOIN users u ON u.id = t.actor_id "
                        "WHERE t.request_id = ? ORDER BY t.id", (request_id,)).fetchall()
    return [Transition(*r) for r in rows]


# --- overrides ----------------------------------------------------------------------------------------------------
def overridden_rules(conn: sqlite3.Connection, request_id: int) -> set[str]:
    """The rules overridden for the request as it stands (overrides voided by a later edit do not count)."""
    return {r[0] for r in conn.execute("SELECT rule FROM policy_overrides WHERE request_id = ? AND voided_at IS NULL",
                                       (request_id,))}


def overrides(conn: sqlite3.Connection, request_id: int) -> list[tuple[str, str, str, str, str | None]]:
    """(rule, reason, supervisor name, at, voided at or None) for each override of the request."""
    return conn.execute("SELECT o.rule, o.reason, IFNULL(u.name, ''), o.at, o.voided_at FROM policy_overrides o "
                        "LEFT JOIN users u ON u.id = o.supervisor_id WHERE o.request_id = ? ORDER BY o.id",
                        (request_id,)).fetchall()


def void_overrides(conn: sqlite3.Connection, request_id: int, at: str) -> list[str]:
    """Void the request's standing overrides (its draft was edited); returns the rules they were for."""
    rules = sorted(overridden_rules(conn, request_id))
    if rules:
        conn.execute("UPDATE policy_overrides SET voided_at = ? WHERE request_id = ? AND voided_at IS NULL",
                     (at, request_id))
    return rules


# --- recipients ---------------------------------------------------------------------------------------------------
def replace_recipients(conn: sqlite3.Connection, request_id: int, rows: list[tuple[int, int, int, int, int]]) -> int:
    """Make the recipients of an unsent request exactly `rows` of (camera_id, owner_id, rank, covers, overwritten).

    Only the differences are written (re-planning at sending usually changes few rows, and writing 20,000
    unchanged rows again would cost a quarter of a second). Returns the number of rows written or deleted.
    """
    stored = {r[0]: tuple(r) for r in conn.execute(
        "SELECT camera_id, owner_id, rank, covers_incident, footage_likely_overwritten FROM recipients "
        "WHERE request_id = ?", (request_id,))}
    wanted = {r[0]: tuple(r) for r in rows}
    gone = [(request_id, cid) for cid in stored.keys() - wanted.keys()]
    new = [(request_id, *r) for cid, r in wanted.items() if cid not in stored]
    changed = [(*r[1:], request_id, cid) for cid, r in wanted.items() if cid in stored and stored[cid] != r]
    conn.executemany("DELETE FROM recipients WHERE request_id = ? AND camera_id = ?", gone)
    conn.executemany("UPDATE recipients SET owner_id = ?, rank = ?, covers_incident = ?, "
                     "footage_likely_overwritten = ? WHERE request_id = ? AND camera_id = ?", changed)
    conn.executemany("INSERT INTO recipients (request_id, camera_id, owner_id, rank, covers_incident, "
                     "footage_likely_overwritten) VALUES (?, ?, ?, ?, ?, ?)", new)
    return len(gone) + len(new) + len(changed)


def recipients(conn: sqlite3.Connection, request_id: int) -> list[RecipientRow]:
    """One row per owner, best rank first. The owner's state is that of their cameras (all set together)."""
    sql = """
        SELECT r.owner_id, o.anonymity_no, o.display_name, max(r.state), max(r.responded_at), min(r.rank),
               count(*), max(r.covers_incident), min(r.footage_likely_overwritten), o.consent
        FROM recipients r JOIN owners o ON o.id = r.owner_id
        WHERE r.request_id = ?
        GROUP BY r.owner_id
        ORDER BY min(r.rank), r.owner_id"""
    return [RecipientRow(r[0], r[1], r[2], RecipientState(r[3]), r[4], r[5], r[6], bool(r[7]), bool(r[8]), r[9])
            for r in conn.execute(sql, (request_id,))]


def set_owner_response(conn: sqlite3.Connection, request_id: int, owner_id: int, state: RecipientState,
                       at: str | None) -> int:
    cur = conn.execute("UPDATE recipients SET state = ?, responded_at = ? WHERE request_id = ? AND owner_id = ?",
                       (state.value, at, request_id, owner_id))
    return cur.rowcount


def close_pending(conn: sqlite3.Connection, request_id: int) -> int:
    """Owners who never answered by the time a request closes: 'no response'."""
    cur = conn.execute("UPDATE recipients SET state = 'no_response' WHERE request_id = ? AND state = 'pending'",
                       (request_id,))
    return cur.rowcount


def drop_owner_from_unsent(conn: sqlite3.Connection, owner_id: int) -> list[int]:
    """Remove an owner (who just opted out) from every request not yet sent; returns those requests' ids."""
    ids = [r[0] for r in conn.execute(
        "SELECT DISTINCT r.request_id FROM recipients r JOIN footage_requests f ON f.id = r.request_id "
        "WHERE r.owner_id = ? AND f.state IN ('draft', 'awaiting_approval')", (owner_id,))]
    for request_id in ids:
        conn.execute("DELETE FROM recipients WHERE request_id = ? AND owner_id = ?", (request_id, owner_id))
    return ids


# --- outcomes -----------------------------------------------------------------------------------------------------
def set_outcome(conn: sqlite3.Connection, request_id: int, footage_useful: bool | None, led_to_arrest: bool | None,
                notes: str, at: str, by: int | None) -> None:
    conn.execute("INSERT INTO request_outcomes (request_id, footage_useful, led_to_arrest, notes, recorded_at, "
                 "recorded_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(request_id) DO UPDATE SET "
                 "footage_useful = excluded.footage_useful, led_to_arrest = excluded.led_to_arrest, "
                 "notes = excluded.notes, recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by",
                 (request_id, _tri(footage_useful), _tri(led_to_arrest), notes, at, by))


def get_outcome(conn: sqlite3.Connection, request_id: int) -> tuple[bool | None, bool | None, str] | None:
    row = conn.execute("SELECT footage_useful, led_to_arrest, notes FROM request_outcomes WHERE request_id = ?",
                       (request_id,)).fetchone()
    if row is None:
        return None
    return (None if row[0] is None else bool(row[0]), None if row[1] is None else bool(row[1]), row[2])


def _tri(value: bool | None) -> int | None:
    return None if value is None else int(bool(value))


# --- expiry and the public log -----------------------------------------------------------------------------------
def due_for_expiry(conn: sqlite3.Connection, now_iso: str) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM footage_requests WHERE state = 'sent' AND expires_at <= ? "
                                       "ORDER BY id", (now_iso,))]


def public_log_rows(conn: sqlite3.Connection) -> list[tuple]:
    """Every request with a public number: the raw material of the public log (area generalised by the caller)."""
    sql = f"""
        SELECT r.public_no, r.case_number, IFNULL(a.name, ''), r.offense_category, r.area_json, r.window_start,
               r.window_end, r.sent_at, IFNULL(r.expires_at, ''),
               IFNULL(r.resolved_at, IFNULL((SELECT max(t.at) FROM request_transitions t WHERE t.request_id = r.id
                                              AND t.to_state IN ('expired', 'withdrawn')), '')),
               r.state, IFNULL(c.notified, 0), IFNULL(c.shared, 0), IFNULL(c.declined, 0),
               (SELECT count(*) FROM policy_overrides o WHERE o.request_id = r.id)
        FROM footage_requests r
        LEFT JOIN agencies a ON a.id = r.agency_id
        LEFT JOIN ({_OWNER_COUNTS}) c ON c.request_id = r.id
        WHERE r.public_no IS NOT NULL
        ORDER BY r.public_no"""
    return conn.execute(sql).fetchall()


def recipient_points(conn: sqlite3.Connection, request_id: int) -> list[tuple[float, float, bool, str]]:
    """(lat, lon, covers_incident, state) of every recipient camera: for the small map of the request."""
    return [(r[0], r[1], bool(r[2]), r[3]) for r in conn.execute(
        "SELECT c.lat, c.lon, r.covers_incident, r.state FROM recipients r JOIN cameras c ON c.id = r.camera_id "
        "WHERE r.request_id = ?", (request_id,))]


def missing_refs(conn: sqlite3.Connection, agency_id: int | None, incident_id: int | None) -> list[str]:
    """Which of a request's references name no record: 'agency', 'incident' (a None incident is fine)."""
    out = []
    if agency_id is None or conn.execute("SELECT 1 FROM agencies WHERE id = ?", (agency_id,)).fetchone() is None:
        out.append("agency")
    if incident_id is not None and conn.execute("SELECT 1 FROM incidents WHERE id = ?",
                                                (incident_id,)).fetchone() is None:
        out.append("incident")
    return out


def incident_point(conn: sqlite3.Connection, incident_id: int | None) -> tuple[float, float] | None:
    if incident_id is None:
        return None
    row = conn.execute("SELECT lat, lon FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    return (row[0], row[1]) if row and row[0] is not None else None


def agencies(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    return conn.execute("SELECT id, name FROM agencies WHERE status != 'ended' ORDER BY name").fetchall()


def agency_name(conn: sqlite3.Connection, agency_id: int) -> str:
    row = conn.execute("SELECT name FROM agencies WHERE id = ?", (agency_id,)).fetchone()
    return str(row[0]) if row else ""


def agency_point(conn: sqlite3.Connection, agency_id: int | None) -> tuple[float, float] | None:
    """The agency's own location (where a new circle starts before an incident is chosen)."""
    row = conn.execute("SELECT lat, lon FROM agencies WHERE id = ?", (agency_id,)).fetchone()
    return (row[0], row[1]) if row and row[0] is not None and row[1] is not None else None


def recent_incidents(conn: sqlite3.Connection, agency_id: int | None, limit: int = 300) -> list[tuple]:
    """(id, occurred_at, category, case_number, lat, lon), newest first, of one agency (or any)."""
    where = "WHERE agency_id = ?" if agency_id is not None else ""
    params: tuple = (agency_id,) if agency_id is not None else ()
    return conn.execute(f"SELECT id, occurred_at, category, case_number, lat, lon FROM incidents {where} "
                        f"ORDER BY occurred_at DESC, id DESC LIMIT {int(limit)}", params).fetchall()


def owner_response(conn: sqlite3.Connection, request_id: int, owner_id: int) -> RecipientState | None:
    """The owner's current answer to a request (None if they are not a recipient)."""
    row = conn.execute("SELECT max(state) FROM recipients WHERE request_id = ? AND owner_id = ?",
                       (request_id, owner_id)).fetchone()
    return RecipientState(row[0]) if row and row[0] else None


def answer_changes(conn: sqlite3.Connection, request_id: int) -> list[tuple[str, str, str]]:
    """The request's changed answers, oldest first, from its audit entries: (at, actor, details JSON)."""
    return [tuple(r) for r in conn.execute(
        "SELECT at, actor, details FROM audit_log WHERE object = ? AND action = 'response_changed' ORDER BY seq",
        (f"request:{request_id}",))]


def request_author(conn: sqlite3.Connection, request_id: int) -> tuple[int | None] | None:
    """(created_by,) of a request, or None when there is no such request."""
    row = conn.execute("SELECT created_by FROM footage_requests WHERE id = ?", (request_id,)).fetchone()
    return (row[0],) if row is not None else None


def insert_override(conn: sqlite3.Connection, request_id: int, rule: str, reason: str, supervisor_id: int | None,
                    at: str) -> int:
    cur = conn.execute("INSERT INTO policy_overrides (request_id, rule, reason, supervisor_id, at) "
                       "VALUES (?, ?, ?, ?, ?)", (request_id, rule, reason, supervisor_id, at))
    return int(cur.lastrowid or 0)


def agency_policy(conn: sqlite3.Connection, agency_id: int) -> tuple[str, str | None, str] | None:
    """(case-number pattern, jurisdiction GeoJSON, name) of an agency, for the request rules."""
    row = conn.execute("SELECT case_number_pattern, jurisdiction_geojson, name FROM agencies WHERE id = ?",
                       (agency_id,)).fetchone()
    return (row[0] or "", row[1], row[2]) if row else None


def notice_rows(conn: sqlite3.Connection, request_id: int) -> list[tuple]:
    """(owner id, anonymity no., name, email, phone, address, contact preference, cameras, best rank) of every
    recipient owner, best-placed first: the contact details the notices carry."""
    return conn.execute(
        "SELECT o.id, o.anonymity_no, o.display_name, o.email, o.phone, o.address, o.contact_preference, count(*), "
        "min(r.rank) FROM recipients r JOIN owners o ON o.id = r.owner_id WHERE r.request_id = ? "
        "GROUP BY o.id ORDER BY min(r.rank), o.id", (request_id,)).fetchall()


def insert_incident(conn: sqlite3.Connection, occurred_at: str, lat: float | None, lon: float | None, category: str,
                    text: str, source: str, case_number: str, agency_id: int | None, created_at: str) -> int:
    cur = conn.execute("INSERT INTO incidents (occurred_at, lat, lon, category, text, source, case_number, "
                       "agency_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (occurred_at, lat, lon, category, text, source, case_number, agency_id, created_at))
    return int(cur.lastrowid or 0)


def settings_with_prefix(conn: sqlite3.Connection, prefix: str) -> list[tuple[str, str]]:
    return conn.execute("SELECT key, value FROM settings WHERE key LIKE ?", (prefix + "%",)).fetchall()


def put_setting(conn: sqlite3.Connection, key: str, value: str, changed_at: str, changed_by: str) -> None:
    conn.execute("INSERT INTO settings (key, value, changed_at, changed_by) VALUES (?, ?, ?, ?)"
                 " ON CONFLICT(key) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at,"
                 " changed_by = excluded.changed_by", (key, value, changed_at, changed_by))
