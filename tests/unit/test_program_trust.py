"""The program services trust no caller (issue 9, point 15): undo takes back only the rows the service itself handed
out, unaltered, and edits are audited old → new. Driven as a hostile or mistaken caller would, over a real store."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.core.agencies import Agency
from app.core.ledger import DISTRIBUTION, SHIPMENT, LedgerRefused
from app.core.records import Role
from app.services.program import agencies, ledger
from app.services.session import PermissionDenied, Session, User
from app.store.db import open_store


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = open_store(tmp_path / "s.sqlite3")
    yield c
    c.close()


def as_(conn: sqlite3.Connection, role: str) -> Session:
    return Session(conn, User(None, role, Role(role)))


def day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


def details(conn: sqlite3.Connection, action: str) -> list[dict]:
    return [json.loads(d) for (d,) in conn.execute("SELECT details FROM audit_log WHERE action = ? ORDER BY seq",
                                                   (action,))]


def agency(s: Session, name: str = "Metro PD") -> int:
    return agencies.add_agency(s, Agency(None, name, "police", "Baltimore", "MD", 39.3, -76.6, None, "",
                                         day(-400), "active", "20 downloads = 1 camera", "METRO", 20))


def test_restore_entry_takes_back_only_the_row_it_deleted(conn: sqlite3.Connection) -> None:
    s = as_(conn, "analyst")
    aid = agency(as_(conn, "supervisor"))
    sid = ledger.add_shipment(s, aid, day(-100), 5, "Doorbell 2")
    did = ledger.add_distribution(s, ledger.DistributionInput(aid, day(-50), units=2, shipment_id=sid,
                                                              terms_shown="Share footage when asked",
                                                              sharing_condition=True))
    row = ledger.delete_entry(s, DISTRIBUTION, did)
    # The caller edits the row it was given: the handout was conditional on sharing; the "undo" says it was not.
    forged = {**row, "sharing_condition": 0, "terms_shown": "Free camera, no strings"}
    with pytest.raises(LedgerRefused, match="not an entry Canvass removed"):
        ledger.restore_entry(s, DISTRIBUTION, forged)
    # A shipment nobody deleted, made up whole, does not come in through undo either.
    with pytest.raises(LedgerRefused, match="not an entry Canvass removed"):
        ledger.restore_entry(s, SHIPMENT, {"id": 99, "agency_id": aid, "shipped_on": day(-10), "units": 500,
                                           "model": "x", "notes": ""})
    assert conn.execute("SELECT count(*) FROM distributions").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM device_shipments").fetchone()[0] == 1
    assert details(conn, "distribution_restored") == details(conn, "shipment_restored") == []
    # The row as it was given comes back, exactly, once.
    ledger.restore_entry(s, DISTRIBUTION, row)
    assert conn.execute("SELECT sharing_condition, terms_shown FROM distributions").fetchone() == (
        1, "Share footage when asked")
    with pytest.raises(LedgerRefused, match="is in the ledger already"):
        ledger.restore_entry(s, DISTRIBUTION, row)
    with pytest.raises(LedgerRefused, match="no ledger entries of kind"):
        ledger.delete_entry(s, "owners", 1)


def test_restore_agency_takes_back_only_the_row_it_deleted(conn: sqlite3.Connection) -> None:
    s = as_(conn, "supervisor")
    aid = agency(s)
    row = agencies.delete_agency(s, aid)
    for forged in ({**row, "status": "prospective", "partnered_on": None},  # the partnership never happened
                   {**row, "id": aid + 7},
                   {**row, "name) VALUES ('x'); --": 1}):  # a column name is not the caller's to choose
        with pytest.raises(agencies.AgencyError, match="not an agency Canvass deleted"):
            agencies.restore_agency(s, forged)
    assert agencies.list_agencies(s) == []
    agencies.restore_agency(s, row)
    assert agencies.list_agencies(s)[0].status == "active"
    with pytest.raises(agencies.AgencyError, match="exists already"):
        agencies.restore_agency(s, row)


def test_agency_change_is_audited_old_to_new(conn: sqlite3.Connection) -> None:
    s = as_(conn, "supervisor")
    aid = agency(s)
    a = agencies.list_agencies(s)[0]
    a.status, a.partnered_on = "suspended", day(-300)
    agencies.update_agency(s, a)
    [entry] = details(conn, "agency_changed")
    assert entry["changed"] == ["partnered_on", "status"]
    assert entry["old_new"] == {"status": ["active", "suspended"], "partnered_on": [day(-400), day(-300)]}
    assert aid == a.id


def test_operation_edits_are_audited_old_to_new_and_checked(conn: sqlite3.Connection) -> None:
    from app.core.records import Camera, CameraKind, CameraSource
    from app.services.program import operations
    from app.store import cameras as camera_store

    s = as_(conn, "analyst")
    aid = agency(as_(conn, "supervisor"))
    cams = [camera_store.add_camera(conn, Camera(None, 39.3, -76.6 + i / 1000, CameraKind.DOORBELL,
                                                 source=CameraSource.SELF_REGISTERED)) for i in range(3)]
    op_id = operations.create(s, aid, "Porch watch", "sting", day(1), "Fewer package thefts", "Theft posts",
                              camera_ids=cams[:2])
    operations.edit_details(s, op_id, name="Porch watch II", description="Bait parcels")
    [edit] = details(conn, "operation_changed")
    assert edit["fields"] == ["description", "name"]
    assert edit["old_new"] == {"name": ["Porch watch", "Porch watch II"], "description": ["", "Bait parcels"]}
    with pytest.raises(operations.OperationError, match="needs a name"):
        operations.edit_details(s, op_id, name="  ")
    operations.set_cameras(s, op_id, [cams[1], cams[2]])
    [cams_set] = details(conn, "operation_cameras_set")
    assert (cams_set["added"], cams_set["removed"]) == ([cams[2]], [cams[0]])
    with pytest.raises(operations.OperationError, match="no camera 9999"):
        operations.set_cameras(s, op_id, [cams[0], 9999])
    assert operations.store.cameras(conn, op_id) == [cams[1], cams[2]]
    with pytest.raises(operations.OperationError, match="no agency 77"):
        operations.create(s, 77, "Ghost op", "sting", day(1), "goal", "measure")
    # A recorded outcome changed later: the entry keeps what it said before.
    conn.execute("UPDATE operations SET started_on = ? WHERE id = ?", (day(-5), op_id))
    operations.record_outcome(s, op_id, "success", 2, 1, "two arrests")
    operations.record_outcome(s, op_id, "null", 0, 0, "the arrests were unrelated")
    second = details(conn, "operation_outcome_recorded")[-1]
    assert second["old_new"] == {"result": ["success", "null"], "arrests": [2, 0], "recoveries": [1, 0],
                                 "outcome": ["two arrests", "the arrests were unrelated"]}


def test_a_post_is_recorded_as_its_poster_and_revised_by_them(conn: sqlite3.Connection) -> None:
    import dataclasses

    from app.core.posts import Post
    from app.services.program import feed
    from app.store import feed as feed_store

    ana = Session(conn, User(None, "ana", Role.ANALYST))
    bo = Session(conn, User(None, "bo", Role.ANALYST))
    post = Post(None, "2024-03-01T10:00:00Z", "Package theft", "A Hispanic man on our street",
                block_address="1200 block of Union Av")
    # The caller names someone else as the poster, or sets the post's moderation itself.
    with pytest.raises(feed.PostError, match="posted by the signed-in user"):
        feed.submit_post(ana, dataclasses.replace(post, posted_by="sam"), notice_shown=True)
    with pytest.raises(feed.PostError, match="moderator"):
        feed.submit_post(ana, dataclasses.replace(post, moderation="published"), notice_shown=True)
    assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == 0
    held, verdict = feed.submit_post(ana, post, notice_shown=True)
    assert verdict.verdict == "held" and feed_store.get_post(conn, held).posted_by == "ana"
    with pytest.raises(feed.PostError, match="Only ana"):
        feed.revise_held(bo, held, "A man in a red jacket took a parcel from the porch of 1210")
    text = "A man wearing a red jacket took a parcel from a porch"
    assert feed.revise_held(ana, held, text).ok
    [entry] = details(conn, "post_edited")
    assert entry["text"] == ["A Hispanic man on our street", text]


def test_a_handout_names_records_that_exist_and_an_install_is_audited_old_to_new(conn: sqlite3.Connection) -> None:
    from app.core.records import Camera, CameraKind, CameraSource
    from app.store import cameras as camera_store

    s = as_(conn, "analyst")
    aid = agency(as_(conn, "supervisor"))
    sid = ledger.add_shipment(s, aid, day(-100), 5, "Doorbell 2")
    cams = [camera_store.add_camera(conn, Camera(None, 39.3, -76.6 + i / 1000, CameraKind.DOORBELL,
                                                 source=CameraSource.PROGRAM_DISTRIBUTED)) for i in range(2)]
    with pytest.raises(LedgerRefused, match="no owner 999"):
        ledger.add_distribution(s, ledger.DistributionInput(aid, day(-50), shipment_id=sid, owner_id=999,
                                                            terms_shown="Free camera"))
    did = ledger.add_distribution(s, ledger.DistributionInput(aid, day(-50), shipment_id=sid,
                                                              terms_shown="Free camera"))
    with pytest.raises(LedgerRefused, match="no camera 999"):
        ledger.mark_installed(s, did, 999, day(-40))
    ledger.mark_installed(s, did, cams[0], day(-40))
    ledger.mark_installed(s, did, cams[1], day(-30))
    last = details(conn, "distribution_installed")[-1]
    assert last["old_new"] == {"camera_id": [cams[0], cams[1]], "installed_on": [day(-40), day(-30)]}


def test_an_agency_edit_is_undone_and_redone_only_as_the_service_made_it(conn: sqlite3.Connection) -> None:
    s = as_(conn, "supervisor")
    aid = agency(s)
    a = agencies.list_agencies(s)[0]
    a.name, a.case_number_pattern = "Metro PD North", r"^MN-\d{4}$"
    change = agencies.update_agency(s, a)
    assert change["before"]["name"] == "Metro PD" and change["after"]["name"] == "Metro PD North"
    # The caller's copy says the agency was something it never was (one download earned a camera): refused.
    for forged in ({**change, "before": {**change["before"], "downloads_per_unit": 1}}, {**change, "id": aid + 1}):
        with pytest.raises(agencies.AgencyError, match="not an agency edit Canvass made"):
            agencies.apply_agency_change(s, forged, undo=True)
    with pytest.raises(PermissionDenied):
        agencies.apply_agency_change(as_(conn, "auditor"), change, undo=True)
    assert agencies.list_agencies(s)[0].name == "Metro PD North"
    agencies.apply_agency_change(s, change, undo=True)
    back = agencies.list_agencies(s)[0]
    assert (back.name, back.case_number_pattern) == ("Metro PD", "")
    [undone] = details(conn, "agency_changed_undo")
    assert undone["old_new"] == {"name": ["Metro PD North", "Metro PD"], "case_number_pattern": [r"^MN-\d{4}$", ""]}
    with pytest.raises(agencies.AgencyError, match="changed since this edit"):
        agencies.apply_agency_change(s, change, undo=True)  # already undone: nothing to take back
    agencies.apply_agency_change(s, change, undo=False)
    assert agencies.list_agencies(s)[0].name == "Metro PD North"
    assert details(conn, "agency_changed_redo")[0]["changed"] == ["case_number_pattern", "name"]
    # An edit made since is not overwritten by an undo of the earlier one.
    later = agencies.list_agencies(s)[0]
    later.city = "Towson"
    agencies.update_agency(s, later)
    with pytest.raises(agencies.AgencyError, match="changed since this edit"):
        agencies.apply_agency_change(s, change, undo=True)
    assert agencies.list_agencies(s)[0].city == "Towson"


def test_restore_milestone_takes_back_only_the_row_it_deleted(conn: sqlite3.Connection) -> None:
    s = as_(conn, "supervisor")
    mid = agencies.add_milestone(s, "2024-06-01", "News report")
    row = agencies.delete_milestone(s, mid)
    assert (row["id"], row["label"], row["created_by"]) == (mid, "News report", "supervisor")
    for forged in ({**row, "on_date": "2023-01-01"}, {**row, "created_by": "someone else"},
                   {"id": 50, "on_date": "2024-01-01", "label": "Made up", "created_by": "x", "created_at": "y"}):
        with pytest.raises(agencies.AgencyError, match="not a milestone Canvass deleted"):
            agencies.restore_milestone(s, forged)
    with pytest.raises(PermissionDenied):
        agencies.restore_milestone(as_(conn, "auditor"), row)
    assert conn.execute("SELECT count(*) FROM milestones").fetchone()[0] == 0
    agencies.restore_milestone(s, row)
    assert conn.execute("SELECT id, on_date, label, created_by, created_at FROM milestones").fetchall() == [
        tuple(row.values())]
    assert details(conn, "milestone_restored") == [{"on": "2024-06-01", "label": "News report"}]
    with pytest.raises(agencies.AgencyError, match="exists already"):
        agencies.restore_milestone(s, row)
