"""Program services over a real store: permissions, refusals, audit entries, undo (delete/restore)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.core.agencies import Agency
from app.core.ledger import DISTRIBUTION, SHIPMENT, LedgerRefused
from app.core.operations import OperationError
from app.core.posts import Post
from app.core.records import Role
from app.services.program import agencies, feed, ledger, operations
from app.services.session import PermissionDenied, Session, User
from app.store import operations as op_store
from app.store.db import open_store

SQUARE = {"type": "Polygon", "coordinates": [[[-76.7, 39.2], [-76.5, 39.2], [-76.5, 39.4], [-76.7, 39.4],
                                              [-76.7, 39.2]]]}


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = open_store(tmp_path / "s.sqlite3")
    yield c
    c.close()


def as_(conn: sqlite3.Connection, role: str, name: str = "") -> Session:
    return Session(conn, User(None, name or role, Role(role)))


def actions(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]


def day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


def agency(conn: sqlite3.Connection, per_unit: int | None = 20) -> int:
    return agencies.add_agency(as_(conn, "supervisor"), Agency(None, "Metro PD", "police", "Baltimore", "MD", 39.3,
                                                               -76.6, json.dumps(SQUARE), r"^\d{2}-\d{5}$",
                                                               day(-400), "active", "20 downloads = 1 camera",
                                                               "METRO", per_unit))


def test_agency_validation_and_audit(conn: sqlite3.Connection) -> None:
    s = as_(conn, "admin")
    with pytest.raises(agencies.AgencyError) as err:
        agencies.add_agency(s, Agency(None, " ", "navy", lat=95.0, lon=0.0, case_number_pattern="(",
                                      partnered_on=None))
    assert set(err.value.errors) == {"name", "kind", "lat", "case_number_pattern", "partnered_on"}
    aid = agency(conn)
    a = agencies.list_agencies(s)[0]
    a.status = "suspended"
    agencies.update_agency(s, a)
    assert actions(conn) == ["agency_added", "agency_changed"]
    assert json.loads(conn.execute("SELECT details FROM audit_log WHERE action = 'agency_changed'").fetchone()[0])[
        "changed"] == ["status"]
    with pytest.raises(PermissionDenied):
        agencies.add_agency(as_(conn, "auditor"), a)
    row = agencies.delete_agency(s, aid)
    agencies.restore_agency(s, row)
    assert agencies.list_agencies(s)[0].status == "suspended"
    assert agencies.growth(s).y == [1]


def test_ledger_refuses_impossible_entries_and_undoes(conn: sqlite3.Connection) -> None:
    aid = agency(conn)
    s = as_(conn, "analyst")
    sid = ledger.add_shipment(s, aid, day(-100), 5, "Doorbell 2")
    with pytest.raises(LedgerRefused, match="only 5 are on hand"):
        ledger.add_distribution(s, ledger.DistributionInput(aid, day(-50), units=6, shipment_id=sid,
                                                            terms_shown="Free camera"))
    with pytest.raises(LedgerRefused, match="dated before its shipment arrived"):
        ledger.add_distribution(s, ledger.DistributionInput(aid, day(-101), shipment_id=sid, terms_shown="x"))
    with pytest.raises(LedgerRefused, match="terms the resident was shown"):
        ledger.add_distribution(s, ledger.DistributionInput(aid, day(-50), shipment_id=sid))
    did = ledger.add_distribution(s, ledger.DistributionInput(aid, day(-50), units=2, shipment_id=sid,
                                                              terms_shown="Share footage when asked",
                                                              sharing_condition=True))
    assert ledger.balances(s, aid).final() == {"received": 5, "earned": 0, "distributed": 2, "installed": 0,
                                               "on_hand": 3}
    with pytest.raises(LedgerRefused, match="distributions 1 came from it"):
        ledger.delete_entry(s, SHIPMENT, sid)
    row = ledger.delete_entry(s, DISTRIBUTION, did)
    assert ledger.balances(s, aid).final()["on_hand"] == 5
    ledger.restore_entry(s, DISTRIBUTION, row)
    assert ledger.balances(s, aid).final()["on_hand"] == 3
    assert conn.execute("SELECT sharing_condition FROM distributions").fetchone()[0] == 1
    assert actions(conn)[-4:] == ["shipment_recorded", "distribution_recorded", "distribution_deleted",
                                  "distribution_restored"]
    with pytest.raises(PermissionDenied):
        ledger.add_shipment(as_(conn, "auditor"), aid, day(-1), 1, "x")


def test_download_credits_earn_units_with_carry_over(conn: sqlite3.Connection) -> None:
    aid = agency(conn, per_unit=20)
    s = as_(conn, "analyst")
    ledger.add_credit(s, aid, "2025-01", 25, day(-30))
    ledger.add_credit(s, aid, "2025-02", 25, day(-20))
    ledger.add_credit(s, aid, "2025-03", 30, day(-10))
    assert [r[3] for r in conn.execute("SELECT * FROM download_credits ORDER BY period")] == [25, 25, 30]
    assert [r[0] for r in conn.execute("SELECT units_earned FROM download_credits ORDER BY period")] == [1, 1, 2]
    with pytest.raises(LedgerRefused, match="already recorded"):
        ledger.add_credit(s, aid, "2025-03", 1)
    assert ledger.balances(s, aid).final()["earned"] == 4


def post(text: str, address: str = "1200 block of Union Av") -> Post:
    return Post(None, "2024-03-01T10:00:00Z", "Package theft", text, block_address=address)


def test_feed_moderation(conn: sqlite3.Connection) -> None:
    ana, sue = as_(conn, "analyst", "ana"), as_(conn, "supervisor", "sue")
    with pytest.raises(feed.PostError, match="notice"):
        feed.submit_post(ana, post("Parcel taken"))
    pid, verdict = feed.submit_post(ana, post("Parcel taken"), notice_shown=True)
    assert verdict.ok and conn.execute("SELECT moderation FROM incidents WHERE id = ?", (pid,)).fetchone()[0] == \
        "pending"
    with pytest.raises(feed.PostError, match="exact home address"):
        feed.submit_post(ana, post("He lives at 1234 Elm Street"), notice_shown=True)
    held, verdict = feed.submit_post(ana, post("A Hispanic man on our street"), notice_shown=True)
    assert verdict.verdict == "held"
    with pytest.raises(PermissionDenied):
        feed.approve(ana, pid)
    with pytest.raises(feed.PostError, match="needs a reason"):
        feed.reject(sue, pid, " ")
    with pytest.raises(feed.PostError, match="not awaiting moderation"):
        feed.approve(sue, held)
    assert feed.revise_held(ana, held, "A Hispanic man wearing a red jacket took a parcel from a porch").ok
    feed.approve(sue, pid)
    feed.reject(sue, held, "Duplicate of post 1")
    assert conn.execute("SELECT moderation, moderation_reason FROM incidents ORDER BY id").fetchall() == [
        ("published", ""), ("rejected", "Duplicate of post 1")]
    assert actions(conn) == ["post_submitted", "post_refused", "post_held", "post_edited", "post_approved",
                             "post_rejected"]
    assert [r[1] for r in conn.execute("SELECT at, action FROM post_moderation WHERE incident_id = ? ORDER BY id",
                                       (held,))] == ["held", "edited", "rejected"]


def test_place_unmapped_posts(conn: sqlite3.Connection) -> None:
    ana = as_(conn, "analyst")
    feed.submit_post(ana, post("x", "1200 block of Union Av"), notice_shown=True)
    feed.submit_post(ana, post("y", "Nowhere Rd"), notice_shown=True)
    placed = feed.place_unmapped(ana, lambda a: (39.33, -76.63) if "Union" in a else None)
    assert placed == (1, 1)
    assert conn.execute("SELECT lat, placed_by FROM incidents ORDER BY id").fetchall() == [
        (39.33, "address_search"), (None, "")]


def test_operation_plan_is_locked_after_start(conn: sqlite3.Connection) -> None:
    aid = agency(conn)
    s = as_(conn, "analyst")
    with pytest.raises(OperationError, match="before it starts"):
        operations.create(s, aid, "Porch Watch", "sting", day(-3), "Arrests", "3 arrests")
    with pytest.raises(OperationError, match="success measure"):
        operations.create(s, aid, "Porch Watch", "sting", day(2), "Arrests", "")
    op_id = operations.create(s, aid, "Porch Watch", "sting", day(2), "Arrest package thieves", "3 arrests",
                              camera_ids=[], partners=[("Metro PD", aid), ("Camera company", None)])
    assert operations.change_plan(s, op_id, "Arrest package thieves on Union Av", "3 arrests") is False
    later = f"{day(5)}T12:00:00Z"
    with pytest.raises(OperationError, match="locked"):
        operations.change_plan(s, op_id, "x", "1 arrest", now=later)
    assert operations.change_plan(s, op_id, "Arrest package thieves on Union Av", "1 arrest",
                                  reason="decoys moved after week 1", now=later) is True
    revs = op_store.revisions(conn, op_id)
    assert [(r[1], r[2], r[3], r[4]) for r in revs] == [("success_measure", "3 arrests", "1 arrest",
                                                         "decoys moved after week 1")]
    operations.add_statement(s, op_id, day(0), "Metro PD", "The sting will make porches safer.", "Chief")
    with pytest.raises(OperationError, match="organisation"):
        operations.add_statement(s, op_id, day(0), " ", "text")
    with pytest.raises(OperationError, match="not started"):
        operations.record_outcome(s, op_id, "null", 0, 0, "No thefts of decoys")
    conn.execute("UPDATE operations SET started_on = ? WHERE id = ?", (day(-1), op_id))
    operations.record_outcome(s, op_id, "null", 0, 0, "No decoy was taken; no arrests.")
    assert conn.execute("SELECT result, arrests, outcome FROM operations WHERE id = ?", (op_id,)).fetchone() == (
        "null", 0, "No decoy was taken; no arrests.")
    assert actions(conn)[-5:] == ["operation_created", "operation_plan_edited", "operation_plan_revised",
                                  "operation_statement_added", "operation_outcome_recorded"]


def test_unmapped_posts_placed_by_the_base_maps_address_search(conn: sqlite3.Connection) -> None:
    from app.core.demo_streets import demo_basemap
    from app.services.map.address_search import geocode
    from app.store import basemap as basemap_store

    ana = as_(conn, "analyst")
    feed.submit_post(ana, post("Parcel taken", "400 block of 12th Street"), notice_shown=True)
    feed.submit_post(ana, post("Bike taken", "100 block of Nowhere Lane"), notice_shown=True)
    assert feed.place_with_base_map(ana) is None  # no base map yet: the posts stay unmapped
    basemap_store.save_vector(conn, demo_basemap(), "tester")
    assert feed.place_with_base_map(ana) == (1, 1)
    lat, lon, _name = geocode(conn, "400 block of 12th Street")
    assert conn.execute("SELECT lat, lon, placed_by FROM incidents ORDER BY id").fetchall() == [
        (lat, lon, "address_search"), (None, None, "")]
