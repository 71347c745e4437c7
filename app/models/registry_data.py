"""The registry arrays held for the views, and the one camera selection the map and tables share.

numpy is imported on first use, not at import: the main window imports this module before its first paint.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    import numpy as np

    from app.core.camera_arrays import CameraArrays


class RegistryData(QObject):
    """Current CameraArrays; reloaded after imports and edits, announced with `reloaded`."""

    reloaded = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._arrays: CameraArrays | None = None

    @property
    def arrays(self) -> CameraArrays:
        if self._arrays is None:
            from app.core.camera_arrays import CameraArrays

            self._arrays = CameraArrays.empty()
        return self._arrays

    @arrays.setter
    def arrays(self, arrays: CameraArrays) -> None:
        self._arrays = arrays

    def reload(self, conn: sqlite3.Connection) -> None:
        from app.store.camera_arrays import load_arrays

        self.set_arrays(load_arrays(conn))

    def set_arrays(self, arrays: CameraArrays) -> None:
        self._arrays = arrays
        self.reloaded.emit()


class CameraSelection(QObject):
    """The selected camera ids (sorted, unique int64). Whoever changes it names itself as the source."""

    selection_changed = Signal(object)  # the source object, so a view can ignore its own echo

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids: np.ndarray | None = None

    @property
    def ids(self) -> np.ndarray:
        if self._ids is None:
            import numpy as np

            self._ids = np.empty(0, dtype=np.int64)
        return self._ids

    def set_ids(self, ids: np.ndarray | list[int], source: object = None) -> None:
        import numpy as np

        new = np.unique(np.asarray(ids, dtype=np.int64))
        current = self.ids
        if new.shape == current.shape and np.array_equal(new, current):
            return
        self._ids = new
        self.selection_changed.emit(source)

    def clear(self, source: object = None) -> None:
        self.set_ids([], source)

    def __len__(self) -> int:
        return int(self.ids.shape[0])
