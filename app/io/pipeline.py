"""The import pipeline, generic over the kind of record: read → validate → write, in chunks, in one transaction.

A file is read as a stream of chunks (``app.io.source.Chunk``: rows of raw values, each with its line); a chunk
validator turns each chunk into a *batch* of valid records and appends every bad row, with its line and reason, to
the ``Report``; a writer inserts the batches. In ``import_file`` reading and validating run in a producer thread
while the calling thread writes: validation of chunk n+1 overlaps the write of chunk n (SQLite releases the GIL
while it works), all inside one transaction that also holds the ``import_batches`` row and the audit entry — so a
cancel, an error, a kill or "bad rows and not --valid-only" leaves the store exactly as it was. Memory is bounded
by the rows kept: at most ``QUEUE_CHUNKS`` chunks are in flight, the report keeps at most ``MAX_ISSUES`` issues in
detail (it counts the rest), and a file whose first ``PREFIX_ROWS`` rows (or ``PREFIX_BYTES``) hold nothing that
can be a record is given up on with a clear message instead of being read to its end.

Plugging in a record kind (agencies, community posts, ...): describe it with a ``RecordKind``::

    AGENCIES = row_kind(
        "agencies",                             # `canvass import FILE --records agencies`
        fields=["name", "kind", "lat", "lon"],  # what a mapping may name (plus options such as "encoding")
        guess_mapping=guess_agency_mapping,     # source columns -> {"name": "Agency", "lat": "Y", ...}
        validate_row=agency_from_values,        # {field: raw value} -> record; raise ValueError("reason") to reject
        write_rows=insert_agencies,             # (conn, [records], batch_id) -> None, SQL in app/store
    )
    report, result = import_file(open_source(path), AGENCIES, mapping, conn, actor)

``row_kind`` builds the chunk validator from the per-row function; a kind that needs speed (cameras: numpy over
whole columns, see ``app.io.camera_import.CAMERAS``) gives its own ``new_validator``/``new_writer`` instead. The
validator may raise nothing for bad values: every problem is a ``RowIssue`` in the report, never a traceback.
"""

from __future__ import annotations

import contextlib
import gc
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence, Sized
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.core.records import to_iso, utc_now
from app.io.source import Chunk, Source, SourceError
from app.store import audit
from app.store import import_batches as batches
from app.store.db import connect, require_writable, transaction

Progress = Callable[[int, int], None]
Check = Callable[[], None]

MAX_ISSUES = 10_000      # bad rows (and notes) kept in detail; the rest are counted
SAMPLE_ROWS = 100        # valid rows kept as a sample of what will be stored (the preview shows them)
PREFIX_ROWS = 10_000     # give up on a file whose first rows hold nothing that can be a record ...
PREFIX_BYTES = 32 << 20  # ... or whose first 32 MB do not
QUEUE_CHUNKS = 2         # validated chunks waiting for the writer (memory bound)


class NothingToImport(ValueError):
    """Nothing to write: no valid rows."""


class ImportStopped(SourceError):
    """Reading stopped early: a bounded prefix of the file held nothing that can be a record."""


@dataclass(frozen=True)
class RowIssue:
    """A rejected row (or a note on an accepted one): where it is in the file and what is wrong."""

    line: int
    reason: str
    feature: int | None = None

    @property
    def where(self) -> str:
        return f"line {self.line}" + (f" (feature {self.feature})" if self.feature is not None else "")

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class Validation:
    """What a file holds under one mapping: how many rows, which are valid, every bad row and why (the report).

    chunks holds the valid batches only when they were kept (the preview writes them later); the streaming import
    writes them as they come and keeps none. bad/notes keep the first MAX_ISSUES; bad_count/notes_count count all.
    """

    file_name: str
    format: str
    sha256: str
    mapping: dict[str, Any]
    rows_total: int = 0
    chunks: list[Any] = field(default_factory=list)
    bad: list[RowIssue] = field(default_factory=list)
    notes: list[RowIssue] = field(default_factory=list)
    owners: list[Any] = field(default_factory=list)
    file_notes: list[str] = field(default_factory=list)
    records: str = "cameras"
    valid_count: int = 0
    bad_dropped: int = 0
    notes_dropped: int = 0
    sample: list[tuple[Any, ...]] = field(default_factory=list)
    sample_columns: list[str] = field(default_factory=list)
    stopped: str = ""  # why reading stopped before the end of the file ('' = it did not)

    @property
    def valid(self) -> int:
        return self.valid_count if self.valid_count else sum(len(c) for c in self.chunks)

    @property
    def bad_count(self) -> int:
        return len(self.bad) + self.bad_dropped

    @property
    def notes_count(self) -> int:
        return len(self.notes) + self.notes_dropped

    def trim(self) -> None:
        """Keep at most MAX_ISSUES issues of each sort in detail."""
        if len(self.bad) > MAX_ISSUES:
            self.bad_dropped += len(self.bad) - MAX_ISSUES
            del self.bad[MAX_ISSUES:]
        if len(self.notes) > MAX_ISSUES:
            self.notes_dropped += len(self.notes) - MAX_ISSUES
            del self.notes[MAX_ISSUES:]

    def summary(self) -> str:
        text = (f"{self.file_name} ({self.format}): {self.rows_total} rows, {self.valid} valid, "
                f"{self.bad_count} bad")
        if self.notes_count:
            text += f", {self.notes_count} with notes"
        return text

    def report_lines(self) -> Iterator[str]:
        """The validation report: counts, file notes, then one line per bad row ('line N: reason')."""
        yield self.summary()
        for note in self.file_notes:
            yield f"note: {note}"
        if self.stopped:
            yield f"stopped: {self.stopped}"
        for issue in self.bad:
            yield str(issue)
        if self.bad_dropped:
            yield f"... and {self.bad_dropped} more bad rows (only the first {MAX_ISSUES} are listed)"
        for issue in self.notes:
            yield f"{issue.where}: note: {issue.reason}"
        if self.notes_dropped:
            yield f"... and {self.notes_dropped} more notes"


Report = Validation


class ChunkValidator(Protocol):
    """Validates chunk after chunk (it may remember earlier chunks: duplicate ids)."""

    def feed(self, chunk: Chunk, report: Validation) -> Sized | None:
        """Append the chunk's bad rows and notes to the report, add its rows to rows_total; return the valid batch."""

    def file_notes(self) -> list[str]:
        """Remarks on the whole file once it has been read."""


class Writer(Protocol):
    def start(self, estimated_rows: int) -> None:
        """Called once, inside the transaction, before the first batch (drop indexes for a bulk load here)."""

    def write(self, batch: Any) -> None:  # noqa: ANN401 - the kind's own batch type
        ...

    def finish(self) -> dict[str, Any]:
        """Called once after the last batch (rebuild indexes); returns details for the audit entry."""


@dataclass(frozen=True)
class RecordKind:
    """What the pipeline needs to know about one kind of record."""

    name: str                                   # plural noun: "cameras", "agencies", "posts"
    fields: Sequence[str]
    guess_mapping: Callable[[list[str]], dict[str, Any]]
    check_mapping: Callable[[dict[str, Any], list[str]], None]
    new_validator: Callable[[dict[str, Any], list[str], sqlite3.Connection | None], ChunkValidator]
    new_writer: Callable[[sqlite3.Connection, int, str, Validation], Writer]
    sample_columns: Sequence[str] = ()
    sample_rows: Callable[[Any, int], list[tuple[Any, ...]]] | None = None  # (batch, limit) -> rows as stored


@dataclass
class ImportResult:
    batch_id: int
    imported: int
    rejected: int
    rows_total: int
    owners_created: int = 0
    first_id: int | None = None
    last_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    records: str = "cameras"

    def summary(self) -> str:
        text = f"Imported {self.imported} {self.records} (batch {self.batch_id})"
        if self.rejected:
            text += f"; {self.rejected} bad rows left out"
        if self.owners_created:
            text += f"; {self.owners_created} owners created"
        return text + "."


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
def _validated(source: Source, kind: RecordKind, validator: ChunkValidator, report: Validation,
               check: Check | None, progress: Progress | None, stop: threading.Event | None = None,
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
            for batch, _estimate in _validated(source, kind, validator, report, check, progress):
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


def import_file(source: Source, kind: RecordKind, mapping: dict[str, Any], conn: sqlite3.Connection, actor: str,
                *, valid_only: bool = False, progress: Progress | None = None, check: Check | None = None,
                ) -> tuple[Validation, ImportResult | None]:
    """Stream `source` into the store: validate in a producer thread, write here, one transaction.

    Returns the report and the result; the result is None (and nothing is written) when there are no valid rows,
    or when there are bad rows and valid_only is False. Raises MappingError, ImportStopped, SourceError, or the
    check's exception (Cancel) — the store is then unchanged.
    """
    kind.check_mapping(mapping, source.columns)
    require_writable(conn)  # refuse before reading the file, not after (transaction() checks again)
    report = new_report(source, kind, mapping)
    path = _db_file(conn)
    items: queue.Queue[Any] = queue.Queue(QUEUE_CHUNKS)
    stop = threading.Event()
    validator_box: list[ChunkValidator] = []

    def put(item: Any) -> None:  # noqa: ANN401
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def produce() -> None:
        lookup = connect(path, check_same_thread=False) if path else None
        try:
            # A connection of its own: it sees the store as it was before this import (WAL snapshot), so the
            # duplicate check against the registry never trips over the rows this import has just written.
            validator = kind.new_validator(mapping, source.columns, lookup)
            validator_box.append(validator)
            for batch, estimate in _validated(source, kind, validator, report, None, progress, stop):
                put(("batch", batch, estimate))
            put(("done", None, 0))
        except BaseException as exc:  # noqa: BLE001 - handed to the writer's thread, which raises it
            put(("error", exc, 0))
        finally:
            if lookup is not None:
                lookup.close()

    thread = threading.Thread(target=produce, name=f"import-{kind.name}", daemon=True)
    now = to_iso(utc_now())
    guard = _Guard(conn, check)
    result: ImportResult | None = None
    try:
        with _no_cyclic_gc(), _quick_gil_handover(), transaction(conn):
            try:
                thread.start()
                batch_id = batches.begin_batch(conn, source.path.name, source.format, actor, now)
                writer = kind.new_writer(conn, batch_id, now, report)
                started = False
                while True:
                    tag, value, estimate = items.get()
                    if tag == "error":
                        raise value
                    if tag == "done":
                        break
                    if value is None or not len(value):
                        continue
                    if not started:
                        writer.start(estimate)
                        started = True
                    writer.write(value)
                    if check is not None:
                        check()
                if validator_box:
                    report.owners = list(getattr(validator_box[0], "owners", []))
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
        stop.set()
        guard.close()
        thread.join()
    return report, result


class _Nothing(Exception):
    """Roll back: nothing is to be imported (the report says why)."""


def _db_file(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row and row[2] else ""


# --- a kind from a per-row validator -------------------------------------------------------------------------
@dataclass
class RowBatch:
    records: list[Any]

    def __len__(self) -> int:
        return len(self.records)


class _RowValidator:
    def __init__(self, mapping: dict[str, Any], columns: list[str], fields: Sequence[str],
                 validate_row: Callable[[dict[str, Any]], Any]) -> None:
        index = {c: i for i, c in enumerate(columns)}
        self._picks: list[tuple[str, list[int]]] = []
        for fld in fields:
            value = mapping.get(fld)
            names = [value] if isinstance(value, str) else list(value or [])
            self._picks.append((fld, [index[n] for n in names if n in index]))
        self._validate = validate_row

    def feed(self, chunk: Chunk, report: Validation) -> RowBatch:
        out: list[Any] = []
        for i, row in enumerate(chunk.rows):
            if i in chunk.blank:
                continue
            report.rows_total += 1
            feature = chunk.features[i] if chunk.features is not None else None
            if i in chunk.problems:
                report.bad.append(RowIssue(chunk.line(i), chunk.problems[i], feature))
                continue
            values: dict[str, Any] = {}
            for fld, idx in self._picks:
                values[fld] = next((row[j] for j in idx if row[j] not in (None, "")), None) if idx else None
            try:
                out.append(self._validate(values))
            except (ValueError, TypeError, OverflowError) as exc:
                report.bad.append(RowIssue(chunk.line(i), str(exc) or exc.__class__.__name__, feature))
        return RowBatch(out)

    def file_notes(self) -> list[str]:
        return []


class _RowWriter:
    def __init__(self, conn: sqlite3.Connection, batch_id: int,
                 write_rows: Callable[[sqlite3.Connection, list[Any], int], None]) -> None:
        self.conn, self.batch_id, self._write = conn, batch_id, write_rows
        self.count = 0

    def start(self, estimated_rows: int) -> None:
        pass

    def write(self, batch: RowBatch) -> None:
        self._write(self.conn, batch.records, self.batch_id)
        self.count += len(batch)

    def finish(self) -> dict[str, Any]:
        return {"written": self.count}


def row_kind(name: str, *, fields: Sequence[str], guess_mapping: Callable[[list[str]], dict[str, Any]],
             validate_row: Callable[[dict[str, Any]], Any],
             write_rows: Callable[[sqlite3.Connection, list[Any], int], None],
             check_mapping: Callable[[dict[str, Any], list[str]], None] | None = None,
             sample_columns: Sequence[str] = (),
             sample_row: Callable[[Any], tuple[Any, ...]] | None = None) -> RecordKind:
    """A RecordKind validated row by row: validate_row({field: raw value}) returns the record or raises ValueError."""

    def check(mapping: dict[str, Any], columns: list[str]) -> None:
        from app.io.mapping import MappingError, columns_of

        for key, value in mapping.items():
            if key in ("encoding",):
                continue
            if key not in fields:
                raise MappingError(f"unknown field {key!r} in the mapping (fields: {', '.join(fields)})")
            for col in columns_of(value):
                if col not in columns:
                    raise MappingError(f"column {col!r} (mapped to {key}) is not in the file; its columns are: "
                                       + ", ".join(columns))
        if check_mapping is not None:
            check_mapping(mapping, columns)

    def sample(batch: RowBatch, limit: int) -> list[tuple[Any, ...]]:
        return [sample_row(r) for r in batch.records[:limit]] if sample_row is not None else []

    return RecordKind(
        name, list(fields), guess_mapping, check,
        lambda mapping, columns, _conn: _RowValidator(mapping, columns, fields, validate_row),
        lambda conn, batch_id, _now, _report: _RowWriter(conn, batch_id, write_rows),
        tuple(sample_columns), sample if sample_row is not None else None)
