"""The record kinds `canvass import --records` and the import dialogs know, as kinds of the import pipeline
(app.io.pipeline): cameras have their own columnar kind; agencies and posts are RecordSpecs (app.io.record_import:
a per-row function with options, joined columns, duplicate memory and notes) adapted here, so they stream, stay
all-or-nothing in one transaction and report exactly like the camera import."""

from __future__ import annotations

import sqlite3
from collections.abc import Sized
from typing import Any

from app.io import agency_records, post_records
from app.io.pipeline_types import RecordKind, RowIssue, Validation
from app.io.record_import import RecordSpec, RowContext, row_values
from app.io.row_kind import RowBatch
from app.io.source import Chunk

SPECS: dict[str, RecordSpec] = {"agencies": agency_records.SPEC, "posts": post_records.SPEC}
RECORD_KINDS = ("cameras", *SPECS)


class _SpecValidator:
    def __init__(self, spec: RecordSpec, mapping: dict[str, Any], columns: list[str],
                 conn: sqlite3.Connection | None) -> None:
        self.spec = spec
        self.plan, options = spec.plan(mapping, columns)
        self.ctx = RowContext(options, conn)

    def feed(self, chunk: Chunk, report: Validation) -> Sized:
        out: list[Any] = []
        ctx, spec = self.ctx, self.spec
        for i, row in enumerate(chunk.rows):
            if i in chunk.blank:
                continue
            report.rows_total += 1
            line = chunk.line(i)
            feature = chunk.features[i] if chunk.features is not None else None
            if i in chunk.problems:
                report.bad.append(RowIssue(line, chunk.problems[i], feature))
                continue
            ctx.line, ctx.notes = line, []
            try:
                out.append(spec.row(row_values(row, self.plan, spec.joined), ctx))
            except ValueError as exc:
                report.bad.append(RowIssue(line, str(exc), feature))
                continue
            report.notes.extend(RowIssue(line, n, feature) for n in ctx.notes)
        return RowBatch(out)

    def file_notes(self) -> list[str]:
        return self.spec.file_notes(self.ctx) if self.spec.file_notes else []


class _SpecWriter:
    def __init__(self, spec: RecordSpec, conn: sqlite3.Connection, batch_id: int) -> None:
        self.spec, self.conn, self.batch_id = spec, conn, batch_id
        self.ids: list[int] = []

    def start(self, estimated_rows: int) -> None:
        pass

    def write(self, batch: RowBatch) -> None:
        self.ids.extend(self.spec.write(self.conn, batch.records, self.batch_id))

    def finish(self) -> dict[str, Any]:
        return {"ids": [min(self.ids), max(self.ids)]} if self.ids else {}


def pipeline_kind(spec: RecordSpec) -> RecordKind:
    def check(mapping: dict[str, Any], columns: list[str]) -> None:
        spec.plan(mapping, columns)  # raises MappingError for unknown fields/columns/options

    return RecordKind(spec.kind, list(spec.fields), spec.guess, check,
                      lambda mapping, columns, conn: _SpecValidator(spec, mapping, columns, conn),
                      lambda conn, batch_id, _now, _report: _SpecWriter(spec, conn, batch_id))


KINDS: dict[str, RecordKind] = {name: pipeline_kind(spec) for name, spec in SPECS.items()}


def record_kind(name: str) -> RecordKind:
    if name == "cameras":
        from app.io.camera_import import CAMERAS

        return CAMERAS
    return KINDS[name]
