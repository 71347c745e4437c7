"""The transparency report's content for a period, computed from the store. No Qt.

Every figure comes from one query in app.store.insights (or the coverage core over the store's cameras), and the
report names the audit chain head it was computed at, so anyone with a copy of the store can recompute it.
Nothing personal is selected: no owner names, contacts or addresses, no investigator contacts, no staff names;
places appear only as districts (0.02° world-grid cells), generalised request circles and coarse, k-anonymous
coverage blocks. What the store does not record is said as a gap, never guessed.

This module puts the report together; the model is app.io.report_model, the sections app.io.report_sections
and app.io.report_coverage.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Any

from app.core.districts import district_label
from app.core.fence import fence_from_json
from app.core.public_log import generalised_circle
from app.core.records import from_iso
from app.io.report_coverage import coverage_section
from app.io.report_model import (
    NO_BIOMETRICS,
    REPORT_CELL_M,
    Report,
    ReportCancelled,
    Section,
    Table,
    fmt,
    period_of,
)
from app.io.report_sections import (
    effectiveness_section,
    equity_section,
    footage_section,
    operations_section,
    program_section,
    requests_section,
)
from app.store import audit
from app.store import insights as q


def build_report(conn: sqlite3.Connection, date_from: date, date_to: date, limits: dict[str, Any],
                 agency_id: int | None = None, cell_m: float = REPORT_CELL_M,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> Report:
    """Compute the report in one read transaction (every figure sees the same store, at the head it names)."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        return _build(conn, date_from, date_to, limits, agency_id, cell_m, progress, cancelled)
    finally:
        if own:
            conn.execute("COMMIT")


def _step(progress: Callable[[int, int], None] | None, cancelled: Callable[[], bool] | None, k: int) -> None:
    if cancelled is not None and cancelled():
        raise ReportCancelled
    if progress is not None:
        progress(k, 10)


def _build(conn: sqlite3.Connection, date_from: date, date_to: date, limits: dict[str, Any], agency_id: int | None,
           cell_m: float, progress: Callable[[int, int], None] | None,
           cancelled: Callable[[], bool] | None) -> Report:
    p = period_of(date_from, date_to)
    head = audit.current_head(conn)
    gaps: list[str] = []
    agency_name = "all agencies"
    if agency_id is not None:
        row = conn.execute("SELECT name FROM agencies WHERE id = ?", (agency_id,)).fetchone()
        if row is None:
            raise ValueError(f"there is no agency {agency_id} in this store")
        agency_name = str(row[0])
    meta = Section("report", "About this report")
    meta.add("period_from", "Period from (UTC, inclusive)", date_from.isoformat())
    meta.add("period_to", "Period to (UTC, inclusive)", date_to.isoformat())
    meta.add("agency", "Agency", agency_name)
    meta.add("audit_head_seq", "Audit chain head: entry number", head.seq)
    meta.add("audit_head_hash", "Audit chain head: SHA-256", head.hash)
    meta.add("audit_head_at", "Audit chain head: written at (UTC)", head.at)
    meta.notes.append("Every figure below was computed from the store at this audit chain head; `canvass "
                      "verify-audit --head SEQ:HASH` proves a copy of the store holds the same history, and `canvass "
                      "report` recomputes the same figures from it.")
    _step(progress, cancelled, 1)
    charts: dict[str, dict[str, Any]] = {}
    prog = program_section(conn, p, agency_id, gaps, charts)
    _step(progress, cancelled, 2)
    req, ans = requests_section(conn, p, agency_id, limits, charts)
    _step(progress, cancelled, 3)
    foot = footage_section(conn, p, agency_id, gaps, charts)
    _step(progress, cancelled, 4)
    ops = operations_section(conn, p, agency_id, gaps)
    _step(progress, cancelled, 5)
    eff = effectiveness_section(conn, p, agency_id, ans, charts)
    _step(progress, cancelled, 6)
    covs = coverage_section(conn, p, agency_id, cell_m, gaps, cancelled)
    _step(progress, cancelled, 8)
    eq = equity_section(conn, p, agency_id)
    _step(progress, cancelled, 9)

    log = Section("public_log", "Public request log")
    log_rows = []
    for r in _public_log(conn, p, agency_id):
        log_rows.append(r)
    log.add("entries", "Requests in the public log sent in the period", len(log_rows))
    log.tables.append(Table("public_log", "Public request log (areas generalised)",
                            ["No.", "Case number", "Agency", "Category", "District", "Area centre (lat, lon)",
                             "Radius (m)", "Window start", "Window (h)", "Sent", "Closed", "State", "Notified",
                             "Shared", "Declined", "Overrides"], log_rows,
                            "Areas are shown as a circle that contains the real area (centre rounded to about 100 m, "
                            "radius rounded up to 100 m). Owners are never named."))

    stmt = Section("biometrics", "Biometric identification")
    stmt.add("biometric_identification_used", "Biometric identification used", False)
    stmt.notes.append(NO_BIOMETRICS)
    _step(progress, cancelled, 10)
    gaps_sec = Section("gaps", "What this store does not record")
    for i, g in enumerate(gaps, start=1):
        gaps_sec.add(f"gap_{i}", "Gap", g)
    if not gaps:
        gaps_sec.notes.append("Nothing: every figure of this report is recorded in this store.")
    title = f"Transparency report {date_from.isoformat()} to {date_to.isoformat()}"
    return Report(title, date_from, date_to, agency_name, head,
                  [meta, prog, req, foot, ops, eff, covs, eq, log, stmt, gaps_sec], gaps, charts)


def _public_log(conn: sqlite3.Connection, p: q.Period, agency_id: int | None) -> list[list[str]]:
    """Public log rows of the requests sent in the period (the same generalisation as the public log export)."""
    agency = None
    if agency_id is not None:
        agency = conn.execute("SELECT name FROM agencies WHERE id = ?", (agency_id,)).fetchone()[0]
    out = []
    from app.store.requests import public_log_rows

    for row in public_log_rows(conn):
        sent_at = row[7] or ""
        if not (p.start <= sent_at < p.end) or (agency is not None and row[2] != agency):
            continue
        try:
            lat, lon, radius = generalised_circle(fence_from_json(json.loads(row[4])))
            centre, radius_text = f"{lat:.3f}, {lon:.3f}", f"{radius:.0f}"
        except (ValueError, TypeError, KeyError, json.JSONDecodeError):
            centre, radius_text = "(area unreadable)", ""
        hours = (from_iso(row[6]) - from_iso(row[5])).total_seconds() / 3600.0
        out.append([str(row[0]), str(row[1]), str(row[2]), str(row[3]), district_label(q.area_district(row[4])),
                    centre, radius_text, str(row[5]), fmt(round(hours, 2)), sent_at[:10],
                    str(row[9])[:10] or "open", str(row[10]).replace("_", " "), str(row[11]), str(row[12]),
                    str(row[13]), str(row[14])])
    return out
