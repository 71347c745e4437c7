"""`canvass verify-audit --data-dir DIR [--head HASH|SEQ:HASH|FILE]`: check the audit chain without the GUI.

Opens the store read-only (nothing is migrated, written or audited, so checking leaves no trace in the file) and
checks: SQLite's own page check; the append-only triggers (present and as the schema wrote them); the chain, entry
by entry (an odd value such as a BLOB is a broken entry, not a crash); the chain against the head file kept beside
the store (canvass.audit-head.json: entries cut off or the log re-chained); against a head given with --head (kept
from an export, the public log or a report, so a rewrite of the database *and* its head file shows too); and an
empty log in a store that holds records. Prints "OK" with the entry count and head, or one "BROKEN" line per
problem. Exit status: 0 intact, 1 broken, 2 the store or the given head could not be read.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

from app.paths import DB_NAME, default_data_dir
from app.store import audit

EXIT_OK, EXIT_BROKEN, EXIT_UNREADABLE = 0, 1, 2


def store_file(data_dir: str | None) -> Path:
    base = Path(data_dir).expanduser() if data_dir else default_data_dir()
    return base if base.is_file() else base / DB_NAME


def open_read_only(path: Path) -> sqlite3.Connection:
    # A WAL store read even read-only gets -wal/-shm files beside it: keep them private like the store.
    old_umask = os.umask(0o077)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    finally:
        os.umask(old_umask)
    conn.execute("PRAGMA query_only = ON")
    conn.execute("SELECT count(*) FROM audit_log").fetchone()  # fail now if this is not a Canvass store
    return conn


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Walk the audit log's hash chain, reading the store without changing it, and print OK with "
                          "the entry count and head hash, or BROKEN naming the first broken entry.")
    parser.epilog = "exit status: 0 intact, 1 broken, 2 the store or the kept head could not be read"
    parser.add_argument("--data-dir", metavar="DIR",
                        help="the data folder (or the store file) to check (default: the platform's user data "
                        "folder, or $CANVASS_DATA_DIR); the demo city is DIR/demo")
    parser.add_argument("--head", metavar="HASH",
                        help="the chain head kept from an earlier export: HASH, SEQ:HASH or the export's "
                        ".chain-head.json file; catches entries cut off the end")


def run(args: argparse.Namespace) -> int:
    from app.store import audit_head

    path = store_file(args.data_dir)
    if not path.exists():
        print(f"ERROR: no Canvass store at {path}. Give the data folder with --data-dir.", file=sys.stderr)
        return EXIT_UNREADABLE
    head = None
    if args.head:
        try:
            head = audit.parse_head(args.head)
        except ValueError as exc:
            print(f"ERROR: --head: {exc}", file=sys.stderr)
            return EXIT_UNREADABLE
    file_head, file_problem = None, ""
    try:
        file_head = audit_head.read_head(path)
    except ValueError as exc:
        file_problem = str(exc)
    try:
        conn = open_read_only(path)
    except sqlite3.Error as exc:
        print(f"ERROR: cannot read the audit log in {path}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        result = audit.check_store(conn, file_head, head_file_name=f"the head file {audit_head.head_path(path).name}",
                                   given=head, file_problem=file_problem)
    except sqlite3.Error as exc:
        print(f"ERROR: reading the store {path} failed: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    finally:
        conn.close()
    chain = result.chain
    for note in result.notes:
        print(f"NOTE: {note}")
    if result.ok:
        kept = f"; includes the given head {head.hash[:12]}…" if head is not None and head.hash != audit.GENESIS_HASH \
            else ""
        anchored = f"; matches the head file (entry {file_head.seq})" if file_head is not None and file_head.seq \
            else ""
        print(f"OK: {chain.entries} entries, chain head seq {chain.head_seq} hash {chain.head_hash}{anchored}{kept}")
        return EXIT_OK
    for problem in result.problems:
        print(f"BROKEN: {problem}")
    if not chain.ok and chain.broken_seq is not None:
        print(f"The {chain.entries} entries before entry {chain.broken_seq} check out (last good hash "
              f"{chain.head_hash}).")
    return EXIT_BROKEN
