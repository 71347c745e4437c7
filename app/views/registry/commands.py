"""Undo/redo of registry edits: one QUndoCommand per add, edit or delete (a delete of many cameras is one command).

The edit itself runs in the service before the command is pushed (so a refusal is reported and nothing is
pushed); the command's first redo() is then a no-op. Undo and redo put back the exact rows captured in the
RegistryChange, each in one transaction with its audit entry. After every store write the shared CameraArrays
are brought up to date without reloading the registry: rows are patched in place (edits) or inserted/removed
(adds, deletes), and RegistryData announces it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtGui import QUndoCommand

from app.core.camera_arrays import CameraArrays
from app.models.registry_data import RegistryData
from app.services.registry.service import RegistryChange, RegistryService

log = logging.getLogger(__name__)


@dataclass
class CommandContext:
    service: RegistryService
    registry: RegistryData
    patched: Callable[[np.ndarray], None]  # told the ids of rows changed in place, before `reloaded` is emitted
    failed: Callable[[str], None]          # shows an undo/redo that the store refused


def insert_rows(arrays: CameraArrays, rows: CameraArrays) -> CameraArrays:
    """A new CameraArrays with `rows` (ids not yet present) merged in id order: one copy, no sort."""
    if len(rows) == 0:
        return arrays
    at = np.searchsorted(arrays.ids, rows.ids)
    return CameraArrays(**{name: np.insert(col, at, getattr(rows, name))
                           for name, col in arrays.columns().items()})


def sync_arrays(ctx: CommandContext, change: RegistryChange) -> None:
    """Bring the shared arrays in line with the store after `change` (or its undo) was written."""
    arrays = ctx.registry.arrays
    ids = np.asarray(change.camera_ids, dtype=np.int64)
    now = ctx.service.camera_rows(ids)
    present = np.zeros(len(arrays), dtype=bool)
    present[arrays.positions_of(ids)] = True
    was = arrays.ids[present]
    removed = np.setdiff1d(was, now.ids)
    added = np.setdiff1d(now.ids, was)
    if removed.size or added.size:
        # Both steps copy, so the arrays others may still hold are never changed under them.
        new = arrays.without_ids(removed) if removed.size else arrays
        new = insert_rows(new, now.take(np.flatnonzero(np.isin(now.ids, added))))
        new.patch(now.take(np.flatnonzero(~np.isin(now.ids, added))))
        _apply_owner_consent(new, change, ctx.service)
        ctx.registry.set_arrays(new)
        return
    changed = [arrays.ids[arrays.patch(now)]]
    changed.extend(arrays.ids[p] for p in _apply_owner_consent(arrays, change, ctx.service))
    ctx.patched(np.unique(np.concatenate(changed)))
    ctx.registry.set_arrays(arrays)


def _apply_owner_consent(arrays: CameraArrays, change: RegistryChange, service: RegistryService) -> list[np.ndarray]:
    """An owner's consent change reaches all their cameras, not only the edited one."""
    return [arrays.set_owner_consent(owner_id, opted_out)
            for owner_id, opted_out in service.owner_opted_out(change.owner_ids).items()]


class RegistryCommand(QUndoCommand):
    """Undo/redo of one RegistryChange that has already been applied."""

    def __init__(self, ctx: CommandContext, change: RegistryChange, text: str) -> None:
        super().__init__(text)
        self.ctx = ctx
        self.change = change
        self._applied = True  # the service already did it; the push's redo() must not do it again

    def _apply(self, undo: bool) -> None:
        try:
            self.ctx.service.apply(self.change, undo=undo)
        except Exception as exc:  # noqa: BLE001 - reported to the user; the stack cannot roll back a failed step
            log.exception("registry %s failed", "undo" if undo else "redo")
            self.ctx.failed(f"Could not {'undo' if undo else 'redo'} “{self.text()}”: {exc}")
            return
        sync_arrays(self.ctx, self.change)

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            sync_arrays(self.ctx, self.change)
            return
        self._apply(undo=False)

    def undo(self) -> None:
        self._apply(undo=True)


class AddCameraCommand(RegistryCommand):
    def __init__(self, ctx: CommandContext, change: RegistryChange) -> None:
        super().__init__(ctx, change, f"Add Camera {change.camera_ids[0]}")


class EditCameraCommand(RegistryCommand):
    def __init__(self, ctx: CommandContext, change: RegistryChange) -> None:
        super().__init__(ctx, change, f"Edit Camera {change.camera_ids[0]}")


class DeleteCamerasCommand(RegistryCommand):
    def __init__(self, ctx: CommandContext, change: RegistryChange) -> None:
        n = len(change.camera_ids)
        super().__init__(ctx, change, f"Delete Camera {change.camera_ids[0]}" if n == 1 else f"Delete {n:,} Cameras")
