"""import_batches: one row per import, written in the import's own transaction. sqlite3 only."""

from __future__ import annotations

import sqlite3


def begin_batch(conn: sqlite3.Connection, file_name: str, fmt: str, actor: str, now: str) -> int:
    """The batch row, with counts filled in by finish_batch once the file has been read."""
    cur = conn.execute(
        "INSERT INTO import_batches (file_name, format, sha256, rows_total, rows_imported, rows_rejected, "
        "imported_at, imported_by) VALUES (?, ?, '', 0, 0, 0, ?, ?)", (file_name, fmt, now, actor))
    return int(cur.lastrowid or 0)


def finish_batch(conn: sqlite3.Connection, batch_id: int, sha256: str, rows_total: int, imported: int,
                 rejected: int) -> None:
    conn.execute("UPDATE import_batches SET sha256 = ?, rows_total = ?, rows_imported = ?, rows_rejected = ? "
                 "WHERE id = ?", (sha256, rows_total, imported, rejected, batch_id))
