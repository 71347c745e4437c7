"""The import pipeline, generic over the kind of record: read → validate → write, in chunks, in one transaction.

A file is read as a stream of chunks (``app.io.source.Chunk``: rows of raw values, each with its line); a chunk
validator turns each chunk into a *batch* of valid records and appends every bad row, with its line and reason, to
the ``Report``; a writer inserts the batches. In ``import_file`` reading and validating run in a producer (a
forked child process for a large file, app.io.pipeline_process; a thread otherwise) while the calling thread
writes: validation of chunk n+1 overlaps the write of chunk n, all inside one transaction that also holds the
``import_batches`` row and the audit entry — so a cancel, an error, a kill or "bad rows and not --valid-only"
leaves the store exactly as it was. Memory is bounded by the rows kept: at most ``QUEUE_CHUNKS`` chunks are in
flight, the report keeps at most ``MAX_ISSUES`` issues in detail (it counts the rest), and a file whose first
``PREFIX_ROWS`` rows (or ``PREFIX_BYTES``) hold nothing that can be a record is given up on with a clear message
instead of being read to its end.

Plugging in a record kind (agencies, community posts, ...): describe it with a ``RecordKind``
(``app.io.pipeline_types``, with the report and result types)::

    AGENCIES = row_kind(
        "agencies",                             # `canvass import FILE --records agencies`
        fields=["name", "kind", "lat", "lon"],  # what a mapping may name (plus options such as "encoding")
        guess_mapping=guess_agency_mapping,     # source columns -> {"name": "Agency", "lat": "Y", ...}
        validate_row=agency_from_values,        # {field: raw value} -> record; raise ValueError("reason") to reject
        write_rows=insert_agencies,             # (conn, [records], batch_id) -> None, SQL in app/store
    )
    report, result = import_file(open_source(path), AGENCIES, mapping, conn, actor)

``row_kind`` (``app.io.row_kind``) builds the chunk validator from the per-row function; a kind that needs speed
(cameras: numpy over whole columns, see ``app.io.camera_import.CAMERAS``) gives its own ``new_validator``/``new_writer``
instead. The validator may raise nothing for bad values: every problem is a ``RowIssue`` in the report, never
a traceback.
"""

from __future__ import annotations

import contextlib
import gc
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

from app.core.records import to_iso, utc_now
from app.io import pipeline_process
from app.io.pipeline_types import (
    SAMPLE_ROWS,
    ChunkValidator,
    ImportResult,
    ImportStopped,
    NothingToImport,
    RecordKind,
    Validation,
    Writer,
)
from app.io.source import Source
from app.store import audit
from app.store import import_batches as batches
from app.store.db import connect, require_writable, transaction

Progress = Callable[[int, int], None]
Check = Callable[[], None]

PREFIX_ROWS = 10_000     # give up on a file whose first rows hold nothing that can be a record ...
PREFIX_BYTES = 32 << 20  # ... or whose first 32 MB do not
QUEUE_CHUNKS = 2         # validated chunks waiting for the writer (memory bound)


@contextlib.contextmanager
def _quick_gil_handover() -> Iterator[None]:
    """The writer releases the GIL while SQLite inserts and must get it back soon: with the default 5 ms switch
    interval the validating thread would keep it that long after every statement."""
    import sys

    old = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Millions of short-lived lists: the cyclic GC would rescan them over and over (none of them form cycles)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- reading and validating ------------------------------------------------------------------------------------
def validated(source: Source, kind: RecordKind, validator: ChunkValidator, report: Validation,
              check: Check | None = None, progress: Progress | None = None, stop: threading.Event | None = None,
              ) -> Iterator[tuple[Any, int]]:
    """(valid batch, estimated rows in the file) per chunk, filling the report as it goes."""
    read_rows = 0
    for chunk in source.chunks():
        if check is not None:
            check()
        if stop is not None and stop.is_set():
            return
        batch = validator.feed(chunk, report)
        read_rows += len(chunk.rows)
        n = len(batch) if batch is not None else 0
        report.valid_count += n
        report.trim()
        if n and kind.sample_rows is not None and len(report.sample) < SAMPLE_ROWS:
            report.sample.extend(kind.sample_rows(batch, SAMPLE_ROWS - len(report.sample)))
        if progress is not None:
            progress(source.progress.done_bytes, source.progress.total_bytes)
        done = source.progress.done_bytes
        # "Could be a record": valid, or refused only for what the store already holds (a kind's validator may
        # count those as `plausible`: a camera with a usable location that is a duplicate is still a camera).
        usable = report.valid_count + getattr(validator, "plausible", 0)
        if usable == 0 and (report.rows_total >= PREFIX_ROWS or done >= PREFIX_BYTES):
            top = report.bad[0].reason if report.bad else "no rows"
            report.stopped = (f"none of the first {report.rows_total:,} rows ({done / 1e6:.1f} MB) can be one of "
                              f"the {kind.name} (first reason: {top}); the rest of the file was not read")
            raise ImportStopped(f"{source.path.name}: {report.stopped}.")
        estimate = int(source.progress.total_bytes / done * read_rows) if done else read_rows
        yield batch, estimate
    report.sha256 = source.sha256
    report.file_notes = list(source.notes) + validator.file_notes()


def new_report(source: Source, kind: RecordKind, mapping: dict[str, Any]) -> Validation:
    return Validation(source.path.name, source.format, "", dict(mapping), records=kind.name,
                      sample_columns=list(kind.sample_columns))


def validate_file(source: Source, kind: RecordKind, mapping: dict[str, Any], conn: sqlite3.Connection | None = None,
                  progress: Progress | None = None, check: Check | None = None, keep: bool = True) -> Validation:
    """Read and validate every row without writing (the preview); keep=True keeps the valid batches to write later.

    conn (optional): also reject ids already in that store. Raises MappingError for an unusable mapping and
    ImportStopped when a bounded prefix holds nothing usable (report.stopped says why; the report is on the error).
    """
    kind.check_mapping(mapping, source.columns)
    validator = kind.new_validator(mapping, source.columns, conn)
    report = new_report(source, kind, mapping)
    try:
        with _no_cyclic_gc():
            for batch, _estimate in validated(source, kind, validator, report, check, progress):
                if keep and batch is not None and len(batch):
                    report.chunks.append(batch)
    except ImportStopped as exc:
        exc.report = report  # type: ignore[attr-defined]
        raise
    report.owners = list(getattr(validator, "owners", []))
    return report


# --- writing -----------------------------------------------------------------------------------------------------
class _Guard:
    """Lets a long statement be interrupted by Cancel: SQLite's progress handler calls check()."""

    def __init__(self, conn: sqlite3.Connection, check: Check | None) -> None:
        self.conn, self.check = conn, check
        self.interrupted: BaseException | None = None
        conn.set_progress_handler(self._on_progress, 200_000)

    def _on_progress(self) -> int:
        if self.check is None:
            return 0
        try:
            self.check()
        except BaseException as exc:  # noqa: BLE001 - re-raised by reraise() after SQLite aborts the statement
            self.interrupted = exc
            return 1
        return 0

    def reraise(self) -> None:
        """Inside `except sqlite3.OperationalError`: raise what interrupted the statement, if it was us."""
        if self.interrupted is not None:
            raise self.interrupted from None

    def close(self) -> None:
        self.conn.set_progress_handler(None, 0)


def _finish(conn: sqlite3.Connection, kind: RecordKind, report: Validation, batch_id: int, writer: Writer,
            actor: str) -> ImportResult:
    details = writer.finish()
    imported = report.valid
    batches.finish_batch(conn, batch_id, report.sha256, report.rows_total, imported, report.bad_count)
    full = {"file": report.file_name, "format": report.format, "sha256": report.sha256, "records": kind.name,
            "rows_total": report.rows_total, "imported": imported, "rejected": report.bad_count, **details,
            "mapping": report.mapping}
    audit.append(conn, actor, "import", f"import_batch:{batch_id}", full)
    ids = details.get("camera_ids") or details.get("ids") or [None, None]
    return ImportResult(batch_id, imported, report.bad_count, report.rows_total,
                        int(details.get("owners_created", 0)), ids[0], ids[1], full, kind.name)


def write_validation(conn: sqlite3.Connection, kind: RecordKind, report: Validation, actor: str, *,
                     progress: Progress | None = None, check: Check | None = None) -> ImportResult:
    """Write the batches a validate_file(keep=True) report kept: the preview's Import button."""
    total = report.valid
    if total == 0:
        raise NothingToImport(f"{report.file_name} has no valid rows to import.")
    require_writable(conn)  # the store's own gate (a store that failed its check takes no writes)
    now = to_iso(utc_now())
    guard = _Guard(conn, check)
    try:
        with _no_cyclic_gc(), transaction(conn):
            try:
                batch_id = batches.begin_batch(conn, report.file_name, report.format, actor, now)
                writer = kind.new_writer(conn, batch_id, now, report)
                writer.start(total)
                done = 0
                for batch in report.chunks:
                    writer.write(batch)
                    done += len(batch)
                    if check is not None:
                        check()
                    if progress is not None:
                        progress(done, total)
                return _finish(conn, kind, report, batch_id, writer, actor)
            except sqlite3.OperationalError:
                guard.reraise()
                raise
    finally:
        guard.close()


class _Producer:
    """Reads and validates in a thread of its own: ("batch", batch, estimated rows) items through a bounded queue."""

    def __init__(self, source: Source, kind: RecordKind, mapping: dict[str, Any], db_path: str) -> None:
        self._items: queue.Queue[Any] = queue.Queue(QUEUE_CHUNKS)
        self._stop = threading.Event()
        self._args = (source, kind, mapping, db_path)
        self._thread: threading.Thread | None = None

    def _put(self, item: Any) -> None:  # noqa: ANN401
        while not self._stop.is_set():
            try:
                self._items.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _produce(self, report: Validation, progress: Progress | None) -> None:
        source, kind, mapping, path = self._args
        lookup = connect(path, check_same_thread=False) if path else None
        try:
            # A connection of its own: it sees the store as it was before this import (WAL snapshot), so the
            # duplicate check against the registry never trips over the rows this import has just written.
            validator = kind.new_validator(mapping, source.columns, lookup)
            for batch, estimate in validated(source, kind, validator, report, None, progress, self._stop):
                self._put(("batch", batch, estimate))
            report.owners = list(getattr(validator, "owners", []))
            self._put(("done", None, 0))
        except BaseException as exc:  # noqa: BLE001 - handed to the writer's thread, which raises it
            self._put(("error", exc, 0))
        finally:
            if lookup is not None:
                lookup.close()

    def items(self, report: Validation, check: Check | None, progress: Progress | None) -> Iterator[tuple[Any, int]]:
        self._thread = threading.Thread(target=self._produce, args=(report, progress),
                                        name=f"import-{self._args[1].name}", daemon=True)
        self._thread.start()
        while True:
            tag, value, estimate = self._items.get()
            if tag == "error":
                raise value
            if tag == "done":
                return
            yield value, estimate

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def import_file(source: Source, kind: RecordKind, mapping: dict[str, Any], conn: sqlite3.Connection, actor: str,
                *, valid_only: bool = False, progress: Progress | None = None, check: Check | None = None,
                reader: str | None = None) -> tuple[Validation, ImportResult | None]:
    """Stream `source` into the store: read and validate in a producer, write here, one transaction.

    The producer is a forked child process for a large file where that is safe (app.io.pipeline_process: reading
    and validating then run on the other core, free of this process's GIL), else a thread; reader="process" or
    "thread" chooses (a process only for an import that reads nothing of the store). Returns the report and the
    result; the result is None (and nothing is written) when there are no valid rows, or when there are bad rows
    and valid_only is False. Raises MappingError, ImportStopped, SourceError, or the check's exception (Cancel) —
    the store is then unchanged.
    """
    kind.check_mapping(mapping, source.columns)
    require_writable(conn)  # refuse before reading the file, not after (transaction() checks again)
    report = new_report(source, kind, mapping)
    path = _db_file(conn)
    # A forked reader must not use SQLite, so it reads only imports that need nothing of the store (a first bulk
    # load of cameras); the others are read by a thread with a connection of its own.
    store_free = kind.reads_store is not None and not kind.reads_store(conn)
    in_process = store_free and (pipeline_process.wanted(source) if reader is None else reader == "process")
    producer: _Producer | pipeline_process.ProcessProducer = (
        pipeline_process.ProcessProducer(source, kind, mapping, report, validated) if in_process
        else _Producer(source, kind, mapping, path))
    now = to_iso(utc_now())
    guard = _Guard(conn, check)
    result: ImportResult | None = None
    try:
        # the quick GIL hand-over matters only when a thread reads beside this one
        handover = contextlib.nullcontext() if in_process else _quick_gil_handover()
        with _no_cyclic_gc(), handover, transaction(conn):
            try:
                batch_id = batches.begin_batch(conn, source.path.name, source.format, actor, now)
                writer = kind.new_writer(conn, batch_id, now, report)
                started = False
                for batch, estimate in producer.items(report, check, progress):
                    if batch is None or not len(batch):
                        continue
                    if not started:
                        writer.start(estimate)
                        started = True
                    writer.write(batch)
                    if check is not None:
                        check()
                if report.valid == 0 or (report.bad_count and not valid_only):
                    raise _Nothing()
                if not started:
                    writer.start(0)
                result = _finish(conn, kind, report, batch_id, writer, actor)
            except sqlite3.OperationalError:
                guard.reraise()
                raise
    except _Nothing:
        result = None
    except ImportStopped as exc:
        exc.report = report  # type: ignore[attr-defined]
        raise
    finally:
        guard.close()
        producer.close()
    return report, result


class _Nothing(Exception):
    """Roll back: nothing is to be imported (the report says why)."""


def _db_file(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row and row[2] else ""
