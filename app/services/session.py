"""The service-layer context every sensitive act goes through: who is acting, may they, and the audit entry."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from app.core.permissions import Permission, allowed
from app.core.records import Role
from app.store import audit as audit_store
from app.store.db import transaction


class PermissionDenied(Exception):
    def __init__(self, user: str, role: str, permission: Permission) -> None:
        super().__init__(f"{user} ({role}) may not {permission.value.replace('_', ' ')}")
        self.permission = permission


class NotSignedIn(PermissionDenied):
    pass


@dataclass(frozen=True)
class User:
    id: int | None
    name: str
    role: Role


SYSTEM = User(None, "system", Role.ADMIN)


class Session:
    """One signed-in user over one store connection."""

    def __init__(self, conn: sqlite3.Connection, user: User | None = None) -> None:
        self.conn = conn
        self.user = user
        self._listeners: list[Callable[[User | None], None]] = []

    def set_user(self, user: User | None) -> None:
        """Switch the signed-in user (sign out: None) and tell whoever asked (views refresh what they show)."""
        self.user = user
        for listener in list(self._listeners):
            listener(user)

    def on_user_changed(self, listener: Callable[[User | None], None]) -> None:
        self._listeners.append(listener)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """A transaction, or the caller's open one: an act and its audit entry land together or not at all."""
        if self.conn.in_transaction:
            yield self.conn
        else:
            with transaction(self.conn):
                yield self.conn

    @property
    def actor(self) -> str:
        return self.user.name if self.user else "anonymous"

    def can(self, permission: Permission) -> bool:
        return self.user is not None and allowed(self.user.role, permission)

    def require(self, permission: Permission) -> User:
        if self.user is None:
            raise NotSignedIn("nobody", "signed out", permission)
        if not allowed(self.user.role, permission):
            raise PermissionDenied(self.user.name, self.user.role.value, permission)
        return self.user

    def audit(self, action: str, obj: str = "", details: dict[str, Any] | None = None) -> int:
        """Append an audit entry. Inside an open transaction it joins it; otherwise it commits on its own."""
        with self.atomic() as conn:
            return audit_store.append(conn, self.actor, action, obj, details)
