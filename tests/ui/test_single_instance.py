"""One Canvass per data folder: the lock in-process, and two real launches on the same folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from app.gui import acquire_lock


def test_lock_is_exclusive_until_released(tmp_path: Path) -> None:
    lock_path = tmp_path / "canvass.lock"
    first = acquire_lock(lock_path)
    assert first is not None and lock_path.exists()
    assert acquire_lock(lock_path) is None
    first.unlock()
    again = acquire_lock(lock_path)
    assert again is not None
    again.unlock()


def _launch(data_dir: Path, exit_ms: str) -> subprocess.Popen:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CANVASS_SMOKE_EXIT_MS=exit_ms)
    return subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(data_dir), "--demo"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_second_launch_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    first = _launch(data_dir, "6000")  # long enough for the second to start on a busy machine
    try:
        lock = data_dir / "demo" / "canvass.lock"
        deadline = time.monotonic() + 60
        while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lock.exists(), first.communicate(timeout=5)
        second = _launch(data_dir, "500")
        out, err = second.communicate(timeout=60)
        assert second.returncode == 1, err
        assert "already running" in err
        assert str((data_dir / "demo").resolve()) in err
        assert first.poll() is None  # the refused launch did not disturb the first
        out, err = first.communicate(timeout=60)
        assert first.returncode == 0, err
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
