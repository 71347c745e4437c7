"""The single-writer lock on a data folder, shared by the window and the command line.

One lock file per data folder (QLockFile: the process id, host and program name inside; a lock left by a killed
process is taken over). The window holds it for as long as it is open; `canvass import` holds it for the import.
Either refuses to start while the other holds it, and says who does.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLockFile

from app import APP_NAME


class LockUnavailable(OSError):
    """The lock file cannot be made at all: the folder is read-only, or not the user's."""


def acquire(lock_path: Path, wait_ms: int = 200) -> QLockFile | None:
    """The lock, or None if another live process holds it. LockUnavailable if the folder refuses the lock file."""
    lock = QLockFile(str(lock_path))
    lock.setStaleLockTime(0)
    if lock.tryLock(wait_ms):
        return lock
    if lock.error() != QLockFile.LockError.LockFailedError:
        raise LockUnavailable(f"the data folder {lock_path.parent} is read-only or not yours: Canvass cannot make its "
                              f"lock file {lock_path.name} there, so it writes nothing to this folder")
    return None


def holder(lock_path: Path) -> str:
    """Who holds the lock, in words: “Canvass (process 4242 on host “desk”)”."""
    info = QLockFile(str(lock_path)).getLockInfo()
    values = list(info) if isinstance(info, tuple | list) else []
    if values and isinstance(values[0], bool):  # some bindings put the success flag first
        values = values[1:] if values[0] else []
    pid, host, app = (values + [0, "", ""])[:3] if values else (0, "", "")
    if not pid:
        return f"another {APP_NAME}"
    name = APP_NAME if not app or app.startswith("python") else app
    return f"{name} (process {pid}{f' on host “{host}”' if host else ''})"


def refusal(lock_path: Path, data_dir: Path) -> str:
    return (f"{holder(lock_path)} is using the data folder {data_dir}. Close that {APP_NAME} window (or wait for "
            f"its import to finish) and try again; or import from its File ▸ Import Cameras. Two writers on one "
            "store could overwrite each other's work, so nothing was imported.")
