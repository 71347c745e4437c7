"""The audit chain's head kept outside the database: a small JSON file beside the store, fsynced after every append.

The hash chain alone cannot show that its tail was cut or that every hash was recomputed after an edit: anyone
with the file can do either. The head file names the last entry (seq + hash) as it was when the entry was
committed, so `verify-audit` can tell the table still reaches that entry unchanged. Someone who rewrites the
database *and* this file together is caught only by a head kept elsewhere earlier (an export, the public log, a
printed report) — see the README.

The file is written only after the transaction that appended the entry has committed (db.transaction calls
head_committed), through a temporary file, fsync and rename, so it is never ahead of what the store holds.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

from app.store import audit

log = logging.getLogger(__name__)

HEAD_SUFFIX = ".audit-head.json"
FORMAT = "canvass-audit-head/1"
_lock = threading.Lock()  # the GUI's connections and its writer thread may commit at nearly the same moment


def head_path(db_path: str | os.PathLike[str]) -> Path:
    """canvass.sqlite3 -> canvass.audit-head.json (a backup's copy gets the backup's own stem)."""
    p = Path(db_path)
    return p.with_name(p.stem + HEAD_SUFFIX)


def head_json(head: audit.ChainHead, store_name: str = "") -> str:
    return json.dumps({"format": FORMAT, "seq": head.seq, "hash": head.hash, "at": head.at, "algorithm": "sha256",
                       "store": store_name,
                       "written_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}, indent=2) + "\n"


def write_file_synced(path: Path, text: str) -> None:
    """Replace path by text: a temporary file, fsynced, renamed over it. Private to the user.

    The folder is not fsynced after the rename (that cost ~7 ms a commit on a busy disk): after a power cut the
    rename may be lost and the previous head file come back. That file names an earlier entry, which the log still
    holds, so it reads as "behind" (a note, corrected at the next open), never as a cut or rewritten log."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def write_head(db_path: Path, head: audit.ChainHead) -> Path:
    path = head_path(db_path)
    write_file_synced(path, head_json(head, Path(db_path).name))
    return path


def head_committed(conn: sqlite3.Connection, db_path: Path) -> None:
    """After a commit that appended entries: write the store's current head (read now, under the lock, so a
    slower thread never writes an older head over a newer one)."""
    with _lock:
        head = audit.current_head(conn)
        write_head(db_path, head)


def read_head(db_path: Path) -> audit.ChainHead | None:
    """The head file's head, None if there is none. ValueError if it is there but unreadable."""
    path = head_path(db_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ValueError(f"the audit head file {path} cannot be read: {exc.strerror or exc}") from exc
    try:
        return audit.parse_head(text if text.strip().startswith("{") else "{}")
    except ValueError as exc:
        raise ValueError(f"the audit head file {path} is damaged: {exc}") from exc


def compare(conn: sqlite3.Connection, head: audit.ChainHead) -> str | None:
    """None if the log still holds the head's entry unchanged; otherwise what happened, in words."""
    if head.seq is None or head.seq == 0:
        return None
    row = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (head.seq,)).fetchone()
    last = conn.execute("SELECT coalesce(max(seq), 0) FROM audit_log").fetchone()[0]
    if row is None:
        if last < head.seq:
            cut = f"entries {last + 1}–{head.seq} were" if head.seq > last + 1 else f"entry {head.seq} was"
            return (f"the log ends at entry {last} but its head file names entry {head.seq}: {cut} cut off "
                    "or deleted")
        return f"entry {head.seq}, which the head file names, is missing from the log"
    if str(row[0]).lower() != head.hash:
        return (f"entry {head.seq} is not the entry the head file names (hash {str(row[0])[:12]}… instead of "
                f"{head.hash[:12]}…): the log was rewritten and re-chained up to it")
    return None
