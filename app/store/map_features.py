"""What the map shows besides cameras: incidents/posts as arrays, agencies with their jurisdictions."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

import numpy as np

INCIDENT_SOURCES = ["resident_post", "agency_report"]


@dataclass
class IncidentPoints:
    ids: np.ndarray      # int64
    lat: np.ndarray      # float64
    lon: np.ndarray      # float64
    source: np.ndarray   # int8 index into INCIDENT_SOURCES

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@dataclass
class AgencyShape:
    id: int
    name: str
    lat: float | None
    lon: float | None
    jurisdiction: dict[str, Any] | None  # GeoJSON Polygon/MultiPolygon, or None when missing or unreadable


def load_incidents(conn: sqlite3.Connection) -> IncidentPoints:
    """Every published incident/post with a location (those without one cannot be drawn; posts awaiting
    moderation, held or rejected are not shown)."""
    rows = conn.execute(
        "SELECT id, lat, lon, CASE source WHEN 'resident_post' THEN 0 ELSE 1 END FROM incidents "
        "WHERE lat IS NOT NULL AND lon IS NOT NULL AND moderation = 'published' ORDER BY id").fetchall()
    block = np.array(rows, dtype=np.float64).reshape(-1, 4)
    return IncidentPoints(block[:, 0].astype(np.int64), block[:, 1].copy(), block[:, 2].copy(),
                          block[:, 3].astype(np.int8))


def load_agencies(conn: sqlite3.Connection) -> list[AgencyShape]:
    out = []
    for aid, name, lat, lon, geojson in conn.execute(
            "SELECT id, name, lat, lon, jurisdiction_geojson FROM agencies ORDER BY id"):
        shape = None
        if geojson:
            try:
                shape = json.loads(geojson)
            except ValueError:
                shape = None  # a broken boundary is not drawn; the agency still is
        out.append(AgencyShape(int(aid), str(name), lat, lon, shape))
    return out


def camera_public_label(conn: sqlite3.Connection, camera_id: int) -> str:
    """A camera's label as the map may show it beside "Neighbor #n": withheld when it names an address (the
    owner's address is read only to make that decision, never returned)."""
    from app.core.labels import public_label

    row = conn.execute("SELECT c.label, IFNULL(o.address, '') FROM cameras c LEFT JOIN owners o ON o.id = c.owner_id "
                       "WHERE c.id = ?", (camera_id,)).fetchone()
    return "" if row is None else public_label(row[0], row[1])


def owner_anonymity_no(conn: sqlite3.Connection, owner_id: int) -> int | None:
    """Only the owner's public number: the map never reads names or contact details."""
    row = conn.execute("SELECT anonymity_no FROM owners WHERE id = ?", (owner_id,)).fetchone()
    return None if row is None else int(row[0])


def incident_tip(conn: sqlite3.Connection, incident_id: int) -> dict[str, str] | None:
    """What a map tooltip may say about an incident or post: when, what, its case number — nothing personal (no
    text, no author, no address)."""
    row = conn.execute("SELECT occurred_at, category, IFNULL(case_number, ''), source FROM incidents WHERE id = ?",
                       (incident_id,)).fetchone()
    if row is None:
        return None
    return {"occurred_at": row[0] or "", "category": row[1] or "", "case_number": row[2], "source": row[3] or ""}
