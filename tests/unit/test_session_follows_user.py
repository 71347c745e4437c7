"""Sessions follow the user record, and sign-in says nothing it should not (issue 9, point 16)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from app.core.permissions import Permission
from app.core.records import Role
from app.services.accountability import auth
from app.services.session import NotSignedIn, PermissionDenied, Session
from app.store.db import open_store


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = open_store(tmp_path / "canvass.sqlite3")
    yield c
    c.close()


@pytest.fixture
def admin(conn: sqlite3.Connection) -> Session:
    return Session(conn, auth.create_first_admin(conn, "root", "admin-password"))


def actions(conn: sqlite3.Connection, obj: str) -> list[tuple[str, str]]:
    return conn.execute("SELECT actor, action FROM audit_log WHERE object = ? ORDER BY seq", (obj,)).fetchall()


def test_demotion_takes_effect_at_the_next_act(conn: sqlite3.Connection, admin: Session) -> None:
    sue = auth.add_user(admin, "sue", Role.SUPERVISOR, "supervisor-pass")
    live = Session(conn, auth.sign_in(conn, "sue", "supervisor-pass"))  # her window, signed in
    assert live.require(Permission.APPROVE_REQUEST).role == Role.SUPERVISOR
    auth.change_role(admin, sue.id, Role.ANALYST)  # in the administrator's window
    with pytest.raises(PermissionDenied, match="sue \\(analyst\\) may not approve request"):
        live.require(Permission.APPROVE_REQUEST)
    assert live.user.role == Role.ANALYST and not live.can(Permission.VIEW_AUDIT)


def test_deactivation_ends_a_live_session_at_its_next_act(conn: sqlite3.Connection, admin: Session) -> None:
    ana = auth.add_user(admin, "ana", Role.ANALYST, "analyst-pass")
    live = Session(conn, auth.sign_in(conn, "ana", "analyst-pass"))
    seen: list[object] = []
    live.on_user_changed(seen.append)
    auth.deactivate(admin, ana.id)
    with pytest.raises(NotSignedIn, match="“ana” was deactivated"):
        live.require(Permission.VIEW_REGISTRY)
    assert live.user is None and seen == [None]  # the window locks
    assert actions(conn, "user:ana")[-1] == ("ana", "sign_out")
    with pytest.raises(NotSignedIn):
        live.require(Permission.VIEW_REGISTRY)


def test_change_own_password_counts_failures_and_locks_like_sign_in(conn: sqlite3.Connection,
                                                                    admin: Session) -> None:
    auth.add_user(admin, "ana", Role.ANALYST, "analyst-pass")
    live = Session(conn, auth.sign_in(conn, "ana", "analyst-pass"))
    for _ in range(auth.MAX_FAILURES - 1):
        with pytest.raises(auth.AuthError, match="current password is wrong"):
            auth.change_own_password(live, "guess-guess", "new-password-1")
    with pytest.raises(auth.LockedOut, match="you were signed out"):
        auth.change_own_password(live, "guess-guess", "new-password-1")
    assert live.user is None
    with pytest.raises(auth.LockedOut):  # the right password does not help now
        auth.sign_in(conn, "ana", "analyst-pass")


def test_sign_in_says_the_same_for_unknown_names_wrong_and_deactivated(conn: sqlite3.Connection,
                                                                        admin: Session) -> None:
    ana = auth.add_user(admin, "ana", Role.ANALYST, "analyst-pass")
    messages = []
    for name, password in (("nobody", "whatever-1"), ("ana", "wrong-pass-1")):
        with pytest.raises(auth.SignInError) as caught:
            auth.sign_in(conn, name, password)
        messages.append(str(caught.value))
    auth.deactivate(admin, ana.id)
    for password in ("analyst-pass", "wrong-pass-1"):  # right or wrong: the answer does not tell
        with pytest.raises(auth.SignInError) as caught:
            auth.sign_in(conn, "ana", password)
        messages.append(str(caught.value))
    assert len(set(messages)) == 1 and "nobody" not in messages[0]
    reasons = [r[0] for r in conn.execute("SELECT json_extract(details, '$.reason') FROM audit_log WHERE action = "
                                          "'sign_in_failed' ORDER BY seq")]
    assert reasons == ["unknown user", "wrong password", "deactivated", "deactivated"]
