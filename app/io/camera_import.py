"""Cameras as a record kind of the import pipeline (app.io.pipeline): their validator, writer and sample rows.

The valid rows, their owners, the import_batches row and the audit entry land together in one transaction, so
Cancel (the check callback raising, also from inside a long statement via SQLite's progress handler) or a killed
process leaves the store exactly as it was. When an import into an empty or small registry is expected to at least
double it, the cameras table's indexes are dropped and built once at the end (app.store.camera_bulk).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable
from typing import Any

from app.core.records import Consent, ContactPreference, Owner
from app.io.camera_columns import ValidChunk
from app.io.mapping import check_mapping, guess_mapping
from app.io.pipeline import import_file, validate_file, write_validation
from app.io.pipeline_types import (  # noqa: F401 - ImportResult and NothingToImport are part of this module's interface
    ImportResult,
    NothingToImport,
    RecordKind,
    Validation,
)
from app.io.source import Source
from app.io.validate import ChunkValidator
from app.store import camera_bulk
from app.store.cameras import any_external_ids
from app.store.owners import add_owner

REBUILD_INDEXES_FROM = 50_000
Progress = Callable[[int, int], None]

SAMPLE_COLUMNS = ["id in file", "lat", "lon", "kind", "heading °", "fov °", "range m", "retention d", "label"]


class CameraWriter:
    """Writes ValidChunks; creates each owner the first time a valid row refers to it."""

    def __init__(self, conn: sqlite3.Connection, batch_id: int, now: str, report: Validation) -> None:
        self.conn, self.batch_id, self.now = conn, batch_id, now
        self.owner_ids: dict[int, int] = {}
        self.rebuild: list[str] = []
        self.before_max = 0
        self.with_owner: bool | None = None

    def start(self, estimated_rows: int) -> None:
        existing, self.before_max = camera_bulk.counts(self.conn)
        if estimated_rows >= max(REBUILD_INDEXES_FROM, existing):
            self.rebuild = camera_bulk.drop_indexes(self.conn)

    def _owners(self, chunk: ValidChunk) -> list[int | None] | None:
        if chunk.owner is None or chunk.owner_specs is None:
            return None
        out: list[int | None] = []
        for index in chunk.owner:
            if index < 0:
                out.append(None)
                continue
            oid = self.owner_ids.get(index)
            if oid is None:
                spec = chunk.owner_specs[index]
                preference = ContactPreference.EMAIL if spec.email else (
                    ContactPreference.PHONE if spec.phone else ContactPreference.NONE)
                oid = add_owner(self.conn, Owner(None, spec.display_name, spec.email, spec.phone, "", preference,
                                                 Consent(spec.consent)), created_at=self.now)
                self.owner_ids[index] = oid
            out.append(oid)
        return out

    def write(self, chunk: ValidChunk) -> None:
        owners = self._owners(chunk)
        if self.with_owner is None:
            self.with_owner = owners is not None
        columns: list[Any] = [chunk.external_id, chunk.lat, chunk.lon, chunk.kind, chunk.heading_deg, chunk.fov_deg,
                              chunk.range_m, chunk.retention_days, chunk.label]
        if owners is not None:
            columns.append(owners)
        camera_bulk.insert_columns(self.conn, columns, len(chunk), self.batch_id, self.now, owners is not None)

    def finish(self) -> dict[str, Any]:
        camera_bulk.create_indexes(self.conn, self.rebuild)
        after_max = camera_bulk.max_id(self.conn)
        return {"owners_created": len(self.owner_ids), "camera_ids": [self.before_max + 1, after_max]}


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def sample_rows(chunk: ValidChunk, limit: int) -> list[tuple[Any, ...]]:
    """The first rows of a valid chunk as the store will hold them."""
    out = []
    for i in range(min(limit, len(chunk))):
        retention = _number(chunk.retention_days[i])
        out.append((chunk.external_id[i], float(chunk.lat[i]), float(chunk.lon[i]), chunk.kind[i],
                    _number(chunk.heading_deg[i]), _number(chunk.fov_deg[i]), _number(chunk.range_m[i]),
                    None if retention is None else int(retention), chunk.label[i]))
    return out


CAMERAS = RecordKind(
    "cameras",
    fields=["location", "lat", "lon", "kind", "heading_deg", "fov_deg", "range_m", "retention_days", "external_id",
            "label", "owner_name", "owner_email", "owner_phone", "owner_consent"],
    guess_mapping=guess_mapping,
    check_mapping=check_mapping,
    new_validator=lambda mapping, columns, conn: ChunkValidator.for_mapping(mapping, columns, conn),
    new_writer=CameraWriter,
    sample_columns=SAMPLE_COLUMNS,
    sample_rows=sample_rows,
    reads_store=any_external_ids,  # the duplicate-id check against the registry (app.io.camera_ids)
)


def write_import(conn: sqlite3.Connection, validation: Validation, actor: str, *, progress: Progress | None = None,
                 check: Callable[[], None] | None = None) -> ImportResult:
    """Insert every valid row a kept validation holds (source 'imported'), its owners, a batch row, an audit entry."""
    return write_validation(conn, CAMERAS, validation, actor, progress=progress, check=check)


def validate_source(source: Source, mapping: dict[str, Any], conn: sqlite3.Connection | None = None,
                    progress: Progress | None = None, check: Callable[[], None] | None = None) -> Validation:
    """Read and validate every camera row, keeping the valid ones (the preview). conn: also reject ids already in
    that store. The pipeline does the reading (app.io.pipeline.validate_file)."""
    return validate_file(source, CAMERAS, mapping, conn, progress, check, keep=True)


__all__ = ["CAMERAS", "ImportResult", "NothingToImport", "import_file", "validate_source", "write_import"]
