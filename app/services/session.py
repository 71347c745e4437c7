"""The service-layer context every sensitive act goes through: who is acting, may they, and the audit entry."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.permissions import Permission, allowed
from app.core.records import Role
from app.store import audit as audit_store
from app.store.db import StoreError, connect, transaction


class PermissionDenied(Exception):
    def __init__(self, user: str, role: str, permission: Permission) -> None:
        super().__init__(f"{user} ({role}) may not {permission.value.replace('_', ' ')}")
        self.permission = permission


class NotSignedIn(PermissionDenied):
    pass


class AccountDeactivated(NotSignedIn):
    def __init__(self, user: str, permission: Permission) -> None:
        Exception.__init__(self, f"The account “{user}” was deactivated by an administrator, so this session has "
                                 "ended. Nothing was done.")
        self.permission = permission


@dataclass(frozen=True)
class User:
    id: int | None
    name: str
    role: Role


SYSTEM = User(None, "system", Role.ADMIN)


def user_text(user: User | None) -> str:
    """How the status bar and the lock screen name the signed-in user: "ana (analyst)"."""
    return f"{user.name} ({user.role.value})" if user else "signed out"


class Session:
    """One signed-in user over one store connection."""

    def __init__(self, conn: sqlite3.Connection, user: User | None = None) -> None:
        self.conn = conn
        self.user = user
        self._listeners: list[Callable[[User | None], None]] = []
        self._thread = threading.get_ident()  # the connection's thread: the user record is re-read only there
        self.ended_reason = ""  # why the store ended this session (deactivated), for the sign-in screen
        self._issued: set[str] = set()  # fingerprints of records a service handed out (rows deleted, for undo)

    def refresh(self) -> User | None:
        """Follow the user record: a role changed by an administrator applies from this act on, a deactivated
        account ends the session here (signed out, audited). Sessions of users not in the store (the system, a User
        built by hand) are left as they are."""
        user = self.user
        if user is None or user.id is None or threading.get_ident() != self._thread:
            return user
        from app.store import users as user_store

        rec = user_store.get(self.conn, user.id)
        if rec is None:  # users are never deleted: an id the store does not know is not one of its users
            return user
        if not rec.active:
            self.ended_reason = f"The account “{user.name}” was deactivated by an administrator."
            if not self.conn.in_transaction:
                try:
                    self.audit("sign_out", f"user:{user.name}", {"reason": "account deactivated"})
                except (StoreError, sqlite3.Error):
                    pass  # a store closed to writes: the deactivation itself is in the log
            self.set_user(None)
            return None
        if rec.role != user.role or rec.name != user.name:
            self.set_user(User(rec.id, rec.name, rec.role))
        return self.user

    def set_user(self, user: User | None) -> None:
        """Switch the signed-in user (sign out: None) and tell whoever asked (views refresh what they show)."""
        self.user = user
        for listener in list(self._listeners):
            listener(user)

    def on_user_changed(self, listener: Callable[[User | None], None]) -> Callable[[], None]:
        """Call listener(user) after every change; returns the function that removes it again (a window that is
        destroyed calls it, so the session never calls into a deleted widget)."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

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
        user = self.refresh()
        return user is not None and allowed(user.role, permission)

    def require(self, permission: Permission) -> User:
        """The signed-in user, if they may; checked against the user record as it is now, at every act."""
        was = self.user
        user = self.refresh()
        if user is None:
            if was is not None:
                raise AccountDeactivated(was.name, permission)
            raise NotSignedIn("nobody", "signed out", permission)
        if not allowed(user.role, permission):
            raise PermissionDenied(user.name, user.role.value, permission)
        return user

    def remember(self, kind: str, record: Any) -> None:
        """Note a record a service handed to its caller (the row it deleted, for undo): only a record noted here, with
        every value unaltered, is taken back (issued)."""
        self._issued.add(_fingerprint(kind, record))

    def issued(self, kind: str, record: Any) -> bool:
        """Whether `record` is exactly one a service of this session handed out under `kind` (see remember)."""
        return _fingerprint(kind, record) in self._issued

    def audit(self, action: str, obj: str = "", details: dict[str, Any] | None = None) -> int:
        """Append an audit entry. Inside an open transaction it joins it; otherwise it commits on its own."""
        with self.atomic() as conn:
            return audit_store.append(conn, self.actor, action, obj, details)


def _fingerprint(kind: str, record: Any) -> str:
    payload = json.dumps([kind, record], sort_keys=True, default=repr)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def worker_session(db_path: Path, user: User | None) -> Iterator[Session]:
    """The signed-in user on a connection of the worker's own: a job on the writer pool reads, writes and audits
    there (a sqlite3 connection belongs to the thread that made it)."""
    conn = connect(db_path)
    try:
        yield Session(conn, user)
    finally:
        conn.close()
