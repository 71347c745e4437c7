"""Exports and the people in them (issue 9, points 12–14): formulas neutralised in every CSV export, personal files
created 0600, the audit head carried, and no "Neighbor #n" beside a label that names an address."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from app.core.labels import WITHHELD, names_an_address
from app.core.public_log import PublicLogEntry
from app.core.records import Role
from app.io.export import export_cameras
from app.io.outreach_csv import RequestFacts, write_outreach_csv
from app.io.public_log_export import write_public_log_csv, write_public_log_html
from app.io.safe_files import head_file_for, neutralise
from app.services.accountability import audit_service
from app.services.registry import imports
from app.services.session import Session, User
from app.store import audit
from app.store.db import open_store, transaction

EVIL = "=cmd|' /C calc'!A0"


@pytest.fixture(autouse=True)
def _ordinary_umask():  # noqa: ANN202 - a user's usual umask: files are world-readable unless made private
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = open_store(tmp_path / "canvass.sqlite3")
    with transaction(c):
        c.execute("INSERT INTO owners (id, display_name, address, anonymity_no, created_at) VALUES "
                  "(1, 'Avery Abbott', '1234 Cedar Avenue, Harbor Falls, OR', 7, '2026'), "
                  "(2, 'Blake Baker', '77 Elm, Springfield', 8, '2026')")
        c.executemany("INSERT INTO cameras (owner_id, lat, lon, kind, source, registered_on, label) "
                      "VALUES (?, 44.6, -124.05, 'doorbell', 'imported', '2026-01-01', ?)",
                      [(1, EVIL), (1, "1234 Cedar Avenue — front door"), (2, "porch at 77 Elm"),
                       (2, "driveway"), (None, "@SUM(1+1)*cmd|' /C calc'!A0"), (2, "-12.5"), (2, "\t=1+1")])
        audit.append(c, "=HYPERLINK(\"http://x\")", "request_approved", "request:1", {"note": "+1"})
    yield c
    c.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_neutralise_follows_owasp() -> None:
    for cell in ("=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", EVIL):
        assert neutralise(cell) == "'" + cell
    for cell in ("-12.5", "+3", "1e5", "plain", "", 12, -3.5, None):
        assert neutralise(cell) == cell


def test_registry_csv_export_is_neutralised_private_and_carries_the_head(conn: sqlite3.Connection,
                                                                         tmp_path: Path) -> None:
    path = tmp_path / "cameras.csv"
    assert export_cameras(conn, path, "csv") == 7
    rows = _csv(path)
    assert rows[0]["label"] == "'" + EVIL and rows[0]["owner"] == "Neighbor #7"
    assert rows[4]["label"] == "'@SUM(1+1)*cmd|' /C calc'!A0" and rows[4]["owner"] == ""
    assert rows[5]["label"] == "-12.5" and rows[6]["label"] == "'\t=1+1"
    assert rows[0]["lon"] == "-124.05"  # numbers are numbers
    assert _mode(path) == 0o600
    head = json.loads(head_file_for(path).read_text())
    assert (head["seq"], head["hash"]) == (audit.current_head(conn).seq, audit.current_head(conn).hash)


def test_no_pseudonym_beside_an_address_in_the_registry_export(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = tmp_path / "cameras.csv"
    export_cameras(conn, path, "csv")
    labels = {r["id"]: (r["owner"], r["label"]) for r in _csv(path)}
    assert labels["2"] == ("Neighbor #7", WITHHELD)        # a street address
    assert labels["3"] == ("Neighbor #8", WITHHELD)        # the owner's own address, without a street type
    assert labels["4"] == ("Neighbor #8", "driveway")      # what the camera sees stays
    geo = tmp_path / "cameras.geojson"
    export_cameras(conn, geo, "geojson")
    data = json.loads(geo.read_text())
    assert data["audit_head"]["seq"] == audit.current_head(conn).seq and _mode(geo) == 0o600
    assert [f["properties"]["label"] for f in data["features"]][1:4] == [WITHHELD, WITHHELD, "driveway"]


@pytest.mark.parametrize(("role", "labels"), [(Role.ANALYST, True), (Role.ADMIN, False)])
def test_roles_that_may_not_see_contacts_export_no_free_text(conn: sqlite3.Connection, tmp_path: Path, role: Role,
                                                             labels: bool) -> None:
    session = Session(conn, User(None, "u", role))
    grant = imports.export_grant(session)
    path = tmp_path / "out.csv"
    imports.export_registry(conn, path, "csv", None, grant=grant)
    exported = [r["label"] for r in _csv(path)]
    assert (exported[3] == "driveway") is labels
    if not labels:
        assert set(exported) == {""}


def test_audit_export_is_neutralised_and_private(conn: sqlite3.Connection, tmp_path: Path) -> None:
    session = Session(conn, User(None, "audrey", Role.AUDITOR))
    result = audit_service.export_log(session, audit.AuditFilter(), tmp_path / "audit.csv")
    rows = _csv(result.csv_path)
    assert rows[0]["actor"] == "'=HYPERLINK(\"http://x\")"
    assert _mode(result.csv_path) == 0o600


def _entry(case: str) -> PublicLogEntry:
    return PublicLogEntry(1, case, "+Agency", "@burglary", 44.6, -124.0, 300.0, "2026-01-01T10:00:00Z",
                          "2026-01-01T11:00:00Z", "2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z", "", "sent", 3, 1, 1,
                          0)


def test_public_log_csv_and_page_are_neutralised_and_carry_the_head(conn: sqlite3.Connection,
                                                                    tmp_path: Path) -> None:
    head = audit.current_head(conn)
    path = tmp_path / "log.csv"
    write_public_log_csv(path, [_entry(EVIL)], head)
    row = _csv(path)[0]
    assert (row["case_number"], row["agency"], row["category"]) == ("'" + EVIL, "'+Agency", "'@burglary")
    assert row["center_lon"] == "-124.0"
    assert json.loads(head_file_for(path).read_text())["hash"] == head.hash
    page = tmp_path / "log.html"
    write_public_log_html(page, [_entry("HF-1")], head=head)
    assert f"entry {head.seq}, SHA-256 <code>{head.hash}</code>" in page.read_text()


def test_notices_csv_is_neutralised_private_and_carries_the_head(conn: sqlite3.Connection, tmp_path: Path) -> None:
    from types import SimpleNamespace

    facts = RequestFacts(3, "HF-2026-00001", "Harbor Falls PD", "burglary", "", "a", "b", "c", "-det@x")
    notice = SimpleNamespace(neighbor_no=7, display_name="@SUM(A1)", email="=1+1@x", phone="+1 541", address="a",
                             contact_preference="mail", cameras=1)
    path = tmp_path / "notices.csv"
    write_outreach_csv(path, facts, [notice], audit.current_head(conn))
    row = _csv(path)[0]
    assert (row["display_name"], row["email"], row["phone"]) == ("'@SUM(A1)", "'=1+1@x", "'+1 541")
    assert row["investigator_contact"] == "'-det@x"
    assert _mode(path) == 0o600 and head_file_for(path).exists()


def test_letters_pdf_is_private(qapp, tmp_path: Path) -> None:  # noqa: ANN001
    from types import SimpleNamespace

    from app.views.requests.outreach_pdf import write_letters_pdf

    facts = RequestFacts(3, "HF-2026-00001", "Harbor Falls PD", "burglary", "", "a", "b", "c", "det")
    notice = SimpleNamespace(neighbor_no=7, display_name="Avery", email="", phone="", address="1 Main St",
                             contact_preference="mail", cameras=1)
    path = tmp_path / "letters.pdf"
    assert write_letters_pdf(path, facts, [notice], "2026-06-01") == 1
    assert path.read_bytes().startswith(b"%PDF") and _mode(path) == 0o600
    assert not list(tmp_path.glob("*.part"))


def test_a_read_only_target_folder_is_a_message(conn: sqlite3.Connection, tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "cameras.csv"
    with pytest.raises(OSError, match="could not be written: the folder does not exist"):
        export_cameras(conn, missing, "csv")


def test_demo_labels_say_what_a_camera_sees_not_where_its_owner_lives() -> None:
    from datetime import date

    import numpy as np

    from app.core.demo_city import generate_city, large_registry, registry_labels

    city = generate_city(seed=7, n_cameras=600, today=date(2026, 6, 1))
    owners = {o["id"]: o for o in city.owners}
    for cam in city.cameras:
        owner = owners[cam["owner_id"]]
        assert not names_an_address(cam["label"], owner["address"]), cam["label"]
        assert owner["display_name"] not in cam["label"] or cam["kind"] == "city_cctv", cam["label"]
    labels = registry_labels(large_registry(2000, seed=1))
    assert not [t for t in labels if names_an_address(t)] and len(set(labels)) > 3
    assert np.all([len(t) > 3 for t in labels])


def test_the_map_dock_never_pairs_the_pseudonym_with_an_address(conn: sqlite3.Connection) -> None:
    from app.store.map_features import camera_public_label

    assert camera_public_label(conn, 2) == WITHHELD and camera_public_label(conn, 3) == WITHHELD
    assert camera_public_label(conn, 4) == "driveway"


def test_custody_and_transparency_csvs_go_through_the_same_helper(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from app.io.report_files import _csv_text
    from app.services.evidence.custody import write_report_csv

    item = SimpleNamespace(id=1, original_name="=HYPERLINK(\"x\").mp4", sha256="ab")
    event = SimpleNamespace(id=2, at="2026", kind="received", actor="@ana", sha256="ab", details="{}")
    row = SimpleNamespace(cells=lambda: [str(item.id), item.original_name, item.sha256, str(event.id), event.at,
                                         "received", event.actor, event.sha256, ""])
    path = tmp_path / "custody.csv"
    write_report_csv(path, [row])
    got = _csv(path)[0]
    assert got["original_name"] == "'=HYPERLINK(\"x\").mp4" and got["actor"] == "'@ana" and _mode(path) == 0o600
    assert _csv_text(["label", "value"], [["+1 agency", "-3"]]).splitlines()[1] == "'+1 agency,-3"
