"""The registry as column arrays (numpy): one entry per camera, for the table, the map and fence queries at
1,000,000-camera scale. Plain data; app.store.camera_arrays fills them from the store."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


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

    def positions_of(self, camera_ids: np.ndarray | list[int]) -> np.ndarray:
        """Row positions of those of the given ids that exist (unknown ids are dropped)."""
        wanted = np.asarray(camera_ids, dtype=np.int64)
        if len(self) == 0 or wanted.size == 0:
            return np.empty(0, dtype=np.int64)
        pos = np.searchsorted(self.ids, wanted)
        pos = np.minimum(pos, len(self) - 1)
        return pos[self.ids[pos] == wanted]

    @classmethod
    def empty(cls) -> CameraArrays:
        return cls.allocate(0)

    @classmethod
    def allocate(cls, n: int) -> CameraArrays:
        """Uninitialised arrays for n cameras (filled by the loader)."""
        return cls(np.empty(n, np.int64), np.empty(n, np.float64), np.empty(n, np.float64), np.empty(n, np.int8),
                   np.empty(n, np.int8), np.empty(n, np.int64), np.empty(n, bool), np.empty(n, np.float32),
                   np.empty(n, np.float32), np.empty(n, np.float32), np.empty(n, np.float32), np.empty(n, bool))

    def columns(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def take(self, positions: np.ndarray) -> CameraArrays:
        """A new CameraArrays of the rows at the given positions (in that order)."""
        return CameraArrays(**{name: col[positions] for name, col in self.columns().items()})

    def nbytes(self) -> int:
        return sum(col.nbytes for col in self.columns().values())

    # --- changes after edits: the caller hands the result to RegistryData.set_arrays -------------------------
    def without_ids(self, camera_ids: np.ndarray | list[int]) -> CameraArrays:
        keep = ~np.isin(self.ids, np.asarray(camera_ids, dtype=np.int64))
        return CameraArrays(**{name: col[keep] for name, col in self.columns().items()})

    def patch(self, rows: CameraArrays) -> np.ndarray:
        """Overwrite, in place, the rows whose ids appear in `rows`; returns their positions."""
        pos = self.positions_of(rows.ids)
        src = np.searchsorted(rows.ids, self.ids[pos]) if len(rows) > 1 else np.zeros(len(pos), np.int64)
        for name, col in self.columns().items():
            col[pos] = getattr(rows, name)[src]
        return pos

    def set_owner_consent(self, owner_id: int, opted_out: bool) -> np.ndarray:
        """Apply an owner's consent change to all their cameras in place; returns the positions changed."""
        pos = np.flatnonzero(self.owner_id == owner_id)
        self.opted_out[pos] = opted_out
        return pos
