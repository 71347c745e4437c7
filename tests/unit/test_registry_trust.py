"""The registry service trusts no caller (issue 9, point 15): consent changes only as a recorded consent change, and
undo/redo apply only changes the service made, with old → new in the audit entry."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path

import pytest

from app.core.records import Camera, CameraKind, CameraSource, Consent, Owner, Role
from app.services.registry.service import RegistryError, RegistryService
from app.services.session import Session, User
from app.store import cameras as camera_store
from app.store import owners as owner_store
from app.store.db import open_store


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = open_store(tmp_path / "store.sqlite3")
    yield c
    c.close()


def cam(**kw) -> Camera:  # noqa: ANN003
    base = dict(id=None, lat=44.63, lon=-124.03, kind=CameraKind.DOORBELL, heading_deg=90.0, fov_deg=120.0,
                range_m=15.0, retention_days=30, source=CameraSource.SELF_REGISTERED, label="front door")
    base.update(kw)
    return Camera(**base)


def entries(conn: sqlite3.Connection, action: str) -> list[dict]:
    return [json.loads(d) for (d,) in conn.execute("SELECT details FROM audit_log WHERE action = ? ORDER BY seq",
                                                   (action,))]


def test_edited_rows_passed_to_apply_cannot_flip_consent(conn: sqlite3.Connection) -> None:
    svc = RegistryService(Session(conn, User(1, "ana", Role.ANALYST)))
    change = svc.add_camera(cam(), Owner(None, "Cy", consent=Consent.OPT_OUT))
    [oid] = change.owner_ids
    [cid] = change.camera_ids
    edit = svc.edit_camera(camera_store.get_camera(conn, cid), Owner(oid, "Cy", consent=Consent.OPT_OUT))
    forged = copy.deepcopy(edit)
    forged.owners_before[oid] = {**(forged.owners_before.get(oid) or owner_store.owner_row(conn, oid)),
                                 "consent": "opt_in"}
    forged.owners_after.setdefault(oid, owner_store.owner_row(conn, oid))
    with pytest.raises(RegistryError, match="not a change Canvass made"):
        svc.apply(forged, undo=True)
    made_up = copy.deepcopy(change)
    made_up.owners_after[oid] = {**made_up.owners_after[oid], "consent": "opt_in"}
    with pytest.raises(RegistryError, match="not a change Canvass made"):
        svc.apply(made_up, undo=False)
    assert owner_store.get_owner(conn, oid).consent == Consent.OPT_OUT
    assert entries(conn, "consent_changed") == []


def test_consent_changes_only_as_a_recorded_change_with_who_when_and_how(conn: sqlite3.Connection) -> None:
    svc = RegistryService(Session(conn, User(1, "ana", Role.ANALYST)))
    change = svc.add_camera(cam(), Owner(None, "Cy", consent=Consent.OPT_IN))
    [oid] = change.owner_ids
    with pytest.raises(RegistryError, match="Say how"):
        svc.record_consent_change(oid, Consent.OPT_OUT, how=" ")
    svc.record_consent_change(oid, Consent.OPT_OUT, how="reply “opt out R3-N1”", effective_at="2026-05-01T09:00:00Z")
    owner = owner_store.get_owner(conn, oid)
    assert (owner.consent, owner.consent_changed_on) == (Consent.OPT_OUT, "2026-05-01T09:00:00Z")
    history = owner_store.consent_history(conn, oid)
    assert history[0][:2] == (None, "opt_in") and history[1] == ("opt_in", "opt_out", "2026-05-01T09:00:00Z", "ana",
                                                                  "reply “opt out R3-N1”")
    [entry] = entries(conn, "consent_changed")
    assert entry["consent"] == ["opt_in", "opt_out"] and entry["how"] == "reply “opt out R3-N1”"
    # An edit that picks another consent is itself recorded as such a change (who, when, how).
    svc.edit_camera(camera_store.get_camera(conn, change.camera_ids[0]), Owner(oid, "Cy", consent=Consent.OPT_IN))
    assert owner_store.consent_history(conn, oid)[-1][1:2] == ("opt_in",)
    assert entries(conn, "consent_changed")[-1]["how"] == "camera dialog"


def test_undo_refuses_when_the_store_changed_since(conn: sqlite3.Connection) -> None:
    svc = RegistryService(Session(conn, User(1, "ana", Role.ANALYST)))
    change = svc.add_camera(cam())
    [cid] = change.camera_ids
    edited = camera_store.get_camera(conn, cid)
    edited.label = "driveway"
    edit = svc.edit_camera(edited)
    conn.execute("UPDATE cameras SET label = 'side yard' WHERE id = ?", (cid,))  # someone else's write
    with pytest.raises(RegistryError, match="was changed since"):
        svc.apply(edit, undo=True)
    assert camera_store.get_camera(conn, cid).label == "side yard"


def test_undo_audit_says_old_and_new(conn: sqlite3.Connection) -> None:
    svc = RegistryService(Session(conn, User(1, "ana", Role.ANALYST)))
    change = svc.add_camera(cam(label="front door"))
    [cid] = change.camera_ids
    edited = camera_store.get_camera(conn, cid)
    edited.label, edited.range_m = "driveway", 20.0
    edit = svc.edit_camera(edited)
    svc.apply(edit, undo=True)
    [undo] = entries(conn, "camera_edit_undo")
    assert undo["cameras_changed"][str(cid)]["label"] == ["driveway", "front door"]
    assert undo["cameras_changed"][str(cid)]["range_m"] == [20.0, 15.0]
    svc.apply(change, undo=True)
    assert entries(conn, "camera_add_undo")[0]["cameras_changed"] == {str(cid): "removed"}
