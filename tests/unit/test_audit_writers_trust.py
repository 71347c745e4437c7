"""Every service that writes an audit entry for an act checks the acting user at that act (issue 9, point 15): an entry
saying an auditor verified the log, a custody report or a coverage analysis was made, cannot be written by a role that
may not do it, nor by a session whose account was deactivated meanwhile. Over a real store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.core.agencies import Agency
from app.core.records import Role
from app.services.accountability import audit_service
from app.services.evidence import custody, retention
from app.services.program import agencies
from app.services.session import PermissionDenied, Session, User
from app.store import audit as audit_store
from app.store.db import open_store


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = open_store(tmp_path / "s.sqlite3")
    yield c
    c.close()


def as_(conn: sqlite3.Connection, role: str) -> Session:
    return Session(conn, User(None, role, Role(role)))


def actions(conn: sqlite3.Connection) -> list[str]:
    return [a for (a,) in conn.execute("SELECT action FROM audit_log ORDER BY seq")]


def test_audit_entries_of_acts_check_the_actor(conn: sqlite3.Connection) -> None:
    analyst, auditor = as_(conn, "analyst"), as_(conn, "auditor")
    result = audit_store.verify(conn)
    with pytest.raises(PermissionDenied):
        audit_service.record_verification(analyst, result)  # analysts do not read the audit log
    with pytest.raises(PermissionDenied):
        audit_service.record_store_check(analyst, audit_store.StoreCheck(result, (), (), None))
    with pytest.raises(PermissionDenied):
        custody.record_report(auditor, Path("report.csv"), "csv", [], None, 1)  # auditors do not see evidence
    signed_out = Session(conn, None)
    from app.services.insights import service as insights

    with pytest.raises(PermissionDenied):
        insights.record_report_export(signed_out, None, [])  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        insights.record_coverage(auditor, None, None)  # type: ignore[arg-type]
    assert actions(conn) == []
    audit_service.record_verification(auditor, result)
    assert actions(conn) == ["audit_verified"]


def test_deleting_a_milestone_or_withdrawing_consent_names_what_exists(conn: sqlite3.Connection) -> None:
    s = as_(conn, "supervisor")
    agencies.add_agency(s, Agency(None, "Metro PD", partnered_on="2024-01-05"))
    mid = agencies.add_milestone(s, "2024-06-01", "Second precinct joins")
    with pytest.raises(agencies.AgencyError, match="no milestone 99"):
        agencies.delete_milestone(s, 99)
    with pytest.raises(retention.RetentionError, match="no evidence item 99"):
        retention.withdraw_consent(as_(conn, "analyst"), 99)
    agencies.delete_milestone(s, mid)
    (details,) = conn.execute("SELECT details FROM audit_log WHERE action = 'milestone_deleted'").fetchone()
    assert json.loads(details) == {"on": "2024-06-01", "label": "Second precinct joins"}
