"""`canvass verify-evidence [--data-dir DIR]`: re-hash every stored evidence item against the SHA-256 taken when it
was received. Opens the store read-only and writes nothing (run Verify in the window to record a verification).
Exit status: 0 every item matches, 1 an item is altered or missing, 2 the store cannot be read."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from app.paths import DB_NAME, default_data_dir
from app.services.evidence.verify import verify_items
from app.store import evidence as store

EXIT_OK, EXIT_BROKEN, EXIT_UNREADABLE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR", help="the data folder (default: the platform's, or "
                        "$CANVASS_DATA_DIR)")


def run(args: argparse.Namespace) -> int:
    base = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    db = base / DB_NAME
    if not db.is_file():
        print(f"ERROR: no Canvass store at {db}. Give the data folder with --data-dir.", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        try:
            conn.execute("PRAGMA query_only = ON")
            items = store.items(conn, include_purged=False)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        print(f"ERROR: cannot read the evidence records in {db}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    report = verify_items(base / "evidence", items)
    for c in report.checks:
        if c.status != "ok":
            print(f"{c.status.upper()}: item {c.item_id} ({c.original_name}) {c.stored_path}"
                  + (f": {c.detail}" if c.detail else f": expected {c.expected}, found {c.found}"))
    if report.ok:
        mb = report.bytes_read / 1e6
        print(f"OK: {len(report.checks)} items, {mb:,.1f} MB re-hashed; every SHA-256 matches the one taken at intake")
        return EXIT_OK
    print(f"BROKEN: {len(report.failures)} of {len(report.checks)} items do not match what was received")
    return EXIT_BROKEN
