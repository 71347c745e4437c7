"""Opening the store: pragmas, private files, versioned migrations with a backup first."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from app.store.schema import MIGRATIONS


class StoreError(Exception):
    """The store cannot be used; the message says why in words a user can act on."""


class CorruptStoreError(StoreError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"The database {path} cannot be read: {reason}")
        self.path = path
        self.reason = reason


class NewerStoreError(StoreError):
    pass


def connect(path: str | os.PathLike[str], *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection with the house pragmas. The file is created private to the user."""
    path = Path(path)
    old_umask = os.umask(0o077)
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=check_same_thread, timeout=10.0)
    finally:
        os.umask(old_umask)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        if str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()  # a file that is not a database: let go of it (a restore must be able to move it aside)
        raise
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection, *, immediate: bool = True) -> Iterator[sqlite3.Connection]:
    """One atomic unit of work: committed whole or rolled back whole (also on KeyboardInterrupt)."""
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # SQLite has already rolled back after some errors (an interrupted statement)
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise CorruptStoreError(path, str(exc)) from exc
    if rows != [("ok",)]:
        raise CorruptStoreError(path, "; ".join(str(r[0]) for r in rows[:3]))


def backup_copy(conn: sqlite3.Connection, path: Path, backup_dir: Path, label: str) -> Path:
    """A consistent copy of the live database (sqlite's online backup, so WAL content is included)."""
    backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"{path.stem}-{label}-{stamp}.sqlite3"
    old_umask = os.umask(0o077)
    try:
        dest = sqlite3.connect(target)
        try:
            conn.backup(dest)
        finally:
            dest.close()
    finally:
        os.umask(old_umask)
    return target


def migrate(conn: sqlite3.Connection, path: Path, backup_dir: Path | None = None,
            migrations: list[str] | None = None) -> int:
    """Bring the schema up to date, one transaction per step. Returns the number of steps applied."""
    steps = MIGRATIONS if migrations is None else migrations
    current = user_version(conn)
    target = len(steps)
    if current > target:
        raise NewerStoreError(
            f"The database {path} was written by a newer Canvass (schema {current}, this version knows {target}). "
            "Install the newer version, or open another data folder."
        )
    if current == target:
        return 0
    if current > 0 and backup_dir is not None:
        backup_copy(conn, path, backup_dir, f"before-v{target}")
    for version in range(current, target):
        with transaction(conn):
            # executescript would COMMIT the open transaction; run statements one by one instead.
            for statement in split_statements(steps[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
    return target - current


def split_statements(script: str) -> list[str]:
    """Split a script into complete statements (triggers contain semicolons)."""
    statements: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        if not buf and not line.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip() and not buf.strip().startswith("--"):
        raise ValueError(f"incomplete SQL statement: {buf[:80]!r}")
    return statements


# Above this size the full page check waits until the window is up (it reads every page: ~3 s at 1M cameras).
FULL_CHECK_AT_OPEN_MAX_BYTES = 64 * 1024 * 1024


def full_check_deferred(path: Path) -> bool:
    return path.exists() and path.stat().st_size > FULL_CHECK_AT_OPEN_MAX_BYTES


def check_readable(conn: sqlite3.Connection, path: Path) -> None:
    """The cheap check: the header and the schema can be read (a file that is not a database fails here)."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise CorruptStoreError(path, str(exc)) from exc


def open_store(path: str | os.PathLike[str], backup_dir: str | os.PathLike[str] | None = None) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the store. Raises StoreError with a readable message.

    A large store gets only the cheap check here; the caller runs check_integrity later (full_check_deferred)."""
    path = Path(path)
    existed = path.exists() and path.stat().st_size > 0
    try:
        conn = connect(path)
    except sqlite3.DatabaseError as exc:
        raise CorruptStoreError(path, str(exc)) from exc
    try:
        if existed:
            if full_check_deferred(path):
                check_readable(conn, path)
            else:
                check_integrity(conn, path)
        migrate(conn, path, Path(backup_dir) if backup_dir else path.parent / "backups")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise CorruptStoreError(path, str(exc)) from exc
    except StoreError:
        conn.close()
        raise
    return conn


def latest_backup(backup_dir: Path) -> Path | None:
    if not backup_dir.is_dir():
        return None
    backups = sorted(backup_dir.glob("*.sqlite3"), key=lambda p: p.stat().st_mtime)
    return backups[-1] if backups else None


def restore_backup(backup: Path, path: Path) -> None:
    """Replace a broken database by a backup; the broken file is kept aside, never deleted."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.rename(p.with_name(p.name + f".broken-{stamp}"))
    shutil.copy2(backup, path)
    os.chmod(path, 0o600)


