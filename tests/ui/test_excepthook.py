"""The unexpected-error dialog: shown on the GUI thread even when the error happened in a worker thread."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRunnable, QThread, QThreadPool
from PySide6.QtWidgets import QMessageBox

from app.gui import install_excepthook


def test_error_dialog_appears_on_the_gui_thread(qapp, qtbot, tmp_path: Path,  # noqa: ANN001
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CANVASS_SMOKE_EXIT_MS", raising=False)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back whatever was there after the test
    shown: list[tuple[bool, str]] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append((QThread.currentThread() == qapp.thread(), box.text()))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    log_file = tmp_path / "canvass.log"
    install_excepthook(log_file)
    hook = sys.excepthook

    class Failing(QRunnable):
        def run(self) -> None:
            try:
                raise ValueError("boom in a worker")
            except ValueError:
                hook(*sys.exc_info())

    pool = QThreadPool()
    pool.start(Failing())
    assert pool.waitForDone(5000)  # the worker returns at once: it does not sit in a modal dialog
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown[0][0] is True
    assert "boom in a worker" in shown[0][1] and str(log_file) in shown[0][1]

    try:
        raise KeyError("on the GUI thread")
    except KeyError:
        hook(*sys.exc_info())
    assert len(shown) == 2 and shown[1][0] is True  # shown at once, synchronously


def test_a_store_refusal_is_a_plain_message_without_a_traceback(qapp, tmp_path: Path,  # noqa: ANN001
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from app.store.db import StoreWriteError

    monkeypatch.delenv("CANVASS_SMOKE_EXIT_MS", raising=False)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    shown: list[tuple[str, str, str]] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append((box.windowTitle(), box.text(),
                                                                       box.detailedText())) or 0)
    install_excepthook(tmp_path / "canvass.log")
    try:
        raise StoreWriteError("Nothing was saved: the disk holding the database is full.")
    except StoreWriteError:
        sys.excepthook(*sys.exc_info())
    assert shown == [("Canvass", "Nothing was saved: the disk holding the database is full.", "")]
