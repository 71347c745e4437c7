"""Camera and owner store, registry service (permissions, audit, exact undo) and load_arrays, on real SQLite."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from app.core.records import Camera, CameraKind, CameraSource, Consent, Owner, Role
from app.core.validators import validate_camera
from app.services.registry.service import RegistryError, RegistryService, id_ranges
from app.services.session import PermissionDenied, Session, User
from app.store import cameras as camera_store
from app.store import owners as owner_store
from app.store.audit import verify
from app.store.camera_arrays import load_arrays, load_rows
from app.store.db import open_store, transaction


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = open_store(tmp_path / "store.sqlite3")
    yield c
    c.close()


def cam(**kw) -> Camera:  # noqa: ANN003
    base = dict(id=None, lat=44.63, lon=-124.03, kind=CameraKind.DOORBELL, heading_deg=90.0, fov_deg=120.0,
                range_m=15.0, retention_days=30, source=CameraSource.SELF_REGISTERED, label="12 Cedar Avenue")
    base.update(kw)
    return Camera(**base)


def service(conn: sqlite3.Connection, role: str = "analyst") -> RegistryService:
    return RegistryService(Session(conn, User(1, "ana", Role(role))))


def audit_actions(conn: sqlite3.Connection) -> list[tuple[str, dict]]:
    return [(a, json.loads(d)) for a, d in conn.execute("SELECT action, details FROM audit_log ORDER BY seq")]


def test_add_get_update_delete_camera_round_trip(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        owner_id = owner_store.add_owner(conn, Owner(None, "Ada", email="ada@example.org"))
        cid = camera_store.add_camera(conn, cam(owner_id=owner_id, external_id="X-1"))
    got = camera_store.get_camera(conn, cid)
    assert (got.lat, got.lon, got.kind, got.owner_id, got.external_id, got.label) == \
        (44.63, -124.03, CameraKind.DOORBELL, owner_id, "X-1", "12 Cedar Avenue")
    assert got.registered_on.endswith("Z")
    got.heading_deg, got.kind, got.retention_days = 270.0, CameraKind.FLOODLIGHT, None
    camera_store.update_camera(conn, got)
    again = camera_store.get_camera(conn, cid)
    assert (again.heading_deg, again.kind, again.retention_days) == (270.0, CameraKind.FLOODLIGHT, None)
    assert camera_store.delete_cameras(conn, [cid]) == 1
    assert camera_store.get_camera(conn, cid) is None


@pytest.mark.parametrize("field, value", [
    ("lat", 90.5), ("lat", -91.0), ("lon", 180.01), ("lon", -181.0), ("heading_deg", 361.0), ("heading_deg", -1.0),
    ("fov_deg", 0.5), ("fov_deg", 361.0), ("range_m", 0.0), ("range_m", -3.0), ("retention_days", -1),
    ("lat", math.nan),
])
def test_validation_mirrors_schema_checks(conn: sqlite3.Connection, field: str, value: float) -> None:
    bad = cam(**{field: value})
    assert field in validate_camera(bad)
    with pytest.raises(camera_store.CameraError):
        camera_store.add_camera(conn, bad)
    # The schema refuses the same value when the check is bypassed.
    if not (isinstance(value, float) and math.isnan(value)):
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(f"INSERT INTO cameras (lat, lon, kind, source, registered_on, {field}) VALUES "
                         "(44.6, -124.0, 'doorbell', 'imported', '2024-01-01T00:00:00Z', ?)"
                         if field not in ("lat", "lon") else
                         "INSERT INTO cameras (lat, lon, kind, source, registered_on) VALUES "
                         f"({'?' if field == 'lat' else '44.6'}, {'?' if field == 'lon' else '-124.0'}, 'doorbell', "
                         "'imported', '2024-01-01T00:00:00Z')", (value,))


def test_boundary_values_are_valid(conn: sqlite3.Connection) -> None:
    for kw in ({"lat": 90.0, "lon": -180.0}, {"heading_deg": 0.0, "fov_deg": 1.0}, {"heading_deg": 360.0,
               "fov_deg": 360.0}, {"retention_days": 0, "range_m": 0.1}):
        assert validate_camera(cam(**kw)) == {}
        camera_store.add_camera(conn, cam(**kw))
    assert conn.execute("SELECT count(*) FROM cameras").fetchone()[0] == 4


def test_owner_anonymity_numbers_are_never_reused(conn: sqlite3.Connection) -> None:
    a = owner_store.add_owner(conn, Owner(None, "A"))
    b = owner_store.add_owner(conn, Owner(None, "B"))
    assert [owner_store.get_owner(conn, i).anonymity_no for i in (a, b)] == [1, 2]
    assert owner_store.delete_owner_if_unused(conn, b) is not None
    c = owner_store.add_owner(conn, Owner(None, "C"))
    assert owner_store.get_owner(conn, c).anonymity_no == 3
    with pytest.raises(owner_store.OwnerError):
        owner_store.add_owner(conn, Owner(None, "   "))


def test_owner_in_use_is_kept_and_consent_change_is_dated(conn: sqlite3.Connection) -> None:
    oid = owner_store.add_owner(conn, Owner(None, "Bo", consent=Consent.OPT_IN))
    camera_store.add_camera(conn, cam(owner_id=oid))
    assert owner_store.delete_owner_if_unused(conn, oid) is None
    assert owner_store.get_owner(conn, oid) is not None
    conn.execute("UPDATE owners SET consent_changed_on = '2020-01-01T00:00:00Z' WHERE id = ?", (oid,))
    owner = owner_store.get_owner(conn, oid)
    owner.consent = Consent.OPT_OUT
    owner_store.update_owner(conn, owner)
    summary = owner_store.owner_summary(conn, oid)
    assert summary.consent == Consent.OPT_OUT and summary.consent_changed_on > "2020-01-01T00:00:00Z"
    assert summary.camera_count == 1 and summary.anonymous_name == "Neighbor #1"


def test_service_add_edit_delete_are_audited_and_undo_restores_exactly(conn: sqlite3.Connection) -> None:
    svc = service(conn)
    change = svc.add_camera(cam(), Owner(None, "Cy", email="cy@example.org", consent=Consent.OPT_OUT))
    [cid] = change.camera_ids
    [oid] = change.owner_ids
    snapshot = (camera_store.camera_rows(conn, [cid]), owner_store.owner_row(conn, oid))
    svc.apply(change, undo=True)
    assert camera_store.get_camera(conn, cid) is None and owner_store.get_owner(conn, oid) is None
    svc.apply(change, undo=False)
    assert (camera_store.camera_rows(conn, [cid]), owner_store.owner_row(conn, oid)) == snapshot

    edited = camera_store.get_camera(conn, cid)
    edited.lat, edited.label = 44.7, "14 Cedar Avenue"
    edit = svc.edit_camera(edited, Owner(oid, "Cy Young", consent=Consent.OPT_IN))
    owner = owner_store.get_owner(conn, oid)
    assert (owner.display_name, owner.consent, owner.email) == ("Cy Young", Consent.OPT_IN, "cy@example.org")
    svc.apply(edit, undo=True)
    assert (camera_store.camera_rows(conn, [cid]), owner_store.owner_row(conn, oid)) == snapshot

    delete = svc.delete_cameras([cid])
    assert camera_store.get_camera(conn, cid) is None and owner_store.get_owner(conn, oid) is None
    svc.apply(delete, undo=True)
    assert (camera_store.camera_rows(conn, [cid]), owner_store.owner_row(conn, oid)) == snapshot

    actions = [a for a, _ in audit_actions(conn)]
    assert actions == ["camera_add", "camera_add_undo", "camera_add_redo", "consent_changed", "camera_edit",
                       "consent_changed", "camera_edit_undo", "camera_delete", "camera_delete_undo"]
    assert [d["consent"] for a, d in audit_actions(conn) if a == "consent_changed"] == [["opt_out", "opt_in"],
                                                                                       ["opt_in", "opt_out"]]
    details = dict(audit_actions(conn))
    assert "cy@example.org" not in json.dumps(details)  # contact details never go into the audit log
    assert details["camera_edit"]["changed"]["lat"] == [44.63, 44.7]
    assert verify(conn).ok


def test_delete_many_is_one_change_with_compact_audit(conn: sqlite3.Connection) -> None:
    svc = service(conn)
    ids = [svc.add_camera(cam(label=f"{i} Elm Lane")).camera_ids[0] for i in range(30)]
    change = svc.delete_cameras(ids[5:25])
    assert len(change.camera_ids) == 20
    details = audit_actions(conn)[-1][1]
    assert details["count"] == 20 and details["id_ranges"] == [[ids[5], ids[24]]]
    assert id_ranges([1, 2, 3, 7, 9, 10]) == [[1, 3], [7, 7], [9, 10]]


def test_camera_in_a_footage_request_cannot_be_deleted(conn: sqlite3.Connection) -> None:
    svc = service(conn)
    cid = svc.add_camera(cam()).camera_ids[0]
    conn.execute("INSERT INTO agencies (name, kind) VALUES ('PD', 'police')")
    conn.execute("INSERT INTO footage_requests (agency_id, case_number, offense_category, area_kind, area_json, "
                 "window_start, window_end, created_at) VALUES (1, 'C-1', 'burglary', 'circle', '{}', 'a', 'b', 'c')")
    conn.execute("INSERT INTO recipients (request_id, camera_id) VALUES (1, ?)", (cid,))
    with pytest.raises(RegistryError, match="cannot be deleted"):
        svc.delete_cameras([cid])
    assert camera_store.get_camera(conn, cid) is not None


def test_permissions_and_contact_audit(conn: sqlite3.Connection) -> None:
    cid_change = service(conn).add_camera(cam(), Owner(None, "Di", phone="555-0100"))
    oid = cid_change.owner_ids[0]
    with pytest.raises(PermissionDenied):
        service(conn, "auditor").add_camera(cam())
    with pytest.raises(PermissionDenied):
        service(conn, "auditor").delete_cameras(cid_change.camera_ids)
    with pytest.raises(PermissionDenied):
        service(conn, "admin").owner_contact(oid)  # admins manage users, not residents' contact details
    before = len(audit_actions(conn))
    assert service(conn, "supervisor").owner_contact(oid).phone == "555-0100"
    action, details = audit_actions(conn)[-1]
    assert len(audit_actions(conn)) == before + 1
    assert action == "owner_contact_viewed" and details == {"owner_id": oid, "anonymity_no": 1}


def test_load_arrays_chunks_match_rows(conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.store.camera_arrays as ca

    monkeypatch.setattr(ca, "CHUNK_ROWS", 7)  # many chunks, and a last partial one
    svc = service(conn)
    out_owner = svc.add_camera(cam(), Owner(None, "Out", consent=Consent.OPT_OUT)).owner_ids[0]
    for i in range(40):
        svc.add_camera(cam(lat=40 + i / 10, kind=list(CameraKind)[i % 6], heading_deg=None if i % 5 else 10.0,
                           retention_days=None if i % 4 == 0 else i, owner_id=None))
    svc.add_camera(cam(), Owner(out_owner, "Out", consent=Consent.OPT_OUT))
    calls = []
    arrays = load_arrays(conn, on_chunk=lambda done, total: calls.append((done, total)))
    assert len(arrays) == 42 and calls[-1] == (42, 42) and len(calls) == 6
    rows = conn.execute("SELECT id, lat, kind, heading_deg, retention_days FROM cameras ORDER BY id").fetchall()
    assert arrays.ids.tolist() == [r[0] for r in rows]
    assert np.allclose(arrays.lat, [r[1] for r in rows])
    assert [ca.KIND_CODES[k] for k in arrays.kind] == [r[2] for r in rows]
    assert np.isnan(arrays.heading_deg[2]) and arrays.heading_deg[1] == 10.0
    assert np.isnan(arrays.retention_days[1]) and arrays.retention_days[2] == 1
    assert arrays.opted_out.tolist() == [True] + [False] * 40 + [True]
    assert arrays.owner_id[1] == -1
    sub = load_rows(conn, [arrays.ids[5], arrays.ids[3], 999])
    assert sub.ids.tolist() == [arrays.ids[3], arrays.ids[5]]


def test_text_search_and_page_rows(conn: sqlite3.Connection) -> None:
    svc = service(conn)
    a = svc.add_camera(cam(label="7 Harbor Road", external_id="BWC-17"), Owner(None, "E")).camera_ids[0]
    b = svc.add_camera(cam(label="9 Cedar Lane")).camera_ids[0]
    assert camera_store.ids_matching(conn, "HARBOR").tolist() == [a]
    assert camera_store.ids_matching(conn, "bwc-1").tolist() == [a]
    assert camera_store.ids_matching(conn, str(b)).tolist() == [b]
    assert camera_store.ids_matching(conn, "nowhere").size == 0
    assert camera_store.page_rows(conn, [a, b]) == {a: ("BWC-17", "7 Harbor Road", 1), b: ("", "9 Cedar Lane", None)}
    assert camera_store.text_sort_ids(conn, "label").tolist() == [a, b]
