"""Cyclic garbage holding Qt objects is freed on the GUI thread, never by a worker thread that allocates
(app.workers.gui_gc, installed by the app at start and by the test suite's conftest)."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, Qt

from app.workers import gui_gc
from app.workers.jobs import run_task


def _garbage_qobject(destroyed_on: list[str]) -> None:
    """A Python-owned QObject kept only by a reference cycle, as a closed window held by its signal lambdas is."""
    obj = QObject()
    obj.me = obj
    obj.destroyed.connect(lambda *_: destroyed_on.append(threading.current_thread().name),
                          Qt.ConnectionType.DirectConnection)


def _allocate(n: int = 5_000) -> list[list[int]]:
    """Containers that stay alive: past every collection threshold, as a job that builds its result is."""
    return [[i] for i in range(n)]


def test_a_worker_thread_that_allocates_frees_no_qt_object(qapp, qtbot) -> None:  # noqa: ANN001
    gui_gc.install()
    assert not gc.isenabled()  # the interpreter collects on no thread by itself any more
    destroyed_on: list[str] = []
    _garbage_qobject(destroyed_on)
    kept: list[list[list[int]]] = []
    worker = threading.Thread(target=lambda: kept.append(_allocate()), name="worker")
    worker.start()
    worker.join()
    run_task(_allocate, kept.append)  # a job on the app's pool, too
    qtbot.waitUntil(lambda: len(kept) == 2, timeout=10_000)
    assert destroyed_on == []  # with automatic collection, the worker would have destroyed it
    # The GUI thread's timer collects it within about a second.
    qtbot.waitUntil(lambda: destroyed_on == ["MainThread"], timeout=5_000)


def test_collect_due_collects_the_young_generation_past_its_threshold(qapp) -> None:  # noqa: ANN001
    gui_gc.install()
    destroyed_on: list[str] = []
    _garbage_qobject(destroyed_on)
    kept = _allocate(gc.get_threshold()[0] * 2)
    assert gc.get_count()[0] > gc.get_threshold()[0] and destroyed_on == []
    gui_gc.collect_due()
    assert destroyed_on == ["MainThread"] and len(kept) == gc.get_threshold()[0] * 2
