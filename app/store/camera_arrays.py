"""The registry as column arrays (numpy), for the table, the map and fence queries at 1,000,000-camera scale.

Loading streams the cameras table in chunks into preallocated arrays, so a million cameras never exist as a
million Python tuples at once (the old fetchall() peaked at ~670 MB; this stays near the arrays' own ~50 MB).
Kind and source are turned into small integers by SQLite itself, and the owners' consent comes from a separate
query of the (few) opted-out owners rather than a join on every row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import numpy as np

from app.core.camera_arrays import CameraArrays
from app.core.records import KIND_CODES, SOURCE_CODES

CHUNK_ROWS = 32_768


def _case(column: str, codes: list[str]) -> str:
    whens = " ".join(f"WHEN '{code}' THEN {i}" for i, code in enumerate(codes))
    return f"CASE {column} {whens} ELSE -1 END"


# All-numeric rows, so each chunk converts to one float64 block with a single numpy call (NULL becomes NaN).
_SELECT = (
    "SELECT id, lat, lon, " + _case("kind", KIND_CODES) + ", " + _case("source", SOURCE_CODES)
    + ", IFNULL(owner_id, -1), heading_deg, fov_deg, range_m, retention_days, active FROM cameras"
)


def _fill(out: CameraArrays, start: int, block: np.ndarray) -> None:
    stop = start + block.shape[0]
    out.ids[start:stop] = block[:, 0]
    out.lat[start:stop] = block[:, 1]
    out.lon[start:stop] = block[:, 2]
    out.kind[start:stop] = block[:, 3]
    out.source[start:stop] = block[:, 4]
    out.owner_id[start:stop] = block[:, 5]
    out.heading_deg[start:stop] = block[:, 6]
    out.fov_deg[start:stop] = block[:, 7]
    out.range_m[start:stop] = block[:, 8]
    out.retention_days[start:stop] = block[:, 9]
    out.active[start:stop] = block[:, 10] != 0


def opted_out_owners(conn: sqlite3.Connection) -> np.ndarray:
    """Ids of the owners who opted out of requests, sorted."""
    cur = conn.execute("SELECT id FROM owners WHERE consent = 'opt_out' ORDER BY id")
    return np.fromiter((r[0] for r in cur), dtype=np.int64)


def _read(conn: sqlite3.Connection, where: str, params: tuple | list, n: int,
          on_chunk: Callable[[int, int], None] | None) -> CameraArrays:
    out = CameraArrays.allocate(n)
    cur = conn.execute(f"{_SELECT} {where} ORDER BY id", params)
    done = 0
    while True:
        rows = cur.fetchmany(CHUNK_ROWS)
        if not rows:
            break
        if done + len(rows) > n:  # rows added since we counted: stop at the count, the next reload sees them
            rows = rows[: n - done]
        _fill(out, done, np.array(rows, dtype=np.float64))
        done += len(rows)
        if on_chunk is not None:
            on_chunk(done, n)
        if done >= n:
            break
    cur.close()
    if done < n:  # rows deleted since we counted
        out = out.take(np.arange(done))
    out.opted_out[:] = np.isin(out.owner_id, opted_out_owners(conn)) if done else False
    return out


def load_arrays(conn: sqlite3.Connection, on_chunk: Callable[[int, int], None] | None = None) -> CameraArrays:
    """Every camera as arrays. on_chunk(done, total) is called after each chunk (progress; may raise to cancel).

    Runs inside one read transaction when the caller has none open, so the count and the rows agree.
    """
    own_txn = not conn.in_transaction
    if own_txn:
        conn.execute("BEGIN")
    try:
        n = int(conn.execute("SELECT count(*) FROM cameras").fetchone()[0])
        return _read(conn, "", (), n, on_chunk)
    finally:
        if own_txn:
            conn.execute("COMMIT")


def load_rows(conn: sqlite3.Connection, camera_ids: np.ndarray | list[int]) -> CameraArrays:
    """The given cameras (those that exist) as arrays: used to patch the loaded arrays after an edit."""
    wanted = sorted({int(i) for i in np.asarray(camera_ids, dtype=np.int64).tolist()})
    parts = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        where = f"WHERE id IN ({','.join('?' * len(chunk))})"
        n = int(conn.execute(f"SELECT count(*) FROM cameras {where}", chunk).fetchone()[0])
        parts.append(_read(conn, where, chunk, n, None))
    if not parts:
        return CameraArrays.empty()
    if len(parts) == 1:
        return parts[0]
    return CameraArrays(**{name: np.concatenate([getattr(p, name) for p in parts])
                           for name in parts[0].columns()})
