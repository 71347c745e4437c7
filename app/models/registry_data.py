"""The registry arrays held for the views, and the one camera selection the map and tables share."""

from __future__ import annotations

import sqlite3

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.store.camera_arrays import CameraArrays, load_arrays


class RegistryData(QObject):
    """Current CameraArrays; reloaded after imports and edits, announced with `reloaded`."""

    reloaded = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.arrays = CameraArrays.empty()

    def reload(self, conn: sqlite3.Connection) -> None:
        self.set_arrays(load_arrays(conn))

    def set_arrays(self, arrays: CameraArrays) -> None:
        self.arrays = arrays
        self.reloaded.emit()


class CameraSelection(QObject):
    """The selected camera ids (sorted, unique int64). Whoever changes it names itself as the source."""

    selection_changed = Signal(object)  # the source object, so a view can ignore its own echo

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = np.empty(0, dtype=np.int64)

    @property
    def ids(self) -> np.ndarray:
        return self._ids

    def set_ids(self, ids: np.ndarray | list[int], source: object = None) -> None:
        new = np.unique(np.asarray(ids, dtype=np.int64))
        if new.shape == self._ids.shape and np.array_equal(new, self._ids):
            return
        self._ids = new
        self.selection_changed.emit(source)

    def clear(self, source: object = None) -> None:
        self.set_ids(np.empty(0, dtype=np.int64), source)

    def __len__(self) -> int:
        return int(self._ids.shape[0])
