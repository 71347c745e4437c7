"""The transparency report's sections, one builder each (program, requests, footage, operations, effectiveness,
equity by district); ``app.io.report.build_report`` puts them together with the coverage section
(``app.io.report_coverage``) and the public log. Every figure is one query in app.store.insights. No Qt."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from app.core.districts import NO_DISTRICT, district_label
from app.core.fence import fence_from_json
from app.core.insights import PUBLISHED_AVAILABLE, PUBLISHED_USEFUL
from app.core.records import from_iso
from app.io.report_model import GAP, Section, Table, fmt, pct, stats
from app.store import insights as q
from app.store.insights import ANSWER_STATES


def program_section(conn: sqlite3.Connection, p: q.Period, agency_id: int | None, gaps: list[str],
                    charts: dict[str, dict[str, Any]]) -> Section:
    """Partnerships and the camera program (its funnel chart into charts)."""
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
    return prog

def requests_section(conn: sqlite3.Connection, p: q.Period, agency_id: int | None, limits: dict[str, Any],
                     charts: dict[str, dict[str, Any]]) -> tuple[Section, dict[str, Any]]:
    """Footage requests against the policy's limits, and the owners' answers (returned too: effectiveness uses them)."""
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
    a_min, a_med, a_max = stats([round(a, 4) for a in areas])
    w_min, w_med, w_max = stats([round(h, 4) for h in windows])
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
    return req, ans

def footage_section(conn: sqlite3.Connection, p: q.Period, agency_id: int | None, gaps: list[str],
                    charts: dict[str, dict[str, Any]]) -> Section:
    """Footage retained, purged, on legal hold and shared onward."""
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
    return foot

def operations_section(conn: sqlite3.Connection, p: q.Period, agency_id: int | None, gaps: list[str]) -> Section:
    """Operations, their stated goals and outcomes, and public statements about them."""
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
    return ops

def effectiveness_section(conn: sqlite3.Connection, p: q.Period, agency_id: int | None, ans: dict[str, Any],
                          charts: dict[str, dict[str, Any]]) -> Section:
    """Footage available, useful and leading to arrests, next to the published rates."""
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
    return eff

def equity_section(conn: sqlite3.Connection, p: q.Period, agency_id: int | None) -> Section:
    """Requests and answers by district (a fixed world grid: the store holds no neighbourhood boundaries)."""
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
    return eq
