"""The suite's guards against a hang: an application-modal dialog nobody answers is closed and named (the autouse
fixture in tests/conftest.py), a non-blocking window-modal box is left alone, and every test has a time limit."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from tests.conftest import _ModalWatch


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


def test_every_test_has_a_time_limit(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.hasplugin("timeout")
    assert 0 < float(pytestconfig.getini("timeout")) <= 300
    assert pytestconfig.getini("timeout_method") == "thread"  # a signal is never handled while Qt blocks in C++
