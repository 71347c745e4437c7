"""Users and sign-in: argon2id password hashes, the first administrator, roles, deactivation, lockout.

Every change is checked here (not in a dialog) and audited in the same transaction. Passwords never reach
the audit log. Failed sign-ins are audited with the name that was tried, and too many of them in a short
time lock that name out for a few minutes; the lockout is computed from the audit log itself, so it
survives a restart of the app.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.core.permissions import Permission
from app.core.records import Role, UserRecord, to_iso, utc_now
from app.services.session import PermissionDenied, Session, User
from app.store import audit as audit_store
from app.store import users as user_store
from app.store.db import StoreError, transaction

log = logging.getLogger(__name__)

MIN_PASSWORD_LEN = 8
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=5)
ANONYMOUS = "anonymous"

# Module-level so tests can swap in cheap parameters; the stored hash carries its own parameters.
HASHER = PasswordHasher()
# The demo users' password is published ("demo"), so a slow KDF would only slow the demo's first launch.
DEMO_HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)

DEMO_PASSWORD = "demo"
DEMO_USERS: list[tuple[str, Role]] = [
    ("ana", Role.ANALYST),
    ("sam", Role.SUPERVISOR),
    ("sue", Role.SUPERVISOR),
    ("audrey", Role.AUDITOR),
    ("admin", Role.ADMIN),
]
DEMO_ANALYST = "ana"


SIGN_IN_FAILED = ("The user name or the password is wrong, or the account is not active. Check both (passwords are "
                  "case-sensitive), or ask an administrator.")


class AuthError(Exception):
    """A sign-in or user change that cannot be done; the message says why and what to do."""


class SignInError(AuthError):
    pass


class LockedOut(SignInError):
    pass


_dummy: list[str] = []


def _dummy_hash() -> str:
    if not _dummy:
        _dummy.append(HASHER.hash("not a password"))
    return _dummy[0]


def has_users(conn: sqlite3.Connection) -> bool:
    return user_store.count(conn) > 0


def _user(rec: UserRecord) -> User:
    return User(rec.id, rec.name, rec.role)


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise AuthError("Enter a user name.")
    if len(name) > 64 or any(c in name for c in "\n\r\t"):
        raise AuthError("A user name is one line of at most 64 characters.")
    return name


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LEN:
        raise AuthError(f"A password needs at least {MIN_PASSWORD_LEN} characters.")
    if password.strip() != password or not password.strip():
        raise AuthError("A password cannot start or end with spaces.")


def _add(conn: sqlite3.Connection, name: str, role: Role, password_hash: str) -> int:
    try:
        return user_store.add(conn, name, role, password_hash)
    except sqlite3.IntegrityError as exc:
        raise AuthError(f"There is already a user named “{name}”. Choose another name.") from exc


# --- first run and demo ---------------------------------------------------------------------------------------------
def create_first_admin(conn: sqlite3.Connection, name: str, password: str) -> User:
    """The first user of a fresh store, an administrator. Refused once any user exists."""
    name = _check_name(name)
    check_password_rules(password)
    digest = HASHER.hash(password)
    with transaction(conn):
        if has_users(conn):
            raise AuthError("This store already has users: sign in, or ask an administrator for an account.")
        user_id = _add(conn, name, Role.ADMIN, digest)
        audit_store.append(conn, name, "user_created", f"user:{name}", {"role": Role.ADMIN.value, "first_run": True})
    return User(user_id, name, Role.ADMIN)


def ensure_demo_users(conn: sqlite3.Connection) -> None:
    """The demo city's users (password "demo"), created once; existing names are left alone."""
    with transaction(conn):
        for name, role in DEMO_USERS:
            if user_store.get_by_name(conn, name) is None:
                user_store.add(conn, name, role, DEMO_HASHER.hash(DEMO_PASSWORD))
                audit_store.append(conn, "system", "user_created", f"user:{name}", {"role": role.value, "demo": True})


def demo_session(conn: sqlite3.Connection, name: str = DEMO_ANALYST) -> Session:
    """Sign a demo user in without a password (--demo), audited like any sign-in."""
    rec = user_store.get_by_name(conn, name)
    if rec is None or not rec.active:
        raise SignInError(f"The demo user “{name}” does not exist or is inactive.")
    user = _user(rec)
    session = Session(conn, user)
    session.audit("sign_in", f"user:{user.name}", {"method": "demo"})
    return session


# --- signing in -----------------------------------------------------------------------------------------------------
def failures_since_success(conn: sqlite3.Connection, name: str, now: datetime) -> int:
    """Failed sign-ins for this name in the lockout window, after its last successful one."""
    obj = f"user:{name}"
    last_ok = conn.execute("SELECT coalesce(max(seq), 0) FROM audit_log WHERE action IN ('sign_in', 'unlock') AND "
                           "object = ? COLLATE NOCASE", (obj,)).fetchone()[0]
    since = to_iso(now - LOCKOUT)
    # A wrong current password when changing one's own password counts like a failed sign-in.
    return int(conn.execute("SELECT count(*) FROM audit_log WHERE action IN ('sign_in_failed', "
                            "'password_change_failed') AND object = ? COLLATE NOCASE AND seq > ? AND at >= ?",
                            (obj, last_ok, since)).fetchone()[0])


def _fail(conn: sqlite3.Connection, obj_name: str, attempted: str, reason: str, action: str) -> None:
    with transaction(conn):
        audit_store.append(conn, ANONYMOUS, "sign_in_failed", f"user:{obj_name}",
                           {"attempted_name": attempted, "reason": reason, "during": action})


def sign_in(conn: sqlite3.Connection, name: str, password: str, *, now: datetime | None = None,
            action: str = "sign_in") -> User:
    """Check a name and password; audit the outcome. Raises SignInError (LockedOut) with a message for the user.

    action is "sign_in" or "unlock" (the idle lock): both are audited under that name.
    """
    now = now or utc_now()
    attempted = name.strip()
    if not attempted:
        raise SignInError("Enter your user name.")
    rec = user_store.get_by_name(conn, attempted)
    obj_name = rec.name if rec else attempted
    if failures_since_success(conn, obj_name, now) >= MAX_FAILURES:
        _fail(conn, obj_name, attempted, "locked out", action)
        minutes = int(LOCKOUT.total_seconds() // 60)
        raise LockedOut(f"Too many failed sign-ins for “{attempted}”. Wait {minutes} minutes and try again, or ask "
                        "an administrator.")
    # One answer for an unknown name, a wrong password and a deactivated account, and the same hashing time for all
    # three: the message never tells whether the name exists or whether a deactivated account's password was right.
    if rec is None:
        try:
            HASHER.verify(_dummy_hash(), password or "-")
        except VerificationError:
            pass
        _fail(conn, obj_name, attempted, "unknown user", action)
        raise SignInError(SIGN_IN_FAILED)
    try:
        HASHER.verify(rec.password_hash, password)
        right = True
    except (VerificationError, InvalidHashError):
        right = False
    if not rec.active:
        _fail(conn, obj_name, attempted, "deactivated", action)  # the log does not say whether the password was right
        raise SignInError(SIGN_IN_FAILED)
    if not right:
        _fail(conn, obj_name, attempted, "wrong password", action)
        raise SignInError(SIGN_IN_FAILED)
    with transaction(conn):
        if HASHER.check_needs_rehash(rec.password_hash):
            user_store.set_password_hash(conn, rec.id, HASHER.hash(password))
        audit_store.append(conn, rec.name, action, f"user:{rec.name}", {"method": "password"})
    return _user(rec)


def record_lock(session: Session, reason: str = "idle") -> None:
    """The window was locked over a signed-in session (idle, or by hand): audited, the user stays signed in."""
    if session.user is not None:
        session.audit("session_locked", f"user:{session.user.name}", {"reason": reason})


def first_run_session(conn: sqlite3.Connection, user: User) -> Session:
    """The session of the administrator the first-run dialog just created, with its sign-in audited."""
    session = Session(conn, user)
    session.audit("sign_in", f"user:{user.name}", {"method": "first_run"})
    return session


def sign_out(session: Session, reason: str = "user") -> None:
    """Audit the sign-out and forget the user (the window locks until someone signs in)."""
    if session.user is None:
        return
    try:
        session.audit("sign_out", f"user:{session.user.name}", {"reason": reason})
    except StoreError as exc:  # a store closed to writes (damaged, disk full): signing out must still happen
        log.warning("the sign-out of %s could not be recorded: %s", session.user.name, exc)
    session.set_user(None)


# --- managing users (administrators) --------------------------------------------------------------------------------
def list_users(session: Session) -> list[UserRecord]:
    session.require(Permission.MANAGE_USERS)
    return user_store.list_all(session.conn)


def add_user(session: Session, name: str, role: Role, password: str) -> User:
    session.require(Permission.MANAGE_USERS)
    name = _check_name(name)
    check_password_rules(password)
    digest = HASHER.hash(password)
    with session.atomic() as conn:
        user_id = _add(conn, name, Role(role), digest)
        session.audit("user_created", f"user:{name}", {"role": Role(role).value})
    return User(user_id, name, Role(role))


def _target(session: Session, user_id: int) -> UserRecord:
    rec = user_store.get(session.conn, user_id)
    if rec is None:
        raise AuthError(f"There is no user with id {user_id}.")
    return rec


def _keeps_an_admin(session: Session, rec: UserRecord) -> None:
    if rec.role == Role.ADMIN and rec.active and user_store.count(session.conn, active_only=True,
                                                                      role=Role.ADMIN) <= 1:
        raise AuthError(f"“{rec.name}” is the only active administrator. Make another user an administrator first.")


def change_role(session: Session, user_id: int, role: Role) -> None:
    session.require(Permission.MANAGE_USERS)
    role = Role(role)
    with session.atomic() as conn:
        rec = _target(session, user_id)
        if rec.role == role:
            return
        _keeps_an_admin(session, rec)
        user_store.set_role(conn, user_id, role)
        session.audit("user_role_changed", f"user:{rec.name}", {"old": rec.role.value, "new": role.value})
    _refresh_own(session, user_id)


def set_active(session: Session, user_id: int, active: bool) -> None:
    """Deactivate (or reactivate) a user. Users are never deleted: the audit log names them."""
    session.require(Permission.MANAGE_USERS)
    with session.atomic() as conn:
        rec = _target(session, user_id)
        if rec.active == active:
            return
        if not active:
            if session.user is not None and session.user.id == user_id:
                raise AuthError("You cannot deactivate your own account while signed in with it.")
            _keeps_an_admin(session, rec)
        user_store.set_active(conn, user_id, active)
        session.audit("user_activated" if active else "user_deactivated", f"user:{rec.name}", {})


def deactivate(session: Session, user_id: int) -> None:
    set_active(session, user_id, False)


def reset_password(session: Session, user_id: int, new_password: str) -> None:
    session.require(Permission.MANAGE_USERS)
    check_password_rules(new_password)
    digest = HASHER.hash(new_password)
    with session.atomic() as conn:
        rec = _target(session, user_id)
        user_store.set_password_hash(conn, user_id, digest)
        session.audit("user_password_reset", f"user:{rec.name}", {})


def change_own_password(session: Session, old_password: str, new_password: str, *,
                        now: datetime | None = None) -> None:
    """Any signed-in user may change their own password, knowing the current one. Wrong current passwords count
    like failed sign-ins: after MAX_FAILURES the session is signed out and the name locked out for LOCKOUT."""
    if session.user is None or session.user.id is None:
        raise PermissionDenied("nobody", "signed out", Permission.MANAGE_USERS)
    rec = _target(session, session.user.id)
    now = now or utc_now()
    minutes = int(LOCKOUT.total_seconds() // 60)
    if failures_since_success(session.conn, rec.name, now) >= MAX_FAILURES:
        sign_out(session, "too many wrong passwords")
        raise LockedOut(f"Too many wrong passwords for “{rec.name}”: you were signed out. Wait {minutes} minutes and "
                        "sign in again, or ask an administrator.")
    try:
        HASHER.verify(rec.password_hash, old_password)
    except (VerificationError, InvalidHashError):
        session.audit("password_change_failed", f"user:{rec.name}", {"reason": "wrong current password"})
        if failures_since_success(session.conn, rec.name, now) >= MAX_FAILURES:
            sign_out(session, "too many wrong passwords")
            raise LockedOut(f"Too many wrong passwords for “{rec.name}”: you were signed out. Wait {minutes} minutes "
                            "and sign in again, or ask an administrator.") from None
        raise AuthError("The current password is wrong.") from None
    check_password_rules(new_password)
    digest = HASHER.hash(new_password)
    with session.atomic() as conn:
        user_store.set_password_hash(conn, rec.id, digest)
        session.audit("password_changed", f"user:{rec.name}", {})


def _refresh_own(session: Session, user_id: int) -> None:
    """An administrator who changed their own role acts with the new role from now on."""
    if session.user is not None and session.user.id == user_id:
        rec = _target(session, user_id)
        session.set_user(_user(rec))
