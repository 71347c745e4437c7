"""Import and export as acts of a signed-in user: the permission check and the audit entry. No Qt.

The heavy work runs in a worker with its own connection; these functions are what it calls, so the permission is
checked in the service layer and not only by an enabled menu item.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.core.permissions import Permission
from app.io.camera_import import ImportResult, write_import
from app.io.export import export_cameras
from app.io.pipeline_types import Validation
from app.services.session import Session
from app.store import audit as audit_store
from app.store.db import transaction


def import_actor(session: Session) -> str:
    """Who the import will be recorded as; raises PermissionDenied unless they may import."""
    session.require(Permission.IMPORT_DATA)
    return session.actor


def export_actor(session: Session) -> str:
    session.require(Permission.EXPORT_DATA)
    return session.actor


@dataclass(frozen=True)
class ExportGrant:
    """What a registry export may hold, decided from the session (not by the caller): who it is recorded as, and
    whether free-text labels go out (only for roles that may see owners' contacts; a label can name a person)."""

    actor: str
    labels: bool


def export_grant(session: Session) -> ExportGrant:
    session.require(Permission.EXPORT_DATA)
    return ExportGrant(session.actor, session.can(Permission.VIEW_OWNER_CONTACT))


def import_cameras(conn: sqlite3.Connection, validation: Validation, actor: str,
                   progress: Callable[[int, int], None] | None = None,
                   check: Callable[[], None] | None = None) -> ImportResult:
    """Write the valid rows (worker side, its own connection); the audit entry lands in the same transaction."""
    return write_import(conn, validation, actor, progress=progress, check=check)


def export_registry(conn: sqlite3.Connection, path: Path, fmt: str, ids: Sequence[int] | None,
                    progress: Callable[[int, int], None] | None = None,
                    check: Callable[[], None] | None = None, grant: ExportGrant | None = None) -> int:
    """Write the export; without a grant (scripts) no free-text labels go out."""
    return export_cameras(conn, path, fmt, ids, progress, check, labels=grant.labels if grant else False)


def record_export(conn: sqlite3.Connection, actor: str, path: Path, fmt: str, count: int, selection: bool,
                  labels: bool | None = None) -> None:
    """The audit entry for a written export (no contact details were in it; the entry says what left). Recorded
    by the worker that wrote the file, as the user who started it (from export_actor)."""
    with transaction(conn):
        audit_store.append(conn, actor, "export", f"file:{path.name}",
                           {"format": fmt, "cameras": count, "selection": selection, "path": str(path),
                            **({} if labels is None else {"labels": labels})})
