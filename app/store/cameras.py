"""Cameras: read, add, update, delete, restore, and the text search and paging the registry table uses. sqlite3 only.

Writes are checked with app.core.validators.validate_camera first (it mirrors the schema's CHECK constraints), so a
dialog can say what is wrong before the store refuses it; the CHECKs stay the last word.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

import numpy as np

from app.core.records import Camera, CameraKind, CameraSource, to_iso, utc_now
from app.core.validators import validate_camera

CAMERA_COLUMNS = ["id", "external_id", "owner_id", "lat", "lon", "kind", "heading_deg", "fov_deg", "range_m",
                  "retention_days", "source", "registered_on", "active", "label", "import_id"]
_MAX_PARAMS = 500


class CameraError(ValueError):
    """A camera the store would refuse; the message says which values and why."""


def _check(camera: Camera) -> None:
    errors = validate_camera(camera)
    if errors:
        raise CameraError(" ".join(errors.values()))


def _from_row(row: sqlite3.Row | tuple) -> Camera:
    d = dict(zip(CAMERA_COLUMNS, row, strict=True))
    return Camera(id=d["id"], lat=d["lat"], lon=d["lon"], kind=CameraKind(d["kind"]), owner_id=d["owner_id"],
                  heading_deg=d["heading_deg"], fov_deg=d["fov_deg"], range_m=d["range_m"],
                  retention_days=d["retention_days"], source=CameraSource(d["source"]),
                  registered_on=d["registered_on"], active=bool(d["active"]), external_id=d["external_id"],
                  label=d["label"])


def get_camera(conn: sqlite3.Connection, camera_id: int) -> Camera | None:
    row = conn.execute(f"SELECT {', '.join(CAMERA_COLUMNS)} FROM cameras WHERE id = ?", (camera_id,)).fetchone()
    return _from_row(row) if row else None


def add_camera(conn: sqlite3.Connection, camera: Camera) -> int:
    """Insert a camera (with camera.id if given, else a fresh id); registered_on defaults to now. Returns the id."""
    _check(camera)
    cur = conn.execute(
        "INSERT INTO cameras (id, external_id, owner_id, lat, lon, kind, heading_deg, fov_deg, range_m, "
        "retention_days, source, registered_on, active, label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (camera.id, camera.external_id or None, camera.owner_id, float(camera.lat), float(camera.lon),
         str(camera.kind), camera.heading_deg, camera.fov_deg, camera.range_m,
         None if camera.retention_days is None else int(camera.retention_days), str(camera.source),
         camera.registered_on or to_iso(utc_now()), int(camera.active), camera.label.strip()))
    return int(cur.lastrowid)


def update_camera(conn: sqlite3.Connection, camera: Camera) -> None:
    """Write every editable field of an existing camera (registered_on and import batch are kept)."""
    _check(camera)
    if camera.id is None:
        raise CameraError("update_camera needs a camera id")
    cur = conn.execute(
        "UPDATE cameras SET external_id = ?, owner_id = ?, lat = ?, lon = ?, kind = ?, heading_deg = ?, fov_deg = ?, "
        "range_m = ?, retention_days = ?, source = ?, active = ?, label = ? WHERE id = ?",
        (camera.external_id or None, camera.owner_id, float(camera.lat), float(camera.lon), str(camera.kind),
         camera.heading_deg, camera.fov_deg, camera.range_m,
         None if camera.retention_days is None else int(camera.retention_days), str(camera.source),
         int(camera.active), camera.label.strip(), camera.id))
    if cur.rowcount != 1:
        raise CameraError(f"There is no camera {camera.id}.")


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    items = [int(i) for i in ids]
    for start in range(0, len(items), _MAX_PARAMS):
        yield items[start:start + _MAX_PARAMS]


def camera_rows(conn: sqlite3.Connection, camera_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Raw rows (every column) of the given cameras, sorted by id: what undo needs to restore them exactly."""
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(camera_ids):
        cur = conn.execute(f"SELECT {', '.join(CAMERA_COLUMNS)} FROM cameras WHERE id IN "
                           f"({','.join('?' * len(chunk))})", chunk)
        rows.extend(dict(zip(CAMERA_COLUMNS, r, strict=True)) for r in cur)
    rows.sort(key=lambda r: r["id"])
    return rows


def delete_cameras(conn: sqlite3.Connection, camera_ids: Iterable[int]) -> int:
    """Delete cameras; returns how many. A camera named in a footage request is refused (IntegrityError)."""
    deleted = 0
    for chunk in _chunks(camera_ids):
        cur = conn.execute(f"DELETE FROM cameras WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        deleted += cur.rowcount
    return deleted


def restore_camera_rows(conn: sqlite3.Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Insert or overwrite cameras exactly as camera_rows() captured them: same ids, same values.

    An upsert, not INSERT OR REPLACE: replacing would delete the row first, which the foreign keys of
    footage-request recipients refuse.
    """
    cols = ", ".join(CAMERA_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in CAMERA_COLUMNS if c != "id")
    conn.executemany(f"INSERT INTO cameras ({cols}) VALUES ({', '.join('?' * len(CAMERA_COLUMNS))}) "
                     f"ON CONFLICT(id) DO UPDATE SET {updates}",
                     ([r[c] for c in CAMERA_COLUMNS] for r in rows))


def blocking_requests(conn: sqlite3.Connection, camera_ids: Iterable[int]) -> dict[int, int]:
    """camera id -> how many footage-request recipients name it: such cameras are history and stay."""
    found: dict[int, int] = {}
    for chunk in _chunks(camera_ids):
        for cam, n in conn.execute(
                f"SELECT camera_id, count(*) FROM recipients WHERE camera_id IN ({','.join('?' * len(chunk))}) "
                "GROUP BY camera_id", chunk):
            found[int(cam)] = int(n)
        for cam, n in conn.execute(
                f"SELECT camera_id, count(*) FROM distributions WHERE camera_id IN ({','.join('?' * len(chunk))}) "
                "GROUP BY camera_id", chunk):
            found[int(cam)] = found.get(int(cam), 0) + int(n)
    return found


def ids_matching(conn: sqlite3.Connection, text: str) -> np.ndarray:
    """Sorted ids of cameras whose id, external id or label contains `text` (case-insensitive)."""
    needle = text.strip().lower()
    if not needle:
        return np.empty(0, dtype=np.int64)
    # instr() on lower() is a plain scan, but it runs in C: ~0.3 s for a million cameras.
    cur = conn.execute(
        "SELECT id FROM cameras WHERE instr(lower(label), ?) > 0 OR instr(lower(IFNULL(external_id, '')), ?) > 0 "
        "OR instr(CAST(id AS TEXT), ?) > 0 ORDER BY id", (needle, needle, needle))
    return np.fromiter((r[0] for r in cur), dtype=np.int64)


def text_sort_ids(conn: sqlite3.Connection, column: str) -> np.ndarray:
    """All camera ids ordered by a text column (label or external_id), ties by id: for sorting the table."""
    if column not in ("label", "external_id"):
        raise ValueError(f"cannot sort by {column!r}")
    cur = conn.execute(f"SELECT id FROM cameras ORDER BY IFNULL({column}, '') COLLATE NOCASE, id")
    return np.fromiter((r[0] for r in cur), dtype=np.int64)


def page_rows(conn: sqlite3.Connection, camera_ids: Iterable[int]) -> dict[int, tuple[str, str, int | None]]:
    """id -> (external_id, label, owner anonymity number) for a page of the table; never contact details."""
    out: dict[int, tuple[str, str, int | None]] = {}
    for chunk in _chunks(camera_ids):
        cur = conn.execute(
            "SELECT c.id, IFNULL(c.external_id, ''), c.label, o.anonymity_no FROM cameras c "
            f"LEFT JOIN owners o ON o.id = c.owner_id WHERE c.id IN ({','.join('?' * len(chunk))})", chunk)
        for cid, ext, label, anon in cur:
            out[int(cid)] = (ext, label, anon)
    return out


def any_external_ids(conn: sqlite3.Connection) -> bool:
    """Whether any camera carries an id from the file it came from (the import's duplicate check needs them)."""
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM cameras WHERE external_id IS NOT NULL)").fetchone()[0])


def cameras_with_external_ids(conn: sqlite3.Connection, external_ids: list[str]) -> dict[str, int]:
    """external id -> the lowest camera id holding it, for those of `external_ids` already in the registry."""
    if not external_ids:
        return {}
    return dict(conn.execute(
        "SELECT external_id, min(id) FROM cameras WHERE external_id IN (SELECT value FROM json_each(?)) "
        "GROUP BY external_id", (json.dumps(external_ids),)).fetchall())
