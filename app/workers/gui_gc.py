"""Python's cyclic garbage collector runs on the GUI thread only.

Left to itself, the collector runs in whichever thread happens to allocate past its threshold: a background job, the
evidence player's decoder, the intake copier. Windows, dialogs and plots are often held only by reference cycles
(a lambda connected to a signal holds its widget), so such a collection destroys Qt widgets, timers and pixmaps on
that worker thread, and shiboken lets go of the GIL inside their C++ destructors while the GUI thread goes on using
Qt: the process crashes (or stalls) at a random moment, long after the object was dropped.

So automatic collection is turned off and a timer on the GUI thread collects instead, generation by generation
against the same thresholds (as pyqtgraph's GarbageCollector does). Pure reference counting still frees everything
not in a cycle at once, on any thread, as before.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

INTERVAL_MS = 1000

_collector: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    def __init__(self, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__()
        self.threshold = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    def collect(self) -> int:
        """What the interpreter would have done by now: each generation past its threshold, youngest first."""
        found = 0
        count0, count1, count2 = gc.get_count()
        t0, t1, t2 = self.threshold
        if count0 > t0:
            found += gc.collect(0)
            if count1 > t1:
                found += gc.collect(1)
                if count2 > t2:
                    found += gc.collect(2)
        return found


def install() -> GuiThreadCollector:
    """Once, from the GUI thread, after the QApplication exists; returns the collector (already running)."""
    global _collector
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() != app.thread():
        raise RuntimeError("the GUI-thread garbage collector is installed from the GUI thread of a running app")
    if _collector is None:
        _collector = GuiThreadCollector()
        # Collected on the GUI thread first, then automatic collection (on any thread) stops.
        gc.collect()
        gc.disable()
    return _collector


def collect_due() -> int:
    """Collect now what is due (on the calling thread, which must be the GUI thread); nothing if not installed."""
    return _collector.collect() if _collector is not None else 0
