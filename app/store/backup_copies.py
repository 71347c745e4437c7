"""Backup copies of the store: a consistent copy with its audit head file beside it, the latest copy in a folder,
and how old a copy is (for the restore question)."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path


def backup_copy(conn: sqlite3.Connection, path: Path, backup_dir: Path, label: str) -> Path:
    """A consistent copy of the live database (sqlite's online backup, so WAL content is included), with the audit
    head of that copy in a head file beside it (a restored backup brings its own head)."""
    backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"{path.stem}-{label}-{stamp}.sqlite3"
    old_umask = os.umask(0o077)
    try:
        dest = sqlite3.connect(target)
        try:
            conn.backup(dest)
            _write_copy_head(dest, target)
        finally:
            dest.close()
    finally:
        os.umask(old_umask)
    return target


def _write_copy_head(conn: sqlite3.Connection, target: Path) -> None:
    from app.store import audit, audit_head

    try:
        head = audit.current_head(conn)
    except sqlite3.Error:  # a copy taken before the audit log existed
        return
    audit_head.write_head(target, head)


def latest_backup(backup_dir: Path) -> Path | None:
    if not backup_dir.is_dir():
        return None
    backups = sorted(backup_dir.glob("*.sqlite3"), key=lambda p: p.stat().st_mtime)
    return backups[-1] if backups else None


def backup_age(backup: Path, now: float | None = None) -> str:
    """“3 hours ago (2026-12-01 16:02 UTC)”: how old a backup is, for the restore question."""
    import time

    mtime = backup.stat().st_mtime
    seconds = max(0.0, (now if now is not None else time.time()) - mtime)
    if seconds < 90:
        ago = "just now"
    elif seconds < 5400:
        ago = f"{round(seconds / 60)} minutes ago"
    elif seconds < 36 * 3600:
        ago = f"{round(seconds / 3600)} hours ago"
    else:
        ago = f"{round(seconds / 86400)} days ago"
    return f"{ago} ({datetime.fromtimestamp(mtime, timezone.utc).strftime('%Y-%m-%d %H:%M UTC')})"
