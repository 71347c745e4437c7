"""The transparency report's content for a period, computed from the store. No Qt.

Every figure comes from one query in app.store.insights (or the coverage core over the store's cameras), and the
report names the audit chain head it was computed at, so anyone with a copy of the store can recompute it.
Nothing personal is selected: no owner names, contacts or addresses, no investigator contacts, no staff names;
places appear only as districts (0.02° world-grid cells), generalised request circles and coarse, k-anonymous
coverage blocks. What the store does not record is said as a gap, never guessed.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np

from app.core import coverage as cov
from app.core.coverage_grid import Grid, Rings, grid_for_box, rasterise_rings
from app.core.coverage_views import Wedges
from app.core.districts import NO_DISTRICT, district_label
from app.core.fence import fence_from_json
from app.core.insights import PUBLISHED_AVAILABLE, PUBLISHED_USEFUL
from app.core.public_log import generalised_circle
from app.core.records import from_iso
from app.store import audit
from app.store import insights as q
from app.store.insights import ANSWER_STATES

GAP = "not recorded in this store"
NO_BIOMETRICS = ("Canvass performs no biometric identification: no face recognition, no voice recognition, no "
                 "licence-plate reading, no matching of people across footage. Footage arrives only because a camera "
                 "owner chose to share it; there is no live view of, or remote access to, any camera.")
REPORT_CELL_M = 10.0


class ReportCancelled(Exception):
    pass


@dataclass
class Figure:
    key: str
    label: str
    value: str


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, key: str, label: str, value: object) -> None:
        self.figures.append(Figure(key, label, fmt(value)))

    def figure(self, key: str) -> str:
        return next(f.value for f in self.figures if f.key == key)


@dataclass
class Report:
    title: str
    date_from: date
    date_to: date
    agency: str
    head: audit.ChainHead
    sections: list[Section]
    gaps: list[str]
    charts: dict[str, dict[str, Any]]       # chart key -> data for the plots (rendered by the PDF / HTML writers)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def figure(self, section: str, key: str) -> str:
        return self.section(section).figure(key)


def fmt(value: object) -> str:
    """One deterministic text form per value (the CSV must be byte-identical for the same store and head)."""
    if value is None:
        return GAP
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return "" if not math.isfinite(float(value)) else f"{float(value):.4f}".rstrip("0").rstrip(".")
    return str(value)


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:.1f} %" if d else "n/a (none sent)"


def period_of(date_from: date, date_to: date) -> q.Period:
    """The report covers whole UTC days: from the start of date_from to the end of date_to."""
    if date_to < date_from:
        raise ValueError(f"the period ends ({date_to}) before it starts ({date_from})")
    start = datetime(date_from.year, date_from.month, date_from.day, tzinfo=timezone.utc)
    end = datetime(date_to.year, date_to.month, date_to.day, tzinfo=timezone.utc) + timedelta(days=1)
    return q.Period(start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ"))


def _stats(values: list[float]) -> tuple[str, str, str]:
    if not values:
        return "n/a", "n/a", "n/a"
    a = np.asarray(values)
    return fmt(float(a.min())), fmt(float(np.median(a))), fmt(float(a.max()))


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

    # --- program -------------------------------------------------------------------------------------------
    prog = Section("program", "Partnerships and the camera program")
    agencies = q.report_agencies(conn, p)
    prog.add("agencies_partnered", "Agencies partnered by the end of the period", len(agencies))
    figs = q.report_program(conn, p, agency_id)
    prog.add("partnerships_started", "Partnerships started in the period", figs["partnerships_started"])
    prog.add("units_shipped", "Camera units received by agencies (shipments)", figs["units_shipped"])
    prog.add("app_downloads", "App downloads credited", figs["downloads"])
    prog.add("units_earned", "Camera units earned by app downloads", figs["units_earned"])
    prog.add("units_distributed", "Camera units handed out to residents", figs["units_distributed"])
    prog.add("terms_accepted", "Handouts whose recipient accepted the terms shown", figs["terms_accepted"])
    prog.add("installed_registered", "Handed-out units installed and registered", figs["installed_registered"])
    prog.add("conditional_handouts", "Conditional handouts (a camera given on conditions)",
             figs["conditional_handouts"])
    if figs["conditional_handouts"] is None:
        gaps.append("Conditional handouts: " + GAP + " (the program ledger has no condition on a handout).")
    prog.tables.append(Table("agencies", "Partner agencies", ["Agency", "Kind", "City", "State", "Partnered on",
                                                               "Status"], [list(r) for r in agencies]))
    cams = q.report_cameras(conn, p)
    prog.tables.append(Table("cameras_by_source", "Cameras by source", ["Source", "Registered in the period",
                                                                         "Active at the end of the period"],
                             [[s.replace("_", " "), str(n), str(a)] for s, n, a in cams]))
    charts["program_funnel"] = {"labels": ["Units received", "Units earned", "Distributed", "Installed and registered",
                                           "Conditional handouts"],
                                "values": [figs["units_shipped"], figs["units_earned"], figs["units_distributed"],
                                           figs["installed_registered"],
                                           figs["conditional_handouts"] if figs["conditional_handouts"] is not None
                                           else float("nan")]}
    _step(progress, cancelled, 2)

    # --- requests ------------------------------------------------------------------------------------------
    req = Section("requests", "Footage requests")
    sent = q.sent_requests(conn, p, agency_id)
    req.add("requests_sent", "Requests sent to camera owners", len(sent))
    areas, windows, area_out, window_out = [], [], 0, 0
    lo_a, hi_a = float(limits["area_min_sq_mi"]), float(limits["area_max_sq_mi"])
    lo_w, hi_w = float(limits["window_min_min"]) / 60.0, float(limits["window_max_h"])
    unreadable = 0
    for _id, _no, area_json, ws, we, _state in sent:
        try:
            a = fence_from_json(json.loads(area_json)).area_sq_mi()
        except (ValueError, TypeError, KeyError, json.JSONDecodeError):
            unreadable += 1      # not written by Canvass: counted, not guessed
            continue
        h = (from_iso(we) - from_iso(ws)).total_seconds() / 3600.0
        areas.append(a)
        windows.append(h)
        area_out += not (lo_a * (1 - 1e-9) <= a <= hi_a * (1 + 1e-9))
        window_out += not (lo_w - 1e-9 <= h <= hi_w + 1e-9)
    a_min, a_med, a_max = _stats([round(a, 4) for a in areas])
    w_min, w_med, w_max = _stats([round(h, 4) for h in windows])
    req.add("area_limits_sq_mi", "Area limits (sq mi)", f"{lo_a:g}–{hi_a:g}")
    req.add("area_min_sq_mi", "Smallest area sent (sq mi)", a_min)
    req.add("area_median_sq_mi", "Median area sent (sq mi)", a_med)
    req.add("area_max_sq_mi", "Largest area sent (sq mi)", a_max)
    req.add("area_outside_limits", "Requests sent with an area outside the limits (overridden)", area_out)
    req.add("window_limits_h", "Time-window limits (hours)", f"{fmt(lo_w)}–{fmt(hi_w)}")
    req.add("window_min_h", "Shortest window sent (hours)", w_min)
    req.add("window_median_h", "Median window sent (hours)", w_med)
    req.add("window_max_h", "Longest window sent (hours)", w_max)
    req.add("window_outside_limits", "Requests sent with a window outside the limits (overridden)", window_out)
    if unreadable:
        req.add("area_unreadable", "Requests whose stored area cannot be read (not in the area figures)", unreadable)
    ans = q.report_answers(conn, p, agency_id)
    req.add("owners_notified", "Owner notices sent (one per owner and request)", ans["notified"])
    req.add("distinct_owners_notified", "Different owners notified", ans["distinct_owners"])
    for s in ANSWER_STATES:
        label = {"shared": "Owners who shared footage", "declined": "Owners who declined",
                 "no_footage": "Owners who had no footage", "no_response": "Owners who did not respond",
                 "pending": "Owners not answered yet"}[s]
        req.add(f"answers_{s}", label, ans[s])
        req.add(f"rate_{s}", f"{label}: share of notices", pct(ans[s], ans["notified"]))
    refused = q.report_refused(conn, p, agency_id)
    req.add("refused_by_policy", "Requests submitted against the policy that were never sent", refused)
    overrides = q.report_overrides(conn, p, agency_id)
    req.add("policy_overrides", "Policy overrides by a supervisor", len(overrides))
    req.tables.append(Table("overrides", "Every override of the policy, with its reason",
                            ["Date", "Public log no.", "Rule", "Reason"], [list(o) for o in overrides],
                            "Each override was made by a supervisor other than the request's author and is in the "
                            "audit log."))
    charts["answers"] = {"labels": ["Shared", "Declined", "No footage", "No response", "Pending"],
                         "values": [ans[s] for s in ANSWER_STATES]}
    _step(progress, cancelled, 3)

    # --- footage -------------------------------------------------------------------------------------------
    foot = Section("footage", "Footage retained, purged, on legal hold and shared onward")
    ev = q.report_evidence(conn, p, agency_id)
    foot.add("items_received", "Evidence items received", ev["received"])
    foot.add("items_purged", "Evidence items purged", ev["purged"])
    foot.add("items_retained", "Evidence items retained at the end of the period", ev["retained_at_end"])
    foot.add("items_on_legal_hold", "Evidence items on legal hold at the end of the period", ev["on_legal_hold"])
    onward = q.report_onward(conn, p)
    foot.add("shared_onward", "Packages shared onward to other organisations",
             None if onward is None else sum(n for _, n in onward))
    if onward is None:
        gaps.append("Onward sharing by recipient organisation: " + GAP + " (no onward-sharing register).")
    else:
        foot.tables.append(Table("onward_sharing", "Onward sharing by recipient organisation",
                                 ["Recipient organisation", "Packages"], [[o, str(n)] for o, n in onward]))
    if q.legal_hold_table(conn) is None:
        foot.notes.append("Legal holds are counted from each item's hold flag; the store keeps no hold history, so a "
                          "hold placed and released within the period is not counted.")
    charts["evidence"] = {"labels": ["Received", "Retained", "Purged", "On legal hold", "Shared onward"],
                          "values": [ev["received"], ev["retained_at_end"], ev["purged"], ev["on_legal_hold"],
                                     float("nan") if onward is None else sum(n for _, n in onward)]}
    _step(progress, cancelled, 4)

    # --- operations ----------------------------------------------------------------------------------------
    ops = Section("operations", "Operations, their stated goals and outcomes")
    op_rows = q.report_operations(conn, p, agency_id)
    ops.add("operations", "Operations during the period", len(op_rows))
    ops.add("operation_arrests", "Arrests reported by those operations", sum(int(r[6] or 0) for r in op_rows))
    ops.add("operations_null_result", "Operations with no arrest (null results are reported too)",
            sum(1 for r in op_rows if not int(r[6] or 0)))
    goal_col = q.operation_columns(conn)["goal"]
    ops.tables.append(Table("operations", "Operations", ["Operation", "Kind", "Started", "Ended",
                                                         "Stated goal" if goal_col else "Description",
                                                         "Outcome", "Arrests"],
                            [[str(r[0]), str(r[1]), str(r[2]), str(r[3]) or "ongoing", " ".join(str(r[4]).split()),
                              " ".join(str(r[5]).split()) or "no outcome recorded", str(r[6])] for r in op_rows]))
    if goal_col is None:
        gaps.append("Operations' goals stated before they started: " + GAP + " (the description is shown instead).")
    statements = q.report_statements(conn, p)
    if statements is None:
        gaps.append("Public statements about operations, with the organisation that wrote them: " + GAP + ".")
    else:
        ops.tables.append(Table("statements", "Public statements about operations",
                                ["Operation", "Date", "Organisation", "Statement"], [list(s) for s in statements]))
    _step(progress, cancelled, 5)

    # --- effectiveness -------------------------------------------------------------------------------------
    eff = Section("effectiveness", "Effectiveness")
    out = q.report_outcomes(conn, p, agency_id)
    eff.add("requests_sent", "Requests sent", out["sent"])
    eff.add("footage_available", "Requests where at least one owner shared footage", out["footage_available"])
    eff.add("footage_available_rate", "Footage available: share of requests", pct(out["footage_available"],
                                                                                   out["sent"]))
    eff.add("footage_useful", "Requests whose footage was recorded as useful", out["footage_useful"])
    eff.add("footage_useful_rate", "Footage useful: share of requests", pct(out["footage_useful"], out["sent"]))
    eff.add("arrests", "Requests recorded as leading to an arrest", out["arrests"])
    eff.add("outcome_recorded", "Requests with an outcome recorded", out["outcome_recorded"])
    eff.add("published_available_rate", "Published: CCTV footage available (Ashby 2017)", "45.0 %")
    eff.add("published_useful_rate", "Published: CCTV footage useful (Ashby 2017)", "29.0 %")
    charts["effectiveness"] = {
        "labels": ["Requests", "Owners notified", "Owners shared", "Useful footage", "Arrests"],
        "values": [out["sent"], ans["notified"], ans["shared"], out["footage_useful"], out["arrests"]],
        "rates": [out["footage_available"] / out["sent"] if out["sent"] else 0.0,
                  out["footage_useful"] / out["sent"] if out["sent"] else 0.0],
        "published": [PUBLISHED_AVAILABLE, PUBLISHED_USEFUL]}
    _step(progress, cancelled, 6)

    # --- coverage ------------------------------------------------------------------------------------------
    covs = _coverage_section(conn, p, agency_id, cell_m, gaps, cancelled)
    _step(progress, cancelled, 8)

    # --- equity by district --------------------------------------------------------------------------------
    eq = Section("equity", "Requests and answers by district")
    per: dict[int, dict[str, int]] = {}
    seen_req: set[int] = set()
    for rid, area_json, state, n in q.report_district_rows(conn, p, agency_id):
        d = q.area_district(area_json)
        row = per.setdefault(d, {"requests": 0, **dict.fromkeys(ANSWER_STATES, 0)})
        if rid not in seen_req:
            seen_req.add(rid)
            row["requests"] += 1
        if state in ANSWER_STATES:
            row[state] += int(n)
    eq_rows = []
    for d in sorted(per, key=lambda c: (c == NO_DISTRICT, c)):
        r = per[d]
        notified = sum(r[s] for s in ANSWER_STATES)
        eq_rows.append([district_label(d), str(r["requests"]), str(notified), str(r["shared"]), str(r["declined"]),
                        str(r["no_footage"]), str(r["no_response"]), pct(r["shared"], notified),
                        pct(r["declined"], notified)])
    eq.add("districts_with_requests", "Districts with at least one request", len(eq_rows))
    eq.tables.append(Table("districts", "By district (0.02° grid cell of the request area's centre)",
                           ["District", "Requests", "Owners notified", "Shared", "Declined", "No footage",
                            "No response", "Share rate", "Decline rate"], eq_rows,
                           "A district is a cell of a fixed world grid of 0.02° (about 2 km), named by its south-west "
                           "corner; the store holds no neighbourhood boundaries."))
    _step(progress, cancelled, 9)

    # --- public log ----------------------------------------------------------------------------------------
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


# Cameras up to this far outside the area (degrees, ~220 m) can still see into it: longer than any range × 1.2.
VIEW_MARGIN_DEG = 0.002


def coverage_area(conn: sqlite3.Connection, agency_id: int | None,
                  before: str) -> tuple[tuple[float, float, float, float], dict | None]:
    """(south, west, north, east) of the analysed area and the jurisdiction polygon (GeoJSON) if there is one."""
    text = q.jurisdiction(conn, agency_id)
    if text:
        geom = json.loads(text)
        coords = np.array([pt for ring in _rings(geom) for pt in ring], dtype=np.float64)
        return (float(coords[:, 1].min()), float(coords[:, 0].min()), float(coords[:, 1].max()),
                float(coords[:, 0].max())), geom
    ext = q.camera_extent(conn, before)
    if ext is None:
        return (0.0, 0.0, 0.0, 0.0), None
    return (ext[0] - 0.001, ext[1] - 0.001, ext[2] + 0.001, ext[3] + 0.001), None


def cameras_near(conn: sqlite3.Connection, box: tuple[float, float, float, float], before: str) -> np.ndarray:
    m = VIEW_MARGIN_DEG
    return q.active_cameras(conn, before, (box[0] - m, box[1] - m, box[2] + m, box[3] + m))


def _rings(geom: dict) -> list[list[list[float]]]:
    """Outer rings (lon, lat) of a GeoJSON Polygon or MultiPolygon."""
    if geom.get("type") == "Polygon":
        return [geom["coordinates"][0]]
    if geom.get("type") == "MultiPolygon":
        return [poly[0] for poly in geom["coordinates"]]
    raise ValueError(f"the jurisdiction is a {geom.get('type')}, not a polygon")


def _coverage_section(conn: sqlite3.Connection, p: q.Period, agency_id: int | None, cell_m: float, gaps: list[str],
                      cancelled: Callable[[], bool] | None) -> Section:
    sec = Section("coverage", "Camera coverage")
    box, geom = coverage_area(conn, agency_id, p.end)
    if box[2] <= box[0]:
        sec.add("cameras", "Active cameras", 0)
        sec.notes.append("No cameras: no coverage to report.")
        return sec
    grid = grid_for_box(*box, cell_m=cell_m)
    cams = cameras_near(conn, box, p.end)
    mask = None
    if geom is not None:
        rings = [np.array(r, dtype=np.float64)[:, ::-1] for r in _rings(geom)]
        lat_lon = np.concatenate(rings)
        offsets = np.concatenate([[0], np.cumsum([len(r) for r in rings])])
        mask = rasterise_rings(grid, Rings.from_latlon(grid, lat_lon, offsets))
    w = Wedges.from_latlon(grid, cams[:, 0], cams[:, 1], cams[:, 2], cams[:, 3], cams[:, 4])
    inc = q.incidents_in(conn, p, agency_id)
    buildings = building_rings(conn, grid)
    if buildings is None:
        gaps.append("Buildings for coverage: " + GAP + " (no base map with building outlines); wedges are not "
                    "stopped by buildings, so coverage may be overstated.")
    r = cov.analyse(grid, w, buildings=buildings, area_mask=mask, incidents_xy=grid.to_local(inc[:, 0], inc[:, 1]),
                    cancelled=cancelled)
    pub = cov.public_cells(r, w)
    sec.add("cameras", "Active cameras at the end of the period", q.count_active_cameras(conn, p.end))
    sec.add("cameras_analysed", "Of those, cameras in or near the area analysed", len(w))
    sec.add("area_km2", "Area analysed (km² of open ground" + (", the jurisdiction)" if geom else ")"),
            round(r.area_km2, 3))
    sec.add("cell_m", "Analysis cell size (m)", cell_m)
    sec.add("uncertainty", "Uncertainty assumed", f"heading ± {r.heading_tol_deg:g}°, range ± {r.range_tol * 100:g} %; "
                                                  f"unknown heading = any direction; {r.samples} random draws")
    for key, label, band in (("seen_1", "Share of the area seen by at least 1 camera", r.seen1),
                             ("seen_3", "Share of the area seen by at least 3 cameras", r.seen3)):
        sec.add(f"{key}_worst", label + " (worst)", f"{band.worst * 100:.1f} %")
        sec.add(f"{key}_mean", label + " (mean)", f"{band.mean * 100:.1f} %")
        sec.add(f"{key}_best", label + " (best)", f"{band.best * 100:.1f} %")
    sec.add("incidents_counted", "Incidents with a location in the area during the period", r.incidents_counted)
    if r.incidents is not None and r.incidents_counted:
        for part in ("worst", "mean", "best"):
            sec.add(f"incidents_seen_{part}", f"Share of those incidents inside some camera's view ({part})",
                    f"{getattr(r.incidents, part) * 100:.1f} %")
    sec.tables.append(Table("coverage_public", f"Coverage by {pub.cell_m:.0f} m block (coarse, k = {pub.k})",
                            list(cov.PublicCell.COLUMNS),
                            [[str(v) for v in c.values()] for c in pub.cells if c.cameras or c.seen_share > 0],
                            f"Blocks holding 1 to {pub.k - 1} cameras are merged with their neighbours (up to 2 km); "
                            f"{pub.withheld_blocks} block(s) still under {pub.k} cameras are withheld; blocks with "
                            "neither cameras nor coverage are not listed. Shares are rounded to 1 %, so no camera's "
                            "location can be read from this table."))
    sec.notes.append("Each figure is a band: worst = only what every camera sees under every heading and range in the "
                     "uncertainty; best = the most it could see; mean = the average over random draws. Cameras are "
                     "those active now that were registered before the period ended.")
    return sec


def building_rings(conn: sqlite3.Connection, grid: Grid) -> Rings | None:
    """Building outlines of the store's vector base map that touch the grid; None when the store has none."""
    from app.core.basemap import AREA_KINDS
    from app.store.basemap import load_vector

    if not q.has_table(conn, "base_maps"):
        return None
    bm = load_vector(conn)
    if bm is None:
        return None
    return buildings_on_grid(grid, bm.areas.x, bm.areas.y, bm.areas.start,
                             bm.areas.code == AREA_KINDS.index("building"))


def buildings_on_grid(grid: Grid, x_merc: np.ndarray, y_merc: np.ndarray, start: np.ndarray,
                      is_building: np.ndarray) -> Rings | None:
    """The building rings (Web Mercator features end to end, ``start`` offsets) inside the grid, on its projection."""
    from app.core import geo

    keep = np.flatnonzero(is_building)
    if keep.size == 0:
        return None
    lon, lat = geo.xy_to_lonlat(x_merc, y_merc)
    gx, gy = grid.to_local(lat, lon)
    lengths = (start[1:] - start[:-1])[keep]
    idx = np.concatenate([np.arange(start[k], start[k + 1]) for k in keep.tolist()])
    xs, ys = gx[idx], gy[idx]
    owner = np.repeat(np.arange(keep.size), lengths)
    x1, y1 = grid.x0 + grid.nx * grid.cell_m, grid.y0 + grid.ny * grid.cell_m
    inside = (xs >= grid.x0) & (xs <= x1) & (ys >= grid.y0) & (ys <= y1)
    touching = np.zeros(keep.size, dtype=bool)
    touching[owner[inside]] = True
    if not touching.any():
        return None
    sel = touching[owner]
    lengths = lengths[touching]
    return Rings(np.column_stack([xs[sel], ys[sel]]), np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))
