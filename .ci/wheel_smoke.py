"""Smoke test of a plain (non-editable) install: run by .ci/run with the fresh venv's python, outside the checkout.

Checks what broke once when the assets were not packaged: the bundled icon and guide are found inside the installed
package, `canvass --install-desktop-entry` writes its entry and icons, `canvass --version` answers, and the window
starts and exits without failing to open an asset."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def fail(message: str) -> None:
    print(f"wheel smoke test FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    import app
    from app import APP_ID, __version__
    from app.resources_path import resource

    here = Path(app.__file__).resolve().parent
    if "site-packages" not in here.parts:
        fail(f"app imported from {here}, not from the installed package")
    for name in ("canvass.svg", f"{APP_ID}.desktop", "icons/canvass-48.png", "icons/actions/undo.svg",
                 "guide/index.html"):
        path = resource(name)
        if not path.is_file():
            fail(f"bundled asset {name} not found (looked at {path})")

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    qt = QApplication([])
    if QIcon(str(resource("canvass.svg"))).pixmap(48, 48).isNull():
        fail("the window icon does not load")
    del qt

    script = Path(sys.executable).parent / "canvass"
    out = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    if out.returncode != 0 or __version__ not in out.stdout:
        fail(f"--version: exit {out.returncode}, {out.stdout!r} {out.stderr!r}")

    with tempfile.TemporaryDirectory() as tmp:
        xdg = Path(tmp) / "xdg"
        env = dict(os.environ, XDG_DATA_HOME=str(xdg), XDG_STATE_HOME=str(Path(tmp) / "state"),
                   XDG_CONFIG_HOME=str(Path(tmp) / "config"), QT_QPA_PLATFORM="offscreen")
        out = subprocess.run([str(script), "--install-desktop-entry"], env=env, capture_output=True, text=True,
                             timeout=60)
        entry = xdg / "applications" / f"{APP_ID}.desktop"
        if out.returncode != 0 or not entry.is_file():
            fail(f"--install-desktop-entry: exit {out.returncode}, {out.stderr}")
        if f"Exec={script}" not in entry.read_text(encoding="utf-8"):
            fail(f"the desktop entry does not start {script}")
        for icon in (xdg / "icons/hicolor/48x48/apps" / f"{APP_ID}.png",
                     xdg / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg"):
            if not icon.is_file():
                fail(f"icon not installed: {icon}")

        data = Path(tmp) / "data"
        out = subprocess.run([str(script), "--data-dir", str(data), "--demo"], capture_output=True, text=True,
                             timeout=120, env=dict(env, CANVASS_SMOKE_EXIT_MS="800"))
        logs = "".join(p.read_text(encoding="utf-8", errors="replace") for p in data.rglob("*.log"))
        if out.returncode != 0 or "Traceback" in out.stderr:
            fail(f"launch: exit {out.returncode}\n{out.stderr}")
        if "cannot open" in (logs + out.stderr).lower() or "canvass.svg" in logs:
            fail(f"an asset failed to open:\n{logs}")
    print(f"wheel smoke test OK: Canvass {__version__} installed in {here.parent}")


if __name__ == "__main__":
    main()
