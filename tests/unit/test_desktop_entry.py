"""The desktop entry: installed for the user under XDG folders, and its Exec line really starts Canvass."""

from __future__ import annotations

import configparser
import os
import shlex
import subprocess
import sys
from pathlib import Path

from app import APP_ID
from app.desktop_entry import ICON_SIZES, install_desktop_entry

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _read_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read_string(path.read_text(encoding="utf-8"))
    return dict(parser["Desktop Entry"])


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC), path
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_install_writes_entry_and_icons(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    lines = install_desktop_entry(xdg)
    entry_path = xdg / "applications" / f"{APP_ID}.desktop"
    assert any(str(entry_path) in line for line in lines)
    entry = _read_entry(entry_path)
    assert entry["Type"] == "Application" and entry["Name"] == "Canvass"
    assert entry["Icon"] == APP_ID and entry["Terminal"] == "false"
    assert entry["Exec"].endswith(" %F")
    assert os.access(entry["TryExec"], os.X_OK)
    for size in ICON_SIZES:
        assert _png_size(xdg / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png") == (size, size)
    svg = xdg / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert b"<svg" in svg.read_bytes()[:400]


def test_installed_exec_line_starts_the_app(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    install_desktop_entry(xdg)
    exec_line = _read_entry(xdg / "applications" / f"{APP_ID}.desktop")["Exec"]
    argv = [arg for arg in shlex.split(exec_line) if arg not in ("%F", "%f", "%U", "%u")]
    data_dir = tmp_path / "data"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CANVASS_SMOKE_EXIT_MS="800", XDG_DATA_HOME=str(xdg))
    result = subprocess.run([*argv, "--data-dir", str(data_dir), "--demo"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (data_dir / "demo" / "canvass.sqlite3").exists()  # it really opened a store


def test_command_line_option_installs_under_xdg_data_home(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg-home"
    env = dict(os.environ, XDG_DATA_HOME=str(xdg))
    result = subprocess.run([sys.executable, "-m", "app", "--install-desktop-entry"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    entry_path = xdg / "applications" / f"{APP_ID}.desktop"
    assert str(entry_path) in result.stdout
    assert _read_entry(entry_path)["Icon"] == APP_ID
    assert (xdg / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png").exists()


def test_assets_are_a_regular_package_inside_app() -> None:
    # A namespace package (no __init__.py) or a folder outside app/ is what broke a plain `pip install .`:
    # importlib.resources then gave no real folder and the icon and desktop entry were not found.
    from importlib import resources

    from app.resources_path import resource, resource_dir

    assert Path(resources.files("app.resources").joinpath("__init__.py")).is_file()
    assert resource_dir().is_dir() and resource_dir().parent.name == "app"
    assert resource("canvass.svg").is_file() and resource(f"{APP_ID}.desktop").is_file()
