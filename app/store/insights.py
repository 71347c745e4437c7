"""Queries for the dashboards and the transparency report. sqlite3 only; nothing here selects personal data.

Two kinds of reader:
- ``load_facts`` reads, once, compact numpy columns (one entry per camera, request, shipment, …) that the
  dashboards filter in memory (period / agency / area), so a filter change over a million cameras costs
  milliseconds, not a table scan.
- the ``report_*`` functions answer the transparency report's questions for a period directly in SQL, each
  one a plain query anyone with a copy of the store can re-run.

Owner names, contacts and addresses, investigator contacts and free-text notes are never selected. Periods are
half-open UTC ranges [start, end) of ISO 8601 strings; stored timestamps are ISO 8601 UTC with a Z, so string
comparison orders them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.core.districts import NO_DISTRICT, district_code, district_codes
from app.core.fence import fence_from_json
from app.core.insight_facts import (
    ANSWER_STATES,
    REQUEST_STATES,
    CameraFacts,
    EvidenceFacts,
    Facts,
    ProgramFacts,
    RequestFacts,
)
from app.core.records import SOURCE_CODES

_CHUNK = 65_536
_DAY0 = 2440587.5        # julianday of 1970-01-01T00:00:00Z


def _case(column: str, codes: tuple[str, ...] | list[str]) -> str:
    return "CASE " + column + " " + " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(codes)) + " ELSE -1 END"


def _day(column: str) -> str:
    """Days since 1970-01-01 UTC as a real number (NULL stays NULL)."""
    return f"(julianday({column}) - {_DAY0})"


def has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return any(r[1] == column for r in conn.execute(f"PRAGMA table_info({table})"))


def has_table(conn: sqlite3.Connection, table: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    return row is not None


def _floats(conn: sqlite3.Connection, sql: str, params: tuple = (), width: int = 1,
            on_chunk: Callable[[int], None] | None = None) -> np.ndarray:
    """All rows of an all-numeric query as one float64 (n, width) array, read in chunks (NULL -> NaN)."""
    cur = conn.execute(sql, params)
    parts = []
    while True:
        rows = cur.fetchmany(_CHUNK)
        if not rows:
            break
        parts.append(np.array(rows, dtype=np.float64).reshape(-1, width))
        if on_chunk is not None:
            on_chunk(sum(p.shape[0] for p in parts))
    return np.concatenate(parts) if parts else np.empty((0, width), np.float64)


def load_camera_facts(conn: sqlite3.Connection, on_chunk: Callable[[int], None] | None = None) -> CameraFacts:
    a = _floats(conn, f"SELECT {_day('registered_on')}, {_case('source', SOURCE_CODES)}, lat, lon, active "
                      "FROM cameras ORDER BY id", width=5, on_chunk=on_chunk)
    return CameraFacts(a[:, 0], a[:, 1].astype(np.int8), district_codes(a[:, 2], a[:, 3]), a[:, 2], a[:, 3],
                       a[:, 4] != 0)


def load_request_facts(conn: sqlite3.Connection) -> RequestFacts:
    rows = conn.execute(f"SELECT r.id, r.agency_id, {_day('r.created_at')}, {_day('r.sent_at')}, "
                        f"{_case('r.state', REQUEST_STATES)}, r.area_json, "
                        "IFNULL(o.footage_useful, -1), IFNULL(o.led_to_arrest, -1) "
                        "FROM footage_requests r LEFT JOIN request_outcomes o ON o.request_id = r.id "
                        "ORDER BY r.id").fetchall()
    n = len(rows)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    district = np.full(n, NO_DISTRICT, dtype=np.int64)
    for i, r in enumerate(rows):
        district[i] = area_district(r[5])
    answers = np.zeros((n, len(ANSWER_STATES)), dtype=np.int32)
    first = np.full(n, np.nan)
    if n:
        pos = {int(i): k for k, i in enumerate(ids.tolist())}
        for req, state, count in conn.execute(
                "SELECT request_id, state, count(*) FROM (SELECT DISTINCT request_id, owner_id, state FROM recipients "
                "WHERE owner_id IS NOT NULL) GROUP BY request_id, state"):
            if req in pos and state in ANSWER_STATES:
                answers[pos[req], ANSWER_STATES.index(state)] = count
        for req, hours in conn.execute(
                "SELECT p.request_id, (julianday(min(p.responded_at)) - julianday(r.sent_at)) * 24 FROM recipients p "
                "JOIN footage_requests r ON r.id = p.request_id WHERE p.responded_at IS NOT NULL "
                "AND p.state IN ('shared', 'declined', 'no_footage') AND r.sent_at IS NOT NULL GROUP BY p.request_id"):
            if req in pos and hours is not None:
                first[pos[req]] = hours
    col = (lambda k, dt=np.float64: np.array([np.nan if r[k] is None else r[k] for r in rows], dtype=dt))  # noqa: E731
    return RequestFacts(ids, np.array([r[1] for r in rows], dtype=np.int64), col(2), col(3),
                        np.array([r[4] for r in rows], dtype=np.int8), district, answers, first,
                        np.array([r[6] for r in rows], dtype=np.int8), np.array([r[7] for r in rows], dtype=np.int8))


def area_district(area_json: str | None) -> int:
    """The district of a request area's centre (NO_DISTRICT if it cannot be read)."""
    try:
        lat, lon = fence_from_json(json.loads(area_json or "null")).centroid()
    except (ValueError, TypeError, KeyError, AttributeError, json.JSONDecodeError):
        return NO_DISTRICT
    return district_code(lat, lon)


def conditional_column(conn: sqlite3.Connection) -> str | None:
    """The column that marks a conditional handout, if this store records one (added by the program ledger)."""
    for name in ("sharing_condition", "conditional", "is_conditional"):
        if has_column(conn, "distributions", name):
            return name
    return None


def load_program_facts(conn: sqlite3.Connection) -> ProgramFacts:
    agencies = conn.execute(f"SELECT id, name, {_day('partnered_on')} FROM agencies ORDER BY id").fetchall()
    ship = _floats(conn, f"SELECT {_day('shipped_on')}, agency_id, units FROM device_shipments ORDER BY id", width=3)
    cred = _floats(conn, f"SELECT {_day('recorded_on')}, agency_id, units_earned FROM download_credits ORDER BY id",
                   width=3)
    cond = conditional_column(conn)
    cond_sql = f"(d.{cond} IS NOT NULL AND d.{cond} != 0 AND d.{cond} != '')" if cond else "0"
    units = "IFNULL(d.units, 1)" if has_column(conn, "distributions", "units") else "1"
    dist = _floats(conn, f"SELECT {_day('d.distributed_on')}, d.agency_id, c.id IS NOT NULL, {cond_sql}, c.lat, c.lon, "
                         f"{units} FROM distributions d LEFT JOIN cameras c ON c.id = d.camera_id ORDER BY d.id",
                   width=7)
    return ProgramFacts(
        np.array([a[0] for a in agencies], dtype=np.int64), [a[1] for a in agencies],
        np.array([np.nan if a[2] is None else a[2] for a in agencies], dtype=np.float64),
        ship[:, 0], ship[:, 1].astype(np.int64), ship[:, 2].astype(np.int64),
        cred[:, 0], cred[:, 1].astype(np.int64), cred[:, 2].astype(np.int64),
        dist[:, 0], dist[:, 1].astype(np.int64), dist[:, 2] != 0, (dist[:, 3] != 0) if cond else None,
        district_codes(dist[:, 4], dist[:, 5]), dist[:, 6].astype(np.int64))


def onward_table(conn: sqlite3.Connection) -> tuple[str, str, str] | None:
    """(table, recipient-organisation column, date column) of the onward-sharing register, if this store has one."""
    for table in ("onward_shares", "onward_sharing", "evidence_shares"):
        if has_table(conn, table):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            org = next((c for c in ("recipient_org", "recipient_organisation", "recipient_organization",
                                    "organisation", "organization", "recipient") if c in cols), None)
            day = next((c for c in ("shared_at", "shared_on", "at", "created_at", "approved_at") if c in cols), None)
            if org and day:
                return table, org, day
    return None


def load_evidence_facts(conn: sqlite3.Connection) -> EvidenceFacts:
    ev = _floats(conn, f"SELECT {_day('e.received_at')}, r.agency_id, {_day('e.purged_at')}, e.legal_hold "
                       "FROM evidence_items e JOIN footage_requests r ON r.id = e.request_id ORDER BY e.id", width=4)
    onward = None
    spec = onward_table(conn)
    if spec is not None:
        onward = [(float(d) if d is not None else float("nan"), int(a or 0), str(o)) for d, a, o in conn.execute(
            f"SELECT {_day('s.' + spec[2])}, r.agency_id, s.{spec[1]} FROM {spec[0]} s "
            "LEFT JOIN evidence_items e ON e.id = s.evidence_id LEFT JOIN footage_requests r ON r.id = e.request_id "
            f"ORDER BY s.{spec[2]}, s.rowid")] if has_column(conn, spec[0], "evidence_id") else [
            (float(d) if d is not None else float("nan"), 0, str(o))
            for d, o in conn.execute(f"SELECT {_day(spec[2])}, {spec[1]} FROM {spec[0]} ORDER BY {spec[2]}, rowid")]
    return EvidenceFacts(ev[:, 0], ev[:, 1].astype(np.int64), ev[:, 2], ev[:, 3] != 0, onward)


def load_facts(conn: sqlite3.Connection, on_chunk: Callable[[int], None] | None = None) -> Facts:
    """Everything the dashboards show, in one read transaction (so the parts agree)."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        jur = {int(i): str(g) for i, g in conn.execute(
            "SELECT id, jurisdiction_geojson FROM agencies WHERE jurisdiction_geojson IS NOT NULL")}
        return Facts(load_camera_facts(conn, on_chunk), load_request_facts(conn), load_program_facts(conn),
                     load_evidence_facts(conn), jur)
    finally:
        if own:
            conn.execute("COMMIT")


def agency_names(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    return [(int(i), str(n)) for i, n in conn.execute("SELECT id, name FROM agencies ORDER BY name, id")]


# --- the transparency report's queries ------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    start: str      # ISO UTC, inclusive
    end: str        # ISO UTC, exclusive


def _agency_clause(alias: str, agency_id: int | None) -> tuple[str, tuple]:
    return (f" AND {alias}.agency_id = ?", (agency_id,)) if agency_id is not None else ("", ())


def report_agencies(conn: sqlite3.Connection, p: Period) -> list[tuple[str, str, str, str, str, str]]:
    """(name, kind, city, state, partnered_on, status) of every agency partnered before the period ended."""
    return [tuple("" if v is None else str(v) for v in r) for r in conn.execute(
        "SELECT name, kind, city, state, IFNULL(substr(partnered_on, 1, 10), ''), status FROM agencies "
        "WHERE partnered_on IS NOT NULL AND partnered_on < ? ORDER BY partnered_on, name, id", (p.end,))]


def report_program(conn: sqlite3.Connection, p: Period, agency_id: int | None = None) -> dict[str, Any]:
    a_s, a_p = _agency_clause("s", agency_id)
    a_d, a_dp = _agency_clause("d", agency_id)
    a_c, a_cp = _agency_clause("c", agency_id)
    one = (lambda sql, params: conn.execute(sql, params).fetchone()[0])  # noqa: E731
    # A handout may be of several units (the program ledger's units column); without it, one row is one unit.
    units = "IFNULL(sum(d.units), 0)" if has_column(conn, "distributions", "units") else "count(*)"
    out: dict[str, Any] = {
        "partnerships_started": one("SELECT count(*) FROM agencies WHERE partnered_on >= ? AND partnered_on < ?"
                                    + (" AND id = ?" if agency_id is not None else ""),
                                    (p.start, p.end) + ((agency_id,) if agency_id is not None else ())),
        "units_shipped": one(f"SELECT IFNULL(sum(s.units), 0) FROM device_shipments s WHERE s.shipped_on >= ? "
                             f"AND s.shipped_on < ?{a_s}", (p.start, p.end) + a_p),
        "downloads": one(f"SELECT IFNULL(sum(c.downloads), 0) FROM download_credits c WHERE c.recorded_on >= ? "
                         f"AND c.recorded_on < ?{a_c}", (p.start, p.end) + a_cp),
        "units_earned": one(f"SELECT IFNULL(sum(c.units_earned), 0) FROM download_credits c WHERE c.recorded_on >= ? "
                            f"AND c.recorded_on < ?{a_c}", (p.start, p.end) + a_cp),
        "units_distributed": one(f"SELECT {units} FROM distributions d WHERE d.distributed_on >= ? "
                                 f"AND d.distributed_on < ?{a_d}", (p.start, p.end) + a_dp),
        "terms_accepted": one(f"SELECT count(*) FROM distributions d WHERE d.distributed_on >= ? "
                              f"AND d.distributed_on < ? AND d.terms_accepted = 1{a_d}", (p.start, p.end) + a_dp),
        "installed_registered": one(f"SELECT count(*) FROM distributions d JOIN cameras c ON c.id = d.camera_id "
                                    f"WHERE d.distributed_on >= ? AND d.distributed_on < ?{a_d}",
                                    (p.start, p.end) + a_dp),
    }
    cond = conditional_column(conn)
    out["conditional_handouts"] = None if cond is None else one(
        f"SELECT count(*) FROM distributions d WHERE d.distributed_on >= ? AND d.distributed_on < ? "
        f"AND d.{cond} IS NOT NULL AND d.{cond} != 0 AND d.{cond} != ''{a_d}", (p.start, p.end) + a_dp)
    return out


def report_cameras(conn: sqlite3.Connection, p: Period) -> list[tuple[str, int, int]]:
    """(source, registered in the period, active at the time of the report) per camera source."""
    rows = dict.fromkeys(SOURCE_CODES, (0, 0))
    for src, new, active in conn.execute(
            "SELECT source, sum(registered_on >= ? AND registered_on < ?), sum(active = 1 AND registered_on < ?) "
            "FROM cameras GROUP BY source ORDER BY source", (p.start, p.end, p.end)):
        rows[src] = (int(new or 0), int(active or 0))
    return [(s, *rows[s]) for s in SOURCE_CODES]


def sent_requests(conn: sqlite3.Connection, p: Period, agency_id: int | None = None) -> list[tuple]:
    """(id, public_no, area_json, window_start, window_end, state) of requests sent in the period."""
    a, ap = _agency_clause("r", agency_id)
    return conn.execute(f"SELECT r.id, r.public_no, r.area_json, r.window_start, r.window_end, r.state "
                        f"FROM footage_requests r WHERE r.sent_at >= ? AND r.sent_at < ?{a} ORDER BY r.public_no, r.id",
                        (p.start, p.end) + ap).fetchall()


def report_answers(conn: sqlite3.Connection, p: Period, agency_id: int | None = None) -> dict[str, int]:
    """Owners notified by the period's sent requests, and how they answered (one answer per owner and request)."""
    a, ap = _agency_clause("r", agency_id)
    out = dict.fromkeys(ANSWER_STATES, 0)
    for state, n in conn.execute(
            "SELECT state, count(*) FROM (SELECT DISTINCT p.request_id, p.owner_id, p.state FROM recipients p "
            f"JOIN footage_requests r ON r.id = p.request_id WHERE r.sent_at >= ? AND r.sent_at < ?{a} "
            "AND p.owner_id IS NOT NULL) GROUP BY state", (p.start, p.end) + ap):
        out[state] = int(n)
    out["notified"] = sum(out[s] for s in ANSWER_STATES)
    out["distinct_owners"] = int(conn.execute(
        "SELECT count(DISTINCT p.owner_id) FROM recipients p JOIN footage_requests r ON r.id = p.request_id "
        f"WHERE r.sent_at >= ? AND r.sent_at < ?{a}", (p.start, p.end) + ap).fetchone()[0])
    return out


def report_refused(conn: sqlite3.Connection, p: Period, agency_id: int | None = None) -> int:
    """Requests submitted in the period against the policy (failed rules) that never went out."""
    a, ap = _agency_clause("r", agency_id)
    return int(conn.execute(
        "SELECT count(DISTINCT r.id) FROM footage_requests r JOIN request_transitions t ON t.request_id = r.id "
        "WHERE t.to_state = 'awaiting_approval' AND t.reason LIKE 'failed rules%' AND t.at >= ? AND t.at < ? "
        f"AND r.sent_at IS NULL{a}", (p.start, p.end) + ap).fetchone()[0])


def report_overrides(conn: sqlite3.Connection, p: Period, agency_id: int | None = None) -> list[tuple[str, str, str,
                                                                                                     str]]:
    """(date, request's public number or 'unsent', rule, reason) of every policy override in the period."""
    a, ap = _agency_clause("r", agency_id)
    return [(str(at)[:10], str(no) if no is not None else "unsent", rule, " ".join(str(reason).split()))
            for at, no, rule, reason in conn.execute(
                "SELECT o.at, r.public_no, o.rule, o.reason FROM policy_overrides o "
                f"JOIN footage_requests r ON r.id = o.request_id WHERE o.at >= ? AND o.at < ?{a} ORDER BY o.at, o.id",
                (p.start, p.end) + ap)]


def report_outcomes(conn: sqlite3.Connection, p: Period, agency_id: int | None = None) -> dict[str, int]:
    a, ap = _agency_clause("r", agency_id)
    row = conn.execute(
        "SELECT count(*), "
        "sum(EXISTS (SELECT 1 FROM recipients x WHERE x.request_id = r.id AND x.state = 'shared')), "
        "sum(o.footage_useful = 1), sum(o.led_to_arrest = 1), sum(o.request_id IS NOT NULL) "
        "FROM footage_requests r LEFT JOIN request_outcomes o ON o.request_id = r.id "
        f"WHERE r.sent_at >= ? AND r.sent_at < ?{a}", (p.start, p.end) + ap).fetchone()
    return {"sent": int(row[0] or 0), "footage_available": int(row[1] or 0), "footage_useful": int(row[2] or 0),
            "arrests": int(row[3] or 0), "outcome_recorded": int(row[4] or 0)}


def legal_hold_table(conn: sqlite3.Connection) -> str | None:
    for table in ("legal_holds", "evidence_holds"):
        if has_table(conn, table) and has_column(conn, table, "evidence_id"):
            return table
    return None


def report_evidence(conn: sqlite3.Connection, p: Period, agency_id: int | None = None) -> dict[str, int]:
    a, ap = _agency_clause("r", agency_id)
    base = "FROM evidence_items e JOIN footage_requests r ON r.id = e.request_id WHERE 1 = 1" + a
    one = (lambda where, params: int(conn.execute(f"SELECT count(*) {base} {where}", ap + params).fetchone()[0]))  # noqa: E731
    holds = legal_hold_table(conn)
    if holds is not None and has_column(conn, holds, "placed_at") and has_column(conn, holds, "released_at"):
        held = one(f"AND EXISTS (SELECT 1 FROM {holds} h WHERE h.evidence_id = e.id AND h.placed_at < ? "
                   "AND (h.released_at IS NULL OR h.released_at >= ?))", (p.end, p.end))
    else:
        held = one("AND e.legal_hold = 1 AND e.purged_at IS NULL", ())
    return {
        "received": one("AND e.received_at >= ? AND e.received_at < ?", (p.start, p.end)),
        "purged": one("AND e.purged_at >= ? AND e.purged_at < ?", (p.start, p.end)),
        "retained_at_end": one("AND e.received_at < ? AND (e.purged_at IS NULL OR e.purged_at >= ?)", (p.end, p.end)),
        "on_legal_hold": held,
    }


def report_onward(conn: sqlite3.Connection, p: Period) -> list[tuple[str, int]] | None:
    """(recipient organisation, packages shared onward in the period); None if the store has no register."""
    spec = onward_table(conn)
    if spec is None:
        return None
    table, org, day = spec
    return [(str(o), int(n)) for o, n in conn.execute(
        f"SELECT {org}, count(*) FROM {table} WHERE {day} >= ? AND {day} < ? GROUP BY {org} ORDER BY {org}",
        (p.start, p.end))]


def operation_columns(conn: sqlite3.Connection) -> dict[str, str | None]:
    """Which optional columns this store's operations table has (a stated goal, public statements)."""
    return {"goal": next((c for c in ("goal", "stated_goal") if has_column(conn, "operations", c)), None)}


def report_operations(conn: sqlite3.Connection, p: Period, agency_id: int | None = None) -> list[tuple]:
    """(name, kind, started, ended, goal, outcome, arrests) of operations that overlap the period."""
    a, ap = _agency_clause("o", agency_id)
    goal = operation_columns(conn)["goal"]
    goal_sql = f"IFNULL(NULLIF(o.{goal}, ''), o.description)" if goal else "o.description"
    result_sql = ("CASE o.result WHEN '' THEN o.outcome ELSE '[' || o.result || ' result] ' || o.outcome END"
                  if has_column(conn, "operations", "result") else "o.outcome")
    return [tuple("" if v is None else v for v in r) for r in conn.execute(
        f"SELECT o.name, o.kind, substr(o.started_on, 1, 10), IFNULL(substr(o.ended_on, 1, 10), ''), {goal_sql}, "
        f"{result_sql}, o.arrests FROM operations o WHERE o.started_on < ? AND (o.ended_on IS NULL OR o.ended_on >= ?)"
        f"{a} ORDER BY o.started_on, o.id", (p.end, p.start) + ap)]


def statement_table(conn: sqlite3.Connection) -> str | None:
    for table in ("operation_statements", "public_statements"):
        if has_table(conn, table) and has_column(conn, table, "operation_id"):
            return table
    return None


def report_statements(conn: sqlite3.Connection, p: Period) -> list[tuple[str, str, str, str]] | None:
    """(operation, date, organisation, statement) of public statements about the period's operations."""
    table = statement_table(conn)
    if table is None:
        return None
    cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    org = next((c for c in ("organisation", "organization", "author_org", "by_org", "source") if c in cols), None)
    text = next((c for c in ("text", "statement", "body", "summary") if c in cols), None)
    at = next((c for c in ("made_on", "published_on", "at", "created_at", "stated_on") if c in cols), None)
    if not (org and text and at):
        return None
    return [(str(n), str(d)[:10], str(o), " ".join(str(t).split())) for n, d, o, t in conn.execute(
        f"SELECT op.name, s.{at}, s.{org}, s.{text} FROM {table} s JOIN operations op ON op.id = s.operation_id "
        f"WHERE s.{at} >= ? AND s.{at} < ? ORDER BY s.{at}, s.rowid", (p.start, p.end))]


def report_district_rows(conn: sqlite3.Connection, p: Period, agency_id: int | None = None) -> list[tuple]:
    """(request id, area_json, state of each answer per owner...) for equity by district: caller aggregates."""
    a, ap = _agency_clause("r", agency_id)
    return conn.execute(
        "SELECT r.id, r.area_json, x.state, count(*) FROM footage_requests r LEFT JOIN (SELECT DISTINCT request_id, "
        "owner_id, state FROM recipients WHERE owner_id IS NOT NULL) x ON x.request_id = r.id "
        f"WHERE r.sent_at >= ? AND r.sent_at < ?{a} GROUP BY r.id, x.state ORDER BY r.id, x.state",
        (p.start, p.end) + ap).fetchall()


def active_cameras(conn: sqlite3.Connection, before: str,
                   box: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """(n, 5) float64: lat, lon, heading, fov, range of cameras active and registered before a time (and, with a
    (south, west, north, east) box, inside it: SQLite filters, so a million cameras elsewhere never reach Python)."""
    where, params = "", (before,)
    if box is not None:
        where, params = " AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?", (before, box[0], box[2], box[1], box[3])
    return _floats(conn, "SELECT lat, lon, heading_deg, fov_deg, range_m FROM cameras WHERE active = 1 "
                         f"AND registered_on < ?{where} ORDER BY id", params, width=5)


def count_active_cameras(conn: sqlite3.Connection, before: str) -> int:
    return int(conn.execute("SELECT count(*) FROM cameras WHERE active = 1 AND registered_on < ?",
                            (before,)).fetchone()[0])


def camera_extent(conn: sqlite3.Connection, before: str) -> tuple[float, float, float, float] | None:
    row = conn.execute("SELECT min(lat), min(lon), max(lat), max(lon) FROM cameras WHERE active = 1 "
                       "AND registered_on < ?", (before,)).fetchone()
    return None if row[0] is None else (float(row[0]), float(row[1]), float(row[2]), float(row[3]))


def incidents_in(conn: sqlite3.Connection, p: Period, agency_id: int | None = None) -> np.ndarray:
    a, ap = _agency_clause("i", agency_id)
    return _floats(conn, f"SELECT i.lat, i.lon FROM incidents i WHERE i.occurred_at >= ? AND i.occurred_at < ? "
                         f"AND i.lat IS NOT NULL AND i.lon IS NOT NULL{a} ORDER BY i.id", (p.start, p.end) + ap,
                   width=2)


def jurisdiction(conn: sqlite3.Connection, agency_id: int | None) -> str | None:
    if agency_id is None:
        row = conn.execute("SELECT jurisdiction_geojson FROM agencies WHERE jurisdiction_geojson IS NOT NULL "
                           "ORDER BY id LIMIT 1").fetchone()
    else:
        row = conn.execute("SELECT jurisdiction_geojson FROM agencies WHERE id = ?", (agency_id,)).fetchone()
    return row[0] if row and row[0] else None
