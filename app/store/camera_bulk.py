"""Bulk insert of imported cameras (the import pipeline's writer calls these). sqlite3 only.

Rows go in as multi-row INSERT statements (ROWS_PER_STATEMENT rows each), which cuts the per-statement overhead of
executemany by that factor. For a bulk load into an empty or small registry the cameras table's own indexes are
dropped first and built once at the end, inside the same transaction: one sort beats a million scattered index
inserts, and a rollback brings the old indexes back untouched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import numpy as np

# Rows per INSERT statement: few statements means few GIL hand-overs between the writer (SQLite releases the GIL
# while it inserts) and the thread validating the next chunk; 9-10 parameters a row stays far below SQLite's 32,766.
ROWS_PER_STATEMENT = 1_000
_COLUMNS = "external_id, lat, lon, kind, heading_deg, fov_deg, range_m, retention_days, label"


def counts(conn: sqlite3.Connection) -> tuple[int, int]:
    """(number of cameras, highest camera id)."""
    n, top = conn.execute("SELECT count(*), IFNULL(max(id), 0) FROM cameras").fetchone()
    return int(n), int(top)


def max_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT IFNULL(max(id), 0) FROM cameras").fetchone()[0])


def drop_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop the cameras table's own indexes; returns the statements that recreate them."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cameras' "
                        "AND sql IS NOT NULL").fetchall()
    for name, _sql in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]


def create_indexes(conn: sqlite3.Connection, statements: Sequence[str]) -> None:
    for sql in statements:
        conn.execute(sql)


def _statement(k: int, batch_id: int, now: str, with_owner: bool) -> str:
    # The constants (source, registered_on, import_id) are ours, not the file's: safe to write as literals, and not
    # binding them saves three parameters per row.
    n = 10 if with_owner else 9
    row = "(" + ",".join("?" * n) + f",'imported','{now}',{int(batch_id)})"
    cols = _COLUMNS + (", owner_id" if with_owner else "")
    return f"INSERT INTO cameras ({cols}, source, registered_on, import_id) VALUES " + ",".join([row] * k)


def insert_columns(conn: sqlite3.Connection, columns: list[Any], n: int, batch_id: int, now: str,
                   with_owner: bool) -> None:
    """Insert n cameras given column by column (external_id, lat, lon, kind, heading_deg, fov_deg, range_m,
    retention_days, label[, owner_id]); NaN in a number column binds as NULL."""
    width = len(columns)
    k = ROWS_PER_STATEMENT
    full = (n // k) * k
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
