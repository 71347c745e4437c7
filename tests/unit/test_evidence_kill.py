"""Kill during intake: a subprocess takes in files one after another and is SIGKILLed at random moments. After
each kill, the launch cleanup runs; then every recorded item has its file with the recorded hash, and no file
is left that no item records."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.services.evidence import intake
from app.store import evidence as store
from app.store.db import open_store
from tests.evidence_world import build_evidence_world

ROOT = Path(__file__).resolve().parents[2]
CHILD = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import app.io.evidence_copy as copy_mod
copy_mod.CHUNK = 64 * 1024          # many chunks per file: a kill lands mid-copy as often as between steps
from app.services.evidence import intake
from app.services.session import User
from app.core.records import Role
from app.store.db import open_store
conn = open_store(Path(sys.argv[2]))
user = User(1, "ana", Role.ANALYST)
srcs = sorted(Path(sys.argv[3]).iterdir())
mode = sys.argv[5]
if mode != "random":          # die by SIGKILL at a chosen step of the third file
    import os, signal
    from app.store import evidence as store_mod
    calls = {"n": 0}
    def die_on_third(real):
        def wrapper(*a, **k):
            calls["n"] += 1
            if calls["n"] == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*a, **k)
        return wrapper
    if mode == "after_rename":    # the file has its final name; the transaction has not run
        store_mod.insert_item = die_on_third(store_mod.insert_item)
    elif mode == "mid_copy":      # half-way through copying into the part file
        intake.copy_and_hash = lambda src, dst, p=None, c=None: copy_mod.copy_and_hash(
            src, dst, p, die_on_third(lambda: None))
from app.io.media_info import probe
probe(srcs[0])                # load PyAV before the clock starts
print("ready", flush=True)
for src in srcs:
    intake.intake_file(conn, Path(sys.argv[4]), src, user, 1, 1, accept_non_media=True)
print("done", flush=True)
"""


def check_store(db: Path, evidence_dir: Path) -> tuple[int, intake.Cleanup]:
    conn = open_store(db)
    try:
        cleanup = intake.cleanup_leftovers(conn, evidence_dir)
        items = store.items(conn, include_purged=False)
        for item in items:
            path = evidence_dir / item.stored_path
            assert path.is_file(), f"item {item.id} recorded without its file"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == item.sha256, f"item {item.id} hash mismatch"
        on_disk = {f"{p.parent.name}/{p.name}" for p in evidence_dir.glob("??/*") if p.is_file()}
        assert on_disk == {i.stored_path for i in items}, "files left that no item records"
        assert not any((evidence_dir / intake.INCOMING).glob("*")), "part files left after cleanup"
        return len(items), cleanup
    finally:
        conn.close()


def run_child(tmp_path: Path, ew_dir: Path, src_dir: Path, mode: str, delay_s: float | None) -> bool:
    """Run the child; True if it was killed (it may finish first when the delay is long)."""
    db = tmp_path / "canvass.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(ROOT), str(db), str(src_dir), str(ew_dir), mode],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        if delay_s is not None:
            time.sleep(delay_s)
            proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=60)
        assert code in (0, -signal.SIGKILL), f"the intake child failed with exit status {code}"
        return code == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def sources(tmp_path: Path, name: str, rng: random.Random) -> Path:
    src_dir = tmp_path / name
    src_dir.mkdir()
    for i in range(20):
        (src_dir / f"clip{i:02d}.bin").write_bytes(os.urandom(rng.randrange(200_000, 1_500_000)))
    return src_dir


def test_kill_at_random_points_leaves_whole_items_or_nothing(tmp_path: Path) -> None:
    ew = build_evidence_world(tmp_path)
    ew.conn.close()
    rng = random.Random(1913)
    recorded, killed = 0, 0
    for run in range(6):
        killed += run_child(tmp_path, ew.evidence_dir, sources(tmp_path, f"src{run}", rng), "random",
                            rng.uniform(0.0, 0.6))
        now, _cleanup = check_store(tmp_path / "canvass.sqlite3", ew.evidence_dir)
        assert now >= recorded
        recorded = now
    assert killed >= 3, "most runs finished before their kill: the test did not test anything"


def test_kill_mid_copy_and_after_rename_are_cleaned_at_the_next_launch(tmp_path: Path) -> None:
    ew = build_evidence_world(tmp_path)
    ew.conn.close()
    rng = random.Random(13)
    assert run_child(tmp_path, ew.evidence_dir, sources(tmp_path, "a", rng), "mid_copy", None)
    count, cleanup = check_store(tmp_path / "canvass.sqlite3", ew.evidence_dir)
    assert (count, len(cleanup.part_files), cleanup.orphans) == (0, 1, [])
    assert run_child(tmp_path, ew.evidence_dir, sources(tmp_path, "b", rng), "after_rename", None)
    count, cleanup = check_store(tmp_path / "canvass.sqlite3", ew.evidence_dir)
    assert (count, cleanup.part_files, len(cleanup.orphans)) == (2, [], 1)
