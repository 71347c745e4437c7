"""The launch backups: a few recent consistent copies of the store, so a later corruption has something to restore.

Taken after the window's first paint (app.views.data.store_check runs this off the GUI thread, with its own
connection): copying a large store (200 MB at 1,000,000 cameras) alongside start-up slowed the first paint by ~0.2 s.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from app.store import backup_copies, db, write_gate

log = logging.getLogger(__name__)
KEEP_LAUNCH_BACKUPS = 5


def rotate_launch_backup(db_path: Path, backup_dir: Path, *, check: bool = False, min_age_s: float = 0.0) -> str | None:
    """Copy the store beside the last few launch copies, dropping the oldest beyond KEEP_LAUNCH_BACKUPS.

    With check, the store's pages are verified first and a damaged store is never copied over a good backup:
    the problem is returned instead. A copy younger than min_age_s is kept as it is (a large store is costly
    to copy on every launch)."""
    refusal = write_gate.write_refusal(db_path)
    if refusal is not None and refusal[0] == write_gate.FAILED:
        return None  # a store closed to writes is not copied over a good backup (the user was told at the start)
    conn = db.connect(db_path)
    try:
        if check:
            try:
                db.check_integrity(conn, db_path)
            except db.CorruptStoreError as exc:
                log.error("%s", exc)
                write_gate.mark_failed(db_path, f"the store's integrity check failed ({exc.reason}).")
                return str(exc)
            write_gate.mark_checked(db_path)
        launches = sorted(backup_dir.glob("*-launch-*.sqlite3"))
        if launches and min_age_s > 0 and time.time() - launches[-1].stat().st_mtime < min_age_s:
            return None
        backup_copies.backup_copy(conn, db_path, backup_dir, "launch")
    finally:
        conn.close()
    launches = sorted(backup_dir.glob("*-launch-*.sqlite3"))
    for old in launches[:-KEEP_LAUNCH_BACKUPS]:
        old.unlink(missing_ok=True)
    return None
