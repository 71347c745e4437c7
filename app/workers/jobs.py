"""Work off the GUI thread. Short jobs: run_task(fn, on_done). Long jobs: run_job(...) with progress and Cancel.

A job function receives a JobControl: it reports progress and checks `cancelled` on every chunk; raising
Cancelled ends it. Results and errors come back on the GUI thread through queued signals.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside a job when the user pressed Cancel; the job must leave nothing half-written."""


class JobControl:
    def __init__(self, signals: _JobSignals) -> None:
        self._signals = signals
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int) -> None:
        self._signals.progress.emit(int(done), int(total))


class _JobSignals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str, str)  # message, traceback
    cancelled = Signal()


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[JobControl], Any], signals: _JobSignals, control: JobControl) -> None:
        super().__init__()
        self.fn, self.signals, self.control = fn, signals, control
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            try:
                result = self.fn(self.control)
            except Cancelled:
                self.signals.cancelled.emit()
            except Exception as exc:  # noqa: BLE001 - reported to the GUI, logged with its traceback
                text = traceback.format_exc()
                log.error("job failed: %s\n%s", exc, text)
                self.signals.failed.emit(str(exc) or exc.__class__.__name__, text)
            else:
                self.signals.finished.emit(result)
        except RuntimeError as exc:
            # The application is shutting down and took the signal object with it: nobody is left to tell.
            log.info("job ended after its receiver was gone: %s", exc)


_pools: dict[str, QThreadPool] = {}


def pool(name: str = "default") -> QThreadPool:
    """'default' for reads and computation; 'writer' has one thread, so store writes never interleave."""
    if name not in _pools:
        p = QThreadPool()
        p.setMaxThreadCount(1 if name == "writer" else max(2, QThreadPool.globalInstance().maxThreadCount()))
        _pools[name] = p
    return _pools[name]


def wait_for_jobs(timeout_ms: int = 30_000) -> bool:
    """Block until every pool is idle (at exit, and between tests). True if all finished in time."""
    return all(p.waitForDone(timeout_ms) for p in _pools.values())


class Job(QObject):
    """A handle on a running job: its signals and its cancel switch."""

    def __init__(self, fn: Callable[[JobControl], Any], pool_name: str = "default") -> None:
        super().__init__()
        self.signals = _JobSignals()
        self.control = JobControl(self.signals)
        self._runnable = _Runnable(fn, self.signals, self.control)
        self._pool_name = pool_name
        self.done = False
        for sig in (self.signals.finished, self.signals.failed, self.signals.cancelled):
            sig.connect(self._mark_done)

    @Slot()
    def _mark_done(self, *_: object) -> None:
        self.done = True

    def start(self) -> Job:
        _live.add(self)
        for sig in (self.signals.finished, self.signals.failed, self.signals.cancelled):
            sig.connect(self._reported)  # a bound slot, not a lambda holding self: that made every job immortal
        pool(self._pool_name).start(self._runnable)
        return self

    @Slot()
    def _reported(self, *_: object) -> None:
        # Let go once every slot of this report has run (they were queued before this one ran): the job, its
        # function and whatever that holds (rows read, a result) are then freed when nobody else keeps them.
        QTimer.singleShot(0, self._release)

    def _release(self) -> None:
        self._runnable = None
        _live.discard(self)

    def cancel(self) -> None:
        self.control.cancel()


_live: set[Job] = set()  # keeps running jobs (and their signal objects) alive until they report


def run_task(fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[str, str], None] | None = None, pool_name: str = "default") -> Job:
    """A short job without progress: fn() runs in the pool, on_done(result) runs on the GUI thread."""
    job = Job(lambda _control: fn(), pool_name)
    if on_done:
        job.signals.finished.connect(on_done)
    if on_error:
        job.signals.failed.connect(on_error)
    return job.start()


def run_job(parent: QWidget | None, title: str, fn: Callable[[JobControl], Any],
            on_done: Callable[[Any], None] | None = None, on_error: Callable[[str, str], None] | None = None,
            on_cancelled: Callable[[], None] | None = None, pool_name: str = "default",
            min_duration_ms: int = 500) -> Job:
    """A long job with a progress dialog and a Cancel button (shown once the job takes over min_duration_ms)."""
    job = Job(fn, pool_name)
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setObjectName("job_progress")
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(min_duration_ms)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.canceled.connect(job.cancel)

    def on_progress(done: int, total: int) -> None:
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))

    def close(*_: object) -> None:
        try:
            dialog.canceled.disconnect(job.cancel)
            dialog.reset()
            dialog.close()
            dialog.deleteLater()
        except RuntimeError:
            pass  # its parent window was closed and deleted it already

    job.signals.progress.connect(on_progress)
    for sig in (job.signals.finished, job.signals.failed, job.signals.cancelled):
        sig.connect(close)
    if on_done:
        job.signals.finished.connect(on_done)
    if on_error:
        job.signals.failed.connect(on_error)
    if on_cancelled:
        job.signals.cancelled.connect(on_cancelled)
    job.dialog = dialog  # type: ignore[attr-defined]
    return job.start()
