"""`canvass --install-desktop-entry`: put Canvass in the desktop's application menu for this user (XDG)."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from app import APP_ID
from app.resources_path import resource, resource_dir

ICON_SIZES = (16, 32, 48, 64, 128, 256)


def xdg_data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def launch_command() -> str:
    """The command that starts this installation: the gui-script beside the interpreter, else `python -m app`."""
    script = Path(sys.executable).parent / "canvass"
    if script.exists():
        return shlex.quote(str(script))
    found = shutil.which("canvass")
    if found:
        return shlex.quote(found)
    return f"{shlex.quote(sys.executable)} -m app"


def desktop_entry_text() -> str:
    text = resource(f"{APP_ID}.desktop").read_text(encoding="utf-8")
    command = launch_command()
    lines = []
    for line in text.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={command} %F"
        elif line.startswith("TryExec="):
            line = f"TryExec={shlex.split(command)[0]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def install_desktop_entry(data_home: Path | None = None) -> list[str]:
    """Write the .desktop file and icons; return a line for each file written."""
    base = data_home or xdg_data_home()
    written: list[str] = []
    apps = base / "applications"
    apps.mkdir(parents=True, exist_ok=True)
    entry = apps / f"{APP_ID}.desktop"
    entry.write_text(desktop_entry_text(), encoding="utf-8")
    written.append(f"installed {entry}")
    icons = base / "icons" / "hicolor"
    for size in ICON_SIZES:
        target = icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(resource_dir() / "icons" / f"canvass-{size}.png", target)
    scalable = icons / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(resource("canvass.svg"), scalable)
    written.append(f"installed icons under {icons}")
    return written
