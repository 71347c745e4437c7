"""Write a validated camera file into the store: all of it in one transaction, or nothing.

The valid rows, their owners, the import_batches row and the audit entry land together in one transaction, so
Cancel (the check callback raising, also from inside a long statement via SQLite's progress handler) or a killed
process leaves the store exactly as it was.

Bulk speed: rows go in as multi-row INSERT statements (ROWS_PER_STATEMENT rows each) over flattened chunks, which
cuts the per-statement overhead of executemany by that factor. When an import at least doubles the table, the
cameras table's indexes are dropped and rebuilt inside the same transaction: one sort beats a million scattered
index inserts, and a rollback brings the old indexes back untouched.
"""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.core.records import Consent, ContactPreference, Owner, to_iso, utc_now
from app.io.validate import Validation, ValidChunk
from app.store import audit
from app.store.db import transaction
from app.store.owners import add_owner

ROWS_PER_STATEMENT = 100
REBUILD_INDEXES_FROM = 50_000
Progress = Callable[[int, int], None]


class NothingToImport(ValueError):
    pass


@dataclass
class ImportResult:
    batch_id: int
    imported: int
    rejected: int
    rows_total: int
    owners_created: int = 0
    first_id: int | None = None
    last_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        text = f"Imported {self.imported} cameras (batch {self.batch_id})"
        if self.rejected:
            text += f"; {self.rejected} bad rows left out"
        if self.owners_created:
            text += f"; {self.owners_created} owners created"
        return text + "."


def write_import(conn: sqlite3.Connection, validation: Validation, actor: str, *, progress: Progress | None = None,
                 check: Callable[[], None] | None = None) -> ImportResult:
    """Insert every valid row of `validation` (source 'imported'), its owners, a batch row and an audit entry."""
    total = validation.valid
    if total == 0:
        raise NothingToImport(f"{validation.file_name} has no valid rows to import.")
    now = to_iso(utc_now())
    interrupted: list[BaseException] = []

    def on_progress() -> int:
        if check is None:
            return 0
        try:
            check()
        except BaseException as exc:  # noqa: BLE001 - re-raised below, after SQLite aborts the statement
            interrupted.append(exc)
            return 1
        return 0

    was_enabled = gc.isenabled()
    gc.disable()
    conn.set_progress_handler(on_progress, 200_000)
    try:
        with transaction(conn):
            try:
                result = _write(conn, validation, actor, now, progress, check)
            except sqlite3.OperationalError:
                if interrupted:
                    raise interrupted[0] from None
                raise
    finally:
        conn.set_progress_handler(None, 0)
        if was_enabled:
            gc.enable()
    return result


def _write(conn: sqlite3.Connection, validation: Validation, actor: str, now: str, progress: Progress | None,
           check: Callable[[], None] | None) -> ImportResult:
    total = validation.valid
    rejected = len(validation.bad)
    cur = conn.execute(
        "INSERT INTO import_batches (file_name, format, sha256, rows_total, rows_imported, rows_rejected, "
        "imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (validation.file_name, validation.format, validation.sha256, validation.rows_total, total, rejected, now,
         actor))
    batch_id = int(cur.lastrowid)
    owner_ids = _write_owners(conn, validation, now)
    before_max = conn.execute("SELECT IFNULL(max(id), 0) FROM cameras").fetchone()[0]
    existing = conn.execute("SELECT count(*) FROM cameras").fetchone()[0]
    rebuild = _drop_indexes(conn) if total >= max(REBUILD_INDEXES_FROM, existing) else []
    with_owner = owner_ids is not None
    done = 0
    for chunk in validation.chunks:
        _insert_chunk(conn, chunk, batch_id, now, owner_ids if with_owner else None)
        done += len(chunk)
        if check is not None:
            check()
        if progress is not None:
            progress(done, total)
    for sql in rebuild:
        conn.execute(sql)
    after_max = conn.execute("SELECT IFNULL(max(id), 0) FROM cameras").fetchone()[0]
    owners_created = len(owner_ids or {})
    details = {"file": validation.file_name, "format": validation.format, "sha256": validation.sha256,
               "rows_total": validation.rows_total, "imported": total, "rejected": rejected,
               "owners_created": owners_created, "camera_ids": [before_max + 1, after_max],
               "mapping": validation.mapping}
    audit.append(conn, actor, "import", f"import_batch:{batch_id}", details)
    return ImportResult(batch_id, total, rejected, validation.rows_total, owners_created, before_max + 1, after_max,
                        details)


def _write_owners(conn: sqlite3.Connection, validation: Validation, now: str) -> dict[int, int] | None:
    """Owners referenced by valid rows -> their new ids (each with the next anonymity number)."""
    if not any(c.owner is not None for c in validation.chunks):
        return None
    used = sorted({o for c in validation.chunks for o in (c.owner or []) if o >= 0})
    ids: dict[int, int] = {}
    for index in used:
        spec = validation.owners[index]
        preference = ContactPreference.EMAIL if spec.email else (
            ContactPreference.PHONE if spec.phone else ContactPreference.NONE)
        ids[index] = add_owner(conn, Owner(None, spec.display_name, spec.email, spec.phone, "", preference,
                                           Consent(spec.consent)), created_at=now)
    return ids


def _drop_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop the cameras table's own indexes; returns the statements that recreate them."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cameras' "
                        "AND sql IS NOT NULL").fetchall()
    for name, _sql in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]


_COLUMNS = "external_id, lat, lon, kind, heading_deg, fov_deg, range_m, retention_days, label"


def _statement(k: int, batch_id: int, now: str, with_owner: bool) -> str:
    # The constants (source, registered_on, import_id) are ours, not the file's: safe to write as literals, and not
    # binding them saves three parameters per row.
    n = 10 if with_owner else 9
    row = "(" + ",".join("?" * n) + f",'imported','{now}',{int(batch_id)})"
    cols = _COLUMNS + (", owner_id" if with_owner else "")
    return f"INSERT INTO cameras ({cols}, source, registered_on, import_id) VALUES " + ",".join([row] * k)


def _insert_chunk(conn: sqlite3.Connection, chunk: ValidChunk, batch_id: int, now: str,
                  owner_ids: dict[int, int] | None) -> None:
    # NaN binds as NULL in SQLite, so the optional numbers go in as they are.
    columns: list[Any] = [chunk.external_id, chunk.lat, chunk.lon, chunk.kind, chunk.heading_deg, chunk.fov_deg,
                          chunk.range_m, chunk.retention_days, chunk.label]
    if owner_ids is not None:
        columns.append([owner_ids.get(o) for o in (chunk.owner or [-1] * len(chunk))])
    width = len(columns)
    k = ROWS_PER_STATEMENT
    n = len(chunk)
    full = (n // k) * k
    with_owner = owner_ids is not None
    if full:
        # Rows laid out in an object array and cut into one parameter list per statement by numpy, which is
        # cheaper than zipping and slicing Python lists.
        grid = np.empty((full, width), dtype=object)
        for j, col in enumerate(columns):
            grid[:, j] = col[:full]
        conn.executemany(_statement(k, batch_id, now, with_owner), grid.reshape(-1, width * k).tolist())
    if full < n:
        rest = [c[full:].tolist() if isinstance(c, np.ndarray) else c[full:] for c in columns]
        conn.executemany(_statement(1, batch_id, now, with_owner), zip(*rest, strict=True))
