"""Reading and validating a large import in a child process while this one writes (the producer of app.io.pipeline).

Why a process: reading and validating a million rows and binding them to SQLite are both Python work that holds
the GIL, so two threads mostly take turns (measured: a thread producer overlapped almost nothing). A forked child
reads and validates chunk n+1 on the other core while this process writes chunk n.

What the child does and does not do: it reads the file, and nothing else. It never opens the store: SQLite must
not be used in a process forked from one that has the database open (the child would inherit the parent's lock
bookkeeping), so only an import whose validation reads nothing of the store is read this way (RecordKind's
reads_store: cameras into a registry holding no file ids, a first bulk load); the others are read by a thread.
Each valid batch is pickled and sent through a pipe by a sender thread (so validating goes on while a batch is on
its way); at most QUEUE_CHUNKS batches wait, so memory stays bounded. At the end it sends its report (bad rows,
notes, counts, hash). The one transaction is the parent's, so nothing the child does can leave the store
half-written.

Stopping: Cancel, an error or the end of the import ends the child (close()); a child whose parent was killed
finds the pipe closed, or its parent gone, and exits by itself; a child that dies makes the parent raise
SourceError, and the transaction rolls back.

When: only where fork() is safe and cheap (Linux, one Python thread and no Qt application: `canvass import`), and
for files of at least PROCESS_FROM_BYTES; otherwise the thread producer of app.io.pipeline reads.
The forked child uses nothing but the file and numpy/pyarrow; it leaves by os._exit
(multiprocessing's fork start), so it never touches, finalises or closes the parent's open store.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from app.io.pipeline_types import RecordKind, Validation
from app.io.source import Source, SourceError

PROCESS_FROM_BYTES = 1 << 20
QUEUE_CHUNKS = 2          # pickled batches waiting in the child for the pipe
POLL_SECONDS = 0.1        # how often the parent, waiting for a batch, calls its check (Cancel)
PIPE_BYTES = 1 << 20      # a larger pipe buffer (Linux: F_SETPIPE_SZ) moves a batch in fewer hand-overs
_F_SETPIPE_SZ = 1031

Check = Callable[[], None]
Progress = Callable[[int, int], None]
Validated = Callable[..., Iterator[tuple[Any, int]]]


def available() -> bool:
    """Whether a forked reader is safe here: Linux, no other Python thread whose locks a fork could copy, and no Qt
    application (a GUI's worker threads may be inside SQLite when the fork happens; the GUI reads in a thread)."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    qt = sys.modules.get("PySide6.QtCore")
    return qt is None or qt.QCoreApplication.instance() is None


def wanted(source: Source) -> bool:
    return source.progress.total_bytes >= PROCESS_FROM_BYTES and available()


class ProcessProducer:
    """The child process and the parent's end of its pipe."""

    def __init__(self, source: Source, kind: RecordKind, mapping: dict[str, Any], report: Validation,
                 validated: Validated) -> None:
        """`report` is the parent's, empty (the child fills its copy); `validated` is app.io.pipeline.validated."""
        ctx = multiprocessing.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        try:
            import fcntl

            fcntl.fcntl(send.fileno(), _F_SETPIPE_SZ, PIPE_BYTES)
        except (ImportError, OSError):
            pass  # the default buffer works, with more hand-overs
        self.total_bytes = source.progress.total_bytes
        args = (send, source, kind, mapping, report, validated, os.getpid())
        self._proc = ctx.Process(target=_child, args=args, name=f"canvass-import-{kind.name}", daemon=True)
        with warnings.catch_warnings():
            # Python 3.12+ warns on any fork beside other OS threads; here those are numpy's and Arrow's idle
            # workers (both re-initialise after a fork), and available() has refused Python threads and Qt.
            warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks", category=DeprecationWarning)
            self._proc.start()
        send.close()  # the child holds the only write end: when it dies, the parent's recv sees the end of the pipe
        self._shared: dict[str, Any] = {}

    def items(self, report: Validation, check: Check | None, progress: Progress | None) -> Iterator[tuple[Any, int]]:
        """(batch, estimated rows in the file) until the file is read; then fills `report` from the child's.
        Raises what the child raised (SourceError, ImportStopped with the report, ...)."""
        while True:
            while not self._recv.poll(POLL_SECONDS):
                if check is not None:
                    check()
                if not self._proc.is_alive() and not self._recv.poll(0):
                    raise self._died()
            try:
                message = pickle.loads(self._recv.recv_bytes())
            except (EOFError, OSError, pickle.UnpicklingError):
                raise self._died() from None
            if message[0] == "batch":
                _tag, batch, estimate, done_bytes = message
                attach = getattr(batch, "attach_shared", None)
                if attach is not None:
                    attach(self._shared)
                if progress is not None:
                    progress(done_bytes, self.total_bytes)
                yield batch, estimate
                continue
            _tag, child_report, error = message
            report.__dict__.update(child_report.__dict__)
            if error is not None:
                if hasattr(error, "report"):
                    error.report = report
                raise error
            return

    def _died(self) -> SourceError:
        self._proc.join(1)
        return SourceError(f"the process reading the file stopped unexpectedly (exit code {self._proc.exitcode}); "
                           "nothing was imported")

    def close(self) -> None:
        """End the child (it may still be reading, or waiting to send) and let go of the pipe."""
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join(5)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join()
        self._recv.close()
        self._proc.close()


class _ParentGone(Exception):
    """The importing process has ended (killed, or it closed the pipe): nobody waits for what the child reads."""


def _child(send: Connection, source: Source, kind: RecordKind, mapping: dict[str, Any], report: Validation,
           validated: Validated, parent: int) -> None:
    """Read and validate the file, sending each valid batch; then ("end", report, error or None)."""
    import gc

    gc.disable()  # millions of short-lived objects, none in cycles (as in the parent's pipeline)
    out = _Sender(send, parent)
    try:
        try:
            validator = kind.new_validator(mapping, source.columns, None)  # no store: see the module's docstring
            shared: dict[str, Any] = {}
            for batch, estimate in validated(source, kind, validator, report):
                detach = getattr(batch, "detach_shared", None)
                if detach is not None:
                    detach(shared)
                out.put(("batch", batch, estimate, source.progress.done_bytes))
            report.owners = list(getattr(validator, "owners", []))
            out.put(("end", report, None))
        except _ParentGone:
            return
        except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent, which raises it
            try:
                out.put(("end", report, _travelling(exc)))
            except _ParentGone:
                return
        out.finish()
    finally:
        send.close()


def _travelling(exc: BaseException) -> BaseException:
    """The error as it can cross the pipe (its report travels beside it, once)."""
    if hasattr(exc, "report"):
        exc.report = None  # type: ignore[attr-defined]
    try:
        pickle.dumps(exc)
    except Exception:  # noqa: BLE001 - an error that cannot be pickled is described instead
        return SourceError(f"reading the file failed: {exc.__class__.__name__}: {exc}")
    return exc


class _Sender:
    """Pickles here, sends from a thread: the child validates the next chunk while a batch goes down the pipe."""

    def __init__(self, send: Connection, parent: int) -> None:
        self._send, self._parent = send, parent
        self._items: queue.Queue[bytes | None] = queue.Queue(QUEUE_CHUNKS)
        self._gone = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._items.get()
            if item is None:
                return
            try:
                self._send.send_bytes(item)
            except OSError:  # BrokenPipeError: the parent closed its end, or died
                self._gone.set()
                return

    def put(self, message: tuple[Any, ...]) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        while True:
            if self._gone.is_set() or os.getppid() != self._parent:
                raise _ParentGone()
            try:
                self._items.put(data, timeout=POLL_SECONDS)
                return
            except queue.Full:
                continue

    def finish(self) -> None:
        """Wait until everything queued has been sent (or the parent is gone)."""
        while not self._gone.is_set():
            try:
                self._items.put(None, timeout=POLL_SECONDS)
                break
            except queue.Full:
                if os.getppid() != self._parent:
                    return
        while self._thread.is_alive() and os.getppid() == self._parent:
            self._thread.join(POLL_SECONDS)
