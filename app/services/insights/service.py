"""Who may see what of the insights, and the audit entries they leave.

- Dashboards and the transparency report hold aggregates only (no personal data): anyone who may see the public
  request log may see them (VIEW_PUBLIC_LOG).
- The fine coverage grid (the map layer) shows where cameras look, so it is a registry read (VIEW_REGISTRY), and
  it is audited like a registry search.
- Exporting the report is audited (who, the period, the files, and the chain head the report names). The entry is
  written after the report was computed, so the head in the report is the one before its own export entry.

The work itself runs in worker threads on their own connections (facts_from, coverage_from, report_from); the
checks and the audit entries run on the GUI thread's session.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from app.core import coverage as cov
from app.core.coverage_grid import Rings, grid_for_box, rasterise_rings
from app.core.coverage_views import Wedges
from app.core.insight_facts import Facts
from app.core.permissions import Permission
from app.io.report import build_report
from app.io.report_model import Report
from app.services.requests.policy_settings import get_limits
from app.services.session import Session
from app.store import insights as q
from app.store.db import connect


def authorize_dashboards(session: Session) -> None:
    session.require(Permission.VIEW_PUBLIC_LOG)


def authorize_coverage(session: Session) -> None:
    session.require(Permission.VIEW_REGISTRY)


def facts_from(db_path: Path) -> Facts:
    conn = connect(db_path)
    try:
        return q.load_facts(conn)
    finally:
        conn.close()


def agencies(session: Session) -> list[tuple[int, str]]:
    authorize_dashboards(session)
    return q.agency_names(session.conn)


def head_seq(session: Session) -> int:
    """The audit chain's last entry number: every sensitive write moves it, so it tells when data changed."""
    row = session.conn.execute("SELECT IFNULL(max(seq), 0) FROM audit_log").fetchone()
    return int(row[0])


def coverage_from(db_path: Path, cell_m: float, heading_tol_deg: float, range_tol: float,
                  agency_id: int | None, progress: Any = None, cancelled: Any = None) -> cov.CoverageResult:
    """The nominal/banded coverage of every active camera over the agency's jurisdiction (or the cameras' extent)."""
    from app.io.report_coverage import building_rings, cameras_near, coverage_area, outer_rings

    conn = connect(db_path)
    try:
        always = "9999-12-31T00:00:00Z"
        box, geom = coverage_area(conn, agency_id, always)
        if box[2] <= box[0]:
            raise ValueError("There are no active cameras and no jurisdiction: there is nothing to analyse.")
        grid = grid_for_box(*box, cell_m=cell_m)
        cams = cameras_near(conn, box, always)
        mask = None
        if geom is not None:
            rings = [np.array(r, dtype=np.float64)[:, ::-1] for r in outer_rings(geom)]
            offsets = np.concatenate([[0], np.cumsum([len(r) for r in rings])])
            mask = rasterise_rings(grid, Rings.from_latlon(grid, np.concatenate(rings), offsets))
        w = Wedges.from_latlon(grid, cams[:, 0], cams[:, 1], cams[:, 2], cams[:, 3], cams[:, 4])
        inc = q.incidents_in(conn, q.Period("0000-01-01T00:00:00Z", "9999-12-31T00:00:00Z"), agency_id)
        return cov.analyse(grid, w, buildings=building_rings(conn, grid), area_mask=mask,
                           incidents_xy=grid.to_local(inc[:, 0], inc[:, 1]), heading_tol_deg=heading_tol_deg,
                           range_tol=range_tol, progress=progress, cancelled=cancelled)
    finally:
        conn.close()


def record_coverage(session: Session, result: cov.CoverageResult, agency_id: int | None) -> None:
    authorize_coverage(session)  # at the act, as the user record is now
    session.audit("coverage_analysed", "registry", {
        "cameras": result.cameras, "cell_m": result.grid.cell_m, "agency_id": agency_id,
        "seen1_mean": round(result.seen1.mean, 4)})


def report_from(db_path: Path, date_from: date, date_to: date, agency_id: int | None, progress: Any = None,
                cancelled: Any = None) -> Report:
    conn = connect(db_path)
    try:
        return build_report(conn, date_from, date_to, get_limits(conn), agency_id, progress=progress,
                            cancelled=cancelled)
    finally:
        conn.close()


def record_report_export(session: Session, report: Report, files: list[Path]) -> None:
    authorize_dashboards(session)
    session.audit("report_exported", str(files[0].parent) if files else "", {
        "from": report.date_from.isoformat(), "to": report.date_to.isoformat(), "agency": report.agency,
        "head_seq": report.head.seq, "head_hash": report.head.hash, "files": [p.name for p in files]})
