"""Users and sign-in: hashes, first admin, audited (failed) sign-ins, lockout, role changes, deactivation."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from app.core.records import Role, utc_now
from app.services.accountability import auth
from app.services.session import PermissionDenied, Session
from app.store import users as user_store
from app.store.db import open_store

PASSWORD = "correct horse"


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: the tests check behaviour, not the KDF's cost."""
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(auth, "_dummy", [])


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = open_store(tmp_path / "canvass.sqlite3")
    yield c
    c.close()


@pytest.fixture
def admin(conn: sqlite3.Connection) -> Session:
    return Session(conn, auth.create_first_admin(conn, "root", PASSWORD))


def audit_rows(conn: sqlite3.Connection, action: str | None = None) -> list[tuple[str, str, str, dict]]:
    sql = "SELECT actor, action, object, details FROM audit_log"
    rows = conn.execute(sql + (" WHERE action = ?" if action else "") + " ORDER BY seq",
                        (action,) if action else ()).fetchall()
    return [(a, b, c, json.loads(d)) for a, b, c, d in rows]


def test_first_admin_is_created_once_with_an_argon2_hash(conn: sqlite3.Connection) -> None:
    assert not auth.has_users(conn)
    user = auth.create_first_admin(conn, "  root ", PASSWORD)
    assert user.role == Role.ADMIN and user.name == "root"
    rec = user_store.get_by_name(conn, "ROOT")
    assert rec is not None and rec.password_hash.startswith("$argon2id$")
    assert PASSWORD not in rec.password_hash
    with pytest.raises(auth.AuthError, match="already has users"):
        auth.create_first_admin(conn, "second", PASSWORD)
    assert audit_rows(conn, "user_created")[0][3] == {"first_run": True, "role": "admin"}


def test_password_rules(conn: sqlite3.Connection) -> None:
    with pytest.raises(auth.AuthError, match="at least 8"):
        auth.create_first_admin(conn, "root", "short")
    with pytest.raises(auth.AuthError, match="user name"):
        auth.create_first_admin(conn, "  ", PASSWORD)
    assert not auth.has_users(conn)


def test_sign_in_succeeds_and_is_audited(conn: sqlite3.Connection, admin: Session) -> None:
    user = auth.sign_in(conn, "Root", PASSWORD)
    assert user == admin.user
    assert audit_rows(conn, "sign_in")[-1][:3] == ("root", "sign_in", "user:root")


def test_failed_sign_ins_are_audited_with_the_attempted_name(conn: sqlite3.Connection, admin: Session) -> None:
    with pytest.raises(auth.SignInError, match="the password is wrong"):
        auth.sign_in(conn, "root", "not the password")
    with pytest.raises(auth.SignInError, match="the password is wrong"):
        auth.sign_in(conn, "mallory", PASSWORD)
    failed = audit_rows(conn, "sign_in_failed")
    assert [(f[2], f[3]["attempted_name"], f[3]["reason"]) for f in failed] == [
        ("user:root", "root", "wrong password"), ("user:mallory", "mallory", "unknown user")]
    assert all(f[0] == auth.ANONYMOUS for f in failed)
    assert not any("not the password" in json.dumps(r) for r in audit_rows(conn))


def test_repeated_failures_lock_the_name_out_for_a_while(conn: sqlite3.Connection, admin: Session) -> None:
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.SignInError):
            auth.sign_in(conn, "root", "wrong-wrong")
    with pytest.raises(auth.LockedOut):
        auth.sign_in(conn, "root", PASSWORD)  # even the right password waits
    assert audit_rows(conn, "sign_in_failed")[-1][3]["reason"] == "locked out"
    later = utc_now() + auth.LOCKOUT + timedelta(seconds=5)
    assert auth.sign_in(conn, "root", PASSWORD, now=later).name == "root"


def test_a_success_resets_the_failure_count(conn: sqlite3.Connection, admin: Session) -> None:
    for _ in range(auth.MAX_FAILURES - 1):
        with pytest.raises(auth.SignInError):
            auth.sign_in(conn, "root", "wrong-wrong")
    auth.sign_in(conn, "root", PASSWORD)
    with pytest.raises(auth.SignInError, match="the password is wrong"):
        auth.sign_in(conn, "root", "wrong-wrong")  # not locked: the count restarted


def test_add_user_change_role_and_audit_old_new(conn: sqlite3.Connection, admin: Session) -> None:
    ana = auth.add_user(admin, "ana", Role.ANALYST, "analyst-pass")
    with pytest.raises(auth.AuthError, match="already a user"):
        auth.add_user(admin, "ANA", Role.ANALYST, "analyst-pass")
    auth.change_role(admin, ana.id, Role.SUPERVISOR)
    assert user_store.get(conn, ana.id).role == Role.SUPERVISOR
    assert audit_rows(conn, "user_role_changed")[-1][2:] == ("user:ana", {"old": "analyst", "new": "supervisor"})


def test_the_last_admin_is_kept(conn: sqlite3.Connection, admin: Session) -> None:
    with pytest.raises(auth.AuthError, match="only active administrator"):
        auth.change_role(admin, admin.user.id, Role.ANALYST)
    other = auth.add_user(admin, "root2", Role.ADMIN, "another-pass")
    auth.change_role(admin, admin.user.id, Role.AUDITOR)
    assert admin.user.role == Role.AUDITOR  # acts with the new role from now on
    with pytest.raises(PermissionDenied):
        auth.change_role(admin, other.id, Role.ANALYST)


def test_deactivated_users_cannot_sign_in(conn: sqlite3.Connection, admin: Session) -> None:
    ana = auth.add_user(admin, "ana", Role.ANALYST, "analyst-pass")
    auth.deactivate(admin, ana.id)
    with pytest.raises(auth.SignInError, match="or the account is not active"):
        auth.sign_in(conn, "ana", "analyst-pass")
    with pytest.raises(auth.AuthError, match="your own account"):
        auth.deactivate(admin, admin.user.id)
    auth.set_active(admin, ana.id, True)
    assert auth.sign_in(conn, "ana", "analyst-pass").name == "ana"
    assert [r[1] for r in audit_rows(conn) if r[2] == "user:ana"][1:3] == ["user_deactivated", "sign_in_failed"]


def test_reset_and_change_password(conn: sqlite3.Connection, admin: Session) -> None:
    ana = auth.add_user(admin, "ana", Role.ANALYST, "analyst-pass")
    auth.reset_password(admin, ana.id, "fresh-password")
    session = Session(conn, auth.sign_in(conn, "ana", "fresh-password"))
    with pytest.raises(auth.AuthError, match="current password is wrong"):
        auth.change_own_password(session, "nope-nope", "newer-password")
    auth.change_own_password(session, "fresh-password", "newer-password")
    assert auth.sign_in(conn, "ana", "newer-password").name == "ana"
    assert {"user_password_reset", "password_changed", "password_change_failed"} <= {r[1] for r in audit_rows(conn)}


def test_outdated_hash_parameters_are_upgraded_on_sign_in(conn: sqlite3.Connection) -> None:
    auth.ensure_demo_users(conn)
    before = user_store.get_by_name(conn, "sam").password_hash
    auth.sign_in(conn, "sam", auth.DEMO_PASSWORD)
    after = user_store.get_by_name(conn, "sam").password_hash
    assert before != after and auth.HASHER.verify(after, auth.DEMO_PASSWORD)


def test_demo_users_and_demo_session(conn: sqlite3.Connection) -> None:
    auth.ensure_demo_users(conn)
    auth.ensure_demo_users(conn)  # idempotent
    names = {u.name: u.role for u in user_store.list_all(conn)}
    assert names == {"ana": Role.ANALYST, "sam": Role.SUPERVISOR, "sue": Role.SUPERVISOR,
                     "audrey": Role.AUDITOR, "admin": Role.ADMIN}
    session = auth.demo_session(conn)
    assert session.user.name == "ana" and session.user.id is not None
    assert audit_rows(conn, "sign_in")[-1][3] == {"method": "demo"}
    for name in names:
        assert auth.sign_in(conn, name, "demo").name == name


def test_sign_out_is_audited_and_forgets_the_user(conn: sqlite3.Connection, admin: Session) -> None:
    seen = []
    admin.on_user_changed(seen.append)
    auth.sign_out(admin)
    assert admin.user is None and seen == [None]
    assert audit_rows(conn, "sign_out")[-1][:3] == ("root", "sign_out", "user:root")
