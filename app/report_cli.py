"""`canvass report --from DATE --to DATE [--data-dir DIR] [--agency ID] --out FOLDER`: the transparency report's
PDF, HTML and CSV files, for an oversight board regenerating it from a copy of the store.

Exit status: 0 written; 1 the store cannot be opened or the report cannot be written; 2 a usage error (a date
that is not YYYY-MM-DD, a period that ends before it starts, an unknown agency). The report only reads the store
(it is not audited by the command line: a new audit entry would move the head the report names).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import TextIO

from app import paths as app_paths
from app.store.db import StoreError, open_store


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31") from None


def ensure_qt_app() -> object:
    """A QApplication for drawing the plots and laying out the PDF; off screen unless a platform is chosen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["canvass-report"])


def add_arguments(rep: argparse.ArgumentParser) -> None:
    rep.add_argument("--from", dest="date_from", metavar="DATE", required=True, help="first day, YYYY-MM-DD (UTC)")
    rep.add_argument("--to", dest="date_to", metavar="DATE", required=True, help="last day, YYYY-MM-DD (UTC)")
    rep.add_argument("--data-dir", metavar="DIR", help="the data folder holding the store (default: the platform's "
                     "user data folder, or $CANVASS_DATA_DIR)")
    rep.add_argument("--agency", type=int, metavar="ID", help="only this agency's requests and program")
    rep.add_argument("--out", metavar="FOLDER", required=True, help="folder to write the report files into")


def run(args: argparse.Namespace) -> int:
    return run_report(args)


def run_report(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        d_from, d_to = _date(args.date_from, "--from"), _date(args.date_to, "--to")
        if d_to < d_from:
            raise ValueError(f"--to {d_to} is before --from {d_from}: the period must not end before it starts")
    except ValueError as exc:
        print(f"canvass report: {exc}", file=err)
        return 2
    try:
        p = app_paths.init(args.data_dir)
        if not p.db_path.exists():
            print(f"canvass report: there is no store at {p.db_path}: pass --data-dir with the folder that holds "
                  "canvass.sqlite3", file=err)
            return 1
        conn = open_store(p.db_path, p.backup_dir)
    except StoreError as exc:
        print(f"canvass report: {exc}", file=err)
        return 1
    try:
        return _write(conn, d_from, d_to, getattr(args, "agency", None), Path(args.out), out, err)
    finally:
        conn.close()


def _write(conn, d_from: date, d_to: date, agency: int | None, folder: Path, out: TextIO, err: TextIO) -> int:  # noqa: ANN001
    from app.core.records import to_iso, utc_now
    from app.io.report import build_report
    from app.io.report_files import write_report_files
    from app.services.requests.policy_settings import get_limits

    t0 = time.perf_counter()
    try:
        report = build_report(conn, d_from, d_to, get_limits(conn), agency)
    except ValueError as exc:
        print(f"canvass report: {exc}", file=err)
        return 2
    _app = ensure_qt_app()
    from app.plots.report_charts import chart_images
    from app.plots.report_pdf import write_pdf

    try:
        written = write_report_files(folder, report, chart_images(report.charts), to_iso(utc_now()), pdf=write_pdf)
    except OSError as exc:
        print(f"canvass report: cannot write to {folder}: {exc.strerror or exc}", file=err)
        return 1
    for path in written:
        print(path, file=out)
    print(f"Report {d_from}..{d_to} at audit head {report.head.seq}:{report.head.hash} "
          f"({time.perf_counter() - t0:.1f} s)", file=out)
    return 0
