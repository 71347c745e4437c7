"""The suite's guards against a hang: an application-modal dialog nobody answers is closed and named (the autouse
fixture in tests/conftest.py), a non-blocking window-modal box is left alone, and a test stuck past the hard limit,
even in a deadlock that holds the GIL, ends the run with every thread's stack."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from tests.conftest import _ModalWatch

ROOT = Path(__file__).resolve().parents[2]


def test_an_unanswered_question_is_closed_and_named(qapp, qtbot) -> None:  # noqa: ANN001
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    watch = _ModalWatch(limit_s=0.5)
    try:
        start = time.monotonic()
        # Blocks in exec() as the app's own questions do; only the watch can end it.
        answer = QMessageBox.question(parent, "Restore the backup?", "The database cannot be read.")
        waited = time.monotonic() - start
    finally:
        watch.stop()
    assert answer != QMessageBox.StandardButton.Yes
    assert 0.5 <= waited < 10
    assert len(watch.stuck) == 1
    assert "QMessageBox" in watch.stuck[0] and "Restore the backup?" in watch.stuck[0]
    assert "The database cannot be read." in watch.stuck[0]


def test_a_window_modal_box_opened_without_waiting_is_left_alone(qapp, qtbot) -> None:  # noqa: ANN001
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    box = QMessageBox(QMessageBox.Icon.Information, "Package exported", "3 items", QMessageBox.StandardButton.Ok,
                      parent)
    box.open()  # window-modal and non-blocking, as the evidence tab's messages are
    watch = _ModalWatch(limit_s=0.2)
    try:
        qtbot.wait(800)
    finally:
        watch.stop()
    assert watch.stuck == [] and box.isVisible()
    box.close()


def test_a_dialog_answered_by_its_driver_is_not_reported(qapp, qtbot) -> None:  # noqa: ANN001
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    watch = _ModalWatch(limit_s=0.5)

    def answer() -> None:
        box = qapp.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, answer)
            return
        box.button(QMessageBox.StandardButton.Yes).click()

    try:
        QTimer.singleShot(0, answer)
        assert QMessageBox.question(parent, "Delete?", "Delete 3 cameras?") == QMessageBox.StandardButton.Yes
        qtbot.wait(700)
    finally:
        watch.stop()
    assert watch.stuck == []


DEADLOCKED = """
import ctypes


def test_deadlocked_holding_the_gil():
    libc = ctypes.PyDLL(None)  # its calls keep the GIL, as a Qt call blocked under shiboken can
    mutex = ctypes.create_string_buffer(64)  # a zeroed pthread_mutex_t: unlocked, not recursive
    libc.pthread_mutex_lock(mutex)
    libc.pthread_mutex_lock(mutex)  # never returns
"""


def test_a_test_deadlocked_holding_the_gil_ends_the_run_with_its_stack(tmp_path: Path) -> None:
    (tmp_path / "test_deadlocked.py").write_text(DEADLOCKED, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT), CANVASS_TEST_HARD_LIMIT_S="2")
    start = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
                          "-c", os.devnull, "--rootdir", str(tmp_path), str(tmp_path / "test_deadlocked.py")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert time.monotonic() - start < 60
    assert "Timeout (0:00:02)!" in run.stderr and "test_deadlocked_holding_the_gil" in run.stderr
