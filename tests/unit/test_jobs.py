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


def test_a_finished_job_is_freed_with_what_its_function_held(qtbot) -> None:  # noqa: ANN001
    """A job lets go of itself once it has reported: before, a lambda connected to its own signals kept every job,
    its function and what that held (rows read, a result) alive for the life of the program."""
    import gc
    import weakref

    from app.workers import jobs

    class Payload:
        pass

    payload = Payload()
    held = weakref.ref(payload)
    done: list[int] = []
    job = jobs.run_task(lambda p=payload: len([p]), on_done=done.append)
    qtbot.waitUntil(lambda: done == [1], timeout=5000)
    handle = weakref.ref(job)
    del job, payload
    qtbot.wait(50)  # the release is queued behind the job's own report
    gc.collect()
    assert held() is None and handle() is None


def test_many_short_jobs_run_report_and_go(qtbot) -> None:  # noqa: ANN001
    from app.workers import jobs

    done: list[int] = []
    for i in range(500):
        jobs.run_task(lambda i=i: i, on_done=done.append)
    qtbot.waitUntil(lambda: len(done) == 500, timeout=20_000)
    qtbot.wait(50)
    assert sorted(done) == list(range(500)) and not jobs._live
