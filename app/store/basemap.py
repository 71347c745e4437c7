"""Base maps kept in the store: one vector base map (arrays in BLOBs) and any number of tile files (by path)."""

from __future__ import annotations

import io
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.core.basemap import Addresses, BaseMap, Features
from app.core.records import to_iso, utc_now
from app.store import audit
from app.store.db import transaction

TILE_KINDS = ("mbtiles", "pmtiles")
_FEATURE_FIELDS = ("x", "y", "start", "code", "name")
_ADDRESS_ARRAYS = ("x", "y", "street", "r_street", "r_lo", "r_hi", "r_xy")


@dataclass(frozen=True)
class BaseMapInfo:
    id: int
    kind: str            # 'vector', 'mbtiles' or 'pmtiles'
    source_name: str
    source_path: str
    attribution: str
    counts: dict[str, Any]
    loaded_at: str       # UTC ISO
    loaded_by: str


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(a), allow_pickle=False)
    return buf.getvalue()


def _from_npy(data: bytes) -> np.ndarray:
    return np.load(io.BytesIO(data), allow_pickle=False)


def _lines(values: list[str]) -> bytes:
    return "\n".join(v.replace("\n", " ").replace("\r", " ") for v in values).encode("utf-8")


def _from_lines(data: bytes, n: int) -> list[str]:
    if n == 0:
        return []
    return data.decode("utf-8").split("\n")


def _parts(bm: BaseMap) -> dict[str, bytes]:
    parts: dict[str, bytes] = {"names": _lines(bm.names), "addresses.number": _lines(bm.addresses.number)}
    for family in ("roads", "lines", "areas"):
        f: Features = getattr(bm, family)
        for name in _FEATURE_FIELDS:
            parts[f"{family}.{name}"] = _npy(getattr(f, name))
    for name in _ADDRESS_ARRAYS:
        parts[f"addresses.{name}"] = _npy(getattr(bm.addresses, name))
    return parts


def _info(row: tuple) -> BaseMapInfo:
    return BaseMapInfo(int(row[0]), row[1], row[2], row[3], row[4], json.loads(row[5] or "{}"), row[6], row[7])


_INFO_COLUMNS = "id, kind, source_name, source_path, attribution, counts, loaded_at, loaded_by"


def list_base_maps(conn: sqlite3.Connection) -> list[BaseMapInfo]:
    """Every base layer of the store, the vector base map first, then tile files in the order they were added."""
    rows = conn.execute(f"SELECT {_INFO_COLUMNS} FROM base_maps "
                        "ORDER BY CASE kind WHEN 'vector' THEN 0 ELSE 1 END, id").fetchall()
    return [_info(r) for r in rows]


def vector_info(conn: sqlite3.Connection) -> BaseMapInfo | None:
    row = conn.execute(f"SELECT {_INFO_COLUMNS} FROM base_maps WHERE kind = 'vector' ORDER BY id DESC LIMIT 1"
                       ).fetchone()
    return None if row is None else _info(row)


def save_vector(conn: sqlite3.Connection, bm: BaseMap, actor: str, source_path: str = "", sha256: str = "",
                check: Any = None) -> int:
    """Replace the store's vector base map by ``bm``, in one transaction (audited). ``check()`` may raise to
    cancel between parts; nothing is written then."""
    with transaction(conn):
        return insert_vector(conn, bm, actor, source_path, sha256, check)


def insert_vector(conn: sqlite3.Connection, bm: BaseMap, actor: str, source_path: str = "", sha256: str = "",
                  check: Any = None) -> int:
    """save_vector inside the caller's transaction."""
    parts = _parts(bm)
    counts = bm.counts()
    old = [int(r[0]) for r in conn.execute("SELECT id FROM base_maps WHERE kind = 'vector'")]
    for i in old:
        conn.execute("DELETE FROM base_map_parts WHERE base_map_id = ?", (i,))
        conn.execute("DELETE FROM base_maps WHERE id = ?", (i,))
    cur = conn.execute(
        "INSERT INTO base_maps (kind, source_name, source_path, sha256, attribution, counts, loaded_at, "
        "loaded_by) VALUES ('vector', ?, ?, ?, ?, ?, ?, ?)",
        (bm.source, source_path, sha256, bm.attribution, json.dumps(counts, sort_keys=True), to_iso(utc_now()),
         actor))
    base_id = int(cur.lastrowid)
    for name, data in parts.items():
        if check is not None:
            check()
        conn.execute("INSERT INTO base_map_parts (base_map_id, part, data) VALUES (?, ?, ?)", (base_id, name, data))
    audit.append(conn, actor, "base_map_added", f"base_map:{base_id}",
                 {"kind": "vector", "source": bm.source, "sha256": sha256, "replaced": old, **counts})
    return base_id


def load_vector(conn: sqlite3.Connection) -> BaseMap | None:
    """The stored vector base map, or None."""
    info = vector_info(conn)
    if info is None:
        return None
    blobs = dict(conn.execute("SELECT part, data FROM base_map_parts WHERE base_map_id = ?", (info.id,)))

    def feats(family: str) -> Features:
        return Features(*(_from_npy(blobs[f"{family}.{n}"]) for n in _FEATURE_FIELDS))

    arrays = {n: _from_npy(blobs[f"addresses.{n}"]) for n in _ADDRESS_ARRAYS}
    addresses = Addresses(arrays["x"], arrays["y"], arrays["street"],
                          _from_lines(blobs["addresses.number"], int(arrays["x"].shape[0])),
                          arrays["r_street"], arrays["r_lo"], arrays["r_hi"], arrays["r_xy"].reshape(-1, 4))
    names = _from_lines(blobs["names"], 1 if blobs["names"] else 0)
    return BaseMap(info.source_name, info.attribution, names, feats("roads"), feats("lines"), feats("areas"),
                   addresses)


def add_tile_file(conn: sqlite3.Connection, kind: str, name: str, path: str, attribution: str,
                  counts: dict[str, Any], actor: str) -> int:
    """Record a tile file (MBTiles or PMTiles) as a base layer; the file itself stays where it is."""
    if kind not in TILE_KINDS:
        raise ValueError(f"unknown tile file kind {kind!r}")
    with transaction(conn):
        conn.execute("DELETE FROM base_maps WHERE kind = ? AND source_path = ?", (kind, path))
        cur = conn.execute(
            "INSERT INTO base_maps (kind, source_name, source_path, attribution, counts, loaded_at, loaded_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kind, name, path, attribution, json.dumps(counts, sort_keys=True), to_iso(utc_now()), actor))
        base_id = int(cur.lastrowid)
        audit.append(conn, actor, "base_map_added", f"base_map:{base_id}",
                     {"kind": kind, "source": name, "path": path, **counts})
    return base_id


def remove(conn: sqlite3.Connection, actor: str, base_id: int | None = None) -> int:
    """Remove one base layer (or all of them when base_id is None). Returns how many were removed."""
    with transaction(conn):
        if base_id is None:
            ids = [int(r[0]) for r in conn.execute("SELECT id FROM base_maps")]
        else:
            ids = [int(r[0]) for r in conn.execute("SELECT id FROM base_maps WHERE id = ?", (base_id,))]
        for i in ids:
            conn.execute("DELETE FROM base_map_parts WHERE base_map_id = ?", (i,))
            conn.execute("DELETE FROM base_maps WHERE id = ?", (i,))
        if ids:
            audit.append(conn, actor, "base_map_removed", "base_map:" + ",".join(map(str, ids)), {"ids": ids})
    return len(ids)


def searchable_incidents(conn: sqlite3.Connection) -> list[tuple[int, str, str, str, float, float]]:
    """(id, case number, category, occurred_at, lat, lon) of every placed incident, for the address search."""
    return [(int(r[0]), r[1] or "", r[2], r[3], float(r[4]), float(r[5])) for r in conn.execute(
        "SELECT id, case_number, category, occurred_at, lat, lon FROM incidents "
        "WHERE lat IS NOT NULL AND lon IS NOT NULL ORDER BY id")]


def search_stamp(conn: sqlite3.Connection) -> tuple:
    """Changes whenever what the address search reads changes (base map replaced or removed, incidents added)."""
    base = conn.execute("SELECT IFNULL(MAX(id), 0), COUNT(*) FROM base_maps WHERE kind = 'vector'").fetchone()
    # COUNT and MAX(id) only: cheap on every keystroke even with 200,000 posts (a moved incident is picked up when
    # the next one is added, or at once after app.services.map.address_search.forget).
    inc = conn.execute("SELECT COUNT(*), IFNULL(MAX(id), 0) FROM incidents").fetchone()
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    return (path, *base, *inc)
