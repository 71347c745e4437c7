from __future__ import annotations

import threading

from app.workers.jobs import Job, run_task


def test_run_task_delivers_result_on_gui_thread(qtbot) -> None:  # noqa: ANN001
    seen: list[tuple[int, bool]] = []
    gui = threading.get_ident()
    job = run_task(lambda: 6 * 7, lambda r: seen.append((r, threading.get_ident() == gui)))
    qtbot.waitUntil(lambda: bool(job.done and seen))
    assert seen == [(42, True)]


def test_job_cancel_stops_at_next_check(qtbot) -> None:  # noqa: ANN001
    started = threading.Event()
    chunks: list[int] = []

    def work(control) -> int:  # noqa: ANN001
        for i in range(10_000):
            started.set()
            control.check()
            chunks.append(i)
            threading.Event().wait(0.001)
        return -1

    job = Job(work)
    outcome: list[str] = []
    job.signals.cancelled.connect(lambda: outcome.append("cancelled"))
    job.signals.finished.connect(lambda r: outcome.append("finished"))
    job.start()
    assert started.wait(5)
    job.cancel()
    qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
    assert outcome == ["cancelled"]
    assert len(chunks) < 10_000


def test_job_error_is_reported(qtbot) -> None:  # noqa: ANN001
    errors: list[str] = []
    job = run_task(lambda: 1 / 0, on_error=lambda msg, tb: errors.append(msg))
    qtbot.waitUntil(lambda: bool(job.done and errors))
    assert "division by zero" in errors[0]
