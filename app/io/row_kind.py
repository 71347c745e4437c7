"""A record kind of the import pipeline validated row by row (agencies, posts, ...): ``row_kind`` builds the chunk
validator and writer from a per-row function, see ``app.io.pipeline`` for how a kind is used."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.io.pipeline_types import RecordKind, RowIssue, Validation
from app.io.source import Chunk


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
