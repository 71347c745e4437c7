"""The registry (or a selection of it) as CSV or GeoJSON. No Qt; no owner contact details, ever.

An owner appears only as their public pseudonym ("Neighbor #n") and consent state, and a label that names an
address is withheld beside it (app.core.labels); a role that may not see owners' contacts gets no free-text label
at all. Files are private to the user (0600), written to a temporary name beside the target and renamed into
place, so a cancelled or failed export leaves no partial file; CSV cells cannot run as spreadsheet formulas.
The audit chain head the export was made at goes with it: a `NAME.chain-head.json` beside a CSV, an
`audit_head` member in a GeoJSON. Rows stream from SQLite in chunks, so a million-camera export stays small.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from app.core.labels import public_label
from app.io.safe_files import csv_writer, head_record, private_atomic_file, write_head_file
from app.store import audit

EXPORT_FORMATS = ("csv", "geojson")
COLUMNS = ["id", "external_id", "lat", "lon", "kind", "heading_deg", "fov_deg", "range_m", "retention_days",
           "source", "registered_on", "active", "label", "owner", "owner_consent"]
_SELECT = ("SELECT c.id, c.external_id, c.lat, c.lon, c.kind, c.heading_deg, c.fov_deg, c.range_m, "
           "c.retention_days, c.source, c.registered_on, c.active, c.label, "
           "CASE WHEN o.id IS NULL THEN '' ELSE 'Neighbor #' || o.anonymity_no END, IFNULL(o.consent, ''), "
           "IFNULL(o.address, '') FROM cameras c LEFT JOIN owners o ON o.id = c.owner_id")
_LABEL = COLUMNS.index("label")
CHUNK = 10_000
Progress = Callable[[int, int], None]


def _rows(conn: sqlite3.Connection, ids: Sequence[int] | None) -> Iterator[list[tuple[Any, ...]]]:
    if ids is None:
        cur = conn.execute(f"{_SELECT} ORDER BY c.id")
        while True:
            rows = cur.fetchmany(CHUNK)
            if not rows:
                return
            yield rows
    wanted = sorted({int(i) for i in ids})
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start:start + CHUNK]
        yield conn.execute(f"{_SELECT} WHERE c.id IN (SELECT value FROM json_each(?)) ORDER BY c.id",
                           (json.dumps(part),)).fetchall()


def count_cameras(conn: sqlite3.Connection, ids: Sequence[int] | None) -> int:
    if ids is None:
        return int(conn.execute("SELECT count(*) FROM cameras").fetchone()[0])
    return len({int(i) for i in ids})


def _public(rows: list[tuple[Any, ...]], labels: bool) -> list[list[Any]]:
    """Export rows: the owner's address (last column) decides the label and is dropped."""
    out = []
    for row in rows:
        values = list(row[:-1])
        values[_LABEL] = public_label(row[_LABEL], row[-1] or "", may_see_labels=labels)
        out.append(values)
    return out


def export_cameras(conn: sqlite3.Connection, path: str | os.PathLike[str], fmt: str,
                   ids: Sequence[int] | None = None, progress: Progress | None = None,
                   check: Callable[[], None] | None = None, *, labels: bool = True) -> int:
    """Write the cameras (all, or those with the given ids) to path; returns how many were written.

    labels=False (a role that may not see owners' contacts) leaves every label out."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    path = Path(path)
    total = count_cameras(conn, ids)
    head = audit.current_head(conn)
    done = 0
    with private_atomic_file(path, newline="" if fmt == "csv" else None) as fh:
        if fmt == "csv":
            writer = csv_writer(fh, lineterminator="\n")
            writer.writerow(COLUMNS)
        else:
            fh.write('{"type": "FeatureCollection", "audit_head": ' + json.dumps(head_record(head, "registry export"))
                     + ', "features": [\n')
        first = True
        for rows in _rows(conn, ids):
            if check is not None:
                check()
            public = _public(rows, labels)
            if fmt == "csv":
                writer.writerows(["" if v is None else v for v in row] for row in public)
            else:
                for row in public:
                    fh.write(("" if first else ",\n") + json.dumps(_feature(row), ensure_ascii=False))
                    first = False
            done += len(rows)
            if progress is not None:
                progress(done, total)
        if fmt == "geojson":
            fh.write("\n]}\n")
    if fmt == "csv":
        write_head_file(path, head, "registry export")
    return done


def _feature(row: tuple[Any, ...]) -> dict[str, Any]:
    props = {k: v for k, v in zip(COLUMNS, row, strict=True) if k not in ("lat", "lon")}
    props["active"] = bool(props["active"])
    for key in ("heading_deg", "fov_deg", "range_m"):
        if isinstance(props[key], float) and math.isnan(props[key]):
            props[key] = None
    return {"type": "Feature", "id": row[0], "geometry": {"type": "Point", "coordinates": [row[3], row[2]]},
            "properties": props}
