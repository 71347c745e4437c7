"""`canvass verify-package` and `canvass verify-evidence`, run as the real entry point: output and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import bagit

from app.services.evidence import intake
from tests.evidence_world import build_evidence_world
from tests.media import write_not_media
from tests.request_world import NOW


def canvass(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def test_verify_package_exit_codes_on_a_bag_made_by_bagit_alone(tmp_path: Path) -> None:
    folder = tmp_path / "bag"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("alpha\n")
    (folder / "sub" / "b.txt").write_text("beta\n")
    bagit.make_bag(str(folder), checksums=["sha256"])
    zipped = tmp_path / "bag.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, f"bag/{p.relative_to(folder).as_posix()}")
    ok = canvass("verify-package", str(zipped))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout == "OK: bag.zip: 2 payload files and 3 tag files match the bag's manifests (sha256)\n"
    (folder / "data" / "a.txt").write_text("ALPHA\n")
    (folder / "data" / "sub" / "b.txt").unlink()
    (folder / "data" / "c.txt").write_text("planted\n")
    bad = canvass("verify-package", str(folder))
    assert bad.returncode == 1
    assert bad.stdout.splitlines() == ["ALTERED: bag", "missing: data/sub/b.txt", "extra: data/c.txt",
                                       "altered: data/a.txt"]
    junk = canvass("verify-package", str(write_not_media(tmp_path / "junk.bin")))
    assert junk.returncode == 2 and "not a BagIt package" in junk.stderr and "Traceback" not in junk.stderr
    assert canvass("verify-package", str(tmp_path / "nothing.zip")).returncode == 2


def test_verify_evidence_exit_codes(tmp_path: Path) -> None:
    ew = build_evidence_world(tmp_path)
    user, rid = intake.check_intake(ew.session("ana"), ew.recipients[0])
    res = intake.intake_file(ew.conn, ew.evidence_dir, write_not_media(tmp_path / "a.bin"), user, rid,
                             ew.recipients[0], accept_non_media=True, now=NOW)
    ew.conn.close()
    data_dir = tmp_path
    ok = canvass("verify-evidence", "--data-dir", str(data_dir))
    assert ok.returncode == 0 and ok.stdout.startswith("OK: 1 items"), ok.stdout + ok.stderr
    stored = next(p for p in ew.evidence_dir.glob("??/*"))
    os.chmod(stored, 0o600)
    stored.write_bytes(b"x" + stored.read_bytes()[1:])
    bad = canvass("verify-evidence", "--data-dir", str(data_dir))
    assert bad.returncode == 1
    assert bad.stdout.splitlines()[0].startswith(f"ALTERED: item {res.item_id} (a.bin)")
    assert canvass("verify-evidence", "--data-dir", str(tmp_path / "none")).returncode == 2
