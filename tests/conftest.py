"""Every test gets a fresh data folder and a QSettings INI of its own; Qt runs offscreen."""

from __future__ import annotations

import faulthandler
import os
import weakref
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("CANVASS_DATA_DIR", None)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


# A test still running after this is stuck: every thread's stack is printed and the run ends (exit code 1), so CI
# fails in minutes instead of stalling. faulthandler's watchdog is a C thread: it works even in a deadlock where a
# thread holds the GIL (pytest-timeout and signal handlers need the GIL and never run then). The slowest test takes
# ~15 s here. Not armed when pytest's own faulthandler_timeout is set (one watchdog per process: that one prints).
HARD_LIMIT_S = float(os.environ.get("CANVASS_TEST_HARD_LIMIT_S", "180"))
_real_stderr: dict[str, int] = {}


def pytest_configure(config: pytest.Config) -> None:
    _real_stderr["fd"] = os.dup(2)  # before output capture takes fd 2 for each test


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):  # noqa: ANN201 - pytest hook
    """Armed from the test's setup to the end of its teardown (pytest-qt closing its windows included)."""
    armed = not float(item.config.getini("faulthandler_timeout") or 0) > 0
    if armed:
        faulthandler.dump_traceback_later(HARD_LIMIT_S, exit=True, file=_real_stderr.get("fd", 2))
    try:
        return (yield)
    finally:
        if armed:
            faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN202 - pytest fixture
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    yield
    # A background job must not outlive its test (and report into the next test's widgets).
    from app.workers.jobs import wait_for_jobs

    assert wait_for_jobs(30_000), "a background job was still running 30 s after its test"


# A dialog run with exec() (every QMessageBox.question/warning/…, every QDialog.exec) is application-modal and blocks
# the test until something answers it; offscreen there is nobody to click. A dialog that no test driver or
# monkeypatch answers within this time is closed and the test fails naming it, instead of the run hanging.
UNANSWERED_MODAL_S = 20.0


class _ModalWatch:
    """Polls (on the GUI thread, from inside any event loop, the modal dialog's own included) for an
    application-modal dialog that stays open; rejects it so the blocked exec() returns, and remembers what it was."""

    def __init__(self, limit_s: float) -> None:
        import time

        from PySide6.QtCore import QTimer

        self._clock = time.monotonic
        self.limit_s = limit_s
        self.stuck: list[str] = []
        self._since: dict[int, float] = {}
        self.timer = QTimer()
        self.timer.setInterval(250)
        self.timer.timeout.connect(self._look)
        self.timer.start()

    def _look(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

        now = self._clock()
        modal = QApplication.activeModalWidget()
        if modal is None or modal.windowModality() != Qt.WindowModality.ApplicationModal:
            self._since.clear()
            return
        first = self._since.setdefault(id(modal), now)
        if now - first < self.limit_s:
            return
        text = modal.text() if isinstance(modal, QMessageBox) else ""
        self.stuck.append(f"{type(modal).__name__} {modal.objectName()!r} “{modal.windowTitle()}”"
                          + (f": {text}" if text else ""))
        self._since.pop(id(modal), None)
        if isinstance(modal, QDialog):
            modal.reject()
        else:
            modal.close()

    def stop(self) -> None:
        self.timer.stop()
        self.timer.deleteLater()


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_gui_thread(request: pytest.FixtureRequest):  # noqa: ANN202 - pytest fixture
    """As the app does at start (app.gui.make_application): cyclic garbage is collected on the GUI thread only, never
    by a job's worker thread in the middle of a later test (see app.workers.gui_gc)."""
    from app.workers import gui_gc

    if "qapp" in request.fixturenames:
        request.getfixturevalue("qapp")
        gui_gc.install()
    yield
    gui_gc.collect_due()  # tests that run no event loop still collect, here on the main thread


@pytest.fixture(autouse=True)
def _no_unanswered_modal(request: pytest.FixtureRequest):  # noqa: ANN202 - pytest fixture
    """Fails a test that left a modal dialog waiting (e.g. a QMessageBox shown before its monkeypatch, or a dialog
    driver that raised before pressing a button) instead of letting the whole run stall."""
    if "qapp" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("qapp")
    watch = _ModalWatch(UNANSWERED_MODAL_S)
    yield
    watch.stop()
    if watch.stuck:
        pytest.fail(f"a modal dialog stayed open {UNANSWERED_MODAL_S:g} s with nobody to answer it (closed by the "
                    f"test guard): {'; '.join(watch.stuck)}", pytrace=False)


@pytest.fixture
def qsettings(tmp_path: Path, qapp):  # noqa: ANN001, ANN201 - pytest fixture
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("CanvassTest")
    QCoreApplication.setApplicationName("CanvassTest")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    yield QSettings()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def make_window(qtbot, qsettings, tmp_path: Path):  # noqa: ANN001, ANN201 - pytest fixture
    """Build a real MainWindow over a fresh store: make_window(role="analyst", name="ana", demo=False)."""
    from app import paths as app_paths
    from app.context import AppContext
    from app.core.records import Role
    from app.services.session import Session, User
    from app.store.db import open_store
    from app.views.main_window import MainWindow

    conns = []
    windows: list[weakref.ReferenceType] = []

    def factory(role: str = "supervisor", name: str = "tester", demo: bool = False, data: Path | None = None,
                user_id: int | None = None) -> MainWindow:
        p = app_paths.init(data or tmp_path / "store", demo=demo)
        conn = open_store(p.db_path, p.backup_dir)
        conns.append(conn)
        ctx = AppContext(p, conn, Session(conn, User(user_id, name, Role(role))), demo)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        windows.append(weakref.ref(window))
        return window

    yield factory
    # A closed window lingers until Qt handles its deferred delete, which only an event loop does; its timers (the
    # request expiry check, the insights watch) must not fire into a later test on the connection closed below.
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer

    for w in windows:
        window = w()
        if window is not None:
            try:
                for timer in window.findChildren(QTimer):
                    timer.stop()
            except RuntimeError:
                pass  # already deleted
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    for c in conns:
        c.close()
