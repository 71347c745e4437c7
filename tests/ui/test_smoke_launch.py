"""Launch the real entry point as a subprocess and check it exits cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_app(*args: str, env_extra: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CANVASS_SMOKE_EXIT_MS="1500")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "app", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_version_flag() -> None:
    from app import __version__

    result = run_app("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_launch_demo_and_exit_cleanly(tmp_path: Path) -> None:
    result = run_app("--data-dir", str(tmp_path / "d"), "--demo")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d" / "demo" / "canvass.sqlite3").exists()
    assert "Traceback" not in result.stderr


def test_first_launch_without_data_opens_demo(tmp_path: Path) -> None:
    result = run_app("--data-dir", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d" / "demo" / "canvass.sqlite3").exists()
    assert not (tmp_path / "d" / "canvass.sqlite3").exists()
