"""The import pipeline's vocabulary: what a record kind must provide (``RecordKind``: its validator and writer
protocols) and what a run produces (``Validation``, the report of every bad row; ``ImportResult``; the errors).

The run itself (read → validate → write, threaded, one transaction) is ``app.io.pipeline``; a kind validated row by
row is built with ``app.io.row_kind.row_kind``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence, Sized
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.io.source import Chunk, SourceError

MAX_ISSUES = 10_000      # bad rows (and notes) kept in detail; the rest are counted
SAMPLE_ROWS = 100        # valid rows kept as a sample of what will be stored (the preview shows them)


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
    # Whether validating a file against this store reads the store (cameras: only when it holds ids to collide
    # with). None: it may. Only an import that reads nothing of the store is read by a forked process, which must
    # not use SQLite (app.io.pipeline_process).
    reads_store: Callable[[sqlite3.Connection], bool] | None = None


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

