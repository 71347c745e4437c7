"""Import of agency lists and community posts: the camera importer's machinery (readers, column mapping,
line-numbered reasons, all-or-nothing writing), driven by a record-kind spec with a plain per-row function.

    spec = SPECS["agencies"]
    source = open_source(path)
    mapping = merge_mapping(spec.guess(source.columns), overrides)
    validation = validate_records(spec, source, mapping, conn)      # nothing written yet
    for line in validation.report_lines(): print(line)
    write_records(conn, validation, actor)                           # one transaction: rows, batch, audit entry

A spec names its fields, the column names each field is guessed from, and a row function: a dict of the row's raw
values (field -> str, '' when empty) in, a record out, or ValueError whose message is the reason the row is
rejected. Several columns may feed one field (a list in the mapping): for most fields the first non-empty wins;
fields in `joined` (a post's date + time, a post's text from several columns) join the non-empty values.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from app.core.records import to_iso, utc_now
from app.io.mapping import MappingError, columns_of
from app.io.readers import Source
from app.io.validate import RowIssue
from app.io.values import is_empty, show
from app.store import audit
from app.store.db import transaction

RowFn = Callable[[dict[str, str], "RowContext"], Any]
WriteFn = Callable[[sqlite3.Connection, list[Any], int], list[int]]


@dataclass
class RowContext:
    """What a row function may consult: the options, the store (duplicates), per-file memory, and notes."""

    options: dict[str, Any]
    conn: sqlite3.Connection | None
    seen: dict[Any, int] = field(default_factory=dict)   # a key of an earlier row -> its line
    line: int = 0
    notes: list[str] = field(default_factory=list)       # notes on the current row (accepted with a remark)
    tallies: dict[str, int] = field(default_factory=dict)  # file-level counts for the report

    def count(self, what: str) -> None:
        self.tallies[what] = self.tallies.get(what, 0) + 1


@dataclass(frozen=True)
class RecordSpec:
    kind: str                       # "agencies" | "posts" (the --records value)
    noun: str                       # "agencies", "posts": for messages
    fields: tuple[str, ...]
    labels: dict[str, str]
    candidates: dict[str, list[str]]
    options: dict[str, Any]         # option -> default
    row: RowFn
    write: WriteFn
    required: tuple[tuple[str, ...], ...] = ()  # each tuple: at least one of these fields must be mapped
    joined: dict[str, str] = field(default_factory=dict)  # field -> separator
    multi: frozenset[str] = frozenset()  # fields guessed from every matching column (e.g. date + time)
    file_notes: Callable[[RowContext], list[str]] | None = None
    prepare: Callable[[dict[str, Any]], None] | None = None  # checks/derives options once; raises MappingError

    def guess(self, columns: list[str]) -> dict[str, Any]:
        by_norm: dict[str, str] = {}
        for col in columns:
            by_norm.setdefault(_norm(col), col)
        mapping: dict[str, Any] = {}
        used: set[str] = set()
        for fld, names in self.candidates.items():
            hits = [by_norm[n] for n in names if n in by_norm and by_norm[n] not in used]
            if not hits:
                continue
            value: Any = hits if fld in self.multi and len(hits) > 1 else hits[0]
            mapping[fld] = value
            used.update(hits if isinstance(value, list) else [value])
        return mapping

    def check(self, mapping: dict[str, Any], columns: list[str]) -> None:
        for key, value in mapping.items():
            if key in self.options or key == "encoding":
                continue
            if key not in self.fields:
                raise MappingError(f"unknown field {key!r} for {self.noun} (fields: {', '.join(self.fields)}; "
                                   f"options: {', '.join(self.options)})")
            for col in columns_of(value):
                if col not in columns:
                    raise MappingError(f"column {col!r} (mapped to {key}) is not in the file; its columns are: "
                                       + ", ".join(columns))
        for group in self.required:
            if not any(columns_of(mapping.get(f)) for f in group):
                raise MappingError(f"no column mapped to {' or '.join(group)}: {self.noun} need it")


def _norm(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


@dataclass
class RecordValidation:
    """What would be imported and what not, and why. records[i] came from lines[i]."""

    spec: RecordSpec
    file_name: str
    format: str
    sha256: str
    mapping: dict[str, Any]
    rows_total: int = 0
    records: list[Any] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    bad: list[RowIssue] = field(default_factory=list)
    notes: list[RowIssue] = field(default_factory=list)
    file_notes: list[str] = field(default_factory=list)

    @property
    def valid(self) -> int:
        return len(self.records)

    def summary(self) -> str:
        text = (f"{self.file_name} ({self.format}, {self.spec.noun}): {self.rows_total} rows, {self.valid} valid, "
                f"{len(self.bad)} bad")
        if self.notes:
            text += f", {len(self.notes)} with notes"
        return text

    def report_lines(self) -> Iterator[str]:
        yield self.summary()
        for note in self.file_notes:
            yield f"note: {note}"
        for issue in self.bad:
            yield str(issue)
        for issue in self.notes:
            yield f"{issue.where}: note: {issue.reason}"


def _values(row: list[Any], plan: dict[str, list[int]], joined: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for fld, idx in plan.items():
        parts = ["" if is_empty(row[j]) else str(row[j]).strip() for j in idx]
        if fld in joined:
            out[fld] = joined[fld].join(p for p in parts if p)
        else:
            out[fld] = next((p for p in parts if p), "")
    return out


def validate_records(spec: RecordSpec, source: Source, mapping: dict[str, Any],
                     conn: sqlite3.Connection | None = None, progress: Callable[[int, int], None] | None = None,
                     check: Callable[[], None] | None = None) -> RecordValidation:
    """Read and judge every row (nothing is written). Raises MappingError for a mapping that cannot be used."""
    spec.check(mapping, source.columns)
    index = {c: i for i, c in enumerate(source.columns)}
    plan = {f: [index[c] for c in columns_of(mapping.get(f))] for f in spec.fields if columns_of(mapping.get(f))}
    options = {k: mapping.get(k, default) for k, default in spec.options.items()}
    if spec.prepare is not None:
        spec.prepare(options)
    ctx = RowContext(options, conn)
    result = RecordValidation(spec, source.path.name, source.format, "", dict(mapping))
    for chunk in source.chunks():
        if check is not None:
            check()
        for i, row in enumerate(chunk.rows):
            if i in chunk.blank:
                continue
            result.rows_total += 1
            line = chunk.line(i)
            feature = chunk.features[i] if chunk.features is not None else None
            if i in chunk.problems:
                result.bad.append(RowIssue(line, chunk.problems[i], feature))
                continue
            ctx.line, ctx.notes = line, []
            try:
                record = spec.row(_values(row, plan, spec.joined), ctx)
            except ValueError as exc:
                result.bad.append(RowIssue(line, str(exc), feature))
                continue
            result.records.append(record)
            result.lines.append(line)
            result.notes.extend(RowIssue(line, n, feature) for n in ctx.notes)
        if progress is not None:
            progress(source.progress.done_bytes, source.progress.total_bytes)
    result.sha256 = source.sha256
    result.file_notes = list(source.notes) + (spec.file_notes(ctx) if spec.file_notes else [])
    return result


class NothingToImport(ValueError):
    pass


@dataclass
class RecordImportResult:
    batch_id: int
    imported: int
    rejected: int
    ids: list[int]
    noun: str

    def summary(self) -> str:
        text = f"Imported {self.imported} {self.noun} (batch {self.batch_id})"
        if self.rejected:
            text += f"; {self.rejected} bad rows left out"
        return text + "."


def write_records(conn: sqlite3.Connection, validation: RecordValidation, actor: str) -> RecordImportResult:
    """Every valid record, the import_batches row and the audit entry, in one transaction (or nothing)."""
    if validation.valid == 0:
        raise NothingToImport(f"{validation.file_name} has no valid rows to import.")
    now = to_iso(utc_now())
    spec = validation.spec
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO import_batches (file_name, format, sha256, rows_total, rows_imported, rows_rejected, "
            "imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (validation.file_name, f"{validation.format}:{spec.kind}", validation.sha256, validation.rows_total,
             validation.valid, len(validation.bad), now, actor))
        batch_id = int(cur.lastrowid)
        ids = spec.write(conn, validation.records, batch_id)
        audit.append(conn, actor, f"import_{spec.kind}", f"import_batch:{batch_id}", {
            "file": validation.file_name, "format": validation.format, "records": spec.kind,
            "sha256": validation.sha256, "rows_total": validation.rows_total, "imported": validation.valid,
            "rejected": len(validation.bad), "mapping": json.loads(json.dumps(validation.mapping, default=str))})
    return RecordImportResult(batch_id, validation.valid, len(validation.bad), ids, spec.noun)


def number(text: str, what: str) -> float | None:
    """None for empty; ValueError naming the value for text that is not a number."""
    if not text:
        return None
    try:
        return float(text.replace(",", ".") if text.count(",") == 1 and "." not in text else text)
    except ValueError:
        raise ValueError(f"{what} {show(text)} is not a number") from None
