"""Opening the store: pragmas, private files, versioned migrations with a backup first, transactions, restore.

The write gate the transactions check is app.store.write_gate; backup copies are app.store.backup_copies."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from app.store.backup_copies import backup_age, backup_copy, latest_backup
from app.store.schema import AUDIT_HEAD_FILE_FROM, MIGRATIONS
from app.store.write_gate import FAILED, mark_checked, mark_failed, mark_pending, refusal_message, write_refusal

log = logging.getLogger(__name__)


class StoreError(Exception):
    """The store cannot be used; the message says why in words a user can act on."""


class StoreNotWritable(StoreError):
    """Writing is refused: the store failed (or has not yet passed) its integrity check, or its audit log does not
    match the head file kept beside it."""


class StoreWriteError(StoreError, sqlite3.OperationalError):
    """The disk or the folder refused a write (full, read-only, the file vanished). Nothing of the change was kept.

    Also an OperationalError, so code that handled SQLite's own error still does."""


class CorruptStoreError(StoreError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"The database {path} cannot be read: {reason}")
        self.path = path
        self.reason = reason


class NewerStoreError(StoreError):
    pass


class MissingStoreError(CorruptStoreError):
    """The store file is gone, empty or holds no tables, yet backups or an audit head show a store existed here."""

    def __init__(self, path: Path, reason: str, backup: Path | None, offer: str = "") -> None:
        super().__init__(path, reason + offer)
        self.backup = backup
        self.problem = f"The database {path} cannot be used: {reason}"  # without the backup it names (asked apart)


class StoreConnection(sqlite3.Connection):
    """A connection that knows its file (for the write gate and the audit head file) and whether it appended
    audit entries in the open transaction."""

    store_path: Path | None = None
    store_ident: tuple[int, int] | None = None  # (device, inode) of the file opened: a vanished file is noticed
    audit_dirty: bool = False
    audit_appends: int = 0


def connect(path: str | os.PathLike[str], *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection with the house pragmas. The file is created private to the user."""
    path = Path(path)
    old_umask = os.umask(0o077)
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=check_same_thread, timeout=10.0,
                               factory=StoreConnection)
    finally:
        os.umask(old_umask)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        if str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL, not NORMAL: a commit is durable before the audit head file (fsynced) names its entry, so after
            # a power cut the head file is never ahead of the log (which would look like a cut-off tail).
            conn.execute("PRAGMA synchronous = FULL")
            conn.store_path = path.resolve()
            st = os.stat(path)
            conn.store_ident = (st.st_dev, st.st_ino)
    except BaseException:
        conn.close()  # a file that is not a database: let go of it (a restore must be able to move it aside)
        raise
    return conn


def require_writable(conn: sqlite3.Connection) -> None:
    """For a write job to call before it starts (an import): refuse early rather than after the work."""
    refusal = write_refusal(conn)
    if refusal is not None:
        raise StoreNotWritable(refusal_message(*refusal))


# --- errors the disk or the folder gives, in words -----------------------------------------------------------
def describe_failure(exc: sqlite3.Error, path: Path | None = None) -> str | None:
    """A message for an error that comes from the disk, the folder or the file, not from the data; else None."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    where = f" ({path})" if path is not None else ""
    text = str(exc).lower()
    if name == "SQLITE_FULL" or "disk is full" in text:
        what = f"the disk holding the database{where} is full. Free some space and try again"
    elif name == "SQLITE_READONLY_DBMOVED":
        what = (f"the database file{where} was moved or deleted while Canvass had it open. Close Canvass and "
                "check the data folder (a backup can be restored at the next start)")
    elif name.startswith("SQLITE_READONLY") or "readonly database" in text:
        what = (f"the database{where} or its folder is read-only. Make the data folder writable, or open another "
                "one with --data-dir")
    elif name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        what = (f"the disk could not be written{where}: it may be full, removed or failing. Check it and try "
                "again")
    elif name.startswith("SQLITE_CANTOPEN") or "unable to open database file" in text:
        what = f"the database file{where} or its folder cannot be opened any more (was it moved or removed?)"
    elif name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB" or "malformed" in text:
        what = f"the database{where} is damaged. Restore a backup (Canvass offers one at the next start)"
    else:
        return None
    return f"Nothing was saved: {what}. The store is as it was before this change."


def _translated(exc: BaseException, conn: sqlite3.Connection) -> BaseException:
    if not isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError) or isinstance(exc, StoreError):
        return exc
    path = getattr(conn, "store_path", None)
    message = describe_failure(exc, path)
    if message is None:
        return exc
    name = getattr(exc, "sqlite_errorname", "") or ""
    if path is not None and (name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB"):
        mark_failed(path, f"the database {path} is damaged ({exc}).")
    return StoreWriteError(message)


def _check_still_there(conn: sqlite3.Connection) -> None:
    """In WAL mode SQLite goes on writing into a file that was deleted or moved away (and the writes are lost when
    it closes): refuse instead."""
    path, ident = getattr(conn, "store_path", None), getattr(conn, "store_ident", None)
    if path is None or ident is None:
        return
    try:
        st = os.stat(path)
        same = (st.st_dev, st.st_ino) == ident
    except OSError:
        same = False
    if not same:
        raise StoreWriteError(f"Nothing was saved: the database file ({path}) was moved or deleted while Canvass had "
                              "it open. Close Canvass and check the data folder (a backup can be restored at the "
                              "next start). The store is as it was before this change.")


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:  # SQLite has already rolled back after some errors (an interrupted statement)
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error as exc:  # the disk is gone too: SQLite rolls back from the journal at the next open
            log.error("rollback failed: %s", exc)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection, *, immediate: bool = True) -> Iterator[sqlite3.Connection]:
    """One atomic unit of work: committed whole or rolled back whole (also on KeyboardInterrupt).

    Refused (StoreNotWritable) on a store that failed its check; on a store whose check is still running only
    audit entries may be written (signing in). A disk or folder that refuses the write gives StoreWriteError with
    a message for the user. After a commit that appended audit entries the head file beside the store is updated.
    """
    refusal = write_refusal(conn)
    if refusal is not None and refusal[0] == FAILED:
        raise StoreNotWritable(refusal_message(*refusal))
    _check_still_there(conn)
    changes0 = conn.total_changes
    appends0 = getattr(conn, "audit_appends", 0)
    try:
        conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    except sqlite3.Error as exc:
        raise _translated(exc, conn) from exc
    try:
        yield conn
        refusal = write_refusal(conn)
        if refusal is not None and conn.total_changes - changes0 > getattr(conn, "audit_appends", 0) - appends0:
            raise StoreNotWritable(refusal_message(*refusal))
        _check_still_there(conn)
        conn.execute("COMMIT")
    except BaseException as exc:
        _rollback(conn)
        if isinstance(conn, StoreConnection):
            conn.audit_dirty = False
        translated = _translated(exc, conn)
        if translated is not exc:
            raise translated from exc
        raise
    after_commit(conn)


def after_commit(conn: sqlite3.Connection) -> None:
    """Write the audit head file if this connection appended entries (they are committed now)."""
    path = getattr(conn, "store_path", None)
    if path is None or not getattr(conn, "audit_dirty", False):
        return
    conn.audit_dirty = False  # type: ignore[attr-defined]
    from app.store import audit_head

    try:
        audit_head.head_committed(conn, path)
    except OSError as exc:
        # The entry is committed; the head file catches up at the next append or the next start.
        log.error("the audit head file beside %s could not be written: %s", path, exc)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise CorruptStoreError(path, str(exc)) from exc
    if rows != [("ok",)]:
        raise CorruptStoreError(path, "; ".join(str(r[0]) for r in rows[:3]))


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


def _has_no_tables(path: Path) -> bool:
    """A readable SQLite file without a single table (looked at read-only, so the file is left as it is)."""
    try:
        ro = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return int(ro.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]) == 0
    except sqlite3.Error:
        return False  # not a database at all: the ordinary check reports it
    finally:
        ro.close()


def prior_store_evidence(path: Path, backup_dir: Path) -> list[str]:
    """What shows that a store existed here: its backups, its audit head file."""
    from app.store import audit_head

    found = []
    if latest_backup(backup_dir) is not None:
        found.append(f"backups in {backup_dir}")
    if audit_head.head_path(path).exists():
        found.append(f"the audit head file {audit_head.head_path(path).name}")
    return found


def _refuse_fresh_over_history(path: Path, backup_dir: Path) -> None:
    """A missing, empty or table-less store where one existed is damage, not a first run: never create a fresh
    store over it. The file (if any) is not touched."""
    size = path.stat().st_size if path.exists() else -1
    if size > 0 and not _has_no_tables(path):
        return
    evidence = prior_store_evidence(path, backup_dir)
    if not evidence:
        return
    state = "is missing" if size < 0 else "is empty (0 bytes)" if size == 0 else "holds no tables"
    backup = latest_backup(backup_dir)
    offer = (f" The latest backup is {backup.name}, made {backup_age(backup)}." if backup is not None
             else " There is no backup to restore.")
    raise MissingStoreError(path, f"the file {state}, but {' and '.join(evidence)} show that a store with history "
                            "was here. Canvass does not start a new, empty store over it.", backup, offer)


def open_store(path: str | os.PathLike[str], backup_dir: str | os.PathLike[str] | None = None, *,
               defer_full_check: bool = False) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the store. Raises StoreError with a readable message.

    Every page is checked before anything is written. With defer_full_check (the window, for a quick first
    paint) a large store gets only the cheap check here and stays closed to writes other than audit entries
    until the caller's full check passes (mark_checked) or fails (mark_failed).
    The audit log is compared with its head file; a mismatch closes the store to writes (write_refusal)."""
    path = Path(path)
    backups = Path(backup_dir) if backup_dir else path.parent / "backups"
    _refuse_fresh_over_history(path, backups)
    existed = path.exists() and path.stat().st_size > 0
    mark_checked(path)
    try:
        conn = connect(path)
    except sqlite3.DatabaseError as exc:
        raise CorruptStoreError(path, str(exc)) from exc
    try:
        before = user_version(conn)
        if existed:
            if defer_full_check and full_check_deferred(path):
                check_readable(conn, path)
                mark_pending(path, f"the store {path.name} is still being checked for damage (a large store is "
                             "checked after the window opens).")
            else:
                check_integrity(conn, path)
        migrate(conn, path, backups)
        _check_audit_head(conn, path, before)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise CorruptStoreError(path, str(exc)) from exc
    except StoreError:
        conn.close()
        raise
    return conn


def _check_audit_head(conn: sqlite3.Connection, path: Path, version_before: int) -> None:
    from app.store import audit, audit_head

    hp = audit_head.head_path(path)
    try:
        head = audit_head.read_head(path)
    except ValueError as exc:
        mark_failed(path, f"{exc}. Restore a backup, or check the log with `canvass verify-audit`.")
        return
    last = audit.current_head(conn)
    try:
        if head is None:
            if last.seq == 0:
                return  # nothing to anchor yet: the first entry writes the file
            # A store from before head files, or one copied without its head file: anchored as it is now, and the
            # log says so (a head kept earlier still shows whether anything before this entry changed).
            legacy = version_before < AUDIT_HEAD_FILE_FROM
            log.warning("anchoring the audit log of %s at entry %s (%s)", path, last.seq,
                        "first open since head files" if legacy else "the head file was missing")
            with transaction(conn):
                audit.append(conn, "system", "audit_head_anchored", f"file:{hp.name}", {
                    "reason": "store made before audit head files" if legacy else "the head file was missing",
                    "anchored_seq": last.seq, "anchored_hash": last.hash})
            return
        problem = audit_head.compare(conn, head)
        if problem is not None:
            mark_failed(path, f"the audit log does not match its head file {hp.name}: {problem}. Restore a backup, "
                        "and check the log with `canvass verify-audit`.")
        elif (last.seq or 0) > (head.seq or 0):
            audit_head.write_head(path, last)  # the last write of the file was interrupted after its commit
    except OSError as exc:
        log.error("the audit head file %s could not be written: %s", hp, exc)


def restore_backup(backup: Path, path: Path) -> None:
    """Replace a broken database by a backup; the broken file and its head file are kept aside, never deleted.

    The backup's own head file comes with it, and the restore is itself the next audit entry, naming the backup
    and the head that was set aside (the entries after the backup are gone from the log; the entry says so)."""
    from app.store import audit, audit_head

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    try:
        replaced = audit_head.read_head(path)
    except ValueError:
        replaced = None
    for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm"), audit_head.head_path(path)):
        if p.exists():
            p.rename(p.with_name(p.name + f".broken-{stamp}"))
    shutil.copy2(backup, path)
    os.chmod(path, 0o600)
    if audit_head.head_path(backup).exists():
        shutil.copy2(audit_head.head_path(backup), audit_head.head_path(path))
        os.chmod(audit_head.head_path(path), 0o600)
    mark_checked(path)
    conn = connect(path)
    try:
        if audit_head.read_head(path) is None:
            audit_head.write_head(path, audit.current_head(conn))
        with transaction(conn):
            audit.append(conn, "system", "store_restored", f"file:{backup.name}", {
                "backup": backup.name, "set_aside": f"{path.name}.broken-{stamp}",
                "replaced_head_seq": replaced.seq if replaced else None,
                "replaced_head_hash": replaced.hash if replaced else None})
    except (sqlite3.Error, ValueError, OSError) as exc:
        log.error("recording the restore of %s failed: %s", backup, exc)
    finally:
        conn.close()
