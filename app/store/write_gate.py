"""The write gate: a store-wide "writes allowed" state, per store file and process, that every transaction checks
(app.store.db.transaction). A store whose check is still running takes only audit entries; one that failed its
check, or whose audit log does not match its head file, takes nothing more."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

PENDING, FAILED = "pending", "failed"
_gate: dict[str, tuple[str, str]] = {}
_gate_lock = threading.Lock()


def _key(path: str | os.PathLike[str]) -> str:
    return str(Path(path).resolve())


def mark_pending(path: str | os.PathLike[str], reason: str) -> None:
    """Until mark_checked: only transactions that append audit entries and nothing else may commit."""
    with _gate_lock:
        if _gate.get(_key(path), ("", ""))[0] != FAILED:
            _gate[_key(path)] = (PENDING, reason)


def mark_failed(path: str | os.PathLike[str], reason: str) -> None:
    """No transaction may begin on this store in this process any more."""
    with _gate_lock:
        _gate[_key(path)] = (FAILED, reason)


def mark_checked(path: str | os.PathLike[str]) -> None:
    with _gate_lock:
        _gate.pop(_key(path), None)


def write_refusal(conn_or_path: sqlite3.Connection | str | os.PathLike[str]) -> tuple[str, str] | None:
    """(state, reason) if writes to this store are refused or held back, else None."""
    if isinstance(conn_or_path, sqlite3.Connection):
        path = getattr(conn_or_path, "store_path", None)
        if path is None:
            return None
        return _gate.get(str(path))
    return _gate.get(_key(conn_or_path))


def refusal_message(state: str, reason: str) -> str:
    if state == FAILED:
        return f"Nothing was written: {reason} Canvass writes nothing more to this store."
    return f"Nothing was written: {reason} Try again when the check has finished."
