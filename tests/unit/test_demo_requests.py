"""The demo city's footage requests: made through the request services by the demo users, once, on the demo's clock."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest

from app.core import policy
from app.core.records import RecipientState, RequestState, from_iso, utc_now
from app.services.accountability import auth
from app.services.requests import public_log as public_log_svc
from app.services.requests import workflow as svc
from app.services.requests.demo import ensure_demo_requests
from app.store import audit
from app.store import requests as store
from app.store import users as user_store
from app.store.db import open_store
from app.store.demo import ensure_demo_city

S = RequestState
TODAY = date(2026, 6, 1)
MIDNIGHT = datetime.combine(TODAY, time(0, 0), tzinfo=timezone.utc)
EXPECTED = {"resolved_arrest": S.RESOLVED, "resolved_no_result": S.RESOLVED, "expired": S.EXPIRED,
            "withdrawn": S.WITHDRAWN, "sent": S.SENT, "awaiting_approval": S.AWAITING_APPROVAL, "draft": S.DRAFT}


def _city(path: Path, today: date) -> None:
    conn = open_store(path)
    ensure_demo_city(conn, today=today)
    auth.ensure_demo_users(conn)
    conn.close()


@pytest.fixture(scope="module")
def city_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Harbor Falls and its users, generated once per module (0.4 s); each test works on a copy."""
    path = tmp_path_factory.mktemp("demo") / "city.sqlite3"
    _city(path, TODAY)
    return path


@pytest.fixture
def conn(city_file: Path, tmp_path: Path) -> Iterator[sqlite3.Connection]:
    path = tmp_path / "canvass.sqlite3"
    shutil.copy(city_file, path)
    c = open_store(path)
    yield c
    c.close()


def made(conn: sqlite3.Connection) -> dict[str, int]:
    row = conn.execute("SELECT details FROM audit_log WHERE action = 'demo_requests_created'").fetchone()
    return json.loads(row[0])["requests"]


def user_id(conn: sqlite3.Connection, name: str) -> int:
    rec = user_store.get_by_name(conn, name)
    assert rec is not None
    return rec.id


def test_requests_in_their_intended_states(conn: sqlite3.Connection) -> None:
    assert ensure_demo_requests(conn) == 7
    ids = made(conn)
    assert {key: store.get_request(conn, rid).state for key, rid in ids.items()} == EXPECTED
    ana, sam = user_id(conn, "ana"), user_id(conn, "sam")
    for key, rid in ids.items():
        rec = store.get_request(conn, rid)
        assert rec.created_by == ana, key
        assert policy.check_case_number(policy.RequestDraft(rec.case_number), r"^HF-\d{4}-\d{5}$").ok, key
        incident = conn.execute("SELECT case_number, source, agency_id FROM incidents WHERE id = ?",
                                (rec.incident_id,)).fetchone()
        assert incident == (rec.case_number, "agency_report", rec.agency_id)
        assert from_iso(rec.window_end) <= MIDNIGHT and from_iso(rec.created_at) <= MIDNIGHT
        if key != "draft":
            assert 0.025 <= rec.fence.area_sq_mi() <= 0.5, key
        if rec.state in (S.SENT, S.RESOLVED, S.EXPIRED, S.WITHDRAWN):
            assert rec.approved_by == sam != rec.created_by
            assert rec.public_no is not None
    assert len({store.get_request(conn, rid).incident_id for rid in ids.values()}) == 7
    assert store.get_request(conn, ids["awaiting_approval"]).approved_by is None
    # The sent request has not run out by the demo's today; the expired one ran out at its own expiry date.
    assert from_iso(store.get_request(conn, ids["sent"]).expires_at) > MIDNIGHT
    assert svc.expire_due(conn, MIDNIGHT) == []


def test_transitions_name_who_did_what_and_when(conn: sqlite3.Connection) -> None:
    ensure_demo_requests(conn)
    ids = made(conn)
    flows = {key: [(t.from_state, t.to_state, t.actor) for t in store.transitions(conn, rid)]
             for key, rid in ids.items()}
    sent_flow = [(None, "draft", "ana"), ("draft", "awaiting_approval", "ana"),
                 ("awaiting_approval", "awaiting_approval", "sam"), ("awaiting_approval", "sent", "ana")]
    assert flows["resolved_arrest"] == sent_flow + [("sent", "resolved", "ana")]
    assert flows["resolved_no_result"] == sent_flow + [("sent", "resolved", "ana")]
    assert flows["expired"] == sent_flow + [("sent", "expired", "system")]
    assert flows["withdrawn"] == sent_flow + [("sent", "withdrawn", "ana")]
    assert flows["sent"] == sent_flow
    assert flows["awaiting_approval"] == sent_flow[:2]
    assert flows["draft"] == sent_flow[:1]
    for key, rid in ids.items():
        times = [t.at for t in store.transitions(conn, rid)]
        assert times == sorted(times) and times[-1] <= "2026-06-01T00:00:00Z", key
    expired = store.get_request(conn, ids["expired"])
    assert store.transitions(conn, expired.id)[-1].at == expired.expires_at
    # Every request that went out met every rule (no override is scripted).
    assert conn.execute("SELECT count(*) FROM policy_overrides").fetchone()[0] == 0


def test_answers_outcomes_and_the_failing_draft(conn: sqlite3.Connection) -> None:
    ensure_demo_requests(conn)
    ids = made(conn)

    def states(key: str) -> list[RecipientState]:
        return [r.state for r in store.recipients(conn, ids[key])]

    resolved = states("resolved_arrest")
    assert {RecipientState.SHARED, RecipientState.DECLINED, RecipientState.NO_FOOTAGE,
            RecipientState.NO_RESPONSE} <= set(resolved)
    assert RecipientState.PENDING not in resolved + states("resolved_no_result") + states("expired")
    assert store.get_outcome(conn, ids["resolved_arrest"])[:2] == (True, True)
    assert store.get_outcome(conn, ids["resolved_no_result"])[:2] == (False, False)
    # The solved case: the owner ranked first has a camera looking at the incident, and shared.
    first = store.recipients(conn, ids["resolved_arrest"])[0]
    assert first.covers_incident and first.state == RecipientState.SHARED
    sent = states("sent")
    assert RecipientState.PENDING in sent and RecipientState.SHARED in sent and RecipientState.DECLINED in sent
    # One owner declined and opted out of all future requests: honoured at once.
    (owner,), = conn.execute("SELECT object FROM audit_log WHERE action = 'owner_opted_out'").fetchall()
    assert conn.execute("SELECT consent FROM owners WHERE id = ?", (int(owner.split(":")[1]),)).fetchone()[0] == \
        "opt_out"
    # The draft's checklist shows exactly one broken rule, the area, and it cannot go out as it is.
    failed = policy.failures(svc.check_request(conn, ids["draft"], utc_now()))
    assert [r.rule for r in failed] == [policy.AREA] and "larger than the maximum" in failed[0].reason
    assert [r.rule for r in svc.blocking_rules(conn, ids["draft"], utc_now())] == [policy.AREA]


def test_public_log_lists_the_sent_ones_in_sending_order(conn: sqlite3.Connection) -> None:
    ensure_demo_requests(conn)
    ids = made(conn)
    log = public_log_svc.public_log_entries(conn)
    assert [e.public_no for e in log] == [1, 2, 3, 4, 5]
    assert [e.sent_at for e in log] == sorted(e.sent_at for e in log)
    by_case = {e.case_number: e for e in log}
    for key in ("resolved_arrest", "resolved_no_result", "expired", "withdrawn", "sent"):
        entry = by_case[store.get_request(conn, ids[key]).case_number]
        assert entry.state == EXPECTED[key].value and entry.notified > 0
        assert bool(entry.closed_at) == (key != "sent")
    unsent = {store.get_request(conn, ids[k]).case_number for k in ("awaiting_approval", "draft")}
    assert not unsent & set(by_case)


def test_audit_chain_verifies_and_names_the_actors(conn: sqlite3.Connection) -> None:
    before = conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    ensure_demo_requests(conn)
    assert audit.verify(conn).ok
    rows = conn.execute("SELECT actor, action FROM audit_log WHERE seq > ?", (before,)).fetchall()
    by_action: dict[str, set[str]] = {}
    for actor, action in rows:
        by_action.setdefault(action, set()).add(actor)
    assert by_action["request_created"] == {"ana"}
    assert by_action["request_approved"] == {"sam"}
    assert by_action["request_expired"] == {"system"}
    assert by_action["response_recorded"] == {"ana"}
    assert sum(1 for _, a in rows if a == "request_created") == 7
    assert sum(1 for _, a in rows if a == "request_sent") == 5
    assert "sign_in" not in by_action  # nobody signed in: the sessions only say who acted


def test_idempotent(conn: sqlite3.Connection) -> None:
    assert ensure_demo_requests(conn) == 7
    audit_rows = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    assert ensure_demo_requests(conn) == 0
    assert conn.execute("SELECT count(*) FROM footage_requests").fetchone()[0] == 7
    assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_rows


def test_nothing_without_the_demo_users(tmp_path: Path) -> None:
    c = open_store(tmp_path / "canvass.sqlite3")
    ensure_demo_city(c, n_cameras=300, today=TODAY)
    assert ensure_demo_requests(c) == 0  # no users yet
    auth.ensure_demo_users(c)
    with c:
        c.execute("UPDATE users SET active = 0 WHERE name = 'sam'")  # the approver is gone: no two-person rule
    assert ensure_demo_requests(c) == 0
    assert c.execute("SELECT count(*) FROM footage_requests").fetchone()[0] == 0
    c.close()


@pytest.mark.parametrize("today", [date(2025, 1, 15), date(2025, 8, 3)])
def test_other_days_give_the_whole_set(tmp_path: Path, today: date) -> None:
    """The city's incidents are dated against its own today; every request still finds one that fits."""
    _city(tmp_path / "canvass.sqlite3", today)
    c = open_store(tmp_path / "canvass.sqlite3")
    assert ensure_demo_requests(c) == 7
    ids = made(c)
    assert {key: store.get_request(c, rid).state for key, rid in ids.items()} == EXPECTED
    midnight = datetime.combine(today, time(0, 0), tzinfo=timezone.utc)
    assert max(r[0] for r in c.execute("SELECT at FROM request_transitions")) <= midnight.strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    assert from_iso(store.get_request(c, ids["sent"]).expires_at) > midnight
    c.close()


def test_first_demo_launch_creates_them(tmp_path: Path, qapp) -> None:  # noqa: ANN001 - pytest-qt fixture
    """app.startup.open_context on a fresh demo folder: city, users, requests; a second launch adds nothing."""
    from app import paths as app_paths
    from app.startup import open_context

    def ask(*_args: object) -> None:
        raise AssertionError("no dialog expected")

    for _launch in range(2):
        ctx = open_context(app_paths.init(tmp_path / "data", demo=True), True, ask)
        assert ctx is not None and ctx.session.user.name == "ana"
        assert ctx.conn.execute("SELECT count(*) FROM footage_requests").fetchone()[0] == 7
        ctx.conn.close()
