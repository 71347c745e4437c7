"""Cold start to first paint: Canvass's main window against a bare QMainWindow holding one pyqtgraph PlotWidget.

Run: .venv/bin/python tests/benchmarks/bench_startup.py [--runs 7] [--platform offscreen|xcb] [--cameras N]

Both are measured the same way: the parent notes the time just before it starts a fresh interpreter, and stops
the clock when the child prints "painted" on stdout. Each child installs the same application-wide event
filter right after its QApplication exists; the filter prints "painted" at the first Paint event of a widget
inside a QMainWindow, removes itself and closes the window. Runs alternate between the two so machine noise
hits both alike; the first (cache-warming) run of each is dropped. The demo store is created before timing.
Target: ratio (Canvass / reference) at most 1.0. With --cameras N, N generated cameras (large_registry) are added
to the demo store first, to see how start-up scales with the size of the store.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# --- child side --------------------------------------------------------------------------------------------------

def _install_probe(app) -> None:  # noqa: ANN001 - a QApplication
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

    class PaintProbe(QObject):
        done = False

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
            if not self.done and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget) \
                    and isinstance(obj.window(), QMainWindow):
                self.done = True
                print("painted", flush=True)
                app.removeEventFilter(self)
                QTimer.singleShot(0, QApplication.closeAllWindows)
            return False

    probe = PaintProbe(app)
    app.installEventFilter(probe)


def child_reference() -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    _install_probe(app)
    import pyqtgraph as pg

    window = QMainWindow()
    window.setCentralWidget(pg.PlotWidget())
    window.resize(1280, 820)
    window.show()
    return app.exec()


def child_canvass(data_dir: str) -> int:
    import app.gui as gui

    make_application = gui.make_application

    def probed(argv: list[str]):  # noqa: ANN202
        qapp = make_application(argv)
        _install_probe(qapp)
        return qapp

    gui.make_application = probed
    from app.__main__ import main

    return main(["--data-dir", data_dir, "--demo"])


# --- parent side -------------------------------------------------------------------------------------------------

def child_env(work: Path, platform: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM=platform)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(work / name.lower())  # keep QSettings and logs out of the user's folders
    env.pop("CANVASS_DATA_DIR", None)
    env.pop("CANVASS_SMOKE_EXIT_MS", None)
    return env


def time_to_paint(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "painted":
            elapsed = time.perf_counter() - start
            break
    else:
        _, err = proc.communicate()
        raise RuntimeError(f"{args} exited ({proc.returncode}) without painting:\n{err[-2000:]}")
    try:
        proc.communicate(timeout=60)  # let it shut down (and release its lock) before the next run
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
    return elapsed


def add_cameras(db_path: Path, n: int) -> None:
    sys.path.insert(0, str(ROOT))
    from app.core.demo_city import large_registry
    from app.store.db import connect
    from app.store.demo import insert_registry

    conn = connect(db_path)
    try:
        insert_registry(conn, large_registry(n))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    print(f"store: {db_path.stat().st_size / 1e6:.0f} MB with {n:,} generated cameras added")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--platform", default="offscreen", help="Qt platform plugin (offscreen, or xcb under X)")
    parser.add_argument("--cameras", type=int, default=0, help="add this many generated cameras to the store")
    parser.add_argument("--child", choices=["reference", "canvass"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    ns = parser.parse_args()
    if ns.child == "reference":
        return child_reference()
    if ns.child == "canvass":
        return child_canvass(ns.data_dir)

    with tempfile.TemporaryDirectory(prefix="canvass-bench-") as tmp:
        work = Path(tmp)
        env = child_env(work, ns.platform)
        data_dir = work / "data"
        # Create the demo store (and its demo users) once, outside the timing.
        prep = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data_dir), "--demo"],
                              env=dict(env, CANVASS_SMOKE_EXIT_MS="300"), capture_output=True, text=True, cwd=ROOT)
        if prep.returncode != 0:
            print(prep.stderr, file=sys.stderr)
            return 1
        if ns.cameras:
            add_cameras(data_dir / "demo" / "canvass.sqlite3", ns.cameras)
        script = str(Path(__file__).resolve())
        kinds = {
            "reference": [script, "--child", "reference"],
            "canvass": [script, "--child", "canvass", "--data-dir", str(data_dir)],
        }
        times: dict[str, list[float]] = {k: [] for k in kinds}
        for run in range(ns.runs + 1):
            for kind, args in kinds.items():
                t = time_to_paint(args, env)
                if run > 0:  # the first run of each only warms the file cache
                    times[kind].append(t)
        print(f"Cold start to first paint, {ns.runs} runs each (platform {ns.platform}, "
              f"{3000 + ns.cameras:,} cameras in the store), Python {sys.version.split()[0]}:")
        for kind, values in times.items():
            print(f"  {kind:<10} median {statistics.median(values):.3f} s   "
                  f"(min {min(values):.3f}, max {max(values):.3f})")
        ratio = statistics.median(times["canvass"]) / statistics.median(times["reference"])
        print(f"  ratio canvass/reference: {ratio:.2f}x (target <= 1.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
