"""Packages: round trip checked by the bagit library's own validator, two-person approval, the onward-sharing
register, sanitised names, and tampered packages (changed byte, missing file, extra file) named file by file."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import bagit
import pytest

from app.io.evidence_package import PackageError, check_package
from app.services.accountability import auth
from app.services.evidence import intake, packages
from app.services.session import PermissionDenied
from app.store import evidence as store
from tests.evidence_world import EvidenceWorld, build_evidence_world
from tests.media import write_not_media, write_video
from tests.request_world import NOW


@pytest.fixture
def ew(tmp_path: Path) -> EvidenceWorld:
    e = build_evidence_world(tmp_path)
    for name in ("sam", "sue", "ana"):
        e.conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", (auth.DEMO_HASHER.hash("pw-" + name),
                                                                             name))
    yield e
    e.conn.close()


def two_items(ew: EvidenceWorld, tmp_path: Path) -> list[int]:
    video = write_video(tmp_path / "../../etc/Front door.mp4".replace("../../etc/", ""), seconds=0.5, width=96,
                        height=64)
    odd = write_not_media(tmp_path / "..notes (copy)\u202e.txt")
    user, rid = intake.check_intake(ew.session("ana"), ew.recipients[0])
    a = intake.intake_file(ew.conn, ew.evidence_dir, video, user, rid, ew.recipients[0], now=NOW).item_id
    b = intake.intake_file(ew.conn, ew.evidence_dir, odd, user, rid, ew.recipients[0], accept_non_media=True,
                           now=NOW).item_id
    return [a, b]


def export(ew: EvidenceWorld, tmp_path: Path, ids: list[int], approver: str = "sam", pw: str | None = None) -> Path:
    dest = tmp_path / "out" / "BPD package.zip"
    dest.parent.mkdir(exist_ok=True)
    packages.export_package(ew.session("ana"), ew.evidence_dir, ids, dest, "State's Attorney's Office",
                            "Subpoena 2026-CR-114, District Court", approver, pw or f"pw-{approver}")
    return dest


def unzip(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as zf:
        zf.extractall(into)
    (root,) = [p for p in into.iterdir() if p.is_dir()]
    return root


def test_round_trip_valid_for_bagit_itself_and_registered(ew: EvidenceWorld, tmp_path: Path) -> None:
    ids = two_items(ew, tmp_path)
    dest = export(ew, tmp_path, ids)
    assert check_package(dest).ok
    root = unzip(dest, tmp_path / "unzipped")
    bag = bagit.Bag(str(root))
    bag.validate()                                       # the library's own validator, no Canvass code
    assert set(bag.algorithms) == {"sha256", "sha512"}
    assert bag.info["Recipient-Organization"] == "State's Attorney's Office"
    assert bag.info["Case-Number"] == "BPD-14-000123" and bag.info["Approved-By"] == "sam"
    assert bag.info["Exporter"] == "ana" and bag.info["Agency"] == "Baltimore Police Department"
    names = sorted(p.name for p in (root / "data" / "items").iterdir())
    assert names == [f"item-{ids[0]:05d}-Front_door.mp4", f"item-{ids[1]:05d}-notes_copy_.txt"]
    manifest = json.loads((root / "data" / "canvass-manifest.json").read_text(encoding="utf-8"))
    assert [i["sha256"] for i in manifest["items"]] == [store.get_item(ew.conn, i).sha256 for i in ids]
    assert manifest["items"][0]["media_info"]["video_codec"] == "h264"
    head = json.loads((root / "data" / "audit-chain-head.json").read_text(encoding="utf-8"))
    assert bag.info["Audit-Chain-Head"] == f"{head['seq']}:{head['hash']}"
    log = (root / "data" / "custody-log.csv").read_text(encoding="utf-8")
    assert log.count(",received,") == 2
    (share,) = packages.register(ew.session("ana"))
    assert (share.recipient_org, share.requested_by, share.approved_by, share.items) == (
        "State's Attorney's Office", "ana", "sam", 2)
    assert [e.kind for e in store.events(ew.conn, item_id=ids[0])][-1] == "exported"
    assert store.share_count(ew.conn) == 1
    assert check_package(root).ok                         # the unzipped folder checks too


def test_two_person_rule_and_required_fields(ew: EvidenceWorld, tmp_path: Path) -> None:
    ids = two_items(ew, tmp_path)
    s = ew.session("sam")
    with pytest.raises(packages.PackageExportError, match="two-person"):
        packages.authorize_export(s, ids, "SAO", "Subpoena 2026-CR-114", "sam", "pw-sam")
    with pytest.raises(PermissionDenied):
        packages.authorize_export(ew.session("ana"), ids, "SAO", "Subpoena 2026-CR-114", "ana", "pw-ana")
    with pytest.raises(packages.PackageExportError, match="not accepted"):
        packages.authorize_export(ew.session("ana"), ids, "SAO", "Subpoena 2026-CR-114", "sam", "wrong")
    with pytest.raises(packages.PackageExportError, match="legal basis"):
        packages.authorize_export(ew.session("ana"), ids, "SAO", "because", "sam", "pw-sam")
    with pytest.raises(packages.PackageExportError, match="organisation"):
        packages.authorize_export(ew.session("ana"), ids, " ", "Subpoena 2026-CR-114", "sam", "pw-sam")
    with pytest.raises(PermissionDenied):
        packages.authorize_export(ew.session("aud"), ids, "SAO", "Subpoena 2026-CR-114", "sam", "pw-sam")
    assert store.shares(ew.conn) == []


def test_tampered_packages_name_each_file(ew: EvidenceWorld, tmp_path: Path) -> None:
    ids = two_items(ew, tmp_path)
    dest = export(ew, tmp_path, ids, approver="sue")
    root = unzip(dest, tmp_path / "t")
    item_a = f"data/items/item-{ids[0]:05d}-Front_door.mp4"
    item_b = f"data/items/item-{ids[1]:05d}-notes_copy_.txt"
    data = bytearray((root / item_a).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (root / item_a).write_bytes(bytes(data))
    (root / item_b).unlink()
    (root / "data" / "items" / "planted.mp4").write_bytes(b"not from the agency")
    result = check_package(root)
    assert not result.ok
    assert (result.altered, result.missing, result.extra) == ([item_a], [item_b], ["data/items/planted.mp4"])
    assert result.lines()[1:] == [f"missing: {item_b}", "extra: data/items/planted.mp4", f"altered: {item_a}"]
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(root)).validate()
    # The same, re-zipped: the zip is checked alike.
    rezipped = tmp_path / "rezipped.zip"
    with zipfile.ZipFile(rezipped, "w") as zf:
        for p in sorted(root.rglob("*")):
            if p.is_file():
                zf.write(p, f"{root.name}/{p.relative_to(root).as_posix()}")
    again = check_package(rezipped)
    assert (again.altered, again.missing, again.extra) == ([item_a], [item_b], ["data/items/planted.mp4"])


def test_not_a_bag_and_a_zip_that_escapes(tmp_path: Path) -> None:
    junk = write_not_media(tmp_path / "junk.zip")
    with pytest.raises(PackageError):
        check_package(junk)
    folder = tmp_path / "plain"
    folder.mkdir()
    with pytest.raises(PackageError, match="not a BagIt bag"):
        check_package(folder)
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("bag/bagit.txt", "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n")
        zf.writestr("../../outside.txt", "x")
    with pytest.raises(PackageError, match="outside its folder"):
        check_package(evil)
    assert not (tmp_path.parent / "outside.txt").exists()
