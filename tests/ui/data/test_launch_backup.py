"""Every launch keeps a consistent copy of the store (taken after the first paint), the newest few kept."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from app import paths as app_paths
from app.store.backups import KEEP_LAUNCH_BACKUPS, rotate_launch_backup
from app.store.db import open_store


def test_launch_backups_rotate(tmp_path: Path) -> None:
    paths = app_paths.init(tmp_path / "data")
    conn = open_store(paths.db_path, paths.backup_dir)
    conn.execute("INSERT INTO settings (key, value, changed_at) VALUES ('k', '1', '2025-01-01T00:00:00Z')")
    conn.close()
    made = []
    for _ in range(KEEP_LAUNCH_BACKUPS + 2):
        assert rotate_launch_backup(paths.db_path, paths.backup_dir) is None
        made.append(max(paths.backup_dir.glob("*-launch-*.sqlite3")))
    copies = sorted(paths.backup_dir.glob("*-launch-*.sqlite3"))
    assert copies == made[-KEEP_LAUNCH_BACKUPS:]  # the oldest two went
    copy = sqlite3.connect(copies[-1])
    assert copy.execute("SELECT value FROM settings WHERE key = 'k'").fetchone() == ("1",)
    copy.close()


def test_a_launch_leaves_a_backup_of_the_store(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CANVASS_SMOKE_EXIT_MS="1500")
    result = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(tmp_path / "d"), "--demo"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    copies = list((tmp_path / "d" / "demo" / "backups").glob("*-launch-*.sqlite3"))
    assert len(copies) == 1
    copy = sqlite3.connect(copies[0])
    assert copy.execute("SELECT COUNT(*) FROM cameras").fetchone()[0] > 0  # the demo city, as it was at launch
    copy.close()
