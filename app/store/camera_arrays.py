"""The registry as column arrays (numpy), for the table, the map and fence queries at 1,000,000-camera scale."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np

from app.core.records import CameraKind, CameraSource

KIND_CODES: list[str] = [k.value for k in CameraKind]
SOURCE_CODES: list[str] = [s.value for s in CameraSource]


@dataclass
class CameraArrays:
    """One entry per camera, sorted by id. NaN where a value is unknown; -1 where an owner is unknown."""

    ids: np.ndarray          # int64
    lat: np.ndarray          # float64
    lon: np.ndarray          # float64
    kind: np.ndarray         # int8 index into KIND_CODES
    source: np.ndarray       # int8 index into SOURCE_CODES
    owner_id: np.ndarray     # int64, -1 = none
    opted_out: np.ndarray    # bool: the owner opted out of requests
    heading_deg: np.ndarray  # float32
    fov_deg: np.ndarray      # float32
    range_m: np.ndarray      # float32
    retention_days: np.ndarray  # float32 (NaN = unknown)
    active: np.ndarray       # bool

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def index_of(self, camera_ids: np.ndarray) -> np.ndarray:
        """Row positions of the given ids (ids must exist)."""
        return np.searchsorted(self.ids, camera_ids)

    @classmethod
    def empty(cls) -> CameraArrays:
        f = np.empty(0, dtype=np.float64)
        f32 = np.empty(0, dtype=np.float32)
        return cls(np.empty(0, np.int64), f, f.copy(), np.empty(0, np.int8), np.empty(0, np.int8),
                   np.empty(0, np.int64), np.empty(0, bool), f32, f32.copy(), f32.copy(), f32.copy(),
                   np.empty(0, bool))


_QUERY = """
SELECT c.id, c.lat, c.lon, c.kind, c.source, IFNULL(c.owner_id, -1), IFNULL(o.consent = 'opt_out', 0),
       IFNULL(c.heading_deg, 'nan'), IFNULL(c.fov_deg, 'nan'), IFNULL(c.range_m, 'nan'),
       IFNULL(c.retention_days, 'nan'), c.active
FROM cameras c LEFT JOIN owners o ON o.id = c.owner_id
ORDER BY c.id
"""


def load_arrays(conn: sqlite3.Connection) -> CameraArrays:
    rows = conn.execute(_QUERY).fetchall()
    if not rows:
        return CameraArrays.empty()
    cols = list(zip(*rows))
    kind_index = {k: i for i, k in enumerate(KIND_CODES)}
    source_index = {s: i for i, s in enumerate(SOURCE_CODES)}
    return CameraArrays(
        ids=np.array(cols[0], dtype=np.int64),
        lat=np.array(cols[1], dtype=np.float64),
        lon=np.array(cols[2], dtype=np.float64),
        kind=np.array([kind_index[k] for k in cols[3]], dtype=np.int8),
        source=np.array([source_index[s] for s in cols[4]], dtype=np.int8),
        owner_id=np.array(cols[5], dtype=np.int64),
        opted_out=np.array(cols[6], dtype=bool),
        heading_deg=np.array(cols[7], dtype=np.float32),
        fov_deg=np.array(cols[8], dtype=np.float32),
        range_m=np.array(cols[9], dtype=np.float32),
        retention_days=np.array(cols[10], dtype=np.float32),
        active=np.array(cols[11], dtype=bool),
    )
