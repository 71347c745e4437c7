"""Who may do what, checked in the service layer: every Permission for every role, the two-person rule,
policy overrides and policy limits."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from app.core.permissions import GRANTS, Permission, allowed
from app.core.records import PROTEST_CATEGORY, Role, to_iso, utc_now
from app.services.accountability import audit_service, auth
from app.services.requests import approval, policy_settings
from app.services.session import NotSignedIn, PermissionDenied, Session, User
from app.store import audit as audit_store
from app.store.db import open_store

P, A, S, U, D = Permission, Role.ANALYST, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN

# The role matrix as issue 3 states it, written out independently of GRANTS so a change there is deliberate.
EXPECTED: dict[Role, set[Permission]] = {
    A: {P.VIEW_REGISTRY, P.EDIT_REGISTRY, P.IMPORT_DATA, P.EXPORT_DATA, P.VIEW_OWNER_CONTACT, P.SEARCH_REGISTRY,
        P.CREATE_REQUEST, P.RECORD_RESPONSE, P.VIEW_EVIDENCE, P.VIEW_PUBLIC_LOG, P.MANAGE_AGENCIES, P.MANAGE_PROGRAM,
        P.POST_FEED},
    S: {P.VIEW_REGISTRY, P.EDIT_REGISTRY, P.IMPORT_DATA, P.EXPORT_DATA, P.VIEW_OWNER_CONTACT, P.SEARCH_REGISTRY,
        P.CREATE_REQUEST, P.RECORD_RESPONSE, P.VIEW_EVIDENCE, P.VIEW_PUBLIC_LOG, P.APPROVE_REQUEST,
        P.OVERRIDE_POLICY, P.CHANGE_POLICY, P.LEGAL_HOLD, P.VIEW_AUDIT, P.CHANGE_SETTINGS, P.MANAGE_AGENCIES,
        P.MANAGE_PROGRAM, P.POST_FEED, P.MODERATE_FEED},
    U: {P.VIEW_AUDIT, P.VIEW_PUBLIC_LOG},  # read-only, no personal data
    D: {P.MANAGE_USERS, P.CHANGE_SETTINGS, P.VIEW_AUDIT, P.VIEW_PUBLIC_LOG, P.VIEW_REGISTRY, P.EDIT_REGISTRY,
        P.IMPORT_DATA, P.EXPORT_DATA, P.SEARCH_REGISTRY, P.MANAGE_AGENCIES},
}


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = open_store(tmp_path / "canvass.sqlite3")
    auth.ensure_demo_users(c)
    now = to_iso(utc_now())
    c.execute("INSERT INTO agencies (id, name, kind) VALUES (1, 'Metro PD', 'police')")
    author = c.execute("SELECT id FROM users WHERE name = 'sam'").fetchone()[0]
    c.execute("INSERT INTO footage_requests (id, agency_id, case_number, offense_category, area_kind, area_json, "
              "window_start, window_end, created_by, created_at) VALUES (1, 1, 'C-1', 'burglary', 'circle', '{}', "
              "?, ?, ?, ?)", (now, now, author, now))
    yield c
    c.close()


def session_for(conn: sqlite3.Connection, name: str) -> Session:
    row = conn.execute("SELECT id, name, role FROM users WHERE name = ?", (name,)).fetchone()
    return Session(conn, User(row[0], row[1], Role(row[2])))


ROLE_USER = {A: "ana", S: "sue", U: "audrey", D: "admin"}


def audit_actions(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]


# --- the matrix --------------------------------------------------------------------------------------------------
def test_grants_match_the_issue_matrix() -> None:
    for role, perms in EXPECTED.items():
        assert {p for p in Permission if allowed(role, p)} == perms, role
    assert set(GRANTS) == set(Permission)


@pytest.mark.parametrize("permission", list(Permission))
@pytest.mark.parametrize("role", list(Role))
def test_session_require_and_can_for_every_permission(conn: sqlite3.Connection, role: Role,
                                                      permission: Permission) -> None:
    session = Session(conn, User(None, "someone", role))  # not a stored user: the matrix, not the record
    expected = permission in EXPECTED[role]
    assert session.can(permission) is expected
    if expected:
        assert session.require(permission).role == role
    else:
        with pytest.raises(PermissionDenied, match=permission.value.replace("_", " ")):
            session.require(permission)


@pytest.mark.parametrize("permission", list(Permission))
def test_nobody_signed_in_may_do_anything(conn: sqlite3.Connection, permission: Permission) -> None:
    session = Session(conn, None)
    assert not session.can(permission)
    with pytest.raises(NotSignedIn):
        session.require(permission)


# --- the same rules through the real service functions ------------------------------------------------------------
def _change_limit(s: Session) -> object:
    return policy_settings.set_limit(s, "expiry_days", 5)


def _override(s: Session) -> object:
    return approval.record_override(s, 1, "area_max_sq_mi", "Hit-and-run along a 1 mile corridor.")


def _approve(s: Session) -> object:
    return approval.check_request_approver(s, 1)


def _manage_users(s: Session) -> object:
    return auth.add_user(s, "newcomer", Role.ANALYST, "newcomer-pass")


def _read_audit(s: Session) -> object:
    return audit_service.read_page(s, audit_store.AuditFilter())


def _verify_audit(s: Session) -> object:
    return audit_service.verify_log(s)


SERVICE_CALLS = [
    (P.CHANGE_POLICY, _change_limit, "policy_limit_changed"),
    (P.OVERRIDE_POLICY, _override, "policy_override"),
    (P.APPROVE_REQUEST, _approve, None),
    (P.MANAGE_USERS, _manage_users, "user_created"),
    (P.VIEW_AUDIT, _read_audit, None),
    (P.VIEW_AUDIT, _verify_audit, "audit_verified"),
]


@pytest.mark.parametrize(("permission", "call", "audited"), SERVICE_CALLS,
                         ids=[c[1].__name__.strip("_") for c in SERVICE_CALLS])
@pytest.mark.parametrize("role", list(Role))
def test_service_functions_check_the_role(conn: sqlite3.Connection, role: Role, permission: Permission,
                                          call, audited: str | None) -> None:  # noqa: ANN001
    session = session_for(conn, ROLE_USER[role])
    before = audit_actions(conn)
    if permission in EXPECTED[role]:
        call(session)
        if audited:
            assert audit_actions(conn)[len(before):][-1] == audited
    else:
        with pytest.raises(PermissionDenied):
            call(session)
        assert audit_actions(conn) == before  # a refused act leaves no trace of having happened
        assert policy_settings.get_limit(conn, "expiry_days") == 7


# --- two-person rule -------------------------------------------------------------------------------------------------
def test_author_cannot_approve_own_request(conn: sqlite3.Connection) -> None:
    with pytest.raises(approval.TwoPersonRuleError, match="cannot approve it"):
        approval.check_request_approver(session_for(conn, "sam"), 1)
    assert approval.check_request_approver(session_for(conn, "sue"), 1).name == "sue"


def test_non_supervisor_cannot_approve(conn: sqlite3.Connection) -> None:
    for name in ("ana", "audrey", "admin"):
        with pytest.raises(PermissionDenied, match="approve request"):
            approval.check_approver(session_for(conn, name), author_user_id=999)


def test_approver_identity_must_be_known(conn: sqlite3.Connection) -> None:
    with pytest.raises(approval.TwoPersonRuleError, match="no recorded author"):
        approval.check_approver(session_for(conn, "sue"), None)
    with pytest.raises(approval.TwoPersonRuleError, match="no user account"):
        approval.check_approver(Session(conn, User(None, "local", Role.SUPERVISOR)), 5)
    with pytest.raises(LookupError):
        approval.check_request_approver(session_for(conn, "sue"), 404)


# --- overrides ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reason", ["", "   ", "because"])
def test_override_needs_a_written_reason(conn: sqlite3.Connection, reason: str) -> None:
    with pytest.raises(approval.OverrideReasonError, match="Write why"):
        approval.record_override(session_for(conn, "sue"), 1, "area_max_sq_mi", reason)
    assert conn.execute("SELECT count(*) FROM policy_overrides").fetchone()[0] == 0


def test_override_is_recorded_and_audited_with_its_reason(conn: sqlite3.Connection) -> None:
    sue = session_for(conn, "sue")
    override_id = approval.record_override(sue, 1, "window_max_h", "  Suspect seen over 14 hours,\n see report. ")
    row = conn.execute("SELECT rule, reason, supervisor_id FROM policy_overrides WHERE id = ?",
                       (override_id,)).fetchone()
    assert row == ("window_max_h", "Suspect seen over 14 hours, see report.", sue.user.id)
    actor, obj, details = conn.execute("SELECT actor, object, details FROM audit_log WHERE action = "
                                       "'policy_override'").fetchone()
    assert (actor, obj) == ("sue", "request:1")
    assert json.loads(details)["reason"] == row[1]


# --- policy limits -------------------------------------------------------------------------------------------------
def test_limits_have_the_design_defaults(conn: sqlite3.Connection) -> None:
    assert policy_settings.get_limits(conn) == {
        "area_min_sq_mi": 0.025, "area_max_sq_mi": 0.5, "window_min_min": 15, "window_max_h": 12,
        "max_requests_per_incident": 2, "expiry_days": 7, "purge_days": 90,
        "forbidden_categories": [PROTEST_CATEGORY]}


def test_limit_change_is_audited_with_old_and_new(conn: sqlite3.Connection) -> None:
    sue = session_for(conn, "sue")
    policy_settings.set_limit(sue, "area_max_sq_mi", 0.75)
    policy_settings.set_limit(sue, "area_max_sq_mi", 0.75)  # no change, no entry
    assert policy_settings.get_limits(conn)["area_max_sq_mi"] == 0.75
    rows = conn.execute("SELECT actor, details FROM audit_log WHERE action = 'policy_limit_changed'").fetchall()
    assert [(a, json.loads(d)) for a, d in rows] == [("sue", {"key": "area_max_sq_mi", "old": 0.5, "new": 0.75})]
    assert conn.execute("SELECT changed_by FROM settings WHERE key = 'limits/area_max_sq_mi'").fetchone() == ("sue",)
    policy_settings.reset_limit(sue, "area_max_sq_mi")
    assert policy_settings.get_limit(conn, "area_max_sq_mi") == 0.5


@pytest.mark.parametrize(("key", "value", "message"), [
    ("expiry_days", 0, "greater than zero"),
    ("expiry_days", 2.5, "whole number"),
    ("expiry_days", "7", "a number"),
    ("area_min_sq_mi", 0.6, "cannot exceed"),
    ("window_min_min", 13 * 60, "cannot exceed"),
    ("forbidden_categories", ["burglary"], "must stay forbidden"),
    ("no_such_limit", 1, "Unknown limit"),
])
def test_bad_limit_values_are_refused(conn: sqlite3.Connection, key: str, value: object, message: str) -> None:
    with pytest.raises(policy_settings.LimitError, match=message):
        policy_settings.set_limit(session_for(conn, "sue"), key, value)
    assert "policy_limit_changed" not in audit_actions(conn)


def test_forbidden_categories_can_grow(conn: sqlite3.Connection) -> None:
    policy_settings.set_limit(session_for(conn, "sam"), "forbidden_categories", [PROTEST_CATEGORY, "immigration"])
    assert policy_settings.get_limit(conn, "forbidden_categories") == [PROTEST_CATEGORY, "immigration"]


# --- no personal data for auditors -----------------------------------------------------------------------------------
def test_auditors_see_the_log_without_personal_data(conn: sqlite3.Connection, tmp_path: Path) -> None:
    session_for(conn, "ana").audit("owner_contact_viewed", "owner:7",
                                   {"owner_id": 7, "email": "jo@example.org", "nested": {"phone": "555-0100"}})
    top = audit_service.read_page(session_for(conn, "audrey"), audit_store.AuditFilter(action="owner_contact_viewed"))
    assert len(top) == 1 and top[0].masked
    assert "jo@example.org" not in top[0].details and "555-0100" not in top[0].details
    assert json.loads(top[0].details)["owner_id"] == 7
    sup = audit_service.read_page(session_for(conn, "sue"), audit_store.AuditFilter(action="owner_contact_viewed"))
    assert "jo@example.org" in sup[0].details and not sup[0].masked
    out = tmp_path / "audit.csv"
    audit_service.export_log(session_for(conn, "audrey"), audit_store.AuditFilter(), out)
    assert "jo@example.org" not in out.read_text(encoding="utf-8")
